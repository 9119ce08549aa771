//! Postal addresses, as people write them: on one line or on several, with
//! commas or without, capitalized, in capitals or in lower case, in the
//! forms of the countries candor's customers write from.
//!
//! An address is found from its street, which the word walk anchors on a
//! cue (`data/address-cues.txt`):
//!
//! - `12 Mill Road`, `350 5th Ave NE Apt 4`: a house number, the name, an
//!   English street type;
//! - `Mariahilfer Straße 10`, `Karl Johans gate 22`: the name, a street
//!   type, the number;
//! - `12 rue de la Paix`, `Calle de Alcalá 48`, `ul. Długa 5`, `Via Roma, 1`:
//!   a street type first, the number before or after the name;
//! - `Am Markt 3`: a German article form;
//! - `Hauptstraße 5`, `Drottninggatan 53`: a word ending in a street type,
//!   then the number;
//! - `Flat 2, Rose Court`: a unit, then a street without a number;
//! - `PO Box 12`, `Postfach 10 20 30`, `BP 45`: a post-office box;
//! - `USNS Mercy, FPO AP 96672`: US military post;
//!
//! and, without a street type anyone listed, `Damrak 1, 1012 LG Amsterdam`:
//! a name and a number before a postcode and a town.
//!
//! The street is the first part of a block that goes on over the parts
//! after it, separated by commas or line breaks (or by a space before a
//! postcode): a flat or floor (`Apt 4B`, `3º izq.`, `2. OG`), a town, a
//! region (`QLD`, `(MI)`), a postcode ([`postcode_end`]), a country
//! (`data/address-countries.txt`); and back over a unit before it (`Flat
//! 3`, on the line before or the same one). A part that is none of these
//! ends the block, which is one span: the parts of one address are not
//! found as several. A street written in lower case or in capitals, or
//! one without a house number, needs more than itself: an address cue
//! before it (`ship to`), or a postcode or country after it.
//!
//! The words the recognizer looks up itself (places' particles, words
//! that end a place, countries) are data too: `data/address-words.txt`,
//! `data/address-countries.txt`.

use std::sync::OnceLock;

use super::super::text::{boundary_after, char_before, is_capitalized, word_end};
use super::{Cue, CueHit, CueHits};
use crate::pii::work::step;
use crate::pii::{Candidate, EntityType as E};

const WORDS: &str = include_str!("../../../data/address-words.txt");
const COUNTRIES: &str = include_str!("../../../data/address-countries.txt");

/// The most parts a block goes on over after its street.
const MAX_PARTS: usize = 8;

/// How far before a street an address cue (`ship to`) counts.
const CUE_WINDOW: usize = 40;

/// The word lists, lower case, sorted for bisection.
#[derive(Debug, Default)]
struct Lists {
    not_place: Vec<String>,
    street_particle: Vec<String>,
    locality_particle: Vec<String>,
    directional: Vec<String>,
    number_word: Vec<String>,
    countries: Vec<String>,
}

impl Lists {
    fn load() -> Self {
        let mut l = Self::default();
        let lines = |s: &'static str| s.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#'));
        for line in lines(WORDS) {
            let Some((kind, word)) = line.split_once('\t') else { continue };
            let list = match kind.trim() {
                "not_place" => &mut l.not_place,
                "street_particle" => &mut l.street_particle,
                "locality_particle" => &mut l.locality_particle,
                "directional" => &mut l.directional,
                "number_word" => &mut l.number_word,
                _ => continue,
            };
            list.push(word.trim().to_lowercase());
        }
        l.countries = lines(COUNTRIES).map(str::to_lowercase).collect();
        for list in
            [&mut l.not_place, &mut l.street_particle, &mut l.locality_particle, &mut l.directional, &mut l.number_word, &mut l.countries]
        {
            list.sort_unstable();
            list.dedup();
        }
        l
    }
}

fn lists() -> &'static Lists {
    static LISTS: OnceLock<Lists> = OnceLock::new();
    LISTS.get_or_init(Lists::load)
}

/// Whether `word` is in `list`, compared in lower case.
fn listed(list: &[String], word: &str) -> bool {
    step(word.len() + 1);
    let mut buf = [0u8; 48];
    if word.is_ascii() && word.len() <= buf.len() {
        for (d, s) in buf.iter_mut().zip(word.bytes()) {
            *d = s.to_ascii_lowercase();
        }
        bisect(list, &buf[..word.len()])
    } else {
        bisect(list, word.to_lowercase().as_bytes())
    }
}

/// Whether `w` is in the sorted `list`, comparing bytes inline: for words
/// this short that beats a `memcmp` call a probe.
fn bisect(list: &[String], w: &[u8]) -> bool {
    list.binary_search_by(|p| {
        let p = p.as_bytes();
        for (a, b) in p.iter().zip(w) {
            if a != b {
                return a.cmp(b);
            }
        }
        p.len().cmp(&w.len())
    })
    .is_ok()
}

/// How a street's words are written: `Mill Road`, `MILL ROAD`, `mill road`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Style {
    Title,
    Upper,
    Lower,
}

/// The style of one word; `None` when it has no letter to tell.
fn style_of(word: &str) -> Option<Style> {
    let first = word.chars().find(|c| c.is_alphabetic())?;
    step(word.len());
    if first.is_lowercase() {
        Some(Style::Lower)
    } else if word.chars().any(char::is_lowercase) || word.chars().filter(|c| c.is_alphabetic()).count() == 1 {
        Some(Style::Title)
    } else {
        Some(Style::Upper)
    }
}

/// A roman numeral, as in `Corso Vittorio Emanuele II`, `Via XX Settembre`.
fn roman(word: &str) -> bool {
    (1..=5).contains(&word.len()) && word.bytes().all(|c| matches!(c, b'I' | b'V' | b'X' | b'L' | b'C'))
}

/// Whether `word` is a name word in `style`: `Paix`, `PAIX`, `paix`, and
/// the elided article before a name (`d'Alésia`, `'s-Graveland`).
fn name_word(word: &str, style: Style) -> bool {
    let w = ["d'", "l'", "d’", "l’", "'s-", "s-"]
        .iter()
        .find_map(|p| word.strip_prefix(p).filter(|r| r.chars().next().is_some_and(char::is_uppercase)))
        .unwrap_or(word);
    match style {
        Style::Title => is_capitalized(w) || roman(w),
        Style::Upper => w.chars().next().is_some_and(char::is_uppercase) && !w.chars().any(char::is_lowercase),
        Style::Lower => w.chars().next().is_some_and(char::is_lowercase) && !w.chars().any(char::is_uppercase),
    }
}

/// Whether a word of `found` style fits a street or place written in `want`.
fn fits(want: Style, found: Style, word: &str) -> bool {
    want == found || (want == Style::Title && (found == Style::Upper && (word.len() == 1 || roman(word))))
}

/// A word starting at `i` that ends at a word boundary (`ls1` is no
/// word): letters with inner `-` and `'`, and `'s-Graveland`.
fn word_at(text: &str, i: usize) -> Option<usize> {
    let from = if text.get(i..).is_some_and(|r| r.starts_with("'s-")) { i + 1 } else { i };
    word_end(text, from).filter(|&e| boundary_after(text, e))
}

