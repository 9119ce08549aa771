//! Results the database takes seconds to compute over millions of
//! interactions (KPIs over conversations, phrase counts), kept in memory
//! by each process and keyed by everything they depend on: the query
//! itself, the set of customers the access gate let in (so a consent
//! choice makes a new key), and the interactions' generation, which every
//! write to them (an import, an erasure) bumps. A kept result is never
//! stale, only unused; the gate, the audit entry and k-anonymity still
//! apply on every query, since only the store's answer is kept.

use std::any::Any;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};

/// Results kept at most; past it, the oldest half goes.
const KEEP: usize = 64;

/// A kept result: when it was kept (a counter) and the result.
type Kept = (u64, Arc<dyn Any + Send + Sync>);

/// The kept results.
#[derive(Default)]
pub(crate) struct Memo {
    map: Mutex<HashMap<[u8; 32], Kept>>,
}

impl Memo {
    /// The key of a `kind` of result for `query` (its `Debug` form, which
    /// names the customers let in) under `generation`.
    pub(crate) fn key(kind: &str, query: &str, generation: i64) -> [u8; 32] {
        let mut h = Sha256::new();
        for part in [kind.as_bytes(), query.as_bytes(), &generation.to_be_bytes()] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        h.finalize().into()
    }

    /// The result kept under `key`, if one of type `T` is.
    pub(crate) fn get<T: Clone + Send + Sync + 'static>(&self, key: &[u8; 32]) -> Option<T> {
        let map = self.map.lock().ok()?;
        map.get(key).and_then(|(_, v)| v.downcast_ref::<T>()).cloned()
    }

    /// Keep `value` under `key`.
    pub(crate) fn put<T: Send + Sync + 'static>(&self, key: [u8; 32], value: T) {
        let Ok(mut map) = self.map.lock() else { return };
        let next = map.values().map(|(n, _)| *n).max().map_or(0, |n| n + 1);
        if map.len() >= KEEP {
            let mut ages: Vec<u64> = map.values().map(|(n, _)| *n).collect();
            ages.sort_unstable();
            let cut = ages[ages.len() / 2];
            map.retain(|_, (n, _)| *n >= cut);
        }
        map.insert(key, (next, Arc::new(value)));
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Memo").finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::Memo;

    #[test]
    fn a_result_is_found_only_under_its_own_query_and_generation() {
        let m = Memo::default();
        let k = Memo::key("kpis", "by week, Only([a])", 7);
        m.put(k, vec![1u32, 2]);
        assert_eq!(m.get::<Vec<u32>>(&k), Some(vec![1, 2]));
        assert_eq!(m.get::<Vec<u32>>(&Memo::key("kpis", "by week, Only([a])", 8)), None, "a write to the interactions");
        assert_eq!(m.get::<Vec<u32>>(&Memo::key("kpis", "by week, Only([a, b])", 7)), None, "another customer let in");
        assert_eq!(m.get::<String>(&k), None, "another type");
        for n in 0..200 {
            m.put(Memo::key("kpis", &n.to_string(), 1), n);
        }
        assert!(m.map.lock().unwrap().len() <= super::KEEP);
        assert_eq!(m.get::<i32>(&Memo::key("kpis", "199", 1)), Some(199), "the newest stay");
    }
}
