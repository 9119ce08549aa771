//! Customers' questions and concerns on both back ends: raised with a
//! deadline one calendar month on, stored sealed, listed open ones first
//! a page at a time, answered (and the answer mailed, through a real SMTP
//! server when one can be started) and closed, each step audited; each
//! customer reads only their own; an erasure takes them with the rest.

use std::time::Duration as StdDuration;

use candor_domain::{ConcernError, ConcernState, RightKind};
use candor_service::concerns::ConcernList;
use candor_service::mail::{MailConfig, RetryPolicy, SmtpMailer, TlsMode};
use candor_service::rights::execute::ExecuteOptions;
use candor_service::{Clock, ServiceError};
use candor_store::{AuditStore as _, ConcernStore as _, StoreError};
use candor_test_support::smtp::SmtpServer;
use candor_test_support::{each_backend, Fixture};
use time::macros::datetime;
use time::Duration;

use crate::customer;

#[tokio::test]
async fn a_concern_is_due_a_calendar_month_on_answered_by_mail_and_closed_with_an_audit_trail() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let pat = customer(&f, "pat@example.com", "@patdoe").await;
        let raised = datetime!(2026-01-31 09:00 UTC);
        let candor = f.candor.clone().with_clock(Clock::fixed(raised));

        let c = candor.raise_concern("subject", pat, "  Why did you e-mail me\r\nabout a sale?  ").await.unwrap();
        assert_eq!(c.concern.state, ConcernState::Open);
        assert_eq!(c.concern.due_at, datetime!(2026-02-28 09:00 UTC), "one calendar month, at most the month's last day");
        assert_eq!(c.message.as_deref(), Some("Why did you e-mail me\nabout a sale?"));

        // Sealed at rest: the text is nowhere in the row.
        let (sealed,): (Vec<u8>,) = sqlx::query_as("select message from concerns").fetch_one(f.store.pool()).await.unwrap();
        assert!(!sealed.windows(4).any(|w| w == b"sale"), "the message is stored sealed");

        // Staff list it without its text; reading it is audited.
        let open = candor.concern_page(ConcernList { open_only: true }, None, 10).await.unwrap();
        assert_eq!(open.items.len(), 1);
        assert_eq!((open.items[0].id.as_str(), open.items[0].message.as_deref()), (c.id.as_str(), None));
        let read = candor.concern("carla", &c.id).await.unwrap();
        assert_eq!(read.message.as_deref(), Some("Why did you e-mail me\nabout a sale?"));

        let answered_at = raised + Duration::days(3);
        let later = f.candor.clone().with_clock(Clock::fixed(answered_at));
        let answer = "You agreed to marketing on 2026-01-02.\nYou can withdraw that in the privacy center.";
        let a = later.answer_concern("carla", &c.id, answer).await.unwrap();
        assert_eq!((a.concern.state, a.concern.answered_by.as_deref()), (ConcernState::Answered, Some("carla")));
        assert_eq!((a.concern.answered_at, a.answer.as_deref()), (Some(answered_at), Some(answer)));
        let err = later.answer_concern("carla", &c.id, "again").await.unwrap_err();
        assert!(matches!(err, ServiceError::Concern(ConcernError::NotOpen { state: ConcernState::Answered })), "{err}");
        assert!(candor.concern_page(ConcernList { open_only: true }, None, 10).await.unwrap().items.is_empty());

        // The receipt and the answer are queued for the customer, from the
        // brand, the answer naming the concern and quoting the message.
        let outbox = candor.outbox(false, 0, 100).await.unwrap();
        let kinds: Vec<&str> = outbox.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["concern_received", "concern_answer"]);
        assert!(outbox.iter().all(|m| m.to.as_deref() == Some("pat@example.com") && m.body["request"] == c.id.as_str()));
        let text = outbox[1].body["text"].as_str().unwrap();
        assert!(text.contains("> Why did you e-mail me\n> about a sale?") && text.contains(answer) && text.contains(&c.id), "{text}");
        assert!(outbox[0].body["text"].as_str().unwrap().contains("2026-02-28"), "the receipt names the deadline");

        let closed = later.close_concern("carla", &c.id).await.unwrap();
        assert_eq!(closed.concern.state, ConcernState::Closed);
        let err = later.close_concern("carla", &c.id).await.unwrap_err();
        assert!(matches!(err, ServiceError::Concern(ConcernError::AlreadyClosed)), "{err}");

        // Every step is audited under the customer's pseudonym, with no text.
        let entries = f.store.audit_about(&c.subject_pseudonym, 1_000).await.unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.record.action.as_str()).filter(|a| a.starts_with("concern.")).collect();
        assert_eq!(actions, ["concern.raise", "concern.view", "concern.answer", "concern.close"]);
        assert!(!entries.iter().any(|e| e.record.detail.to_string().contains("sale")), "no text in the audit log");
    })
    .await;
}

