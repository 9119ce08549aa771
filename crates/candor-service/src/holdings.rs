//! What is held about a customer, detail by detail, as the privacy center
//! tells them (GDPR Art. 15(1)(d) and (g), Art. 13(2)(a)): each identity
//! and profile detail with its value, where it came from and until when
//! it is kept and why; their messages counted by platform, never read.
//!
//! "Until when" follows the policy: a detail is kept for the purposes in
//! force for this customer that read its category (and any legal hold
//! placed on them that covers it, from when it was placed), for the
//! longest of their retention periods counted from the customer's last
//! contact or from when candor got their record, whichever is later: the
//! same reckoning the portability export states per purpose. A detail no purpose in force reads is said
//! to be unused, so the customer knows to ask for its deletion.

use std::collections::BTreeMap;

use candor_domain::{CategoryId, PolicyContext, Provenance, PurposeId, SubjectId};
use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

use crate::consent::ConsentOverview;
use crate::subjects::FieldView;
use crate::{Candor, Result};

/// Everything held about one customer.
#[derive(Clone, Debug, Serialize)]
pub struct Holdings {
    /// Identities and profile details, identities first.
    pub details: Vec<HeldDetail>,
    /// Their messages, counted by platform and by public or private.
    pub messages: Vec<HeldMessages>,
}

/// One identity or profile detail.
#[derive(Clone, Debug, Serialize)]
pub struct HeldDetail {
    /// `email`, `handle:x`, `name`, …
    pub field: String,
    /// Its data category.
    pub category: CategoryId,
    /// The value.
    pub value: String,
    /// Where it came from.
    pub source: Provenance,
    /// Until when it is kept, and why.
    pub kept: Keeping,
}

/// The customer's messages on one platform of one category.
#[derive(Clone, Debug, Serialize)]
pub struct HeldMessages {
    /// `x`, `facebook`, …
    pub platform: String,
    /// `user.content.public` (posts, replies, reviews) or
    /// `user.content.private` (direct messages).
    pub category: CategoryId,
    /// How many.
    pub count: u64,
    /// The earliest.
    #[serde(with = "time::serde::rfc3339")]
    pub first: OffsetDateTime,
    /// The latest.
    #[serde(with = "time::serde::rfc3339")]
    pub last: OffsetDateTime,
    /// Until when they are kept, and why.
    pub kept: Keeping,
}

/// Until when a detail is kept, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Keeping {
    /// Kept for these purposes (longest retention first) until `until`.
    For {
        /// The last day it is kept unless the customer is in touch again.
        until: Date,
        /// The purposes (and legal holds) that keep it.
        purposes: Vec<PurposeId>,
    },
    /// No purpose in force reads it.
    Unused,
}

/// A period of retention that keeps a category: from a purpose in force
/// (counted from the last contact) or a legal hold (from when it was placed).
struct Keeper {
    purpose: PurposeId,
    categories: Vec<CategoryId>,
    until: OffsetDateTime,
}

impl Candor {
    /// What is held about `subject`, detail by detail (decrypted for the
    /// customer and audited as their own view), with `overview` saying
    /// which purposes are in force for them.
    pub async fn holdings(&self, subject: SubjectId, overview: &ConsentOverview) -> Result<Holdings> {
        let ctx = self.policy_context().await?;
        let record = self.subject_record(subject).await?;
        let tally = self.store.subject_interaction_tally(subject).await?;
        let last_contact = tally.iter().map(|t| t.last).max().unwrap_or(record.created_at).max(record.created_at);
        let keepers = self.keepers(&ctx, subject, overview, last_contact).await?;
        let details = self
            .open_own_fields(&record)
            .await?
            .into_iter()
            .filter_map(|f: FieldView| {
                let kept = keeping(&keepers, &f.category);
                f.value.map(|value| HeldDetail { field: f.field, category: f.category, value, source: f.source, kept })
            })
            .collect();
        let mut grouped: BTreeMap<(String, CategoryId), HeldMessages> = BTreeMap::new();
        for t in tally {
            let category = CategoryId::new(if t.kind == "direct_message" { "user.content.private" } else { "user.content.public" });
            let kept = keeping(&keepers, &category);
            let entry = grouped.entry((t.platform.clone(), category.clone())).or_insert_with(|| HeldMessages {
                platform: t.platform.clone(),
                category,
                count: 0,
                first: t.first,
                last: t.last,
                kept,
            });
            entry.count += t.count;
            entry.first = entry.first.min(t.first);
            entry.last = entry.last.max(t.last);
        }
        Ok(Holdings { details, messages: grouped.into_values().collect() })
    }

