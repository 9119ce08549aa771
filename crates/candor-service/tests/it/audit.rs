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
        f.exec("update audit_log set actor = 'mallory' where seq = 7").await;
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
        let (head, hash) = f.store.audit_head().await.unwrap();
        // A forger copies the newest row as a template, links it to the
        // real head and moves the head row along; without the chain key the
        // hash cannot be right.
        let next = head + 1;
        let hash_hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        let prev = match f.db.backend {
            candor_store_sql::Backend::Sqlite => format!("x'{hash_hex}'"),
            candor_store_sql::Backend::Postgres => format!("decode('{hash_hex}', 'hex')"),
        };
        f.exec(&format!(
            "insert into audit_log (seq, at, actor, action, subject, purpose, decision, detail, prev_hash, hash) \
             select {next}, at, 'mallory', 'access.decide', subject, purpose, 'allow', detail, {prev}, hash from audit_log where seq = {head}"
        ))
        .await;
        f.exec(&format!("update audit_head set seq = {next}")).await;
        assert_eq!(problem(&f).await, Tamper::Altered { seq: next });

        // Inserted between two entries by renumbering: the renumbered
        // entries no longer match their hashes.
        f.exec(&format!("delete from audit_log where seq = {next}")).await;
        f.exec(&format!("update audit_head set seq = {head}")).await;
        assert!(matches!(f.candor.verify_audit(|_, _| {}).await.unwrap(), AuditReport::Intact { .. }), "restoring the rows restores the chain");
        f.exec("update audit_log set seq = seq + 1000 where seq >= 5").await;
        f.exec("update audit_log set seq = seq - 999 where seq >= 1005").await;
        f.exec("insert into audit_log (seq, at, actor, action, subject, purpose, decision, detail, prev_hash, hash) select 5, at, actor, action, subject, purpose, decision, detail, prev_hash, hash from audit_log where seq = 4").await;
        let p = problem(&f).await;
        assert!(matches!(p, Tamper::Altered { seq: 5 } | Tamper::Inserted { seq: 5, .. }), "{p:?}");
    })
    .await;
}
