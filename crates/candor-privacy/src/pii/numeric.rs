//! Recognizers anchored on digits. The text is walked once; each run of
//! digits joined by single separators (space, `-`, `.`, `/`, brackets) is a
//! chunk, tried as an IPv4 address, a Social Security number, a payment
//! card, and a phone number, in that order. A chunk that is none of these
//! is tried again split at its spaces (`call 0412 967 692 2024`). Dates
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
use super::text::{boundary_after, char_before};
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

/// Whether the issuer identification number and length belong to a card
/// scheme: Visa, Mastercard (51–55 and 2221–2720), American Express,
/// Discover, JCB, Diners Club, UnionPay, Maestro.
fn issuer_ok(d: &[u8]) -> bool {
    let n = |k: usize| number(&d[..k.min(d.len())]);
    let len = d.len();
    match d.first() {
        Some(4) => matches!(len, 13 | 16 | 19),
        Some(5) => (51..=55).contains(&n(2)) && len == 16 || matches!(n(2), 50 | 56..=58) && (12..=19).contains(&len),
        Some(2) => (2221..=2720).contains(&n(4)) && len == 16,
        Some(3) => {
            matches!(n(2), 34 | 37) && len == 15
                || (3528..=3589).contains(&n(4)) && (16..=19).contains(&len)
                || ((300..=305).contains(&n(3)) || matches!(n(2), 36 | 38 | 39)) && (14..=19).contains(&len)
        }
        Some(6) => {
            (n(4) == 6011 || n(2) == 65 || (644..=649).contains(&n(3))) && (16..=19).contains(&len)
                || n(2) == 62 && (16..=19).contains(&len)
                || matches!(n(4), 6304 | 6759 | 6761 | 6762 | 6763) && (12..=19).contains(&len)
        }
        _ => false,
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
        if plain && (13..=19).contains(&digits.len()) && same_sep && seps.iter().all(|s| *s == b" " || *s == b"-") && luhn(digits) {
            let card_cue = self.cue(start, Cue::Card);
            if issuer_ok(digits) {
                return Some(Candidate::new(E::CreditCard, start, end, if card_cue { 1.0 } else { 0.95 }, "credit_card"));
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
        self.phone
            .score(raw_for_phone, self.cue(start, Cue::Phone))
            .map(|s| Candidate::new(E::Phone, start, start + raw_for_phone.len(), s, "phone"))
    }
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
                if let Some(cand) = ctx.classify(c, from, to) {
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
