//! Aggregates inside the database: cells, distinct subjects, the subject
//! filter the gate hands over, contribution bounding, theme cells, and the
//! privacy-budget ledger that refuses what would pass the budget.

use candor_domain::SubjectId;
use candor_store::{
    AggregateQuery, AnalyticsStore as _, BatchStore, Bucket, Dimension, InteractionRecord, KeyRing, KeyValue, KpiQuery, Op, Side,
    StoreError, SubjectFilter, WriteBatch,
};
use candor_test_support::each_backend;
use time::macros::datetime;
use time::{Duration, OffsetDateTime};

use crate::{keys, new_subject};

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
        redacted_text: candor_store::RedactedText::fixture("text"),
        language: Some("en".into()),
        sentiment,
        themes,
        agent: None,
    }
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
async fn seed(store: &dyn BatchStore, keys: &KeyRing) -> Vec<SubjectId> {
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

/// A query leaves its cells cached; a write to the interactions empties
/// the cache in its own transaction, and the next query counts again.
#[tokio::test]
async fn writes_to_the_interactions_empty_the_analytics_cache() {
    each_backend(|db| async move {
        let store = db.open().await;
        let keys = keys();
        let subjects = seed(&store, &keys.1).await;
        let cached =
            || async { sqlx::query_as::<_, (i64,)>("select count(*) from analytics_cache").fetch_one(store.pool()).await.unwrap().0 };
        let q = query(vec![Dimension::Platform], SubjectFilter::Except(vec![]));
        let before = store.aggregate(&q).await.unwrap();
        assert_eq!(cached().await, 1);
        assert_eq!(store.aggregate(&q).await.unwrap(), before);
        // What the cache holds is what the next query answers.
        sqlx::query("update analytics_cache set cells = '[]'").execute(store.pool()).await.unwrap();
        assert!(store.aggregate(&q).await.unwrap().is_empty(), "answered from the cache");

        let row = message(99, subjects[0], datetime!(2024-05-14 10:00 UTC), "x", Some((0.6, 1)), 0);
        store.apply(WriteBatch { ops: vec![Op::InsertInteractions(vec![row])], audit: vec![] }).await.unwrap();
        assert_eq!(cached().await, 0, "the write emptied it");
        let after = store.aggregate(&q).await.unwrap();
        let x = |rows: &[candor_store::AggregateRow]| rows.iter().find(|r| r.key[0] == "x").map(|r| r.interactions).unwrap();
        assert_eq!(x(&after), x(&before) + 1);

        let op = Op::DeleteInteractions { platform: "x".into(), external_ids: vec!["99".into()], at: datetime!(2024-05-15 0:00 UTC) };
        store.apply(WriteBatch { ops: vec![op], audit: vec![] }).await.unwrap();
        assert_eq!(store.aggregate(&q).await.unwrap(), before);
    })
    .await;
}

/// A cached aggregate, corrected for the subjects whose standing changed,
/// answers exactly what counting everything again answers: each round
/// asks with the kind of filter the cache was made with (the correction)
/// and then with the other kind naming the same subjects (a recount),
/// while interactions are added and deleted in between.
#[tokio::test]
async fn a_corrected_cache_answers_as_a_recount_would() {
    each_backend(|db| async move {
        let store = db.open().await;
        let keys = keys();
        let mut subjects = seed(&store, &keys.1).await;
        let mut more = Vec::new();
        for i in 0..10 {
            let s = new_subject(&keys.1, &format!("more{i}@example.com"));
            subjects.push(s.id);
            more.push(Op::CreateSubject(Box::new(s)));
        }
        store.apply(WriteBatch { ops: more, audit: vec![] }).await.unwrap();
        let shapes = [
            vec![Dimension::Time(Bucket::Day), Dimension::Platform],
            vec![Dimension::Platform],
            vec![Dimension::Time(Bucket::Week)],
            vec![Dimension::Theme],
        ];
        let mut rng = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move |n: u64| {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng % n
        };
        let start = datetime!(2024-05-10 9:00 UTC);
        let mut external = 1_000;
        let mut except = [true; 4];
        for round in 0..64 {
            // Now and then the interactions change: some added, some deleted.
            match next(4) {
                0 => {
                    let rows: Vec<_> = (0..1 + next(3))
                        .map(|_| {
                            external += 1;
                            let who = subjects[next(subjects.len() as u64) as usize];
                            let at = start + Duration::hours(next(24 * 12) as i64);
                            let label = [(-0.5, -1), (0.0, 0), (0.7, 1)][next(3) as usize];
                            message(external, who, at, ["x", "facebook"][next(2) as usize], Some(label), next(4))
                        })
                        .collect();
                    store.apply(WriteBatch { ops: vec![Op::InsertInteractions(rows)], audit: vec![] }).await.unwrap();
                }
                1 => {
                    let ids = vec![(1 + next(external as u64) as usize).to_string()];
                    let op = Op::DeleteInteractions { platform: "x".into(), external_ids: ids, at: start };
                    store.apply(WriteBatch { ops: vec![op], audit: vec![] }).await.unwrap();
                }
                _ => {}
            }
            let which = next(shapes.len() as u64) as usize;
            let out: Vec<SubjectId> = subjects.iter().copied().filter(|_| next(3) == 0).collect();
            let inn: Vec<SubjectId> = subjects.iter().copied().filter(|s| !out.contains(s)).collect();
            let (as_cached, other) = if except[which] {
                (SubjectFilter::Except(out), SubjectFilter::Only(inn))
            } else {
                (SubjectFilter::Only(inn), SubjectFilter::Except(out))
            };
            let mut q = query(shapes[which].clone(), as_cached);
            // Bounded contributions, also where one message counts in two
            // themes and the bound falls between them.
            q.max_per_subject = (which >= 2).then_some(3);
            let corrected = store.aggregate(&q).await.unwrap();
            q.subjects = other;
            let recounted = store.aggregate(&q).await.unwrap();
            assert_eq!(corrected, recounted, "round {round}, shape {:?}", shapes[which]);
            except[which] = !except[which];
        }
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

#[tokio::test]
async fn kpis_follow_conversations_and_run_in_the_database() {
    each_backend(|db| async move {
        let store = db.open().await;
        let keys = keys();
        let t0 = datetime!(2024-05-13 09:00 UTC);
        let mut ops = Vec::new();
        let mut subjects = Vec::new();
        for i in 0..3 {
            let s = new_subject(&keys.1, &format!("k{i}@example.com"));
            subjects.push(s.id);
            ops.push(Op::CreateSubject(Box::new(s)));
        }
        let mut n = 100;
        let mut msg = |conv: &str, subject: usize, minutes: i64, outbound: Option<&str>, sentiment: f32| {
            n += 1;
            let mut m = message(n, subjects[subject], t0 + Duration::minutes(minutes), "x", Some((sentiment, 0)), 0);
            m.conversation_id = Some(conv.into());
            if let Some(agent) = outbound {
                m.direction = "outbound".into();
                m.agent = (!agent.is_empty()).then(|| agent.to_owned());
            }
            m
        };
        let rows = vec![
            // a: answered in 10 min by AB, the brand has the last word at 30 min.
            msg("a", 0, 0, None, 0.5),
            msg("a", 0, 10, Some("AB"), 0.0),
            msg("a", 0, 20, None, -0.5),
            msg("a", 0, 30, Some("CD"), 0.0),
            // b: answered in an hour by CD.
            msg("b", 1, 60, None, 0.2),
            msg("b", 1, 120, Some("CD"), 0.0),
            // c: never answered.
            msg("c", 2, 70, None, -1.0),
            // d: answered in 5 minutes, unsigned; the customer has the last word.
            msg("d", 0, 200, None, 0.0),
            msg("d", 0, 205, Some(""), 0.0),
            msg("d", 0, 210, None, 0.6),
        ];
        ops.push(Op::InsertInteractions(rows));
        store.apply(WriteBatch { ops, audit: vec![] }).await.unwrap();

        let mut q = KpiQuery {
            dimensions: vec![Dimension::Platform],
            by_agent: false,
            from_day: None,
            to_day: None,
            subjects: SubjectFilter::Except(vec![]),
            targets: vec![],
            default_target: 1800,
        };
        let rows = store.kpis(&q).await.unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        let r = &rows[0];
        assert_eq!(r.key, vec!["x".to_owned()]);
        assert_eq!((r.conversations, r.subjects, r.inbound, r.answered, r.within_target), (4, 3, 6, 3, 2));
        assert_eq!((r.first_response_median, r.first_response_p90), (Some(600), Some(3600)));
        assert_eq!((r.resolution_median, r.resolved), (Some(1800), 2));
        assert!((r.sentiment_start.unwrap() - (-0.075)).abs() < 1e-9, "{r:?}");
        assert!((r.sentiment_end.unwrap() - (-0.175)).abs() < 1e-9, "{r:?}");

        // A target per account; by agent of the first signed reply.
        q.targets = vec![("brand".into(), 4000)];
        q.by_agent = true;
        let rows = store.kpis(&q).await.unwrap();
        let by: Vec<(&str, u64, u64)> = rows.iter().map(|r| (r.key[1].as_str(), r.conversations, r.within_target)).collect();
        assert_eq!(by, vec![("?", 2, 1), ("AB", 1, 1), ("CD", 1, 1)]);

        // Drilling into a cell lists its conversations, oldest first.
        let text = |s: &str| KeyValue::Text(s.into());
        let ab = store.kpi_conversations(&q, &[text("x"), text("AB")]).await.unwrap();
        assert_eq!(ab.len(), 1);
        assert_eq!((ab[0].conversation_id.as_str(), ab[0].first_response_s, ab[0].resolution_s), ("a", Some(600), Some(1800)));
        assert_eq!((ab[0].agent.as_deref(), ab[0].first_message), (Some("AB"), t0));
        let unsigned = store.kpi_conversations(&q, &[text("x"), text("?")]).await.unwrap();
        assert_eq!(unsigned.iter().map(|c| c.conversation_id.as_str()).collect::<Vec<_>>(), vec!["c", "d"]);
        assert!(store.kpi_conversations(&q, &[text("x")]).await.is_err(), "a key of the wrong length");
        let mut by_day = q.clone();
        by_day.dimensions = vec![Dimension::Time(Bucket::Day)];
        by_day.by_agent = false;
        let day = KeyValue::Number(candor_store::analytics::day_number(t0));
        assert_eq!(store.kpi_conversations(&by_day, &[day]).await.unwrap().len(), 4);

        // The gate's filter, and the day range of the first message.
        q.by_agent = false;
        q.subjects = SubjectFilter::Except(vec![subjects[0]]);
        let r = &store.kpis(&q).await.unwrap()[0];
        assert_eq!((r.conversations, r.subjects), (2, 2));
        q.subjects = SubjectFilter::Except(vec![]);
        q.from_day = Some(candor_store::analytics::day_number(t0) + 1);
        assert!(store.kpis(&q).await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_reply_counts_only_after_the_customer_wrote() {
    each_backend(|db| async move {
        let store = db.open().await;
        let keys = keys();
        let s = new_subject(&keys.1, "opened@example.com");
        let subject = s.id;
        let t0 = datetime!(2024-05-13 09:00 UTC);
        let mut rows = Vec::new();
        // The brand opens, the customer answers 5 minutes later, the brand
        // replies (unsigned) 10 minutes after that.
        for (n, minutes, outbound) in [(1, 0, true), (2, 5, false), (3, 15, true)] {
            let mut m = message(900 + n, subject, t0 + Duration::minutes(minutes), "x", Some((0.0, 0)), 0);
            m.conversation_id = Some("opened-by-brand".into());
            if outbound {
                m.direction = "outbound".into();
                m.agent = (n == 1).then(|| "ZZ".to_owned());
            }
            rows.push(m);
        }
        store.apply(WriteBatch { ops: vec![Op::CreateSubject(Box::new(s)), Op::InsertInteractions(rows)], audit: vec![] }).await.unwrap();
        let q = KpiQuery {
            dimensions: vec![],
            by_agent: true,
            from_day: None,
            to_day: None,
            subjects: SubjectFilter::Except(vec![]),
            targets: vec![],
            default_target: 3600,
        };
        let rows = store.kpis(&q).await.unwrap();
        assert_eq!(rows.len(), 1, "{rows:?}");
        let r = &rows[0];
        assert_eq!(r.key, vec!["?".to_owned()], "the first reply after the customer wrote is unsigned");
        assert_eq!((r.answered, r.within_target, r.first_response_median), (1, 1, Some(600)));
    })
    .await;
}
