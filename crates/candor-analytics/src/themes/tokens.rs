//! The word splitter shared by keyword matching and phrase discovery, and
//! the folding that makes matching case- and accent-insensitive.
//!
//! Both sides of a match (the taxonomy's keywords and the messages) go
//! through the same splitter, so a keyword such as `sign-in` means exactly
//! the words a message would have to contain.

/// What the splitter yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// A run of letters and digits, with inner apostrophes (`can't`).
    Word(&'a str),
    /// Something a phrase must not run across: sentence punctuation, or a
    /// placeholder, handle, link, signature or HTML entity that was skipped.
    Break,
}

/// Splits text into [`Piece`]s without allocating.
///
/// Skipped as a whole (and reported as a [`Piece::Break`], so that
/// `still <PERSON_1> waiting` is not the phrase `still waiting`):
/// redactor placeholders (`<PERSON_1>`, `<EMAIL:0a1b>`), handles (`@acme`),
/// links (`https://…`, `www.…`), agent signatures (`^JK`) and HTML entities
/// (`&amp;`, which exported tweets are full of).
pub(crate) struct Pieces<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Pieces<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, pos: 0 }
    }
}

/// Characters that end a phrase.
fn is_break_char(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '"'
            | '|'
            | '\n'
            | '\r'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{2026}'
            | '\u{00A1}'
            | '\u{00BF}'
            | '\u{00AB}'
            | '\u{00BB}'
    )
}

fn is_apostrophe(c: char) -> bool {
    c == '\'' || c == '\u{2019}'
}

/// Length in bytes of a redactor placeholder at the start of `s` (which
/// starts with `<`): `<` + `[A-Za-z0-9_:-]+` + `>`.
fn placeholder_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b':' | b'-')) {
        i += 1;
    }
    (i > 1 && b.get(i) == Some(&b'>')).then_some(i + 1)
}

/// Length of an ASCII run of `[A-Za-z0-9_]` starting at byte `from`.
fn ascii_word_run(b: &[u8], from: usize) -> usize {
    b[from..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count()
}

/// Length of an HTML entity (`&amp;`, `&#39;`) at the start of `s`.
fn entity_len(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let run = b[1..].iter().take(9).take_while(|c| c.is_ascii_alphanumeric() || **c == b'#').count();
    (run >= 2 && b.get(1 + run) == Some(&b';')).then_some(run + 2)
}

fn starts_with_link(s: &str) -> bool {
    let b = s.as_bytes();
    let has = |p: &[u8]| b.len() >= p.len() && b[..p.len()].eq_ignore_ascii_case(p);
    has(b"http://") || has(b"https://") || has(b"www.")
}

impl<'a> Iterator for Pieces<'a> {
    type Item = Piece<'a>;

    fn next(&mut self) -> Option<Piece<'a>> {
        loop {
            let rest = &self.text[self.pos..];
            let c = rest.chars().next()?;
            if c.is_alphanumeric() {
                if starts_with_link(rest) {
                    self.pos += rest.find(char::is_whitespace).unwrap_or(rest.len());
                    return Some(Piece::Break);
                }
                return Some(Piece::Word(self.word(rest)));
            }
            match c {
                '<' => {
                    if let Some(len) = placeholder_len(rest) {
                        self.pos += len;
                        return Some(Piece::Break);
                    }
                }
                '@' | '^' => {
                    let run = ascii_word_run(rest.as_bytes(), 1);
                    if run > 0 {
                        self.pos += 1 + run;
                        return Some(Piece::Break);
                    }
                }
                '&' => {
                    if let Some(len) = entity_len(rest) {
                        self.pos += len;
                        return Some(Piece::Break);
                    }
                }
                _ if is_break_char(c) => {
                    self.pos += c.len_utf8();
                    return Some(Piece::Break);
                }
                _ => {}
            }
            self.pos += c.len_utf8();
        }
    }
}

impl<'a> Pieces<'a> {
    /// The word starting at `rest` (whose first char is alphanumeric);
    /// advances past it.
    fn word(&mut self, rest: &'a str) -> &'a str {
        let mut end = 0;
        let mut chars = rest.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c.is_alphanumeric() {
                end = i + c.len_utf8();
            } else if is_apostrophe(c) && chars.peek().is_some_and(|(_, n)| n.is_alphanumeric()) {
                // `can't`, `l'app`: the apostrophe belongs to the word.
            } else {
                break;
            }
        }
        self.pos += end;
        &rest[..end]
    }
}

/// Folds one lowercase letter to its unaccented form, for the Latin
/// letters customers most often type with or without accents
/// (`atención`/`atencion`, `remboursé`/`rembourse`).
fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ğ' => 'g',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => 'i',
        'ł' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// Feeds the folded bytes of `word` to `emit` until it returns `false`.
/// Folding lowercases, strips common accents, drops apostrophes (`cant`
/// and `can't` are the same word to a customer) and drops combining marks
/// (so decomposed text folds like composed text). ASCII takes a fast path
/// with no allocation; so does everything else (`char::to_lowercase` is an
/// iterator).
pub(crate) fn fold_bytes(word: &str, mut emit: impl FnMut(u8) -> bool) {
    for c in word.chars() {
        if c.is_ascii() {
            if c == '\'' {
                continue;
            }
            if !emit(c.to_ascii_lowercase() as u8) {
                return;
            }
            continue;
        }
        if c == '\u{2019}' {
            continue;
        }
        for lower in c.to_lowercase() {
            if ('\u{0300}'..='\u{036F}').contains(&lower) {
                continue;
            }
            let mut utf8 = [0u8; 4];
            for b in strip_accent(lower).encode_utf8(&mut utf8).bytes() {
                if !emit(b) {
                    return;
                }
            }
        }
    }
}

/// The folded form of `word`, as a string (used when building, not when
/// matching).
pub(crate) fn fold(word: &str) -> String {
    let mut bytes = Vec::with_capacity(word.len());
    fold_bytes(word, |b| {
        bytes.push(b);
        true
    });
    // Folding maps whole chars to whole chars, so the bytes stay UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        Pieces::new(s)
            .map(|p| match p {
                Piece::Word(w) => w.to_owned(),
                Piece::Break => "|".to_owned(),
            })
            .collect()
    }

    #[test]
    fn skips_placeholders_handles_links_signatures_and_entities() {
        assert_eq!(
            words("@acme hi <PERSON_1>, see https://t.co/x1 &amp; www.x.com ok ^JK"),
            ["|", "hi", "|", "|", "see", "|", "|", "|", "ok", "|"]
        );
    }

    #[test]
    fn keeps_inner_apostrophes_and_splits_hyphens() {
        assert_eq!(words("can't sign-in 'now' l’app"), ["can't", "sign", "in", "now", "l’app"]);
    }

    #[test]
    fn a_lone_angle_bracket_is_not_a_placeholder() {
        assert_eq!(words("a < b"), ["a", "b"]);
    }

    #[test]
    fn folding_lowercases_and_strips_accents_and_apostrophes() {
        assert_eq!(fold("Rückerstattung"), "ruckerstattung");
        assert_eq!(fold("ATENCIÓN"), "atencion");
        assert_eq!(fold("Don’t"), "dont");
        assert_eq!(fold("e\u{0301}te\u{0301}"), "ete");
    }
}
