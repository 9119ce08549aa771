//! Rights requests over the API: the same life cycle and execution as
//! `candor rights`. Access and portability bundles are written under
//! `server.exports_dir` and served from there file by file; an erasure
//! removes every bundle of the customer.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use candor_domain::{Regime, RightKind};
use candor_domain::{RightsRequest, SubjectId};
use candor_service::rights::execute::ExecuteOptions;
use candor_service::rights::export::BundleFile;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{rfc3339, subject_id, transcode, Json, Path, Query};
use crate::auth::{Operation, Staff};
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// A request to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// access, portability, erasure, rectification, restriction,
    /// objection, opt_out_sale_share, limit_sensitive_use.
    #[schema(value_type = candor_domain::RightKind)]
    #[serde(rename = "type")]
    pub kind: String,
    /// The subject id.
    pub subject: String,
    /// gdpr or ccpa; by default the regime the right comes from.
    #[schema(value_type = Option<candor_domain::Regime>)]
    pub regime: Option<String>,
}

/// How the customer's identity was verified.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Verify {
    /// The one-time code the customer entered.
    pub code: Option<String>,
    /// How staff satisfied themselves, instead.
    pub staff_reason: Option<String>,
}

/// A reason (rejection, extension).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reason {
    /// Shown to the customer.
    pub reason: String,
}

/// What to carry a request out with.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Execute {
    /// Rectification: corrected values by field (name, email, phone,
    /// customer_number).
    #[serde(default)]
    pub set: std::collections::BTreeMap<String, String>,
}

/// Which requests to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only those past their deadline and not finished.
    pub overdue: Option<bool>,
    /// Where the page starts: the cursor the previous page's `Link:
    /// rel="next"` gave (absent: the first page).
    pub after: Option<String>,
    /// At most this many (1 to 1000, default 100; outside that, 422).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// A rights request as the API shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RightsRequestBody {
    /// The request's id.
    pub id: String,
    /// The subject id.
    #[schema(format = "uuid")]
    pub subject: String,
    /// access, portability, erasure, rectification, restriction,
    /// objection, opt_out_sale_share, limit_sensitive_use.
    #[schema(value_type = candor_domain::RightKind)]
    #[serde(rename = "type")]
    pub kind: String,
    /// gdpr or ccpa.
    #[schema(value_type = candor_domain::Regime)]
    pub regime: String,
    /// The article or section the right comes from, e.g. `GDPR Art. 15`.
    pub legal_source: Option<String>,
    /// received, verified, in_progress, extended, completed, rejected, …
    #[schema(value_type = candor_domain::RequestState)]
    pub state: String,
    /// When it was received (RFC 3339).
    #[schema(format = DateTime)]
    pub received_at: String,
    /// Its deadline (RFC 3339).
    #[schema(format = DateTime)]
    pub due_at: String,
    /// How the customer's identity was verified, once it was.
    pub verification: Option<VerificationBody>,
    /// The deadline's extension, if any.
    pub extension: Option<ExtensionBody>,
    /// Why it was rejected, if it was.
    pub rejection: Option<String>,
    /// Whether a one-time code was sent for it.
    pub code_sent: bool,
    /// What carrying it out did, once it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ResultBody>,
    /// After `execute`: whether it had been carried out before (nothing was
    /// done again).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub already_done: Option<bool>,
}

/// How the customer's identity was verified.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerificationBody {
    /// one_time_code or staff.
    #[schema(value_type = super::vocabulary::VerifiedBy)]
    pub by: String,
    /// Staff: who verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// Staff: how they satisfied themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A deadline's extension.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    /// The reason the customer is told.
    pub reason: String,
    /// When it was extended (RFC 3339).
    #[schema(format = DateTime)]
    pub at: String,
}

/// What carrying a request out did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultBody {
    /// Sentences for the customer.
    pub summary: Vec<String>,
    /// Records deleted, by category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deleted: Vec<CategoryCountBody>,
    /// Records exported, by category.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exported: Vec<CategoryCountBody>,
    /// Data kept despite the request, and why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kept: Vec<KeptBody>,
    /// Recipients notified.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notified: Vec<String>,
    /// What was recorded (restrictions, opt-outs, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recorded: Vec<String>,
    /// The bundle's directory, for access and portability.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// Bundles of the customer elsewhere, for the operator to remove.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bundles_elsewhere: Vec<String>,
}

