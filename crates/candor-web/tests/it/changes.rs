//! What changed: the policy's versions in the reader's words, the banner
//! a material change puts on every page for a customer whose consent it
//! made outdated (and only for them), renewing through the banner's form,
//! and the same facts through the API.

use std::net::IpAddr;

use axum::http::StatusCode;
use candor_domain::{CategoryId, ConsentAction, ConsentSource, SubjectId, EXAMPLE_POLICY};
use candor_service::subjects::NewSubjectInput;
use candor_test_support::{each_backend, Fixture, TestDb};

use crate::privacy_center::{served, Browser, Page};
use crate::Api;

const BANNER: &str = "We changed how we use your data for “Advertising”: your earlier consent no longer applies until you renew it.";

/// Advertising, a consent purpose, keeps data longer: material.
fn longer_advertising() -> String {
    EXAMPLE_POLICY.replace("retention_days = 180", "retention_days = 365")
}

async fn grant(api: &Api, s: SubjectId, purpose: &str) {
    api.f.candor.record_consent("test", s, Some(purpose), ConsentAction::Grant, ConsentSource::PrivacyCenter).await.unwrap();
}

/// Ben, a second customer who consented to personalization only.
async fn ben(api: &Api) -> SubjectId {
    let input = NewSubjectInput { email: Some("ben@example.com".into()), ..Default::default() };
    let ben = api.f.candor.add_subject("test", &input).await.unwrap();
    grant(api, ben, "personalization").await;
    ben
}

fn has_banner(p: &Page) -> bool {
    p.html.contains("class=\"renew\"")
}

#[tokio::test]
async fn a_material_change_puts_a_banner_on_every_page_until_the_customer_renews() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        ben(&api).await;
        grant(&api, ana, "marketing.advertising").await;
        let mut a = Browser::new(&api);
        let before = a.sign_in("ana@example.com").await;
        assert!(!has_banner(&before), "nothing to renew yet");
        let mut b = Browser::new(&api);
        b.ip = IpAddr::from([10, 9, 0, 2]);
        b.sign_in("ben@example.com").await;

        api.f.candor.publish_policy("carla", "policy.toml", &longer_advertising()).await.unwrap();
        let csrf = before.hidden("csrf");
        let refused = a.post("/privacy/choices", &[("csrf", &csrf), ("purpose", "analytics"), ("action", "nonsense")]).await;
        for page in [a.get("/privacy").await, a.get("/privacy/changes").await, refused] {
            assert!(page.html.contains(BANNER), "{}", page.html);
            let banner = page.html.split("class=\"renew\"").nth(1).unwrap().split("</section>").next().unwrap();
            assert!(banner.contains("name=\"purpose\" value=\"marketing.advertising\""), "{banner}");
            assert!(banner.contains("name=\"action\" value=\"grant\"") && banner.contains(&format!("value=\"{csrf}\"")), "{banner}");
            assert!(banner.contains("Renew my consent to “Advertising”</button>"), "{banner}");
        }
        let es = a.get("/privacy?lang=es").await;
        assert!(es.html.contains("Hemos cambiado cómo usamos tus datos para “Advertising”"), "{}", es.html);
        a.get("/privacy?lang=en").await;
        // Ben's consent was not touched: no banner for him.
        for uri in ["/privacy", "/privacy/changes"] {
            assert!(!has_banner(&b.get(uri).await), "{uri}");
        }

        // A forged form changes nothing.
        let events = api.f.candor.consent_overview(ana).await.unwrap().events.len();
        let forged = a.post("/privacy/choices", &[("csrf", "forged"), ("purpose", "marketing.advertising"), ("action", "grant")]).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN);
        assert!(forged.html.contains("could not accept the form"), "{}", forged.html);
        assert_eq!(api.f.candor.consent_overview(ana).await.unwrap().events.len(), events);
        assert_eq!(api.f.candor.consent_to_renew(ana).await.unwrap().len(), 1);
        let email = [CategoryId::new("user.contact.email")];
        assert!(!api.f.candor.decide("mark", ana, "marketing.advertising", &email).await.unwrap().is_allowed());

        // The banner's button renews it under the version in force.
        let renewed = a.post("/privacy/choices", &[("csrf", &csrf), ("purpose", "marketing.advertising"), ("action", "grant")]).await;
        assert_eq!(renewed.status, StatusCode::SEE_OTHER);
        let after = a.get(renewed.header("location").unwrap()).await;
        assert!(!has_banner(&after), "{}", after.html);
        assert!(after.html.contains("Done"), "{}", after.html);
        let overview = api.f.candor.consent_overview(ana).await.unwrap();
        assert_eq!(overview.events.last().map(|e| e.event.policy_version), Some(2));
        assert!(api.f.candor.decide("mark", ana, "marketing.advertising", &email).await.unwrap().is_allowed());
    })
    .await;
}

