//! Sessions: staff start a browser session from their API token;
//! customers sign in to the privacy center with a one-time code and then
//! see and manage only their own data under `/me`.

use std::future::Future;

use axum::extract::State;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::{Cookie, SameSite};
use candor_domain::ConsentSource;
use candor_service::auth::{new_challenge_id, StartedSession, SESSION_LENGTH};
use candor_service::ServiceError;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;

use super::consent::{ConsentOverviewBody, RecordedBody};
use super::rights::{request_body, RightsRequestBody};
use super::subjects::{FieldBody, SubjectSummaryBody};
use super::{transcode, Json, Path, Query};
use crate::auth::{session_cookie_name, Customer};
use crate::credentials::{Caller, Checked, RequestAuth};
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// A staff member's token, to start a browser session.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenLogin {
    /// The API token.
    pub token: String,
}

/// A customer's e-mail address, to send a sign-in code to.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The address on record.
    pub email: String,
}

/// The code the customer received.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignInCode {
    /// The challenge id `sign-in` answered.
    pub challenge: String,
    /// The code.
    pub code: String,
}

/// A consent choice of the customer's own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyChoice {
    /// grant, withdraw, object, restrict, lift_restriction,
    /// opt_out_sale_share, opt_in_sale_share, limit_sensitive_use.
    #[schema(value_type = candor_domain::ConsentAction)]
    pub action: String,
    /// The purpose, for grant, withdraw and object.
    pub purpose: Option<String>,
}

/// A request of the customer's own.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MyRequest {
    /// access, portability, erasure, rectification, restriction,
    /// objection, opt_out_sale_share, limit_sensitive_use.
    #[schema(value_type = candor_domain::RightKind)]
    #[serde(rename = "type")]
    pub kind: String,
}

/// A session started: its cookie is set, and unsafe requests echo its
/// CSRF token in `X-CSRF-Token`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionStarted {
    /// The CSRF token.
    pub csrf_token: String,
    /// When the session ends (RFC 3339).
    #[schema(format = DateTime)]
    pub expires_at: String,
}

/// A sign-in code was asked for.
#[derive(Debug, Serialize, ToSchema)]
pub struct SignInStarted {
    /// The challenge id to send back with the code.
    pub challenge: String,
    /// Always true: the answer does not tell whether the address is on
    /// record (a code is sent only if it is).
    pub sent_if_on_record: bool,
}

/// What is held about the signed-in customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeBody {
    /// The pseudonymous facts.
    pub subject: SubjectSummaryBody,
    /// Their personal fields, decrypted.
    pub fields: Vec<FieldBody>,
}

