//! `/privacy/concerns`: the signed-in customer asks the privacy team a
//! question or raises a concern, and reads what they asked before with
//! where each stands, its deadline and the answer. The form carries the
//! session's CSRF token; a message the rules refuse (empty, too long, a
//! control character) or a form that does not parse comes back on the
//! page with what is wrong, and nothing is stored.

use askama::Template;
use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_domain::concern::MAX_TEXT_CHARS;
use candor_domain::{ConcernError, ConcernState, SubjectId};
use candor_service::concerns::ConcernView;
use candor_service::ServiceError;
use serde::Deserialize;

use super::i18n::Words;
use super::{check_form_csrf, see_other, Frame, Visit};
use crate::problem::Problem;
use crate::AppState;

/// How many of the customer's concerns the page shows (the API pages
/// through all of them).
const SHOWN: u32 = 100;

#[derive(Template)]
#[template(path = "privacy/concerns.html")]
struct ConcernsPage {
    frame: Frame,
    csrf: String,
    /// What the form shows: the message sent back after a refusal.
    message: String,
    max: usize,
    error: Option<String>,
    notice: Option<String>,
    concerns: Vec<ConcernRow>,
}

/// One of the customer's concerns, in words.
struct ConcernRow {
    id: String,
    raised: String,
    state: String,
    due: String,
    message: String,
    answered: Option<String>,
    answer: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

#[derive(Deserialize)]
pub(crate) struct ConcernForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    message: String,
}

/// `GET /privacy/concerns`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit, Query(q): Query<Done>) -> Response {
    let (subject, csrf) = match visit.signed_in(&state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let notice = (q.done.as_deref() == Some("raised")).then(|| visit.w.t("concerns-sent"));
    let form = Filled { message: String::new(), error: None, notice };
    shown(&state, &visit, subject, csrf, form, StatusCode::OK).await
}

/// `POST /privacy/concerns`: raise one.
pub(crate) async fn raise(State(state): State<AppState>, visit: Visit, form: Result<Form<ConcernForm>, FormRejection>) -> Response {
    let (subject, csrf) = match visit.customer() {
        Ok(c) => c,
        Err(p) => return visit.problem(&state, &p).await,
    };
    let Form(f) = match form {
        Ok(f) => f,
        Err(rejection) => {
            let status =
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE { rejection.status() } else { StatusCode::UNPROCESSABLE_ENTITY };
            let form = Filled { message: String::new(), error: Some(visit.w.t("concerns-error-form")), notice: None };
            return shown(&state, &visit, subject, csrf, form, status).await;
        }
    };
    if let Err(p) = check_form_csrf(&f.csrf, &csrf) {
        return visit.problem(&state, &p).await;
    }
    match state.candor().raise_concern("subject", subject, &f.message).await {
        Ok(_) => see_other("/privacy/concerns?done=raised"),
        Err(ServiceError::Concern(e)) => {
            // Sent back as typed, bounded: a refused message is not stored.
            let message: String = f.message.chars().take(MAX_TEXT_CHARS * 2).collect();
            let form = Filled { message, error: Some(refusal(&visit.w, &e)), notice: None };
            shown(&state, &visit, subject, csrf, form, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(ServiceError::AlreadyOpen(_)) => {
            let message: String = f.message.chars().take(MAX_TEXT_CHARS * 2).collect();
            let count = candor_service::concerns::MAX_OPEN_CONCERNS.to_string();
            let form = Filled { message, error: Some(visit.w.t1("concerns-too-many", "count", &count)), notice: None };
            shown(&state, &visit, subject, csrf, form, StatusCode::CONFLICT).await
        }
        Err(e) => visit.problem(&state, &e.into()).await,
    }
}

/// What the form holds and says.
struct Filled {
    message: String,
    error: Option<String>,
    notice: Option<String>,
}

/// The page, or the problem that kept it from being shown.
async fn shown(state: &AppState, visit: &Visit, subject: SubjectId, csrf: String, form: Filled, status: StatusCode) -> Response {
    match render(state, visit, subject, csrf, form, status).await {
        Ok(r) => r,
        Err(p) => visit.problem(state, &p).await,
    }
}

async fn render(
    state: &AppState,
    visit: &Visit,
    subject: SubjectId,
    csrf: String,
    form: Filled,
    status: StatusCode,
) -> Result<Response, Problem> {
    let w = visit.w;
    let mine = state.candor().my_concern_page(subject, None, SHOWN).await?;
    let concerns = mine.items.iter().map(|c| row(&w, c)).collect();
    let page = ConcernsPage {
        frame: visit.frame(state, Some(csrf.clone())).await,
        csrf,
        message: form.message,
        max: MAX_TEXT_CHARS,
        error: form.error,
        notice: form.notice,
        concerns,
    };
    Ok(visit.render(status, &page))
}

fn row(w: &Words, v: &ConcernView) -> ConcernRow {
    let c = &v.concern;
    ConcernRow {
        id: v.id.clone(),
        raised: w.t1("concerns-raised", "date", &c.raised_at.date().to_string()),
        state: w.t(state_id(c.state)),
        due: c.due_at.date().to_string(),
        message: v.message.clone().unwrap_or_default(),
        answered: c.answered_at.map(|t| w.t1("concerns-answer", "date", &t.date().to_string())),
        answer: v.answer.clone(),
    }
}

fn state_id(s: ConcernState) -> &'static str {
    match s {
        ConcernState::Open => "concerns-state-open",
        ConcernState::Answered => "concerns-state-answered",
        ConcernState::Closed => "concerns-state-closed",
    }
}

/// Why a message was refused, in the visitor's words.
fn refusal(w: &Words, e: &ConcernError) -> String {
    match e {
        ConcernError::Empty { .. } => w.t("concerns-error-empty"),
        ConcernError::TooLong { chars, .. } => {
            w.tn("concerns-error-too-long", &[("chars", &chars.to_string()), ("max", &MAX_TEXT_CHARS.to_string())])
        }
        ConcernError::ControlCharacter { position, .. } => w.t1("concerns-error-control", "position", &position.to_string()),
        ConcernError::NotOpen { .. } | ConcernError::AlreadyClosed => w.t("error-internal"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::i18n::{Catalogues, LANGUAGES};

    #[test]
    fn every_refusal_and_state_has_words_in_every_language() {
        let errors = [
            ConcernError::Empty { field: "message" },
            ConcernError::TooLong { field: "message", chars: 4001 },
            ConcernError::ControlCharacter { field: "message", code: 0, position: 3 },
        ];
        for lang in LANGUAGES {
            let w = Catalogues::embedded().unwrap().words(lang);
            for e in &errors {
                let words = refusal(&w, e);
                assert!(!words.starts_with("concerns-") && !words.contains('{'), "{lang}: {words}");
            }
            assert!(refusal(&w, &errors[1]).contains("4001") && refusal(&w, &errors[1]).contains("4000"));
            for s in ConcernState::ALL {
                assert!(w.has(state_id(s)), "{lang}: {s}");
            }
        }
    }
}
