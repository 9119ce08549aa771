//! Who a request comes from, worked out once per request (by the
//! `authenticate` middleware, before the rate limits, which depend on it)
//! and handed to the extractors in [`crate::auth`] as a [`Caller`].
//!
//! A token or session that checked out is trusted for
//! `server.credential_recheck_seconds` (5 s by default) without asking the
//! store again, so that a busy client does not cost a lookup per request:
//! a revoked or expired token, the sessions started from it, a removed
//! actor or a changed role take effect within that window. Signing out
//! takes effect at once on the server that handled it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum_extra::extract::cookie::CookieJar;
use candor_service::actors::Actor;
use candor_service::auth::{secret_hash, ActiveSession};
use candor_service::{Candor, ServiceError};

use crate::problem::Problem;
use crate::AppState;

/// The cookie a browser session rides on, when the server is reached
/// over plain http.
pub const SESSION_COOKIE: &str = "candor_session";

/// The session cookie's name when the server is reached over https: with
/// the `__Host-` prefix, browsers keep it only if it is `Secure`, has
/// `Path=/` and no `Domain`, so no other host (a sibling subdomain) and
/// no plain-http answer can set or overwrite it. Under https only this
/// name is read.
pub const HOST_SESSION_COOKIE: &str = "__Host-candor_session";

/// The session cookie's name, over https or not.
pub fn session_cookie_name(https: bool) -> &'static str {
    if https {
        HOST_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    }
}

/// What a request presents to say who it is.
pub(crate) enum Presented<'a> {
    /// `Authorization: Bearer …`.
    Bearer(&'a str),
    /// An `Authorization` header of another scheme.
    Malformed,
    /// The session cookie.
    Cookie(String),
}

impl<'a> Presented<'a> {
    /// The bearer token if there is an `Authorization` header, else the
    /// session cookie (by its name over https or not), else nothing.
    pub(crate) fn from_headers(headers: &'a HeaderMap, https: bool) -> Option<Self> {
        if let Some(value) = headers.get(header::AUTHORIZATION) {
            let token = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer "))).map(str::trim);
            return Some(token.map_or(Self::Malformed, Self::Bearer));
        }
        session_cookie(headers, https).map(Self::Cookie)
    }

    /// What the cache and the per-credential limiter know it by: a hash,
    /// marked with the kind so that a token and a cookie never meet.
    pub(crate) fn key(&self) -> Vec<u8> {
        let (kind, secret) = match self {
            Self::Bearer(t) => (b'b', *t),
            Self::Malformed => (b'm', ""),
            Self::Cookie(c) => (b'c', c.as_str()),
        };
        let mut key = secret_hash(secret);
        key.push(kind);
        key
    }

    /// Ask the service whether it checks out.
    pub(crate) async fn check(&self, candor: &Candor) -> Result<Checked, ServiceError> {
        match self {
            Self::Bearer(t) => Ok(Checked::Token(candor.authenticate(t).await?)),
            Self::Malformed => Err(ServiceError::Unauthenticated("use `Authorization: Bearer <token>`".into())),
            Self::Cookie(c) => Ok(Checked::Session(candor.session(c).await?)),
        }
    }
}

/// A credential that checked out.
#[derive(Clone, Debug)]
pub(crate) enum Checked {
    /// An API token, and whose.
    Token(Actor),
    /// A browser session.
    Session(ActiveSession),
}

/// Who a request comes from, as far as its credential says.
#[derive(Clone, Debug)]
pub(crate) enum Caller {
    /// It presented no credential.
    Anonymous,
    /// Its credential did not check out, for this reason; `cookie` when it
    /// was a session cookie (the answer then clears it).
    Refused { why: String, cookie: bool },
    /// Its address failed to authenticate too often: its credential was
    /// not checked.
    Held(Problem),
    /// A credential that checked out, and its key.
    Valid(Checked, Vec<u8>),
}

/// Who is calling and from where: put on every request by the middleware.
#[derive(Clone, Debug)]
pub struct RequestAuth {
    /// The peer's IP address.
    pub(crate) ip: IpAddr,
    /// Who, by their credential.
    pub(crate) caller: Caller,
}

impl FromRequestParts<AppState> for RequestAuth {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &AppState) -> Result<Self, Problem> {
        // Every route is behind the middleware; without it (a router put
        // together some other way), refuse rather than guess.
        parts.extensions.get::<Self>().cloned().ok_or_else(|| Problem::internal(&"a route was reached without the authenticate layer"))
    }
}

/// Credentials checked recently, by key.
pub(crate) struct CredentialCache {
    ttl: Duration,
    map: Mutex<HashMap<Vec<u8>, (Checked, Instant)>>,
}

impl CredentialCache {
    pub(crate) fn new(ttl: Duration) -> Self {
        Self { ttl, map: Mutex::new(HashMap::new()) }
    }

    /// A credential checked less than the window ago, unless the session
    /// has ended by its own clock meanwhile.
    pub(crate) fn get(&self, key: &[u8], now: time::OffsetDateTime) -> Option<Checked> {
        let map = self.map.lock().ok()?;
        let (checked, at) = map.get(key)?;
        let fresh = at.elapsed() < self.ttl;
        let lasting = match checked {
            Checked::Token(_) => true,
            Checked::Session(s) => s.expires_at > now,
        };
        (fresh && lasting).then(|| checked.clone())
    }

    pub(crate) fn put(&self, key: Vec<u8>, checked: Checked) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut map) = self.map.lock() {
            if map.len() > 10_000 {
                let ttl = self.ttl;
                map.retain(|_, (_, at)| at.elapsed() < ttl);
            }
            map.insert(key, (checked, Instant::now()));
        }
    }

    /// Forget a credential at once (signing out).
    pub(crate) fn forget(&self, key: &[u8]) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(key);
        }
    }
}

/// The session cookie's value from the request's `Cookie` headers, by
/// its name over https or not.
pub fn session_cookie(headers: &HeaderMap, https: bool) -> Option<String> {
    CookieJar::from_headers(headers).get(session_cookie_name(https)).map(|c| c.value().to_owned())
}
