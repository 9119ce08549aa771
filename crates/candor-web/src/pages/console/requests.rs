//! Rights requests: the queue with deadlines, overdue first; one request
//! with its history; verify, extend, reject and execute (execution asks
//! for a confirmation); the report once executed.

use askama::Template;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_service::rights::execute::ExecuteOptions;
use candor_service::rights::RightsRequestView;
use serde::Deserialize;

use super::{or_error, when, ConsoleFrame, Desk};
use crate::auth::Operation;
use crate::pages::{see_other, Visit};
use crate::problem::Problem;
use crate::AppState;

struct Row {
    id: String,
    kind: String,
    regime: String,
    state: String,
    received: String,
    due: String,
    overdue: bool,
}

#[derive(Template)]
#[template(path = "console/requests.html")]
struct QueuePage {
    frame: ConsoleFrame,
    rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "console/request.html")]
struct RequestPage {
    frame: ConsoleFrame,
    row: Row,
    subject: String,
    open: bool,
    may_write: bool,
    verified: bool,
    history: Vec<String>,
    report: Vec<String>,
    notice: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ActForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    confirm: String,
}

fn row(state: &AppState, r: &RightsRequestView, w: &crate::pages::i18n::Words) -> Row {
    let q = &r.request;
    let now = state.candor().now();
    let open = !q.state.is_final();
    Row {
        id: r.id.clone(),
        kind: w.t(&format!("request-kind-{}", q.kind.as_str().replace('_', "-"))),
        regime: q.regime.as_str().to_uppercase(),
        state: q.state.as_str().replace('_', " "),
        received: when(q.received_at),
        due: when(q.due_at),
        overdue: open && q.due_at < now,
    }
}

/// `GET /console/requests`: open requests, overdue first, then by due date.
pub(crate) async fn queue(State(state): State<AppState>, visit: Visit) -> Response {
    let d = desk!(&state, &visit, Some(Operation::RightsRead));
    let r = async {
        let mut all = state.candor().rights_requests(false).await?;
        all.retain(|r| !r.request.state.is_final());
        all.sort_by_key(|r| r.request.due_at);
        let rows = all.iter().map(|r| row(&state, r, &visit.w)).collect();
        Ok(visit.render(StatusCode::OK, &QueuePage { frame: d.frame(&state, &visit), rows }))
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// `GET /console/requests/{id}`.
pub(crate) async fn one(State(state): State<AppState>, visit: Visit, Path(id): Path<String>) -> Response {
    let d = desk!(&state, &visit, Some(Operation::RightsRead));
    let r = async {
        let r = state.candor().rights_request(&id).await?;
        Ok(request_page(&state, &visit, &d, &r, None))
    }
    .await;
    or_error(&state, &visit, &d, r)
}

fn request_page(state: &AppState, visit: &Visit, d: &Desk, r: &RightsRequestView, notice: Option<String>) -> Response {
    let w = visit.w;
    let q = &r.request;
    let mut history = vec![w.t1("request-history-received", "at", &when(q.received_at))];
    match &q.verification {
        Some(candor_domain::Verification::OneTimeCode) => history.push(w.t("request-history-verified-code")),
        Some(candor_domain::Verification::Staff { actor, reason }) => {
            history.push(w.tn("request-history-verified-staff", &[("actor", actor.as_str()), ("reason", reason.as_str())]))
        }
        None => {}
    }
    if let Some(e) = &q.extension {
        history.push(w.tn("request-history-extended", &[("at", &when(e.at)), ("reason", &e.reason)]));
    }
    if let Some(reason) = &q.rejection {
        history.push(w.t1("request-history-rejected", "reason", reason));
    }
    let report = q.result.as_ref().map(|res| {
        let mut lines = res.summary.clone();
        lines.extend(
            res.deleted
                .iter()
                .map(|c| w.tn("report-deleted", &[("n", &c.records.to_string()), ("what", &c.what), ("category", &c.category)])),
        );
        lines.extend(
            res.exported
                .iter()
                .map(|c| w.tn("report-exported", &[("n", &c.records.to_string()), ("what", &c.what), ("category", &c.category)])),
        );
        lines.extend(res.kept.iter().map(|k| w.tn("report-kept", &[("category", &k.category), ("purpose", &k.purpose), ("why", &k.why)])));
        lines.extend(res.notified.iter().map(|n| w.t1("report-notified", "recipient", n)));
        lines
    });
    let page = RequestPage {
        frame: d.frame(state, visit),
        row: row(state, r, &w),
        subject: r.subject_pseudonym.clone(),
        open: !q.state.is_final(),
        may_write: d.may(state, Operation::RightsWrite),
        verified: q.verification.is_some(),
        history,
        report: report.unwrap_or_default(),
        notice,
    };
    visit.render(StatusCode::OK, &page)
}

/// `POST /console/requests/{id}/{verify|extend|reject|execute}`.
pub(crate) async fn act(
    State(state): State<AppState>,
    visit: Visit,
    Path((id, action)): Path<(String, String)>,
    Form(f): Form<ActForm>,
) -> Response {
    let d = desk!(&state, &visit, Some(Operation::RightsWrite));
    let r = async {
        d.check(&f.csrf)?;
        let c = state.candor();
        let me = d.actor.id.as_str();
        let reason = f.reason.trim();
        let needs_reason = || {
            if reason.is_empty() {
                Err(Problem::invalid_input("a reason is needed: the customer is told it"))
            } else {
                Ok(())
            }
        };
        let done = match action.as_str() {
            "verify" => {
                needs_reason()?;
                c.verify_rights_request_by_staff(me, &id, reason).await?
            }
            "extend" => {
                needs_reason()?;
                c.extend_rights_request(me, &id, reason).await?
            }
            "reject" => {
                needs_reason()?;
                c.reject_rights_request(me, &id, reason).await?
            }
            "execute" => {
                if f.confirm != "yes" {
                    return Err(Problem::invalid_input("tick the confirmation to carry the request out"));
                }
                let r = c.rights_request(&id).await?;
                let exports = &state.settings().server.exports_dir;
                std::fs::create_dir_all(exports).map_err(|e| Problem::internal(&e))?;
                let options =
                    ExecuteOptions { out_dir: Some(exports.join(&r.id)), corrections: Vec::new(), bundles_dir: Some(exports.clone()) };
                c.execute_rights_request(me, &r.id, &options).await?.record
            }
            _ => return Ok(see_other(&format!("/console/requests/{id}"))),
        };
        Ok(request_page(&state, &visit, &d, &done, Some(visit.w.t(&format!("request-done-{action}")))))
    }
    .await;
    or_error(&state, &visit, &d, r)
}
