//! Rights requests over the API: the same life cycle and execution as
//! `candor rights`. Access and portability bundles are written under
//! `server.exports_dir` and served from there file by file; an erasure
//! removes every bundle of the customer.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use candor_domain::{Regime, RightKind};
use candor_service::rights::execute::ExecuteOptions;
use candor_service::rights::export::BundleFile;
use candor_service::rights::RightsRequestView;
use serde::Deserialize;
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use super::{subject_id, Json, Path, Query};
use crate::auth::Staff;
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// A request to open.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// access, portability, erasure, rectification, restriction,
    /// objection, opt_out_sale_share, limit_sensitive_use.
    #[serde(rename = "type")]
    pub kind: String,
    /// The subject id.
    pub subject: String,
    /// gdpr or ccpa; by default the regime the right comes from.
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
}

/// A request as the API shows it.
pub(crate) fn doc(r: &RightsRequestView) -> serde_json::Value {
    let q = &r.request;
    json!({
        "id": r.id,
        "subject": r.subject,
        "type": q.kind,
        "regime": q.regime,
        "legal_source": q.kind.legal_source(q.regime),
        "state": q.state,
        "received_at": q.received_at,
        "due_at": q.due_at,
        "verification": q.verification,
        "extension": q.extension,
        "rejection": q.rejection,
        "code_sent": q.challenge.is_some(),
        "result": q.result,
    })
}

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
    responses((status = 201, body = Object), (status = 404, body = Problem), (status = 410, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn open(State(state): State<AppState>, staff: Staff, Json(n): Json<NewRequest>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "rights.write")?;
    let regime =
        match n.regime.as_deref() {
            None => None,
            Some(r) => Some(Regime::parse(r).ok_or_else(|| {
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input", "`regime` is gdpr or ccpa")
            })?),
        };
    let r = state.candor().open_rights_request(&staff.actor.id, kind(&n.kind)?, subject_id(&n.subject)?, regime).await?;
    Ok((StatusCode::CREATED, axum::Json(doc(&r))))
}

/// Requests, earliest deadline first.
#[utoipa::path(get, path = "/api/v1/rights-requests", tag = "rights", params(ListQuery),
    responses((status = 200, body = Object)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<ListQuery>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "rights.read")?;
    let all = state.candor().rights_requests(q.overdue.unwrap_or(false)).await?;
    Ok(axum::Json(json!(all.iter().map(doc).collect::<Vec<_>>())))
}

/// One request.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}", tag = "rights",
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = Object), (status = 404, body = Problem)), security(("bearer" = [])))]
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "rights.read")?;
    Ok(axum::Json(doc(&state.candor().rights_request(&id).await?)))
}

/// Send the customer a one-time code through the outbox.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/code", tag = "rights",
    params(("id" = String, Path, description = "request id")),
    responses((status = 202, body = Object), (status = 404, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn send_code(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "rights.write")?;
    state.candor().send_rights_code(&staff.actor.id, &id).await?;
    Ok((StatusCode::ACCEPTED, axum::Json(doc(&state.candor().rights_request(&id).await?))))
}

/// Verify the customer's identity: their code, or a staff reason.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/verify", tag = "rights", request_body = Verify,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn verify(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(v): Json<Verify>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "rights.write")?;
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
    Ok(axum::Json(doc(&r)))
}

/// Carry the request out; again after it completed, nothing is redone.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/execute", tag = "rights", request_body = Execute,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem), (status = 410, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
pub async fn execute(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(e): Json<Execute>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "rights.write")?;
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
    let mut d = doc(&done.record);
    d["already_done"] = json!(done.already_done);
    Ok(axum::Json(d))
}

/// Refuse the request, with the reason the customer is shown.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/reject", tag = "rights", request_body = Reason,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn reject(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(r): Json<Reason>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "rights.write")?;
    Ok(axum::Json(doc(&state.candor().reject_rights_request(&staff.actor.id, &id, &r.reason).await?)))
}

/// Extend the deadline once, with the reason the customer is told.
#[utoipa::path(post, path = "/api/v1/rights-requests/{id}/extend", tag = "rights", request_body = Reason,
    params(("id" = String, Path, description = "request id")),
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 409, body = Problem)), security(("bearer" = [])))]
pub async fn extend(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(r): Json<Reason>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "rights.write")?;
    Ok(axum::Json(doc(&state.candor().extend_rights_request(&staff.actor.id, &id, &r.reason).await?)))
}

/// A file of an access or portability request's bundle, once carried out:
/// `manifest.json`, or a file the manifest lists.
#[utoipa::path(get, path = "/api/v1/rights-requests/{id}/bundle/{file}", tag = "rights",
    params(("id" = String, Path, description = "request id"), ("file" = String, Path, description = "`manifest.json` or a file the manifest lists")),
    responses((status = 200, description = "the file, with the media type its manifest names"), (status = 404, body = Problem)),
    security(("bearer" = [])))]
pub async fn bundle(State(state): State<AppState>, staff: Staff, Path((id, file)): Path<(String, String)>) -> ApiResult<Response> {
    staff.require(&state, "rights.read")?;
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
