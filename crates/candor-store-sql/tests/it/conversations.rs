//! Linking conversations after an import, deferring the indexes a bulk
//! load would otherwise update row by row, and what imports read in bulk.

use std::collections::HashMap;

use candor_domain::SubjectId;
use candor_store::{BatchStore as _, InteractionRecord, InteractionStore, NewSubject, Op, Outcome, SubjectStore as _, WriteBatch};
use candor_store_sql::Backend;
use candor_test_support::{each_backend, TestDb};
use time::OffsetDateTime;

use crate::{keys, new_subject};

fn item(id: &str, reply_to: Option<&str>, conversation: Option<&str>, outbound: Option<&str>) -> InteractionRecord {
    InteractionRecord {
        subject: None,
        platform: "x".into(),
        external_id: id.into(),
        account: outbound.map(str::to_owned),
        kind: if reply_to.is_some() { "reply" } else { "mention" }.into(),
        direction: if outbound.is_some() { "outbound" } else { "inbound" }.into(),
        conversation_id: conversation.map(str::to_owned),
        reply_to: reply_to.map(str::to_owned),
        occurred_at: OffsetDateTime::now_utc(),
        sealed_text: vec![1; 40],
        redacted_text: candor_store::RedactedText::fixture("text"),
        language: None,
        sentiment: None,
        themes: 0,
        agent: None,
    }
}

async fn conversation(store: &dyn InteractionStore, id: &str) -> (Option<String>, Option<String>) {
    let r = store.interaction("x", id).await.unwrap().unwrap();
    (r.conversation_id, r.account)
}

#[tokio::test]
async fn replies_stored_before_their_parents_are_linked_through_whole_chains() {
    each_backend(|db| async move {
        let store = db.open().await;
        // d answers c answers b answers a; they arrive newest first, so
        // none knows its conversation; e's parent never arrives; f and g
        // answer each other.
        let rows = vec![
            item("d", Some("c"), None, Some("brand")),
            item("c", Some("b"), None, None),
            item("b", Some("a"), None, Some("brand")),
            item("e", Some("missing"), None, None),
            item("f", Some("g"), None, None),
            item("g", Some("f"), None, None),
        ];
        store.apply(WriteBatch { ops: vec![Op::InsertInteractions(rows), Op::LinkConversations], audit: vec![] }).await.unwrap();
        assert_eq!(conversation(&store, "d").await.0, None, "nothing to link to yet");
        let out = store
            .apply(WriteBatch {
                ops: vec![Op::InsertInteractions(vec![item("a", None, Some("a"), None)]), Op::LinkConversations],
                audit: vec![],
            })
            .await
            .unwrap();
        // b, c, d get a conversation; a and c (inbound) get the brand account.
        assert_eq!(out[1], Outcome::Count(5));
        for id in ["a", "b", "c", "d"] {
            assert_eq!(conversation(&store, id).await.0.as_deref(), Some("a"), "{id}");
        }
        assert_eq!(conversation(&store, "c").await.1.as_deref(), Some("brand"));
        assert_eq!(conversation(&store, "a").await.1.as_deref(), Some("brand"));
        for id in ["e", "f", "g"] {
            assert_eq!(conversation(&store, id).await.0, None, "{id} stays unlinked");
        }
        let again = store.apply(WriteBatch { ops: vec![Op::LinkConversations], audit: vec![] }).await.unwrap();
        assert_eq!(again, vec![Outcome::Count(0)]);
    })
    .await;
}

async fn has_subject_index(db: &TestDb, store: &candor_store_sql::SqlStore) -> bool {
    let sql = match db.backend {
        Backend::Sqlite => "select count(*) from sqlite_master where type = 'index' and name = 'interactions_by_subject'",
        Backend::Postgres => {
            "select count(*) from pg_indexes where indexname = 'interactions_by_subject' and schemaname = current_schema()"
        }
    };
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(store.pool()).await.unwrap();
    n == 1
}

