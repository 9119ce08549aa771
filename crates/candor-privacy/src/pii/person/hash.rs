//! Hashing for the name recognizer's tables: words are hashed once,
//! lower-cased, and the tables are keyed by those hashes, so they need no
//! hashing of their own.

use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// The hash of a word, ASCII letters lower-cased (other characters are
/// hashed as given: callers lower-case non-ASCII words first).
pub(crate) fn word_hash(word: &[u8]) -> u64 {
    word.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| (h.rotate_left(5) ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(K))
}

/// A feature's key: its template and its value.
pub(crate) fn feature(template: u8, value: u64) -> u64 {
    let x = value ^ u64::from(template).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // A finalizer, so that keys spread over the table's low bits.
    let x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Two values as one.
pub(crate) fn pair(a: u64, b: u64) -> u64 {
    a.rotate_left(17).wrapping_mul(K) ^ b
}

/// A hasher for keys that are hashes already.
#[derive(Default)]
pub(crate) struct Identity(u64);

impl Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 << 8) | u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// Builds [`Identity`] hashers.
pub(crate) type IdentityHash = BuildHasherDefault<Identity>;
