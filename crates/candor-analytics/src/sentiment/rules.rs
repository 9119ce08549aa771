//! VADER's rules (Hutto & Gilbert, ICWSM 2014; vaderSentiment 3.3.2) over
//! candor's lexicon: tokens are whitespace-separated words with punctuation
//! stripped from their edges (unless that leaves two characters or fewer and
//! the whole token is in the lexicon, so emoticons survive and "no!" is still
//! read; ": )" typed with a space is one emoticon); phrases from the lexicon become one unit; each rated
//! unit's valence is then adjusted by capitals, degree adverbs and negations
//! in the three units before it, "but" shifts weight to what follows it, and
//! "!"/"?" amplify the sum.
//!
//! Where VADER's code and its stated intent differ, the intent is followed
//! and the place says so. Additions for social text: redaction placeholders,
//! handles and links are skipped (they are not words, and an ALL-CAPS
//! `<PERSON>` would otherwise switch on the capitals rule), curly apostrophes
//! read as straight ones, elongated words ("sooo goood") are looked up
//! with their runs shortened and count as emphasised, and a negation word is
//! never negated itself ("no no no" is emphasis, where VADER reads the last
//! "no" as positive).
//!
//! Nothing here allocates per token: lowercased text goes into a reusable
//! buffer and units are kept as ranges into it.

use std::cell::RefCell;

use super::lexicon::{Entry, Lexicon};

/// Added to a rated word's magnitude by a degree adverb before it.
const B_INCR: f32 = 0.293;
/// Added to a rated word's magnitude when it is in capitals among lower-case words.
const C_INCR: f32 = 0.733;
/// Factor applied by a negation.
const N_SCALAR: f32 = -0.74;
/// Normalization constant of the compound score: roughly the largest sum expected.
const ALPHA: f32 = 15.0;

/// `s / sqrt(s² + alpha)`, VADER's squashing of a valence sum into [-1, 1].
pub(crate) fn normalize(score: f32) -> f32 {
    let n = score / (score * score + ALPHA).sqrt();
    if n.is_nan() {
        0.0
    } else {
        n.clamp(-1.0, 1.0)
    }
}

/// Words whose identity a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum Tag {
    #[default]
    Other,
    No,
    OrNor,
    Never,
    SoThis,
    Without,
    Doubt,
    Least,
    AtVery,
    But,
}

fn tag_of(lower: &str) -> Tag {
    match lower {
        "no" => Tag::No,
        "or" | "nor" => Tag::OrNor,
        "never" => Tag::Never,
        "so" | "this" => Tag::SoThis,
        "without" => Tag::Without,
        "doubt" => Tag::Doubt,
        "least" => Tag::Least,
        "at" | "very" => Tag::AtVery,
        "but" => Tag::But,
        _ => Tag::Other,
    }
}

/// One token, or one lexicon phrase of several tokens.
#[derive(Debug, Clone, Copy, Default)]
struct Unit {
    /// Byte range of the lowercased text in the scratch buffer.
    start: u32,
    end: u32,
    entry: Entry,
    tag: Tag,
    /// ALL CAPS in the original.
    upper: bool,
    /// A negation (listed, or any word with "n't").
    negation: bool,
    /// Found only once runs of a repeated letter were shortened.
    elongated: bool,
}

impl Unit {
    /// "Not in the lexicon" in VADER's sense: a word that can modify the next
    /// rated word. Degree adverbs count even when rated themselves
    /// ("super"), since VADER reads them as adverbs first.
    fn modifier(&self) -> bool {
        self.entry.valence.is_none() || self.entry.booster != 0.0
    }
}

