//! The audit chain under attack: rows altered, inserted and deleted directly
//! in the database, each named by `verify_audit`.

use candor_domain::{CategoryId, ConsentAction, ConsentSource};
use candor_service::audit::AuditReport;
use candor_store::Store as _;
use candor_store::Tamper;
use candor_test_support::{each_backend, Fixture};

use crate::customer;

async fn workload(f: &Fixture) {
    for i in 0..3 {
        let s = customer(f, &format!("w{i}@example.com"), &format!("w{i}")).await;
        f.candor.record_consent("test", s, Some("personalization"), ConsentAction::Grant, ConsentSource::Cli).await.unwrap();
        f.candor.decide("alice", s, "customer_service", &[CategoryId::new("user.name")]).await.unwrap();
    }
}

async fn problem(f: &Fixture) -> Tamper {
    match f.candor.verify_audit(|_, _| {}).await.unwrap() {
        AuditReport::Tampered { problem, message } => {
            assert!(!message.is_empty());
            problem
        }
        AuditReport::Intact { entries, .. } => panic!("tampering not detected ({entries} entries)"),
    }
}

#[tokio::test]
async fn an_untouched_chain_verifies() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let AuditReport::Intact { entries, checkpoints } = f.candor.verify_audit(|_, _| {}).await.unwrap() else { panic!() };
        assert!(entries > 15);
        assert_eq!(checkpoints, entries / u64::from(candor_test_support::CHECKPOINT_EVERY));
    })
    .await;
}

#[tokio::test]
async fn an_altered_entry_is_named() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let n = f.exec(r#"update audit_log set body = replace(body, '"actor":"', '"actor":"mallory-') where seq = 7"#).await;
        assert_eq!(n, 1);
        assert_eq!(problem(&f).await, Tamper::Altered { seq: 7 });
    })
    .await;
}

#[tokio::test]
async fn a_deleted_entry_is_named() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        f.exec("delete from audit_log where seq = 6").await;
        assert_eq!(problem(&f).await, Tamper::Missing { seq: 6, prev: 5, next: 7 });
    })
    .await;
}

#[tokio::test]
async fn deleting_the_newest_entries_is_noticed() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let (head, _) = f.store.audit_head().await.unwrap();
        f.exec(&format!("delete from audit_log where seq >= {}", head - 1)).await;
        let p = problem(&f).await;
        assert!(
            matches!(p, Tamper::Removed { from, to } if from == head - 1 && to == head) || matches!(p, Tamper::Truncated { .. }),
            "{p:?}"
        );
    })
    .await;
}

#[tokio::test]
async fn an_inserted_entry_is_named_even_after_the_last_checkpoint() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let (head, _) = f.store.audit_head().await.unwrap();
        // A forger appends a plausible entry and moves the head row along;
        // without the chain key its hash cannot be right.
        let next = head + 1;
        f.exec(&format!(
            r#"insert into audit_log (seq, body, hash) select {next}, replace(body, '"actor":"', '"actor":"mallory-'), hash from audit_log where seq = {head}"#
        ))
        .await;
        f.exec(&format!("update audit_head set seq = {next}")).await;
        assert_eq!(problem(&f).await, Tamper::Altered { seq: next });

        // Without moving the head: the chain is longer than the log recorded.
        f.exec(&format!("update audit_head set seq = {head}")).await;
        f.exec(&format!("delete from audit_log where seq = {next}")).await;
        assert!(matches!(f.candor.verify_audit(|_, _| {}).await.unwrap(), AuditReport::Intact { .. }), "restoring the rows restores the chain");

        // Inserted between two entries by renumbering the rest: the moved
        // entries no longer match their hashes.
        f.exec("update audit_log set seq = seq + 1000 where seq >= 5").await;
        f.exec("update audit_log set seq = seq - 999 where seq >= 1005").await;
        f.exec("insert into audit_log (seq, body, hash) select 5, body, hash from audit_log where seq = 4").await;
        assert_eq!(problem(&f).await, Tamper::Altered { seq: 5 });
    })
    .await;
}

#[tokio::test]
async fn a_row_that_is_not_an_entry_is_named() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let separator = match f.db.backend {
            candor_store_sql::Backend::Sqlite => "char(30)",
            candor_store_sql::Backend::Postgres => "chr(30)",
        };
        // The JSON expression index refuses a body that is not JSON, so a
        // forger drops it first.
        f.exec("drop index audit_by_subject").await;
        f.exec(&format!("update audit_log set body = body || {separator} || '{{}}' where seq = 9")).await;
        let p = problem(&f).await;
        assert!(matches!(p, Tamper::Unreadable { .. }), "{p:?}");
        f.exec("update audit_log set body = '{}', hash = 'not hex' where seq = 9").await;
        assert!(matches!(problem(&f).await, Tamper::Unreadable { .. }));
    })
    .await;
}
