//! Scoring of sentiment predictions against human labels, exactly as
//! `shared/tools/eval_sentiment.py` does it: accuracy and macro-F1 over the
//! three labels, per-label precision, recall and F1, every figure rounded to
//! four decimals, and a gold message without a prediction counted as wrong.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::Label;

/// A human-labelled message (one line of `dev.jsonl`; other fields ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gold {
    /// Message id.
    pub id: String,
    /// The text.
    pub text: String,
    /// `negative`, `neutral` or `positive`.
    pub label: String,
}

/// One line of a `--predictions` file: `{"id", "label", "compound"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    /// Message id.
    pub id: String,
    /// `negative`, `neutral` or `positive`.
    pub label: String,
    /// Compound score, −1…+1.
    pub compound: f32,
}

/// Precision, recall and F1 of one label.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ClassScores {
    /// Of the messages predicted with this label, the share that has it.
    pub precision: f64,
    /// Of the messages with this label, the share predicted so.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Gold messages with this label.
    pub support: usize,
}

/// The scores of a set of predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Gold messages (distinct ids).
    pub n: usize,
    /// Share of gold messages predicted with their label.
    pub accuracy: f64,
    /// Mean of the three labels' F1.
    pub macro_f1: f64,
    /// Scores per label, keyed by its name.
    pub per_class: BTreeMap<String, ClassScores>,
}

impl Report {
    /// The scores of `label`.
    pub fn class(&self, label: Label) -> Option<&ClassScores> {
        self.per_class.get(label.as_str())
    }
}

/// Python's `round(x, 4)` for the values reported here.
fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Score `predicted` (id → label) against `gold`. As in the reference
/// script, a repeated gold id keeps its last label, and predictions for ids
/// not in `gold` are ignored.
pub fn score(gold: &[Gold], predicted: &HashMap<String, Label>) -> Report {
    let mut by_id: HashMap<&str, &str> = HashMap::with_capacity(gold.len());
    for g in gold {
        by_id.insert(g.id.as_str(), g.label.as_str());
    }
    let pred = |id: &str| predicted.get(id).map(|l| l.as_str());
    let mut per_class = BTreeMap::new();
    let mut f1_sum = 0.0;
    for label in Label::ALL {
        let c = label.as_str();
        let (mut tp, mut fp, mut fn_, mut support) = (0, 0, 0, 0);
        for (&id, &g) in &by_id {
            let p = pred(id);
            if g == c {
                support += 1;
                if p == Some(c) {
                    tp += 1;
                } else {
                    fn_ += 1;
                }
            } else if p == Some(c) {
                fp += 1;
            }
        }
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        f1_sum += f1;
        per_class.insert(c.to_owned(), ClassScores { precision: round4(precision), recall: round4(recall), f1: round4(f1), support });
    }
    let correct = by_id.iter().filter(|(id, g)| pred(id) == Some(**g)).count();
    Report { n: by_id.len(), accuracy: round4(ratio(correct, by_id.len())), macro_f1: round4(f1_sum / 3.0), per_class }
}