/// Reusable buffers, one set per thread.
#[derive(Debug, Default)]
struct Scratch {
    lower: String,
    tokens: Vec<Unit>,
    units: Vec<Unit>,
    key: String,
    sentiments: Vec<f32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// What the rules found in one message: VADER's outputs plus the counts the
/// learned layer reads.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Analysis {
    /// Sum of adjusted valences, punctuation emphasis included (VADER units, about −4…+4 a word).
    pub sum: f32,
    /// VADER's compound score, `sum / sqrt(sum² + 15)`.
    pub compound: f32,
    /// Share of positive valence (VADER's `pos`).
    pub pos: f32,
    /// Share of negative valence (VADER's `neg`).
    pub neg: f32,
    /// Share of neutral units (VADER's `neu`).
    pub neu: f32,
    /// Sum of positive adjusted valences.
    pub pos_sum: f32,
    /// Sum of negative adjusted valences (≤ 0).
    pub neg_sum: f32,
    /// Units (words, emoticons, emoji, phrases) scored.
    pub units: u32,
    /// Units with positive valence.
    pub n_pos: u32,
    /// Units with negative valence.
    pub n_neg: u32,
    /// Valences flipped by a negation.
    pub negations: u32,
    /// The message has a contrastive "but".
    pub but: bool,
    /// "!" in the message.
    pub exclamations: u32,
    /// "?" in the message.
    pub questions: u32,
    /// Emphasis from "!" and "?" added to the sum.
    pub punctuation: f32,
}

/// Tokens that are not words: redaction placeholders (`<PERSON>`,
/// `<EMAIL_2>`), handles and links.
fn ignored(token: &str) -> bool {
    let b = token.as_bytes();
    if b.len() > 2 && b[0] == b'<' {
        // A placeholder may carry trailing punctuation: "<PERSON>,".
        if let Some(close) = token.find('>') {
            let inner = &b[1..close];
            if !inner.is_empty() && inner.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_') {
                return true;
            }
        }
    }
    (b.len() > 1 && b[0] == b'@') || token.starts_with("http://") || token.starts_with("https://") || token.starts_with("www.")
}

/// Python's `str.isupper()`: some cased character and no lower-case one.
fn is_upper(word: &str) -> bool {
    let mut cased = false;
    for c in word.chars() {
        if c.is_lowercase() {
            return false;
        }
        cased |= c.is_uppercase();
    }
    cased
}

/// The longest run of one repeated character.
fn has_run_of_three(word: &str) -> bool {
    let b = word.as_bytes();
    b.windows(3).any(|w| w[0] == w[1] && w[1] == w[2] && w[0].is_ascii_alphabetic())
}

/// `eyes` then `mouth` written apart, as in ": )" or "; D".
fn spaced_emoticon(eyes: &str, mouth: &str) -> bool {
    matches!(eyes, ":" | ";" | "=")
        && matches!(
            mouth,
            ")" | "(" | "-)" | "-(" | "D" | "P" | "p" | "-D" | "-P" | "-p" | "]" | "[" | "/" | "|" | "*" | "o" | "O" | "))" | "(("
        )
}

/// `a` and `b` (short ASCII) as one string in `buf`.
fn join_ascii<'b>(buf: &'b mut [u8; 8], a: &'b str, b: &str) -> &'b str {
    let n = (a.len() + b.len()).min(buf.len());
    for (slot, byte) in buf.iter_mut().zip(a.bytes().chain(b.bytes())) {
        *slot = byte;
    }
    std::str::from_utf8(&buf[..n]).unwrap_or(a)
}

/// Shorten runs of a repeated letter to at most `keep` characters.
fn squeeze(word: &str, keep: usize, out: &mut String) {
    out.clear();
    let mut last = '\0';
    let mut run = 0;
    for c in word.chars() {
        if c == last && c.is_alphabetic() {
            run += 1;
        } else {
            last = c;
            run = 1;
        }
        if run <= keep {
            out.push(c);
        }
    }
}

impl Scratch {
    /// Whether `raw`, lowercased, is a lexicon token.
    fn known(&mut self, lex: &Lexicon, raw: &str) -> bool {
        self.key.clear();
        self.key.extend(raw.chars().flat_map(char::to_lowercase));
        lex.words.contains_key(self.key.as_str())
    }

