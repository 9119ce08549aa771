//! PERSON after a cue: a name after "my name is", "Regards," or a title,
//! in a greeting or on a signature line, as the cue walk finds them. The
//! name model (`pii/person.rs`) finds names without cues; this file finds
//! where a cued name starts and ends (titles, particles, initials,
//! post-nominal letters), which the model defers to.

use std::sync::LazyLock;

use super::*;

/// The cue-based recognizer's word lists, data files under `data/names/`.
pub(super) static NOT_NAMES: LazyLock<Vec<&'static str>> = LazyLock::new(|| list(include_str!("../../../data/names/cue-not-names.txt")));
pub(super) static NAME_OR_WORD: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| list(include_str!("../../../data/names/cue-name-or-word.txt")));
pub(super) static PARTICLES: LazyLock<Vec<&'static str>> = LazyLock::new(|| list(include_str!("../../../data/names/cue-particles.txt")));
pub(super) static TITLES: LazyLock<Vec<&'static str>> = LazyLock::new(|| list(include_str!("../../../data/names/cue-titles.txt")));
pub(super) static POSTNOMINALS: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| list(include_str!("../../../data/names/cue-postnominals.txt")));

/// A name at `i`: optional titles (`Dr`, `Univ.Prof.`), capitalized words
/// joined by single spaces with lower-case particles between them (`Maria
/// de la Cruz`) and initials (`John F. Kennedy`), optional post-nominal
/// letters (`MBA.`). Returns (start, end, name words).
fn name_at(text: &str, i: usize, max: usize) -> Option<(usize, usize, usize)> {
    let b = text.as_bytes();
    let mut end = i;
    let mut j = i;
    // Titles. Where they end, whether a title stands there is known: the
    // first word need not ask again.
    let mut title_here = None;
    for _ in 0..3 {
        match dotted_in(text, j, &TITLES) {
            Some(e) if b.get(e) == Some(&b' ') => j = e + 1,
            title => {
                title_here = Some(title);
                break;
            }
        }
    }
    let mut words = 0;
    while words < max {
        step(1);
        let known_title = title_here.take();
        let Some(w_end) = word_end(text, j) else { break };
        let word = text.get(j..w_end)?;
        step(word.len());
        let initial = b.get(w_end) == Some(&b'.') && word.chars().count() == 1 && word.chars().all(char::is_uppercase);
        let next_capitalized = |from: usize| word_end(text, from).and_then(|e| text.get(from..e)).is_some_and(is_capitalized);
        // The cheap test first; the word lists only for capitalized words.
        // A title is never a name (`Madame, Monsieur,` names no one).
        let name_word = (is_capitalized(word) || initial)
            && !(words == 0 && initial)
            && known_title.unwrap_or_else(|| dotted_in(text, j, &TITLES)).is_none()
            && ((b.get(w_end) == Some(&b' ') && lower_in(word, &NAME_OR_WORD) && next_capitalized(w_end + 1))
                || !lower_in(word, &NOT_NAMES));
        if name_word {
            words += 1;
            end = if initial { w_end + 1 } else { w_end };
        } else if words > 0 && lower_in(word, &PARTICLES) && word.chars().all(char::is_lowercase) {
            // A run of particles (`de la`, `van der`) needs a capitalized
            // word after it, which is where the name goes on: the run is
            // read once, not again from each of its particles.
            let mut k = w_end;
            let mut next_word = None;
            while b.get(k) == Some(&b' ') {
                step(1);
                let Some(e) = word_end(text, k + 1) else { break };
                let w = text.get(k + 1..e).unwrap_or_default();
                if is_capitalized(w) {
                    next_word = Some(k + 1);
                    break;
                }
                if !(lower_in(w, &PARTICLES) && w.chars().all(char::is_lowercase)) {
                    break;
                }
                k = e;
            }
            match next_word {
                Some(at) => {
                    j = at;
                    continue;
                }
                None => break,
            }
        } else {
            break;
        }
        let after = if initial { w_end + 1 } else { w_end };
        if b.get(after) != Some(&b' ') {
            break;
        }
        j = after + 1;
    }
    if words == 0 {
        return None;
    }
    // `Nwosu's prescription`: the name, not its possessive.
    for poss in ["'s", "’s"] {
        if text.get(..end).is_some_and(|t| t.ends_with(poss)) {
            end -= poss.len();
        }
    }
    // Post-nominal letters.
    if b.get(end) == Some(&b' ') {
        if let Some(e) = dotted_in(text, end + 1, &POSTNOMINALS) {
            end = e;
        }
    }
    Some((i, end, words))
}

