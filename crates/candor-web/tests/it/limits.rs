//! Rate limits as an outsider meets them: a request counts against its
//! validated credential or else against its IP address, whatever headers
//! it carries; failed authentication is limited per IP on its own, more
//! strictly; and sign-in codes are limited per target address.

use std::net::IpAddr;

use axum::http::{HeaderMap, Method, StatusCode};
use candor_service::settings::EXAMPLE_CONFIG;
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{each_backend, Fixture, TestDb};
use serde_json::json;

use crate::{send_from, Api};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn header(name: &'static str, value: &str) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(name, value.parse().unwrap());
    h
}

/// A fresh random-looking secret per request, as a guesser sends.
fn bogus(i: usize) -> String {
    format!("candor_{i:012x}_{}", "x".repeat(43))
}

#[tokio::test]
async fn three_hundred_sign_ins_for_one_address_send_it_at_most_the_limit_of_codes() {
    each_backend(|db| async move {
        // Per IP generous, so that only the per-address limit is at work.
        let config = EXAMPLE_CONFIG.replace("rate_per_ip = 20", "rate_per_ip = 100000");
        let api = Api::with_config(Fixture::with_policy(db).await, &config).await;
        for (email, name) in [("ana@example.com", "Ana"), ("bo@example.com", "Bo")] {
            let input = NewSubjectInput { email: Some(email.into()), name: Some(name.into()), ..Default::default() };
            api.f.candor.add_subject("test", &input).await.unwrap();
        }
        for i in 0..300 {
            // The same address however it is written.
            let email = match i % 3 {
                0 => "ana@example.com",
                1 => "ANA@Example.com",
                _ => " ana@example.com ",
            };
            let r = api.send(Method::POST, "/api/v1/privacy/sign-in", HeaderMap::new(), Some(json!({ "email": email }))).await;
            assert_eq!(r.status, StatusCode::ACCEPTED, "the answer never changes: {r:?}");
        }
        api.send(Method::POST, "/api/v1/privacy/sign-in", HeaderMap::new(), Some(json!({ "email": "bo@example.com" }))).await;
        api.settle().await;
        let codes = api.f.candor.outbox(true, 0, 10_000).await.unwrap();
        let codes: Vec<_> = codes.iter().filter(|m| m.kind == "sign_in_code").collect();
        let to = |a: &str| codes.iter().filter(|m| m.to.as_deref() == Some(a)).count();
        assert_eq!(to("ana@example.com"), 5, "`server.sign_in_per_address` codes in 15 minutes, not 300");
        assert_eq!(to("bo@example.com"), 1, "another address has its own allowance");
    })
    .await;
}

