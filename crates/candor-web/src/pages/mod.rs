//! The web pages people use, server-rendered from compiled templates
//! (askama, `templates/`) in the visitor's language (Fluent catalogues,
//! `locales/`): no script, no inline style, one stylesheet from the
//! server itself, forms that work without JavaScript. Under `/privacy`,
//! the customer's privacy center.
//!
//! Forms post `application/x-www-form-urlencoded`, so a signed-in form
//! carries the session's CSRF token in a hidden `csrf` field (a form
//! cannot set the API's `X-CSRF-Token` header); the session cookie is
//! `SameSite=Strict` besides.

mod changes;
mod choices;
mod concerns;
mod console;
pub mod i18n;
mod privacy;
mod requests;

use askama::Template;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use candor_domain::SubjectId;
use candor_service::auth::{ActiveSession, SessionHolder};
use candor_service::policy_changes::Renewal;
use subtle::ConstantTimeEq;

use crate::credentials::{Caller, Checked, RequestAuth};
use crate::problem::Problem;
use crate::AppState;
use i18n::{Catalogues, Words, LANG_COOKIE};

/// The pages' routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/privacy", get(privacy::home))
        .route("/privacy/sign-in", get(privacy::sign_in_page).post(privacy::sign_in))
        .route("/privacy/code", get(privacy::code_link).post(privacy::code))
        .route("/privacy/sign-out", post(privacy::sign_out))
        .route("/privacy/choices", post(choices::choose))
        .route("/privacy/receipts/{ledger}", get(choices::receipt))
        .route("/privacy/requests", get(requests::page).post(requests::open))
        .route("/privacy/requests/correct", post(requests::correct))
        .route("/privacy/requests/{id}/download", get(requests::download))
        .route("/privacy/delete", get(requests::delete_page).post(requests::delete))
        .route("/privacy/concerns", get(concerns::page).post(concerns::raise))
        .route("/privacy/changes", get(changes::page))
        .route("/privacy/static/privacy.css", get(stylesheet))
        .route("/.well-known/gpc.json", get(gpc_support))
        .merge(console::routes())
}

/// When candor's support for Global Privacy Control last changed.
const GPC_LAST_UPDATE: &str = "2026-12-06";

/// `/.well-known/gpc.json`: the site honours the Global Privacy Control
/// signal (GPC specification, "Well-known resource").
async fn gpc_support() -> Response {
    let mut r = format!("{{\"gpc\": true, \"lastUpdate\": \"{GPC_LAST_UPDATE}\"}}\n").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

/// The stylesheet, compiled in.
async fn stylesheet() -> Response {
    let mut r = include_str!("../../static/privacy.css").into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r
}

/// What every page knows of its request: the language, and whether the
/// visitor just chose it (the answer then remembers it in a cookie).
pub(crate) struct Visit {
    pub w: Words,
    chosen: Option<&'static str>,
    path: String,
    pub auth: RequestAuth,
}

impl FromRequestParts<AppState> for Visit {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let auth = RequestAuth::from_request_parts(parts, state).await?;
        let query = parts.uri.query().unwrap_or("");
        let asked = query.split('&').find_map(|kv| kv.strip_prefix("lang="));
        let jar = CookieJar::from_headers(&parts.headers);
        let accept = parts.headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok());
        let lang = i18n::negotiate(asked, jar.get(LANG_COOKIE).map(|c| c.value()), accept);
        let catalogues = Catalogues::embedded().map_err(|e| Problem::internal(&e))?;
        let chosen = asked.filter(|a| a.eq_ignore_ascii_case(lang)).map(|_| lang);
        Ok(Self { w: catalogues.words(lang), chosen, path: parts.uri.path().to_owned(), auth })
    }
}

/// Who is visiting: a signed-in customer, with their session's CSRF token,
/// or someone who must sign in first.
pub(crate) enum Visitor {
    Customer { subject: SubjectId, csrf: String },
    Stranger,
}

impl Visit {
    pub(crate) fn visitor(&self) -> Result<Visitor, Problem> {
        match &self.auth.caller {
            Caller::Valid(Checked::Session(ActiveSession { holder: SessionHolder::Customer(subject), csrf, .. }), _) => {
                Ok(Visitor::Customer { subject: *subject, csrf: csrf.clone() })
            }
            Caller::Held(p) => Err(p.clone()),
            _ => Ok(Visitor::Stranger),
        }
    }

    /// The signed-in customer and their session's CSRF token, for a form
    /// or a download: anyone else is told to sign in first (401).
    pub(crate) fn customer(&self) -> Result<(SubjectId, String), Problem> {
        match self.visitor()? {
            Visitor::Customer { subject, csrf } => Ok((subject, csrf)),
            Visitor::Stranger => Err(Problem::unauthenticated("sign in to the privacy center first")),
        }
    }

    /// The signed-in customer and their CSRF token, for a page: a
    /// stranger is sent to sign in, a refused session gets its error page.
    pub(crate) async fn signed_in(&self, state: &AppState) -> Result<(SubjectId, String), Response> {
        match self.visitor() {
            Ok(Visitor::Customer { subject, csrf }) => Ok((subject, csrf)),
            Ok(Visitor::Stranger) => Err(see_other("/privacy/sign-in")),
            Err(p) => Err(self.problem(state, &p).await),
        }
    }

