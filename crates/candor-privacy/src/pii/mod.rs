//! The PII engine: recognizers that find personal data in social-media text,
//! each match typed, located (byte and char offsets), scored and attributed
//! to the recognizer that found it.
//!
//! Speed comes from anchoring, not from running a pile of regular
//! expressions over every message: one `memchr` pass finds `@` (e-mail
//! addresses, handles), `memmem` finds `://` and `www.` (URLs), one byte
//! loop walks digit chunks and the letters before digits (cards, phones,
//! SSNs, IP addresses, IBANs, National Insurance numbers), and one walk over the
//! words, each looked up in a small hash table, finds the context cues, in
//! several languages, that names, addresses, dates of birth and order
//! references need. Candidates
//! are then validated (Luhn and issuer ranges, mod-97, numbering plans,
//! prefix rules) rather than accepted on shape.
//!
//! Overlapping candidates are resolved by score, then length.
//!
//! The work on a text is linear in its length, whatever the text: no
//! recognizer reads a stretch of text again for each of many places in it
//! (a long line, token or run of one character), and each walk moves on
//! at every turn. [`work`] counts the steps, and tests hold them to a
//! constant a byte on adversarial and random texts.

mod context;
mod dates;
pub mod eval;
mod numeric;
mod operators;
mod person;
mod phone;
pub mod recognizers;
mod structured;
mod text;
pub mod work;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use operators::{Numbering, Operator, Redactor};
#[doc(hidden)]
pub use person::train as person_training;
use recognizers::Selection;
pub use recognizers::{Recognizer, Stage, RECOGNIZERS};

/// Sentences a customer might write a phone number in (`{p}` stands for
/// it): several languages, the start and end of a line, after punctuation.
/// The engine's tests, and the importers', hold it to finding every phone
/// candor takes as an identifier in each.
pub const PHONE_FRAMES: &[&str] = &[
    "{p}",
    "{p} is my number",
    "please call me on {p}, thanks",
    "Bitte rufen Sie mich unter {p} an.",
    "Meine Nummer: {p}",
    "Mi número es el {p}. Gracias",
    "Llámame al {p} por favor",
    "Appelez-moi au {p} !",
    "Bonjour,\n{p}\nMerci",
    "(mobile {p})",
    "\"{p}\"",
    "call me,{p}",
    "tel:{p}",
];

/// What kind of personal data a span is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum EntityType {
    /// An e-mail address.
    Email,
    /// A phone number, international or national.
    Phone,
    /// A payment card number.
    CreditCard,
    /// An international bank account number.
    Iban,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A web address.
    Url,
    /// A social-media handle (`@name`).
    Handle,
    /// A US Social Security number.
    UsSsn,
    /// A UK National Insurance number.
    UkNino,
    /// A date of birth (a date said to be one).
    DateOfBirth,
    /// A person's name.
    Person,
    /// A postal address.
    Address,
    /// An order, booking or account reference.
    OrderId,
}

impl EntityType {
    /// Every type.
    pub const ALL: [EntityType; 13] = [
        Self::Email,
        Self::Phone,
        Self::CreditCard,
        Self::Iban,
        Self::IpAddress,
        Self::Url,
        Self::Handle,
        Self::UsSsn,
        Self::UkNino,
        Self::DateOfBirth,
        Self::Person,
        Self::Address,
        Self::OrderId,
    ];

    /// The name used in corpora and on the command line (`EMAIL`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::Phone => "PHONE",
            Self::CreditCard => "CREDIT_CARD",
            Self::Iban => "IBAN",
            Self::IpAddress => "IP_ADDRESS",
            Self::Url => "URL",
            Self::Handle => "HANDLE",
            Self::UsSsn => "US_SSN",
            Self::UkNino => "UK_NINO",
            Self::DateOfBirth => "DATE_OF_BIRTH",
            Self::Person => "PERSON",
            Self::Address => "ADDRESS",
            Self::OrderId => "ORDER_ID",
        }
    }

    /// Parse a name, case-insensitively.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str().eq_ignore_ascii_case(s))
    }

    /// Whether the type is found by structure and validation (as opposed
    /// to by context: names, addresses, dates of birth, order references).
    pub fn is_structured(self) -> bool {
        !matches!(self, Self::DateOfBirth | Self::Person | Self::Address | Self::OrderId)
    }
}

