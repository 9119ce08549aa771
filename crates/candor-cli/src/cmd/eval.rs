//! `candor eval pii FILE`: precision, recall and F1 of the PII engine on a
//! labelled corpus, per type and overall, scored as the reference scorer
//! does; `--predictions OUT` writes the predicted spans in the corpus'
//! own format so any outside scorer can check the figures; `--confusion`
//! adds the matrix of gold types against predicted types (`NONE`: missed
//! or invented), to see where the errors go.
//!
//! `candor eval sentiment FILE`: accuracy and macro-F1 of the sentiment
//! model over negative, neutral and positive, per label too;
//! `--predictions OUT` writes `{"id","label","compound"}` lines.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead as _, BufReader, BufWriter, Write as _};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use candor_privacy::pii::eval::{confusion, score, Confusion, Document, LabelledSpan, Report};
use candor_privacy::Analyzer;

use crate::{output, Global, Outcome};

/// `candor eval …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The PII engine on a JSONL corpus of `{"id", "text", "spans"}` lines.
    Pii {
        /// The labelled corpus.
        file: PathBuf,
        /// Write the predictions here, one `{"id", "text", "spans"}` line per message.
        #[arg(long, value_name = "OUT")]
        predictions: Option<PathBuf>,
        /// Also print the confusion matrix: gold types (rows) against
        /// predicted types (columns), `NONE` for a missed gold span or an
        /// invented prediction; with `--json`, under the key `confusion`.
        #[arg(long)]
        confusion: bool,
    },
    /// The sentiment model on a JSONL corpus of `{"id", "text", "label"}` lines.
    Sentiment {
        /// The labelled corpus (`label`: negative, neutral or positive).
        file: PathBuf,
        /// Write the predictions here, one `{"id", "label", "compound"}` line per message.
        #[arg(long, value_name = "OUT")]
        predictions: Option<PathBuf>,
    },
}

/// Read a JSONL corpus, naming the line of any bad record.
pub fn read_corpus(file: &PathBuf) -> anyhow::Result<Vec<Document>> {
    let f = File::open(file).with_context(|| format!("could not open `{}`", file.display()))?;
    let mut docs = Vec::new();
    for (n, line) in BufReader::new(f).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: not UTF-8 text", file.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let doc: Document = serde_json::from_str(&line).with_context(|| format!("{}:{}: not a corpus record", file.display(), n + 1))?;
        docs.push(doc);
    }
    Ok(docs)
}

/// Run an evaluation.
pub fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::Pii { file, predictions, confusion } => pii(g, &file, predictions.as_ref(), confusion),
        Command::Sentiment { file, predictions } => sentiment(g, &file, predictions.as_ref()),
    }
}

/// A text of an evaluation corpus, to score as the redactor's output.
#[expect(clippy::disallowed_methods, reason = "an evaluation corpus is published, labelled text, not customer data")]
fn public_corpus(text: String) -> candor_privacy::RedactedText {
    candor_privacy::RedactedText::from_public_corpus(text)
}

fn sentiment(g: &Global, file: &PathBuf, predictions: Option<&PathBuf>) -> anyhow::Result<Outcome> {
    use candor_analytics::sentiment::eval::{score as score_sentiment, Gold, Prediction};
    use candor_analytics::sentiment::{Label, SentimentModel};

    let f = File::open(file).with_context(|| format!("could not open `{}`", file.display()))?;
    let mut gold = Vec::new();
    for (n, line) in BufReader::new(f).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: not UTF-8 text", file.display(), n + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let g: Gold = serde_json::from_str(&line)
            .with_context(|| format!("{}:{}: not a `{{\"id\", \"text\", \"label\"}}` record", file.display(), n + 1))?;
        if Label::parse(&g.label).is_none() {
            anyhow::bail!("{}:{}: `label`: `{}` is not negative, neutral or positive", file.display(), n + 1, g.label);
        }
        gold.push(g);
    }
    let model = SentimentModel::new();
    let t = Instant::now();
    // The corpus is text as people wrote it; the model reads it as the
    // redactor's output (placeholders are neutral either way).
    let scored: Vec<(String, candor_analytics::sentiment::Sentiment)> =
        gold.iter().map(|d| (d.id.clone(), model.score(&public_corpus(d.text.clone())))).collect();
    let elapsed = t.elapsed();
    if let Some(out) = predictions {
        let mut w = BufWriter::new(File::create(out).with_context(|| format!("could not create `{}`", out.display()))?);
        for (id, s) in &scored {
            serde_json::to_writer(&mut w, &Prediction { id: id.clone(), label: s.label.as_str().to_owned(), compound: s.compound })?;
            w.write_all(b"\n")?;
        }
        w.flush().with_context(|| format!("could not write `{}`", out.display()))?;
    }
    let by_id: HashMap<String, Label> = scored.iter().map(|(id, s)| (id.clone(), s.label)).collect();
    let report = score_sentiment(&gold, &by_id);
    if g.json {
        output::json(&report)?;
    } else {
        println!("{:10} {:>9} {:>6} {:>6} {:>8}", "label", "precision", "recall", "F1", "support");
        for (label, c) in &report.per_class {
            println!("{label:10} {:9.3} {:6.3} {:6.3} {:8}", c.precision, c.recall, c.f1, c.support);
        }
        println!("accuracy {:.3}, macro-F1 {:.3} over {} messages", report.accuracy, report.macro_f1, report.n);
        let secs = elapsed.as_secs_f64().max(1e-9);
        eprintln!("{} messages in {:.1} ms: {:.0} messages/s", gold.len(), secs * 1e3, gold.len() as f64 / secs);
    }
    Ok(Outcome::Ok)
}

