//! PERSON without cue words: a sequence model over the words of a message.
//!
//! Names are written without a cue as often as with one ("please update it
//! to Tomasz Wierzbicki", "is Annika on shift?", a name alone on the last
//! line), and in lower case. This recognizer tags each word B (a name
//! starts), I (it goes on) or O with a greedy averaged perceptron, left to
//! right, over features of the word and its neighbours: its shape (case,
//! accents, hyphens, length), its suffix, the words around it, what lies
//! between them (a comma, a line break, a sentence end), the tag before it,
//! and what the gazetteers say (how many sources list it as a first name or
//! a surname, whether it is a common English word, a title, a particle).
//!
//! The weights (`data/names/person.model`) are trained by
//! `cargo run --release -p candor-privacy --example train_person` on
//! sentences `train/make_person_data.py` generates from templates of our
//! own and names from openly licensed lists; `data/names/SOURCES.md` says
//! where every list comes from. Words that cannot start or continue a name
//! (lower-case words no list knows, in a message that has capitals; parts
//! of e-mail addresses, handles, links) are tagged O without scoring, which
//! keeps the model to a few words a message.

mod gazetteer;
mod hash;
mod model;
#[doc(hidden)]
pub mod train;

use super::{work, Candidate, EntityType};
use gazetteer::{flag, Gazetteer};
use hash::{feature, pair, word_hash};
use model::Model;

/// Tags.
pub(crate) const O: usize = 0;
pub(crate) const B: usize = 1;
pub(crate) const I: usize = 2;

/// What lies between a word and the one before it.
mod gap {
    pub const START: u8 = 0;
    pub const SPACE: u8 = 1;
    pub const NEWLINE: u8 = 2;
    pub const SENTENCE: u8 = 3;
    pub const COMMA: u8 = 4;
    pub const COLON: u8 = 5;
    pub const DASH: u8 = 6;
    pub const OPEN: u8 = 7;
    pub const DIGIT: u8 = 8;
    pub const OTHER: u8 = 9;
    pub const END: u8 = 10;
}

/// A word of the message.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Word {
    pub start: usize,
    pub end: usize,
    lower: u64,
    suffix: u64,
    shape: u8,
    pub flags: u16,
    /// What lies before it.
    gap: u8,
    /// Never a name: a contraction, or a word of a brand's name.
    never: bool,
}

/// Shape bits.
mod shape {
    pub const CAPITAL: u8 = 1;
    pub const ALL_CAPS: u8 = 2;
    pub const ALL_LOWER: u8 = 4;
    pub const NON_ASCII: u8 = 8;
    pub const HYPHEN: u8 = 16;
    pub const APOSTROPHE: u8 = 32;
    /// Two bits of length: 1, 2, 3–4, 5 or more.
    pub const LEN_SHIFT: u8 = 6;
}

/// A message's words and their tags with margins, reused from message to
/// message.
type Scratch = (Vec<Word>, Vec<(usize, f32)>);

/// The recognizer: gazetteers and weights, built once.
#[derive(Debug)]
pub(crate) struct PersonRecognizer {
    gazetteer: Gazetteer,
    model: Model,
}

impl PersonRecognizer {
    /// The recognizer, built on first use and shared: its tables take a
    /// few tens of milliseconds to build and some megabytes to hold.
    pub(crate) fn shared() -> &'static Self {
        static SHARED: std::sync::LazyLock<PersonRecognizer> =
            std::sync::LazyLock::new(|| PersonRecognizer { gazetteer: Gazetteer::new(), model: Model::embedded() });
        &SHARED
    }

    /// Add a PERSON candidate for each name the model finds.
    pub(crate) fn recognize(&self, text: &str, out: &mut Vec<Candidate>) {
        thread_local! {
            static SCRATCH: std::cell::Cell<Scratch> = const { std::cell::Cell::new((Vec::new(), Vec::new())) };
        }
        let (mut words, mut tags) = SCRATCH.take();
        words.clear();
        let lowered = is_lowered(text);
        tokenize(text, &self.gazetteer, lowered, &mut words);
        if !words.is_empty() {
            veto(&words, out);
            tags.clear();
            tags.resize(words.len(), (O, 0.0));
            decode(&self.model, &words, lowered, &mut tags);
            spans(&words, &tags, out);
        }
        SCRATCH.set((words, tags));
    }
}

