//! Recognizers anchored on digits. The text is walked once; each run of
//! digits joined by single separators (space, `-`, `.`, `/`, brackets) is a
//! chunk, tried as an IPv4 address, a Social Security number, a payment
//! card, and a phone number, in that order. A chunk that is none of these
//! is tried again split at its spaces (`call 0412 967 692 2024`), unless
//! it is grouped as a card is (`2221 0012 3412 3456` is a mistyped card,
//! not a phone number after a `0012`). Dates
//! are recognized only to be left alone here: a date is personal data only
//! as a date of birth, which the context recognizer decides.
//!
//! IPv6 addresses, anchored on `:`, live here too.

use std::net::Ipv6Addr;

use candor_domain::PhoneShape;
use memchr::memchr_iter;

use super::context::{Cue, CueHits};
use super::dates::is_numeric_date;
use super::phone::PhoneRecognizer;
use super::text::{boundary_after, char_before, lower_ascii, skip_blanks, word_end};
use super::work::step;
use super::{Candidate, EntityType as E};

/// Digit groups a number may have (`+1 (201) 555 0123 44` is six).
const MAX_GROUPS: usize = 10;

/// How far before a chunk (in bytes) a cue still counts.
const CUE_WINDOW: usize = 48;

/// A chunk: digit groups and what separates them.
struct Chunk {
    start: usize,
    /// Byte ranges of the digit groups.
    groups: Vec<(usize, usize)>,
}

fn is_sep(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'/' | b'(' | b')')
}

/// Read the chunk starting at `i` (a digit, or `+`/`(` before a digit).
fn chunk_at(b: &[u8], i: usize) -> Chunk {
    let mut groups = Vec::with_capacity(6);
    let mut j = i;
    while j < b.len() && !b[j].is_ascii_digit() {
        j += 1;
    }
    step(j - i + 1);
    loop {
        let g = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        step(j - g + 1);
        groups.push((g, j));
        // A separator run: at most two characters, at most one space.
        let mut k = j;
        let mut spaces = 0;
        while k < b.len() && k - j < 2 && is_sep(b[k]) {
            spaces += usize::from(b[k] == b' ');
            k += 1;
        }
        if k > j && spaces <= 1 && k < b.len() && b[k].is_ascii_digit() {
            j = k;
        } else {
            // A closing bracket right after digits belongs to the chunk.
            return Chunk { start: i, groups };
        }
    }
}

