//! Reading lines and CSV records within bounds, so that memory stays flat
//! whatever the input: a record is read up to [`Limits::record_bytes`] and
//! the rest of an oversize one is consumed to its line end without being
//! kept (an export of `/dev/zero` holds one buffer, not the file).
//!
//! CSV records are assembled here from physical lines, tracking quotes the
//! way the `csv` crate does (a quote opens a field only at the field's
//! start; `""` inside is a quote), and only then split into fields. That is
//! what lets an unclosed quote be caught: a quoted field that runs onto a
//! line which on its own starts a record of the file's shape (a format
//! says what that is), or over more than [`Limits::field_lines`] line
//! breaks, was not closed. Its lines are quarantined, and the line it
//! swallowed is read again as the record it is, so a customer's message is
//! never stored as part of the one before.

use std::io::{BufRead, BufReader, ErrorKind, Read};

use crate::record::Record;

/// How much one record may hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of one record (a CSV record, all its lines; a JSON line).
    pub record_bytes: usize,
    /// Bytes of one X API v2 response, a line or a pretty-printed
    /// document: parsed whole, so it is held whole.
    pub document_bytes: usize,
    /// Line breaks one quoted CSV field may hold; more means its quote
    /// was not closed.
    pub field_lines: usize,
}

impl Default for Limits {
    /// 1 MiB a record: a 25,000-character post is at most 100 kB of UTF-8,
    /// 200 kB with every quote doubled. 16 MiB a response: X returns at
    /// most 100 tweets a page, well under 1 MB with their expansions, and
    /// the parsed document takes several times its size. 100 line breaks
    /// in a field: more than a real post carries.
    fn default() -> Self {
        Self { record_bytes: 1 << 20, document_bytes: 16 << 20, field_lines: 100 }
    }
}

/// How a line read ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LineEnd {
    /// No more input.
    Eof,
    /// A line, appended with its terminator (the last may have none).
    Line,
    /// The line passed the bound: what fit was appended, the rest read
    /// to the line's end and dropped.
    Oversize,
}

/// Physical lines of a byte stream, counted.
pub(crate) struct LineReader<R: Read> {
    input: BufReader<R>,
    /// Lines read so far: the number of the last one.
    pub(crate) line: u64,
    /// Whether a lone `\r` ends a line (CSV from old spreadsheet
    /// programs); JSON treats it as white space.
    cr_ends_line: bool,
}

impl<R: Read> LineReader<R> {
    pub(crate) fn new(input: R, cr_ends_line: bool) -> Self {
        Self { input: BufReader::with_capacity(1 << 16, input), line: 0, cr_ends_line }
    }

    /// Append the next line to `out`, keeping `out` at most `max` bytes
    /// long.
    pub(crate) fn read_line(&mut self, out: &mut Vec<u8>, max: usize) -> std::io::Result<LineEnd> {
        self.read_line_or_stop(out, max, false)
    }

    /// [`LineReader::read_line`]; with `stop`, an oversize line is not
    /// read to its end (there is nothing after it worth reading).
    fn read_line_or_stop(&mut self, out: &mut Vec<u8>, max: usize, stop: bool) -> std::io::Result<LineEnd> {
        let mut read_any = false;
        let mut over = false;
        let mut after_cr = false;
        loop {
            let buf = match self.input.fill_buf() {
                Ok(b) => b,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if buf.is_empty() {
                break;
            }
            if after_cr {
                // `\r\n` is one terminator, whichever buffer the `\n` is in.
                if buf[0] == b'\n' {
                    if out.len() < max {
                        out.push(b'\n');
                    }
                    self.input.consume(1);
                }
                break;
            }
            read_any = true;
            let found = if self.cr_ends_line { memchr::memchr2(b'\n', b'\r', buf) } else { memchr::memchr(b'\n', buf) };
            let (take, done) = match found {
                Some(i) if buf[i] == b'\n' => (i + 1, true),
                Some(i) => (i + 1, false),
                None => (buf.len(), false),
            };
            after_cr = found.is_some() && !done;
            let room = max.saturating_sub(out.len());
            if take > room {
                over = true;
            }
            out.extend_from_slice(&buf[..take.min(room)]);
            self.input.consume(take);
            if done || (over && stop) {
                break;
            }
        }
        if !read_any {
            return Ok(LineEnd::Eof);
        }
        self.line += 1;
        Ok(if over { LineEnd::Oversize } else { LineEnd::Line })
    }

    /// Bytes held in the read buffer (bounded by its capacity).
    #[cfg(test)]
    pub(crate) fn buffered_capacity(&self) -> usize {
        self.input.capacity()
    }
}

/// The reason given for a record past [`Limits::record_bytes`].
pub(crate) fn oversize(limit: usize) -> String {
    format!("oversize: more than {limit} bytes")
}

/// At most this much of a quarantined record is copied into the
/// quarantine file when the whole is too big to be useful there.
const RAW_PREFIX: usize = 512;

/// The start of `bytes`, as text, for the quarantine file.
pub(crate) fn raw_prefix(bytes: &[u8]) -> String {
    let cut = bytes.len().min(RAW_PREFIX);
    let mut s = String::from_utf8_lossy(&bytes[..cut]).into_owned();
    if cut < bytes.len() {
        s.push('…');
    }
    s
}

/// Where a CSV scan is within a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scan {
    /// At the start of a field.
    FieldStart,
    /// In an unquoted field (a quote here is text).
    Field,
    /// In a quoted field.
    Quoted,
    /// Just after a quote in a quoted field: `"` makes it an escaped quote.
    ClosingQuote,
}

