//! The data-use policy's published versions and their differences, and
//! the recipients data may be shared with.

use axum::extract::State;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::{Path, Query};
use crate::auth::Staff;
use crate::problem::{ApiResult, Problem};

use crate::AppState;

/// Two versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The older version.
    pub from: u32,
    /// The newer version.
    pub to: u32,
}

/// Every published version: number, hash, date.
#[utoipa::path(get, path = "/api/v1/policy/versions", tag = "policy",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn versions(State(state): State<AppState>, staff: Staff) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "policy.read")?;
    let all = state.candor().policy_versions().await?;
    Ok(axum::Json(json!(all
        .iter()
        .map(|v| json!({ "version": v.version, "content_hash": v.content_hash, "published_at": v.published_at }))
        .collect::<Vec<_>>())))
}

/// One version: its TOML as published and the policy it says.
#[utoipa::path(get, path = "/api/v1/policy/versions/{version}", tag = "policy",
    params(("version" = u32, Path, description = "version number")),
    responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn version(State(state): State<AppState>, staff: Staff, Path(v): Path<u32>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "policy.read")?;
    let (record, policy) = state.candor().policy_version(v).await?;
    Ok(axum::Json(json!({
        "version": record.version,
        "content_hash": record.content_hash,
        "published_at": record.published_at,
        "content": record.content,
        "policy": policy,
    })))
}

/// What changed between two versions, and which purposes need fresh
/// consent.
#[utoipa::path(get, path = "/api/v1/policy/diff", tag = "policy", params(DiffQuery),
    responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn diff(State(state): State<AppState>, staff: Staff, Query(q): Query<DiffQuery>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "policy.read")?;
    let (_, old) = state.candor().policy_version(q.from).await?;
    let (_, new) = state.candor().policy_version(q.to).await?;
    Ok(axum::Json(json!(candor_domain::policy::diff::diff(&old, &new))))
}

/// Recipients and their sharing agreements, as of the latest version.
#[utoipa::path(get, path = "/api/v1/recipients", tag = "policy",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn recipients(State(state): State<AppState>, staff: Staff) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "recipients.read")?;
    let ctx = state.candor().policy_context().await?;
    Ok(axum::Json(json!(ctx.policy.recipients.values().collect::<Vec<_>>())))
}
