//! The sentiment lexicon: VADER's rated words, emoticons and emoji, its
//! word lists (negations, degree adverbs, idioms), and candor's own
//! customer-care phrases and slang, all read from the data files under
//! `data/` at first use. Every token needs one lookup here, so the maps use a
//! small Fx-style hasher rather than SipHash, and each word's roles are kept
//! in one entry so a token costs a single probe.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// VADER's rated tokens (MIT, © 2016 C.J. Hutto).
const VADER_LEXICON: &str = include_str!("../../data/vader_lexicon.txt");
/// Emoji and their descriptions, from the same release.
const EMOJI_LEXICON: &str = include_str!("../../data/emoji_utf8_lexicon.txt");
/// VADER's negations, degree adverbs and idioms, moved from its code to data.
const VADER_RULES: &str = include_str!("../../data/vader_rules.tsv");
/// candor's customer-care phrases, slang and misspellings.
const CANDOR_LEXICON: &str = include_str!("../../data/candor_lexicon.tsv");

/// Where a line of a data file could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum LexiconError {
    /// A line without the expected columns or with a bad number.
    #[error("{file}:{line}: {reason}")]
    Line {
        /// Data file name.
        file: &'static str,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

/// The Fx hash (rustc's): a multiply and a rotate per 8 bytes. Keys are
/// compiled-in words, so hash flooding is not a concern here.
#[derive(Default, Clone, Copy)]
pub(crate) struct FxHasher {
    hash: u64,
}

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A `HashMap` with the Fx hasher.
pub(crate) type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// What the lexicon knows about one lowercased token or phrase.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Entry {
    /// Rated valence (−4…+4), if the token carries sentiment.
    pub valence: Option<f32>,
    /// Degree-adverb increment (negative for dampeners), 0 if none.
    pub booster: f32,
    /// Flips the valence of a rated word up to three tokens later.
    pub negation: bool,
    /// Some phrase of two or more tokens starts with this token.
    pub phrase_start: bool,
}

/// All lexicon data, built once.
#[derive(Debug)]
pub(crate) struct Lexicon {
    /// Single lowercased tokens.
    pub words: FxMap<Box<str>, Entry>,
    /// Phrases, their tokens joined by one space.
    pub phrases: FxMap<Box<str>, Entry>,
    /// Tokens in the longest phrase.
    pub max_phrase_len: usize,
    /// Valence of each single-character emoji, read from its description.
    pub emoji: FxMap<char, f32>,
}

fn bad(file: &'static str, line: usize, reason: impl Into<String>) -> LexiconError {
    LexiconError::Line { file, line, reason: reason.into() }
}

fn number(file: &'static str, line: usize, s: &str) -> Result<f32, LexiconError> {
    s.trim().parse::<f32>().map_err(|_| bad(file, line, format!("`{s}` is not a number")))
}

impl Lexicon {
    /// Parse the compiled-in data files.
    pub(crate) fn load() -> Result<Lexicon, LexiconError> {
        let mut lex = Lexicon { words: FxMap::default(), phrases: FxMap::default(), max_phrase_len: 1, emoji: FxMap::default() };

        // VADER's lexicon: token, mean, sd, ratings. Lookups are lowercase
        // and later lines win, as in VADER's dict.
        for (n, line) in VADER_LEXICON.lines().enumerate() {
            if line.is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(word), Some(v)) = (cols.next(), cols.next()) else {
                return Err(bad("vader_lexicon.txt", n + 1, "expected token and valence"));
            };
            let v = number("vader_lexicon.txt", n + 1, v)?;
            lex.words.entry(word.into()).or_default().valence = Some(v);
        }

        lex.rules(VADER_RULES, "vader_rules.tsv")?;
        lex.rules(CANDOR_LEXICON, "candor_lexicon.tsv")?;

        // Emoji: VADER replaces each by its description and scores the words.
        // Scoring the description once here gives the same valences without
        // letting description words ("face", "with") dilute the message.
        let mut described = Vec::new();
        for (n, line) in EMOJI_LEXICON.lines().enumerate() {
            if line.is_empty() {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(emoji), Some(description)) = (cols.next(), cols.next()) else {
                return Err(bad("emoji_utf8_lexicon.txt", n + 1, "expected emoji and description"));
            };
            let mut chars = emoji.chars();
            // Multi-character sequences (flags, skin tones) never matched in
            // VADER either, which looks at one character at a time.
            if let (Some(c), None) = (chars.next(), chars.next()) {
                described.push((c, description));
            }
        }
        let valences: Vec<(char, f32)> =
            described.into_iter().map(|(c, d)| (c, super::rules::description_valence(&lex, d))).filter(|&(_, v)| v != 0.0).collect();
        lex.emoji.extend(valences);
        Ok(lex)
    }

    /// Read a `kind<TAB>words<TAB>value` file.
    fn rules(&mut self, text: &str, file: &'static str) -> Result<(), LexiconError> {
        for (n, line) in text.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split('\t');
            let (Some(kind), Some(words)) = (cols.next(), cols.next()) else {
                return Err(bad(file, n + 1, "expected kind and words"));
            };
            let value = cols.next().unwrap_or("");
            let words = words.trim().to_lowercase();
            let len = words.split(' ').count();
            let entry = if len > 1 {
                self.max_phrase_len = self.max_phrase_len.max(len);
                if let Some(first) = words.split(' ').next() {
                    self.words.entry(first.into()).or_default().phrase_start = true;
                }
                self.phrases.entry(words.into_boxed_str()).or_default()
            } else {
                self.words.entry(words.into_boxed_str()).or_default()
            };
            match kind {
                "negation" => entry.negation = true,
                "booster" => entry.booster = number(file, n + 1, value)?,
                "special" | "idiom" | "phrase" | "word" => entry.valence = Some(number(file, n + 1, value)?),
                other => return Err(bad(file, n + 1, format!("unknown kind `{other}`"))),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_files_parse() {
        let lex = Lexicon::load().unwrap();
        assert!(lex.words.len() > 7000);
        assert_eq!(lex.words["good"].valence, Some(1.9));
        assert!(lex.words["not"].negation);
        assert!(lex.words["very"].booster > 0.0);
        assert!(lex.phrases["kind of"].booster < 0.0);
        assert!(lex.phrases["still waiting"].valence.unwrap_or(0.0) < 0.0);
        assert!(lex.words["still"].phrase_start);
        assert!(lex.emoji[&'😀'] > 0.0);
        assert!(lex.emoji[&'😠'] < 0.0);
    }
}
