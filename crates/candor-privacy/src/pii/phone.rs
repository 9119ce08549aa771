//! Phone numbers, validated against the numbering plans of libphonenumber
//! (the `phonenumber` crate's metadata, see [`plans`]), not accepted on
//! shape.
//!
//! International numbers (`+44 20 7946 0958`, `0044…`) are validated as
//! they are. A national number carries no country, so it is tried against
//! the plans of the regions candor's customers most often write from; and
//! because a plain run of digits is as likely an order number or a code,
//! a national number needs either a cue nearby ("call me on", "mi
//! teléfono es") or the formatting of a phone number (a trunk `0`, an area
//! code in brackets, or the NANP 3-3-4 grouping).

use phonenumber::country::Id;

use super::work::step;

/// Regions whose national formats are tried, most common first.
const REGIONS: &[Id] = &[
    Id::US,
    Id::GB,
    Id::DE,
    Id::FR,
    Id::ES,
    Id::AU,
    Id::CA,
    Id::IT,
    Id::NL,
    Id::IE,
    Id::BE,
    Id::CH,
    Id::AT,
    Id::PT,
    Id::MX,
    Id::BR,
    Id::IN,
    Id::NZ,
];

mod plans;

#[derive(Debug)]
pub(crate) struct PhoneRecognizer {
    plans: plans::Plans,
}

impl Default for PhoneRecognizer {
    fn default() -> Self {
        Self { plans: plans::Plans::new() }
    }
}

/// The shape of a candidate, read once.
struct Shape {
    digits: usize,
    international: bool,
    separated: bool,
    bracketed: bool,
    trunk_zero: bool,
    nanp: bool,
}

fn shape(raw: &str) -> Option<Shape> {
    let mut digits = 0;
    let mut groups = Vec::with_capacity(6);
    let mut run = 0;
    for c in raw.chars() {
        match c {
            '0'..='9' => {
                digits += 1;
                run += 1;
            }
            ' ' | '-' | '.' | '(' | ')' | '+' => {
                if run > 0 {
                    groups.push(run);
                }
                run = 0;
            }
            _ => return None,
        }
    }
    if run > 0 {
        groups.push(run);
    }
    let trimmed = raw.trim_start_matches(['(', ' ']);
    Some(Shape {
        digits,
        international: raw.starts_with('+') || raw.starts_with("00"),
        separated: groups.len() > 1,
        bracketed: raw.contains('('),
        trunk_zero: trimmed.starts_with('0'),
        nanp: groups == [3, 3, 4] || groups == [1, 3, 3, 4] && trimmed.starts_with('1'),
    })
}

impl PhoneRecognizer {
    /// The score of `raw` as a phone number, if it is one; `cue` says a
    /// phone cue precedes it.
    pub(crate) fn score(&self, raw: &str, cue: bool) -> Option<f32> {
        step(raw.len() + 1);
        let s = shape(raw)?;
        if !(7..=15).contains(&s.digits) {
            return None;
        }
        if s.international {
            let normalized = match raw.strip_prefix("00") {
                Some(rest) => format!("+{rest}"),
                None => raw.to_owned(),
            };
            if self.plans.is_valid(None, &normalized) {
                return Some(if cue { 1.0 } else { 0.95 });
            }
            // After "call me on", a number with a real country code and a
            // national length is a phone number even in an unallocated
            // range; without a cue it has to be allocated.
            let national = self.plans.national_length(&normalized)?;
            return (cue && (6..=12).contains(&national)).then_some(0.7);
        }
        let formatted = s.trunk_zero || s.bracketed || s.nanp;
        if !(cue || formatted && s.separated) {
            return None;
        }
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let valid = REGIONS.iter().any(|r| self.plans.could_be(r.as_ref(), &digits) && self.plans.is_valid(Some(r.as_ref()), raw));
        if !valid {
            return None;
        }
        Some(match (cue, formatted) {
            // A bare run of digits after a phone cue is likelier a phone
            // than not, but a nearer order or case cue outweighs it.
            (true, _) if !s.separated => 0.7,
            (true, _) => 0.9,
            (false, _) if s.bracketed || s.trunk_zero => 0.75,
            _ => 0.65,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn international_numbers_are_validated_by_their_plan() {
        let p = PhoneRecognizer::default();
        for ok in ["+44 20 7946 0958", "+1 201-538-3518", "+61412363387", "+33 1 23 96 29 16", "0049 30 371008"] {
            assert!(p.score(ok, false).is_some(), "{ok}");
        }
        // Valid shape, no such numbering plan or range.
        assert!(p.score("+999 12 345 678", false).is_none());
        // Ofcom's drama range is unallocated: a phone only after a cue.
        assert!(p.score("+44 7700 900123", false).is_none());
        assert_eq!(p.score("+44 7700 900123", true), Some(0.7));
        assert!(p.score("+44 12", true).is_none());
    }

    #[test]
    fn national_numbers_need_a_cue_or_a_phone_format() {
        let p = PhoneRecognizer::default();
        for ok in ["(02) 1274 3957", "07400 690708", "0121 282 9918", "(201) 560-9319", "201-560-9319", "030 327206"] {
            assert!(p.score(ok, false).is_some(), "{ok}");
        }
        // A plain run of digits is an order number as often as a phone.
        assert!(p.score("405498885", false).is_none());
        assert!(p.score("612 40 67 79", false).is_none());
        assert!(p.score("612 40 67 79", true).is_some(), "a Spanish mobile after a cue");
        assert!(p.score("22/03/1979", true).is_none(), "dates are not phones");
        assert!(p.score("2024-2025", false).is_none());
    }
}
