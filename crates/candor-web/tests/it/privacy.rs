//! The privacy center: a customer signs in with a one-time code, sees and
//! manages only their own data, unsafe requests need the CSRF token, a
//! `Sec-GPC: 1` header opts them out of sale and sharing; staff sessions
//! work the same way from a token.

use axum::http::{HeaderMap, Method, StatusCode};
use candor_domain::SubjectId;
use candor_service::subjects::NewSubjectInput;
use candor_store::ConsentStore as _;
use candor_test_support::{each_backend, Fixture, TestDb};
use serde_json::json;

use crate::{code_from_outbox, Api, Reply};

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

pub(crate) async fn sign_in(api: &Api, email: &str) -> (String, String) {
    let asked = api.send(Method::POST, "/api/v1/privacy/sign-in", HeaderMap::new(), Some(json!({ "email": email }))).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{asked:?}");
    let challenge = asked.json["challenge"].as_str().unwrap().to_owned();
    api.settle().await;
    let code = code_from_outbox(&api.f, "sign_in_code").await;
    let done =
        api.send(Method::POST, "/api/v1/privacy/verify", HeaderMap::new(), Some(json!({ "challenge": challenge, "code": code }))).await;
    assert_eq!(done.status, StatusCode::CREATED, "{done:?}");
    (cookie_of(&done), done.json["csrf_token"].as_str().unwrap().to_owned())
}

/// An API over a store with a policy and two customers, Ana and Bo, known by e-mail.
async fn ana_and_bo(db: TestDb) -> (Api, SubjectId, SubjectId) {
    let api = Api::new(Fixture::with_policy(db).await).await;
    let add = |email: &str, name: &str| NewSubjectInput { email: Some(email.into()), name: Some(name.into()), ..Default::default() };
    let ana = api.f.candor.add_subject("test", &add("ana@example.com", "Ana")).await.unwrap();
    let bo = api.f.candor.add_subject("test", &add("bo@example.com", "Bo")).await.unwrap();
    (api, ana, bo)
}

