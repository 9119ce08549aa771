//! Property tests of every importer's record parser: arbitrary bytes, and
//! valid files mutated (bytes flipped, inserted and deleted, truncated,
//! lines duplicated, swapped and dropped). Whatever the input, a reader
//! does not panic, ends, and gives each record, good or bad, the line it
//! starts on; a bad record says why, and a file that cannot be read at all
//! is an error naming where (the header, a column, the first line).
//!
//! Inputs are a few kilobytes at most and the case counts modest, so the
//! suite stays quick on two cores; the bounds the readers keep (record and
//! document sizes) are set low so that inputs reach them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "a test crate: failures fail the test loudly")]

use candor_ingest::formats::mapped::Mapping;
use candor_ingest::formats::{self, Format, Limits};
use candor_ingest::Record;
use proptest::prelude::*;

const TWCS: &str = concat!(
    "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n",
    "1,115712,True,Tue Oct 31 22:10:47 +0000 2017,\"@sprintcare and how do you propose we do that, call 555?\",2,\n",
    "2,sprintcare,False,Tue Oct 31 22:11:45 +0000 2017,\"@115712 Please send us a private message ^AB\",\"3,4\",1.0\n",
    "3,115713,True,Tue Oct 31 22:12:45 +0000 2017,\"a text\nover \"\"two\"\" lines\",,2\n",
);

const XV2: &str = concat!(
    r#"{"data":[{"id":"20","text":"@NorthwindHelp my bag is lost","author_id":"7","created_at":"2026-03-01T10:00:00.000Z","conversation_id":"20"},{"id":"21","text":"@maria_g sorry! DM us","author_id":"99","created_at":"2026-03-01T10:05:00.000Z","conversation_id":"20","in_reply_to_user_id":"7","referenced_tweets":[{"type":"replied_to","id":"20"}]}],"includes":{"users":[{"id":"7","username":"Maria_G","name":"Maria G"},{"id":"99","username":"NorthwindHelp","name":"Northwind"}]}}"#,
    "\n{\n  \"data\": [\n    {\"id\": \"22\", \"text\": \"pretty\", \"author_id\": \"7\", \"created_at\": \"2026-03-01T11:00:00Z\"}\n  ]\n}\n",
);

const JSONL: &str = concat!(
    r#"{"id":"p1","message":"Where is my refund?","from":{"id":"42","name":"Ana"},"created_time":"2026-02-01T09:00:00Z"}"#,
    "\n",
    r#"{"id":"p2","message":"Looking into it","from":{"id":"1000"},"created_time":"2026-02-01T09:10:00Z","parent":{"id":"p1"}}"#,
    "\n",
);

const JSONL_MAPPING: &str = r#"
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

const CSV: &str =
    "Review ID,Body,User,Date,Kind\nr1,Great service,jo,03/02/2026 10:30,review\nr2,\"Meh, \"\"ok\"\"\",jo,04/02/2026 11:00,review\n";

const CSV_MAPPING: &str = "platform = \"trustpilot\"\n[fields]\nid = \"Review ID\"\ntext = \"Body\"\nauthor = \"User\"\ntime = \"Date\"\nkind = \"Kind\"\n[time]\nformat = \"[day]/[month]/[year] [hour]:[minute]\"\n";

const CONTACTS: &str =
    "Email Address,Mobile,Full Name,Customer ID,Twitter\nana@example.com,+44 7911 123456,Ana Lopez,C-1,@ana_l\nbob@example.com,,Bob,C-2,\n";

const DELETIONS: &str =
    "{\"delete\":{\"status\":{\"id\":\"1234\",\"user_id\":\"9\"}}}\n\n{\"delete\":{\"status\":{\"id\":99,\"id_str\":\"99\"}}}\n";

/// Every format with a valid sample and its mapping.
fn samples() -> Vec<(Format, &'static str, Option<Mapping>)> {
    vec![
        (Format::Twcs, TWCS, None),
        (Format::XV2, XV2, None),
        (Format::Jsonl, JSONL, Some(Mapping::parse("map.toml", JSONL_MAPPING).unwrap())),
        (Format::Csv, CSV, Some(Mapping::parse("map.toml", CSV_MAPPING).unwrap())),
        (Format::Contacts, CONTACTS, None),
        (Format::Deletions, DELETIONS, None),
    ]
}

/// Small bounds, so that generated inputs reach them.
const LIMITS: Limits = Limits { record_bytes: 512, document_bytes: 2048, field_lines: 8 };

/// One change to a file.
#[derive(Clone, Debug)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Truncate(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    DropLine(usize),
}

/// Bytes that mean something to CSV, JSON, TOML or UTF-8.
fn telling_byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(b"\",\n\r{}[]:=#\\ \t0\x00\xff\xc3\xa9\xe2".to_vec()),
        1 => any::<u8>(),
    ]
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), telling_byte()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (any::<usize>(), telling_byte()).prop_map(|(i, b)| Edit::Insert(i, b)),
        any::<usize>().prop_map(Edit::Delete),
        any::<usize>().prop_map(Edit::Truncate),
        any::<usize>().prop_map(Edit::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(i, j)| Edit::SwapLines(i, j)),
        any::<usize>().prop_map(Edit::DropLine),
    ]
}

