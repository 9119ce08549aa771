//! Verifying the chain: links streamed in order, each keyed hash
//! recomputed, the signed checkpoints and the signed head checked, and the
//! chain compared with every head the witness holds. The first problem is
//! named.

use std::collections::BTreeMap;

use ed25519_dalek::VerifyingKey;
use serde::Serialize;

use super::sign::{Checkpoint, SignedHead};
use super::witness::Witnessed;
use super::{AuditRecord, ChainKey, ChainLink, HEAD_SIGNING_ACTION, LEGACY_GENESIS, SIGNED_GENESIS};

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
    /// A signed checkpoint is gone: the next checkpoint, or the signed
    /// head, names it.
    #[error("the signed checkpoint at entry {seq} is missing: the checkpoint after it or the signed head names it")]
    CheckpointMissing {
        /// where it was
        seq: i64,
    },
    /// The head names an entry whose hash is another.
    #[error("the head does not match the chain: it names entry {seq} with a hash that entry does not have")]
    HeadMismatch {
        /// the entry the head names
        seq: i64,
    },
    /// The head's signature does not verify: someone moved the head, most
    /// likely back, after cutting entries off the end.
    #[error("the head (entry {seq}) has no valid signature: the log was truncated after entry {seq}, or its head rewritten")]
    HeadForged {
        /// the entry the head names
        seq: i64,
    },
    /// The head carries no signature in a log that signs its heads.
    #[error("the head (entry {seq}) is not signed, though the log has signed its heads since entry {since}: the log was truncated after entry {seq}, or its head rewritten")]
    HeadUnsigned {
        /// the entry the head names
        seq: i64,
        /// where head signing began (0: from the first entry)
        since: i64,
    },
    /// Head signing began a second time: the head's signature had been
    /// removed so that a shortened log would pass as one written by an
    /// older candor.
    #[error("entry {seq} starts head signing again, though the log signed its heads before it: the head's signature was removed, and entries before entry {seq} may have been cut off")]
    SigningRestarted {
        /// the entry that restarted it
        seq: i64,
    },
    /// The chain ends before the highest head the witness holds.
    #[error("the log was truncated after entry {last}: the audit witness holds a signed head at entry {witnessed} (line {line})")]
    RolledBack {
        /// the last entry present
        last: i64,
        /// the witness's highest head
        witnessed: i64,
        /// its line in the witness
        line: u64,
    },
    /// The chain has another hash where the witness holds a signed head.
    #[error("the log disagrees with the audit witness at entry {seq} (line {line}): it was rolled back to before entry {seq} and written again since")]
    WitnessMismatch {
        /// the witnessed entry
        seq: i64,
        /// its line in the witness
        line: u64,
    },
    /// The witness holds a line candor never writes.
    #[error("line {line} of the audit witness cannot be read ({reason}): the witness was written around candor")]
    WitnessUnreadable {
        /// the line, from 1
        line: u64,
        /// what is wrong with it
        reason: String,
    },
    /// A head in the witness that disagrees with the chain has an invalid
    /// signature: not the database, the witness was tampered with.
    #[error("line {line} of the audit witness (a head at entry {seq}) has an invalid signature: the witness was written around candor")]
    WitnessForged {
        /// the line, from 1
        line: u64,
        /// the entry it names
        seq: i64,
    },
    /// The head row or the checkpoints do not even decode (a value of the
    /// wrong type, a hash of the wrong length): written around candor.
    #[error("the log's head or checkpoints cannot be read ({reason}): they were written around candor")]
    HeadUnreadable {
        /// what is wrong
        reason: String,
    },
}

/// What a verification found intact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verified {
    /// Entries checked.
    pub entries: u64,
    /// Signed checkpoints checked.
    pub checkpoints: u64,
    /// Whether the head is signed (`false` only in a log written by a
    /// candor before migration 0006, until its next append).
    pub head_signed: bool,
    /// The highest head of the witness, which the chain reaches with the
    /// same hash, like every other head the witness holds.
    pub witnessed: Option<i64>,
}

