//! Customers' questions and concerns over the API: staff list, read,
//! answer and close them (`concerns.read`, `concerns.write`), as `candor
//! concerns` does; a signed-in customer raises them and reads their own,
//! with the answers, under `/me`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use candor_service::concerns::{ConcernList, ConcernView};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{rfc3339, Json, Path, Query};
use crate::auth::{Customer, Operation, Staff};
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// A question or concern the customer sends the compliance team.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConcern {
    /// What they ask or are concerned about: 1 to 4000 characters, no
    /// control characters but line breaks and tabs.
    pub message: String,
}

/// Staff's answer, told to the customer (and mailed).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConcernAnswer {
    /// The answer: 1 to 4000 characters, no control characters but line
    /// breaks and tabs.
    pub answer: String,
}

/// Which concerns to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConcernListQuery {
    /// Every concern, not only those waiting for an answer (open ones
    /// still come first).
    pub all: Option<bool>,
    /// Where the page starts: the cursor the previous page's `Link:
    /// rel="next"` gave (absent: the first page).
    pub after: Option<String>,
    /// At most this many (1 to 1000, default 100; outside that, 422).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// A concern as staff see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConcernBody {
    /// Its id.
    pub id: String,
    /// Whose it is (a subject id).
    #[schema(format = "uuid")]
    pub subject: String,
    /// open, answered or closed.
    #[schema(value_type = candor_domain::ConcernState)]
    pub state: String,
    /// When the customer raised it (RFC 3339).
    #[schema(format = DateTime)]
    pub raised_at: String,
    /// When it is due: one calendar month later (RFC 3339).
    #[schema(format = DateTime)]
    pub due_at: String,
    /// Whether it is past its deadline without an answer.
    pub overdue: bool,
    /// When it was answered (RFC 3339).
    #[schema(format = DateTime)]
    pub answered_at: Option<String>,
    /// Who answered it.
    pub answered_by: Option<String>,
    /// When it was closed (RFC 3339).
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    /// The customer's message: in one concern's answers, not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The answer, once there is one: in one concern's answers, not in
    /// lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<String>,
}

/// One of the signed-in customer's own concerns.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyConcernBody {
    /// Its id (the reference mails name).
    pub id: String,
    /// open, answered or closed.
    #[schema(value_type = candor_domain::ConcernState)]
    pub state: String,
    /// When it was raised (RFC 3339).
    #[schema(format = DateTime)]
    pub raised_at: String,
    /// When it is due (RFC 3339).
    #[schema(format = DateTime)]
    pub due_at: String,
    /// When it was answered (RFC 3339).
    #[schema(format = DateTime)]
    pub answered_at: Option<String>,
    /// When it was closed (RFC 3339).
    #[schema(format = DateTime)]
    pub closed_at: Option<String>,
    /// What they wrote.
    pub message: String,
    /// The answer, once there is one.
    pub answer: Option<String>,
}

fn body(v: &ConcernView, now: time::OffsetDateTime) -> Result<ConcernBody, Problem> {
    let c = &v.concern;
    Ok(ConcernBody {
        id: v.id.clone(),
        subject: v.subject.to_string(),
        state: c.state.as_str().to_owned(),
        raised_at: rfc3339(c.raised_at)?,
        due_at: rfc3339(c.due_at)?,
        overdue: c.is_overdue(now),
        answered_at: c.answered_at.map(rfc3339).transpose()?,
        answered_by: c.answered_by.clone(),
        closed_at: c.closed_at.map(rfc3339).transpose()?,
        message: v.message.clone(),
        answer: v.answer.clone(),
    })
}

fn my_body(v: &ConcernView) -> Result<MyConcernBody, Problem> {
    let c = &v.concern;
    Ok(MyConcernBody {
        id: v.id.clone(),
        state: c.state.as_str().to_owned(),
        raised_at: rfc3339(c.raised_at)?,
        due_at: rfc3339(c.due_at)?,
        answered_at: c.answered_at.map(rfc3339).transpose()?,
        closed_at: c.closed_at.map(rfc3339).transpose()?,
        message: v.message.clone().unwrap_or_default(),
        answer: v.answer.clone(),
    })
}

