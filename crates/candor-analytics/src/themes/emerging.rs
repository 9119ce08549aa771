//! Emerging phrases: word n-grams whose share of messages rose most
//! against the previous period. This is how a new problem ("new update",
//! "payment page") shows up before anyone adds it to the taxonomy.
//!
//! Counting rules, per message:
//! - words are split as for theme matching (placeholders, handles, links,
//!   signatures and entities are skipped) and lowercased; words that are
//!   only digits, and words longer than [`MAX_WORD_LEN`] bytes, are skipped;
//! - an n-gram never spans a skipped word or sentence punctuation, so
//!   `my order <ORDER_ID> is late` gives `my order` and `is late` but not
//!   `order is`;
//! - n-grams made only of stopwords (`data/stopwords.txt`: English plus some
//!   Spanish, French, German and Portuguese) are not counted; ones with
//!   some stopwords are (`on hold`, `not loading`);
//! - each n-gram counts at most once per message, so one customer's
//!   repeated word is not a trend, and a count is a number of messages.
//!
//! A phrase's share is the messages containing it over the messages of the
//! period. Phrases are ranked by the rise in share, current minus previous
//! (in share points), not by a ratio: a ratio puts a phrase that went from
//! 1 to 6 messages above one that went from 200 to 900, and care teams act
//! on how many customers are affected. Only phrases with a positive rise
//! and at least `min_count` current messages are kept. A phrase inside a
//! kept longer phrase with the same current count says nothing more and is
//! dropped (`screen keeps flickering` keeps, `keeps flickering` goes).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use candor_privacy::RedactedText;
use serde::Serialize;

use super::tokens::{Piece, Pieces};

/// Words longer than this (bytes) are noise: hashes, run-together text.
pub const MAX_WORD_LEN: usize = 40;

/// Longest n-gram counted.
pub const MAX_NGRAM_WORDS: usize = 3;

const STOPWORDS: &str = include_str!("../../data/stopwords.txt");

/// The stopword list: one word a line, `#` starts a comment.
fn stopwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.lines().map(|l| l.split('#').next().unwrap_or("").trim()).filter(|l| !l.is_empty()).collect())
}

/// How emerging phrases are chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmergingOptions {
    /// Fewest current-period messages a phrase needs (default 5).
    pub min_count: u32,
    /// Most phrases returned (default 20).
    pub limit: usize,
    /// Longest n-gram, in words: 1 to [`MAX_NGRAM_WORDS`] (default 3;
    /// values outside are clamped).
    pub max_words: usize,
}

impl Default for EmergingOptions {
    fn default() -> Self {
        Self { min_count: 5, limit: 20, max_words: MAX_NGRAM_WORDS }
    }
}

/// A phrase whose share of messages rose.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmergingPhrase {
    /// The n-gram, lowercased, words separated by one space.
    pub phrase: String,
    /// Messages of the current period containing it.
    pub current_count: u32,
    /// Messages of the previous period containing it.
    pub previous_count: u32,
    /// `current_count` over the messages of the current period.
    pub current_share: f64,
    /// `previous_count` over the messages of the previous period.
    pub previous_share: f64,
    /// `current_share - previous_share`: what phrases are ranked by.
    pub rise: f64,
}

/// Counts n-grams over a stream of messages of one period, so rows can be
/// fed from a query without holding them all.
///
/// Memory grows with the number of distinct n-grams, not of messages.
#[derive(Debug, Clone)]
pub struct NgramCounter {
    max_words: usize,
    counts: HashMap<String, u32>,
    messages: u64,
    /// Per-message scratch, kept to reuse its allocations: the lowercased
    /// words of the message, space-separated...
    buf: String,
    /// ...the byte range of each word of the current segment, with whether
    /// it is a stopword...
    segment: Vec<(usize, usize, bool)>,
    /// ...and the byte ranges of the message's n-grams.
    grams: Vec<(usize, usize)>,
}

impl Default for NgramCounter {
    fn default() -> Self {
        Self::new(MAX_NGRAM_WORDS)
    }
}

impl NgramCounter {
    /// A counter of 1- to `max_words`-grams (clamped to 1..=3).
    pub fn new(max_words: usize) -> Self {
        Self {
            max_words: max_words.clamp(1, MAX_NGRAM_WORDS),
            counts: HashMap::new(),
            messages: 0,
            buf: String::new(),
            segment: Vec::new(),
            grams: Vec::new(),
        }
    }

