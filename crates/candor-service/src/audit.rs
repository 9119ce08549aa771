//! Verifying the audit chain: stream every entry in order, recompute each
//! hash, check each link and every signed checkpoint, and name the first
//! entry that was altered, inserted or removed.

use candor_store::{AuditEntry, ChainVerifier, Tamper};
use serde::Serialize;

use crate::{Candor, Result};

/// Entries read per round trip.
const PAGE: u32 = 20_000;

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
    /// Verify the whole chain; `progress` is called with the number of
    /// entries checked so far and the total expected.
    pub async fn verify_audit(&self, mut progress: impl FnMut(u64, u64)) -> Result<AuditReport> {
        let checkpoints = self.store.audit_checkpoints().await?;
        let n_checkpoints = checkpoints.len() as u64;
        let (head, _) = self.store.audit_head().await?;
        let total = u64::try_from(head).unwrap_or(0);
        let mut verifier = match ChainVerifier::new(self.keys.verifying_key(), self.keys.audit_chain_key(), checkpoints) {
            Ok(v) => v,
            Err(t) => return Ok(tampered(t)),
        };
        let mut after = 0;
        let mut checked = 0u64;
        loop {
            let page: Vec<AuditEntry> = self.store.audit_entries(after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = last.seq;
            for e in &page {
                if let Err(t) = verifier.push(e) {
                    return Ok(tampered(t));
                }
            }
            checked += page.len() as u64;
            progress(checked, total.max(checked));
        }
        // The head row records how far the chain reached when last appended:
        // entries missing from the end without a checkpoint to say so are
        // still caught here.
        let entries = match verifier.finish() {
            Ok(n) => n,
            Err(t) => return Ok(tampered(t)),
        };
        let last = i64::try_from(entries).unwrap_or(i64::MAX);
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
