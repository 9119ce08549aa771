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
pub struct Twcs<R: Read> {
    rows: csv::Reader<R>,
    /// Column positions, in the order of [`COLUMNS`].
    at: [usize; 7],
    record: csv::ByteRecord,
}

impl<R: Read> Twcs<R> {
    /// Read the header; fails when a column is missing.
    pub fn new(input: R) -> Result<Self, FormatError> {
        let mut rows = csv::ReaderBuilder::new().flexible(true).from_reader(input);
        let header = rows.byte_headers().map_err(|e| FormatError::Header(e.to_string()))?.clone();
        let names: Vec<String> =
            header.iter().map(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}').to_lowercase()).collect();
        let mut at = [0usize; 7];
        for (k, col) in COLUMNS.iter().enumerate() {
            at[k] = names
                .iter()
                .position(|n| n == col)
                .ok_or_else(|| FormatError::MissingColumn { format: "twcs", column: (*col).to_owned() })?;
        }
        Ok(Self { rows, at, record: csv::ByteRecord::new() })
    }

    fn read(&self, line: u64) -> Record {
        let r = &self.record;
        let raw = || r.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>().join(",");
        let get = |k: usize| field_str(r, self.at[k], COLUMNS[k]);
        let parsed = (|| {
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
            Ok(Draft {
                line,
                platform: PLATFORM_X.to_owned(),
                external_id: id,
                kind,
                author,
                conversation_id: None,
                reply_to,
                occurred_at,
                text,
            })
        })();
        match parsed {
            Ok(d) => Record::Interaction(Box::new(d)),
            Err(reason) => Record::bad(line, reason, raw()),
        }
    }
}

impl<R: Read> Iterator for Twcs<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let mut record = std::mem::take(&mut self.record);
        let result = self.rows.read_byte_record(&mut record);
        self.record = record;
        match result {
            Ok(false) => None,
            Ok(true) => {
                let line = self.record.position().map_or(0, |p| p.line());
                Some(self.read(line))
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                Some(Record::bad(line, format!("not a CSV record: {e}"), String::new()))
            }
        }
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
    fn a_missing_column_is_an_error_for_the_whole_file() {
        let err = Twcs::new("tweet_id,author_id,text\n1,a,b\n".as_bytes()).err().unwrap();
        assert!(err.to_string().contains("`inbound`"), "{err}");
    }
}
