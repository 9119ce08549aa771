//! The audit chain under attack: rows altered, inserted and deleted directly
//! in the database, each named by `verify_audit`.

use candor_domain::{CategoryId, ConsentAction, ConsentSource};
use candor_service::audit::AuditReport;
use candor_store::AuditStore as _;
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

/// More writes, each new (actors), so they can be repeated.
async fn more(f: &Fixture, tag: &str) {
    for i in 0..6 {
        f.candor.upsert_actor("test", &format!("{tag}{i}"), vec![candor_domain::Role::Agent]).await.unwrap();
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
        let AuditReport::Intact { entries, checkpoints, head_signed, witness } = f.candor.verify_audit(|_, _| {}).await.unwrap() else {
            panic!()
        };
        assert!(entries > 15);
        assert_eq!(checkpoints, entries / u64::from(candor_test_support::CHECKPOINT_EVERY));
        assert!(head_signed);
        let (head, _) = f.store.audit_head().await.unwrap();
        assert_eq!(witness.and_then(|w| w.agrees_up_to), Some(head));
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
        // The JSON expression indexes refuse a body that is not JSON, so a
        // forger drops them first.
        f.exec("drop index audit_by_subject").await;
        f.exec("drop index audit_by_subject_others").await;
        f.exec(&format!("update audit_log set body = body || {separator} || '{{}}' where seq = 9")).await;
        let p = problem(&f).await;
        assert!(matches!(p, Tamper::Unreadable { .. }), "{p:?}");
        f.exec("update audit_log set body = '{}', hash = 'not hex' where seq = 9").await;
        assert!(matches!(problem(&f).await, Tamper::Unreadable { .. }));
    })
    .await;
}

/// Move the head row to entry `seq`, copying that entry's hash, as someone
/// with the database alone would after deleting what followed it.
async fn move_head_to(f: &Fixture, seq: i64) {
    let hash = f.store.audit_entries(seq - 1, 1).await.unwrap()[0].hash;
    sqlx::query("update audit_head set seq = $1, hash = $2").bind(seq).bind(hash.to_vec()).execute(f.store.pool()).await.unwrap();
}

/// The attack from the issue: the newest entries and their checkpoints
/// deleted, the head set to an earlier entry's hash.
async fn truncate_to(f: &Fixture, keep: i64) {
    f.exec(&format!("delete from audit_log where seq > {keep}")).await;
    f.exec(&format!("delete from audit_checkpoints where seq > {keep}")).await;
    move_head_to(f, keep).await;
}

#[tokio::test]
async fn truncating_the_newest_entries_with_their_checkpoints_and_moving_the_head_back_is_reported() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let (head, _) = f.store.audit_head().await.unwrap();
        let keep = head - 6;
        truncate_to(&f, keep).await;
        assert!(matches!(problem(&f).await, Tamper::RolledBack { last, witnessed, .. } if last == keep && witnessed == head));

        // Without the witness, the head's signature gives it away, whether
        // the old one is left or removed.
        let blind = f.candor.clone().with_witness(None);
        let p = match blind.verify_audit(|_, _| {}).await.unwrap() {
            AuditReport::Tampered { problem, .. } => problem,
            other => panic!("not detected without the witness: {other:?}"),
        };
        assert_eq!(p, Tamper::HeadForged { seq: keep });
        assert!(p.to_string().contains(&format!("truncated after entry {keep}")), "{p}");
        f.exec("update audit_head set signature = null").await;
        let AuditReport::Tampered { problem, .. } = blind.verify_audit(|_, _| {}).await.unwrap() else { panic!("not detected") };
        assert_eq!(problem, Tamper::HeadUnsigned { seq: keep, since: 0 });
    })
    .await;
}

