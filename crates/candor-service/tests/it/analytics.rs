//! Analytics through the gate, on both back ends: who may ask, whose
//! messages count (a withdrawal or an objection shows in the next query),
//! small cells suppressed with their complement, noise paid from a budget
//! that runs out, and every query in the audit log.

use std::sync::Arc;

use candor_domain::{ConsentAction, ConsentSource, Identifier};
use candor_privacy::dp::Epsilon;
use candor_service::analytics::{
    AnalyticsOptions, AnalyticsQuery, AnalyticsReport, DpRequest, EmergingQuery, KpiRequest, Measure, ServiceLevels,
};
use candor_service::import::{ImportOptions, Progress};
use candor_service::ServiceError;
use candor_store::{AuditStore as _, Bucket, Dimension};
use candor_test_support::{each_backend, Fixture};
use time::macros::date;

const HEAD: &str = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";

/// Twelve customers (authors 1001..1012) write to @northwind on X: on
/// Monday 2017-10-30 each writes one angry message, which the brand answers
/// for the first six (agent AB, after c minutes); on Tuesday the first nine
/// write a happy one, and customers 1010 to 1012 write about a refund.
/// Customer 1001 also writes on Wednesday (alone that day).
fn twcs() -> String {
    let mut s = String::from(HEAD);
    let mut id = 1;
    for c in 1001..=1012 {
        s.push_str(&format!(
            "{id},{c},True,Mon Oct 30 10:{:02}:00 +0000 2017,\"@northwind this is terrible and I am furious - my order is still waiting\",,\n",
            c - 1000
        ));
        id += 1;
        if c <= 1006 {
            s.push_str(&format!(
                "{id},northwind,False,Mon Oct 30 11:{:02}:00 +0000 2017,@{c} so sorry - we are on it ^AB,,{}\n",
                2 * (c - 1000),
                id - 1
            ));
            id += 1;
        }
        let text = if c <= 1009 {
            "@northwind thank you so much, great service, love it!"
        } else {
            "@northwind I want a refund, you charged me twice"
        };
        s.push_str(&format!("{id},{c},True,Tue Oct 31 11:{:02}:00 +0000 2017,\"{text}\",,\n", c - 1000));
        id += 1;
    }
    s.push_str(&format!("{id},1001,True,Wed Nov 01 09:00:00 +0000 2017,@northwind thanks again,,\n"));
    s
}

async fn setup(f: &Fixture) {
    let path = f.dir().join("twcs.csv");
    std::fs::write(&path, twcs()).unwrap();
    let options = ImportOptions { brands: vec!["northwind".into()], actor: "importer".into(), ..ImportOptions::default() };
    let s = f.candor.import(&path, options, Arc::new(Progress::default())).await.unwrap();
    assert_eq!(s.interactions.stored, 31);
}

fn options() -> AnalyticsOptions {
    AnalyticsOptions {
        k: 5,
        budget_per_month: 1.0,
        max_contributions: 2,
        themes: candor_analytics::themes::Taxonomy::default_customer_care().themes().iter().map(|t| t.name().to_owned()).collect(),
    }
}

/// Monday and Tuesday, by day.
fn by_day() -> AnalyticsQuery {
    AnalyticsQuery {
        measure: Measure::Sentiment,
        by: vec![Dimension::Time(Bucket::Day)],
        from: Some(date!(2017 - 10 - 30)),
        to: Some(date!(2017 - 10 - 31)),
        dp: None,
    }
}

fn cell<'a>(r: &'a AnalyticsReport, key: &str) -> &'a candor_service::analytics::Cell {
    r.cells.iter().find(|c| c.key[0] == key).unwrap_or_else(|| panic!("no cell {key} in {:?}", r.cells))
}

