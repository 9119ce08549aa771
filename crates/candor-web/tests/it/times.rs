//! What lists and times look like over the API (issue 17): every time an
//! RFC 3339 string and every day an ISO 8601 date (policy versions, audit
//! entries, recipients' agreements, analytics periods), and a list's
//! `limit` bounded, with a `Link` to the next page.

use axum::http::{Method, StatusCode};
use candor_test_support::{Fixture, TestDb};
use time::format_description::well_known::Rfc3339;

use crate::Api;

fn rfc3339(v: &serde_json::Value) -> bool {
    v.as_str().is_some_and(|s| time::OffsetDateTime::parse(s, &Rfc3339).is_ok())
}

fn iso_date(v: &serde_json::Value) -> bool {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    v.as_str().is_some_and(|s| time::Date::parse(s, &format).is_ok())
}

#[tokio::test]
async fn times_are_rfc3339_and_days_are_iso_dates() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let versions = api.call(Some("carla"), Method::GET, "/api/v1/policy/versions", None).await;
    assert_eq!(versions.status, StatusCode::OK, "{versions:?}");
    assert!(rfc3339(&versions.json[0]["published_at"]), "{}", versions.json);
    let one = api.call(Some("carla"), Method::GET, "/api/v1/policy/versions/1", None).await;
    assert!(rfc3339(&one.json["published_at"]), "{}", one.json);

    let audit = api.call(Some("carla"), Method::GET, "/api/v1/audit?limit=5", None).await;
    assert_eq!(audit.status, StatusCode::OK, "{audit:?}");
    let entries = audit.json.as_array().unwrap();
    assert!(!entries.is_empty() && entries.iter().all(|e| rfc3339(&e["at"])), "{}", audit.json);

    let recipients = api.call(Some("carla"), Method::GET, "/api/v1/recipients", None).await;
    assert_eq!(recipients.status, StatusCode::OK, "{recipients:?}");
    for r in recipients.json.as_array().unwrap() {
        assert!(iso_date(&r["agreement"]["valid_from"]) && iso_date(&r["agreement"]["valid_until"]), "{r}");
    }
    let policy = &one.json["policy"]["recipients"];
    for r in policy.as_object().unwrap().values() {
        assert!(iso_date(&r["agreement"]["valid_until"]), "the policy object too: {r}");
    }

    let report = api.call(Some("ana"), Method::GET, "/api/v1/analytics/sentiment?from=2017-10-01&to=2017-10-31", None).await;
    assert_eq!(report.status, StatusCode::OK, "{report:?}");
    assert_eq!((report.json["from"].as_str(), report.json["to"].as_str()), (Some("2017-10-01"), Some("2017-10-31")), "{}", report.json);
}

#[tokio::test]
async fn a_limit_out_of_range_is_refused_and_a_full_page_links_to_the_next() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    for bad in ["0", "1001"] {
        let r = api.call(Some("carla"), Method::GET, &format!("/api/v1/audit?limit={bad}"), None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "limit={bad}: {r:?}");
        assert!(r.json["detail"].as_str().unwrap_or_default().contains("1 to 1000"), "{r:?}");
    }
    let first = api.call(Some("carla"), Method::GET, "/api/v1/audit?limit=2", None).await;
    assert_eq!(first.status, StatusCode::OK, "{first:?}");
    let seqs = |r: &crate::Reply| -> Vec<i64> { r.json.as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect() };
    assert_eq!(seqs(&first), [1, 2]);
    let link = first.header("link").expect("a full page says where the next starts").to_owned();
    assert_eq!(link, "</api/v1/audit?after=2&limit=2>; rel=\"next\"");
    let next = api.call(Some("carla"), Method::GET, "/api/v1/audit?after=2&limit=2", None).await;
    assert_eq!(seqs(&next)[0], 3, "{next:?}");
    let all = api.call(Some("carla"), Method::GET, "/api/v1/audit?limit=1000", None).await;
    assert!(all.header("link").is_none(), "the last page links nowhere: {all:?}");
}
