//! The staff console's pages, driven as a browser without JavaScript:
//! signing in by token and by a mailed code, every role against every
//! page and action, revealing an original with a reason (audited, and
//! seen by the customer), executing a rights request, answering a
//! concern, publishing a material policy change after its stale-consent
//! count, the quiz, and audit verification after tampering.

use std::sync::Arc;

use axum::http::StatusCode;
use candor_domain::{ConsentAction, ConsentSource, Identifier, RightKind, Role};
use candor_service::audit::AuditFilter;
use candor_service::import::{ImportOptions, Progress};
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{each_backend, Fixture, TestDb};

use crate::privacy_center::Browser;
use crate::{code_from_outbox, Api};

/// Sign `b` in to the console with `actor`'s API token.
async fn sign_in(api: &Api, b: &mut Browser<'_>, actor: &str) {
    let r = b.post("/console/sign-in/token", &[("token", api.token(actor))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
    assert!(b.cookie.is_some());
}

/// The console's pages, each with the roles that may open it.
const PAGES: [(&str, &[Role]); 8] = [
    ("/console/dashboard", &[Role::Analyst, Role::Compliance, Role::Admin]),
    ("/console/conversations", &[Role::Agent, Role::Compliance, Role::Admin]),
    ("/console/requests", &[Role::Compliance, Role::Admin]),
    ("/console/concerns", &[Role::Compliance, Role::Admin]),
    ("/console/policy", &[Role::Agent, Role::Analyst, Role::Marketer, Role::Compliance, Role::Admin]),
    ("/console/recipients", &[Role::Marketer, Role::Compliance, Role::Admin]),
    ("/console/staff", &[Role::Compliance, Role::Admin]),
    ("/console/audit", &[Role::Compliance, Role::Admin]),
];

/// A console action: its path, its form's fields, the roles that may.
type Action<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a [Role]);

const ROLES: [(&str, Role); 5] =
    [("alice", Role::Agent), ("ana", Role::Analyst), ("mark", Role::Marketer), ("carla", Role::Compliance), ("adam", Role::Admin)];

#[tokio::test]
async fn every_role_against_every_console_page_and_action() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let input = NewSubjectInput { email: Some("pat@example.com".into()), ..Default::default() };
        let pat = api.f.candor.add_subject("test", &input).await.unwrap();
        let request = api.f.candor.open_rights_request("test", RightKind::Access, pat, None).await.unwrap().id;
        let concern = api.f.candor.raise_concern("subject", pat, "why do you keep my handle?").await.unwrap().id;
        for (actor, role) in ROLES {
            let mut b = Browser::new(&api);
            sign_in(&api, &mut b, actor).await;
            for (page, roles) in PAGES {
                let r = b.get(page).await;
                let allowed = roles.contains(&role);
                let expected = if allowed { StatusCode::OK } else { StatusCode::FORBIDDEN };
                assert_eq!(r.status, expected, "{actor} ({role:?}) {page}: {}", r.html);
                // A page the role may not open is not offered either.
                let home = b.get("/console/training").await;
                assert_eq!(home.html.contains(&format!("href=\"{page}\"")), allowed, "{actor}: link to {page}");
            }
            let csrf = b.get("/console/training").await.hidden("csrf");
            // Actions: refused unless the role may, and never without the
            // session's CSRF token.
            let actions: [Action; 4] = [
                ("/console/requests/REQ/extend", vec![("reason", "waiting for the archive")], &[Role::Compliance, Role::Admin]),
                ("/console/concerns/CON/close", vec![], &[Role::Compliance, Role::Admin]),
                ("/console/audit/verify", vec![], &[Role::Compliance, Role::Admin]),
                (
                    "/console/conversations/reveal",
                    vec![
                        ("customer", "pat@example.com"),
                        ("platform", "x"),
                        ("item", "1"),
                        ("purpose", "customer_service"),
                        ("reason", "checking"),
                    ],
                    &[Role::Agent, Role::Compliance, Role::Admin],
                ),
            ];
            for (path, fields, roles) in &actions {
                let path = path.replace("REQ", &request).replace("CON", &concern);
                let mut with = fields.clone();
                with.push(("csrf", "forged"));
                let forged = b.post(&path, &with).await;
                let mut ok = fields.clone();
                ok.push(("csrf", &csrf));
                if roles.contains(&role) {
                    assert_eq!(forged.status, StatusCode::FORBIDDEN, "{actor} {path} without the CSRF token");
                } else {
                    let r = b.post(&path, &ok).await;
                    assert_eq!(r.status, StatusCode::FORBIDDEN, "{actor} ({role:?}) {path}: {}", r.html);
                }
            }
            // Publishing is compliance and admin only.
            let r = b.post("/console/policy/publish", &[("csrf", &csrf), ("content", "x"), ("hash", "y")]).await;
            if [Role::Compliance, Role::Admin].contains(&role) {
                assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{actor}: a content that is not the one checked");
            } else {
                assert_eq!(r.status, StatusCode::FORBIDDEN, "{actor} publishing");
            }
        }
        // Untrained bob is sent to the course, not shown an error; the
        // policy (no personal data) stays open to him.
        let mut b = Browser::new(&api);
        sign_in(&api, &mut b, "bob").await;
        let r = b.get("/console/conversations").await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert_eq!(r.header("location"), Some("/console/training?lapsed=1"));
        let course = b.get("/console/training?lapsed=1").await;
        assert_eq!(course.status, StatusCode::OK);
        assert!(course.html.contains("class=\"quiz\"") && course.html.contains("not current"), "{}", course.html);
        assert_eq!(b.get("/console/policy").await.status, StatusCode::OK);
        // Nobody signed in: every page sends to the sign-in page.
        let mut stranger = Browser::new(&api);
        for (page, _) in PAGES {
            let r = stranger.get(page).await;
            assert_eq!((r.status, r.header("location")), (StatusCode::SEE_OTHER, Some("/console/sign-in")), "{page}");
        }
    })
    .await;
}