    /// Counts one message.
    pub fn add(&mut self, text: &RedactedText) {
        self.messages += 1;
        self.buf.clear();
        self.segment.clear();
        self.grams.clear();
        for piece in Pieces::new(text.as_str()) {
            match piece {
                Piece::Word(w) if w.len() <= MAX_WORD_LEN && !w.chars().all(char::is_numeric) => {
                    if !self.buf.is_empty() {
                        self.buf.push(' ');
                    }
                    let start = self.buf.len();
                    for c in w.chars() {
                        // Curly apostrophes are straightened so `don’t` and
                        // `don't` are one word.
                        if c == '\u{2019}' {
                            self.buf.push('\'');
                        } else {
                            self.buf.extend(c.to_lowercase());
                        }
                    }
                    let end = self.buf.len();
                    let stop = stopwords().contains(&self.buf[start..end]);
                    self.segment.push((start, end, stop));
                }
                _ => self.end_segment(),
            }
        }
        self.end_segment();

        let buf = &self.buf;
        self.grams.sort_unstable_by(|a, b| buf[a.0..a.1].cmp(&buf[b.0..b.1]));
        self.grams.dedup_by(|a, b| buf[a.0..a.1] == buf[b.0..b.1]);
        for &(start, end) in &self.grams {
            let gram = &buf[start..end];
            match self.counts.get_mut(gram) {
                Some(c) => *c = c.saturating_add(1),
                None => {
                    self.counts.insert(gram.to_owned(), 1);
                }
            }
        }
    }

    /// Records the n-grams of the segment so far and starts a new one.
    fn end_segment(&mut self) {
        for i in 0..self.segment.len() {
            let start = self.segment[i].0;
            let mut all_stop = true;
            for &(_, end, stop) in self.segment[i..].iter().take(self.max_words) {
                all_stop &= stop;
                if !all_stop {
                    self.grams.push((start, end));
                }
            }
        }
        self.segment.clear();
    }

    /// The counts.
    pub fn finish(self) -> NgramCounts {
        NgramCounts { messages: self.messages, counts: self.counts }
    }
}

/// N-gram counts of one period: for each n-gram, how many messages have it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NgramCounts {
    messages: u64,
    counts: HashMap<String, u32>,
}

impl NgramCounts {
    /// Messages counted.
    pub fn messages(&self) -> u64 {
        self.messages
    }

    /// Messages containing `phrase` (lowercased, single spaces).
    pub fn count(&self, phrase: &str) -> u32 {
        self.counts.get(phrase).copied().unwrap_or(0)
    }

    /// Distinct n-grams counted.
    pub fn distinct(&self) -> usize {
        self.counts.len()
    }

    fn share(&self, count: u32) -> f64 {
        if self.messages == 0 {
            0.0
        } else {
            f64::from(count) / self.messages as f64
        }
    }
}

/// The phrases of `current` whose share rose most against `previous`
/// (see the module documentation for the rules).
pub fn emerging<'a>(
    previous: impl IntoIterator<Item = &'a RedactedText>,
    current: impl IntoIterator<Item = &'a RedactedText>,
    opts: &EmergingOptions,
) -> Vec<EmergingPhrase> {
    let previous = count_all(previous, opts.max_words);
    let current = count_all(current, opts.max_words);
    emerging_from_counts(&previous, &current, opts)
}

fn count_all<'a>(texts: impl IntoIterator<Item = &'a RedactedText>, max_words: usize) -> NgramCounts {
    let mut counter = NgramCounter::new(max_words);
    texts.into_iter().for_each(|t| counter.add(t));
    counter.finish()
}

