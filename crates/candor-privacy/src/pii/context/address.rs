//! Postal addresses, recognized by their structure around a street type:
//!
//! - `487 Victoria Point`, `12 Main St Apt 4`: a house number, capitalized
//!   street words, an English street suffix, perhaps a unit;
//! - `Studio 83W, Dawn Knoll`, `Flat 2, 9 Mill Road`: a unit first;
//! - `12 rue de la Paix`, `Calle Mayor 12`, `Via Roma 1`: a Romance street
//!   prefix with the number before or after;
//! - `Hauptstraße 5`, `Keizersgracht 12`: a street word ending in a German
//!   or Dutch street type, then the number;
//!
//! then extended over what follows it: city, region (`QLD`, `WV`) and
//! postcode (UK, US, Canadian, Dutch and 4–5 digit forms), in either order.
//! An address cue (`ship to`, `dirección`) before it raises the score.

use super::super::text::{boundary_after, char_before, is_capitalized, lower_ascii, word_end};
use super::{lower_in, Cue, CueHits};
use crate::pii::work::step;
use crate::pii::{Candidate, EntityType as E};

/// Words that end a locality: `… Mill Road, thanks`.
pub(super) const NOT_PLACES: &[&str] =
    &["and", "asap", "but", "cheers", "i", "is", "it", "my", "not", "or", "please", "thank", "thanks", "the", "thx", "today", "tomorrow"];

/// Lower-case words inside a street name (`Avenue of the Americas`).
pub(super) const STREET_PARTICLES: &[&str] = &["de", "del", "des", "du", "la", "le", "of", "st", "the"];

/// Lower-case words inside a street or place name after a prefix
/// (`rue de la Paix`, `Rua dos Anjos`).
pub(super) const LOCALITY_PARTICLES: &[&str] = &["da", "das", "de", "del", "des", "di", "do", "dos", "du", "la", "le", "of", "the", "y"];

/// The word (letters) that ends at byte `end`, if one does.
fn word_before(text: &str, end: usize) -> Option<usize> {
    let mut start = end;
    for (i, c) in text.get(..end)?.char_indices().rev() {
        step(1);
        if c.is_alphabetic() || ((c == '-' || c == '\'') && start < end) {
            start = i;
        } else {
            break;
        }
    }
    let whole = char_before(text, start).is_none_or(|c| !c.is_alphanumeric());
    (start < end && whole && text.get(start..end).is_some_and(|w| w.chars().next().is_some_and(char::is_alphabetic))).then_some(start)
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
    while i > 0 && (b[i - 1].is_ascii_digit() || (matches!(b[i - 1], b'-' | b'/') && i > 1 && b[i - 2].is_ascii_digit() && i < digits_end))
    {
        step(1);
        i -= 1;
    }
    let n = digits_end - i;
    ((1..=9).contains(&n) && char_before(text, i).is_none_or(|c| !c.is_alphanumeric() && c != '/')).then_some(i)
}

/// A house number starting at `i`; returns its end.
fn number_after(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    step(j - i + 1);
    if !(1..=5).contains(&(j - i)) {
        return None;
    }
    if j < b.len() && b[j].is_ascii_alphabetic() && !b.get(j + 1).is_some_and(u8::is_ascii_alphabetic) {
        j += 1;
    }
    boundary_after(text, j).then_some(j)
}

/// Street-name words ending at `end` (capitalized, or lower-case articles
/// between them); returns where they start and how many capitalized ones.
fn street_words_before(text: &str, mut end: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let mut start = end;
    let mut words = 0;
    for _ in 0..5 {
        if end == 0 || b[end - 1] != b' ' {
            break;
        }
        let Some(ws) = word_before(text, end - 1) else { break };
        let w = text.get(ws..end - 1).unwrap_or_default();
        if is_capitalized(w) && !lower_in(w, NOT_PLACES) {
            words += 1;
        } else if !lower_in(w, STREET_PARTICLES) {
            break;
        }
        start = ws;
        end = ws;
    }
    (start, words)
}