/// The session cookie: HttpOnly, SameSite=Strict, `Path=/`; when the
/// server is reached over https, Secure and named with the `__Host-`
/// prefix.
pub(crate) fn session_cookie(state: &AppState, value: &str, max_age: i64) -> Option<HeaderValue> {
    let secure = state.https();
    let c = Cookie::build((session_cookie_name(secure), value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(time::Duration::seconds(max_age))
        .secure(secure)
        .build();
    HeaderValue::from_str(&c.to_string()).ok()
}

/// 201 with the session's cookie (living as long as the session) and its
/// CSRF token and end (RFC 3339) in the body.
fn started(state: &AppState, s: &StartedSession) -> Response {
    let ends = s.session.expires_at.format(&Rfc3339).unwrap_or_default();
    let body = SessionStarted { csrf_token: s.session.csrf.clone(), expires_at: ends };
    let mut r = (StatusCode::CREATED, axum::Json(body)).into_response();
    set_session_cookie(state, s, &mut r);
    r
}

/// The started session's cookie on `r`, living as long as the session.
pub(crate) fn set_session_cookie(state: &AppState, s: &StartedSession, r: &mut Response) {
    let max_age = (s.session.expires_at - state.candor().now()).whole_seconds().clamp(0, SESSION_LENGTH.whole_seconds());
    if let Some(c) = session_cookie(state, &s.cookie, max_age) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
}

/// A failed check of a token or code spends the address's failure
/// budget; once it is spent, nothing is checked until it has cooled down.
pub(crate) async fn guarded<T>(state: &AppState, auth: &RequestAuth, check: impl Future<Output = Result<T, ServiceError>>) -> ApiResult<T> {
    let limits = &state.0.limiters;
    limits.check_failures(auth.ip)?;
    match check.await {
        Err(e @ ServiceError::Unauthenticated(_)) => {
            limits.failed(auth.ip);
            Err(e.into())
        }
        other => Ok(other?),
    }
}

/// Start a staff browser session from an API token: sets the session
/// cookie and answers the CSRF token unsafe requests must echo. The
/// session ends when the token does, or is revoked.
#[utoipa::path(post, path = "/api/v1/session", tag = "sessions", request_body = TokenLogin,
    responses((status = 201, body = SessionStarted), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn staff_session(State(state): State<AppState>, auth: RequestAuth, Json(t): Json<TokenLogin>) -> ApiResult<Response> {
    let s = guarded(&state, &auth, state.candor().start_staff_session(&t.token)).await?;
    Ok(started(&state, &s))
}

/// `Clear-Site-Data`, which `http` does not name.
const CLEAR_SITE_DATA: header::HeaderName = header::HeaderName::from_static("clear-site-data");

/// What signing out clears in the browser: its cookies and storage for
/// the origin (not its cache: answers are `no-store` already).
pub const CLEAR_ON_SIGN_OUT: &str = "\"cookies\", \"storage\"";

/// End the browser session (staff or customer). Like every unsafe request
/// of a session, it needs the session's CSRF token: another site must not
/// be able to sign someone out.
#[utoipa::path(delete, path = "/api/v1/session", tag = "sessions", responses((status = 204, headers(("Clear-Site-Data" = String, description = "`\"cookies\", \"storage\"`: the browser drops the site's cookies and storage"))), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json")))]
pub async fn sign_out(State(state): State<AppState>, auth: RequestAuth, parts: Parts) -> ApiResult<Response> {
    let cookie = crate::auth::session_cookie(&parts.headers, state.https());
    match (&auth.caller, cookie.as_deref()) {
        (Caller::Valid(Checked::Session(session), key), Some(cookie)) => {
            crate::auth::check_csrf(&parts, &session.csrf)?;
            state.candor().end_session(cookie).await?;
            state.0.credentials.forget(key);
        }
        // The request speaks for a token, not for the session its cookie
        // names: clearing the cookie would say signed out while the
        // session went on.
        (Caller::Valid(Checked::Token(..), _), Some(_)) => {
            return Err(Problem::bad_request("sign out with the session cookie alone, without an `Authorization` header"))
        }
        _ => {}
    }
    let mut r = StatusCode::NO_CONTENT.into_response();
    clear_session(&state, &mut r);
    Ok(r)
}

/// Have the browser forget the session: its cookie, and what it kept for
/// this origin (browsers act on `Clear-Site-Data` only over https).
pub(crate) fn clear_session(state: &AppState, r: &mut Response) {
    if let Some(c) = session_cookie(state, "", 0) {
        r.headers_mut().insert(header::SET_COOKIE, c);
    }
    r.headers_mut().insert(CLEAR_SITE_DATA, HeaderValue::from_static(CLEAR_ON_SIGN_OUT));
}

/// Ask for a sign-in code. The answer is the same, and comes as fast,
/// whether or not the address is on record (the work is done after it),
/// so nobody learns who is a customer.
#[utoipa::path(post, path = "/api/v1/privacy/sign-in", tag = "privacy center", request_body = SignIn,
    responses((status = 202, body = SignInStarted), (status = 429, body = Problem, content_type = "application/problem+json"), (status = 503, body = Problem, content_type = "application/problem+json")))]
pub async fn sign_in(State(state): State<AppState>, Json(s): Json<SignIn>) -> ApiResult<impl IntoResponse> {
    let challenge = new_challenge_id();
    state.0.sign_ins.submit(challenge.clone(), s.email)?;
    Ok((StatusCode::ACCEPTED, axum::Json(SignInStarted { challenge, sent_if_on_record: true })))
}

/// Enter the code: sets the session cookie and answers the CSRF token.
#[utoipa::path(post, path = "/api/v1/privacy/verify", operation_id = "privacy_verify", tag = "privacy center", request_body = SignInCode,
    responses((status = 201, body = SessionStarted), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 429, body = Problem, content_type = "application/problem+json")))]
pub async fn verify(
    State(state): State<AppState>,
    auth: RequestAuth,
    headers: HeaderMap,
    Json(c): Json<SignInCode>,
) -> ApiResult<Response> {
    let (subject, s) = guarded(&state, &auth, state.candor().finish_sign_in(&c.challenge, &c.code)).await?;
    if crate::gpc::signalled(&headers) {
        state.candor().record_gpc_signal("subject", subject).await?;
    }
    Ok(started(&state, &s))
}

