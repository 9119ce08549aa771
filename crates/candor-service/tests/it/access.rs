//! The access decision as a use case: audited every time, fail closed on
//! anything it cannot read, and decrypting only what it allowed.

use candor_store::AuditStore as _;
use std::sync::Arc;

use candor_domain::{CategoryId, Decision, DenyReason};
use candor_service::{Candor, Clock, ServiceError};
use candor_store::KeyRing;
use candor_test_support::{each_backend, Fixture, TestDb};
use time::{Duration, OffsetDateTime};

use crate::customer;

#[tokio::test]
async fn every_decision_is_audited_with_a_pseudonym_and_never_the_data() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let s = customer(&f, "audited.person@example.com", "audited_person").await;
        let view = f.candor.view_subject("alice", s, "customer_service").await.unwrap();
        assert!(view.decision.is_allowed());
        let denied = f.candor.decide("bob", s, "customer_service", &[CategoryId::new("user.contact.email")]).await.unwrap();
        assert!(matches!(denied, Decision::Deny(DenyReason::NoTraining { .. })));

        let entries = f.store.audit_entries(0, 1000).await.unwrap();
        let decisions: Vec<_> = entries.iter().filter(|e| e.record.action == "access.decide").collect();
        assert_eq!(decisions.len(), 2);
        let pseudonym = f.keys.pseudonym(s.as_uuid());
        assert_eq!((decisions[0].record.actor.as_str(), decisions[0].record.decision.as_deref()), ("alice", Some("allow")));
        assert_eq!((decisions[1].record.actor.as_str(), decisions[1].record.decision.as_deref()), ("bob", Some("deny")));
        assert!(decisions
            .iter()
            .all(|e| e.record.subject.as_deref() == Some(pseudonym.as_str()) && e.record.purpose.as_deref() == Some("customer_service")));
        assert!(decisions[1].record.detail.to_string().contains("no_training"));
        for e in &entries {
            let all = format!("{:?}", e.record);
            assert!(
                !all.contains("audited.person") && !all.contains("Pat Doe") && !all.contains(&s.to_string()),
                "personal data in audit entry {}: {all}",
                e.seq
            );
        }
    })
    .await;
}

#[tokio::test]
async fn only_permitted_fields_are_decrypted() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "v@example.com", "@Viewer").await;
    let v = f.candor.view_subject("alice", s, "customer_service").await.unwrap();
    let value = |field: &str| v.fields.iter().find(|x| x.field == field).and_then(|x| x.value.clone());
    assert_eq!(value("email").as_deref(), Some("v@example.com"));
    assert_eq!(value("handle:x").as_deref(), Some("x:@viewer"));
    assert_eq!(value("name").as_deref(), Some("Pat Doe"));

    // Analytics may not read e-mail addresses, names or handles.
    let v = f.candor.view_subject("ana", s, "analytics").await.unwrap();
    assert!(v.fields.iter().all(|x| x.value.is_none()), "{v:?}");
    assert!(!v.decision.is_allowed());
    let v = f.candor.view_subject("bob", s, "customer_service").await.unwrap();
    assert!(v.fields.iter().all(|x| x.value.is_none() && x.withheld.is_some()));
}

#[tokio::test]
async fn unknown_actors_and_expired_training_are_denied() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "t@example.com", "t").await;
    let email = [CategoryId::new("user.contact.email")];
    let d = f.candor.decide("ghost", s, "customer_service", &email).await.unwrap();
    assert!(matches!(d, Decision::Deny(DenyReason::UnknownActor { .. })), "{d:?}");
    let later = f.candor.clone().with_clock(Clock::fixed(OffsetDateTime::now_utc() + Duration::days(400)));
    let d = later.decide("alice", s, "customer_service", &email).await.unwrap();
    let Decision::Deny(reason @ DenyReason::TrainingExpired { .. }) = d else { panic!("{d:?}") };
    assert!(reason.to_string().contains("renew it"));
}

#[tokio::test]
async fn an_unreadable_consent_ledger_denies_instead_of_defaulting_to_allowed() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let s = customer(&f, "u@example.com", "u").await;
        f.candor
            .record_consent("test", s, Some("personalization"), candor_domain::ConsentAction::Grant, candor_domain::ConsentSource::Cli)
            .await
            .unwrap();
        f.exec("update consent_events set action = 'maybe'").await;
        let d = f.candor.decide("alice", s, "customer_service", &[CategoryId::new("user.name")]).await.unwrap();
        assert_eq!(d, Decision::Deny(DenyReason::ConsentUnreadable));
    })
    .await;
}

#[tokio::test]
async fn the_wrong_key_is_an_error_never_garbage() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "k@example.com", "k").await;
    // Another installation's key directory over the same database.
    let other = tempfile::tempdir().unwrap();
    KeyRing::create(other.path()).unwrap();
    for file in ["index.key", "pseudonym.key", "signing.key"] {
        std::fs::copy(f.keys_dir().join(file), other.path().join(file)).unwrap();
    }
    let wrong = Arc::new(KeyRing::load_with(other.path(), None).unwrap());
    let candor = Candor::new(f.store.clone(), wrong);
    let err = candor.view_subject("alice", s, "customer_service").await.unwrap_err();
    assert!(matches!(err, ServiceError::Unreadable { .. }), "{err}");
    assert!(err.to_string().contains("decryption failed"), "{err}");
    // A KEK from the environment that is not the right one fails the same way.
    let env = Arc::new(KeyRing::load_with(&f.keys_dir(), Some(&"ab".repeat(32))).unwrap());
    let err = Candor::new(f.store.clone(), env).view_subject("alice", s, "customer_service").await.unwrap_err();
    assert!(err.to_string().contains("not in the key directory"), "{err}");
}