#[tokio::test]
async fn a_code_goes_to_the_staff_members_address_and_a_wrong_one_is_refused_and_audited() {
    let api = Api::with_config(Fixture::with_policy(TestDb::sqlite()).await, &crate::sessions::quick_recheck()).await;
    let c = &api.f.candor;
    c.upsert_actor("test", "dora@shop.example", vec![Role::Compliance]).await.unwrap();
    let mut b = Browser::new(&api);
    let asked = b.post("/console/sign-in/code", &[("actor", "Dora@Shop.example")]).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.html);
    let challenge = asked.hidden("challenge");
    api.settle().await;
    let mail = c.outbox(true, 0, 100).await.unwrap().into_iter().find(|m| m.kind == "staff_sign_in_code").expect("a code was queued");
    assert_eq!(mail.to.as_deref(), Some("dora@shop.example"));
    let code = code_from_outbox(&api.f, "staff_sign_in_code").await;
    let wrong = b.post("/console/code", &[("challenge", &challenge), ("actor", "dora@shop.example"), ("code", "00000000")]).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(b.cookie.is_none());
    // The code is bound to the actor: another id cannot use it.
    let other = b.post("/console/code", &[("challenge", &challenge), ("actor", "adam"), ("code", &code)]).await;
    assert_eq!(other.status, StatusCode::UNAUTHORIZED);
    let right = b.post("/console/code", &[("challenge", &challenge), ("actor", "dora@shop.example"), ("code", &code)]).await;
    assert_eq!(right.status, StatusCode::SEE_OTHER, "{}", right.html);
    // Her training is missing: the console sends her to the course.
    let home = b.get("/console").await;
    assert_eq!(home.header("location"), Some("/console/training"));
    let refused = c.audit_search(&AuditFilter { action: Some("session.refused".into()), ..Default::default() }, 10).await.unwrap();
    assert_eq!(refused.len(), 2, "each wrong code is audited");
    // The code's session follows its own token: revoking it ends the
    // session (after the re-check window of `quick_recheck`).
    let tokens = c.tokens("dora@shop.example").await.unwrap();
    assert_eq!(tokens.len(), 1, "the session got a token of its own");
    c.revoke_token("test", &tokens[0].id).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(1_300)).await;
    assert_eq!(b.get("/console/training").await.header("location"), Some("/console/sign-in"));
    // An unknown id gets the same page and no mail.
    let before = c.outbox(true, 0, 100).await.unwrap().len();
    let unknown = b.post("/console/sign-in/code", &[("actor", "nobody@shop.example")]).await;
    assert_eq!(unknown.status, StatusCode::OK);
    api.settle().await;
    assert_eq!(c.outbox(true, 0, 100).await.unwrap().len(), before);
    // A wrong token is refused and audited.
    let bad = Browser::new(&api).post("/console/sign-in/token", &[("token", "candor_nothing")]).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    // A code tried for an id that is nobody's (a customer's address typed
    // by mistake) is audited as `unknown`: the address never reaches the log.
    let asked = Browser::new(&api).post("/console/sign-in/code", &[("actor", "pat.customer@example.com")]).await;
    let challenge = asked.hidden("challenge");
    api.settle().await;
    let r = Browser::new(&api)
        .post("/console/code", &[("challenge", &challenge), ("actor", "pat.customer@example.com"), ("code", "12345678")])
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    let all = c.audit_search(&AuditFilter::default(), 1_000).await.unwrap();
    assert!(all.iter().all(|e| !serde_json::to_string(&e.record).unwrap().contains("pat.customer")), "no address in the audit log");
    let refused = c.audit_search(&AuditFilter { action: Some("session.refused".into()), ..Default::default() }, 10).await.unwrap();
    assert!(refused.iter().filter(|e| e.record.actor == "unknown").count() >= 2, "the token and the unknown id");
}

