//! Small text helpers shared by the recognizers: word boundaries and words,
//! on byte offsets that always fall on char boundaries.

use super::work::step;

/// The char ending just before byte `i`.
pub(crate) fn char_before(text: &str, i: usize) -> Option<char> {
    text.get(..i)?.chars().next_back()
}

/// The char starting at byte `i`.
pub(crate) fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

/// Letters and digits of any script, and `_`: what words are made of.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Whether no word char touches byte `i` from the left.
pub(crate) fn boundary_before(text: &str, i: usize) -> bool {
    char_before(text, i).is_none_or(|c| !is_word_char(c))
}

/// Whether no word char touches byte `i` from the right.
pub(crate) fn boundary_after(text: &str, i: usize) -> bool {
    char_at(text, i).is_none_or(|c| !is_word_char(c))
}

/// Skip spaces and tabs (not newlines) from `i`.
pub(crate) fn skip_blanks(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    let from = i;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    step(i - from + 1);
    i
}

/// Skip any whitespace from `i`.
pub(crate) fn skip_space(text: &str, i: usize) -> usize {
    let rest = text.get(i..).unwrap_or_default();
    let skipped = rest.len() - rest.trim_start().len();
    step(skipped + 1);
    i + skipped
}

/// The longest word (in bytes) that [`word_end`] reads. No name, month,
/// street or filler word is longer; the bound keeps the recognizers,
/// which ask for the word at many places, from reading an endless
/// hyphenated "word" once for each of its parts.
pub(crate) const MAX_WORD: usize = 64;

/// A word starting at `i`: letters of any script, with inner `-`, `'` or
/// `’` joining letter runs (`Guardia-Pacheco`, `O'Brien`). Returns its end;
/// `None` when there is none or it is longer than [`MAX_WORD`].
pub(crate) fn word_end(text: &str, i: usize) -> Option<usize> {
    let mut end = i;
    let mut last_letter = false;
    for (off, c) in text.get(i..)?.char_indices() {
        step(1);
        let letter = c.is_alphabetic();
        if !(letter || (c == '-' || c == '\'' || c == '’') && last_letter) {
            break;
        }
        if off >= MAX_WORD {
            return None;
        }
        last_letter = letter;
        if letter {
            end = i + off + c.len_utf8();
        }
    }
    (end > i).then_some(end)
}

/// Whether the word starts with an upper-case letter followed by at least
/// one lower-case letter somewhere (`Maria`, `McDonald`, `O'Brien`), or is
/// a single upper-case initial.
pub(crate) fn is_capitalized(word: &str) -> bool {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) if c.is_uppercase() => {}
        _ => return false,
    }
    let rest = chars.as_str();
    rest.is_empty()
        || rest.chars().any(|c| {
            step(1);
            c.is_lowercase()
        })
}

/// ASCII-lowercase a short word into a stack buffer for table lookups;
/// `None` when it is too long or not ASCII.
pub(crate) fn lower_ascii<'b>(word: &str, buf: &'b mut [u8; 24]) -> Option<&'b str> {
    let bytes = word.as_bytes();
    if bytes.len() > buf.len() || !word.is_ascii() {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(bytes) {
        *d = s.to_ascii_lowercase();
    }
    std::str::from_utf8(&buf[..bytes.len()]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_join_on_inner_hyphens_and_apostrophes_only() {
        let t = "León Guardia-Pacheco O'Brien- x";
        assert_eq!(word_end(t, 0), Some("León".len()));
        let g = t.find("Guardia").unwrap();
        assert_eq!(&t[g..word_end(t, g).unwrap()], "Guardia-Pacheco");
        let o = t.find("O'B").unwrap();
        assert_eq!(&t[o..word_end(t, o).unwrap()], "O'Brien");
        let long = "Ab-".repeat(30);
        assert_eq!(word_end(&long, 0), None, "longer than any word a recognizer wants");
        assert!(is_capitalized("León") && is_capitalized("McDonald") && is_capitalized("J"));
        assert!(!is_capitalized("NASA") && !is_capitalized("maria"));
    }

    #[test]
    fn boundaries_see_any_script() {
        let t = "éa@b";
        assert!(!boundary_before(t, t.find('a').unwrap()), "é is a letter");
        assert!(!boundary_before(t, t.find('@').unwrap()));
        assert!(boundary_before(t, t.find('b').unwrap()));
        assert!(boundary_after("ab ", 2) && !boundary_after("ab ", 1));
    }
}