/// Whether a message is written all in lower case (then names are too).
pub(crate) fn is_lowered(text: &str) -> bool {
    work::step(text.len());
    !text.bytes().any(|b| b.is_ascii_uppercase()) && (text.is_ascii() || !text.chars().any(char::is_uppercase))
}

/// Drop the names other recognizers found (after a greeting, say) whose
/// every word is never a name: a brand's ("Thanks Vodafone,") or a
/// contraction ("Don't").
fn veto(words: &[Word], out: &mut Vec<Candidate>) {
    out.retain(|c| {
        if c.entity != EntityType::Person {
            return true;
        }
        let first = words.partition_point(|w| w.end <= c.start);
        work::step(words.len().max(1).ilog2() as usize + 1);
        let inside = words[first..].iter().take_while(|w| w.start < c.end);
        let mut any = false;
        let all_never = inside
            .inspect(|_| {
                any = true;
                work::step(1);
            })
            .all(|w| w.never);
        !(any && all_never)
    });
}

/// Split `text` into words (letters, with inner apostrophes and hyphens)
/// and say what lies between them.
pub(crate) fn tokenize(text: &str, gazetteer: &Gazetteer, lowered: bool, out: &mut Vec<Word>) {
    work::step(text.len());
    let b = text.as_bytes();
    let mut i = 0;
    let mut last_end = 0;
    let mut first = true;
    // A word left out (glued to a digit, an @…) lies before this one.
    let mut between = false;
    while i < b.len() {
        // Most text is ASCII: step over what is no letter without decoding.
        if b[i] < 0x80 && !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else { break };
        if !c.is_alphabetic() {
            i += c.len_utf8();
            continue;
        }
        let start = i;
        let mut end = i + c.len_utf8();
        let mut shape_bits = 0u8;
        let mut chars = 1usize;
        let mut contraction = false;
        let (mut upper, mut lower) = (usize::from(c.is_uppercase()), usize::from(c.is_lowercase()));
        loop {
            match b.get(end) {
                Some(&x) if x.is_ascii_alphabetic() => {
                    upper += usize::from(x.is_ascii_uppercase());
                    lower += usize::from(x.is_ascii_lowercase());
                    chars += 1;
                    end += 1;
                    continue;
                }
                Some(&x) if x < 0x80 && x != b'\'' && x != b'-' => break,
                None => break,
                _ => {}
            }
            let Some(d) = text[end..].chars().next() else { break };
            if d.is_alphabetic() {
                upper += usize::from(d.is_uppercase());
                lower += usize::from(d.is_lowercase());
                chars += 1;
                end += d.len_utf8();
                continue;
            }
            if matches!(d, '\'' | '’' | '-') {
                let after = end + d.len_utf8();
                if d != '-' {
                    // A possessive ends the word before it (Sarah's); a
                    // contraction (don't, we'll, I'm) is never a name.
                    let tail: &[u8] = &text.as_bytes()[after..];
                    let letters = tail.iter().take_while(|c| c.is_ascii_alphabetic()).count();
                    let rest = &tail[..letters];
                    let next_is_letter = text[after + letters..].chars().next().is_some_and(char::is_alphabetic);
                    if !next_is_letter && rest.eq_ignore_ascii_case(b"s") {
                        break;
                    }
                    if !next_is_letter
                        && CONTRACTIONS.iter().any(|c| {
                            rest.eq_ignore_ascii_case(c)
                                || (c == b"t" && rest.eq_ignore_ascii_case(b"t") && text[..end].ends_with(['n', 'N']))
                        })
                    {
                        contraction = true;
                    }
                }
                if text[after..].chars().next().is_some_and(char::is_alphabetic) {
                    shape_bits |= if d == '-' { shape::HYPHEN } else { shape::APOSTROPHE };
                    end = after;
                    continue;
                }
            }
            break;
        }
        let word = &text[start..end];
        let ascii = word.is_ascii();
        if c.is_uppercase() {
            shape_bits |= shape::CAPITAL;
        }
        if lower == 0 && upper > 1 {
            shape_bits |= shape::ALL_CAPS;
        }
        if upper == 0 {
            shape_bits |= shape::ALL_LOWER;
        }
        if !ascii {
            shape_bits |= shape::NON_ASCII;
        }
        let len_bucket: u8 = match chars {
            1 => 0,
            2 => 1,
            3..=4 => 2,
            _ => 3,
        };
        shape_bits |= len_bucket << shape::LEN_SHIFT;
        let (lower_hash, suffix) = if ascii {
            let wb = word.as_bytes();
            (word_hash(wb), word_hash(&wb[wb.len().saturating_sub(3)..]))
        } else {
            let l = word.to_lowercase();
            work::step(l.len());
            let cut = l.char_indices().rev().nth(2).map_or(0, |(k, _)| k);
            (word_hash(l.as_bytes()), word_hash(&l.as_bytes()[cut..]))
        };
        let before = &b[last_end..start];
        let gap = if first && !between && before.iter().all(u8::is_ascii_whitespace) {
            gap::START
        } else {
            match classify(before) {
                gap::SPACE if between => gap::OTHER,
                g => g,
            }
        };
        between = false;
        let prev_byte = start.checked_sub(1).map(|k| b[k]);
        let next_byte = b.get(end).copied();
        let after_next = b.get(end + 1).copied();
        let glued = prev_byte.is_some_and(|p| matches!(p, b'@' | b'#' | b'_' | b'/' | b'\\' | b'=' | b'&' | b'+') || p.is_ascii_digit())
            || (prev_byte == Some(b'.') && start >= 2 && b[start - 2].is_ascii_alphanumeric())
            || next_byte.is_some_and(|n| matches!(n, b'@' | b'_' | b'/' | b'=') || n.is_ascii_digit())
            || (next_byte == Some(b'.') && after_next.is_some_and(|a| a.is_ascii_alphanumeric()));
        i = end;
        if glued {
            // Not a word of the sentence: the next word's gap is what lies
            // after it, marked as holding something other than blanks.
            last_end = end;
            between = true;
            continue;
        }
        out.push(Word { start, end, lower: lower_hash, suffix, shape: shape_bits, flags: UNREAD, gap, never: contraction });
        first = false;
        last_end = end;
    }
    read_flags(gazetteer, lowered, out);
    mark_brands(gazetteer, out);
}

