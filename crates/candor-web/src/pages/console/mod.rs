//! The staff console under `/console`, built as the privacy center is
//! (compiled templates, the Fluent catalogues, no script but the passkey
//! pages' own file, forms that
//! carry the session's CSRF token) and role-aware: each page belongs to
//! an operation of the operations map, its link shows only to a role that
//! may use it, and asking for it anyway is refused (403). A page that
//! reads personal data needs current privacy training: a member whose
//! training lapsed is sent to the course instead of an error.

/// The staff member at the console allowed `op` (see [`desk`]), or
/// return from the handler with the answer to give instead (sign in
/// first, forbidden, or the training course).
macro_rules! desk {
    ($state:expr, $visit:expr, $op:expr) => {
        match $crate::pages::console::desk($state, $visit, $op).await {
            Ok(d) => d,
            Err(r) => return r,
        }
    };
}

mod audit;
mod concerns;
mod conversations;
mod dashboard;
mod directory;
mod passkeys;
mod policy;
mod requests;
mod sign_in;
mod training;

use askama::Template;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use candor_service::actors::Actor;
use candor_service::auth::{ActiveSession, SessionHolder};

use super::i18n::Words;
use super::{check_form_csrf, see_other, Visit};
use crate::auth::Operation;
use crate::credentials::{Caller, Checked};
use crate::problem::Problem;
use crate::AppState;

/// The console's routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(home))
        .route("/console/sign-in", get(sign_in::page))
        .route("/console/sign-in/code", post(sign_in::ask_code))
        .route("/console/sign-in/token", post(sign_in::token))
        .route("/console/code", get(sign_in::code_page).post(sign_in::code))
        .route("/console/sign-in/passkey", post(passkeys::sign_in))
        .route("/console/sign-in/passkey/options", post(passkeys::sign_in_options))
        .route("/console/sign-out", post(sign_in::sign_out))
        .route("/console/dashboard", get(dashboard::page))
        .route("/console/conversations", get(conversations::page).post(conversations::find_form))
        .route("/console/conversations/reveal", post(conversations::reveal))
        .route("/console/requests", get(requests::queue))
        .route("/console/requests/{id}", get(requests::one))
        .route("/console/requests/{id}/{action}", post(requests::act))
        .route("/console/concerns", get(concerns::queue))
        .route("/console/concerns/{id}/{action}", post(concerns::act))
        .route("/console/policy", get(policy::page))
        .route("/console/policy/check", post(policy::check).layer(DefaultBodyLimit::max(policy::POLICY_BODY)))
        .route("/console/policy/publish", post(policy::publish).layer(DefaultBodyLimit::max(policy::POLICY_BODY)))
        .route("/console/recipients", get(directory::recipients))
        .route("/console/staff", get(directory::staff))
        .route("/console/audit", get(audit::page))
        .route("/console/audit/verify", post(audit::verify))
        .route("/console/training", get(training::page))
        .route("/console/training/quiz", post(training::quiz))
        .route("/console/passkeys", get(passkeys::page).post(passkeys::register))
        .route("/console/passkeys/options", post(passkeys::register_options))
        .route("/console/passkeys/remove", post(passkeys::remove))
        .route("/console/static/console.css", get(stylesheet))
        .route("/console/static/passkey.js", get(passkeys::script))
}

/// The privacy center's stylesheet and the console's additions.
async fn stylesheet() -> Response {
    let css = concat!(include_str!("../../../static/privacy.css"), include_str!("../../../static/console.css"));
    let mut r = css.into_response();
    r.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    r
}

/// The console's pages, in the order of its navigation, each with the
/// operation that opens it (`None`: every staff member).
const PAGES: [(&str, &str, Option<Operation>); 10] = [
    ("/console/dashboard", "console-nav-dashboard", Some(Operation::AnalyticsRead)),
    ("/console/conversations", "console-nav-conversations", Some(Operation::InteractionsRead)),
    ("/console/requests", "console-nav-requests", Some(Operation::RightsRead)),
    ("/console/concerns", "console-nav-concerns", Some(Operation::ConcernsRead)),
    ("/console/policy", "console-nav-policy", Some(Operation::PolicyRead)),
    ("/console/recipients", "console-nav-recipients", Some(Operation::RecipientsRead)),
    ("/console/staff", "console-nav-staff", Some(Operation::StaffRead)),
    ("/console/audit", "console-nav-audit", Some(Operation::AuditRead)),
    ("/console/training", "console-nav-training", None),
    ("/console/passkeys", "console-nav-passkeys", None),
];

/// The page a path belongs to, for the language links: an answer to a
/// form (`/console/policy/check`) switches language on its page.
fn page_of(path: &str) -> &str {
    let under = |href: &str| path == href || path.strip_prefix(href).is_some_and(|rest| rest.starts_with('/'));
    match PAGES.iter().find(|(href, _, _)| under(href)) {
        Some((href, _, _)) => href,
        None if path.starts_with("/console/code") => "/console/sign-in",
        None if path.starts_with("/console/sign-in") => "/console/sign-in",
        None => "/console",
    }
}

/// A staff member at the console: who, and their session's CSRF token.
pub(crate) struct Desk {
    pub actor: Actor,
    pub csrf: String,
}

impl Desk {
    /// Whether the member's roles allow `op`.
    pub(crate) fn may(&self, state: &AppState, op: Operation) -> bool {
        state.0.operations.allows(op, &self.actor.roles)
    }

    /// Whether their privacy training is current.
    pub(crate) fn trained(&self, state: &AppState) -> bool {
        self.actor.training_expires_at.is_some_and(|t| t > state.candor().now())
    }