#[tokio::test]
async fn sentiment_by_day_counts_consenting_customers_and_hides_small_cells() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        setup(&f).await;
        let r = f.candor.analytics("ana", &by_day(), &options()).await.unwrap();
        let monday = cell(&r, "2017-10-30");
        assert_eq!((monday.subjects, monday.interactions), (Some(12), Some(12.0)));
        assert_eq!(monday.negative, Some(12.0), "{monday:?}");
        assert!(monday.mean_sentiment.unwrap() < -0.3);
        let tuesday = cell(&r, "2017-10-31");
        assert_eq!(tuesday.subjects, Some(12));
        assert!(tuesday.positive.unwrap() >= 9.0, "{tuesday:?}");
        assert_eq!(r.suppressed, 0);
        assert_eq!(r.total.as_ref().unwrap().interactions, Some(24.0));

        // Wednesday has one customer: hidden. With the total published it
        // could be recovered by subtraction, so a second day is hidden too.
        let all = AnalyticsQuery { from: None, to: None, ..by_day() };
        let r = f.candor.analytics("ana", &all, &options()).await.unwrap();
        assert_eq!(cell(&r, "2017-11-01").suppressed, Some("fewer_than_k"));
        assert_eq!(cell(&r, "2017-11-01").interactions, None);
        assert_eq!(r.suppressed, 2, "{:?}", r.cells);
        assert_eq!(r.cells.iter().filter(|c| c.suppressed == Some("complementary")).count(), 1);
        assert_eq!(r.total.as_ref().unwrap().interactions, Some(25.0));
        assert_eq!(r.subjects_excluded, 0);
    })
    .await;
}

#[tokio::test]
async fn an_objection_or_a_withdrawal_counts_from_the_next_query() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        setup(&f).await;
        let before = f.candor.analytics("ana", &by_day(), &options()).await.unwrap();
        assert_eq!(cell(&before, "2017-10-30").subjects, Some(12));

        // Two customers object to analytics (legitimate interests).
        for handle in ["1002", "1003"] {
            let id = f.candor.find_subject(&Identifier::handle("x", handle).unwrap()).await.unwrap().unwrap();
            f.candor.record_consent("test", id, Some("analytics"), ConsentAction::Object, ConsentSource::Api).await.unwrap();
        }
        let after = f.candor.analytics("ana", &by_day(), &options()).await.unwrap();
        assert_eq!(after.subjects_excluded, 2);
        assert_eq!(cell(&after, "2017-10-30").subjects, Some(10));
        assert_eq!(cell(&after, "2017-10-30").interactions, Some(10.0));

        // Eight more restrict processing: Monday falls under k.
        for handle in ["1004", "1005", "1006", "1007", "1008", "1009", "1010", "1011"] {
            let id = f.candor.find_subject(&Identifier::handle("x", handle).unwrap()).await.unwrap().unwrap();
            f.candor.record_consent("test", id, None, ConsentAction::Restrict, ConsentSource::Api).await.unwrap();
        }
        let last = f.candor.analytics("ana", &by_day(), &options()).await.unwrap();
        assert_eq!(last.subjects_excluded, 10);
        assert_eq!(cell(&last, "2017-10-30").suppressed, Some("fewer_than_k"));
    })
    .await;
}

#[tokio::test]
async fn the_gate_refuses_actors_without_the_role_or_the_training_and_audits_it() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        setup(&f).await;
        for actor in ["mark", "bob", "nobody"] {
            let err = f.candor.analytics(actor, &by_day(), &options()).await.unwrap_err();
            assert!(matches!(err, ServiceError::Denied(_)), "{actor}: {err}");
        }
        let entries = f.store.audit_entries(0, 10_000).await.unwrap();
        let queries: Vec<_> = entries.iter().filter(|e| e.record.action == "analytics.query").collect();
        assert_eq!(queries.len(), 3);
        assert!(queries.iter().all(|e| e.record.decision.as_deref() == Some("deny") && e.record.purpose.as_deref() == Some("analytics")));
        f.candor.analytics("ana", &by_day(), &options()).await.unwrap();
        let entries = f.store.audit_entries(0, 10_000).await.unwrap();
        let last = entries.iter().rev().find(|e| e.record.action == "analytics.query").unwrap();
        assert_eq!(last.record.actor, "ana");
        assert_eq!(last.record.detail["by"], serde_json::json!(["day"]));
    })
    .await;
}

