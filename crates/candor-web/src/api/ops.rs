//! Operations: liveness, readiness, Prometheus metrics, and the answers
//! for routes and methods that do not exist.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use serde::Serialize;
use utoipa::ToSchema;

use crate::problem::Problem;
use crate::AppState;

/// The process is up.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: String,
}

/// Requests can be served.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ready {
    /// `ready`.
    pub status: String,
    /// The policy version in force.
    pub policy_version: u32,
}

/// The process is up.
#[utoipa::path(get, path = "/healthz", tag = "operations", responses((status = 200, body = Health)))]
pub async fn healthz() -> impl IntoResponse {
    axum::Json(Health { status: "ok".into() })
}

/// The database answers and a policy is published: requests can be
/// served.
#[utoipa::path(get, path = "/readyz", tag = "operations", responses((status = 200, body = Ready), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn readyz(State(state): State<AppState>) -> Result<impl IntoResponse, Problem> {
    let unready = |why: String| Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not-ready", "Not ready", why);
    match state.candor().policy_context().await {
        Ok(ctx) => Ok(axum::Json(Ready { status: "ready".into(), policy_version: ctx.version })),
        Err(candor_service::ServiceError::NoPolicy) => Err(unready("no policy is published yet".into())),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            Err(unready("the database does not answer".into()))
        }
    }
}

/// Prometheus metrics: requests and latency per route, open connections,
/// access decisions per purpose (imports run in the CLI's process, not
/// here).
#[utoipa::path(get, path = "/metrics", tag = "operations", responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], state.0.metrics.render())
}

/// No such route.
pub async fn not_found() -> Problem {
    Problem::not_found("not-found", "no such route; `/api/openapi.json` lists them")
}

/// The route exists, the method does not.
pub async fn method_not_allowed() -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "`/api/openapi.json` lists each route's methods",
    )
}
