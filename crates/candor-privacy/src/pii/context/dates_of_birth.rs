//! DATE_OF_BIRTH: a date after a date-of-birth cue (`DOB: 12/03/1985`,
//! `born on Tuesday, 3 March 1985`, `Geburtsdatum (TT.MM.JJJJ): …`).

use super::cues::{Cue, CueHits};
use std::sync::LazyLock;

use super::words::{list, lower_in};
use crate::pii::dates::date_end;
use crate::pii::text::word_end;
use crate::pii::work::step;
use crate::pii::{Candidate, EntityType as E};

/// `born on Tuesday, 3 March 1985`, `fecha de nacimiento? es el …`.
pub(super) static DOB_FILLER: LazyLock<Vec<&'static str>> = LazyLock::new(|| list(include_str!("../../../data/dob-filler.txt")));

/// How a form asks for a date (`date of birth (dd/mm/yyyy): …`), lower case.
pub(super) static DATE_FORMATS: LazyLock<Vec<&'static str>> = LazyLock::new(|| list(include_str!("../../../data/dob-formats.txt")));

/// The most punctuation and space read between two words after a date
/// of birth cue: the question mark, line break and dash of
/// `Date of birth?\n- 3 March 1985`, and no long run of them (read again
/// from each cue, that would make the work grow faster than the text).
const DOB_GAP: usize = 12;

/// Past punctuation, spaces and line breaks from `j`, [`DOB_GAP`] bytes
/// at most: the cue may end a question or a line (`what's your DOB? -
/// 12/03/1985`, `Date of birth?\n3 March 1985`), but stand in the same
/// sentence as the date or the one before it.
fn dob_gap(text: &str, j: usize) -> usize {
    let b = text.as_bytes();
    let mut k = j;
    let mut breaks = 0;
    while k < b.len() && k - j < DOB_GAP {
        step(1);
        match b[k] {
            b' ' | b'\t' | b':' | b',' | b'-' | b'(' | b')' | b'"' | b'=' | b'>' => k += 1,
            b'?' | b'!' | b'.' | b'\n' | b'\r' => {
                // A second break is the sentence after the next one.
                if breaks == 0 || matches!(b[k - 1], b'?' | b'!' | b'.' | b'\n' | b'\r') {
                    breaks = 1;
                    k += 1;
                } else {
                    return j;
                }
            }
            _ if text.get(k..).is_some_and(|s| s.starts_with('–') || s.starts_with('—')) => k += 3,
            _ => break,
        }
    }
    k
}

pub(crate) fn dates_of_birth(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    for h in cues.of(Cue::Dob) {
        let mut j = h.end;
        for _ in 0..5 {
            j = dob_gap(text, j);
            let Some(e) = word_end(text, j) else { break };
            let w = text.get(j..e).unwrap_or_default();
            if lower_in(w, &DOB_FILLER) {
                j = e;
                continue;
            }
            // `(dd/mm/yyyy)`: a word of a format's letters, then a separator.
            let fmt_end = (j + 12).min(text.len());
            let fmt = text.as_bytes()[j..fmt_end].iter().position(|c| !(c.is_ascii_alphabetic() || matches!(c, b'/' | b'.' | b'-')));
            let fmt_end = fmt.map_or(fmt_end, |k| j + k);
            step(fmt_end - j);
            match text.get(j..fmt_end) {
                Some(f) if lower_in(f, &DATE_FORMATS) => j = fmt_end,
                _ => break,
            }
        }
        if let Some(end) = date_end(text, j) {
            out.push(Candidate::new(E::DateOfBirth, j, end, 0.9, "date_of_birth"));
        }
    }
}
