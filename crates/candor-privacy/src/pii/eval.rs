//! Scoring predicted spans against a labelled corpus, exactly as the
//! reference scorer (`shared/tools/eval_pii.py`) does: a prediction is a
//! true positive when its type equals a gold span's type and their
//! intersection-over-union is at least 0.5, each gold span matched at most
//! once, predictions taken in order, each to its best unmatched gold span.
//! Offsets are chars (Unicode scalar values), end exclusive.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

/// A labelled span.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelledSpan {
    /// Char offset of the start.
    pub start: usize,
    /// Char offset just past the end.
    pub end: usize,
    /// The type name (`EMAIL`).
    #[serde(rename = "type")]
    pub entity: String,
    /// The covered text, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// One document of a corpus (or of a predictions file, where `text` may be
/// absent).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Document {
    /// Its id.
    pub id: String,
    /// The message.
    #[serde(default)]
    pub text: String,
    /// Its spans.
    pub spans: Vec<LabelledSpan>,
}

/// Precision, recall and F1 for one type (or all).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Scores {
    /// tp / (tp + fp)
    pub precision: f64,
    /// tp / (tp + fn)
    pub recall: f64,
    /// Harmonic mean of the two.
    pub f1: f64,
    /// True positives.
    pub tp: u64,
    /// False positives.
    pub fp: u64,
    /// False negatives.
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl Scores {
    fn from_counts(tp: u64, fp: u64, fn_: u64) -> Self {
        let ratio = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
        let precision = ratio(tp, tp + fp);
        let recall = ratio(tp, tp + fn_);
        let f1 = if precision + recall > 0.0 { 2.0 * precision * recall / (precision + recall) } else { 0.0 };
        Self { precision, recall, f1, tp, fp, fn_ }
    }
}

/// Per-type scores and the micro-averaged total.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// By type name, sorted.
    pub by_type: BTreeMap<String, Scores>,
    /// Over all types.
    pub all: Scores,
}

impl Serialize for Report {
    /// The reference scorer's JSON: types in order, then `ALL`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(self.by_type.len() + 1))?;
        for (k, v) in &self.by_type {
            m.serialize_entry(k, v)?;
        }
        m.serialize_entry("ALL", &self.all)?;
        m.end()
    }
}

fn iou(a: &LabelledSpan, b: &LabelledSpan) -> f64 {
    let inter = a.end.min(b.end).saturating_sub(a.start.max(b.start));
    let union = a.end.max(b.end) - a.start.min(b.start);
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

/// Score `predicted` (by document id) against `gold`.
pub fn score(gold: &[Document], predicted: &HashMap<String, Vec<LabelledSpan>>) -> Report {
    let mut tp: BTreeMap<String, u64> = BTreeMap::new();
    let mut fp: BTreeMap<String, u64> = BTreeMap::new();
    let mut fn_: BTreeMap<String, u64> = BTreeMap::new();
    let none = Vec::new();
    for doc in gold {
        let preds = predicted.get(&doc.id).unwrap_or(&none);
        let mut used = vec![false; doc.spans.len()];
        for p in preds {
            let mut best: Option<(f64, usize)> = None;
            for (i, g) in doc.spans.iter().enumerate() {
                if used[i] || g.entity != p.entity {
                    continue;
                }
                let v = iou(g, p);
                // Strictly better, as the reference does: the first of equals wins.
                if best.is_none_or(|(b, _)| v > b) && v > 0.0 {
                    best = Some((v, i));
                }
            }
            match best {
                Some((v, i)) if v >= 0.5 => {
                    used[i] = true;
                    *tp.entry(p.entity.clone()).or_default() += 1;
                }
                _ => *fp.entry(p.entity.clone()).or_default() += 1,
            }
        }
        for (g, u) in doc.spans.iter().zip(&used) {
            if !u {
                *fn_.entry(g.entity.clone()).or_default() += 1;
            }
        }
    }
    let mut types: Vec<&String> = tp.keys().chain(fp.keys()).chain(fn_.keys()).collect();
    types.sort();
    types.dedup();
    let get = |m: &BTreeMap<String, u64>, t: &str| m.get(t).copied().unwrap_or(0);
    let by_type = types.iter().map(|t| ((*t).clone(), Scores::from_counts(get(&tp, t), get(&fp, t), get(&fn_, t)))).collect();
    let all = Scores::from_counts(tp.values().sum(), fp.values().sum(), fn_.values().sum());
    Report { by_type, all }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span(start: usize, end: usize, t: &str) -> LabelledSpan {
        LabelledSpan { start, end, entity: t.into(), text: None }
    }

    #[test]
    fn overlap_of_half_counts_and_each_gold_span_once() {
        let gold = vec![Document { id: "a".into(), text: String::new(), spans: vec![span(0, 10, "EMAIL"), span(20, 30, "PHONE")] }];
        let mut pred = HashMap::new();
        // 6/10 overlap: a hit; a second prediction on the same gold span: a miss;
        // a type mismatch: a miss and the gold phone unmatched.
        pred.insert("a".into(), vec![span(0, 6, "EMAIL"), span(0, 10, "EMAIL"), span(20, 30, "URL")]);
        let r = score(&gold, &pred);
        assert_eq!(r.by_type["EMAIL"], Scores::from_counts(1, 1, 0));
        assert_eq!(r.by_type["PHONE"], Scores::from_counts(0, 0, 1));
        assert_eq!(r.by_type["URL"], Scores::from_counts(0, 1, 0));
        assert_eq!((r.all.tp, r.all.fp, r.all.fn_), (1, 2, 1));
        let json = serde_json::to_string(&r).unwrap();
        assert!(json.starts_with("{\"EMAIL\"") && json.contains("\"ALL\":{") && json.contains("\"fn\":1"));
        let below = HashMap::from([("a".to_owned(), vec![span(0, 4, "EMAIL")])]);
        assert_eq!(score(&gold, &below).by_type["EMAIL"].tp, 0, "4/10 is below one half");
    }
}
