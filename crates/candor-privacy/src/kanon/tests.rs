use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::*;

const T: &str = "*";

/// A key from strings, `"*"` meaning the total.
fn key(parts: &[&str]) -> Vec<Part> {
    parts.iter().map(|p| if *p == T { Part::Total } else { Part::value(*p) }).collect()
}

fn cell(parts: &[&str], subjects: u64) -> Cell {
    Cell::new(key(parts), subjects, ())
}

fn find(cells: &[Cell], parts: &[&str]) -> usize {
    cells.iter().position(|c| c.key == key(parts)).unwrap()
}

fn reason(cells: &[Cell], parts: &[&str]) -> Option<SuppressReason> {
    cells[find(cells, parts)].suppressed
}

use SuppressReason::{Complementary, TooFewSubjects};

#[test]
fn a_cell_under_k_is_suppressed() {
    let mut cells = vec![cell(&["x"], 3), cell(&["y"], 10)];
    let out = suppress(&mut cells, DEFAULT_K).unwrap();
    assert_eq!(reason(&cells, &["x"]), Some(TooFewSubjects));
    assert_eq!(reason(&cells, &["y"]), None);
    assert_eq!(out.primary().collect::<Vec<_>>(), [0]);
    assert_eq!(out.complementary().count(), 0);
}

#[test]
fn a_lone_suppression_in_a_row_with_a_visible_total_forces_a_second() {
    let mut cells = vec![cell(&["mon", "x"], 3), cell(&["mon", "y"], 8), cell(&["mon", "z"], 6), cell(&["mon", T], 17)];
    let out = suppress(&mut cells, 5).unwrap();
    assert_eq!(reason(&cells, &["mon", "x"]), Some(TooFewSubjects));
    // The smallest remaining cell goes, not the total.
    assert_eq!(reason(&cells, &["mon", "z"]), Some(Complementary));
    assert_eq!(reason(&cells, &["mon", "y"]), None);
    assert_eq!(reason(&cells, &["mon", T]), None);
    assert_eq!(out.cells, [Suppressed { index: 0, reason: TooFewSubjects }, Suppressed { index: 2, reason: Complementary },]);
}

#[test]
fn without_a_published_total_there_is_nothing_to_subtract_from() {
    let mut cells = vec![cell(&["mon", "x"], 3), cell(&["mon", "y"], 8)];
    suppress(&mut cells, 5).unwrap();
    assert_eq!(reason(&cells, &["mon", "y"]), None);
}

#[test]
fn ties_are_broken_by_the_smallest_key() {
    let mut cells = vec![cell(&["mon", "x"], 1), cell(&["mon", "z"], 9), cell(&["mon", "y"], 9), cell(&["mon", T], 19)];
    suppress(&mut cells, 5).unwrap();
    assert_eq!(reason(&cells, &["mon", "y"]), Some(Complementary));
    assert_eq!(reason(&cells, &["mon", "z"]), None);
}

#[test]
fn a_total_under_k_is_suppressed_like_any_cell() {
    let mut cells = vec![cell(&["a"], 2), cell(&["b"], 3), cell(&[T], 4)];
    suppress(&mut cells, 5).unwrap();
    assert!(cells.iter().all(|c| c.suppressed == Some(TooFewSubjects)));
}

#[test]
fn a_suppressed_total_with_visible_cells_forces_one_of_them() {
    // Distinct subjects overlap: 6 and 7 subjects, but a pre-marked total
    // (another disclosure rule) must not be recoverable as their sum.
    let mut cells = vec![cell(&["a"], 6), cell(&["b"], 7), cell(&[T], 9)];
    cells[2].suppressed = Some(TooFewSubjects);
    let out = suppress(&mut cells, 5).unwrap();
    assert_eq!(out.cells, [Suppressed { index: 0, reason: Complementary }]);
}