/// Streams links in order and reports the first problem.
pub struct ChainVerifier {
    key: VerifyingKey,
    chain: ChainKey,
    checkpoints: BTreeMap<i64, Checkpoint>,
    last_seq: i64,
    last_hash: [u8; 32],
    count: u64,
    /// Where head signing began: 0 when entry 1 chains from
    /// [`SIGNED_GENESIS`], the seq of the head-signing entry in a log begun
    /// by an older candor, `None` while such a log has not begun it.
    signed_since: Option<i64>,
    marker: memchr::memmem::Finder<'static>,
    /// The heads the witness holds, by entry, and the next to compare.
    witness: Vec<Witnessed>,
    next_witnessed: usize,
}

impl ChainVerifier {
    /// Start with the key that signs, the chain key and the checkpoints (any
    /// order).
    pub fn new(key: &VerifyingKey, chain: ChainKey, checkpoints: Vec<Checkpoint>) -> Result<Self, Tamper> {
        let mut map = BTreeMap::new();
        for cp in checkpoints {
            if !cp.is_signed_by(key) {
                return Err(Tamper::BadSignature { seq: cp.seq });
            }
            map.insert(cp.seq, cp);
        }
        // The exact bytes canonical JSON writes for the marker's action; a
        // hit is confirmed by parsing, since a detail value could hold them.
        let needle = format!("\"action\":\"{HEAD_SIGNING_ACTION}\"");
        Ok(Self {
            key: *key,
            chain,
            checkpoints: map,
            last_seq: 0,
            last_hash: [0; 32],
            count: 0,
            signed_since: None,
            marker: memchr::memmem::Finder::new(needle.as_bytes()).into_owned(),
            witness: Vec::new(),
            next_witnessed: 0,
        })
    }

    /// Compare the chain with the heads a witness holds (ordered by entry,
    /// as [`super::Witness::read`] gives them).
    pub fn witness(mut self, heads: Vec<Witnessed>) -> Self {
        self.witness = heads;
        self
    }