/// What is held about the signed-in customer.
#[utoipa::path(get, path = "/api/v1/me", tag = "privacy center", responses((status = 200, body = MeBody), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(State(state): State<AppState>, me: Customer) -> ApiResult<impl IntoResponse> {
    let c = state.candor();
    let summary = c.subject_summary(me.subject).await?;
    let fields = c.own_fields(me.subject).await?;
    Ok(axum::Json(MeBody { subject: transcode(&summary)?, fields: transcode(&fields)? }))
}

/// The signed-in customer's consent, purpose by purpose.
#[utoipa::path(get, path = "/api/v1/me/consent", tag = "privacy center", responses((status = 200, body = ConsentOverviewBody), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_consent(State(state): State<AppState>, me: Customer) -> ApiResult<impl IntoResponse> {
    Ok(axum::Json(transcode::<_, ConsentOverviewBody>(&state.candor().consent_overview(me.subject).await?)?))
}

/// Record a choice of the signed-in customer's (source `privacy_center`).
#[utoipa::path(post, path = "/api/v1/me/consent", tag = "privacy center", request_body = MyChoice,
    responses((status = 201, body = RecordedBody), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn record_my_consent(State(state): State<AppState>, me: Customer, Json(c): Json<MyChoice>) -> ApiResult<impl IntoResponse> {
    let action = super::consent::action(&c.action)?;
    let r = state.candor().record_consent("subject", me.subject, c.purpose.as_deref(), action, ConsentSource::PrivacyCenter).await?;
    Ok((StatusCode::CREATED, axum::Json(transcode::<_, RecordedBody>(&r)?)))
}

/// The signed-in customer's rights requests, earliest deadline first, a
/// page at a time.
#[utoipa::path(get, path = "/api/v1/me/rights-requests", tag = "privacy center", params(super::page::PageQuery),
    responses((status = 200, body = [RightsRequestBody], headers(("Link" = String, description = "`<…?after=CURSOR&limit=N>; rel=\"next\"` when there are more: where the next page starts"))),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn my_requests(State(state): State<AppState>, me: Customer, Query(q): Query<super::page::PageQuery>) -> ApiResult<Response> {
    let limit = q.limit()?;
    let which = candor_service::page::RightsList { overdue: false, subject: Some(me.subject) };
    let page = state.candor().rights_request_page(which, q.after.as_deref(), limit).await?;
    let mine = page.items.iter().map(|r| request_body!(r)).collect::<Result<Vec<_>, _>>()?;
    Ok(super::page::respond(mine, "/api/v1/me/rights-requests", &[], limit, page.next))
}

/// Open a request as the signed-in customer: their identity is verified
/// by the sign-in itself.
#[utoipa::path(post, path = "/api/v1/me/rights-requests", tag = "privacy center", request_body = MyRequest,
    responses((status = 201, body = RightsRequestBody), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 409, description = "a request of this kind of the customer's is still being handled", body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn open_my_request(State(state): State<AppState>, me: Customer, Json(r): Json<MyRequest>) -> ApiResult<impl IntoResponse> {
    let kind = super::rights::kind(&r.kind)?;
    let opened = state.candor().open_own_request(me.subject, kind).await?;
    Ok((StatusCode::CREATED, axum::Json(request_body!(opened)?)))
}

/// A file of one of the signed-in customer's own bundles (an access or
/// portability request that staff carried out): `manifest.json`, or a file
/// the manifest lists.
#[utoipa::path(get, path = "/api/v1/me/rights-requests/{id}/bundle/{file}", tag = "privacy center",
    params(("id" = String, Path, description = "request id"), ("file" = String, Path, description = "`manifest.json` or a file the manifest lists")),
    responses((status = 200, description = "the file, with the media type its manifest names"), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn my_bundle(State(state): State<AppState>, me: Customer, Path((id, file)): Path<(String, String)>) -> ApiResult<Response> {
    let c = state.candor();
    let r = c.rights_request(&id).await?;
    if r.subject != me.subject {
        // The same answer as for a request that does not exist.
        return Err(candor_service::ServiceError::UnknownRequest(id).into());
    }
    let f = c.bundle_file("subject", &state.settings().server.exports_dir, &r, &file).await?;
    Ok(super::rights::bundle_response(f))
}