#[test]
fn the_total_itself_goes_when_no_other_cell_is_left() {
    // Row mon: (mon,p1) is primary, so (mon,p2) goes with it. Column p2
    // then has one hidden cell and one other, (tue,p2), which goes too.
    // Row tue is then left with its total alone beside the hidden cell,
    // so the total itself is withheld.
    let mut cells = vec![
        cell(&["mon", "p1"], 3),
        cell(&["mon", "p2"], 10),
        cell(&["tue", "p2"], 10),
        cell(&["mon", T], 13),
        cell(&["tue", T], 10),
        cell(&[T, "p1"], 3),
        cell(&[T, "p2"], 20),
    ];
    suppress(&mut cells, 5).unwrap();
    assert_eq!(reason(&cells, &["mon", "p1"]), Some(TooFewSubjects));
    assert_eq!(reason(&cells, &[T, "p1"]), Some(TooFewSubjects));
    assert_eq!(reason(&cells, &["mon", "p2"]), Some(Complementary));
    assert_eq!(reason(&cells, &["tue", "p2"]), Some(Complementary));
    assert_eq!(reason(&cells, &["tue", T]), Some(Complementary));
    assert_eq!(reason(&cells, &["mon", T]), None);
    assert_eq!(reason(&cells, &[T, "p2"]), None);
    assert_no_lone_suppression(&cells, &Layout::of(&cells));
}

#[test]
fn rows_and_columns_with_totals_end_with_no_lone_suppression() {
    // 3 days × 3 platforms, all margins and the grand total.
    let grid = [[2, 20, 30], [25, 40, 35], [30, 28, 50]];
    let days = ["mon", "tue", "wed"];
    let platforms = ["p1", "p2", "p3"];
    let mut cells = Vec::new();
    for (r, day) in days.iter().enumerate() {
        for (c, platform) in platforms.iter().enumerate() {
            cells.push(cell(&[day, platform], grid[r][c]));
        }
        cells.push(cell(&[day, T], grid[r].iter().sum()));
    }
    for (c, platform) in platforms.iter().enumerate() {
        cells.push(cell(&[T, platform], grid.iter().map(|row| row[c]).sum()));
    }
    cells.push(cell(&[T, T], 260));
    let out = suppress(&mut cells, 5).unwrap();
    assert_eq!(out.primary().collect::<Vec<_>>(), [find(&cells, &["mon", "p1"])]);
    assert_no_lone_suppression(&cells, &Layout::of(&cells));
    // The cheapest protection is the rectangle mon/tue × p1/p2: the fourth
    // corner settles both the tue row and the p2 column at once.
    let mut complementary: Vec<_> = out.complementary().map(|i| cells[i].key.clone()).collect();
    complementary.sort();
    assert_eq!(complementary, [key(&["mon", "p2"]), key(&["tue", "p1"]), key(&["tue", "p2"])]);
}

#[test]
fn nothing_is_suppressed_when_every_cell_has_k_subjects() {
    let mut cells = vec![
        cell(&["mon", "x"], 5),
        cell(&["mon", "y"], 6),
        cell(&["mon", T], 11),
        cell(&[T, "x"], 5),
        cell(&[T, "y"], 6),
        cell(&[T, T], 11),
    ];
    let out = suppress(&mut cells, 5).unwrap();
    assert!(out.is_empty());
    assert!(cells.iter().all(|c| c.suppressed.is_none()));
}

#[test]
fn k_of_one_suppresses_nothing() {
    let mut cells = vec![cell(&["a"], 1), cell(&["b"], 2), cell(&[T], 3)];
    assert!(suppress(&mut cells, 1).unwrap().is_empty());
    assert!(suppress(&mut cells, 0).unwrap().is_empty());
    // Except a cell built from nobody at all.
    let mut cells = vec![cell(&["a"], 0), cell(&["b"], 2), cell(&[T], 2)];
    let out = suppress(&mut cells, 1).unwrap();
    assert_eq!(out.primary().collect::<Vec<_>>(), [0]);
}

#[test]
fn an_empty_table_is_fine() {
    let mut cells: Vec<Cell> = Vec::new();
    assert!(suppress(&mut cells, 5).unwrap().is_empty());
}

