//! Who is calling and what they may do.
//!
//! - [`Staff`]: an API token in `Authorization: Bearer …`, or a staff
//!   browser session cookie (then unsafe methods must echo the session's
//!   CSRF token in `X-CSRF-Token`).
//! - [`Customer`]: a privacy-center session cookie, started with a
//!   one-time code; it names one subject, and every `/me` route serves only
//!   that subject. A `Sec-GPC: 1` header on any of their requests records
//!   their opt-out of sale and sharing.
//!
//! Operations (`subjects.read`, `rights.write`, …) are allowed per role by
//! [`Operations`]: built-in defaults, overridden per operation from
//! `[server.operations]` in `candor.toml`. Every operation that touches
//! personal data also needs a current privacy-training attestation.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use candor_domain::{Role, SubjectId};
use candor_service::auth::secret_hash;
use candor_store::{ActorRecord, Principal};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::problem::Problem;
use crate::AppState;

/// The cookie a browser session rides on.
pub const SESSION_COOKIE: &str = "candor_session";
/// The header unsafe requests of a browser session carry their CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Which roles may call each operation, when configuration says nothing.
pub const DEFAULT_OPERATIONS: &[(&str, &[Role])] = &[
    ("subjects.read", &[Role::Agent, Role::Compliance, Role::Admin]),
    ("subjects.write", &[Role::Agent, Role::Admin]),
    ("interactions.read", &[Role::Agent, Role::Compliance, Role::Admin]),
    ("consent.read", &[Role::Agent, Role::Marketer, Role::Compliance, Role::Admin]),
    ("consent.write", &[Role::Agent, Role::Compliance, Role::Admin]),
    ("rights.read", &[Role::Compliance, Role::Admin]),
    ("rights.write", &[Role::Compliance, Role::Admin]),
    ("analytics.read", &[Role::Analyst, Role::Compliance, Role::Admin]),
    ("policy.read", &[Role::Agent, Role::Analyst, Role::Marketer, Role::Compliance, Role::Admin]),
    ("recipients.read", &[Role::Marketer, Role::Compliance, Role::Admin]),
    ("audit.read", &[Role::Compliance, Role::Admin]),
];

/// Operations that read or change nothing personal: no training needed.
const NOT_PERSONAL: &[&str] = &["policy.read"];

/// The operations map in force.
#[derive(Clone, Debug)]
pub struct Operations(BTreeMap<String, Vec<Role>>);

impl Operations {
    /// The defaults, overridden per operation by `configured`.
    pub fn from_settings(configured: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut map: BTreeMap<String, Vec<Role>> =
            DEFAULT_OPERATIONS.iter().map(|(op, roles)| ((*op).to_owned(), roles.to_vec())).collect();
        for (op, roles) in configured {
            if !map.contains_key(op) {
                let known: Vec<&str> = DEFAULT_OPERATIONS.iter().map(|(o, _)| *o).collect();
                return Err(format!("`server.operations`: unknown operation `{op}`; the operations are {}", known.join(", ")));
            }
            let parsed = roles
                .iter()
                .map(|r| Role::parse(r).ok_or_else(|| format!("`server.operations.\"{op}\"`: unknown role `{r}`")))
                .collect::<Result<Vec<_>, _>>()?;
            map.insert(op.clone(), parsed);
        }
        Ok(Self(map))
    }

    /// Whether any of `roles` may call `op`.
    pub fn allows(&self, op: &str, roles: &[Role]) -> bool {
        self.0.get(op).is_some_and(|allowed| roles.iter().any(|r| allowed.contains(r)))
    }
}

/// Rate limiters: per credential (token or session) and per IP address.
pub(crate) struct Limiters {
    credential: DefaultKeyedRateLimiter<Vec<u8>>,
    ip: DefaultKeyedRateLimiter<IpAddr>,
    swept: Mutex<Instant>,
}

fn quota(per_second: u32) -> Quota {
    let n = NonZeroU32::new(per_second.max(1)).unwrap_or(NonZeroU32::MIN);
    Quota::per_second(n).allow_burst(n.saturating_mul(NonZeroU32::new(2).unwrap_or(NonZeroU32::MIN)))
}

impl Limiters {
    pub(crate) fn new(per_credential: u32, per_ip: u32) -> Self {
        Self {
            credential: RateLimiter::keyed(quota(per_credential)),
            ip: RateLimiter::keyed(quota(per_ip)),
            swept: Mutex::new(Instant::now()),
        }
    }

    fn sweep(&self) {
        // Forget keys idle long enough to be back at a full burst, now and
        // then, so that the maps do not grow with every caller ever seen.
        if let Ok(mut last) = self.swept.lock() {
            if last.elapsed() > Duration::from_secs(60) {
                *last = Instant::now();
                self.credential.retain_recent();
                self.ip.retain_recent();
            }
        }
    }

    pub(crate) fn check_credential(&self, key: &[u8]) -> Result<(), Problem> {
        self.sweep();
        self.credential.check_key(&key.to_vec()).map_err(|_| limited())
    }

    pub(crate) fn check_ip(&self, ip: IpAddr) -> Result<(), Problem> {
        self.sweep();
        self.ip.check_key(&ip).map_err(|_| limited())
    }
}

fn limited() -> Problem {
    let mut p = Problem::new(axum::http::StatusCode::TOO_MANY_REQUESTS, "rate-limited", "Too many requests", "slow down and retry shortly");
    p.retry_after = Some(1);
    p
}