/// The word (letters) that ends at byte `end`, if one does.
fn word_before(text: &str, end: usize) -> Option<usize> {
    let mut start = end;
    for (i, c) in text.get(..end)?.char_indices().rev() {
        step(1);
        if c.is_alphabetic() || ((c == '-' || c == '\'' || c == '’') && start < end) {
            start = i;
        } else {
            break;
        }
        if end - i > super::super::text::MAX_WORD {
            return None;
        }
    }
    let whole = char_before(text, start).is_none_or(|c| !c.is_alphanumeric());
    (start < end && whole && text.get(start..end).is_some_and(|w| w.chars().next().is_some_and(char::is_alphabetic))).then_some(start)
}

/// An ordinal street name ending at `end`: `5th`, `42nd`, `1st`.
fn ordinal_before(text: &str, end: usize) -> Option<usize> {
    let b = text.as_bytes();
    let suffix = b.get(end.checked_sub(2)?..end)?;
    if !matches!(&suffix.to_ascii_lowercase()[..], b"st" | b"nd" | b"rd" | b"th") {
        return None;
    }
    let mut i = end - 2;
    while i > 0 && b[i - 1].is_ascii_digit() && end - i < 6 {
        i -= 1;
    }
    step(end - i);
    (i < end - 2 && char_before(text, i).is_none_or(|c| !c.is_alphanumeric())).then_some(i)
}

/// A house number ending at `end`: `12`, `12A`, `0358`, `12-14`, and the
/// Australian unit/house form `591/536`.
fn number_before(text: &str, end: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = end;
    if i > 1 && b[i - 1].is_ascii_alphabetic() && b[i - 2].is_ascii_digit() {
        i -= 1;
    }
    let digits_end = i;
    while i > 0
        && digits_end - i <= 12
        && (b[i - 1].is_ascii_digit() || (matches!(b[i - 1], b'-' | b'/') && i > 1 && b[i - 2].is_ascii_digit() && i < digits_end))
    {
        step(1);
        i -= 1;
    }
    let n = digits_end - i;
    ((1..=9).contains(&n) && char_before(text, i).is_none_or(|c| !c.is_alphanumeric() && c != '/' && c != '.' && c != ',')).then_some(i)
}

/// A house number starting at `i`: `12`, `12a`, `12-14`, `12/4`, `5/7`;
/// returns its end.
fn number_after(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let digits = |from: usize| {
        let n = b.get(from..).map_or(0, |r| r.iter().take(6).take_while(|c| c.is_ascii_digit()).count());
        step(n + 1);
        n
    };
    let n = digits(i);
    if !(1..=5).contains(&n) {
        return None;
    }
    let mut j = i + n;
    // `12-14`, `84/92`
    if matches!(b.get(j), Some(b'-' | b'/')) {
        let m = digits(j + 1);
        if (1..=4).contains(&m) {
            j += 1 + m;
        }
    }
    if j < b.len() && b[j].is_ascii_alphabetic() && !b.get(j + 1).is_some_and(u8::is_ascii_alphabetic) {
        j += 1;
    }
    boundary_after(text, j).then_some(j)
}

/// The house number after a street name ending at `i`: ` 12`, `, 12`,
/// ` nº 12`, `, no. 12`, ` s/n`; returns its end.
fn number_after_name(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut j = i;
    let comma = b.get(j) == Some(&b',');
    if comma {
        j += 1;
    }
    if b.get(j) != Some(&b' ') {
        return None;
    }
    j += 1;
    // `rue Duval, 12829 Bertin`: after a comma, a postcode and its town.
    if comma && postcode_end(text, j, false).is_some_and(|p| b.get(p) == Some(&b' ') && word_at(text, p + 1).is_some()) {
        return None;
    }
    // Without a number: `s/n`, `S/N` (sin número, sem número).
    if b.get(j..j + 3).is_some_and(|w| w.eq_ignore_ascii_case(b"s/n")) && boundary_after(text, j + 3) {
        return Some(j + 3);
    }
    if let Some(e) = word_end(text, j) {
        let w = text.get(j..e)?;
        if listed(&lists().number_word, w) {
            let mut k = e;
            if b.get(k) == Some(&b'.') {
                k += 1;
            }
            if b.get(k) == Some(&b' ') {
                k += 1;
            }
            return number_after(text, k);
        }
    }
    number_after(text, j)
}

/// Where a house number before a street type that starts at `start`
/// starts: `12 rue …`, `5, avenue …`, `3 bis rue …`.
fn number_before_street(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut p = start.checked_sub(1).filter(|&p| b[p] == b' ')?;
    if p > 0 && b[p - 1] == b',' {
        p -= 1;
    }
    if let Some(ws) = word_before(text, p) {
        if ws > 0 && b[ws - 1] == b' ' && text.get(ws..p).is_some_and(|w| listed(&lists().number_word, w)) {
            p = ws - 1;
        }
    }
    number_before(text, p)
}

/// Street-name words ending at `end`, before an English street type, in
/// `style`: names, ordinals (`5th`), particles between (`Bay of Islands`).
/// Returns where they start and how many are names.
fn street_words_before(text: &str, mut end: usize, style: Style) -> (usize, usize) {
    let b = text.as_bytes();
    let l = lists();
    let mut start = end;
    let mut words = 0;
    for _ in 0..5 {
        if end == 0 || b[end - 1] != b' ' {
            break;
        }
        if let Some(os) = ordinal_before(text, end - 1) {
            words += 1;
            start = os;
            end = os;
            continue;
        }
        let Some(ws) = word_before(text, end - 1) else { break };
        let w = text.get(ws..end - 1).unwrap_or_default();
        // `Avenue of the Americas`, `Singh Right Of Way`: a particle between name words.
        let particle = style != Style::Lower && (words > 0 || w.chars().all(char::is_lowercase)) && listed(&l.street_particle, w);
        if !particle {
            let fit = style_of(w).is_some_and(|s| fits(style, s, w)) && name_word(w, style);
            // `3 bis avenue …`: a number's word is not the street's.
            if !fit || listed(&l.not_place, w) || listed(&l.number_word, w) {
                break;
            }
            words += 1;
        }
        start = ws;
        end = ws;
    }
    (start, words)
}

/// Name words from `i` on one line (a street's name after its type, a
/// town): names in `style` (the first one's when `None`), lower-case
/// particles between them (`rue de la Paix`, `Frankfurt am Main`; first
/// too when `leading`), abbreviations inside (`St. Albans`, `Co. Cork`).
/// Returns the end of the last name word, how many there are and their
/// style.
fn name_words(text: &str, i: usize, max: usize, style: Option<Style>, leading: bool) -> Option<(usize, usize, Style)> {
    let b = text.as_bytes();
    let l = lists();
    let (mut j, mut end, mut words, mut style) = (i, i, 0, style);
    // A name of initials alone (`Avenue Q`) is none.
    let mut long = false;
    for _ in 0..2 * max {
        let Some(e) = word_at(text, j) else { break };
        let w = text.get(j..e)?;
        let lower = w.chars().all(char::is_lowercase);
        let particle =
            (words > 0 || leading) && lower && listed(&l.locality_particle, w) && (style != Some(Style::Lower) || !listed(&l.not_place, w));
        if !particle {
            let found = style_of(w)?;
            let want = *style.get_or_insert(found);
            // `Calle Alfonso I`: a roman numeral in a street's name.
            let numeral = (leading && words > 0 && roman(w)) || (words > 0 && w.len() == 1 && found != Style::Lower);
            if !fits(want, found, w) || !name_word(w, want) || (listed(&l.not_place, w) && !numeral) || words == max {
                break;
            }
            words += 1;
            long |= w.chars().nth(1).is_some();
            end = e;
        }
        // An abbreviation inside a name: `St. Albans`, `Mt. Pleasant`, `Co. Cork`.
        if !particle && b.get(e) == Some(&b'.') && w.len() <= 3 && b.get(e + 1) == Some(&b' ') {
            end = e + 1;
            j = e + 2;
            continue;
        }
        if b.get(e) != Some(&b' ') {
            break;
        }
        j = e + 1;
    }
    Some((end, words, style?)).filter(|_| words > 0 && long)
}

