//! Quality regression: the PII engine scored against labelled corpora with
//! the same scorer `candor eval pii` uses, held to the targets of the issue
//! (structured types: recall >= 0.97 and precision >= 0.95; names,
//! addresses: F1 >= 0.85).
//!
//! `tests/data/pii-varied.jsonl` ships with the crate: messages written
//! unlike the shared development corpus (other phrasings, layouts and
//! countries), so that a change which only fits one corpus shows here. The
//! shared corpus (`shared/data/pii/dev.jsonl` beside the checkout) is scored
//! too when it is there.
//!
//! `tests/data/pii-hard.jsonl` is harder still, written apart from the
//! engine by `eval/make_hard_set.py` (see `eval/README.md`): names with no
//! cue word, lower-case messages, signatures, multi-line contact blocks and
//! addresses, many countries' phones, cards and IBANs. The engine is far from
//! the targets there; the test holds it to a floor just under today's
//! figure, so a change that loses ground fails, and prints where it stands.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used, reason = "a test: a bad corpus line fails it loudly")]

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candor_privacy::pii::eval::{confusion, score, Document, LabelledSpan, Report};
use candor_privacy::Analyzer;

const STRUCTURED: &[&str] = &["EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "URL", "HANDLE", "US_SSN"];
const CONTEXTUAL: &[&str] = &["PERSON", "ADDRESS"];

fn load(path: &Path) -> Vec<Document> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}:{}: {e}", path.display(), i + 1)))
        .collect()
}

fn evaluate(docs: &[Document]) -> Report {
    score(docs, &predict(docs))
}

fn predict(docs: &[Document]) -> HashMap<String, Vec<LabelledSpan>> {
    let analyzer = Analyzer::new();
    docs.iter()
        .map(|d| {
            let spans = analyzer
                .analyze(&d.text)
                .iter()
                .map(|s| LabelledSpan { start: s.char_start, end: s.char_end, entity: s.entity.as_str().to_owned(), text: None })
                .collect();
            (d.id.clone(), spans)
        })
        .collect()
}

/// Every failed target, as one line each, so a regression names all of them.
fn misses(report: &Report, contextual_f1: f64) -> Vec<String> {
    let mut out = Vec::new();
    for t in STRUCTURED {
        if let Some(s) = report.by_type.get(*t) {
            if s.recall < 0.97 || s.precision < 0.95 {
                out.push(format!("{t}: precision {:.3} recall {:.3} (tp {} fp {} fn {})", s.precision, s.recall, s.tp, s.fp, s.fn_));
            }
        }
    }
    for t in CONTEXTUAL {
        if let Some(s) = report.by_type.get(*t) {
            if s.f1 < contextual_f1 {
                out.push(format!("{t}: F1 {:.3} < {contextual_f1} (tp {} fp {} fn {})", s.f1, s.tp, s.fp, s.fn_));
            }
        }
    }
    out
}

#[test]
fn varied_corpus_meets_the_targets() {
    let docs = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pii-varied.jsonl"));
    assert!(docs.len() >= 100, "the varied corpus has {} messages", docs.len());
    let report = evaluate(&docs);
    // The corpus must exercise what it stands for.
    for t in ["EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "URL", "HANDLE", "PERSON", "ADDRESS"] {
        assert!(report.by_type.get(t).is_some_and(|s| s.tp + s.fn_ > 0), "no gold {t} spans in the varied corpus");
    }
    let misses = misses(&report, 0.85);
    assert!(misses.is_empty(), "targets missed on the varied corpus:\n{}", misses.join("\n"));
    assert!(report.all.f1 >= 0.95, "overall F1 {:.3}", report.all.f1);
}

#[test]
fn shared_dev_corpus_meets_the_targets() {
    let path: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pii/dev.jsonl");
    if !path.exists() {
        eprintln!("skipped: {} is not beside this checkout", path.display());
        return;
    }
    let report = evaluate(&load(&path));
    let misses = misses(&report, 0.85);
    assert!(misses.is_empty(), "targets missed on {}:\n{}", path.display(), misses.join("\n"));
}

