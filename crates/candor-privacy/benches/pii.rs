//! Throughput of the PII engine alone, on one core. Run with
//!
//! ```text
//! cargo bench -p candor-privacy --bench pii [-- CORPUS.jsonl]
//! ```
//!
//! The corpus defaults to `../shared/data/pii/dev.jsonl`; its texts are
//! analyzed again and again until 64 MB have gone through.

use std::time::Instant;

use candor_privacy::Analyzer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().skip(1).find(|a| !a.starts_with('-')).unwrap_or_else(|| "../../../shared/data/pii/dev.jsonl".into());
    let path = if std::path::Path::new(&path).exists() { path } else { "../shared/data/pii/dev.jsonl".into() };
    let texts: Vec<String> = std::fs::read_to_string(&path)?
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    let bytes: usize = texts.iter().map(String::len).sum();
    let analyzer = Analyzer::new();
    // Warm up (the phone metadata loads on first use).
    let mut spans = 0;
    for t in &texts {
        spans += analyzer.analyze(t).len();
    }
    let rounds = (64_000_000 / bytes.max(1)).max(1);
    let start = Instant::now();
    for _ in 0..rounds {
        for t in &texts {
            spans += std::hint::black_box(analyzer.analyze(t)).len();
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let total = (bytes * rounds) as f64;
    println!(
        "pii engine, 1 thread: {:.1} MB/s, {:.0} messages/s ({} messages of {:.0} bytes on average, {rounds} rounds, {spans} spans)",
        total / secs / 1e6,
        (texts.len() * rounds) as f64 / secs,
        texts.len(),
        bytes as f64 / texts.len() as f64
    );
    if std::env::args().any(|a| a == "--stages") {
        let mut total = std::collections::BTreeMap::new();
        for _ in 0..rounds.min(50) {
            for (stage, d) in analyzer.stage_times(&texts) {
                *total.entry(stage).or_insert(0.0) += d.as_secs_f64();
            }
        }
        let n = (texts.len() * rounds.min(50)) as f64;
        for (stage, secs) in total {
            println!("  {stage:>16}: {:6.0} ns/message", secs / n * 1e9);
        }
    }
    Ok(())
}
