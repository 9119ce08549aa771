//! The consent ledger as use cases: appending grant, withdrawal, objection
//! and the subject-wide choices (restriction, CCPA opt-outs), each recorded
//! against the policy version in force, with a signed receipt for every
//! grant, withdrawal and objection; and the current standing, always derived from the ledger.

use candor_domain::{
    consent_allows, ConsentAction, ConsentDefault, ConsentEvent, ConsentSource, ConsentState, LegalBasis, PurposeId, PurposeStatus,
    SubjectId,
};
use candor_store::{Op, Outcome, WriteBatch};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;
use uuid::Uuid;

use crate::{receipt, AuditAction, Candor, Result, ServiceError};

/// What recording a consent event did.
#[derive(Clone, Debug, Serialize)]
pub struct Recorded {
    /// The event's position in the ledger.
    pub ledger_id: i64,
    /// The event.
    pub event: ConsentEvent,
    /// The signed receipt, for grants, withdrawals and objections.
    pub receipt: Option<receipt::SignedReceipt>,
}

/// A subject's standing on one purpose of the policy in force.
#[derive(Clone, Debug, Serialize)]
pub struct PurposeStanding {
    /// The purpose.
    pub purpose: PurposeId,
    /// Its name.
    pub name: String,
    /// Its legal basis.
    pub legal_basis: LegalBasis,
    /// What applies before any choice.
    pub default: ConsentDefault,
    /// The last choice recorded, if any.
    pub status: Option<PurposeStatus>,
    /// The policy version that choice was made under.
    pub policy_version: Option<u32>,
    /// When.
    #[serde(with = "time::serde::rfc3339::option")]
    pub at: Option<OffsetDateTime>,
    /// Whether the subject's choices let the purpose run now.
    pub in_effect: bool,
    /// Why not, when not.
    pub reason: Option<String>,
}

/// One ledger entry, for display.
#[derive(Clone, Debug, Serialize)]
pub struct LedgerEntry {
    /// Ledger position.
    pub id: i64,
    /// The event.
    #[serde(flatten)]
    pub event: ConsentEvent,
    /// Whether a signed receipt was issued.
    pub has_receipt: bool,
}

/// A subject's consent, derived from the ledger.
#[derive(Clone, Debug, Serialize)]
pub struct ConsentOverview {
    /// The subject.
    pub subject: SubjectId,
    /// The policy version the standings are computed against.
    pub policy_version: u32,
    /// The folded state.
    pub state: ConsentState,
    /// Each purpose of the policy in force.
    pub purposes: Vec<PurposeStanding>,
    /// The ledger, oldest first.
    pub events: Vec<LedgerEntry>,
}

impl Candor {
    /// Append a consent event. Per-purpose actions (grant, withdraw,
    /// object) need a purpose of the policy in force that the action applies
    /// to; subject-wide actions take none. A per-purpose action returns its
    /// signed receipt.
    pub async fn record_consent(
        &self,
        actor: &str,
        subject: SubjectId,
        purpose: Option<&str>,
        action: ConsentAction,
        source: ConsentSource,
    ) -> Result<Recorded> {
        let ctx = self.policy_context().await?;
        let record = self.subject_record(subject).await?;
        let now = self.now();
        let purpose = match (purpose, action.per_purpose()) {
            (Some(p), true) => {
                let Some(purpose) = ctx.policy.purpose(p) else {
                    let known: Vec<&str> = ctx.policy.purposes.keys().map(PurposeId::as_str).collect();
                    return Err(ServiceError::UnknownPurpose { purpose: p.to_owned(), version: ctx.version, known: known.join(", ") });
                };
                check_applicable(purpose, action)?;
                Some(purpose)
            }
            (None, true) => return Err(ServiceError::InvalidInput(format!("`{action}` needs a purpose"))),
            (Some(p), false) => {
                return Err(ServiceError::InvalidInput(format!("`{action}` applies to the whole subject, not to the purpose `{p}`")))
            }
            (None, false) => None,
        };
        let event = ConsentEvent { purpose: purpose.map(|p| p.id.clone()), action, policy_version: ctx.version, source, at: now };
        let receipt_id = Uuid::new_v4();
        // Every per-purpose event (grant, withdrawal, objection) gets its
        // receipt; subject-wide choices have no purpose to describe.
        let receipt = match purpose {
            Some(p) => {
                let facts = receipt::Facts {
                    policy: &ctx.policy,
                    policy_version: ctx.version,
                    purpose: p,
                    pseudonym: &record.pseudonym,
                    event: &event,
                    actor,
                    receipt_id,
                    public_key: &self.keys.verifying_key(),
                };
                Some(receipt::sign(&self.keys, receipt::build(&facts))?)
            }
            None => None,
        };
        let stored = receipt.as_ref().map(receipt::SignedReceipt::to_stored).transpose()?;
        let mut audit = self
            .audit(actor, AuditAction::Consent(action), json!({ "policy_version": ctx.version, "source": source.as_str(), "receipt_id": receipt.as_ref().map(|_| receipt_id.to_string()) }))
            .subject(record.pseudonym.clone());
        if let Some(p) = purpose {
            audit = audit.purpose(p.id.as_str());
        }
        let op = Op::AppendConsent { subject, event: event.clone(), receipt: stored };
        let outcome = self.store.apply(WriteBatch::one(op, audit)).await?;
        let ledger_id = match outcome.first() {
            Some(Outcome::ConsentId(id)) => *id,
            _ => 0,
        };
        Ok(Recorded { ledger_id, event, receipt })
    }

