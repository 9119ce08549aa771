//! The tamper-evident audit chain.
//!
//! Each entry is stored as the exact bytes its hash covers: a canonical JSON
//! body ([`AuditRecord::body`]). Its hash is
//! `HMAC-SHA256(chain key, "candor-audit-v2" ‖ seq ‖ len(body) ‖ body ‖ previous hash)`.
//! Keyed, so that someone who can write to the database but does not hold
//! the key directory cannot compute a valid hash: they cannot alter, insert
//! or append an entry unnoticed, not even after the last checkpoint. Every N
//! entries a checkpoint signs the chain head with Ed25519, an anchor anyone
//! with the public key can check, and that a chain rewritten by someone
//! holding the keys still disagrees with.
//!
//! Storing the body rather than one column per field means there is no
//! second copy of a field that could be changed apart from what was hashed,
//! and verification never parses: it hashes the stored bytes. Lookups (by
//! subject, say) use expression indexes over the JSON.
//!
//! Entries carry pseudonymous subject ids only (`ps_…`), never personal data,
//! so erasing a subject never rewrites the log.

use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use time::OffsetDateTime;

/// An entry about to be appended, or read back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// When it happened (stored as microseconds since the epoch).
    #[serde(with = "micros_serde")]
    pub at: OffsetDateTime,
    /// Who did it (actor id, `system`, `cli`, `subject`).
    pub actor: String,
    /// What happened (`subject.create`, `consent.grant`, `access.decide`…).
    pub action: String,
    /// The pseudonymous subject id, when about a subject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The purpose, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// `allow` or `deny`, for access decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Parameters: categories touched, reasons, counts. Never personal data.
    pub detail: serde_json::Value,
}

mod micros_serde {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::OffsetDateTime;

