//! The audit tables and the key bookkeeping under the append path: signed
//! heads and their witness lines, retired key-encryption keys, and the key
//! check value.

use std::sync::Arc;

use candor_store::{
    AuditSigner, AuditStore as _, BatchStore as _, KeyRing, KeyStore as _, Op, StoreError, SubjectStore as _, Witness, WriteBatch,
};
use candor_test_support::each_backend;
use time::OffsetDateTime;

use crate::{audit, keys, new_subject};

#[tokio::test]
async fn each_append_signs_the_head_and_writes_one_witness_line() {
    each_backend(|db| async move {
        let (dir, keys) = keys();
        let keys = Arc::new(keys);
        let store = db.open().await.with_signer(AuditSigner::new(keys.clone(), 3));
        for n in 1..=4 {
            let records = (0..n).map(|i| audit(&format!("batch{n}.{i}"))).collect();
            store.apply(WriteBatch { ops: vec![], audit: records }).await.unwrap();
        }
        let witness = Witness::new(dir.path().join("audit-witness"));
        let text = std::fs::read_to_string(witness.path()).unwrap();
        assert_eq!(text.lines().count(), 4, "one line a batch: {text}");
        let state = store.audit_state().await.unwrap();
        let heads = witness.read(&keys.verifying_key()).unwrap();
        assert_eq!(heads.iter().map(|h| (h.seq, h.line)).collect::<Vec<_>>(), vec![(1, 1), (3, 2), (6, 3), (10, 4)]);
        assert_eq!(witness.head_at(4).unwrap().as_ref(), Some(&state.head));
        assert_eq!((state.head.seq, state.head.checkpoint), (10, 9));
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn no_data_key_is_wrapped_under_a_retired_kek_and_a_kek_in_use_is_not_retired() {
    each_backend(|db| async move {
        let (dir, keys) = keys();
        let keys = Arc::new(keys);
        let store = db.open().await.with_signer(AuditSigner::new(keys.clone(), 100));
        let first = new_subject(&keys, "first@example.com");
        let first_id = first.id;
        store.apply(WriteBatch::one(Op::CreateSubject(Box::new(first)), audit("subject.create"))).await.unwrap();

        // A process that has not noticed the rotation: its ring still holds
        // k1 as current, and it wrapped before the directory changed.
        let stale = new_subject(&keys, "stale@example.com");
        let rotating = KeyRing::load_with(dir.path(), None).unwrap();
        rotating.add_kek().unwrap();
        let retire = |at| WriteBatch::one(Op::RetireKeks { ids: vec!["k1".into()], at }, audit("keys.rotate.finish"));
        let err = store.apply(retire(OffsetDateTime::now_utc())).await.unwrap_err();
        assert!(matches!(err, StoreError::KekInUse(ref k) if k == "k1"), "{err}");

        let moved: Vec<_> = store
            .keys_not_under("k2", 10)
            .await
            .unwrap()
            .into_iter()
            .map(|(o, w)| {
                let c = o.wrap_context();
                let k = rotating.unwrap(&c, &w).unwrap();
                (o, rotating.wrap(&c, &k).unwrap())
            })
            .collect();
        store.apply(WriteBatch::one(Op::Rewrap(moved), audit("keys.rewrap"))).await.unwrap();
        store.apply(retire(OffsetDateTime::now_utc())).await.unwrap();
        let head = store.audit_head().await.unwrap();

        let err = store.apply(WriteBatch::one(Op::CreateSubject(Box::new(stale)), audit("subject.create"))).await.unwrap_err();
        assert!(matches!(err, StoreError::RetiredKek(ref k) if k == "k1"), "{err}");
        assert_eq!(store.audit_head().await.unwrap(), head, "nothing of the refused batch was kept");
        assert_eq!(store.key_counts().await.unwrap(), vec![("k2".to_owned(), 1)]);
        assert!(store.subject(first_id).await.unwrap().is_some());
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn appends_under_another_installations_keys_are_refused() {
    each_backend(|db| async move {
        let (_d, ours) = keys();
        let (_e, theirs) = keys();
        let ours = Arc::new(ours);
        let store = db.open().await.with_signer(AuditSigner::new(ours.clone(), 4));
        store.apply(WriteBatch { ops: vec![], audit: vec![audit("first")] }).await.unwrap();
        assert_eq!(store.key_check().await.unwrap(), None);
        let recorded = store.record_key_check(&ours.key_check(), OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(recorded, ours.key_check().to_vec());
        // A second record keeps the first.
        let again = store.record_key_check(&theirs.key_check(), OffsetDateTime::now_utc()).await.unwrap();
        assert_eq!(again, ours.key_check().to_vec());

        let head = store.audit_head().await.unwrap();
        let foreign = db.open().await.with_signer(AuditSigner::new(Arc::new(theirs), 4));
        let s = new_subject(&ours, "x@example.com");
        let err = foreign.apply(WriteBatch::one(Op::CreateSubject(Box::new(s)), audit("subject.create"))).await.unwrap_err();
        assert!(matches!(err, StoreError::ForeignKeys), "{err}");
        assert_eq!(store.audit_head().await.unwrap(), head);
        assert_eq!(store.subject_count().await.unwrap(), 0);
        foreign.close().await;
        store.close().await;
    })
    .await;
}
