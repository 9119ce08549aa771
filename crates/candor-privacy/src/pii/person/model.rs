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

/// Weights by feature key.
#[derive(Debug, Default)]
pub(crate) struct Model {
    weights: HashMap<u64, [f32; 3], IdentityHash>,
}

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
        let mut weights = HashMap::with_capacity_and_hasher(n, IdentityHash::default());
        for _ in 0..n {
            let (key, r) = rest.split_first_chunk::<8>()?;
            let (w, r) = r.split_first_chunk::<12>()?;
            let f = |k: usize| f32::from_le_bytes([w[4 * k], w[4 * k + 1], w[4 * k + 2], w[4 * k + 3]]);
            weights.insert(u64::from_le_bytes(*key), [f(0), f(1), f(2)]);
            rest = r;
        }
        rest.is_empty().then_some(Self { weights })
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
        self.weights.len()
    }

    /// The score of each tag.
    pub(crate) fn score(&self, keys: &[u64; N_FEATURES]) -> [f32; 3] {
        let mut s = [0.0f32; 3];
        for k in keys {
            if let Some(w) = self.weights.get(k) {
                s[0] += w[0];
                s[1] += w[1];
                s[2] += w[2];
            }
        }
        s
    }
}
