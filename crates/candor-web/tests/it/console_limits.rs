//! The console's sign-in forms under a flood from one address: asking
//! for codes, pasting tokens, starting passkey ceremonies and posting
//! forged answers each spend that address's allowances (requests a
//! second, failed authentications a minute), and another address is not
//! held with it.

use axum::http::StatusCode;
use candor_service::settings::EXAMPLE_CONFIG;
use candor_test_support::{Fixture, TestDb};

use crate::console_passkeys::{passkey_sign_in, register, token_sign_in, with_passkeys_and, ORIGIN};
use crate::privacy_center::Browser;
use crate::Api;

fn from(api: &Api, last: u8) -> Browser<'_> {
    let mut b = Browser::new(api);
    b.ip = std::net::IpAddr::from([10, 9, 2, last]);
    b
}

#[tokio::test]
async fn codes_and_tokens_asked_for_in_a_flood_are_held_back_per_address() {
    let config = EXAMPLE_CONFIG.replace("rate_per_ip = 20", "rate_per_ip = 1");
    let api = Api::with_config(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    let mut b = from(&api, 1);
    let mut got = Vec::new();
    for i in 0..3 {
        got.push(b.post("/console/sign-in/code", &[("actor", &format!("guess{i}@northwind.example"))]).await.status);
    }
    assert_eq!(got, [StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]);
    assert_eq!(from(&api, 2).post("/console/sign-in/code", &[("actor", "carla")]).await.status, StatusCode::OK, "another address");

    // Wrong tokens spend the failure budget: three, then even the right
    // token waits.
    let config = EXAMPLE_CONFIG
        .replace("failed_auth_per_minute = 30", "failed_auth_per_minute = 3")
        .replace("rate_per_ip = 20", "rate_per_ip = 100000");
    let api = Api::with_config(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    let mut guesser = from(&api, 3);
    for i in 0..3 {
        let r = guesser.post("/console/sign-in/token", &[("token", &format!("cnd_guess{i:04}"))]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.html);
    }
    let held = guesser.post("/console/sign-in/token", &[("token", api.token("carla"))]).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.html);
    assert!(held.header("retry-after").is_some() && guesser.cookie.is_none());
    let mut other = from(&api, 4);
    token_sign_in(&api, &mut other, "carla").await;
}

#[tokio::test]
async fn a_flood_of_passkey_ceremonies_or_forged_answers_from_one_address_is_held_back() {
    let config = EXAMPLE_CONFIG.replace("rate_per_ip = 20", "rate_per_ip = 1");
    let api = with_passkeys_and(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    let mut b = Browser::new(&api);
    b.ip = std::net::IpAddr::from([10, 9, 1, 1]);
    // Options for a ceremony cost the address its allowance: a burst of
    // two, then 429.
    let mut got = Vec::new();
    for _ in 0..3 {
        got.push(b.post("/console/sign-in/passkey/options", &[]).await.status);
    }
    assert_eq!(got, [StatusCode::OK, StatusCode::OK, StatusCode::TOO_MANY_REQUESTS]);
    let mut other = Browser::new(&api);
    other.ip = std::net::IpAddr::from([10, 9, 1, 2]);
    assert_eq!(other.post("/console/sign-in/passkey/options", &[]).await.status, StatusCode::OK, "another address is not held");

    // Ceremonies wait in memory: however fast it may ask, one address
    // starts ten a minute.
    let config = EXAMPLE_CONFIG.replace("rate_per_ip = 20", "rate_per_ip = 100000");
    let api = with_passkeys_and(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    let mut b = from(&api, 9);
    let mut got = Vec::new();
    for _ in 0..11 {
        got.push(b.post("/console/sign-in/passkey/options", &[]).await.status);
    }
    assert_eq!(got[..10], [StatusCode::OK; 10]);
    assert_eq!(got[10], StatusCode::TOO_MANY_REQUESTS);

    // Forged answers spend the failure budget: three, then held even
    // with a good one.
    let config = EXAMPLE_CONFIG
        .replace("rate_per_ip = 20", "rate_per_ip = 100000")
        .replace("failed_auth_per_minute = 30", "failed_auth_per_minute = 3");
    let api = with_passkeys_and(Fixture::with_policy(TestDb::sqlite()).await, &config).await;
    let mut owner = Browser::new(&api);
    token_sign_in(&api, &mut owner, "carla").await;
    let mut passkey = register(&mut owner, "Phone").await;
    let mut guesser = Browser::new(&api);
    guesser.ip = std::net::IpAddr::from([10, 9, 1, 3]);
    for _ in 0..3 {
        let options = guesser.post("/console/sign-in/passkey/options", &[]).await;
        let forged = passkey.sign_in_with_another_key(&options.html, ORIGIN);
        assert_eq!(guesser.post("/console/sign-in/passkey", &[("response", &forged)]).await.status, StatusCode::UNAUTHORIZED);
    }
    let held = passkey_sign_in(&mut guesser, &mut passkey).await;
    assert_eq!(held.status, StatusCode::TOO_MANY_REQUESTS, "{}", held.html);
    assert!(guesser.cookie.is_none());
}