#[tokio::test]
async fn the_changes_page_lists_the_versions_newest_first_in_the_readers_words() {
    let (api, _) = served(Fixture::with_policy(TestDb::sqlite()).await).await;
    api.f.candor.publish_policy("carla", "policy.toml", &longer_advertising()).await.unwrap();
    let reworded = longer_advertising().replace("Measure how quickly", "Measure how fast");
    api.f.candor.publish_policy("carla", "policy.toml", &reworded).await.unwrap();

    // Anyone may read it; the dashboard's navigation links to it.
    let mut visitor = Browser::new(&api);
    let page = visitor.get("/privacy/changes").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.html);
    assert!(page.html.contains("<a href=\"/privacy/changes\" aria-current=\"page\">What changed</a>"), "{}", page.html);
    let at = |s: &str| page.html.find(s).unwrap_or_else(|| panic!("{s} in {}", page.html));
    assert!(
        at("Version 3, published on ") < at("Version 2, published on ") && at("Version 2, published on ") < at("Version 1, published on ")
    );
    assert!(
        page.html
            .contains("<span class=\"tag material\">Important</span> “Advertising”: we now keep your data for 365 days instead of 180."),
        "{}",
        page.html
    );
    assert!(page.html.contains("<span class=\"tag minor\">Minor</span> We reworded how we describe “Service analytics”."), "{}", page.html);
    assert!(page.html.contains("The first version we published."));
    let html = page.html.to_lowercase();
    assert!(!html.contains("<script") && !html.contains("style="), "no inline script or style");

    visitor.accept_language = "es";
    let es = visitor.get("/privacy/changes").await;
    assert!(
        es.html.contains("Versión 2, publicada el ") && es.html.contains("ahora guardamos tus datos 365 días en lugar de 180"),
        "{}",
        es.html
    );
}

#[tokio::test]
async fn the_api_gives_the_versions_and_only_the_signed_in_customers_consent_to_renew() {
    each_backend(|db| async move {
        let (api, ana) = served(Fixture::with_policy(db).await).await;
        let ben = ben(&api).await;
        grant(&api, ana, "marketing.advertising").await;
        grant(&api, ben, "marketing.advertising").await;
        api.f.candor.publish_policy("carla", "policy.toml", &longer_advertising()).await.unwrap();
        grant(&api, ben, "marketing.advertising").await;

        let anonymous = api.call(None, axum::http::Method::GET, "/api/v1/me/policy/changes", None).await;
        assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
        let mut a = Browser::new(&api);
        a.sign_in("ana@example.com").await;
        let r = a.get("/api/v1/me/policy/changes").await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.html);
        let body: serde_json::Value = serde_json::from_str(&r.html).unwrap();
        let versions = body["versions"].as_array().unwrap();
        assert_eq!(versions.iter().map(|v| v["version"].as_u64().unwrap()).collect::<Vec<_>>(), [2, 1]);
        assert_eq!(versions[0]["material"], true);
        assert_eq!(versions[0]["fresh_consent"], serde_json::json!(["marketing.advertising"]));
        let change = &versions[0]["changes"][0];
        assert_eq!((change["message"].as_str(), change["purpose_name"].as_str()), (Some("change-retention-longer"), Some("Advertising")));
        assert_eq!(change["arguments"], serde_json::json!({ "days": "365", "before": "180", "purpose": "marketing.advertising" }));
        // Ana's own standing; Ben renewed his, and it is not shown to her.
        let renew = body["renew"].as_array().unwrap();
        assert_eq!(renew.len(), 1, "{renew:?}");
        assert_eq!(
            (renew[0]["purpose"].as_str(), renew[0]["given_under"].as_u64(), renew[0]["changed_in"].as_u64()),
            (Some("marketing.advertising"), Some(1), Some(2))
        );
    })
    .await;
}