/// Pat writes to @northwind on X twice and the brand answers.
async fn with_messages(db: TestDb) -> Api {
    let f = Fixture::with_policy(db).await;
    let s = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
             1,4001,True,Mon Oct 30 10:00:00 +0000 2017,@northwind my order 12345 never came call me on +44 7700 900123,2,\n\
             2,northwind,False,Mon Oct 30 10:05:00 +0000 2017,@4001 sorry! we are on it,,1\n";
    let path = f.dir().join("twcs.csv");
    std::fs::write(&path, s).unwrap();
    let options = ImportOptions { brands: vec!["northwind".into()], actor: "importer".into(), ..ImportOptions::default() };
    f.candor.import(&path, options, Arc::new(Progress::default())).await.unwrap();
    Api::new(f).await
}

#[tokio::test]
async fn an_original_is_shown_only_with_a_reason_and_the_customer_sees_it_was() {
    each_backend(|db| async move {
        let api = with_messages(db).await;
        let mut b = Browser::new(&api);
        sign_in(&api, &mut b, "alice").await;
        let csrf = b.get("/console/conversations").await.hidden("csrf");
        // The handle searched for is posted, never put in the page's address.
        let found = b.post("/console/conversations", &[("csrf", &csrf), ("customer", "x:@4001"), ("purpose", "customer_service")]).await;
        assert_eq!(found.status, StatusCode::SEE_OTHER, "{}", found.html);
        let at = found.header("location").unwrap().to_owned();
        assert!(at.starts_with("/console/conversations?subject=") && !at.contains("4001"), "{at}");
        let page = b.get(&at).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        let nobody = b.post("/console/conversations", &[("csrf", &csrf), ("customer", "nobody@example.com"), ("purpose", "")]).await;
        assert_eq!(nobody.status, StatusCode::NOT_FOUND);
        assert!(nobody.html.contains("No customer matches"), "{}", nobody.html);
        assert!(page.html.contains("never came call me on"), "{}", page.html);
        assert!(!page.html.contains("900123") && !page.html.contains("12345"), "redacted by default");
        let csrf = page.hidden("csrf");
        let subject = page.hidden("customer");
        let form = |reason: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("customer", subject.clone()),
                ("platform", "x".into()),
                ("item", "1".into()),
                ("purpose", "customer_service".into()),
                ("reason", reason.into()),
            ]
        };
        let as_refs = |v: &Vec<(&'static str, String)>| v.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let no_reason = as_refs(&form(""));
        let refs: Vec<(&str, &str)> = no_reason.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b.post("/console/conversations/reveal", &refs).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!r.html.contains("7700 900123"));
        let with = as_refs(&form("customer asks where the parcel is"));
        let refs: Vec<(&str, &str)> = with.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = b.post("/console/conversations/reveal", &refs).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.html);
        assert!(r.html.contains("+44 7700 900123"), "{}", r.html);
        let c = &api.f.candor;
        let shown = c.audit_search(&AuditFilter { action: Some("interaction.reveal".into()), ..Default::default() }, 10).await.unwrap();
        assert_eq!(shown.len(), 1);
        assert_eq!(shown[0].record.actor, "alice");
        assert_eq!(shown[0].record.detail["reason"], "customer asks where the parcel is");
        // A reason that names the customer's details keeps them out of the log.
        let leaky = as_refs(&form("asked again by pat.customer@example.com"));
        let refs: Vec<(&str, &str)> = leaky.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(b.post("/console/conversations/reveal", &refs).await.status, StatusCode::OK);
        let shown = c.audit_search(&AuditFilter { action: Some("interaction.reveal".into()), ..Default::default() }, 10).await.unwrap();
        let reason = shown[0].record.detail["reason"].as_str().unwrap().to_owned();
        assert!(reason.starts_with("asked again by <") && !reason.contains("pat.customer"), "{reason}");
        let id = c.find_subject(&Identifier::parse_handle("x:@4001").unwrap()).await.unwrap().unwrap();
        let readings = c.readings(id, 50).await.unwrap();
        assert!(readings.iter().any(|r| r.action == "interaction.reveal"), "the customer sees the showing");
        // A marketer may not open conversations at all.
        let mut m = Browser::new(&api);
        sign_in(&api, &mut m, "mark").await;
        assert_eq!(m.get(&at).await.status, StatusCode::FORBIDDEN);
    })
    .await;
}