/// Name words ending at `end`, before a house number (`Unter den Linden`
/// in `Unter den Linden 77`): capitalized, particles between. Returns
/// where they start and how many are names.
fn name_words_before(text: &str, end: usize) -> (usize, usize) {
    let (mut start, words) = street_words_before(text, end, Style::Title);
    // A particle does not start a name.
    while let Some(e) = word_at(text, start).filter(|&e| e < end && text.get(start..e).is_some_and(|w| w.chars().all(char::is_lowercase))) {
        start = e + 1;
    }
    (start, words)
}

/// A postcode at `i`, in the formats of the countries candor's customers
/// write from; returns its end. Lower-case letters count when `lower`.
///
/// - UK `SW1A 1AA`, `N5 3YT`, `LS1 4AB` (also without the space);
/// - Ireland's Eircode `D02 X285`, `T12YX84`;
/// - Canada `M5H 2N2`, `K2H5K9`;
/// - US ZIP `62704`, ZIP+4 `10118-0110`;
/// - the Netherlands `1012 AB`, `1012AB`;
/// - Portugal `1100-053`, Poland `00-950`, Brazil `01310-100`;
/// - Sweden, Czechia, Slovakia, Greece `111 21`;
/// - four digits (Austria, Switzerland, Belgium, Denmark, Norway,
///   Australia, New Zealand, Hungary…) and five (Germany, France, Spain,
///   Italy, Finland…), perhaps after a country letter (`D-10115`,
///   `CH-8001`, `F-75002`).
fn postcode_end(text: &str, i: usize, lower: bool) -> Option<usize> {
    let b = text.as_bytes();
    let up = |c: u8| c.is_ascii_uppercase() || (lower && c.is_ascii_lowercase());
    let dg = |c: u8| c.is_ascii_digit();
    let done = |end: usize| boundary_after(text, end).then_some(end);
    // A country letter before the digits: `D-10115`, `CH-8001`.
    let at0 = |k: usize| b.get(i + k).copied().unwrap_or(0);
    let i = if at0(0).is_ascii_uppercase() && at0(1) == b'-' && dg(at0(2)) {
        i + 2
    } else if at0(0).is_ascii_uppercase() && at0(1).is_ascii_uppercase() && at0(2) == b'-' && dg(at0(3)) {
        i + 3
    } else {
        i
    };
    let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
    step(8);
    if up(at(0)) {
        // Canada A9A 9A9
        if dg(at(1)) && up(at(2)) {
            if at(3) == b' ' && dg(at(4)) && up(at(5)) && dg(at(6)) {
                return done(i + 7);
            }
            if dg(at(3)) && up(at(4)) && dg(at(5)) {
                return done(i + 6);
            }
        }
        // Eircode: a routing key (A99, or D6W), then four letters or digits.
        let key = (dg(at(1)) && dg(at(2))) || (at(0) | 0x20 == b'd' && at(1) == b'6' && at(2) | 0x20 == b'w');
        if key {
            let k = if at(3) == b' ' { 4 } else { 3 };
            let unique = (k..k + 4).all(|d| dg(at(d)) || up(at(d)));
            if unique && done(i + k + 4).is_some() {
                // `D02 X285` (UK's inward code is a digit and two letters).
                let uk = dg(at(k)) && up(at(k + 1)) && up(at(k + 2)) && !(dg(at(k + 3)) || up(at(k + 3)));
                if !uk {
                    return done(i + k + 4);
                }
            }
        }
        // UK outward code (A9, A99, AA9, AA99, A9A, AA9A), inward code (9AA).
        let mut k = 1;
        if up(at(k)) {
            k += 1;
        }
        if dg(at(k)) {
            k += 1;
            if dg(at(k)) || up(at(k)) {
                k += 1;
            }
            let s = usize::from(at(k) == b' ');
            let inward = dg(at(k + s)) && up(at(k + 1 + s)) && up(at(k + 2 + s));
            if inward {
                return done(i + k + s + 3);
            }
            // The outward code, then the inward code when it was split
            // oddly: `A9 9AA` handled above; otherwise no postcode.
        }
        return None;
    }
    if !dg(at(0)) {
        return None;
    }
    // Six digits are too many for any of the forms: no need to read further.
    let mut k = 0;
    while k < 6 && dg(at(k)) {
        k += 1;
    }
    step(k);
    let letters2 = |from: usize| up(at(from)) && up(at(from + 1)) && !(at(from + 2).is_ascii_alphanumeric());
    let digits_n = |from: usize, n: usize| (from..from + n).all(|d| dg(at(d))) && !dg(at(from + n));
    match k {
        // Netherlands 1012 AB, 1012AB; Portugal 1100-053
        4 if at(4) == b' ' && letters2(5) => done(i + 7),
        4 if letters2(4) => done(i + 6),
        4 if at(4) == b'-' && digits_n(5, 3) => done(i + 8),
        // US ZIP+4 10118-0110; Brazil 01310-100
        5 if at(5) == b'-' && digits_n(6, 4) => done(i + 10),
        5 if at(5) == b'-' && digits_n(6, 3) => done(i + 9),
        // Poland 00-950
        2 if at(2) == b'-' && digits_n(3, 3) => done(i + 6),
        // Sweden 111 21, unless a phone number's groups go on.
        3 if at(3) == b' ' && digits_n(4, 2) && !(at(6) == b' ' && dg(at(7))) => done(i + 6),
        // Four or five digits; followed by more digits (`07139 684343`), a
        // decimal or a time (`1234.50`, `1200:30`), it is something else.
        4 | 5 if !(matches!(at(k), b' ' | b'.' | b',' | b':' | b'-' | b'/') && dg(at(k + 1))) => done(i + k),
        _ => None,
    }
}

/// A region code at `i`: two or three capitals (`QLD`, `WV`, `ON`), or
/// in lower case when `lower`.
fn region_end(text: &str, i: usize, lower: bool) -> Option<usize> {
    let b = text.as_bytes();
    let ok = |c: &&u8| c.is_ascii_uppercase() || (lower && c.is_ascii_lowercase());
    let n = b.get(i..)?.iter().take(4).take_while(ok).count();
    step(n + 1);
    ((2..=3).contains(&n) && boundary_after(text, i + n)).then_some(i + n)
}

/// US military post at `i`: `APO AE 09876`, `FPO AP 96672`; returns its end.
fn military_end(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let head = b.get(i..i + 7)?;
    step(8);
    let office = matches!(&head[..3].to_ascii_lowercase()[..], b"apo" | b"fpo" | b"dpo");
    let region = matches!(&head[4..6].to_ascii_lowercase()[..], b"aa" | b"ae" | b"ap");
    if !(office && head[3] == b' ' && region && head[6] == b' ') {
        return None;
    }
    let zip = postcode_end(text, i + 7, false)?;
    (zip - (i + 7) == 5 || zip - (i + 7) == 10).then_some(zip)
}