/// Position after optional `:`/`,` and blanks following a cue.
fn after_cue(text: &str, end: usize) -> usize {
    let mut j = skip_blanks(text, end);
    if matches!(text.as_bytes().get(j), Some(b':' | b',')) {
        j = skip_blanks(text, j + 1);
    }
    j
}

pub(crate) fn names(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    // Whether a first name lies in a name found already is asked in the
    // order of the first names, which do not overlap: so each name found is
    // looked at once, folded into `reach` (the furthest end of the names
    // that start at or before the first name asked about) as soon as it
    // starts there, and kept in `later` until then. Asking every name found
    // so far, each time, took time quadratic in a text of names.
    let mut seen = out.len();
    let mut reach = 0;
    let mut later: BinaryHeap<Reverse<(usize, usize)>> = BinaryHeap::new();
    for h in &cues.0 {
        step(1);
        // A first name a cue before it already took (`Thanks Dianna!`).
        if h.cue == Cue::FirstName {
            step(out.len() - seen);
            for c in &out[seen..] {
                if c.start <= h.start {
                    reach = reach.max(c.end);
                } else {
                    later.push(Reverse((c.start, c.end)));
                }
            }
            seen = out.len();
            while let Some(&Reverse((start, end))) = later.peek().filter(|Reverse((start, _))| *start <= h.start) {
                step((usize::BITS - later.len().leading_zeros()) as usize);
                later.pop();
                debug_assert!(start <= h.start);
                reach = reach.max(end);
            }
            if h.start < reach {
                continue;
            }
        }
        let (min_words, score, span_newlines) = match h.cue {
            Cue::Name => (1, 0.9, false),
            Cue::NameWeak => (1, 0.8, false),
            Cue::Honorific => (1, 0.8, false),
            Cue::Staff => (1, 0.75, false),
            Cue::Role => (1, 0.7, false),
            Cue::Closing => (1, 0.85, true),
            Cue::Greeting => (1, 0.65, false),
            Cue::FirstName => (1, 0.6, false),
            _ => continue,
        };
        // A title is part of the name it opens.
        let j = if matches!(h.cue, Cue::Honorific | Cue::FirstName) {
            h.start
        } else if span_newlines {
            crate::pii::text::skip_space(text, h.end)
        } else {
            after_cue(text, h.end)
        };
        let Some((start, end, words)) = name_at(text, j, 5) else {
            if h.cue == Cue::Greeting {
                vocative(text, h.end, out);
            }
            continue;
        };
        if words < min_words {
            continue;
        }
        let next = char_at(text, end);
        let score = match h.cue {
            // "I'm Sarah" is a name; "I'm British" is not: one word after a
            // weak cue needs to be followed by an end, a comma or `from`.
            Cue::NameWeak if words == 1 => {
                let rest = text.get(end..).unwrap_or_default().trim_start();
                step(text.len() - end - rest.len() + 1);
                let closes =
                    next.is_none_or(|c| matches!(c, ',' | '.' | '!' | '\n' | ')')) || rest.starts_with("from ") || rest.starts_with("here");
                if !closes {
                    continue;
                }
                0.6
            }
            // A known first name: more sure with a surname after it.
            Cue::FirstName if start != h.start => continue,
            Cue::FirstName if words >= 2 => 0.7,
            // A greeting names someone only when the name closes the greeting.
            Cue::Greeting if !next.is_none_or(|c| matches!(c, ',' | '!' | ':' | '\n')) => continue,
            // A signature is the last thing on its line, perhaps with a job title after a comma.
            Cue::Closing if !line_ends_name(text, end) => continue,
            _ => score,
        };
        out.push(Candidate::new(E::Person, start, end, score, "person"));
    }
}

/// Whether what follows a name on its line is nothing, closing punctuation,
/// emoji, or a job title after a comma (`Paul Henderson, Service Manager`).
///
/// Read up to the first letter or digit, not to the end of the line: on a
/// long line of names, each would read the rest of it.
fn line_ends_name(text: &str, end: usize) -> bool {
    let rest = text.get(end..).unwrap_or_default();
    let rest = rest.trim_start_matches(['.', '!', ' ', ')']);
    step(text.len() - end - rest.len() + 1);
    let mut chars = rest.chars();
    if chars.as_str().starts_with(',') {
        chars.next();
        let after = chars.as_str().trim_start_matches(|c: char| c.is_whitespace() && c != '\n');
        step(chars.as_str().len() - after.len() + 1);
        if after.chars().next().is_some_and(char::is_uppercase) {
            return true;
        }
    }
    for c in chars {
        step(1);
        if c == '\n' {
            return true;
        }
        if c.is_alphanumeric() {
            return false;
        }
    }
    true
}

