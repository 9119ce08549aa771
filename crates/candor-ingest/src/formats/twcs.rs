//! The public "Customer Support on Twitter" CSV: `tweet_id, author_id,
//! inbound, created_at, text, response_tweet_id, in_response_to_tweet_id`.
//!
//! `inbound` is `True` for customers and `False` for brand accounts, which
//! become the brand side of conversations, not subjects. `created_at` reads
//! like `Tue Oct 31 22:10:47 +0000 2017`. Reply links point backwards
//! (`in_response_to_tweet_id`, written as a float such as `119237.0` in the
//! published file) and forwards (`response_tweet_id`, perhaps several ids
//! separated by commas); conversations are rebuilt from the backward links.
//! Customers' `author_id`s are the (anonymized) screen names the brands'
//! replies @mention, so they are read as X handles.

use std::io::Read;

use candor_domain::Identifier;
use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

use super::bounded::Limits;
use super::csv_reader::{CsvLayout, CsvReader};
use super::{field_str, id_field, FormatError, PLATFORM_X};
use crate::record::{check_text, Author, Draft, Kind, Record};

const COLUMNS: [&str; 7] = ["tweet_id", "author_id", "inbound", "created_at", "text", "response_tweet_id", "in_response_to_tweet_id"];

const CREATED_AT: &[BorrowedFormatItem<'static>] = format_description!(
    "[weekday repr:short] [month repr:short] [day] [hour]:[minute]:[second] [offset_hour sign:mandatory][offset_minute] [year]"
);

/// Parse a twcs timestamp.
pub fn parse_created_at(s: &str) -> Option<OffsetDateTime> {
    OffsetDateTime::parse(s.trim(), CREATED_AT).ok()
}

/// A streaming reader of twcs records.
pub struct Twcs<R: Read>(CsvReader<R, Columns>);

/// Column positions, in the order of [`COLUMNS`].
struct Columns([usize; 7]);

/// Whether `r`, a line read on its own, starts a twcs record: a numeric
/// `tweet_id`, an author, `inbound` and a valid `created_at` (the fields
/// before the text, which may run on over more lines).
fn starts_record(at: &[usize; 7], r: &csv::ByteRecord) -> bool {
    let get = |k: usize| r.get(at[k]).and_then(|f| std::str::from_utf8(f).ok()).map(str::trim);
    get(0).is_some_and(|id| !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_digit()))
        && get(1).is_some_and(|a| !a.is_empty())
        && get(2).is_some_and(|i| ["true", "false", "1", "0"].iter().any(|v| i.eq_ignore_ascii_case(v)))
        && get(3).and_then(parse_created_at).is_some()
}

impl<R: Read> Twcs<R> {
    /// Read the header; fails when a column is missing.
    pub fn new(input: R) -> Result<Self, FormatError> {
        Self::with_limits(input, Limits::default())
    }

    /// [`Twcs::new`], with records bounded by `limits`.
    pub fn with_limits(input: R, limits: Limits) -> Result<Self, FormatError> {
        CsvReader::open(input, limits, |names| {
            let mut at = [0usize; 7];
            for (k, col) in COLUMNS.iter().enumerate() {
                at[k] = names
                    .iter()
                    .position(|n| n.to_lowercase() == *col)
                    .ok_or_else(|| FormatError::MissingColumn { format: "twcs", column: (*col).to_owned() })?;
            }
            Ok(Columns(at))
        })
        .map(Self)
    }
}

impl CsvLayout for Columns {
    fn starts_record(&self, r: &csv::ByteRecord) -> bool {
        starts_record(&self.0, r)
    }

