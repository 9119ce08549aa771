//! The privacy center's requests: a copy of one's data (access or
//! portability, downloaded as one zip once staff prepared it), a
//! correction, and the deletion page that says what will go, what a legal
//! hold keeps and why, before the customer asks. Every request shows its
//! state and its legal deadline.

use askama::Template;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use candor_domain::{RequestState, RightKind, SubjectId};
use candor_service::rights::RightsRequestView;
use serde::Deserialize;

use super::i18n::Words;
use super::privacy::category_words;
use super::{check_form_csrf, see_other, Frame, Visit};
use crate::problem::Problem;
use crate::AppState;

#[derive(Template)]
#[template(path = "privacy/requests.html")]
struct RequestsPage {
    frame: Frame,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    requests: Vec<RequestRow>,
    fields: Vec<FieldInput>,
}

#[derive(Template)]
#[template(path = "privacy/delete.html")]
struct DeletePage {
    frame: Frame,
    csrf: String,
    deleted: Vec<String>,
    messages: Option<String>,
    kept: Vec<KeptRow>,
    /// An erasure already asked for: its id, and where it stands in words.
    pending: Option<(String, String)>,
}

/// One of the customer's requests, in words.
struct RequestRow {
    id: String,
    what: String,
    opened: String,
    state: String,
    due: String,
    /// Staff's words: why it was extended or refused.
    reason: Option<String>,
    download: bool,
}

/// A field of the correction form.
struct FieldInput {
    name: &'static str,
    label: String,
    input: &'static str,
    autocomplete: &'static str,
    value: String,
}

/// What a legal hold keeps, in words.
struct KeptRow {
    why: String,
    what: String,
    until: String,
    reason: String,
}

/// What a form just did, for the notice on the page it returns to.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Done {
    done: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct KindForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    kind: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct CorrectForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    customer_number: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct DeleteForm {
    #[serde(default)]
    csrf: String,
}

/// The signed-in customer, else the problem a form answers with.
/// Where a request the customer has open already sends them: the list,
/// saying so.
const ALREADY: &str = "/privacy/requests?done=already#requests";

/// `GET /privacy/requests`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit, Query(q): Query<Done>) -> Response {
    let (subject, csrf) = match visit.signed_in(&state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let notice = q.done.as_deref().filter(|d| matches!(*d, "access" | "portability" | "rectification" | "erasure" | "already"));
    let notice = notice.map(|d| visit.w.t(&format!("requests-done-{d}")));
    match requests_page(&state, &visit, subject, csrf, notice, None, &empty_corrections()).await {
        Ok(r) => r,
        Err(p) => visit.problem(&state, &p).await,
    }
}

async fn requests_page(
    state: &AppState,
    visit: &Visit,
    subject: SubjectId,
    csrf: String,
    notice: Option<String>,
    error: Option<String>,
    values: &CorrectForm,
) -> Result<Response, Problem> {
    // A customer whose data was erased has nothing left to ask about.
    state.candor().own_fields(subject).await?;
    let w = visit.w;
    let requests = own_requests(state, subject).await?.iter().map(|r| request_row(&w, r)).collect();
    let field = |name, label: &str, input, autocomplete, value: &str| FieldInput {
        name,
        label: w.t(label),
        input,
        autocomplete,
        value: value.to_owned(),
    };
    let fields = vec![
        field("name", "field-name", "text", "name", &values.name),
        field("email", "field-email", "email", "email", &values.email),
        field("phone", "field-phone", "tel", "tel", &values.phone),
        field("customer_number", "field-customer-number", "text", "off", &values.customer_number),
    ];
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut frame = visit.frame(state, Some(csrf.clone())).await;
    // Also when answering the correction form: the language links lead to the page.
    frame.path = "/privacy/requests".into();
    let page = RequestsPage { frame, csrf, notice, error, requests, fields };
    Ok(visit.render(status, &page))
}

