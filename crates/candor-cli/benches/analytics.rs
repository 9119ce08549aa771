//! The analytics benchmark (issue 5). Run with
//!
//! ```text
//! cargo bench -p candor-cli --bench analytics [-- --interactions N] [--postgres URL] [--runs N]
//! ```
//!
//! It writes a synthetic `twcs` file with `candor demo-data`'s generator,
//! imports it (SQLite by default; a fresh schema of the PostgreSQL server at
//! URL with `--postgres`), has 2% of the customers object to analytics so
//! that the gate's filter is not empty, and then runs the queries an analyst
//! runs through the same service call `candor analytics` makes (the gate,
//! the audit entry, the aggregate in the database, k-anonymity): each first
//! counted over the whole store, then again unchanged (from the analytics
//! cache), then with one more customer objecting before each run (the cache
//! corrected for them), printing the median and the spread of each, and the
//! process's peak memory.

mod common;

use std::sync::Arc;
use std::time::Instant;

use candor_domain::{ConsentAction, ConsentSource, Role, EXAMPLE_POLICY};
use candor_service::analytics::{parse_dimension, AnalyticsOptions, AnalyticsQuery, Measure};
use candor_service::import::{ImportOptions, Progress};
use candor_service::Candor;
use candor_store::{AnalyticsStore as _, AuditSigner, KeyRing, SubjectStore as _};
use candor_store_sql::{OpenOptions, SqlStore};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn num(name: &str, default: u64) -> u64 {
    arg(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn run() -> anyhow::Result<()> {
    let interactions = num("--interactions", 1_000_000);
    let runs = num("--runs", 21).max(1);
    let dir = tempfile::tempdir()?;
    let data = candor_ingest::demo_data::generate(&dir.path().join("data"), interactions / 12, interactions, 7)?;
    common::reset_peak_rss();
    KeyRing::create(&dir.path().join("keys"))?;
    let keys = Arc::new(KeyRing::load_with(&dir.path().join("keys"), None)?);
    let (url, schema, backend) = match arg("--postgres") {
        Some(url) => (url, Some(format!("bench_{}", uuid::Uuid::new_v4().simple())), "PostgreSQL"),
        None => (format!("sqlite://{}", dir.path().join("candor.db").display()), None, "SQLite"),
    };
    let store = SqlStore::open(&url, OpenOptions { create: true, schema: schema.clone(), ..OpenOptions::default() }).await?;
    let store = Arc::new(store.with_signer(AuditSigner::new(Arc::clone(&keys), 1_000)));
    let candor = Candor::new(store.clone(), keys);
    candor.publish_policy("bench", "policy.toml", EXAMPLE_POLICY).await?;
    candor.upsert_actor("bench", "ana", vec![Role::Analyst]).await?;
    candor.attest_training("bench", "ana", "privacy and ethics", time::Duration::days(365)).await?;

    let t = Instant::now();
    let options = ImportOptions { brands: data.brands.clone(), actor: "bench".into(), ..ImportOptions::default() };
    let summary = candor.import(&data.twcs, options, Arc::new(Progress::default())).await?;
    let import_secs = t.elapsed().as_secs_f64();
    eprintln!("imported {} interactions into {backend} in {import_secs:.1} s", summary.interactions.stored);

    // 2% of the customers object to analytics; more are kept aside to
    // object one at a time between the runs of the last column.
    let subjects = store.subject_count().await?;
    let queries = [
        ("sentiment by day and platform", Measure::Sentiment, "day,platform"),
        ("sentiment by week", Measure::Sentiment, "week"),
        ("themes by month", Measure::Themes, "month"),
    ];
    let wanted = subjects / 50 + runs * queries.len() as u64;
    let mut customers = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut after = 0;
    while (customers.len() as u64) < wanted {
        let page = store.inbound_texts(i64::MIN / 2, i64::MAX / 2, after, 5_000).await?;
        let Some((last, _, _)) = page.last() else { break };
        after = *last;
        for (_, subject, _) in page {
            if seen.insert(subject) {
                customers.push(subject);
            }
        }
    }
    let mut customers = customers.into_iter();
    let mut objected = 0;
    let object = |subject| candor.record_consent("bench", subject, Some("analytics"), ConsentAction::Object, ConsentSource::Api);
    for subject in customers.by_ref().take((subjects / 50) as usize) {
        if object(subject).await.is_ok() {
            objected += 1;
        }
    }

    let themes = candor_analytics::themes::Taxonomy::default_customer_care().themes().iter().map(|t| t.name().to_owned()).collect();
    let opts = AnalyticsOptions { k: 5, budget_per_month: 1e6, max_contributions: 5, themes };
    println!(
        "| query on {} interactions, {backend}, {} of {subjects} customers objected | first (counted) | again (median, min–max) | one more objection before each (median, min–max) | cells |",
        summary.interactions.stored, objected
    );
    println!("|---|---|---|---|---|");
    let spread = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        format!("{:.1} ms ({:.1}–{:.1})", times[times.len() / 2], times[0], times[times.len() - 1])
    };
    for (name, measure, by) in queries {
        let by = by.split(',').filter_map(parse_dimension).collect();
        let q = AnalyticsQuery { measure, by, from: None, to: None, dp: None };
        let timed = || async {
            let t = Instant::now();
            let r = candor.analytics("ana", &q, &opts).await?;
            anyhow::Ok((t.elapsed().as_secs_f64() * 1e3, r.cells.len()))
        };
        let (first, cells) = timed().await?;
        let mut again = Vec::new();
        for _ in 0..runs {
            again.push(timed().await?.0);
        }
        let mut corrected = Vec::new();
        for subject in customers.by_ref().take(runs as usize) {
            object(subject).await?;
            corrected.push(timed().await?.0);
        }
        println!("| {name} | {first:.0} ms | {} | {} | {cells} |", spread(again), spread(corrected));
    }
    println!(
        "\nimport: {:.0} interactions/s; peak RSS of the import and the queries {:.0} MiB",
        summary.interactions.stored as f64 / import_secs,
        common::peak_rss_mib()
    );
    if let Some(schema) = schema {
        sqlx::query(&format!("drop schema {schema} cascade")).execute(store.pool()).await?;
    }
    store.close().await;
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(run())
}
