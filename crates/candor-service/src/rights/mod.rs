//! Data-subject rights requests (GDPR Arts. 15–21, CCPA): opened with their
//! legal deadline, the customer's identity verified, extended once with a
//! reason, rejected with a reason the customer is shown, and listed with
//! what is overdue. One implementation for the CLI, the API and the
//! privacy center; every step is stored with its audit entry in one
//! transaction. [`execute`] carries requests out (erasure in its own file,
//! `erasure.rs`), [`export`] writes the
//! access and portability bundle, [`codes`] verifies customers with
//! one-time codes through the outbox, and [`holds`] keeps data under a
//! legal obligation from erasure.

mod archive;
mod bundle_data;
pub mod codes;
mod erasure;
pub mod execute;
pub mod export;
pub mod holds;
mod own;
pub mod preview;
mod view;

pub use archive::BundleZip;
pub use view::RightsRequestView;

use candor_domain::{Regime, RightKind, RightsError, RightsRequest, SubjectId, Verification};
use candor_store::{Op, RightsRequestRecord, WriteBatch};
use serde_json::json;

use crate::{AuditAction, Candor, Result, ServiceError};

impl Candor {
    /// Open a request of `kind` for `subject`, under `regime` (by default
    /// the one the right comes from), received now.
    pub async fn open_rights_request(
        &self,
        actor: &str,
        kind: RightKind,
        subject: SubjectId,
        regime: Option<Regime>,
    ) -> Result<RightsRequestView> {
        self.open_request(actor, kind, subject, regime, &[]).await
    }

    /// Open a request; a rectification may carry the corrected values the
    /// customer gave, sealed under their key.
    pub(super) async fn open_request(
        &self,
        actor: &str,
        kind: RightKind,
        subject: SubjectId,
        regime: Option<Regime>,
        corrections: &[(String, String)],
    ) -> Result<RightsRequestView> {
        let Some(stored) = self.store.subject(subject).await? else { return Err(self.missing_subject(subject).await) };
        let mut request = RightsRequest::open(kind, regime.unwrap_or_else(|| kind.default_regime()), self.now())?;
        let id = uuid::Uuid::new_v4().to_string();
        if !corrections.is_empty() {
            request.sealed_corrections = Some(own::seal(&self.subject_key(&stored)?, &id, corrections)?);
        }
        let record = RightsRequestRecord { id, subject, subject_pseudonym: stored.pseudonym.clone(), request };
        // The customer is told at once that the request arrived and when it
        // is due (the CCPA asks for this within ten business days).
        let confirmation = self
            .message_to_subject(&stored, "request_received", &record.id, || {
                (
                    format!("We received your {} request", what(&record)),
                    format!(
                        "We received your request ({}) on {} and will answer by {} at the latest. Request reference: {}.",
                        kind.legal_source(record.request.regime).unwrap_or(kind.as_str()),
                        record.request.received_at.date(),
                        record.request.due_at.date(),
                        record.id
                    ),
                )
            })
            .await?;
        let (op, audit) =
            self.request_write(actor, AuditAction::RightsOpen, &record, None, json!({ "confirmation_queued": confirmation.is_some() }));
        let mut ops = vec![op];
        ops.extend(confirmation.map(|m| Op::QueueMessages(vec![m])));
        self.store.apply(WriteBatch { ops, audit: vec![audit] }).await?;
        Ok(record.into())
    }

    /// Why a subject is not stored: erased by a request, or never known.
    pub(crate) async fn missing_subject(&self, subject: SubjectId) -> ServiceError {
        let erased = match self.store.rights_requests(false).await {
            Ok(all) => all.into_iter().find(|r| {
                r.subject == subject && r.request.kind == RightKind::Erasure && r.request.state == candor_domain::RequestState::Completed
            }),
            Err(e) => return e.into(),
        };
        match erased {
            Some(r) => ServiceError::SubjectErased { subject, request: r.id },
            None => ServiceError::UnknownSubject(subject),
        }
    }

    /// A request by id.
    pub async fn rights_request(&self, id: &str) -> Result<RightsRequestView> {
        Ok(self.stored_request(id).await?.into())
    }

    /// A request by id, as stored, for the steps that write it back.
    pub(crate) async fn stored_request(&self, id: &str) -> Result<RightsRequestRecord> {
        self.store.rights_request(id).await?.ok_or_else(|| ServiceError::UnknownRequest(id.to_owned()))
    }

    /// Every request, earliest deadline first; with `overdue`, only those
    /// past their deadline and not finished.
    pub async fn rights_requests(&self, overdue: bool) -> Result<Vec<RightsRequestView>> {
        let now = self.now();
        let mut all = self.store.rights_requests(overdue).await?;
        if overdue {
            all.retain(|r| r.request.is_overdue(now));
        }
        Ok(all.into_iter().map(RightsRequestView::from).collect())
    }

    /// Record that staff verified the customer's identity, and why.
    pub async fn verify_rights_request_by_staff(&self, actor: &str, id: &str, reason: &str) -> Result<RightsRequestView> {
        let how = Verification::Staff { actor: actor.to_owned(), reason: reason.trim().to_owned() };
        self.step(actor, id, AuditAction::RightsVerify, json!({ "by": "staff", "reason": reason.trim() }), |r| r.verify(how))
            .await
            .map(Into::into)
    }

