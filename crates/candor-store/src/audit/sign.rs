//! Signing the chain with the key ring's Ed25519 key: a checkpoint every N
//! entries, and the head after every append. Each message binds the
//! position, the hash, the time and a link to what came before it (a
//! checkpoint names the previous checkpoint, the head names the last
//! checkpoint), so neither can be dropped or moved without a signature
//! failing or a named checkpoint going missing.
//!
//! Why link checkpoints rather than expect one at every multiple of
//! `checkpoint_every`: the interval is a setting and may change during an
//! installation's life; a link records where the previous checkpoint really
//! is, whatever the interval was when it was made.

use std::sync::Arc;

use ed25519_dalek::{Signature, Verifier, VerifyingKey};

use super::witness::Witness;
use super::ChainKey;
use crate::keys::KeyRing;

/// A signed checkpoint over the chain at `seq`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checkpoint {
    /// The entry it covers.
    pub seq: i64,
    /// That entry's hash.
    pub hash: [u8; 32],
    /// When that entry was made, in microseconds since the epoch.
    pub at: i64,
    /// The checkpoint before this one (0 for the first). `None` for a
    /// checkpoint signed by a candor before migration 0006, whose signature
    /// covers only `seq` and `hash`.
    pub prev: Option<i64>,
    /// Ed25519 signature of [`Checkpoint::message`].
    pub signature: [u8; 64],
    /// Which key signed.
    pub key_id: String,
}

impl Checkpoint {
    /// What the signature covers.
    pub fn message(&self) -> Vec<u8> {
        match self.prev {
            Some(prev) => {
                [b"candor-checkpoint-v2".as_slice(), &self.seq.to_be_bytes(), &self.hash, &self.at.to_be_bytes(), &prev.to_be_bytes()]
                    .concat()
            }
            None => legacy_checkpoint_message(self.seq, &self.hash),
        }
    }

    /// Whether `key` signed it.
    pub fn is_signed_by(&self, key: &VerifyingKey) -> bool {
        key.verify(&self.message(), &Signature::from_bytes(&self.signature)).is_ok()
    }
}

/// What a checkpoint made before migration 0006 signs.
pub fn legacy_checkpoint_message(seq: i64, hash: &[u8; 32]) -> Vec<u8> {
    [b"candor-checkpoint-v1".as_slice(), &seq.to_be_bytes(), hash].concat()
}

/// The head of the chain as the last append left it: its last entry, that
/// entry's hash, when the append happened, the last checkpoint, and a
/// signature over all four.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SignedHead {
    /// The last entry (0 when the log is empty).
    pub seq: i64,
    /// Its hash.
    pub hash: [u8; 32],
    /// When it was appended, in microseconds since the epoch.
    pub at: i64,
    /// The last checkpoint at or before `seq` (0 when none).
    pub checkpoint: i64,
    /// Ed25519 signature of [`SignedHead::message`]; `None` in a log
    /// written by a candor before migration 0006, until its next append.
    pub signature: Option<[u8; 64]>,
}

impl SignedHead {
    /// What the signature covers. The prefix differs from a checkpoint's,
    /// so a checkpoint's signature can never pass for a head's.
    pub fn message(&self) -> Vec<u8> {
        [b"candor-audit-head-v1".as_slice(), &self.seq.to_be_bytes(), &self.hash, &self.at.to_be_bytes(), &self.checkpoint.to_be_bytes()]
            .concat()
    }

    /// Whether it carries a signature and `key` made it.
    pub fn is_signed_by(&self, key: &VerifyingKey) -> bool {
        self.signature.is_some_and(|s| key.verify(&self.message(), &Signature::from_bytes(&s)).is_ok())
    }
}

/// Signs checkpoints every `every` entries and every head, with the key
/// ring's Ed25519 key, and knows the witness heads are appended to.
#[derive(Clone)]
pub struct AuditSigner {
    ring: Arc<KeyRing>,
    chain: ChainKey,
    key_id: String,
    key_check: [u8; 32],
    every: i64,
    witness: Option<Arc<Witness>>,
}

impl std::fmt::Debug for AuditSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditSigner")
            .field("key_id", &self.key_id)
            .field("every", &self.every)
            .field("witness", &self.witness.as_ref().map(|w| w.path().to_owned()))
            .finish()
    }
}

impl AuditSigner {
    /// A signer that checkpoints every `every` entries (at least 1) and
    /// appends each head to the default witness, `audit-witness` in the key
    /// directory.
    pub fn new(ring: Arc<KeyRing>, every: u32) -> Self {
        let key_id = crate::keys::key_id(&ring.verifying_key());
        let chain = ring.audit_chain_key();
        let key_check = ring.key_check();
        let witness = Some(Arc::new(Witness::new(ring.dir().join(super::witness::DEFAULT_FILE))));
        Self { ring, chain, key_id, key_check, every: i64::from(every.max(1)), witness }
    }

    /// Append heads to `witness` instead, or to none.
    pub fn with_witness(mut self, witness: Option<Witness>) -> Self {
        self.witness = witness.map(Arc::new);
        self
    }

    /// Where heads are appended, if anywhere.
    pub fn witness(&self) -> Option<&Witness> {
        self.witness.as_deref()
    }

    /// The key entry hashes are computed under.
    pub fn chain_key(&self) -> &ChainKey {
        &self.chain
    }

    /// The signing key's short id.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The key check value of the keys this signer holds (see
    /// [`KeyRing::key_check`]).
    pub fn key_check(&self) -> &[u8; 32] {
        &self.key_check
    }

    /// Whether entry `seq` gets a checkpoint.
    pub fn due(&self, seq: i64) -> bool {
        seq % self.every == 0
    }

    /// A checkpoint over `seq`, its hash and time, after the checkpoint at
    /// `prev`.
    pub fn checkpoint(&self, seq: i64, hash: [u8; 32], at: i64, prev: i64) -> Checkpoint {
        let mut cp = Checkpoint { seq, hash, at, prev: Some(prev), signature: [0; 64], key_id: self.key_id.clone() };
        cp.signature = self.ring.sign(&cp.message());
        cp
    }

    /// The signed head after an append.
    pub fn head(&self, seq: i64, hash: [u8; 32], at: i64, checkpoint: i64) -> SignedHead {
        let mut head = SignedHead { seq, hash, at, checkpoint, signature: None };
        head.signature = Some(self.ring.sign(&head.message()));
        head
    }
}
