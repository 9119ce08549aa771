//! Passkeys at the console: a signed-in staff member registers and
//! removes their own, and anyone may sign in with one. These two pages
//! are the only ones that run a script, candor's own `passkey.js`: it
//! fetches the ceremony's options, hands them to the browser's WebAuthn
//! API and posts the answer back in an ordinary form. Without
//! JavaScript, or where `server.public_url` allows no passkeys, the
//! passkey forms stay hidden and the other ways of signing in work as
//! before.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::sign_in::{from_our_page, not_our_page, sign_in_page};
use super::{desk, error_page, when, ConsoleFrame, Desk};
use crate::api::privacy::{guarded, set_session_cookie};
use crate::middleware::allow_passkeys;
use crate::pages::{see_other, Visit};
use crate::problem::Problem;
use crate::AppState;

/// The script of the passkey forms.
const SCRIPT: &str = include_str!("../../../static/passkey.js");

/// Where passkeys work, for the pages' forms: the relying party id the
/// script checks the page's host against, and the origin to go to when
/// the page was opened under another name (an IP address).
pub(super) struct PasskeyPlace {
    pub rp_id: String,
    pub origin: String,
}

impl PasskeyPlace {
    /// Where `server.public_url` allows passkeys, if it does.
    pub(super) fn of(state: &AppState) -> Option<Self> {
        state.candor().relying_party().map(|rp| Self { rp_id: rp.id().to_owned(), origin: rp.origin_url() })
    }
}

struct PasskeyRow {
    id: String,
    label: String,
    created: String,
    last_used: String,
}

#[derive(Template)]
#[template(path = "console/passkeys.html")]
struct PasskeysPage {
    frame: ConsoleFrame,
    rows: Vec<PasskeyRow>,
    place: Option<PasskeyPlace>,
    added: bool,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct Added {
    #[serde(default)]
    added: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RegisterForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    label: String,
    #[serde(default)]
    response: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct RemoveForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    id: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct AnswerForm {
    #[serde(default)]
    response: String,
}

/// `GET /console/static/passkey.js`.
pub(crate) async fn script() -> Response {
    let mut r = SCRIPT.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/javascript; charset=utf-8"));
    r
}

/// Options as JSON, or the problem.
fn options(r: Result<String, Problem>) -> Response {
    match r {
        Ok(json) => {
            let mut r = json.into_response();
            r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
            r
        }
        Err(p) => p.into_response(),
    }
}

/// `POST /console/sign-in/passkey/options`: a sign-in ceremony's options.
/// Each waits in memory, so one address may start only a few a minute.
pub(crate) async fn sign_in_options(State(state): State<AppState>, visit: Visit) -> Response {
    if let Err(p) = state.0.limiters.check_ceremony(visit.auth.ip) {
        return p.into_response();
    }
    options(state.candor().start_passkey_sign_in().map_err(Problem::from))
}

/// `POST /console/sign-in/passkey`: the browser's answer; a good one
/// starts the session. A refusal spends the address's failure budget.
pub(crate) async fn sign_in(State(state): State<AppState>, visit: Visit, headers: HeaderMap, Form(f): Form<AnswerForm>) -> Response {
    if PasskeyPlace::of(&state).is_none() || !from_our_page(&headers) {
        return error_page(&state, &visit, None, &not_our_page());
    }
    match guarded(&state, &visit.auth, state.candor().finish_passkey_sign_in(&f.response)).await {
        Ok((_, started)) => {
            let mut r = see_other("/console");
            set_session_cookie(&state, &started, &mut r);
            r
        }
        Err(p) if p.status == StatusCode::UNAUTHORIZED.as_u16() || p.status == StatusCode::UNPROCESSABLE_ENTITY.as_u16() => {
            sign_in_page(&state, &visit, String::new(), Some(visit.w.t("console-passkey-refused")), StatusCode::UNAUTHORIZED)
        }
        Err(p) => error_page(&state, &visit, None, &p),
    }
}

async fn render(state: &AppState, visit: &Visit, d: &Desk, added: bool, error: Option<String>, status: StatusCode) -> Response {
    let candor = state.candor();
    let rows = match candor.passkeys(&d.actor.id).await {
        Ok(list) => list
            .into_iter()
            .map(|p| PasskeyRow {
                id: p.id,
                label: p.label,
                created: when(p.created_at),
                last_used: p.last_used_at.map_or_else(|| visit.w.t("passkey-never-used"), when),
            })
            .collect(),
        Err(e) => return error_page(state, visit, Some(d), &e.into()),
    };
    let page = PasskeysPage { frame: d.frame(state, visit), rows, place: PasskeyPlace::of(state), added, error };
    let mut r = visit.render(status, &page);
    allow_passkeys(&mut r);
    r
}

/// `GET /console/passkeys`: the member's passkeys, and registering one.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit, Query(q): Query<Added>) -> Response {
    let d = desk!(&state, &visit, None);
    render(&state, &visit, &d, q.added.is_some(), None, StatusCode::OK).await
}

/// `POST /console/passkeys/options`: a registration ceremony's options.
pub(crate) async fn register_options(State(state): State<AppState>, visit: Visit, Form(f): Form<CsrfForm>) -> Response {
    let d = match desk(&state, &visit, None).await {
        Ok(d) => d,
        Err(_) => return Problem::unauthenticated("sign in to the console first").into_response(),
    };
    if let Err(p) = d.check(&f.csrf) {
        return p.into_response();
    }
    options(state.candor().start_passkey_registration(&d.actor).await.map_err(Problem::from))
}

/// `POST /console/passkeys`: the browser's answer to a registration.
pub(crate) async fn register(State(state): State<AppState>, visit: Visit, Form(f): Form<RegisterForm>) -> Response {
    let d = desk!(&state, &visit, None);
    if let Err(p) = d.check(&f.csrf) {
        return error_page(&state, &visit, Some(&d), &p);
    }
    match state.candor().finish_passkey_registration(&d.actor, &f.response, &f.label).await {
        Ok(_) => see_other("/console/passkeys?added=1"),
        Err(e) => {
            let p = Problem::from(e);
            render(&state, &visit, &d, false, Some(p.detail), StatusCode::UNPROCESSABLE_ENTITY).await
        }
    }
}

/// `POST /console/passkeys/remove`.
pub(crate) async fn remove(State(state): State<AppState>, visit: Visit, Form(f): Form<RemoveForm>) -> Response {
    let d = desk!(&state, &visit, None);
    if let Err(p) = d.check(&f.csrf) {
        return error_page(&state, &visit, Some(&d), &p);
    }
    match state.candor().remove_passkey(&d.actor.id, &d.actor.id, &f.id).await {
        Ok(()) => see_other("/console/passkeys"),
        Err(e) => error_page(&state, &visit, Some(&d), &e.into()),
    }
}