/// Flags not read from the gazetteer: a lower-case word of a message
/// that has capitals, no first name and next to no word that may start a
/// name. Such a word starts no name, and looking up every word of every
/// message in a table of a quarter of a million was most of the
/// recognizer's time.
const UNREAD: u16 = 0x8000;

/// Read the flags of every word that can start a name or stands next to
/// one that can.
fn read_flags(gazetteer: &Gazetteer, lowered: bool, words: &mut [Word]) {
    // A word may start a name if it is capitalized or, in lower case, may
    // be a first name (a filter that fits in the first-level cache says).
    let may_start = |w: &Word| w.shape & shape::ALL_LOWER == 0 || gazetteer.may_be_first_name(w.lower);
    for i in 0..words.len() {
        let wanted = lowered || may_start(&words[i]) || (i > 0 && may_start(&words[i - 1])) || words.get(i + 1).is_some_and(may_start);
        if wanted {
            words[i].flags = gazetteer.flags(words[i].lower);
        }
    }
}

/// Endings after an apostrophe that make a contraction (n't is checked
/// as `t` after an `n`).
const CONTRACTIONS: &[&[u8]] = &[b"t", b"re", b"ve", b"ll", b"d", b"m"];

/// Mark the words of every brand's name the gazetteer knows as never a
/// name, the longest match first.
fn mark_brands(gazetteer: &Gazetteer, words: &mut [Word]) {
    let mut i = 0;
    while i < words.len() {
        let mut matched = 0;
        if gazetteer.may_start_brand(words[i].lower) {
            let mut h = 0u64;
            for (k, w) in words[i..].iter().take(gazetteer::MAX_BRAND_WORDS).enumerate() {
                work::step(1);
                h = pair(h, w.lower);
                if gazetteer.is_brand(h) {
                    matched = k + 1;
                }
            }
        }
        for w in &mut words[i..i + matched] {
            w.never = true;
        }
        i += matched.max(1);
    }
}

