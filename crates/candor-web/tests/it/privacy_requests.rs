//! The privacy center's requests, driven as a browser without JavaScript
//! drives them: a copy downloaded as one zip whose files match the
//! manifest's checksums, a correction carried out with the customer's own
//! values, the deletion page with what a legal hold keeps, the request's
//! state and deadline; and a grant that conflicts with a Global Privacy
//! Control opt-out asked to be confirmed, with both kept in the ledger.

use std::io::Read as _;

use axum::http::StatusCode;
use candor_domain::{ConsentAction, ConsentSource, RequestState, RightKind, SubjectId};
use candor_service::rights::execute::ExecuteOptions;
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{each_backend, Fixture};
use sha2::{Digest, Sha256};

use crate::privacy_center::{served, Browser};
use crate::Api;

/// The customer's one request of `kind`, as stored.
async fn request_of(api: &Api, subject: SubjectId, kind: RightKind) -> candor_service::rights::RightsRequestView {
    let all = api.f.candor.rights_requests(false).await.unwrap();
    let mine: Vec<_> = all.into_iter().filter(|r| r.subject == subject && r.request.kind == kind).collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    mine.into_iter().next().unwrap()
}

async fn add_bea(api: &Api) -> SubjectId {
    let add = NewSubjectInput { email: Some("bea@example.com".into()), name: Some("Bea Soto".into()), ..Default::default() };
    api.f.candor.add_subject("test", &add).await.unwrap()
}

/// Staff carry a request out, the bundle written outside the server's
/// exports directory as `candor rights execute` does by default.
async fn execute(api: &Api, id: &str) {
    let options = ExecuteOptions {
        out_dir: Some(api.f.dir().join(format!("cli-export-{id}"))),
        corrections: Vec::new(),
        bundles_dir: Some(api.state.settings().server.exports_dir.clone()),
    };
    api.f.candor.execute_rights_request("carla", id, &options).await.unwrap();
}

#[tokio::test]
async fn a_copy_asked_for_on_the_page_downloads_as_one_zip_whose_files_match_the_manifest() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        add_bea(&api).await;
        let mut b = Browser::new(&api);
        b.sign_in("ana@example.com").await;
        let page = b.get("/privacy/requests").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        let csrf = page.hidden("csrf");
        let asked = b.post("/privacy/requests", &[("csrf", &csrf), ("kind", "access")]).await;
        assert_eq!((asked.status, asked.header("location")), (StatusCode::SEE_OTHER, Some("/privacy/requests?done=access#requests")));
        let r = request_of(&api, ana, RightKind::Access).await;
        assert_eq!(r.request.state, RequestState::Verified, "the sign-in verified the customer");
        let listed = b.get("/privacy/requests?done=access").await;
        assert!(listed.html.contains("We received your request for a copy"), "{}", listed.html);
        assert!(listed.html.contains("A copy of your data") && listed.html.contains(&r.request.due_at.date().to_string()));
        assert!(!listed.html.contains("/download"), "no copy before staff prepared it");

        execute(&api, &r.id).await;
        let listed = b.get("/privacy/requests").await;
        let link = format!("/privacy/requests/{}/download", r.id);
        assert!(listed.html.contains(&link) && listed.html.contains(">Done<"), "{}", listed.html);
        let zip = b.get(&link).await;
        assert_eq!(zip.status, StatusCode::OK);
        assert_eq!(zip.header("content-type"), Some("application/zip"));
        assert_eq!(zip.header("content-disposition"), Some(format!("attachment; filename=\"candor-export-{}.zip\"", r.id).as_str()));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip.bytes.clone())).unwrap();
        let mut read = |name: &str| {
            let mut out = Vec::new();
            archive.by_name(&format!("candor-export-{}/{name}", r.id)).unwrap().read_to_end(&mut out).unwrap();
            out
        };
        let manifest: serde_json::Value = serde_json::from_slice(&read("manifest.json")).unwrap();
        let files = manifest["files"].as_array().unwrap();
        assert!(files.len() >= 8, "{manifest}");
        for f in files {
            let bytes = read(f["path"].as_str().unwrap());
            assert_eq!(hex::encode(Sha256::digest(&bytes)), f["sha256"].as_str().unwrap(), "{}", f["path"]);
        }
        assert!(String::from_utf8(read("data.json")).unwrap().contains("ana@example.com"));

        // Another customer, and a visitor who is not signed in, get nothing.
        let mut bea = Browser::new(&api);
        bea.ip = std::net::IpAddr::from([10, 9, 0, 2]);
        bea.sign_in("bea@example.com").await;
        let theirs = bea.get(&link).await;
        assert_eq!(theirs.status, StatusCode::NOT_FOUND, "{}", theirs.html);
        assert!(!theirs.html.contains("ana@example.com"));
        let stranger = Browser::new(&api).get(&link).await;
        assert_eq!(stranger.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn a_bundle_changed_on_disk_after_it_was_written_is_not_handed_out() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        b.sign_in("ana@example.com").await;
        let csrf = b.get("/privacy/requests").await.hidden("csrf");
        b.post("/privacy/requests", &[("csrf", &csrf), ("kind", "portability")]).await;
        let r = request_of(&api, ana, RightKind::Portability).await;
        execute(&api, &r.id).await;
        let served = api.state.settings().server.exports_dir.join(&r.id).join("profile.csv");
        std::fs::write(&served, "field,category,value\nemail,user.contact.email,mallory@example.com\n").unwrap();
        let zip = b.get(&format!("/privacy/requests/{}/download", r.id)).await;
        assert_eq!(zip.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!zip.html.contains("mallory"), "{}", zip.html);
    })
    .await;
}

