//! Sentiment throughput on one thread, and quality on the shared development
//! set when it is there.
//!
//! ```sh
//! cargo bench -p candor-analytics --bench sentiment            # default dev set path
//! cargo bench -p candor-analytics --bench sentiment -- PATH    # another JSONL of {"id","text","label"}
//! cargo bench -p candor-analytics --bench sentiment -- --predictions OUT.jsonl   # also write {"id","label","compound"} lines
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "a benchmark binary: failing loudly is the point")]

use std::collections::HashMap;
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use candor_analytics::sentiment::eval::{self, Gold, Prediction};
use candor_analytics::sentiment::{Label, SentimentModel};
use candor_privacy::RedactedText;

/// The value after `--predictions`, if given.
fn predictions_path() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == "--predictions").and_then(|i| args.get(i + 1)).map(PathBuf::from)
}

fn dev_path() -> Option<PathBuf> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut skip_next = false;
    for a in &args {
        if std::mem::take(&mut skip_next) {
            continue;
        }
        if a == "--predictions" {
            skip_next = true;
        } else if !a.starts_with('-') {
            return Some(PathBuf::from(a));
        }
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [dir.join("../../../shared/data/sentiment/dev.jsonl"), dir.join("../shared/data/sentiment/dev.jsonl")].into_iter().find(|p| p.exists())
}

fn main() {
    let model = SentimentModel::new();
    let gold: Vec<Gold> = match dev_path() {
        Some(p) => std::fs::read_to_string(&p)
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
        None => {
            eprintln!("dev set not found: timing on built-in samples only");
            Vec::new()
        }
    };
    let texts: Vec<RedactedText> = if gold.is_empty() {
        [
            "@<PERSON> still waiting for a reply, 3 days now!!! :(",
            "Thanks for the quick help <PERSON_1>, all sorted now 😀",
            "my order never arrived and no response from support. waste of time",
            "Is the app down? Can't log in since this morning",
        ]
        .iter()
        .map(|s| RedactedText::fixture((*s).to_owned()))
        .collect()
    } else {
        gold.iter().map(|g| RedactedText::fixture(g.text.clone())).collect()
    };

    if !gold.is_empty() {
        let predicted: HashMap<String, Label> = gold.iter().zip(&texts).map(|(g, t)| (g.id.clone(), model.score(t).label)).collect();
        let report = eval::score(&gold, &predicted);
        if let Some(out) = predictions_path() {
            let lines: Vec<String> = gold
                .iter()
                .zip(&texts)
                .map(|(g, t)| {
                    let s = model.score(t);
                    serde_json::to_string(&Prediction { id: g.id.clone(), label: s.label.as_str().to_owned(), compound: s.compound })
                        .unwrap()
                })
                .collect();
            std::fs::write(&out, lines.join("\n") + "\n").unwrap();
            println!("predictions written to {}", out.display());
        }
        println!("dev set: n={} accuracy={:.4} macro_f1={:.4}", report.n, report.accuracy, report.macro_f1);
        for label in Label::ALL {
            if let Some(c) = report.class(label) {
                println!("  {:9} P={:.3} R={:.3} F1={:.3} (support {})", label.as_str(), c.precision, c.recall, c.f1, c.support);
            }
        }
    }

    let bytes: usize = texts.iter().map(|t| t.as_str().len()).sum();
    // Warm the caches, then time whole passes for at least two seconds.
    for t in &texts {
        black_box(model.score(black_box(t)));
    }
    let start = Instant::now();
    let mut messages = 0usize;
    let mut passes = 0usize;
    while start.elapsed().as_secs_f64() < 2.0 {
        for t in &texts {
            black_box(model.score(black_box(t)));
        }
        messages += texts.len();
        passes += 1;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "speed: {:.0} messages/s on one thread ({:.1} MB/s, {} passes over {} messages, mean {:.0} bytes)",
        messages as f64 / secs,
        (bytes * passes) as f64 / secs / 1e6,
        passes,
        texts.len(),
        bytes as f64 / texts.len() as f64
    );
}