    /// Append one word (punctuation not yet stripped) as a token.
    fn push_word(&mut self, lex: &Lexicon, raw: &str) {
        if raw.is_empty() {
            return;
        }
        let stripped = raw.trim_matches(|c: char| c.is_ascii_punctuation());
        // VADER keeps a token whole when stripping leaves two characters or
        // fewer, so emoticons (":)", ":p") survive; but then "no!" and "ok."
        // are never found. A short word is stripped unless the whole token
        // is itself in the lexicon.
        let short_word = !stripped.is_empty() && stripped.len() < raw.len() && stripped.chars().all(char::is_alphabetic);
        let word = if stripped.chars().count() > 2 || (short_word && !self.known(lex, raw)) { stripped } else { raw };
        let start = self.lower.len();
        for c in word.chars() {
            match c {
                '\u{2019}' | '\u{2018}' => self.lower.push('\''),
                c if c.is_ascii() => self.lower.push(c.to_ascii_lowercase()),
                c => self.lower.extend(c.to_lowercase()),
            }
        }
        let mut unit = Unit { start: start as u32, end: self.lower.len() as u32, upper: is_upper(word), ..Unit::default() };
        let lower = &self.lower[start..];
        match lex.words.get(lower) {
            Some(e) => unit.entry = *e,
            None if has_run_of_three(lower) => {
                // "goooood" → "good", "sooo" → "soo" → "so".
                for keep in [2, 1] {
                    squeeze(lower, keep, &mut self.key);
                    if let Some(e) = lex.words.get(self.key.as_str()) {
                        unit.entry = *e;
                        unit.elongated = true;
                        break;
                    }
                }
                if unit.elongated {
                    self.lower.truncate(start);
                    self.lower.push_str(&self.key);
                    unit.end = self.lower.len() as u32;
                }
            }
            None => {}
        }
        let lower = &self.lower[start..];
        unit.tag = tag_of(lower);
        unit.negation = unit.entry.negation || lower.contains("n't");
        self.tokens.push(unit);
    }

    /// Split the text into tokens.
    fn tokenize(&mut self, lex: &Lexicon, text: &str) {
        self.lower.clear();
        self.tokens.clear();
        let mut raws = text.split_whitespace().peekable();
        while let Some(raw) = raws.next() {
            if ignored(raw) {
                continue;
            }
            // An emoticon typed with a space, ": )" or "; P", is one emoticon.
            if let Some(next) = raws.peek().filter(|next| spaced_emoticon(raw, next)) {
                let mut buf = [0u8; 8];
                let joined = join_ascii(&mut buf, raw, next);
                raws.next();
                self.push_word(lex, joined);
                continue;
            }
            if raw.is_ascii() {
                self.push_word(lex, raw);
                continue;
            }
            // Emoji are units of their own, even when glued to a word.
            let mut from = 0;
            for (i, c) in raw.char_indices() {
                if let Some(&v) = lex.emoji.get(&c) {
                    self.push_word(lex, &raw[from..i]);
                    let at = self.lower.len() as u32;
                    self.tokens.push(Unit { start: at, end: at, entry: Entry { valence: Some(v), ..Entry::default() }, ..Unit::default() });
                    from = i + c.len_utf8();
                }
            }
            self.push_word(lex, &raw[from..]);
        }
    }

    /// Merge lexicon phrases into single units, longest match first.
    fn merge_phrases(&mut self, lex: &Lexicon) {
        self.units.clear();
        let n = self.tokens.len();
        let mut i = 0;
        while i < n {
            let t = self.tokens[i];
            if t.entry.phrase_start && i + 1 < n {
                let longest = lex.max_phrase_len.min(n - i);
                let mut merged = None;
                for len in (2..=longest).rev() {
                    self.key.clear();
                    for (k, u) in self.tokens[i..i + len].iter().enumerate() {
                        if k > 0 {
                            self.key.push(' ');
                        }
                        self.key.push_str(&self.lower[u.start as usize..u.end as usize]);
                    }
                    if let Some(e) = lex.phrases.get(self.key.as_str()) {
                        merged = Some((len, *e));
                        break;
                    }
                }
                if let Some((len, entry)) = merged {
                    let parts = &self.tokens[i..i + len];
                    self.units.push(Unit {
                        start: t.start,
                        end: parts[len - 1].end,
                        entry: Entry { phrase_start: false, ..entry },
                        tag: Tag::Other,
                        upper: parts.iter().all(|u| u.upper),
                        negation: entry.negation,
                        elongated: false,
                    });
                    i += len;
                    continue;
                }
            }
            self.units.push(t);
            i += 1;
        }
    }