#[tokio::test]
async fn a_customer_signs_in_with_a_code_and_reaches_only_their_own_data() {
    each_backend(|db| async move {
        let (api, ana, bo) = ana_and_bo(db).await;

        // Unknown addresses get the same answer, and no code is sent.
        let before = api.f.candor.outbox(true, 0, 1_000).await.unwrap().len();
        let nobody = api.send(Method::POST, "/api/v1/privacy/sign-in", HeaderMap::new(), Some(json!({ "email": "who@example.com" }))).await;
        assert_eq!(nobody.status, StatusCode::ACCEPTED);
        api.settle().await;
        assert_eq!(api.f.candor.outbox(true, 0, 1_000).await.unwrap().len(), before);
        let wrong = api
            .send(
                Method::POST,
                "/api/v1/privacy/verify",
                HeaderMap::new(),
                Some(json!({ "challenge": nobody.json["challenge"], "code": "12345678" })),
            )
            .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);

        let (cookie, csrf) = sign_in(&api, "ana@example.com").await;
        assert!(cookie.starts_with("candor_session="));
        let me = api.send(Method::GET, "/api/v1/me", with(&cookie, None), None).await;
        assert_eq!(me.status, StatusCode::OK, "{me:?}");
        assert_eq!(me.json["subject"]["id"], ana.to_string());
        let body = me.json.to_string();
        assert!(body.contains("ana@example.com") && !body.contains("bo@example.com"), "{body}");

        // Staff routes with another customer's id are not hers to call.
        for uri in [format!("/api/v1/subjects/{bo}"), format!("/api/v1/subjects/{bo}/consent"), format!("/api/v1/subjects/{ana}")] {
            let r = api.send(Method::GET, &uri, with(&cookie, None), None).await;
            assert!(matches!(r.status, StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN), "{uri}: {r:?}");
            assert!(!r.json.to_string().contains("bo@example.com"));
        }
        // Her requests list only hers.
        api.f.candor.open_rights_request("test", candor_domain::RightKind::Access, bo, None).await.unwrap();
        let opened =
            api.send(Method::POST, "/api/v1/me/rights-requests", with(&cookie, Some(&csrf)), Some(json!({ "type": "access" }))).await;
        assert_eq!(opened.status, StatusCode::CREATED, "{opened:?}");
        assert_eq!(opened.json["state"], "verified", "signing in with a code verified her");
        let mine = api.send(Method::GET, "/api/v1/me/rights-requests", with(&cookie, None), None).await;
        assert_eq!(mine.json.as_array().unwrap().len(), 1, "{mine:?}");
        assert!(mine.json.as_array().unwrap().iter().all(|r| r["subject"] == ana.to_string()));

        // Unsafe requests need the CSRF token.
        let choice = json!({ "action": "grant", "purpose": "personalization" });
        let forged = api.send(Method::POST, "/api/v1/me/consent", with(&cookie, None), Some(choice.clone())).await;
        assert_eq!((forged.status, forged.problem()), (StatusCode::FORBIDDEN, Some("forbidden")), "{forged:?}");
        let ok = api.send(Method::POST, "/api/v1/me/consent", with(&cookie, Some(&csrf)), Some(choice)).await;
        assert_eq!(ok.status, StatusCode::CREATED, "{ok:?}");
        // The receipt as a JSON object, with its detached signature.
        assert_eq!(ok.json["receipt"]["receipt"]["purposeId"], "personalization", "{ok:?}");
        assert_eq!(ok.json["receipt"]["receipt"]["piiControllers"][0]["address"]["addressCountry"], "IE");
        assert!(ok.json["receipt"]["signature"].as_str().unwrap().contains(".."));
        let events = api.f.store.consent_events(ana).await.unwrap();
        assert_eq!(events.last().unwrap().event.source.as_str(), "privacy_center");
        assert!(api.f.store.consent_events(bo).await.unwrap().is_empty(), "bo untouched");

        // Sec-GPC: 1 on any of her requests records her opt-out, once.
        let mut h = with(&cookie, None);
        h.insert("sec-gpc", "1".parse().unwrap());
        api.send(Method::GET, "/api/v1/me/consent", h.clone(), None).await;
        api.send(Method::GET, "/api/v1/me", h, None).await;
        let gpc: Vec<_> = api.f.store.consent_events(ana).await.unwrap().into_iter().filter(|e| e.event.source.as_str() == "gpc").collect();
        assert_eq!(gpc.len(), 1);
        assert_eq!(gpc[0].event.action.as_str(), "opt_out_sale_share");

        // Signing out ends the session, but only with the CSRF token: a
        // forged request from another site cannot sign her out.
        let forged = api.send(Method::DELETE, "/api/v1/session", with(&cookie, None), None).await;
        assert_eq!((forged.status, forged.problem()), (StatusCode::FORBIDDEN, Some("forbidden")), "{forged:?}");
        assert!(forged.header("set-cookie").is_none(), "{forged:?}");
        assert_eq!(api.send(Method::GET, "/api/v1/me", with(&cookie, None), None).await.status, StatusCode::OK, "still signed in");
        let out = api.send(Method::DELETE, "/api/v1/session", with(&cookie, Some(&csrf)), None).await;
        assert_eq!(out.status, StatusCode::NO_CONTENT);
        assert!(out.header("set-cookie").unwrap().contains("Max-Age=0"));
        assert_eq!(api.send(Method::GET, "/api/v1/me", with(&cookie, None), None).await.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

/// The customer's GPC opt-outs recorded so far.
async fn gpc_events(api: &Api, subject: SubjectId) -> usize {
    api.f.store.consent_events(subject).await.unwrap().iter().filter(|e| e.event.source.as_str() == "gpc").count()
}

/// `cookie` with one `Sec-GPC` field per value, in order.
fn with_gpc(cookie: &str, values: &[&str]) -> HeaderMap {
    let mut h = with(cookie, None);
    for v in values {
        h.append("sec-gpc", v.parse().unwrap());
    }
    h
}

#[tokio::test]
async fn gpc_counts_when_any_sec_gpc_field_is_exactly_one() {
    each_backend(|db| async move {
        let (api, ana, bo) = ana_and_bo(db).await;
        let (ana_cookie, _) = sign_in(&api, "ana@example.com").await;
        // No signal: 0, anything but 1, or several fields none of them 1.
        for values in [&["0"][..], &["0", "0"], &["true"], &["01"], &["1.0"], &[""]] {
            let r = api.send(Method::GET, "/api/v1/me", with_gpc(&ana_cookie, values), None).await;
            assert_eq!(r.status, StatusCode::OK, "{values:?}: {r:?}");
            assert_eq!(gpc_events(&api, ana).await, 0, "{values:?}");
        }
        // A 0 before the 1 does not hide it.
        api.send(Method::GET, "/api/v1/me", with_gpc(&ana_cookie, &["0", "1"]), None).await;
        assert_eq!(gpc_events(&api, ana).await, 1);

        // Nor does a 0 after it.
        let (bo_cookie, _) = sign_in(&api, "bo@example.com").await;
        api.send(Method::GET, "/api/v1/me", with_gpc(&bo_cookie, &["1", "0"]), None).await;
        assert_eq!(gpc_events(&api, bo).await, 1);
        api.send(Method::GET, "/api/v1/me", with_gpc(&bo_cookie, &["1"]), None).await;
        assert_eq!(gpc_events(&api, bo).await, 1, "recorded once");

        // Optional whitespace around the 1 is part of the grammar.
        let cy = NewSubjectInput { email: Some("cy@example.com".into()), ..Default::default() };
        let cy = api.f.candor.add_subject("test", &cy).await.unwrap();
        let (cy_cookie, _) = sign_in(&api, "cy@example.com").await;
        api.send(Method::GET, "/api/v1/me", with_gpc(&cy_cookie, &[" 1\t"]), None).await;
        assert_eq!(gpc_events(&api, cy).await, 1);
    })
    .await;
}

#[tokio::test]
async fn staff_sessions_set_a_strict_http_only_cookie_and_need_csrf_for_changes() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let bad = api.send(Method::POST, "/api/v1/session", HeaderMap::new(), Some(json!({ "token": "candor_nope_nope" }))).await;
        assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
        let started = api.send(Method::POST, "/api/v1/session", HeaderMap::new(), Some(json!({ "token": api.token("alice") }))).await;
        assert_eq!(started.status, StatusCode::CREATED, "{started:?}");
        let set = started.header("set-cookie").unwrap();
        assert!(set.contains("HttpOnly") && set.contains("SameSite=Strict") && !set.contains("Secure"), "{set}");
        let cookie = cookie_of(&started);
        let csrf = started.json["csrf_token"].as_str().unwrap().to_owned();

        let read = api.send(Method::GET, "/api/v1/policy/versions", with(&cookie, None), None).await;
        assert_eq!(read.status, StatusCode::OK);
        let body = Some(json!({ "email": "new@example.com" }));
        let forged = api.send(Method::POST, "/api/v1/subjects", with(&cookie, None), body.clone()).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let made = api.send(Method::POST, "/api/v1/subjects", with(&cookie, Some(&csrf)), body).await;
        assert_eq!(made.status, StatusCode::CREATED, "{made:?}");
        // A staff cookie is not a customer's.
        assert_eq!(api.send(Method::GET, "/api/v1/me", with(&cookie, None), None).await.status, StatusCode::FORBIDDEN);

        // Served over https, the cookie is Secure.
        let config = candor_service::settings::EXAMPLE_CONFIG.replace("# public_url = ", "public_url = ");
        let tls = Api::with_config(Fixture::with_policy(candor_test_support::TestDb::sqlite()).await, &config).await;
        let started = tls.send(Method::POST, "/api/v1/session", HeaderMap::new(), Some(json!({ "token": tls.token("alice") }))).await;
        assert!(started.header("set-cookie").unwrap().contains("; Secure"), "{started:?}");
    })
    .await;
}

