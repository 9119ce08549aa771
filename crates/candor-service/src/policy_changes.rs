//! What changed in the policy, for the customers it is about: every
//! published version with its date and what changed against the one
//! before (each change with a message id and arguments that a page puts
//! in its reader's words, and its English description), and, for one
//! customer, the consent that a material change made outdated and that
//! the access gate no longer counts until they give it again.

use candor_domain::policy::Policy;
use candor_domain::{diff, Change, ConsentState, PolicyContext, PurposeId, SubjectId};
use serde::Serialize;
use time::OffsetDateTime;

use crate::{Candor, Result};

/// One published version and what it changed.
#[derive(Clone, Debug, Serialize)]
pub struct VersionChanges {
    /// Its number.
    pub version: u32,
    /// When it was published.
    #[serde(with = "time::serde::rfc3339")]
    pub published_at: OffsetDateTime,
    /// What changed against the version before (none for the first).
    pub changes: Vec<ChangeEntry>,
    /// The consent-based purposes whose earlier consent it made outdated.
    pub fresh_consent: Vec<PurposeId>,
}

impl VersionChanges {
    /// Whether any change is material (customers were told).
    pub fn material(&self) -> bool {
        self.changes.iter().any(|c| c.change.material)
    }
}

/// One change, with the name of the purpose it is about.
#[derive(Clone, Debug, Serialize)]
pub struct ChangeEntry {
    /// The change (its `wording` is the message a page shows).
    pub change: Change,
    /// The purpose's name, when the change is about a purpose (from the
    /// version that has it).
    pub purpose_name: Option<String>,
}

/// A purpose whose consent the customer must give again.
#[derive(Clone, Debug, Serialize)]
pub struct Renewal {
    /// The purpose.
    pub purpose: PurposeId,
    /// Its name.
    pub name: String,
    /// The version the consent was given under.
    pub given_under: u32,
    /// The version whose material change made it outdated.
    pub changed_in: u32,
}

impl Candor {
    /// Every published version, newest first, with what changed against
    /// the version before it.
    pub async fn policy_changes(&self) -> Result<Vec<VersionChanges>> {
        let records = self.store.policy_versions().await?;
        let mut out = Vec::with_capacity(records.len());
        let mut previous: Option<Policy> = None;
        for r in &records {
            let policy = crate::policy::parse_stored(r)?;
            let (changes, fresh_consent) = match &previous {
                Some(old) => {
                    let d = diff(old, &policy);
                    let entries = d.changes.into_iter().map(|change| entry(change, old, &policy)).collect();
                    (entries, d.fresh_consent)
                }
                None => (Vec::new(), Vec::new()),
            };
            out.push(VersionChanges { version: r.version, published_at: r.published_at, changes, fresh_consent });
            previous = Some(policy);
        }
        out.reverse();
        Ok(out)
    }

    /// The purposes whose consent `subject` gave before a material change
    /// and must give again (one read of their consent ledger).
    pub async fn consent_to_renew(&self, subject: SubjectId) -> Result<Vec<Renewal>> {
        let ctx = self.policy_context().await?;
        let Some(events) = self.store.subject_consent(subject).await? else { return Err(self.missing_subject(subject).await) };
        let state = ConsentState::from_events(events.iter().map(|e| &e.event));
        Ok(renewals_in(&ctx, &state))
    }
}

/// The purposes whose consent, folded in `state`, was given before a
/// material change of the policy in `ctx` and must be given again: for a
/// caller that has read the ledger already.
pub fn renewals_in(ctx: &PolicyContext, state: &ConsentState) -> Vec<Renewal> {
    ctx.outdated_consent(state)
        .into_iter()
        .map(|(p, given_under)| Renewal {
            purpose: p.id.clone(),
            name: p.name.clone(),
            given_under,
            changed_in: ctx.fresh_consent_since.get(&p.id).copied().unwrap_or(ctx.version),
        })
        .collect()
}

/// `change` with its purpose's name, from the newer version or, for a
/// purpose it removed, the older.
fn entry(change: Change, old: &Policy, new: &Policy) -> ChangeEntry {
    let purpose_name = change.purpose.as_ref().and_then(|id| new.purposes.get(id).or_else(|| old.purposes.get(id))).map(|p| p.name.clone());
    ChangeEntry { change, purpose_name }
}

/// What publishing a policy file would do, before it is published.
#[derive(Clone, Debug, Serialize)]
pub struct PublishPreview {
    /// The file checked.
    pub policy: Policy,
    /// What changes against the version in force.
    pub diff: candor_domain::PolicyDiff,
    /// Customers whose consent in effect now the change would make
    /// outdated (they must consent again before it counts).
    pub stale_consent: u64,
}

impl Candor {
    /// Check `content` (named `file` in errors) and say what publishing it
    /// would change and how many customers' consent it would make stale:
    /// those whose consent to a purpose needing fresh consent is in effect
    /// now.
    pub async fn preview_policy(&self, file: &str, content: &str) -> Result<PublishPreview> {
        let policy = crate::policy::check_text(file, content)?;
        let ctx = self.policy_context().await?;
        let d = diff(&ctx.policy, &policy);
        let purposes: Vec<&candor_domain::Purpose> = d.fresh_consent.iter().filter_map(|p| ctx.policy.purpose(p.as_str())).collect();
        let stale_consent = if purposes.is_empty() {
            0
        } else {
            let states = crate::analytics::consent_states(&*self.store).await?;
            let in_effect = |s: &ConsentState| purposes.iter().any(|p| candor_domain::consent_allows(&ctx, p, s, &[]).is_ok());
            states.values().filter(|s| in_effect(s)).count() as u64
        };
        Ok(PublishPreview { policy, diff: d, stale_consent })
    }
}
