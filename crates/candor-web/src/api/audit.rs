//! The audit log: its entries, and the verification of its chain.

use axum::extract::State;
use axum::response::IntoResponse;
use candor_service::audit::AuditReport;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{page_limit, rfc3339, transcode, Query};
use crate::auth::{Operation, Staff};
use crate::problem::{ApiResult, Problem};

use crate::AppState;

/// Which entries.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EntriesQuery {
    /// Entries after this sequence number (default 0).
    pub after: Option<i64>,
    /// At most this many (1 to 1000, default 100; outside that, 422).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// One entry of the audit log.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditEntryBody {
    /// Its sequence number, from 1.
    pub seq: i64,
    /// When (RFC 3339, to the microsecond).
    #[schema(format = DateTime)]
    pub at: String,
    /// Who: a staff member, `subject` or `system`.
    pub actor: String,
    /// What, e.g. `subject.view`.
    pub action: String,
    /// About whom: the subject's pseudonym.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// For which purpose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The access gate's decision, for reads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<String>,
    /// Details of the action.
    pub detail: serde_json::Value,
    /// The entry's hash in the chain, hex.
    pub hash: String,
}

/// The outcome of verifying the audit log.
#[derive(Debug, Serialize, ToSchema)]
#[serde(untagged)]
pub enum AuditVerification {
    /// Every entry and checkpoint checks out.
    Intact {
        /// `true`.
        intact: bool,
        /// Entries checked.
        entries: u64,
        /// Signed checkpoints checked.
        checkpoints: u64,
        /// Whether the head is signed.
        head_signed: bool,
        /// Whether a witness of the heads was compared with.
        witnessed: bool,
        /// The witness's highest head the chain reaches with the same hash.
        witness_agrees_up_to: Option<i64>,
    },
    /// The first problem found.
    Tampered {
        /// `false`.
        intact: bool,
        /// What is wrong: its `kind` and where.
        #[schema(value_type = Object)]
        problem: serde_json::Map<String, serde_json::Value>,
        /// A sentence saying so.
        message: String,
    },
}

/// Entries in order: who did what, about which pseudonymous subject, for
/// which purpose.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", params(EntriesQuery),
    responses((status = 200, body = [AuditEntryBody],
        headers(("Link" = String, description = "`<…?after=SEQ&limit=N>; rel=\"next\"` when the page is full: where the next one starts"))),
        (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn entries(State(state): State<AppState>, staff: Staff, Query(q): Query<EntriesQuery>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::AuditRead)?;
    let limit = page_limit(q.limit, 100, 1_000)?;
    let entries = state.candor().audit_page(q.after.unwrap_or(0).max(0), limit).await?;
    let next = (entries.len() == limit as usize)
        .then(|| entries.last().map(|e| format!("</api/v1/audit?after={}&limit={limit}>; rel=\"next\"", e.seq)))
        .flatten();
    let body = entries
        .into_iter()
        .map(|e| {
            let r = e.record;
            Ok(AuditEntryBody {
                seq: e.seq,
                at: rfc3339(r.at)?,
                actor: r.actor,
                action: r.action,
                subject: r.subject,
                purpose: r.purpose,
                decision: r.decision,
                detail: r.detail,
                hash: hex::encode(e.hash),
            })
        })
        .collect::<Result<Vec<_>, Problem>>()?;
    let mut response = axum::Json(body).into_response();
    if let Some(link) = next.and_then(|l| axum::http::HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(axum::http::header::LINK, link);
    }
    Ok(response)
}

/// Verify the whole chain, its signed checkpoints, its signed head and the
/// witness of its heads.
#[utoipa::path(get, path = "/api/v1/audit/verify", operation_id = "audit_verify", tag = "audit",
    responses((status = 200, body = AuditVerification)), security(("bearer" = [])))]
pub async fn verify(State(state): State<AppState>, staff: Staff) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::AuditRead)?;
    Ok(axum::Json(match state.candor().verify_audit(|_, _| {}).await? {
        // The witness's path is the server's business, not the caller's.
        AuditReport::Intact { entries, checkpoints, head_signed, witness } => AuditVerification::Intact {
            intact: true,
            entries,
            checkpoints,
            head_signed,
            witnessed: witness.is_some(),
            witness_agrees_up_to: witness.and_then(|w| w.agrees_up_to),
        },
        AuditReport::Tampered { problem, message } => AuditVerification::Tampered { intact: false, problem: transcode(&problem)?, message },
    }))
}