#[tokio::test]
async fn bad_texts_are_refused_with_the_reason_and_nothing_is_stored() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let pat = customer(&f, "pat@example.com", "@patdoe").await;
        for (text, want) in [
            (" \n ".to_owned(), "the message is empty"),
            ("x".repeat(4_001), "the message is 4001 characters long; at most 4000 are accepted"),
            ("bell\u{7}".to_owned(), "control character (U+0007) at character 5"),
        ] {
            let err = f.candor.raise_concern("subject", pat, &text).await.unwrap_err();
            assert!(err.to_string().contains(want), "{err}");
        }
        assert!(f.candor.concern_page(ConcernList::default(), None, 10).await.unwrap().items.is_empty(), "nothing stored");
        let c = f.candor.raise_concern("subject", pat, "fine").await.unwrap();
        let err = f.candor.answer_concern("carla", &c.id, "").await.unwrap_err();
        assert!(err.to_string().contains("the answer is empty"), "{err}");
        assert_eq!(f.candor.concern("carla", &c.id).await.unwrap().concern.state, ConcernState::Open);
        let err = f.candor.answer_concern("carla", "no-such-concern", "hello").await.unwrap_err();
        assert!(matches!(err, ServiceError::UnknownConcern(_)), "{err}");
        let err = f.candor.raise_concern("subject", candor_domain::SubjectId::new(), "hello").await.unwrap_err();
        assert!(matches!(err, ServiceError::UnknownSubject(_)), "{err}");
    })
    .await;
}

#[tokio::test]
async fn each_customer_reads_only_their_own_and_staff_page_through_all_open_first() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let pat = customer(&f, "pat@example.com", "@patdoe").await;
        let sam = customer(&f, "sam@example.com", "@samdoe").await;
        let t0 = datetime!(2026-12-01 12:00 UTC);
        let mut ids = Vec::new();
        for (n, who) in [pat, sam, pat, sam, pat].into_iter().enumerate() {
            let c = f.candor.clone().with_clock(Clock::fixed(t0 + Duration::days(n as i64)));
            ids.push(c.raise_concern("subject", who, &format!("question {n}")).await.unwrap().id);
        }
        // The earliest one answered: it goes after the open ones.
        f.candor.answer_concern("carla", &ids[0], "answered").await.unwrap();

        let mine = f.candor.my_concern_page(sam, None, 100).await.unwrap();
        let texts: Vec<&str> = mine.items.iter().map(|c| c.message.as_deref().unwrap()).collect();
        assert_eq!(texts, ["question 1", "question 3"], "Sam sees his own, with their texts, and nothing of Pat's");
        assert!(mine.items.iter().all(|c| c.subject == sam));

        let mut seen = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let p = f.candor.concern_page(ConcernList { open_only: false }, after.as_deref(), 2).await.unwrap();
            assert!(p.items.len() <= 2);
            seen.extend(p.items.into_iter().map(|c| c.id));
            match p.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        let want: Vec<String> = [1, 2, 3, 4, 0].iter().map(|i| ids[*i].clone()).collect();
        assert_eq!(seen, want, "open ones by deadline, then the answered one, each once");
        let err = f.candor.concern_page(ConcernList::default(), Some("garbage"), 2).await.unwrap_err();
        assert!(err.to_string().contains("`after` is not a cursor of this list"), "{err}");

        // Two staff answering at once: the second is refused, not lost.
        let stale = f.store.concern(&ids[1]).await.unwrap().unwrap();
        f.candor.answer_concern("carla", &ids[1], "first").await.unwrap();
        let mut again = stale.clone();
        again.concern.answer("adam", f.candor.now()).unwrap();
        let op = candor_store::Op::SaveConcern { record: Box::new(again), previous: Some(ConcernState::Open) };
        let err = candor_store::BatchStore::apply(&*f.store, candor_store::WriteBatch { ops: vec![op], audit: Vec::new() }).await;
        assert!(matches!(err, Err(StoreError::Changed(_))), "{err:?}");
    })
    .await;
}