/// Capitalized words from `i` on one line (for street names after a
/// prefix, and cities); returns their end and count.
fn capitalized_words(text: &str, i: usize, max: usize, allow_particles: bool) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut j = i;
    let mut end = i;
    let mut words = 0;
    for _ in 0..max {
        let Some(e) = word_end(text, j) else { break };
        let w = text.get(j..e)?;
        let particle = allow_particles && lower_in(w, LOCALITY_PARTICLES) && w.chars().all(char::is_lowercase);
        if is_capitalized(w) && !lower_in(w, NOT_PLACES) {
            words += 1;
            end = e;
        } else if !particle {
            break;
        }
        // Abbreviations inside a name: `St. Edwardchester`, `Mt. Pleasant`.
        let abbrev = b.get(e) == Some(&b'.') && w.chars().count() <= 3 && is_capitalized(w) && b.get(e + 1) == Some(&b' ');
        if abbrev {
            end = e + 1;
            j = e + 2;
            continue;
        }
        if b.get(e) != Some(&b' ') {
            break;
        }
        j = e + 1;
    }
    (words > 0).then_some((end, words))
}

/// A postcode at `i`: UK (`N59 3YT`), Canadian (`L4E 3C6`), Dutch
/// (`1012 AB`), US ZIP (`22697`, `22697-1234`) or 4–5 digits.
fn postcode_end(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let at = |k: usize| b.get(i + k).copied().unwrap_or(0);
    let up = |c: u8| c.is_ascii_uppercase();
    let dg = |c: u8| c.is_ascii_digit();
    let done = |end: usize| boundary_after(text, end).then_some(end);
    // Canadian A9A 9A9
    if up(at(0)) && dg(at(1)) && up(at(2)) && at(3) == b' ' && dg(at(4)) && up(at(5)) && dg(at(6)) {
        return done(i + 7);
    }
    // UK outward code (A9, A99, AA9, AA99, A9A, AA9A), space, inward code (9AA).
    if up(at(0)) {
        let mut k = 1;
        if up(at(k)) {
            k += 1;
        }
        if dg(at(k)) {
            k += 1;
            if dg(at(k)) || up(at(k)) {
                k += 1;
            }
            if at(k) == b' ' && dg(at(k + 1)) && up(at(k + 2)) && up(at(k + 3)) {
                return done(i + k + 4);
            }
        }
        return None;
    }
    if dg(at(0)) {
        // Six digits are too many for any of the forms below: no need to
        // read further.
        let mut k = 0;
        while k < 6 && dg(at(k)) {
            k += 1;
        }
        step(k);
        if k == 4 && at(4) == b' ' && up(at(5)) && up(at(6)) && !b.get(i + 7).is_some_and(u8::is_ascii_alphabetic) {
            return done(i + 7);
        }
        if k == 5 && at(5) == b'-' && (6..10).all(|d| dg(at(d))) {
            return done(i + 10);
        }
        // Portuguese 1100-048.
        if k == 4 && at(4) == b'-' && (5..8).all(|d| dg(at(d))) && !dg(at(8)) {
            return done(i + 8);
        }
        // Followed by more digits (`07139 684343`), it is a phone number.
        if (k == 4 || k == 5) && !(at(k) == b' ' && dg(at(k + 1))) {
            return done(i + k);
        }
    }
    None
}

/// A region code at `i`: two or three upper-case letters (`QLD`, `WV`).
fn region_end(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let n = b.get(i..)?.iter().take(4).take_while(|c| c.is_ascii_uppercase()).count();
    step(n + 1);
    ((2..=3).contains(&n) && boundary_after(text, i + n)).then_some(i + n)
}