fn classify(gap_bytes: &[u8]) -> u8 {
    work::step(gap_bytes.len());
    let mut class = gap::SPACE;
    for &c in gap_bytes {
        let this = match c {
            b'\n' | b'\r' => gap::NEWLINE,
            b'.' | b'!' | b'?' => gap::SENTENCE,
            b',' | b';' => gap::COMMA,
            b':' => gap::COLON,
            b'-' => gap::DASH,
            b'(' | b'"' | b'<' | b'[' | b'\'' => gap::OPEN,
            b'0'..=b'9' => gap::DIGIT,
            b' ' | b'\t' => gap::SPACE,
            _ => gap::OTHER,
        };
        // The strongest boundary wins: a line break, then a sentence end, …
        let rank = |g: u8| match g {
            gap::NEWLINE => 9,
            gap::SENTENCE => 8,
            gap::DIGIT => 7,
            gap::COLON => 6,
            gap::COMMA => 5,
            gap::DASH => 4,
            gap::OPEN => 3,
            gap::OTHER => 2,
            _ => 1,
        };
        if rank(this) > rank(class) {
            class = this;
        }
    }
    class
}

/// The flags that matter to the model, folded with the shape.
fn class(w: &Word) -> u64 {
    u64::from(w.flags) | (u64::from(w.shape & 0x3f) << 16)
}

/// A coarse view of a word: how strongly the lists call it a name, how
/// frequent a word it is, its case and whether it starts a line or
/// sentence, so that what holds for all frequent words or all rare names
/// is learnt once.
fn coarse(w: &Word, i: usize, lowered: bool) -> u64 {
    let level = |rare: u16, some: u16, common: u16| {
        if w.flags & common != 0 {
            3u64
        } else if w.flags & some != 0 {
            2
        } else {
            u64::from(w.flags & rare != 0)
        }
    };
    let first = level(flag::FIRST_RARE, flag::FIRST_SOME, flag::FIRST_COMMON);
    let last = level(flag::LAST_RARE, flag::LAST_SOME, flag::LAST_COMMON);
    let freq = level(flag::TOP_15K, flag::TOP_5K, flag::TOP_1K);
    let starts = u64::from(i == 0 || matches!(w.gap, gap::NEWLINE | gap::SENTENCE | gap::START));
    let case = u64::from(w.shape & (shape::CAPITAL | shape::ALL_CAPS | shape::ALL_LOWER));
    first
        | last << 2
        | freq << 4
        | starts << 6
        | case << 7
        | u64::from(lowered) << 15
        | u64::from(w.flags & (flag::WORD | flag::NOT_NAME | flag::TITLE | flag::PARTICLE | flag::PLACE)) << 16
}

const NAME_FLAGS: u16 = flag::FIRST | flag::LAST | flag::TITLE | flag::PARTICLE;

/// Whether the word is tagged O without asking the model.
pub(crate) fn obviously_not(w: &Word, prev: usize, lowered: bool) -> bool {
    if w.never {
        return true;
    }
    // A lower-case word starts a name only if the lists know it as part of
    // one, and, in a message with capitals, as no common word too.
    let lower_case = w.shape & shape::ALL_LOWER != 0;
    lower_case && prev == O && (w.flags & NAME_FLAGS == 0 || !lowered && w.flags & flag::PARTICLE == 0 && w.flags & flag::WORD != 0)
}

