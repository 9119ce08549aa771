//! Key rotation: a new key-encryption key is created and every subject's
//! data key is unwrapped with the old KEK and wrapped again under the new
//! one, in batches that each commit with their audit entry. The data itself
//! is never touched. Interrupted, the next run finds keys still under an old
//! KEK and carries on with the current one instead of starting over; once no
//! key is left under an old KEK, that KEK is retired.

use candor_store::{KeyOwner, KeyRing, Op, WriteBatch};
use serde::Serialize;
use serde_json::json;

use crate::{Candor, Result, ServiceError};

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
    /// Rotate the key-encryption key. `ring` must be the key directory this
    /// installation loaded; it gains the new KEK. `progress` gets (done, total).
    pub async fn rotate_keys(&self, actor: &str, ring: &mut KeyRing, mut progress: impl FnMut(u64, u64)) -> Result<Rotation> {
        let counts = self.store.key_counts().await?;
        let stale: u64 = counts.iter().filter(|(k, _)| k != ring.current_kek()).map(|(_, n)| n).sum();
        let resumed = stale > 0;
        if !resumed {
            let new = ring.add_kek()?;
            self.store
                .apply(WriteBatch { ops: Vec::new(), audit: vec![self.audit(actor, "keys.rotate.start", json!({ "kek": new }))] })
                .await?;
        }
        let current = ring.current_kek().to_owned();
        let total: u64 = self.store.key_counts().await?.iter().filter(|(k, _)| *k != current).map(|(_, n)| n).sum();
        let mut done = 0;
        progress(0, total);
        loop {
            let batch = self.store.keys_not_under(&current, BATCH).await?;
            if batch.is_empty() {
                break;
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
                let rewrapped_key = ring.wrap(&context, &key);
                rewrapped.push((owner, rewrapped_key));
            }
            let n = rewrapped.len() as u64;
            let audit = self.audit(actor, "keys.rewrap", json!({ "kek": current, "count": n }));
            self.store.apply(WriteBatch::one(Op::Rewrap(rewrapped), audit)).await?;
            done += n;
            progress(done, total.max(done));
        }
        let mut retired = Vec::new();
        let in_use: Vec<String> = self.store.key_counts().await?.into_iter().filter(|(_, n)| *n > 0).map(|(k, _)| k).collect();
        for kek in ring.kek_ids() {
            if kek != current && !in_use.contains(&kek) {
                ring.retire_kek(&kek)?;
                retired.push(kek);
            }
        }
        self.store
            .apply(WriteBatch {
                ops: Vec::new(),
                audit: vec![self.audit(actor, "keys.rotate.finish", json!({ "kek": current, "rewrapped": done, "retired": retired }))],
            })
            .await?;
        Ok(Rotation { kek: current, resumed, rewrapped: done, retired })
    }

    /// How many data keys each KEK wraps.
    pub async fn key_status(&self) -> Result<Vec<(String, u64)>> {
        Ok(self.store.key_counts().await?)
    }
}