/// Extend a street over the locality after it; returns the new end and
/// how many parts were added.
fn locality(text: &str, mut end: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let mut parts = 0;
    let mut last_was_postcode = false;
    for _ in 0..4 {
        let comma = b.get(end) == Some(&b',');
        let sep_end = if comma { end + 1 } else { end };
        if b.get(sep_end) != Some(&b' ') {
            break;
        }
        let i = sep_end + 1;
        if let Some(e) = postcode_end(text, i) {
            end = e;
            parts += 1;
            last_was_postcode = true;
            continue;
        }
        if let Some(e) = region_end(text, i) {
            end = e;
            parts += 1;
            last_was_postcode = false;
            continue;
        }
        // A city needs a comma before it, unless it follows a postcode
        // (`10115 Berlin`).
        if comma || last_was_postcode {
            if let Some((e, _)) = capitalized_words(text, i, 3, false) {
                end = e;
                parts += 1;
                last_was_postcode = false;
                continue;
            }
        }
        break;
    }
    (end, parts)
}

/// A unit before a street: `Flat 2, `, `Studio 83W, `, `Apt 4B `. Returns
/// the unit's start when the text before `street_start` is one.
fn unit_before(text: &str, cues: &CueHits, street_start: usize) -> Option<usize> {
    let head = text.get(..street_start)?;
    // `PSC 1234, Box 5678` and `Unit 9190 Box 6732`: a unit within a unit.
    let head = head.strip_suffix(", ").or_else(|| head.strip_suffix(' '))?;
    let id_start = head.rfind(' ')? + 1;
    step(head.len() - id_start + 1);
    let id = head.get(id_start..)?;
    if id.is_empty() || id.len() > 6 || !id.bytes().all(|c| c.is_ascii_alphanumeric()) || !id.bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let unit_end = id_start - 1;
    cues.ending_at(unit_end).find(|h| h.cue == Cue::Unit).map(|h| h.start)
}

fn score(base: f32, parts: usize, cue: bool) -> f32 {
    let s = if parts > 0 { base + 0.15 } else { base };
    if cue {
        (s + 0.1).min(0.95)
    } else {
        s
    }
}

