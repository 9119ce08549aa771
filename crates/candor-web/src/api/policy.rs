//! The data-use policy's published versions and their differences, and
//! the recipients data may be shared with.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use utoipa::{IntoParams, ToSchema};

use super::page::PageQuery;
use super::{rfc3339, transcode, Path, Query};
use crate::auth::{Operation, Staff};
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

/// A published version of the policy.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersionSummary {
    /// Its number, from 1.
    pub version: u32,
    /// The SHA-256 of its TOML, hex.
    pub content_hash: String,
    /// When it was published (RFC 3339).
    #[schema(format = DateTime)]
    pub published_at: String,
}

/// A published version with its content.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyVersionBody {
    /// Its number, from 1.
    pub version: u32,
    /// The SHA-256 of its TOML, hex.
    pub content_hash: String,
    /// When it was published (RFC 3339).
    #[schema(format = DateTime)]
    pub published_at: String,
    /// The TOML as published.
    pub content: String,
    /// The policy it says: controller, collected categories, purposes,
    /// recipients and roles, as in the TOML.
    #[schema(value_type = Object)]
    pub policy: serde_json::Map<String, serde_json::Value>,
}

/// What changed between two versions.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDiffBody {
    /// Each change.
    pub changes: Vec<ChangeBody>,
    /// Purposes whose consent must be asked for again.
    pub fresh_consent: Vec<String>,
}

/// One change between two versions.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    /// What changed: a purpose, a recipient, the controller, …
    pub subject: String,
    /// How.
    pub description: String,
    /// Whether it is material (fresh consent or notice needed).
    pub material: bool,
    /// A minor change a person should review before publishing: new
    /// wording that speaks of other recipients or places of use.
    pub review: bool,
}

/// A recipient data may be shared with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecipientBody {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its country.
    pub country: String,
    /// The sharing agreement.
    pub agreement: AgreementBody,
}

/// A sharing agreement.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgreementBody {
    /// The contract's reference.
    pub reference: String,
    /// First valid day.
    #[schema(format = Date)]
    pub valid_from: String,
    /// Last valid day.
    #[schema(format = Date)]
    pub valid_until: String,
    /// The data categories it covers.
    pub categories: Vec<String>,
    /// The transfer mechanism, for transfers abroad.
    pub transfer_mechanism: Option<String>,
}

/// The published versions, oldest first, a page at a time: number, hash,
/// date.
#[utoipa::path(get, path = "/api/v1/policy/versions", tag = "policy", params(PageQuery),
    responses((status = 200, body = [PolicyVersionSummary], headers(("Link" = String, description = "`<…?after=CURSOR&limit=N>; rel=\"next\"` when there are more: where the next page starts"))),
        (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn versions(State(state): State<AppState>, staff: Staff, Query(q): Query<PageQuery>) -> ApiResult<Response> {
    staff.require(&state, Operation::PolicyRead)?;
    let limit = q.limit()?;
    let page = state.candor().policy_version_page(q.after.as_deref(), limit).await?;
    let body: Vec<PolicyVersionSummary> = page
        .items
        .into_iter()
        .map(|v| Ok(PolicyVersionSummary { version: v.version, content_hash: v.content_hash, published_at: rfc3339(v.published_at)? }))
        .collect::<Result<_, Problem>>()?;
    Ok(super::page::respond(body, "/api/v1/policy/versions", &[], limit, page.next))
}

/// One version: its TOML as published and the policy it says.
#[utoipa::path(get, path = "/api/v1/policy/versions/{version}", tag = "policy",
    params(("version" = u32, Path, description = "version number")),
    responses((status = 200, body = PolicyVersionBody), (status = 404, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn version(State(state): State<AppState>, staff: Staff, Path(v): Path<u32>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::PolicyRead)?;
    let (record, policy) = state.candor().policy_version(v).await?;
    Ok(axum::Json(PolicyVersionBody {
        version: record.version,
        content_hash: record.content_hash,
        published_at: rfc3339(record.published_at)?,
        content: record.content,
        policy: transcode(&policy)?,
    }))
}

/// What changed between two versions, and which purposes need fresh
/// consent.
#[utoipa::path(get, path = "/api/v1/policy/diff", tag = "policy", params(DiffQuery),
    responses((status = 200, body = PolicyDiffBody), (status = 404, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn diff(State(state): State<AppState>, staff: Staff, Query(q): Query<DiffQuery>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::PolicyRead)?;
    let (_, old) = state.candor().policy_version(q.from).await?;
    let (_, new) = state.candor().policy_version(q.to).await?;
    Ok(axum::Json(transcode::<_, PolicyDiffBody>(&candor_domain::policy::diff::diff(&old, &new))?))
}

/// Recipients and their sharing agreements, as of the latest version, by
/// id, a page at a time.
#[utoipa::path(get, path = "/api/v1/recipients", tag = "policy", params(PageQuery),
    responses((status = 200, body = [RecipientBody], headers(("Link" = String, description = "`<…?after=CURSOR&limit=N>; rel=\"next\"` when there are more: where the next page starts"))),
        (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn recipients(State(state): State<AppState>, staff: Staff, Query(q): Query<PageQuery>) -> ApiResult<Response> {
    staff.require(&state, Operation::RecipientsRead)?;
    let limit = q.limit()?;
    let page = state.candor().recipient_page(q.after.as_deref(), limit).await?;
    let body = page.items.iter().map(transcode).collect::<Result<Vec<RecipientBody>, _>>()?;
    Ok(super::page::respond(body, "/api/v1/recipients", &[], limit, page.next))
}
