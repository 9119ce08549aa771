//! Carrying a verified rights request out, completely and provably.
//!
//! Each right's work is built as one write batch (the data changes, the
//! notices to recipients, the audit entries) together with the request's
//! completion, so a request is reported done exactly when its work is
//! committed. The request is moved to `in_progress` first, in its own
//! transaction: a run that fails midway leaves it there, with nothing of
//! the work applied, and running it again carries it out.

use std::path::PathBuf;

use candor_domain::{
    consent_allows, CategoryId, ConsentAction, ConsentEvent, ConsentSource, ConsentState, Identifier, IdentifierKind, PolicyContext,
    Provenance, RequestResult, RequestState, RightKind, RightsError,
};
use candor_store::{AuditRecord, NewMessage, Op, Outcome, RightsRequestRecord, SealedAttribute, SealedIdentity, SubjectRecord, WriteBatch};
use serde_json::json;
use time::OffsetDateTime;

use super::codes::Seal;
use crate::subjects::attribute_category;
use crate::{AuditAction, Candor, Result, ServiceError};

/// What to carry a request out with.
#[derive(Clone, Debug, Default)]
pub struct ExecuteOptions {
    /// Where an access or portability bundle goes (a new directory);
    /// `candor-export-<request id>` in the working directory by default.
    pub out_dir: Option<PathBuf>,
    /// Rectification: the corrected values, `(field, value)`, for the
    /// fields [`RECTIFIABLE`] names.
    pub corrections: Vec<(String, String)>,
    /// Where `candor serve` keeps bundles, a directory per request
    /// (`server.exports_dir`): an erasure removes the customer's, since
    /// they hold the data in the clear.
    pub bundles_dir: Option<PathBuf>,
}

/// Fields a rectification may correct: profile attributes and the
/// identifiers the customer gave us. Platform handles and account ids are
/// the platform's, not ours to change.
pub const RECTIFIABLE: &[&str] = &["name", "email", "phone", "customer_number"];

/// What executing a request did.
#[derive(Clone, Debug)]
pub struct Executed {
    /// The request as it now stands (completed, with its result).
    pub record: super::RightsRequestView,
    /// True when it was already completed before this run (nothing was
    /// done again).
    pub already_done: bool,
    /// Bundles of the customer an erasure removed from
    /// [`ExecuteOptions::bundles_dir`].
    pub bundles_removed: usize,
}

/// One right's work: what to write, what to audit, what to report.
pub(super) struct Work {
    pub(super) ops: Vec<Op>,
    pub(super) audit: Vec<AuditRecord>,
    pub(super) result: RequestResult,
}

impl Candor {
    /// Carry out a request whose customer is verified (opt-outs need no
    /// verification). Running it again after it completed changes nothing
    /// and says so; after a failure it picks up where the request stands.
    pub async fn execute_rights_request(&self, actor: &str, id: &str, options: &ExecuteOptions) -> Result<Executed> {
        let mut done = self.carry_out(actor, id, options).await?;
        // Also when the erasure was already done: a removal that failed
        // then is tried again.
        if done.record.request.kind == RightKind::Erasure {
            if done.already_done {
                self.store.purge_deleted().await?;
            }
            if let Some(dir) = &options.bundles_dir {
                done.bundles_removed = self.remove_bundles(dir, done.record.subject).await?;
            }
        }
        Ok(done)
    }

