//! The tamper-evident audit chain. Each entry's hash covers its content and
//! the previous entry's hash, and is keyed (HMAC-SHA256 under a key derived
//! from the installation's signing key): someone who can write to the
//! database but does not hold the key directory cannot compute a valid hash,
//! so cannot alter, insert or append an entry unnoticed, not even after the
//! last checkpoint. Every N entries a checkpoint signs the chain head with
//! Ed25519, an anchor anyone with the public key can check; a chain rewritten
//! by someone holding the keys still disagrees with the checkpoints signed
//! before.
//!
//! Entries carry pseudonymous subject ids only (`ps_…`), never personal data,
//! so erasing a subject never rewrites the log.

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use time::OffsetDateTime;

/// An entry about to be appended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// When it happened.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who did it (actor id, `system`, `cli`, `subject`).
    pub actor: String,
    /// What happened (`subject.create`, `consent.grant`, `access.decide`…).
    pub action: String,
    /// The pseudonymous subject id, when about a subject.
    pub subject: Option<String>,
    /// The purpose, when there is one.
    pub purpose: Option<String>,
    /// `allow` or `deny`, for access decisions.
    pub decision: Option<String>,
    /// Parameters: categories touched, reasons, counts. Never personal data.
    pub detail: String,
}

impl AuditRecord {
    /// A record with no subject, purpose or decision.
    pub fn new(at: OffsetDateTime, actor: impl Into<String>, action: impl Into<String>, detail: serde_json::Value) -> Self {
        Self { at, actor: actor.into(), action: action.into(), subject: None, purpose: None, decision: None, detail: detail.to_string() }
    }

    /// Set the pseudonymous subject.
    pub fn subject(mut self, pseudonym: impl Into<String>) -> Self {
        self.subject = Some(pseudonym.into());
        self
    }

    /// Set the purpose.
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// Set the decision.
    pub fn decision(mut self, decision: impl Into<String>) -> Self {
        self.decision = Some(decision.into());
        self
    }
}

/// A stored entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The content.
    #[serde(flatten)]
    pub record: AuditRecord,
    /// Hash of the previous entry (zeros for the first).
    #[serde(with = "hex_bytes")]
    pub prev_hash: [u8; 32],
    /// Hash of this entry.
    #[serde(with = "hex_bytes")]
    pub hash: [u8; 32],
}

/// A signed checkpoint over the chain head at `seq`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The entry it covers.
    pub seq: i64,
    /// That entry's hash.
    pub hash: [u8; 32],
    /// Ed25519 signature of [`checkpoint_message`].
    pub signature: [u8; 64],
    /// Which key signed.
    pub key_id: String,
}

mod hex_bytes {
    pub fn serialize<S: serde::Serializer>(b: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(b))
    }
}

type HmacSha256 = Hmac<Sha256>;

fn field(h: &mut HmacSha256, bytes: &[u8]) {
    h.update(&(bytes.len() as u64).to_be_bytes());
    h.update(bytes);
}

fn opt(h: &mut HmacSha256, v: &Option<String>) {
    match v {
        None => h.update(&[0]),
        Some(s) => {
            h.update(&[1]);
            field(h, s.as_bytes());
        }
    }
}

/// The key entry hashes are computed under. Cloning is cheap: it holds the
/// HMAC state already keyed, so each entry costs only its own bytes.
#[derive(Clone)]
pub struct ChainKey(HmacSha256);

impl std::fmt::Debug for ChainKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChainKey(<redacted>)")
    }
}

impl ChainKey {
    /// A chain key from 32 secret bytes.
    pub fn new(secret: &[u8; 32]) -> Self {
        #[expect(clippy::expect_used, reason = "HMAC accepts keys of any length")]
        let mac = HmacSha256::new_from_slice(secret).expect("hmac key");
        Self(mac)
    }

    /// The hash of an entry: every field length-prefixed, so no two
    /// different entries hash the same input.
    pub fn entry_hash(&self, seq: i64, r: &AuditRecord, prev: &[u8; 32]) -> [u8; 32] {
        let mut h = self.0.clone();
        h.update(b"candor-audit-v1");
        h.update(&seq.to_be_bytes());
        h.update(&micros(r.at).to_be_bytes());
        field(&mut h, r.actor.as_bytes());
        field(&mut h, r.action.as_bytes());
        opt(&mut h, &r.subject);
        opt(&mut h, &r.purpose);
        opt(&mut h, &r.decision);
        field(&mut h, r.detail.as_bytes());
        h.update(prev);
        h.finalize().into_bytes().into()
    }
}

