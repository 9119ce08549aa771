//! JSON lines and CSV from any platform, with a small mapping file that
//! names which field is which:
//!
//! ```toml
//! platform = "facebook"
//!
//! [fields]
//! id = "id"                   # required
//! text = "message"            # required
//! author = "from.id"          # required; a dotted path into JSON objects
//! time = "created_time"       # required
//! author_name = "from.name"   # optional
//! reply_to = "parent.id"      # optional
//! conversation = "thread_id"  # optional
//! kind = "type"               # optional: mention, reply, direct_message, comment, review
//!
//! [time]
//! format = "rfc3339"          # rfc3339, unix, unix_ms, or a `time` format description
//!
//! [author]
//! kind = "handle"             # handle (default) or account
//!
//! [brand]
//! accounts = ["NorthwindHelp"] # authors who are the brand
//! ```

use std::io::Read;

use candor_domain::Identifier;
use serde::Deserialize;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::bounded::Limits;
use super::csv_reader::{CsvLayout, CsvReader};
use super::{field_str, id_field, json_path, json_text, Format, FormatError, Lines};
use crate::record::{check_text, Author, Draft, Kind, Record};

/// A mapping file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// The platform the records come from.
    pub platform: String,
    /// Field names (CSV columns or dotted JSON paths).
    pub fields: Fields,
    /// How times are written.
    #[serde(default)]
    pub time: TimeFormat,
    /// How authors are identified.
    #[serde(default)]
    pub author: AuthorOptions,
    /// The brand's own accounts.
    #[serde(default)]
    pub brand: BrandOptions,
}

/// Which field is which.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    /// The item's id.
    pub id: String,
    /// Its text.
    pub text: String,
    /// Its author.
    pub author: String,
    /// When it was posted.
    pub time: String,
    /// The author's display name.
    pub author_name: Option<String>,
    /// The item it answers.
    pub reply_to: Option<String>,
    /// Its conversation.
    pub conversation: Option<String>,
    /// Its kind.
    pub kind: Option<String>,
}

/// How times are written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeFormat {
    /// `rfc3339`, `unix`, `unix_ms`, or a `time` format description.
    pub format: String,
}

impl Default for TimeFormat {
    fn default() -> Self {
        Self { format: "rfc3339".into() }
    }
}

/// How authors are identified.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthorOptions {
    /// `handle` (default) or `account`.
    pub kind: Option<String>,
}

/// The brand's accounts.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BrandOptions {
    /// Handles of the brand's accounts.
    #[serde(default)]
    pub accounts: Vec<String>,
}

