//! Key rotation: a new key-encryption key is created and every subject's
//! data key is unwrapped with the old KEK and wrapped again under the new
//! one, in batches that each commit with their audit entry. The data itself
//! is never touched. Interrupted, the next run finds keys still under an old
//! KEK and carries on with the current one instead of starting over; once no
//! key is left under an old KEK, that KEK is retired: recorded in the
//! database (so that no process wraps under it again) and its file renamed.

use candor_store::{KeyOwner, KeyRing, Op, StoreError, WriteBatch};
use serde::Serialize;
use serde_json::json;

use crate::{AuditAction, Candor, Result, ServiceError};

/// Keys re-wrapped per transaction.
const BATCH: u32 = 1_000;

/// What a rotation did.
#[derive(Clone, Debug, Serialize)]
pub struct Rotation {
    /// The KEK every data key is now wrapped under.
    pub kek: String,
    /// Whether an interrupted rotation was resumed rather than a new KEK made.
    pub resumed: bool,
    /// Data keys re-wrapped by this run.
    pub rewrapped: u64,
    /// KEKs retired because nothing is wrapped under them any more.
    pub retired: Vec<String>,
}

impl Candor {
    /// Rotate the key-encryption key of this installation's key ring (it
    /// gains the new KEK). `progress` gets (done, total).
    ///
    /// Other processes on the installation (`candor serve`, an import)
    /// notice the new KEK from the key directory before they next wrap or
    /// fail to unwrap. One that wrapped a data key under the old KEK just
    /// before noticing is caught by the database: the old KEK is recorded
    /// as retired only in the transaction that finds nothing wrapped under
    /// it, and a write wrapping under a retired KEK is refused.
    pub async fn rotate_keys(&self, actor: &str, mut progress: impl FnMut(u64, u64)) -> Result<Rotation> {
        let ring = &self.keys;
        ring.refresh()?;
        let counts = self.store.key_counts().await?;
        let current = ring.current_kek();
        let stale: u64 = counts.iter().filter(|(k, _)| *k != current).map(|(_, n)| n).sum();
        let resumed = stale > 0;
        if !resumed {
            let new = ring.add_kek()?;
            self.store
                .apply(WriteBatch { ops: Vec::new(), audit: vec![self.audit(actor, AuditAction::KeysRotateStart, json!({ "kek": new }))] })
                .await?;
        }
        let current = ring.current_kek();
        let total: u64 = self.store.key_counts().await?.iter().filter(|(k, _)| *k != current).map(|(_, n)| n).sum();
        progress(0, total);
        let mut done = self.rewrap_all(actor, ring, &current, 0, total, &mut progress).await?;
        // A writer that had not noticed the rotation may wrap under the old
        // KEK until the moment it is recorded as retired: then retiring is
        // refused, its keys are re-wrapped too, and retiring tried again.
        for attempt in 0..4 {
            let in_use: Vec<String> = self.store.key_counts().await?.into_iter().filter(|(_, n)| *n > 0).map(|(k, _)| k).collect();
            let retired: Vec<String> = ring.kek_ids().into_iter().filter(|k| *k != current && !in_use.contains(k)).collect();
            let finish = self.audit(actor, AuditAction::KeysRotateFinish, json!({ "kek": current, "rewrapped": done, "retired": retired }));
            let ops = if retired.is_empty() { Vec::new() } else { vec![Op::RetireKeks { ids: retired.clone(), at: self.now() }] };
            match self.store.apply(WriteBatch { ops, audit: vec![finish] }).await {
                Ok(_) => {
                    for kek in &retired {
                        ring.retire_kek(kek)?;
                    }
                    return Ok(Rotation { kek: current, resumed, rewrapped: done, retired });
                }
                Err(StoreError::KekInUse(_)) if attempt < 3 => {
                    done = self.rewrap_all(actor, ring, &current, done, total, &mut progress).await?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(ServiceError::InvalidInput(
            "data keys kept being wrapped under the old key-encryption key; run `candor keys rotate` again".into(),
        ))
    }

    /// Re-wrap every data key not under `current`, in batches that each
    /// commit with their audit entry. Returns `done` plus the keys moved.
    async fn rewrap_all(
        &self,
        actor: &str,
        ring: &KeyRing,
        current: &str,
        mut done: u64,
        total: u64,
        progress: &mut impl FnMut(u64, u64),
    ) -> Result<u64> {
        loop {
            let batch = self.store.keys_not_under(current, BATCH).await?;
            if batch.is_empty() {
                return Ok(done);
            }
            let mut rewrapped = Vec::with_capacity(batch.len());
            for (owner, wrapped) in batch {
                let context = owner.wrap_context();
                let key = ring.unwrap(&context, &wrapped).map_err(|e| match &owner {
                    KeyOwner::Subject(subject) => ServiceError::Unreadable { subject: *subject, reason: e.to_string() },
                    KeyOwner::Account(platform, handle) => {
                        ServiceError::InvalidInput(format!("the data key of brand account `{platform}:{handle}` cannot be unwrapped: {e}"))
                    }
                })?;
                let rewrapped_key = ring.wrap(&context, &key)?;
                if rewrapped_key.kek_id != current {
                    return Err(ServiceError::InvalidInput(format!(
                        "another key rotation made `{}` current meanwhile; run `candor keys rotate` again",
                        rewrapped_key.kek_id
                    )));
                }
                rewrapped.push((owner, rewrapped_key));
            }
            let n = rewrapped.len() as u64;
            let audit = self.audit(actor, AuditAction::KeysRewrap, json!({ "kek": current, "count": n }));
            self.store.apply(WriteBatch::one(Op::Rewrap(rewrapped), audit)).await?;
            done += n;
            progress(done, total.max(done));
        }
    }

    /// How many data keys each KEK wraps.
    pub async fn key_status(&self) -> Result<Vec<(String, u64)>> {
        Ok(self.store.key_counts().await?)
    }
}