fn luhn(digits: &[u8]) -> bool {
    let mut sum = 0u32;
    for (i, d) in digits.iter().rev().enumerate() {
        let mut v = u32::from(*d);
        if i % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Card lengths as a bit set: bit `n` stands for `n` digits.
const fn lengths(from: u32, to: u32) -> u32 {
    (u32::MAX >> (31 - to)) & !((1 << from) - 1)
}

/// The issuer identification number ranges of the card schemes, and the
/// lengths each issues: `(first, last, digits of the prefix, lengths)`.
/// From the schemes' published ranges (ISO/IEC 7812 register as the
/// schemes publish it): Visa, Mastercard (51–55 and 2221–2720), American
/// Express, Discover, JCB (3528–3589, and the 15-digit 1800 and 2131),
/// Diners Club, UnionPay, Maestro (12 to 19 digits), Mir, RuPay, Troy,
/// UATP, Verve, Elo, InterPayment, Laser, Solo, Dankort.
const SCHEMES: &[(u32, u32, usize, u32)] = &[
    // Visa (Electron and V Pay included).
    (4, 4, 1, 1 << 13 | 1 << 16 | 1 << 19),
    // Mastercard.
    (51, 55, 2, 1 << 16),
    (2221, 2720, 4, 1 << 16),
    // American Express.
    (34, 34, 2, 1 << 15),
    (37, 37, 2, 1 << 15),
    // Discover and its partners.
    (6011, 6011, 4, lengths(16, 19)),
    (644, 649, 3, lengths(16, 19)),
    (65, 65, 2, lengths(16, 19)),
    // JCB.
    (3528, 3589, 4, lengths(16, 19)),
    (1800, 1800, 4, 1 << 15),
    (2131, 2131, 4, 1 << 15),
    // Diners Club (Carte Blanche, International).
    (300, 305, 3, lengths(14, 19)),
    (3095, 3095, 4, lengths(14, 19)),
    (36, 36, 2, lengths(14, 19)),
    (38, 39, 2, lengths(14, 19)),
    // UnionPay.
    (62, 62, 2, lengths(16, 19)),
    (81, 81, 2, lengths(16, 19)),
    // Maestro.
    (50, 50, 2, lengths(12, 19)),
    (56, 58, 2, lengths(12, 19)),
    (6304, 6304, 4, lengths(12, 19)),
    (67, 67, 2, lengths(12, 19)),
    // Mir and BORICA.
    (2200, 2205, 4, lengths(16, 19)),
    // RuPay.
    (60, 60, 2, lengths(16, 19)),
    (82, 82, 2, 1 << 16),
    (353, 353, 3, 1 << 16),
    (356, 356, 3, 1 << 16),
    (508, 508, 3, 1 << 16),
    // InterPayment, InstaPayment, Solo and Switch.
    (633, 639, 3, lengths(16, 19)),
    // Troy.
    (9792, 9792, 4, 1 << 16),
    // UATP.
    (1, 1, 1, 1 << 15),
];

/// Whether the issuer identification number and length belong to a card
/// scheme ([`SCHEMES`]).
fn issuer_ok(d: &[u8]) -> bool {
    let len = d.len();
    len < 32
        && SCHEMES.iter().any(|&(first, last, prefix, lens)| {
            step(1);
            len > prefix && lens >> len & 1 == 1 && (first..=last).contains(&number(&d[..prefix]))
        })
}

/// Whether digit groups of these lengths are written as a card is:
/// groups of four (the last may be shorter), or American Express's and
/// Diners Club's 4-6-5 and 4-6-4.
fn card_grouping(lens: &[usize]) -> bool {
    match lens {
        [4, 6, 4 | 5] => true,
        [first @ .., last] => first.len() >= 2 && first.iter().all(|&l| l == 4) && (1..=4).contains(last),
        [] => false,
    }
}

fn ssn_valid(area: u32, group: u32, serial: u32) -> bool {
    area != 0 && area != 666 && area < 900 && group != 0 && serial != 0
}

struct Ctx<'a> {
    text: &'a str,
    cues: &'a CueHits,
    phone: &'a PhoneRecognizer,
}

impl Ctx<'_> {
    fn cue(&self, pos: usize, cue: Cue) -> bool {
        self.cues.before(pos, CUE_WINDOW, cue)
    }

    /// What groups `from..=to` of the chunk are, if anything.
    fn classify(&self, c: &Chunk, from: usize, to: usize) -> Option<Candidate> {
        let groups = &c.groups[from..=to];
        if groups.len() > MAX_GROUPS {
            return None;
        }
        let b = self.text.as_bytes();
        let (mut start, end) = (c.groups[from].0, c.groups[to].1);
        if from == 0 {
            start = c.start;
        }
        step(1);
        // `(708-97-8018)`: a bracket the number does not close is punctuation.
        if b[start] == b'(' && {
            step(end - start);
            !b[start..end].contains(&b')')
        } {
            start += 1;
        }
        // A closing bracket with no opening one is not ours.
        if b[start] == b')' {
            return None;
        }
        // On the stack: this runs for every digit chunk of every message.
        let mut seps_buf: [&[u8]; MAX_GROUPS] = [&[]; MAX_GROUPS];
        let mut lens_buf = [0usize; MAX_GROUPS];
        let mut digits_buf = [0u8; 40];
        let mut nd = 0;
        for (k, &(s, e)) in groups.iter().enumerate() {
            lens_buf[k] = e - s;
            if k > 0 {
                seps_buf[k - 1] = &b[groups[k - 1].1..s];
            }
            for d in &b[s..e] {
                step(1);
                if nd == digits_buf.len() {
                    return None;
                }
                digits_buf[nd] = d - b'0';
                nd += 1;
            }
        }
        let seps = &seps_buf[..groups.len() - 1];
        let lens = &lens_buf[..groups.len()];
        let digits = &digits_buf[..nd];
        let raw = self.text.get(start..end)?;
        let same_sep = seps.windows(2).all(|w| w[0] == w[1]);
        let plain = !raw.starts_with('+') && !raw.starts_with('(');

        if plain && groups.len() == 4 && seps.iter().all(|s| *s == b".") {
            let octets_ok = groups.iter().all(|&(s, e)| {
                let g = &b[s..e];
                g.len() <= 3
                    && (g.len() == 1 || g[0] != b'0')
                    && self.text.get(s..e).and_then(|t| t.parse::<u16>().ok()).is_some_and(|v| v <= 255)
            });
            // `firmware 3.10.4.1` is a version, not an address.
            let version = self.cues.before(start, 16, Cue::Version) && !self.cue(start, Cue::Ip);
            if octets_ok && !version {
                return Some(Candidate::new(E::IpAddress, start, end, if self.cue(start, Cue::Ip) { 1.0 } else { 0.95 }, "ipv4"));
            }
            // Four dotted groups are a version or nothing, unless written
            // as a phone (`01.23.45.6789`), which is tried as one below.
            if version || !PhoneShape::parse(raw).is_some_and(|p| p.written_as_phone()) {
                return None;
            }
        }
        let dashed_ssn = lens == [3, 2, 4] && same_sep && (seps[0] == b"-" || seps[0] == b" " && self.cue(start, Cue::Ssn));
        let bare_ssn = lens == [9] && self.cue(start, Cue::Ssn);
        if plain && (dashed_ssn || bare_ssn) && ssn_valid(number(&digits[..3]), number(&digits[3..5]), number(&digits[5..])) {
            let score = match (bare_ssn, self.cue(start, Cue::Ssn)) {
                (true, _) => 0.85,
                (false, true) => 1.0,
                (false, false) => 0.9,
            };
            return Some(Candidate::new(E::UsSsn, start, end, score, "us_ssn"));
        }
        let card_seps = seps.iter().all(|s| *s == b" " || *s == b"-");
        if plain && (12..=19).contains(&digits.len()) && card_seps && luhn(digits) {
            let card_cue = self.cue(start, Cue::Card);
            if issuer_ok(digits) {
                // Twelve digits are a Maestro card less surely than they
                // are a reference after an order cue.
                let score = match (card_cue, digits.len()) {
                    (true, _) => 1.0,
                    (false, 12) => 0.85,
                    (false, _) => 0.95,
                };
                return Some(Candidate::new(E::CreditCard, start, end, score, "credit_card"));
            }
            if card_cue {
                return Some(Candidate::new(E::CreditCard, start, end, 0.6, "credit_card"));
            }
        }
        if plain && is_numeric_date(raw) {
            return None;
        }
        if plain && lens == [3, 7, 7] && same_sep && seps[0] == b"-" {
            // The shape of marketplace order numbers (123-1234567-1234567).
            return Some(Candidate::new(E::OrderId, start, end, 0.7, "order_id"));
        }
        let raw_for_phone = match raw.strip_suffix(')') {
            Some(r) if !r.contains('(') => r,
            _ => raw,
        };
        // Too few digits for a phone number: most chunks (times, prices,
        // counts) stop here, before any cue is looked for.
        if digits.len() < candor_domain::phone::MIN_DIGITS {
            return None;
        }
        // `20240312`: a date, year first, not a number.
        if plain && lens == [8] && is_compact_date(digits) {
            return None;
        }
        // `2019 2024`: years, not a number.
        if plain && lens == [4, 4] && groups.iter().all(|&(s, _)| matches!(&b[s..s + 2], b"19" | b"20")) {
            return None;
        }
        if plain && (self.street_and_postcode(start, end, lens) || amount_before(self.text, end)) {
            return None;
        }
        let phone_end = start + raw_for_phone.len();
        let cue = self.phone_cue(start) || self.labelled(phone_end);
        let score = self.phone.score(raw_for_phone, cue)?;
        let end = extension_end(self.text, phone_end).unwrap_or(phone_end);
        Some(Candidate::new(E::Phone, start, end, score, "phone"))
    }

    /// Whether a phone cue comes before `pos`, and no order cue after it
    /// or across it: in `account number is 620 184 7731` the number is the
    /// account's, though `number is` says phone.
    fn phone_cue(&self, pos: usize) -> bool {
        self.cues.last_before(pos, CUE_WINDOW, Cue::Phone).is_some_and(|h| !self.cues.before(pos, pos - h.start - 1, Cue::Order))
    }

    /// `Calle Mayor 12 28013 Madrid`, `Hauptstraße 5 10115 Berlin`: a house
    /// number and a five-digit postcode between the street's name and the
    /// town's, not a phone number (unless a phone cue stands right before).
    fn street_and_postcode(&self, start: usize, end: usize, lens: &[usize]) -> bool {
        let b = self.text.as_bytes();
        let letter_before = start >= 2 && b[start - 1] == b' ' && char_before(self.text, start - 1).is_some_and(char::is_alphabetic);
        let letter_after = b.get(end) == Some(&b' ') && super::text::char_at(self.text, end + 1).is_some_and(char::is_alphabetic);
        matches!(lens, [1..=4, 5]) && b[start] != b'0' && letter_before && letter_after && !self.cues.before(start, 2, Cue::Phone)
    }

    /// Whether a label follows the number ending at `end` on its line:
    /// `020 7946 0958 office`, `612 345 678 (móvil)`, `… (m)`, `… is my
    /// number`.
    fn labelled(&self, end: usize) -> bool {
        let b = self.text.as_bytes();
        let mut j = skip_blanks(self.text, end);
        if matches!(b.get(j), Some(b'(' | b'-' | b',' | b'/' | b'[')) {
            j = skip_blanks(self.text, j + 1);
        }
        // A one-letter label in brackets: (m)obile, (o)ffice, (h)ome, (w)ork, (f)ax, (c)ell, (t)el.
        if b.get(j.wrapping_sub(1)) == Some(&b'(')
            && b.get(j).is_some_and(|c| matches!(c.to_ascii_lowercase(), b'm' | b'o' | b'h' | b'w' | b'f' | b'c' | b't' | b'p'))
            && b.get(j + 1) == Some(&b')')
        {
            return true;
        }
        // A label ends its line or clause (`… office\n`, `… mobile, …`,
        // `(móvil)`): `12345678 mobile app` is an app's number.
        let ends_clause = |e: usize| {
            let k = skip_blanks(self.text, e);
            b.get(k).is_none_or(|c| matches!(c, b'\n' | b'\r' | b',' | b';' | b'.' | b')' | b']' | b'|' | b'/' | b'-' | b':' | b'!' | b'?'))
        };
        if self.cues.starting_in(j, j).any(|h| h.cue == Cue::PhoneLabel && ends_clause(h.end)) {
            return true;
        }
        // `… is my mobile`, `… es mi número`, `… c'est mon portable`: a
        // phone cue after a copula.
        let Some(e) = word_end(self.text, j) else { return false };
        let mut buf = [0u8; 24];
        let word = self.text.get(j..e).unwrap_or_default();
        if !lower_ascii(word, &mut buf).is_some_and(|w| COPULAS.contains(&w)) && !matches!(word, "è" | "é") {
            return false;
        }
        let k = skip_blanks(self.text, e);
        self.cues.starting_in(k, k).any(|h| h.cue == Cue::Phone)
    }
}