/// Records of one kind and category.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryCountBody {
    /// What kind of record.
    pub what: String,
    /// Its data category.
    pub category: String,
    /// How many.
    pub records: u64,
}

/// Data kept despite a request.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeptBody {
    /// Its data category.
    pub category: String,
    /// The purpose it is kept for.
    pub purpose: String,
    /// Why.
    pub why: String,
    /// Until when (RFC 3339).
    #[schema(format = DateTime)]
    pub until: String,
}

impl RightsRequestBody {
    /// Request `id` of `subject`, as it stands.
    pub(crate) fn new(id: &str, subject: SubjectId, q: &RightsRequest) -> Result<Self, Problem> {
        Ok(Self {
            id: id.to_owned(),
            subject: subject.to_string(),
            kind: q.kind.as_str().to_owned(),
            regime: transcode(&q.regime)?,
            legal_source: q.kind.legal_source(q.regime).map(str::to_owned),
            state: transcode(&q.state)?,
            received_at: rfc3339(q.received_at)?,
            due_at: rfc3339(q.due_at)?,
            verification: q.verification.as_ref().map(transcode).transpose()?,
            extension: q.extension.as_ref().map(transcode).transpose()?,
            rejection: q.rejection.clone(),
            code_sent: q.challenge.is_some(),
            result: q.result.as_ref().map(transcode).transpose()?,
            already_done: None,
        })
    }
}

/// Shorthand: a request record's body.
macro_rules! request_body {
    ($r:expr) => {{
        let r = &$r;
        RightsRequestBody::new(&r.id, r.subject, &r.request)
    }};
}
pub(crate) use request_body;

pub(crate) fn kind(s: &str) -> Result<RightKind, Problem> {
    RightKind::parse(s).ok_or_else(|| {
        let known: Vec<&str> = RightKind::ALL.iter().map(|k| k.as_str()).collect();
        Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            "Invalid input",
            format!("unknown request type `{}`; one of: {}", super::shorten(s), known.join(", ")),
        )
    })
}

/// Open a request; its deadline follows from the regime.
#[utoipa::path(post, path = "/api/v1/rights-requests", tag = "rights", request_body = NewRequest,
    responses((status = 201, body = RightsRequestBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 410, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn open(State(state): State<AppState>, staff: Staff, Json(n): Json<NewRequest>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::RightsWrite)?;
    let regime = match n.regime.as_deref() {
        None => None,
        Some(r) => Some(Regime::parse(r).ok_or_else(|| Problem::invalid_input("`regime` is gdpr or ccpa"))?),
    };
    let r = state.candor().open_rights_request(&staff.actor.id, kind(&n.kind)?, subject_id(&n.subject)?, regime).await?;
    Ok((StatusCode::CREATED, axum::Json(request_body!(r)?)))
}

/// Requests, earliest deadline first, a page at a time.
#[utoipa::path(get, path = "/api/v1/rights-requests", tag = "rights", params(ListQuery),
    responses((status = 200, body = [RightsRequestBody], headers(("Link" = String, description = "`<…?after=CURSOR&limit=N>; rel=\"next\"` when there are more: where the next page starts"))),
        (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> ApiResult<Response> {
    staff.require(&state, Operation::RightsRead)?;
    let limit = super::page_limit(q.limit, 100, candor_service::page::MAX_LIMIT)?;
    let overdue = q.overdue.unwrap_or(false);
    let which = candor_service::page::RightsList { overdue, subject: None };
    let page = state.candor().rights_request_page(which, q.after.as_deref(), limit).await?;
    let body = page.items.iter().map(|r| request_body!(r)).collect::<Result<Vec<_>, _>>()?;
    let keep: Vec<(&str, String)> = if overdue { vec![("overdue", "true".into())] } else { Vec::new() };
    Ok(super::page::respond(body, "/api/v1/rights-requests", &keep, limit, page.next))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}", operation_id = "rights_request_show", tag = "rights",
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RightsRequestBody), (status = 404, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::RightsRead)?;
    Ok(axum::Json(request_body!(state.candor().rights_request(&id).await?)?))
}

/// Send the customer a one-time code through the outbox.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/code", tag = "rights",
    params(("id" = String, Path, description = "request id")),
    responses((status = 202, body = RightsRequestBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn send_code(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::RightsWrite)?;
    state.candor().send_rights_code(&staff.actor.id, &id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(request_body!(state.candor().rights_request(&id).await?)?)))
}

/// Verify the customer's identity: their code, or a staff reason.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/verify", operation_id = "rights_request_verify", tag = "rights", request_body = Verify,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RightsRequestBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn verify(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(v): Json<Verify>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::RightsWrite)?;
    let c = state.candor();
    let r = match (v.code, v.staff_reason) {
        (Some(code), None) => c.verify_rights_request_by_code(&staff.actor.id, &id, &code).await?,
        (None, Some(reason)) => c.verify_rights_request_by_staff(&staff.actor.id, &id, &reason).await?,
        _ => {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-input",
                "Invalid input",
                "give either `code` or `staff_reason`",
            ))
        }
    };
    Ok(axum::Json(request_body!(r)?))
}

