//! A subject's consent: the standing per purpose, recording choices made
//! through an integration, and signed receipts.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use candor_domain::{ConsentAction, ConsentSource};
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::receipt::SignedReceiptBody;
use super::{subject_id, transcode, Json, Path};
use crate::auth::{Operation, Staff};
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// A consent choice to record.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// grant, withdraw, object (per purpose); restrict, lift_restriction,
    /// opt_out_sale_share, opt_in_sale_share, limit_sensitive_use (the
    /// whole subject).
    #[schema(value_type = candor_domain::ConsentAction)]
    pub action: String,
    /// The purpose, for per-purpose actions.
    pub purpose: Option<String>,
}

/// A subject's consent, derived from the ledger.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentOverviewBody {
    /// The subject id.
    #[schema(format = "uuid")]
    pub subject: String,
    /// The policy version the standings are computed against.
    pub policy_version: u32,
    /// The ledger folded into the current choices.
    pub state: ConsentStateBody,
    /// Each purpose of the policy in force.
    pub purposes: Vec<PurposeStandingBody>,
    /// The ledger, oldest first.
    pub events: Vec<LedgerEntryBody>,
}

/// The subject's choices as the ledger leaves them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentStateBody {
    /// The last choice per purpose.
    pub purposes: BTreeMap<String, PurposeChoiceBody>,
    /// Processing restricted (GDPR Art. 18).
    pub restricted: bool,
    /// Opted out of sale and sharing (CCPA).
    pub sale_share_opt_out: bool,
    /// Limited the use of sensitive data (CCPA).
    pub limit_sensitive_use: bool,
}

/// The last choice made about one purpose.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurposeChoiceBody {
    /// granted, withdrawn or objected.
    #[schema(value_type = candor_domain::PurposeStatus)]
    pub status: String,
    /// The policy version it was made under.
    pub policy_version: u32,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// A subject's standing on one purpose of the policy in force.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PurposeStandingBody {
    /// The purpose id.
    pub purpose: String,
    /// Its name.
    pub name: String,
    /// Its legal basis: consent, contract, legal_obligation, …
    #[schema(value_type = candor_domain::LegalBasis)]
    pub legal_basis: String,
    /// What applies before any choice: opt_in, opt_out, …
    #[schema(value_type = candor_domain::ConsentDefault)]
    pub default: String,
    /// The last choice recorded, if any.
    #[schema(value_type = Option<candor_domain::PurposeStatus>)]
    pub status: Option<String>,
    /// The policy version that choice was made under.
    pub policy_version: Option<u32>,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: Option<String>,
    /// Whether the subject's choices let the purpose run now.
    pub in_effect: bool,
    /// Why not, when not.
    pub reason: Option<String>,
}

/// One consent event.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentEventBody {
    /// The purpose, for per-purpose actions.
    pub purpose: Option<String>,
    /// grant, withdraw, object, restrict, …
    #[schema(value_type = candor_domain::ConsentAction)]
    pub action: String,
    /// The policy version shown when it happened.
    pub policy_version: u32,
    /// Where it came from: api, privacy_center, cli, gpc, …
    #[schema(value_type = candor_domain::ConsentSource)]
    pub source: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// One ledger entry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LedgerEntryBody {
    /// Its position in the ledger.
    pub id: i64,
    /// The purpose, for per-purpose actions.
    pub purpose: Option<String>,
    /// grant, withdraw, object, restrict, …
    #[schema(value_type = candor_domain::ConsentAction)]
    pub action: String,
    /// The policy version shown when it happened.
    pub policy_version: u32,
    /// Where it came from.
    #[schema(value_type = candor_domain::ConsentSource)]
    pub source: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
    /// Whether a signed receipt was issued.
    pub has_receipt: bool,
}

/// What recording a consent choice did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordedBody {
    /// The event's position in the ledger.
    pub ledger_id: i64,
    /// The event.
    pub event: ConsentEventBody,
    /// For a grant, withdrawal or objection, its signed receipt (what
    /// `GET …/consent/{ledger_id}/receipt` answers).
    pub receipt: Option<SignedReceiptBody>,
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
#[utoipa::path(get, path = "/api/v1/subjects/{id}/consent", operation_id = "consent_show", tag = "consent",
    params(("id" = String, Path, description = "subject id")),
    responses((status = 200, body = ConsentOverviewBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 410, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::ConsentRead)?;
    Ok(axum::Json(transcode::<_, ConsentOverviewBody>(&state.candor().consent_overview(subject_id(&id)?).await?)?))
}

/// Record a consent choice (source `api`); a grant, withdrawal or
/// objection answers its signed receipt.
#[utoipa::path(post, path = "/api/v1/subjects/{id}/consent", tag = "consent", request_body = Choice,
    params(("id" = String, Path, description = "subject id")),
    responses((status = 201, body = RecordedBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn record(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(c): Json<Choice>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::ConsentWrite)?;
    let id = subject_id(&id)?;
    let recorded = state.candor().record_consent(&staff.actor.id, id, c.purpose.as_deref(), action(&c.action)?, ConsentSource::Api).await?;
    Ok((StatusCode::CREATED, axum::Json(transcode::<_, RecordedBody>(&recorded)?)))
}

/// The signed receipt of a grant, withdrawal or objection.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/consent/{ledger_id}/receipt", tag = "consent",
    params(("id" = String, Path, description = "subject id"), ("ledger_id" = i64, Path, description = "ledger position")),
    responses((status = 200, body = SignedReceiptBody), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn receipt(State(state): State<AppState>, staff: Staff, Path((id, ledger)): Path<(String, i64)>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::ConsentRead)?;
    let id = subject_id(&id)?;
    let r = state.candor().consent_receipt(id, ledger).await?;
    let r = r.ok_or_else(|| Problem::not_found("unknown-receipt", format!("no receipt at ledger position {ledger} of this subject")))?;
    Ok(axum::Json(transcode::<_, SignedReceiptBody>(&r)?))
}

/// A subject's consent ledger, oldest first, a page at a time.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/consent/events", tag = "consent",
    params(("id" = String, Path, description = "subject id"), super::page::PageQuery),
    responses((status = 200, body = [LedgerEntryBody], headers(("Link" = String, description = "`<…?after=CURSOR&limit=N>; rel=\"next\"` when there are more: where the next page starts"))),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 410, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn events(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    super::Query(q): super::Query<super::page::PageQuery>,
) -> ApiResult<axum::response::Response> {
    staff.require(&state, Operation::ConsentRead)?;
    let id = subject_id(&id)?;
    let limit = q.limit()?;
    let page = state.candor().consent_event_page(id, q.after.as_deref(), limit).await?;
    let body = page.items.iter().map(transcode).collect::<Result<Vec<LedgerEntryBody>, _>>()?;
    Ok(super::page::respond(body, &format!("/api/v1/subjects/{id}/consent/events"), &[], limit, page.next))
}
