//! k-anonymity suppression of aggregate tables: no published cell may rest
//! on fewer than `k` distinct subjects, and no such cell may be recovered
//! by subtracting the visible cells of a group from its published total.
//!
//! **Model.** A table is a slice of [`Cell`]s. Each cell has a key, one
//! [`Part`] per dimension (say day × platform), the number of distinct
//! subjects behind it, and the caller's measures. A part may be
//! [`Part::Total`]: the cell `(2024-03-01, Total)` is the published total
//! of that day over all platforms, and `(Total, Total)` is the grand total.
//! The caller says which totals are published simply by including those
//! cells, with their own distinct-subject counts — these cannot be derived
//! here, because one person active on two platforms is one subject of the
//! day's total but one of each platform's cell.
//!
//! **Groups.** For a total cell T and a dimension d where T's key is
//! `Total`, the *group* is T together with every cell whose key has a value
//! at d and agrees with T everywhere else. T is the sum of the others, so
//! if exactly one cell of a group is hidden, the reader gets it back by
//! subtraction. The slice must hold every published cell: a combination
//! missing from it is read as empty (as `GROUP BY … WITH ROLLUP` output
//! is), not as hidden.
//!
//! **Algorithm** ([`suppress`]):
//! 1. Primary: every cell — totals included — with fewer than `k` subjects
//!    is suppressed ([`SuppressReason::TooFewSubjects`]).
//! 2. Complementary: while some group has exactly one suppressed cell,
//!    suppress one more cell of that group
//!    ([`SuppressReason::Complementary`]): among the group's unsuppressed
//!    non-total cells, the one whose suppression leaves the fewest other
//!    groups with a lone hidden cell (so suppressions close up into
//!    rectangles instead of spreading), then the one with the fewest
//!    subjects, then the smallest key; the total itself only when no other
//!    cell is left. Groups are visited in key order, so the result is
//!    deterministic and independent of the order of the slice.
//!
//! It ends with every group holding zero or at least two suppressed cells.
//! This is the classic rule, not full protection: with several overlapping
//! groups, linear algebra can still pin down a cell in some patterns (a
//! suppressed cell that is the only link between two otherwise separate
//! patterns), and non-negativity can narrow a hidden cell to an interval.
//! Tables whose totals overlap heavily deserve an audit, or noise
//! ([`crate::dp`]) rather than suppression.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The `k` used when configuration does not set one.
pub const DEFAULT_K: u64 = 5;

/// One part of a cell's key: a value of that dimension, or the total over
/// all its values.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// One value of the dimension (`"2024-03-01"`, `"twitter"`).
    Value(String),
    /// The total over every value of the dimension.
    Total,
}

impl Part {
    /// A value part.
    pub fn value(value: impl Into<String>) -> Part {
        Part::Value(value.into())
    }
}

impl fmt::Display for Part {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Part::Value(value) => f.write_str(value),
            Part::Total => f.write_str("(total)"),
        }
    }
}

/// Why a cell is withheld.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SuppressReason {
    /// Built from fewer than `k` distinct subjects.
    TooFewSubjects,
    /// Safe on its own, withheld so that another suppressed cell cannot be
    /// recovered by subtraction from a total.
    Complementary,
}

impl fmt::Display for SuppressReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SuppressReason::TooFewSubjects => "too few subjects",
            SuppressReason::Complementary => "complementary suppression",
        })
    }
}

/// One cell of an aggregate table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cell<M = ()> {
    /// One part per dimension; every cell of a table has the same number.
    pub key: Vec<Part>,
    /// Distinct subjects behind the cell (not rows: one person's ten
    /// messages are one subject).
    pub subjects: u64,
    /// The caller's measures (counts, means, …), untouched here.
    pub measures: M,
    /// Set when the cell must not be published. [`suppress`] sets it; a
    /// caller may also set it beforehand (another disclosure rule), and the
    /// cell then counts as suppressed and is protected like the others.
    pub suppressed: Option<SuppressReason>,
}

