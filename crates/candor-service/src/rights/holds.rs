//! Legal holds: a retention obligation on one customer's data (a dispute,
//! a refund claim), for a purpose the policy marks `legal_hold = true`.
//! While a hold stands, and at most for the purpose's retention period, an
//! erasure request deletes what the purpose does not cover and restricts
//! the rest, and the customer is told why.

use candor_domain::{ConsentState, PolicyContext, Purpose, PurposeId, SubjectId};
use candor_store::{LegalHoldRecord, Op, WriteBatch};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::{AuditAction, Candor, Result, ServiceError};

impl Candor {
    /// Place a hold on a subject's data for `purpose`, with the reason the
    /// customer will be shown.
    pub async fn place_hold(&self, actor: &str, subject: SubjectId, purpose: &str, reason: &str) -> Result<()> {
        let ctx = self.policy_context().await?;
        let p = hold_purpose(&ctx, purpose)?;
        if reason.trim().is_empty() {
            return Err(ServiceError::InvalidInput("a hold needs a reason: the customer is shown it".into()));
        }
        let r = self.subject_record(subject).await?;
        let audit =
            self.audit(actor, AuditAction::HoldPlace, json!({ "reason": reason.trim() })).subject(r.pseudonym).purpose(p.id.as_str());
        let op =
            Op::PlaceHold { subject, purpose: p.id.to_string(), reason: reason.trim().to_owned(), actor: actor.to_owned(), at: self.now() };
        self.store.apply(WriteBatch::one(op, audit)).await?;
        Ok(())
    }

    /// Release a subject's holds for `purpose`; returns how many stood.
    pub async fn release_hold(&self, actor: &str, subject: SubjectId, purpose: &str) -> Result<u64> {
        let r = self.subject_record(subject).await?;
        let audit = self.audit(actor, AuditAction::HoldRelease, json!({})).subject(r.pseudonym).purpose(purpose);
        let op = Op::ReleaseHold { subject, purpose: purpose.to_owned(), at: self.now() };
        let out = self.store.apply(WriteBatch::one(op, audit)).await?;
        Ok(match out.first() {
            Some(candor_store::Outcome::Count(n)) => *n,
            _ => 0,
        })
    }

    /// A subject's holds that still bind at `now`, with their purposes: a
    /// hold whose purpose the policy no longer marks as a legal hold, or
    /// whose retention period ran out, keeps nothing.
    pub async fn active_holds<'c>(
        &self,
        ctx: &'c PolicyContext,
        subject: SubjectId,
        now: OffsetDateTime,
    ) -> Result<Vec<(LegalHoldRecord, &'c Purpose)>> {
        Ok(self
            .store
            .legal_holds(subject)
            .await?
            .into_iter()
            .filter_map(|h| {
                let p = ctx.policy.purpose(&h.purpose).filter(|p| p.legal_hold)?;
                (h.placed_at + Duration::days(i64::from(p.retention_days)) > now).then_some((h, p))
            })
            .collect())
    }
}

impl Candor {
    /// The purposes a legal hold on `subject` stands for at `now`, which
    /// the access gate lets use restricted data (GDPR Art. 18(2)). Only a
    /// restricted subject's holds matter to the gate, so an unrestricted
    /// `state` costs no lookup.
    pub(crate) async fn held_purposes(
        &self,
        ctx: &PolicyContext,
        subject: SubjectId,
        state: &ConsentState,
        now: OffsetDateTime,
    ) -> Result<Vec<PurposeId>> {
        if !state.restricted {
            return Ok(Vec::new());
        }
        Ok(self.active_holds(ctx, subject, now).await?.into_iter().map(|(_, p)| p.id.clone()).collect())
    }
}

fn hold_purpose<'c>(ctx: &'c PolicyContext, purpose: &str) -> Result<&'c Purpose> {
    let holdable: Vec<&str> = ctx.policy.purposes.values().filter(|p| p.legal_hold).map(|p| p.id.as_str()).collect();
    match ctx.policy.purpose(purpose) {
        Some(p) if p.legal_hold => Ok(p),
        _ => Err(ServiceError::InvalidInput(format!(
            "`{purpose}` is not a purpose the policy in force marks `legal_hold = true`; {}",
            if holdable.is_empty() { "it marks none".to_owned() } else { format!("those are: {}", holdable.join(", ")) }
        ))),
    }
}