#[test]
fn ragged_or_duplicate_keys_are_refused_and_nothing_is_marked() {
    let mut cells = vec![cell(&["a", "x"], 1), cell(&["a"], 9)];
    assert_eq!(suppress(&mut cells, 5).unwrap_err().to_string(), "cell 1 has 1 key parts but cell 0 has 2");
    assert!(cells[0].suppressed.is_none());
    let mut cells = vec![cell(&["a", T], 1), cell(&["b", "x"], 9), cell(&["a", T], 2)];
    assert_eq!(suppress(&mut cells, 5).unwrap_err().to_string(), "cells 0 and 2 have the same key `a / (total)`");
    assert!(cells[0].suppressed.is_none());
}

#[test]
fn suppressing_twice_changes_nothing_more() {
    let mut cells = vec![cell(&["mon", "x"], 3), cell(&["mon", "y"], 8), cell(&["mon", T], 11)];
    suppress(&mut cells, 5).unwrap();
    let before = cells.clone();
    assert!(suppress(&mut cells, 5).unwrap().is_empty());
    assert_eq!(cells, before);
}

#[test]
fn measures_ride_along_untouched() {
    let mut cells = vec![Cell::new(key(&["x"]), 3, 42.5), Cell::new(key(&["y"]), 30, 7.0)];
    suppress(&mut cells, 5).unwrap();
    assert_eq!(cells[0].measures, 42.5);
    assert!(!cells[0].is_total());
    assert!(Cell::new(key(&[T]), 1, ()).is_total());
}

#[test]
fn a_three_dimensional_cube_with_one_margin() {
    // day × platform × language, totals over language only.
    let mut cells = vec![
        cell(&["mon", "p1", "en"], 2),
        cell(&["mon", "p1", "fr"], 9),
        cell(&["mon", "p1", "de"], 7),
        cell(&["mon", "p1", T], 18),
        cell(&["mon", "p2", "en"], 9),
        cell(&["mon", "p2", T], 9),
    ];
    suppress(&mut cells, 5).unwrap();
    assert_eq!(reason(&cells, &["mon", "p1", "en"]), Some(TooFewSubjects));
    assert_eq!(reason(&cells, &["mon", "p1", "de"]), Some(Complementary));
    assert_eq!(reason(&cells, &["mon", "p1", "fr"]), None);
    assert!(cells[4..].iter().all(|c| c.suppressed.is_none()));
}

/// Which totals a random two-dimensional table publishes.
struct Layout {
    rows: Vec<String>,
    cols: Vec<String>,
    row_totals: bool,
    col_totals: bool,
    grand: bool,
}

impl Layout {
    fn of(cells: &[Cell]) -> Layout {
        let mut rows = Vec::new();
        let mut cols = Vec::new();
        let (mut row_totals, mut col_totals, mut grand) = (false, false, false);
        for c in cells {
            match (&c.key[0], &c.key[1]) {
                (Part::Value(r), Part::Value(col)) => {
                    if !rows.contains(r) {
                        rows.push(r.clone());
                    }
                    if !cols.contains(col) {
                        cols.push(col.clone());
                    }
                }
                (Part::Value(_), Part::Total) => row_totals = true,
                (Part::Total, Part::Value(_)) => col_totals = true,
                (Part::Total, Part::Total) => grand = true,
            }
        }
        Layout { rows, cols, row_totals, col_totals, grand }
    }
}

/// The invariant, checked on the grid directly rather than through the
/// module's own grouping: every published total, together with the cells
/// it sums, has zero or at least two suppressed cells.
fn assert_no_lone_suppression(cells: &[Cell], layout: &Layout) {
    let hidden = |parts: [&str; 2]| -> Option<bool> { cells.iter().find(|c| c.key == key(&parts)).map(|c| c.suppressed.is_some()) };
    let check = |total: [&str; 2], members: Vec<[&str; 2]>| {
        let Some(total_hidden) = hidden(total) else {
            return;
        };
        let member_hidden: Vec<bool> = members.iter().filter_map(|m| hidden(*m)).collect();
        if member_hidden.is_empty() {
            return;
        }
        let n = usize::from(total_hidden) + member_hidden.iter().filter(|&&h| h).count();
        assert_ne!(n, 1, "total {total:?} has exactly one suppressed cell");
    };
    for r in &layout.rows {
        check([r, T], layout.cols.iter().map(|c| [r.as_str(), c.as_str()]).collect());
    }
    for c in &layout.cols {
        check([T, c], layout.rows.iter().map(|r| [r.as_str(), c.as_str()]).collect());
    }
    if layout.grand {
        if layout.row_totals {
            check([T, T], layout.rows.iter().map(|r| [r.as_str(), T]).collect());
        }
        if layout.col_totals {
            check([T, T], layout.cols.iter().map(|c| [T, c.as_str()]).collect());
        }
    }
}

