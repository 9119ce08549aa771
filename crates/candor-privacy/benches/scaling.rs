//! Redaction time against the length of one document: the same text at
//! 0.5, 5 and 50 MB, analyzed and redacted whole, as `candor redact FILE`
//! does. A linear engine takes ten times as long for ten times the text.
//!
//! ```text
//! cargo bench -p candor-privacy --bench scaling [-- CORPUS.jsonl]
//! ```
//!
//! Two shapes of document are built from the corpus' texts: one message a
//! line, and every message on a single line (no line breaks to stop at).
//! `--stages` also prints each recognizer stage's time per document.

use std::time::{Duration, Instant};

use candor_privacy::{Analyzer, Operator, Redactor};

const SIZES: [usize; 3] = [500_000, 5_000_000, 50_000_000];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().skip(1).find(|a| !a.starts_with('-')).unwrap_or_else(|| "../../../shared/data/pii/dev.jsonl".into());
    let path = if std::path::Path::new(&path).exists() { path } else { "../shared/data/pii/dev.jsonl".into() };
    let texts: Vec<String> = std::fs::read_to_string(&path)?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    if texts.is_empty() {
        return Err(format!("no texts in {path}").into());
    }
    let stages = std::env::args().any(|a| a == "--stages");
    let analyzer = Analyzer::new();
    let redactor = Redactor::new(Operator::Placeholder);
    analyzer.analyze(&texts[0]);
    println!("| document | size | time | MB/s | time / time at 0.5 MB |");
    println!("|---|---|---|---|---|");
    for (shape, sep) in [("one message a line", "\n"), ("all on one line", " ")] {
        let mut first = None;
        for size in SIZES {
            let doc = document(&texts, sep, size);
            let rounds = if size >= 50_000_000 { 1 } else { 3 };
            let best = (0..rounds).map(|_| time(&analyzer, &redactor, &doc, stages)).min().unwrap_or_default();
            let base = *first.get_or_insert(best);
            if stages {
                let doc = vec![doc.clone()];
                let times: Vec<String> = analyzer.stage_times(&doc).iter().map(|(s, d)| format!("{s} {:.3} s", d.as_secs_f64())).collect();
                eprintln!("{shape}, {size} bytes: {}", times.join(", "));
            }
            println!(
                "| {shape} | {:.1} MB | {:.3} s | {:.1} | {:.1}× |",
                doc.len() as f64 / 1e6,
                best.as_secs_f64(),
                doc.len() as f64 / best.as_secs_f64() / 1e6,
                best.as_secs_f64() / base.as_secs_f64()
            );
        }
    }
    Ok(())
}

/// The corpus' texts joined by `sep`, repeated up to `size` bytes.
fn document(texts: &[String], sep: &str, size: usize) -> String {
    let mut doc = String::with_capacity(size + 1024);
    for t in texts.iter().cycle() {
        if doc.len() >= size {
            break;
        }
        doc.push_str(&t.replace('\n', sep));
        doc.push_str(sep);
    }
    doc
}

fn time(analyzer: &Analyzer, redactor: &Redactor, doc: &str, stages: bool) -> Duration {
    let start = Instant::now();
    let spans = analyzer.analyze(doc);
    if stages {
        eprintln!("  analyze {:.3} s, {} spans", start.elapsed().as_secs_f64(), spans.len());
    }
    let out = redactor.redact(doc, &spans, &mut candor_privacy::pii::Numbering::new());
    std::hint::black_box(out);
    start.elapsed()
}
