//! What the store keeps and gives back, on each back end.

use std::sync::Arc;

use candor_domain::{ConsentAction, ConsentEvent, ConsentSource, PurposeId, Role, SubjectId};
use candor_store::{
    AccessStore as _, AuditSigner, AuditStore as _, BatchStore as _, ChainVerifier, ConsentStore as _, InteractionRecord,
    InteractionStore as _, KeyRing, KeyStore as _, Op, Outcome, PolicyStore as _, StoreError, SubjectStore as _, WriteBatch,
};
use candor_store_sql::SqlStore;
use candor_test_support::{each_backend, TestDb};
use time::OffsetDateTime;

use crate::{audit, new_subject};

async fn signed(db: &TestDb, every: u32) -> (tempfile::TempDir, Arc<KeyRing>, SqlStore) {
    let dir = tempfile::tempdir().unwrap();
    KeyRing::create(dir.path()).unwrap();
    let keys = Arc::new(KeyRing::load_with(dir.path(), None).unwrap());
    let store = db.open().await.with_signer(AuditSigner::new(keys.clone(), every));
    (dir, keys, store)
}

fn publish(content: &str) -> Op {
    let policy = candor_domain::policy::check("p.toml", content).unwrap();
    Op::PublishPolicy {
        content_hash: {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            content.hash(&mut h);
            format!("{:016x}", h.finish())
        },
        content: content.into(),
        recipients: policy.recipients.values().cloned().collect(),
        at: OffsetDateTime::now_utc(),
    }
}

