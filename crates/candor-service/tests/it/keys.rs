//! Key rotation: every data key re-wrapped, the data untouched and still
//! readable, an interrupted rotation finished by the next run.

use candor_store::{BatchStore as _, KeyStore as _, SubjectStore as _};
use std::sync::Arc;

use candor_service::Candor;
use candor_store::{KeyRing, Op, WriteBatch};
use candor_test_support::{each_backend, Fixture, TestDb};

use crate::customer;

#[tokio::test]
async fn rotation_rewraps_every_data_key_and_the_data_stays_readable() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(customer(&f, &format!("k{i}@example.com"), &format!("k{i}")).await);
        }
        let before: Vec<Vec<u8>> = {
            let mut v = Vec::new();
            for id in &ids {
                v.push(f.store.subject(*id).await.unwrap().unwrap().identities[0].sealed.clone());
            }
            v
        };
        let r = f.candor.rotate_keys("test", |_, _| {}).await.unwrap();
        assert_eq!((r.kek.as_str(), r.resumed, r.rewrapped, r.retired.clone()), ("k2", false, 5, vec!["k1".to_owned()]));
        assert_eq!(f.store.key_counts().await.unwrap(), vec![("k2".to_owned(), 5)]);
        assert!(f.keys_dir().join("kek/k1.key.retired").exists() && !f.keys_dir().join("kek/k1.key").exists());
        for (id, sealed) in ids.iter().zip(&before) {
            assert_eq!(&f.store.subject(*id).await.unwrap().unwrap().identities[0].sealed, sealed, "the data itself was re-encrypted");
        }
        // A process that loads the key directory afresh reads everything.
        let fresh = Candor::new(f.store.clone(), Arc::new(KeyRing::load_with(&f.keys_dir(), None).unwrap()));
        for id in &ids {
            let v = fresh.view_subject("alice", *id, "customer_service").await.unwrap();
            assert!(v.fields.iter().any(|x| x.value.as_deref().is_some_and(|e| e.ends_with("@example.com"))));
        }
    })
    .await;
}

#[tokio::test]
async fn an_interrupted_rotation_is_finished_by_the_next_run() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    for i in 0..4 {
        customer(&f, &format!("i{i}@example.com"), &format!("i{i}")).await;
    }
    // What a crash leaves: the new KEK is current, one batch committed.
    let ring = KeyRing::load_with(&f.keys_dir(), None).unwrap();
    ring.add_kek().unwrap();
    let first = f.store.keys_not_under("k2", 1).await.unwrap();
    let moved: Vec<_> = first
        .into_iter()
        .map(|(s, w)| {
            let c = s.wrap_context();
            let k = ring.unwrap(&c, &w).unwrap();
            (s, ring.wrap(&c, &k).unwrap())
        })
        .collect();
    f.store.apply(WriteBatch { ops: vec![Op::Rewrap(moved)], audit: vec![] }).await.unwrap();
    assert_eq!(f.store.key_counts().await.unwrap(), vec![("k1".to_owned(), 3), ("k2".to_owned(), 1)]);

    let r = f.candor.rotate_keys("test", |_, _| {}).await.unwrap();
    assert!(r.resumed, "the second run carries on instead of starting over");
    assert_eq!((r.kek.as_str(), r.rewrapped), ("k2", 3));
    assert_eq!(f.store.key_counts().await.unwrap(), vec![("k2".to_owned(), 4)]);
    let again = f.candor.rotate_keys("test", |_, _| {}).await.unwrap();
    assert_eq!((again.kek.as_str(), again.resumed, again.rewrapped), ("k3", false, 4));
}

#[tokio::test]
async fn a_key_encryption_key_from_the_environment_cannot_be_rotated_here() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let ring = Arc::new(KeyRing::load_with(&f.keys_dir(), Some(&"11".repeat(32))).unwrap());
    let err = Candor::new(f.store.clone(), ring).rotate_keys("test", |_, _| {}).await.unwrap_err();
    assert!(err.to_string().contains("CANDOR_KEK"), "{err}");
}

#[tokio::test]
async fn a_process_that_cannot_see_a_rotation_is_refused_rather_than_wrapping_under_the_retired_key() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        customer(&f, "r0@example.com", "r0").await;
        // A process whose key directory is a stale copy: it will never see
        // the new KEK on disk.
        let stale_dir = f.dir().join("stale-keys");
        std::fs::create_dir_all(stale_dir.join("kek")).unwrap();
        for entry in ["index.key", "pseudonym.key", "signing.key", "kek/k1.key", "kek/current"] {
            std::fs::copy(f.keys_dir().join(entry), stale_dir.join(entry)).unwrap();
        }
        let stale = Candor::open(f.store.clone(), Arc::new(KeyRing::load_with(&stale_dir, None).unwrap())).await.unwrap();
        let r = f.candor.rotate_keys("test", |_, _| {}).await.unwrap();
        assert_eq!(r.retired, vec!["k1".to_owned()]);

        let input = candor_service::subjects::NewSubjectInput { email: Some("r1@example.com".into()), ..Default::default() };
        let err = stale.add_subject("test", &input).await.unwrap_err();
        assert!(err.to_string().contains("`k1` was retired"), "{err}");
        assert_eq!(f.store.key_counts().await.unwrap(), vec![("k2".to_owned(), 1)]);
        // The running service itself picked the rotation up.
        customer(&f, "r2@example.com", "r2").await;
        assert_eq!(f.store.key_counts().await.unwrap(), vec![("k2".to_owned(), 2)]);
    })
    .await;
}

#[tokio::test]
async fn a_database_binds_the_keys_it_was_made_with_and_refuses_any_other() {
    each_backend(|db| async move {
        let f = Fixture::new(db).await;
        assert_eq!(f.store.key_check().await.unwrap(), Some(f.keys.key_check().to_vec()), "recorded at the first open");
        let other = tempfile::tempdir().unwrap();
        KeyRing::create(other.path()).unwrap();
        let foreign = Arc::new(KeyRing::load_with(other.path(), None).unwrap());
        let err = Candor::open(f.store.clone(), foreign.clone()).await.unwrap_err();
        assert!(err.to_string().contains("do not belong to this database (key check value differs)"), "{err}");
        assert!(err.to_string().contains(&other.path().display().to_string()), "the message names the key directory: {err}");

        // A database made before key check values: the first keys to open
        // it must reproduce what it holds.
        f.candor.publish_policy("test", "policy.toml", candor_domain::EXAMPLE_POLICY).await.unwrap();
        f.exec("delete from key_check").await;
        let err = Candor::open(f.store.clone(), foreign.clone()).await.unwrap_err();
        assert!(err.to_string().contains("do not reproduce its newest audit entry"), "{err}");
        f.candor.upsert_actor("test", "alice", vec![candor_domain::Role::Agent]).await.unwrap();
        f.candor.attest_training("test", "alice", "privacy and ethics", time::Duration::days(30)).await.unwrap();
        customer(&f, "b@example.com", "b").await;
        let err = Candor::open(f.store.clone(), foreign.clone()).await.unwrap_err();
        assert!(err.to_string().contains("do not reproduce the pseudonyms of its subjects"), "{err}");
        assert_eq!(f.store.key_check().await.unwrap(), None, "nothing recorded for the wrong keys");
        Candor::open(f.store.clone(), f.keys.clone()).await.unwrap();
        assert_eq!(f.store.key_check().await.unwrap(), Some(f.keys.key_check().to_vec()));
    })
    .await;
}
