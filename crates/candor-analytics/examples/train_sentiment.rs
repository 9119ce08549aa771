//! Train the sentiment model's learned layer and write its weights.
//!
//! ```sh
//! pip download --no-deps --no-binary :all: vaderSentiment==3.3.2 -d /tmp/vader
//! tar xzf /tmp/vader/vaderSentiment-3.3.2.tar.gz -C /tmp/vader
//! tar xzf /tmp/vader/vaderSentiment-3.3.2/additional_resources/hutto_ICWSM_2014.tar.gz -C /tmp/vader
//! cargo run --release -p candor-analytics --example train_sentiment -- /tmp/vader/hutto_ICWSM_2014 \
//!     [WEIGHTS_OUT] [--dev ../shared/data/sentiment/dev.jsonl]
//! ```
//!
//! Reads the rated Amazon, movie-review and NYT-editorial snippets (MIT,
//! © 2016 C.J. Hutto; each a mean of about 20 human ratings on −4…+4), never
//! the rated tweets, which are kept for measuring. Fits a ridge regression
//! from the rule features to the mean rating, reports 10-fold
//! cross-validation (labels: positive ≥ 0.5, negative ≤ −0.5, else
//! neutral, as for the tweets), then fits on everything and writes
//! `data/sentiment_weights.tsv` (or the path given second). With `--dev`,
//! also prints the figures of the written weights on a labelled JSONL file;
//! nothing is fitted to it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "a one-off training program: failing loudly is the point")]

use std::path::{Path, PathBuf};

use candor_analytics::sentiment::{SentimentModel, FEATURES, FEATURE_NAMES};
use candor_privacy::RedactedText;

const SOURCES: [&str; 3] =
    ["amazonReviewSnippets_GroundTruth.txt", "movieReviewSnippets_GroundTruth.txt", "nytEditorialSnippets_GroundTruth.txt"];
const FOLDS: usize = 10;
const RIDGE: f64 = 1.0;
const THRESHOLD: f64 = 0.5;

struct Sample {
    source: usize,
    x: [f64; FEATURES],
    y: f64,
    vader_compound: f64,
}

#[expect(clippy::disallowed_methods, reason = "the training and development corpora are published, labelled text, not customer data")]
fn load(dir: &Path, model: &SentimentModel) -> Vec<Sample> {
    let mut out = Vec::new();
    for (source, name) in SOURCES.iter().enumerate() {
        let bytes = std::fs::read(dir.join(name)).unwrap_or_else(|e| panic!("cannot read {name} in {}: {e}", dir.display()));
        for line in String::from_utf8_lossy(&bytes).lines() {
            let mut cols = line.splitn(3, '\t');
            let (Some(_id), Some(score), Some(text)) = (cols.next(), cols.next(), cols.next()) else { continue };
            let Ok(y) = score.trim().parse::<f64>() else { continue };
            let text = RedactedText::from_public_corpus(text.to_owned());
            let f = model.features(&text);
            out.push(Sample { source, x: f.map(f64::from), y, vader_compound: f64::from(model.analyze(&text).compound) });
        }
    }
    out
}

fn label(r: f64, t: f64) -> usize {
    if r >= t {
        2
    } else if r <= -t {
        0
    } else {
        1
    }
}

