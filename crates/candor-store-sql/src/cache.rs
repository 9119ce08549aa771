//! The analytics cache: an aggregate's cells per query shape, kept so that
//! the next query of the same shape does not walk every interaction again.
//!
//! What makes it exact: every number of a cell (interactions, each label,
//! the sentiment sum, and the distinct subjects too) is a sum over
//! subjects, so over two disjoint sets of subjects it adds up. A cache made
//! over the subjects the gate allowed then (`A0`) answers for those it
//! allows now (`A1`) as `cells(A0) + cells(A1 \ A0) - cells(A0 \ A1)`, and
//! the two corrections read only the changed subjects' rows, through the
//! index by subject. Contribution bounds keep this true: a subject's first
//! rows do not depend on anyone else's.
//!
//! What keeps it right: any write to the interactions bumps a generation
//! and empties the cache in the writer's own transaction, and a cache made
//! under another generation is never read; the generation is read before
//! the aggregate, so a write that lands during a query leaves a cache that
//! is already out of date rather than one that hides the write. An
//! objection or withdrawal is therefore honoured by the next query (its
//! subject is subtracted), and the cache kept afterwards no longer counts
//! them.

use std::collections::BTreeMap;

use candor_domain::SubjectId;
use candor_store::audit::micros;
use candor_store::{StoreError, SubjectFilter};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Any, AnyPool, Transaction};
use time::OffsetDateTime;

use crate::{db_err, Backend};

/// Changed subjects beyond which recounting everything is cheaper than
/// correcting the cache (each changed subject costs an index lookup and
/// its rows).
const DELTA_LIMIT: usize = 2_000;

/// Cached shapes kept at most; the least recently made go first.
const KEEP: u32 = 64;

/// Subjects a filter may list and still be kept with a cache (a row holds
/// the list: 37 bytes a subject).
const MAX_LISTED: usize = 200_000;

/// The key a shape is kept under: its SHA-256, so that a long theme
/// taxonomy never passes an index's key size.
fn key(shape: &str) -> String {
    hex::encode(Sha256::digest(shape.as_bytes()))
}

/// A cell key's part as the database gives it: a number for time buckets
/// and themes, text for the rest. Ordered like the number or the bytes, on
/// both back ends alike.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum KeyPart {
    Int(i64),
    Text(String),
}

/// One cell's sums, before they are shown.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Sums {
    pub subjects: i64,
    pub n: i64,
    pub pos: i64,
    pub neu: i64,
    pub neg: i64,
    pub unk: i64,
    /// In the store's sentiment units (integers: sums stay exact).
    pub ssum: i64,
    pub scount: i64,
}

impl Sums {
    fn fields(&mut self) -> [&mut i64; 8] {
        [&mut self.subjects, &mut self.n, &mut self.pos, &mut self.neu, &mut self.neg, &mut self.unk, &mut self.ssum, &mut self.scount]
    }

    fn add(&mut self, mut other: Sums, sign: i64) {
        for (a, b) in self.fields().into_iter().zip(other.fields()) {
            *a += sign * *b;
        }
    }
}

/// The cells of an aggregate, ordered by key.
pub(crate) type Cells = BTreeMap<Vec<KeyPart>, Sums>;

/// A subject filter as cached: its kind and its ids, sorted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Filter {
    except: bool,
    ids: Vec<SubjectId>,
}

impl Filter {
    pub(crate) fn of(f: &SubjectFilter) -> Self {
        let (except, ids) = match f {
            SubjectFilter::Except(ids) => (true, ids),
            SubjectFilter::Only(ids) => (false, ids),
        };
        let mut ids = ids.clone();
        ids.sort_unstable();
        ids.dedup();
        Self { except, ids }
    }

    /// Subjects to add and to subtract to go from a cache made with `self`
    /// to `now`; `None` when recounting is the better way (another kind of
    /// filter, or too many changes).
    pub(crate) fn delta(&self, now: &Filter) -> Option<(Vec<SubjectId>, Vec<SubjectId>)> {
        if self.except != now.except {
            return None;
        }
        let (gone, came) = (minus(&self.ids, &now.ids), minus(&now.ids, &self.ids));
        if gone.len() + came.len() > DELTA_LIMIT {
            return None;
        }
        // Under "everyone but", a listed subject left is allowed again.
        Some(if self.except { (gone, came) } else { (came, gone) })
    }
}