    /// The frame around a console page.
    pub(crate) fn frame(&self, state: &AppState, visit: &Visit) -> ConsoleFrame {
        let nav = PAGES
            .iter()
            .filter(|(_, _, op)| op.is_none_or(|op| self.may(state, op)))
            .map(|(href, label, _)| NavItem { href, label: visit.w.t(label), current: visit.path == *href })
            .collect();
        let roles = self.actor.roles.iter().map(|r| visit.w.t(&format!("console-role-{}", r.as_str()))).collect::<Vec<_>>().join(", ");
        ConsoleFrame {
            w: visit.w,
            who: visit.w.tn("console-signed-in-as", &[("actor", self.actor.id.as_str()), ("roles", roles.as_str())]),
            csrf: self.csrf.clone(),
            path: page_of(&visit.path).to_owned(),
            nav,
            trained: self.trained(state),
        }
    }

    /// Refuse a form whose CSRF token is not the session's.
    pub(crate) fn check(&self, given: &str) -> Result<(), Problem> {
        check_form_csrf(given, &self.csrf)
    }
}

/// The staff member signed in to the console, allowed `op` (and, for
/// personal data, trained): else the answer to give instead (sign in
/// first, forbidden, or the training course).
pub(crate) async fn desk(state: &AppState, visit: &Visit, op: Option<Operation>) -> Result<Desk, Response> {
    let desk = match &visit.auth.caller {
        Caller::Valid(Checked::Session(ActiveSession { holder: SessionHolder::Staff(actor), csrf, .. }), _) => {
            Desk { actor: actor.clone(), csrf: csrf.clone() }
        }
        Caller::Held(p) => return Err(error_page(state, visit, None, p)),
        _ => return Err(see_other("/console/sign-in")),
    };
    if let Some(op) = op {
        if !desk.may(state, op) {
            let p = Problem::forbidden(format!("`{}` may not use `{op}`", desk.actor.id));
            return Err(error_page(state, visit, Some(&desk), &p));
        }
        if op.personal() && !desk.trained(state) {
            return Err(see_other("/console/training?lapsed=1"));
        }
    }
    Ok(desk)
}

/// `GET /console`: the first page the member may use.
async fn home(axum::extract::State(state): axum::extract::State<AppState>, visit: Visit) -> Response {
    let d = desk!(&state, &visit, None);
    // Training first when it is not current; else the first page.
    let first = PAGES.iter().find(|(_, _, op)| op.is_some_and(|op| d.may(&state, op))).filter(|_| d.trained(&state));
    see_other(first.map_or("/console/training", |(href, _, _)| href))
}

/// What the console's layout shows around every page.
pub(crate) struct ConsoleFrame {
    pub w: Words,
    /// "Signed in as ACTOR (ROLES)".
    pub who: String,
    /// The session's CSRF token (sign-out and every form).
    pub csrf: String,
    /// This page's path, for the language links.
    pub path: String,
    /// The pages the member may use.
    pub nav: Vec<NavItem>,
    /// Whether their training is current.
    pub trained: bool,
}

/// A link of the console's navigation.
pub(crate) struct NavItem {
    pub href: &'static str,
    pub label: String,
    pub current: bool,
}

impl ConsoleFrame {
    /// The frame for someone not signed in: no navigation, no sign-out.
    pub(crate) fn stranger(visit: &Visit) -> Self {
        Self { w: visit.w, who: String::new(), csrf: String::new(), path: page_of(&visit.path).to_owned(), nav: Vec::new(), trained: true }
    }
}

#[derive(Template)]
#[template(path = "console/error.html")]
struct ErrorPage {
    frame: ConsoleFrame,
    title: String,
    message: String,
    detail: String,
}

/// A problem as a console page; `desk` when the member is signed in.
pub(crate) fn error_page(state: &AppState, visit: &Visit, desk: Option<&Desk>, p: &Problem) -> Response {
    let id = match p.status {
        401 => "console-error-unauthenticated",
        403 => "console-error-forbidden",
        404 => "console-error-not-found",
        409 => "console-error-conflict",
        429 => "console-error-too-many",
        400 | 422 => "console-error-invalid",
        503 => "console-error-busy",
        _ => "console-error-internal",
    };
    let detail = if p.status < 500 { p.detail.clone() } else { String::new() };
    let page = ErrorPage {
        frame: desk.map_or_else(|| ConsoleFrame::stranger(visit), |d| d.frame(state, visit)),
        title: visit.w.t("console-error-title"),
        message: visit.w.t(id),
        detail,
    };
    let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut r = visit.render(status, &page);
    if let Some(s) = p.retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
        r.headers_mut().insert(header::RETRY_AFTER, s);
    }
    r
}

/// A service result as a page: the page, or the problem as one.
pub(crate) fn or_error(state: &AppState, visit: &Visit, desk: &Desk, r: Result<Response, Problem>) -> Response {
    r.unwrap_or_else(|p| error_page(state, visit, Some(desk), &p))
}

/// A day from a form field (`yyyy-mm-dd`), or nothing when it is empty.
pub(crate) fn parse_day(s: &str, field: &str) -> Result<Option<time::Date>, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s, format).map(Some).map_err(|_| Problem::invalid_input(format!("`{field}` must be a date as yyyy-mm-dd, not `{s}`")))
}

/// A time as the console shows it: `2026-12-06 14:03 UTC`.
pub(crate) fn when(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{} {:02}:{:02} UTC", t.date(), t.hour(), t.minute())
}