/// [`emerging`] over counts made with [`NgramCounter`].
pub fn emerging_from_counts(previous: &NgramCounts, current: &NgramCounts, opts: &EmergingOptions) -> Vec<EmergingPhrase> {
    let mut candidates: Vec<EmergingPhrase> = current
        .counts
        .iter()
        .filter(|(_, &c)| c >= opts.min_count)
        .filter_map(|(phrase, &current_count)| {
            let previous_count = previous.count(phrase);
            let current_share = current.share(current_count);
            let previous_share = previous.share(previous_count);
            let rise = current_share - previous_share;
            (rise > 0.0).then(|| EmergingPhrase {
                phrase: phrase.clone(),
                current_count,
                previous_count,
                current_share,
                previous_share,
                rise,
            })
        })
        .collect();

    // A sub-phrase of a longer candidate with the same count appears only
    // inside it, and ranks no higher (its previous count can only be
    // larger), so dropping it here is the same as dropping it after the cut.
    let by_phrase: HashMap<&str, u32> = candidates.iter().map(|c| (c.phrase.as_str(), c.current_count)).collect();
    let mut covered: HashSet<String> = HashSet::new();
    for c in &candidates {
        let words: Vec<&str> = c.phrase.split(' ').collect();
        for len in 1..words.len() {
            for window in words.windows(len) {
                let sub = window.join(" ");
                if by_phrase.get(sub.as_str()) == Some(&c.current_count) {
                    covered.insert(sub);
                }
            }
        }
    }
    candidates.retain(|c| !covered.contains(&c.phrase));

    candidates.sort_by(|a, b| {
        b.rise
            .total_cmp(&a.rise)
            .then(b.current_count.cmp(&a.current_count))
            .then(b.phrase.matches(' ').count().cmp(&a.phrase.matches(' ').count()))
            .then(a.phrase.cmp(&b.phrase))
    });
    candidates.truncate(opts.limit);
    candidates
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(lines: &[&str]) -> Vec<RedactedText> {
        lines.iter().map(|s| RedactedText::fixture((*s).to_owned())).collect()
    }

    /// `n` background messages that are alike in both periods.
    fn background(n: usize) -> Vec<String> {
        let pool = [
            "my parcel is late again",
            "how do I change my address",
            "thanks for the help today",
            "the store was closed this morning",
            "can I get a receipt for my order",
        ];
        (0..n).map(|i| pool[i % pool.len()].to_owned()).collect()
    }

    fn period(lines: Vec<String>) -> Vec<RedactedText> {
        lines.into_iter().map(RedactedText::fixture).collect()
    }

    fn counts(lines: &[&str]) -> NgramCounts {
        let mut c = NgramCounter::default();
        texts(lines).iter().for_each(|t| c.add(t));
        c.finish()
    }

    #[test]
    fn counts_each_ngram_once_per_message_and_skips_noise() {
        let c = counts(&["Refund refund REFUND", "@acme <ORDER_ID> 12345 https://t.co/x the of", "my order <ORDER_ID> is late"]);
        assert_eq!(c.messages(), 3);
        assert_eq!(c.count("refund"), 1);
        assert_eq!(c.count("refund refund"), 1);
        assert_eq!(c.count("refund refund refund"), 1);
        assert_eq!(c.count("12345"), 0);
        assert_eq!(c.count("acme"), 0);
        assert_eq!(c.count("order_id"), 0);
        assert_eq!(c.count("the"), 0, "stopword-only n-grams are skipped");
        assert_eq!(c.count("the of"), 0);
        assert_eq!(c.count("my order"), 1);
        assert_eq!(c.count("is late"), 1);
        assert_eq!(c.count("order is"), 0, "n-grams do not span placeholders");
        assert_eq!(c.distinct(), 3 + 2 + 2);
    }

    #[test]
    fn a_new_phrase_in_ten_percent_of_messages_ranks_first() {
        let previous = period(background(100));
        let mut current = background(90);
        current.extend((0..10).map(|_| "Screen keeps flickering!".to_owned()));
        let current = period(current);
        let found = emerging(&previous, &current, &EmergingOptions::default());
        let top = &found[0];
        assert_eq!(top.phrase, "screen keeps flickering");
        assert_eq!((top.current_count, top.previous_count), (10, 0));
        assert!((top.current_share - 0.1).abs() < 1e-9);
        assert!((top.rise - 0.1).abs() < 1e-9);
        assert!(found.iter().all(|p| p.rise > 0.0));
        // Background phrases have the same share in both periods, or less.
        assert!(found.iter().all(|p| p.phrase != "parcel is late"));
    }

    #[test]
    fn min_count_is_respected() {
        let previous = period(background(100));
        let mut current = background(96);
        current.extend((0..4).map(|_| "payment page frozen".to_owned()));
        let current = period(current);
        let found = emerging(&previous, &current, &EmergingOptions::default());
        assert!(found.iter().all(|p| !p.phrase.contains("frozen")), "{found:?}");
        let opts = EmergingOptions { min_count: 4, ..EmergingOptions::default() };
        let found = emerging(&previous, &current, &opts);
        assert_eq!(found[0].phrase, "payment page frozen");
        assert!(found.iter().all(|p| p.current_count >= 4));
    }

    #[test]
    fn sub_phrases_with_the_same_count_are_suppressed() {
        let previous = period(background(50));
        let mut current = background(35);
        current.extend((0..10).map(|_| "screen keeps flickering".to_owned()));
        current.extend((0..5).map(|_| "the screen is dim".to_owned()));
        let current = period(current);
        let found = emerging(&previous, &current, &EmergingOptions { limit: 100, ..EmergingOptions::default() });
        let phrases: Vec<&str> = found.iter().map(|p| p.phrase.as_str()).collect();
        assert!(phrases.contains(&"screen keeps flickering"), "{phrases:?}");
        for gone in ["screen keeps", "keeps flickering", "keeps", "flickering"] {
            assert!(!phrases.contains(&gone), "{gone} should be suppressed: {phrases:?}");
        }
        // `screen` is in 15 messages, more than any longer phrase: kept.
        assert!(phrases.contains(&"screen"), "{phrases:?}");
    }

    #[test]
    fn phrases_that_did_not_rise_are_not_emerging() {
        let previous = period(background(100));
        let current = period(background(100));
        assert!(emerging(&previous, &current, &EmergingOptions::default()).is_empty());
    }

    #[test]
    fn limit_and_empty_periods() {
        let current = period((0..20).map(|i| format!("alpha{} beta{}", i % 4, i % 4)).collect());
        let opts = EmergingOptions { limit: 2, min_count: 1, max_words: 1 };
        let none: Vec<RedactedText> = Vec::new();
        let found = emerging(&none, &current, &opts);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].previous_share, 0.0);
        assert!(emerging(&none, &none, &EmergingOptions::default()).is_empty());
    }
}