/// What [`scan`] saw of a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Scanned {
    /// The state after the line.
    state: Scan,
    /// A quote opened in the line is still open at its end.
    opened: bool,
    /// A closing quote was followed by text rather than a delimiter or a
    /// line end (`"abc"def`): no CSV writer does that, so a quote closed
    /// there was closed by accident.
    stray: bool,
}

/// Scan `line` from `state`.
fn scan(mut state: Scan, line: &[u8]) -> Scanned {
    let mut opened = false;
    let mut stray = false;
    let mut i = 0;
    while i < line.len() {
        match state {
            Scan::Quoted => match memchr::memchr(b'"', &line[i..]) {
                Some(j) => {
                    i += j + 1;
                    state = Scan::ClosingQuote;
                }
                None => return Scanned { state: Scan::Quoted, opened, stray },
            },
            Scan::Field => match memchr::memchr3(b',', b'\n', b'\r', &line[i..]) {
                Some(j) => {
                    i += j + 1;
                    state = Scan::FieldStart;
                }
                None => return Scanned { state: Scan::Field, opened: false, stray },
            },
            Scan::FieldStart | Scan::ClosingQuote => {
                let b = line[i];
                i += 1;
                state = match (state, b) {
                    (Scan::FieldStart, b'"') => {
                        opened = true;
                        Scan::Quoted
                    }
                    (Scan::ClosingQuote, b'"') => Scan::Quoted,
                    (_, b',' | b'\n' | b'\r') => {
                        opened = false;
                        Scan::FieldStart
                    }
                    (closing, _) => {
                        stray |= closing == Scan::ClosingQuote;
                        opened = false;
                        Scan::Field
                    }
                };
            }
        }
    }
    Scanned { state, opened: opened && state == Scan::Quoted, stray }
}

/// What [`CsvRecords::next_record`] read.
pub(crate) enum Step {
    /// A record, starting on this line, is in [`CsvRecords::record`].
    Record(u64),
    /// A record that cannot be read, for the quarantine.
    Bad(Record),
    /// The end of the input.
    End,
}

/// CSV records of a byte stream, each within [`Limits`].
pub(crate) struct CsvRecords<R: Read> {
    lines: LineReader<R>,
    limits: Limits,
    /// The record being assembled, its lines with their terminators.
    buf: Vec<u8>,
    /// Set when `buf` already holds the header line, with its number.
    carried: Option<u64>,
    /// Lines read ahead past an unclosed quote and given back, to be read
    /// again (from `replay_at`) before the input: at most one record's
    /// bytes.
    replay: Vec<u8>,
    replay_at: usize,
    /// The number of the last line handed out.
    line: u64,
    /// Fields in the header: a record that closes its quotes with another
    /// number of fields was not read as its writer meant.
    width: usize,
    failed: bool,
    parser: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    /// The last record read.
    pub(crate) record: csv::ByteRecord,
    /// A line parsed on its own, to ask whether it starts a record.
    probe: csv::ByteRecord,
}

impl<R: Read> CsvRecords<R> {
    pub(crate) fn new(input: R, limits: Limits) -> Self {
        Self {
            lines: LineReader::new(input, true),
            limits,
            buf: Vec::new(),
            carried: None,
            replay: Vec::new(),
            replay_at: 0,
            line: 0,
            width: 0,
            failed: false,
            parser: csv_core::Reader::new(),
            out: Vec::new(),
            ends: vec![0; 16],
            record: csv::ByteRecord::new(),
            probe: csv::ByteRecord::new(),
        }
    }

