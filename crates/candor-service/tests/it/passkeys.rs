//! Staff passkeys against a software authenticator: registering, signing
//! in, and the attacks a relying party must refuse (a replayed answer,
//! another origin, a cloned authenticator, a forged signature, a row
//! moved to another actor in the database).

use candor_service::passkeys::{RelyingParty, MAX_CEREMONIES, PASSKEY_NOTICE_KIND};
use candor_service::{Candor, ServiceError};
use candor_store::{AccessStore as _, AuditStore as _, BatchStore as _, Op, Outcome, WriteBatch};
use candor_test_support::passkey::SoftPasskey;
use candor_test_support::{each_backend, Fixture};

const ORIGIN: &str = "https://care.example.com";

fn with_url(f: &Fixture) -> Candor {
    f.candor.clone().with_public_url(Some(format!("{ORIGIN}/")))
}

async fn registered(candor: &Candor, actor: &str) -> SoftPasskey {
    let who = candor.actor(actor).await.unwrap().unwrap();
    let options = candor.start_passkey_registration(&who).await.unwrap();
    let (passkey, answer) = SoftPasskey::register(&options, ORIGIN);
    let summary = candor.finish_passkey_registration(&who, &answer, "  Laptop  ").await.unwrap();
    assert_eq!(summary.label, "Laptop");
    passkey
}

async fn actions(f: &Fixture) -> Vec<(String, String, String)> {
    let entries = f.store.audit_entries(0, 10_000).await.unwrap();
    entries.into_iter().map(|e| (e.record.action, e.record.actor, e.record.detail.to_string())).collect()
}

fn is_refusal(r: &candor_service::Result<impl std::fmt::Debug>) -> bool {
    matches!(r, Err(ServiceError::Unauthenticated(_)))
}

#[tokio::test]
async fn a_registered_passkey_signs_its_owner_in_once_per_challenge() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let candor = with_url(&f);
        let mut passkey = registered(&candor, "carla").await;
        assert_eq!(passkey.rp_id, "care.example.com");

        let options = candor.start_passkey_sign_in().unwrap();
        let answer = passkey.sign_in(&options, ORIGIN);
        let (actor, started) = candor.finish_passkey_sign_in(&answer).await.unwrap();
        assert_eq!(actor.id, "carla");
        let active = candor.session(&started.cookie).await.unwrap();
        assert!(matches!(active.holder, candor_service::auth::SessionHolder::Staff(a) if a.id == "carla"));
        let listed = candor.passkeys("carla").await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(listed[0].last_used_at.is_some(), "the sign-in is remembered");

        // The same answer again: its challenge was used.
        assert!(is_refusal(&candor.finish_passkey_sign_in(&answer).await));
        // The session follows its token, as every staff session does.
        for t in f.candor.tokens("carla").await.unwrap() {
            f.candor.revoke_token("test", &t.id).await.unwrap();
        }
        assert!(matches!(candor.session(&started.cookie).await, Err(ServiceError::Unauthenticated(_))));

        let log = actions(&f).await;
        assert!(log.iter().any(|(a, who, _)| a == "passkey.register" && who == "carla"));
        assert!(log.iter().any(|(a, who, d)| a == "session.refused" && who == "unknown" && d.contains("passkey")));
        assert!(log.iter().any(|(a, who, _)| a == "session.start" && who == "carla"));
        assert!(log.iter().all(|(_, _, d)| !d.contains("Laptop")), "a passkey's name stays out of the log");
    })
    .await;
}

