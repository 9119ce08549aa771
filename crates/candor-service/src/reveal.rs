//! Showing one message's original text to a staff member. The console
//! shows redacted text by default; the original needs a purpose the
//! member's role may use and a reason, the access gate decides for the
//! message's category (public post or private message), and both the
//! decision and the showing are audited under the customer's pseudonym,
//! so the customer sees it under "who saw my data". The reason is staff's
//! own words, but the audit log never holds personal data: it is kept
//! with whatever the PII engine finds in it replaced (`<PHONE>`).

use std::sync::OnceLock;

use candor_domain::{CategoryId, Decision, SubjectId};
use candor_privacy::pii::{Analyzer, Numbering, Operator, Redactor};
use candor_store::{interaction_context, WriteBatch};
use serde_json::json;

use crate::{AuditAction, Candor, Result, ServiceError};

/// The longest reason kept (staff write it; it names no customer data).
pub const MAX_REASON: usize = 300;

impl Candor {
    /// The original text of `subject`'s message `external_id` on
    /// `platform`, for `actor` under `purpose`, with `reason` recorded.
    pub async fn reveal_interaction(
        &self,
        actor: &str,
        subject: SubjectId,
        platform: &str,
        external_id: &str,
        purpose: &str,
        reason: &str,
    ) -> Result<String> {
        let reason = reason.trim();
        if reason.chars().count() < 5 || reason.chars().count() > MAX_REASON {
            return Err(ServiceError::InvalidInput(format!("showing an original text needs a reason of 5 to {MAX_REASON} characters")));
        }
        let record = self.subject_record(subject).await?;
        let item = self
            .store
            .interaction(platform, external_id)
            .await?
            .filter(|i| i.subject == Some(subject))
            .ok_or_else(|| ServiceError::InvalidInput(format!("the customer has no message `{external_id}` on `{platform}`")))?;
        let category = CategoryId::new(if item.kind == "direct_message" { "user.content.private" } else { "user.content.public" });
        let decision = self.decide_for_record(actor, &record, purpose, std::slice::from_ref(&category)).await?;
        match decision {
            Decision::Deny(reason) => return Err(ServiceError::Denied(reason)),
            Decision::Allow { permitted, .. } if !permitted.contains(&category) => {
                return Err(ServiceError::InvalidInput(format!(
                    "the purpose `{purpose}` does not cover `{category}`: the original stays hidden"
                )))
            }
            Decision::Allow { .. } => {}
        }
        let key = self.subject_key(&record)?;
        let text = key
            .open(&interaction_context(platform, external_id), &item.sealed_text)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(|| ServiceError::Unreadable { subject, reason: format!("interaction {external_id}") })?;
        let reason = redacted_reason(reason);
        let audit = self
            .audit(actor, AuditAction::InteractionReveal, json!({ "platform": platform, "interaction": external_id, "reason": reason }))
            .subject(record.pseudonym)
            .purpose(purpose)
            .decision("allow");
        self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![audit] }).await?;
        Ok(text)
    }
}

/// A reason as the audit log keeps it: what the PII engine finds in it
/// (a name, a number, an address) replaced by its type.
pub fn redacted_reason(reason: &str) -> String {
    static ANALYZER: OnceLock<Analyzer> = OnceLock::new();
    let analyzer = ANALYZER.get_or_init(Analyzer::new);
    let spans = analyzer.analyze(reason);
    Redactor::new(Operator::Placeholder).redact(reason, &spans, &mut Numbering::new()).into_string()
}

#[cfg(test)]
mod tests {
    use super::redacted_reason;

    #[test]
    fn a_reason_keeps_its_words_but_not_the_customers_details() {
        let kept = redacted_reason("customer called from +44 7700 900123 about order, mail maria.garcia@example.com");
        assert!(kept.starts_with("customer called from <"), "{kept}");
        assert!(!kept.contains("900123") && !kept.contains("maria.garcia"), "{kept}");
        assert_eq!(redacted_reason("customer asks where the parcel is"), "customer asks where the parcel is");
    }
}
