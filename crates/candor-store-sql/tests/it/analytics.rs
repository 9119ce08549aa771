//! Aggregates inside the database: cells, distinct subjects, the subject
//! filter the gate hands over, contribution bounding, theme cells, and the
//! privacy-budget ledger that refuses what would pass the budget.

use candor_domain::SubjectId;
use candor_store::{AggregateQuery, Bucket, Dimension, InteractionRecord, KeyRing, Op, Side, Store, StoreError, SubjectFilter, WriteBatch};
use candor_test_support::each_backend;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::new_subject;

fn message(
    id: usize,
    subject: SubjectId,
    at: OffsetDateTime,
    platform: &str,
    sentiment: Option<(f32, i8)>,
    themes: u64,
) -> InteractionRecord {
    InteractionRecord {
        subject: Some(subject),
        platform: platform.into(),
        external_id: id.to_string(),
        account: Some("brand".into()),
        kind: "mention".into(),
        direction: "inbound".into(),
        conversation_id: Some(id.to_string()),
        reply_to: None,
        occurred_at: at,
        sealed_text: vec![0; 40],
        redacted_text: "text".into(),
        language: Some("en".into()),
        sentiment,
        themes,
    }
}

fn keys() -> (tempfile::TempDir, KeyRing) {
    let dir = tempfile::tempdir().unwrap();
    KeyRing::create(dir.path()).unwrap();
    let keys = KeyRing::load_with(dir.path(), None).unwrap();
    (dir, keys)
}

fn query(dimensions: Vec<Dimension>, subjects: SubjectFilter) -> AggregateQuery {
    AggregateQuery {
        dimensions,
        from_day: None,
        to_day: None,
        side: Some(Side::Inbound),
        subjects,
        themes: vec![("delay".into(), 1), ("refund".into(), 2)],
        max_per_subject: None,
    }
}

/// Six subjects; subject i writes i+1 messages on Monday 2024-05-13 on
/// `x` (positive when i is even), and one on Sunday 2024-05-19 on
/// `facebook` (negative, about a delay and a refund).
async fn seed(store: &dyn Store, keys: &KeyRing) -> Vec<SubjectId> {
    let monday = datetime!(2024-05-13 10:00 UTC);
    let mut ops = Vec::new();
    let mut subjects = Vec::new();
    let mut rows = Vec::new();
    let mut n = 0;
    for i in 0..6 {
        let s = new_subject(keys, &format!("s{i}@example.com"));
        subjects.push(s.id);
        for j in 0..=i {
            n += 1;
            let label = if i % 2 == 0 { (0.6, 1) } else { (0.0, 0) };
            rows.push(message(n, s.id, monday + Duration::minutes(j as i64), "x", Some(label), 0));
        }
        n += 1;
        rows.push(message(n, s.id, monday + Duration::days(6), "facebook", Some((-0.5, -1)), 1 | 2));
        ops.push(Op::CreateSubject(Box::new(s)));
    }
    ops.push(Op::InsertInteractions(rows));
    store.apply(WriteBatch { ops, audit: vec![] }).await.unwrap();
    subjects
}

