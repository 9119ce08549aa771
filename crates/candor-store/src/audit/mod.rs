//! The tamper-evident audit chain.
//!
//! Each entry is stored as the exact bytes its hash covers: a canonical JSON
//! body ([`AuditRecord::body`]). Its hash is
//! `HMAC-SHA256(chain key, "candor-audit-v2" ‖ seq ‖ len(body) ‖ body ‖ previous hash)`.
//! Keyed, so that someone who can write to the database but does not hold
//! the key directory cannot compute a valid hash: they cannot alter, insert
//! or append an entry unnoticed, not even after the last checkpoint.
//!
//! The hash chain alone cannot show that entries were cut off its end: a
//! shorter chain is still a valid chain. So every append also signs the new
//! head (sequence number, hash, time, last checkpoint) with Ed25519
//! ([`sign`]), every N entries a checkpoint is signed that names the one
//! before it, and after each append the signed head goes to a witness file
//! outside the database ([`witness`]). [`verify`] checks all of it: someone
//! with the database alone cannot forge a head for a shorter chain, cannot
//! drop a checkpoint (the next one, or the head, names it), and a rollback
//! to a head the database really held earlier (a copy they kept) is caught
//! by the witness.
//!
//! Storing the body rather than one column per field means there is no
//! second copy of a field that could be changed apart from what was hashed,
//! and verification never parses: it hashes the stored bytes. Lookups (by
//! subject, say) use expression indexes over the JSON.
//!
//! Entries carry pseudonymous subject ids only (`ps_…`), never personal data,
//! so erasing a subject never rewrites the log.

pub mod sign;
pub mod verify;
pub mod witness;

pub use sign::{AuditSigner, Checkpoint, SignedHead};
pub use verify::{ChainVerifier, Tamper, Verified};
pub use witness::{Witness, Witnessed};

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
    /// Serializing plain strings, numbers and a JSON value is not expected
    /// to fail; were it to, the entry is refused rather than an empty body
    /// hashed into the chain.
    pub fn body(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
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

/// What entry 1 chains from in a log whose heads were signed from its first
/// entry. A log begun by a candor that did not sign heads chains from
/// [`LEGACY_GENESIS`]; the verifier tells the two apart at entry 1, and in
/// a log of the first kind an unsigned head is never accepted. Public: the
/// point is not secrecy, only that nobody without the chain key can turn one
/// kind of entry 1 into the other.
pub const SIGNED_GENESIS: [u8; 32] = *b"candor-audit-chain-signed-heads!";

/// What entry 1 chains from in a log begun by a candor that did not sign
/// its heads (before migration 0006).
pub const LEGACY_GENESIS: [u8; 32] = [0; 32];

/// The action of the entry that starts head signing in a log begun without
/// it: appended, before anything else, by the first write after the
/// upgrade. From there on the head must be signed, and a second such entry
/// means someone removed the head's signature to pass a shortened log off
/// as an old one.
pub const HEAD_SIGNING_ACTION: &str = "audit.head_signing";

/// Microseconds since the epoch: the precision timestamps are stored with.
pub fn micros(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1000).unwrap_or(i64::MAX)
}

/// The inverse of [`micros`].
pub fn from_micros(us: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn record(n: i64) -> AuditRecord {
        AuditRecord::new(datetime!(2026-01-01 0:00 UTC), "alice", "consent.grant", serde_json::json!({ "n": n })).subject("ps_1")
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
        let body = r.body().unwrap();
        assert_eq!(AuditRecord::parse(&body).unwrap(), r);
        let odd = AuditRecord::new(datetime!(2026-01-01 0:00 UTC), "a\u{1e}b", "x\u{1f}", serde_json::json!({ "t": "\u{1e}" }));
        let odd = odd.body().unwrap();
        assert!(!odd.chars().any(char::is_control), "{odd}");
        assert!(!body.contains("\"subject\":null"), "absent fields are omitted");
    }
}