/// Whether eight digits are a date written `yyyymmdd` (1900 to 2099).
fn is_compact_date(d: &[u8]) -> bool {
    let (year, month, day) = (number(&d[..4]), number(&d[4..6]), number(&d[6..]));
    (1900..=2099).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// Currencies written after an amount, lower case.
const CURRENCIES: &[&str] =
    &["aud", "cad", "chf", "dollars", "eur", "euro", "euros", "gbp", "inr", "mxn", "pesos", "pounds", "reais", "usd"];

/// Whether the number ending at `end` is an amount: a currency follows it
/// (`1.299.000 pesos`, `1 299 000 €`).
fn amount_before(text: &str, end: usize) -> bool {
    let j = skip_blanks(text, end);
    let rest = text.get(j..).unwrap_or_default();
    if rest.starts_with(['€', '$', '£', '¥', '₹']) {
        return true;
    }
    let Some(e) = word_end(text, j) else { return false };
    let mut buf = [0u8; 24];
    text.get(j..e).and_then(|w| lower_ascii(w, &mut buf)).is_some_and(|w| CURRENCIES.contains(&w))
}

/// Words that join a number to the phone cue after it (`… is my mobile`).
const COPULAS: &[&str] = &["c'est", "es", "est", "is", "ist", "was"];

/// The end of a phone extension written after a number ending at `end`:
/// `x22`, `ext. 22`, `ext 1234`, `extension 5`, `#22`, `poste 12`,
/// `Durchwahl 3`, `ext:22`.
fn extension_end(text: &str, end: usize) -> Option<usize> {
    const MARKS: &[&[u8]] = &[b"extension", "extensión".as_bytes(), b"durchwahl", b"poste", b"extn", b"ext", b"anexo", b"dw", b"x", b"#"];
    let b = text.as_bytes();
    let mut j = skip_blanks(text, end);
    // `, ext. 22`, `(ext. 22)`.
    let bracket = b.get(j) == Some(&b'(');
    if bracket || b.get(j) == Some(&b',') {
        j = skip_blanks(text, j + 1);
    }
    let rest = b.get(j..)?;
    let mark = MARKS.iter().find(|m| {
        step(m.len());
        rest.len() > m.len() && rest[..m.len()].eq_ignore_ascii_case(m)
    })?;
    let mut k = j + mark.len();
    // The mark stands alone: `x22`, `ext. 22`, not `extra 22` or `xbox 1`.
    if mark[0].is_ascii_alphabetic() && b.get(k).is_some_and(u8::is_ascii_alphabetic) {
        return None;
    }
    if matches!(b.get(k), Some(b'.' | b':')) {
        k += 1;
    }
    k = skip_blanks(text, k);
    let from = k;
    while k < b.len() && b[k].is_ascii_digit() && k - from <= 5 {
        k += 1;
    }
    step(k - from + 1);
    if !(1..=5).contains(&(k - from)) {
        return None;
    }
    if bracket {
        return (b.get(k) == Some(&b')')).then_some(k + 1);
    }
    boundary_after(text, k).then_some(k)
}

/// The value of a few decimal digits.
fn number(digits: &[u8]) -> u32 {
    digits.iter().fold(0, |a, d| a * 10 + u32::from(*d))
}

/// Whether a chunk may start at `i`: not glued to a word (`A12345`,
/// `QT-1467509`), a number (`3.50`, `1,299`, `10:30`) or a price. A chunk
/// that opens with `+` or a bracket is set apart by it (`me,+44 …`); so is
/// one after a comma or colon that follows a word (`me,07700 …`,
/// `tel:07700 …`).
fn start_ok(text: &str, i: usize) -> bool {
    let opens = matches!(text.as_bytes().get(i), Some(b'+' | b'('));
    match char_before(text, i) {
        None => true,
        Some(c) if c.is_alphanumeric() || c == '_' => false,
        Some('$' | '€' | '£' | '¥' | '₹') => false,
        Some(_) if opens => true,
        Some(c @ (',' | ':')) => {
            let before = char_before(text, i - c.len_utf8());
            !before.is_some_and(|p| p.is_ascii_digit())
        }
        Some(c @ ('-' | '.' | '/')) => {
            let before = char_before(text, i - c.len_utf8());
            !before.is_some_and(|p| p.is_alphanumeric())
        }
        Some(_) => true,
    }
}

/// Walk the digit chunks of `text`.
pub(crate) fn scan(text: &str, cues: &CueHits, phone: &PhoneRecognizer, out: &mut Vec<Candidate>) {
    if !cues.has_digit() {
        // Most messages: nothing numeric to look at but a hex IPv6 address.
        if cues.has_colon() {
            ipv6(text, out);
        }
        return;
    }
    let b = text.as_bytes();
    let ctx = Ctx { text, cues, phone };
    let mut i = 0;
    while i < b.len() {
        step(1);
        let c = b[i];
        let opens = (c == b'+' || c == b'(') && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        if !(c.is_ascii_digit() || opens) {
            i += 1;
            continue;
        }
        if !start_ok(text, i) {
            // Skip the token it is glued to. The `+` or bracket a chunk may
            // open with is no part of such a token: step over it first, or
            // the walk stands still on it for ever (`a-+1`).
            i += 1;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b'.' | b'/' | b'_')) {
                step(1);
                i += 1;
            }
            continue;
        }
        let chunk = chunk_at(b, i);
        let Some(&(_, mut end)) = chunk.groups.last() else { break };
        if b.get(end) == Some(&b')') {
            end += 1;
        }
        // Glued to letters (`9am`, `2nd`) or a decimal tail: not a number of ours.
        let glued = !boundary_after(text, end) || (b.get(end) == Some(&b'.') && b.get(end + 1).is_some_and(u8::is_ascii_digit));
        if !glued {
            classify_chunk(&ctx, &chunk, out);
        }
        i = end.max(i + 1);
    }
    if cues.has_colon() {
        ipv6(text, out);
    }
}