    /// VADER's `scalar_inc_dec`: what modifier unit `p` adds to valence `v`.
    fn scalar(p: &Unit, v: f32, cap_diff: bool) -> f32 {
        if p.entry.booster == 0.0 {
            return 0.0;
        }
        let mut s = if v < 0.0 { -p.entry.booster } else { p.entry.booster };
        if p.upper && cap_diff {
            s += if v > 0.0 { C_INCR } else { -C_INCR };
        }
        s
    }

    /// The adjusted valence of every unit, VADER's `sentiment_valence`.
    fn valences(&mut self, out: &mut Analysis) {
        let units = &self.units;
        let n = units.len();
        let uppers = units.iter().filter(|u| u.upper).count();
        // VADER's allcap_differential: capitals stand out only when some,
        // not all, words are in capitals.
        let cap_diff = uppers > 0 && uppers < n;
        self.sentiments.clear();
        for i in 0..n {
            let u = &units[i];
            // A rated degree adverb ("pretty", "super") is an adverb when a
            // rated word follows it, and a rated word otherwise.
            let adverb = u.entry.booster != 0.0
                && (u.entry.valence.is_none() || units.get(i + 1).is_some_and(|n| n.entry.valence.is_some() && n.entry.booster == 0.0));
            let Some(base) = u.entry.valence.filter(|_| !adverb) else {
                self.sentiments.push(0.0);
                continue;
            };
            let mut v = base;
            // "no" before a rated word negates it rather than counting itself.
            if u.tag == Tag::No && i + 1 < n && units[i + 1].entry.valence.is_some() {
                v = 0.0;
            }
            // A negation is not itself negated: "no no no" is emphasis, not
            // a double negative.
            let flippable = !u.negation && u.tag != Tag::No;
            if flippable
                && ((i > 0 && units[i - 1].tag == Tag::No)
                    || (i > 1 && units[i - 2].tag == Tag::No)
                    || (i > 2 && units[i - 3].tag == Tag::No && units[i - 1].tag == Tag::OrNor))
            {
                v = base * N_SCALAR;
                out.negations += 1;
            }
            if u.upper && cap_diff {
                v += if v > 0.0 { C_INCR } else { -C_INCR };
            }
            if u.elongated {
                v += if v > 0.0 { B_INCR } else { -B_INCR };
            }
            for start_i in 0..3 {
                if i <= start_i {
                    break;
                }
                let p = &units[i - start_i - 1];
                if !p.modifier() {
                    continue;
                }
                let s = Self::scalar(p, v, cap_diff) * [1.0, 0.95, 0.9][start_i];
                v += s;
                if flippable {
                    v = negation_check(units, v, start_i, i, out);
                }
            }
            // "least" negates ("the least helpful") except in "at least" and "very least".
            if i > 0 && units[i - 1].tag == Tag::Least && units[i - 1].modifier() && !(i > 1 && units[i - 2].tag == Tag::AtVery) {
                v *= N_SCALAR;
            }
            self.sentiments.push(v);
        }
        // Contrastive "but": what follows the first one outweighs what precedes it.
        if let Some(bi) = units.iter().position(|u| u.tag == Tag::But) {
            out.but = true;
            for (si, s) in self.sentiments.iter_mut().enumerate() {
                if si < bi {
                    *s *= 0.5;
                } else if si > bi {
                    *s *= 1.5;
                }
            }
        }
    }
}