    async fn carry_out(&self, actor: &str, id: &str, options: &ExecuteOptions) -> Result<Executed> {
        let mut record = self.stored_request(id).await?;
        match record.request.state {
            RequestState::Completed => return Ok(Executed { record: record.into(), already_done: true, bundles_removed: 0 }),
            RequestState::Rejected => return Err(RightsError::AlreadyFinal { state: RequestState::Rejected }.into()),
            _ => {}
        }
        let Some(subject) = self.store.subject(record.subject).await? else {
            return Err(self.missing_subject(record.subject).await);
        };
        if record.request.kind.needs_verification() && record.request.verification.is_none() {
            return Err(RightsError::NotVerified.into());
        }
        if record.request.state != RequestState::InProgress {
            let previous = record.request.clone();
            record.request.start()?;
            self.save_request(actor, AuditAction::RightsStart, &record, Some(previous), json!({})).await?;
        }
        let ctx = self.policy_context().await?;
        let work = match record.request.kind {
            RightKind::Access | RightKind::Portability => self.export_work(actor, &ctx, &record, &subject, options).await?,
            RightKind::Erasure => self.erasure_work(actor, &ctx, &record, &subject, options.bundles_dir.as_deref()).await?,
            RightKind::Rectification => {
                // Staff's values when they give any, else those the customer asked for.
                let asked;
                let corrections = if options.corrections.is_empty() {
                    asked = self.asked_corrections(&record, &subject)?;
                    &asked
                } else {
                    &options.corrections
                };
                self.rectification_work(actor, &ctx, &record, &subject, corrections).await?
            }
            RightKind::Restriction | RightKind::Objection | RightKind::OptOutSaleShare | RightKind::LimitSensitiveUse => {
                self.ledger_work(actor, &ctx, &record, &subject).await?
            }
        };
        let previous = record.request.clone();
        record.request.complete(work.result)?;
        let told = self.completion_message(&subject, &record).await?;
        let (op, audit) =
            self.request_write(actor, AuditAction::RightsComplete, &record, Some(previous), json!({ "customer_told": told.is_some() }));
        let mut batch = WriteBatch { ops: work.ops, audit: work.audit };
        batch.ops.push(op);
        batch.ops.extend(told.map(|m| Op::QueueMessages(vec![m])));
        batch.audit.push(audit);
        let outcomes = self.store.apply(batch).await?;
        // An import may have added an interaction between counting and
        // erasing (the erasure deleted it too): the report says what went.
        if let Some(Outcome::Erased(counts)) = outcomes.iter().find(|o| matches!(o, Outcome::Erased(_))) {
            self.correct_erasure_counts(actor, &mut record, counts).await?;
        }
        Ok(Executed { record: record.into(), already_done: false, bundles_removed: 0 })
    }

    /// The message telling the customer what was done, from the request's
    /// result. An erasure's is written while their key still opens their
    /// address, and sealed for delivery only: the erasure destroys the key
    /// in the same transaction, and the message must still reach them.
    async fn completion_message(&self, subject: &SubjectRecord, r: &RightsRequestRecord) -> Result<Option<NewMessage>> {
        let content = || {
            let mut text = format!("We carried out the request you made on {}.\n\n", r.request.received_at.date());
            if let Some(result) = &r.request.result {
                text.push_str(&result.summary.join("\n"));
            }
            text.push_str(&format!("\n\nRequest reference: {}.", r.id));
            (format!("Your {} request is complete", super::what(r)), text)
        };
        let seal = if r.request.kind == RightKind::Erasure { Seal::DeliveryOnly } else { Seal::SubjectKey };
        self.letter(subject, "request_completed", &r.id, seal, content).await
    }