impl fmt::Display for EntityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One piece of personal data found in a text.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Span {
    /// What it is.
    #[serde(rename = "type")]
    pub entity: EntityType,
    /// Byte offset of its start.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// Char (Unicode scalar value) offset of its start.
    pub char_start: usize,
    /// Char offset just past its end.
    pub char_end: usize,
    /// Confidence in [0, 1].
    pub score: f32,
    /// Which recognizer found it.
    pub recognizer: &'static str,
}

impl Span {
    /// The covered text.
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.start..self.end).unwrap_or_default()
    }
}

/// A candidate before overlaps are resolved: byte offsets only.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Candidate {
    pub entity: EntityType,
    pub start: usize,
    pub end: usize,
    pub score: f32,
    pub recognizer: &'static str,
}

impl Candidate {
    pub(crate) fn new(entity: EntityType, start: usize, end: usize, score: f32, recognizer: &'static str) -> Self {
        Self { entity, start, end, score, recognizer }
    }
}

/// Candidates scored below this are dropped.
const MIN_SCORE: f32 = 0.5;

/// Up to this many candidates, overlaps are resolved by comparing each
/// with every one kept.
const FEW_CANDIDATES: usize = 32;

/// The engine. Build once (it compiles its keyword automaton), share freely.
#[derive(Debug)]
pub struct Analyzer {
    cues: context::Cues,
    phone: phone::PhoneRecognizer,
    person: &'static person::PersonRecognizer,
    /// The types reported and the stages run: all, unless [`Analyzer::only`].
    selection: Selection,
}

impl Default for Analyzer {
    fn default() -> Self {
        Self::new()
    }
}

impl Analyzer {
    /// An analyzer with every recognizer.
    pub fn new() -> Self {
        Self {
            cues: context::Cues::new(),
            phone: phone::PhoneRecognizer::default(),
            person: person::PersonRecognizer::shared(),
            selection: Selection::ALL,
        }
    }

    /// This analyzer, finding only spans of `types` and running only the
    /// stages ([`RECOGNIZERS`]) that find them. Overlaps are resolved among
    /// the candidates of the stages run, before the other types are
    /// dropped: a stage that does not run hides nothing, and within one
    /// that runs the engine decides as it always does (a card number is
    /// not reported as a phone when only phones are asked for).
    pub fn only(mut self, types: impl IntoIterator<Item = EntityType>) -> Self {
        self.selection = Selection::of(types);
        self
    }

    /// The stages [`Analyzer::analyze`] runs, in order.
    pub fn stages(&self) -> impl Iterator<Item = Stage> + '_ {
        Stage::ALL.into_iter().filter(|&s| self.selection.runs(s))
    }

    /// Find every piece of personal data in `text`, ordered by position,
    /// without overlaps.
    pub fn analyze(&self, text: &str) -> Vec<Span> {
        // Scratch space reused from message to message on each thread: at a
        // million messages a second, two allocations a message show.
        thread_local! {
            static SCRATCH: std::cell::Cell<(Vec<Candidate>, Vec<context::CueHit>)> = const { std::cell::Cell::new((Vec::new(), Vec::new())) };
        }
        let (mut cands, hits) = SCRATCH.take();
        cands.clear();
        let cues = self.cues.find_in(text, hits);
        let run = self.selection;
        if run.runs(Stage::EmailsAndHandles) && cues.has_at() {
            structured::emails_and_handles(text, &mut cands);
        }
        if run.runs(Stage::Urls) {
            structured::urls(text, &cues, &mut cands);
        }
        if run.runs(Stage::LetterAnchored) {
            structured::letter_anchored(text, &cues, &mut cands);
        }
        if run.runs(Stage::Numeric) {
            numeric::scan(text, &cues, &self.phone, &mut cands);
        }
        context::recognize(text, &cues, run, &mut cands);
        if run.runs(Stage::PersonModel) {
            self.person.recognize(text, &mut cands);
        }
        let mut spans = resolve(text, &mut cands, cues.is_ascii());
        if !run.is_all() {
            spans.retain(|s| run.wants(s.entity));
        }
        let mut hits = cues.into_vec();
        // A long document leaves its large buffers behind; a thread that
        // goes back to short messages should not hold them for ever.
        if cands.capacity() > SCRATCH_KEPT {
            cands = Vec::new();
        }
        if hits.capacity() > SCRATCH_KEPT {
            hits = Vec::new();
        }
        SCRATCH.set((cands, hits));
        spans
    }
}

/// The most entries a thread keeps in its scratch buffers between texts.
const SCRATCH_KEPT: usize = 4096;