#[tokio::test]
async fn answers_from_another_origin_a_cloned_authenticator_or_another_key_are_refused() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let candor = with_url(&f);
        let carla = candor.actor("carla").await.unwrap().unwrap();

        // Registration answered on a look-alike site.
        let options = candor.start_passkey_registration(&carla).await.unwrap();
        let (_, answer) = SoftPasskey::register(&options, "https://care.example.com.evil.test");
        assert!(matches!(candor.finish_passkey_registration(&carla, &answer, "x").await, Err(ServiceError::InvalidInput(_))));
        // Another staff member cannot finish carla's registration.
        let alice = candor.actor("alice").await.unwrap().unwrap();
        let options = candor.start_passkey_registration(&carla).await.unwrap();
        let (_, answer) = SoftPasskey::register(&options, ORIGIN);
        assert!(matches!(candor.finish_passkey_registration(&alice, &answer, "x").await, Err(ServiceError::InvalidInput(_))));
        assert!(candor.passkeys("alice").await.unwrap().is_empty());

        let mut passkey = registered(&candor, "carla").await;
        let options = candor.start_passkey_sign_in().unwrap();
        assert!(is_refusal(&candor.finish_passkey_sign_in(&passkey.sign_in(&options, "http://localhost:8080")).await));

        // A signature by another key over a known credential id.
        let options = candor.start_passkey_sign_in().unwrap();
        assert!(is_refusal(&candor.finish_passkey_sign_in(&passkey.sign_in_with_another_key(&options, ORIGIN)).await));

        // A good sign-in, then a copy of the authenticator whose counter
        // is behind.
        let clone = passkey.clone();
        let options = candor.start_passkey_sign_in().unwrap();
        candor.finish_passkey_sign_in(&passkey.sign_in(&options, ORIGIN)).await.unwrap();
        let mut clone = clone;
        let options = candor.start_passkey_sign_in().unwrap();
        assert!(is_refusal(&candor.finish_passkey_sign_in(&clone.sign_in(&options, ORIGIN)).await));

        let refusals: Vec<_> =
            actions(&f).await.into_iter().filter(|(a, who, _)| a == "session.refused" && who == "carla").map(|(_, _, d)| d).collect();
        assert_eq!(refusals.len(), 3, "{refusals:?}");
        assert!(refusals.iter().all(|d| d.contains("\"method\":\"passkey\"")), "{refusals:?}");
    })
    .await;
}

#[tokio::test]
async fn a_passkey_row_moved_to_another_actor_in_the_database_signs_no_one_in() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let candor = with_url(&f);
        // alice registers her own passkey, then someone with the database
        // gives it to carla (compliance), user handle and all.
        let mut passkey = registered(&candor, "alice").await;
        f.exec("update staff_passkeys set actor_id = 'carla'").await;
        let options = candor.start_passkey_sign_in().unwrap();
        assert!(is_refusal(&candor.finish_passkey_sign_in(&passkey.sign_in(&options, ORIGIN)).await));
        assert!(candor.tokens("carla").await.unwrap().is_empty(), "no session token was made for carla");
    })
    .await;
}

#[tokio::test]
async fn removing_a_passkey_or_its_actor_ends_its_sign_ins() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let candor = with_url(&f);
        let mut first = registered(&candor, "ana").await;
        let mut second = registered(&candor, "ana").await;
        let listed = candor.passkeys("ana").await.unwrap();
        assert_eq!(listed.len(), 2);
        // Only one's own passkey can be removed.
        assert!(candor.remove_passkey("alice", "alice", &listed[0].id).await.is_err());
        candor.remove_passkey("ana", "ana", &listed[0].id).await.unwrap();
        let options = candor.start_passkey_sign_in().unwrap();
        assert!(is_refusal(&candor.finish_passkey_sign_in(&first.sign_in(&options, ORIGIN)).await));
        let options = candor.start_passkey_sign_in().unwrap();
        candor.finish_passkey_sign_in(&second.sign_in(&options, ORIGIN)).await.unwrap();

        candor.remove_actor("test", "ana").await.unwrap();
        assert!(candor.passkeys("ana").await.unwrap().is_empty());
        let options = candor.start_passkey_sign_in().unwrap();
        assert!(is_refusal(&candor.finish_passkey_sign_in(&second.sign_in(&options, ORIGIN)).await));
    })
    .await;
}

