//! What a customer is owed sight of, for the privacy center: who did
//! what with their data (their own entries of the audit log, staff named
//! by role, never by name) and who their data goes to (the recipients of
//! the purposes in force, with the agreement each is under).

use std::collections::BTreeMap;

use candor_domain::{CategoryId, PurposeId, Role, SubjectId};
use serde::Serialize;
use time::{Date, OffsetDateTime};

use crate::{Candor, Result};

/// Who an audit entry says acted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reader {
    /// The customer themselves (privacy center, their own requests).
    You,
    /// A staff member, by their roles.
    Staff {
        /// Their roles when the page is shown.
        roles: Vec<Role>,
    },
    /// candor itself or an operator's tool (imports, scheduled work, the
    /// command line without a named actor).
    Operator,
}

/// One entry of the audit log about the customer, as they may see it.
#[derive(Clone, Debug, Serialize)]
pub struct Reading {
    /// When.
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Who, by role.
    pub reader: Reader,
    /// What was done: the audit action (`access.decide`, `rights.export`, …).
    pub action: String,
    /// For which purpose, when one was named.
    pub purpose: Option<String>,
    /// Whether the access gate allowed it, for decisions.
    pub allowed: Option<bool>,
}

/// A recipient the customer's data goes to under a purpose in force.
#[derive(Clone, Debug, Serialize)]
pub struct Disclosure {
    /// The recipient's name.
    pub recipient: String,
    /// Its country.
    pub country: String,
    /// The purpose the data goes to it for.
    pub purpose: PurposeId,
    /// That purpose's name.
    pub purpose_name: String,
    /// The categories the agreement covers.
    pub categories: Vec<CategoryId>,
    /// The sharing agreement's reference.
    pub agreement: String,
    /// When the agreement runs from and until.
    pub valid_from: Date,
    /// Until.
    pub valid_until: Date,
    /// Whether the customer's choices let the sharing happen now.
    pub in_effect: bool,
}

impl Candor {
    /// Up to `limit` audit entries about `subject` made by someone other
    /// than the customer, newest first.
    pub async fn readings(&self, subject: SubjectId, limit: u32) -> Result<Vec<Reading>> {
        let record = self.subject_record(subject).await?;
        let roles: BTreeMap<String, Vec<Role>> = self.actors().await?.into_iter().map(|a| (a.id, a.roles)).collect();
        // The customer's own entries (each visit, each choice) are left
        // out by the store's index, so many visits cost nothing here.
        let page = self.store.audit_recent_about_by_others(&record.pseudonym, None, limit).await?;
        Ok(page
            .into_iter()
            .map(|e| {
                let r = e.record;
                let reader = match roles.get(&r.actor) {
                    Some(roles) => Reader::Staff { roles: roles.clone() },
                    None => Reader::Operator,
                };
                let allowed = r.decision.as_deref().map(|d| d == "allow");
                Reading { at: r.at, reader, action: r.action, purpose: r.purpose, allowed }
            })
            .collect())
    }

    /// The recipients of the purposes in force that name one, for
    /// `subject`: what candor records until a disclosure log exists.
    pub async fn disclosures(&self, subject: SubjectId) -> Result<Vec<Disclosure>> {
        let ctx = self.policy_context().await?;
        let overview = self.consent_overview(subject).await?;
        Ok(disclosures_in(&ctx, &overview))
    }
}

/// The recipients of the purposes in force that name one, with whether
/// the customer's choices in `overview` let each receive their data: for
/// a caller that read the overview already.
pub fn disclosures_in(ctx: &candor_domain::PolicyContext, overview: &crate::consent::ConsentOverview) -> Vec<Disclosure> {
    let mut out = Vec::new();
    for p in ctx.policy.purposes.values() {
        let Some(r) = p.recipient.as_ref().and_then(|id| ctx.policy.recipients.get(id)) else { continue };
        let in_effect = overview.purposes.iter().any(|s| s.purpose == p.id && s.in_effect);
        out.push(Disclosure {
            recipient: r.name.clone(),
            country: r.country.clone(),
            purpose: p.id.clone(),
            purpose_name: p.name.clone(),
            categories: r.agreement.categories.clone(),
            agreement: r.agreement.reference.clone(),
            valid_from: r.agreement.valid_from,
            valid_until: r.agreement.valid_until,
            in_effect,
        });
    }
    out
}
