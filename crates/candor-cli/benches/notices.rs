//! The policy-notice benchmark (issue 18, point 8): queuing the notices of
//! a material policy change to every customer and mailing them through a
//! local SMTP server. Run with
//!
//! ```text
//! cargo bench -p candor-cli --bench notices [-- --customers N] [--sink | --url smtp://HOST:PORT] [--connections N]
//! ```
//!
//! with N customers (10,000 unless given). By default the server is aiosmtpd with the tests' handler (MIME parsing
//! and a JSON file per message, which caps it near 170 messages/s here),
//! started as the tests start it (`candor-test-support`), on loopback; the
//! messages it holds are counted at the end. With `--sink` it is aiosmtpd
//! with its own `Sink` handler, which accepts each message and keeps
//! nothing (near 250 messages/s). Both need python3 with aiosmtpd
//! (`pip install aiosmtpd`).
//!
//! With `--url` candor mails to a server already running there, as
//! `[mail] url` would (plain SMTP only to a loopback address), and aiosmtpd
//! is not needed: `benches/postfix-sink.sh` sets up Debian's Postfix on
//! 127.0.0.1:25 to accept and discard everything, a real MTA that is not
//! the limit. `--connections` is `[mail] connections` (default 16): the
//! SMTP connections kept open, each with one message in flight.
//!
//! It makes an SQLite installation with N customers, each with an e-mail
//! address, publishes the example policy, then a version keeping analytics
//! data longer (a material change on legitimate interests: every customer
//! is told), and times the two steps apart: `publish_policy` (diff, one
//! notice sealed under each customer's key, queued 1,000 customers a
//! transaction with its progress and audit entry) and `deliver_due` (each
//! message opened and sent through the SMTP server, each page of 100
//! recorded as sent and audited) until every notice is accepted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use candor_domain::EXAMPLE_POLICY;
use candor_service::mail::{RetryPolicy, SmtpMailer};
use candor_service::settings::MailSettings;
use candor_service::subjects::NewSubjectInput;
use candor_service::Candor;
use candor_store::{AuditSigner, KeyRing};
use candor_store_sql::{OpenOptions, SqlStore};
use candor_test_support::smtp::SmtpServer;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).cloned()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let customers: usize = arg("--customers").map(|n| n.parse()).transpose()?.unwrap_or(10_000);
    let sink = std::env::args().any(|a| a == "--sink");
    let external = arg("--url");
    anyhow::ensure!(!(sink && external.is_some()), "`--sink` starts aiosmtpd and `--url` names another server: give one of them");
    // aiosmtpd with the tests' handler, unless another server is named.
    let smtp = match external {
        Some(_) => None,
        None => Some(SmtpServer::start().context("python3 cannot import aiosmtpd: `pip install aiosmtpd`")?),
    };
    let sink_server = sink.then(start_sink).transpose()?;
    let port = sink_server.as_ref().map(|(_, port)| *port).or(smtp.as_ref().map(|smtp| smtp.port));
    let mail_url = external.clone().or(port.map(|port| format!("smtp://127.0.0.1:{port}"))).context("no SMTP server to mail to")?;
    let dir = tempfile::tempdir()?;
    KeyRing::create(&dir.path().join("keys"))?;
    let keys = Arc::new(KeyRing::load_with(&dir.path().join("keys"), None)?);
    let url = format!("sqlite://{}", dir.path().join("candor.db").display());
    let store = SqlStore::open(&url, OpenOptions { create: true, ..OpenOptions::default() }).await?;
    let store = Arc::new(store.with_signer(AuditSigner::new(Arc::clone(&keys), 1_000)));
    let candor = Candor::new(store.clone(), keys);
    candor.publish_policy("bench", "policy.toml", EXAMPLE_POLICY).await?;
    let t = Instant::now();
    for i in 0..customers {
        let input = NewSubjectInput { email: Some(format!("customer{i}@example.com")), ..Default::default() };
        candor.add_subject("bench", &input).await?;
    }
    eprintln!("{customers} customers added in {:.1} s", t.elapsed().as_secs_f64());

    let t = Instant::now();
    let v2 = EXAMPLE_POLICY.replace("retention_days = 395", "retention_days = 500");
    let published = candor.publish_policy("bench", "policy.toml", &v2).await?;
    let queued = t.elapsed();
    anyhow::ensure!(published.notices.total == customers as u64, "{} notices queued for {customers} customers", published.notices.total);

    let retry = RetryPolicy { max_attempts: 3, initial: Duration::from_secs(60), max: Duration::from_secs(600) };
    // The URL checked as `[mail] url` is (TLS: STARTTLS, plain only to
    // loopback), with the bench's own retry policy.
    let settings: MailSettings = serde_json::from_value(serde_json::json!({ "url": mail_url, "from": "privacy@northwind.example" }))?;
    let mut config = settings.check(None)?;
    config.retry = retry;
    if let Some(n) = arg("--connections") {
        config.connections = n.parse()?;
    }
    let mailer = SmtpMailer::new(&config)?;
    let t = Instant::now();
    let report = candor.deliver_due("bench", &mailer, &retry, || true).await?;
    let sent = t.elapsed();
    anyhow::ensure!(report.sent == customers as u64 && report.failed == 0, "{report:?}");
    if let Some((mut child, _)) = sink_server {
        let _ = child.kill();
    } else if let Some(smtp) = &smtp {
        let arrived = smtp.wait_for(customers, Duration::from_secs(60)).len();
        anyhow::ensure!(arrived == customers, "the SMTP server has {arrived} of {customers} messages");
    }
    let rate = |d: Duration| customers as f64 / d.as_secs_f64();
    println!("queue {customers} notices (publish_policy): {:.2} s, {:.0} notices/s", queued.as_secs_f64(), rate(queued));
    let server = match (&external, sink) {
        (Some(url), _) => url.clone(),
        (None, true) => "aiosmtpd, Sink handler".into(),
        (None, false) => "aiosmtpd, the tests' JSON handler".into(),
    };
    println!(
        "mail {customers} notices to the local SMTP server ({server}; deliver_due, {} connections): {:.2} s, {:.0} messages/s",
        config.connections,
        sent.as_secs_f64(),
        rate(sent)
    );
    store.close().await;
    Ok(())
}

/// aiosmtpd with its `Sink` handler on a free loopback port, once it listens.
fn start_sink() -> anyhow::Result<(std::process::Child, u16)> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let child = std::process::Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Sink"])
        .spawn()?;
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return Ok((child, port));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    anyhow::bail!("aiosmtpd's Sink server did not listen on {port}")
}