    pub fn serialize<S: Serializer>(t: &OffsetDateTime, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(super::micros(*t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<OffsetDateTime, D::Error> {
        i64::deserialize(d).map(super::from_micros)
    }
}

impl AuditRecord {
    /// A record with no subject, purpose or decision.
    pub fn new(at: OffsetDateTime, actor: impl Into<String>, action: impl Into<String>, detail: serde_json::Value) -> Self {
        Self { at, actor: actor.into(), action: action.into(), subject: None, purpose: None, decision: None, detail }
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

    /// The canonical body stored and hashed: compact JSON in field order.
    /// JSON escapes every control character, so a body never holds a raw
    /// one (the store packs pages of bodies with one as separator).
    pub fn body(&self) -> String {
        // Serializing plain strings, numbers and a JSON value cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Parse a stored body.
    pub fn parse(body: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(body)
    }
}

/// A stored entry, parsed, for people and queries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The content.
    #[serde(flatten)]
    pub record: AuditRecord,
    /// Hash of this entry.
    #[serde(with = "hex_bytes")]
    pub hash: [u8; 32],
}

/// A stored entry as the chain sees it: its position, the exact bytes
/// hashed, and the hash stored with them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChainLink<'a> {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// The canonical body, as stored.
    pub body: &'a str,
    /// The hash stored with it.
    pub hash: [u8; 32],
}

/// A page of links read in one go: the bodies stay in the one buffer they
/// arrived in, and links borrow from it, so a page costs no allocation per
/// entry.
#[derive(Clone, Debug, Default)]
pub struct LinkPage {
    text: String,
    // INVARIANT (ranges): every range lies within `text` on char
    // boundaries, and links are ordered by seq; upheld by `push` callers
    // slicing `text` itself and by `sort`.
    links: Vec<(i64, std::ops::Range<usize>, [u8; 32])>,
}

impl LinkPage {
    /// A page over `text`, the buffer bodies will be sliced from.
    pub fn new(text: String, capacity: usize) -> Self {
        Self { text, links: Vec::with_capacity(capacity) }
    }

    /// The buffer.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Add a link whose body is `text[range]`; refused when the range is
    /// not within the buffer.
    pub fn push(&mut self, seq: i64, range: std::ops::Range<usize>, hash: [u8; 32]) -> bool {
        // INVARIANT (ranges)
        if self.text.get(range.clone()).is_none() {
            return false;
        }
        self.links.push((seq, range, hash));
        true
    }

    /// Order by sequence number (a linear check when already ordered).
    pub fn sort(&mut self) {
        self.links.sort_by_key(|l| l.0);
    }

    /// Links in order.
    pub fn iter(&self) -> impl Iterator<Item = ChainLink<'_>> {
        self.links.iter().map(|(seq, r, hash)| ChainLink { seq: *seq, body: self.text.get(r.clone()).unwrap_or_default(), hash: *hash })
    }

    /// Number of links.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }
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

    /// The hash of the entry at `seq` with `body`, following `prev`.
    pub fn hash(&self, seq: i64, body: &[u8], prev: &[u8; 32]) -> [u8; 32] {
        let mut h = self.0.clone();
        h.update(b"candor-audit-v2");
        h.update(&seq.to_be_bytes());
        h.update(&(body.len() as u64).to_be_bytes());
        h.update(body);
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
    /// An entry beyond the head the log recorded at its last append.
    #[error("entry {seq} was inserted: the log recorded {prev} entries at its last append")]
    Inserted {
        /// the entry
        seq: i64,
        /// the recorded head
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
    /// Rows that do not even parse as entries: written around candor.
    #[error("the entries after entry {after} cannot be read: {reason}")]
    Unreadable {
        /// the last entry read intact
        after: i64,
        /// what is wrong with them
        reason: String,
    },
    /// A checkpoint's signature is invalid.
    #[error("the checkpoint at entry {seq} has an invalid signature")]
    BadSignature {
        /// checkpoint position
        seq: i64,
    },
}

/// Streams links in order and reports the first problem.
pub struct ChainVerifier {
    chain: ChainKey,
    checkpoints: std::collections::BTreeMap<i64, Checkpoint>,
    last_seq: i64,
    last_hash: [u8; 32],
    count: u64,
}

impl ChainVerifier {
    /// Start with the chain key, the checkpoints (any order) and the key
    /// that signed them.
    pub fn new(key: &VerifyingKey, chain: ChainKey, checkpoints: Vec<Checkpoint>) -> Result<Self, Tamper> {
        let mut map = std::collections::BTreeMap::new();
        for cp in checkpoints {
            let sig = Signature::from_bytes(&cp.signature);
            if key.verify(&checkpoint_message(cp.seq, &cp.hash), &sig).is_err() {
                return Err(Tamper::BadSignature { seq: cp.seq });
            }
            map.insert(cp.seq, cp);
        }
        Ok(Self { chain, checkpoints: map, last_seq: 0, last_hash: [0; 32], count: 0 })
    }

    /// Check the next link.
    pub fn push(&mut self, l: &ChainLink<'_>) -> Result<(), Tamper> {
        let expected = self.last_seq + 1;
        if l.seq > expected {
            return Err(Tamper::Missing { seq: expected, prev: self.last_seq, next: l.seq });
        }
        if l.seq < expected || self.chain.hash(l.seq, l.body.as_bytes(), &self.last_hash) != l.hash {
            return Err(Tamper::Altered { seq: l.seq });
        }
        if let Some(cp) = self.checkpoints.get(&l.seq) {
            if cp.hash != l.hash {
                return Err(Tamper::CheckpointMismatch { seq: l.seq });
            }
        }
        self.last_seq = l.seq;
        self.last_hash = l.hash;
        self.count += 1;
        Ok(())
    }

    /// The last sequence number checked.
    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }

    /// After the last link: checkpoints beyond the end mean truncation.
    /// Returns the number of links checked.
    pub fn finish(self) -> Result<u64, Tamper> {
        if let Some((&seq, _)) = self.checkpoints.range(self.last_seq + 1..).next() {
            return Err(Tamper::Truncated { seq, last: self.last_seq });
        }
        Ok(self.count)
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

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signer, SigningKey};
    use time::macros::datetime;

    fn ck() -> ChainKey {
        ChainKey::new(&[3; 32])
    }

    fn record(n: i64) -> AuditRecord {
        AuditRecord::new(datetime!(2026-01-01 0:00 UTC), "alice", "consent.grant", serde_json::json!({ "n": n })).subject("ps_1")
    }

    /// An owned link, for building test chains.
    #[derive(Clone)]
    struct Owned {
        seq: i64,
        body: String,
        hash: [u8; 32],
    }

    fn chain(n: i64, key: &SigningKey, every: i64) -> (Vec<Owned>, Vec<Checkpoint>) {
        let mut prev = [0u8; 32];
        let mut links = Vec::new();
        let mut cps = Vec::new();
        for seq in 1..=n {
            let body = record(seq).body();
            let hash = ck().hash(seq, body.as_bytes(), &prev);
            links.push(Owned { seq, body, hash });
            if seq % every == 0 {
                cps.push(Checkpoint { seq, hash, signature: key.sign(&checkpoint_message(seq, &hash)).to_bytes(), key_id: "k".into() });
            }
            prev = hash;
        }
        (links, cps)
    }

    fn verify(links: &[Owned], cps: Vec<Checkpoint>, key: &SigningKey) -> Result<u64, Tamper> {
        let mut v = ChainVerifier::new(&key.verifying_key(), ck(), cps)?;
        for l in links {
            v.push(&ChainLink { seq: l.seq, body: &l.body, hash: l.hash })?;
        }
        v.finish()
    }

    #[test]
    fn a_page_hands_out_links_in_order_and_refuses_ranges_outside_its_text() {
        let mut p = LinkPage::new("bbbaa".into(), 2);
        assert!(p.push(2, 0..3, [2; 32]));
        assert!(p.push(1, 3..5, [1; 32]));
        assert!(!p.push(3, 4..9, [3; 32]));
        p.sort();
        let got: Vec<_> = p.iter().map(|l| (l.seq, l.body)).collect();
        assert_eq!(got, vec![(1, "aa"), (2, "bbb")]);
    }

    #[test]
    fn bodies_round_trip_and_hold_no_raw_control_characters() {
        let r = record(1).purpose("analytics").decision("deny");
        let body = r.body();
        assert_eq!(AuditRecord::parse(&body).unwrap(), r);
        let odd = AuditRecord::new(datetime!(2026-01-01 0:00 UTC), "a\u{1e}b", "x\u{1f}", serde_json::json!({ "t": "\u{1e}" }));
        assert!(!odd.body().chars().any(char::is_control), "{}", odd.body());
        assert!(!r.body().contains("\"subject\":null"), "absent fields are omitted");
    }

    #[test]
    fn an_intact_chain_verifies_and_each_tampering_is_named() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let (links, cps) = chain(10, &key, 4);
        assert_eq!(verify(&links, cps.clone(), &key), Ok(10));

        let mut altered = links.clone();
        altered[4].body = altered[4].body.replace("alice", "mallory");
        assert_eq!(verify(&altered, cps.clone(), &key), Err(Tamper::Altered { seq: 5 }));

        let mut missing = links.clone();
        missing.remove(5);
        assert_eq!(verify(&missing, cps.clone(), &key), Err(Tamper::Missing { seq: 6, prev: 5, next: 7 }));

        let mut duplicated = links.clone();
        duplicated.insert(3, links[2].clone());
        assert_eq!(verify(&duplicated, cps.clone(), &key), Err(Tamper::Altered { seq: 3 }));

        // Rewriting the whole chain consistently (with the chain key) is
        // caught by the signature.
        let mut rewritten = links.clone();
        rewritten[1].body = rewritten[1].body.replace("consent.grant", "nothing");
        let mut prev = rewritten[0].hash;
        for l in rewritten.iter_mut().skip(1) {
            l.hash = ck().hash(l.seq, l.body.as_bytes(), &prev);
            prev = l.hash;
        }
        assert_eq!(verify(&rewritten, cps.clone(), &key), Err(Tamper::CheckpointMismatch { seq: 4 }));

        assert_eq!(verify(&links[..6], cps.clone(), &key), Err(Tamper::Truncated { seq: 8, last: 6 }));

        let mut bad = cps.clone();
        bad[0].signature[0] ^= 1;
        assert_eq!(verify(&links, bad, &key), Err(Tamper::BadSignature { seq: 4 }));

        // Appending without the chain key does not produce a valid entry.
        let mut appended = links.clone();
        let body = record(11).body();
        appended.push(Owned { seq: 11, hash: ChainKey::new(&[4; 32]).hash(11, body.as_bytes(), &links[9].hash), body });
        assert_eq!(verify(&appended, cps, &key), Err(Tamper::Altered { seq: 11 }));
    }
}
