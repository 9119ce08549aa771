//! The import formats, each a streaming reader of [`Record`]s, and guessing
//! which one a file is from its first line.

pub mod bounded;
pub mod contacts;
mod csv_reader;
pub mod deletions;
pub mod mapped;
pub mod twcs;
pub mod xv2;

use std::fmt;
use std::io::Read;

use serde::Serialize;

use crate::record::Record;
pub use bounded::Limits;
use bounded::{LineEnd, LineReader};

/// The platform name X (Twitter) items are stored under.
pub const PLATFORM_X: &str = "x";

/// An import format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// "Customer Support on Twitter" CSV.
    Twcs,
    /// X API v2 tweet lookup or search responses.
    XV2,
    /// JSON lines with a mapping file.
    Jsonl,
    /// CSV with a mapping file.
    Csv,
    /// A CRM contacts CSV.
    Contacts,
    /// Platform deletion notices.
    Deletions,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 6] = [Self::Twcs, Self::XV2, Self::Jsonl, Self::Csv, Self::Contacts, Self::Deletions];

    /// The name used on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Twcs => "twcs",
            Self::XV2 => "x-v2",
            Self::Jsonl => "jsonl",
            Self::Csv => "csv",
            Self::Contacts => "contacts",
            Self::Deletions => "deletions",
        }
    }

    /// Parse a command-line name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Whether the format needs a mapping file.
    pub fn needs_mapping(self) -> bool {
        matches!(self, Self::Jsonl | Self::Csv)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why an input cannot be read at all (as opposed to one bad record).
#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    /// The header could not be read.
    #[error("the header line cannot be read: {0}")]
    Header(String),
    /// A required column is absent.
    #[error("the {format} file has no `{column}` column")]
    MissingColumn {
        /// the format
        format: &'static str,
        /// the column
        column: String,
    },
    /// The format could not be told from the content.
    #[error("cannot tell the format of this input from its first line; give `--format` ({})", Format::ALL.map(|f| f.as_str()).join(", "))]
    Unknown,
    /// A mapping is needed and missing or wrong.
    #[error("{0}")]
    Mapping(String),
    /// Reading failed.
    #[error("could not read the input")]
    Io(#[from] std::io::Error),
}

/// Guess the format from the first non-empty line.
pub fn guess(head: &[u8]) -> Result<Format, FormatError> {
    let text = String::from_utf8_lossy(head);
    let line = text.lines().map(|l| l.trim().trim_start_matches('\u{feff}')).find(|l| !l.is_empty()).unwrap_or_default();
    let lower = line.to_lowercase();
    if line.starts_with('{') || line.starts_with('[') {
        if lower.contains("\"delete\"") {
            return Ok(Format::Deletions);
        }
        // A pretty-printed response's first line is `{`: look further.
        if text.contains("\"data\"") && (text.contains("\"author_id\"") || text.contains("\"text\"")) {
            return Ok(Format::XV2);
        }
        return Ok(Format::Jsonl);
    }
    if lower.starts_with("tweet_id") && lower.contains("inbound") && lower.contains("author_id") {
        return Ok(Format::Twcs);
    }
    if lower.contains(',') {
        let columns: Vec<String> = lower.split(',').map(contacts::normalize).collect();
        let contactish = columns.iter().any(|c| contacts::column_kind(c).is_some());
        let textish = columns.iter().any(|c| matches!(c.as_str(), "text" | "message" | "body" | "content"));
        return Ok(if contactish && !textish { Format::Contacts } else { Format::Csv });
    }
    Err(FormatError::Unknown)
}

/// A field of a CSV record as text, or why not.
pub(crate) fn field_str<'r>(r: &'r csv::ByteRecord, at: usize, name: &str) -> Result<&'r str, String> {
    let bytes = r.get(at).ok_or_else(|| format!("the record has no `{name}` (only {} fields)", r.len()))?;
    std::str::from_utf8(bytes).map_err(|e| format!("`{name}` is not valid UTF-8 (byte {} of the field)", e.valid_up_to() + 1))
}