#[tokio::test]
async fn cells_count_messages_and_distinct_subjects_inside_the_database() {
    each_backend(|db| async move {
        let store = db.open().await;
        let keys = keys();
        let subjects = seed(&store, &keys.1).await;
        let rows =
            store.aggregate(&query(vec![Dimension::Time(Bucket::Day), Dimension::Platform], SubjectFilter::Except(vec![]))).await.unwrap();
        assert_eq!(rows.len(), 2, "{rows:?}");
        let monday = &rows[0];
        assert_eq!(monday.key, vec!["2024-05-13".to_owned(), "x".to_owned()]);
        assert_eq!((monday.subjects, monday.interactions), (6, 21));
        assert_eq!((monday.positive, monday.neutral, monday.negative), (1 + 3 + 5, 2 + 4 + 6, 0));
        assert!((monday.sentiment_sum - 0.6 * 9.0).abs() < 1e-4);
        assert_eq!(monday.sentiment_count, 21);
        let sunday = &rows[1];
        assert_eq!(sunday.key, vec!["2024-05-19".to_owned(), "facebook".to_owned()]);
        assert_eq!((sunday.subjects, sunday.interactions, sunday.negative), (6, 6, 6));

        // A week holds both days; a month too.
        let weeks = store.aggregate(&query(vec![Dimension::Time(Bucket::Week)], SubjectFilter::Except(vec![]))).await.unwrap();
        assert_eq!(weeks.len(), 1);
        assert_eq!((weeks[0].key[0].as_str(), weeks[0].subjects, weeks[0].interactions), ("2024-05-13", 6, 27));
        let months = store.aggregate(&query(vec![Dimension::Time(Bucket::Month)], SubjectFilter::Except(vec![]))).await.unwrap();
        assert_eq!(months[0].key[0], "2024-05-01");

        // The gate's filter: two subjects out; only two in.
        let out = store.aggregate(&query(vec![Dimension::Platform], SubjectFilter::Except(subjects[4..].to_vec()))).await.unwrap();
        let x = out.iter().find(|r| r.key[0] == "x").unwrap();
        assert_eq!((x.subjects, x.interactions), (4, 1 + 2 + 3 + 4));
        let only = store.aggregate(&query(vec![Dimension::Platform], SubjectFilter::Only(subjects[..2].to_vec()))).await.unwrap();
        let x = only.iter().find(|r| r.key[0] == "x").unwrap();
        assert_eq!((x.subjects, x.interactions), (2, 3));
        assert!(store.aggregate(&query(vec![Dimension::Platform], SubjectFilter::Only(vec![]))).await.unwrap().is_empty());

        // Days outside the range are not counted.
        let mut q = query(vec![Dimension::Platform], SubjectFilter::Except(vec![]));
        q.to_day = Some(candor_store::analytics::day_number(datetime!(2024-05-19 0:00 UTC)));
        let rows = store.aggregate(&q).await.unwrap();
        assert_eq!(rows.iter().map(|r| r.key[0].as_str()).collect::<Vec<_>>(), vec!["x"]);
    })
    .await;
}

#[tokio::test]
async fn a_message_counts_in_each_of_its_themes_and_contributions_are_bounded() {
    each_backend(|db| async move {
        let store = db.open().await;
        let keys = keys();
        seed(&store, &keys.1).await;
        let rows = store.aggregate(&query(vec![Dimension::Theme], SubjectFilter::Except(vec![]))).await.unwrap();
        let names: Vec<_> = rows.iter().map(|r| (r.key[0].as_str(), r.interactions, r.subjects)).collect();
        assert_eq!(names, vec![("delay", 6, 6), ("refund", 6, 6)]);

        // Each subject adds at most two rows to the whole result.
        let mut q = query(vec![Dimension::Platform], SubjectFilter::Except(vec![]));
        q.max_per_subject = Some(2);
        let rows = store.aggregate(&q).await.unwrap();
        let total: u64 = rows.iter().map(|r| r.interactions).sum();
        assert_eq!(total, 12, "{rows:?}");
        assert!(rows.iter().all(|r| r.interactions <= 12));
    })
    .await;
}

#[tokio::test]
async fn the_budget_ledger_refuses_a_spend_that_would_pass_the_limit() {
    each_backend(|db| async move {
        let store = db.open().await;
        let now = OffsetDateTime::now_utc();
        let since = now - Duration::days(1);
        let spend = |eps: u64| WriteBatch {
            ops: vec![Op::SpendBudget {
                actor: "ana".into(),
                since,
                epsilon_micros: eps,
                limit_micros: 1_000_000,
                query: "{}".into(),
                at: now,
            }],
            audit: vec![],
        };
        store.apply(spend(600_000)).await.unwrap();
        let err = store.apply(spend(500_000)).await.unwrap_err();
        assert!(
            matches!(err, StoreError::BudgetExhausted { spent_micros: 600_000, limit_micros: 1_000_000, requested_micros: 500_000 }),
            "{err:?}"
        );
        store.apply(spend(400_000)).await.unwrap();
        assert_eq!(store.budget_spent("ana", since).await.unwrap(), 1_000_000);
        assert_eq!(store.budget_spent("bob", since).await.unwrap(), 0);
        assert_eq!(store.budget_spent("ana", now + Duration::seconds(1)).await.unwrap(), 0, "a new period starts empty");
    })
    .await;
}
