//! Training the name model: an averaged perceptron over the tags of the
//! words of generated sentences (`train/make_person_data.py`), run by
//! `examples/train_person.rs`. Not part of the engine's stable interface.

use std::collections::HashMap;

use super::gazetteer::{flag, Gazetteer};
use super::model::Model;
use super::{best, features, obviously_not, tokenize, Word, B, I, N_FEATURES, O};

/// A training sentence: its text and the char ranges of the names in it.
#[derive(Clone, Debug)]
pub struct Example {
    /// The text.
    pub text: String,
    /// Names, as char offsets, end exclusive.
    pub names: Vec<(usize, usize)>,
}

/// How training went.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// Per epoch, the share of words tagged right (before averaging).
    pub accuracy: Vec<f64>,
    /// Features kept in the model.
    pub features: usize,
}

/// Options.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Passes over the data.
    pub epochs: usize,
    /// Shuffling and dropout seed.
    pub seed: u64,
    /// Chance of hiding a word's gazetteer entry, so that names no list
    /// holds are still learnt from their context and shape.
    pub dropout: f64,
    /// Features seen fewer times than this are left out.
    pub min_count: u32,
}

impl Default for Options {
    fn default() -> Self {
        Self { epochs: 8, seed: 7, dropout: 0.1, min_count: 3 }
    }
}

struct Sentence {
    words: Vec<Word>,
    gold: Vec<usize>,
    lowered: bool,
}

fn sentence(g: &Gazetteer, ex: &Example) -> Sentence {
    let mut words = Vec::new();
    let lowered = super::is_lowered(&ex.text);
    tokenize(&ex.text, g, lowered, &mut words);
    // Char offsets to byte offsets.
    let bytes: Vec<usize> = ex.text.char_indices().map(|(b, _)| b).chain([ex.text.len()]).collect();
    let byte = |c: usize| bytes.get(c).copied().unwrap_or(ex.text.len());
    let names: Vec<(usize, usize)> = ex.names.iter().map(|&(s, e)| (byte(s), byte(e))).collect();
    let mut gold = vec![O; words.len()];
    let mut prev_in: Option<usize> = None;
    for (k, w) in words.iter().enumerate() {
        let inside = names.iter().position(|&(s, e)| w.start >= s && w.end <= e);
        gold[k] = match inside {
            Some(n) if prev_in == Some(n) => I,
            Some(_) => B,
            None => O,
        };
        prev_in = inside;
    }
    Sentence { words, gold, lowered }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 % 1.0 < p
    }
}

/// Train a model; its bytes are what `data/names/person.model` holds.
pub fn train(examples: &[Example], opt: Options) -> (Vec<u8>, Report) {
    let g = Gazetteer::new();
    let sentences: Vec<Sentence> = examples.iter().map(|e| sentence(&g, e)).collect();
    // Count features on the gold path.
    let mut counts: HashMap<u64, u32> = HashMap::new();
    let mut keys = [0u64; N_FEATURES];
    for s in &sentences {
        let mut prev = O;
        for i in 0..s.words.len() {
            if !obviously_not(&s.words[i], prev, s.lowered) {
                features(&s.words, i, prev, s.lowered, &mut keys);
                for k in keys {
                    *counts.entry(k).or_default() += 1;
                }
            }
            prev = s.gold[i];
        }
    }
    let mut w: HashMap<u64, [f32; 3]> = HashMap::new();
    let mut u: HashMap<u64, [f32; 3]> = HashMap::new();
    let mut c = 1.0f32;
    let mut rng = Rng(opt.seed.max(1));
    let mut order: Vec<usize> = (0..sentences.len()).collect();
    let mut report = Report::default();
    let mut scratch: Vec<Word> = Vec::new();
    for _ in 0..opt.epochs {
        for i in (1..order.len()).rev() {
            order.swap(i, (rng.next() % (i as u64 + 1)) as usize);
        }
        let (mut right, mut all) = (0u64, 0u64);
        for &si in &order {
            let s = &sentences[si];
            scratch.clear();
            scratch.extend(s.words.iter().map(|wd| {
                let mut wd = *wd;
                if wd.flags != super::UNREAD && rng.chance(opt.dropout) {
                    wd.flags &= !(flag::FIRST | flag::LAST);
                }
                wd
            }));
            let mut prev = O;
            for i in 0..scratch.len() {
                let gold = s.gold[i];
                all += 1;
                if obviously_not(&s.words[i], prev, s.lowered) {
                    right += u64::from(gold == O);
                    prev = gold;
                    continue;
                }
                features(&scratch, i, prev, s.lowered, &mut keys);
                let mut score = [0.0f32; 3];
                for k in &keys {
                    if let Some(x) = w.get(k) {
                        for t in 0..3 {
                            score[t] += x[t];
                        }
                    }
                }
                let (pred, _) = best(score, prev);
                if pred == gold {
                    right += 1;
                } else {
                    for k in keys.iter().filter(|k| counts.get(k).copied().unwrap_or(0) >= opt.min_count) {
                        let x = w.entry(*k).or_default();
                        x[gold] += 1.0;
                        x[pred] -= 1.0;
                        let y = u.entry(*k).or_default();
                        y[gold] += c;
                        y[pred] -= c;
                    }
                }
                c += 1.0;
                prev = gold;
            }
        }
        report.accuracy.push(right as f64 / all.max(1) as f64);
    }
    let averaged: HashMap<u64, [f32; 3]> = w
        .iter()
        .map(|(k, x)| {
            let y = u.get(k).copied().unwrap_or_default();
            (*k, [x[0] - y[0] / c, x[1] - y[1] / c, x[2] - y[2] / c])
        })
        .collect();
    let bytes = Model::to_bytes(&averaged);
    report.features = Model::from_bytes(&bytes).map_or(0, |m| m.len());
    (bytes, report)
}

/// Each word of `text` with the flags the gazetteers give it, the tag the
/// embedded model gives it and the three scores (O, B, I), for looking
/// into the model's decisions.
pub fn explain(text: &str) -> Vec<(String, u16, usize, [f32; 3])> {
    let g = Gazetteer::new();
    let m = Model::embedded();
    let mut words = Vec::new();
    let lowered = super::is_lowered(text);
    tokenize(text, &g, lowered, &mut words);
    let mut keys = [0u64; N_FEATURES];
    let mut prev = O;
    let mut out = Vec::new();
    for i in 0..words.len() {
        let w = &words[i];
        let (tag, s) = if obviously_not(w, prev, lowered) {
            (O, [0.0; 3])
        } else {
            features(&words, i, prev, lowered, &mut keys);
            let s = m.score(&keys);
            (best(s, prev).0, s)
        };
        out.push((text[w.start..w.end].to_owned(), w.flags, tag, s));
        prev = tag;
    }
    out
}
