//! Looking words up in the recognizers' sorted word lists: by bisection
//! over bytes, lower-cased on the stack, and dotted tokens (`Dipl.-Ing.`).

use crate::pii::work::step;

/// A sorted word list from a data file: one word a line, `#` comments.
pub(super) fn list(text: &'static str) -> Vec<&'static str> {
    let mut words: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// Whether `word` is in the sorted `list`: a bisection comparing bytes
/// inline, which for words this short beats a `memcmp` call a probe.
pub(crate) fn in_sorted(list: &[&str], word: &str) -> bool {
    in_sorted_bytes(list, word.as_bytes())
}

/// [`in_sorted`] for a word given as bytes (lower-cased on the stack: no
/// UTF-8 check needed to look it up).
pub(super) fn in_sorted_bytes(list: &[&str], w: &[u8]) -> bool {
    list.binary_search_by(|probe| {
        let p = probe.as_bytes();
        for (a, b) in p.iter().zip(w) {
            if a != b {
                return a.cmp(b);
            }
        }
        p.len().cmp(&w.len())
    })
    .is_ok()
}

/// Whether `word`, lower-cased, is in `list`, which must be sorted (a
/// test checks every list): ASCII words are lower-cased on the stack and
/// found by bisection.
pub(super) fn lower_in(word: &str, list: &[&str]) -> bool {
    let mut buf = [0u8; 24];
    match buf.get_mut(..word.len()) {
        Some(lower) if word.is_ascii() => {
            lower.copy_from_slice(word.as_bytes());
            lower.make_ascii_lowercase();
            in_sorted_bytes(list, lower)
        }
        // Lower-casing shrinks a char to a third at most (the Kelvin sign
        // to `k`): a longer word is in no list of words this short.
        _ if word.len() > 3 * 24 => false,
        _ => {
            step(word.len());
            in_sorted(list, &word.to_lowercase())
        }
    }
}

/// The longest token [`dotted_in`] reads, in bytes.
const MAX_DOTTED: usize = 32;

/// The token at `i` up to the next space, with closing punctuation
/// trimmed, if its letters (without dots and hyphens) are in `list`.
/// Returns the end to include (with its dots).
pub(super) fn dotted_in(text: &str, i: usize, list: &[&str]) -> Option<usize> {
    let rest = text.get(i..)?;
    // Titles and post-nominals start with a capital: most words stop here.
    if !rest.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    // The token: up to whitespace; only letters, dots and hyphens (ASCII
    // bytes decide most tokens without decoding a char).
    let mut raw_len = rest.len();
    for (k, &c) in rest.as_bytes().iter().enumerate() {
        step(1);
        // No title or post-nominal is this long, even with its dots and
        // the punctuation after it; stopping here keeps a long token from
        // being read once for each title cue in it (`Dr.Dr.Dr.…`).
        if k > MAX_DOTTED {
            return None;
        }
        if c.is_ascii_whitespace() {
            raw_len = k;
            break;
        }
        if c < 0x80 && !(c.is_ascii_alphabetic() || matches!(c, b'.' | b'-' | b',' | b';' | b':' | b')' | b'!' | b'?')) {
            return None;
        }
    }
    let raw = rest.get(..raw_len)?;
    if raw.is_ascii() {
        return dotted_ascii_in(raw.as_bytes(), list).map(|len| i + len);
    }
    step(3 * raw.len());
    let raw = raw.split(char::is_whitespace).next().unwrap_or_default();
    let raw = raw.trim_end_matches([',', ';', ':', ')', '!', '?']);
    // `B.Eng..` ends a sentence: one dot is the abbreviation's.
    let raw = raw.strip_suffix("..").map_or(raw, |r| &raw[..r.len() + 1]);
    if raw.is_empty() || !raw.chars().all(|c| c.is_alphabetic() || c == '.' || c == '-') {
        return None;
    }
    // The letters, lower-cased: on the stack for ASCII (no allocation per
    // word), in a string otherwise.
    let found = if raw.is_ascii() {
        let mut buf = [0u8; 10];
        let mut n = 0;
        for c in raw.bytes().filter(u8::is_ascii_alphabetic) {
            if n == buf.len() {
                return None;
            }
            buf[n] = c.to_ascii_lowercase();
            n += 1;
        }
        n > 0 && in_sorted_bytes(list, &buf[..n])
    } else {
        let key: String = raw.chars().filter(|c| c.is_alphabetic()).flat_map(char::to_lowercase).collect();
        !key.is_empty() && key.len() <= 10 && in_sorted(list, &key)
    };
    found.then(|| i + raw.len())
}

/// [`dotted_in`] for an ASCII token (`raw`, up to the space): trimmed as
/// there, then every test in one pass over its bytes, the letters
/// lower-cased on the stack. Most capitalized words come here, and are no
/// title. Returns the trimmed token's length.
fn dotted_ascii_in(raw: &[u8], list: &[&str]) -> Option<usize> {
    step(raw.len());
    let mut raw = raw;
    while let [head @ .., b',' | b';' | b':' | b')' | b'!' | b'?'] = raw {
        raw = head;
    }
    if raw.ends_with(b"..") {
        raw = &raw[..raw.len() - 1];
    }
    let mut buf = [0u8; 10];
    let mut n = 0;
    for &c in raw {
        if c.is_ascii_alphabetic() {
            *buf.get_mut(n)? = c.to_ascii_lowercase();
            n += 1;
        } else if c != b'.' && c != b'-' {
            return None;
        }
    }
    (n > 0 && in_sorted_bytes(list, &buf[..n])).then_some(raw.len())
}