#[tokio::test]
async fn compliance_executes_a_request_answers_a_concern_and_verifies_the_audit_log() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let c = &api.f.candor;
        let input = NewSubjectInput { email: Some("pat@example.com".into()), ..Default::default() };
        let pat = c.add_subject("test", &input).await.unwrap();
        let req = c.open_rights_request("test", RightKind::Restriction, pat, None).await.unwrap().id;
        let concern = c.raise_concern("subject", pat, "who sees my messages?").await.unwrap().id;
        let mut b = Browser::new(&api);
        sign_in(&api, &mut b, "carla").await;
        // The charts speak the page's language too.
        let es = b.get("/console/dashboard?lang=es").await;
        assert!(es.html.contains(">Semana<") && es.html.contains("<h1>Panel</h1>"), "{}", es.html);
        b.get("/console/dashboard?lang=en").await;
        let queue = b.get("/console/requests").await;
        assert!(queue.html.contains(&format!("/console/requests/{req}")), "{}", queue.html);
        let one = b.get(&format!("/console/requests/{req}")).await;
        let csrf = one.hidden("csrf");
        let r = b.post(&format!("/console/requests/{req}/execute"), &[("csrf", &csrf)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "execution needs its confirmation");
        let r = b.post(&format!("/console/requests/{req}/verify"), &[("csrf", &csrf), ("reason", "ID checked at the counter")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.html);
        let r = b.post(&format!("/console/requests/{req}/execute"), &[("csrf", &csrf), ("confirm", "yes")]).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.html);
        assert!(r.html.contains("id=\"report\""), "the report after execution: {}", r.html);
        assert!(c.rights_request(&req).await.unwrap().request.state.is_final());
        // The concern: read, answered (mailed), gone from the open queue.
        let read = b.get(&format!("/console/concerns?id={concern}")).await;
        assert!(read.html.contains("who sees my messages?"), "{}", read.html);
        let r = b
            .post(&format!("/console/concerns/{concern}/answer"), &[("csrf", &csrf), ("answer", "Only our care team, for your requests.")])
            .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.html);
        let mail = c.outbox(true, 0, 100).await.unwrap().into_iter().filter(|m| m.to.as_deref() == Some("pat@example.com")).count();
        assert!(mail >= 1, "the answer is queued to the customer");
        // Verify, then tamper with a row: the page names the bad entry.
        let ok = b.post("/console/audit/verify", &[("csrf", &csrf)]).await;
        assert!(ok.html.contains("The chain is intact"), "{}", ok.html);
        api.f.exec("update audit_log set body = body || ' ' where seq = 3").await;
        let bad = b.post("/console/audit/verify", &[("csrf", &csrf)]).await;
        assert!(bad.html.contains("The chain is broken") && bad.html.contains("entry 3"), "{}", bad.html);
    })
    .await;
}