/// A country at `i` (`Deutschland`, `United Kingdom`, `U.K.`); returns its end.
fn country_end(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let l = lists();
    // The ends of up to five words of letters, dots and hyphens, apart by single spaces.
    let mut ends = [0usize; 5];
    let mut n = 0;
    let mut j = i;
    while n < ends.len() {
        let rest = text.get(j..)?;
        let len = rest
            .char_indices()
            .take_while(|&(k, c)| k < 32 && (c.is_alphabetic() || c == '.' || c == '-'))
            .map(|(k, c)| k + c.len_utf8())
            .last();
        step(len.unwrap_or(0) + 1);
        let Some(len) = len else { break };
        ends[n] = j + len;
        n += 1;
        if b.get(j + len) != Some(&b' ') {
            break;
        }
        j += len + 1;
    }
    for &e in ends[..n].iter().rev() {
        let cand = text.get(i..e)?;
        let trimmed = cand.trim_end_matches('.');
        if listed(&l.countries, cand) {
            return Some(e);
        }
        if trimmed.len() < cand.len() && listed(&l.countries, trimmed) {
            return Some(i + trimmed.len());
        }
    }
    None
}

/// A unit or floor at `i`, in tokens apart by single spaces: a unit word
/// and a number (`Apt 4B`, `Suite 500`, `Piso 8`, `Top 5`, `#12`), or a
/// floor number with its ordinal mark and perhaps a side (`3º izq.`,
/// `2. tv.`, `4º`, `3rd Floor`, `2. OG`). Returns its end.
fn unit_end(text: &str, cues: &CueHits, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let (mut j, mut end) = (i, None);
    let (mut unit, mut number, mut ordinal, mut letter) = (false, false, false, false);
    // `2n 1a` (Catalan floor and door): short numbers side by side.
    let mut numbers = 0;
    for _ in 0..4 {
        let c = b.get(j).copied().unwrap_or(0);
        if c == b'#' && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
            let n = b[j + 1..].iter().take(6).take_while(|c| c.is_ascii_alphanumeric()).count();
            step(n + 1);
            (unit, number) = (true, true);
            j += 1 + n;
        } else if c.is_ascii_digit() {
            let n = b[j..].iter().take(6).take_while(|c| c.is_ascii_digit()).count();
            step(n + 1);
            if n > 5 {
                return None;
            }
            let mut k = j + n;
            let rest = text.get(k..).unwrap_or_default();
            if rest.starts_with(['º', 'ª', '°']) {
                // `3º`, `1ª`, `3ºB`: the marks are two bytes each.
                ordinal = true;
                k += 2;
                if b.get(k).is_some_and(u8::is_ascii_alphabetic) && !b.get(k + 1).is_some_and(u8::is_ascii_alphanumeric) {
                    k += 1;
                }
            } else if let Some(e) =
                ["st", "nd", "rd", "th", "er", "e", "ème"].iter().find(|s| rest.starts_with(**s) && boundary_after(text, k + s.len()))
            {
                ordinal = true;
                k += e.len();
            } else if b.get(k) == Some(&b'.') && b.get(k + 1) == Some(&b' ') {
                // `2. OG`, `2. tv`: a floor, when a unit word follows.
                ordinal = b.get(k + 2).is_some_and(u8::is_ascii_alphabetic);
                k += 1;
            } else if k < b.len() && b[k].is_ascii_alphabetic() && !b.get(k + 1).is_some_and(u8::is_ascii_alphabetic) {
                k += 1;
            }
            if !boundary_after(text, k) && b.get(k) != Some(&b'.') {
                return None;
            }
            numbers += usize::from(n <= 3);
            number = true;
            j = k;
        } else if let Some(h) = cues.starting_in(j, j).find(|h| h.cue == Cue::Unit) {
            unit = true;
            j = h.end + usize::from(b.get(h.end) == Some(&b'.'));
        } else if c.is_ascii_alphabetic() && !b.get(j + 1).is_some_and(u8::is_ascii_alphanumeric) {
            // A letter: `Apt B`, `3º B`, `B 5` (a staircase, then the flat).
            letter = true;
            j += 1 + usize::from(b.get(j + 1) == Some(&b'.'));
        } else {
            break;
        }
        end = Some(j);
        if !(b.get(j) == Some(&b' ') && b.get(j + 1).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'#')) {
            break;
        }
        j += 1;
    }
    // `izq.`: a side ends the unit with its dot.
    end.filter(|_| ((unit || letter) && number) || ordinal || numbers >= 2)
}

/// A unit after a street on its line (`12 Main St Apt 4`), if one
/// follows `end`; returns its end.
fn unit_after(text: &str, cues: &CueHits, end: usize) -> usize {
    let b = text.as_bytes();
    if b.get(end) == Some(&b' ') {
        if let Some(e) = unit_end(text, cues, end + 1) {
            return e;
        }
    }
    end
}

/// A direction after a street type (`Queen St W`, `Peachtree St NE`).
fn directional_after(text: &str, end: usize) -> usize {
    let b = text.as_bytes();
    if b.get(end) != Some(&b' ') {
        return end;
    }
    match word_at(text, end + 1) {
        Some(e) if text.get(end + 1..e).is_some_and(|w| w.len() <= 5 && listed(&lists().directional, w)) => e,
        _ => end,
    }
}

/// A unit before a street that starts at `street_start`: `Flat 2, `,
/// `Studio 83W, `, `Apt. 834 `, `Flat 3` on the line before. Returns the
/// unit's start.
fn unit_before(text: &str, cues: &CueHits, street_start: usize) -> Option<usize> {
    let head = text.get(..street_start)?;
    let head = head
        .strip_suffix(", ")
        .or_else(|| head.strip_suffix(",\n"))
        .or_else(|| head.strip_suffix('\n'))
        .or_else(|| head.strip_suffix(' '))?;
    let head = head.strip_suffix('\r').unwrap_or(head);
    let id_start = head.rfind([' ', '\n']).map_or(0, |p| p + 1);
    step(head.len() - id_start + 1);
    let id = head.get(id_start..)?;
    if id.is_empty() || id.len() > 6 || !id.bytes().all(|c| c.is_ascii_alphanumeric()) || !id.bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let unit_end = id_start.checked_sub(1)?;
    if text.as_bytes().get(unit_end) != Some(&b' ') {
        return None;
    }
    let hit = |h: &&CueHit| h.cue == Cue::Unit || h.cue == Cue::PoBox;
    let dotted = unit_end.checked_sub(1).filter(|&p| text.as_bytes()[p] == b'.');
    cues.ending_at(unit_end).find(hit).or_else(|| dotted.and_then(|p| cues.ending_at(p).find(hit))).map(|h| h.start)
}

