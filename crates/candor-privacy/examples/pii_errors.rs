//! The PII engine's errors on a labelled corpus, for working on a
//! recognizer without building the whole `candor` binary:
//!
//! ```text
//! cargo run --release -p candor-privacy --example pii_errors -- CORPUS.jsonl [TYPE]
//! ```
//!
//! Prints the scores per type, then every missed and every spurious span
//! (of `TYPE` only, when given) with its message.

use std::collections::HashMap;

use candor_privacy::pii::eval::{score, Document, LabelledSpan};
use candor_privacy::Analyzer;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args.next().ok_or("usage: pii_errors CORPUS.jsonl [TYPE]")?;
    let only = args.next();
    let text = std::fs::read_to_string(&path)?;
    let mut docs = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let doc: Document = serde_json::from_str(line).map_err(|e| format!("{path}:{}: {e}", n + 1))?;
        docs.push(doc);
    }
    let analyzer = Analyzer::new();
    let mut predicted = HashMap::new();
    for d in &docs {
        let spans: Vec<LabelledSpan> = analyzer
            .analyze(&d.text)
            .iter()
            .map(|s| LabelledSpan {
                start: s.char_start,
                end: s.char_end,
                entity: s.entity.as_str().to_owned(),
                text: Some(s.text(&d.text).to_owned()),
            })
            .collect();
        predicted.insert(d.id.clone(), spans);
    }
    let report = score(&docs, &predicted);
    for (t, r) in report.by_type.iter().map(|(k, v)| (k.as_str(), v)).chain([("ALL", &report.all)]) {
        println!("{t:14} P {:.3} R {:.3} F1 {:.3}  tp {:5} fp {:5} fn {:5}", r.precision, r.recall, r.f1, r.tp, r.fp, r.fn_);
    }
    let wanted = |t: &str| only.as_deref().is_none_or(|o| o.eq_ignore_ascii_case(t));
    let chars = |s: &str, a: usize, b: usize| s.chars().skip(a).take(b - a).collect::<String>();
    let overlaps = |a: &LabelledSpan, b: &LabelledSpan| {
        let inter = a.end.min(b.end).saturating_sub(a.start.max(b.start));
        let union = a.end.max(b.end) - a.start.min(b.start);
        union > 0 && inter * 2 >= union
    };
    for d in &docs {
        let preds = &predicted[&d.id];
        for g in d.spans.iter().filter(|g| wanted(&g.entity)) {
            if !preds.iter().any(|p| p.entity == g.entity && overlaps(g, p)) {
                let got: Vec<String> = preds
                    .iter()
                    .filter(|p| p.start < g.end && g.start < p.end)
                    .map(|p| format!("{}={:?}", p.entity, chars(&d.text, p.start, p.end)))
                    .collect();
                println!("MISS {} {:?} in {:?} got {:?}", g.entity, chars(&d.text, g.start, g.end), d.text, got);
            }
        }
        for p in preds.iter().filter(|p| wanted(&p.entity)) {
            if !d.spans.iter().any(|g| p.entity == g.entity && overlaps(g, p)) {
                println!("FP   {} {:?} in {:?}", p.entity, chars(&d.text, p.start, p.end), d.text);
            }
        }
    }
    Ok(())
}
