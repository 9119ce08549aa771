//! Benchmarks of the foundation (issue 3). Run with
//!
//! ```text
//! cargo bench -p candor-cli --bench foundation [-- --interactions N --audit N]
//! ```
//!
//! It prints a Markdown table for BENCHMARKS.md: the access decision on an
//! in-memory consent state (per-call latency percentiles), audit appends on
//! SQLite in batches, `audit verify` throughput, and inserting encrypted
//! interactions on SQLite in batches with the process's peak memory.

use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_domain::policy::check;
use candor_domain::{
    decide, AccessRequest, Actor, CategoryId, ConsentAction, ConsentEvent, ConsentSource, ConsentState, PolicyContext, PurposeId, Role,
    EXAMPLE_POLICY,
};
use candor_service::audit::AuditReport;
use candor_service::Candor;
use candor_store::{AuditRecord, AuditSigner, BatchStore as _, DataKey, InteractionRecord, InteractionStore as _, KeyRing, Op, WriteBatch};
use candor_store_sql::{OpenOptions, SqlStore};
use time::OffsetDateTime;

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Peak resident memory of this process, from /proc (Linux).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn rate(n: usize, d: Duration) -> String {
    let per_s = n as f64 / d.as_secs_f64();
    if per_s >= 1e6 {
        format!("{:.2} M/s", per_s / 1e6)
    } else {
        format!("{:.0} k/s", per_s / 1e3)
    }
}

fn bench_decision() -> Vec<(String, String)> {
    let policy = match check("policy.toml", EXAMPLE_POLICY) {
        Ok(p) => p,
        Err(d) => return vec![("access decision".into(), format!("example policy invalid: {d:?}"))],
    };
    let ctx = PolicyContext { version: 1, policy, fresh_consent_since: Default::default() };
    let now = OffsetDateTime::now_utc();
    let actor = Actor { id: "mark".into(), roles: vec![Role::Marketer], training_expires_at: Some(now + time::Duration::days(30)) };
    let events: Vec<ConsentEvent> = ["personalization", "marketing.advertising", "analytics"]
        .iter()
        .enumerate()
        .map(|(i, p)| ConsentEvent {
            purpose: PurposeId::parse(p).ok(),
            action: if i == 2 { ConsentAction::Object } else { ConsentAction::Grant },
            policy_version: 1,
            source: ConsentSource::PrivacyCenter,
            at: now,
        })
        .collect();
    let consent = ConsentState::from_events(&events);
    let categories = vec![
        CategoryId::new("user.behavior.purchase_history"),
        CategoryId::new("user.content.public"),
        CategoryId::new("user.health_and_medical"),
    ];
    let req = AccessRequest { actor: &actor, purpose: "personalization", categories: &categories, consent: &consent, held: &[], now };
    let n = 200_000;
    let mut samples = Vec::with_capacity(n);
    let mut allowed = 0usize;
    for _ in 0..n {
        let t = Instant::now();
        let d = std::hint::black_box(decide(&ctx, std::hint::black_box(&req)));
        samples.push(t.elapsed());
        allowed += usize::from(d.is_allowed());
    }
    samples.sort();
    let pct = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    let t = Instant::now();
    for _ in 0..n {
        std::hint::black_box(decide(&ctx, std::hint::black_box(&req)));
    }
    let mean = t.elapsed() / n as u32;
    assert_eq!(allowed, n, "the benchmark request should be allowed");
    vec![(
        "access decision, in-memory consent state (3 categories, one withheld)".into(),
        format!("p50 {:?}, p99 {:?}, mean {:?} over {n} calls", pct(0.50), pct(0.99), mean),
    )]
}

async fn open(dir: &std::path::Path, every: u32) -> anyhow::Result<(Arc<KeyRing>, Arc<SqlStore>)> {
    KeyRing::create(&dir.join("keys"))?;
    let keys = Arc::new(KeyRing::load_with(&dir.join("keys"), None)?);
    let url = format!("sqlite://{}", dir.join("bench.db").display());
    let store = SqlStore::open(&url, OpenOptions { create: true, ..OpenOptions::default() }).await?;
    Ok((keys.clone(), Arc::new(store.with_signer(AuditSigner::new(keys, every)))))
}