/// VADER's `_negation_check` for the modifier `start_i + 1` units before `i`.
fn negation_check(units: &[Unit], v: f32, start_i: usize, i: usize, out: &mut Analysis) -> f32 {
    let flip = |out: &mut Analysis| {
        out.negations += 1;
        v * N_SCALAR
    };
    match start_i {
        0 if units[i - 1].negation => flip(out),
        1 if units[i - 2].tag == Tag::Never && units[i - 1].tag == Tag::SoThis => v * 1.25,
        1 if units[i - 2].tag == Tag::Without && units[i - 1].tag == Tag::Doubt => v,
        1 if units[i - 2].negation => flip(out),
        // VADER's code here also boosts any word right after "so"/"this"
        // (an operator-precedence slip); its comment and tests mean "never
        // so/this" only, which is what this does.
        2 if units[i - 3].tag == Tag::Never && (units[i - 2].tag == Tag::SoThis || units[i - 1].tag == Tag::SoThis) => v * 1.25,
        2 if units[i - 3].tag == Tag::Without && (units[i - 2].tag == Tag::Doubt || units[i - 1].tag == Tag::Doubt) => v,
        2 if units[i - 3].negation => flip(out),
        _ => v,
    }
}

/// Emphasis from "!" (up to four) and "?" (two or more).
fn punctuation(exclamations: u32, questions: u32) -> f32 {
    let ep = exclamations.min(4) as f32 * 0.292;
    let qm = match questions {
        0 | 1 => 0.0,
        2 | 3 => questions as f32 * 0.18,
        _ => 0.96,
    };
    ep + qm
}

/// Run the rules over `text`.
pub(crate) fn analyze(lex: &Lexicon, text: &str) -> Analysis {
    let run = |s: &mut Scratch| analyze_with(lex, text, s);
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut s) => run(&mut s),
        // Only reachable if scoring re-entered itself on this thread.
        Err(_) => run(&mut Scratch::default()),
    })
}

fn analyze_with(lex: &Lexicon, text: &str, s: &mut Scratch) -> Analysis {
    let mut out = Analysis::default();
    s.tokenize(lex, text);
    s.merge_phrases(lex);
    s.valences(&mut out);
    out.units = s.units.len() as u32;
    if s.sentiments.is_empty() {
        return out;
    }
    for b in text.bytes() {
        match b {
            b'!' => out.exclamations += 1,
            b'?' => out.questions += 1,
            _ => {}
        }
    }
    let amp = punctuation(out.exclamations, out.questions);
    let mut sum: f32 = s.sentiments.iter().sum();
    if sum > 0.0 {
        sum += amp;
    } else if sum < 0.0 {
        sum -= amp;
    }
    out.sum = sum;
    out.compound = normalize(sum);
    out.punctuation = if sum != 0.0 { amp } else { 0.0 };
    let (mut pos_sum, mut neg_sum, mut neu) = (0.0f32, 0.0f32, 0u32);
    for &v in &s.sentiments {
        if v > 0.0 {
            pos_sum += v + 1.0;
            out.pos_sum += v;
            out.n_pos += 1;
        } else if v < 0.0 {
            neg_sum += v - 1.0;
            out.neg_sum += v;
            out.n_neg += 1;
        } else {
            neu += 1;
        }
    }
    if pos_sum > neg_sum.abs() {
        pos_sum += amp;
    } else if pos_sum < neg_sum.abs() {
        neg_sum -= amp;
    }
    let total = pos_sum + neg_sum.abs() + neu as f32;
    if total > 0.0 {
        out.pos = pos_sum / total;
        out.neg = neg_sum.abs() / total;
        out.neu = neu as f32 / total;
    }
    out
}

/// The valence an emoji's description carries, as VADER would score its words
/// without punctuation emphasis. Used while the lexicon is being built.
pub(crate) fn description_valence(lex: &Lexicon, description: &str) -> f32 {
    let mut s = Scratch::default();
    let mut out = Analysis::default();
    s.tokenize(lex, description);
    s.merge_phrases(lex);
    s.valences(&mut out);
    s.sentiments.iter().sum()
}