/// A building's name before a street that starts at `street_start`, on a
/// line of its own or after a unit: `Riverside House\n14 Wharf Street`,
/// `Flat 12, Riverside House, 14 Wharf Street`. Returns where it (or its
/// unit) starts.
fn building_before(text: &str, cues: &CueHits, street_start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let head = text.get(..street_start)?;
    let name_end =
        head.strip_suffix(", ").or_else(|| head.strip_suffix('\n')).or_else(|| head.strip_suffix(",\n"))?.trim_end_matches('\r').len();
    // The building's type ends its name: `House`, `Court`, `Lodge`.
    let ty = cues.ending_at(name_end).find(|h| h.cue == Cue::Unit)?;
    let (start, words) = street_words_before(text, ty.start, Style::Title);
    if words == 0 || !text.get(ty.start..ty.end).is_some_and(is_capitalized) {
        return None;
    }
    let line_start = start == 0 || b[start - 1] == b'\n';
    if let Some(u) = unit_before(text, cues, start) {
        return Some(u);
    }
    line_start.then_some(start)
}

/// What a street needs besides itself to be taken for an address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Needs {
    /// Nothing: `12 Mill Road`.
    Nothing,
    /// An address cue before it, a postcode or a country after it, or two parts: `12 mill road`.
    Some,
    /// A postcode after it: `rue Rey` (no number).
    Postcode,
}

/// A street, the first part of an address block.
#[derive(Clone, Copy, Debug)]
struct Core {
    start: usize,
    end: usize,
    base: f32,
    needs: Needs,
    style: Style,
}

impl Core {
    fn new(start: usize, end: usize, base: f32, style: Style, firm: bool) -> Self {
        let needs = if firm && style == Style::Title { Needs::Nothing } else { Needs::Some };
        Self { start, end, base, needs, style }
    }
}

/// Whether a part ending at `end` ends there: a separator, the end of the
/// text, or punctuation that closes a sentence or a bracket.
fn part_ends(text: &str, end: usize) -> bool {
    let b = text.as_bytes();
    match b.get(end) {
        None | Some(b',' | b'\n' | b'\r' | b')' | b';') => true,
        Some(b'.' | b'!' | b'?' | b':') => b.get(end + 1).is_none_or(|c| c.is_ascii_whitespace()),
        Some(b' ' | b'\t') => {
            matches!(b.get(end + 1), None | Some(b'\n' | b'\r' | b'(' | b'-' | b'/'))
                || text.get(end + 1..).is_some_and(|r| r.starts_with('–'))
        }
        _ => false,
    }
}

/// `12 Mill Road`, `Mariahilfer Straße 10`, `Studio 83W, Dawn Knoll`: a
/// street around an English (or continental, standalone) street type.
fn suffix_core(text: &str, cues: &CueHits, h: &CueHit) -> Option<Core> {
    let b = text.as_bytes();
    // `12 Park View Road`: the street goes on to its last street type.
    if b.get(h.end) == Some(&b' ') && cues.starting_in(h.end + 1, h.end + 1).any(|n| n.cue == Cue::StreetSuffix) {
        return None;
    }
    let suffix = text.get(h.start..h.end)?;
    // Each form has a digit: before the name (a house number, a unit), just
    // after the type (`Straße 10`), or further on (the postcode after a
    // capitalized street without a number). Most words that are also
    // street types (`no way`, `the park`) have none there.
    let number_next =
        b.get(h.end + 1 + usize::from(b.get(h.end) == Some(&b'.'))).is_some_and(|c| c.is_ascii_digit() || matches!(c, b'n' | b'N'));
    let capital = suffix.starts_with(|c: char| c.is_uppercase());
    if !(number_next || digit_near(text, h.start.saturating_sub(48), h.start) || (capital && digit_near(text, h.end, h.end + 96))) {
        return None;
    }
    // The name's style decides (`Karl Johans gate`, `12 Mill road` are
    // capitalized): that of the word before the type.
    let before = h.start.checked_sub(1).filter(|&p| b[p] == b' ')?;
    let word = ordinal_before(text, before).or_else(|| word_before(text, before)).and_then(|s| text.get(s..before))?;
    // (An ordinal, `34th`, tells nothing.)
    let style = if word.starts_with(|c: char| c.is_ascii_digit()) { style_of(suffix) } else { style_of(word) }?;
    let (ws, words) = street_words_before(text, h.start, style);
    if words == 0 {
        return None;
    }
    let mut end = h.end;
    // `Ave.` ends with its dot, unless the dot ends a sentence.
    if b.get(end) == Some(&b'.')
        && suffix.len() <= 4
        && !(b.get(end + 1) == Some(&b' ') && b.get(end + 2).is_some_and(u8::is_ascii_uppercase))
    {
        end += 1;
    }
    // `2 Main courses`: a capitalized name before a lower-case type is
    // taken only with more said.
    let even = !(style == Style::Title && style_of(suffix) == Some(Style::Lower));
    if let Some(n) = ws.checked_sub(1).filter(|&p| b.get(p) == Some(&b' ')).and_then(|p| number_before(text, p)) {
        let end = unit_after(text, cues, directional_after(text, end));
        return Some(Core::new(unit_before(text, cues, n).or_else(|| building_before(text, cues, n)).unwrap_or(n), end, 0.7, style, even));
    }
    // The number after: `Mariahilfer Straße 10`, `Karl Johans gate 22`.
    if let Some(e) = number_after_name(text, end).filter(|_| b.get(end) == Some(&b' ')) {
        let firm = even && part_ends(text, e);
        return Some(Core::new(ws, unit_after(text, cues, e), 0.7, style, firm));
    }
    let end = unit_after(text, cues, directional_after(text, end));
    match unit_before(text, cues, ws).or_else(|| building_before(text, cues, ws)) {
        Some(u) => Some(Core::new(u, end, 0.65, style, even)),
        // `Church Lane\nLittle Snoring\nNR21 0AA`: no number, but a postcode;
        // unless it is a name (`Roy Green`).
        None if style == Style::Title && !cues.starting_in(ws, ws).any(|h| h.cue == Cue::FirstName) => {
            Some(Core { start: ws, end, base: 0.6, needs: Needs::Postcode, style })
        }
        None => None,
    }
}

/// `12 rue de la Paix`, `Calle Mayor 12`, `Via Roma, 1`, `ul. Długa 5`:
/// a street type first.
fn prefix_core(text: &str, cues: &CueHits, h: &CueHit, article: bool) -> Option<Core> {
    let b = text.as_bytes();
    let prefix = text.get(h.start..h.end)?;
    let capital = prefix.chars().next().is_some_and(char::is_uppercase);
    if article && !capital {
        return None;
    }
    let j = if b.get(h.end) == Some(&b' ') { h.end + 1 } else { h.end };
    let (name_end, _, style) = name_words(text, j, 5, article.then_some(Style::Title), !article)?;
    let before = if article { None } else { number_before_street(text, h.start) };
    let after = number_after_name(text, name_end);
    // An abbreviation (`ul.`, `C/`, `Avda.`) is as good as a capital.
    let firm_prefix = capital || prefix.ends_with(['.', '/']);
    let core = match (before, after) {
        (Some(s), _) => Core::new(s, unit_after(text, cues, name_end), 0.7, style, !article),
        (None, Some(e)) => {
            // A date in the name: `ul. Konstytucji 3 Maja 37/23`, `Calle 5 de Mayo 12`.
            let e = match name_words(text, e + 1, 2, Some(Style::Title), true) {
                Some((m, _, _)) if b.get(e) == Some(&b' ') && e - j < 64 => number_after_name(text, m).unwrap_or(e),
                _ => e,
            };
            let firm = firm_prefix && !article && part_ends(text, e);
            let mut c = Core::new(h.start, unit_after(text, cues, e), 0.7, style, firm);
            if !firm_prefix {
                // `via DHL 3 times`: a lower-case prefix word needs a postcode.
                c.needs = Needs::Postcode;
            }
            c
        }
        (None, None) => Core { start: h.start, end: name_end, base: 0.6, needs: Needs::Postcode, style },
    };
    Some(core)
}

