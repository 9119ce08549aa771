//! The privacy center's overview page (issue 18): `GET /privacy` for a
//! signed-in customer with thousands of interactions, served by
//! `candor_web::serve` on loopback and asked by a client over one
//! kept-alive connection, on SQLite and, with a PostgreSQL URL in
//! `CANDOR_TEST_DATABASE_URL`, on PostgreSQL. Run with
//!
//! ```text
//! cargo bench -p candor-web --bench privacy_page [-- --interactions N] [--requests N]
//! ```
//!
//! It writes one customer's history with `candor demo-data`'s generator,
//! imports it, signs the customer in through the pages (the code read from
//! the outbox), then times each page after a warm-up and prints the
//! median, p99 and maximum.

// A benchmark stops at its first failure, with the reason.
#![allow(clippy::expect_used, clippy::panic)]

mod http;

use std::io::BufReader;
use std::net::TcpStream;
use std::sync::Arc;
use std::time::Instant;

use candor_service::import::{ImportOptions, Progress};
use candor_service::settings::EXAMPLE_CONFIG;
use candor_service::Settings;
use candor_store::InteractionStore as _;
use candor_test_support::{Fixture, TestDb};
use http::{arg, exchange, form};

async fn run(db: TestDb, interactions: u64, requests: usize) {
    let backend = db.name();
    let f = Fixture::with_policy(db).await;
    let data = candor_ingest::demo_data::generate(&f.dir().join("data"), 1, interactions, 11).expect("demo data");
    // The customer's handle, from an inbound message, and a CRM row that
    // gives them an address to sign in with.
    let twcs = String::from_utf8_lossy(&std::fs::read(&data.twcs).expect("twcs")).into_owned();
    let handle = twcs
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(3).collect::<Vec<_>>())
        .find(|c| c.len() == 3 && c[2].eq_ignore_ascii_case("true"))
        .map(|c| c[1].to_owned())
        .expect("an inbound message");
    let email = "bench.customer@example.com".to_owned();
    let contacts = f.dir().join("contacts.csv");
    std::fs::write(&contacts, format!("Customer ID,Full Name,Email Address,Mobile,Twitter\nC-1,Bench Customer,{email},,@{handle}\n"))
        .expect("contacts");
    for file in [&contacts, &data.twcs] {
        let options = ImportOptions { brands: data.brands.clone(), actor: "bench".into(), ..ImportOptions::default() };
        f.candor.import(file, options, Arc::new(Progress::default())).await.expect("import");
    }
    let identifier = candor_domain::Identifier::email(&email).expect("an address");
    let subject = f.candor.find_subject(&identifier).await.expect("lookup").expect("the customer");
    let held = f.store.subject_interactions(subject).await.expect("interactions").len();

    let mut settings = Settings::from_text_in(EXAMPLE_CONFIG, f.dir()).expect("settings");
    settings.server.rate_per_ip = 10_000_000;
    settings.server.rate_per_token = 10_000_000;
    let state = candor_web::AppState::new(f.candor.clone(), settings).expect("state");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(candor_web::serve(state.clone(), listener, std::future::pending()));

    let page_times = tokio::task::spawn_blocking(move || {
        let mut conn = BufReader::new(TcpStream::connect(addr).expect("connect"));
        let (_, _, page) = exchange(&mut conn, &form("/privacy/sign-in", "", &format!("email={}", email.replace('@', "%40"))));
        let page = String::from_utf8_lossy(&page).into_owned();
        let challenge = page.split("name=\"challenge\" value=\"").nth(1).and_then(|s| s.split('"').next()).expect("challenge").to_owned();
        (conn, challenge)
    })
    .await
    .expect("sign-in page");
    let (mut conn, challenge) = page_times;
    state.sign_ins_settled().await;
    let messages = f.candor.outbox(true, 0, 1_000).await.expect("outbox");
    let text = messages.iter().rev().find(|m| m.kind == "sign_in_code").map(|m| m.body["text"].to_string()).expect("a code");
    let code: String = text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 8).expect("8 digits").to_owned();

    let times = tokio::task::spawn_blocking(move || {
        let (status, cookie, _) = exchange(&mut conn, &form("/privacy/code", "", &format!("challenge={challenge}&code={code}")));
        assert_eq!(status, 303, "signed in");
        let cookie = cookie.expect("a session cookie");
        let get = format!("GET /privacy HTTP/1.1\r\nHost: bench\r\nCookie: {cookie}\r\n\r\n");
        for _ in 0..50 {
            assert_eq!(exchange(&mut conn, &get).0, 200);
        }
        let mut times = Vec::with_capacity(requests);
        for _ in 0..requests {
            let t = Instant::now();
            let (status, _, body) = exchange(&mut conn, &get);
            times.push(t.elapsed());
            assert!(status == 200 && !body.is_empty());
        }
        times
    })
    .await
    .expect("timing");
    let mut times = times;
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1e3;
    println!(
        "{backend}: GET /privacy for a customer with {held} interactions, {requests} requests: median {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}

#[tokio::main]
async fn main() {
    let interactions = arg("--interactions").unwrap_or(10_000);
    let requests = arg("--requests").unwrap_or(2_000) as usize;
    for db in TestDb::all() {
        run(db, interactions, requests).await;
    }
}
