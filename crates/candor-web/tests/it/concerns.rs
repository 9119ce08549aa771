//! Questions and concerns over HTTP: staff routes by role (compliance and
//! admin), the customer's own under `/me` and on `/privacy/concerns`
//! (CSRF checked, bad input refused on the page with nothing stored), and
//! one customer never reaching another's.

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use candor_domain::SubjectId;
use candor_service::concerns::ConcernList;
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{each_backend, Fixture, TestDb};
use http_body_util::BodyExt as _;
use serde_json::json;
use tower::ServiceExt as _;

use crate::privacy::sign_in;
use crate::Api;

async fn ana_and_bo(db: TestDb) -> (Api, SubjectId, SubjectId) {
    let api = Api::new(Fixture::with_policy(db).await).await;
    let add = |email: &str| NewSubjectInput { email: Some(email.into()), ..Default::default() };
    let ana = api.f.candor.add_subject("test", &add("ana@example.com")).await.unwrap();
    let bo = api.f.candor.add_subject("test", &add("bo@example.com")).await.unwrap();
    (api, ana, bo)
}

fn session(cookie: &str, csrf: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("cookie", cookie.parse().unwrap());
    if let Some(c) = csrf {
        h.insert("x-csrf-token", c.parse().unwrap());
    }
    h
}

/// A page request as a browser without JavaScript sends it: `body` is a
/// url-encoded form.
async fn page(api: &Api, cookie: Option<&str>, method: Method, uri: &str, body: Option<String>) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(uri).header("accept-language", "en");
    if let Some(c) = cookie {
        req = req.header("cookie", c);
    }
    if body.is_some() {
        req = req.header("content-type", "application/x-www-form-urlencoded");
    }
    let mut req = req.body(body.map_or_else(Body::empty, Body::from)).unwrap();
    req.extensions_mut().insert(ConnectInfo(SocketAddr::new(IpAddr::from([10, 8, 0, 1]), 40000)));
    let res = api.app.clone().oneshot(req).await.unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let html = String::from_utf8(res.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, headers, html)
}

