//! Phone numbers, validated against the numbering plans of libphonenumber
//! (the `phonenumber` crate's metadata, see [`plans`]), not accepted on
//! shape.
//!
//! International numbers (`+44 20 7946 0958`, `0044…`) are validated as
//! they are. A national number carries no country, so it is tried against
//! the plans of the regions candor's customers most often write from; and
//! because a plain run of digits is as likely an order number or a code,
//! a national number needs either a cue nearby ("call me on", "mi
//! teléfono es"; or after it, as a label: "… office", "… (m)", "… is my
//! mobile") or the formatting of a phone number (a trunk `0`, an area
//! code in brackets, or the NANP 3-3-4 grouping). An extension written
//! after the number (`x22`, `ext. 22`, `#22`) is part of its span.
//!
//! What a phone number's shape is, candor defines once
//! ([`candor_domain::PhoneShape`]), for phone identifiers too. A number
//! [written as a phone](candor_domain::PhoneShape::written_as_phone) that
//! no plan knows (Ofcom's drama range `07700 900123`, a digit short, a
//! range not yet allocated) is still redacted, with a lower score than a
//! valid one, so that everything candor accepts as a phone identifier is
//! redacted when its owner writes it; any other type found on the same
//! text (an order reference after its cue, a Social Security number, a
//! card) outscores it.

use candor_domain::PhoneShape;
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

/// The score of a number written as a phone that no numbering plan
/// knows, without a cue: above the engine's threshold, below every other
/// reading of the same digits.
const UNVALIDATED: f32 = 0.55;

impl PhoneRecognizer {
    /// The score of `raw` as a phone number, if it is one; `cue` says a
    /// phone cue precedes it.
    pub(crate) fn score(&self, raw: &str, cue: bool) -> Option<f32> {
        step(raw.len() + 1);
        let s = PhoneShape::parse(raw)?;
        if s.international() {
            let normalized = match raw.strip_prefix("00") {
                Some(rest) => format!("+{rest}"),
                None => raw.to_owned(),
            };
            if self.plans.is_valid(None, &normalized) {
                return Some(if cue { 1.0 } else { 0.95 });
            }
            // Written as a phone all the same: in an unallocated range
            // (`+44 7700 900123`), a digit short, or after a country code
            // the plans do not know. Surer after "call me on", and with a
            // real country code and a national length.
            let national_ok = self.plans.national_length(&normalized).is_some_and(|n| (6..=12).contains(&n));
            return match (cue && national_ok, s.written_as_phone(), national_ok) {
                (true, _, _) => Some(0.7),
                (false, true, true) => Some(UNVALIDATED + 0.05),
                (false, true, false) => Some(UNVALIDATED),
                (false, false, _) => None,
            };
        }
        // Spain and Portugal have no trunk `0`: their nine digits are
        // written 3-3-3 or 3-2-2-2 from a 6 to a 9, landlines 2-3-2-2
        // after a two-digit area code (`91 234 56 78`).
        let iberian = matches!(s.groups(), [3, 3, 3] | [3, 2, 2, 2]) && raw.starts_with(['6', '7', '8', '9'])
            || s.groups() == [2, 3, 2, 2] && raw.starts_with(['8', '9']);
        let formatted = s.trunk_zero() || s.bracketed() || s.nanp() || iberian;
        let written = s.written_as_phone();
        if !(cue || formatted && s.separated() || written) {
            return None;
        }
        let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
        let valid = REGIONS.iter().any(|r| self.plans.could_be(r.as_ref(), &digits) && self.plans.is_valid(Some(r.as_ref()), raw));
        if !valid {
            // Written as a phone, in no plan.
            return written.then_some(if cue { UNVALIDATED + 0.1 } else { UNVALIDATED });
        }
        Some(match (cue, formatted) {
            // A bare run of digits after a phone cue is likelier a phone
            // than not, but a nearer order or case cue outweighs it.
            (true, _) if !s.separated() => 0.7,
            (true, _) => 0.9,
            (false, _) if s.bracketed() || s.trunk_zero() => 0.75,
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
        // No such country code, but written as a phone: one, barely.
        assert_eq!(p.score("+999 12 345 678", false), Some(UNVALIDATED));
        // Ofcom's drama range is unallocated: still written as a phone,
        // with a real country code, so one; surer after a cue.
        assert_eq!(p.score("+44 7700 900123", false), Some(0.6));
        assert_eq!(p.score("+44 7700 900123", true), Some(0.7));
        assert_eq!(p.score("+1 (415) 555-006", false), Some(0.6), "a digit short");
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
        assert!(p.score("612406779", false).is_none());
        assert!(p.score("612406779", true).is_some(), "a Spanish mobile after a cue");
        // Grouped as Spain writes its numbers, it is one without a cue.
        for es in ["612 40 67 79", "612 406 779", "91 234 56 78"] {
            assert_eq!(p.score(es, false), Some(0.65), "{es}");
        }
        assert!(p.score("512 406 779", false).is_none() && p.score("61 240 67 79", false).is_none());
        assert!(p.score("22/03/1979", true).is_none(), "dates are not phones");
        assert!(p.score("2024-2025", false).is_none());
        // A trunk `0` before ten digits is a phone number without grouping.
        assert_eq!(p.score("07849951099", false), Some(0.75));
        assert!(p.score("0412", false).is_none() && p.score("(02) 1274", false).is_none());
    }
}