#[tokio::test]
async fn a_customer_downloads_their_own_bundle_file_by_file_and_an_erasure_removes_it() {
    each_backend(|db| async move {
        let (api, ana, _bo) = ana_and_bo(db).await;
        let (cookie, csrf) = sign_in(&api, "ana@example.com").await;
        let opened =
            api.send(Method::POST, "/api/v1/me/rights-requests", with(&cookie, Some(&csrf)), Some(json!({ "type": "access" }))).await;
        let id = opened.json["id"].as_str().unwrap().to_owned();
        let mine = |file: &str| format!("/api/v1/me/rights-requests/{id}/bundle/{file}");

        // Nothing to fetch before staff carry the request out.
        let early = api.send(Method::GET, &mine("manifest.json"), with(&cookie, None), None).await;
        assert_eq!((early.status, early.problem()), (StatusCode::NOT_FOUND, Some("no-bundle")), "{early:?}");
        let done = api.call(Some("adam"), Method::POST, &format!("/api/v1/rights-requests/{id}/execute"), Some(json!({}))).await;
        assert_eq!(done.status, StatusCode::OK, "{done:?}");

        let manifest = api.send(Method::GET, &mine("manifest.json"), with(&cookie, None), None).await;
        assert_eq!(manifest.status, StatusCode::OK, "{manifest:?}");
        assert_eq!(manifest.header("content-type"), Some("application/json"));
        let files: Vec<String> =
            manifest.json["files"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_owned()).collect();
        assert!(files.contains(&"data.json".to_owned()) && files.contains(&"summary.txt".to_owned()), "{files:?}");
        let data = api.send(Method::GET, &mine("data.json"), with(&cookie, None), None).await;
        assert_eq!(data.status, StatusCode::OK);
        assert_eq!(data.header("content-disposition"), Some("attachment; filename=\"data.json\""));
        assert!(data.json.to_string().contains("ana@example.com"), "her own data, decrypted for her");
        let summary = api.send(Method::GET, &mine("summary.txt"), with(&cookie, None), None).await;
        assert_eq!(summary.header("content-type"), Some("text/plain; charset=utf-8"));

        // Only files the manifest lists: no other name, no way out of the bundle.
        for file in ["candor.toml", "..%2F..%2Fcandor.toml", "%2Fetc%2Fpasswd", "..", "data.json.partial"] {
            let r = api.send(Method::GET, &mine(file), with(&cookie, None), None).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{file}: {r:?}");
        }
        // Another customer gets the answer of a request that does not exist.
        let (bo_cookie, _) = sign_in(&api, "bo@example.com").await;
        let theirs = api.send(Method::GET, &mine("data.json"), with(&bo_cookie, None), None).await;
        assert_eq!((theirs.status, theirs.problem()), (StatusCode::NOT_FOUND, Some("unknown-request")), "{theirs:?}");
        assert!(!theirs.json.to_string().contains("ana@example.com"));

        // Staff with the right to read requests fetch it too; others do not.
        let staff = format!("/api/v1/rights-requests/{id}/bundle/data.json");
        assert_eq!(api.call(Some("adam"), Method::GET, &staff, None).await.status, StatusCode::OK);
        assert_eq!(api.call(Some("alice"), Method::GET, &staff, None).await.status, StatusCode::FORBIDDEN);
        let reads = api.f.candor.audit_page(0, 10_000).await.unwrap();
        let reads: Vec<_> = reads.iter().filter(|e| e.record.action == "rights.bundle.read").collect();
        assert_eq!(reads.len(), 4, "each file served is audited, and nothing else");
        assert!(reads.iter().all(|e| !e.record.detail.to_string().contains("ana@example.com")), "by pseudonym only");
        assert_eq!(reads.last().unwrap().record.actor, "adam");

        // Her erasure removes the bundle: nothing about her stays behind.
        let erase = api
            .call(Some("adam"), Method::POST, "/api/v1/rights-requests", Some(json!({ "type": "erasure", "subject": ana.to_string() })))
            .await;
        let erase_id = erase.json["id"].as_str().unwrap().to_owned();
        let verified = api
            .call(
                Some("adam"),
                Method::POST,
                &format!("/api/v1/rights-requests/{erase_id}/verify"),
                Some(json!({ "staff_reason": "confirmed on a call" })),
            )
            .await;
        assert_eq!(verified.status, StatusCode::OK, "{verified:?}");
        let erased = api.call(Some("adam"), Method::POST, &format!("/api/v1/rights-requests/{erase_id}/execute"), Some(json!({}))).await;
        assert_eq!(erased.status, StatusCode::OK, "{erased:?}");
        assert!(!api.f.dir().join("exports").join(&id).exists(), "the bundle directory is gone");
        let gone = api.call(Some("adam"), Method::GET, &staff, None).await;
        assert_eq!((gone.status, gone.problem()), (StatusCode::NOT_FOUND, Some("no-bundle")), "{gone:?}");
    })
    .await;
}
