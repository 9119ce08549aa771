//! KPIs and emerging phrases over the API (issue 17), with the parameters
//! of `candor analytics kpis|emerging`: typed bodies, the consent filter
//! and k-anonymity of the CLI, and bad parameters answered 422.

use std::sync::Arc;

use axum::http::{Method, StatusCode};
use candor_domain::{ConsentAction, ConsentSource, Identifier};
use candor_service::import::{ImportOptions, Progress};
use candor_test_support::{Fixture, TestDb};

use crate::Api;

/// Five customers (3001..3005) write to @northwind on Monday 2017-10-30
/// about a broken tracking link; the brand answers each after 2c minutes.
async fn with_conversations() -> Api {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let mut s = String::from("tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n");
    let mut id = 1;
    for c in 3001..=3005 {
        s.push_str(&format!("{id},{c},True,Mon Oct 30 10:00:00 +0000 2017,@northwind the tracking link is broken again,,\n"));
        s.push_str(&format!(
            "{},northwind,False,Mon Oct 30 10:{:02}:00 +0000 2017,@{c} sorry - fixing it ^AB,,{id}\n",
            id + 1,
            2 * (c - 3000)
        ));
        id += 2;
    }
    let path = f.dir().join("twcs.csv");
    std::fs::write(&path, s).unwrap();
    let options = ImportOptions { brands: vec!["northwind".into()], actor: "importer".into(), ..ImportOptions::default() };
    let summary = f.candor.import(&path, options, Arc::new(Progress::default())).await.unwrap();
    assert_eq!(summary.interactions.stored, 10);
    Api::new(f).await
}

#[tokio::test]
async fn kpis_and_emerging_phrases_are_served_and_a_customer_who_objects_drops_out() {
    let api = with_conversations().await;
    let kpis = api.call(Some("ana"), Method::GET, "/api/v1/analytics/kpis?by=week,account,agent&from=2017-10-01&to=2017-10-31", None).await;
    assert_eq!(kpis.status, StatusCode::OK, "{kpis:?}");
    let k = &kpis.json;
    assert_eq!(k["dimensions"], serde_json::json!(["week", "account", "agent"]));
    assert_eq!((k["from"].as_str(), k["to"].as_str()), (Some("2017-10-01"), Some("2017-10-31")), "{k}");
    assert_eq!((k["purpose"].as_str(), k["k"].as_u64(), k["subjects_excluded"].as_u64()), (Some("analytics"), Some(5), Some(0)));
    assert_eq!(k["default_target_s"], 3600);
    let cell = &k["cells"][0];
    assert_eq!(cell["key"], serde_json::json!(["2017-10-30", "northwind", "AB"]), "{k}");
    assert_eq!(
        (cell["customers"].as_u64(), cell["conversations"].as_u64(), cell["answered_share"].as_f64()),
        (Some(5), Some(5), Some(1.0))
    );
    assert_eq!(cell["first_response_median_s"], 360, "{cell}");

    let emerging = "/api/v1/analytics/emerging?from=2017-10-30&to=2017-10-30&min_customers=5&limit=50";
    let e = api.call(Some("ana"), Method::GET, emerging, None).await;
    assert_eq!(e.status, StatusCode::OK, "{e:?}");
    assert_eq!((e.json["previous_from"].as_str(), e.json["previous_to"].as_str()), (Some("2017-10-29"), Some("2017-10-29")));
    assert_eq!(e.json["customers"], 5);
    let phrases = e.json["phrases"].as_array().unwrap();
    assert!(phrases.iter().any(|p| p["phrase"].as_str().unwrap().contains("tracking link") && p["customers"] == 5), "{}", e.json);

    // One customer objects to analytics: the next answers count four
    // customers, fewer than k, so the cell and the phrases go.
    let id = api.f.candor.find_subject(&Identifier::handle("x", "3003").unwrap()).await.unwrap().unwrap();
    api.f.candor.record_consent("test", id, Some("analytics"), ConsentAction::Object, ConsentSource::Api).await.unwrap();
    let after = api.call(Some("ana"), Method::GET, "/api/v1/analytics/kpis?by=week,account,agent", None).await;
    assert_eq!(after.json["subjects_excluded"], 1, "{}", after.json);
    assert_eq!(after.json["cells"][0]["suppressed"], "fewer_than_k", "{}", after.json);
    assert!(after.json["cells"][0]["customers"].is_null(), "{}", after.json);
    let e = api.call(Some("ana"), Method::GET, emerging, None).await;
    assert_eq!((e.json["customers"].as_u64(), e.json["subjects_excluded"].as_u64()), (Some(4), Some(1)), "{}", e.json);
    assert_eq!(e.json["phrases"], serde_json::json!([]), "{}", e.json);

    // An agent may not read analytics.
    let agent = api.call(Some("alice"), Method::GET, "/api/v1/analytics/kpis", None).await;
    assert_eq!(agent.status, StatusCode::FORBIDDEN, "{agent:?}");
}

#[tokio::test]
async fn bad_parameters_are_answered_422_saying_which() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    for (uri, says) in [
        ("/api/v1/analytics/kpis?by=hour", "`hour` is not a dimension"),
        ("/api/v1/analytics/kpis?by=theme", "no single `theme`"),
        ("/api/v1/analytics/kpis?by=day,week", "one of `day`, `week` and `month`"),
        ("/api/v1/analytics/kpis?from=yesterday", "`from` must be a date"),
        ("/api/v1/analytics/kpis?from=2017-10-31&to=2017-10-01", "is after"),
        ("/api/v1/analytics/emerging?limit=0", "`limit` must be 1 to 1000"),
        ("/api/v1/analytics/emerging?limit=5000", "`limit` must be 1 to 1000"),
        ("/api/v1/analytics/emerging?min_customers=0", "`min_customers` must be 1"),
        ("/api/v1/analytics/emerging?to=31.10.2017", "`to` must be a date"),
        ("/api/v1/analytics/emerging?from=2017-11-02&to=2017-11-01", "is after"),
    ] {
        let r = api.call(Some("ana"), Method::GET, uri, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{uri}: {r:?}");
        assert!(r.json["detail"].as_str().unwrap_or_default().contains(says), "{uri}: {}", r.json);
    }
    // Not a number at all: the query string is malformed, as on every route.
    let r = api.call(Some("ana"), Method::GET, "/api/v1/analytics/emerging?limit=ten", None).await;
    assert_eq!((r.status, r.problem()), (StatusCode::BAD_REQUEST, Some("bad-request")), "{r:?}");
    let unknown = api.call(Some("ana"), Method::GET, "/api/v1/analytics/velocity", None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert!(unknown.json["detail"].as_str().unwrap().contains("`kpis` and `emerging`"), "{}", unknown.json);
}