    /// Rectification: the corrected values replace the stored ones, sealed
    /// anew under the customer's key; the audit log names the fields
    /// changed, never the values.
    async fn rectification_work(
        &self,
        actor: &str,
        ctx: &PolicyContext,
        r: &RightsRequestRecord,
        s: &SubjectRecord,
        corrections: &[(String, String)],
    ) -> Result<Work> {
        if corrections.is_empty() {
            return Err(ServiceError::InvalidInput(format!(
                "a rectification needs the corrected values: give `--set FIELD=VALUE` for any of {}",
                RECTIFIABLE.join(", ")
            )));
        }
        let key = self.subject_key(s)?;
        let now = self.now();
        let mut attributes = Vec::new();
        let mut new_identities = Vec::new();
        let mut old_identities = Vec::new();
        let mut changed = Vec::new();
        for (field, value) in corrections {
            let value = value.trim();
            let bad = |e: candor_domain::IdentifierError| ServiceError::Identifier { field: format!("--set {field}"), error: e };
            let identifier = match field.as_str() {
                "name" => {
                    if value.is_empty() || value.chars().count() > 200 {
                        return Err(ServiceError::InvalidInput("`--set name`: give a name of 1 to 200 characters".into()));
                    }
                    let category = attribute_category("name").unwrap_or_else(|| CategoryId::new("user.name"));
                    attributes.push(SealedAttribute::seal(&key, &s.id, "name", category, value, Provenance::Correction));
                    changed.push(field.clone());
                    continue;
                }
                "email" => Identifier::email(value).map_err(bad)?,
                "phone" => self.phone_identifier(value).map_err(bad)?,
                "customer_number" => Identifier::customer_number(value).map_err(bad)?,
                other => {
                    return Err(ServiceError::InvalidInput(format!(
                        "`{other}` cannot be rectified here: the fields are {}",
                        RECTIFIABLE.join(", ")
                    )))
                }
            };
            let sealed = SealedIdentity::seal(&self.keys, &key, &s.id, &identifier, Provenance::Correction);
            match self.store.find_subject(&sealed.blind_index).await? {
                Some(owner) if owner == s.id => continue, // already so
                Some(owner) => return Err(ServiceError::IdentityTaken { kind: identifier.kind(), subject: owner }),
                None => {}
            }
            if !self.store.suppressed(std::slice::from_ref(&sealed.blind_index)).await?.is_empty() {
                return Err(ServiceError::InvalidInput(format!("`--set {field}`: this identifier belongs to an erased customer")));
            }
            let kind = identifier.kind();
            old_identities
                .extend(s.identities.iter().filter(|i| IdentifierKind::parse(&i.kind) == Some(kind)).map(|i| i.blind_index.clone()));
            new_identities.push(sealed);
            changed.push(field.clone());
        }
        changed.sort();
        changed.dedup();
        let mut ops = Vec::new();
        if !old_identities.is_empty() {
            ops.push(Op::RemoveFields { subject: s.id, attributes: Vec::new(), identities: old_identities });
        }
        if !new_identities.is_empty() {
            ops.push(Op::AddIdentities { subject: s.id, identities: new_identities });
        }
        if !attributes.is_empty() {
            ops.push(Op::SetAttributes { subject: s.id, attributes });
        }
        let (_, notified) = self.sharing(ctx, s).await?;
        let fields: Vec<&str> = changed.iter().map(String::as_str).collect();
        ops.push(Op::QueueMessages(notices(
            ctx,
            "rectification_notice",
            r,
            &notified,
            &fields,
            "GDPR Art. 16 and 19: the customer corrected these fields; ask us for the new values and replace yours",
            now,
        )));
        let audit = vec![self
            .audit(actor, AuditAction::RightsRectify, json!({ "request": r.id, "fields": changed, "notified": notified }))
            .subject(r.subject_pseudonym.clone())];
        let mut result = RequestResult {
            summary: vec![format!("We corrected your {}.", changed.join(", "))],
            recorded: changed.iter().map(|f| format!("{f} corrected")).collect(),
            notified: notified.clone(),
            ..Default::default()
        };
        if !notified.is_empty() {
            result.summary.push(format!("We told {} to correct what we shared with them.", notified.join(", ")));
        }
        Ok(Work { ops, audit, result })
    }

    /// Restriction, objection and the CCPA opt-outs: events in the consent
    /// ledger, which the access gate reads on every decision.
    async fn ledger_work(&self, actor: &str, ctx: &PolicyContext, r: &RightsRequestRecord, s: &SubjectRecord) -> Result<Work> {
        let now = self.now();
        let state = self.consent_state(s.id).await?;
        let mut events: Vec<(Option<&candor_domain::Purpose>, ConsentAction)> = Vec::new();
        let mut summary = Vec::new();
        match r.request.kind {
            RightKind::Restriction => {
                if !state.restricted {
                    events.push((None, ConsentAction::Restrict));
                }
                summary.push(
                    "Processing of your data is restricted: we keep it, and use it for nothing else until you lift the restriction."
                        .to_owned(),
                );
            }
            RightKind::Objection => {
                let objectable: Vec<&candor_domain::Purpose> =
                    ctx.policy.purposes.values().filter(|p| p.legal_basis.objectable() || p.is_marketing()).collect();
                for p in &objectable {
                    let already = state.purpose(p.id.as_str()).is_some_and(|c| c.status == candor_domain::PurposeStatus::Objected);
                    if !already {
                        events.push((Some(p), ConsentAction::Object));
                    }
                }
                let names: Vec<&str> = objectable.iter().map(|p| p.name.as_str()).collect();
                summary.push(if names.is_empty() {
                    "None of our purposes relies on legitimate interests or is direct marketing, so there was nothing to object to."
                        .to_owned()
                } else {
                    format!("We stopped using your data for: {}.", names.join(", "))
                });
            }
            RightKind::OptOutSaleShare => {
                if !state.sale_share_opt_out {
                    events.push((None, ConsentAction::OptOutSaleShare));
                }
                summary.push("We no longer sell or share your personal information.".to_owned());
            }
            RightKind::LimitSensitiveUse => {
                if !state.limit_sensitive_use {
                    events.push((None, ConsentAction::LimitSensitiveUse));
                }
                summary.push("We use your sensitive personal information only as needed to serve you.".to_owned());
            }
            RightKind::Access | RightKind::Portability | RightKind::Erasure | RightKind::Rectification => {}
        }
        let mut work = Work { ops: Vec::new(), audit: Vec::new(), result: RequestResult { summary, ..Default::default() } };
        for (purpose, action) in events {
            let (op, audit) = self.ledger_event(actor, ctx, r, purpose, action, now);
            work.ops.push(op);
            work.audit.push(audit);
            work.result.recorded.push(match purpose {
                Some(p) => format!("{action} {}", p.id),
                None => action.to_string(),
            });
        }
        Ok(work)
    }