/// Floors on the hard corpus, a little under what the engine reaches
/// (BENCHMARKS.md has the figures): overall F1 (0.802 when the corpus was
/// added, before issue 15's recognizers), PERSON, ADDRESS, and the
/// pattern types together (micro-averaged).
const HARD_FLOOR_F1: f64 = HARD_FLOORS.0;
const HARD_FLOORS: (f64, f64, f64, f64) = (0.93, 0.92, 0.85, 0.98);

/// The types found by their pattern and validation.
const PATTERN_TYPES: &[&str] = &["EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "URL", "HANDLE", "US_SSN", "UK_NINO"];

#[test]
fn hard_corpus_holds_its_floor() {
    let docs = load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/pii-hard.jsonl"));
    assert!(docs.len() >= 1000, "the hard corpus has {} messages", docs.len());
    let predicted = predict(&docs);
    let report = score(&docs, &predicted);
    for t in [
        "EMAIL",
        "PHONE",
        "CREDIT_CARD",
        "IBAN",
        "IP_ADDRESS",
        "URL",
        "HANDLE",
        "US_SSN",
        "UK_NINO",
        "DATE_OF_BIRTH",
        "PERSON",
        "ADDRESS",
        "ORDER_ID",
    ] {
        assert!(report.by_type.get(t).is_some_and(|s| s.tp + s.fn_ >= 20), "fewer than 20 gold {t} spans in the hard corpus");
    }
    // Where the engine stands (cargo test -- --nocapture shows it).
    println!("hard corpus, {} messages:", docs.len());
    for (t, r) in report.by_type.iter().map(|(k, v)| (k.as_str(), v)).chain([("ALL", &report.all)]) {
        println!("{t:14} P {:.3} R {:.3} F1 {:.3}  tp {:5} fp {:5} fn {:5}", r.precision, r.recall, r.f1, r.tp, r.fp, r.fn_);
    }
    println!("{}", confusion(&docs, &predicted).table());
    assert!(report.all.f1 >= HARD_FLOOR_F1, "overall F1 {:.3} on the hard corpus fell below its floor {HARD_FLOOR_F1}", report.all.f1);
    let f1 = |t: &str| report.by_type.get(t).map_or(0.0, |s| s.f1);
    assert!(f1("PERSON") >= HARD_FLOORS.1, "PERSON F1 {:.3} on the hard corpus fell below {}", f1("PERSON"), HARD_FLOORS.1);
    assert!(f1("ADDRESS") >= HARD_FLOORS.2, "ADDRESS F1 {:.3} on the hard corpus fell below {}", f1("ADDRESS"), HARD_FLOORS.2);
    let (tp, fp, fn_) =
        PATTERN_TYPES.iter().filter_map(|t| report.by_type.get(*t)).fold((0, 0, 0), |a, s| (a.0 + s.tp, a.1 + s.fp, a.2 + s.fn_));
    let pattern_f1 = 2.0 * tp as f64 / (2 * tp + fp + fn_).max(1) as f64;
    assert!(pattern_f1 >= HARD_FLOORS.3, "the pattern types' F1 {pattern_f1:.3} on the hard corpus fell below {}", HARD_FLOORS.3);
}

/// The scorer itself: an exact prediction is a true positive, a half-overlap
/// below IoU 0.5 is both a false positive and a false negative, a wrong type
/// never matches.
#[test]
fn scorer_counts_as_the_reference_does() {
    let span = |start, end, t: &str| LabelledSpan { start, end, entity: t.into(), text: None };
    let gold = vec![Document { id: "a".into(), text: "x".repeat(40), spans: vec![span(0, 10, "EMAIL"), span(20, 30, "PHONE")] }];
    let mut predicted = HashMap::new();
    predicted.insert("a".to_owned(), vec![span(0, 10, "EMAIL"), span(20, 24, "PHONE"), span(0, 10, "URL")]);
    let r = score(&gold, &predicted);
    let email = r.by_type["EMAIL"];
    assert_eq!((email.tp, email.fp, email.fn_), (1, 0, 0));
    let phone = r.by_type["PHONE"];
    assert_eq!((phone.tp, phone.fp, phone.fn_), (0, 1, 1));
    let url = r.by_type["URL"];
    assert_eq!((url.tp, url.fp, url.fn_), (0, 1, 0));
    assert_eq!((r.all.tp, r.all.fp, r.all.fn_), (1, 2, 1));
}