/// Microseconds since the epoch: the precision timestamps are stored with.
pub fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// The inverse of [`micros`].
pub fn from_micros(us: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// What a checkpoint signs.
pub fn checkpoint_message(seq: i64, hash: &[u8; 32]) -> Vec<u8> {
    [b"candor-checkpoint-v1".as_slice(), &seq.to_be_bytes(), hash].concat()
}

/// The first problem found in the chain.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Tamper {
    /// An entry's content no longer matches its hash.
    #[error("entry {seq} was altered: its content does not match its hash")]
    Altered {
        /// the entry
        seq: i64,
    },
    /// A sequence number is absent.
    #[error("entry {seq} is missing: the chain jumps from {prev} to {next}")]
    Missing {
        /// the first missing number
        seq: i64,
        /// the entry before the gap
        prev: i64,
        /// the entry after the gap
        next: i64,
    },
    /// An entry does not link to its predecessor.
    #[error("entry {seq} was inserted: it does not link to entry {prev}")]
    Inserted {
        /// the entry
        seq: i64,
        /// its predecessor
        prev: i64,
    },
    /// A signed checkpoint disagrees with the chain: the chain was rewritten.
    #[error("the chain was rewritten up to entry {seq}: it no longer matches the signed checkpoint there")]
    CheckpointMismatch {
        /// checkpoint position
        seq: i64,
    },
    /// A checkpoint covers entries that are gone.
    #[error("entries up to {seq} are missing: a signed checkpoint covers entry {seq}, but the chain ends at {last}")]
    Truncated {
        /// checkpoint position
        seq: i64,
        /// last entry present
        last: i64,
    },
    /// Entries at the end are gone: the chain stops short of the head the
    /// log recorded at its last append.
    #[error("entries {from} to {to} are missing: the log recorded {to} entries, but the chain ends at {last}", last = .from - 1)]
    Removed {
        /// the first missing entry
        from: i64,
        /// the last entry the log recorded
        to: i64,
    },
    /// A checkpoint's signature is invalid.
    #[error("the checkpoint at entry {seq} has an invalid signature")]
    BadSignature {
        /// checkpoint position
        seq: i64,
    },
}

/// Streams entries in order and reports the first problem.
pub struct ChainVerifier {
    key: VerifyingKey,
    chain: ChainKey,
    checkpoints: std::collections::BTreeMap<i64, Checkpoint>,
    last_seq: i64,
    last_hash: [u8; 32],
    count: u64,
}

impl ChainVerifier {
    /// Start with the chain key, the checkpoints (any order) and the key
    /// that signed them.
    pub fn new(key: VerifyingKey, chain: ChainKey, checkpoints: Vec<Checkpoint>) -> Result<Self, Tamper> {
        let mut map = std::collections::BTreeMap::new();
        for cp in checkpoints {
            let sig = Signature::from_bytes(&cp.signature);
            if key.verify(&checkpoint_message(cp.seq, &cp.hash), &sig).is_err() {
                return Err(Tamper::BadSignature { seq: cp.seq });
            }
            map.insert(cp.seq, cp);
        }
        Ok(Self { key, chain, checkpoints: map, last_seq: 0, last_hash: [0; 32], count: 0 })
    }

    /// The key checkpoints are checked against.
    pub fn key(&self) -> &VerifyingKey {
        &self.key
    }

    /// Check the next entry.
    pub fn push(&mut self, e: &AuditEntry) -> Result<(), Tamper> {
        let expected = self.last_seq + 1;
        if e.seq > expected {
            return Err(Tamper::Missing { seq: expected, prev: self.last_seq, next: e.seq });
        }
        if self.chain.entry_hash(e.seq, &e.record, &e.prev_hash) != e.hash {
            return Err(Tamper::Altered { seq: e.seq });
        }
        if e.prev_hash != self.last_hash {
            return Err(Tamper::Inserted { seq: e.seq, prev: self.last_seq });
        }
        if let Some(cp) = self.checkpoints.get(&e.seq) {
            if cp.hash != e.hash {
                return Err(Tamper::CheckpointMismatch { seq: e.seq });
            }
        }
        self.last_seq = e.seq;
        self.last_hash = e.hash;
        self.count += 1;
        Ok(())
    }