    /// A consent-ledger event a request records, and its audit entry.
    pub(super) fn ledger_event(
        &self,
        actor: &str,
        ctx: &PolicyContext,
        r: &RightsRequestRecord,
        purpose: Option<&candor_domain::Purpose>,
        action: ConsentAction,
        at: OffsetDateTime,
    ) -> (Op, AuditRecord) {
        let event = ConsentEvent {
            purpose: purpose.map(|p| p.id.clone()),
            action,
            policy_version: ctx.version,
            source: ConsentSource::RightsRequest,
            at,
        };
        let mut audit = self
            .audit(
                actor,
                AuditAction::Consent(action),
                json!({ "policy_version": ctx.version, "source": ConsentSource::RightsRequest.as_str(), "request": r.id }),
            )
            .subject(r.subject_pseudonym.clone());
        if let Some(p) = purpose {
            audit = audit.purpose(p.id.as_str());
        }
        (Op::AppendConsent { subject: r.subject, event, receipt: None }, audit)
    }

    /// A subject's consent, folded from the ledger.
    pub(crate) async fn consent_state(&self, subject: candor_domain::SubjectId) -> Result<ConsentState> {
        let events = self.store.consent_events(subject).await?;
        Ok(ConsentState::from_events(events.iter().map(|e| &e.event)))
    }

    /// What erasure and rectification need to know about a subject's
    /// sharing: their consent, and the recipients holding their data.
    pub(super) async fn sharing(&self, ctx: &PolicyContext, s: &SubjectRecord) -> Result<(ConsentState, Vec<String>)> {
        let state = self.consent_state(s.id).await?;
        let held = self.held_purposes(ctx, s.id, &state, self.now()).await?;
        let about = self.store.audit_about(&s.pseudonym, 100_000).await?;
        let holding = recipients_holding(ctx, &state, &held, &about);
        Ok((state, holding))
    }
}

/// The recipient a purpose sends data to, if it is a sharing purpose.
pub(super) fn purpose_recipient(p: &candor_domain::Purpose) -> Option<&str> {
    p.recipient.as_deref().or_else(|| p.id.sharing_recipient())
}

/// Recipients that hold a subject's data: those a sharing purpose in force
/// for them (`state`) sends it to, and those their audit entries (`about`)
/// record a disclosure to. Sorted, each once.
pub(super) fn recipients_holding(
    ctx: &PolicyContext,
    state: &ConsentState,
    held: &[candor_domain::PurposeId],
    about: &[candor_store::AuditEntry],
) -> Vec<String> {
    let mut out: Vec<String> = ctx
        .policy
        .purposes
        .values()
        .filter(|p| consent_allows(ctx, p, state, held).is_ok())
        .filter_map(|p| purpose_recipient(p).map(str::to_owned))
        .collect();
    out.extend(
        about
            .iter()
            .filter(|e| e.record.action.starts_with("share."))
            .filter_map(|e| e.record.detail["recipient"].as_str().map(str::to_owned)),
    );
    out.sort();
    out.dedup();
    out
}

/// One notice per recipient from the controller, naming the customer by
/// pseudonym only: the outbox outlives an erased customer and must hold
/// nothing about them.
pub(super) fn notices(
    ctx: &PolicyContext,
    kind: &str,
    r: &RightsRequestRecord,
    recipients: &[String],
    what: &[&str],
    ask: &str,
    at: OffsetDateTime,
) -> Vec<NewMessage> {
    let from = &ctx.policy.controller;
    recipients
        .iter()
        .map(|rcpt| NewMessage {
            kind: kind.to_owned(),
            recipient: rcpt.clone(),
            subject: None,
            subject_pseudonym: Some(r.subject_pseudonym.clone()),
            body: json!({ "request": r.id, "subject": r.subject_pseudonym, "data": what, "ask": ask, "from": from.name, "contact": from.contact })
                .to_string(),
            sealed: None,
            at,
        })
        .collect()
}
