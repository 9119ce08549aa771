//! Platform deletion notices, one JSON object a line, as X's compliance
//! stream sends them: `{"delete":{"status":{"id":"…","user_id":"…"}}}`.
//! Platform terms require the item, and everything derived from it, to go.

use std::io::Read;

use serde_json::Value;

use super::bounded::Limits;
use super::{id_field, json_text, Lines, PLATFORM_X};
use crate::record::{Deletion, Record};

/// A streaming reader of deletion notices.
pub struct Deletions<R: Read> {
    lines: Lines<R>,
}

impl<R: Read> Deletions<R> {
    /// Read notices from `input`.
    pub fn new(input: R) -> Self {
        Self::with_limits(input, Limits::default())
    }

    /// [`Deletions::new`], with lines bounded by `limits`.
    pub fn with_limits(input: R, limits: Limits) -> Self {
        Self { lines: Lines::new(input, limits.record_bytes) }
    }
}

fn notice(line: u64, text: &str) -> Record {
    let parsed = serde_json::from_str::<Value>(text).map_err(|e| format!("not JSON: {e}")).and_then(|v| {
        let status = v.pointer("/delete/status").ok_or("not a deletion notice (no `delete.status`)")?;
        // v1.1 notices carry the id as a number and as `id_str`.
        let id = status.get("id_str").or_else(|| status.get("id")).and_then(json_text).ok_or("the notice has no `delete.status.id`")?;
        id_field(&id, "delete.status.id")
    });
    match parsed {
        Ok(external_id) => Record::Deletion(Deletion { line, platform: PLATFORM_X.to_owned(), external_id }),
        Err(reason) => Record::bad(line, reason, text),
    }
}

impl<R: Read> Iterator for Deletions<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let (line, text) = self.lines.next()?;
        Some(match text {
            Ok(text) => notice(line, &text),
            Err(bad) => bad,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_in_both_shapes_and_bad_lines() {
        let input = "{\"delete\":{\"status\":{\"id\":\"1234\",\"user_id\":\"9\"}}}\n\n{\"delete\":{\"status\":{\"id\":99,\"id_str\":\"99\"}}}\n{\"hello\":1}\n";
        let recs: Vec<Record> = Deletions::new(input.as_bytes()).collect();
        assert!(matches!(&recs[0], Record::Deletion(d) if d.external_id == "1234" && d.line == 1));
        assert!(matches!(&recs[1], Record::Deletion(d) if d.external_id == "99" && d.line == 3));
        assert!(matches!(&recs[2], Record::Bad(q) if q.line == 4 && q.reason.contains("delete.status")));
    }
}