#[tokio::test]
async fn a_correction_from_the_form_is_checked_then_carried_out_with_the_customers_values() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        b.sign_in("ana@example.com").await;
        let csrf = b.get("/privacy/requests").await.hidden("csrf");
        let form = |csrf: &str, email: &str| {
            vec![("csrf", csrf.to_owned()), ("name", "Ana María Ruiz".to_owned()), ("email", email.to_owned()), ("phone", String::new())]
        };

        // A malformed address: the form again, with what was typed and why.
        let fields = form(&csrf, "not an address");
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let wrong = b.post("/privacy/requests/correct", &pairs).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.html);
        assert!(
            wrong.html.contains("We could not use this correction") && wrong.html.contains("value=\"Ana María Ruiz\""),
            "{}",
            wrong.html
        );
        // Too long, a forged token, or nothing to correct: nothing is opened either.
        let long = "x".repeat(5_000);
        let too_long = b.post("/privacy/requests/correct", &[("csrf", &csrf), ("name", &long)]).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!too_long.html.contains(&long));
        let forged = b.post("/privacy/requests/correct", &[("csrf", "forged"), ("name", "Mallory")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        let empty = b.post("/privacy/requests/correct", &[("csrf", &csrf), ("name", "  ")]).await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(api.f.candor.rights_requests(false).await.unwrap().is_empty());

        let fields = form(&csrf, "ana.ruiz@example.com");
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let asked = b.post("/privacy/requests/correct", &pairs).await;
        assert_eq!(asked.status, StatusCode::SEE_OTHER, "{}", asked.html);
        let r = request_of(&api, ana, RightKind::Rectification).await;
        assert!(r.request.sealed_corrections.is_some());
        // The values are sealed: neither the stored request nor the audit log carries them.
        let stored = serde_json::to_string(&r.request).unwrap();
        assert!(!stored.contains("María") && !stored.contains("ana.ruiz"), "{stored}");
        execute(&api, &r.id).await;
        let fields = api.f.candor.own_fields(ana).await.unwrap();
        let value = |name: &str| fields.iter().find(|f| f.field == name).and_then(|f| f.value.clone());
        assert_eq!(value("name").as_deref(), Some("Ana María Ruiz"));
        assert_eq!(value("email").as_deref(), Some("ana.ruiz@example.com"));
        let audit = format!("{:?}", api.f.candor.audit_page(0, 1_000).await.unwrap());
        assert!(!audit.contains("María") && !audit.contains("ana.ruiz"));
        let page = b.get("/privacy/requests").await;
        assert!(page.html.contains("Correct your data") && page.html.contains(">Done<"), "{}", page.html);
    })
    .await;
}

#[tokio::test]
async fn the_deletion_page_says_what_goes_and_what_a_hold_keeps_then_tracks_the_request() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        api.f.candor.place_hold("carla", ana, "legal_claims", "An open dispute about order 1234").await.unwrap();
        let mut b = Browser::new(&api);
        b.sign_in("ana@example.com").await;
        let page = b.get("/privacy/delete").await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.html);
        for words in ["What we delete", "What we must keep, and why", "Legal obligations and claims", "An open dispute about order 1234"] {
            assert!(page.html.contains(words), "{words}: {}", page.html);
        }
        let forged = b.post("/privacy/delete", &[("csrf", "nope")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(api.f.candor.rights_requests(false).await.unwrap().is_empty());
        let asked = b.post("/privacy/delete", &[("csrf", &page.hidden("csrf"))]).await;
        assert_eq!(asked.header("location"), Some("/privacy/requests?done=erasure#requests"));
        let r = request_of(&api, ana, RightKind::Erasure).await;
        let again = b.get("/privacy/delete").await;
        assert!(again.html.contains(&format!("We must answer by {}", r.request.due_at.date())), "{}", again.html);
        assert!(!again.html.contains("action=\"/privacy/delete\""), "no second button while one is open");
        execute(&api, &r.id).await;
        let listed = b.get("/privacy/requests").await;
        assert!(listed.html.contains("Delete your data") && listed.html.contains(">Done<"), "{}", listed.html);
    })
    .await;
}

