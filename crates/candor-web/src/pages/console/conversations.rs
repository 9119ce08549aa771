//! A customer's messages across platforms, newest first, redacted by
//! default. Showing one original asks for a purpose and a reason; the
//! access gate decides and the showing is audited (the customer sees it
//! under "who saw my data"). The original is shown once, in the answer to
//! the form, never put in a link.

use askama::Template;
use axum::extract::{Form, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_domain::{Identifier, SubjectId};
use serde::Deserialize;

use super::{desk, or_error, when, ConsoleFrame, Desk};
use crate::auth::Operation;
use crate::pages::Visit;
use crate::problem::Problem;
use crate::AppState;

/// Messages a page shows.
const PAGE: u32 = 50;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Find {
    /// An e-mail address, a handle (`x:@name`) or a subject id.
    #[serde(default)]
    customer: String,
    /// The purpose the messages are read for.
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
    customer: String,
    subject: Option<String>,
    purposes: Vec<PurposeOption>,
    items: Vec<Item>,
    denied: Option<String>,
    notice: Option<String>,
}

/// `GET /console/conversations?customer=…`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit, Query(f): Query<Find>) -> Response {
    let d = match desk(&state, &visit, Some(Operation::InteractionsRead)).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let r = render(&state, &visit, &d, &f.customer, &f.purpose, None).await;
    or_error(&state, &visit, &d, r)
}

/// `POST /console/conversations/reveal`: one original, for a purpose and
/// a reason.
pub(crate) async fn reveal(State(state): State<AppState>, visit: Visit, Form(f): Form<RevealForm>) -> Response {
    let d = match desk(&state, &visit, Some(Operation::InteractionsRead)).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let r = async {
        d.check(&f.csrf)?;
        let subject = find(&state, &f.customer).await?.ok_or_else(|| Problem::not_found("unknown-subject", "no such customer"))?;
        let text = state.candor().reveal_interaction(&d.actor.id, subject, &f.platform, &f.item, &f.purpose, &f.reason).await?;
        render(&state, &visit, &d, &f.customer, &f.purpose, Some((f.platform.clone(), f.item.clone(), text))).await
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
    customer: &str,
    purpose: &str,
    revealed: Option<(String, String, String)>,
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
    let mut page = ConversationsPage {
        frame: d.frame(state, visit),
        customer: customer.to_owned(),
        subject: None,
        purposes,
        items: Vec::new(),
        denied: None,
        notice: None,
    };
    if let Some(subject) = find(state, customer).await? {
        let view = candor.view_interactions(&d.actor.id, subject, purpose, None, PAGE).await?;
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
    } else if !customer.trim().is_empty() {
        page.notice = Some(w.t("conversations-nobody"));
    }
    Ok(visit.render(StatusCode::OK, &page))
}
