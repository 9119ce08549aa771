//! The audit log: entries newest first, filtered by actor, action,
//! subject pseudonym and period, and a button that verifies the chain and
//! shows its state, naming the first bad entry if there is one.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_service::audit::{AuditFilter, AuditReport};
use serde::Deserialize;

use super::{or_error, parse_day, when, ConsoleFrame, Desk};
use crate::auth::Operation;
use crate::pages::Visit;
use crate::problem::Problem;
use crate::AppState;

/// Entries a page shows.
const PAGE: u32 = 100;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filters {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    subject: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct VerifyForm {
    #[serde(default)]
    csrf: String,
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    action: String,
    subject: String,
    purpose: String,
    decision: String,
}

/// The chain's state after a verification.
struct Verdict {
    intact: bool,
    words: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    frame: ConsoleFrame,
    f: Filters,
    rows: Vec<Row>,
    verdict: Option<Verdict>,
}

/// `GET /console/audit`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit, Query(f): Query<Filters>) -> Response {
    let d = desk!(&state, &visit, Some(Operation::AuditRead));
    let r = render(&state, &visit, &d, f, None).await;
    or_error(&state, &visit, &d, r)
}

/// `POST /console/audit/verify`: verify the whole chain.
pub(crate) async fn verify(State(state): State<AppState>, visit: Visit, Form(v): Form<VerifyForm>) -> Response {
    let d = desk!(&state, &visit, Some(Operation::AuditRead));
    let r = async {
        d.check(&v.csrf)?;
        let w = visit.w;
        let verdict = match state.candor().verify_audit(|_, _| {}).await? {
            AuditReport::Intact { entries, checkpoints, .. } => Verdict {
                intact: true,
                words: w.tn("audit-intact", &[("entries", &entries.to_string()), ("checkpoints", &checkpoints.to_string())]),
            },
            AuditReport::Tampered { message, .. } => Verdict { intact: false, words: w.t1("audit-tampered", "problem", &message) },
        };
        render(&state, &visit, &d, Filters::default(), Some(verdict)).await
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// The start of the day a field names, or of the day after (`end`).
fn day(s: &str, field: &str, end: bool) -> Result<Option<time::OffsetDateTime>, Problem> {
    Ok(parse_day(s, field)?.map(|d| if end { d.next_day().unwrap_or(d) } else { d }).map(|d| d.midnight().assume_utc()))
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_owned()).filter(|s| !s.is_empty())
}

async fn render(state: &AppState, visit: &Visit, d: &Desk, f: Filters, verdict: Option<Verdict>) -> Result<Response, Problem> {
    let filter = AuditFilter {
        actor: some(&f.actor),
        action: some(&f.action),
        subject: some(&f.subject),
        from: day(&f.from, "from", false)?,
        to: day(&f.to, "to", true)?,
        before: None,
    };
    let rows = state
        .candor()
        .audit_search(&filter, PAGE)
        .await?
        .into_iter()
        .map(|e| Row {
            seq: e.seq,
            at: when(e.record.at),
            actor: e.record.actor,
            action: e.record.action,
            subject: e.record.subject.unwrap_or_default(),
            purpose: e.record.purpose.unwrap_or_default(),
            decision: e.record.decision.unwrap_or_default(),
        })
        .collect();
    let page = AuditPage { frame: d.frame(state, visit), f, rows, verdict };
    Ok(visit.render(StatusCode::OK, &page))
}
