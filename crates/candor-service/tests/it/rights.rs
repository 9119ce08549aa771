//! Rights requests: opened with their legal deadline, verified, extended,
//! rejected and listed, each step stored with its audit entry, on both back
//! ends.

use candor_domain::{Regime, RequestState, RightKind, RightsError, SubjectId, Verification};
use candor_service::{Clock, ServiceError};
use candor_store::{AuditStore as _, BatchStore as _, Op, StoreError, WriteBatch};
use candor_test_support::{each_backend, Fixture};
use time::macros::datetime;
use time::Duration;

use crate::customer;

#[tokio::test]
async fn a_request_lives_from_receipt_to_its_end_with_its_deadline_and_an_audit_trail() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let s = customer(&f, "pat@example.com", "@patdoe").await;
        let received = datetime!(2026-01-31 09:00 UTC);
        let candor = f.candor.clone().with_clock(Clock::fixed(received));

        let r = candor.open_rights_request("carla", RightKind::Erasure, s, None).await.unwrap();
        assert_eq!((r.request.regime, r.request.state), (Regime::Gdpr, RequestState::Received));
        assert_eq!(r.request.due_at, datetime!(2026-02-28 09:00 UTC), "one calendar month, at most the month's last day");
        assert_eq!(r.subject_pseudonym, f.keys.pseudonym(s.as_uuid()));
        assert_eq!(candor.rights_request(&r.id).await.unwrap(), r, "stored as opened");

        // Identity first; then extended once, with a reason.
        let extended = candor.extend_rights_request("carla", &r.id, "three linked accounts to search").await.unwrap();
        assert_eq!(extended.request.due_at, datetime!(2026-04-28 09:00 UTC));
        let err = candor.extend_rights_request("carla", &r.id, "again").await.unwrap_err();
        assert!(matches!(err, ServiceError::Rights(RightsError::AlreadyExtended)), "{err}");
        let err = candor.verify_rights_request_by_staff("carla", &r.id, "  ").await.unwrap_err();
        assert!(matches!(err, ServiceError::Rights(RightsError::NoReason)), "{err}");
        let v = candor.verify_rights_request_by_staff("carla", &r.id, "passport seen at the counter").await.unwrap();
        assert_eq!(v.request.state, RequestState::Verified);
        assert_eq!(
            v.request.verification,
            Some(Verification::Staff { actor: "carla".into(), reason: "passport seen at the counter".into() })
        );
        let stored = candor.rights_request(&r.id).await.unwrap();
        assert_eq!(stored, v, "every step is stored");

        // Rejected with a reason; nothing moves a finished request.
        let done = candor.reject_rights_request("carla", &r.id, "a legal hold covers this account").await.unwrap();
        assert_eq!(
            (done.request.state, done.request.rejection.as_deref()),
            (RequestState::Rejected, Some("a legal hold covers this account"))
        );
        let err = candor.verify_rights_request_by_staff("carla", &r.id, "again").await.unwrap_err();
        assert!(matches!(err, ServiceError::Rights(RightsError::AlreadyFinal { state: RequestState::Rejected })), "{err}");

        // Each step is in the audit log, under the subject's pseudonym.
        let entries = f.store.audit_entries(0, 1_000).await.unwrap();
        let ours: Vec<_> = entries.iter().map(|e| &e.record).filter(|e| e.detail["request"] == r.id.as_str()).collect();
        let actions: Vec<&str> = ours.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["rights.open", "rights.extend", "rights.verify", "rights.reject"]);
        assert!(ours.iter().all(|e| e.subject.as_deref() == Some(r.subject_pseudonym.as_str()) && e.actor == "carla"));

        // The customer is told of every step they are owed word of, by the
        // brand, with the reasons staff gave.
        let outbox = candor.outbox(false, 0, 100).await.unwrap();
        let told: Vec<&str> = outbox.iter().filter(|m| m.body["request"] == r.id.as_str()).map(|m| m.kind.as_str()).collect();
        assert_eq!(told, ["request_received", "request_extended", "request_rejected"]);
        for m in outbox.iter().filter(|m| m.body["request"] == r.id.as_str()) {
            assert_eq!(m.to.as_deref(), Some("pat@example.com"));
            assert_eq!(m.body["from"], "Northwind Outfitters Ltd", "{m:?}");
            let text = m.body["text"].as_str().unwrap();
            assert!(text.contains("Northwind Outfitters Ltd") && text.contains("privacy@northwind.example"), "{text}");
            assert!(m.body["subject"].as_str().unwrap().starts_with("Northwind Outfitters Ltd: "), "{m:?}");
        }
        let text = |kind: &str| outbox.iter().find(|m| m.kind == kind).unwrap().body["text"].as_str().unwrap().to_owned();
        assert!(text("request_extended").contains("three linked accounts to search") && text("request_extended").contains("2026-04-28"));
        assert!(text("request_rejected").contains("a legal hold covers this account"));
        assert!(text("request_rejected").contains("supervisory authority"), "the customer learns they may complain");
    })
    .await;
}

