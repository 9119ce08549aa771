//! The rights benchmark (issue 6): exporting and erasing one customer in
//! stores of growing size. Run with
//!
//! ```text
//! cargo bench -p candor-cli --bench rights [-- --interactions N[,N…]] [--postgres URL] [--runs N]
//! ```
//!
//! For each size it writes a synthetic data set with `candor demo-data`'s
//! generator (contacts and `twcs`), imports it (SQLite by default; a fresh
//! schema of the PostgreSQL server at URL with `--postgres`), then, for
//! `--runs` customers picked uniformly (by random id), times the same service
//! calls `candor rights execute` makes: an access request carried out
//! (the bundle written to disk) and an erasure request carried out (rows
//! deleted, identifiers suppressed, key destroyed, recipients notified,
//! audited), each from a request already opened and verified. It prints
//! the median and the spread of each, the interactions per customer, and
//! the process's peak memory.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use candor_domain::{RightKind, EXAMPLE_POLICY};
use candor_service::import::{ImportOptions, Progress};
use candor_service::rights::execute::ExecuteOptions;
use candor_service::Candor;
use candor_store::{AuditSigner, InteractionStore as _, KeyRing, KeyStore as _};
use candor_store_sql::{OpenOptions, SqlStore};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn spread(mut v: Vec<Duration>) -> String {
    v.sort();
    let q = |p: f64| ms(v[((v.len() - 1) as f64 * p).round() as usize]);
    format!("{:.1} ms ({:.1}–{:.1}, p90 {:.1})", q(0.5), q(0.0), q(1.0), q(0.9))
}

async fn size(interactions: u64, runs: usize, postgres: Option<&str>) -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let data = candor_ingest::demo_data::generate(&dir.path().join("data"), interactions / 12, interactions, 7)?;
    common::reset_peak_rss();
    KeyRing::create(&dir.path().join("keys"))?;
    let keys = Arc::new(KeyRing::load_with(&dir.path().join("keys"), None)?);
    let (url, schema, backend) = match postgres {
        Some(url) => (url.to_owned(), Some(format!("bench_{}", uuid::Uuid::new_v4().simple())), "PostgreSQL"),
        None => (format!("sqlite://{}", dir.path().join("candor.db").display()), None, "SQLite"),
    };
    let store = SqlStore::open(&url, OpenOptions { create: true, schema: schema.clone(), ..OpenOptions::default() }).await?;
    let store = Arc::new(store.with_signer(AuditSigner::new(Arc::clone(&keys), 1_000)));
    let candor = Candor::new(store.clone(), keys);
    candor.publish_policy("bench", "policy.toml", EXAMPLE_POLICY).await?;
    let t = Instant::now();
    for file in [&data.contacts, &data.twcs] {
        let options = ImportOptions { brands: data.brands.clone(), actor: "bench".into(), ..ImportOptions::default() };
        candor.import(file, options, Arc::new(Progress::default())).await?;
    }
    let stored = store.interaction_count().await?;
    eprintln!("{backend}: imported {stored} interactions in {:.1} s", t.elapsed().as_secs_f64());

    // Customers picked uniformly: the first by id (random UUIDs), whatever
    // their history; every one of them has at least their CRM record.
    let customers: Vec<_> = store
        .keys_not_under("", (runs * 2) as u32)
        .await?
        .into_iter()
        .filter_map(|(owner, _)| match owner {
            candor_store::KeyOwner::Subject(s) => Some(s),
            candor_store::KeyOwner::Account(..) => None,
        })
        .collect();
    let (exported, erased) = customers.split_at(customers.len() / 2);

    let mut export_times = Vec::new();
    let mut per_customer = Vec::new();
    for (n, s) in exported.iter().enumerate() {
        let id = candor.open_rights_request("bench", RightKind::Access, *s, None).await?.id;
        candor.verify_rights_request_by_staff("bench", &id, "bench").await?;
        let out = dir.path().join(format!("export-{n}"));
        let t = Instant::now();
        let done = candor.execute_rights_request("bench", &id, &ExecuteOptions { out_dir: Some(out), ..ExecuteOptions::default() }).await?;
        export_times.push(t.elapsed());
        let result = done.record.request.result.unwrap_or_default();
        per_customer.push(result.exported.iter().find(|c| c.what == "interactions").map_or(0, |c| c.records));
    }
    let mut erase_times = Vec::new();
    for s in erased {
        let id = candor.open_rights_request("bench", RightKind::Erasure, *s, None).await?.id;
        candor.verify_rights_request_by_staff("bench", &id, "bench").await?;
        let t = Instant::now();
        candor.execute_rights_request("bench", &id, &ExecuteOptions::default()).await?;
        erase_times.push(t.elapsed());
    }
    per_customer.sort_unstable();
    println!(
        "| {backend} | {stored} | export one customer: {} | erase one customer: {} | interactions a customer: median {}, max {} | peak {:.0} MiB |",
        spread(export_times),
        spread(erase_times),
        per_customer.get(per_customer.len() / 2).copied().unwrap_or(0),
        per_customer.last().copied().unwrap_or(0),
        common::peak_rss_mib()
    );
    if let Some(schema) = schema {
        sqlx::query(&format!("drop schema {schema} cascade")).execute(store.pool()).await?;
    }
    store.close().await;
    Ok(())
}

async fn run() -> anyhow::Result<()> {
    let sizes: Vec<u64> =
        arg("--interactions").unwrap_or_else(|| "100000,1000000".into()).split(',').map(|s| s.trim().parse()).collect::<Result<_, _>>()?;
    let runs: usize = arg("--runs").and_then(|r| r.parse().ok()).unwrap_or(51).max(1);
    for n in sizes {
        size(n, runs, arg("--postgres").as_deref()).await?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(run())
}