    /// The purposes in force for the customer and their binding legal
    /// holds, each with the categories it keeps and until when.
    async fn keepers(
        &self,
        ctx: &PolicyContext,
        subject: SubjectId,
        overview: &ConsentOverview,
        last_contact: OffsetDateTime,
    ) -> Result<Vec<Keeper>> {
        let mut keepers: Vec<Keeper> = overview
            .purposes
            .iter()
            .filter(|s| s.in_effect)
            .filter_map(|s| ctx.policy.purpose(s.purpose.as_str()))
            // A legal-hold purpose keeps data only under a hold placed on
            // this customer, counted below.
            .filter(|p| !p.legal_hold)
            .map(|p| Keeper {
                purpose: p.id.clone(),
                categories: p.categories.clone(),
                until: last_contact + Duration::days(i64::from(p.retention_days)),
            })
            .collect();
        for (hold, p) in self.active_holds(ctx, subject, self.now()).await? {
            keepers.push(Keeper {
                purpose: p.id.clone(),
                categories: p.categories.clone(),
                until: hold.placed_at + Duration::days(i64::from(p.retention_days)),
            });
        }
        Ok(keepers)
    }
}

/// Until when the keepers that read `category` keep it: the latest of
/// their ends, naming them latest first.
fn keeping(keepers: &[Keeper], category: &CategoryId) -> Keeping {
    let mut reading: Vec<&Keeper> = keepers.iter().filter(|k| k.categories.iter().any(|c| c.covers(category))).collect();
    reading.sort_by(|a, b| b.until.cmp(&a.until).then_with(|| a.purpose.cmp(&b.purpose)));
    let Some(first) = reading.first() else { return Keeping::Unused };
    let mut purposes: Vec<PurposeId> = Vec::new();
    for k in &reading {
        if !purposes.contains(&k.purpose) {
            purposes.push(k.purpose.clone());
        }
    }
    Keeping::For { until: first.until.date(), purposes }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn id(s: &str) -> PurposeId {
        PurposeId::parse(s).expect("a purpose id")
    }

    fn keeper(purpose: &str, categories: &[&str], until: OffsetDateTime) -> Keeper {
        Keeper { purpose: id(purpose), categories: categories.iter().map(|c| CategoryId::new(*c)).collect(), until }
    }

    #[test]
    fn a_detail_is_kept_until_the_latest_end_of_the_purposes_that_read_it() {
        let keepers = [
            keeper("customer_service", &["user.contact", "user.content"], datetime!(2027-06-01 0:00 UTC)),
            keeper("analytics", &["user.content.public"], datetime!(2028-01-01 0:00 UTC)),
            keeper("billing_hold", &["user.contact.email"], datetime!(2027-09-01 0:00 UTC)),
        ];
        assert_eq!(
            keeping(&keepers, &CategoryId::new("user.contact.email")),
            Keeping::For { until: time::macros::date!(2027 - 09 - 01), purposes: vec![id("billing_hold"), id("customer_service")] }
        );
        assert_eq!(
            keeping(&keepers, &CategoryId::new("user.content.public")),
            Keeping::For { until: time::macros::date!(2028 - 01 - 01), purposes: vec![id("analytics"), id("customer_service")] }
        );
    }

    #[test]
    fn a_detail_no_purpose_in_force_reads_is_unused() {
        let keepers = [keeper("analytics", &["user.content.public"], datetime!(2028-01-01 0:00 UTC))];
        assert_eq!(keeping(&keepers, &CategoryId::new("user.contact.phone_number")), Keeping::Unused);
        // A wider category is not read by a purpose of a narrower one.
        assert_eq!(keeping(&keepers, &CategoryId::new("user.content")), Keeping::Unused);
        assert_eq!(keeping(&[], &CategoryId::new("user.name")), Keeping::Unused);
    }
}