/// An item id: non-empty, at most 64 characters, no spaces.
pub(crate) fn id_field(s: &str, name: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err(format!("`{name}` is empty"));
    }
    if s.len() > 64 || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{name}` is not an id (at most 64 characters, no spaces)"));
    }
    Ok(s.to_owned())
}

/// Lines of a byte stream with their numbers, each either UTF-8 text or
/// the reason it is not; a line longer than the bound is consumed without
/// being kept and quarantined.
pub(crate) struct Lines<R: Read> {
    input: LineReader<R>,
    max: usize,
    buf: Vec<u8>,
    failed: bool,
}

impl<R: Read> Lines<R> {
    pub(crate) fn new(input: R, max: usize) -> Self {
        Self { input: LineReader::new(input, false), max, buf: Vec::new(), failed: false }
    }
}

impl<R: Read> Iterator for Lines<R> {
    /// (line number, the line or the reason it is unreadable, the raw bytes lossily)
    type Item = (u64, Result<String, Record>);

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.failed {
                return None;
            }
            self.buf.clear();
            match self.input.read_line(&mut self.buf, self.max) {
                Ok(LineEnd::Eof) => return None,
                Ok(LineEnd::Line) => {}
                Ok(LineEnd::Oversize) => {
                    let line = self.input.line;
                    return Some((line, Err(Record::bad(line, bounded::oversize(self.max), bounded::raw_prefix(&self.buf)))));
                }
                Err(e) => {
                    // Not read again: a persistent error would repeat forever.
                    self.failed = true;
                    let line = self.input.line + 1;
                    return Some((line, Err(Record::bad(line, format!("could not be read: {e}"), String::new()))));
                }
            }
            while matches!(self.buf.last(), Some(b'\n' | b'\r')) {
                self.buf.pop();
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = self.input.line;
            return Some(match std::str::from_utf8(&self.buf) {
                Ok(s) => (line, Ok(s.to_owned())),
                Err(e) => (
                    line,
                    Err(Record::bad(
                        line,
                        format!("the line is not valid UTF-8 (byte {})", e.valid_up_to() + 1),
                        String::from_utf8_lossy(&self.buf),
                    )),
                ),
            });
        }
    }
}

/// Walk a dotted path (`user.handle`) into a JSON value.
pub(crate) fn json_path<'v>(v: &'v serde_json::Value, path: &str) -> Option<&'v serde_json::Value> {
    path.split('.').try_fold(v, |v, key| v.get(key))
}

/// A JSON value as text: strings as they are, numbers written out.
pub(crate) fn json_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Open a reader for `format`.
pub fn open<R: Read + Send + 'static>(
    format: Format,
    input: R,
    mapping: Option<&mapped::Mapping>,
    brands: &[String],
    limits: Limits,
    phone_region: Option<&candor_domain::PhoneRegion>,
) -> Result<Box<dyn Iterator<Item = Record> + Send>, FormatError> {
    Ok(match format {
        Format::Twcs => Box::new(twcs::Twcs::with_limits(input, limits)?),
        Format::XV2 => Box::new(xv2::XV2::with_limits(input, brands, limits)),
        Format::Contacts => Box::new(contacts::Contacts::with_region(input, limits, phone_region.cloned())?),
        Format::Deletions => Box::new(deletions::Deletions::with_limits(input, limits)),
        Format::Jsonl | Format::Csv => {
            let m = mapping.ok_or_else(|| {
                FormatError::Mapping(format!("the `{format}` format needs `--mapping FILE` naming which fields are text, author, time, id"))
            })?;
            mapped::open(format, input, m.clone(), brands, limits)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_from_their_first_line() {
        let g = |s: &str| guess(s.as_bytes()).ok();
        assert_eq!(g("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n"), Some(Format::Twcs));
        assert_eq!(g("{\"delete\":{\"status\":{\"id\":\"1\",\"user_id\":\"2\"}}}\n"), Some(Format::Deletions));
        assert_eq!(g("{\"data\":[{\"id\":\"1\",\"text\":\"hi\",\"author_id\":\"2\"}]}\n"), Some(Format::XV2));
        assert_eq!(g("{\n  \"data\": [\n    {\"id\": \"1\", \"text\": \"hi\"}"), Some(Format::XV2));
        assert_eq!(g("{\"id\":1,\"message\":\"hi\"}\n"), Some(Format::Jsonl));
        assert_eq!(g("\u{feff}Email,Phone,Full Name,Customer ID,Twitter\n"), Some(Format::Contacts));
        assert_eq!(g("id,author,body,created\n"), Some(Format::Csv));
        assert_eq!(g("hello world\n"), None);
    }

    #[test]
    fn every_format_quarantines_an_oversize_line_alone_with_its_number() {
        let limits = Limits { record_bytes: 4096, document_bytes: 4096, field_lines: 100 };
        let huge = "y".repeat(10_000);
        let mapping = mapped::Mapping::parse(
            "map.toml",
            "platform = \"facebook\"\n[fields]\nid = \"id\"\ntext = \"text\"\nauthor = \"author\"\ntime = \"time\"\n",
        )
        .unwrap();
        let cases: [(Format, String, String); 6] = [
            (
                Format::Twcs,
                "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n".into(),
                "1,a,True,Tue Oct 31 22:10:47 +0000 2017,hi,,".into(),
            ),
            (Format::Contacts, "Email,Name\n".into(), "ana@example.com,Ana".into()),
            (Format::Csv, "id,text,author,time\n".into(), "1,hi,ana,2026-01-01T00:00:00Z".into()),
            (Format::Jsonl, String::new(), r#"{"id":"1","text":"hi","author":"ana","time":"2026-01-01T00:00:00Z"}"#.into()),
            (Format::Deletions, String::new(), r#"{"delete":{"status":{"id":"1"}}}"#.into()),
            (Format::XV2, String::new(), r#"{"data":[{"id":"1","text":"hi","author_id":"7","created_at":"2026-03-01T10:00:00Z"}]}"#.into()),
        ];
        for (format, head, good) in cases {
            let input = format!("{head}{good}\n{huge}\n{good}\n");
            let first = if head.is_empty() { 1 } else { 2 };
            let recs: Vec<Record> =
                open(format, std::io::Cursor::new(input.into_bytes()), Some(&mapping), &[], limits, None).unwrap().collect();
            let lines: Vec<(u64, bool)> = recs
                .iter()
                .map(|r| match r {
                    Record::Bad(q) => {
                        assert!(q.reason.starts_with("oversize: more than 4096 bytes"), "{format}: {}", q.reason);
                        assert!(q.raw.len() < 1024, "{format}");
                        (q.line, false)
                    }
                    Record::Interaction(d) => (d.line, true),
                    Record::Contact(c) => (c.line, true),
                    Record::Deletion(d) => (d.line, true),
                })
                .collect();
            assert_eq!(lines, vec![(first, true), (first + 1, false), (first + 2, true)], "{format}");
        }
    }
}