/// `Thanks for letting us know, Tom.`: after thanks, sorry or a greeting,
/// a single name closing the clause after a comma.
fn vocative(text: &str, from: usize, out: &mut Vec<Candidate>) {
    let window = text.get(from..).unwrap_or_default();
    // The sentence's end within 80 bytes, looked for there only: a text of
    // greetings without a full stop would be read to its end from each.
    let head = window.as_bytes().get(..80).unwrap_or(window.as_bytes());
    step(head.len() + 1);
    let sentence_end = head.iter().position(|c| matches!(c, b'.' | b'!' | b'?' | b'\n')).unwrap_or(head.len());
    let Some(comma) = window.get(..sentence_end).and_then(|w| w.rfind(", ")) else { return };
    let start = from + comma + 2;
    let Some((s, e, words)) = name_at(text, start, 2) else { return };
    let after = text.get(e..).and_then(|t| t.chars().next());
    if words >= 1 && after.is_none_or(|c| matches!(c, '.' | '!' | '?' | '\n' | ' ')) && e >= from + sentence_end.saturating_sub(1) {
        out.push(Candidate::new(E::Person, s, e, 0.6, "person"));
    }
}

/// A line that is only a dash and a name (`- Cynthia Torres`), or a message
/// that ends with one.
pub(crate) fn signatures(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    // `-`, `~`, and the en and em dashes (E2 80 93, E2 80 94), by byte.
    let dashes = if cues.has_sign_mark() || !cues.is_ascii() { b } else { &[][..] };
    step(dashes.len());
    // Each byte is read once, however many dashes a line holds: a run of
    // dashes is taken whole from its first (a dash inside a run has a dash
    // before it, so it neither starts a line nor follows a space), and the
    // line's start is carried along rather than searched for from each.
    let mut run_end = 0;
    let (mut line_start, mut line_read) = (0, 0);
    for i in memchr::memchr3_iter(b'-', b'~', 0xE2, dashes) {
        step(1);
        if i < run_end {
            continue;
        }
        let dash_len = match b[i] {
            0xE2 if matches!(b.get(i + 1..i + 3), Some([0x80, 0x93 | 0x94])) => 3,
            0xE2 => continue,
            _ => 1,
        };
        let mut j = i + dash_len;
        while b.get(j) == Some(&b'-') {
            step(1);
            j += 1;
        }
        run_end = j;
        // A dash, a space, a capital (or a letter beyond ASCII): most
        // dashes in a message stop here.
        if b.get(j) != Some(&b' ') || !b.get(j + 1).is_some_and(|&c| c.is_ascii_uppercase() || c >= 0x80) {
            continue;
        }
        let Some((start, end, words)) = name_at(text, j + 1, 4) else { continue };
        step(i - line_read);
        if let Some(p) = memchr::memrchr(b'\n', &b[line_read..i]) {
            line_start = line_read + p + 1;
        }
        line_read = i;
        // Nothing but blanks, `.` and `!` after the name on its line.
        let mut rest_of_line = text.get(end..).unwrap_or_default().chars();
        let line_ends = rest_of_line.find(|&c| {
            step(1);
            c == '\n' || !(c.is_whitespace() || matches!(c, '.' | '!'))
        });
        if line_ends.is_some_and(|c| c != '\n') {
            continue;
        }
        let after = text.get(end..).unwrap_or_default();
        let after_blanks = after.trim_start();
        step(after.len() - after_blanks.len() + 1);
        let at_end = after_blanks.is_empty();
        // What comes before the dash on its line: a finished sentence (or
        // emoji) makes a lone name after it a sign-off.
        let before = text.get(line_start..i).unwrap_or_default().trim_end();
        step(i - line_start - before.len() + 1);
        let at_line_start = before.is_empty();
        let after_sentence =
            before.chars().next_back().is_some_and(|c| matches!(c, '.' | '!' | '?' | ')') || !c.is_alphanumeric() && !c.is_whitespace());
        let score = if at_line_start && (at_end || words >= 2) {
            0.85
        } else if at_end && char_at(text, i.saturating_sub(1)) == Some(' ') && (words >= 2 || after_sentence) {
            0.75
        } else {
            continue;
        };
        out.push(Candidate::new(E::Person, start, end, score, "person"));
    }
    if cues.has_sign_mark() {
        carets(text, out);
    }
    trailing_name(text, out);
}

