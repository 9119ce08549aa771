//! The end-to-end import benchmark (issue 4). Run with
//!
//! ```text
//! cargo bench -p candor-cli --bench import [-- --interactions N --customers N --batch N]
//! ```
//!
//! It writes a synthetic `twcs` file with `candor demo-data`'s generator,
//! imports it into a fresh SQLite installation through the same service
//! call `candor import` makes (parse, identity resolution, PII detection and
//! redaction, language, encryption, batched writes with their audit
//! entries, conversation linking), imports it again (everything already
//! stored), and prints a Markdown table with the rates, the database size
//! and the process's peak memory.

mod common;

use std::sync::Arc;
use std::time::Instant;

use candor_service::import::{ImportOptions, Progress};
use candor_service::Candor;
use candor_store::{AuditSigner, KeyRing};
use candor_store_sql::{OpenOptions, SqlStore};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok()).unwrap_or(default)
}

async fn run(interactions: u64, customers: u64, batch: usize) -> anyhow::Result<Vec<(String, String)>> {
    let dir = tempfile::tempdir()?;
    let t = Instant::now();
    let data = candor_ingest::demo_data::generate(&dir.path().join("data"), customers, interactions, 1)?;
    let bytes = std::fs::metadata(&data.twcs)?.len();
    eprintln!("generated {interactions} lines ({:.0} MiB) in {:.1} s", bytes as f64 / 1048576.0, t.elapsed().as_secs_f64());

    KeyRing::create(&dir.path().join("keys"))?;
    let keys = Arc::new(KeyRing::load_with(&dir.path().join("keys"), None)?);
    let db = dir.path().join("candor.db");
    let store = SqlStore::open(&format!("sqlite://{}", db.display()), OpenOptions { create: true, ..OpenOptions::default() }).await?;
    let store = Arc::new(store.with_signer(AuditSigner::new(Arc::clone(&keys), 1_000)));
    let candor = Candor::new(store.clone(), keys);
    let options = ImportOptions { brands: data.brands.clone(), batch_size: batch, actor: "bench".into(), ..ImportOptions::default() };

    common::reset_peak_rss();
    let first = candor.import(&data.twcs, options.clone(), Arc::new(Progress::default())).await?;
    let peak = common::peak_rss_mib();
    let again = candor.import(&data.twcs, options, Arc::new(Progress::default())).await?;
    store.close().await;
    let size = std::fs::metadata(&db)?.len() as f64 / 1048576.0;
    let n = first.records;
    Ok(vec![
        (
            format!("import {n} `twcs` lines ({:.0} MiB, {customers} customers) into SQLite, batches of {batch}", bytes as f64 / 1048576.0),
            format!(
                "{:.0} interactions/s ({} stored, {} quarantined, {} customers created in {:.1} s); database {size:.0} MiB; peak RSS {peak:.0} MiB",
                n as f64 / first.seconds,
                first.interactions.stored,
                first.quarantined,
                first.subjects.created,
                first.seconds
            ),
        ),
        (
            "the same file again (every item already stored)".to_owned(),
            format!("{:.0} lines/s ({} stored, {:.1} s)", again.records as f64 / again.seconds, again.interactions.stored, again.seconds),
        ),
    ])
}

fn main() -> anyhow::Result<()> {
    let interactions = arg("--interactions", 1_000_000);
    let customers = arg("--customers", interactions / 12);
    let batch =
        usize::try_from(arg("--batch", candor_ingest::pipeline::DEFAULT_BATCH as u64)).unwrap_or(candor_ingest::pipeline::DEFAULT_BATCH);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let rows = rt.block_on(run(interactions, customers.max(1), batch))?;
    println!("| benchmark | result |");
    println!("|---|---|");
    for (name, result) in rows {
        println!("| {name} | {result} |");
    }
    Ok(())
}
