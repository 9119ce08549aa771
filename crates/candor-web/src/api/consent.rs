//! A subject's consent: the standing per purpose, recording choices made
//! through an integration, and signed receipts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use candor_domain::{ConsentAction, ConsentSource};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

use super::{subject_id, Json, Path};
use crate::auth::Staff;
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// A consent choice to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// grant, withdraw, object (per purpose); restrict, lift_restriction,
    /// opt_out_sale_share, opt_in_sale_share, limit_sensitive_use (the
    /// whole subject).
    pub action: String,
    /// The purpose, for per-purpose actions.
    pub purpose: Option<String>,
}

/// Parse an action name.
pub(crate) fn action(s: &str) -> Result<ConsentAction, Problem> {
    ConsentAction::parse(s).ok_or_else(|| {
        let known: Vec<&str> = ConsentAction::ALL.iter().map(|a| a.as_str()).collect();
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            format!("unknown action `{}`; one of: {}", super::shorten(s), known.join(", ")),
        )
    })
}

/// A subject's consent: each purpose of the policy in force, in effect or
/// why not, and the ledger.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/consent", tag = "consent",
    params(("id" = String, Path, description = "subject id")),
    responses((status = 200, body = Object), (status = 404, body = crate::problem::Problem), (status = 410, body = crate::problem::Problem)),
    security(("bearer" = [])))]
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "consent.read")?;
    Ok(axum::Json(json!(state.candor().consent_overview(subject_id(&id)?).await?)))
}

/// Record a consent choice (source `api`); a grant answers its signed
/// receipt.
#[utoipa::path(post, path = "/api/v1/subjects/{id}/consent", tag = "consent", request_body = Choice,
    params(("id" = String, Path, description = "subject id")),
    responses((status = 201, body = Object), (status = 404, body = crate::problem::Problem), (status = 422, body = crate::problem::Problem)),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(c): Json<Choice>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "consent.write")?;
    let id = subject_id(&id)?;
    let recorded = state.candor().record_consent(&staff.actor.id, id, c.purpose.as_deref(), action(&c.action)?, ConsentSource::Api).await?;
    Ok((StatusCode::CREATED, axum::Json(json!(recorded))))
}

/// The signed receipt of a grant.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/consent/{ledger_id}/receipt", tag = "consent",
    params(("id" = String, Path, description = "subject id"), ("ledger_id" = i64, Path, description = "ledger position")),
    responses((status = 200, body = Object), (status = 404, body = crate::problem::Problem)),
    security(("bearer" = [])))]
pub async fn receipt(State(state): State<AppState>, staff: Staff, Path((id, ledger)): Path<(String, i64)>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "consent.read")?;
    let id = subject_id(&id)?;
    let r = state.candor().consent_receipt(id, ledger).await?;
    let r = r.ok_or_else(|| Problem::not_found("unknown-receipt", format!("no receipt at ledger position {ledger} of this subject")))?;
    let v: serde_json::Value = serde_json::from_str(&r).map_err(|e| Problem::internal(&e))?;
    Ok(axum::Json(v))
}