/// The JSON of `candor eval pii --confusion`: the scorer's map of type ->
/// scores and `ALL`, unchanged, with the matrix beside them.
#[derive(serde::Serialize)]
struct WithConfusion<'a> {
    #[serde(flatten)]
    report: &'a Report,
    confusion: &'a Confusion,
}

fn pii(g: &Global, file: &PathBuf, predictions: Option<&PathBuf>, with_confusion: bool) -> anyhow::Result<Outcome> {
    let docs = read_corpus(file)?;
    let analyzer = Analyzer::new();
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let t = Instant::now();
    let predicted: Vec<(String, Vec<LabelledSpan>)> = docs
        .iter()
        .map(|d| {
            let spans = analyzer
                .analyze(&d.text)
                .iter()
                .map(|s| LabelledSpan {
                    start: s.char_start,
                    end: s.char_end,
                    entity: s.entity.as_str().to_owned(),
                    text: Some(s.text(&d.text).to_owned()),
                })
                .collect();
            (d.id.clone(), spans)
        })
        .collect();
    let first_pass = t.elapsed();
    // The speed line times a second pass: the first one pays for lazily
    // built tables (the phone-number library compiles its patterns on
    // first use), which a long-running import pays once.
    let t = Instant::now();
    for d in &docs {
        std::hint::black_box(analyzer.analyze(&d.text));
    }
    let elapsed = t.elapsed().min(first_pass);
    if let Some(out) = predictions {
        let mut w = BufWriter::new(File::create(out).with_context(|| format!("could not create `{}`", out.display()))?);
        for ((id, spans), d) in predicted.iter().zip(&docs) {
            serde_json::to_writer(&mut w, &Document { id: id.clone(), text: d.text.clone(), spans: spans.clone() })?;
            w.write_all(b"\n")?;
        }
        w.flush().with_context(|| format!("could not write `{}`", out.display()))?;
    }
    let by_id: HashMap<String, Vec<LabelledSpan>> = predicted.into_iter().collect();
    let report = score(&docs, &by_id);
    let matrix = with_confusion.then(|| confusion(&docs, &by_id));
    if g.json {
        match &matrix {
            Some(m) => output::json(&WithConfusion { report: &report, confusion: m })?,
            None => output::json(&report)?,
        }
    } else {
        println!("{:14} {:>6} {:>6} {:>6} {:>6} {:>6} {:>6}", "type", "P", "R", "F1", "tp", "fp", "fn");
        for (t, r) in report.by_type.iter().map(|(k, v)| (k.as_str(), v)).chain([("ALL", &report.all)]) {
            println!("{t:14} {:6.3} {:6.3} {:6.3} {:6} {:6} {:6}", r.precision, r.recall, r.f1, r.tp, r.fp, r.fn_);
        }
        if let Some(m) = &matrix {
            println!();
            println!("confusion: rows are gold types, columns predicted types; NONE column: missed, NONE row: invented");
            print!("{}", m.table());
        }
        let secs = elapsed.as_secs_f64().max(1e-9);
        eprintln!(
            "{} messages, {:.1} KB in {:.1} ms: {:.0} messages/s, {:.1} MB/s",
            docs.len(),
            bytes as f64 / 1e3,
            secs * 1e3,
            docs.len() as f64 / secs,
            bytes as f64 / secs / 1e6
        );
    }
    Ok(Outcome::Ok)
}
