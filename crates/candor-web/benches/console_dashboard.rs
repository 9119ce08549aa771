//! The staff console's dashboard (issue 19): `GET /console/dashboard` for
//! a signed-in analyst over a store of many interactions, served by
//! `candor_web::serve` on loopback and asked over one kept-alive
//! connection, on SQLite and, with a PostgreSQL URL in
//! `CANDOR_TEST_DATABASE_URL`, on PostgreSQL. Run with
//!
//! ```text
//! cargo bench -p candor-web --bench console_dashboard [-- --interactions N] [--requests N]
//! ```
//!
//! It writes a synthetic export with `candor demo-data`'s generator (one
//! customer per ten interactions), imports it, has one customer in fifty
//! object to analytics (so the consent filter is not empty), signs an
//! analyst in with a token through the sign-in form, asks for the page
//! once (the first query fills the analytics cache), then times each page
//! and prints the median, p95 and maximum.

// A benchmark stops at its first failure, with the reason.
#![allow(clippy::expect_used, clippy::panic)]

mod http;

use std::io::BufReader;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

use candor_domain::{ConsentAction, ConsentSource, Role};
use candor_service::import::{ImportOptions, Progress};
use candor_service::settings::EXAMPLE_CONFIG;
use candor_service::Settings;
use candor_test_support::{Fixture, TestDb};
use http::{arg, exchange, form};

async fn run(db: TestDb, interactions: u64, requests: usize) {
    let backend = db.name();
    let f = Fixture::with_policy(db).await;
    let customers = (interactions / 10).max(1);
    let data = candor_ingest::demo_data::generate(&f.dir().join("data"), customers, interactions, 19).expect("demo data");
    let started = Instant::now();
    let options = ImportOptions { brands: data.brands.clone(), actor: "bench".into(), ..ImportOptions::default() };
    let summary = f.candor.import(&data.twcs, options, Arc::new(Progress::default())).await.expect("import");
    eprintln!("{backend}: imported {} interactions in {:.1} s", summary.interactions.stored, started.elapsed().as_secs_f64());
    // One customer in fifty objects to analytics.
    let twcs = String::from_utf8_lossy(&std::fs::read(&data.twcs).expect("twcs")).into_owned();
    let mut authors: Vec<&str> =
        twcs.lines().skip(1).filter_map(|l| l.split(',').nth(1)).filter(|a| a.bytes().all(|b| b.is_ascii_digit())).collect();
    authors.sort_unstable();
    authors.dedup();
    for a in authors.iter().step_by(50) {
        let id = candor_domain::Identifier::parse_handle(&format!("x:@{a}")).expect("handle");
        if let Some(s) = f.candor.find_subject(&id).await.expect("lookup") {
            f.candor.record_consent("bench", s, Some("analytics"), ConsentAction::Object, ConsentSource::Api).await.expect("objection");
        }
    }
    f.candor.upsert_actor("bench", "ana", vec![Role::Analyst]).await.expect("actor");
    f.candor.attest_training("bench", "ana", "privacy and ethics", time::Duration::days(365)).await.expect("training");
    let token = f.candor.create_token("bench", "ana", time::Duration::days(1)).await.expect("token").token;

    let mut settings = Settings::from_text_in(EXAMPLE_CONFIG, f.dir()).expect("settings");
    settings.server.rate_per_ip = 10_000_000;
    settings.server.rate_per_token = 10_000_000;
    settings.server.timeout_seconds = 600;
    let state = candor_web::AppState::new(f.candor.clone(), settings).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(candor_web::serve(state.clone(), listener, std::future::pending()));

    let (first, times) = tokio::task::spawn_blocking(move || {
        let mut conn = BufReader::new(TcpStream::connect(addr).expect("connect"));
        let (status, cookie, _) = exchange(&mut conn, &form("/console/sign-in/token", "", &format!("token={token}")));
        assert_eq!(status, 303, "signed in");
        let cookie = cookie.expect("a session cookie");
        let get = format!("GET /console/dashboard HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\n\r\n");
        let t = Instant::now();
        let (status, _, body) = exchange(&mut conn, &get);
        let first = t.elapsed();
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
        assert!(String::from_utf8_lossy(&body).contains("<svg"), "the charts are drawn");
        let mut times = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            let (status, _, body) = exchange(&mut conn, &get);
            times.push(t.elapsed());
            assert!(status == 200 && !body.is_empty());
        }
        (first, times)
    })
    .await
    .expect("timing");
    let mut times = times;
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{backend}: GET /console/dashboard over {} interactions: first {:.0} ms; then {requests} requests: median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        summary.interactions.stored,
        first.as_secs_f64() * 1e3,
        at(0.5),
        at(0.95),
        at(1.0)
    );
}

#[tokio::main]
async fn main() {
    let interactions = arg("--interactions").unwrap_or(100_000);
    let requests = arg("--requests").unwrap_or(50) as usize;
    for db in TestDb::all() {
        run(db, interactions, requests).await;
    }
}
