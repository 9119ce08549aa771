//! Scoring predicted spans against a labelled corpus, exactly as the
//! reference scorer (`shared/tools/eval_pii.py`) does: a prediction is a
//! true positive when its type equals a gold span's type and their
//! intersection-over-union is at least 0.5, each gold span matched at most
//! once, predictions taken in order, each to its best unmatched gold span.
//! Offsets are chars (Unicode scalar values), end exclusive.
//!
//! [`confusion`] says where the errors go: which gold type a prediction of
//! another type landed on, what was missed, what was invented.

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

/// The row and column name for "no span": a gold span nothing predicted
/// overlaps (its row's `NONE` column) or a prediction over no gold span
/// (the `NONE` row).
pub const NONE: &str = "NONE";

/// Gold types against predicted types: `counts[gold][predicted]`, with
/// [`NONE`] for a missed gold span or a spurious prediction.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    /// The types that occur in the gold spans or the predictions, sorted,
    /// then `NONE`: the rows and columns of `counts`, every cell present.
    pub types: Vec<String>,
    /// Gold type, then predicted type, then how many spans.
    pub counts: BTreeMap<String, BTreeMap<String, u64>>,
}

impl Confusion {
    /// The count of gold `gold` predicted as `predicted` (0 when either
    /// type does not occur).
    pub fn get(&self, gold: &str, predicted: &str) -> u64 {
        self.counts.get(gold).and_then(|row| row.get(predicted)).copied().unwrap_or(0)
    }

    /// The matrix as plain text for a terminal: one row per gold type, one
    /// column per predicted type (short names: `CARD` for `CREDIT_CARD`,
    /// `DOB` for `DATE_OF_BIRTH`, …), zeros shown as `.` so the errors stand
    /// out.
    pub fn table(&self) -> String {
        use std::fmt::Write as _;
        let short: Vec<String> = self.types.iter().map(|t| short_name(t)).collect();
        let row_width = self.types.iter().map(String::len).max().unwrap_or(0).max("gold \\ predicted".len());
        let widths: Vec<usize> = short
            .iter()
            .zip(&self.types)
            .map(|(s, t)| self.types.iter().map(|g| self.get(g, t).to_string().len()).max().unwrap_or(1).max(s.len()))
            .collect();
        let mut out = String::new();
        let _ = write!(out, "{:row_width$}", "gold \\ predicted");
        for (s, w) in short.iter().zip(&widths) {
            let _ = write!(out, "  {s:>w$}");
        }
        out.push('\n');
        for g in &self.types {
            let _ = write!(out, "{g:row_width$}");
            for (t, w) in self.types.iter().zip(&widths) {
                let n = self.get(g, t);
                if n == 0 {
                    let _ = write!(out, "  {:>w$}", ".");
                } else {
                    let _ = write!(out, "  {n:>w$}");
                }
            }
            out.push('\n');
        }
        out
    }
}

/// A column heading short enough for a matrix of all thirteen types to fit
/// a terminal.
fn short_name(t: &str) -> String {
    match t {
        "ADDRESS" => "ADDR".into(),
        "CREDIT_CARD" => "CARD".into(),
        "DATE_OF_BIRTH" => "DOB".into(),
        "IP_ADDRESS" => "IP".into(),
        "ORDER_ID" => "ORDER".into(),
        "UK_NINO" => "NINO".into(),
        "US_SSN" => "SSN".into(),
        other => other.chars().take(8).collect(),
    }
}

