//! X API v2 tweet lookup and search responses: a `data` array of tweets
//! (or one tweet), their authors in `includes.users`, `conversation_id`,
//! `in_reply_to_user_id` and `referenced_tweets`. One response per line, or
//! a single (pretty-printed) document.
//!
//! Authors whose username is one of the brand's accounts are the brand;
//! everyone else is a customer, known by their account id and username.

use std::collections::HashMap;
use std::io::Read;

use candor_domain::Identifier;
use serde_json::Value;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::bounded::{oversize, raw_prefix, Limits, LineEnd, LineReader};
use super::{id_field, json_text, PLATFORM_X};
use crate::record::{check_text, Author, Draft, Kind, Record};

/// A streaming reader of X API v2 responses.
pub struct XV2<R: Read> {
    input: Option<LineReader<R>>,
    brands: Vec<String>,
    limits: Limits,
    pending: std::collections::VecDeque<Record>,
}

impl<R: Read> XV2<R> {
    /// Read responses from `input`; `brands` are the brand's usernames.
    pub fn new(input: R, brands: &[String]) -> Self {
        Self::with_limits(input, brands, Limits::default())
    }

    /// [`XV2::new`], with each response (a line, or the whole of a
    /// pretty-printed document) at most [`Limits::document_bytes`].
    pub fn with_limits(input: R, brands: &[String], limits: Limits) -> Self {
        Self {
            input: Some(LineReader::new(input, false)),
            brands: brands.iter().map(|b| b.trim_start_matches('@').to_lowercase()).collect(),
            limits,
            pending: Default::default(),
        }
    }
}

/// The records of one response starting at `line`.
fn response(brands: &[String], line: u64, doc: &Value) -> Vec<Record> {
    let users: HashMap<String, &Value> = doc
        .pointer("/includes/users")
        .and_then(Value::as_array)
        .map(|us| us.iter().filter_map(|u| Some((json_text(u.get("id")?)?, u))).collect())
        .unwrap_or_default();
    let tweets: Vec<&Value> = match doc.get("data") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(t @ Value::Object(_)) => vec![t],
        // A response with only `errors` (or nothing) has no tweets.
        _ => return Vec::new(),
    };
    tweets.into_iter().map(|t| tweet(brands, line, t, &users)).collect()
}

fn tweet(brands: &[String], line: u64, t: &Value, users: &HashMap<String, &Value>) -> Record {
    let parsed: Result<Draft, String> = (|| {
        let get = |name: &str| t.get(name).and_then(json_text).ok_or_else(|| format!("a tweet has no `{name}`"));
        let id = id_field(&get("id")?, "id")?;
        let text = get("text")?;
        check_text(&text)?;
        let author_id = id_field(&get("author_id")?, "author_id")?;
        let created = get("created_at")?;
        let occurred_at =
            OffsetDateTime::parse(&created, &Rfc3339).map_err(|_| format!("`created_at` is `{created}`, not an RFC 3339 time"))?;
        let user = users.get(&author_id);
        let username = user.and_then(|u| u.get("username")).and_then(json_text);
        let name = user.and_then(|u| u.get("name")).and_then(json_text);
        let reply_to = t
            .get("referenced_tweets")
            .and_then(Value::as_array)
            .and_then(|refs| refs.iter().find(|r| r.get("type").and_then(Value::as_str) == Some("replied_to")))
            .and_then(|r| r.get("id"))
            .and_then(json_text);
        let author = match &username {
            Some(u) if brands.contains(&u.to_lowercase()) => Author::Brand(u.to_lowercase()),
            _ => {
                let mut identifiers = vec![Identifier::account(PLATFORM_X, &author_id).map_err(|e| format!("`author_id`: {e}"))?];
                if let Some(u) = &username {
                    identifiers.push(Identifier::handle(PLATFORM_X, u).map_err(|e| format!("`username` of the author: {e}"))?);
                }
                Author::Customer { identifiers, name }
            }
        };
        let kind = if reply_to.is_some() { Kind::Reply } else { Kind::Mention };
        let conversation_id = t.get("conversation_id").and_then(json_text);
        Ok(Draft { line, platform: PLATFORM_X.to_owned(), external_id: id, kind, author, conversation_id, reply_to, occurred_at, text })
    })();
    match parsed {
        Ok(d) => Record::Interaction(Box::new(d)),
        Err(reason) => Record::bad(line, reason, t.to_string()),
    }
}

