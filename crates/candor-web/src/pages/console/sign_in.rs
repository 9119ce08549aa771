//! Signing in to the console: a one-time code mailed to the staff
//! member's actor id (an e-mail address), or an API token pasted once;
//! both start a session cookie as the privacy center's does (passkeys,
//! the third way, are in `passkeys.rs`). A refused
//! attempt spends the address's failure budget and is audited.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use candor_service::auth::new_challenge_id;
use candor_service::staff_sign_in::SignInMethod;
use serde::Deserialize;

use super::passkeys::PasskeyPlace;
use super::{error_page, ConsoleFrame};
use crate::api::privacy::{clear_session, guarded, set_session_cookie};
use crate::credentials::{Caller, Checked};
use crate::middleware::allow_passkeys;
use crate::pages::{end_session, see_other, Visit};
use crate::problem::Problem;
use crate::AppState;

#[derive(Template)]
#[template(path = "console/sign_in.html")]
struct SignInPage {
    frame: ConsoleFrame,
    actor: String,
    error: Option<String>,
    /// Where signing in with a passkey works, when it is offered.
    place: Option<PasskeyPlace>,
}

#[derive(Template)]
#[template(path = "console/code.html")]
struct CodePage {
    frame: ConsoleFrame,
    challenge: String,
    actor: String,
    printed: bool,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ActorForm {
    #[serde(default)]
    actor: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    token: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CodeForm {
    #[serde(default)]
    challenge: String,
    #[serde(default)]
    actor: String,
    #[serde(default)]
    code: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CsrfForm {
    #[serde(default)]
    csrf: String,
}

fn signed_in(visit: &Visit) -> bool {
    matches!(&visit.auth.caller, Caller::Valid(Checked::Session(s), _) if matches!(s.holder, candor_service::auth::SessionHolder::Staff(_)))
}

/// The sign-in page, offering passkeys where `server.public_url` allows
/// them.
pub(super) fn sign_in_page(state: &AppState, visit: &Visit, actor: String, error: Option<String>, status: StatusCode) -> Response {
    let place = PasskeyPlace::of(state);
    let passkeys = place.is_some();
    let mut r = visit.render(status, &SignInPage { frame: ConsoleFrame::stranger(visit), actor, error, place });
    if passkeys {
        allow_passkeys(&mut r);
    }
    r
}

/// Whether a sign-in form was posted from one of candor's own pages.
/// Browsers say where a post comes from in `Sec-Fetch-Site`; older ones
/// only in `Origin`, which is `null` for candor's own pages (they send no
/// referrer) and otherwise names the host asked. Another site could
/// otherwise sign its visitor in as someone else, with a token, code or
/// passkey answer of its own (login CSRF), and read what they then do.
pub(super) fn from_our_page(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match text("sec-fetch-site") {
        Some(site) => site == "same-origin",
        None => match text("origin") {
            None | Some("null") => true,
            Some(origin) => origin.split_once("://").map(|(_, authority)| authority) == text("host"),
        },
    }
}

/// The refusal of a sign-in posted from another site.
pub(super) fn not_our_page() -> Problem {
    Problem::forbidden("signing in must start from this installation's own sign-in page")
}

/// `GET /console/sign-in`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit) -> Response {
    if signed_in(&visit) {
        return see_other("/console");
    }
    sign_in_page(&state, &visit, String::new(), None, StatusCode::OK)
}

/// `POST /console/sign-in/code`: ask for a code. The same answer, as
/// fast, whether or not the id is a staff member's.
pub(crate) async fn ask_code(State(state): State<AppState>, visit: Visit, Form(f): Form<ActorForm>) -> Response {
    let actor = f.actor.trim().to_ascii_lowercase();
    if actor.is_empty() || actor.len() > 64 {
        return sign_in_page(&state, &visit, actor, Some(visit.w.t("console-sign-in-actor-needed")), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let challenge = new_challenge_id();
    if let Err(p) = state.0.sign_ins.submit_staff(challenge.clone(), actor.clone()) {
        return error_page(&state, &visit, None, &p);
    }
    render_code(&state, &visit, challenge, actor, None, StatusCode::OK)
}

fn render_code(state: &AppState, visit: &Visit, challenge: String, actor: String, error: Option<String>, status: StatusCode) -> Response {
    let page = CodePage { frame: ConsoleFrame::stranger(visit), challenge, actor, printed: !state.mails_codes(), error };
    visit.render(status, &page)
}

/// `GET /console/code?challenge=…&actor=…`: the code page for a code
/// issued ahead (`candor demo` prints such links).
pub(crate) async fn code_page(State(state): State<AppState>, visit: Visit, Query(f): Query<CodeForm>) -> Response {
    render_code(&state, &visit, f.challenge, f.actor, None, StatusCode::OK)
}

/// `POST /console/code`: a right code starts the session.
pub(crate) async fn code(State(state): State<AppState>, visit: Visit, headers: HeaderMap, Form(f): Form<CodeForm>) -> Response {
    if !from_our_page(&headers) {
        return error_page(&state, &visit, None, &not_our_page());
    }
    let code: String = f.code.chars().filter(|c| !c.is_whitespace()).collect();
    match guarded(&state, &visit.auth, state.candor().finish_staff_sign_in(&f.challenge, &f.actor, &code)).await {
        Ok((_, started)) => {
            let mut r = see_other("/console");
            set_session_cookie(&state, &started, &mut r);
            r
        }
        Err(p) if p.status == StatusCode::UNAUTHORIZED.as_u16() => {
            render_code(&state, &visit, f.challenge, f.actor, Some(visit.w.t("code-wrong")), StatusCode::UNAUTHORIZED)
        }
        Err(p) => error_page(&state, &visit, None, &p),
    }
}

/// `POST /console/sign-in/token`: an API token pasted once starts a
/// session that ends with the token.
pub(crate) async fn token(State(state): State<AppState>, visit: Visit, headers: HeaderMap, Form(f): Form<TokenForm>) -> Response {
    if !from_our_page(&headers) {
        return error_page(&state, &visit, None, &not_our_page());
    }
    let candor = state.candor();
    match guarded(&state, &visit.auth, candor.start_staff_session(f.token.trim())).await {
        Ok(started) => {
            let mut r = see_other("/console");
            set_session_cookie(&state, &started, &mut r);
            r
        }
        Err(p) if p.status == StatusCode::UNAUTHORIZED.as_u16() => {
            if let Err(e) = candor.sign_in_refused(SignInMethod::Token, "unknown", &p.detail).await {
                return error_page(&state, &visit, None, &e.into());
            }
            sign_in_page(&state, &visit, String::new(), Some(visit.w.t("console-token-wrong")), StatusCode::UNAUTHORIZED)
        }
        Err(p) => error_page(&state, &visit, None, &p),
    }
}

/// `POST /console/sign-out`: ends the session here and at once.
pub(crate) async fn sign_out(State(state): State<AppState>, visit: Visit, headers: HeaderMap, Form(f): Form<CsrfForm>) -> Response {
    if let Caller::Valid(Checked::Session(s), _) = &visit.auth.caller {
        if let Err(p) = end_session(&state, &visit, &headers, &f.csrf, &s.csrf).await {
            return error_page(&state, &visit, None, &p);
        }
    }
    let mut r = see_other("/console/sign-in");
    clear_session(&state, &mut r);
    r
}
