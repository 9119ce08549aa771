//! The HTTP API against real stores (SQLite always, PostgreSQL when
//! `CANDOR_TEST_DATABASE_URL` is set), called in-process through the
//! router: authentication, the authorization matrix, customers kept to
//! their own data, sessions and CSRF, limits, problems, headers, metrics
//! and the OpenAPI document.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test crate: helpers fail the test loudly")]

mod analytics;
mod changes;
mod concerns;
#[cfg(unix)]
mod connections;
mod console;
mod console_limits;
mod console_passkeys;
mod contract;
mod exposition;
mod floods;
mod headers;
mod keys;
mod limits;
mod matrix;
mod pages;
mod privacy;
mod privacy_center;
mod privacy_requests;
mod protocol;
mod receipts;
mod sessions;
mod times;
mod timing;

use std::net::{IpAddr, SocketAddr};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, Method, Request, StatusCode};
use axum::Router;
use candor_domain::Role;
use candor_service::settings::EXAMPLE_CONFIG;
use candor_service::Settings;
use candor_test_support::Fixture;
use http_body_util::BodyExt as _;
use time::Duration;
use tower::ServiceExt as _;

/// A served fixture: the example policy, trained staff of every role
/// (`alice` agent, `ana` analyst, `mark` marketer, `carla` compliance,
/// `adam` admin), `bob` (agent) untrained, and a token for each.
pub struct Api {
    pub f: Fixture,
    pub state: candor_web::AppState,
    pub app: Router,
    pub tokens: Vec<(&'static str, String)>,
}

impl Api {
    pub async fn new(f: Fixture) -> Self {
        Self::with_config(f, EXAMPLE_CONFIG).await
    }

    /// With `config` as `candor.toml`.
    pub async fn with_config(f: Fixture, config: &str) -> Self {
        f.candor.upsert_actor("test", "adam", vec![Role::Admin]).await.unwrap();
        f.candor.attest_training("test", "adam", "privacy and ethics", Duration::days(365)).await.unwrap();
        let mut tokens = Vec::new();
        for actor in ["alice", "ana", "mark", "carla", "adam", "bob"] {
            tokens.push((actor, f.candor.create_token("test", actor, Duration::days(30)).await.unwrap().token));
        }
        // The staff training course, as `candor init` writes it.
        let course = f.dir().join("training");
        if !course.exists() {
            std::fs::create_dir_all(&course).unwrap();
            for (name, text) in candor_domain::training::DEFAULT_COURSE {
                std::fs::write(course.join(name), text).unwrap();
            }
        }
        let settings = Settings::from_text_in(config, f.dir()).unwrap();
        let state = candor_web::AppState::new(f.candor.clone(), settings).unwrap();
        let app = candor_web::router(state.clone());
        Self { f, state, app, tokens }
    }

    /// Wait until the sign-in requests answered so far have been carried
    /// out (codes queued, challenges stored).
    pub async fn settle(&self) {
        self.state.sign_ins_settled().await;
    }

    pub fn token(&self, actor: &str) -> &str {
        &self.tokens.iter().find(|(a, _)| *a == actor).unwrap().1
    }

    /// A request as `actor` (a bearer token), or anonymous with `None`.
    pub async fn call(&self, actor: Option<&str>, method: Method, uri: &str, body: Option<serde_json::Value>) -> Reply {
        let mut headers = HeaderMap::new();
        if let Some(a) = actor {
            headers.insert("authorization", format!("Bearer {}", self.token(a)).parse().unwrap());
        }
        self.send(method, uri, headers, body).await
    }

    pub async fn send(&self, method: Method, uri: &str, headers: HeaderMap, body: Option<serde_json::Value>) -> Reply {
        send_to(&self.app, method, uri, headers, body).await
    }
}

/// A request to `app`, from 127.0.0.1.
pub async fn send_to(app: &Router, method: Method, uri: &str, headers: HeaderMap, body: Option<serde_json::Value>) -> Reply {
    send_from(app, IpAddr::from([127, 0, 0, 1]), method, uri, headers, body).await
}

/// A request to `app` from `ip`.
pub async fn send_from(app: &Router, ip: IpAddr, method: Method, uri: &str, headers: HeaderMap, body: Option<serde_json::Value>) -> Reply {
    {
        let mut req = Request::builder().method(method).uri(uri);
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        let body = match body {
            Some(b) => {
                req = req.header("content-type", "application/json");
                Body::from(serde_json::to_vec(&b).unwrap())
            }
            None => Body::empty(),
        };
        let mut req = req.body(body).unwrap();
        req.extensions_mut().insert(ConnectInfo(SocketAddr::new(ip, 40000)));
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let json =
            serde_json::from_slice(&bytes).unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Reply { status, headers, json }
    }
}

/// A response.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub json: serde_json::Value,
}

impl Reply {
    /// The problem type's name (after `urn:candor:problem:`), if a problem.
    pub fn problem(&self) -> Option<&str> {
        self.json["type"].as_str().and_then(|t| t.strip_prefix("urn:candor:problem:"))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// The one-time code in the newest pending outbox message of `kind`.
pub async fn code_from_outbox(f: &Fixture, kind: &str) -> String {
    let messages = f.candor.outbox(true, 0, 1_000).await.unwrap();
    let m = messages.iter().rev().find(|m| m.kind == kind).unwrap_or_else(|| panic!("no {kind} message in {messages:?}"));
    m.body["text"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.len() == 8 && w.bytes().all(|b| b.is_ascii_digit()))
        .unwrap()
        .to_owned()
}