    /// The header: the first record, or why there is none. A header past
    /// the bound ends the reading at once: the file is not what it claims.
    pub(crate) fn header(&mut self) -> Result<csv::ByteRecord, super::FormatError> {
        use super::FormatError::Header;
        self.buf.clear();
        loop {
            match self.lines.read_line_or_stop(&mut self.buf, self.limits.record_bytes, true) {
                Ok(LineEnd::Line) if self.buf.iter().all(|b| matches!(b, b'\n' | b'\r')) => self.buf.clear(),
                Ok(LineEnd::Line) => break,
                Ok(LineEnd::Eof) => return Err(Header("the file is empty".into())),
                Ok(LineEnd::Oversize) => return Err(Header(format!("line {}: {}", self.lines.line, oversize(self.limits.record_bytes)))),
                Err(e) => return Err(super::FormatError::Io(e)),
            }
        }
        self.line = self.lines.line;
        self.carried = Some(self.line);
        match self.next_record(&|_| false) {
            Step::Record(_) => {
                self.width = self.record.len();
                Ok(self.record.clone())
            }
            Step::Bad(Record::Bad(q)) => Err(Header(q.reason)),
            Step::Bad(_) | Step::End => Err(Header("the file is empty".into())),
        }
    }

    /// Bytes this reader holds on to, whatever it read: for tests of the
    /// bound.
    #[cfg(test)]
    pub(crate) fn retained(&self) -> usize {
        self.buf.capacity()
            + self.out.capacity()
            + self.lines.buffered_capacity()
            + self.record.as_slice().len()
            + self.probe.as_slice().len()
            + self.replay.capacity()
    }

    /// The next line, from what was given back first, appended to `buf`.
    fn next_line(&mut self, max: usize) -> std::io::Result<LineEnd> {
        if self.replay_at < self.replay.len() {
            let rest = &self.replay[self.replay_at..];
            let mut end = memchr::memchr2(b'\n', b'\r', rest).map_or(rest.len(), |i| i + 1);
            if rest.get(end - 1) == Some(&b'\r') && rest.get(end) == Some(&b'\n') {
                end += 1;
            }
            self.buf.extend_from_slice(&rest[..end]);
            self.replay_at += end;
            self.line += 1;
            return Ok(LineEnd::Line);
        }
        let read = self.lines.read_line(&mut self.buf, max)?;
        if read != LineEnd::Eof {
            self.line += 1;
        }
        Ok(read)
    }

    /// The next record. A quoted field is read to its closing quote, as
    /// any CSV reader does, within [`Limits`]; a quote that does not close
    /// within them, closes with text after it, or closes into a record
    /// with another number of fields than the header, was never closed as
    /// its writer meant. Then the
    /// record ends before the first line of the field that, parsed on its
    /// own, starts a record of this file (`starts_record` says): those
    /// lines are quarantined, and the rest is read again as what it is. A
    /// correctly quoted field may hold any text, lines that look like
    /// records included: they stay its text.
    pub(crate) fn next_record(&mut self, starts_record: &dyn Fn(&csv::ByteRecord) -> bool) -> Step {
        let max = self.limits.record_bytes;
        loop {
            if self.failed {
                return Step::End;
            }
            let first = match self.carried.take() {
                Some(line) => line,
                None => {
                    self.buf.clear();
                    match self.next_line(max) {
                        Ok(LineEnd::Eof) => return Step::End,
                        Ok(LineEnd::Line) => {}
                        Ok(LineEnd::Oversize) => {
                            let raw = raw_prefix(&self.buf);
                            return Step::Bad(Record::bad(self.line, oversize(max), raw));
                        }
                        Err(e) => return self.fail(e),
                    }
                    self.line
                }
            };
            if self.buf.iter().all(|b| matches!(b, b'\n' | b'\r')) {
                // Blank lines are no records (as the `csv` crate reads them).
                continue;
            }
            let Scanned { mut state, mut opened, mut stray } = scan(Scan::FieldStart, &self.buf);
            let mut quote_line = first;
            let mut breaks = 0usize;
            // The first line inside the open quote that starts a record.
            let mut restart: Option<(usize, u64)> = None;
            let mut why = None;
            while state == Scan::Quoted {
                if opened {
                    quote_line = self.line;
                }
                let at = self.buf.len();
                match self.next_line(max) {
                    Ok(LineEnd::Line) => {}
                    Ok(LineEnd::Eof) => {
                        why = Some(format!("the quote opened on line {quote_line} is never closed"));
                        break;
                    }
                    Ok(LineEnd::Oversize) => {
                        why = Some(oversize(max));
                        break;
                    }
                    Err(e) => return self.fail(e),
                }
                if restart.is_none() {
                    parse(&mut self.parser, &self.buf[at..], &mut self.out, &mut self.ends, &mut self.probe);
                    if starts_record(&self.probe) {
                        restart = Some((at, self.line));
                    }
                }
                breaks += 1;
                if breaks > self.limits.field_lines {
                    why = Some(format!(
                        "the quote opened on line {quote_line} runs over more than {} line breaks, so it is taken as never closed",
                        self.limits.field_lines
                    ));
                    break;
                }
                let next = scan(state, &self.buf[at..]);
                (state, opened, stray) = (next.state, next.opened, stray || next.stray);
            }
            if why.is_none() {
                parse(&mut self.parser, &self.buf, &mut self.out, &mut self.ends, &mut self.record);
                let as_meant = !stray && (self.width == 0 || self.record.len() == self.width);
                if as_meant || restart.is_none() {
                    return Step::Record(first);
                }
            }
            return self.give_back(first, quote_line, restart, why);
        }
    }

