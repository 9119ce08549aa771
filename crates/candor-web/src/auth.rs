//! Who is calling and what they may do.
//!
//! - [`Staff`]: an API token in `Authorization: Bearer …`, or a staff
//!   browser session cookie (then unsafe methods must echo the session's
//!   CSRF token in `X-CSRF-Token`); a session lasts no longer than the
//!   token it was started from is in force.
//! - [`Customer`]: a privacy-center session cookie, started with a
//!   one-time code; it names one subject, and every `/me` route serves only
//!   that subject. A `Sec-GPC: 1` header on any of their requests records
//!   their opt-out of sale and sharing.
//!
//! Operations (`subjects.read`, `rights.write`, …) are allowed per role by
//! [`Operations`]: built-in defaults, overridden per operation from
//! `[server.operations]` in `candor.toml`. Every operation that touches
//! personal data also needs a current privacy-training attestation.
//!
//! The credential itself is checked once per request, before the rate
//! limits, by the `authenticate` middleware (see `credentials`); these
//! extractors read its outcome.

use std::collections::BTreeMap;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::Method;
use candor_domain::{Role, SubjectId};
use candor_service::actors::Actor;
use candor_service::auth::{ActiveSession, SessionHolder};

pub use crate::credentials::{session_cookie, session_cookie_name, HOST_SESSION_COOKIE, SESSION_COOKIE};
use crate::credentials::{Caller, Checked, RequestAuth};
pub use crate::operation::Operation;
use crate::problem::Problem;
use crate::AppState;

/// The header unsafe requests of a browser session carry their CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// Which roles may call each operation, when configuration says nothing.
pub const DEFAULT_OPERATIONS: &[(Operation, &[Role])] = &[
    (Operation::SubjectsRead, &[Role::Agent, Role::Compliance, Role::Admin]),
    (Operation::SubjectsWrite, &[Role::Agent, Role::Admin]),
    (Operation::InteractionsRead, &[Role::Agent, Role::Compliance, Role::Admin]),
    (Operation::ConsentRead, &[Role::Agent, Role::Marketer, Role::Compliance, Role::Admin]),
    (Operation::ConsentWrite, &[Role::Agent, Role::Compliance, Role::Admin]),
    (Operation::RightsRead, &[Role::Compliance, Role::Admin]),
    (Operation::RightsWrite, &[Role::Compliance, Role::Admin]),
    (Operation::ConcernsRead, &[Role::Compliance, Role::Admin]),
    (Operation::ConcernsWrite, &[Role::Compliance, Role::Admin]),
    (Operation::AnalyticsRead, &[Role::Analyst, Role::Compliance, Role::Admin]),
    (Operation::PolicyRead, &[Role::Agent, Role::Analyst, Role::Marketer, Role::Compliance, Role::Admin]),
    (Operation::RecipientsRead, &[Role::Marketer, Role::Compliance, Role::Admin]),
    (Operation::AuditRead, &[Role::Compliance, Role::Admin]),
    (Operation::PolicyWrite, &[Role::Compliance, Role::Admin]),
    (Operation::StaffRead, &[Role::Compliance, Role::Admin]),
];

/// The operations map in force.
#[derive(Clone, Debug)]
pub struct Operations(BTreeMap<Operation, Vec<Role>>);

impl Operations {
    /// The defaults, overridden per operation by `configured` (keyed by
    /// the operations' names).
    pub fn from_settings(configured: &BTreeMap<String, Vec<String>>) -> Result<Self, String> {
        let mut map: BTreeMap<Operation, Vec<Role>> = DEFAULT_OPERATIONS.iter().map(|(op, roles)| (*op, roles.to_vec())).collect();
        for (name, roles) in configured {
            let Some(op) = Operation::parse(name) else {
                let known: Vec<&str> = Operation::ALL.iter().map(|o| o.as_str()).collect();
                return Err(format!("`server.operations`: unknown operation `{name}`; the operations are {}", known.join(", ")));
            };
            let parsed = roles
                .iter()
                .map(|r| Role::parse(r).ok_or_else(|| format!("`server.operations.\"{op}\"`: unknown role `{r}`")))
                .collect::<Result<Vec<_>, _>>()?;
            map.insert(op, parsed);
        }
        Ok(Self(map))
    }

    /// Whether any of `roles` may call `op`.
    pub fn allows(&self, op: Operation, roles: &[Role]) -> bool {
        self.0.get(&op).is_some_and(|allowed| roles.iter().any(|r| allowed.contains(r)))
    }
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
    pub actor: Actor,
}

impl Staff {
    /// Refuse unless the caller's roles allow `op` and, for personal data,
    /// their privacy training is current.
    pub fn require(&self, state: &AppState, op: Operation) -> Result<(), Problem> {
        if !state.0.operations.allows(op, &self.actor.roles) {
            let roles: Vec<&str> = self.actor.roles.iter().map(|r| r.as_str()).collect();
            return Err(Problem::forbidden(format!(
                "`{}` (roles: {}) may not call `{op}`; the operations map in `[server.operations]` says which roles may",
                self.actor.id,
                if roles.is_empty() { "none".to_owned() } else { roles.join(", ") }
            )));
        }
        if op.personal() {
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
        let auth = RequestAuth::from_request_parts(parts, state).await?;
        match auth.caller {
            Caller::Valid(Checked::Token(actor), _) => Ok(Self { actor }),
            Caller::Valid(Checked::Session(ActiveSession { holder: SessionHolder::Staff(actor), csrf, .. }), _) => {
                check_csrf(parts, &csrf)?;
                Ok(Self { actor })
            }
            Caller::Refused { why, .. } => Err(Problem::unauthenticated(why)),
            Caller::Held(p) => Err(p),
            Caller::Anonymous | Caller::Valid(Checked::Session(_), _) => Err(Problem::unauthenticated(
                "staff calls need `Authorization: Bearer <token>` (from `candor actor token`) or a staff session",
            )),
        }
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
        let auth = RequestAuth::from_request_parts(parts, state).await?;
        match auth.caller {
            Caller::Valid(Checked::Session(ActiveSession { holder: SessionHolder::Customer(subject), csrf, .. }), _) => {
                check_csrf(parts, &csrf)?;
                gpc(parts, state, subject).await?;
                Ok(Self { subject })
            }
            Caller::Valid(Checked::Session(_), _) => {
                Err(Problem::forbidden("this is a staff session; the privacy center is for customers"))
            }
            Caller::Refused { why, cookie: true } => Err(Problem::unauthenticated(why)),
            Caller::Held(p) => Err(p),
            Caller::Anonymous | Caller::Refused { .. } | Caller::Valid(Checked::Token(_), _) => {
                Err(Problem::unauthenticated("sign in to the privacy center first"))
            }
        }
    }
}

/// A `Sec-GPC: 1` header is the customer's opt-out of sale and sharing
/// (see [`crate::gpc`] for what counts as one).
pub(crate) async fn gpc(parts: &Parts, state: &AppState, subject: SubjectId) -> Result<(), Problem> {
    if crate::gpc::signalled(&parts.headers) {
        state.candor().record_gpc_signal("subject", subject).await?;
    }
    Ok(())
}
