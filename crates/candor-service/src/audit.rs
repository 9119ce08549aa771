//! Verifying the audit chain: read every entry in order, recompute each
//! keyed hash over the stored bytes, check every signed checkpoint and the
//! links between them, the signed head the log recorded, and the highest
//! head the witness outside the database holds; name the first entry that
//! was altered, inserted or removed, and any truncation or rollback.

use std::sync::Arc;

use candor_store::audit::witness::WitnessError;
use candor_store::{ChainVerifier, LinkPage, StoreError, Tamper, Witness};
use serde::Serialize;

use crate::{Candor, Result, ServiceError};

/// Sequence numbers per page. Measured on SQLite: 1,000 to 2,000 is best;
/// pages of 10,000 halve the throughput (the packed text no longer fits in
/// cache), and small pages pay a round trip too often.
const PAGE: i64 = 2_000;

/// The outcome of a verification.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum AuditReport {
    /// Every entry and checkpoint checks out.
    Intact {
        /// entries checked
        entries: u64,
        /// signed checkpoints checked
        checkpoints: u64,
        /// whether the head is signed (`false` only in a log written by a
        /// candor before signed heads, until its next write)
        head_signed: bool,
        /// the witness compared with, when there is one
        witness: Option<WitnessReport>,
    },
    /// The first problem found.
    Tampered {
        /// what is wrong
        problem: Tamper,
        /// a sentence saying so
        message: String,
    },
}

/// What the witness held.
#[derive(Clone, Debug, Serialize)]
pub struct WitnessReport {
    /// Its file.
    pub path: std::path::PathBuf,
    /// Its highest signed head, which the chain reaches with the same hash
    /// (`None`: no head of this installation yet).
    pub agrees_up_to: Option<i64>,
}

impl Candor {
    /// Up to `limit` entries after sequence number `after`, in order.
    pub async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<candor_store::AuditEntry>> {
        Ok(self.store.audit_entries(after, limit).await?)
    }

    /// Up to `limit` entries that match `filter`, newest first, read
    /// backwards from the end of the log (or from before `filter.before`)
    /// a page at a time, so that the newest matches come back without
    /// reading the whole log.
    pub async fn audit_search(&self, filter: &AuditFilter, limit: u32) -> Result<Vec<candor_store::AuditEntry>> {
        const PAGE: i64 = 1_000;
        let mut found = Vec::new();
        let mut hi = match filter.before {
            Some(before) => before - 1,
            None => self.store.audit_last_seq().await?,
        };
        while hi > 0 && found.len() < limit as usize {
            let lo = (hi - PAGE).max(0);
            let page = self.store.audit_entries(lo, u32::try_from(hi - lo).unwrap_or(u32::MAX)).await?;
            for e in page.into_iter().rev() {
                if filter.admits(&e.record) {
                    found.push(e);
                    if found.len() == limit as usize {
                        return Ok(found);
                    }
                }
            }
            hi = lo;
        }
        Ok(found)
    }
}

/// Which audit entries [`Candor::audit_search`] returns. Every field that
/// is set must match.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// The actor, exactly.
    pub actor: Option<String>,
    /// The action exactly, or every action under it when it ends in `.`
    /// (`rights.` matches `rights.open` and `rights.erase`).
    pub action: Option<String>,
    /// The subject's pseudonym, exactly.
    pub subject: Option<String>,
    /// At or after this time.
    pub from: Option<time::OffsetDateTime>,
    /// Before this time.
    pub to: Option<time::OffsetDateTime>,
    /// Only entries with a sequence number below this one (the next page
    /// of an earlier search: its last entry's number).
    pub before: Option<i64>,
}

impl AuditFilter {
    /// Whether `r` passes every set field but `before` (which the search
    /// applies by where it starts reading).
    pub fn admits(&self, r: &candor_store::AuditRecord) -> bool {
        let action = match &self.action {
            Some(a) if a.ends_with('.') => r.action.starts_with(a.as_str()),
            Some(a) => r.action == *a,
            None => true,
        };
        action
            && self.actor.as_ref().is_none_or(|a| r.actor == *a)
            && self.subject.as_ref().is_none_or(|s| r.subject.as_ref() == Some(s))
            && self.to.is_none_or(|to| r.at < to)
            && self.from.is_none_or(|from| r.at >= from)
    }
}

