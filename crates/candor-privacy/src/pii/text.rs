//! Small text helpers shared by the recognizers: word boundaries and words,
//! on byte offsets that always fall on char boundaries.

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
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    i
}

/// Skip any whitespace from `i`.
pub(crate) fn skip_space(text: &str, i: usize) -> usize {
    let rest = text.get(i..).unwrap_or_default();
    i + (rest.len() - rest.trim_start().len())
}

/// A word starting at `i`: letters of any script, with inner `-`, `'` or
/// `’` joining letter runs (`Guardia-Pacheco`, `O'Brien`). Returns its end.
pub(crate) fn word_end(text: &str, i: usize) -> Option<usize> {
    let mut end = i;
    let mut last_letter = false;
    for (off, c) in text.get(i..)?.char_indices() {
        if c.is_alphabetic() {
            last_letter = true;
            end = i + off + c.len_utf8();
        } else if (c == '-' || c == '\'' || c == '’') && last_letter {
            last_letter = false;
        } else {
            break;
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
    rest.is_empty() || rest.chars().any(char::is_lowercase)
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