    fn read(&self, r: &csv::ByteRecord, line: u64) -> Result<Record, String> {
        let get = |k: usize| field_str(r, self.0[k], COLUMNS[k]);
        let id = id_field(get(0)?, "tweet_id")?;
        let author = get(1)?.trim().to_owned();
        if author.is_empty() {
            return Err("`author_id` is empty".to_owned());
        }
        let inbound = match get(2)?.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => true,
            "false" | "0" => false,
            other => return Err(format!("`inbound` is `{other}`, not True or False")),
        };
        let created = get(3)?;
        let occurred_at = parse_created_at(created)
            .ok_or_else(|| format!("`created_at` is `{}`, not like `Tue Oct 31 22:10:47 +0000 2017`", created.trim()))?;
        let text = get(4)?.to_owned();
        check_text(&text)?;
        let reply_to = match get(6)?.trim() {
            "" => None,
            s => Some(id_field(s.strip_suffix(".0").unwrap_or(s), "in_response_to_tweet_id")?),
        };
        let author = if inbound {
            let handle = Identifier::handle(PLATFORM_X, &author).map_err(|e| format!("`author_id`: {e}"))?;
            Author::Customer { identifiers: vec![handle], name: None }
        } else {
            Author::Brand(author.trim_start_matches('@').to_lowercase())
        };
        let kind = if inbound && reply_to.is_none() { Kind::Mention } else { Kind::Reply };
        Ok(Record::Interaction(Box::new(Draft {
            line,
            platform: PLATFORM_X.to_owned(),
            external_id: id,
            kind,
            author,
            conversation_id: None,
            reply_to,
            occurred_at,
            text,
        })))
    }
}