/// Ridge regression by the normal equations (the bias is not penalized).
#[allow(clippy::needless_range_loop, reason = "matrix code reads best with row and column indices")]
fn fit(samples: &[&Sample]) -> [f64; FEATURES] {
    let mut a = vec![[0.0f64; FEATURES + 1]; FEATURES];
    for s in samples {
        for i in 0..FEATURES {
            for j in 0..FEATURES {
                a[i][j] += s.x[i] * s.x[j];
            }
            a[i][FEATURES] += s.x[i] * s.y;
        }
    }
    for (i, row) in a.iter_mut().enumerate().skip(1) {
        row[i] += RIDGE;
    }
    // Gauss-Jordan with partial pivoting.
    for col in 0..FEATURES {
        let p = (col..FEATURES).max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs())).unwrap();
        a.swap(col, p);
        for r in 0..FEATURES {
            if r != col {
                let f = a[r][col] / a[col][col];
                for c in col..=FEATURES {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
    }
    std::array::from_fn(|i| a[i][FEATURES] / a[i][i])
}

fn predict(w: &[f64; FEATURES], x: &[f64; FEATURES]) -> f64 {
    w.iter().zip(x).map(|(w, x)| w * x).sum()
}

/// Macro-F1 and per-label recall.
#[allow(clippy::needless_range_loop, reason = "labels are indices")]
fn macro_f1(pairs: &[(usize, usize)]) -> (f64, [f64; 3]) {
    let mut f1 = 0.0;
    let mut recall = [0.0; 3];
    for c in 0..3 {
        let tp = pairs.iter().filter(|(g, p)| *g == c && *p == c).count() as f64;
        let fp = pairs.iter().filter(|(g, p)| *g != c && *p == c).count() as f64;
        let fn_ = pairs.iter().filter(|(g, p)| *g == c && *p != c).count() as f64;
        let p = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let r = if tp + fn_ > 0.0 { tp / (tp + fn_) } else { 0.0 };
        recall[c] = r;
        f1 += if p + r > 0.0 { 2.0 * p * r / (p + r) } else { 0.0 };
    }
    (f1 / 3.0, recall)
}

/// Figures on a JSONL file of `{"text", "label"}` lines, for reporting only:
/// nothing is fitted to it.
#[expect(clippy::disallowed_methods, reason = "the training and development corpora are published, labelled text, not customer data")]
fn report_dev(path: &Path, model: &SentimentModel, w: &[f64; FEATURES]) {
    let Ok(data) = std::fs::read_to_string(path) else {
        println!("{} not found: no development figures", path.display());
        return;
    };
    let mut pairs = Vec::new();
    for line in data.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let gold = match v["label"].as_str().unwrap() {
            "negative" => 0,
            "neutral" => 1,
            _ => 2,
        };
        let text = RedactedText::from_public_corpus(v["text"].as_str().unwrap().to_owned());
        let x = model.features(&text).map(f64::from);
        pairs.push((gold, label(predict(w, &x), THRESHOLD)));
    }
    let (f1, rec) = macro_f1(&pairs);
    let acc = pairs.iter().filter(|(g, p)| g == p).count() as f64 / pairs.len() as f64;
    println!(
        "development set {}: n={} accuracy {acc:.4} macro-F1 {f1:.4} (recall neg {:.3} neu {:.3} pos {:.3})",
        path.display(),
        pairs.len(),
        rec[0],
        rec[1],
        rec[2]
    );
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let dev = args.iter().position(|a| a == "--dev").map(|i| {
        let p = PathBuf::from(args.get(i + 1).expect("--dev needs a path"));
        args.drain(i..i + 2);
        p
    });
    let dir = PathBuf::from(args.first().expect("usage: train_sentiment HUTTO_ICWSM_2014_DIR [WEIGHTS_OUT]"));
    let out =
        args.get(1).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data/sentiment_weights.tsv"));
    let model = SentimentModel::new();
    let samples = load(&dir, &model);
    println!("{} rated snippets", samples.len());

    // A fixed shuffle (xorshift) so folds are reproducible.
    let mut order: Vec<usize> = (0..samples.len()).collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in (1..order.len()).rev() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        order.swap(i, (state % (i as u64 + 1)) as usize);
    }
    let mut held_out = vec![(0usize, 0usize, 0.0f64); samples.len()];
    for fold in 0..FOLDS {
        let train: Vec<&Sample> = order.iter().enumerate().filter(|(k, _)| k % FOLDS != fold).map(|(_, &i)| &samples[i]).collect();
        let w = fit(&train);
        for (_, &i) in order.iter().enumerate().filter(|(k, _)| k % FOLDS == fold) {
            let s = &samples[i];
            let r = predict(&w, &s.x);
            held_out[i] = (label(s.y, THRESHOLD), label(r, THRESHOLD), r);
        }
    }
    let report = |name: &str, keep: &dyn Fn(&Sample) -> bool| {
        let idx: Vec<usize> = (0..samples.len()).filter(|&i| keep(&samples[i])).collect();
        let pairs: Vec<(usize, usize)> = idx.iter().map(|&i| (held_out[i].0, held_out[i].1)).collect();
        let (f1, rec) = macro_f1(&pairs);
        let vader: Vec<(usize, usize)> =
            idx.iter().map(|&i| (label(samples[i].y, THRESHOLD), label(samples[i].vader_compound, 0.05))).collect();
        let (vf1, vrec) = macro_f1(&vader);
        let rmse = (idx.iter().map(|&i| (held_out[i].2 - samples[i].y).powi(2)).sum::<f64>() / idx.len() as f64).sqrt();
        println!(
            "{name:9} n={:5}  cv macro-F1 {f1:.4} (recall neg {:.3} neu {:.3} pos {:.3}), rmse {rmse:.3} | rules at compound ±0.05: macro-F1 {vf1:.4} (neu recall {:.3})",
            idx.len(),
            rec[0],
            rec[1],
            rec[2],
            vrec[1]
        );
    };
    println!("{FOLDS}-fold cross-validation, labels at ±{THRESHOLD}:");
    report("all", &|_| true);
    for (k, name) in ["amazon", "movie", "nyt"].iter().enumerate() {
        report(name, &|s| s.source == k);
    }

    let all: Vec<&Sample> = samples.iter().collect();
    let w = fit(&all);
    let mut text = String::from(
        "# Learned layer of the sentiment model: ridge regression from rule features to the mean human rating (-4..+4).\n\
         # Written by `cargo run --release -p candor-analytics --example train_sentiment -- HUTTO_ICWSM_2014_DIR`\n\
         # from VADER's rated Amazon, movie and NYT snippets (MIT, (c) 2016 C.J. Hutto; see NOTICE.md). Do not edit by hand.\n",
    );
    text.push_str(&format!("threshold\t{THRESHOLD}\n"));
    for (name, w) in FEATURE_NAMES.iter().zip(w) {
        text.push_str(&format!("{name}\t{:.6}\n", w));
    }
    std::fs::write(&out, text).unwrap();
    if let Some(dev) = dev {
        report_dev(&dev, &model, &w);
    }
    println!("weights written to {}", out.display());
}