/// Pair gold and predicted spans by overlap whatever their types
/// (intersection-over-union at least 0.5, each span used once) and count
/// gold type against predicted type.
///
/// The pairing is greedy, best overlap first, and takes pairs of the same
/// type before pairs of different types: so a prediction the scorer counts
/// as a true positive sits on the diagonal rather than being drawn off it by
/// a better-overlapping prediction of another type, and the diagonal agrees
/// with [`score`]'s true positives.
pub fn confusion(gold: &[Document], predicted: &HashMap<String, Vec<LabelledSpan>>) -> Confusion {
    let mut counts: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    let mut bump = |g: &str, p: &str| *counts.entry(g.to_owned()).or_default().entry(p.to_owned()).or_default() += 1;
    let none = Vec::new();
    for doc in gold {
        let preds = predicted.get(&doc.id).unwrap_or(&none);
        // (same type first, IoU, gold index, prediction index)
        let mut pairs: Vec<(bool, f64, usize, usize)> = Vec::new();
        for (i, g) in doc.spans.iter().enumerate() {
            for (j, p) in preds.iter().enumerate() {
                let v = iou(g, p);
                if v >= 0.5 {
                    pairs.push((g.entity == p.entity, v, i, j));
                }
            }
        }
        // Same type before other types, higher IoU first, then document
        // order, so equal overlaps pair the same way on every run.
        pairs.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)).then(a.3.cmp(&b.3)));
        let mut gold_used = vec![false; doc.spans.len()];
        let mut pred_used = vec![false; preds.len()];
        for (_, _, i, j) in pairs {
            if gold_used[i] || pred_used[j] {
                continue;
            }
            gold_used[i] = true;
            pred_used[j] = true;
            bump(&doc.spans[i].entity, &preds[j].entity);
        }
        for (g, used) in doc.spans.iter().zip(&gold_used) {
            if !used {
                bump(&g.entity, NONE);
            }
        }
        for (p, used) in preds.iter().zip(&pred_used) {
            if !used {
                bump(NONE, &p.entity);
            }
        }
    }
    let mut types: Vec<String> = counts.keys().chain(counts.values().flat_map(BTreeMap::keys)).filter(|t| *t != NONE).cloned().collect();
    types.sort();
    types.dedup();
    types.push(NONE.to_owned());
    // Every cell, zeros included, so a reader of the JSON sees a square matrix.
    let full = types
        .iter()
        .map(|g| {
            let row = counts.get(g);
            (g.clone(), types.iter().map(|p| (p.clone(), row.and_then(|r| r.get(p)).copied().unwrap_or(0))).collect())
        })
        .collect();
    Confusion { types, counts: full }
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

    fn doc(id: &str, spans: Vec<LabelledSpan>) -> Document {
        Document { id: id.into(), text: String::new(), spans }
    }

    #[test]
    fn confusion_counts_mix_ups_misses_and_inventions() {
        let gold = vec![
            // A name read as an address, an e-mail found, a phone missed.
            doc("a", vec![span(0, 12, "PERSON"), span(20, 40, "EMAIL"), span(50, 62, "PHONE")]),
            // Nothing to find, one invented card.
            doc("b", vec![]),
            // An order id read as a phone, overlapping by 6 of 10: paired.
            doc("c", vec![span(0, 10, "ORDER_ID")]),
        ];
        let pred = HashMap::from([
            ("a".to_owned(), vec![span(0, 12, "ADDRESS"), span(20, 40, "EMAIL")]),
            ("b".to_owned(), vec![span(3, 19, "CREDIT_CARD")]),
            ("c".to_owned(), vec![span(4, 10, "PHONE")]),
        ]);
        let c = confusion(&gold, &pred);
        assert_eq!(c.types, ["ADDRESS", "CREDIT_CARD", "EMAIL", "ORDER_ID", "PERSON", "PHONE", "NONE"]);
        assert_eq!(c.get("PERSON", "ADDRESS"), 1);
        assert_eq!(c.get("EMAIL", "EMAIL"), 1);
        assert_eq!(c.get("PHONE", NONE), 1);
        assert_eq!(c.get(NONE, "CREDIT_CARD"), 1);
        assert_eq!(c.get("ORDER_ID", "PHONE"), 1);
        let total: u64 = c.counts.values().flat_map(BTreeMap::values).sum();
        assert_eq!(total, 5, "every gold span and every prediction counted once: {c:?}");
        // Square, zeros included.
        assert!(c.counts.values().all(|row| row.len() == c.types.len()));
        assert_eq!(c.get(NONE, NONE), 0);
    }

    #[test]
    fn confusion_pairs_below_half_overlap_as_a_miss_and_an_invention() {
        let gold = vec![doc("a", vec![span(0, 10, "PERSON")])];
        let pred = HashMap::from([("a".to_owned(), vec![span(0, 4, "PERSON")])]);
        let c = confusion(&gold, &pred);
        assert_eq!((c.get("PERSON", "PERSON"), c.get("PERSON", NONE), c.get(NONE, "PERSON")), (0, 1, 1));
    }

    #[test]
    fn confusion_prefers_the_same_type_so_its_diagonal_is_the_true_positives() {
        // The address prediction overlaps the gold name better than the
        // name prediction does; the name still pairs with the name, and the
        // address is left over as an invention.
        let gold = vec![doc("a", vec![span(0, 10, "PERSON")]), doc("b", vec![span(0, 10, "EMAIL"), span(20, 30, "URL")])];
        let pred = HashMap::from([
            ("a".to_owned(), vec![span(0, 6, "PERSON"), span(0, 10, "ADDRESS")]),
            ("b".to_owned(), vec![span(0, 10, "EMAIL"), span(20, 30, "EMAIL")]),
        ]);
        let c = confusion(&gold, &pred);
        assert_eq!(c.get("PERSON", "PERSON"), 1);
        assert_eq!(c.get(NONE, "ADDRESS"), 1);
        assert_eq!(c.get("URL", "EMAIL"), 1);
        let r = score(&gold, &pred);
        for (t, s) in &r.by_type {
            assert_eq!(c.get(t, t), s.tp, "{t}");
        }
    }

    #[test]
    fn confusion_table_is_plain_text_with_short_headings() {
        let gold = vec![doc("a", vec![span(0, 12, "DATE_OF_BIRTH"), span(20, 30, "PERSON")])];
        let pred = HashMap::from([("a".to_owned(), vec![span(0, 12, "DATE_OF_BIRTH")])]);
        let table = confusion(&gold, &pred).table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 4, "{table}");
        assert!(lines[0].starts_with("gold \\ predicted") && lines[0].contains("DOB") && lines[0].ends_with("NONE"), "{table}");
        let dob: Vec<&str> = lines[1].split_whitespace().collect();
        assert_eq!(dob, ["DATE_OF_BIRTH", "1", ".", "."], "{table}");
        let person: Vec<&str> = lines[2].split_whitespace().collect();
        assert_eq!(person, ["PERSON", ".", ".", "1"], "{table}");
        let json = serde_json::to_value(confusion(&gold, &pred)).unwrap();
        assert_eq!(json["counts"]["PERSON"]["NONE"], 1);
        assert_eq!(json["types"][2], "NONE");
    }
}