#[tokio::test]
async fn policy_versions_are_numbered_and_identical_content_is_not_stored_twice() {
    each_backend(|db| async move {
        let (_k, _keys, store) = signed(&db, 100).await;
        let v1 = candor_domain::EXAMPLE_POLICY.to_owned();
        let v2 = v1.replace("retention_days = 180", "retention_days = 200");
        let out = store.apply(WriteBatch::one(publish(&v1), audit("policy.publish"))).await.unwrap();
        assert_eq!(out, vec![Outcome::PolicyVersion { version: 1, created: true }]);
        let out = store.apply(WriteBatch::one(publish(&v1), audit("policy.publish"))).await.unwrap();
        assert_eq!(out, vec![Outcome::PolicyVersion { version: 1, created: false }]);
        let out = store.apply(WriteBatch::one(publish(&v2), audit("policy.publish"))).await.unwrap();
        assert_eq!(out, vec![Outcome::PolicyVersion { version: 2, created: true }]);
        let versions = store.policy_versions().await.unwrap();
        assert_eq!(versions.iter().map(|v| v.version).collect::<Vec<_>>(), vec![1, 2]);
        assert_eq!(versions[1].content, v2);
        assert_eq!(store.latest_policy_version().await.unwrap(), Some(2));
        let recipients = store.recipients().await.unwrap();
        assert_eq!(recipients.len(), 1);
        assert_eq!(
            (recipients[0].id.as_str(), recipients[0].policy_version, recipients[0].reference.as_str()),
            ("helpdesk_vendor", 2, "DPA-2025-014")
        );
        assert_eq!(recipients[0].valid_until.to_string(), "2027-12-31");
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn subjects_are_found_through_the_blind_index_and_identifiers_stay_unique() {
    each_backend(|db| async move {
        let (_k, keys, store) = signed(&db, 100).await;
        let s = new_subject(&keys, "alice@example.com");
        let id = s.id;
        store.apply(WriteBatch::one(Op::CreateSubject(Box::new(s)), audit("subject.create"))).await.unwrap();
        assert_eq!(store.find_subject(&keys.blind_index("email", "alice@example.com")).await.unwrap(), Some(id));
        assert_eq!(store.find_subject(&keys.blind_index("email", "bob@example.com")).await.unwrap(), None);
        let back = store.subject(id).await.unwrap().unwrap();
        assert_eq!(back.pseudonym, keys.pseudonym(id.as_uuid()));
        assert_eq!(back.identities.len(), 1);
        let key = keys.unwrap(id.as_uuid().as_bytes(), &back.key).unwrap();
        assert_eq!(key.open(b"email", &back.identities[0].sealed).unwrap(), b"alice@example.com");
        let err = store
            .apply(WriteBatch::one(Op::CreateSubject(Box::new(new_subject(&keys, "alice@example.com"))), audit("subject.create")))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::IdentityTaken { .. }), "{err}");
        assert!(store.subject(SubjectId::new()).await.unwrap().is_none());
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn personal_fields_never_reach_the_database_in_clear() {
    each_backend(|db| async move {
        let (_k, keys, store) = signed(&db, 100).await;
        let email = "needle.person@example.com";
        let s = new_subject(&keys, email);
        let sid = s.id;
        store.apply(WriteBatch::one(Op::CreateSubject(Box::new(s)), audit("subject.create"))).await.unwrap();
        let text = "my card is 4111 1111 1111 1111, needle.person@example.com";
        let row = InteractionRecord {
            subject: Some(sid),
            platform: "x".into(),
            external_id: "1".into(),
            account: None,
            kind: "mention".into(),
            direction: "inbound".into(),
            conversation_id: None,
            reply_to: None,
            occurred_at: OffsetDateTime::now_utc(),
            sealed_text: candor_store::DataKey::generate().seal(b"t", text.as_bytes()),
            redacted_text: candor_store::RedactedText::fixture("my card is <CARD>, <EMAIL>"),
            language: Some("en".into()),
            sentiment: Some((0.5, 1)),
            themes: 0,
            agent: None,
        };
        store.apply(WriteBatch { ops: vec![Op::InsertInteractions(vec![row])], audit: vec![] }).await.unwrap();
        match db.sqlite_file() {
            Some(file) => {
                store.close().await;
                let mut bytes = std::fs::read(&file).unwrap();
                bytes.extend(std::fs::read(file.with_extension("db-wal")).unwrap_or_default());
                for needle in [email.as_bytes(), b"Test Person", b"4111 1111"] {
                    assert!(!bytes.windows(needle.len()).any(|w| w == needle), "`{}` found in the SQLite file", String::from_utf8_lossy(needle));
                }
            }
            None => {
                // Every column of every row, as text, searched by the server.
                for table in ["subjects", "subject_attributes", "identities", "interactions", "audit_log"] {
                    let sql = format!("select count(*) from {table} t where position($1 in encode(convert_to(t::text, 'UTF8'), 'escape')) > 0 or position($2 in t::text) > 0");
                    let (n,): (i64,) = sqlx::query_as(&sql).bind(email).bind("Test Person").fetch_one(store.pool()).await.unwrap();
                    assert_eq!(n, 0, "plaintext found in {table}");
                }
                store.close().await;
            }
        }
    })
    .await;
}

fn grant(purpose: &str, v: u32) -> ConsentEvent {
    ConsentEvent {
        purpose: Some(PurposeId::parse(purpose).unwrap()),
        action: ConsentAction::Grant,
        policy_version: v,
        source: ConsentSource::Cli,
        at: OffsetDateTime::now_utc(),
    }
}

#[tokio::test]
async fn the_consent_ledger_keeps_order_and_refuses_unknown_subjects() {
    each_backend(|db| async move {
        let (_k, keys, store) = signed(&db, 100).await;
        let s = new_subject(&keys, "c@example.com");
        let id = s.id;
        store.apply(WriteBatch::one(Op::CreateSubject(Box::new(s)), audit("subject.create"))).await.unwrap();
        let mut ids = Vec::new();
        for (i, e) in [
            grant("personalization", 1),
            ConsentEvent { action: ConsentAction::Withdraw, ..grant("personalization", 1) },
            ConsentEvent { purpose: None, action: ConsentAction::Restrict, ..grant("x", 2) },
        ]
        .into_iter()
        .enumerate()
        {
            let out = store
                .apply(WriteBatch::one(
                    Op::AppendConsent { subject: id, event: e, receipt: (i == 0).then(|| "{}".into()) },
                    audit("consent"),
                ))
                .await
                .unwrap();
            let Outcome::ConsentId(n) = out[0] else { panic!("{out:?}") };
            ids.push(n);
        }
        let events = store.consent_events(id).await.unwrap();
        assert_eq!(events.iter().map(|e| e.id).collect::<Vec<_>>(), ids);
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(
            events.iter().map(|e| e.event.action).collect::<Vec<_>>(),
            vec![ConsentAction::Grant, ConsentAction::Withdraw, ConsentAction::Restrict]
        );
        assert_eq!(events[0].receipt.as_deref(), Some("{}"));
        assert_eq!(events[2].event.purpose, None);
        assert_eq!(events[2].event.policy_version, 2);

        let stranger = SubjectId::new();
        let err = store
            .apply(WriteBatch::one(Op::AppendConsent { subject: stranger, event: grant("analytics", 1), receipt: None }, audit("consent")))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownSubject(s) if s == stranger), "{err}");
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn interactions_are_stored_once_per_platform_and_external_id() {
    each_backend(|db| async move {
        let (_k, keys, store) = signed(&db, 100).await;
        let s = new_subject(&keys, "i@example.com");
        let sid = s.id;
        store.apply(WriteBatch::one(Op::CreateSubject(Box::new(s)), audit("subject.create"))).await.unwrap();
        let row = |ext: &str, platform: &str| InteractionRecord {
            subject: Some(sid),
            platform: platform.into(),
            external_id: ext.into(),
            account: None,
            kind: "reply".into(),
            direction: "inbound".into(),
            conversation_id: Some("c1".into()),
            reply_to: None,
            occurred_at: OffsetDateTime::now_utc(),
            sealed_text: vec![1; 40],
            redacted_text: candor_store::RedactedText::fixture("hi"),
            language: None,
            sentiment: None,
            themes: 0,
            agent: None,
        };
        let first: Vec<_> = (0..1200).map(|i| row(&i.to_string(), "x")).collect();
        let out = store.apply(WriteBatch { ops: vec![Op::InsertInteractions(first)], audit: vec![] }).await.unwrap();
        assert_eq!(out, vec![Outcome::Count(1200)]);
        let again: Vec<_> = (1100..1300).map(|i| row(&i.to_string(), "x")).chain([row("5", "facebook")]).collect();
        let out = store.apply(WriteBatch { ops: vec![Op::InsertInteractions(again)], audit: vec![] }).await.unwrap();
        assert_eq!(out, vec![Outcome::Count(101)], "only the 100 new ids and the other platform's id are new");
        assert_eq!(store.interaction_count().await.unwrap(), 1301);
        let back = store.interaction("x", "7").await.unwrap().unwrap();
        assert_eq!((back.subject, back.conversation_id.as_deref(), back.sealed_text.len()), (Some(sid), Some("c1"), 40));
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn rewrapping_replaces_keys_and_counts_follow() {
    each_backend(|db| async move {
        let (_k, keys, store) = signed(&db, 100).await;
        let mut ids = Vec::new();
        for i in 0..3 {
            let s = new_subject(&keys, &format!("r{i}@example.com"));
            ids.push(s.id);
            store.apply(WriteBatch::one(Op::CreateSubject(Box::new(s)), audit("subject.create"))).await.unwrap();
        }
        assert_eq!(store.key_counts().await.unwrap(), vec![("k1".to_owned(), 3)]);
        let pending = store.keys_not_under("k2", 2).await.unwrap();
        assert_eq!(pending.len(), 2);
        let moved: Vec<_> = pending
            .into_iter()
            .map(|(s, mut w)| {
                w.kek_id = "k2".into();
                (s, w)
            })
            .collect();
        let out = store.apply(WriteBatch::one(Op::Rewrap(moved), audit("keys.rewrap"))).await.unwrap();
        assert_eq!(out, vec![Outcome::Count(2)]);
        assert_eq!(store.key_counts().await.unwrap(), vec![("k1".to_owned(), 1), ("k2".to_owned(), 2)]);
        assert_eq!(store.keys_not_under("k2", 10).await.unwrap().len(), 1);
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn actors_keep_their_latest_training_and_unknown_actors_are_refused() {
    each_backend(|db| async move {
        let (_k, _keys, store) = signed(&db, 100).await;
        let now = OffsetDateTime::now_utc();
        store
            .apply(WriteBatch::one(
                Op::UpsertActor { id: "alice".into(), roles: vec![Role::Agent, Role::Analyst], at: now },
                audit("actor"),
            ))
            .await
            .unwrap();
        for days in [30, 400, 10] {
            let op = Op::AttestTraining {
                actor: "alice".into(),
                course: "privacy".into(),
                at: now,
                expires_at: now + time::Duration::days(days),
            };
            store.apply(WriteBatch::one(op, audit("attest"))).await.unwrap();
        }
        let a = store.actor("alice").await.unwrap().unwrap();
        assert_eq!(a.roles, vec![Role::Agent, Role::Analyst]);
        assert_eq!(a.training_expires_at.map(|t| t.unix_timestamp()), Some((now + time::Duration::days(400)).unix_timestamp()));
        let err = store
            .apply(WriteBatch::one(
                Op::AttestTraining { actor: "ghost".into(), course: "x".into(), at: now, expires_at: now },
                audit("attest"),
            ))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::UnknownActor(ref a) if a == "ghost"), "{err}");
        assert!(store.actor("ghost").await.unwrap().is_none());
        assert_eq!(store.actors().await.unwrap(), vec![a], "the list holds what the lookup does");
        store.close().await;
    })
    .await;
}

#[tokio::test]
async fn audit_entries_form_a_chain_with_signed_checkpoints() {
    each_backend(|db| async move {
        let (_k, keys, store) = signed(&db, 3).await;
        for n in 0..4 {
            let records = (0..n + 1).map(|i| audit(&format!("batch{n}.{i}"))).collect();
            store.apply(WriteBatch { ops: vec![], audit: records }).await.unwrap();
        }
        let entries = store.audit_entries(0, 1000).await.unwrap();
        assert_eq!(entries.len(), 10);
        assert_eq!(entries.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=10).collect::<Vec<_>>());
        let cps = store.audit_checkpoints().await.unwrap();
        assert_eq!(cps.iter().map(|c| c.seq).collect::<Vec<_>>(), vec![3, 6, 9]);
        assert_eq!(cps.iter().map(|c| c.prev).collect::<Vec<_>>(), vec![Some(0), Some(3), Some(6)], "each names the one before");
        let state = store.audit_state().await.unwrap();
        assert_eq!((state.head.seq, state.head.checkpoint, state.last_seq, &state.checkpoints), (10, 9, 10, &cps));
        assert!(state.head.is_signed_by(&keys.verifying_key()));
        let page = store.audit_links(0, 10).await.unwrap();
        let links: Vec<_> = page.iter().collect();
        assert_eq!(links.iter().map(|l| l.seq).collect::<Vec<_>>(), (1..=10).collect::<Vec<_>>());
        let mut v = ChainVerifier::new(&keys.verifying_key(), keys.audit_chain_key(), cps).unwrap();
        for (l, e) in links.iter().zip(&entries) {
            assert_eq!((l.hash, candor_store::AuditRecord::parse(l.body).unwrap()), (e.hash, e.record.clone()));
            v.push(l).unwrap();
        }
        let verified = v.finish(&state.head).unwrap();
        assert_eq!((verified.entries, verified.checkpoints, verified.head_signed), (10, 3, true));
        assert_eq!(store.audit_head().await.unwrap(), (10, entries[9].hash));
        assert_eq!(store.audit_last_seq().await.unwrap(), 10);
        assert_eq!(store.audit_entries(8, 1).await.unwrap()[0].seq, 9);
        assert_eq!(store.audit_links(3, 5).await.unwrap().iter().map(|l| l.seq).collect::<Vec<_>>(), vec![4, 5]);
        assert!(store.audit_links(10, 20).await.unwrap().is_empty());
        store.close().await;
    })
    .await;
}