#[tokio::test]
async fn after_an_erasure_the_page_says_the_data_is_gone() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        b.sign_in("ana@example.com").await;
        let csrf = b.get("/privacy/delete").await.hidden("csrf");
        b.post("/privacy/delete", &[("csrf", &csrf)]).await;
        let r = request_of(&api, ana, RightKind::Erasure).await;
        execute(&api, &r.id).await;
        let gone = b.get("/privacy").await;
        assert_eq!(gone.status, StatusCode::GONE);
        assert!(gone.html.contains("We deleted your data as you asked"), "{}", gone.html);
        // Every page says so; none offers a form about data that is gone.
        for path in ["/privacy/requests", "/privacy/delete"] {
            let page = b.get(path).await;
            assert_eq!(page.status, StatusCode::GONE, "{path}");
            assert!(
                page.html.contains("We deleted your data as you asked") && !page.html.contains("<form method=\"post\" action=\"/privacy/"),
                "{}",
                page.html
            );
        }
        assert!(!gone.html.contains("ana@example.com"));
    })
    .await;
}

#[tokio::test]
async fn allowing_a_sharing_purpose_against_gpc_is_confirmed_and_the_ledger_keeps_both() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        b.gpc = true;
        let dashboard = b.sign_in("ana@example.com").await;
        let csrf = dashboard.hidden("csrf");
        let events = |api: &Api| {
            let c = api.f.candor.clone();
            async move { c.consent_overview(ana).await.unwrap().events }
        };
        let before = events(&api).await;
        assert_eq!(before.iter().filter(|e| e.event.source == ConsentSource::Gpc).count(), 1, "{before:?}");

        let grant = [("csrf", csrf.as_str()), ("purpose", "marketing.advertising"), ("action", "grant")];
        let ask = b.post("/privacy/choices", &grant).await;
        assert_eq!(ask.status, StatusCode::OK, "{}", ask.html);
        assert!(
            ask.html.contains("Global Privacy Control") && ask.html.contains("Yes, allow it") && ask.html.contains("No, keep my opt-out")
        );
        assert_eq!(events(&api).await.len(), before.len(), "nothing recorded before the customer confirms");

        let confirm = [("csrf", csrf.as_str()), ("purpose", "marketing.advertising"), ("action", "grant"), ("confirm", "yes")];
        let done = b.post("/privacy/choices", &confirm).await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
        let page = b.get("/privacy").await;
        assert!(page.html.contains("you chose to allow it anyway"), "{}", page.html);
        let after = events(&api).await;
        let actions: Vec<(ConsentAction, ConsentSource)> = after.iter().map(|e| (e.event.action, e.event.source)).collect();
        assert_eq!(
            actions,
            vec![
                (ConsentAction::OptOutSaleShare, ConsentSource::Gpc),
                (ConsentAction::Grant, ConsentSource::PrivacyCenter),
                (ConsentAction::OptInSaleShare, ConsentSource::PrivacyCenter),
            ],
            "the signal and the explicit choice, each once, in order (the later visits with GPC did not opt out again)"
        );
        let overview = api.f.candor.consent_overview(ana).await.unwrap();
        let ads = overview.purposes.iter().find(|p| p.purpose.as_str() == "marketing.advertising").unwrap();
        assert!(ads.in_effect, "{ads:?}");

        // Its signed receipt downloads from the page, and only for her.
        let receipt_link = page.html.split("href=\"/privacy/receipts/").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let receipt = b.get(&format!("/privacy/receipts/{receipt_link}")).await;
        assert_eq!(receipt.status, StatusCode::OK);
        let body: serde_json::Value = serde_json::from_str(&receipt.html).unwrap();
        assert!(body["receipt"].is_object() && body["signature"].is_string(), "{body}");
        add_bea(&api).await;
        let mut bea = Browser::new(&api);
        bea.ip = std::net::IpAddr::from([10, 9, 0, 3]);
        bea.sign_in("bea@example.com").await;
        assert_eq!(bea.get(&format!("/privacy/receipts/{receipt_link}")).await.status, StatusCode::NOT_FOUND);
    })
    .await;
}