#[test]
fn random_tables_never_leave_a_lone_suppression() {
    let mut rng = StdRng::seed_from_u64(20);
    for _ in 0..2_000 {
        let n_rows = rng.random_range(1..=4);
        let n_cols = rng.random_range(1..=4);
        let k = rng.random_range(1..=6);
        let rows: Vec<String> = (0..n_rows).map(|r| format!("r{r}")).collect();
        let cols: Vec<String> = (0..n_cols).map(|c| format!("c{c}")).collect();
        let grid: Vec<Vec<u64>> = (0..n_rows).map(|_| (0..n_cols).map(|_| rng.random_range(0..12)).collect()).collect();
        // A total's distinct subjects lie between its largest cell (one
        // person in every cell) and the sum (nobody in two cells).
        let mut total_of = |xs: &[u64]| {
            let max = xs.iter().copied().max().unwrap_or(0);
            let sum: u64 = xs.iter().sum();
            rng.random_range(max..=sum)
        };
        let mut cells = Vec::new();
        for (r, row) in rows.iter().enumerate() {
            for (c, col) in cols.iter().enumerate() {
                cells.push(cell(&[row, col], grid[r][c]));
            }
        }
        let row_totals: Vec<u64> = grid.iter().map(|row| total_of(row)).collect();
        let col_totals: Vec<u64> = (0..n_cols).map(|c| total_of(&grid.iter().map(|row| row[c]).collect::<Vec<_>>())).collect();
        let all: Vec<u64> = grid.iter().flatten().copied().collect();
        let grand = total_of(&all);
        let layout = Layout {
            rows: rows.clone(),
            cols: cols.clone(),
            row_totals: rng.random_bool(0.7),
            col_totals: rng.random_bool(0.7),
            grand: rng.random_bool(0.7),
        };
        if layout.row_totals {
            for (r, row) in rows.iter().enumerate() {
                cells.push(cell(&[row, T], row_totals[r]));
            }
        }
        if layout.col_totals {
            for (c, col) in cols.iter().enumerate() {
                cells.push(cell(&[T, col], col_totals[c]));
            }
        }
        if layout.grand {
            cells.push(cell(&[T, T], grand));
        }
        // Shuffle so the result cannot depend on input order.
        for i in (1..cells.len()).rev() {
            let j = rng.random_range(0..=i);
            cells.swap(i, j);
        }

        let mut first = cells.clone();
        let out = suppress(&mut first, k).unwrap();
        assert_no_lone_suppression(&first, &layout);
        for (c, original) in first.iter().zip(&cells) {
            let under_k = original.subjects < k;
            match c.suppressed {
                Some(TooFewSubjects) => assert!(under_k),
                Some(Complementary) | None => assert!(!under_k),
            }
        }
        assert_eq!(out.cells.len(), first.iter().filter(|c| c.suppressed.is_some()).count());

        // Same table in another order: the same cells are withheld.
        let mut reversed: Vec<Cell> = cells.iter().rev().cloned().collect();
        suppress(&mut reversed, k).unwrap();
        let mut a: Vec<_> = first.iter().map(|c| (c.key.clone(), c.suppressed)).collect();
        let mut b: Vec<_> = reversed.iter().map(|c| (c.key.clone(), c.suppressed)).collect();
        a.sort_by(|x, y| x.0.cmp(&y.0));
        b.sort_by(|x, y| x.0.cmp(&y.0));
        assert_eq!(a, b);
    }
}