pub(crate) fn addresses(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    for h in &cues.0 {
        step(1);
        let cue_before = |pos: usize| cues.before(pos, 40, Cue::Address);
        match h.cue {
            Cue::StreetSuffix => {
                let suffix = text.get(h.start..h.end).unwrap_or_default();
                if !(suffix.chars().next().is_some_and(char::is_uppercase) || cue_before(h.start)) {
                    continue;
                }
                let (words_start, words) = street_words_before(text, h.start);
                if words == 0 {
                    continue;
                }
                let mut end = h.end;
                if b.get(end) == Some(&b'.')
                    && !b.get(end + 1).is_some_and(|c| *c == b' ' && b.get(end + 2).is_some_and(u8::is_ascii_uppercase))
                {
                    end += usize::from(suffix.len() <= 4);
                }
                // A unit after the street: `Apt 4`, `Suite 500`, `#12`.
                if let Some(u) = cues.starting_in(end + 1, end + 2).find(|u| u.cue == Cue::Unit) {
                    let id_start = super::super::text::skip_blanks(text, u.end + usize::from(b.get(u.end) == Some(&b'.')));
                    let id_end = id_start + b.get(id_start..).map_or(0, |r| r.iter().take_while(|c| c.is_ascii_alphanumeric()).count());
                    step(id_end - id_start + 1);
                    if id_end > id_start && b[id_start..id_end].iter().any(u8::is_ascii_digit) {
                        end = id_end;
                    }
                }
                let (start, base) =
                    match words_start.checked_sub(1).filter(|&p| b.get(p) == Some(&b' ')).and_then(|p| number_before(text, p)) {
                        Some(n) => (unit_before(text, cues, n).unwrap_or(n), 0.7),
                        None => match unit_before(text, cues, words_start) {
                            Some(u) => (u, 0.65),
                            None => continue,
                        },
                    };
                let (end, parts) = locality(text, end);
                out.push(Candidate::new(E::Address, start, end, score(base, parts, cue_before(start)), "address"));
            }
            Cue::StreetPrefix => {
                let prefix = text.get(h.start..h.end).unwrap_or_default();
                let mut j = h.end;
                if b.get(j) == Some(&b' ') {
                    j += 1;
                }
                let Some((name_end, _)) = capitalized_words(text, j, 4, true) else { continue };
                // Number before (`12 rue de la Paix`) or after (`Calle Mayor 12`, `Via Roma, 1`).
                let before = h.start.checked_sub(1).filter(|&p| b.get(p) == Some(&b' ')).and_then(|p| number_before(text, p));
                let after_at = if b.get(name_end) == Some(&b',') { name_end + 2 } else { name_end + 1 };
                let after = if matches!(b.get(name_end), Some(b' ' | b',')) { number_after(text, after_at) } else { None };
                let (start, end) = match (before, after) {
                    (Some(s), _) => (s, name_end),
                    (None, Some(e)) if is_capitalized(prefix) || cue_before(h.start) => (h.start, e),
                    _ => continue,
                };
                let (end, parts) = locality(text, end);
                out.push(Candidate::new(E::Address, start, end, score(0.7, parts, cue_before(start)), "address"));
            }
            Cue::StreetCompound => {
                let Some(ws) = word_before(text, h.end) else { continue };
                let word = text.get(ws..h.end).unwrap_or_default();
                let mut buf = [0u8; 24];
                // The street type alone (`Weg 5`) is too thin; `Hauptstraße` is a street.
                if !is_capitalized(word)
                    || word.len() <= h.end - h.start + 1
                    || lower_ascii(word, &mut buf).is_some_and(|w| super::in_sorted(NOT_PLACES, w))
                {
                    continue;
                }
                if b.get(h.end) != Some(&b' ') {
                    continue;
                }
                let Some(num_end) = number_after(text, h.end + 1) else { continue };
                let (end, parts) = locality(text, num_end);
                out.push(Candidate::new(E::Address, ws, end, score(0.7, parts, cue_before(ws)), "address"));
            }
            Cue::Unit
                if text.get(h.start..h.end).is_some_and(|u| {
                    step(3 * u.len());
                    u.to_lowercase().replace(['.', ' '], "").starts_with("pobox")
                }) =>
            {
                // `PO Box 4411, Halifax, NS B3K 5M1`
                let Some(n_end) = (b.get(h.end) == Some(&b' ')).then(|| number_after(text, h.end + 1)).flatten() else { continue };
                let (end, parts) = locality(text, n_end);
                out.push(Candidate::new(E::Address, h.start, end, score(0.7, parts, cue_before(h.start)), "address"));
            }
            Cue::Military => {
                // `… APO AE 09876`: the post office, the region, the ZIP.
                let region_at = h.end + 1;
                let ok = b.get(h.end) == Some(&b' ')
                    && matches!(b.get(region_at..region_at + 2), Some(b"AA" | b"AE" | b"AP"))
                    && b.get(region_at + 2) == Some(&b' ');
                let Some(zip_end) = ok.then(|| postcode_end(text, region_at + 3)).flatten() else { continue };
                // Back to the unit (`Unit 9190 Box 6732, `, `PSC 1234, Box 5678, `)
                // or the ship (`USNS Comfort, `).
                let window_start = h.start.saturating_sub(60);
                let head = text.get(window_start..h.start).unwrap_or_default();
                let found = ["Unit ", "PSC ", "USNS ", "USNV ", "USS ", "USCGC "]
                    .iter()
                    .filter_map(|m| head.rfind(m).map(|p| window_start + p))
                    .filter(|&p| {
                        boundary_before_ascii(text, p)
                            && text.get(p..h.start).is_some_and(|seg| seg.chars().all(|c| c.is_alphanumeric() || c == ' ' || c == ','))
                    })
                    .min();
                if let Some(start) = found {
                    out.push(Candidate::new(E::Address, start, zip_end, 0.85, "address"));
                }
            }
            _ => {}
        }
    }
}

fn boundary_before_ascii(text: &str, i: usize) -> bool {
    char_before(text, i).is_none_or(|c| !c.is_alphanumeric())
}