impl Analyzer {
    /// Time spent in each stage over `texts`, each stage run over all
    /// texts in a loop of its own, for the benchmark's breakdown (not part
    /// of the stable interface).
    #[doc(hidden)]
    pub fn stage_times(&self, texts: &[String]) -> Vec<(&'static str, std::time::Duration)> {
        use std::time::Instant;
        let mut out = Vec::new();
        let s = Instant::now();
        let cues: Vec<context::CueHits> = texts.iter().map(|t| self.cues.find(t)).collect();
        out.push(("cues", s.elapsed()));
        let mut stage = |name: &'static str, f: &dyn Fn(&str, &context::CueHits, &mut Vec<Candidate>)| {
            let s = Instant::now();
            for (t, c) in texts.iter().zip(&cues) {
                let mut cands = Vec::new();
                f(t, c, &mut cands);
                std::hint::black_box(cands);
            }
            out.push((name, s.elapsed()));
        };
        stage("emails+handles", &|t, _, o| structured::emails_and_handles(t, o));
        stage("urls", &|t, c, o| structured::urls(t, c, o));
        stage("letter-anchored", &|t, c, o| structured::letter_anchored(t, c, o));
        stage("numeric", &|t, c, o| numeric::scan(t, c, &self.phone, o));
        stage("context", &|t, c, o| context::recognize(t, c, Selection::ALL, o));
        stage("person", &|t, _, o| self.person.recognize(t, o));
        let s = Instant::now();
        for (t, c) in texts.iter().zip(&cues) {
            let mut cands = Vec::new();
            structured::emails_and_handles(t, &mut cands);
            numeric::scan(t, c, &self.phone, &mut cands);
            context::recognize(t, c, Selection::ALL, &mut cands);
            std::hint::black_box(resolve(t, &mut cands, c.is_ascii()));
        }
        let resolve_and_more = s.elapsed();
        out.push(("(emails+numeric+context+resolve)", resolve_and_more));
        out
    }
}

/// Keep the best of overlapping candidates (score, then length, then the
/// earlier start), then compute char offsets in one pass.
fn resolve(text: &str, cands: &mut Vec<Candidate>, ascii: bool) -> Vec<Span> {
    if cands.is_empty() {
        return Vec::new();
    }
    work::step(cands.len());
    cands.retain(|c| c.score >= MIN_SCORE && c.start < c.end && text.is_char_boundary(c.start) && text.is_char_boundary(c.end));
    work::sort_steps(cands.len());
    cands.sort_by(|a, b| b.score.total_cmp(&a.score).then((b.end - b.start).cmp(&(a.end - a.start))).then(a.start.cmp(&b.start)));
    // Keep, in place, each candidate that overlaps none kept before it.
    // Messages have a few candidates, each compared with those kept; a text
    // with thousands would take time quadratic in them that way. There the
    // kept ones, which are apart, go into a map by start, where the only
    // one that can overlap a candidate is the last to start before its end.
    let mut kept = 0;
    if cands.len() <= FEW_CANDIDATES {
        for i in 0..cands.len() {
            let c = cands[i];
            work::step(kept + 1);
            if cands[..kept].iter().all(|k| c.end <= k.start || c.start >= k.end) {
                cands[kept] = c;
                kept += 1;
            }
        }
    } else {
        let mut by_start = std::collections::BTreeMap::new();
        for i in 0..cands.len() {
            let c = cands[i];
            work::step((usize::BITS - kept.leading_zeros()) as usize + 1);
            if by_start.range(..c.end).next_back().is_none_or(|(_, &end)| end <= c.start) {
                by_start.insert(c.start, c.end);
                cands[kept] = c;
                kept += 1;
            }
        }
    }
    cands.truncate(kept);
    work::sort_steps(cands.len());
    cands.sort_by_key(|c| c.start);
    let mut spans = Vec::with_capacity(cands.len());
    let (mut byte, mut chars) = (0usize, 0usize);
    let mut advance = |to: usize| {
        // In ASCII text a char is a byte.
        work::step(if ascii { 1 } else { to - byte + 1 });
        chars += if ascii { to - byte } else { text.get(byte..to).map_or(0, |s| s.chars().count()) };
        byte = to;
        chars
    };
    for c in cands.iter() {
        let char_start = advance(c.start);
        let char_end = advance(c.end);
        spans.push(Span { entity: c.entity, start: c.start, end: c.end, char_start, char_end, score: c.score, recognizer: c.recognizer });
    }
    spans
}

#[cfg(test)]
mod linear_work;
#[cfg(test)]
mod pattern_tests;
#[cfg(test)]
mod tests;
