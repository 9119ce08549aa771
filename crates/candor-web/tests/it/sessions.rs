//! Staff browser sessions live no longer than what they were started
//! from: revoking or expiring the token ends them, and removing the actor
//! or their role ends what they may do, within the server's re-check
//! window (`server.credential_recheck_seconds`, 1 s here so the tests
//! wait once, briefly).

use std::time::Duration as StdDuration;

use axum::http::{HeaderMap, Method, StatusCode};
use candor_domain::Role;
use candor_service::settings::EXAMPLE_CONFIG;
use candor_service::subjects::NewSubjectInput;
use candor_service::Clock;
use candor_test_support::{each_backend, Fixture};
use serde_json::json;
use time::Duration;

use crate::{send_to, Api, Reply};

/// The example configuration, re-checking credentials every second.
pub fn quick_recheck() -> String {
    EXAMPLE_CONFIG.replace("credential_recheck_seconds = 5", "credential_recheck_seconds = 1")
}

/// Longer than the re-check window of [`quick_recheck`].
const PAST_RECHECK: StdDuration = StdDuration::from_millis(1_300);

fn cookie_of(r: &Reply) -> String {
    let set = r.header("set-cookie").unwrap_or_else(|| panic!("no cookie: {r:?}"));
    set.split(';').next().unwrap().to_owned()
}

fn with(cookie: &str, csrf: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("cookie", cookie.parse().unwrap());
    if let Some(c) = csrf {
        h.insert("x-csrf-token", c.parse().unwrap());
    }
    h
}

/// A staff session started from `token`: its cookie and CSRF token.
async fn staff_session(app: &axum::Router, token: &str) -> (String, String, Reply) {
    let r = send_to(app, Method::POST, "/api/v1/session", HeaderMap::new(), Some(json!({ "token": token }))).await;
    assert_eq!(r.status, StatusCode::CREATED, "{r:?}");
    (cookie_of(&r), r.json["csrf_token"].as_str().unwrap().to_owned(), r)
}