/// Tokens recently authenticated, for a few seconds, so that a busy client
/// does not cost a token lookup per request: a revocation (`candor actor
/// revoke`) or an expiry takes effect within [`TokenCache::TTL`].
#[derive(Default)]
pub(crate) struct TokenCache(Mutex<HashMap<Vec<u8>, (ActorRecord, Instant)>>);

impl TokenCache {
    /// How long an authenticated token is trusted without asking the store.
    pub const TTL: Duration = Duration::from_secs(5);

    fn get(&self, hash: &[u8]) -> Option<ActorRecord> {
        let map = self.0.lock().ok()?;
        map.get(hash).filter(|(_, at)| at.elapsed() < Self::TTL).map(|(a, _)| a.clone())
    }

    fn put(&self, hash: Vec<u8>, actor: ActorRecord) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() > 10_000 {
                map.retain(|_, (_, at)| at.elapsed() < Self::TTL);
            }
            map.insert(hash, (actor, Instant::now()));
        }
    }
}

/// A cookie's value from the request's `Cookie` headers.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    cookie_in(&parts.headers, name)
}

/// A cookie's value from `Cookie` headers.
pub fn cookie_in<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn unsafe_method(m: &Method) -> bool {
    !matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

pub(crate) fn check_csrf(parts: &Parts, expected: &str) -> Result<(), Problem> {
    if !unsafe_method(&parts.method) {
        return Ok(());
    }
    let given = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
    if bool::from(subtle::ConstantTimeEq::ct_eq(given.as_bytes(), expected.as_bytes())) {
        Ok(())
    } else {
        Err(Problem::forbidden(format!("a browser session's {} request needs its CSRF token in the `X-CSRF-Token` header", parts.method)))
    }
}

/// A staff member, authenticated.
#[derive(Clone, Debug)]
pub struct Staff {
    /// Who.
    pub actor: ActorRecord,
}

impl Staff {
    /// Refuse unless the caller's roles allow `op` and, for personal data,
    /// their privacy training is current.
    pub fn require(&self, state: &AppState, op: &str) -> Result<(), Problem> {
        if !state.0.operations.allows(op, &self.actor.roles) {
            let roles: Vec<&str> = self.actor.roles.iter().map(|r| r.as_str()).collect();
            return Err(Problem::forbidden(format!(
                "`{}` (roles: {}) may not call `{op}`; the operations map in `[server.operations]` says which roles may",
                self.actor.id,
                if roles.is_empty() { "none".to_owned() } else { roles.join(", ") }
            )));
        }
        if !NOT_PERSONAL.contains(&op) {
            let now = state.candor().now();
            match self.actor.training_expires_at {
                Some(t) if t > now => {}
                Some(t) => {
                    return Err(Problem::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "training-required",
                        "Privacy training required",
                        format!("`{}`'s privacy training expired on {}; no personal data until it is renewed", self.actor.id, t.date()),
                    ))
                }
                None => {
                    return Err(Problem::new(
                        axum::http::StatusCode::FORBIDDEN,
                        "training-required",
                        "Privacy training required",
                        format!("`{}` has no privacy training attestation; no personal data without one", self.actor.id),
                    ))
                }
            }
        }
        Ok(())
    }
}

impl FromRequestParts<AppState> for Staff {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let candor = state.candor();
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .map(str::trim)
                .ok_or_else(|| Problem::unauthenticated("use `Authorization: Bearer <token>`"))?;
            let hash = secret_hash(token);
            state.0.limiters.check_credential(&hash)?;
            if let Some(actor) = state.0.tokens.get(&hash) {
                return Ok(Self { actor });
            }
            let actor = candor.authenticate(token).await?;
            state.0.tokens.put(hash, actor.clone());
            return Ok(Self { actor });
        }
        if let Some(c) = cookie(parts, SESSION_COOKIE) {
            if let Some(session) = candor.session(c).await? {
                if let Principal::Staff(id) = &session.principal {
                    state.0.limiters.check_credential(&secret_hash(c))?;
                    check_csrf(parts, &session.csrf)?;
                    let actor = candor.actor(id).await?.ok_or_else(|| Problem::unauthenticated("the session's actor no longer exists"))?;
                    return Ok(Self { actor });
                }
            }
        }
        Err(Problem::unauthenticated("staff calls need `Authorization: Bearer <token>` (from `candor actor token`) or a staff session"))
    }
}

/// A customer signed in to the privacy center.
#[derive(Clone, Copy, Debug)]
pub struct Customer {
    /// Who: the only subject their requests may touch.
    pub subject: SubjectId,
}

impl FromRequestParts<AppState> for Customer {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let candor = state.candor();
        let c = cookie(parts, SESSION_COOKIE).ok_or_else(|| Problem::unauthenticated("sign in to the privacy center first"))?;
        let session = candor.session(c).await?.ok_or_else(|| Problem::unauthenticated("the session ended; sign in again"))?;
        let Principal::Customer(subject) = session.principal else {
            return Err(Problem::forbidden("this is a staff session; the privacy center is for customers"));
        };
        state.0.limiters.check_credential(&secret_hash(c))?;
        check_csrf(parts, &session.csrf)?;
        gpc(parts, state, subject).await?;
        Ok(Self { subject })
    }
}

/// A `Sec-GPC: 1` header is the customer's opt-out of sale and sharing.
pub(crate) async fn gpc(parts: &Parts, state: &AppState, subject: SubjectId) -> Result<(), Problem> {
    if parts.headers.get("sec-gpc").and_then(|v| v.to_str().ok()).map(str::trim) == Some("1") {
        state.candor().record_gpc_signal("subject", subject).await?;
    }
    Ok(())
}