/// The sorted `a` without the sorted `b`.
fn minus(a: &[SubjectId], b: &[SubjectId]) -> Vec<SubjectId> {
    a.iter().filter(|x| b.binary_search(x).is_err()).copied().collect()
}

/// `base + plus - minus`, cell by cell; `None` if a count would fall below
/// zero or a cell would keep rows without subjects (the cache and the
/// store disagree: recount).
pub(crate) fn correct(mut base: Cells, plus: Cells, minus: Cells) -> Option<Cells> {
    for (sign, cells) in [(1, plus), (-1, minus)] {
        for (key, sums) in cells {
            base.entry(key).or_default().add(sums, sign);
        }
    }
    let mut consistent = true;
    base.retain(|_, s| {
        // Every sum but the sentiment's is a count.
        let counts = [s.subjects, s.n, s.pos, s.neu, s.neg, s.unk, s.scount];
        consistent &= counts.iter().all(|v| *v >= 0) && (s.subjects > 0) == (s.n > 0);
        consistent &= s.subjects > 0 || (counts.iter().all(|v| *v == 0) && s.ssum == 0);
        s.subjects > 0
    });
    consistent.then_some(base)
}

/// The current generation of the interactions.
pub(crate) async fn generation(pool: &AnyPool) -> Result<i64, StoreError> {
    let (g,): (i64,) = sqlx::query_as("select generation from analytics_generation where id = 1").fetch_one(pool).await.map_err(db_err)?;
    Ok(g)
}

/// The cache of `shape` made under `generation`, if any.
pub(crate) async fn load(pool: &AnyPool, shape: &str, generation: i64) -> Result<Option<(Filter, Cells)>, StoreError> {
    let row: Option<(String, String)> = sqlx::query_as("select filter, cells from analytics_cache where shape = $1 and generation = $2")
        .bind(key(shape))
        .bind(generation)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    // A cache that does not parse (an id included) is a miss, never an
    // error: it only ever saves work.
    Ok(row.and_then(|(filter, cells)| {
        let filter: Filter = serde_json::from_str(&filter).ok()?;
        let cells: Vec<(Vec<KeyPart>, Sums)> = serde_json::from_str(&cells).ok()?;
        Some((filter, cells.into_iter().collect()))
    }))
}

/// Keep `cells`, counted under `generation` with `filter`, for `shape`,
/// unless the interactions changed since; drop caches of older generations
/// and the oldest beyond [`KEEP`].
pub(crate) async fn remember(
    pool: &AnyPool,
    backend: Backend,
    shape: &str,
    generation: i64,
    filter: &Filter,
    cells: &Cells,
) -> Result<(), StoreError> {
    if filter.ids.len() > MAX_LISTED {
        return Ok(());
    }
    let err = |e: serde_json::Error| StoreError::undecodable("analytics cache", e);
    let filter = serde_json::to_string(filter).map_err(err)?;
    let cells = serde_json::to_string(&cells.iter().collect::<Vec<_>>()).map_err(err)?;
    let mut tx = pool.begin().await.map_err(db_err)?;
    // On PostgreSQL a writer's `invalidate` then waits for this transaction
    // (or this one for the writer's) at the generation row, before either
    // touches a cache row: the two never deadlock. SQLite has one writer.
    let lock = match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " for share",
    };
    let (current,): (i64,) = sqlx::query_as(&format!("select generation from analytics_generation where id = 1{lock}"))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
    if current != generation {
        // Counted before a write that has landed since: already stale.
        return tx.rollback().await.map_err(db_err);
    }
    sqlx::query("delete from analytics_cache where generation < $1").bind(generation).execute(&mut *tx).await.map_err(db_err)?;
    sqlx::query(
        "insert into analytics_cache (shape, generation, filter, cells, made_at) values ($1, $2, $3, $4, $5)
         on conflict (shape) do update set generation = excluded.generation, filter = excluded.filter, cells = excluded.cells, made_at = excluded.made_at",
    )
    .bind(key(shape))
    .bind(generation)
    .bind(filter)
    .bind(cells)
    .bind(micros(OffsetDateTime::now_utc()))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    sqlx::query(&format!(
        "delete from analytics_cache where made_at < (select made_at from analytics_cache order by made_at desc limit 1 offset {KEEP})"
    ))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await.map_err(db_err)
}

