//! The name model's weights: for each feature key, a weight per tag
//! (O, B, I). Stored as `data/names/person.model`: the bytes `CPN1`, a
//! little-endian u32 count, then per feature its u64 key and three f32
//! weights.

use std::collections::HashMap;

use super::hash::IdentityHash;
use super::N_FEATURES;

#[cfg(test)]
pub(crate) const EMBEDDED_FOR_TESTS: &[u8] = EMBEDDED;
const EMBEDDED: &[u8] = include_bytes!("../../../data/names/person.model");
const MAGIC: &[u8; 4] = b"CPN1";

/// Weights by feature key, in eight bytes a feature so that the model
/// stays in the cache: a 16-bit fingerprint of the key and the three
/// weights in 16-bit fixed point (a 256th), in an open-addressing table
/// at most a third full, probed linearly. A key the model lacks finds a
/// weight only where its fingerprint matches a neighbour's, one lookup in
/// about forty thousand.
#[derive(Debug, Default)]
pub(crate) struct Model {
    slots: Vec<u64>,
    mask: usize,
    len: usize,
}

const SCALE: f32 = 256.0;

impl Model {
    /// The model built into the crate.
    pub(crate) fn embedded() -> Self {
        // The file is the crate's own: a damaged one is a build defect the
        // tests catch (`the_embedded_model_loads`); an empty model tags
        // nothing, which the rest of the engine survives.
        Self::from_bytes(EMBEDDED).unwrap_or_default()
    }

    /// Parse a model file.
    pub(crate) fn from_bytes(b: &[u8]) -> Option<Self> {
        let rest = b.strip_prefix(MAGIC)?;
        let (count, mut rest) = rest.split_first_chunk::<4>()?;
        let n = u32::from_le_bytes(*count) as usize;
        let mut weights: HashMap<u64, [f32; 3], IdentityHash> = HashMap::with_capacity_and_hasher(n, IdentityHash::default());
        for _ in 0..n {
            let (key, r) = rest.split_first_chunk::<8>()?;
            let (w, r) = r.split_first_chunk::<12>()?;
            let f = |k: usize| f32::from_le_bytes([w[4 * k], w[4 * k + 1], w[4 * k + 2], w[4 * k + 3]]);
            weights.insert(u64::from_le_bytes(*key), [f(0), f(1), f(2)]);
            rest = r;
        }
        rest.is_empty().then(|| Self::from_weights(&weights))
    }

    fn from_weights(weights: &HashMap<u64, [f32; 3], IdentityHash>) -> Self {
        let size = (weights.len() * 3).next_power_of_two().max(16);
        let mut slots = vec![0u64; size];
        let mask = size - 1;
        for (&k, w) in weights {
            let q = |x: f32| u64::from((x * SCALE).round().clamp(-32767.0, 32767.0) as i16 as u16);
            let mut i = (k as usize) & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = Self::fingerprint(k) << 48 | q(w[0]) << 32 | q(w[1]) << 16 | q(w[2]);
        }
        Self { slots, mask, len: weights.len() }
    }

    /// 16 bits of the key the index does not use, never zero.
    fn fingerprint(k: u64) -> u64 {
        (k >> 48) | 1
    }

    /// Serialize weights, dropping those too small to matter.
    pub(crate) fn to_bytes(weights: &HashMap<u64, [f32; 3]>) -> Vec<u8> {
        let mut kept: Vec<(&u64, &[f32; 3])> = weights.iter().filter(|(_, w)| w.iter().any(|x| x.abs() >= 1e-3)).collect();
        kept.sort_by_key(|(k, _)| **k);
        let mut out = Vec::with_capacity(8 + kept.len() * 20);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&u32::try_from(kept.len()).unwrap_or(u32::MAX).to_le_bytes());
        for (k, w) in kept {
            out.extend_from_slice(&k.to_le_bytes());
            for x in w {
                out.extend_from_slice(&x.to_le_bytes());
            }
        }
        out
    }

    /// How many features have weights.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The score of each tag.
    pub(crate) fn score(&self, keys: &[u64; N_FEATURES]) -> [f32; 3] {
        let mut s = [0i32; 3];
        if self.slots.is_empty() {
            return [0.0; 3];
        }
        for &k in keys {
            let fp = Self::fingerprint(k);
            let mut i = (k as usize) & self.mask;
            loop {
                let slot = self.slots[i];
                if slot == 0 {
                    break;
                }
                if slot >> 48 == fp {
                    s[0] += i32::from((slot >> 32) as u16 as i16);
                    s[1] += i32::from((slot >> 16) as u16 as i16);
                    s[2] += i32::from(slot as u16 as i16);
                    break;
                }
                i = (i + 1) & self.mask;
            }
        }
        [s[0] as f32 / SCALE, s[1] as f32 / SCALE, s[2] as f32 / SCALE]
    }
}
