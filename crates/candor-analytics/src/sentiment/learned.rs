//! The learned layer: a ridge regression from the rules' outputs to the mean
//! human rating (−4…+4) of a message, trained on the rated Amazon, movie and
//! NYT snippets that ship with VADER (`examples/train_sentiment.rs`). VADER's
//! compound saturates fast, so one mild word in a long neutral message reads
//! as clearly positive; the regression instead learns how ratings grow with
//! the number and strength of rated words and with message length. Labels
//! then use the very thresholds that define the human labels (±0.5), so no
//! cut-off is tuned on the evaluation set.
//!
//! The weights are data (`data/sentiment_weights.tsv`), one `name<TAB>value`
//! a line, so retraining never touches code.

use super::rules::Analysis;

/// Number of features.
pub const FEATURES: usize = 15;

/// Feature names, in the order of [`features`] and of the weights file.
pub const FEATURE_NAMES: [&str; FEATURES] = [
    "bias",
    "sum",
    "compound",
    "pos_sum",
    "neg_sum",
    "pos_saturated",
    "neg_saturated",
    "n_pos",
    "n_neg",
    "punctuation",
    "log_len_x_compound",
    "density",
    "but_x_compound",
    "question_x_compound",
    "negations",
];

/// The feature vector of one analysed message.
pub fn features(a: &Analysis) -> [f32; FEATURES] {
    let sign = a.sum.signum() * f32::from(u8::from(a.sum != 0.0));
    let len = a.units.max(1) as f32;
    [
        1.0,
        a.sum,
        a.compound,
        a.pos_sum,
        a.neg_sum,
        (a.pos_sum / 2.0).tanh(),
        (a.neg_sum / 2.0).tanh(),
        a.n_pos as f32,
        a.n_neg as f32,
        sign * a.punctuation,
        len.ln() * a.compound,
        (a.pos_sum + a.neg_sum) / len.sqrt(),
        if a.but { a.compound } else { 0.0 },
        if a.questions > 0 { a.compound } else { 0.0 },
        // Raters read a negated sentiment word as weaker and less certain
        // than VADER's fixed −0.74 flip; capped so a long rant of "not"s
        // cannot dominate.
        a.negations.min(3) as f32,
    ]
}

/// Weights of the regression and the rating that separates a label from neutral.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Linear {
    pub weights: [f32; FEATURES],
    /// Ratings at or above this are positive, at or below its negation negative.
    pub threshold: f32,
}

/// A weights file that cannot be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WeightsError {
    /// A line that is not `name<TAB>number`, or an unknown name.
    #[error("sentiment_weights.tsv:{line}: {reason}")]
    Line {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        reason: String,
    },
}

impl Linear {
    /// Parse `name<TAB>value` lines; `#` starts a comment line. Features not
    /// listed weigh nothing.
    pub(crate) fn parse(text: &str) -> Result<Linear, WeightsError> {
        let mut lin = Linear { weights: [0.0; FEATURES], threshold: 0.5 };
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |reason: String| WeightsError::Line { line: n + 1, reason };
            let (name, value) = line.split_once('\t').ok_or_else(|| bad("expected name and value".into()))?;
            let value: f32 = value.trim().parse().map_err(|_| bad(format!("`{value}` is not a number")))?;
            if name == "threshold" {
                lin.threshold = value;
            } else {
                let i = FEATURE_NAMES.iter().position(|f| *f == name).ok_or_else(|| bad(format!("unknown feature `{name}`")))?;
                lin.weights[i] = value;
            }
        }
        Ok(lin)
    }

    /// The predicted mean rating.
    pub(crate) fn rating(&self, x: &[f32; FEATURES]) -> f32 {
        self.weights.iter().zip(x).map(|(w, x)| w * x).sum()
    }
}