#[tokio::test]
async fn noise_is_paid_from_a_monthly_budget_that_runs_out() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        setup(&f).await;
        let mut q = by_day();
        q.dp = Some(DpRequest { epsilon: Epsilon::new(0.6).unwrap(), delta: None });
        let r = f.candor.analytics("ana", &q, &options()).await.unwrap();
        let p = r.privacy.as_ref().unwrap();
        assert_eq!(p.mechanism, "discrete_laplace");
        assert!((p.budget_remaining - 0.4).abs() < 1e-9, "{p:?}");
        assert!(p.count_scale > 0.0);
        assert!(r.cells.iter().all(|c| c.subjects.is_none()), "distinct counts are not released with noise");
        // 0.6 more would pass the budget of 1.0.
        let err = f.candor.analytics("ana", &q, &options()).await.unwrap_err();
        assert!(matches!(err, ServiceError::BudgetExhausted { .. }), "{err}");
        assert!(err.to_string().contains("0.4"), "{err}");
        // Another actor has a budget of their own.
        f.candor.analytics("carla", &q, &options()).await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn themes_and_emerging_phrases_count_customers() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        setup(&f).await;
        let q = AnalyticsQuery { measure: Measure::Themes, by: vec![], from: None, to: None, dp: None };
        let r = f.candor.analytics("ana", &q, &options()).await.unwrap();
        assert_eq!(r.dimensions, vec!["theme"]);
        assert!(r.total.is_none(), "themes overlap: no total");
        let praise = r.cells.iter().find(|c| c.key[0] == "praise").unwrap();
        assert_eq!(praise.subjects, Some(9), "{:?}", r.cells);
        let refund = r.cells.iter().find(|c| c.key[0] == "refund").unwrap();
        assert_eq!(refund.suppressed, Some("fewer_than_k"), "three customers asked for a refund");

        let e = EmergingQuery { from: date!(2017 - 10 - 31), to: date!(2017 - 10 - 31), min_customers: 1, limit: 10 };
        let r = f.candor.emerging("ana", &e, &options()).await.unwrap();
        assert_eq!((r.customers, r.previous_customers), (12, 12));
        assert!(r.phrases.iter().any(|p| p.phrase.contains("great service") && p.customers == 9), "{:?}", r.phrases);
        assert!(r.phrases.iter().all(|p| p.customers >= 5), "never fewer than k customers");
        assert!(!r.phrases.iter().any(|p| p.phrase.contains("refund")), "three customers are fewer than k");
        let far = EmergingQuery { from: time::Date::MIN, to: date!(2017 - 10 - 31), min_customers: 1, limit: 10 };
        let err = f.candor.emerging("ana", &far, &options()).await.unwrap_err();
        assert!(err.to_string().contains("before the calendar"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn kpis_time_first_responses_per_account_and_agent() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        setup(&f).await;
        let levels = ServiceLevels { default_seconds: 3600, accounts: vec![("northwind".into(), 3600 + 3 * 60)] };
        let req = KpiRequest { by: vec![Dimension::Time(Bucket::Day)], by_agent: true, from: None, to: Some(date!(2017 - 10 - 30)) };
        let r = f.candor.kpis("ana", &req, &options(), &levels).await.unwrap();
        assert_eq!(r.dimensions, vec!["day", "agent"]);
        // Six conversations answered by AB after 61 .. 66 minutes (60 + c),
        // six never answered.
        let ab = r.cells.iter().find(|c| c.key[1] == "AB").unwrap();
        assert_eq!((ab.customers, ab.conversations), (Some(6), Some(6)));
        assert_eq!(ab.answered_share, Some(1.0));
        assert_eq!(ab.first_response_median_s, Some(3600 + 3 * 60), "nearest rank 3 of 6");
        assert_eq!(ab.first_response_p90_s, Some(3600 + 6 * 60), "nearest rank 6 of 6");
        assert_eq!(ab.service_level, Some(3.0 / 6.0), "within the account's 63 minutes: 61, 62, 63");
        let unanswered = r.cells.iter().find(|c| c.key[1] == "?").unwrap();
        assert_eq!(unanswered.answered_share, Some(0.0));

        // An agent drills into the AB cell; a restricted customer's
        // conversation is not listed; an analyst may not drill.
        let cell = ["2017-10-30".to_owned(), "AB".to_owned()];
        let d = f.candor.kpi_drill("alice", &req, &cell, &options(), &levels).await.unwrap();
        assert_eq!(d.conversations.len(), 6);
        assert!(d.conversations.iter().all(|c| c.agent.as_deref() == Some("AB") && c.first_response_s.is_some()));
        let id = f.candor.find_subject(&Identifier::handle("x", "1001").unwrap()).await.unwrap().unwrap();
        f.candor.record_consent("test", id, None, ConsentAction::Restrict, ConsentSource::Api).await.unwrap();
        assert_eq!(f.candor.kpi_drill("alice", &req, &cell, &options(), &levels).await.unwrap().conversations.len(), 5);
        let entries = f.store.audit_entries(0, 10_000).await.unwrap();
        let drills = entries.iter().filter(|e| e.record.action == "analytics.drill" && e.record.subject.is_some()).count();
        assert_eq!(drills, 6 + 5, "one entry per customer shown, each time");
        // Under k customers: refused, as the cell is suppressed.
        let one = KpiRequest { by: vec![Dimension::Time(Bucket::Day)], by_agent: false, from: None, to: None };
        let err = f.candor.kpi_drill("alice", &one, &["2017-11-01".to_owned()], &options(), &levels).await.unwrap_err();
        assert!(err.to_string().contains("fewer than 5 customers"), "{err}");
        assert!(matches!(f.candor.kpi_drill("ana", &req, &cell, &options(), &levels).await, Err(ServiceError::Denied(_))));

        // Grouping by theme is refused: a conversation has many.
        let bad = KpiRequest { by: vec![Dimension::Theme], by_agent: false, from: None, to: None };
        assert!(matches!(f.candor.kpis("ana", &bad, &options(), &levels).await, Err(ServiceError::InvalidInput(_))));
        // The gate applies to KPIs as to everything else.
        assert!(matches!(f.candor.kpis("mark", &req, &options(), &levels).await, Err(ServiceError::Denied(_))));
    })
    .await;
}

