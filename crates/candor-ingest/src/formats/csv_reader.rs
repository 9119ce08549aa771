//! The record adapter the three CSV formats share (twcs, mapped CSV, CRM
//! contacts): the header read once and its names handed to the format,
//! records read within bounds by [`CsvRecords`], and each one turned into
//! a [`Record`] by the format's [`CsvLayout`] or quarantined with its line,
//! the reason and its fields as read.

use std::io::Read;

use super::bounded::{CsvRecords, Limits, Step};
use super::FormatError;
use crate::record::Record;

/// What a CSV format knows of its rows, given its header.
pub(crate) trait CsvLayout {
    /// Whether `r`, a line read on its own, starts a record (the reader
    /// uses it to find where a record with an unclosed quote should have
    /// ended).
    fn starts_record(&self, r: &csv::ByteRecord) -> bool;

    /// The record `r`, which starts on `line`, or why it is bad.
    fn read(&self, r: &csv::ByteRecord, line: u64) -> Result<Record, String>;
}

/// A streaming reader of a CSV format's records.
pub(crate) struct CsvReader<R: Read, L> {
    rows: CsvRecords<R>,
    layout: L,
}

impl<R: Read, L: CsvLayout> CsvReader<R, L> {
    /// Read the header and make the format's layout from its names
    /// (trimmed, without a byte-order mark); fails when the header cannot
    /// be read or the layout refuses it.
    pub(crate) fn open(input: R, limits: Limits, layout: impl FnOnce(&[String]) -> Result<L, FormatError>) -> Result<Self, FormatError> {
        let mut rows = CsvRecords::new(input, limits);
        let header = rows.header()?;
        let names: Vec<String> =
            header.iter().map(|h| String::from_utf8_lossy(h).trim().trim_start_matches('\u{feff}').to_owned()).collect();
        Ok(Self { layout: layout(&names)?, rows })
    }
}

impl<R: Read, L: CsvLayout> Iterator for CsvReader<R, L> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        let layout = &self.layout;
        let line = match self.rows.next_record(&|r| layout.starts_record(r)) {
            Step::Record(line) => line,
            Step::Bad(bad) => return Some(bad),
            Step::End => return None,
        };
        let r = &self.rows.record;
        Some(layout.read(r, line).unwrap_or_else(|reason| Record::bad(line, reason, raw(r))))
    }
}

/// A record's fields joined with commas, as the quarantine keeps them.
pub(super) fn raw(r: &csv::ByteRecord) -> String {
    r.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect::<Vec<_>>().join(",")
}