/// `Hauptstraße 5`, `Drottninggatan 53`: a word ending in a street type,
/// then the number.
fn compound_core(text: &str, cues: &CueHits, h: &CueHit) -> Option<Core> {
    let b = text.as_bytes();
    // `Hauptstr. 5`: the word ends before the dot.
    let word_end = if b.get(h.end.checked_sub(1)?) == Some(&b'.') { h.end - 1 } else { h.end };
    let ws = word_before(text, word_end)?;
    let word = text.get(ws..word_end)?;
    // The street type alone (`Weg 5`) is too thin.
    if word.len() <= h.end - h.start + 1 || listed(&lists().not_place, word) {
        return None;
    }
    let style = style_of(word)?;
    if let Some(num_end) = (b.get(h.end) == Some(&b' ')).then(|| number_after(text, h.end + 1)).flatten() {
        return Some(Core::new(ws, unit_after(text, cues, num_end), 0.7, style, true));
    }
    // The number before, as English writes it: `5 Hauptstraße`.
    let n = ws.checked_sub(1).filter(|&p| b[p] == b' ').and_then(|p| number_before(text, p))?;
    Some(Core::new(n, unit_after(text, cues, h.end), 0.7, style, true))
}

/// `PO Box 12`, `Postfach 10 20 30`, `Apartado de Correos 112`; the
/// unit before a box (`PSC 4115, Box 2201`).
fn po_box_core(text: &str, cues: &CueHits, h: &CueHit) -> Option<Core> {
    let b = text.as_bytes();
    let mut j = h.end;
    while matches!(b.get(j), Some(b'.' | b':')) {
        j += 1;
    }
    if b.get(j) != Some(&b' ') {
        return None;
    }
    j += 1;
    // The number, in groups for a Postfach: `10 20 30`.
    let mut end = None;
    let mut digits = 0;
    while let Some(&c) = b.get(j) {
        if c.is_ascii_digit() {
            digits += 1;
            j += 1;
            end = Some(j);
        } else if c == b' ' && digits > 0 && digits < 8 && b.get(j + 1).is_some_and(u8::is_ascii_digit) {
            j += 1;
        } else {
            break;
        }
        if digits > 10 {
            return None;
        }
    }
    step(j - h.end + 1);
    let end = end.filter(|&e| boundary_after(text, e))?;
    let word = text.get(h.start..h.end)?;
    let style = if word.chars().any(char::is_uppercase) { Style::Title } else { Style::Lower };
    // `Box 3`, `BP 45`, `Apartado 12` are a box only with more said.
    let plain = ["box", "bp", "apartado", "apdo", "apdo."].iter().any(|w| word.eq_ignore_ascii_case(w));
    let start = unit_before(text, cues, h.start).unwrap_or(h.start);
    let needs = if plain { Needs::Some } else { Needs::Nothing };
    Some(Core { start, end, base: 0.7, needs, style })
}

/// `… APO AE 09876` back to the unit (`Unit 9190 Box 6732, `, `PSC 1234,
/// Box 5678, `, `CMR 480 Box 1112`) or the ship (`USNS Comfort, `).
fn military_core(text: &str, h: &CueHit) -> Option<Core> {
    let zip_end = military_end(text, h.start)?;
    let window_start = h.start.saturating_sub(60);
    let window_start = (window_start..h.start).find(|&p| text.is_char_boundary(p)).unwrap_or(h.start);
    let head = text.get(window_start..h.start)?;
    step(6 * head.len());
    let lower = head.to_ascii_lowercase();
    let start = ["unit ", "psc ", "cmr ", "usns ", "usnv ", "uss ", "uscgc "]
        .iter()
        .filter_map(|m| lower.rfind(m).map(|p| window_start + p))
        .filter(|&p| {
            char_before(text, p).is_none_or(|c| !c.is_alphanumeric())
                && text.get(p..h.start).is_some_and(|seg| seg.chars().all(|c| c.is_alphanumeric() || matches!(c, ' ' | ',' | '\n' | '\r')))
        })
        .min()?;
    Some(Core { start, end: zip_end, base: 0.9, needs: Needs::Nothing, style: Style::Title })
}

/// The street a cue hit anchors, if it anchors one.
fn core_of(text: &str, cues: &CueHits, h: &CueHit) -> Option<Core> {
    match h.cue {
        Cue::StreetSuffix => suffix_core(text, cues, h),
        Cue::StreetPrefix => prefix_core(text, cues, h, false),
        Cue::StreetArticle => prefix_core(text, cues, h, true),
        Cue::StreetCompound => compound_core(text, cues, h),
        Cue::PoBox => po_box_core(text, cues, h),
        Cue::Military => military_core(text, h),
        _ => None,
    }
}

/// A street that starts at `i` (a second street part: `Flat 2, Rose
/// Court, 12 Mill Road`).
fn core_at(text: &str, cues: &CueHits, i: usize) -> Option<Core> {
    cues.starting_in(i, i + 48).filter_map(|h| core_of(text, cues, h)).find(|c| c.start == i)
}

/// How the next part of a block is set apart from the one before.
#[derive(Clone, Copy, Debug)]
struct Separator {
    /// Where the part starts.
    at: usize,
    /// After a line break.
    newline: bool,
    /// After a space alone (only a postcode may come so).
    space: bool,
}

fn separator(text: &str, end: usize) -> Option<Separator> {
    let b = text.as_bytes();
    let blanks = |mut k: usize| {
        let from = k;
        while k < b.len() && k - from < 8 && matches!(b[k], b' ' | b'\t') {
            k += 1;
        }
        step(k - from + 1);
        k
    };
    let newline = |k: usize| match b.get(k) {
        Some(b'\n') => Some(k + 1),
        Some(b'\r') if b.get(k + 1) == Some(&b'\n') => Some(k + 2),
        _ => None,
    };
    let k = blanks(end);
    if b.get(k) == Some(&b',') {
        let k = blanks(k + 1);
        return Some(match newline(k) {
            Some(n) => Separator { at: blanks(n), newline: true, space: false },
            None => Separator { at: k, newline: false, space: false },
        });
    }
    if let Some(n) = newline(k) {
        let at = blanks(n);
        // A blank line ends the block.
        return newline(at).is_none().then_some(Separator { at, newline: true, space: false });
    }
    // `Via Roma, 10 - 20121 Milano`, `C/ Mayor 5 – 2º B`: a dash between spaces.
    let dash = [&b" - "[..], " – ".as_bytes()].into_iter().find(|d| b.get(k.saturating_sub(1)..).is_some_and(|r| r.starts_with(d)));
    if let Some(d) = dash.filter(|_| k > end) {
        let at = k - 1 + d.len();
        return b.get(at).is_some_and(u8::is_ascii_alphanumeric).then_some(Separator { at, newline: false, space: false });
    }
    (k > end && b.get(k).is_some_and(|c| c.is_ascii_alphanumeric())).then_some(Separator { at: k, newline: false, space: true })
}

