//! The access decision as a use case: load the actor, the subject's consent
//! ledger and the policy in force, ask the domain's pure `decide`, and write
//! the answer (allowed or denied, which categories, why) to the audit log
//! before anyone sees data.

use candor_domain::{decide, AccessRequest, Actor, CategoryId, ConsentState, Decision, DenyReason, SubjectId};
use candor_store::{SubjectRecord, WriteBatch};
use serde_json::json;

use crate::{AuditAction, Candor, Result};

impl Candor {
    /// Decide whether `actor` may use `categories` of `subject` for
    /// `purpose`, and record the decision in the audit log.
    pub async fn decide(&self, actor: &str, subject: SubjectId, purpose: &str, categories: &[CategoryId]) -> Result<Decision> {
        let r = self.subject_record(subject).await?;
        self.decide_for_record(actor, &r, purpose, categories).await
    }

    pub(crate) async fn decide_for_record(
        &self,
        actor_id: &str,
        r: &SubjectRecord,
        purpose: &str,
        categories: &[CategoryId],
    ) -> Result<Decision> {
        let ctx = self.policy_context().await?;
        let now = self.now();
        let actor: Option<Actor> =
            self.store.actor(actor_id).await?.map(|a| Actor { id: a.id, roles: a.roles, training_expires_at: a.training_expires_at });
        // Fail closed: a ledger we cannot read allows nothing.
        let consent = match self.store.consent_events(r.id).await {
            Ok(events) => Some(ConsentState::from_events(events.iter().map(|e| &e.event))),
            Err(e) => {
                tracing::warn!(error = %e, "consent ledger unreadable; denying");
                None
            }
        };
        let held = match &consent {
            Some(c) => self.held_purposes(&ctx, r.id, c, now).await?,
            None => Vec::new(),
        };
        let decision = match (&actor, &consent) {
            (None, _) => Decision::Deny(DenyReason::UnknownActor { actor: actor_id.to_owned() }),
            (Some(_), None) => Decision::Deny(DenyReason::ConsentUnreadable),
            (Some(a), Some(c)) => decide(&ctx, &AccessRequest { actor: a, purpose, categories, consent: c, held: &held, now }),
        };
        let detail = match &decision {
            Decision::Allow { permitted, withheld } => {
                json!({ "policy_version": ctx.version, "requested": categories, "permitted": permitted, "withheld": withheld })
            }
            Decision::Deny(reason) => json!({ "policy_version": ctx.version, "requested": categories, "reason": reason }),
        };
        let record = self
            .audit(actor_id, AuditAction::AccessDecide, detail)
            .subject(r.pseudonym.clone())
            .purpose(purpose)
            .decision(if decision.is_allowed() { "allow" } else { "deny" });
        self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![record] }).await?;
        // A purpose the policy lacks is counted as `unknown`: labels stay
        // the policy's few, whatever callers send.
        let label = if ctx.policy.purpose(purpose).is_some() { purpose.to_owned() } else { "unknown".to_owned() };
        metrics::counter!(crate::telemetry::ACCESS_DECISIONS, "purpose" => label, "decision" => if decision.is_allowed() { "allow" } else { "deny" })
            .increment(1);
        Ok(decision)
    }
}
