//! Concerns customers raised in the privacy center: the queue with due
//! dates, one concern read (audited, as over the API), its answer (mailed
//! to the customer) and closing it.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_domain::ConcernState;
use candor_service::concerns::{ConcernList, ConcernView};
use serde::Deserialize;

use super::{or_error, when, ConsoleFrame, Desk};
use crate::auth::Operation;
use crate::pages::Visit;
use crate::problem::Problem;
use crate::AppState;

/// Concerns the queue shows at most.
const QUEUE: u32 = 200;

struct Row {
    id: String,
    state: String,
    raised: String,
    due: String,
    overdue: bool,
}

/// The concern opened for reading, with its message.
struct Opened {
    id: String,
    message: String,
    answer: Option<String>,
    open: bool,
    answered: bool,
}

#[derive(Template)]
#[template(path = "console/concerns.html")]
struct ConcernsPage {
    frame: ConsoleFrame,
    rows: Vec<Row>,
    opened: Option<Opened>,
    may_write: bool,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Show {
    id: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    answer: String,
}

/// `GET /console/concerns[?id=…]`.
pub(crate) async fn queue(State(state): State<AppState>, visit: Visit, Query(q): Query<Show>) -> Response {
    let d = desk!(&state, &visit, Some(Operation::ConcernsRead));
    let r = async {
        let opened = match q.id.as_deref().filter(|i| !i.is_empty()) {
            Some(id) => Some(state.candor().concern(&d.actor.id, id).await?),
            None => None,
        };
        render(&state, &visit, &d, opened, None).await
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// `POST /console/concerns/{id}/{answer|close}`.
pub(crate) async fn act(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ActForm>,
) -> Response {
    let d = desk!(&state, &visit, Some(Operation::ConcernsWrite));
    let r = async {
        d.check(&f.csrf)?;
        let c = state.candor();
        let done = match action.as_str() {
            "answer" => c.answer_concern(&d.actor.id, &id, &f.answer).await?,
            "close" => c.close_concern(&d.actor.id, &id).await?,
            other => return Err(Problem::not_found("not-found", format!("no action `{other}` on a concern"))),
        };
        render(&state, &visit, &d, Some(done), Some(visit.w.t(&format!("concern-done-{action}")))).await
    }
    .await;
    or_error(&state, &visit, &d, r)
}

async fn render(
    state: &AppState,
    visit: &Visit,
    d: &Desk,
    opened: Option<ConcernView>,
    notice: Option<String>,
) -> Result<Response, Problem> {
    let c = state.candor();
    let now = c.now();
    let page = c.concern_page(ConcernList { open_only: false }, None, QUEUE).await?;
    let mut items: Vec<&ConcernView> = page.items.iter().filter(|v| v.concern.state != ConcernState::Closed).collect();
    // Open ones first (they wait for an answer), then answered ones; each
    // by due date.
    items.sort_by_key(|v| (v.concern.state != ConcernState::Open, v.concern.due_at));
    let rows = items
        .into_iter()
        .map(|v| Row {
            id: v.id.clone(),
            state: visit.w.t(&format!("concern-state-{}", v.concern.state.as_str())),
            raised: when(v.concern.raised_at),
            due: when(v.concern.due_at),
            overdue: v.concern.state == ConcernState::Open && v.concern.due_at < now,
        })
        .collect();
    let opened = opened.map(|v| Opened {
        open: v.concern.state == ConcernState::Open,
        answered: v.concern.state == ConcernState::Answered,
        id: v.id,
        message: v.message.unwrap_or_default(),
        answer: v.answer,
    });
    let page = ConcernsPage { frame: d.frame(state, visit), rows, opened, may_write: d.may(state, Operation::ConcernsWrite), notice };
    Ok(visit.render(StatusCode::OK, &page))
}
