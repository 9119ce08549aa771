//! Dates as people write them: numeric (`22/03/1979`, `1979-03-22`,
//! `3.22.79`) and with month names in English, French, Spanish, German,
//! Italian, Portuguese and Dutch (`April 16, 1967`, `16. April 1967`,
//! `16 de abril de 1967`, `16th of April 1967`). A date alone is not
//! personal data; the context recognizer decides when one is a date of
//! birth.

use super::text::{lower_ascii, word_end};
use super::work::step;

/// Month names and abbreviations (lower case) with their number.
const MONTHS: &[(&str, u8)] = &[
    ("january", 1),
    ("jan", 1),
    ("february", 2),
    ("feb", 2),
    ("march", 3),
    ("mar", 3),
    ("april", 4),
    ("apr", 4),
    ("may", 5),
    ("june", 6),
    ("jun", 6),
    ("july", 7),
    ("jul", 7),
    ("august", 8),
    ("aug", 8),
    ("september", 9),
    ("sept", 9),
    ("sep", 9),
    ("october", 10),
    ("oct", 10),
    ("november", 11),
    ("nov", 11),
    ("december", 12),
    ("dec", 12),
    ("janvier", 1),
    ("février", 2),
    ("fevrier", 2),
    ("mars", 3),
    ("avril", 4),
    ("mai", 5),
    ("juin", 6),
    ("juillet", 7),
    ("août", 8),
    ("aout", 8),
    ("septembre", 9),
    ("octobre", 10),
    ("novembre", 11),
    ("décembre", 12),
    ("decembre", 12),
    ("enero", 1),
    ("febrero", 2),
    ("marzo", 3),
    ("abril", 4),
    ("mayo", 5),
    ("junio", 6),
    ("julio", 7),
    ("agosto", 8),
    ("septiembre", 9),
    ("setiembre", 9),
    ("octubre", 10),
    ("noviembre", 11),
    ("diciembre", 12),
    ("januar", 1),
    ("jänner", 1),
    ("februar", 2),
    ("märz", 3),
    ("maerz", 3),
    ("juni", 6),
    ("juli", 7),
    ("oktober", 10),
    ("dezember", 12),
    ("gennaio", 1),
    ("febbraio", 2),
    ("aprile", 4),
    ("maggio", 5),
    ("giugno", 6),
    ("luglio", 7),
    ("settembre", 9),
    ("ottobre", 10),
    ("dicembre", 12),
    ("janeiro", 1),
    ("fevereiro", 2),
    ("março", 3),
    ("maio", 5),
    ("junho", 6),
    ("julho", 7),
    ("setembro", 9),
    ("outubro", 10),
    ("dezembro", 12),
    ("januari", 1),
    ("februari", 2),
    ("maart", 3),
    ("mei", 5),
    ("augustus", 8),
];

fn month(word: &str) -> Option<u8> {
    step(word.len());
    let lower = word.to_lowercase();
    let lower = lower.trim_end_matches('.');
    MONTHS.iter().find(|(m, _)| *m == lower).map(|(_, n)| *n)
}

fn plausible(day: u32, month: u32, year: u32) -> bool {
    let max_day = match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return false,
    };
    (1..=max_day).contains(&day) && (1900..=2099).contains(&year)
}

fn year(v: u32, digits: usize) -> Option<u32> {
    match digits {
        4 => Some(v),
        // Two-digit years in a date of birth are last century or this one.
        2 => Some(if v > 30 { 1900 + v } else { 2000 + v }),
        _ => None,
    }
}

/// Whether `raw` is a numeric date: three groups with the same separator
/// (`/`, `.` or `-`), day-month-year, month-day-year or year-month-day.
pub(crate) fn is_numeric_date(raw: &str) -> bool {
    step(2 * raw.len() + 1);
    let sep = match raw.bytes().find(|b| !b.is_ascii_digit()) {
        Some(s @ (b'/' | b'.' | b'-')) => s as char,
        _ => return false,
    };
    let parts: Vec<&str> = raw.split(sep).collect();
    let [a, b, c] = parts.as_slice() else { return false };
    if parts.iter().any(|p| p.is_empty() || !p.bytes().all(|x| x.is_ascii_digit())) {
        return false;
    }
    let n = |s: &str| s.parse::<u32>().unwrap_or(0);
    if a.len() == 4 && b.len() <= 2 && c.len() <= 2 {
        return plausible(n(c), n(b), n(a));
    }
    if a.len() > 2 || b.len() > 2 {
        return false;
    }
    let Some(y) = year(n(c), c.len()) else { return false };
    plausible(n(a), n(b), y) || plausible(n(b), n(a), y)
}

fn digits_at(b: &[u8], i: usize) -> (u32, usize) {
    let mut j = i;
    let mut v: u32 = 0;
    while j < b.len() && b[j].is_ascii_digit() && j - i < 4 {
        v = v * 10 + u32::from(b[j] - b'0');
        j += 1;
    }
    (v, j)
}

/// Skip an ordinal suffix (`st`, `nd`, `rd`, `th`, `er`, `º`) and a dot.
fn skip_ordinal(text: &str, mut i: usize) -> usize {
    let rest = text.get(i..).unwrap_or_default();
    for suffix in ["st", "nd", "rd", "th", "er", "º", "°"] {
        if rest.len() >= suffix.len() && rest.get(..suffix.len()).is_some_and(|s| s.eq_ignore_ascii_case(suffix)) {
            let after = rest.get(suffix.len()..).and_then(|s| s.chars().next());
            if !after.is_some_and(char::is_alphanumeric) {
                i += suffix.len();
                break;
            }
        }
    }
    if text.as_bytes().get(i) == Some(&b'.') {
        i += 1;
    }
    i
}

