//! The audit log: its entries, and the verification of its chain.

use axum::extract::State;
use axum::response::IntoResponse;
use candor_service::audit::AuditReport;
use serde::Deserialize;
use serde_json::json;
use utoipa::IntoParams;

use super::Query;
use crate::auth::Staff;
use crate::problem::ApiResult;
use crate::AppState;

/// Which entries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    /// Entries after this sequence number (default 0).
    pub after: Option<i64>,
    /// At most this many (1 to 1000, default 100).
    pub limit: Option<u32>,
}

/// Entries in order: who did what, about which pseudonymous subject, for
/// which purpose.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(EntriesQuery),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn entries(State(state): State<AppState>, staff: Staff, Query(q): Query<EntriesQuery>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "audit.read")?;
    let limit = q.limit.unwrap_or(100).clamp(1, 1_000);
    let entries = state.candor().audit_page(q.after.unwrap_or(0).max(0), limit).await?;
    Ok(axum::Json(json!(entries)))
}

/// Verify the whole chain, its signed checkpoints, its signed head and the
/// witness of its heads.
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "audit",
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn verify(State(state): State<AppState>, staff: Staff) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "audit.read")?;
    Ok(axum::Json(match state.candor().verify_audit(|_, _| {}).await? {
        // The witness's path is the server's business, not the caller's.
        AuditReport::Intact { entries, checkpoints, head_signed, witness } => json!({
            "intact": true, "entries": entries, "checkpoints": checkpoints, "head_signed": head_signed,
            "witnessed": witness.is_some(), "witness_agrees_up_to": witness.and_then(|w| w.agrees_up_to),
        }),
        AuditReport::Tampered { problem, message } => json!({ "intact": false, "problem": problem, "message": message }),
    }))
}
