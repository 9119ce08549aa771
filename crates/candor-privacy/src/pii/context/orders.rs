//! ORDER_ID after a cue: order, booking, case and account references
//! (`order #A-12345`, `mi localizador es AWBPWW`) and parcel tracking
//! numbers (`tracking 1Z 999 AA1 0123 4567 84`).

use super::cues::{Cue, CueHits};
use std::sync::LazyLock;

use super::words::{list, lower_in};
use crate::pii::text::{boundary_after, boundary_before, skip_blanks, word_end};
use crate::pii::work::step;
use crate::pii::{Candidate, EntityType as E};

/// Words between an order cue and the reference itself.
pub(super) static ORDER_FILLER: LazyLock<Vec<&'static str>> = LazyLock::new(|| list(include_str!("../../../data/order-filler.txt")));

/// The longest order, booking or account reference, in bytes.
const MAX_REFERENCE: usize = 30;

pub(crate) fn orders(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    for h in cues.of(Cue::Order).chain(cues.of(Cue::Tracking)) {
        // A tracking number is 10 characters at least (DHL's 10 digits,
        // Royal Mail's 13, UPS's 18, USPS's 20 to 22): `tracking 1Z999`
        // is the start of one at best.
        let tracking = h.cue == Cue::Tracking;
        let mut j = h.end;
        // Filler words and symbols: `order number: #A-123`, `nº 123`, `mi localizador es X`.
        for _ in 0..5 {
            j = skip_blanks(text, j);
            while matches!(b.get(j), Some(b'#' | b':' | b'.')) {
                step(1);
                j += 1;
            }
            if text.get(j..).is_some_and(|s| s.starts_with('º') || s.starts_with('°')) {
                j += 2;
            }
            j = skip_blanks(text, j);
            match word_end(text, j).and_then(|e| text.get(j..e).map(|w| (w, e))) {
                Some((w, e))
                    if lower_in(w, &ORDER_FILLER) && !b.get(e).is_some_and(u8::is_ascii_digit) && !matches!(b.get(e), Some(b'-')) =>
                {
                    j = e
                }
                _ => break,
            }
        }
        let start = j;
        let mut end = j;
        // A reference is at most MAX_REFERENCE bytes: the token is read no
        // further than one byte past that (a longer one is no reference),
        // so that a long token is not read again from each order cue in it.
        while end < b.len()
            && end - start <= MAX_REFERENCE
            && (b[end].is_ascii_alphanumeric()
                || (matches!(b[end], b'-' | b'/' | b'_') && b.get(end + 1).is_some_and(u8::is_ascii_alphanumeric)))
        {
            end += 1;
        }
        step(2 * (end - start) + 1);
        // An all-digit reference written in groups: `620 184 7731`; a
        // tracking number in groups with digits: `1Z 999 AA1 0123 4567 84`.
        let all_digits = b[start..end].iter().all(u8::is_ascii_digit);
        if tracking && !all_digits && b[start..end].iter().any(u8::is_ascii_digit) {
            let mut k = end;
            while end - start <= MAX_REFERENCE && b.get(k) == Some(&b' ') && b.get(k + 1).is_some_and(u8::is_ascii_alphanumeric) {
                let mut g = k + 1;
                while g < b.len() && b[g].is_ascii_alphanumeric() && g - k <= MAX_REFERENCE {
                    g += 1;
                }
                step(g - k);
                if !boundary_after(text, g) || !b[k + 1..g].iter().any(u8::is_ascii_digit) {
                    break;
                }
                end = g;
                k = g;
            }
        }
        if all_digits {
            let mut k = end;
            while end - start <= MAX_REFERENCE && b.get(k) == Some(&b' ') && b.get(k + 1).is_some_and(u8::is_ascii_digit) {
                let mut g = k + 1;
                while g < b.len() && b[g].is_ascii_digit() {
                    g += 1;
                }
                step(g - k);
                if !boundary_after(text, g) {
                    break;
                }
                end = g;
                k = g;
            }
        }
        let token = &b[start..end];
        step(3 * token.len());
        let digits = token.iter().filter(|c| c.is_ascii_digit()).count();
        let letters_lower = token.iter().any(u8::is_ascii_lowercase) && token.iter().any(u8::is_ascii_uppercase);
        // A date after an order cue is when it was placed, not its number.
        let date = digits > 0 && text.get(start..end).is_some_and(crate::pii::dates::is_numeric_date);
        let fits = !date
            && (if tracking { 10 } else { 4 }..=MAX_REFERENCE).contains(&token.len())
            && boundary_before(text, start)
            && boundary_after(text, end)
            && b.get(end) != Some(&b'@');
        // The nearer the cue, the surer: `Case 58829104` is a case number
        // even when "phone" was said two sentences before.
        let near = start.saturating_sub(h.end) <= 16;
        if fits && digits > 0 && !letters_lower {
            out.push(Candidate::new(E::OrderId, start, end, if near { 0.9 } else { 0.8 }, "order_id"));
        } else if fits
            && !tracking
            && (5..=10).contains(&token.len())
            && token.iter().all(u8::is_ascii_uppercase)
            && !shouted_word(text.get(start..end).unwrap_or_default())
        {
            // An all-letter code (`AWBPWW`, as airlines write bookings),
            // unless it is a word written in capitals.
            out.push(Candidate::new(E::OrderId, start, end, 0.75, "order_id"));
        }
    }
}

/// Words customers write in capitals after "order" that are not codes.
pub(super) static SHOUTED: LazyLock<Vec<&'static str>> = LazyLock::new(|| list(include_str!("../../../data/order-shouted.txt")));

fn shouted_word(token: &str) -> bool {
    lower_in(token, &SHOUTED)
}