/// In a transaction that changes what aggregates count: a new generation,
/// and no cache left.
pub(crate) async fn invalidate(tx: &mut Transaction<'static, Any>) -> Result<(), StoreError> {
    sqlx::query("update analytics_generation set generation = generation + 1 where id = 1").execute(&mut **tx).await.map_err(db_err)?;
    sqlx::query("delete from analytics_cache").execute(&mut **tx).await.map_err(db_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Subject `n`, the same every time.
    fn id(n: u128) -> SubjectId {
        SubjectId::parse(&uuid::Uuid::from_u128(n).to_string()).expect("a uuid")
    }

    fn f(except: bool, ids: &[u128]) -> Filter {
        Filter { except, ids: ids.iter().map(|n| id(*n)).collect() }
    }

    fn cells(rows: &[(i64, [i64; 8])]) -> Cells {
        rows.iter()
            .map(|(k, v)| {
                let s = Sums { subjects: v[0], n: v[1], pos: v[2], neu: v[3], neg: v[4], unk: v[5], ssum: v[6], scount: v[7] };
                (vec![KeyPart::Int(*k)], s)
            })
            .collect()
    }

    #[test]
    fn a_delta_adds_who_became_allowed_and_subtracts_who_left() {
        // Everyone but 1, 2 → everyone but 2, 3: 1 is back, 3 is out.
        assert_eq!(f(true, &[1, 2]).delta(&f(true, &[2, 3])), Some((vec![id(1)], vec![id(3)])));
        // Only 1, 2 → only 2, 3: 3 came, 1 left.
        assert_eq!(f(false, &[1, 2]).delta(&f(false, &[2, 3])), Some((vec![id(3)], vec![id(1)])));
        assert_eq!(f(true, &[1]).delta(&f(true, &[1])), Some((vec![], vec![])));
        assert_eq!(f(true, &[]).delta(&f(false, &[])), None, "another kind of filter recounts");
        let many: Vec<u128> = (0..=DELTA_LIMIT as u128).collect();
        assert_eq!(f(true, &[]).delta(&f(true, &many)), None, "too many changes recount");
    }

    #[test]
    fn corrections_add_and_subtract_cell_by_cell_and_drop_emptied_cells() {
        let base = cells(&[(1, [3, 5, 2, 2, 1, 0, 40, 5]), (2, [1, 1, 0, 0, 1, 0, -10, 1])]);
        let plus = cells(&[(3, [1, 2, 1, 1, 0, 0, 7, 2])]);
        let minus = cells(&[(1, [1, 2, 1, 0, 1, 0, 15, 2]), (2, [1, 1, 0, 0, 1, 0, -10, 1])]);
        let got = correct(base, plus, minus).expect("consistent");
        assert_eq!(got, cells(&[(1, [2, 3, 1, 2, 0, 0, 25, 3]), (3, [1, 2, 1, 1, 0, 0, 7, 2])]));
    }

    #[test]
    fn corrections_that_do_not_add_up_ask_for_a_recount() {
        let base = cells(&[(1, [1, 1, 1, 0, 0, 0, 5, 1])]);
        assert_eq!(correct(base.clone(), Cells::new(), cells(&[(1, [2, 2, 1, 1, 0, 0, 5, 2])])), None, "below zero");
        assert_eq!(correct(base, Cells::new(), cells(&[(1, [1, 0, 0, 0, 0, 0, 0, 0])])), None, "rows left without subjects");
    }
}