/// The whole chunk, or else its longest space-separated parts, left to right.
fn classify_chunk(ctx: &Ctx<'_>, c: &Chunk, out: &mut Vec<Candidate>) {
    let n = c.groups.len();
    if let Some(cand) = ctx.classify(c, 0, n - 1) {
        out.push(cand);
        return;
    }
    let b = ctx.text.as_bytes();
    // `+44 …` or `(02) …` that is no number as a whole is not one without
    // its country or area code either.
    if matches!(b[c.start], b'+' | b'(') {
        return;
    }
    // Digits grouped as a card's are one number: a card that fails Luhn
    // (or a gift card's, or a loyalty card's) holds no phone number, nor
    // a shorter card; a card may still be followed by another number
    // (`… 1111 123`).
    let card_like = written_as_card(b, c);
    let space_after = |g: usize| g + 1 < n && b[c.groups[g].1..c.groups[g + 1].0] == *b" ";
    let mut from = 0;
    while from < n {
        step(1);
        let mut matched = false;
        // Past MAX_GROUPS groups `classify` says no: a run of a thousand
        // single digits is not tried a million ways.
        for to in (from..n.min(from + MAX_GROUPS)).rev() {
            step(1);
            if (to == n - 1 || space_after(to)) && (to, from) != (n - 1, 0) {
                if let Some(cand) = ctx.classify(c, from, to).filter(|k| !card_like || from == 0 && k.entity == E::CreditCard) {
                    out.push(cand);
                    from = to + 1;
                    matched = true;
                    break;
                }
            }
        }
        if !matched {
            // Move to the next group that follows a space.
            from += 1;
            while from < n && !space_after(from - 1) {
                step(1);
                from += 1;
            }
        }
    }
}