impl<M> Cell<M> {
    /// A cell that is not (yet) suppressed.
    pub fn new(key: Vec<Part>, subjects: u64, measures: M) -> Cell<M> {
        Cell { key, subjects, measures, suppressed: None }
    }

    /// Whether any part of the key is [`Part::Total`].
    pub fn is_total(&self) -> bool {
        self.key.contains(&Part::Total)
    }
}

/// One cell [`suppress`] withheld.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Suppressed {
    /// Its index in the slice.
    pub index: usize,
    /// Why.
    pub reason: SuppressReason,
}

/// What [`suppress`] withheld, in the order it decided (primary first).
/// Cells the caller had marked beforehand are not listed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Suppression {
    /// The cells withheld.
    pub cells: Vec<Suppressed>,
}

impl Suppression {
    /// Indexes of cells withheld for having fewer than `k` subjects.
    pub fn primary(&self) -> impl Iterator<Item = usize> + '_ {
        self.with_reason(SuppressReason::TooFewSubjects)
    }

    /// Indexes of cells withheld to protect others.
    pub fn complementary(&self) -> impl Iterator<Item = usize> + '_ {
        self.with_reason(SuppressReason::Complementary)
    }

    fn with_reason(&self, reason: SuppressReason) -> impl Iterator<Item = usize> + '_ {
        self.cells.iter().filter(move |s| s.reason == reason).map(|s| s.index)
    }

    /// Whether nothing was withheld.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}

/// Why a table could not be checked. Nothing is marked when this is
/// returned.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum KanonError {
    /// Cells with keys of different lengths: they cannot be one table.
    #[error("cell {index} has {found} key parts but cell 0 has {expected}")]
    KeyLength {
        /// The offending cell's index.
        index: usize,
        /// The length of cell 0's key.
        expected: usize,
        /// The offending cell's key length.
        found: usize,
    },
    /// Two cells with the same key: the table is ambiguous.
    #[error("cells {first} and {second} have the same key `{key}`")]
    DuplicateKey {
        /// The key, parts joined with `/`.
        key: String,
        /// The first cell with it.
        first: usize,
        /// The second cell with it.
        second: usize,
    },
}

fn describe(key: &[Part]) -> String {
    key.iter().map(Part::to_string).collect::<Vec<_>>().join(" / ")
}

/// A total and the cells it sums along one dimension.
struct Group {
    total: usize,
    /// Non-empty: a total with no published cells along `dim` states no
    /// relation a reader could subtract from.
    members: Vec<usize>,
}

impl Group {
    /// The total, then its members.
    fn cells(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.total).chain(self.members.iter().copied())
    }
}

/// Finds every group of the table (see the module docs), in a
/// deterministic order: by the total's key, then by dimension.
fn groups<M>(cells: &[Cell<M>]) -> Result<Vec<Group>, KanonError> {
    let Some(first) = cells.first() else {
        return Ok(Vec::new());
    };
    let dims = first.key.len();
    let mut by_key: HashMap<&[Part], usize> = HashMap::with_capacity(cells.len());
    for (index, cell) in cells.iter().enumerate() {
        if cell.key.len() != dims {
            return Err(KanonError::KeyLength { index, expected: dims, found: cell.key.len() });
        }
        if let Some(&first) = by_key.get(cell.key.as_slice()) {
            return Err(KanonError::DuplicateKey { key: describe(&cell.key), first, second: index });
        }
        by_key.insert(&cell.key, index);
    }

    // (total index, dimension) -> members, found by replacing each value
    // part of each cell with Total and looking the result up.
    let mut members: HashMap<(usize, usize), Vec<usize>> = HashMap::new();
    let mut masked = Vec::with_capacity(dims);
    for (index, cell) in cells.iter().enumerate() {
        for dim in 0..dims {
            if cell.key[dim] == Part::Total {
                continue;
            }
            masked.clear();
            masked.extend_from_slice(&cell.key);
            masked[dim] = Part::Total;
            if let Some(&total) = by_key.get(masked.as_slice()) {
                members.entry((total, dim)).or_default().push(index);
            }
        }
    }
    let mut groups: Vec<((usize, usize), Vec<usize>)> = members.into_iter().collect();
    groups.sort_by(|((t1, d1), _), ((t2, d2), _)| cells[*t1].key.cmp(&cells[*t2].key).then(d1.cmp(d2)));
    Ok(groups.into_iter().map(|((total, _), members)| Group { total, members }).collect())
}

