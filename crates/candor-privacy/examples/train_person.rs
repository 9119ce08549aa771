//! Train the PII engine's name model:
//!
//! ```text
//! python3 crates/candor-privacy/train/make_person_data.py 40000 7 > /tmp/person-train.jsonl
//! cargo run --release -p candor-privacy --example train_person -- /tmp/person-train.jsonl crates/candor-privacy/data/names/person.model
//! ```

use candor_privacy::pii::person_training::{train, Example, Options};

#[derive(serde::Deserialize)]
struct Line {
    text: String,
    names: Vec<(usize, usize)>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let input = args.next().ok_or("usage: train_person TRAIN.jsonl OUT.model [EPOCHS]")?;
    let output = args.next().ok_or("usage: train_person TRAIN.jsonl OUT.model [EPOCHS]")?;
    let epochs = args.next().map(|e| e.parse()).transpose()?.unwrap_or(Options::default().epochs);
    let mut examples = Vec::new();
    for (n, line) in std::fs::read_to_string(&input)?.lines().enumerate() {
        let l: Line = serde_json::from_str(line).map_err(|e| format!("{input}:{}: {e}", n + 1))?;
        examples.push(Example { text: l.text, names: l.names });
    }
    let (bytes, report) = train(&examples, Options { epochs, ..Options::default() });
    for (e, a) in report.accuracy.iter().enumerate() {
        eprintln!("epoch {}: {:.4} of words tagged right", e + 1, a);
    }
    eprintln!("{} features, {} bytes", report.features, bytes.len());
    std::fs::write(&output, bytes)?;
    Ok(())
}