impl Mapping {
    /// Parse and check a mapping file's text; `file` names it in errors.
    pub fn parse(file: &str, text: &str) -> Result<Self, FormatError> {
        let m: Mapping = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| {
                let line = text[..s.start.min(text.len())].matches('\n').count() + 1;
                format!(":{line}")
            });
            // The parser says nothing of some characters it refuses.
            let message = match e.message() {
                "" => "a character TOML does not allow here (a carriage return must end a line)",
                m => m,
            };
            FormatError::Mapping(format!("{file}{}: {message}", at.unwrap_or_default()))
        })?;
        if Identifier::handle(&m.platform, "probe").is_err() {
            return Err(FormatError::Mapping(format!(
                "{file}: `platform` must be lower-case letters, digits, `_` or `-`, like `facebook`"
            )));
        }
        if !matches!(m.author.kind.as_deref(), None | Some("handle" | "account")) {
            return Err(FormatError::Mapping(format!("{file}: `author.kind` must be `handle` or `account`")));
        }
        if !matches!(m.time.format.as_str(), "rfc3339" | "unix" | "unix_ms") {
            time::format_description::parse_borrowed::<2>(&m.time.format)
                .map_err(|e| FormatError::Mapping(format!("{file}: `time.format` is not a time format description: {e}")))?;
        }
        Ok(m)
    }

    fn parse_time(&self, s: &str) -> Result<OffsetDateTime, String> {
        let bad = || format!("`{}` is `{s}`, not a time in the `{}` format", self.fields.time, self.time.format);
        match self.time.format.as_str() {
            "rfc3339" => OffsetDateTime::parse(s, &Rfc3339).map_err(|_| bad()),
            "unix" => s.trim().parse::<i64>().ok().and_then(|v| OffsetDateTime::from_unix_timestamp(v).ok()).ok_or_else(bad),
            "unix_ms" => {
                s.trim().parse::<i128>().ok().and_then(|v| OffsetDateTime::from_unix_timestamp_nanos(v * 1_000_000).ok()).ok_or_else(bad)
            }
            f => {
                let desc = time::format_description::parse_borrowed::<2>(f).map_err(|_| bad())?;
                OffsetDateTime::parse(s, &desc)
                    .or_else(|_| time::PrimitiveDateTime::parse(s, &desc).map(time::PrimitiveDateTime::assume_utc))
                    .map_err(|_| bad())
            }
        }
    }

    /// A draft from field values looked up by `get`.
    fn draft(&self, line: u64, get: &dyn Fn(&str) -> Result<Option<String>, String>) -> Result<Draft, String> {
        let f = &self.fields;
        let need = |name: &str| get(name)?.filter(|v| !v.trim().is_empty()).ok_or_else(|| format!("the record has no `{name}`"));
        let id = id_field(&need(&f.id)?, &f.id)?;
        let text = need(&f.text)?;
        check_text(&text)?;
        let author = need(&f.author)?;
        let occurred_at = self.parse_time(&need(&f.time)?)?;
        let optional = |field: &Option<String>| -> Result<Option<String>, String> {
            match field {
                Some(name) => Ok(get(name)?.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty())),
                None => Ok(None),
            }
        };
        let brand =
            self.brand.accounts.iter().any(|b| b.trim_start_matches('@').eq_ignore_ascii_case(author.trim().trim_start_matches('@')));
        let author = if brand {
            Author::Brand(author.trim().trim_start_matches('@').to_lowercase())
        } else {
            let id = match self.author.kind.as_deref() {
                Some("account") => Identifier::account(&self.platform, &author),
                _ => Identifier::handle(&self.platform, &author),
            };
            Author::Customer { identifiers: vec![id.map_err(|e| format!("`{}`: {e}", f.author))?], name: optional(&f.author_name)? }
        };
        let reply_to = optional(&f.reply_to)?;
        let kind = match optional(&f.kind)? {
            Some(k) => Kind::parse(&k.to_lowercase()).ok_or_else(|| {
                format!("`{}` is `{k}`: use mention, reply, direct_message, comment or review", f.kind.as_deref().unwrap_or("kind"))
            })?,
            None if reply_to.is_some() => Kind::Reply,
            None => Kind::Mention,
        };
        Ok(Draft {
            line,
            platform: self.platform.clone(),
            external_id: id,
            kind,
            author,
            conversation_id: optional(&f.conversation)?,
            reply_to,
            occurred_at,
            text,
        })
    }
}

/// Open a mapped reader.
pub fn open<R: Read + Send + 'static>(
    format: Format,
    input: R,
    mapping: Mapping,
    brands: &[String],
    limits: Limits,
) -> Result<Box<dyn Iterator<Item = Record> + Send>, FormatError> {
    let mut mapping = mapping;
    mapping.brand.accounts.extend(brands.iter().cloned());
    Ok(match format {
        Format::Csv => Box::new(MappedCsv::open(input, mapping, limits)?),
        _ => Box::new(MappedJsonl { lines: Lines::new(input, limits.record_bytes), mapping }),
    })
}

struct MappedJsonl<R: Read> {
    lines: Lines<R>,
    mapping: Mapping,
}

impl<R: Read> Iterator for MappedJsonl<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let (line, text) = self.lines.next()?;
        let text = match text {
            Ok(t) => t,
            Err(bad) => return Some(bad),
        };
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => return Some(Record::bad(line, format!("not JSON: {e}"), text)),
        };
        let get = |path: &str| Ok(json_path(&value, path).and_then(json_text));
        Some(match self.mapping.draft(line, &get) {
            Ok(d) => Record::Interaction(Box::new(d)),
            Err(reason) => Record::bad(line, reason, text),
        })
    }
}

/// A CSV file's header and the mapping that reads its records.
struct MappedCsv {
    headers: Vec<String>,
    mapping: Mapping,
}

impl MappedCsv {
    fn open<R: Read>(input: R, mapping: Mapping, limits: Limits) -> Result<CsvReader<R, Self>, FormatError> {
        CsvReader::open(input, limits, |headers| {
            let f = &mapping.fields;
            for required in [&f.id, &f.text, &f.author, &f.time] {
                if !headers.contains(required) {
                    return Err(FormatError::MissingColumn { format: "csv", column: required.clone() });
                }
            }
            Ok(Self { headers: headers.to_vec(), mapping })
        })
    }
}

