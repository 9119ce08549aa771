//! What an erasure would do for a customer, said before they ask for it:
//! what goes, what a legal hold keeps and until when, so the deletion page
//! can be honest before the customer presses the button. It is computed
//! from the same holds and fields [`super::erasure`] acts on.

use candor_domain::{CategoryId, SubjectId};
use time::{Date, Duration};

use crate::subjects::sealed_fields;
use crate::{Candor, Result};

/// What erasing a customer now would delete and keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErasurePreview {
    /// The categories of profile and identity data that would go.
    pub deleted_categories: Vec<CategoryId>,
    /// How many of the customer's messages would go.
    pub interactions_deleted: usize,
    /// What legal holds keep, each until its end.
    pub kept: Vec<KeptByHold>,
}

/// Data a legal hold keeps from erasure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptByHold {
    /// The purpose of the hold, by id.
    pub purpose: String,
    /// Its name in the policy.
    pub purpose_name: String,
    /// Why, in the words staff gave when placing it (shown to the customer).
    pub reason: String,
    /// The categories it keeps.
    pub categories: Vec<CategoryId>,
    /// The last day it binds.
    pub until: Date,
}

impl Candor {
    /// What an erasure of `subject` would delete and keep now.
    pub async fn erasure_preview(&self, subject: SubjectId) -> Result<ErasurePreview> {
        let Some(s) = self.store.subject(subject).await? else { return Err(self.missing_subject(subject).await) };
        let ctx = self.policy_context().await?;
        let holds = self.active_holds(&ctx, subject, self.now()).await?;
        let held = |c: &CategoryId| holds.iter().any(|(_, p)| p.categories.iter().any(|pc| pc.covers(c)));
        let interactions = self.store.subject_interactions(subject).await?.len();
        let content = [CategoryId::new("user.content.public"), CategoryId::new("user.content.private")];
        let keep_interactions = interactions > 0 && content.iter().any(held);
        let mut deleted_categories: Vec<CategoryId> = sealed_fields(&s)?.into_iter().map(|f| f.category).filter(|c| !held(c)).collect();
        deleted_categories.sort();
        deleted_categories.dedup();
        let kept = holds
            .iter()
            .map(|(h, p)| KeptByHold {
                purpose: p.id.to_string(),
                purpose_name: p.name.clone(),
                reason: h.reason.clone(),
                categories: p.categories.clone(),
                until: (h.placed_at + Duration::days(i64::from(p.retention_days))).date(),
            })
            .collect();
        Ok(ErasurePreview { deleted_categories, interactions_deleted: if keep_interactions { 0 } else { interactions }, kept })
    }
}
