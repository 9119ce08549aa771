//! Every time the API writes is an RFC 3339 string, and every day an ISO
//! 8601 date (issue 17): policy versions, audit entries, recipients'
//! agreements, analytics periods, rights requests.

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