fn encoded(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

async fn stored(api: &Api) -> usize {
    api.f.candor.concern_page(ConcernList::default(), None, 100).await.unwrap().items.len()
}

#[tokio::test]
async fn staff_list_read_answer_and_close_concerns_by_role() {
    each_backend(|db| async move {
        let (api, ana, bo) = ana_and_bo(db).await;
        let mut ids = Vec::new();
        for n in 0..6 {
            // Five may wait per customer: the sixth is Bo's.
            let who = if n < 5 { ana } else { bo };
            ids.push(api.f.candor.raise_concern("subject", who, &format!("question {n}")).await.unwrap().id);
        }
        for (n, actor) in ["alice", "ana", "mark", "carla", "adam"].into_iter().enumerate() {
            let allowed = matches!(actor, "carla" | "adam");
            let id = &ids[n];
            let calls = [
                api.call(Some(actor), Method::GET, "/api/v1/concerns", None).await,
                api.call(Some(actor), Method::GET, &format!("/api/v1/concerns/{id}"), None).await,
                api.call(Some(actor), Method::POST, &format!("/api/v1/concerns/{id}/answer"), Some(json!({ "answer": "yes" }))).await,
                api.call(Some(actor), Method::POST, &format!("/api/v1/concerns/{id}/close"), None).await,
            ];
            for r in calls {
                if allowed {
                    assert_eq!(r.status, StatusCode::OK, "{actor}: {r:?}");
                } else {
                    assert_eq!((r.status, r.problem()), (StatusCode::FORBIDDEN, Some("forbidden")), "{actor}: {r:?}");
                }
            }
        }
        // Compliance staff without privacy training read no concerns.
        api.f.candor.upsert_actor("test", "cora", vec![candor_domain::Role::Compliance]).await.unwrap();
        let token = api.f.candor.create_token("test", "cora", time::Duration::days(1)).await.unwrap().token;
        let mut h = HeaderMap::new();
        h.insert("authorization", format!("Bearer {token}").parse().unwrap());
        let cora = api.send(Method::GET, "/api/v1/concerns", h, None).await;
        assert_eq!(cora.problem(), Some("training-required"), "{cora:?}");

        // One concern in full; lists leave the texts out and page with Link.
        let one = api.call(Some("carla"), Method::GET, &format!("/api/v1/concerns/{}", ids[3]), None).await;
        assert_eq!((one.json["state"].as_str(), one.json["answer"].as_str()), (Some("closed"), Some("yes")));
        assert_eq!((one.json["message"].as_str(), one.json["answered_by"].as_str()), (Some("question 3"), Some("carla")));
        let open = api.call(Some("carla"), Method::GET, "/api/v1/concerns?limit=2", None).await;
        let listed = open.json.as_array().unwrap();
        assert_eq!(listed.len(), 2, "{open:?}");
        assert!(listed.iter().all(|c| c["state"] == "open" && c.get("message").is_none()), "{open:?}");
        let link = open.header("link").unwrap().to_owned();
        assert!(link.starts_with("</api/v1/concerns?after=") && link.ends_with("&limit=2>; rel=\"next\""), "{link}");
        let all = api.call(Some("carla"), Method::GET, "/api/v1/concerns?all=true&limit=1000", None).await;
        assert_eq!(all.json.as_array().unwrap().len(), 6);

        // Refusals name what is wrong.
        let again =
            api.call(Some("carla"), Method::POST, &format!("/api/v1/concerns/{}/answer", ids[3]), Some(json!({ "answer": "x" }))).await;
        assert_eq!((again.status, again.problem()), (StatusCode::CONFLICT, Some("concern-state")), "{again:?}");
        let empty =
            api.call(Some("carla"), Method::POST, &format!("/api/v1/concerns/{}/answer", ids[5]), Some(json!({ "answer": " " }))).await;
        assert_eq!((empty.status, empty.problem()), (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid-input")), "{empty:?}");
        let nothing = api.call(Some("carla"), Method::GET, "/api/v1/concerns/nope", None).await;
        assert_eq!((nothing.status, nothing.problem()), (StatusCode::NOT_FOUND, Some("unknown-concern")), "{nothing:?}");
        let bad = api.call(Some("carla"), Method::GET, "/api/v1/concerns?limit=0", None).await;
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    })
    .await;
}

#[tokio::test]
async fn customers_raise_and_read_only_their_own_concerns_over_the_api() {
    each_backend(|db| async move {
        let (api, _, _) = ana_and_bo(db).await;
        let (ana_cookie, ana_csrf) = sign_in(&api, "ana@example.com").await;
        let (bo_cookie, bo_csrf) = sign_in(&api, "bo@example.com").await;
        let body = Some(json!({ "message": "Why do you keep my old address?" }));
        let raised = api.send(Method::POST, "/api/v1/me/concerns", session(&ana_cookie, Some(&ana_csrf)), body.clone()).await;
        assert_eq!(raised.status, StatusCode::CREATED, "{raised:?}");
        assert_eq!(raised.json["state"], "open");
        let id = raised.json["id"].as_str().unwrap().to_owned();

        let no_csrf = api.send(Method::POST, "/api/v1/me/concerns", session(&ana_cookie, None), body.clone()).await;
        assert_eq!(no_csrf.status, StatusCode::FORBIDDEN, "{no_csrf:?}");
        let huge = Some(json!({ "message": "x".repeat(4_001) }));
        let too_long = api.send(Method::POST, "/api/v1/me/concerns", session(&ana_cookie, Some(&ana_csrf)), huge).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY, "{too_long:?}");
        assert!(too_long.json["detail"].as_str().unwrap().contains("4001 characters"), "{too_long:?}");
        let unknown = Some(json!({ "message": "hi", "subject": "someone else" }));
        let refused = api.send(Method::POST, "/api/v1/me/concerns", session(&ana_cookie, Some(&ana_csrf)), unknown).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "no field names another customer: {refused:?}");
        assert_eq!(stored(&api).await, 1, "nothing else stored");

        api.f.candor.answer_concern("carla", &id, "We keep it for invoices, six years.").await.unwrap();
        let mine = api.send(Method::GET, "/api/v1/me/concerns", session(&ana_cookie, None), None).await;
        assert_eq!(mine.json[0]["answer"], "We keep it for invoices, six years.");
        assert!(mine.json[0].get("answered_by").is_none(), "staff are not named to customers: {mine:?}");
        let theirs = api.send(Method::GET, "/api/v1/me/concerns", session(&bo_cookie, None), None).await;
        assert_eq!(theirs.json, json!([]), "Bo sees nothing of Ana's");
        // A customer's session opens no staff route.
        let staff = api.send(Method::GET, &format!("/api/v1/concerns/{id}"), session(&bo_cookie, None), None).await;
        assert_eq!(staff.status, StatusCode::UNAUTHORIZED, "{staff:?}");
        let answer = Some(json!({ "answer": "mine now" }));
        let staff = api.send(Method::POST, &format!("/api/v1/concerns/{id}/answer"), session(&bo_cookie, Some(&bo_csrf)), answer).await;
        assert!(staff.status == StatusCode::UNAUTHORIZED || staff.status == StatusCode::FORBIDDEN, "{staff:?}");
        assert_eq!(api.f.candor.concern("carla", &id).await.unwrap().answer.as_deref(), Some("We keep it for invoices, six years."));
    })
    .await;
}

#[tokio::test]
async fn the_page_takes_a_concern_with_its_csrf_token_refuses_bad_input_and_shows_the_answer() {
    each_backend(|db| async move {
        let (api, _, _) = ana_and_bo(db).await;
        let (stranger, headers, _) = page(&api, None, Method::GET, "/privacy/concerns", None).await;
        assert_eq!((stranger, headers.get("location").unwrap().to_str().unwrap()), (StatusCode::SEE_OTHER, "/privacy/sign-in"));
        let (posted, _, _) = page(&api, None, Method::POST, "/privacy/concerns", Some("csrf=x&message=hello".into())).await;
        assert_eq!(posted, StatusCode::UNAUTHORIZED, "signed out: nothing taken");

        let (cookie, csrf) = sign_in(&api, "ana@example.com").await;
        let (_, _, dashboard) = page(&api, Some(&cookie), Method::GET, "/privacy", None).await;
        assert!(dashboard.contains("href=\"/privacy/concerns\""), "the dashboard links to the page");
        let (status, _, html) = page(&api, Some(&cookie), Method::GET, "/privacy/concerns", None).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains(&format!("name=\"csrf\" value=\"{csrf}\"")) && html.contains("<textarea"), "{html}");
        assert!(html.contains("You have not asked us anything yet."));

        let message = "Who at your company can read my messages?\nAnd for how long?";
        let form = |token: &str, text: &str| Some(format!("csrf={}&message={}", encoded(token), encoded(text)));
        let (wrong, _, html) = page(&api, Some(&cookie), Method::POST, "/privacy/concerns", form("not-the-token", message)).await;
        assert_eq!(wrong, StatusCode::FORBIDDEN, "{html}");
        assert!(html.contains("could not accept the form"), "{html}");
        let (missing, _, _) =
            page(&api, Some(&cookie), Method::POST, "/privacy/concerns", Some(format!("message={}", encoded(message)))).await;
        assert_eq!(missing, StatusCode::FORBIDDEN);
        let (long, _, html) = page(&api, Some(&cookie), Method::POST, "/privacy/concerns", form(&csrf, &"a".repeat(4_001))).await;
        assert_eq!(long, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("Your message is 4001 characters long; please shorten it to at most 4000."), "{html}");
        assert!(html.contains("role=\"alert\"") && html.contains("aria-invalid=\"true\""), "{html}");
        let (empty, _, html) = page(&api, Some(&cookie), Method::POST, "/privacy/concerns", form(&csrf, "   ")).await;
        assert_eq!(empty, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("the message is empty"), "{html}");
        let (control, _, html) = page(&api, Some(&cookie), Method::POST, "/privacy/concerns", form(&csrf, "a\u{1b}[31m")).await;
        assert_eq!(control, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("character 2"), "{html}");
        let (garbled, _, html) =
            page(&api, Some(&cookie), Method::POST, "/privacy/concerns", Some(format!("csrf={csrf}&message=a&message=b"))).await;
        assert_eq!(garbled, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("We could not read the form"), "{html}");
        assert_eq!(stored(&api).await, 0, "nothing was stored for any refused form");

        let (sent, headers, _) = page(&api, Some(&cookie), Method::POST, "/privacy/concerns", form(&csrf, message)).await;
        assert_eq!(sent, StatusCode::SEE_OTHER);
        let to = headers.get("location").unwrap().to_str().unwrap().to_owned();
        let (_, _, html) = page(&api, Some(&cookie), Method::GET, &to, None).await;
        assert!(html.contains("Sent.") && html.contains("Waiting for our answer"), "{html}");
        assert!(html.contains("Who at your company can read my messages?\nAnd for how long?"), "line breaks kept: {html}");
        let c = &api.f.candor.concern_page(ConcernList::default(), None, 10).await.unwrap().items[0];
        assert!(html.contains(&c.concern.due_at.date().to_string()), "the deadline is shown: {html}");

        api.f.candor.answer_concern("carla", &c.id, "Only our support agents, for <your> cases.").await.unwrap();
        let (_, _, html) = page(&api, Some(&cookie), Method::GET, "/privacy/concerns?lang=es", None).await;
        assert!(html.contains("Respondido") && html.contains("Only our support agents, for &#60;your&#62; cases."), "{html}");

        // Bo's page shows none of it.
        let (bo_cookie, _) = sign_in(&api, "bo@example.com").await;
        let (_, _, html) = page(&api, Some(&bo_cookie), Method::GET, "/privacy/concerns", None).await;
        assert!(!html.contains("Who at your company") && !html.contains(&c.id), "{html}");
    })
    .await;
}
