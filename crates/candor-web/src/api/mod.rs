//! The routes, one module per resource, and the extractors they share:
//! JSON bodies, query strings and path segments whose rejections answer
//! as problems, and the purpose a request names.

pub mod analytics;
pub mod analytics_kpi;
pub mod audit;
pub mod changes;
pub mod concerns;
pub mod consent;
pub mod ops;
pub mod page;
pub mod policy;
pub mod privacy;
pub mod receipt;
pub mod rights;
pub mod subjects;
pub mod vocabulary;

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use candor_domain::SubjectId;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::problem::Problem;

/// The header a request names its purpose in (or `?purpose=`).
pub const PURPOSE_HEADER: &str = "x-candor-purpose";

/// A JSON body; a malformed one is a `bad-request` problem.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Problem> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(JsonRejection::MissingJsonContentType(_)) => Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "JSON expected",
                "send the body as `Content-Type: application/json`",
            )),
            Err(JsonRejection::BytesRejection(e)) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(Problem::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too-large",
                "Request too large",
                "the body is larger than `server.body_limit_bytes` allows",
            )),
            Err(e @ JsonRejection::JsonDataError(_)) => Err(Problem::invalid_input(e.body_text())),
            Err(e) => Err(Problem::bad_request(e.body_text())),
        }
    }
}

/// A query string; a malformed one is a `bad-request` problem.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Query::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Query(v)| Self(v))
            .map_err(|e: QueryRejection| Problem::bad_request(e.body_text()))
    }
}

/// Path segments; malformed ones are a `bad-request` problem.
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Problem> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| Self(v))
            .map_err(|e: PathRejection| Problem::bad_request(e.body_text()))
    }
}

/// The purpose a request names: the `X-Candor-Purpose` header, else the
/// `purpose` query parameter, else the endpoint's default. A header that
/// is there but not plain ASCII is refused rather than skipped: falling
/// back to the default would read data for a purpose the caller did not
/// name.
pub fn purpose(headers: &axum::http::HeaderMap, query: Option<&str>, default: &str) -> Result<String, Problem> {
    let header = match headers.get(PURPOSE_HEADER) {
        Some(v) => Some(v.to_str().map_err(|_| {
            Problem::bad_request("the `X-Candor-Purpose` header must be a purpose id in plain ASCII, e.g. `customer_service`")
        })?),
        None => None,
    };
    Ok(header.map(str::trim).filter(|p| !p.is_empty()).or(query.map(str::trim).filter(|p| !p.is_empty())).unwrap_or(default).to_owned())
}

/// A subject id from a path segment.
pub fn subject_id(s: &str) -> Result<SubjectId, Problem> {
    SubjectId::parse(s).map_err(|_| Problem::not_found("unknown-subject", format!("no subject with id `{}`", shorten(s))))
}

/// User input shown back in a message, at most 64 characters.
pub fn shorten(s: &str) -> String {
    let mut out: String = s.chars().take(64).collect();
    if s.chars().count() > 64 {
        out.push('…');
    }
    out
}

/// A service value re-expressed as the API's own type, field by field as
/// both serialize: the API type is the contract (and its schema), and a
/// service type that drifts from it is an error here, caught by the tests,
/// rather than an answer that no longer matches the OpenAPI document.
pub(crate) fn transcode<T: Serialize + ?Sized, D: DeserializeOwned>(value: &T) -> Result<D, Problem> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| Problem::internal(&format!("a response no longer matches its schema: {e}")))
}

/// A list's `limit`: 1 to `max`, `default` when absent; anything else is
/// a 422 that says the range (not silently clamped).
pub(crate) fn page_limit(limit: Option<u32>, default: u32, max: u32) -> Result<u32, Problem> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(Problem::invalid_input(format!("`limit` must be 1 to {max}; {n} was asked"))),
    }
}

/// A time as RFC 3339, as the service's types write their times.
pub(crate) fn rfc3339(t: time::OffsetDateTime) -> Result<String, Problem> {
    t.format(&time::format_description::well_known::Rfc3339).map_err(|e| Problem::internal(&e))
}