    /// Quarantine a record whose quote was not closed as meant: up to the
    /// line inside it that starts a record (`restart`), which is read
    /// again, or all of it.
    fn give_back(&mut self, first: u64, quote_line: u64, restart: Option<(usize, u64)>, why: Option<String>) -> Step {
        let Some((at, line)) = restart else {
            let last = self.line;
            let lines = if last > first { format!("lines {first}-{last}") } else { format!("line {first}") };
            let why = why.unwrap_or_else(|| format!("the quote opened on line {quote_line} does not close the record"));
            return Step::Bad(Record::bad(first, format!("{why} ({lines} quarantined)"), raw_prefix(&self.buf)));
        };
        let raw = raw_prefix(&self.buf[..at]);
        // What is left to replay goes after the lines given back now.
        let mut replay = self.buf.split_off(at);
        replay.extend_from_slice(&self.replay[self.replay_at..]);
        self.replay = replay;
        self.replay_at = 0;
        self.line = line - 1;
        let last = line - 1;
        let lines = if last > first { format!("lines {first}-{last}") } else { format!("line {first}") };
        let reason = format!(
            "the quote opened on line {quote_line} is not closed before line {line}, which starts a record of its own; {lines} quarantined"
        );
        Step::Bad(Record::bad(first, reason, raw))
    }

    fn fail(&mut self, e: std::io::Error) -> Step {
        // A reader that failed once is not read again: a persistent error
        // would otherwise yield bad records forever.
        self.failed = true;
        Step::Bad(Record::bad(self.line + 1, format!("could not be read: {e}"), String::new()))
    }
}