#[tokio::test]
async fn a_staff_session_ends_when_the_token_it_was_started_from_is_revoked() {
    each_backend(|db| async move {
        let api = Api::with_config(Fixture::with_policy(db).await, &quick_recheck()).await;
        let issued = api.f.candor.create_token("test", "alice", Duration::days(30)).await.unwrap();
        let (cookie, csrf, _) = staff_session(&api.app, &issued.token).await;
        let (other, _, _) = staff_session(&api.app, api.token("alice")).await;
        let read = api.send(Method::GET, "/api/v1/policy/versions", with(&cookie, None), None).await;
        assert_eq!(read.status, StatusCode::OK, "{read:?}");

        // What `candor actor revoke` does, from another process as far as
        // the server knows.
        assert!(api.f.candor.revoke_token("test", &issued.record.id).await.unwrap());
        tokio::time::sleep(PAST_RECHECK).await;

        let refused = api.send(Method::GET, "/api/v1/policy/versions", with(&cookie, None), None).await;
        assert_eq!((refused.status, refused.problem()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")), "{refused:?}");
        assert!(refused.json["detail"].as_str().unwrap().contains("revoked"), "says why: {refused:?}");
        let body = Some(json!({ "email": "new@example.com" }));
        let write = api.send(Method::POST, "/api/v1/subjects", with(&cookie, Some(&csrf)), body).await;
        assert_eq!(write.status, StatusCode::UNAUTHORIZED, "{write:?}");
        // A session from another of her tokens goes on.
        assert_eq!(api.send(Method::GET, "/api/v1/policy/versions", with(&other, None), None).await.status, StatusCode::OK);
    })
    .await;
}

#[tokio::test]
async fn a_staff_session_ends_when_the_token_it_was_started_from_expires() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let issued = api.f.candor.create_token("test", "alice", Duration::days(1)).await.unwrap();
        let at = |t: time::OffsetDateTime| {
            let settings = candor_service::Settings::from_text_in(EXAMPLE_CONFIG, api.f.dir()).unwrap();
            candor_web::router(candor_web::AppState::new(api.f.candor.clone().with_clock(Clock::fixed(t)), settings).unwrap())
        };
        // Started an hour before the token runs out: the session cannot
        // outlast it.
        let (cookie, _, started) = staff_session(&at(issued.record.expires_at - Duration::hours(1)), &issued.token).await;
        let ends =
            time::OffsetDateTime::parse(started.json["expires_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339)
                .unwrap_or_else(|e| panic!("{e}: {started:?}"));
        assert!(ends <= issued.record.expires_at, "the session ends at {ends}, its token at {}", issued.record.expires_at);
        let max_age: i64 =
            started.header("set-cookie").unwrap().split("Max-Age=").nth(1).unwrap().split(';').next().unwrap().parse().unwrap();
        assert!(max_age <= 3_600, "the cookie goes with it: {max_age}");

        let later = at(issued.record.expires_at + Duration::minutes(1));
        let r = send_to(&later, Method::GET, "/api/v1/policy/versions", with(&cookie, None), None).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{r:?}");
    })
    .await;
}

#[tokio::test]
async fn a_staff_session_follows_its_actor_removed_or_given_another_role() {
    each_backend(|db| async move {
        let api = Api::with_config(Fixture::with_policy(db).await, &quick_recheck()).await;
        let input = NewSubjectInput { email: Some("pat@example.com".into()), ..Default::default() };
        let s = api.f.candor.add_subject("test", &input).await.unwrap();
        let subject = format!("/api/v1/subjects/{s}");
        let (alice, _, _) = staff_session(&api.app, api.token("alice")).await;
        let (carla, _, _) = staff_session(&api.app, api.token("carla")).await;
        assert_eq!(api.send(Method::GET, &subject, with(&alice, None), None).await.status, StatusCode::OK);
        assert_eq!(api.send(Method::GET, "/api/v1/rights-requests", with(&carla, None), None).await.status, StatusCode::OK);

        // alice moves from agent to analyst (`candor actor add` replaces
        // roles); carla's row goes (there is no command for it yet: the
        // row changes as a migration or an operator's SQL would).
        api.f.candor.upsert_actor("test", "alice", vec![Role::Analyst]).await.unwrap();
        api.f.exec("delete from actors where id = 'carla'").await;
        tokio::time::sleep(PAST_RECHECK).await;

        let demoted = api.send(Method::GET, &subject, with(&alice, None), None).await;
        assert_eq!((demoted.status, demoted.problem()), (StatusCode::FORBIDDEN, Some("forbidden")), "{demoted:?}");
        assert!(!demoted.json.to_string().contains("pat@example.com"));
        let gone = api.send(Method::GET, "/api/v1/rights-requests", with(&carla, None), None).await;
        assert_eq!(gone.status, StatusCode::UNAUTHORIZED, "{gone:?}");
        // Their tokens follow the same rule.
        assert_eq!(api.call(Some("alice"), Method::GET, &subject, None).await.status, StatusCode::FORBIDDEN);
        assert_eq!(api.call(Some("carla"), Method::GET, "/api/v1/rights-requests", None).await.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn signing_out_with_a_token_beside_the_cookie_is_refused_rather_than_half_done() {
    let api = Api::new(Fixture::with_policy(candor_test_support::TestDb::sqlite()).await).await;
    let token = api.token("alice").to_owned();
    let (cookie, csrf, _) = staff_session(&api.app, &token).await;
    let mut both = with(&cookie, Some(&csrf));
    both.insert("authorization", format!("Bearer {token}").parse().unwrap());
    let r = api.send(Method::DELETE, "/api/v1/session", both, None).await;
    assert_eq!((r.status, r.problem()), (StatusCode::BAD_REQUEST, Some("bad-request")), "{r:?}");
    assert!(r.header("set-cookie").is_none(), "the cookie is not cleared while the session goes on: {r:?}");
    // The session still works, and ends when signed out with its cookie.
    assert_eq!(api.send(Method::GET, "/api/v1/policy/versions", with(&cookie, None), None).await.status, StatusCode::OK);
    let out = api.send(Method::DELETE, "/api/v1/session", with(&cookie, Some(&csrf)), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{out:?}");
    assert_eq!(api.send(Method::GET, "/api/v1/policy/versions", with(&cookie, None), None).await.status, StatusCode::UNAUTHORIZED);
}