impl Candor {
    /// Verify the whole chain against the configured witness; `progress`
    /// is called with the number of entries checked so far and the total
    /// expected.
    pub async fn verify_audit(&self, progress: impl FnMut(u64, u64)) -> Result<AuditReport> {
        let witness = self.witness.clone();
        self.verify_audit_against(witness.as_ref(), progress).await
    }

    /// Verify the whole chain against `witness` (a copy fetched from where
    /// it is kept, say), or against none.
    pub async fn verify_audit_against(&self, witness: Option<&Witness>, mut progress: impl FnMut(u64, u64)) -> Result<AuditReport> {
        let key = self.keys.verifying_key();
        // The witness first, then the database: a head is witnessed after
        // its commit, so the database read later is at or beyond it.
        let witnessed = match witness.map(|w| w.read(&key)).transpose() {
            Ok(heads) => heads.unwrap_or_default(),
            Err(WitnessError::Tampered(t)) => return Ok(tampered(t)),
            Err(e @ WitnessError::Io { .. }) => return Err(ServiceError::InvalidInput(e.to_string())),
        };
        let state = match self.store.audit_state().await {
            Ok(state) => state,
            Err(e) => match e.corruption() {
                Some(reason) => return Ok(tampered(Tamper::HeadUnreadable { reason })),
                None => return Err(e.into()),
            },
        };
        // Read as far as rows exist, even past the recorded head: rows
        // beyond it were put there around candor.
        let upto = state.head.seq.max(state.last_seq);
        let total = u64::try_from(upto).unwrap_or(0);
        let mut verifier = match ChainVerifier::new(&key, self.keys.audit_chain_key(), state.checkpoints) {
            Ok(v) => v,
            Err(t) => return Ok(tampered(t)),
        };
        verifier = verifier.witness(witnessed);
        // The next page is read while this one is hashed: the database packs
        // rows on its side while the hashes are computed on ours.
        let fetch = |after: i64| {
            let store = Arc::clone(&self.store);
            tokio::spawn(async move { store.audit_links(after, (after + PAGE).min(upto)).await })
        };
        let mut after = 0;
        let mut next = (upto > 0).then(|| fetch(0));
        let mut checked = 0u64;
        while let Some(pending) = next.take() {
            let page: LinkPage = match pending.await {
                Ok(Ok(page)) => page,
                Ok(Err(e)) => match e.corruption() {
                    Some(reason) => return Ok(tampered(Tamper::Unreadable { after: verifier.last_seq(), reason })),
                    None => return Err(e.into()),
                },
                Err(join) => return Err(StoreError::Failed { what: "reading the audit log stopped".into(), source: Box::new(join) }.into()),
            };
            after += PAGE;
            if after < upto {
                next = Some(fetch(after));
            }
            for link in page.iter() {
                if let Err(t) = verifier.push(&link) {
                    if let Some(n) = next.take() {
                        n.abort();
                    }
                    return self.blame(witness, t);
                }
            }
            checked += page.len() as u64;
            progress(checked, total.max(checked));
        }
        match verifier.finish(&state.head) {
            Ok(v) => Ok(AuditReport::Intact {
                entries: v.entries,
                checkpoints: v.checkpoints,
                head_signed: v.head_signed,
                witness: witness.map(|w| WitnessReport { path: w.path().to_owned(), agrees_up_to: v.witnessed }),
            }),
            Err(t) => self.blame(witness, t),
        }
    }

    /// A witnessed head the chain contradicts is evidence against the
    /// database only if candor signed it; otherwise the witness was written
    /// around candor.
    fn blame(&self, witness: Option<&Witness>, t: Tamper) -> Result<AuditReport> {
        let (Tamper::RolledBack { line, .. } | Tamper::WitnessMismatch { line, .. }, Some(w)) = (&t, witness) else {
            return Ok(tampered(t));
        };
        let line = *line;
        let head = match w.head_at(line) {
            Ok(head) => head,
            Err(WitnessError::Tampered(t)) => return Ok(tampered(t)),
            Err(e @ WitnessError::Io { .. }) => return Err(ServiceError::InvalidInput(e.to_string())),
        };
        match head {
            Some(h) if h.is_signed_by(&self.keys.verifying_key()) => Ok(tampered(t)),
            Some(h) => Ok(tampered(Tamper::WitnessForged { line, seq: h.seq })),
            None => Ok(tampered(Tamper::WitnessUnreadable { line, reason: "it is not a signed head".into() })),
        }
    }
}

fn tampered(problem: Tamper) -> AuditReport {
    AuditReport::Tampered { message: problem.to_string(), problem }
}