/// The customer's requests, newest first.
async fn own_requests(state: &AppState, subject: SubjectId) -> Result<Vec<RightsRequestView>, Problem> {
    let which = candor_service::page::RightsList { overdue: false, subject: Some(subject) };
    let mut all: Vec<RightsRequestView> = Vec::new();
    let mut after: Option<String> = None;
    // A customer has few requests; a bound keeps a flood of them from
    // making the page unbounded.
    for _ in 0..10 {
        let page = state.candor().rights_request_page(which, after.as_deref(), 100).await?;
        all.extend(page.items);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    all.sort_by_key(|r| std::cmp::Reverse(r.request.received_at));
    Ok(all)
}

fn request_row(w: &Words, r: &RightsRequestView) -> RequestRow {
    let q = &r.request;
    let date = |t: time::OffsetDateTime| t.date().to_string();
    let state = w.t(&format!("request-state-{}", q.state.as_str().replace('_', "-")));
    let reason = match q.state {
        RequestState::Rejected => q.rejection.clone(),
        _ => q.extension.as_ref().map(|e| w.t1("request-extended", "reason", &e.reason)),
    };
    RequestRow {
        id: r.id.clone(),
        what: w.t(&format!("request-kind-{}", q.kind.as_str().replace('_', "-"))),
        opened: date(q.received_at),
        state,
        due: date(q.due_at),
        reason,
        download: q.state == RequestState::Completed && matches!(q.kind, RightKind::Access | RightKind::Portability),
    }
}

fn empty_corrections() -> CorrectForm {
    CorrectForm { csrf: String::new(), name: String::new(), email: String::new(), phone: String::new(), customer_number: String::new() }
}

/// `POST /privacy/requests`: ask for a copy (access or portability).
pub(crate) async fn open(State(state): State<AppState>, visit: Visit, Form(f): Form<KindForm>) -> Response {
    let result = async {
        let (subject, csrf) = visit.customer()?;
        check_form_csrf(&f.csrf, &csrf)?;
        let kind = match RightKind::parse(&f.kind) {
            Some(k @ (RightKind::Access | RightKind::Portability)) => k,
            _ => return Err(Problem::invalid_input(format!("`{}` is not a request this form makes", crate::api::shorten(&f.kind)))),
        };
        state.candor().open_own_request(subject, kind).await?;
        Ok(kind)
    }
    .await;
    match result {
        Ok(kind) => see_other(&format!("/privacy/requests?done={}#requests", kind.as_str())),
        Err(p) if p.status == StatusCode::CONFLICT.as_u16() => see_other(ALREADY),
        Err(p) => visit.problem(&state, &p).await,
    }
}

/// `POST /privacy/requests/correct`: ask for a correction; a mistake in
/// the form shows the form again with what was typed and what is wrong.
pub(crate) async fn correct(State(state): State<AppState>, visit: Visit, Form(f): Form<CorrectForm>) -> Response {
    let (subject, csrf) = match visit.customer().and_then(|(s, c)| check_form_csrf(&f.csrf, &c).map(|()| (s, c))) {
        Ok(ok) => ok,
        Err(p) => return visit.problem(&state, &p).await,
    };
    let given = [("name", &f.name), ("email", &f.email), ("phone", &f.phone), ("customer_number", &f.customer_number)];
    // A value past any field's limit is not echoed back into the form.
    let (error, shown) = if given.iter().any(|(_, v)| v.chars().count() > 254) {
        (visit.w.t("correct-too-long"), empty_corrections())
    } else {
        let corrections: Vec<(String, String)> = given.iter().map(|(k, v)| ((*k).to_owned(), (*v).clone())).collect();
        match state.candor().request_correction(subject, &corrections).await {
            Ok(_) => return see_other("/privacy/requests?done=rectification#requests"),
            Err(e) => {
                let p = Problem::from(e);
                if p.status == StatusCode::CONFLICT.as_u16() {
                    return see_other(ALREADY);
                }
                if p.status != StatusCode::UNPROCESSABLE_ENTITY.as_u16() {
                    return visit.problem(&state, &p).await;
                }
                (visit.w.t1("correct-invalid", "detail", &p.detail), f)
            }
        }
    };
    match requests_page(&state, &visit, subject, csrf, None, Some(error), &shown).await {
        Ok(r) => r,
        Err(p) => visit.problem(&state, &p).await,
    }
}

/// `GET /privacy/delete`: what an erasure would delete and keep, then
/// the one button that asks for it (or the request already open).
pub(crate) async fn delete_page(State(state): State<AppState>, visit: Visit) -> Response {
    let (subject, csrf) = match visit.signed_in(&state).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match deletion(&state, &visit, subject, csrf).await {
        Ok(r) => r,
        Err(p) => visit.problem(&state, &p).await,
    }
}

async fn deletion(state: &AppState, visit: &Visit, subject: SubjectId, csrf: String) -> Result<Response, Problem> {
    let w = visit.w;
    let preview = state.candor().erasure_preview(subject).await?;
    let mut deleted: Vec<String> = preview.deleted_categories.iter().map(|c| category_words(&w, c.as_str())).collect();
    deleted.dedup();
    let messages = (preview.interactions_deleted > 0).then(|| w.t1("delete-messages", "count", &preview.interactions_deleted.to_string()));
    let kept = preview
        .kept
        .iter()
        .map(|k| {
            let mut what: Vec<String> = k.categories.iter().map(|c| category_words(&w, c.as_str())).collect();
            what.dedup();
            KeptRow { why: k.purpose_name.clone(), what: what.join(", "), until: k.until.to_string(), reason: k.reason.clone() }
        })
        .collect();
    let pending =
        own_requests(state, subject).await?.iter().find(|r| r.request.kind == RightKind::Erasure && !r.request.state.is_final()).map(|r| {
            let row = request_row(&w, r);
            let words = w.tn("delete-pending", &[("opened", &row.opened), ("state", &row.state), ("due", &row.due)]);
            (row.id, words)
        });
    let page = DeletePage { frame: visit.frame(state, Some(csrf.clone())).await, csrf, deleted, messages, kept, pending };
    Ok(visit.render(StatusCode::OK, &page))
}

/// `POST /privacy/delete`: ask for erasure.
pub(crate) async fn delete(State(state): State<AppState>, visit: Visit, Form(f): Form<DeleteForm>) -> Response {
    let result = async {
        let (subject, csrf) = visit.customer()?;
        check_form_csrf(&f.csrf, &csrf)?;
        state.candor().open_own_request(subject, RightKind::Erasure).await?;
        Ok::<(), Problem>(())
    }
    .await;
    match result {
        Ok(()) => see_other("/privacy/requests?done=erasure#requests"),
        Err(p) if p.status == StatusCode::CONFLICT.as_u16() => see_other(ALREADY),
        Err(p) => visit.problem(&state, &p).await,
    }
}

/// `GET /privacy/requests/{id}/download`: the customer's own bundle as
/// one zip. Another customer's request answers as one that does not exist.
pub(crate) async fn download(State(state): State<AppState>, visit: Visit, Path(id): Path<String>) -> Response {
    let result = async {
        let (subject, _) = visit.customer()?;
        let c = state.candor();
        let r = c.rights_request(&id).await?;
        if r.subject != subject {
            return Err(candor_service::ServiceError::UnknownRequest(id.clone()).into());
        }
        Ok(c.bundle_zip("subject", &state.settings().server.exports_dir, &r).await?)
    }
    .await;
    match result {
        Ok(zip) => {
            let mut r = zip.bytes.into_response();
            let headers = r.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/zip"));
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{}\"", zip.name)) {
                headers.insert(header::CONTENT_DISPOSITION, v);
            }
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(p) => visit.problem(&state, &p).await,
    }
}
