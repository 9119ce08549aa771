//! Mailing the outbox through a real SMTP server (aiosmtpd, started by the
//! test): a code arrives and verifies the request, a server that is down
//! is retried with back-off until the last attempt, and a permanent
//! refusal gives a message up at once.

use std::time::Duration;

use candor_domain::RightKind;
use candor_service::mail::{MailConfig, RetryPolicy, SmtpMailer, TlsMode};
use candor_service::{Candor, Clock};
use candor_store::AuditStore as _;
use candor_test_support::smtp::{code_in, unused_port, SmtpServer};
use candor_test_support::{each_backend, Fixture};
use time::OffsetDateTime;

fn config(port: u16, retry: RetryPolicy) -> MailConfig {
    MailConfig {
        host: "127.0.0.1".into(),
        port,
        tls: TlsMode::StartTlsOpportunistic,
        user: None,
        password: None,
        from: "privacy@northwind.example".into(),
        ca_pem: None,
        timeout: Duration::from_secs(10),
        retry,
        poll: Duration::from_secs(1),
        connections: 16,
    }
}

const RETRY: RetryPolicy = RetryPolicy { max_attempts: 3, initial: Duration::from_secs(60), max: Duration::from_secs(90) };

/// A customer with a request whose code is queued behind its confirmation.
async fn code_queued(f: &Fixture, email: &str) -> String {
    let ana = crate::customer(f, email, "ana").await;
    let id = f.candor.open_rights_request("carla", RightKind::Access, ana, None).await.unwrap().id;
    f.candor.send_rights_code("carla", &id).await.unwrap();
    id
}

async fn actions(f: &Fixture) -> Vec<(String, serde_json::Value)> {
    f.store.audit_entries(0, 10_000).await.unwrap().into_iter().map(|e| (e.record.action, e.record.detail)).collect()
}

fn at(candor: &Candor, t: OffsetDateTime) -> Candor {
    candor.clone().with_clock(Clock::fixed(t))
}

#[tokio::test]
async fn a_code_is_mailed_and_read_out_of_the_delivered_message_verifies_the_request() {
    let Some(smtp) = SmtpServer::start() else { return };
    let smtp = &smtp;
    each_backend(|db| async move {
        let before = smtp.messages().len();
        let f = Fixture::with_policy(db).await;
        let id = code_queued(&f, "ana@example.com").await;
        let mailer = SmtpMailer::new(&config(smtp.port, RETRY)).unwrap();

        let report = f.candor.deliver_due("mailer", &mailer, &RETRY, || true).await.unwrap();
        assert_eq!((report.sent, report.retrying, report.failed), (2, 0, 0));
        let mail = smtp.messages()[before..].to_vec();
        assert_eq!(mail.len(), 2, "{mail:?}");
        let code_mail = mail.iter().find(|m| m["subject"].as_str().unwrap().contains("verification code")).unwrap();
        assert_eq!(code_mail["from"], "Northwind Outfitters Ltd <privacy@northwind.example>");
        assert_eq!(code_mail["rcpt_tos"], serde_json::json!(["ana@example.com"]));
        assert_eq!(code_mail["content_type"], "text/plain");
        let code = code_in(code_mail["text"].as_str().unwrap()).unwrap();
        let verified = f.candor.verify_rights_request_by_code("web", &id, &code).await.unwrap();
        assert_eq!(verified.request.state, candor_domain::RequestState::Verified);

        // Recorded and audited once; nothing is sent twice.
        let all = f.candor.outbox(false, 0, 100).await.unwrap();
        assert!(all.iter().all(|m| m.state() == "sent" && m.attempts == 1 && m.sent_at.is_some()), "{all:?}");
        let sent: Vec<_> = actions(&f).await.into_iter().filter(|(a, _)| a == "outbox.sent").collect();
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].1["transport"], "smtp");
        assert_eq!(f.candor.deliver_due("mailer", &mailer, &RETRY, || true).await.unwrap().sent, 0);
        assert_eq!(smtp.messages().len(), before + 2);
    })
    .await;
}