/// `^Mike`, as agents sign replies (`^AB` initials are not names).
pub(crate) fn carets(text: &str, out: &mut Vec<Candidate>) {
    step(text.len());
    for (i, _) in text.match_indices('^') {
        step(1);
        let Some((start, end, _)) = name_at(text, i + 1, 2) else { continue };
        if text.get(start..end).is_some_and(|n| n.chars().any(char::is_lowercase)) && line_ends_name(text, end) {
            out.push(Candidate::new(E::Person, start, end, 0.8, "person"));
        }
    }
}

/// A message that ends, after a finished sentence, with two or three
/// capitalized words and nothing else: a signature (`… police report.
/// Gregory Tate`).
pub(crate) fn trailing_name(text: &str, out: &mut Vec<Candidate>) {
    // Trailing blanks and `.`/`!` off, by byte while they are ASCII.
    let mut cut = text.len();
    while cut > 0 && matches!(text.as_bytes()[cut - 1], b' ' | b'\n' | b'\r' | b'\t' | b'.' | b'!') {
        cut -= 1;
    }
    step(text.len() - cut + 1);
    let trimmed = match text.as_bytes().get(cut.wrapping_sub(1)) {
        Some(&c) if c >= 0x80 => text[..cut].trim_end_matches(|c: char| c.is_whitespace() || matches!(c, '.' | '!')),
        _ => &text[..cut],
    };
    let tb = trimmed.as_bytes();
    // A name ends in a capitalized word: most messages stop here.
    let last_space = memchr::memrchr2(b' ', b'\n', tb);
    step(tb.len() - last_space.unwrap_or(0));
    let last = last_space.map_or(0, |p| p + 1);
    if !trimmed.get(last..).and_then(|w| w.chars().next()).is_some_and(char::is_uppercase) {
        return;
    }
    // Where the last one, two and three words start (on the stack: a
    // message ending in a capitalized word is common).
    let mut starts = [0usize; 3];
    let mut found = 0;
    let mut pos = trimmed.len();
    for k in 0..3 {
        // The last space is known already.
        let space = if k == 0 { last_space } else { tb.get(..pos).and_then(|h| memchr::memrchr2(b' ', b'\n', h)) };
        step(pos - space.unwrap_or(0));
        match space {
            Some(sp) => {
                starts[found] = sp + 1;
                found += 1;
                if trimmed.as_bytes().get(sp) == Some(&b'\n') {
                    break;
                }
                pos = sp;
            }
            None => break,
        }
    }
    for &start in starts[..found].iter().rev() {
        let before = text.get(..start).unwrap_or_default().trim_end_matches(' ');
        step(start - before.len() + 1);
        let newline = before.ends_with('\n');
        let after_sentence = before
            .chars()
            .next_back()
            .is_some_and(|c| matches!(c, '.' | '!' | '?' | ')') || !(c.is_alphanumeric() || c.is_whitespace() || c == ','));
        if !(newline || after_sentence) {
            continue;
        }
        if let Some((s, e, n)) = name_at(text, start, 3) {
            if e == trimmed.len() && (n >= 2 || newline) {
                out.push(Candidate::new(E::Person, s, e, 0.7, "person"));
                return;
            }
        }
    }
}

/// `Nadia here from billing`, `Hey, Sam here`: a name announcing itself.
pub(crate) fn here_i_am(text: &str, cues: &CueHits, out: &mut Vec<Candidate>) {
    let b = text.as_bytes();
    // Where the clause before each cue starts, carried from cue to cue (in
    // order) instead of searched for back from each.
    let (mut line_start, mut read) = (0, 0);
    for h in cues.of(Cue::Here) {
        let Some(i) = h.start.checked_sub(1).filter(|&i| b[i] == b' ') else { continue };
        step(i.saturating_sub(read) + 1);
        if let Some(p) = b.get(read..i).and_then(|s| s.iter().rposition(|c| matches!(c, b'\n' | b'.' | b'!' | b','))) {
            line_start = read + p + 1;
        }
        read = read.max(i);
        let start = crate::pii::text::skip_space(text, line_start);
        if let Some((s, e, words)) = name_at(text, start, 3) {
            if e == i && words >= 1 {
                out.push(Candidate::new(E::Person, s, e, 0.65, "person"));
            }
        }
    }
}