#[tokio::test]
async fn without_a_public_host_name_there_are_no_passkeys() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        assert!(f.candor.relying_party().is_none());
        assert!(matches!(f.candor.start_passkey_sign_in(), Err(ServiceError::InvalidInput(_))));
        let on_ip = f.candor.clone().with_public_url(Some("http://127.0.0.1:8080".into()));
        assert!(on_ip.relying_party().is_none());
        let err = on_ip.start_passkey_sign_in().unwrap_err().to_string();
        assert!(err.contains("IP address"), "{err}");
        assert_eq!(RelyingParty::from_public_url("http://localhost:8080").unwrap().id(), "localhost");
    })
    .await;
}

#[tokio::test]
async fn a_member_with_an_address_is_told_of_each_passkey_registered_for_them() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        f.candor.upsert_actor("test", "carla@northwind.example", vec![candor_domain::Role::Compliance]).await.unwrap();
        let candor = with_url(&f);
        let mut passkey = registered(&candor, "carla@northwind.example").await;
        let mail: Vec<_> = candor.outbox(false, 0, 100).await.unwrap().into_iter().filter(|m| m.kind == PASSKEY_NOTICE_KIND).collect();
        assert_eq!(mail.len(), 1, "{mail:?}");
        assert_eq!(mail[0].to.as_deref(), Some("carla@northwind.example"));
        let text = mail[0].body["text"].as_str().unwrap();
        assert!(text.contains("\"Laptop\"") && text.contains("If it was not you"), "{text}");
        // A member whose id is no address (carla) gets none, and none is queued for it.
        registered(&candor, "carla").await;
        let notices = candor.outbox(false, 0, 100).await.unwrap().into_iter().filter(|m| m.kind == PASSKEY_NOTICE_KIND).count();
        assert_eq!(notices, 1);

        // The sign-in names the passkey it used.
        let options = candor.start_passkey_sign_in().unwrap();
        candor.finish_passkey_sign_in(&passkey.sign_in(&options, ORIGIN)).await.unwrap();
        let log = actions(&f).await;
        let started = log.iter().rfind(|(a, who, _)| a == "session.start" && who == "carla@northwind.example").unwrap();
        assert!(started.2.contains("\"method\":\"passkey\"") && started.2.contains("\"passkey\":\""), "{started:?}");
    })
    .await;
}

#[tokio::test]
async fn a_sign_in_checked_against_a_state_that_changed_meanwhile_is_not_kept() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let candor = with_url(&f);
        registered(&candor, "carla").await;
        let stored = f.store.passkey(&f.store.passkeys("carla").await.unwrap()[0].credential_id).await.unwrap().unwrap();
        let stale = Op::UsePasskey {
            credential_id: stored.credential_id.clone(),
            previous: vec![9; 7],
            dynamic_state: vec![0; 7],
            at: f.candor.now(),
        };
        assert_eq!(f.store.apply(WriteBatch { ops: vec![stale], audit: Vec::new() }).await.unwrap(), [Outcome::Count(0)]);
        let same = f.store.passkey(&stored.credential_id).await.unwrap().unwrap();
        assert_eq!((same.dynamic_state, same.last_used_at), (stored.dynamic_state, None), "nothing written");
    })
    .await;
}

#[tokio::test]
async fn once_the_ceremonies_are_full_a_new_one_is_busy_not_an_error() {
    let f = Fixture::with_policy(candor_test_support::TestDb::sqlite()).await;
    let candor = with_url(&f);
    // At least MAX_CEREMONIES fit (the set rounds its room up), then busy.
    let mut started = 0;
    let refusal = loop {
        match candor.start_passkey_sign_in() {
            Ok(_) if started < 4 * MAX_CEREMONIES => started += 1,
            other => break other,
        }
    };
    assert!(matches!(refusal, Err(ServiceError::Busy(_))), "{refusal:?}");
    assert!(started >= MAX_CEREMONIES, "{started}");
    // Registrations have their own room.
    let carla = candor.actor("carla").await.unwrap().unwrap();
    candor.start_passkey_registration(&carla).await.unwrap();
}
