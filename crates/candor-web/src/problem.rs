//! Errors as `application/problem+json` (RFC 9457): a stable `type` per
//! kind of error, the HTTP status, a title and a detail for the person
//! reading it. Details never carry personal data, secrets or database
//! internals: a server-side failure is logged and answered generically.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use candor_domain::{ConcernError, DenyReason, RightsError};
use candor_service::ServiceError;
use candor_store::StoreError;
use serde::Serialize;

/// Where every problem type lives: `urn:candor:problem:<name>`.
pub const TYPE_PREFIX: &str = "urn:candor:problem:";

/// A problem response.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// `urn:candor:problem:<name>`, stable: clients match on it.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time, and how to fix it.
    pub detail: String,
    /// Seconds to wait, for `rate-limited`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl Problem {
    /// A problem of type `name`.
    pub fn new(status: StatusCode, name: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("{TYPE_PREFIX}{name}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            retry_after: None,
        }
    }

    /// 401: no or bad credentials.
    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "Not signed in", detail)
    }

    /// 403: the role does not allow the operation.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    /// 400: the request itself is malformed.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad-request", "Malformed request", detail)
    }

    /// 422: the request is well formed but a value is out of its range.
    pub fn invalid_input(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input", detail)
    }

    /// 404: no such thing.
    pub fn not_found(name: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, name, "Not found", detail)
    }

    /// 500: logged, answered without details.
    pub fn internal(what: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %what, "request failed");
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "Internal error", "the server failed; the operator's log has the reason")
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry = self.retry_after;
        let unauthenticated = status == StatusCode::UNAUTHORIZED;
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut r = (status, body).into_response();
        let h = r.headers_mut();
        h.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json"));
        if let Some(s) = retry {
            if let Ok(v) = HeaderValue::from_str(&s.to_string()) {
                h.insert(header::RETRY_AFTER, v);
            }
        }
        if unauthenticated {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"candor\""));
        }
        r
    }
}

/// An error and its causes, `: `-separated, for the operator's log (the
/// store keeps the driver's error as a source rather than in its text).
struct Chain<'a>(&'a (dyn std::error::Error + 'static));

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut next = self.0.source();
        while let Some(e) = next {
            write!(f, ": {e}")?;
            next = e.source();
        }
        Ok(())
    }
}

impl From<ServiceError> for Problem {
    fn from(e: ServiceError) -> Self {
        use StatusCode as S;
        let detail = e.to_string();
        match &e {
            ServiceError::Unauthenticated(_) => Self::unauthenticated(detail),
            ServiceError::Denied(reason) => denied(reason, detail),
            ServiceError::UnknownSubject(_) => Self::not_found("unknown-subject", detail),
            ServiceError::SubjectErased { .. } => Self::new(S::GONE, "subject-erased", "Erased", detail),
            ServiceError::UnknownRequest(_) => Self::not_found("unknown-request", detail),
            ServiceError::UnknownConcern(_) => Self::not_found("unknown-concern", detail),
            ServiceError::Concern(c) => match c {
                ConcernError::NotOpen { .. } | ConcernError::AlreadyClosed => {
                    Self::new(S::CONFLICT, "concern-state", "Not possible in the concern's state", detail)
                }
                _ => Self::invalid_input(detail),
            },
            ServiceError::NoBundle(_) => Self::not_found("no-bundle", detail),
            ServiceError::UnknownActor(_) => Self::not_found("unknown-actor", detail),
            ServiceError::UnknownPolicyVersion(_) => Self::not_found("unknown-policy-version", detail),
            ServiceError::UnknownPurpose { .. } => Self::new(S::UNPROCESSABLE_ENTITY, "unknown-purpose", "Unknown purpose", detail),
            ServiceError::InvalidInput(_)
            | ServiceError::Identifier { .. }
            | ServiceError::NoIdentifier
            | ServiceError::Id(_)
            | ServiceError::NotApplicable { .. }
            | ServiceError::Receipt(_)
            | ServiceError::InvalidPolicy(_)
            | ServiceError::Import(_) => Self::invalid_input(detail),
            ServiceError::IdentityTaken { .. } => Self::new(S::CONFLICT, "identity-taken", "Identifier taken", detail),
            ServiceError::AlreadyOpen(_) => Self::new(S::CONFLICT, "already-open", "Already asked", detail),
            ServiceError::Busy(_) => Self { retry_after: Some(60), ..Self::new(S::SERVICE_UNAVAILABLE, "busy", "Busy", detail) },
            ServiceError::Rights(r) => match r {
                RightsError::NoReason | RightsError::NotUnderRegime { .. } => Self::invalid_input(detail),
                RightsError::WrongCode { .. } | RightsError::CodeExpired | RightsError::NoCode => {
                    Self::new(S::UNPROCESSABLE_ENTITY, "wrong-code", "Code not accepted", detail)
                }
                _ => Self::new(S::CONFLICT, "request-state", "Not possible in the request's state", detail),
            },
            ServiceError::BudgetExhausted { .. } => Self::new(S::FORBIDDEN, "budget-exhausted", "Privacy budget spent", detail),
            ServiceError::NoPolicy => Self::new(S::CONFLICT, "no-policy", "No policy published", detail),
            ServiceError::Store(StoreError::Changed(_)) => Self::new(S::CONFLICT, "conflict", "Changed meanwhile", detail),
            ServiceError::Store(StoreError::UnknownSubject(_)) => Self::not_found("unknown-subject", detail),
            ServiceError::Store(StoreError::UnknownActor(_)) => Self::not_found("unknown-actor", detail),
            ServiceError::Store(StoreError::IdentityTaken { .. }) => Self::new(S::CONFLICT, "identity-taken", "Identifier taken", detail),
            ServiceError::Store(StoreError::BudgetExhausted { .. }) => {
                Self::new(S::FORBIDDEN, "budget-exhausted", "Privacy budget spent", detail)
            }
            ServiceError::Store(_)
            | ServiceError::Key(_)
            | ServiceError::ForeignKeys { .. }
            | ServiceError::Settings(_)
            | ServiceError::StoredPolicy { .. }
            | ServiceError::Unreadable { .. }
            | ServiceError::BundleIo { .. }
            | ServiceError::Write { .. }
            | ServiceError::Encode { .. } => Self::internal(&Chain(&e)),
        }
    }
}

/// The gate said no: training problems get their own type, since the fix
/// is the actor's, not the request's.
pub(crate) fn denied(reason: &DenyReason, detail: String) -> Problem {
    match reason {
        DenyReason::NoTraining { .. } | DenyReason::TrainingExpired { .. } => {
            Problem::new(StatusCode::FORBIDDEN, "training-required", "Privacy training required", detail)
        }
        _ => Problem::new(StatusCode::FORBIDDEN, "access-denied", "Access denied", detail),
    }
}

/// What handlers return.
pub type ApiResult<T> = Result<T, Problem>;
