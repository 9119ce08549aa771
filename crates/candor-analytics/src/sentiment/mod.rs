//! Sentiment of redacted social-media text: VADER's lexicon and rules
//! ([`rules`]) extended for customer care (phrases such as "still waiting",
//! slang, emoji), with a small learned layer ([`learned`]) that maps the
//! rules' outputs to a calibrated rating. English only: the lexicon is.
//!
//! All data (lexicons, word lists, weights) lives in `data/` and is compiled
//! in and parsed once, on first use.

use std::sync::LazyLock;

use candor_privacy::RedactedText;
use serde::{Deserialize, Serialize};

pub mod eval;
pub mod learned;
mod lexicon;
mod rules;

pub use learned::{FEATURES, FEATURE_NAMES};
pub use rules::Analysis;

use learned::Linear;
use lexicon::Lexicon;

/// Weights of the learned layer.
const WEIGHTS: &str = include_str!("../../data/sentiment_weights.tsv");

/// A sentiment label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    /// Negative.
    Negative,
    /// Neither clearly negative nor clearly positive.
    Neutral,
    /// Positive.
    Positive,
}

impl Label {
    /// All labels, in the order reports list them.
    pub const ALL: [Label; 3] = [Label::Negative, Label::Neutral, Label::Positive];

    /// `"negative"`, `"neutral"` or `"positive"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Negative => "negative",
            Label::Neutral => "neutral",
            Label::Positive => "positive",
        }
    }

    /// The label named `s` (as [`Label::as_str`] writes it).
    pub fn parse(s: &str) -> Option<Label> {
        match s {
            "negative" => Some(Label::Negative),
            "neutral" => Some(Label::Neutral),
            "positive" => Some(Label::Positive),
            _ => None,
        }
    }
}

/// The sentiment of one message.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Sentiment {
    /// −1 (most negative) … +1 (most positive): the predicted rating squashed
    /// as VADER squashes its sums, `r / sqrt(r² + 15)`. The label is positive
    /// exactly when it is at least [`SentimentModel::compound_threshold`].
    pub compound: f32,
    /// The label.
    pub label: Label,
    /// VADER's share of positive valence in the message.
    pub pos: f32,
    /// VADER's share of negative valence.
    pub neg: f32,
    /// VADER's share of neutral words.
    pub neu: f32,
}

/// Lexicon and weights, built once per process.
#[derive(Debug)]
struct Loaded {
    lexicon: Lexicon,
    linear: Linear,
}

/// INVARIANT (data is valid): the data files are compiled in and the
/// `compiled_in_data_loads` test parses them, so `None` (a data file that
/// does not parse) cannot ship; if it ever did, every message would score
/// neutral rather than the process aborting.
static LOADED: LazyLock<Option<Loaded>> = LazyLock::new(|| {
    let lexicon = Lexicon::load().ok()?;
    let linear = Linear::parse(WEIGHTS).ok()?;
    Some(Loaded { lexicon, linear })
});

/// The sentiment model. A handle to process-wide data: free to copy and
/// share between threads.
#[derive(Debug, Clone, Copy, Default)]
pub struct SentimentModel {
    _private: (),
}

impl SentimentModel {
    /// The model; the first call parses the lexicon (a few milliseconds).
    pub fn new() -> SentimentModel {
        LazyLock::force(&LOADED);
        SentimentModel { _private: () }
    }

    /// Whether the model can score text in `language` (ISO 639-1).
    pub fn supports(language: &str) -> bool {
        language.eq_ignore_ascii_case("en")
    }

    /// The sentiment of `text`, read as English.
    pub fn score(&self, text: &RedactedText) -> Sentiment {
        let Some(loaded) = LOADED.as_ref() else {
            return Sentiment { compound: 0.0, label: Label::Neutral, pos: 0.0, neg: 0.0, neu: 0.0 };
        };
        let a = rules::analyze(&loaded.lexicon, text.as_str());
        let rating = loaded.linear.rating(&learned::features(&a));
        let label = if rating >= loaded.linear.threshold {
            Label::Positive
        } else if rating <= -loaded.linear.threshold {
            Label::Negative
        } else {
            Label::Neutral
        };
        Sentiment { compound: rules::normalize(rating), label, pos: a.pos, neg: a.neg, neu: a.neu }
    }

    /// The sentiment of `text` in `language`, or `None` when the language is
    /// known and is not one the lexicon covers. `None` for the language means
    /// unknown, and the text is read as English.
    pub fn score_in(&self, text: &RedactedText, language: Option<&str>) -> Option<Sentiment> {
        match language {
            Some(code) if !Self::supports(code) => None,
            _ => Some(self.score(text)),
        }
    }

    /// What the rules alone find in `text` (VADER's scores and counts).
    pub fn analyze(&self, text: &RedactedText) -> Analysis {
        LOADED.as_ref().map(|l| rules::analyze(&l.lexicon, text.as_str())).unwrap_or_default()
    }

    /// The learned layer's input for `text`, in the order of [`FEATURE_NAMES`].
    pub fn features(&self, text: &RedactedText) -> [f32; FEATURES] {
        learned::features(&self.analyze(text))
    }

    /// The compound score at and above which a message is positive (and at
    /// and below whose negation it is negative).
    pub fn compound_threshold(&self) -> f32 {
        LOADED.as_ref().map_or(0.05, |l| rules::normalize(l.linear.threshold))
    }
}

#[cfg(test)]
mod tests;