impl<R: Read> XV2<R> {
    fn fill(&mut self) {
        let Some(input) = self.input.as_mut() else { return };
        let max = self.limits.document_bytes;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match input.read_line(&mut buf, max) {
                Ok(LineEnd::Eof) => {
                    self.input = None;
                    return;
                }
                Ok(LineEnd::Line) => {}
                Ok(LineEnd::Oversize) => {
                    self.pending.push_back(Record::bad(input.line, oversize(max), raw_prefix(&buf)));
                    return;
                }
                Err(e) => {
                    let line = input.line + 1;
                    self.pending.push_back(Record::bad(line, format!("could not be read: {e}"), String::new()));
                    self.input = None;
                    return;
                }
            }
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = input.line;
            let Ok(text) = std::str::from_utf8(&buf) else {
                self.pending.push_back(Record::bad(line, "the line is not valid UTF-8", String::from_utf8_lossy(&buf)));
                return;
            };
            match serde_json::from_str::<Value>(text) {
                Ok(doc) => {
                    self.pending.extend(response(&self.brands, line, &doc));
                    if !self.pending.is_empty() {
                        return;
                    }
                }
                Err(e) if e.is_eof() => {
                    // A pretty-printed document: read the rest, within the
                    // bound, and parse it whole.
                    let mut rest = buf;
                    loop {
                        match input.read_line(&mut rest, max) {
                            Ok(LineEnd::Line) => continue,
                            Ok(LineEnd::Eof) => match serde_json::from_slice::<Value>(&rest) {
                                Ok(doc) => self.pending.extend(response(&self.brands, line, &doc)),
                                Err(e) => self.pending.push_back(Record::bad(
                                    line + e.line() as u64 - 1,
                                    format!("not JSON: {e}"),
                                    String::new(),
                                )),
                            },
                            Ok(LineEnd::Oversize) => self.pending.push_back(Record::bad(
                                line,
                                format!(
                                    "{}: the document starting here is larger than that; give one response a line, or raise `import.max_document_bytes`",
                                    oversize(max)
                                ),
                                raw_prefix(&rest),
                            )),
                            Err(e) => self.pending.push_back(Record::bad(line, format!("could not be read: {e}"), String::new())),
                        }
                        break;
                    }
                    self.input = None;
                    return;
                }
                Err(e) => {
                    self.pending.push_back(Record::bad(line, format!("not a JSON response: {e}"), text.trim_end()));
                    return;
                }
            }
        }
    }
}

impl<R: Read> Iterator for XV2<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        if self.pending.is_empty() {
            self.fill();
        }
        self.pending.pop_front()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESPONSE: &str = r#"{"data":[{"id":"20","text":"@NorthwindHelp my bag is lost","author_id":"7","created_at":"2026-03-01T10:00:00.000Z","conversation_id":"20"},{"id":"21","text":"@maria_g sorry! DM us","author_id":"99","created_at":"2026-03-01T10:05:00.000Z","conversation_id":"20","in_reply_to_user_id":"7","referenced_tweets":[{"type":"replied_to","id":"20"}]}],"includes":{"users":[{"id":"7","username":"Maria_G","name":"Maria G"},{"id":"99","username":"NorthwindHelp","name":"Northwind"}]}}"#;

    #[test]
    fn customers_brands_replies_and_conversations() {
        let recs: Vec<Record> = XV2::new(format!("{RESPONSE}\n{RESPONSE}\n").as_bytes(), &["@NorthwindHelp".into()]).collect();
        assert_eq!(recs.len(), 4);
        let Record::Interaction(a) = &recs[0] else { panic!() };
        let Author::Customer { identifiers, name } = &a.author else { panic!() };
        assert_eq!(identifiers.iter().map(|i| i.display()).collect::<Vec<_>>(), vec!["x:7", "x:@maria_g"]);
        assert_eq!(name.as_deref(), Some("Maria G"));
        assert_eq!((a.kind, a.conversation_id.as_deref()), (Kind::Mention, Some("20")));
        let Record::Interaction(b) = &recs[1] else { panic!() };
        assert_eq!((&b.author, b.kind, b.reply_to.as_deref()), (&Author::Brand("northwindhelp".into()), Kind::Reply, Some("20")));
        let Record::Interaction(c) = &recs[2] else { panic!() };
        assert_eq!(c.line, 2);
    }

    #[test]
    fn a_pretty_printed_document_and_bad_tweets() {
        let pretty = serde_json::to_string_pretty(&serde_json::from_str::<Value>(RESPONSE).unwrap()).unwrap();
        assert_eq!(XV2::new(pretty.as_bytes(), &[]).count(), 2);
        let bad = r#"{"data":[{"id":"1","author_id":"7","created_at":"2026-03-01T10:00:00Z"},{"id":"2","text":"x","author_id":"7","created_at":"March"}]}
not json
{"errors":[{"title":"Not Found Error"}]}"#;
        let recs: Vec<Record> = XV2::new(bad.as_bytes(), &[]).collect();
        let reasons: Vec<String> =
            recs.iter().map(|r| if let Record::Bad(q) = r { format!("{}: {}", q.line, q.reason) } else { "ok".into() }).collect();
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert!(reasons[0].starts_with("1: a tweet has no `text`"), "{reasons:?}");
        assert!(reasons[1].starts_with("1: `created_at` is `March`"), "{reasons:?}");
        assert!(reasons[2].starts_with("2: not a JSON response"), "{reasons:?}");
    }
}