#[tokio::test]
async fn deferred_indexes_come_back_when_asked_or_at_the_next_open() {
    each_backend(|db| async move {
        let store = db.open().await;
        assert!(has_subject_index(&db, &store).await);
        store.defer_indexes(true).await.unwrap();
        assert!(!has_subject_index(&db, &store).await);
        store.defer_indexes(false).await.unwrap();
        assert!(has_subject_index(&db, &store).await);
        // A bulk load killed while they were dropped: the next open rebuilds them.
        store.defer_indexes(true).await.unwrap();
        store.close().await;
        let reopened = db.open().await;
        assert!(has_subject_index(&db, &reopened).await);
    })
    .await;
}

#[tokio::test]
async fn after_refreshing_statistics_a_grown_table_is_read_by_its_lookup_index() {
    each_backend(|db| async move {
        let store = db.open().await;
        let rows: Vec<InteractionRecord> = (0..5_000).map(|i| item(&format!("m{i}"), None, Some("c"), None)).collect();
        store.apply(WriteBatch { ops: vec![Op::InsertInteractions(rows)], audit: vec![] }).await.unwrap();
        store.refresh_statistics().await.unwrap();
        // The reply-to parents an import batch looks up: each by its key,
        // not by scanning every row of the platform for them.
        let plan: Vec<String> = match db.backend {
            Backend::Sqlite => {
                let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
                    "explain query plan select external_id, subject_id, conversation_id from interactions where platform = ? and external_id in (?, ?, ?)",
                )
                .bind("x")
                .bind("m1")
                .bind("m2")
                .bind("m3")
                .fetch_all(store.pool())
                .await
                .unwrap();
                rows.into_iter().map(|r| r.3).collect()
            }
            Backend::Postgres => {
                let rows: Vec<(String,)> = sqlx::query_as(
                    "explain select external_id, subject_id, conversation_id from interactions where platform = 'x' and external_id in ('m1', 'm2', 'm3')",
                )
                .fetch_all(store.pool())
                .await
                .unwrap();
                let (tuples,): (f32,) =
                    sqlx::query_as("select reltuples from pg_class where oid = 'interactions'::regclass").fetch_one(store.pool()).await.unwrap();
                assert!(tuples >= 5_000.0, "the planner knows the table's size: {tuples}");
                rows.into_iter().map(|r| r.0).collect()
            }
        };
        let plan = plan.join("\n");
        let by_key = match db.backend {
            Backend::Sqlite => plan.contains("external_id=?"),
            Backend::Postgres => plan.lines().any(|l| l.contains("Index Cond") && l.contains("external_id")),
        };
        assert!(by_key, "{plan}");
    })
    .await;
}

#[tokio::test]
async fn an_attribute_of_many_subjects_comes_back_for_those_that_have_it() {
    each_backend(|db| async move {
        let store = db.open().await;
        let (_dir, keys) = keys();
        // More subjects than one statement's list holds.
        let subjects: Vec<NewSubject> = (0..600).map(|i| new_subject(&keys, &format!("p{i}@example.com"))).collect();
        let mut nameless = new_subject(&keys, "nameless@example.com");
        nameless.attributes.clear();
        let mut ids: Vec<SubjectId> = subjects.iter().map(|s| s.id).collect();
        ids.push(nameless.id);
        ids.push(SubjectId::new());
        let want: HashMap<SubjectId, Vec<u8>> = subjects.iter().map(|s| (s.id, s.attributes[0].sealed.clone())).collect();
        let mut ops: Vec<Op> = subjects.into_iter().map(|s| Op::CreateSubject(Box::new(s))).collect();
        ops.push(Op::CreateSubject(Box::new(nameless)));
        store.apply(WriteBatch { ops, audit: vec![] }).await.unwrap();

        let got = store.subject_attribute(&ids, "name").await.unwrap();
        assert_eq!(got.len(), 600, "neither the nameless nor the unknown subject");
        let got: HashMap<SubjectId, Vec<u8>> = got.into_iter().collect();
        assert_eq!(got, want);
        assert!(store.subject_attribute(&ids, "email").await.unwrap().is_empty(), "no subject has that attribute");
        assert!(store.subject_attribute(&[], "name").await.unwrap().is_empty());
    })
    .await;
}