    /// Check the next link.
    pub fn push(&mut self, l: &ChainLink<'_>) -> Result<(), Tamper> {
        let expected = self.last_seq + 1;
        if l.seq > expected {
            return Err(Tamper::Missing { seq: expected, prev: self.last_seq, next: l.seq });
        }
        let body = l.body.as_bytes();
        let linked = l.seq == expected
            && if l.seq == 1 {
                // Which genesis entry 1 chains from says whether the log
                // signed its heads from the start.
                if self.chain.hash(1, body, &SIGNED_GENESIS) == l.hash {
                    self.signed_since = Some(0);
                    true
                } else {
                    self.chain.hash(1, body, &LEGACY_GENESIS) == l.hash
                }
            } else {
                self.chain.hash(l.seq, body, &self.last_hash) == l.hash
            };
        if !linked {
            return Err(Tamper::Altered { seq: l.seq });
        }
        if self.marker.find(body).is_some() && AuditRecord::parse(l.body).is_ok_and(|r| r.action == HEAD_SIGNING_ACTION) {
            if self.signed_since.is_some() {
                return Err(Tamper::SigningRestarted { seq: l.seq });
            }
            self.signed_since = Some(l.seq);
        }
        if let Some(cp) = self.checkpoints.get(&l.seq) {
            if cp.hash != l.hash {
                return Err(Tamper::CheckpointMismatch { seq: l.seq });
            }
        }
        while let Some(w) = self.witness.get(self.next_witnessed).filter(|w| w.seq <= l.seq) {
            // Entry 0 is the empty log: nothing to compare.
            if w.seq == l.seq && w.hash != l.hash[..16] {
                return Err(Tamper::WitnessMismatch { seq: w.seq, line: w.line });
            }
            self.next_witnessed += 1;
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

    /// After the last link: compare the chain with the checkpoints beyond
    /// it, the head the log recorded, the heads the witness holds beyond
    /// it, the head's signature and the checkpoints it links back to.
    pub fn finish(self, head: &SignedHead) -> Result<Verified, Tamper> {
        let last = self.last_seq;
        if let Some((&seq, _)) = self.checkpoints.range(last + 1..).next() {
            return Err(Tamper::Truncated { seq, last });
        }
        if head.seq > last {
            return Err(Tamper::Removed { from: last + 1, to: head.seq });
        }
        // Before the head's own checks: when the head was moved back too,
        // the witness tells how far the log reached.
        let highest = self.witness.last();
        if let Some(w) = highest.filter(|w| w.seq > last) {
            return Err(Tamper::RolledBack { last, witnessed: w.seq, line: w.line });
        }
        if head.seq < last {
            return Err(Tamper::Inserted { seq: head.seq + 1, prev: head.seq });
        }
        if last > 0 && head.hash != self.last_hash {
            return Err(Tamper::HeadMismatch { seq: head.seq });
        }
        match (head.signature.is_some(), self.signed_since) {
            (false, Some(since)) => return Err(Tamper::HeadUnsigned { seq: head.seq, since }),
            // A log begun by an older candor and not written since: its
            // head was never signed.
            (false, None) => {}
            (true, _) if !head.is_signed_by(&self.key) => return Err(Tamper::HeadForged { seq: head.seq }),
            (true, _) => self.walk_checkpoints(head.checkpoint)?,
        }
        Ok(Verified {
            entries: self.count,
            checkpoints: self.checkpoints.len() as u64,
            head_signed: head.signature.is_some(),
            witnessed: highest.map(|w| w.seq),
        })
    }

    /// From the checkpoint the signed head names, back through each
    /// checkpoint's signed link to the one before, until the first (or one
    /// made before migration 0006, which names none).
    fn walk_checkpoints(&self, from: i64) -> Result<(), Tamper> {
        let mut at = from;
        while at > 0 {
            let cp = self.checkpoints.get(&at).ok_or(Tamper::CheckpointMissing { seq: at })?;
            match cp.prev {
                Some(prev) if prev < at => at = prev,
                _ => break,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::sign::legacy_checkpoint_message;
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

    /// A chain written as candor writes it: signed heads from entry 1, a
    /// linked checkpoint every `every` entries.
    struct Chain {
        links: Vec<Owned>,
        cps: Vec<Checkpoint>,
        head: SignedHead,
    }

    fn sign_head(key: &SigningKey, seq: i64, hash: [u8; 32], checkpoint: i64) -> SignedHead {
        let mut h = SignedHead { seq, hash, at: seq * 1000, checkpoint, signature: None };
        h.signature = Some(key.sign(&h.message()).to_bytes());
        h
    }

    fn chain(n: i64, key: &SigningKey, every: i64) -> Chain {
        let mut prev = SIGNED_GENESIS;
        let (mut links, mut cps, mut last_cp) = (Vec::new(), Vec::new(), 0);
        for seq in 1..=n {
            let body = record(seq).body().unwrap();
            let hash = ck().hash(seq, body.as_bytes(), &prev);
            links.push(Owned { seq, body, hash });
            if seq % every == 0 {
                let mut cp = Checkpoint { seq, hash, at: seq * 1000, prev: Some(last_cp), signature: [0; 64], key_id: "k".into() };
                cp.signature = key.sign(&cp.message()).to_bytes();
                cps.push(cp);
                last_cp = seq;
            }
            prev = hash;
        }
        let head = sign_head(key, n, prev, last_cp);
        Chain { links, cps, head }
    }

    /// A witness that holds `heads`, one a line.
    fn witnessed(heads: &[&SignedHead]) -> Vec<Witnessed> {
        let mut w: Vec<Witnessed> = heads
            .iter()
            .enumerate()
            .map(|(i, h)| Witnessed { seq: h.seq, hash: h.hash[..16].try_into().unwrap(), line: i as u64 + 1 })
            .collect();
        w.sort_by_key(|w| (w.seq, w.line));
        w
    }

    fn verify_with(
        links: &[Owned],
        cps: Vec<Checkpoint>,
        head: &SignedHead,
        witness: &[&SignedHead],
        key: &SigningKey,
    ) -> Result<Verified, Tamper> {
        let mut v = ChainVerifier::new(&key.verifying_key(), ck(), cps)?.witness(witnessed(witness));
        for l in links {
            v.push(&ChainLink { seq: l.seq, body: &l.body, hash: l.hash })?;
        }
        v.finish(head)
    }

    fn verify(c: &Chain, key: &SigningKey) -> Result<u64, Tamper> {
        verify_with(&c.links, c.cps.clone(), &c.head, &[&c.head], key).map(|v| v.entries)
    }

    #[test]
    fn an_intact_chain_verifies_and_each_tampering_is_named() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let c = chain(10, &key, 4);
        assert_eq!(verify(&c, &key), Ok(10));

        let mut altered = c.links.clone();
        altered[4].body = altered[4].body.replace("alice", "mallory");
        assert_eq!(verify(&Chain { links: altered, ..chain(10, &key, 4) }, &key), Err(Tamper::Altered { seq: 5 }));

        let mut missing = c.links.clone();
        missing.remove(5);
        assert_eq!(verify(&Chain { links: missing, ..chain(10, &key, 4) }, &key), Err(Tamper::Missing { seq: 6, prev: 5, next: 7 }));

        let mut duplicated = c.links.clone();
        duplicated.insert(3, c.links[2].clone());
        assert_eq!(verify(&Chain { links: duplicated, ..chain(10, &key, 4) }, &key), Err(Tamper::Altered { seq: 3 }));

        // Rewriting the whole chain consistently (with the chain key) is
        // caught by the signature.
        let mut rewritten = c.links.clone();
        rewritten[1].body = rewritten[1].body.replace("consent.grant", "nothing");
        let mut prev = rewritten[0].hash;
        for l in rewritten.iter_mut().skip(1) {
            l.hash = ck().hash(l.seq, l.body.as_bytes(), &prev);
            prev = l.hash;
        }
        assert_eq!(verify(&Chain { links: rewritten, ..chain(10, &key, 4) }, &key), Err(Tamper::CheckpointMismatch { seq: 4 }));

        assert_eq!(verify_with(&c.links[..6], c.cps.clone(), &c.head, &[], &key), Err(Tamper::Truncated { seq: 8, last: 6 }));

        let mut bad = c.cps.clone();
        bad[0].signature[0] ^= 1;
        assert_eq!(verify_with(&c.links, bad, &c.head, &[], &key), Err(Tamper::BadSignature { seq: 4 }));

        // Appending without the chain key does not produce a valid entry.
        let mut appended = c.links.clone();
        let body = record(11).body().unwrap();
        appended.push(Owned { seq: 11, hash: ChainKey::new(&[4; 32]).hash(11, body.as_bytes(), &c.links[9].hash), body });
        assert_eq!(verify_with(&appended, c.cps.clone(), &c.head, &[], &key), Err(Tamper::Altered { seq: 11 }));
    }

    #[test]
    fn a_chain_cut_short_with_its_head_moved_back_is_caught_by_the_signature_or_the_witness() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let c = chain(10, &key, 4);
        // Entries 7 to 10 and the checkpoint at 8 deleted; the head row
        // copied from entry 6, its old signature kept or removed.
        let cps: Vec<_> = c.cps.iter().filter(|cp| cp.seq <= 6).cloned().collect();
        let moved = SignedHead { seq: 6, hash: c.links[5].hash, checkpoint: 4, ..c.head.clone() };
        assert_eq!(verify_with(&c.links[..6], cps.clone(), &moved, &[], &key), Err(Tamper::HeadForged { seq: 6 }));
        let unsigned = SignedHead { signature: None, ..moved.clone() };
        assert_eq!(verify_with(&c.links[..6], cps.clone(), &unsigned, &[], &key), Err(Tamper::HeadUnsigned { seq: 6, since: 0 }));
        // A head the log really had at entry 6, replayed: only the witness
        // knows better.
        let at_6 = sign_head(&key, 6, c.links[5].hash, 4);
        assert!(verify_with(&c.links[..6], cps.clone(), &at_6, &[&at_6], &key).is_ok());
        assert_eq!(
            verify_with(&c.links[..6], cps.clone(), &at_6, &[&at_6, &c.head], &key),
            Err(Tamper::RolledBack { last: 6, witnessed: 10, line: 2 })
        );
        // Rolled back to 6 and written on past where it had been: the new
        // heads agree with the chain, the old one at 10 does not.
        let mut again = c.links[..6].to_vec();
        let mut prev = again[5].hash;
        for seq in 7..=12 {
            let body = record(seq + 100).body().unwrap();
            let hash = ck().hash(seq, body.as_bytes(), &prev);
            again.push(Owned { seq, body, hash });
            prev = hash;
        }
        let new_head = sign_head(&key, 12, prev, 4);
        let witness = [&at_6, &c.head, &new_head];
        assert_eq!(verify_with(&again, cps, &new_head, &witness, &key), Err(Tamper::WitnessMismatch { seq: 10, line: 2 }));
    }

    #[test]
    fn heads_witnessed_out_of_order_or_not_at_all_are_no_problem() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let c = chain(10, &key, 4);
        let at_3 = sign_head(&key, 3, c.links[2].hash, 0);
        let at_7 = sign_head(&key, 7, c.links[6].hash, 4);
        // A slow writer's older head after a newer one; the newest head
        // never written (a crash after the commit).
        let v = verify_with(&c.links, c.cps.clone(), &c.head, &[&at_7, &at_3], &key).unwrap();
        assert_eq!((v.entries, v.witnessed), (10, Some(7)));
    }

    #[test]
    fn a_deleted_checkpoint_is_named_by_the_one_after_it_or_the_head() {
        let key = SigningKey::from_bytes(&[7; 32]);
        let c = chain(13, &key, 4);
        for gone in [4, 8, 12] {
            let cps: Vec<_> = c.cps.iter().filter(|cp| cp.seq != gone).cloned().collect();
            assert_eq!(verify_with(&c.links, cps, &c.head, &[], &key), Err(Tamper::CheckpointMissing { seq: gone }));
        }
    }

    #[test]
    fn a_log_begun_without_signed_heads_verifies_until_it_starts_signing_and_not_after() {
        let key = SigningKey::from_bytes(&[7; 32]);
        // Entries 1 to 5 as an older candor wrote them: the legacy genesis,
        // an unsigned head, a checkpoint signed over seq and hash only.
        let mut prev = LEGACY_GENESIS;
        let mut links = Vec::new();
        let mut cps = Vec::new();
        for seq in 1..=5 {
            let body = record(seq).body().unwrap();
            let hash = ck().hash(seq, body.as_bytes(), &prev);
            if seq == 4 {
                let signature = key.sign(&legacy_checkpoint_message(seq, &hash)).to_bytes();
                cps.push(Checkpoint { seq, hash, at: 0, prev: None, signature, key_id: "k".into() });
            }
            links.push(Owned { seq, body, hash });
            prev = hash;
        }
        let old_head = SignedHead { seq: 5, hash: prev, at: 0, checkpoint: 4, signature: None };
        assert_eq!(verify_with(&links, cps.clone(), &old_head, &[], &key).map(|v| v.head_signed), Ok(false));

        // The first append after the upgrade starts signing with a marker.
        let marker = AuditRecord::new(datetime!(2026-01-02 0:00 UTC), "candor", HEAD_SIGNING_ACTION, serde_json::json!({})).body().unwrap();
        let hash = ck().hash(6, marker.as_bytes(), &prev);
        links.push(Owned { seq: 6, body: marker.clone(), hash });
        let head = sign_head(&key, 6, hash, 4);
        assert_eq!(verify_with(&links, cps.clone(), &head, &[], &key).map(|v| v.head_signed), Ok(true));
        let stripped = SignedHead { signature: None, ..head.clone() };
        assert_eq!(verify_with(&links, cps.clone(), &stripped, &[], &key), Err(Tamper::HeadUnsigned { seq: 6, since: 6 }));

        // Stripping the signature and letting candor start signing again
        // leaves a second marker.
        let again = ck().hash(7, marker.as_bytes(), &hash);
        links.push(Owned { seq: 7, body: marker, hash: again });
        let head = sign_head(&key, 7, again, 4);
        assert_eq!(verify_with(&links, cps, &head, &[], &key), Err(Tamper::SigningRestarted { seq: 7 }));
    }
}