    /// A subject's consent ledger and what it means under the policy in force.
    pub async fn consent_overview(&self, subject: SubjectId) -> Result<ConsentOverview> {
        let ctx = self.policy_context().await?;
        let Some(events) = self.store.subject_consent(subject).await? else { return Err(self.missing_subject(subject).await) };
        let state = ConsentState::from_events(events.iter().map(|e| &e.event));
        let held = self.held_purposes(&ctx, subject, &state, self.now()).await?;
        let purposes = ctx
            .policy
            .purposes
            .values()
            .map(|p| {
                let standing = state.purpose(p.id.as_str());
                let verdict = consent_allows(&ctx, p, &state, &held);
                PurposeStanding {
                    purpose: p.id.clone(),
                    name: p.name.clone(),
                    legal_basis: p.legal_basis,
                    default: p.default,
                    status: standing.map(|s| s.status),
                    policy_version: standing.map(|s| s.policy_version),
                    at: standing.map(|s| s.at),
                    in_effect: verdict.is_ok(),
                    reason: verdict.err().map(|r| r.to_string()),
                }
            })
            .collect();
        let events = events.into_iter().map(|e| LedgerEntry { id: e.id, has_receipt: e.receipt.is_some(), event: e.event }).collect();
        Ok(ConsentOverview { subject, policy_version: ctx.version, state, purposes, events })
    }

    /// The stored receipt of a ledger entry.
    pub async fn consent_receipt(&self, subject: SubjectId, ledger_id: i64) -> Result<Option<receipt::SignedReceipt>> {
        let stored = self.store.consent_events(subject).await?.into_iter().find(|e| e.id == ledger_id).and_then(|e| e.receipt);
        stored.as_deref().map(receipt::SignedReceipt::from_stored).transpose()
    }
}

/// Whether `action` means anything for `purpose`'s legal basis.
fn check_applicable(purpose: &candor_domain::Purpose, action: ConsentAction) -> Result<()> {
    let err = |why: String| Err(ServiceError::NotApplicable { action: action.to_string(), purpose: purpose.id.to_string(), why });
    match action {
        ConsentAction::Grant | ConsentAction::Withdraw if purpose.default == ConsentDefault::NotApplicable => {
            err(format!("it relies on {}, not on the customer's choice; it stops only when that basis ends", purpose.legal_basis))
        }
        ConsentAction::Object if !(purpose.legal_basis.objectable() || purpose.is_marketing()) => err(format!(
            "it relies on {}; the right to object (GDPR Art. 21) covers legitimate interests, public tasks and direct marketing{}",
            purpose.legal_basis,
            if purpose.legal_basis == LegalBasis::Consent { ", and consent is withdrawn rather than objected to" } else { "" }
        )),
        _ => Ok(()),
    }
}