#[cfg(test)]
mod tests {
    use crate::pii::context::Cues;
    use crate::pii::{Candidate, EntityType};

    fn found(text: &str) -> Vec<String> {
        let cues = Cues::new().find(text);
        let mut v: Vec<Candidate> = Vec::new();
        super::addresses(text, &cues, &mut v);
        v.retain(|c| c.entity == EntityType::Address && c.score >= 0.5);
        v.into_iter().map(|c| text[c.start..c.end].to_owned()).collect()
    }

    #[test]
    fn english_addresses_with_their_locality() {
        assert_eq!(found("ship to 487 Victoria Point, Claytonmouth, WV 22697 please"), vec!["487 Victoria Point, Claytonmouth, WV 22697"]);
        assert_eq!(found("to 8 Jennifer Brae, Carolynhaven, QLD, 2628"), vec!["8 Jennifer Brae, Carolynhaven, QLD, 2628"]);
        assert_eq!(found("at 941 Wright Forge, North John, NB L4E 3C6."), vec!["941 Wright Forge, North John, NB L4E 3C6"]);
        assert_eq!(found("Studio 83W, Dawn Knoll, Lake Patrickhaven, S82 9NA"), vec!["Studio 83W, Dawn Knoll, Lake Patrickhaven, S82 9NA"]);
        assert_eq!(found("I live at 221B Baker Street, London NW1 6XE"), vec!["221B Baker Street, London NW1 6XE"]);
        assert_eq!(found("send it to 12 Main St Apt 4, Springfield, IL 62704, thanks"), vec!["12 Main St Apt 4, Springfield, IL 62704"]);
    }

    #[test]
    fn australian_units_plurals_and_abbreviated_localities() {
        assert_eq!(found("to Level 7 9 Stephen Ring, North Candy, NSW, 2642"), vec!["Level 7 9 Stephen Ring, North Candy, NSW, 2642"]);
        assert_eq!(found("to 591/536 Miller Block, East Joel, VIC, 2978"), vec!["591/536 Miller Block, East Joel, VIC, 2978"]);
        assert_eq!(
            found("at 72 Warren Villages Apt. 787, North Gavin, AS 15375"),
            vec!["72 Warren Villages Apt. 787, North Gavin, AS 15375"]
        );
        assert_eq!(found("at 94 Rios Crescent, St. Edward, SA, 2642."), vec!["94 Rios Crescent, St. Edward, SA, 2642"]);
        assert_eq!(found("Apt. 834 63 Hall Meander, West Ash, QLD, 2943"), vec!["Apt. 834 63 Hall Meander, West Ash, QLD, 2943"]);
    }

    #[test]
    fn us_military_post() {
        assert_eq!(found("send to Unit 9190 Box 6732, DPO AA 63602 asap"), vec!["Unit 9190 Box 6732, DPO AA 63602"]);
        assert_eq!(found("to USNS Comfort, FPO AP 54191"), vec!["USNS Comfort, FPO AP 54191"]);
        assert_eq!(found("PSC 1234, Box 5678, APO AE 09876"), vec!["PSC 1234, Box 5678, APO AE 09876"]);
    }

    #[test]
    fn continental_addresses() {
        assert_eq!(found("Adresse: 12 rue de la Paix, 75002 Paris"), vec!["12 rue de la Paix, 75002 Paris"]);
        assert_eq!(found("Calle Mayor 12, 28013 Madrid"), vec!["Calle Mayor 12, 28013 Madrid"]);
        assert_eq!(found("bitte an Hauptstraße 5, 10115 Berlin liefern"), vec!["Hauptstraße 5, 10115 Berlin"]);
    }

    #[test]
    fn street_words_without_structure_are_not_addresses() {
        assert!(found("Good Point, thanks for the Walk").is_empty());
        assert!(found("I waited 2 Hours on the Road").is_empty());
        assert!(found("flight 22 Main terminal").is_empty());
    }
}