#[tokio::test]
async fn overdue_requests_are_listed_and_unknown_subjects_or_requests_are_named() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let s = customer(&f, "sam@example.com", "@samdoe").await;
        let t0 = datetime!(2026-12-01 12:00 UTC);
        let candor = f.candor.clone().with_clock(Clock::fixed(t0));
        let access = candor.open_rights_request("carla", RightKind::Access, s, None).await.unwrap();
        let opt_out = candor.open_rights_request("carla", RightKind::OptOutSaleShare, s, None).await.unwrap();
        assert_eq!(opt_out.request.regime, Regime::Ccpa);
        assert_eq!(opt_out.request.due_at, datetime!(2026-12-22 12:00 UTC), "15 business days");
        let done = candor.open_rights_request("carla", RightKind::Objection, s, None).await.unwrap();
        candor.reject_rights_request("carla", &done.id, "no processing on legitimate interests").await.unwrap();

        // Earliest deadline first (the opt-out's), ties (the two GDPR
        // requests opened together) in id order.
        let all = candor.rights_requests(false).await.unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(all[0].id, opt_out.id);
        assert!(all.windows(2).all(|w| (w[0].request.due_at, &w[0].id) < (w[1].request.due_at, &w[1].id)), "{all:?}");
        assert!(all.iter().any(|r| r.id == access.id) && all.iter().any(|r| r.id == done.id));
        assert!(candor.rights_requests(true).await.unwrap().is_empty());
        let later = f.candor.clone().with_clock(Clock::fixed(t0 + Duration::days(25)));
        let overdue: Vec<String> = later.rights_requests(true).await.unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(overdue, vec![opt_out.id], "the opt-out is late, the access request not yet, the rejected one never");

        let nobody = SubjectId::new();
        let err = candor.open_rights_request("carla", RightKind::Access, nobody, None).await.unwrap_err();
        assert!(matches!(err, ServiceError::UnknownSubject(id) if id == nobody), "{err}");
        let err = candor.open_rights_request("carla", RightKind::Restriction, s, Some(Regime::Ccpa)).await.unwrap_err();
        assert!(err.to_string().contains("restriction is not a right under ccpa"), "{err}");
        let err = candor.rights_request("no-such-request").await.unwrap_err();
        assert!(matches!(err, ServiceError::UnknownRequest(_)), "{err}");
    })
    .await;
}

/// The store's row for a request the service handed out, to write it
/// behind the service's back.
fn row(r: candor_service::rights::RightsRequestView) -> candor_store::RightsRequestRecord {
    candor_store::RightsRequestRecord { id: r.id, subject: r.subject, subject_pseudonym: r.subject_pseudonym, request: r.request }
}

#[tokio::test]
async fn a_step_taken_on_a_request_that_changed_meanwhile_is_refused() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let s = customer(&f, "lee@example.com", "@leedoe").await;
        let opened = f.candor.open_rights_request("carla", RightKind::Access, s, None).await.unwrap();
        // Two staff read the request; one extends it first.
        let read = f.candor.rights_request(&opened.id).await.unwrap();
        f.candor.extend_rights_request("carla", &opened.id, "many accounts").await.unwrap();
        // The other's step, made from what they read, would drop the extension.
        let mut stale = read.clone();
        stale.request.extend("other reason", f.candor.now()).unwrap();
        let op = Op::SaveRightsRequest { record: Box::new(row(stale)), previous: Some(Box::new(read.request)) };
        let err = f.store.apply(WriteBatch { ops: vec![op], audit: vec![] }).await.unwrap_err();
        assert!(matches!(err, StoreError::Changed(ref what) if what.contains(&opened.id)), "{err}");
        let now = f.candor.rights_request(&opened.id).await.unwrap();
        assert_eq!(now.request.extension.map(|e| e.reason).as_deref(), Some("many accounts"), "the first step stands");
        // A second new request under an id already taken is refused too.
        let op = Op::SaveRightsRequest { record: Box::new(row(opened.clone())), previous: None };
        assert!(f.store.apply(WriteBatch { ops: vec![op], audit: vec![] }).await.is_err());
    })
    .await;
}