#[tokio::test]
async fn a_rollback_to_a_head_the_database_really_had_is_caught_by_the_witness() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        // Someone with the database keeps a copy of the head row...
        let (seq, hash, at, cp, sig): (i64, Vec<u8>, i64, i64, Vec<u8>) =
            sqlx::query_as("select seq, hash, at, checkpoint_seq, signature from audit_head").fetch_one(f.store.pool()).await.unwrap();
        more(&f, "later").await;
        // ...and later puts it back, with the entries and checkpoints
        // written since removed: the database alone looks consistent.
        f.exec(&format!("delete from audit_log where seq > {seq}")).await;
        f.exec(&format!("delete from audit_checkpoints where seq > {seq}")).await;
        sqlx::query("update audit_head set seq = $1, hash = $2, at = $3, checkpoint_seq = $4, signature = $5")
            .bind(seq)
            .bind(hash)
            .bind(at)
            .bind(cp)
            .bind(sig)
            .execute(f.store.pool())
            .await
            .unwrap();
        assert!(matches!(f.candor.clone().with_witness(None).verify_audit(|_, _| {}).await.unwrap(), AuditReport::Intact { .. }));
        let p = problem(&f).await;
        assert!(matches!(p, Tamper::RolledBack { last, witnessed, .. } if last == seq && witnessed > seq), "{p:?}");

        // Writing on from the rolled-back state: the chain reaches the
        // witnessed entry again, with another hash there.
        more(&f, "again").await;
        more(&f, "more").await;
        assert!(matches!(problem(&f).await, Tamper::WitnessMismatch { .. }));
    })
    .await;
}

#[tokio::test]
async fn deleting_a_checkpoint_row_alone_is_reported_by_name() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        assert_eq!(f.exec("delete from audit_checkpoints where seq = 8").await, 1);
        let p = problem(&f).await;
        assert_eq!(p, Tamper::CheckpointMissing { seq: 8 });
        assert!(p.to_string().contains("checkpoint at entry 8 is missing"), "{p}");
        // The newest one too: the signed head names it.
        let (_, last): (i64, i64) = sqlx::query_as("select seq, checkpoint_seq from audit_head").fetch_one(f.store.pool()).await.unwrap();
        f.exec(&format!("delete from audit_checkpoints where seq = {last}")).await;
        assert_eq!(problem(&f).await, Tamper::CheckpointMissing { seq: last });
    })
    .await;
}

#[tokio::test]
async fn a_forged_head_signature_is_reported() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let (head, _) = f.store.audit_head().await.unwrap();
        sqlx::query("update audit_head set signature = $1").bind(vec![7u8; 64]).execute(f.store.pool()).await.unwrap();
        assert_eq!(problem(&f).await, Tamper::HeadForged { seq: head });
        // A checkpoint's signature does not pass for a head's.
        sqlx::query("update audit_head set signature = (select signature from audit_checkpoints where seq = 8)")
            .execute(f.store.pool())
            .await
            .unwrap();
        assert_eq!(problem(&f).await, Tamper::HeadForged { seq: head });
    })
    .await;
}

#[tokio::test]
async fn a_deleted_head_row_is_reported_as_tampering() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        f.exec("delete from audit_head").await;
        let p = problem(&f).await;
        assert!(matches!(p, Tamper::HeadUnreadable { .. }) && p.to_string().contains("missing"), "{p:?}");
    })
    .await;
}