    /// The frame around a page: header, navigation, language switcher,
    /// sign-out, and for a signed-in customer whose consent a material
    /// policy change made outdated, the banner asking to renew it (one
    /// read of their consent ledger).
    pub(crate) async fn frame(&self, state: &AppState, csrf: Option<String>) -> Frame {
        let renewals = match self.visitor() {
            Ok(Visitor::Customer { subject, .. }) => match state.candor().consent_to_renew(subject).await {
                Ok(r) => r,
                Err(e) => {
                    // The page still shows; the gate refuses outdated
                    // consent whatever the banner says.
                    tracing::warn!(error = %e, "could not read the consent to renew");
                    Vec::new()
                }
            },
            _ => Vec::new(),
        };
        self.frame_with(state, csrf, renewals).await
    }

    /// The frame, for a page that has read the customer's consent
    /// already and knows what must be renewed.
    pub(crate) async fn frame_with(&self, state: &AppState, csrf: Option<String>, renewals: Vec<Renewal>) -> Frame {
        let (controller, contact) = match state.candor().policy_context().await {
            Ok(ctx) => (ctx.policy.controller.name.clone(), Some(ctx.policy.controller.contact.clone()).filter(|c| c.contains('@'))),
            Err(_) => (String::new(), None),
        };
        let renew_csrf = match self.visitor() {
            Ok(Visitor::Customer { csrf, .. }) if !renewals.is_empty() => csrf,
            _ => String::new(),
        };
        let renew: Vec<Renew> = renewals.into_iter().map(|r| Renew { id: r.purpose.to_string(), name: r.name }).collect();
        let renew_names = renew.iter().map(|r: &Renew| format!("“{}”", r.name)).collect::<Vec<_>>().join(", ");
        Frame { w: self.w, controller, contact, csrf, path: self.path.clone(), renew, renew_names, renew_csrf }
    }

    /// `template` as the answer, with `status`.
    pub(crate) fn render(&self, status: StatusCode, template: &impl Template) -> Response {
        let html = match template.render() {
            Ok(h) => h,
            Err(e) => return Problem::internal(&e).into_response(),
        };
        let mut r = (status, html).into_response();
        r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
        if let Some(lang) = self.chosen {
            let c = Cookie::build((LANG_COOKIE, lang)).path("/").same_site(SameSite::Lax).max_age(time::Duration::days(365)).build();
            if let Ok(v) = HeaderValue::from_str(&c.to_string()) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
        }
        r
    }

    /// A problem as a page in the visitor's words.
    pub(crate) async fn problem(&self, state: &AppState, p: &Problem) -> Response {
        let id = match p.status {
            401 => "error-unauthenticated",
            403 => "error-forbidden",
            404 => "error-not-found",
            410 => "error-erased",
            429 => "error-too-many",
            422 | 400 => "error-invalid",
            503 => "error-busy",
            _ => "error-internal",
        };
        let message = if id == "error-invalid" { self.w.t1(id, "detail", &p.detail) } else { self.w.t(id) };
        let page = ErrorPage { frame: self.frame(state, None).await, title: self.w.t("error-title"), message };
        let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut r = self.render(status, &page);
        if let Some(s) = p.retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
            r.headers_mut().insert(header::RETRY_AFTER, s);
        }
        r
    }
}

/// The session's CSRF token must come back in the form: compared in
/// constant time.
pub(crate) fn check_form_csrf(given: &str, expected: &str) -> Result<(), Problem> {
    if given.is_empty() || !bool::from(given.as_bytes().ct_eq(expected.as_bytes())) {
        return Err(Problem::forbidden("the form's CSRF token does not match the session's"));
    }
    Ok(())
}

/// End the visitor's session at once, here and in the store, once the
/// form's CSRF token `given` matches the session's `csrf` (signing out).
pub(crate) async fn end_session(
    state: &AppState,
    visit: &Visit,
    headers: &axum::http::HeaderMap,
    given: &str,
    csrf: &str,
) -> Result<(), Problem> {
    check_form_csrf(given, csrf)?;
    if let Some(cookie) = crate::auth::session_cookie(headers, state.https()) {
        state.candor().end_session(&cookie).await?;
    }
    if let Caller::Valid(_, key) = &visit.auth.caller {
        state.0.credentials.forget(key);
    }
    Ok(())
}

/// See Other: where a form sends the browser next.
pub(crate) fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    r
}

/// What the layout shows around every page.
pub(crate) struct Frame {
    pub w: Words,
    pub controller: String,
    pub contact: Option<String>,
    /// The session's CSRF token, when signed in (the sign-out form).
    pub csrf: Option<String>,
    /// This page's path, for the language links.
    pub path: String,
    /// The purposes whose consent the customer must renew (the banner).
    pub renew: Vec<Renew>,
    /// Their names, as a list in words.
    pub renew_names: String,
    /// The session's CSRF token, for the banner's forms.
    pub renew_csrf: String,
}

/// A purpose whose consent a material change made outdated.
pub(crate) struct Renew {
    pub id: String,
    pub name: String,
}

#[derive(Template)]
#[template(path = "privacy/error.html")]
struct ErrorPage {
    frame: Frame,
    title: String,
    message: String,
}
