//! Property tests of the policy checker: arbitrary text, and the example
//! policy mutated (bytes flipped, inserted and deleted, truncated, lines
//! duplicated, swapped and dropped, values replaced). Whatever the input,
//! `check` does not panic, and a policy it refuses comes with diagnostics
//! that each name a line and column inside the file, in order.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "a test crate: failures fail the test loudly")]

use candor_domain::policy::{check, EXAMPLE_POLICY};
use proptest::prelude::*;

/// One change to a file.
#[derive(Clone, Debug)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    DropLine(usize),
    /// Replace a line's value (after `=`) with one of a few telling ones.
    Value(usize, &'static str),
}

/// Bytes that mean something to TOML or UTF-8.
fn telling_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"\"'\n\r{}[]=#.,\\ \t0\x00\xff\xc3\xa9".to_vec()),
        1 => any::<u8>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    let values = prop::sample::select(vec![
        "\"\"",
        "0",
        "-1",
        "99999999999999999999",
        "\"opt_out\"",
        "\"consent\"",
        "[]",
        "[\"user.health\"]",
        "\"2025-13-45\"",
        "\"usa\"",
        "true",
        "{ a = 1 }",
        "\"sharing.nobody\"",
    ]);
    prop_oneof![
        (any::<usize>(), telling_byte()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), telling_byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::SwapLines(i, j)),
        any::<usize>().prop_map(Edit::DropLine),
        (any::<usize>(), values).prop_map(|(i, v)| Edit::Value(i, v)),
    ]
}

/// `src` with `edits` applied, positions taken modulo its length.
fn apply(src: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = src.to_vec();
    for e in edits {
        let n = out.len().max(1);
        let mut lines: Vec<Vec<u8>> = out.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        let l = lines.len().max(1);
        match *e {
            Edit::Flip(i, b) if !out.is_empty() => out[i % n] = b,
            Edit::Insert(i, b) => out.insert(i % (out.len() + 1), b),
            Edit::Delete(i) if !out.is_empty() => {
                out.remove(i % n);
            }
            Edit::Truncate(i) => out.truncate(i % (out.len() + 1)),
            Edit::DuplicateLine(i) if !lines.is_empty() => {
                let line = lines[i % l].clone();
                lines.insert(i % l, line);
                out = lines.concat();
            }
            Edit::SwapLines(i, j) if !lines.is_empty() => {
                lines.swap(i % l, j % l);
                out = lines.concat();
            }
            Edit::DropLine(i) if !lines.is_empty() => {
                lines.remove(i % l);
                out = lines.concat();
            }
            Edit::Value(i, v) if !lines.is_empty() => {
                let line = &lines[i % l];
                if let Some(eq) = line.iter().position(|&b| b == b'=') {
                    lines[i % l] = [&line[..=eq], b" ", v.as_bytes(), b"\n"].concat();
                    out = lines.concat();
                }
            }
            _ => {}
        }
    }
    out
}

/// Check `src`: no panic; a refusal has diagnostics, each at a line and
/// column of the file, naming it, in order of position.
fn check_positions(src: &str) {
    let lines = src.split('\n').count();
    match check("policy.toml", src) {
        Ok(_) => {}
        Err(diags) => {
            assert!(!diags.is_empty(), "refused without a diagnostic: {src:?}");
            for d in &diags {
                assert!((1..=lines).contains(&d.line), "line {} of {lines}: {d}\n{src}", d.line);
                let width = src.split('\n').nth(d.line - 1).map_or(0, |l| l.chars().count());
                assert!((1..=width + 1).contains(&d.column), "column {} of a line of {width} chars: {d}\n{src}", d.column);
                assert!(!d.message.trim().is_empty(), "an empty message at {}:{}", d.line, d.column);
                assert!(d.to_string().starts_with(&format!("policy.toml:{}:{}: error: ", d.line, d.column)), "{d}");
            }
            assert!(diags.windows(2).all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)), "out of order: {diags:#?}");
        }
    }
}

#[test]
fn the_example_policy_passes() {
    assert!(check("policy.toml", EXAMPLE_POLICY).is_ok());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_mutated_example_policy_is_checked_with_positions(edits in prop::collection::vec(edit(), 1..10)) {
        let bytes = apply(EXAMPLE_POLICY.as_bytes(), &edits);
        check_positions(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn arbitrary_text_is_checked_with_positions(text in "(\\PC|[\\[\\]=\"#\n.])*") {
        check_positions(&text);
    }

    #[test]
    fn arbitrary_bytes_are_checked_with_positions(bytes in prop::collection::vec(telling_byte(), 0..2048)) {
        check_positions(&String::from_utf8_lossy(&bytes));
    }
}