#[tokio::test]
async fn a_head_hash_of_the_wrong_type_is_reported_as_tampering() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let sqlite = f.db.backend == candor_store_sql::Backend::Sqlite;
        if sqlite {
            f.exec("update audit_head set hash = 'not a hash'").await;
        } else {
            f.exec("alter table audit_head alter column hash type text using encode(hash, 'hex')").await;
        }
        let p = problem(&f).await;
        assert!(matches!(p, Tamper::HeadUnreadable { .. }) && p.to_string().contains("head"), "{p:?}");
        if sqlite {
            f.exec("update audit_head set hash = 12345").await;
            assert!(matches!(problem(&f).await, Tamper::HeadUnreadable { .. }));
            f.exec("update audit_head set hash = zeroblob(31)").await;
            assert!(matches!(problem(&f).await, Tamper::HeadUnreadable { .. }));
        }
        // Nobody appends to a log whose head is unreadable (PostgreSQL
        // already refuses statements planned for the old column type).
        let err = f.candor.upsert_actor("test", "zed", vec![candor_domain::Role::Agent]).await.unwrap_err();
        assert!(!sqlite || err.to_string().contains("audit head"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn concurrent_appenders_writing_the_witness_out_of_order_are_not_tampering() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        // Two processes on one installation: their own store handles and
        // services, appending at once; each writes its head to the witness
        // after its own commit, in whatever order they finish.
        let other = std::sync::Arc::new(f.db.open().await.with_signer(candor_store::AuditSigner::new(f.keys.clone(), 4)));
        let second = candor_service::Candor::open(other.clone(), f.keys.clone()).await.unwrap();
        let (a, b) = tokio::join!(
            async {
                for i in 0..30 {
                    f.candor.upsert_actor("test", &format!("a{i}"), vec![candor_domain::Role::Agent]).await.unwrap();
                }
            },
            async {
                for i in 0..30 {
                    second.upsert_actor("test", &format!("b{i}"), vec![candor_domain::Role::Agent]).await.unwrap();
                }
            }
        );
        let ((), ()) = (a, b);
        let lines = std::fs::read_to_string(f.witness()).unwrap();
        assert!(lines.lines().count() >= 60, "one line an append");
        assert!(matches!(f.candor.verify_audit(|_, _| {}).await.unwrap(), AuditReport::Intact { .. }));

        // A stale head appended after a newer one, as a slow writer would.
        let first = lines.lines().next().unwrap();
        std::fs::write(f.witness(), format!("{lines}{first}\n")).unwrap();
        assert!(matches!(f.candor.verify_audit(|_, _| {}).await.unwrap(), AuditReport::Intact { .. }));
        other.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_crash_between_commit_and_witness_is_not_tampering() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        // A process that committed and died before writing its lines: the
        // witness stops short of the chain, even with a torn last line.
        let unwitnessed =
            std::sync::Arc::new(f.db.open().await.with_signer(candor_store::AuditSigner::new(f.keys.clone(), 4).with_witness(None)));
        let crashed = candor_service::Candor::open(unwitnessed.clone(), f.keys.clone()).await.unwrap();
        for i in 0..5 {
            crashed.upsert_actor("test", &format!("c{i}"), vec![candor_domain::Role::Agent]).await.unwrap();
        }
        let mut w = std::fs::OpenOptions::new().append(true).open(f.witness()).unwrap();
        std::io::Write::write_all(&mut w, b"candor-audit-head-v1 0123").unwrap();
        let AuditReport::Intact { witness, .. } = f.candor.verify_audit(|_, _| {}).await.unwrap() else { panic!("false alarm") };
        let (head, _) = f.store.audit_head().await.unwrap();
        assert!(witness.and_then(|w| w.agrees_up_to).is_some_and(|w| w < head));
        unwitnessed.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_witness_line_written_around_candor_is_reported() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        workload(&f).await;
        let text = std::fs::read_to_string(f.witness()).unwrap();
        let last = text.lines().last().unwrap().to_owned();
        // A head far beyond the chain, without a valid signature.
        let mut fields: Vec<String> = last.split(' ').map(str::to_owned).collect();
        fields[2] = "999999".into();
        std::fs::write(f.witness(), format!("{text}{}\n", fields.join(" "))).unwrap();
        assert!(matches!(problem(&f).await, Tamper::WitnessForged { seq: 999_999, .. }));
        std::fs::write(f.witness(), format!("{text}rubbish\n")).unwrap();
        assert!(matches!(problem(&f).await, Tamper::WitnessUnreadable { .. }));
    })
    .await;
}
