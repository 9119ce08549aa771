//! Verifying the audit chain: read every entry in order, recompute each
//! keyed hash over the stored bytes, check every signed checkpoint and the
//! head the log recorded, and name the first entry that was altered,
//! inserted or removed.

use std::sync::Arc;

use candor_store::{ChainVerifier, LinkPage, StoreError, Tamper};
use serde::Serialize;

use crate::{Candor, Result};

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
    },
    /// The first problem found.
    Tampered {
        /// what is wrong
        problem: Tamper,
        /// a sentence saying so
        message: String,
    },
}

impl Candor {
    /// Up to `limit` entries after sequence number `after`, in order.
    pub async fn audit_page(&self, after: i64, limit: u32) -> Result<Vec<candor_store::AuditEntry>> {
        Ok(self.store.audit_entries(after, limit).await?)
    }

    /// Verify the whole chain; `progress` is called with the number of
    /// entries checked so far and the total expected.
    pub async fn verify_audit(&self, mut progress: impl FnMut(u64, u64)) -> Result<AuditReport> {
        let checkpoints = self.store.audit_checkpoints().await?;
        let n_checkpoints = checkpoints.len() as u64;
        let (head, _) = self.store.audit_head().await?;
        // Read as far as rows exist, even past the recorded head: rows
        // beyond it were put there around candor.
        let upto = head.max(self.store.audit_last_seq().await?);
        let total = u64::try_from(upto).unwrap_or(0);
        let mut verifier = match ChainVerifier::new(&self.keys.verifying_key(), self.keys.audit_chain_key(), checkpoints) {
            Ok(v) => v,
            Err(t) => return Ok(tampered(t)),
        };
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
                Ok(Err(StoreError::Corrupt(reason))) => return Ok(tampered(Tamper::Unreadable { after: verifier.last_seq(), reason })),
                Ok(Err(e)) => return Err(e.into()),
                Err(join) => return Err(StoreError::Database(format!("reading the audit log stopped: {join}")).into()),
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
                    return Ok(tampered(t));
                }
            }
            checked += page.len() as u64;
            progress(checked, total.max(checked));
        }
        let last = verifier.last_seq();
        let entries = match verifier.finish() {
            Ok(n) => n,
            Err(t) => return Ok(tampered(t)),
        };
        if last < head {
            return Ok(tampered(Tamper::Removed { from: last + 1, to: head }));
        }
        if last > head {
            return Ok(tampered(Tamper::Inserted { seq: head + 1, prev: head }));
        }
        Ok(AuditReport::Intact { entries, checkpoints: n_checkpoints })
    }
}

fn tampered(problem: Tamper) -> AuditReport {
    AuditReport::Tampered { message: problem.to_string(), problem }
}
