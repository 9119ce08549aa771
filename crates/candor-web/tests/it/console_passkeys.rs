//! Passkeys at the console, as a browser that runs the passkey script
//! would drive them (the script's fetch and form post, with a software
//! authenticator in place of the browser's): registering one, signing in
//! with it, a refused answer, removing it; the two pages' own CSP and
//! Permissions-Policy; and an installation without passkeys. Floods are in
//! `console_limits.rs`.

use axum::http::StatusCode;
use candor_service::settings::EXAMPLE_CONFIG;
use candor_store::AuditStore as _;
use candor_test_support::passkey::SoftPasskey;
use candor_test_support::{each_backend, Fixture};

use crate::privacy_center::Browser;
use crate::Api;

pub(crate) const ORIGIN: &str = "http://localhost:8080";

async fn with_passkeys(f: Fixture) -> Api {
    with_passkeys_and(f, EXAMPLE_CONFIG).await
}

pub(crate) async fn with_passkeys_and(f: Fixture, config: &str) -> Api {
    let mut f = f;
    f.candor = f.candor.clone().with_public_url(Some(ORIGIN.into()));
    Api::with_config(f, config).await
}

pub(crate) async fn token_sign_in(api: &Api, b: &mut Browser<'_>, actor: &str) {
    let r = b.post("/console/sign-in/token", &[("token", api.token(actor))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
}

/// Register a passkey from the passkeys page, as the script does.
pub(crate) async fn register(b: &mut Browser<'_>, label: &str) -> SoftPasskey {
    let page = b.get("/console/passkeys").await;
    let csrf = page.hidden("csrf");
    let refused = b.post("/console/passkeys/options", &[("csrf", "forged")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.html);
    let options = b.post("/console/passkeys/options", &[("csrf", &csrf)]).await;
    assert_eq!(options.status, StatusCode::OK, "{}", options.html);
    assert_eq!(options.header("content-type"), Some("application/json"));
    let (passkey, answer) = SoftPasskey::register(&options.html, ORIGIN);
    let done = b.post("/console/passkeys", &[("csrf", &csrf), ("label", label), ("response", &answer)]).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.html);
    assert_eq!(done.header("location"), Some("/console/passkeys?added=1"));
    let listed = b.get("/console/passkeys?added=1").await;
    assert!(listed.html.contains("is registered") && listed.html.contains(label), "{}", listed.html);
    passkey
}

/// Sign in with `passkey` from the sign-in page, as the script does.
pub(crate) async fn passkey_sign_in(b: &mut Browser<'_>, passkey: &mut SoftPasskey) -> crate::privacy_center::Page {
    let options = b.post("/console/sign-in/passkey/options", &[]).await;
    assert_eq!(options.status, StatusCode::OK, "{}", options.html);
    let answer = passkey.sign_in(&options.html, ORIGIN);
    b.post("/console/sign-in/passkey", &[("response", &answer)]).await
}

#[tokio::test]
async fn a_staff_member_registers_a_passkey_and_signs_in_with_it() {
    each_backend(|db| async move {
        let api = with_passkeys(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        token_sign_in(&api, &mut b, "carla").await;
        let page = b.get("/console/passkeys").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.html.contains("data-passkey=\"create\"") && page.html.contains("/console/static/passkey.js"), "{}", page.html);
        // Only the passkey pages may run candor's script and WebAuthn.
        let csp = page.header("content-security-policy").unwrap().to_owned();
        assert!(csp.contains("script-src 'self'") && csp.contains("connect-src 'self'") && !csp.contains("unsafe"), "{csp}");
        let permissions = page.header("permissions-policy").unwrap().to_owned();
        assert!(permissions.contains("publickey-credentials-create=(self)"), "{permissions}");
        let other = b.get("/console/training").await;
        assert!(!other.header("content-security-policy").unwrap().contains("script-src"));
        assert!(other.header("permissions-policy").unwrap().contains("publickey-credentials-get=()"));
        assert!(other.html.contains("href=\"/console/passkeys\""), "every member sees the passkeys page");

        let mut passkey = register(&mut b, "Work laptop").await;
        let listed = b.get("/console/passkeys").await;
        assert!(listed.html.contains("Work laptop") && listed.html.contains("Never"), "{}", listed.html);

        // Another member cannot remove it through the page.
        let id = listed.hidden("id");
        let mut alice = Browser::new(&api);
        token_sign_in(&api, &mut alice, "alice").await;
        let csrf = alice.get("/console/passkeys").await.hidden("csrf");
        let r = alice.post("/console/passkeys/remove", &[("csrf", &csrf), ("id", &id)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.html);
        assert!(b.get("/console/passkeys").await.html.contains("Work laptop"));

        // Another site posting an answer (login CSRF) is refused before it
        // is even checked; from the installation's own page it is taken.
        for (i, told) in
            [("sec-fetch-site", "cross-site"), ("sec-fetch-site", "same-site"), ("origin", "https://evil.example")].into_iter().enumerate()
        {
            let mut lured = Browser::new(&api);
            lured.ip = std::net::IpAddr::from([10, 9, 0, 5 + u8::try_from(i).unwrap()]);
            lured.extra = vec![(told.0, told.1.to_owned())];
            let r = passkey_sign_in(&mut lured, &mut passkey).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{told:?}: {}", r.html);
            assert!(lured.cookie.is_none());
        }

        // A stranger's browser: the sign-in page offers passkeys.
        let mut stranger = Browser::new(&api);
        stranger.ip = std::net::IpAddr::from([10, 9, 0, 2]);
        // As Chromium posts candor's own form: same-origin, and an Origin
        // of `null` since candor's pages send no referrer.
        stranger.extra = vec![("sec-fetch-site", "same-origin".into()), ("origin", "null".into())];
        let sign_in = stranger.get("/console/sign-in").await;
        assert!(sign_in.html.contains("data-passkey=\"get\""), "{}", sign_in.html);
        assert!(sign_in.header("permissions-policy").unwrap().contains("publickey-credentials-get=(self)"));
        let r = passkey_sign_in(&mut stranger, &mut passkey).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.html);
        assert!(stranger.cookie.is_some());
        let home = stranger.get("/console/training").await;
        assert!(home.html.contains("carla"), "{}", home.html);

        // A forged answer is refused on the page, and audited.
        let mut forger = Browser::new(&api);
        forger.ip = std::net::IpAddr::from([10, 9, 0, 3]);
        let options = forger.post("/console/sign-in/passkey/options", &[]).await;
        let forged = passkey.sign_in_with_another_key(&options.html, ORIGIN);
        let r = forger.post("/console/sign-in/passkey", &[("response", &forged)]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.html.contains("not accepted") && forger.cookie.is_none(), "{}", r.html);
        let r = forger.post("/console/sign-in/passkey", &[("response", "{not json")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let entries = api.f.store.audit_entries(0, 10_000).await.unwrap();
        let refused = entries.iter().filter(|e| e.record.action == "session.refused" && e.record.detail.to_string().contains("passkey"));
        assert_eq!(refused.count(), 2);
        assert!(entries.iter().any(|e| e.record.action == "passkey.register" && e.record.actor == "carla"));

        // Removed, it signs no one in.
        let page = b.get("/console/passkeys").await;
        let (csrf, id) = (page.hidden("csrf"), page.hidden("id"));
        assert_eq!(b.post("/console/passkeys/remove", &[("csrf", "forged"), ("id", &id)]).await.status, StatusCode::FORBIDDEN);
        assert_eq!(b.post("/console/passkeys/remove", &[("csrf", &csrf), ("id", &id)]).await.status, StatusCode::SEE_OTHER);
        assert!(b.get("/console/passkeys").await.html.contains("no passkeys yet"));
        let mut late = Browser::new(&api);
        late.ip = std::net::IpAddr::from([10, 9, 0, 4]);
        assert_eq!(passkey_sign_in(&mut late, &mut passkey).await.status, StatusCode::UNAUTHORIZED);
    })
    .await;
}

#[tokio::test]
async fn without_a_host_name_the_console_offers_no_passkeys_and_runs_no_script() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let mut b = Browser::new(&api);
        let sign_in = b.get("/console/sign-in").await;
        assert!(!sign_in.html.contains("data-passkey") && !sign_in.html.contains("<script"), "{}", sign_in.html);
        assert!(!sign_in.header("content-security-policy").unwrap().contains("script-src"));
        let options = b.post("/console/sign-in/passkey/options", &[]).await;
        assert_eq!(options.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", options.html);
        token_sign_in(&api, &mut b, "alice").await;
        let page = b.get("/console/passkeys").await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.html.contains("offers no passkeys") && !page.html.contains("<script"), "{}", page.html);
        // Asking for registration options without a session is refused.
        let mut stranger = Browser::new(&api);
        assert_eq!(stranger.post("/console/passkeys/options", &[("csrf", "x")]).await.status, StatusCode::UNAUTHORIZED);
        let script = stranger.get("/console/static/passkey.js").await;
        assert_eq!(script.status, StatusCode::OK);
        assert_eq!(script.header("content-type"), Some("text/javascript; charset=utf-8"));
    })
    .await;
}