/// Carry the request out; again after it completed, nothing is redone.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/execute", tag = "rights", request_body = Execute,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RightsRequestBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 410, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn execute(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(e): Json<Execute>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::RightsWrite)?;
    let c = state.candor();
    // Only a request's own id names the bundle's directory.
    let r = c.rights_request(&id).await?;
    let exports = &state.settings().server.exports_dir;
    let options =
        ExecuteOptions { out_dir: Some(exports.join(&r.id)), corrections: e.set.into_iter().collect(), bundles_dir: Some(exports.clone()) };
    if let Some(dir) = options.out_dir.as_ref().and_then(|d| d.parent()) {
        std::fs::create_dir_all(dir).map_err(|e| Problem::internal(&e))?;
    }
    let done = c.execute_rights_request(&staff.actor.id, &r.id, &options).await?;
    let mut body = request_body!(done.record)?;
    body.already_done = Some(done.already_done);
    Ok(axum::Json(body))
}

/// Refuse the request, with the reason the customer is shown.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/reject", tag = "rights", request_body = Reason,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RightsRequestBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(r): Json<Reason>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::RightsWrite)?;
    Ok(axum::Json(request_body!(state.candor().reject_rights_request(&staff.actor.id, &id, &r.reason).await?)?))
}

/// Extend the deadline once, with the reason the customer is told.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/extend", tag = "rights", request_body = Reason,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = RightsRequestBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn extend(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(r): Json<Reason>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::RightsWrite)?;
    Ok(axum::Json(request_body!(state.candor().extend_rights_request(&staff.actor.id, &id, &r.reason).await?)?))
}

/// A file of an access or portability request's bundle, once carried out:
/// `manifest.json`, or a file the manifest lists.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}/bundle/{file}", tag = "rights",
    params(("id" = String, Path, description = "request id"), ("file" = String, Path, description = "`manifest.json` or a file the manifest lists")),
    responses((status = 200, description = "the file, with the media type its manifest names"), (status = 404, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn bundle(State(state): State<AppState>, staff: Staff, Path((id, file)): Path<(String, String)>) -> ApiResult<Response> {
    staff.require(&state, Operation::RightsRead)?;
    let c = state.candor();
    let f = c.bundle_file(&staff.actor.id, &state.settings().server.exports_dir, &c.rights_request(&id).await?, &file).await?;
    Ok(bundle_response(f))
}

/// A bundle file as a download.
pub(crate) fn bundle_response(f: BundleFile) -> Response {
    // Names come from the manifest candor wrote: plain ASCII file names.
    let disposition = format!("attachment; filename=\"{}\"", f.name);
    ([(header::CONTENT_TYPE, f.media_type), (header::CONTENT_DISPOSITION, disposition)], f.bytes).into_response()
}