/// KPIs and phrase counts are kept between queries (they read every
/// conversation), but never past what they depend on: an objection and an
/// import each show in the very next answer, and every query is still
/// audited.
#[tokio::test]
async fn kept_kpis_and_phrases_follow_each_objection_and_import() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        setup(&f).await;
        let levels = ServiceLevels { default_seconds: 3600, accounts: Vec::new() };
        let req = KpiRequest { by: vec![Dimension::Time(Bucket::Day)], by_agent: false, from: None, to: None };
        let day = |r: &candor_service::analytics::KpiReport, d: &str| r.cells.iter().find(|c| c.key[0] == d).and_then(|c| c.customers);
        let e = EmergingQuery { from: date!(2017 - 10 - 31), to: date!(2017 - 10 - 31), min_customers: 1, limit: 10 };
        let first = f.candor.kpis("ana", &req, &options(), &levels).await.unwrap();
        assert_eq!(day(&first, "2017-10-30"), Some(12));
        assert_eq!(f.candor.emerging("ana", &e, &options()).await.unwrap().customers, 12);
        let again = f.candor.kpis("ana", &req, &options(), &levels).await.unwrap();
        assert_eq!(again.cells, first.cells, "the same answer, kept");

        let id = f.candor.find_subject(&Identifier::handle("x", "1002").unwrap()).await.unwrap().unwrap();
        f.candor.record_consent("test", id, Some("analytics"), ConsentAction::Object, ConsentSource::Api).await.unwrap();
        assert_eq!(
            day(&f.candor.kpis("ana", &req, &options(), &levels).await.unwrap(), "2017-10-30"),
            Some(11),
            "the objection counts at once"
        );
        assert_eq!(f.candor.emerging("ana", &e, &options()).await.unwrap().customers, 11);

        let more = f.dir().join("more.csv");
        std::fs::write(&more, format!("{HEAD}900,2001,True,Mon Oct 30 12:00:00 +0000 2017,@northwind where is my parcel,,\n")).unwrap();
        let options_import = ImportOptions { brands: vec!["northwind".into()], actor: "importer".into(), ..ImportOptions::default() };
        f.candor.import(&more, options_import, Arc::new(Progress::default())).await.unwrap();
        assert_eq!(
            day(&f.candor.kpis("ana", &req, &options(), &levels).await.unwrap(), "2017-10-30"),
            Some(12),
            "the import counts at once"
        );

        let entries = f.store.audit_entries(0, 10_000).await.unwrap();
        let queries = entries.iter().filter(|e| e.record.action == "analytics.query").count();
        assert_eq!(queries, 6, "every query is audited, kept or not");
    })
    .await;
}
