//! A customer's messages across platforms, newest first, redacted by
//! default. Showing one original asks for a purpose and a reason; the
//! access gate decides and the showing is audited (the customer sees it
//! under "who saw my data"). The original is shown once, in the answer to
//! the form, never put in a link; so is the address or handle searched
//! for: the search is a form post answered with the customer's id.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_domain::{Identifier, SubjectId};
use serde::Deserialize;

use super::{or_error, when, ConsoleFrame, Desk};
use crate::auth::Operation;
use crate::pages::{see_other, Visit};
use crate::problem::Problem;
use crate::AppState;

/// Messages a page shows.
const PAGE: u32 = 50;

/// The page's address: a customer by id, and the purpose.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Shown {
    /// The customer's subject id.
    #[serde(default)]
    subject: String,
    /// The purpose the messages are read for.
    #[serde(default)]
    purpose: String,
}

/// The search form.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct FindForm {
    #[serde(default)]
    csrf: String,
    /// An e-mail address, a handle (`x:@name`) or a subject id.
    #[serde(default)]
    customer: String,
    #[serde(default)]
    purpose: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct RevealForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    customer: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    purpose: String,
    #[serde(default)]
    reason: String,
}

struct Item {
    platform: String,
    id: String,
    meta: String,
    outbound: bool,
    redacted: String,
    original: Option<String>,
}

struct PurposeOption {
    id: String,
    name: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "console/conversations.html")]
struct ConversationsPage {
    frame: ConsoleFrame,
    subject: Option<String>,
    purposes: Vec<PurposeOption>,
    items: Vec<Item>,
    denied: Option<String>,
    notice: Option<String>,
}

/// `GET /console/conversations?subject=…&purpose=…`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit, Query(f): Query<Shown>) -> Response {
    let d = desk!(&state, &visit, Some(Operation::InteractionsRead));
    let r = async {
        let subject = match f.subject.trim() {
            "" => None,
            s => Some(SubjectId::parse(s).map_err(|e| Problem::invalid_input(format!("`subject`: {e}")))?),
        };
        render(&state, &visit, &d, subject, &f.purpose, None).await
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// `POST /console/conversations`: find the customer an address, handle
/// or id names, and show their messages under their id.
pub(crate) async fn find_form(State(state): State<AppState>, visit: Visit, Form(f): Form<FindForm>) -> Response {
    let d = desk!(&state, &visit, Some(Operation::InteractionsRead));
    let r = async {
        d.check(&f.csrf)?;
        match find(&state, &f.customer).await? {
            Some(subject) => {
                let purpose: String = f.purpose.chars().filter(|c| c.is_ascii_alphanumeric() || "._-".contains(*c)).collect();
                Ok(see_other(&format!("/console/conversations?subject={subject}&purpose={purpose}")))
            }
            None => {
                let mut page = render_with(&state, &visit, &d, None, &f.purpose, None, Some(visit.w.t("conversations-nobody"))).await?;
                *page.status_mut() = StatusCode::NOT_FOUND;
                Ok(page)
            }
        }
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// `POST /console/conversations/reveal`: one original, for a purpose and
/// a reason.
pub(crate) async fn reveal(State(state): State<AppState>, visit: Visit, Form(f): Form<RevealForm>) -> Response {
    let d = desk!(&state, &visit, Some(Operation::InteractionsRead));
    let r = async {
        d.check(&f.csrf)?;
        let subject = SubjectId::parse(f.customer.trim()).map_err(|e| Problem::invalid_input(format!("`customer`: {e}")))?;
        let text = state.candor().reveal_interaction(&d.actor.id, subject, &f.platform, &f.item, &f.purpose, &f.reason).await?;
        render(&state, &visit, &d, Some(subject), &f.purpose, Some((f.platform.clone(), f.item.clone(), text))).await
    }
    .await;
    or_error(&state, &visit, &d, r)
}

/// The customer `s` names: an e-mail address, a handle or a subject id.
async fn find(state: &AppState, s: &str) -> Result<Option<SubjectId>, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    if let Ok(id) = SubjectId::parse(s) {
        return Ok(Some(id));
    }
    let identifier = if s.contains(':') { Identifier::parse_handle(s) } else { Identifier::email(s) };
    let identifier = identifier.map_err(|e| Problem::invalid_input(format!("`customer`: {e}")))?;
    Ok(state.candor().find_subject(&identifier).await?)
}

async fn render(
    state: &AppState,
    visit: &Visit,
    d: &Desk,
    subject: Option<SubjectId>,
    purpose: &str,
    revealed: Option<(String, String, String)>,
) -> Result<Response, Problem> {
    render_with(state, visit, d, subject, purpose, revealed, None).await
}

/// [`render`], with a notice.
async fn render_with(
    state: &AppState,
    visit: &Visit,
    d: &Desk,
    subject: Option<SubjectId>,
    purpose: &str,
    revealed: Option<(String, String, String)>,
    notice: Option<String>,
) -> Result<Response, Problem> {
    let w = visit.w;
    let candor = state.candor();
    let ctx = candor.policy_context().await?;
    let purpose = if purpose.is_empty() { "customer_service" } else { purpose };
    let purposes = ctx
        .policy
        .purposes
        .values()
        .map(|p| PurposeOption { id: p.id.as_str().to_owned(), name: p.name.clone(), selected: p.id.as_str() == purpose })
        .collect();
    let mut page = ConversationsPage { frame: d.frame(state, visit), subject: None, purposes, items: Vec::new(), denied: None, notice };
    if let Some(subject) = subject {
        // Redacted only: the originals are shown one at a time, with a reason.
        let view = candor.view_interactions(&d.actor.id, subject, purpose, false, None, PAGE).await?;
        page.subject = Some(subject.to_string());
        if let candor_domain::Decision::Deny(reason) = &view.decision {
            page.denied = Some(w.t1("conversations-denied", "reason", &reason.to_string()));
        }
        page.items = view
            .items
            .into_iter()
            .map(|i| {
                let original = revealed.as_ref().filter(|(p, id, _)| *p == i.platform && *id == i.external_id).map(|(_, _, t)| t.clone());
                let kind = w.t(&format!("kind-{}", i.kind.replace('_', "-")));
                Item {
                    meta: format!("{} · {} · {}", i.platform, kind, when(i.occurred_at)),
                    outbound: i.direction == "outbound",
                    platform: i.platform,
                    id: i.external_id,
                    redacted: i.redacted_text,
                    original,
                }
            })
            .collect();
        if revealed.is_some() {
            page.notice = Some(w.t("conversations-revealed"));
        }
    }
    Ok(visit.render(StatusCode::OK, &page))
}