/// Concerns, open ones first, earliest deadline first, a page at a time;
/// without `all`, only those waiting for an answer. Texts are left out:
/// read one concern for them.
#[utoipa::path(get, path = "/api/v1/concerns", operation_id = "concerns_list", tag = "concerns", params(ConcernListQuery),
    responses((status = 200, body = [ConcernBody], headers(("Link" = String, description = "`<…?after=CURSOR&limit=N>; rel=\"next\"` when there are more: where the next page starts"))),
        (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, staff: Staff, Query(q): Query<ConcernListQuery>) -> ApiResult<Response> {
    staff.require(&state, Operation::ConcernsRead)?;
    let limit = super::page_limit(q.limit, 100, candor_service::page::MAX_LIMIT)?;
    let all = q.all.unwrap_or(false);
    let c = state.candor();
    let page = c.concern_page(ConcernList { open_only: !all }, q.after.as_deref(), limit).await?;
    let now = c.now();
    let items = page.items.iter().map(|v| body(v, now)).collect::<Result<Vec<_>, _>>()?;
    let keep: Vec<(&str, String)> = if all { vec![("all", "true".into())] } else { Vec::new() };
    Ok(super::page::respond(items, "/api/v1/concerns", &keep, limit, page.next))
}

/// One concern, with the customer's message and the answer (the reading
/// is audited).
#[utoipa::path(get, path = "/api/v1/concerns/{id}", operation_id = "concern_show", tag = "concerns",
    params(("id" = String, Path, description = "concern id")),
    responses((status = 200, body = ConcernBody), (status = 404, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn show(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::ConcernsRead)?;
    let c = state.candor();
    Ok(axum::Json(body(&c.concern(&staff.actor.id, &id).await?, c.now())?))
}

/// Answer an open concern: stored, and mailed to the customer's address
/// on record.
#[utoipa::path(post, path = "/api/v1/concerns/{id}/answer", operation_id = "concern_answer", tag = "concerns", request_body = ConcernAnswer,
    params(("id" = String, Path, description = "concern id")),
    responses((status = 200, body = ConcernBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn answer(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(a): Json<ConcernAnswer>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::ConcernsWrite)?;
    let c = state.candor();
    Ok(axum::Json(body(&c.answer_concern(&staff.actor.id, &id, &a.answer).await?, c.now())?))
}

/// Close a concern: nothing more to do.
#[utoipa::path(post, path = "/api/v1/concerns/{id}/close", operation_id = "concern_close", tag = "concerns",
    params(("id" = String, Path, description = "concern id")),
    responses((status = 200, body = ConcernBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn close(State(state): State<AppState>, staff: Staff, Path(id): Path<String>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::ConcernsWrite)?;
    let c = state.candor();
    Ok(axum::Json(body(&c.close_concern(&staff.actor.id, &id).await?, c.now())?))
}

/// The signed-in customer's questions and concerns, open ones first, with
/// the answers, a page at a time.
#[utoipa::path(get, path = "/api/v1/me/concerns", operation_id = "my_concerns", tag = "privacy center", params(super::page::PageQuery),
    responses((status = 200, body = [MyConcernBody], headers(("Link" = String, description = "`<…?after=CURSOR&limit=N>; rel=\"next\"` when there are more: where the next page starts"))),
        (status = 401, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn mine(State(state): State<AppState>, me: Customer, Query(q): Query<super::page::PageQuery>) -> ApiResult<Response> {
    let limit = q.limit()?;
    let page = state.candor().my_concern_page(me.subject, q.after.as_deref(), limit).await?;
    let items = page.items.iter().map(my_body).collect::<Result<Vec<_>, _>>()?;
    Ok(super::page::respond(items, "/api/v1/me/concerns", &[], limit, page.next))
}

/// Raise a question or concern as the signed-in customer: due one
/// calendar month from now; a receipt is mailed.
#[utoipa::path(post, path = "/api/v1/me/concerns", operation_id = "raise_my_concern", tag = "privacy center", request_body = NewConcern,
    responses((status = 201, body = MyConcernBody), (status = 401, body = Problem, content_type = "application/problem+json"), (status = 409, description = "as many of the customer's concerns as they may have waiting are waiting for an answer", body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")))]
pub async fn raise(State(state): State<AppState>, me: Customer, Json(n): Json<NewConcern>) -> ApiResult<impl IntoResponse> {
    let raised = state.candor().raise_concern("subject", me.subject, &n.message).await?;
    Ok((StatusCode::CREATED, axum::Json(my_body(&raised)?)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_lists_leave_the_texts_out() {
        let v = ConcernView {
            id: "c1".into(),
            subject: candor_domain::SubjectId::new(),
            subject_pseudonym: "p".into(),
            concern: candor_domain::Concern::raise(time::macros::datetime!(2026-12-01 0:00 UTC)),
            message: None,
            answer: None,
        };
        let json = serde_json::to_value(body(&v, time::macros::datetime!(2027-01-02 0:00 UTC)).unwrap()).unwrap();
        assert!(json.get("message").is_none() && json.get("answer").is_none(), "{json}");
        assert_eq!((json["state"].as_str(), json["overdue"].as_bool()), (Some("open"), Some(true)));
        assert_eq!(json["due_at"], "2027-01-01T00:00:00Z");
    }
}