#[tokio::test]
async fn erasing_the_customer_takes_their_concerns_with_the_rest() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let pat = customer(&f, "pat@example.com", "@patdoe").await;
        let sam = customer(&f, "sam@example.com", "@samdoe").await;
        let c = f.candor.raise_concern("subject", pat, "delete everything please").await.unwrap();
        f.candor.answer_concern("carla", &c.id, "we will").await.unwrap();
        let kept = f.candor.raise_concern("subject", sam, "not me").await.unwrap();

        let r = f.candor.open_rights_request("carla", RightKind::Erasure, pat, None).await.unwrap();
        f.candor.verify_rights_request_by_staff("carla", &r.id, "passport seen").await.unwrap();
        let done = f.candor.execute_rights_request("carla", &r.id, &ExecuteOptions::default()).await.unwrap();
        let result = done.record.request.result.unwrap();
        assert!(result.deleted.iter().any(|d| d.what == "concerns" && d.records == 1), "{result:?}");

        let err = f.candor.concern("carla", &c.id).await.unwrap_err();
        assert!(matches!(err, ServiceError::UnknownConcern(_)), "{err}");
        let (n,): (i64,) = sqlx::query_as("select count(*) from concerns").fetch_one(f.store.pool()).await.unwrap();
        assert_eq!(n, 1, "only the other customer's concern is left");
        assert_eq!(f.candor.concern("carla", &kept.id).await.unwrap().message.as_deref(), Some("not me"));
    })
    .await;
}

#[tokio::test]
async fn the_answer_arrives_by_mail_through_a_real_smtp_server() {
    let Some(smtp) = SmtpServer::start() else { return };
    let smtp = &smtp;
    each_backend(|db| async move {
        let before = smtp.messages().len();
        let f = Fixture::with_policy(db).await;
        let pat = customer(&f, "pat@example.com", "@patdoe").await;
        let c = f.candor.raise_concern("subject", pat, "Who sees my messages?").await.unwrap();
        f.candor.answer_concern("carla", &c.id, "Only our support agents, for your cases.").await.unwrap();
        let retry = RetryPolicy { max_attempts: 3, initial: StdDuration::from_secs(60), max: StdDuration::from_secs(90) };
        let config = MailConfig {
            host: "127.0.0.1".into(),
            port: smtp.port,
            tls: TlsMode::StartTlsOpportunistic,
            user: None,
            password: None,
            from: "privacy@northwind.example".into(),
            ca_pem: None,
            timeout: StdDuration::from_secs(10),
            retry,
            poll: StdDuration::from_secs(1),
            connections: 16,
        };
        let mailer = SmtpMailer::new(&config).unwrap();
        let report = f.candor.deliver_due("mailer", &mailer, &retry, || true).await.unwrap();
        assert_eq!((report.sent, report.failed), (2, 0));
        let mail = smtp.messages()[before..].to_vec();
        let answer = mail.iter().find(|m| m["subject"].as_str().unwrap().contains("Our answer")).unwrap();
        assert_eq!(answer["rcpt_tos"], serde_json::json!(["pat@example.com"]));
        let text = answer["text"].as_str().unwrap();
        assert!(text.contains("Only our support agents, for your cases.") && text.contains("> Who sees my messages?"), "{text}");
        assert!(text.contains(&c.id), "the mail names the concern: {text}");
    })
    .await;
}