    /// After the last entry: checkpoints beyond the end mean truncation.
    /// Returns the number of entries checked.
    pub fn finish(self) -> Result<u64, Tamper> {
        if let Some((&seq, _)) = self.checkpoints.range(self.last_seq + 1..).next() {
            return Err(Tamper::Truncated { seq, last: self.last_seq });
        }
        Ok(self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};
    use time::macros::datetime;

    fn ck() -> ChainKey {
        ChainKey::new(&[3; 32])
    }

    fn chain(n: i64, key: &SigningKey, every: i64) -> (Vec<AuditEntry>, Vec<Checkpoint>) {
        let mut prev = [0u8; 32];
        let mut entries = Vec::new();
        let mut cps = Vec::new();
        for seq in 1..=n {
            let record =
                AuditRecord::new(datetime!(2026-01-01 0:00 UTC), "alice", "consent.grant", serde_json::json!({"n": seq})).subject("ps_1");
            let hash = ck().entry_hash(seq, &record, &prev);
            entries.push(AuditEntry { seq, record, prev_hash: prev, hash });
            if seq % every == 0 {
                cps.push(Checkpoint { seq, hash, signature: key.sign(&checkpoint_message(seq, &hash)).to_bytes(), key_id: "k".into() });
            }
            prev = hash;
        }
        (entries, cps)
    }

    fn verify(entries: &[AuditEntry], cps: Vec<Checkpoint>, key: &SigningKey) -> Result<u64, Tamper> {
        let mut v = ChainVerifier::new(key.verifying_key(), ck(), cps)?;
        for e in entries {
            v.push(e)?;
        }
        v.finish()
    }

    #[test]
    fn an_intact_chain_verifies_and_each_tampering_is_named() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let (entries, cps) = chain(10, &key, 4);
        assert_eq!(verify(&entries, cps.clone(), &key), Ok(10));

        let mut altered = entries.clone();
        altered[4].record.actor = "mallory".into();
        assert_eq!(verify(&altered, cps.clone(), &key), Err(Tamper::Altered { seq: 5 }));

        let mut missing = entries.clone();
        missing.remove(5);
        assert_eq!(verify(&missing, cps.clone(), &key), Err(Tamper::Missing { seq: 6, prev: 5, next: 7 }));

        let mut inserted = entries.clone();
        let forged = AuditRecord::new(datetime!(2026-01-01 0:00 UTC), "x", "y", serde_json::json!({}));
        let prev = [9u8; 32];
        inserted.push(AuditEntry { seq: 11, hash: ck().entry_hash(11, &forged, &prev), record: forged, prev_hash: prev });
        assert_eq!(verify(&inserted, cps.clone(), &key), Err(Tamper::Inserted { seq: 11, prev: 10 }));

        // Rewriting the whole chain consistently is caught by the signature.
        let mut rewritten = entries.clone();
        rewritten[1].record.action = "nothing".into();
        let mut prev = rewritten[0].hash;
        for e in rewritten.iter_mut().skip(1) {
            e.prev_hash = prev;
            e.hash = ck().entry_hash(e.seq, &e.record, &prev);
            prev = e.hash;
        }
        assert_eq!(verify(&rewritten, cps.clone(), &key), Err(Tamper::CheckpointMismatch { seq: 4 }));

        assert_eq!(verify(&entries[..6], cps.clone(), &key), Err(Tamper::Truncated { seq: 8, last: 6 }));

        let mut bad = cps.clone();
        bad[0].signature[0] ^= 1;
        assert_eq!(verify(&entries, bad, &key), Err(Tamper::BadSignature { seq: 4 }));

        // Appending with plain SHA-256, as someone without the chain key
        // would, does not produce a valid entry.
        let mut appended = entries.clone();
        let forged = AuditRecord::new(datetime!(2026-01-01 0:00 UTC), "x", "y", serde_json::json!({}));
        let prev = entries[9].hash;
        appended.push(AuditEntry {
            seq: 11,
            hash: ChainKey::new(&[4; 32]).entry_hash(11, &forged, &prev),
            record: forged,
            prev_hash: prev,
        });
        assert_eq!(verify(&appended, cps, &key), Err(Tamper::Altered { seq: 11 }));
    }
}

/// Signs checkpoints every `every` entries with the key ring's Ed25519 key.
#[derive(Clone)]
pub struct AuditSigner {
    ring: std::sync::Arc<crate::keys::KeyRing>,
    chain: ChainKey,
    key_id: String,
    every: i64,
}

impl std::fmt::Debug for AuditSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditSigner").field("key_id", &self.key_id).field("every", &self.every).finish()
    }
}

impl AuditSigner {
    /// A signer that checkpoints every `every` entries (at least 1).
    pub fn new(ring: std::sync::Arc<crate::keys::KeyRing>, every: u32) -> Self {
        let key_id = crate::keys::key_id(&ring.verifying_key());
        let chain = ring.audit_chain_key();
        Self { ring, chain, key_id, every: i64::from(every.max(1)) }
    }

    /// The key entry hashes are computed under.
    pub fn chain_key(&self) -> &ChainKey {
        &self.chain
    }

    /// Whether entry `seq` gets a checkpoint.
    pub fn due(&self, seq: i64) -> bool {
        seq % self.every == 0
    }

    /// A checkpoint over `seq` and its hash.
    pub fn checkpoint(&self, seq: i64, hash: [u8; 32]) -> Checkpoint {
        Checkpoint { seq, hash, signature: self.ring.sign(&checkpoint_message(seq, &hash)), key_id: self.key_id.clone() }
    }
}
