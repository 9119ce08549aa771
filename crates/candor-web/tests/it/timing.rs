//! Asking for a sign-in code takes as long for an address on record as for
//! one that is not, so response times do not tell who is a customer.
//!
//! Not a timed test: no latency is compared with a fixed bound. The two
//! kinds of request are sent in a random order and their latencies
//! compared as distributions with a two-sample rank test (Mann–Whitney U).
//! Why it does not flake on a noisy machine: which kind each request is
//! was decided by a coin, so whatever the machine does meanwhile (another
//! build, a slow disk, a warming cache) falls on both kinds alike, and
//! under "no difference" every assignment of the labels to the measured
//! latencies is equally likely. The statistic's null distribution then
//! holds exactly, however noisy the latencies are; noise only costs power.
//! A comparison fails at |z| > 3.29 (two-sided p < 0.001) and the test
//! fails only if three fresh comparisons all do: about one run in a
//! billion when there is no difference. Before the fix the difference was
//! 0.84 ms against 0.30 ms in medians, which this finds at |z| well over 10.

use std::time::Instant;

use axum::http::{HeaderMap, Method, StatusCode};
use candor_service::settings::EXAMPLE_CONFIG;
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{each_backend, Fixture};
use serde_json::json;

use crate::Api;

/// Requests of each kind per comparison.
const PER_KIND: usize = 200;
/// |z| beyond which a comparison counts as a difference (p < 0.001).
const Z_CRITICAL: f64 = 3.29;

/// A small generator for the coin (no need for a cryptographic one).
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// `n` true and `n` false, shuffled (Fisher–Yates).
    fn labels(&mut self, n: usize) -> Vec<bool> {
        let mut v: Vec<bool> = (0..2 * n).map(|i| i < n).collect();
        for i in (1..v.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
        v
    }
}

/// The Mann–Whitney U statistic of `a` against `b` as a z-score (normal
/// approximation with the correction for ties; fine at these sizes).
fn mann_whitney_z(a: &[f64], b: &[f64]) -> f64 {
    let mut all: Vec<(f64, bool)> = a.iter().map(|&x| (x, true)).chain(b.iter().map(|&x| (x, false))).collect();
    all.sort_by(|x, y| x.0.total_cmp(&y.0));
    let n = all.len();
    let (mut rank_sum_a, mut ties) = (0.0, 0.0);
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && all[j + 1].0 == all[i].0 {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum_a += all[i..=j].iter().filter(|(_, in_a)| *in_a).count() as f64 * rank;
        let t = (j - i + 1) as f64;
        ties += t * t * t - t;
        i = j + 1;
    }
    let (n1, n2) = (a.len() as f64, b.len() as f64);
    let u = rank_sum_a - n1 * (n1 + 1.0) / 2.0;
    let variance = n1 * n2 / 12.0 * ((n1 + n2 + 1.0) - ties / ((n1 + n2) * (n1 + n2 - 1.0)));
    (u - n1 * n2 / 2.0) / variance.sqrt()
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s[s.len() / 2]
}

/// Latencies in microseconds of sign-in requests for `known` and
/// `unknown`, taken in a random order; each request is sent when the
/// server has finished the work of the one before (so no request pays for
/// its predecessor's, which would tie its latency to the predecessor's kind).
async fn sample(api: &Api, coin: &mut XorShift, known: &str, unknown: &str) -> (Vec<f64>, Vec<f64>) {
    let (mut k, mut u) = (Vec::with_capacity(PER_KIND), Vec::with_capacity(PER_KIND));
    for is_known in coin.labels(PER_KIND) {
        api.settle().await;
        let email = if is_known { known } else { unknown };
        let start = Instant::now();
        let r = api.send(Method::POST, "/api/v1/privacy/sign-in", HeaderMap::new(), Some(json!({ "email": email }))).await;
        let micros = start.elapsed().as_secs_f64() * 1e6;
        assert_eq!(r.status, StatusCode::ACCEPTED, "{r:?}");
        if is_known {
            k.push(micros)
        } else {
            u.push(micros)
        }
    }
    (k, u)
}

#[tokio::test]
async fn sign_in_takes_as_long_for_a_customer_as_for_a_stranger() {
    each_backend(|db| async move {
        // Limits out of the way: every request for the customer really
        // queues a code, the most work a known address can cause.
        let config = EXAMPLE_CONFIG
            .replace("rate_per_ip = 20", "rate_per_ip = 1000000")
            .replace("sign_in_per_address = 5", "sign_in_per_address = 1000000");
        let api = Api::with_config(Fixture::with_policy(db).await, &config).await;
        let input = NewSubjectInput { email: Some("ana@example.com".into()), name: Some("Ana".into()), ..Default::default() };
        api.f.candor.add_subject("test", &input).await.unwrap();
        // Same length, so that reading the body costs the same.
        let (known, unknown) = ("ana@example.com", "zed@example.com");
        let seed = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1;
        let mut coin = XorShift(seed);
        // Warm up both paths (connections, caches, code paths).
        for _ in 0..20 {
            sample_one(&api, known).await;
            sample_one(&api, unknown).await;
        }
        let mut seen = Vec::new();
        for _ in 0..3 {
            let (k, u) = sample(&api, &mut coin, known, unknown).await;
            let z = mann_whitney_z(&k, &u);
            seen.push(format!("z = {z:.2} (medians {:.0} µs known, {:.0} µs unknown)", median(&k), median(&u)));
            if z.abs() <= Z_CRITICAL {
                eprintln!("{} (seed {seed}): {}", api.f.db.name(), seen.join("; "));
                return;
            }
        }
        panic!("sign-in latency tells customers from strangers, three times running (seed {seed}): {}", seen.join("; "));
    })
    .await;
}

async fn sample_one(api: &Api, email: &str) {
    api.settle().await;
    api.send(Method::POST, "/api/v1/privacy/sign-in", HeaderMap::new(), Some(json!({ "email": email }))).await;
}

#[test]
fn the_rank_test_finds_a_shift_and_not_a_relabelling() {
    let a: Vec<f64> = (0..200).map(|i| 300.0 + (i % 17) as f64).collect();
    let shifted: Vec<f64> = a.iter().map(|x| x + 10.0).collect();
    assert!(mann_whitney_z(&a, &shifted).abs() > Z_CRITICAL);
    let same: Vec<f64> = a.iter().rev().copied().collect();
    assert!(mann_whitney_z(&a, &same).abs() < 0.01);
}
