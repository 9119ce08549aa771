//! The protocol around the routes: problem documents, security headers,
//! size and rate limits, the OpenAPI document, metrics, health, and a
//! rights request carried out over the API.

use axum::http::{HeaderMap, Method, StatusCode};
use candor_service::settings::EXAMPLE_CONFIG;
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{each_backend, Fixture, TestDb};
use serde_json::json;

use crate::Api;

#[tokio::test]
async fn errors_are_problem_documents_and_every_response_carries_security_headers() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let cases = [
        (Method::GET, "/nowhere", None, StatusCode::NOT_FOUND, "not-found"),
        (Method::DELETE, "/api/v1/recipients", None, StatusCode::METHOD_NOT_ALLOWED, "method-not-allowed"),
        (Method::GET, "/api/v1/subjects/not-a-uuid", None, StatusCode::NOT_FOUND, "unknown-subject"),
        (Method::GET, "/api/v1/subjects/6f1c1f2e-8f39-4a5e-9a55-2f4f0d6f1c1f", None, StatusCode::NOT_FOUND, "unknown-subject"),
        (Method::GET, "/api/v1/rights-requests/nope", None, StatusCode::NOT_FOUND, "unknown-request"),
        (Method::GET, "/api/v1/policy/versions/99", None, StatusCode::NOT_FOUND, "unknown-policy-version"),
        (Method::GET, "/api/v1/policy/diff?from=x&to=1", None, StatusCode::BAD_REQUEST, "bad-request"),
        (Method::GET, "/api/v1/analytics/sentiment?by=galaxy", None, StatusCode::UNPROCESSABLE_ENTITY, "invalid-input"),
        (Method::POST, "/api/v1/subjects", Some(json!({ "email": "nope" })), StatusCode::UNPROCESSABLE_ENTITY, "invalid-input"),
        (Method::POST, "/api/v1/subjects", Some(json!({ "emial": "a@b.c" })), StatusCode::UNPROCESSABLE_ENTITY, "invalid-input"),
        (
            Method::POST,
            "/api/v1/rights-requests",
            Some(json!({ "type": "forget-me", "subject": "x" })),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
        ),
    ];
    for (method, uri, body, status, kind) in cases {
        let r = api.call(Some("adam"), method.clone(), uri, body).await;
        assert_eq!((r.status, r.problem()), (status, Some(kind)), "{method} {uri}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"), "{uri}");
        assert_eq!(r.json["status"], status.as_u16(), "{uri}");
        assert!(r.json["detail"].is_string() && r.json["title"].is_string());
    }
    let r = api.call(None, Method::GET, "/healthz", None).await;
    assert_eq!(r.status, StatusCode::OK);
    for (h, want) in [
        (
            "content-security-policy",
            "default-src 'none'; style-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
        ("cache-control", "no-store"),
    ] {
        assert_eq!(r.header(h), Some(want), "{h}");
    }
    assert!(!r.header("content-security-policy").unwrap().contains("unsafe-inline"));

    // A body over the limit, and one that is not JSON.
    let big = json!({ "email": "a".repeat(70 * 1024) });
    let r = api.call(Some("adam"), Method::POST, "/api/v1/subjects", Some(big)).await;
    assert_eq!((r.status, r.problem()), (StatusCode::PAYLOAD_TOO_LARGE, Some("too-large")), "{r:?}");
    let mut h = HeaderMap::new();
    h.insert("authorization", format!("Bearer {}", api.token("adam")).parse().unwrap());
    h.insert("content-type", "text/plain".parse().unwrap());
    let r = api.send(Method::POST, "/api/v1/subjects", h, None).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn requests_over_the_rate_are_refused_per_token_and_per_ip() {
    let config = EXAMPLE_CONFIG.replace("rate_per_token = 5000", "rate_per_token = 1").replace("rate_per_ip = 20", "rate_per_ip = 1");
    let api = Api::with_config(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    // A burst of twice the rate passes, then 429 with Retry-After.
    let statuses: Vec<StatusCode> = {
        let mut v = Vec::new();
        for _ in 0..3 {
            v.push(api.call(Some("alice"), Method::GET, "/api/v1/policy/versions", None).await.status);
        }
        v
    };
    assert_eq!(statuses, [StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]);
    let limited = api.call(Some("alice"), Method::GET, "/api/v1/policy/versions", None).await;
    assert_eq!((limited.problem(), limited.header("retry-after")), (Some("rate-limited"), Some("1")));
    // Another token is not held back by alice's.
    assert_eq!(api.call(Some("carla"), Method::GET, "/api/v1/policy/versions", None).await.status, StatusCode::OK);
    // Without credentials: per IP address (sign-in attempts).
    let mut last = StatusCode::OK;
    for _ in 0..3 {
        last = api.send(Method::POST, "/api/v1/privacy/sign-in", HeaderMap::new(), Some(json!({ "email": "x@example.com" }))).await.status;
    }
    assert_eq!(last, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(api.call(None, Method::GET, "/healthz", None).await.status, StatusCode::OK, "health checks are not limited");
}

#[tokio::test]
async fn the_openapi_document_describes_every_route_and_metrics_count_them() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let doc = api.call(None, Method::GET, "/api/openapi.json", None).await;
    assert_eq!(doc.status, StatusCode::OK);
    assert!(doc.json["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc.json["openapi"]);
    let paths = doc.json["paths"].as_object().unwrap();
    for p in [
        "/api/v1/subjects/{id}",
        "/api/v1/subjects/{id}/consent",
        "/api/v1/rights-requests/{id}/execute",
        "/api/v1/analytics/{measure}",
        "/api/v1/policy/diff",
        "/api/v1/audit/verify",
        "/api/v1/privacy/sign-in",
        "/api/v1/me",
        "/healthz",
    ] {
        assert!(paths.contains_key(p), "{p} missing");
    }
    assert_eq!(doc.json["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");

    assert_eq!(api.call(None, Method::GET, "/readyz", None).await.json["status"], "ready");
    api.call(Some("alice"), Method::GET, "/api/v1/policy/versions", None).await;
    let metrics = api.call(None, Method::GET, "/metrics", None).await;
    let text = metrics.json.as_str().unwrap();
    assert!(text.contains("candor_http_requests_total") && text.contains("route=\"/api/v1/policy/versions\""), "{text}");
    assert!(text.contains("candor_http_request_duration_seconds_bucket"), "{text}");
    // No policy published yet: not ready.
    let f = Fixture::new(TestDb::sqlite()).await;
    let settings = candor_service::Settings::from_text_in(EXAMPLE_CONFIG, f.dir()).unwrap();
    let bare = candor_web::router(candor_web::AppState::new(f.candor.clone(), settings).unwrap());
    let r = crate::send_to(&bare, Method::GET, "/readyz", HeaderMap::new(), None).await;
    assert_eq!((r.status, r.problem()), (StatusCode::SERVICE_UNAVAILABLE, Some("not-ready")), "{r:?}");
}

#[tokio::test]
async fn a_rights_request_runs_its_course_over_the_api() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let input = NewSubjectInput { email: Some("pat@example.com".into()), name: Some("Pat".into()), ..Default::default() };
        let s = api.f.candor.add_subject("test", &input).await.unwrap();
        let opened =
            api.call(Some("carla"), Method::POST, "/api/v1/rights-requests", Some(json!({ "type": "access", "subject": s }))).await;
        assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
        let id = opened.json["id"].as_str().unwrap().to_owned();
        let early = api.call(Some("carla"), Method::POST, &format!("/api/v1/rights-requests/{id}/execute"), Some(json!({}))).await;
        assert_eq!((early.status, early.problem()), (StatusCode::CONFLICT, Some("request-state")), "{early:?}");
        let sent = api.call(Some("carla"), Method::POST, &format!("/api/v1/rights-requests/{id}/code"), None).await;
        assert_eq!(sent.status, StatusCode::ACCEPTED, "{sent:?}");
        let code = crate::code_from_outbox(&api.f, "one_time_code").await;
        let v = api.call(Some("carla"), Method::POST, &format!("/api/v1/rights-requests/{id}/verify"), Some(json!({ "code": code }))).await;
        assert_eq!(v.json["state"], "verified", "{v:?}");
        let done = api.call(Some("carla"), Method::POST, &format!("/api/v1/rights-requests/{id}/execute"), Some(json!({}))).await;
        assert_eq!(done.json["state"], "completed", "{done:?}");
        let bundle = api.f.dir().join("exports").join(&id);
        assert!(bundle.join("manifest.json").is_file(), "bundle at {}", bundle.display());

        let erase =
            api.call(Some("carla"), Method::POST, "/api/v1/rights-requests", Some(json!({ "type": "erasure", "subject": s }))).await;
        let eid = erase.json["id"].as_str().unwrap().to_owned();
        api.call(
            Some("carla"),
            Method::POST,
            &format!("/api/v1/rights-requests/{eid}/verify"),
            Some(json!({ "staff_reason": "called back" })),
        )
        .await;
        let done = api.call(Some("carla"), Method::POST, &format!("/api/v1/rights-requests/{eid}/execute"), Some(json!({}))).await;
        assert_eq!(done.json["state"], "completed", "{done:?}");
        // Reads of the erased customer say so (410), as requests about them do.
        for uri in [format!("/api/v1/subjects/{s}"), format!("/api/v1/subjects/{s}/interactions"), format!("/api/v1/subjects/{s}/consent")]
        {
            let gone = api.call(Some("adam"), Method::GET, &uri, None).await;
            assert_eq!((gone.status, gone.problem()), (StatusCode::GONE, Some("subject-erased")), "{uri}: {gone:?}");
            assert!(gone.json["detail"].as_str().unwrap().contains(&eid), "names the erasure request: {gone:?}");
        }
        let never = api.call(Some("adam"), Method::GET, "/api/v1/subjects/6f1c1f2e-8f39-4a5e-9a55-2f4f0d6f1c1f", None).await;
        assert_eq!((never.status, never.problem()), (StatusCode::NOT_FOUND, Some("unknown-subject")), "{never:?}");
        let again = api.call(Some("carla"), Method::POST, "/api/v1/rights-requests", Some(json!({ "type": "access", "subject": s }))).await;
        assert_eq!((again.status, again.problem()), (StatusCode::GONE, Some("subject-erased")), "{again:?}");
    })
    .await;
}

#[tokio::test]
async fn a_purpose_header_that_is_not_ascii_is_refused_naming_the_header() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let input = NewSubjectInput { email: Some("pat@example.com".into()), ..Default::default() };
    let s = api.f.candor.add_subject("test", &input).await.unwrap();
    for uri in [format!("/api/v1/subjects/{s}"), format!("/api/v1/subjects/{s}/interactions")] {
        let mut h = HeaderMap::new();
        h.insert("authorization", format!("Bearer {}", api.token("alice")).parse().unwrap());
        // `analytícs`: not the agent's purpose, and not one a header can name.
        h.insert("x-candor-purpose", axum::http::HeaderValue::from_bytes("analyt\u{ed}cs".as_bytes()).unwrap());
        let r = api.send(Method::GET, &uri, h, None).await;
        assert_eq!((r.status, r.problem()), (StatusCode::BAD_REQUEST, Some("bad-request")), "{uri}: {r:?}");
        assert!(r.json["detail"].as_str().unwrap().contains("X-Candor-Purpose"), "{r:?}");
        assert!(!r.json.to_string().contains("pat@example.com"), "nothing read under a default purpose: {r:?}");
    }
}