/// Whether a chunk is 12 to 19 digits grouped as a card's, set apart by
/// spaces or hyphens.
fn written_as_card(b: &[u8], c: &Chunk) -> bool {
    let n = c.groups.len();
    if !(3..=MAX_GROUPS).contains(&n) {
        return false;
    }
    let mut lens = [0usize; MAX_GROUPS];
    for (k, &(s, e)) in c.groups.iter().enumerate() {
        step(1);
        lens[k] = e - s;
        if k > 0 && !matches!(&b[c.groups[k - 1].1..s], b" " | b"-") {
            return false;
        }
    }
    let lens = &lens[..n];
    (12..=19).contains(&lens.iter().sum::<usize>()) && card_grouping(lens)
}

/// IPv6 addresses: a token of hex digits, colons and dots with at least
/// two colons that the standard library parses.
fn ipv6(text: &str, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    let is_v6 = |c: u8| c.is_ascii_hexdigit() || c == b':' || c == b'.';
    let mut last_end = 0;
    step(b.len());
    for colon in memchr_iter(b':', b) {
        step(1);
        if colon < last_end {
            continue;
        }
        let mut start = colon;
        while start > 0 && is_v6(b[start - 1]) {
            start -= 1;
        }
        let mut end = colon;
        while end < b.len() && is_v6(b[end]) {
            end += 1;
        }
        last_end = end;
        while end > start && b[end - 1] == b'.' {
            end -= 1;
        }
        step(last_end - start + 1);
        let token = &b[start..end];
        let colons = token.iter().filter(|&&c| c == b':').count();
        let hex_digits = token.iter().filter(|c| c.is_ascii_hexdigit()).count();
        if colons < 2 || hex_digits < 4 || !super::text::boundary_before(text, start) || !boundary_after(text, end) {
            continue;
        }
        if text.get(start..end).and_then(|t| t.parse::<Ipv6Addr>().ok()).is_some() {
            out.push(Candidate::new(E::IpAddress, start, end, 0.95, "ipv6"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pii::context::Cues;

    fn found(text: &str) -> Vec<(E, String)> {
        let cues = Cues::new().find(text);
        let mut v = Vec::new();
        scan(text, &cues, &PhoneRecognizer::default(), &mut v);
        v.into_iter().map(|c| (c.entity, text[c.start..c.end].to_owned())).collect()
    }

    #[test]
    fn cards_need_luhn_and_an_issuer() {
        assert_eq!(found("card 4111 1111 1111 1111 ok"), vec![(E::CreditCard, "4111 1111 1111 1111".into())]);
        assert_eq!(found("mc 2221-0000-0000-0009"), vec![(E::CreditCard, "2221-0000-0000-0009".into())]);
        assert_eq!(found("amex 3467-122865-65471"), vec![(E::CreditCard, "3467-122865-65471".into())]);
        // Luhn-valid but no issuer starts with 0; Luhn-invalid Visa.
        assert!(found("loyalty 0786666176031372 here").is_empty());
        assert!(found("id 4111111111111112").is_empty());
    }

    #[test]
    fn issuer_ranges_end_where_the_schemes_say() {
        let digits = |s: &str| s.bytes().map(|b| b - b'0').collect::<Vec<u8>>();
        let pad = |prefix: &str, len: usize| format!("{prefix}{}", "0".repeat(len - prefix.len()));
        for (prefix, len, ok) in [
            ("2220", 16, false),
            ("2221", 16, true),
            ("2720", 16, true),
            ("2721", 16, false),
            ("3527", 16, false),
            ("3528", 16, true),
            ("3589", 19, true),
            ("1800", 15, true),
            ("1800", 16, false),
            ("2131", 15, true),
            ("6759", 12, true),
            ("6759", 11, false),
            ("4", 12, false),
            ("4", 13, true),
            ("4", 19, true),
            ("34", 15, true),
            ("34", 16, false),
            ("36", 14, true),
            ("51", 15, false),
            ("62", 19, true),
            ("0", 16, false),
        ] {
            assert_eq!(issuer_ok(&digits(&pad(prefix, len))), ok, "{prefix}… of {len} digits");
        }
        assert!(card_grouping(&[4, 4, 4, 4]) && card_grouping(&[4, 6, 5]) && card_grouping(&[4, 4, 4, 1]));
        assert!(!card_grouping(&[4, 3, 3, 4]) && !card_grouping(&[8, 8]) && !card_grouping(&[4, 4]));
    }

    #[test]
    fn ip_addresses_but_not_versions_or_decimals() {
        assert_eq!(found("from 98.38.126.109."), vec![(E::IpAddress, "98.38.126.109".into())]);
        assert!(found("iOS 15.2.1 and 256.1.1.1 and $959.88 and 3.1.18").is_empty());
        assert_eq!(
            found("from 5afb:3d0d:dafe:3d1a:a1db:6067:8807:842 ok"),
            vec![(E::IpAddress, "5afb:3d0d:dafe:3d1a:a1db:6067:8807:842".into())]
        );
        assert_eq!(found("v6 2001:db8::1, at 10:19:22"), vec![(E::IpAddress, "2001:db8::1".into())]);
    }

    #[test]
    fn social_security_numbers_follow_the_allocation_rules() {
        assert_eq!(found("my SSN 636-32-0239 ?"), vec![(E::UsSsn, "636-32-0239".into())]);
        assert!(found("000-12-3456 and 666-12-3456 and 912-12-3456 and 123-00-4567").is_empty());
        assert_eq!(found("SSN 636 32 0239"), vec![(E::UsSsn, "636 32 0239".into())]);
    }

    #[test]
    fn phones_are_split_from_neighbouring_numbers_and_dates_are_left_alone() {
        assert_eq!(found("call me on (02) 1274 3957 please"), vec![(E::Phone, "(02) 1274 3957".into())]);
        assert_eq!(found("or +1 201-538-3518"), vec![(E::Phone, "+1 201-538-3518".into())]);
        assert!(found("on 17/9/2024 at 10:19, room 323, code 562616").is_empty());
        assert_eq!(found("order 444-5132521-2442177"), vec![(E::OrderId, "444-5132521-2442177".into())]);
        assert!(found("ref QT-1467509 and A12345").is_empty());
    }
}