/// `src` with `edits` applied, positions taken modulo its length.
fn apply(src: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = src.to_vec();
    for e in edits {
        let n = out.len().max(1);
        let mut lines: Vec<Vec<u8>> = out.split_inclusive(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        let l = lines.len().max(1);
        match *e {
            Edit::Flip(i, b) if !out.is_empty() => out[i % n] = b,
            Edit::Insert(i, b) => out.insert(i % (out.len() + 1), b),
            Edit::Delete(i) if !out.is_empty() => {
                out.remove(i % n);
            }
            Edit::Truncate(i) => out.truncate(i % (out.len() + 1)),
            Edit::DuplicateLine(i) if !lines.is_empty() => {
                let line = lines[i % l].clone();
                lines.insert(i % l, line);
                out = lines.concat();
            }
            Edit::SwapLines(i, j) if !lines.is_empty() => {
                lines.swap(i % l, j % l);
                out = lines.concat();
            }
            Edit::DropLine(i) if !lines.is_empty() => {
                lines.remove(i % l);
                out = lines.concat();
            }
            _ => {}
        }
    }
    out
}

/// Read `input` as `format`: every record has the line it starts on, in
/// the input; a bad one says why; the reader ends; a refused file is an
/// error that says where.
fn read_checked(format: Format, input: &[u8], mapping: Option<&Mapping>) {
    // A record starts on a line of the input, or just past its end (a read
    // error at the end of the stream).
    let lines = input.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 1;
    let records = match formats::open(format, std::io::Cursor::new(input.to_vec()), mapping, &[], LIMITS, None) {
        Ok(records) => records,
        Err(e) => {
            let message = e.to_string();
            assert!(
                ["header", "column", "first line", "line", "mapping"].iter().any(|w| message.contains(w)),
                "{format}: the error does not say where: {message}"
            );
            return;
        }
    };
    let mut count = 0u64;
    // Each record takes one line at least, but an X API response holds
    // many tweets: the bound is generous, and only there to stop a reader
    // that never ends.
    for r in records.take(input.len() * 4 + 16) {
        count += 1;
        let line = match &r {
            Record::Interaction(d) => d.line,
            Record::Contact(c) => c.line,
            Record::Deletion(d) => d.line,
            Record::Bad(q) => {
                assert!(!q.reason.trim().is_empty(), "{format}: a bad record without a reason on line {}", q.line);
                q.line
            }
        };
        assert!((1..=lines + 1).contains(&line), "{format}: record on line {line} of an input of {lines} lines: {r:?}");
    }
    assert!(count <= input.len() as u64 * 4 + 8, "{format}: {count} records from {} bytes: the reader does not end", input.len());
}

#[test]
fn the_samples_read_without_a_bad_record() {
    for (format, sample, mapping) in samples() {
        let records: Vec<Record> = formats::open(format, sample.as_bytes(), mapping.as_ref(), &[], LIMITS, None).unwrap().collect();
        assert!(!records.is_empty(), "{format}");
        assert!(!records.iter().any(|r| matches!(r, Record::Bad(_))), "{format}: {records:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_files_of_every_format_read_with_positions(edits in prop::collection::vec(edit(), 1..12), which in 0usize..6) {
        let (format, sample, mapping) = samples().swap_remove(which);
        read_checked(format, &apply(sample.as_bytes(), &edits), mapping.as_ref());
    }

    #[test]
    fn arbitrary_bytes_in_every_format_read_with_positions(bytes in prop::collection::vec(telling_byte(), 0..1024), which in 0usize..6) {
        let (format, _, mapping) = samples().swap_remove(which);
        read_checked(format, &bytes, mapping.as_ref());
    }

    #[test]
    fn a_valid_header_over_arbitrary_rows_reads_with_positions(rows in prop::collection::vec(telling_byte(), 0..1024), which in 0usize..6) {
        let (format, sample, mapping) = samples().swap_remove(which);
        let header = sample.lines().next().unwrap_or_default();
        let mut input = format!("{header}\n").into_bytes();
        input.extend_from_slice(&rows);
        read_checked(format, &input, mapping.as_ref());
    }

    #[test]
    fn a_mutated_mapping_is_refused_with_the_file_named(edits in prop::collection::vec(edit(), 1..8), csv in any::<bool>()) {
        let sample = if csv { CSV_MAPPING } else { JSONL_MAPPING };
        let text = String::from_utf8_lossy(&apply(sample.as_bytes(), &edits)).into_owned();
        if let Err(e) = Mapping::parse("map.toml", &text) {
            let message = e.to_string();
            prop_assert!(message.starts_with("map.toml"), "{}", message);
            prop_assert!(!message.rsplit(": ").next().unwrap_or_default().trim().is_empty(), "an empty reason: {}", message);
        }
    }

    #[test]
    fn guessing_the_format_of_any_bytes_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(e) = formats::guess(&bytes) {
            prop_assert!(e.to_string().contains("first line"), "{}", e);
        }
    }
}