/// Whether `r`, a line read on its own, is a whole record: as many fields
/// as the header, an id, and a time in the mapping's format.
fn starts_mapped(headers: &[String], mapping: &Mapping, r: &csv::ByteRecord) -> bool {
    let get = |name: &str| headers.iter().position(|h| h == name).and_then(|at| r.get(at)).and_then(|f| std::str::from_utf8(f).ok());
    r.len() == headers.len()
        && get(&mapping.fields.id).is_some_and(|id| id_field(id, "id").is_ok())
        && get(&mapping.fields.time).is_some_and(|t| mapping.parse_time(t).is_ok())
}

impl CsvLayout for MappedCsv {
    fn starts_record(&self, r: &csv::ByteRecord) -> bool {
        starts_mapped(&self.headers, &self.mapping, r)
    }

    fn read(&self, r: &csv::ByteRecord, line: u64) -> Result<Record, String> {
        let get = |name: &str| match self.headers.iter().position(|h| h == name) {
            Some(at) if r.get(at).is_some() => field_str(r, at, name).map(|s| Some(s.to_owned())),
            _ => Ok(None),
        };
        self.mapping.draft(line, &get).map(|d| Record::Interaction(Box::new(d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAPPING: &str = r#"
platform = "facebook"
[fields]
id = "id"
text = "message"
author = "from.id"
author_name = "from.name"
time = "created_time"
reply_to = "parent.id"
[author]
kind = "account"
[brand]
accounts = ["1000"]
"#;

    #[test]
    fn jsonl_through_a_mapping() {
        let m = Mapping::parse("map.toml", MAPPING).unwrap();
        let input = concat!(
            r#"{"id":"p1","message":"Where is my refund?","from":{"id":"42","name":"Ana"},"created_time":"2026-02-01T09:00:00Z"}"#,
            "\n",
            r#"{"id":"p2","message":"Looking into it","from":{"id":"1000"},"created_time":"2026-02-01T09:10:00Z","parent":{"id":"p1"}}"#,
            "\n",
            r#"{"id":"p3","from":{"id":"42"},"created_time":"2026-02-01T09:00:00Z"}"#,
            "\n",
        );
        let recs: Vec<Record> = open(Format::Jsonl, input.as_bytes(), m, &[], Limits::default()).unwrap().collect();
        let Record::Interaction(a) = &recs[0] else { panic!("{recs:?}") };
        assert_eq!((a.platform.as_str(), a.kind), ("facebook", Kind::Mention));
        assert!(
            matches!(&a.author, Author::Customer { identifiers, name } if identifiers[0].display() == "facebook:42" && name.as_deref() == Some("Ana"))
        );
        let Record::Interaction(b) = &recs[1] else { panic!() };
        assert_eq!((&b.author, b.kind, b.reply_to.as_deref()), (&Author::Brand("1000".into()), Kind::Reply, Some("p1")));
        assert!(matches!(&recs[2], Record::Bad(q) if q.line == 3 && q.reason == "the record has no `message`"));
    }

    #[test]
    fn csv_through_a_mapping_with_a_custom_time_format() {
        let m = Mapping::parse(
            "map.toml",
            "platform = \"trustpilot\"\n[fields]\nid = \"Review ID\"\ntext = \"Body\"\nauthor = \"User\"\ntime = \"Date\"\nkind = \"Kind\"\n[time]\nformat = \"[day]/[month]/[year] [hour]:[minute]\"\n",
        )
        .unwrap();
        let csv = "Review ID,Body,User,Date,Kind\nr1,Great service,jo,03/02/2026 10:30,review\nr2,Meh,jo,yesterday,review\n";
        let recs: Vec<Record> = open(Format::Csv, csv.as_bytes(), m, &[], Limits::default()).unwrap().collect();
        let Record::Interaction(a) = &recs[0] else { panic!("{recs:?}") };
        assert_eq!((a.kind, a.occurred_at.unix_timestamp()), (Kind::Review, 1_770_114_600));
        assert!(matches!(&recs[1], Record::Bad(q) if q.reason.contains("`Date` is `yesterday`")));
    }

    #[test]
    fn a_bad_mapping_names_the_file_and_line() {
        let err = Mapping::parse("map.toml", "platform = \"x\"\n[fields]\nid = \"id\"\n").unwrap_err().to_string();
        assert!(err.starts_with("map.toml") && err.contains("text"), "{err}");
        let err = Mapping::parse("map.toml", "platform = \"Face Book\"\n[fields]\nid=\"a\"\ntext=\"b\"\nauthor=\"c\"\ntime=\"d\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("`platform`"), "{err}");
    }
}