/// Suppresses every cell of `cells` built from fewer than `k` subjects,
/// then enough further cells that none of them can be recovered from a
/// published total by subtraction (see the module docs for the model and
/// the rule). Marks each withheld cell's `suppressed` field and returns the
/// list.
///
/// `k` is usually [`DEFAULT_K`] or a configured value; with `k = 1` only
/// cells with zero subjects are withheld, and `k = 0` withholds nothing.
///
/// # Errors
///
/// [`KanonError`] when the keys do not form one table; the cells are left
/// untouched.
pub fn suppress<M>(cells: &mut [Cell<M>], k: u64) -> Result<Suppression, KanonError> {
    let groups = groups(cells)?;
    // The groups each cell belongs to, as total or as member.
    let mut groups_of: Vec<Vec<usize>> = vec![Vec::new(); cells.len()];
    for (g, group) in groups.iter().enumerate() {
        for index in group.cells() {
            groups_of[index].push(g);
        }
    }
    let mut hidden: Vec<usize> = groups.iter().map(|group| group.cells().filter(|&i| cells[i].suppressed.is_some()).count()).collect();
    let mut out = Suppression::default();
    let mut mark = |cells: &mut [Cell<M>], hidden: &mut [usize], index: usize, reason| {
        cells[index].suppressed = Some(reason);
        for &g in &groups_of[index] {
            hidden[g] += 1;
        }
        out.cells.push(Suppressed { index, reason });
    };

    for index in 0..cells.len() {
        if cells[index].suppressed.is_none() && cells[index].subjects < k {
            mark(cells, &mut hidden, index, SuppressReason::TooFewSubjects);
        }
    }

    // Each pass marks at least one more cell or ends the loop, so there are
    // at most cells.len() passes.
    loop {
        let mut changed = false;
        for (g, group) in groups.iter().enumerate() {
            if hidden[g] != 1 {
                continue;
            }
            // How much hiding `i` disturbs the other groups it is in: a
            // group with nothing hidden would get a lone hidden cell (+1,
            // another suppression to come), a group with one hidden cell
            // would be settled (-1). The least disturbing cell goes first,
            // which closes rectangles instead of spreading suppressions
            // across the table; then the fewest subjects, then the key.
            let disturbance = |i: usize| -> i64 {
                groups_of[i]
                    .iter()
                    .filter(|&&other| other != g)
                    .map(|&other| match hidden[other] {
                        0 => 1,
                        1 => -1,
                        _ => 0,
                    })
                    .sum()
            };
            let rank = |i: usize| (disturbance(i), cells[i].subjects, &cells[i].key);
            // Prefer hiding a detail cell to hiding the total: readers lose
            // less, and a total is never smaller than its cells anyway.
            let pick = group
                .members
                .iter()
                .copied()
                .filter(|&i| cells[i].suppressed.is_none())
                .min_by(|&a, &b| rank(a).cmp(&rank(b)))
                .or_else(|| cells[group.total].suppressed.is_none().then_some(group.total));
            // A group has a total and at least one member, so with exactly
            // one hidden there is always a visible cell to pick.
            if let Some(index) = pick {
                mark(cells, &mut hidden, index, SuppressReason::Complementary);
                changed = true;
            }
        }
        if !changed {
            return Ok(out);
        }
    }
}

#[cfg(test)]
mod tests;