fn skip_filler(text: &str, mut i: usize, words: &[&str]) -> usize {
    loop {
        step(1);
        let j = super::text::skip_blanks(text, i);
        let Some(end) = word_end(text, j) else { return j };
        let mut buf = [0u8; 24];
        match text.get(j..end).and_then(|w| lower_ascii(w, &mut buf)) {
            Some(w) if words.contains(&w) => i = end,
            _ => return j,
        }
    }
}

/// `12 03 1985`: day, month and a four-digit year set apart by single
/// spaces (day first, or month first where the day is past 12).
fn spaced_numeric(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (a, a_end) = digits_at(b, i);
    let (m, m_end) = (b.get(a_end) == Some(&b' ')).then(|| digits_at(b, a_end + 1))?;
    let (y, y_end) = (b.get(m_end) == Some(&b' ')).then(|| digits_at(b, m_end + 1))?;
    let ok = (1..=2).contains(&(a_end - i)) && (1..=2).contains(&(m_end - a_end - 1)) && y_end - m_end - 1 == 4;
    (ok && super::text::boundary_after(text, y_end) && (plausible(a, m, y) || plausible(m, a, y))).then_some(y_end)
}

/// The end of a date written at `i` (numeric or with a month name).
pub(crate) fn date_end(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let first = *b.get(i)?;
    if first.is_ascii_digit() {
        // Numeric first: either a numeric date or `16 April 1967`.
        let mut j = i;
        while j < b.len() && (b[j].is_ascii_digit() || matches!(b[j], b'/' | b'.' | b'-')) {
            j += 1;
        }
        step(2 * (j - i));
        while j > i && !b[j - 1].is_ascii_digit() {
            j -= 1;
        }
        if text.get(i..j).is_some_and(is_numeric_date) && super::text::boundary_after(text, j) {
            return Some(j);
        }
        let (day, after_day) = digits_at(b, i);
        if after_day - i > 2 {
            return None;
        }
        if let Some(end) = spaced_numeric(text, i) {
            return Some(end);
        }
        let mut j = skip_ordinal(text, after_day);
        // `12-Mar-1985`, `12/mar/85`: the separators of a numeric date.
        let dashed = matches!(b.get(j), Some(b'-' | b'/')).then(|| b[j]);
        if dashed.is_some() {
            j += 1;
        }
        let j = skip_filler(text, j, &["de", "del", "of"]);
        let m_end = word_end(text, j)?;
        let m = month(text.get(j..m_end)?)?;
        let mut k = m_end;
        if b.get(k) == Some(&b'.') {
            k += 1;
        }
        if b.get(k) == Some(&b',') || dashed.is_some() && b.get(k).copied() == dashed {
            k += 1;
        }
        let k = skip_filler(text, k, &["de", "del", "of"]);
        let (y, y_end) = digits_at(b, k);
        let year = year(y, y_end - k)?;
        return plausible(day, u32::from(m), year).then_some(y_end);
    }
    // Month first: `April 16, 1967`, `Apr. 16th 1967`.
    let m_end = word_end(text, i)?;
    let m = month(text.get(i..m_end)?)?;
    let mut j = m_end;
    if b.get(j) == Some(&b'.') {
        j += 1;
    }
    let j = super::text::skip_blanks(text, j);
    let (day, after_day) = digits_at(b, j);
    if after_day == j || after_day - j > 2 {
        return None;
    }
    let mut k = skip_ordinal(text, after_day);
    if b.get(k) == Some(&b',') {
        k += 1;
    }
    let k = super::text::skip_blanks(text, k);
    let (y, y_end) = digits_at(b, k);
    let year = year(y, y_end - k)?;
    plausible(day, u32::from(m), year).then_some(y_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> Option<&str> {
        date_end(s, 0).map(|e| &s[..e])
    }

    #[test]
    fn numeric_dates_in_every_common_order() {
        for ok in ["22/03/1979", "3/22/1979", "1979-03-22", "22.03.79", "22-3-1979"] {
            assert!(is_numeric_date(ok), "{ok}");
        }
        for bad in ["32/03/1979", "22/13/1979", "22/03", "1979/03", "22/03-1979", "12.5.2", "15.2.1"] {
            assert!(!is_numeric_date(bad), "{bad}");
        }
    }

    #[test]
    fn dates_with_month_names_in_several_languages() {
        assert_eq!(date("April 16, 1967 but"), Some("April 16, 1967"));
        assert_eq!(date("Apr. 16th 1967"), Some("Apr. 16th 1967"));
        assert_eq!(date("16 April 1967."), Some("16 April 1967"));
        assert_eq!(date("16th of April, 1967"), Some("16th of April, 1967"));
        assert_eq!(date("16. März 1967"), Some("16. März 1967"));
        assert_eq!(date("16 de abril de 1967"), Some("16 de abril de 1967"));
        assert_eq!(date("1er août 1990"), Some("1er août 1990"));
        assert_eq!(date("22/03/1979,"), Some("22/03/1979"));
        assert_eq!(date("12-Mar-1985 x"), Some("12-Mar-1985"));
        assert_eq!(date("12/mar/85"), Some("12/mar/85"));
        assert_eq!(date("3 de marzo del 1985"), Some("3 de marzo del 1985"));
        assert_eq!(date("12 03 1985"), Some("12 03 1985"));
        assert_eq!(date("03 25 1985"), Some("03 25 1985"));
        assert_eq!(date("12 03 19855"), None);
        assert_eq!(date("12-Mar/1985"), None);
        assert_eq!(date("April 31, 1967"), None);
        assert_eq!(date("May I ask"), None);
    }
}
