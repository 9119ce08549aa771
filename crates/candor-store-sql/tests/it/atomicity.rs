//! A batch commits whole or not at all, audit entries included.

use std::sync::Arc;

use candor_store::{AuditSigner, AuditStore as _, BatchStore as _, Op, StoreError, SubjectStore as _, WriteBatch};
use candor_test_support::each_backend;

use crate::{audit, keys, new_subject};

#[tokio::test]
async fn a_failing_operation_rolls_back_the_whole_batch_and_its_audit_entries() {
    each_backend(|db| async move {
        let (_dir, keys) = keys();
        let keys = Arc::new(keys);
        let store = db.open().await.with_signer(AuditSigner::new(keys.clone(), 2));
        store
            .apply(WriteBatch::one(Op::CreateSubject(Box::new(new_subject(&keys, "first@example.com"))), audit("subject.create")))
            .await
            .unwrap();
        let head = store.audit_head().await.unwrap();

        // The second subject reuses the first one's e-mail blind index: the
        // batch fails on its last operation, after a valid one.
        let ok = new_subject(&keys, "second@example.com");
        let ok_id = ok.id;
        let clash = new_subject(&keys, "first@example.com");
        let batch = WriteBatch {
            ops: vec![Op::CreateSubject(Box::new(ok)), Op::CreateSubject(Box::new(clash))],
            audit: vec![audit("subject.create"), audit("subject.create"), audit("extra")],
        };
        let err = store.apply(batch).await.unwrap_err();
        assert!(matches!(err, StoreError::IdentityTaken { .. }), "{err}");
        assert!(store.subject(ok_id).await.unwrap().is_none(), "the valid operation of the failed batch was kept");
        assert_eq!(store.subject_count().await.unwrap(), 1);
        assert_eq!(store.audit_head().await.unwrap(), head, "audit entries of the failed batch were kept");
        assert_eq!(store.audit_entries(0, 100).await.unwrap().len(), 1);
        assert!(store.audit_checkpoints().await.unwrap().is_empty(), "a checkpoint of the failed batch was kept");
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn writes_with_audit_entries_need_a_signer() {
    let db = candor_test_support::TestDb::sqlite();
    let store = db.open().await;
    let err = store.apply(WriteBatch { ops: vec![], audit: vec![audit("x")] }).await.unwrap_err();
    assert!(matches!(err, StoreError::NoSigner));
}