    /// The customer opened the request while signed in to the privacy
    /// center with a one-time code: that sign-in verified them.
    pub async fn verify_rights_request_signed_in(&self, id: &str) -> Result<RightsRequestView> {
        self.step("subject", id, AuditAction::RightsVerify, json!({ "by": "privacy_center_sign_in" }), |r| {
            r.verify(Verification::OneTimeCode)
        })
        .await
        .map(Into::into)
    }

    /// Refuse a request, with the reason the customer is told (in a
    /// message queued with the refusal, GDPR Art. 12(4)).
    pub async fn reject_rights_request(&self, actor: &str, id: &str, reason: &str) -> Result<RightsRequestView> {
        let reason = reason.trim();
        let tell = |r: &RightsRequestRecord| {
            (
                format!("We cannot carry out your {} request", what(r)),
                format!(
                    "We cannot carry out the request you made on {}: {reason}\n\nIf you disagree, you may lodge a complaint with a data protection supervisory authority or seek a judicial remedy. Request reference: {}.",
                    r.request.received_at.date(),
                    r.id
                ),
            )
        };
        self.step_and_tell(
            actor,
            id,
            AuditAction::RightsReject,
            json!({ "reason": reason }),
            |r| r.reject(reason),
            ("request_rejected", tell),
        )
        .await
        .map(Into::into)
    }

    /// Extend a request's deadline once, with the reason the customer is
    /// told (in a message queued with the extension).
    pub async fn extend_rights_request(&self, actor: &str, id: &str, reason: &str) -> Result<RightsRequestView> {
        let now = self.now();
        let reason = reason.trim();
        let tell = |r: &RightsRequestRecord| {
            (
                format!("We need more time for your {} request", what(r)),
                format!(
                    "We need more time to answer the request you made on {}: {reason}\n\nWe will answer by {} at the latest. Request reference: {}.",
                    r.request.received_at.date(),
                    r.request.due_at.date(),
                    r.id
                ),
            )
        };
        self.step_and_tell(
            actor,
            id,
            AuditAction::RightsExtend,
            json!({ "reason": reason }),
            |r| r.extend(reason, now),
            ("request_extended", tell),
        )
        .await
        .map(Into::into)
    }

    /// [`Candor::step`], with a message to the customer about it queued in
    /// the same transaction (`tell`: its kind and what it says). A request
    /// whose customer was erased moves on without one: nobody is left to
    /// write to.
    async fn step_and_tell(
        &self,
        actor: &str,
        id: &str,
        action: AuditAction,
        mut detail: serde_json::Value,
        f: impl FnOnce(&mut RightsRequest) -> std::result::Result<(), RightsError>,
        tell: (&str, impl FnOnce(&RightsRequestRecord) -> (String, String)),
    ) -> Result<RightsRequestRecord> {
        let mut record = self.stored_request(id).await?;
        let previous = record.request.clone();
        f(&mut record.request)?;
        let (kind, content) = tell;
        let message = match self.store.subject(record.subject).await? {
            Some(s) => self.message_to_subject(&s, kind, &record.id, || content(&record)).await?,
            None => None,
        };
        detail["customer_told"] = json!(message.is_some());
        let (op, audit) = self.request_write(actor, action, &record, Some(previous), detail);
        let mut ops = vec![op];
        ops.extend(message.map(|m| Op::QueueMessages(vec![m])));
        self.store.apply(WriteBatch { ops, audit: vec![audit] }).await?;
        Ok(record)
    }

    /// Load a request, apply one step of its life cycle, store it.
    pub(crate) async fn step(
        &self,
        actor: &str,
        id: &str,
        action: AuditAction,
        detail: serde_json::Value,
        f: impl FnOnce(&mut RightsRequest) -> std::result::Result<(), RightsError>,
    ) -> Result<RightsRequestRecord> {
        let mut record = self.stored_request(id).await?;
        let previous = record.request.clone();
        f(&mut record.request)?;
        self.save_request(actor, action, &record, Some(previous), detail).await?;
        Ok(record)
    }

    /// Store a request's state with the audit entry that says what moved
    /// it; refused if the request no longer stands as `previous`.
    pub(crate) async fn save_request(
        &self,
        actor: &str,
        action: AuditAction,
        r: &RightsRequestRecord,
        previous: Option<RightsRequest>,
        detail: serde_json::Value,
    ) -> Result<()> {
        let (op, audit) = self.request_write(actor, action, r, previous, detail);
        self.store.apply(WriteBatch { ops: vec![op], audit: vec![audit] }).await?;
        Ok(())
    }

    /// The write that stores a request's state, and its audit entry.
    pub(crate) fn request_write(
        &self,
        actor: &str,
        action: AuditAction,
        r: &RightsRequestRecord,
        previous: Option<RightsRequest>,
        mut detail: serde_json::Value,
    ) -> (Op, candor_store::AuditRecord) {
        detail["request"] = json!(r.id);
        detail["kind"] = json!(r.request.kind.as_str());
        detail["regime"] = json!(r.request.regime.as_str());
        detail["state"] = json!(r.request.state.as_str());
        detail["due_at"] = json!(candor_store::audit::micros(r.request.due_at));
        let audit = self.audit(actor, action, detail).subject(r.subject_pseudonym.clone());
        (Op::SaveRightsRequest { record: Box::new(r.clone()), previous: previous.map(Box::new) }, audit)
    }
}

/// A request's right in words (`opt out sale share`).
fn what(r: &RightsRequestRecord) -> String {
    r.request.kind.as_str().replace('_', " ")
}