#[tokio::test]
async fn a_server_that_is_down_is_retried_with_back_off_then_the_message_is_given_up() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        code_queued(&f, "ana@example.com").await;
        let mailer = SmtpMailer::new(&config(unused_port(), RETRY)).unwrap();
        let t0 = f.candor.now();
        let run = |t: OffsetDateTime| {
            let c = at(&f.candor, t);
            let mailer = mailer.clone();
            async move { c.deliver_due("mailer", &mailer, &RETRY, || true).await.unwrap() }
        };

        let r = run(t0).await;
        assert_eq!((r.sent, r.retrying, r.failed), (0, 2, 0));
        let pending = f.candor.outbox(true, 0, 100).await.unwrap();
        assert_eq!(pending.len(), 2, "still pending");
        for m in &pending {
            assert_eq!((m.state(), m.attempts), ("retrying", 1));
            let next = m.next_attempt_at.unwrap();
            assert!((59..=60).contains(&(next - t0).whole_seconds()), "{next} after {t0}");
            let e = m.last_error.as_deref().unwrap();
            assert!(e.contains("onnect") && !e.contains("ana@"), "{e}");
        }
        // Not due again before its back-off has passed.
        assert_eq!(run(t0 + Duration::from_secs(30)).await, Default::default());
        let r = run(t0 + Duration::from_secs(61)).await;
        assert_eq!(r.retrying, 2);
        let m = &f.candor.outbox(true, 0, 100).await.unwrap()[0];
        let wait = (m.next_attempt_at.unwrap() - (t0 + Duration::from_secs(61))).whole_seconds();
        assert!((89..=90).contains(&wait), "the doubled wait, capped at 90 s: {wait}");
        // The third attempt is the last one allowed.
        let r = run(t0 + Duration::from_secs(200)).await;
        assert_eq!((r.retrying, r.failed), (0, 2));
        assert!(f.candor.outbox(true, 0, 100).await.unwrap().is_empty());
        let all = f.candor.outbox(false, 0, 100).await.unwrap();
        assert!(all.iter().all(|m| m.state() == "failed" && m.attempts == 3 && m.failed_at.is_some()), "{all:?}");
        assert_eq!(run(t0 + Duration::from_secs(10_000)).await, Default::default(), "given up for good");
        let failed: Vec<_> = actions(&f).await.into_iter().filter(|(a, _)| a == "outbox.failed").collect();
        assert_eq!(failed.len(), 1);
        assert_eq!(failed[0].1["messages"].as_array().unwrap().len(), 2);
        assert_eq!(failed[0].1["messages"][0]["attempts"], 3);
    })
    .await;
}

#[tokio::test]
async fn a_permanent_refusal_gives_the_message_up_at_once_without_storing_the_address() {
    let Some(smtp) = SmtpServer::start_rejecting("@blocked.example") else { return };
    let smtp = &smtp;
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        code_queued(&f, "ana@blocked.example").await;
        let mailer = SmtpMailer::new(&config(smtp.port, RETRY)).unwrap();
        let r = f.candor.deliver_due("mailer", &mailer, &RETRY, || true).await.unwrap();
        assert_eq!((r.sent, r.retrying, r.failed), (0, 0, 2));
        let all = f.candor.outbox(false, 0, 100).await.unwrap();
        for m in &all {
            assert_eq!((m.state(), m.attempts), ("failed", 1));
            let e = m.last_error.as_deref().unwrap();
            assert!(e.contains("550") && e.contains("<address>") && !e.contains("blocked.example"), "{e}");
        }
        assert!(smtp.messages().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_background_delivery_mails_what_is_queued_and_stops_when_told() {
    let Some(smtp) = SmtpServer::start() else { return };
    let smtp = &smtp;
    each_backend(|db| async move {
        let before = smtp.messages().len();
        let f = Fixture::with_policy(db).await;
        code_queued(&f, "ana@example.com").await;
        let config = config(smtp.port, RETRY);
        let mailer = SmtpMailer::new(&config).unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let task = tokio::spawn(candor_service::mail::deliver_in_background(f.candor.clone(), mailer, config, async move {
            let _ = stopped.await;
        }));
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        while !f.candor.outbox(true, 0, 100).await.unwrap().is_empty() {
            assert!(std::time::Instant::now() < deadline, "the background task mailed nothing");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(smtp.messages().len(), before + 2);
        stop.send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(5), task).await.expect("it stops when told").unwrap();
        let sent = actions(&f).await.into_iter().filter(|(a, _)| a == "outbox.sent").count();
        assert_eq!(sent, 1);
    })
    .await;
}

#[tokio::test]
async fn a_server_without_starttls_gets_nothing_when_tls_is_required() {
    // What `smtp://` to any host but a loopback address gets (the choice
    // itself is unit-tested with the settings): aiosmtpd offers no
    // STARTTLS, so no message may go out in plain text.
    let Some(smtp) = SmtpServer::start() else { return };
    let smtp = &smtp;
    each_backend(|db| async move {
        let before = smtp.messages().len();
        let f = Fixture::with_policy(db).await;
        code_queued(&f, "ana@example.com").await;
        let mailer = SmtpMailer::new(&MailConfig { tls: TlsMode::StartTlsRequired, ..config(smtp.port, RETRY) }).unwrap();
        let r = f.candor.deliver_due("mailer", &mailer, &RETRY, || true).await.unwrap();
        assert_eq!((r.sent, r.retrying), (0, 2));
        let m = &f.candor.outbox(true, 0, 100).await.unwrap()[0];
        let e = m.last_error.as_deref().unwrap();
        assert!(e.to_lowercase().contains("starttls"), "{e}");
        assert_eq!(smtp.messages().len(), before, "nothing sent in plain text");
    })
    .await;
}
