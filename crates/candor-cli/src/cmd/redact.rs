//! `candor redact [FILE]`: find personal data in text from a file or
//! standard input and print it redacted, or the spans as JSON.

use std::io::{BufRead, BufReader, BufWriter, Read as _, Write as _};
use std::path::PathBuf;

use anyhow::{bail, Context as _};
use candor_privacy::pii::Numbering;
use candor_privacy::{Analyzer, EntityType, Operator, Redactor};
use serde_json::json;

use crate::{output, Global, Outcome};

/// Arguments of `candor redact`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The text to read [default: standard input].
    pub file: Option<PathBuf>,
    /// Print the spans found (type, byte and char offsets, score,
    /// recognizer) as JSON instead of the redacted text.
    #[arg(long)]
    pub spans: bool,
    /// Treat each line as its own message (numbered placeholders still
    /// count across lines, as in a conversation).
    #[arg(long)]
    pub lines: bool,
    /// The operator for every type: placeholder, numbered, mask, mask:N,
    /// hash, drop or keep.
    #[arg(long, default_value = "placeholder", value_name = "OP")]
    pub default: String,
    /// The operator for one type, e.g. `CREDIT_CARD=mask:4` (repeatable).
    #[arg(long = "operator", value_name = "TYPE=OP")]
    pub operators: Vec<String>,
    /// Find and redact only these types, comma-separated (e.g.
    /// `EMAIL,PHONE`); recognizers no listed type needs do not run
    /// [default: every type].
    #[arg(long, value_name = "TYPES", value_delimiter = ',')]
    pub entities: Vec<String>,
    /// Key of the `hash` operator (hex), or `CANDOR_HASH_KEY`.
    #[arg(long, env = "CANDOR_HASH_KEY", value_name = "HEX", hide_env_values = true)]
    pub hash_key: Option<String>,
}

/// Every type's name, for error messages.
fn type_names() -> String {
    EntityType::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ")
}

/// The analyzer for `--entities`: every type when none is given.
fn analyzer(a: &Args) -> anyhow::Result<Analyzer> {
    if a.entities.is_empty() {
        return Ok(Analyzer::new());
    }
    let mut types = Vec::new();
    for name in &a.entities {
        let Some(t) = EntityType::parse(name.trim()) else {
            bail!("`--entities`: unknown type `{}`; types are {}", name.trim(), type_names());
        };
        types.push(t);
    }
    Ok(Analyzer::new().only(types))
}

fn redactor(a: &Args) -> anyhow::Result<Redactor> {
    let default = a.default.parse::<Operator>().context("`--default`")?;
    let mut hashes = (default == Operator::Hash).then(|| "`--default hash`".to_owned());
    let mut r = Redactor::new(default);
    for spec in &a.operators {
        let Some((t, op)) = spec.split_once('=') else { bail!("`--operator {spec}`: write TYPE=OP, e.g. `EMAIL=hash`") };
        let Some(entity) = EntityType::parse(t) else {
            bail!("`--operator {spec}`: unknown type `{t}`; types are {}", type_names());
        };
        let op = op.parse::<Operator>().with_context(|| format!("`--operator {spec}`"))?;
        if op == Operator::Hash {
            hashes.get_or_insert_with(|| format!("`--operator {spec}`"));
        }
        r = r.with(entity, op);
    }
    // Without a key the hash operator can only fall back to a placeholder:
    // the user asked for stable pseudonyms and would get something else.
    if let (Some(which), None) = (&hashes, &a.hash_key) {
        bail!(
            "{which} needs a key: pass `--hash-key HEX` (at least 32 hex digits, e.g. from `openssl rand -hex 32`) or set CANDOR_HASH_KEY"
        );
    }
    if let Some(hex_key) = &a.hash_key {
        let key = hex::decode(hex_key.trim()).ok().filter(|k| k.len() >= 16).context("`--hash-key` must be at least 32 hex digits")?;
        r = r.with_hash_key(&key);
    }
    Ok(r)
}

/// Redact.
pub fn run(g: &Global, a: Args) -> anyhow::Result<Outcome> {
    let r = redactor(&a)?;
    let analyzer = analyzer(&a)?;
    if a.lines && !(a.spans || g.json) {
        return redact_lines(&a, &analyzer, &r);
    }
    let mut text = String::new();
    match &a.file {
        Some(f) => text = std::fs::read_to_string(f).with_context(|| format!("could not read `{}` as UTF-8 text", f.display()))?,
        None => {
            std::io::stdin().read_to_string(&mut text).context("could not read standard input as UTF-8 text")?;
        }
    }
    let messages: Vec<&str> = if a.lines { text.lines().collect() } else { vec![text.as_str()] };
    let mut numbering = Numbering::new();
    if a.spans || g.json {
        let docs: Vec<_> = messages
            .iter()
            .map(|m| {
                let spans = analyzer.analyze(m);
                let list: Vec<_> = spans
                    .iter()
                    .map(|s| {
                        json!({ "type": s.entity, "start": s.start, "end": s.end, "char_start": s.char_start, "char_end": s.char_end,
                                     "score": s.score, "recognizer": s.recognizer, "text": s.text(m) })
                    })
                    .collect();
                json!({ "redacted": r.redact(m, &spans, &mut numbering).as_str(), "spans": list })
            })
            .collect();
        if a.lines {
            output::json(&docs)?;
        } else if let Some(doc) = docs.first() {
            output::json(if a.spans { &doc["spans"] } else { doc })?;
        }
    } else {
        let mut out = std::io::stdout().lock();
        for m in messages {
            let spans = analyzer.analyze(m);
            out.write_all(r.redact(m, &spans, &mut numbering).as_str().as_bytes())?;
        }
        out.flush()?;
    }
    Ok(Outcome::Ok)
}

/// `--lines` as text: one message a line, read and written as a stream, so
/// memory stays flat however long the input is and the output is written
/// in large blocks rather than a system call per line.
fn redact_lines(a: &Args, analyzer: &Analyzer, r: &Redactor) -> anyhow::Result<Outcome> {
    let (input, name): (Box<dyn BufRead>, String) = match &a.file {
        Some(f) => {
            let file = std::fs::File::open(f).with_context(|| format!("could not open `{}`", f.display()))?;
            (Box::new(BufReader::with_capacity(1 << 16, file)), format!("`{}`", f.display()))
        }
        None => (Box::new(BufReader::with_capacity(1 << 16, std::io::stdin())), "standard input".to_owned()),
    };
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut numbering = Numbering::new();
    for (n, line) in input.lines().enumerate() {
        let line = line.with_context(|| format!("could not read line {} of {name} as UTF-8 text", n + 1))?;
        let spans = analyzer.analyze(&line);
        out.write_all(r.redact(&line, &spans, &mut numbering).as_str().as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(Outcome::Ok)
}
