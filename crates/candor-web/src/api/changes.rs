//! What changed in the policy, for the signed-in customer: every published
//! version with its date and its changes, and the purposes whose consent
//! a material change made outdated, which they must give again
//! (`POST /api/v1/me/consent` with `grant`).

use std::collections::BTreeMap;

use axum::extract::State;
use axum::response::IntoResponse;
use candor_service::policy_changes::{ChangeEntry, VersionChanges};
use serde::Serialize;
use utoipa::ToSchema;

use super::rfc3339;
use crate::auth::Customer;
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// The policy's versions and the customer's consent to renew.
#[derive(Debug, Serialize, ToSchema)]
pub struct PolicyChangesBody {
    /// Every published version, newest first.
    pub versions: Vec<VersionChangesBody>,
    /// The purposes whose consent the customer gave before a material
    /// change: not in force until given again.
    pub renew: Vec<RenewalBody>,
}

/// One published version and what it changed against the one before.
#[derive(Debug, Serialize, ToSchema)]
pub struct VersionChangesBody {
    /// Its number.
    pub version: u32,
    /// When it was published (RFC 3339).
    #[schema(format = DateTime)]
    pub published_at: String,
    /// Whether a change is material (customers were told).
    pub material: bool,
    /// Each change (none for the first version).
    pub changes: Vec<ChangeEntryBody>,
    /// The purposes whose earlier consent it made outdated.
    pub fresh_consent: Vec<String>,
}

/// One change.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChangeEntryBody {
    /// What changed: a purpose, a recipient, the controller, …
    pub subject: String,
    /// How, in English.
    pub description: String,
    /// Whether it is material.
    pub material: bool,
    /// The message id the privacy center words it with
    /// (`change-retention-longer`, …).
    pub message: String,
    /// The message's arguments: purpose and recipient ids, category ids
    /// joined by `, `, legal bases, numbers and dates.
    pub arguments: BTreeMap<String, String>,
    /// The purpose it is about, if any.
    pub purpose: Option<String>,
    /// That purpose's name.
    pub purpose_name: Option<String>,
}

/// A purpose whose consent must be given again.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenewalBody {
    /// The purpose.
    pub purpose: String,
    /// Its name.
    pub name: String,
    /// The policy version the consent was given under.
    pub given_under: u32,
    /// The version whose material change made it outdated.
    pub changed_in: u32,
}

fn change_body(c: &ChangeEntry) -> ChangeEntryBody {
    ChangeEntryBody {
        subject: c.change.subject.clone(),
        description: c.change.description.clone(),
        material: c.change.material,
        message: c.change.wording.id.to_owned(),
        arguments: c.change.wording.args.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect(),
        purpose: c.change.purpose.as_ref().map(ToString::to_string),
        purpose_name: c.purpose_name.clone(),
    }
}

fn version_body(v: &VersionChanges) -> Result<VersionChangesBody, Problem> {
    Ok(VersionChangesBody {
        version: v.version,
        published_at: rfc3339(v.published_at)?,
        material: v.material(),
        changes: v.changes.iter().map(change_body).collect(),
        fresh_consent: v.fresh_consent.iter().map(ToString::to_string).collect(),
    })
}

/// The policy's published versions, newest first, with what changed in
/// each, and the signed-in customer's consent that a material change made
/// outdated.
#[utoipa::path(get, path = "/api/v1/me/policy/changes", tag = "privacy center",
    responses((status = 200, body = PolicyChangesBody), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn my_policy_changes(State(state): State<AppState>, me: Customer) -> ApiResult<impl IntoResponse> {
    let c = state.candor();
    let versions = c.policy_changes().await?.iter().map(version_body).collect::<Result<Vec<_>, _>>()?;
    let renew = c
        .consent_to_renew(me.subject)
        .await?
        .into_iter()
        .map(|r| RenewalBody { purpose: r.purpose.to_string(), name: r.name, given_under: r.given_under, changed_in: r.changed_in })
        .collect();
    Ok(axum::Json(PolicyChangesBody { versions, renew }))
}