/// Split one record's bytes into `record`'s fields, as the `csv` crate
/// does (its reader, without allocating once the buffers are warm).
fn parse(parser: &mut csv_core::Reader, input: &[u8], out: &mut Vec<u8>, ends: &mut Vec<usize>, record: &mut csv::ByteRecord) {
    use csv_core::ReadRecordResult as R;
    record.clear();
    parser.reset();
    // Unquoting only shrinks a record.
    if out.len() < input.len() {
        out.resize(input.len(), 0);
    }
    let (mut nin, mut nout, mut nend) = (0, 0, 0);
    loop {
        let (res, i, o, e) = parser.read_record(&input[nin..], &mut out[nout..], &mut ends[nend..]);
        nin += i;
        nout += o;
        nend += e;
        match res {
            R::InputEmpty if nin >= input.len() => {
                // The end of the input ends the record.
                let (res, _, o, e) = parser.read_record(&[], &mut out[nout..], &mut ends[nend..]);
                nout += o;
                nend += e;
                if !matches!(res, R::OutputEndsFull) {
                    break;
                }
                ends.resize(ends.len() * 2, 0);
            }
            R::InputEmpty => {}
            R::OutputFull => out.resize(out.len() * 2 + 64, 0),
            R::OutputEndsFull => ends.resize(ends.len() * 2, 0),
            R::Record | R::End => break,
        }
    }
    let mut start = 0;
    for &end in &ends[..nend] {
        record.push_field(&out[start..end]);
        start = end;
    }
    let _ = nout;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: &csv::ByteRecord) -> Vec<String> {
        r.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect()
    }

    /// A record (line, fields) or a quarantined one (line, reason).
    type Got = Result<(u64, Vec<String>), (u64, String)>;

    fn all(input: &str, limits: Limits) -> Vec<Got> {
        let starts = |r: &csv::ByteRecord| r.get(0).is_some_and(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit)) && r.len() == 3;
        let mut rdr = CsvRecords::new(input.as_bytes(), limits);
        let mut v = Vec::new();
        loop {
            match rdr.next_record(&starts) {
                Step::Record(line) => v.push(Ok((line, fields(&rdr.record)))),
                Step::Bad(Record::Bad(q)) => v.push(Err((q.line, q.reason))),
                Step::Bad(_) => unreachable!(),
                Step::End => return v,
            }
        }
    }

    #[test]
    fn records_split_as_the_csv_crate_splits_them() {
        let input = "1,\"a, \"\"quoted\"\" b\",c\r\n\n2,x\"y,\"multi\nline\"\r3,,\n4,\"\",\"\"\"\"";
        let got = all(input, Limits::default());
        let ours: Vec<Vec<String>> = got.iter().map(|r| r.as_ref().unwrap().1.clone()).collect();
        let theirs: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input.as_bytes())
            .byte_records()
            .map(|r| fields(&r.unwrap()))
            .collect();
        assert_eq!(ours, theirs);
        let lines: Vec<u64> = got.iter().map(|r| r.as_ref().unwrap().0).collect();
        assert_eq!(lines, vec![1, 3, 5, 6]);
    }

    #[test]
    fn a_quote_left_open_gives_back_the_record_it_swallowed() {
        let input = "1,a,\"never closed\n2,b,\"a real\nsecond line\"\n3,c,\"ok\"\n";
        let got = all(input, Limits::default());
        assert_eq!(got.len(), 3, "{got:?}");
        let Err((1, reason)) = &got[0] else { panic!("{got:?}") };
        assert!(reason.contains("opened on line 1 is not closed before line 2"), "{reason}");
        assert_eq!(got[1], Ok((2, vec!["2".into(), "b".into(), "a real\nsecond line".into()])));
        assert_eq!(got[2], Ok((4, vec!["3".into(), "c".into(), "ok".into()])));
    }

    #[test]
    fn a_quote_over_too_many_lines_is_taken_as_unclosed() {
        let input = "1,a,\"x\ny\nz\nw\"\n2,b,c\n";
        let got = all(input, Limits { field_lines: 2, ..Limits::default() });
        assert!(matches!(&got[0], Err((1, r)) if r.contains("more than 2 line breaks")), "{got:?}");
        // The line after those quarantined is read afresh.
        assert_eq!(got.last().unwrap(), &Ok((5, vec!["2".into(), "b".into(), "c".into()])));
        assert_eq!(
            all(input, Limits { field_lines: 3, ..Limits::default() })[0],
            Ok((1, vec!["1".into(), "a".into(), "x\ny\nz\nw".into()]))
        );
    }

    #[test]
    fn an_endless_line_is_read_in_bounded_memory() {
        let limits = Limits { record_bytes: 64 << 10, ..Limits::default() };
        let consumed = std::cell::Cell::new(0u64);
        struct Count<'a, R>(R, &'a std::cell::Cell<u64>);
        impl<R: std::io::Read> std::io::Read for Count<'_, R> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.read(buf)?;
                self.1.set(self.1.get() + n as u64);
                Ok(n)
            }
        }
        let endless = std::io::repeat(b'0').take(1 << 30);
        let input = Count(b"1,a,b\n".chain(endless).chain(&b"\n2,c,d\n"[..]), &consumed);
        let mut rdr = CsvRecords::new(input, limits);
        let starts = |_: &csv::ByteRecord| false;
        assert!(matches!(rdr.next_record(&starts), Step::Record(1)));
        let Step::Bad(Record::Bad(q)) = rdr.next_record(&starts) else { panic!("the endless line is quarantined") };
        assert_eq!((q.line, q.reason.as_str()), (2, "oversize: more than 65536 bytes"));
        assert!(q.raw.len() < 1024);
        assert!(matches!(rdr.next_record(&starts), Step::Record(3)));
        assert_eq!(fields(&rdr.record), vec!["2", "c", "d"]);
        assert!(matches!(rdr.next_record(&starts), Step::End));
        assert!(consumed.get() > 1 << 30, "the whole gibibyte was read");
        assert!(rdr.retained() < 4 * (64 << 10) + (1 << 16), "held {} bytes", rdr.retained());
    }
}
