//! One conversation opened by its id (as `analytics kpis --drill` lists
//! them), through the gate: the actor must be allowed the purpose, each
//! customer in it is decided (and audited) on their own, and a customer the
//! gate refuses has their messages withheld. Redacted text by default; the
//! original only when asked and where the purpose permits the content's
//! category.

use std::collections::HashMap;

use candor_domain::{actor_allows, Actor, CategoryId, Decision, DenyReason, SubjectId};
use candor_store::{InteractionRecord, WriteBatch};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::{AuditAction, Candor, Result, ServiceError};

/// Items one conversation shows at most.
pub const MAX_ITEMS: u32 = 1_000;

/// One item of a conversation as the actor may see it.
#[derive(Clone, Debug, Serialize)]
pub struct ConversationItem {
    /// The platform's id of the item.
    pub external_id: String,
    /// The item it answers, if any.
    pub reply_to: Option<String>,
    /// mention, reply, direct_message, …
    pub kind: String,
    /// inbound (a customer) or outbound (the brand).
    pub direction: String,
    /// When it was posted.
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    /// The customer it is about, if one is named.
    pub subject: Option<SubjectId>,
    /// The brand account.
    pub account: Option<String>,
    /// Who signed a brand reply.
    pub agent: Option<String>,
    /// The text with personal data redacted; `None` when withheld.
    pub redacted_text: Option<String>,
    /// The original text, when asked for and permitted.
    pub text: Option<String>,
    /// Why the item is withheld, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withheld: Option<String>,
}

/// A conversation as the actor may see it.
#[derive(Clone, Debug, Serialize)]
pub struct ConversationView {
    /// The platform.
    pub platform: String,
    /// The id of its first item.
    pub conversation_id: String,
    /// The purpose it was opened for.
    pub purpose: String,
    /// Its items, oldest first.
    pub items: Vec<ConversationItem>,
    /// How many items were withheld.
    pub withheld: usize,
}

/// What the gate said about one customer of the conversation, and the key
/// to open their original texts with, when that is permitted.
struct Seen {
    decision: std::result::Result<Vec<CategoryId>, String>,
    key: Option<candor_store::DataKey>,
}

impl Candor {
    /// Conversation `conversation_id` on `platform` as `actor_id` may see
    /// it for `purpose`; the originals too when `original` (where the
    /// purpose permits public posts or private messages).
    pub async fn view_conversation(
        &self,
        actor_id: &str,
        platform: &str,
        conversation_id: &str,
        purpose: &str,
        original: bool,
    ) -> Result<ConversationView> {
        let public = CategoryId::new("user.content.public");
        let private = CategoryId::new("user.content.private");
        let categories = [public.clone(), private.clone()];
        let ctx = self.policy_context().await?;
        let actor =
            self.store.actor(actor_id).await?.map(|a| Actor { id: a.id, roles: a.roles, training_expires_at: a.training_expires_at });
        let params = json!({ "platform": platform, "conversation": conversation_id, "original": original });
        let allowed = match &actor {
            None => Err(DenyReason::UnknownActor { actor: actor_id.to_owned() }),
            Some(a) => actor_allows(&ctx, a, purpose, &categories, self.now()).map(|_| ()),
        };
        if let Err(reason) = allowed {
            let mut detail = params;
            detail["reason"] = json!(reason);
            let record = self.audit(actor_id, AuditAction::ConversationView, detail).purpose(purpose).decision("deny");
            self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![record] }).await?;
            return Err(ServiceError::Denied(reason));
        }
        let records = self.store.conversation(platform, conversation_id, MAX_ITEMS).await?;
        if records.is_empty() {
            return Err(ServiceError::InvalidInput(format!(
                "no conversation `{conversation_id}` on `{platform}`; `candor analytics kpis --drill CELL` lists them"
            )));
        }
        // Each customer is asked about once (the gate audits each answer
        // under their pseudonym).
        let mut seen: HashMap<SubjectId, Seen> = HashMap::new();
        for s in records.iter().filter_map(|r| r.subject) {
            if seen.contains_key(&s) {
                continue;
            }
            let entry = match self.store.subject(s).await? {
                None => Seen { decision: Err("the customer's data was erased".into()), key: None },
                Some(r) => match self.decide_for_record(actor_id, &r, purpose, &categories).await? {
                    Decision::Deny(reason) => Seen { decision: Err(reason.to_string()), key: None },
                    Decision::Allow { permitted, .. } => {
                        let key = if original && !permitted.is_empty() { Some(self.subject_key(&r)?) } else { None };
                        Seen { decision: Ok(permitted), key }
                    }
                },
            };
            seen.insert(s, entry);
        }
        let mut items = Vec::with_capacity(records.len());
        for r in records {
            let category = if r.kind == "direct_message" { &private } else { &public };
            let (redacted, text, withheld) = match r.subject.and_then(|s| seen.get(&s).map(|seen| (s, seen))) {
                Some((_, Seen { decision: Err(why), .. })) => (None, None, Some(why.clone())),
                Some((subject, Seen { decision: Ok(permitted), key })) => {
                    let text = match key {
                        Some(k) if permitted.contains(category) => Some(open(k, subject, &r)?),
                        _ => None,
                    };
                    (Some(r.redacted_text.as_str().to_owned()), text, None)
                }
                // No customer is named: the brand's own words, redacted.
                None => (Some(r.redacted_text.as_str().to_owned()), None, None),
            };
            items.push(ConversationItem {
                external_id: r.external_id,
                reply_to: r.reply_to,
                kind: r.kind,
                direction: r.direction,
                occurred_at: r.occurred_at,
                subject: r.subject,
                account: r.account,
                agent: r.agent,
                redacted_text: redacted,
                text,
                withheld,
            });
        }
        let withheld = items.iter().filter(|i| i.withheld.is_some()).count();
        let mut detail = params;
        detail["items"] = json!(items.len());
        detail["withheld"] = json!(withheld);
        let record = self.audit(actor_id, AuditAction::ConversationView, detail).purpose(purpose).decision("allow");
        self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![record] }).await?;
        Ok(ConversationView {
            platform: platform.to_owned(),
            conversation_id: conversation_id.to_owned(),
            purpose: purpose.to_owned(),
            items,
            withheld,
        })
    }
}

/// An item's original text, opened with its customer's key.
fn open(key: &candor_store::DataKey, subject: SubjectId, r: &InteractionRecord) -> Result<String> {
    key.open(&candor_store::interaction_context(&r.platform, &r.external_id), &r.sealed_text)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ServiceError::Unreadable { subject, reason: format!("interaction {}", r.external_id) })
}
