//! Recognizers that need context, one file each: person names after a
//! cue ([`names`]), postal addresses ([`address`]), order and booking
//! references ([`orders`]) and dates of birth ([`dates_of_birth`]).
//!
//! Context comes from cue phrases in several languages (`data/pii-cues.txt`,
//! data rather than code), found in one walk over the words of a text by
//! the cue scanner ([`scanner`]; what it finds is in [`cues`]). Numeric
//! recognizers ask the same hits whether, say, a phone cue precedes a
//! number. Word lists are looked up as [`words`] does.

pub(crate) mod address;
mod cues;
mod dates_of_birth;
mod names;
mod orders;
mod scanner;
mod word_bytes;
mod words;

pub(crate) use cues::{Cue, CueHit, CueHits};
pub(crate) use scanner::Cues;

use dates_of_birth::dates_of_birth;
use names::{here_i_am, names, signatures};
use orders::orders;
use words::{dotted_in, list, lower_in};

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::recognizers::{Selection, Stage};
use super::text::{char_at, is_capitalized, skip_blanks, word_end};
use super::work::step;
use super::{Candidate, EntityType as E};

/// Run the context recognizers that `run` selects.
pub(crate) fn recognize(text: &str, cues: &CueHits, run: Selection, out: &mut Vec<Candidate>) {
    if run.runs(Stage::CueNames) {
        names(text, cues, out);
    }
    if run.runs(Stage::Orders) {
        orders(text, cues, out);
    }
    if run.runs(Stage::DatesOfBirth) {
        dates_of_birth(text, cues, out);
    }
    if run.runs(Stage::Signatures) {
        signatures(text, cues, out);
        here_i_am(text, cues, out);
    }
    if run.runs(Stage::Addresses) {
        address::addresses(text, cues, out);
    }
}

#[cfg(test)]
mod word_list_tests {
    use super::*;

    #[test]
    fn word_lists_are_sorted_for_bisection() {
        for (name, list) in [
            ("NOT_NAMES", names::NOT_NAMES.as_slice()),
            ("NAME_OR_WORD", names::NAME_OR_WORD.as_slice()),
            ("PARTICLES", names::PARTICLES.as_slice()),
            ("TITLES", names::TITLES.as_slice()),
            ("POSTNOMINALS", names::POSTNOMINALS.as_slice()),
            ("ORDER_FILLER", orders::ORDER_FILLER.as_slice()),
            ("SHOUTED", orders::SHOUTED.as_slice()),
            ("DOB_FILLER", dates_of_birth::DOB_FILLER.as_slice()),
            ("DATE_FORMATS", dates_of_birth::DATE_FORMATS.as_slice()),
        ] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "{name} is not sorted and free of duplicates");
        }
        assert!(lower_in("Maria", &["ana", "maria"]) && !lower_in("Mariah", &["ana", "maria"]));
    }

    #[test]
    fn word_list_files_are_written_sorted_and_lower_case() {
        for (name, text) in [
            ("order-filler.txt", include_str!("../../data/order-filler.txt")),
            ("order-shouted.txt", include_str!("../../data/order-shouted.txt")),
            ("dob-filler.txt", include_str!("../../data/dob-filler.txt")),
            ("dob-formats.txt", include_str!("../../data/dob-formats.txt")),
        ] {
            let words: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
            assert!(!words.is_empty(), "{name} is empty");
            assert!(words.windows(2).all(|w| w[0] < w[1]), "{name} is not sorted and free of duplicates");
            assert!(words.iter().all(|w| w.to_lowercase() == *w), "{name} has a word not in lower case");
        }
    }
}