#[tokio::test]
async fn a_material_change_shows_its_stale_consent_count_before_it_is_published() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let c = &api.f.candor;
    for n in 0..3 {
        let input = NewSubjectInput { email: Some(format!("p{n}@example.com")), ..Default::default() };
        let s = c.add_subject("test", &input).await.unwrap();
        if n < 2 {
            c.record_consent("test", s, Some("marketing.advertising"), ConsentAction::Grant, ConsentSource::PrivacyCenter).await.unwrap();
        }
    }
    let mut b = Browser::new(&api);
    sign_in(&api, &mut b, "carla").await;
    let csrf = b.get("/console/policy").await.hidden("csrf");
    let changed = candor_domain::EXAMPLE_POLICY.replace("retention_days = 180\nccpa = \"share\"", "retention_days = 365\nccpa = \"share\"");
    assert_ne!(changed, candor_domain::EXAMPLE_POLICY);
    let checked = b.upload("/console/policy/check", &csrf, "policy.toml", &changed).await;
    assert_eq!(checked.status, StatusCode::OK, "{}", checked.html);
    assert!(
        checked.html.contains("id=\"stale-count\">2 customers") && checked.html.contains("consent becomes outdated"),
        "{}",
        checked.html
    );
    let (hash, base) = (checked.hidden("hash"), checked.hidden("base"));
    assert_eq!(base, "1");
    // Another version published in between voids what was shown.
    let stale = b.post("/console/policy/publish", &[("csrf", &csrf), ("hash", &hash), ("base", "0"), ("content", &changed)]).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.html.contains("check it again"), "{}", stale.html);
    // A browser sends the text area back with CRLF line ends.
    let crlf = changed.replace('\n', "\r\n");
    let r = b.post("/console/policy/publish", &[("csrf", &csrf), ("hash", &hash), ("base", &base), ("content", &crlf)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.html);
    assert_eq!(c.latest_policy_version().await.unwrap(), Some(2));
    let broken = b.upload("/console/policy/check", &csrf, "broken.toml", "this is = = not toml").await;
    assert_eq!(broken.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(broken.html.contains("broken.toml"), "the error names the file: {}", broken.html);
}

#[tokio::test]
async fn the_quiz_failed_then_passed_opens_the_pages_with_personal_data() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let mut b = Browser::new(&api);
    sign_in(&api, &mut b, "bob").await;
    let course = b.get("/console/training").await;
    let csrf = course.hidden("csrf");
    let right = ["2", "1", "2", "2", "3", "2", "2", "1", "2", "2"];
    let ordered: Vec<String> = {
        let mut seen = Vec::new();
        for (i, _) in course.html.match_indices("name=\"q-") {
            let id = course.html[i + 8..].split('"').next().unwrap().to_owned();
            if !seen.contains(&id) {
                seen.push(id);
            }
        }
        seen
    };
    assert_eq!(ordered.len(), 10);
    let answers = |picks: &[&str]| {
        let mut form: Vec<(String, String)> = vec![("csrf".into(), csrf.clone())];
        form.extend(ordered.iter().zip(picks).map(|(id, p)| (format!("q-{id}"), (*p).to_owned())));
        form
    };
    let wrong = answers(&["1"; 10]);
    let refs: Vec<(&str, &str)> = wrong.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let failed = b.post("/console/training/quiz", &refs).await;
    assert!(failed.html.contains("Not passed"), "{}", failed.html);
    assert_eq!(b.get("/console/conversations").await.status, StatusCode::SEE_OTHER);
    let good = answers(&right);
    let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let passed = b.post("/console/training/quiz", &refs).await;
    assert!(passed.html.contains("Passed: 10 of 10"), "{}", passed.html);
    let bob = api.f.candor.actor("bob").await.unwrap().unwrap();
    assert!(bob.training_expires_at.is_some());
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused() {
    let api = Api::new(Fixture::with_policy(TestDb::sqlite()).await).await;
    let code = api.f.candor.issue_staff_code("test", "carla", time::Duration::minutes(30)).await.unwrap();
    let token = api.token("carla").to_owned();
    let attempts: [(&str, Vec<(&str, &str)>); 2] = [
        ("/console/sign-in/token", vec![("token", &token)]),
        ("/console/code", vec![("challenge", &code.challenge), ("actor", "carla"), ("code", &code.code)]),
    ];
    for (path, form) in &attempts {
        for told in [("sec-fetch-site", "cross-site"), ("sec-fetch-site", "same-site"), ("origin", "https://evil.example")] {
            let mut lured = Browser::new(&api);
            lured.extra = vec![(told.0, told.1.to_owned())];
            let r = lured.post(path, form).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{path} {told:?}: {}", r.html);
            assert!(lured.cookie.is_none() && r.html.contains("own sign-in page"), "{}", r.html);
        }
    }
    // As a browser posts candor's own form: same-origin, Origin `null`
    // (no referrer), or an Origin naming the host asked.
    for (i, (path, form)) in attempts.iter().enumerate() {
        let mut b = Browser::new(&api);
        b.extra = if i == 0 {
            vec![("sec-fetch-site", "same-origin".into()), ("origin", "null".into())]
        } else {
            vec![("origin", "http://care.example.com:8080".into()), ("host", "care.example.com:8080".into())]
        };
        let r = b.post(path, form).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{path}: {}", r.html);
        assert!(b.cookie.is_some());
    }
}
