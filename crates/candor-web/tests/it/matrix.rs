//! Every role against every endpoint: what the operations map allows
//! passes (to the access gate, which may still deny), what it does not is
//! refused as `forbidden`; untrained staff get no personal data; no
//! credentials, unknown, revoked and expired tokens are refused.

use axum::http::{Method, StatusCode};
use candor_domain::Role;
use candor_service::subjects::NewSubjectInput;
use candor_service::Clock;
use candor_test_support::{each_backend, Fixture};
use candor_web::auth::DEFAULT_OPERATIONS;
use serde_json::json;
use time::Duration;

use crate::Api;

const ROLES: [(&str, Role); 5] =
    [("alice", Role::Agent), ("ana", Role::Analyst), ("mark", Role::Marketer), ("carla", Role::Compliance), ("adam", Role::Admin)];

fn allowed(op: &str, role: Role) -> bool {
    DEFAULT_OPERATIONS.iter().find(|(o, _)| o.as_str() == op).unwrap().1.contains(&role)
}

#[tokio::test]
async fn every_role_against_every_endpoint() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let input = NewSubjectInput { email: Some("pat@example.com".into()), ..Default::default() };
        let s = api.f.candor.add_subject("test", &input).await.unwrap();
        let r = api.f.candor.open_rights_request("test", candor_domain::RightKind::Access, s, None).await.unwrap().id;
        let mut concerns = Vec::new();
        for n in 0..ROLES.len() {
            // A customer has at most five waiting: one customer a role.
            let input = NewSubjectInput { email: Some(format!("asker{n}@example.com")), ..Default::default() };
            let asker = api.f.candor.add_subject("test", &input).await.unwrap();
            concerns.push(api.f.candor.raise_concern("subject", asker, &format!("question {n}")).await.unwrap().id);
        }
        for (n, (actor, role)) in ROLES.into_iter().enumerate() {
            let c = &concerns[n];
            let endpoints: Vec<(&str, Method, String, Option<serde_json::Value>)> = vec![
                ("subjects.read", Method::GET, format!("/api/v1/subjects/{s}"), None),
                ("subjects.write", Method::POST, "/api/v1/subjects".into(), Some(json!({ "email": format!("new{n}@example.com") }))),
                (
                    "subjects.write",
                    Method::POST,
                    format!("/api/v1/subjects/{s}/identities"),
                    Some(json!({ "phone": format!("+44 7700 90012{n}") })),
                ),
                ("subjects.read", Method::GET, "/api/v1/subjects?email=pat@example.com".into(), None),
                ("interactions.read", Method::GET, format!("/api/v1/subjects/{s}/interactions"), None),
                ("consent.read", Method::GET, format!("/api/v1/subjects/{s}/consent"), None),
                (
                    "consent.write",
                    Method::POST,
                    format!("/api/v1/subjects/{s}/consent"),
                    Some(json!({ "action": "grant", "purpose": "personalization" })),
                ),
                ("rights.read", Method::GET, "/api/v1/rights-requests".into(), None),
                ("rights.read", Method::GET, format!("/api/v1/rights-requests/{r}"), None),
                ("rights.write", Method::POST, "/api/v1/rights-requests".into(), Some(json!({ "type": "restriction", "subject": s }))),
                ("concerns.read", Method::GET, "/api/v1/concerns".into(), None),
                ("concerns.read", Method::GET, format!("/api/v1/concerns/{c}"), None),
                ("concerns.write", Method::POST, format!("/api/v1/concerns/{c}/answer"), Some(json!({ "answer": "yes" }))),
                ("concerns.write", Method::POST, format!("/api/v1/concerns/{c}/close"), None),
                ("analytics.read", Method::GET, "/api/v1/analytics/sentiment?by=platform".into(), None),
                ("policy.read", Method::GET, "/api/v1/policy/versions".into(), None),
                ("policy.read", Method::GET, "/api/v1/policy/versions/1".into(), None),
                ("recipients.read", Method::GET, "/api/v1/recipients".into(), None),
                ("audit.read", Method::GET, "/api/v1/audit?limit=5".into(), None),
                ("audit.read", Method::GET, "/api/v1/audit/verify".into(), None),
            ];
            for (op, method, uri, body) in endpoints {
                let reply = api.call(Some(actor), method.clone(), &uri, body).await;
                let what = format!("{actor} ({role:?}) {method} {uri}: {} {}", reply.status, reply.json);
                if allowed(op, role) {
                    assert!(reply.status.is_success() || reply.problem() == Some("access-denied"), "{what}");
                } else {
                    assert_eq!((reply.status, reply.problem()), (StatusCode::FORBIDDEN, Some("forbidden")), "{what}");
                }
            }
        }
    })
    .await;
}

