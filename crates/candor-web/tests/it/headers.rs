//! Response headers over plain http and under an https `public_url`:
//! `Permissions-Policy` on every answer, `Strict-Transport-Security` only
//! under https, `Clear-Site-Data` on signing out, and the session cookie
//! named with the `__Host-` prefix (and read only by that name) under
//! https.

use axum::http::{HeaderMap, Method, StatusCode};
use candor_service::settings::EXAMPLE_CONFIG;
use candor_test_support::{Fixture, TestDb};
use serde_json::json;

use crate::{Api, Reply};

/// A served fixture over https (`public_url` set) or plain http.
async fn api(https: bool) -> Api {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    if https {
        Api::with_config(f, &EXAMPLE_CONFIG.replace("# public_url = ", "public_url = ")).await
    } else {
        Api::new(f).await
    }
}

fn with(cookie: &str, csrf: Option<&str>) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert("cookie", cookie.parse().unwrap());
    if let Some(c) = csrf {
        h.insert("x-csrf-token", c.parse().unwrap());
    }
    h
}

/// A staff session from alice's token: the `Set-Cookie` header and the CSRF token.
async fn staff_session(api: &Api) -> (String, String) {
    let started = api.send(Method::POST, "/api/v1/session", HeaderMap::new(), Some(json!({ "token": api.token("alice") }))).await;
    assert_eq!(started.status, StatusCode::CREATED, "{started:?}");
    (started.header("set-cookie").unwrap().to_owned(), started.json["csrf_token"].as_str().unwrap().to_owned())
}

/// The answers of a few kinds: success, not found, unauthenticated, a problem with a body.
async fn some_answers(api: &Api) -> Vec<Reply> {
    vec![
        api.call(None, Method::GET, "/healthz", None).await,
        api.call(None, Method::GET, "/nowhere", None).await,
        api.call(None, Method::GET, "/api/v1/policy/versions", None).await,
        api.call(Some("alice"), Method::GET, "/api/v1/policy/versions", None).await,
        api.call(None, Method::POST, "/api/v1/session", Some(json!({ "token": "candor_nope_nope" }))).await,
    ]
}

#[tokio::test]
async fn every_answer_denies_powerful_features_and_only_https_answers_carry_hsts() {
    for https in [false, true] {
        let api = api(https).await;
        for r in some_answers(&api).await {
            let policy = r.header("permissions-policy").unwrap_or_else(|| panic!("no Permissions-Policy: {r:?}"));
            for feature in ["camera=()", "microphone=()", "geolocation=()", "interest-cohort=()"] {
                assert!(policy.split(", ").any(|f| f == feature), "{feature} in {policy}");
            }
            assert_eq!(r.header("strict-transport-security"), https.then_some("max-age=63072000; includeSubDomains"), "{r:?}");
        }
    }
}

#[tokio::test]
async fn under_https_the_session_cookie_is_host_prefixed_and_read_only_by_that_name() {
    let api = api(true).await;
    let (set, csrf) = staff_session(&api).await;
    assert!(set.starts_with("__Host-candor_session="), "{set}");
    let attributes: Vec<&str> = set.split("; ").collect();
    for a in ["Secure", "HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attributes.contains(&a), "{a} in {set}");
    }
    assert!(!set.contains("Domain="), "a __Host- cookie has no Domain: {set}");
    let cookie = set.split(';').next().unwrap();
    let value = cookie.split_once('=').unwrap().1;

    assert_eq!(api.send(Method::GET, "/api/v1/policy/versions", with(cookie, None), None).await.status, StatusCode::OK);
    // The unprefixed name could be set by another host; it opens nothing here.
    let plain = format!("candor_session={value}");
    assert_eq!(api.send(Method::GET, "/api/v1/policy/versions", with(&plain, None), None).await.status, StatusCode::UNAUTHORIZED);

    // Signing out clears the prefixed cookie and the site's data.
    let out = api.send(Method::DELETE, "/api/v1/session", with(cookie, Some(&csrf)), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{out:?}");
    let cleared = out.header("set-cookie").unwrap();
    assert!(cleared.starts_with("__Host-candor_session=;") && cleared.contains("Max-Age=0"), "{cleared}");
    assert_eq!(out.header("clear-site-data"), Some("\"cookies\", \"storage\""));
    assert_eq!(api.send(Method::GET, "/api/v1/policy/versions", with(cookie, None), None).await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn over_plain_http_the_session_cookie_keeps_its_name_and_sign_out_clears_site_data() {
    let api = api(false).await;
    let (set, csrf) = staff_session(&api).await;
    assert!(set.starts_with("candor_session=") && !set.contains("Secure"), "{set}");
    let cookie = set.split(';').next().unwrap();
    let value = cookie.split_once('=').unwrap().1;
    assert_eq!(api.send(Method::GET, "/api/v1/policy/versions", with(cookie, None), None).await.status, StatusCode::OK);
    let prefixed = format!("__Host-candor_session={value}");
    assert_eq!(api.send(Method::GET, "/api/v1/policy/versions", with(&prefixed, None), None).await.status, StatusCode::UNAUTHORIZED);

    // A forged sign-out (no CSRF token) clears nothing.
    let forged = api.send(Method::DELETE, "/api/v1/session", with(cookie, None), None).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(forged.header("clear-site-data").is_none(), "{forged:?}");
    let out = api.send(Method::DELETE, "/api/v1/session", with(cookie, Some(&csrf)), None).await;
    assert_eq!(out.status, StatusCode::NO_CONTENT, "{out:?}");
    assert!(out.header("set-cookie").unwrap().starts_with("candor_session=;"), "{out:?}");
    assert_eq!(out.header("clear-site-data"), Some("\"cookies\", \"storage\""));
}