/// What a part of an address block is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Street,
    Unit,
    /// A postcode alone on its part (`1012 AB` on its line, then the town).
    Postcode,
    /// A part with a postcode in it: `28014 Madrid`, `Leeds LS1 4AB`, `IL 62704`.
    WithPostcode,
    Region,
    Town,
    Country,
}

#[derive(Clone, Copy, Debug)]
struct Part {
    end: usize,
    kind: Kind,
    /// A town that may be a name instead (`John`): kept only when more of
    /// the address follows it.
    doubtful: bool,
}

/// A town from `i`: `Springfield`, `Frankfurt am Main`, `LONDON`, `west
/// teresa` (in a lower-case address), with what may follow it in its part:
/// a region and postcode (`Springfield, IL 62704` has them in a part of
/// their own), a postcode (`London NW1 6XE`), a district (`Dublin 2`,
/// `Toulouse Cedex 6`), a province (`Milano (MI)`).
fn town(text: &str, cues: &CueHits, i: usize, lower: bool) -> Option<Part> {
    let b = text.as_bytes();
    let (mut e, words, found) = name_words(text, i, 4, None, false)?;
    if found == Style::Lower && !lower {
        return None;
    }
    let doubtful = words == 1 && cues.starting_in(i, i).any(|h| h.cue == Cue::FirstName);
    let lower = found == Style::Lower;
    if b.get(e) == Some(&b' ') {
        if let Some(r) = region_end(text, e + 1, lower) {
            if b.get(r) == Some(&b' ') {
                if let Some(p) = postcode_end(text, r + 1, lower) {
                    return Some(Part { end: p, kind: Kind::WithPostcode, doubtful: false });
                }
            }
            if !lower && part_ends(text, r) {
                return Some(Part { end: r, kind: Kind::Town, doubtful: false });
            }
        }
        if let Some(p) = postcode_end(text, e + 1, lower) {
            return Some(Part { end: p, kind: Kind::WithPostcode, doubtful: false });
        }
        // `Dublin 2`, `Dublin 6W`, `Toulouse Cedex 6`
        let n = b.get(e + 1..).map_or(0, |r| r.iter().take(3).take_while(|c| c.is_ascii_digit()).count());
        let mut d = e + 1 + n;
        if n > 0 && b.get(d).is_some_and(u8::is_ascii_uppercase) {
            d += 1;
        }
        if (1..=2).contains(&n) && part_ends(text, d) {
            e = d;
        }
    }
    // `Milano (MI)`
    let province = |c: &u8| c.is_ascii_uppercase() || (lower && c.is_ascii_lowercase());
    if b.get(e..e + 2) == Some(b" (") && b.get(e + 2..e + 4).is_some_and(|r| r.iter().all(province)) && b.get(e + 4) == Some(&b')') {
        e += 5;
    }
    Some(Part { end: e, kind: Kind::Town, doubtful })
}

/// The part of an address block at `i`, if one is there.
fn part(text: &str, cues: &CueHits, i: usize, lower: bool) -> Option<Part> {
    let b = text.as_bytes();
    if let Some(end) = military_end(text, i) {
        return Some(Part { end, kind: Kind::WithPostcode, doubtful: false });
    }
    if let Some(p) = postcode_end(text, i, lower) {
        // The town after it: `28014 Madrid`, `1012 AB Amsterdam`, `75002 PARIS`.
        if b.get(p) == Some(&b' ') {
            if let Some(t) = town(text, cues, p + 1, lower).filter(|t| t.kind == Kind::Town) {
                return Some(Part { end: t.end, kind: Kind::WithPostcode, doubtful: false });
            }
        }
        return Some(Part { end: p, kind: Kind::Postcode, doubtful: false });
    }
    if let Some(end) = unit_end(text, cues, i) {
        return Some(Part { end, kind: Kind::Unit, doubtful: false });
    }
    if let Some(end) = country_end(text, i) {
        return Some(Part { end, kind: Kind::Country, doubtful: false });
    }
    if let Some(c) = core_at(text, cues, i) {
        return Some(Part { end: c.end, kind: Kind::Street, doubtful: false });
    }
    if let Some(r) = region_end(text, i, lower) {
        if b.get(r) == Some(&b' ') {
            if let Some(p) = postcode_end(text, r + 1, lower) {
                return Some(Part { end: p, kind: Kind::WithPostcode, doubtful: false });
            }
        }
        if b[i].is_ascii_uppercase() && part_ends(text, r) {
            return Some(Part { end: r, kind: Kind::Region, doubtful: false });
        }
    }
    town(text, cues, i, lower)
}

/// Whether what follows `end` on its line is nothing (or a comma that
/// sets apart another part).
fn line_done(text: &str, end: usize) -> bool {
    let b = text.as_bytes();
    let mut k = end;
    while matches!(b.get(k), Some(b' ' | b'\t')) && k - end < 8 {
        k += 1;
    }
    step(k - end + 1);
    match b.get(k) {
        None | Some(b'\n' | b'\r' | b',') => true,
        Some(b'.' | b'!') => matches!(b.get(k + 1), None | Some(b'\n' | b'\r')),
        _ => false,
    }
}

/// The address block that starts with `core`: its span and score, or
/// `None` when the street needs more than it has.
fn block(text: &str, cues: &CueHits, core: Core) -> Option<Candidate> {
    let lower = core.style == Style::Lower;
    let mut end = core.end;
    // What the block holds up to `firm` (the end of its last part that is
    // not in doubt), and up to `end`.
    #[derive(Clone, Copy, Default)]
    struct Held {
        end: usize,
        parts: usize,
        postcode: bool,
        country: bool,
    }
    let mut firm = Held { end, ..Held::default() };
    let mut held = firm;
    let mut last_bare_postcode = false;
    for _ in 0..MAX_PARTS {
        let Some(sep) = separator(text, end) else { break };
        let Some(p) = part(text, cues, sep.at, lower) else { break };
        let postcode = matches!(p.kind, Kind::Postcode | Kind::WithPostcode);
        // After a postcode only a country comes, or the town after a postcode on its own.
        if held.postcode && !(p.kind == Kind::Country || (last_bare_postcode && p.kind == Kind::Town)) {
            break;
        }
        // After a space alone, a postcode in a form of its own (`Leeds LS1
        // 4AB`, `Madrid 28013`), not digits alone (`Mill Road 2024`).
        if sep.space
            && !(p.kind == Kind::WithPostcode
                || (postcode && !text.get(sep.at..p.end).is_some_and(|t| t.bytes().all(|c| c.is_ascii_digit()))))
        {
            break;
        }
        if sep.newline && !line_done(text, p.end) {
            break;
        }
        // A street without a number before another street was a name.
        if p.kind == Kind::Street && core.needs == Needs::Postcode && held.parts == 0 {
            break;
        }
        // A unit or a region is a whole part (`top 5 reasons` is not).
        if matches!(p.kind, Kind::Unit | Kind::Region | Kind::Street) && !part_ends(text, p.end) {
            break;
        }
        let p = Part { doubtful: p.doubtful && sep.newline, ..p };
        end = p.end;
        held = Held { end, parts: held.parts + 1, postcode: held.postcode || postcode, country: held.country || p.kind == Kind::Country };
        last_bare_postcode = p.kind == Kind::Postcode;
        if !p.doubtful {
            firm = held;
        }
    }
    let held = firm;
    let cue = cues.before(core.start, CUE_WINDOW, Cue::Address);
    let enough = match core.needs {
        Needs::Nothing => true,
        Needs::Some => cue || held.postcode || held.country || held.parts >= 2,
        Needs::Postcode => held.postcode,
    };
    if !enough {
        return None;
    }
    let mut score = if core.needs == Needs::Nothing { core.base } else { core.base.min(0.6) };
    if held.parts > 0 {
        score += 0.15;
    }
    if held.postcode {
        score += 0.05;
    }
    if cue {
        score += 0.1;
    }
    Some(Candidate::new(E::Address, core.start, held.end, score.min(0.95), "address"))
}