#[tokio::test]
async fn staff_without_credentials_training_or_a_valid_token_are_refused_with_the_reason() {
    each_backend(|db| async move {
        let api = Api::new(Fixture::with_policy(db).await).await;
        let input = NewSubjectInput { email: Some("pat@example.com".into()), ..Default::default() };
        let s = api.f.candor.add_subject("test", &input).await.unwrap();
        let uri = format!("/api/v1/subjects/{s}");

        let none = api.call(None, Method::GET, &uri, None).await;
        assert_eq!((none.status, none.problem()), (StatusCode::UNAUTHORIZED, Some("unauthenticated")));
        assert!(none.header("www-authenticate").unwrap().starts_with("Bearer"));
        assert_eq!(none.header("content-type"), Some("application/problem+json"));

        // bob is an agent without training: refused personal data, with why.
        let bob = api.call(Some("bob"), Method::GET, &uri, None).await;
        assert_eq!((bob.status, bob.problem()), (StatusCode::FORBIDDEN, Some("training-required")), "{bob:?}");
        assert!(bob.json["detail"].as_str().unwrap().contains("no privacy training"), "{bob:?}");
        assert!(
            api.call(Some("bob"), Method::GET, "/api/v1/policy/versions", None).await.status.is_success(),
            "the policy is not personal"
        );

        // An agent asking for a purpose their role lacks: the gate says no, and why.
        let wrong = api.call(Some("alice"), Method::GET, &format!("{uri}?purpose=analytics"), None).await;
        assert_eq!((wrong.status, wrong.problem()), (StatusCode::FORBIDDEN, Some("access-denied")), "{wrong:?}");
        assert!(
            wrong.json["detail"].as_str().unwrap().contains("none of the roles of `alice` may use the purpose `analytics`"),
            "{wrong:?}"
        );
        assert!(!wrong.json.to_string().contains("pat@example.com"), "nothing decrypted: {wrong:?}");
        let header = {
            let mut h = axum::http::HeaderMap::new();
            h.insert("authorization", format!("Bearer {}", api.token("alice")).parse().unwrap());
            h.insert("x-candor-purpose", "analytics".parse().unwrap());
            api.send(Method::GET, &uri, h, None).await
        };
        assert_eq!(header.problem(), Some("access-denied"), "the purpose header counts too: {header:?}");
        let ok = api.call(Some("alice"), Method::GET, &uri, None).await;
        assert!(ok.json["fields"].as_array().unwrap().iter().any(|f| f["value"] == "pat@example.com"), "{ok:?}");

        // Unknown, malformed, revoked and expired tokens.
        for bad in ["candor_0000_nope", "Basic abc", "token-without-prefix"] {
            let mut h = axum::http::HeaderMap::new();
            let value = if bad.starts_with("Basic") { bad.to_owned() } else { format!("Bearer {bad}") };
            h.insert("authorization", value.parse().unwrap());
            let r = api.send(Method::GET, &uri, h, None).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{bad}: {r:?}");
        }
        let issued = api.f.candor.create_token("test", "alice", Duration::days(1)).await.unwrap();
        assert!(api.f.candor.revoke_token("test", &issued.record.id).await.unwrap());
        let mut h = axum::http::HeaderMap::new();
        h.insert("authorization", format!("Bearer {}", issued.token).parse().unwrap());
        let revoked = api.send(Method::GET, &uri, h.clone(), None).await;
        assert_eq!(revoked.status, StatusCode::UNAUTHORIZED);
        assert!(revoked.json["detail"].as_str().unwrap().contains("revoked"), "{revoked:?}");

        let later = api.f.candor.clone().with_clock(Clock::fixed(time::OffsetDateTime::now_utc() + Duration::days(40)));
        let settings = candor_service::Settings::from_text_in(candor_service::settings::EXAMPLE_CONFIG, api.f.dir()).unwrap();
        let future = candor_web::router(candor_web::AppState::new(later, settings).unwrap());
        let mut h = axum::http::HeaderMap::new();
        h.insert("authorization", format!("Bearer {}", api.token("alice")).parse().unwrap());
        let expired = crate::send_to(&future, Method::GET, &uri, h, None).await;
        assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
        assert!(expired.json["detail"].as_str().unwrap().contains("expired"), "{expired:?}");
    })
    .await;
}
