//! Every list over the API a page at a time (issue 17, point 7): a
//! bounded `limit` (422 outside 1 to 1000), a `Link: rel="next"` while
//! there are more, following the links returns every item once, and a
//! cursor the list did not give is a 422 that says so.

use axum::http::{Method, StatusCode};
use candor_domain::{ConsentAction, ConsentSource, RightKind};
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{Fixture, TestDb};

use crate::Api;

/// The path and query of a `Link: <…>; rel="next"`.
fn next_of(link: &str) -> String {
    let (target, rel) = link.split_once(">; ").expect("a link");
    assert_eq!(rel, "rel=\"next\"");
    target.trim_start_matches('<').to_owned()
}

/// Follow the links from `first`, as `actor`; every page's items.
async fn walk(api: &Api, actor: &str, first: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    let mut uri = first.to_owned();
    for _ in 0..100 {
        let r = api.call(Some(actor), Method::GET, &uri, None).await;
        assert_eq!(r.status, StatusCode::OK, "{uri}: {r:?}");
        all.extend(r.json.as_array().unwrap_or_else(|| panic!("{uri}: a list: {r:?}")).iter().cloned());
        match r.header("link") {
            Some(l) => uri = next_of(l),
            None => return all,
        }
    }
    panic!("the pages never ended")
}

#[tokio::test]
async fn every_list_is_bounded_linked_and_walks_to_every_item_once() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let c = &api.f.candor;
    let mut subjects = Vec::new();
    for n in 0..3 {
        let input = NewSubjectInput { email: Some(format!("p{n}@example.com")), ..Default::default() };
        subjects.push(c.add_subject("test", &input).await.unwrap());
    }
    for s in &subjects {
        for kind in [RightKind::Access, RightKind::Objection] {
            c.open_rights_request("test", kind, *s, None).await.unwrap();
        }
    }
    for _ in 0..3 {
        c.record_consent("test", subjects[0], Some("analytics"), ConsentAction::Grant, ConsentSource::Api).await.unwrap();
    }
    let s0 = subjects[0];
    let lists = [
        "/api/v1/rights-requests".to_owned(),
        "/api/v1/policy/versions".to_owned(),
        "/api/v1/recipients".to_owned(),
        format!("/api/v1/subjects/{s0}/consent/events"),
        format!("/api/v1/subjects/{s0}/interactions"),
    ];
    for list in &lists {
        for bad in ["0", "1001"] {
            let r = api.call(Some("carla"), Method::GET, &format!("{list}?limit={bad}"), None).await;
            let r = if r.status == StatusCode::FORBIDDEN {
                api.call(Some("alice"), Method::GET, &format!("{list}?limit={bad}"), None).await
            } else {
                r
            };
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{list}?limit={bad}: {r:?}");
            assert!(r.json["detail"].as_str().unwrap_or_default().contains("1 to 1000"), "{r:?}");
        }
        let r = api.call(Some("carla"), Method::GET, &format!("{list}?after=not-a-cursor"), None).await;
        let r = if r.status == StatusCode::FORBIDDEN {
            api.call(Some("alice"), Method::GET, &format!("{list}?after=not-a-cursor"), None).await
        } else {
            r
        };
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{list}: a malformed cursor: {r:?}");
        assert!(r.json["detail"].as_str().unwrap_or_default().contains("`after` is not a cursor of this list"), "{r:?}");
    }

    let all = walk(&api, "carla", "/api/v1/rights-requests?limit=100").await;
    assert_eq!(all.len(), 6);
    let paged = walk(&api, "carla", "/api/v1/rights-requests?limit=4").await;
    assert_eq!(paged, all, "two pages, every request once, in order");
    let first = api.call(Some("carla"), Method::GET, "/api/v1/rights-requests?limit=4", None).await;
    let link = first.header("link").expect("more after the first page");
    assert!(link.starts_with("</api/v1/rights-requests?after=") && link.ends_with("&limit=4>; rel=\"next\""), "{link}");
    let overdue = api.call(Some("carla"), Method::GET, "/api/v1/rights-requests?overdue=true&limit=1", None).await;
    assert_eq!(overdue.json, serde_json::json!([]), "{overdue:?}");

    let ledger = walk(&api, "carla", &format!("/api/v1/subjects/{s0}/consent/events?limit=2")).await;
    let ids: Vec<i64> = ledger.iter().map(|e| e["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 3, "{ledger:?}");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first, no repeats: {ids:?}");
    assert!(ledger.iter().all(|e| e["action"] == "grant" && e["at"].is_string()), "{ledger:?}");

    let recipients = walk(&api, "carla", "/api/v1/recipients?limit=1").await;
    let names: Vec<&str> = recipients.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert!(!names.is_empty() && names == sorted, "by id, each once: {names:?}");
    let versions = walk(&api, "carla", "/api/v1/policy/versions?limit=1").await;
    assert_eq!(versions.len(), 1);
}

#[tokio::test]
async fn a_customer_pages_through_their_own_requests_only() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let c = &api.f.candor;
    let input = |e: &str| NewSubjectInput { email: Some(e.into()), ..Default::default() };
    let me = c.add_subject("test", &input("me@example.com")).await.unwrap();
    let other = c.add_subject("test", &input("other@example.com")).await.unwrap();
    for kind in [RightKind::Access, RightKind::Objection, RightKind::Restriction] {
        c.open_rights_request("test", kind, me, None).await.unwrap();
        c.open_rights_request("test", kind, other, None).await.unwrap();
    }
    let (cookie, _) = crate::privacy::sign_in(&api, "me@example.com").await;
    let mut seen = Vec::new();
    let mut uri = "/api/v1/me/rights-requests?limit=2".to_owned();
    loop {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert("cookie", cookie.parse().unwrap());
        let r = api.send(Method::GET, &uri, headers, None).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
        seen.extend(r.json.as_array().unwrap().iter().map(|q| q["subject"].as_str().unwrap().to_owned()));
        match r.header("link") {
            Some(l) => uri = next_of(l),
            None => break,
        }
    }
    assert_eq!(seen, vec![me.to_string(); 3]);
}
