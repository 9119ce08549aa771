//! Key rotation: every data key re-wrapped, the data untouched and still
//! readable, an interrupted rotation finished by the next run.

use candor_store::Store as _;
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
        let mut ring = KeyRing::load_with(&f.keys_dir(), None).unwrap();
        let r = f.candor.rotate_keys("test", &mut ring, |_, _| {}).await.unwrap();
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
    let mut ring = KeyRing::load_with(&f.keys_dir(), None).unwrap();
    ring.add_kek().unwrap();
    let first = f.store.keys_not_under("k2", 1).await.unwrap();
    let moved: Vec<_> = first
        .into_iter()
        .map(|(s, w)| {
            let c = s.wrap_context();
            let k = ring.unwrap(&c, &w).unwrap();
            (s, ring.wrap(&c, &k))
        })
        .collect();
    f.store.apply(WriteBatch { ops: vec![Op::Rewrap(moved)], audit: vec![] }).await.unwrap();
    assert_eq!(f.store.key_counts().await.unwrap(), vec![("k1".to_owned(), 3), ("k2".to_owned(), 1)]);

    let mut ring = KeyRing::load_with(&f.keys_dir(), None).unwrap();
    let r = f.candor.rotate_keys("test", &mut ring, |_, _| {}).await.unwrap();
    assert!(r.resumed, "the second run carries on instead of starting over");
    assert_eq!((r.kek.as_str(), r.rewrapped), ("k2", 3));
    assert_eq!(f.store.key_counts().await.unwrap(), vec![("k2".to_owned(), 4)]);
    let again = f.candor.rotate_keys("test", &mut ring, |_, _| {}).await.unwrap();
    assert_eq!((again.kek.as_str(), again.resumed, again.rewrapped), ("k3", false, 4));
}

#[tokio::test]
async fn a_key_encryption_key_from_the_environment_cannot_be_rotated_here() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let mut ring = KeyRing::load_with(&f.keys_dir(), Some(&"11".repeat(32))).unwrap();
    let err = f.candor.rotate_keys("test", &mut ring, |_, _| {}).await.unwrap_err();
    assert!(err.to_string().contains("CANDOR_KEK"), "{err}");
}