async fn bench_audit(n: usize) -> anyhow::Result<Vec<(String, String)>> {
    let dir = tempfile::tempdir()?;
    let (keys, store) = open(dir.path(), 1000).await?;
    let batch = 1000;
    let t = Instant::now();
    for b in 0..n / batch {
        let records = (0..batch)
            .map(|i| {
                AuditRecord::new(
                    OffsetDateTime::now_utc(),
                    "ana",
                    "access.decide",
                    serde_json::json!({ "policy_version": 1, "requested": ["user.content.public"], "n": b * batch + i }),
                )
                .subject("ps_0123456789abcdef0123456789abcdef")
                .purpose("analytics")
                .decision("allow")
            })
            .collect();
        store.apply(WriteBatch { ops: Vec::new(), audit: records }).await?;
    }
    let append = t.elapsed();
    let candor = Candor::new(store.clone(), keys);
    let t = Instant::now();
    let report = candor.verify_audit(|_, _| {}).await?;
    let verify = t.elapsed();
    let AuditReport::Intact { entries, .. } = report else { anyhow::bail!("the benchmark chain does not verify") };
    store.close().await;
    Ok(vec![
        (format!("audit append on SQLite, batches of {batch}"), format!("{} ({n} entries in {:.2?})", rate(n, append), append)),
        (
            "audit verify on SQLite (read, re-hash, link, checkpoints)".into(),
            format!("{} ({entries} entries in {:.2?})", rate(n, verify), verify),
        ),
    ])
}

async fn bench_interactions(n: usize) -> anyhow::Result<Vec<(String, String)>> {
    let dir = tempfile::tempdir()?;
    let (_keys, store) = open(dir.path(), 1000).await?;
    let batch = 5000;
    let key = DataKey::generate();
    let text = "@NorthwindHelp my order #A12345 still hasn't arrived, I've been waiting 2 weeks!! call me on +44 20 7946 0958";
    let redacted = "@NorthwindHelp my order <ORDER_REF> still hasn't arrived, I've been waiting 2 weeks!! call me on <PHONE>";
    let t = Instant::now();
    let mut encrypt = Duration::ZERO;
    for b in 0..n / batch {
        let te = Instant::now();
        let rows: Vec<InteractionRecord> = (0..batch)
            .map(|i| {
                let external_id = (b * batch + i).to_string();
                InteractionRecord {
                    subject: None,
                    platform: "x".into(),
                    sealed_text: key.seal(&candor_store::interaction_context("x", &external_id), text.as_bytes()),
                    external_id,
                    account: Some("northwindhelp".into()),
                    kind: "mention".into(),
                    direction: "inbound".into(),
                    conversation_id: Some(format!("c{}", (b * batch + i) / 4)),
                    reply_to: None,
                    occurred_at: OffsetDateTime::now_utc(),
                    redacted_text: candor_store::RedactedText::fixture(redacted),
                    language: Some("en".into()),
                    sentiment: Some((0.5, 1)),
                    themes: 0,
                    agent: None,
                }
            })
            .collect();
        encrypt += te.elapsed();
        let audit = AuditRecord::new(OffsetDateTime::now_utc(), "bench", "import.batch", serde_json::json!({ "count": batch }));
        store.apply(WriteBatch::one(Op::InsertInteractions(rows), audit)).await?;
    }
    let total = t.elapsed();
    let stored = store.interaction_count().await?;
    store.close().await;
    let size = std::fs::metadata(dir.path().join("bench.db")).map(|m| m.len()).unwrap_or(0);
    Ok(vec![(
        format!("insert encrypted interactions on SQLite, batches of {batch}"),
        format!(
            "{} ({stored} rows in {total:.2?}; sealing {encrypt:.2?} of it); file {:.0} MiB; peak RSS {:.0} MiB",
            rate(n, total),
            size as f64 / 1048576.0,
            peak_rss_mib().unwrap_or(f64::NAN)
        ),
    )])
}

fn main() -> anyhow::Result<()> {
    let interactions = arg("--interactions", 1_000_000);
    let audit = arg("--audit", 1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut rows = bench_decision();
    rows.extend(rt.block_on(bench_audit(audit))?);
    rows.extend(rt.block_on(bench_interactions(interactions))?);
    println!("| benchmark | result |");
    println!("|---|---|");
    for (name, result) in rows {
        println!("| {name} | {result} |");
    }
    Ok(())
}