/// `Damrak 1, 1012 LG Amsterdam`, `Bergrøa 631\n0669 Ruthnes`, `17
/// Kingsway, Cardiff CF10 3DP`: a name and a house number (either way
/// round) before a postcode and its town, where the street type is none
/// the cues list. `at` is the comma or line break after the street.
fn street_before_postcode(text: &str, cues: &CueHits, at: usize) -> Option<Core> {
    let b = text.as_bytes();
    if at == 0 || !b[at - 1].is_ascii_alphanumeric() {
        return None;
    }
    let sep = separator(text, at).filter(|s| !s.space)?;
    // Most commas are followed by words (`Hi Sam, thanks`): in lower case,
    // a postcode comes only in an address said to be one.
    let c = *b.get(sep.at)?;
    if !(c.is_ascii_alphanumeric() || c >= 0x80) || (c.is_ascii_lowercase() && !cues.before(at, CUE_WINDOW, Cue::Address)) {
        return None;
    }
    // Most commas are followed by no postcode: one must start the part
    // (`1012 LG Amsterdam`), or follow a town in it (`Cardiff CF10 3DP`):
    // letters up to the first digit, then a postcode.
    let ahead = b.get(sep.at..).unwrap_or_default();
    let digit = ahead.iter().take(40).position(|c| !(c.is_ascii_alphabetic() || *c >= 0x80 || matches!(c, b' ' | b'-' | b'\'' | b'.')));
    step(digit.unwrap_or(40) + 1);
    let d = sep.at + digit.filter(|&d| ahead.get(d).is_some_and(u8::is_ascii_digit))?;
    let lower = ahead.first().is_some_and(u8::is_ascii_lowercase);
    let pc_at = (d.saturating_sub(2)..=d).find(|&p| p >= sep.at && postcode_end(text, p, lower).is_some())?;
    if pc_at > sep.at && b[pc_at - 1] != b' ' {
        return None;
    }
    let (ws, style) = if let Some(n) = number_before(text, at) {
        let (ws, words) = name_words_before(text, n);
        if (1..=4).contains(&words) && ws < n {
            (ws, Style::Title)
        } else {
            // In lower case (`meir 50, 2000 antwerpen`), only after an address cue.
            let (ws, words) = street_words_before(text, n, Style::Lower);
            if !(1..=2).contains(&words) || !cues.before(ws, CUE_WINDOW, Cue::Address) {
                return None;
            }
            (ws, Style::Lower)
        }
    } else {
        // English order: `17 Kingsway`, `4 The Crescent`.
        let last = word_before(text, at).filter(|&w| text.get(w..at).is_some_and(is_capitalized))?;
        let (ws, words) = street_words_before(text, last, Style::Title);
        let n = ws.checked_sub(1).filter(|&p| b[p] == b' ').and_then(|p| number_before(text, p)).filter(|_| words <= 2)?;
        (unit_before(text, cues, n).unwrap_or(n), Style::Title)
    };
    let lower = style == Style::Lower;
    let located = match postcode_end(text, sep.at, lower) {
        // The town after the postcode, or on the line after it (`1351\nGanshoren`).
        Some(p) => {
            let town_at = match b.get(p) {
                Some(b' ') => Some(p + 1),
                _ => separator(text, p).filter(|s| s.newline).map(|s| s.at),
            };
            town_at.and_then(|t| town(text, cues, t, lower)).is_some_and(|t| t.kind == Kind::Town)
        }
        // The town, then the postcode: `Cardiff CF10 3DP`.
        None => town(text, cues, sep.at, lower).is_some_and(|t| t.kind == Kind::WithPostcode),
    };
    located.then_some(Core { start: ws, end: at, base: 0.7, needs: Needs::Postcode, style })
}

/// Whether a digit stands in `from..to` (clamped to the text): every
/// address has one near its street (a house number, a unit's or a box's,
/// a postcode), so a street type far from any is passed over cheaply.
fn digit_near(text: &str, from: usize, to: usize) -> bool {
    let b = text.as_bytes();
    let near = b.get(from.min(b.len())..to.min(b.len())).unwrap_or_default();
    step(near.len() + 1);
    near.iter().any(u8::is_ascii_digit)
}

pub(crate) fn addresses(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    // Every address has a digit (see `digit_near`).
    if !cues.has_digit() {
        return;
    }
    let first = out.len();
    let anchors = |h: &CueHit| {
        matches!(h.cue, Cue::StreetSuffix | Cue::StreetPrefix | Cue::StreetArticle | Cue::StreetCompound | Cue::PoBox | Cue::Military)
    };
    // Blocks are found in order; a hit inside one found already adds nothing.
    let mut covered = 0;
    let hits = &cues.0;
    let mut k = 0;
    while k < hits.len() {
        let h = &hits[k];
        k += 1;
        step(1);
        if h.start < covered || !anchors(h) || !digit_near(text, h.start.saturating_sub(48), h.end + 96) {
            continue;
        }
        let mut core = core_of(text, cues, h);
        // One word of two kinds (`avenue` ends English streets and starts
        // French ones): the longer street.
        while let Some(n) = hits.get(k).filter(|n| n.start == h.start && n.end == h.end) {
            k += 1;
            step(1);
            if let Some(c) = Some(n).filter(|n| anchors(n)).and_then(|n| core_of(text, cues, n)) {
                if core.is_none_or(|o| c.end > o.end || (c.end == o.end && c.start < o.start)) {
                    core = Some(c);
                }
            }
        }
        let Some(core) = core.filter(|c| c.start >= covered) else { continue };
        if let Some(c) = block(text, cues, core) {
            covered = c.end;
            out.push(c);
        }
    }
    // Streets of no listed type, before a postcode and a town: from each
    // comma and line break after a street (`Damrak 1,`, `17 Kingsway,`),
    // outside the blocks found.
    let found = out.len();
    let (mut next, mut free_from) = (first, 0);
    let b = text.as_bytes();
    step(text.len());
    for at in memchr::memchr2_iter(b',', b'\n', b) {
        step(1);
        // (A `\r\n` break is asked at its `\r`.)
        let at = if at > 0 && b[at] == b'\n' && b[at - 1] == b'\r' { at - 1 } else { at };
        while next < found && out[next].end <= at {
            free_from = free_from.max(out[next].end);
            next += 1;
        }
        if at < free_from || (next < found && out[next].start <= at) {
            continue;
        }
        if let Some(core) = street_before_postcode(text, cues, at).filter(|c| c.start >= free_from) {
            if let Some(c) = block(text, cues, core) {
                free_from = c.end;
                out.push(c);
            }
        }
    }
}

#[cfg(test)]
mod tests;
