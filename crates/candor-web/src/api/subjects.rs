//! Subjects: find by an identifier, read through the access gate for a
//! purpose, create, link identities, and their interactions with text
//! redacted or shown per purpose. A denial is an `access-denied` problem
//! that says why; nothing is decrypted for it.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use candor_domain::{Decision, Identifier};
use candor_service::subjects::NewSubjectInput;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{purpose, subject_id, transcode, Json, Path, Query};
use crate::auth::{Operation, Staff};
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// The purpose of a read (`X-Candor-Purpose` takes precedence).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PurposeQuery {
    /// Why the data is read, e.g. `customer_service`.
    pub purpose: Option<String>,
}

/// Interactions to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InteractionsQuery {
    /// Why the data is read, e.g. `customer_service`.
    pub purpose: Option<String>,
    /// At most this many, newest first (1 to 1000, default 100; outside
    /// that, 422).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    /// Where the page starts: the cursor the previous page's `Link:
    /// rel="next"` gave (absent: the newest).
    pub after: Option<String>,
}

/// A new subject.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubject {
    /// E-mail address.
    pub email: Option<String>,
    /// Handles as `PLATFORM:HANDLE`.
    #[serde(default)]
    pub handles: Vec<String>,
    /// Platform account ids as `PLATFORM:ID`.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// CRM customer number.
    pub customer_number: Option<String>,
    /// Name.
    pub name: Option<String>,
}

/// One identifier to find a subject by.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindQuery {
    /// E-mail address.
    pub email: Option<String>,
    /// `PLATFORM:HANDLE`, e.g. `x:@alice`.
    pub handle: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// CRM customer number.
    pub customer_number: Option<String>,
}

/// A subject's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct SubjectRef {
    /// The subject id.
    #[schema(format = "uuid")]
    pub id: String,
}

/// Identifiers linked to a subject.
#[derive(Debug, Serialize, ToSchema)]
pub struct Linked {
    /// The subject id.
    #[schema(format = "uuid")]
    pub id: String,
    /// How many of the identifiers given were new.
    pub linked: usize,
}

/// Pseudonymous facts about a subject: no personal data.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectSummaryBody {
    /// The subject id.
    #[schema(format = "uuid")]
    pub id: String,
    /// What the audit log calls them.
    pub pseudonym: String,
    /// When the record was created (RFC 3339).
    #[schema(format = DateTime)]
    pub created_at: String,
    /// Kinds of identifiers linked (`email`, `handle:x`, …).
    pub identifiers: Vec<String>,
    /// Names of profile attributes held.
    pub attributes: Vec<String>,
    /// The key-encryption key their data key is wrapped under.
    pub kek_id: String,
}

/// One personal field, its value shown only where permitted.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldBody {
    /// `email`, `handle:x`, `name`, …
    pub field: String,
    /// Its data category.
    pub category: String,
    /// The value, when permitted.
    pub value: Option<String>,
    /// Why it is withheld, when it is.
    pub withheld: Option<String>,
    /// Where it came from: `platform:NAME` (read off that platform),
    /// `crm` (the CRM contacts import), `staff` (entered by staff),
    /// `correction` (changed at the customer's request) or `unrecorded`
    /// (stored before candor kept sources).
    pub source: String,
}

/// The access gate's answer: allowed, with the categories the purpose may
/// read and those it may not (a denial is a problem response instead).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AllowedBody {
    /// `allow`.
    #[schema(value_type = super::vocabulary::AllowDecision)]
    pub decision: String,
    /// Categories that may be read.
    pub permitted: Vec<String>,
    /// Categories refused, each as `[category, why]`.
    #[schema(value_type = Vec<Vec<String>>)]
    pub withheld: Vec<(String, String)>,
}

/// A subject as the purpose may see them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectBody {
    /// The pseudonymous facts.
    pub summary: SubjectSummaryBody,
    /// The gate's answer.
    pub decision: AllowedBody,
    /// Each personal field, with its value only where permitted.
    pub fields: Vec<FieldBody>,
}

/// One interaction as the purpose may see it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionBody {
    /// `x`, …
    pub platform: String,
    /// The platform's id.
    pub external_id: String,
    /// mention, reply, direct_message, …
    #[schema(value_type = super::vocabulary::InteractionKind)]
    pub kind: String,
    /// inbound or outbound.
    #[schema(value_type = super::vocabulary::Direction)]
    pub direction: String,
    /// When (RFC 3339).
    #[schema(format = DateTime)]
    pub occurred_at: String,
    /// Its data category (public post or private message).
    pub category: String,
    /// The text with personal data redacted.
    pub redacted_text: String,
    /// The original text, where the purpose permits it.
    pub text: Option<String>,
}

/// A subject's interactions as the purpose may see them.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InteractionsBody {
    /// The gate's answer.
    pub decision: AllowedBody,
    /// Newest first.
    pub items: Vec<InteractionBody>,
}

impl From<NewSubject> for NewSubjectInput {
    fn from(s: NewSubject) -> Self {
        Self { email: s.email, handles: s.handles, accounts: s.accounts, phone: s.phone, customer_number: s.customer_number, name: s.name }
    }
}

fn invalid(detail: &str) -> Problem {
    Problem::invalid_input(detail)
}