#[tokio::test]
async fn requests_with_a_bogus_token_or_cookie_count_against_their_ip_address() {
    let config = EXAMPLE_CONFIG.replace("rate_per_ip = 20", "rate_per_ip = 1");
    let api = Api::with_config(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    let uri = "/api/v1/policy/versions";
    // A burst of twice the rate, then 429, with a new secret every time.
    let bearer: Vec<StatusCode> = {
        let mut v = Vec::new();
        for i in 0..3 {
            let h = header("authorization", &format!("Bearer {}", bogus(i)));
            v.push(send_from(&api.app, ip("10.0.0.1"), Method::GET, uri, h, None).await.status);
        }
        v
    };
    assert_eq!(bearer, [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]);
    let cookie: Vec<StatusCode> = {
        let mut v = Vec::new();
        for i in 0..3 {
            let h = header("cookie", &format!("candor_session=x{i}"));
            v.push(send_from(&api.app, ip("10.0.0.2"), Method::GET, "/api/v1/me", h, None).await.status);
        }
        v
    };
    assert_eq!(cookie, [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]);
    // A refused cookie is cleared, so a browser stops sending it.
    let h = header("cookie", "candor_session=stale");
    let stale = send_from(&api.app, ip("10.0.0.9"), Method::GET, "/api/v1/me", h, None).await;
    assert!(stale.header("set-cookie").is_some_and(|c| c.contains("Max-Age=0")), "{stale:?}");

    // A valid token is limited per token (`rate_per_token`), not per IP.
    for _ in 0..20 {
        let h = header("authorization", &format!("Bearer {}", api.token("alice")));
        let r = send_from(&api.app, ip("10.0.0.3"), Method::GET, uri, h, None).await;
        assert_eq!(r.status, StatusCode::OK, "{r:?}");
    }
}

#[tokio::test]
async fn failed_token_logins_and_wrong_codes_are_limited_per_ip_address_strictly() {
    each_backend(|db| async move {
        let config = EXAMPLE_CONFIG.replace("rate_per_ip = 20", "rate_per_ip = 100000").replace("failed_auth_per_minute = 30", "failed_auth_per_minute = 3");
        let api = Api::with_config(Fixture::with_policy(db).await, &config).await;
        let input = NewSubjectInput { email: Some("ana@example.com".into()), ..Default::default() };
        api.f.candor.add_subject("test", &input).await.unwrap();

        // Wrong tokens at session start: three, then the address waits,
        // even with a right one.
        let login = |token: String, from: &'static str| {
            let app = api.app.clone();
            async move { send_from(&app, ip(from), Method::POST, "/api/v1/session", HeaderMap::new(), Some(json!({ "token": token }))).await }
        };
        for i in 0..3 {
            assert_eq!(login(bogus(i), "10.0.1.1").await.status, StatusCode::UNAUTHORIZED);
        }
        let held = login(api.token("alice").to_owned(), "10.0.1.1").await;
        assert_eq!((held.status, held.problem()), (StatusCode::TOO_MANY_REQUESTS, Some("rate-limited")), "{held:?}");
        assert!(held.header("retry-after").is_some());
        assert_eq!(login(api.token("alice").to_owned(), "10.0.1.2").await.status, StatusCode::CREATED, "another address is not held");

        // Wrong codes: three (each challenge would allow five), then 429.
        let asked = send_from(&api.app, ip("10.0.1.3"), Method::POST, "/api/v1/privacy/sign-in", HeaderMap::new(), Some(json!({ "email": "ana@example.com" }))).await;
        let challenge = asked.json["challenge"].as_str().unwrap().to_owned();
        api.settle().await;
        let mut statuses = Vec::new();
        for _ in 0..4 {
            let body = Some(json!({ "challenge": challenge, "code": "00000000" }));
            statuses.push(send_from(&api.app, ip("10.0.1.3"), Method::POST, "/api/v1/privacy/verify", HeaderMap::new(), body).await.status);
        }
        assert_eq!(statuses, [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]);
        // Bogus bearer tokens count too.
        for i in 0..3 {
            let h = header("authorization", &format!("Bearer {}", bogus(i)));
            assert_eq!(send_from(&api.app, ip("10.0.1.4"), Method::GET, "/api/v1/policy/versions", h, None).await.status, StatusCode::UNAUTHORIZED);
        }
        let h = header("authorization", &format!("Bearer {}", bogus(99)));
        assert_eq!(send_from(&api.app, ip("10.0.1.4"), Method::GET, "/api/v1/policy/versions", h, None).await.status, StatusCode::TOO_MANY_REQUESTS);
    })
    .await;
}

/// The statuses of three anonymous requests from `peer`, each with the
/// `X-Forwarded-For` that `forwarded` gives for its number.
async fn three(api: &Api, peer: &str, forwarded: impl Fn(usize) -> Option<String>) -> Vec<StatusCode> {
    let mut v = Vec::new();
    for i in 0..3 {
        let h = forwarded(i).map(|f| header("x-forwarded-for", &f)).unwrap_or_default();
        v.push(send_from(&api.app, ip(peer), Method::GET, "/api/v1/policy/versions", h, None).await.status);
    }
    v
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_is_limited_apart_and_forged_forwarding_counts_for_nothing() {
    let config =
        EXAMPLE_CONFIG.replace("rate_per_ip = 20", "rate_per_ip = 1").replace("trusted_proxies = []", "trusted_proxies = [\"10.9.9.9\"]");
    let api = Api::with_config(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    let (ok, limited) = (StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS);
    // Through the proxy: the client it names is limited, not the proxy.
    assert_eq!(three(&api, "10.9.9.9", |_| Some("203.0.113.5".into())).await, [ok, ok, limited]);
    assert_eq!(three(&api, "10.9.9.9", |_| Some("203.0.113.6".into())).await, [ok, ok, limited], "another client, its own allowance");
    // What a client writes before the proxy's entry is not believed.
    assert_eq!(three(&api, "10.9.9.9", |i| Some(format!("198.51.100.{i}, 203.0.113.7"))).await, [ok, ok, limited]);
    // From anyone but the proxy, X-Forwarded-For is ignored.
    assert_eq!(three(&api, "192.0.2.1", |i| Some(format!("198.51.100.{i}"))).await, [ok, ok, limited]);
}

#[tokio::test]
async fn fresh_ipv6_addresses_of_one_subscriber_share_one_allowance() {
    let config = EXAMPLE_CONFIG.replace("rate_per_ip = 20", "rate_per_ip = 1");
    let api = Api::with_config(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    let mut got = Vec::new();
    for i in 1..=3 {
        let peer = format!("2001:db8:1:2::{i:x}");
        got.push(send_from(&api.app, ip(&peer), Method::GET, "/api/v1/policy/versions", HeaderMap::new(), None).await.status);
    }
    assert_eq!(got, [StatusCode::UNAUTHORIZED, StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS]);
    let other = send_from(&api.app, ip("2001:db8:1:3::1"), Method::GET, "/api/v1/policy/versions", HeaderMap::new(), None).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED, "another /64 is another subscriber");
}