/// The features of word `i` given the previous tag, as keys.
pub(crate) fn features(words: &[Word], i: usize, prev: usize, lowered: bool, out: &mut [u64; N_FEATURES]) {
    const BOS: u64 = 0x0123_4567_89ab_cdef;
    const EOS: u64 = 0xfedc_ba98_7654_3210;
    let w = &words[i];
    let p = i.checked_sub(1).map(|k| &words[k]);
    let p2 = i.checked_sub(2).map(|k| &words[k]);
    let n = words.get(i + 1);
    let cls = class(w);
    let p_lower = p.map_or(BOS, |x| x.lower);
    let p_class = p.map_or(BOS, class);
    let n_lower = n.map_or(EOS, |x| x.lower);
    let n_class = n.map_or(EOS, class);
    let gap_after = n.map_or(gap::END, |x| x.gap);
    let shape_bits = u64::from(w.shape);
    let prev_tag = prev as u64;
    let values: [u64; N_FEATURES] = [
        0,
        w.lower,
        shape_bits,
        u64::from(w.flags),
        cls,
        w.suffix,
        p_lower,
        n_lower,
        p2.map_or(BOS, |x| x.lower),
        p_class,
        n_class,
        u64::from(w.gap),
        u64::from(gap_after),
        prev_tag,
        pair(prev_tag, cls),
        pair(u64::from(w.gap), shape_bits),
        pair(p_lower, u64::from(w.gap)),
        pair(cls, n_class),
        pair(n_lower, shape_bits),
        pair(u64::from(lowered), cls),
        pair(u64::from(gap_after), cls),
        pair(prev_tag, n_class),
        pair(p_class, cls),
        pair(u64::from(i.min(3) as u8), cls),
        coarse(w, i, lowered),
        pair(prev_tag, coarse(w, i, lowered)),
        pair(n_lower, coarse(w, i, lowered)),
    ];
    for (t, (o, v)) in out.iter_mut().zip(values).enumerate() {
        *o = feature(t as u8, v);
    }
}

/// How many features a word has.
pub(crate) const N_FEATURES: usize = 27;

/// Tag every word, greedily, left to right; each tag with its margin
/// over the next best.
fn decode(model: &Model, words: &[Word], lowered: bool, tags: &mut [(usize, f32)]) {
    let mut prev = O;
    let mut keys = [0u64; N_FEATURES];
    for i in 0..words.len() {
        if obviously_not(&words[i], prev, lowered) {
            tags[i] = (O, f32::INFINITY);
            prev = O;
            continue;
        }
        features(words, i, prev, lowered, &mut keys);
        work::step(N_FEATURES);
        let s = model.score(&keys);
        let (tag, margin) = best(s, prev);
        tags[i] = (tag, margin);
        prev = tag;
    }
}

/// The best tag a word may take after `prev` (I only continues a name),
/// and its margin over the runner-up.
pub(crate) fn best(s: [f32; 3], prev: usize) -> (usize, f32) {
    // I only continues a name.
    let i_score = if prev == O { f32::NEG_INFINITY } else { s[I] };
    let (top, first, second) = if s[O] >= s[B] && s[O] >= i_score {
        (O, s[O], s[B].max(i_score))
    } else if s[B] >= i_score {
        (B, s[B], s[O].max(i_score))
    } else {
        (I, i_score, s[O].max(s[B]))
    };
    (top, first - second)
}

/// Candidates from the tags: a name is a B and the I's after it.
fn spans(words: &[Word], tags: &[(usize, f32)], out: &mut Vec<Candidate>) {
    let mut i = 0;
    while i < words.len() {
        if tags[i].0 != B {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        let mut margin = tags[i].1;
        while j < words.len() && tags[j].0 == I {
            margin = margin.min(tags[j].1);
            j += 1;
        }
        // A title or a particle alone is no name.
        let real = words[i..j].iter().any(|w| w.flags & (flag::TITLE | flag::PARTICLE) == 0 || w.shape & shape::CAPITAL != 0 && j - i > 1);
        if real {
            // Below every cue-based name (0.6 and up): where a cue found a
            // name, its reading of where the name starts and ends wins.
            let score = 0.5 + 0.09 * (margin / 8.0).clamp(0.0, 1.0);
            out.push(Candidate::new(EntityType::Person, words[i].start, words[j - 1].end, score, "person-model"));
        }
        i = j;
    }
}

#[cfg(test)]
mod tests;