/// Find a subject by one identifier, through the blind index.
#[utoipa::path(get, path = "/api/v1/subjects", tag = "subjects", params(FindQuery),
    responses((status = 200, description = "the subject's id", body = SubjectRef), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn find(State(state): State<AppState>, staff: Staff, Query(q): Query<FindQuery>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::SubjectsRead)?;
    let bad = |field: &str, e: candor_domain::IdentifierError| invalid(&format!("`{field}`: {e}"));
    let identifier = match (q.email, q.handle, q.phone, q.customer_number) {
        (Some(e), None, None, None) => Identifier::email(&e).map_err(|e| bad("email", e))?,
        (None, Some(h), None, None) => Identifier::parse_handle(&h).map_err(|e| bad("handle", e))?,
        (None, None, Some(p), None) => state.candor().phone_identifier(&p).map_err(|e| bad("phone", e))?,
        (None, None, None, Some(c)) => Identifier::customer_number(&c).map_err(|e| bad("customer_number", e))?,
        _ => return Err(invalid("give exactly one of `email`, `handle`, `phone`, `customer_number`")),
    };
    match state.candor().find_subject(&identifier).await? {
        Some(id) => Ok(axum::Json(SubjectRef { id: id.to_string() })),
        None => Err(Problem::not_found("unknown-subject", format!("no subject has this {}", identifier.kind()))),
    }
}

/// Link more identifiers to a subject (the same fields as a new subject's,
/// without a name); answers how many were new.
#[utoipa::path(post, path = "/api/v1/subjects/{id}/identities", tag = "subjects", request_body = NewSubject,
    params(("id" = String, Path, description = "subject id")),
    responses((status = 200, body = Linked), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn link(
    State(state): State<AppState>,
    staff: Staff,
    Path(id): Path<String>,
    Json(n): Json<NewSubject>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::SubjectsWrite)?;
    let id = subject_id(&id)?;
    if n.name.is_some() {
        return Err(invalid("`name` is not an identifier; correct it with a rectification request"));
    }
    let input = NewSubjectInput::from(n);
    let linked = state.candor().link_identities(&staff.actor.id, id, &input).await?;
    Ok(axum::Json(Linked { id: id.to_string(), linked }))
}

/// The gate said no: a problem that says why.
fn denied(d: &Decision) -> Option<Problem> {
    match d {
        Decision::Deny(reason) => Some(crate::problem::denied(reason, format!("denied: {reason}"))),
        Decision::Allow { .. } => None,
    }
}

/// A subject's fields, decrypted where the gate allows the purpose.
#[utoipa::path(get, path = "/api/v1/subjects/{id}", operation_id = "subject_show", tag = "subjects",
    params(("id" = String, Path, description = "subject id"), PurposeQuery),
    responses((status = 200, description = "the subject as the purpose may see them", body = SubjectBody),
        (status = 400, body = Problem, content_type = "application/problem+json"), (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"), (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 410, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<PurposeQuery>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::SubjectsRead)?;
    let id = subject_id(&id)?;
    let purpose = purpose(&headers, q.purpose.as_deref(), "customer_service")?;
    let view = state.candor().view_subject(&staff.actor.id, id, &purpose).await?;
    if let Some(p) = denied(&view.decision) {
        return Err(p);
    }
    Ok(axum::Json(transcode::<_, SubjectBody>(&view)?))
}

/// Create a subject from identifiers; answers its id.
#[utoipa::path(post, path = "/api/v1/subjects", tag = "subjects", request_body = NewSubject,
    responses((status = 201, description = "created", body = SubjectRef), (status = 409, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn create(State(state): State<AppState>, staff: Staff, Json(s): Json<NewSubject>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::SubjectsWrite)?;
    let id = state.candor().add_subject(&staff.actor.id, &s.into()).await?;
    Ok((StatusCode::CREATED, axum::Json(SubjectRef { id: id.to_string() })))
}

/// A subject's interactions, newest first: redacted text always, the
/// original only where the purpose permits its category.
#[utoipa::path(get, path = "/api/v1/subjects/{id}/interactions", tag = "subjects",
    params(("id" = String, Path, description = "subject id"), InteractionsQuery),
    responses((status = 200, body = InteractionsBody, headers(("Link" = String, description = "`<…?after=CURSOR&limit=N>; rel=\"next\"` when there are more: where the next page starts"))), (status = 400, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"), (status = 410, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json")),
    security(("bearer" = [])))]
pub async fn interactions(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<InteractionsQuery>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::InteractionsRead)?;
    let id = subject_id(&id)?;
    let purpose = purpose(&headers, q.purpose.as_deref(), "customer_service")?;
    let limit = super::page_limit(q.limit, 100, 1_000)?;
    let view = state.candor().view_interactions(&staff.actor.id, id, &purpose, true, q.after.as_deref(), limit).await?;
    if let Some(p) = denied(&view.decision) {
        return Err(p);
    }
    let keep: Vec<(&str, String)> = q.purpose.iter().map(|p| ("purpose", p.clone())).collect();
    let path = format!("/api/v1/subjects/{id}/interactions");
    Ok(super::page::respond(transcode::<_, InteractionsBody>(&view)?, &path, &keep, limit, view.next))
}