impl<R: Read> Iterator for Twcs<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        self.0.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";

    fn read(body: &str) -> Vec<Record> {
        Twcs::new(format!("{HEAD}{body}").as_bytes()).unwrap().collect()
    }

    #[test]
    fn customers_brands_and_reply_links() {
        let recs = read(concat!(
            "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,\"@sprintcare and how do you propose we do that, call 555?\",2,\n",
            "2,sprintcare,False,Tue Oct 31 22:11:45 +0000 2017,\"@115712 Please send us a private message ^AB\",\"3,4\",1.0\n",
        ));
        let [Record::Interaction(a), Record::Interaction(b)] = recs.as_slice() else { panic!("{recs:?}") };
        assert_eq!((a.external_id.as_str(), a.kind, a.reply_to.as_deref(), a.line), ("1", Kind::Mention, None, 2));
        assert!(matches!(&a.author, Author::Customer { identifiers, .. } if identifiers[0].display() == "x:@115712"));
        assert_eq!(a.text, "@sprintcare and how do you propose we do that, call 555?");
        assert_eq!((b.kind, b.reply_to.as_deref(), &b.author), (Kind::Reply, Some("1"), &Author::Brand("sprintcare".into())));
        assert_eq!(b.occurred_at.unix_timestamp(), 1_509_487_905);
    }

    #[test]
    fn bad_rows_are_quarantined_with_their_line_and_field() {
        let recs = read(concat!(
            "1,a,True,yesterday,hi,,\n",
            ",a,True,Tue Oct 31 22:10:47 +0000 2017,hi,,\n",
            "3,a,Maybe,Tue Oct 31 22:10:47 +0000 2017,hi,,\n",
            "4,a,True,Tue Oct 31 22:10:47 +0000 2017,,,\n",
            "5,a,True,Tue Oct 31 22:10:47 +0000 2017,\"multi\nline ok\",,\n",
            "6,a,True\n",
        ));
        let reasons: Vec<(u64, String)> = recs
            .iter()
            .map(|r| match r {
                Record::Bad(q) => (q.line, q.reason.clone()),
                Record::Interaction(d) => (d.line, format!("ok {}", d.text)),
                other => panic!("{other:?}"),
            })
            .collect();
        assert!(reasons[0].1.contains("`created_at` is `yesterday`"), "{reasons:?}");
        assert!(reasons[1].1.contains("`tweet_id` is empty"), "{reasons:?}");
        assert!(reasons[2].1.contains("`inbound` is `maybe`"), "{reasons:?}");
        assert!(reasons[3].1.contains("`text` is empty"), "{reasons:?}");
        assert_eq!(reasons[4], (6, "ok multi\nline ok".into()));
        assert_eq!(reasons[5].0, 8, "line numbers count the multi-line record");
        assert!(reasons[5].1.contains("has no `created_at`"), "{reasons:?}");
    }

    #[test]
    fn invalid_utf8_names_its_field() {
        let mut bytes = HEAD.as_bytes().to_vec();
        bytes.extend_from_slice(b"9,a,True,Tue Oct 31 22:10:47 +0000 2017,caf\xe9,,\n");
        let recs: Vec<Record> = Twcs::new(&bytes[..]).unwrap().collect();
        let Record::Bad(q) = &recs[0] else { panic!("{recs:?}") };
        assert_eq!(q.line, 2);
        assert!(q.reason.contains("`text` is not valid UTF-8"), "{}", q.reason);
    }

    #[test]
    fn an_unclosed_quote_never_gives_one_customers_message_to_another() {
        let recs = read(concat!(
            "1,200001,True,Tue Oct 31 22:10:47 +0000 2017,\"@sprintcare my bill is wrong,,\n",
            "2,200002,True,Tue Oct 31 22:11:47 +0000 2017,\"@sprintcare please cancel my line\",,\n",
            "3,200003,True,Tue Oct 31 22:12:47 +0000 2017,\"a real\nmulti-line tweet\",,\n",
        ));
        let [Record::Bad(q), Record::Interaction(b), Record::Interaction(c)] = recs.as_slice() else { panic!("{recs:?}") };
        assert_eq!(q.line, 2);
        assert!(q.reason.contains("quote opened on line 2 is not closed before line 3"), "{}", q.reason);
        assert!(q.raw.contains("my bill is wrong") && !q.raw.contains("cancel"), "{}", q.raw);
        assert_eq!((b.line, b.external_id.as_str(), b.text.as_str()), (3, "2", "@sprintcare please cancel my line"));
        assert!(matches!(&b.author, Author::Customer { identifiers, .. } if identifiers[0].display() == "x:@200002"));
        assert_eq!((c.line, c.text.as_str()), (4, "a real\nmulti-line tweet"));
    }

    #[test]
    fn a_quoted_text_that_holds_a_line_shaped_like_a_record_stays_its_authors_text() {
        // A customer may write anything, the shape of a record included; a
        // correctly quoted field keeps it as text, never as a record of
        // another customer's.
        let forged = "999,200009,True,Tue Oct 31 22:10:47 +0000 2017,I am someone else,,";
        let recs = read(&format!(
            "1,200001,True,Tue Oct 31 22:10:47 +0000 2017,\"hi\n{forged}\nbye \"\"quoted\"\"\",,\n2,200002,True,Tue Oct 31 22:11:47 +0000 2017,next,,\n"
        ));
        let [Record::Interaction(a), Record::Interaction(b)] = recs.as_slice() else { panic!("{recs:?}") };
        assert_eq!((a.line, a.external_id.as_str()), (2, "1"));
        assert_eq!(a.text, format!("hi\n{forged}\nbye \"quoted\""));
        assert!(matches!(&a.author, Author::Customer { identifiers, .. } if identifiers[0].display() == "x:@200001"));
        assert_eq!((b.line, b.external_id.as_str()), (5, "2"));
    }

    #[test]
    fn a_five_megabyte_line_is_quarantined_alone_and_the_lines_after_it_keep_their_numbers() {
        let mut body = String::from("1,a,True,Tue Oct 31 22:10:47 +0000 2017,before,,\n");
        body.push_str("2,b,True,Tue Oct 31 22:10:47 +0000 2017,\"");
        body.push_str(&"x".repeat(5 << 20));
        body.push_str("\",,\n3,c,True,Tue Oct 31 22:10:47 +0000 2017,after,,\n");
        let recs = read(&body);
        let got: Vec<(u64, String)> = recs
            .iter()
            .map(|r| match r {
                Record::Bad(q) => (q.line, q.reason.clone()),
                Record::Interaction(d) => (d.line, d.text.clone()),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(got, vec![(2, "before".into()), (3, "oversize: more than 1048576 bytes".into()), (4, "after".into())]);
    }

    #[test]
    fn a_missing_column_is_an_error_for_the_whole_file() {
        let err = Twcs::new("tweet_id,author_id,text\n1,a,b\n".as_bytes()).err().unwrap();
        assert!(err.to_string().contains("`inbound`"), "{err}");
    }
}
