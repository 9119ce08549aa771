//! Questions and concerns a customer raises with the compliance team: each
//! a tracked item due one calendar month after it was raised. The customer
//! raises it (and is sent a receipt); staff list them (open ones first,
//! earliest deadline first), read one (audited), answer it (the answer is
//! stored and mailed to the customer's address on record, in the same
//! transaction) and close it. The message and the answer are sealed under
//! the customer's data key, so an erasure shreds them with the rest.

use candor_domain::concern::check_text;
use candor_domain::{Concern, ConcernState, SubjectId};
use candor_store::audit::{from_micros, micros};
use candor_store::{concern_context, ConcernFilter, ConcernKey, ConcernRecord, DataKey, Op, WriteBatch};
use serde_json::json;

use crate::page::{decode, page, probe, Page, MAX_LIMIT};
use crate::{AuditAction, Candor, Result, ServiceError};

/// A concern as the service hands it to its front ends.
#[derive(Clone, PartialEq, Eq)]
pub struct ConcernView {
    /// Its id (a UUID).
    pub id: String,
    /// Whose it is.
    pub subject: SubjectId,
    /// The subject's pseudonymous id (what the audit log names).
    pub subject_pseudonym: String,
    /// Its state, deadline and answering.
    pub concern: Concern,
    /// The customer's message; `None` in staff listings (read one concern
    /// to see it, which is audited).
    pub message: Option<String>,
    /// Staff's answer, once there is one and when the message is shown.
    pub answer: Option<String>,
}

// The message and answer are personal: never in logs.
impl std::fmt::Debug for ConcernView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConcernView")
            .field("id", &self.id)
            .field("subject_pseudonym", &self.subject_pseudonym)
            .field("concern", &self.concern)
            .finish_non_exhaustive()
    }
}

/// Which concerns a page lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConcernList {
    /// Only those waiting for an answer.
    pub open_only: bool,
}

impl ConcernView {
    /// The row, its texts not opened.
    fn sealed(r: ConcernRecord) -> Self {
        Self { id: r.id, subject: r.subject, subject_pseudonym: r.subject_pseudonym, concern: r.concern, message: None, answer: None }
    }
}

/// How many questions or concerns a customer may have waiting for an
/// answer at once.
pub const MAX_OPEN_CONCERNS: u32 = 5;

/// The sort key of a concern in a listing: open ones first, then by
/// deadline, then by id.
fn key(r: &ConcernRecord) -> (i64, i64, String) {
    (i64::from(r.concern.state != ConcernState::Open), micros(r.concern.due_at), r.id.clone())
}

/// A listing's cursor, back as the store's key.
fn cursor(after: Option<&str>) -> Result<Option<ConcernKey>> {
    Ok(after.map(decode::<(i64, i64, String)>).transpose()?.map(|(rank, due, id)| ConcernKey { rank, due_at: from_micros(due), id }))
}

/// A message quoted in a mail, line by line.
fn quoted(text: &str) -> String {
    text.lines().map(|l| format!("> {l}")).collect::<Vec<_>>().join("\n")
}

impl Candor {
    /// Customer `subject` raises a question or concern (`actor`: `subject`
    /// when they do so signed in, else the staff member who records one
    /// sent another way): stored sealed, due one calendar month from now,
    /// with a receipt queued for their e-mail address on record.
    pub async fn raise_concern(&self, actor: &str, subject: SubjectId, message: &str) -> Result<ConcernView> {
        let message = check_text("message", message)?;
        let s = self.subject_record(subject).await?;
        // A flood of concerns is refused, not queued for staff and mailed.
        let filter = ConcernFilter { open_only: true, subject: Some(subject) };
        let open = self.store.concern_page(&filter, None, MAX_OPEN_CONCERNS).await?;
        if open.len() >= MAX_OPEN_CONCERNS as usize {
            return Err(ServiceError::AlreadyOpen(format!(
                "{MAX_OPEN_CONCERNS} of your questions or concerns are still waiting for an answer; we answer those first, then you can send more"
            )));
        }
        let key = self.subject_key(&s)?;
        let id = uuid::Uuid::new_v4().to_string();
        let concern = Concern::raise(self.now());
        let record = ConcernRecord {
            id: id.clone(),
            subject,
            subject_pseudonym: s.pseudonym.clone(),
            sealed_message: key.seal(&concern_context(&subject, &id, "message"), message.as_bytes()),
            sealed_answer: None,
            concern: concern.clone(),
        };
        let receipt = self
            .message_to_subject(&s, "concern_received", &id, || {
                (
                    "We received your question or concern".to_owned(),
                    format!(
                        "We received the question or concern you sent us on {} and will answer by {} at the latest. You can read our answer in the privacy center, and we will also send it to you. Reference: {id}.",
                        concern.raised_at.date(),
                        concern.due_at.date()
                    ),
                )
            })
            .await?;
        let audit = self
            .audit(
                actor,
                AuditAction::ConcernRaise,
                json!({ "concern": id, "due_at": micros(concern.due_at), "receipt_queued": receipt.is_some() }),
            )
            .subject(s.pseudonym.clone());
        let mut ops = vec![Op::SaveConcern { record: Box::new(record.clone()), previous: None }];
        ops.extend(receipt.map(|m| Op::QueueMessages(vec![m])));
        self.store.apply(WriteBatch { ops, audit: vec![audit] }).await?;
        Ok(ConcernView { message: Some(message), ..ConcernView::sealed(record) })
    }

    /// A page of every customer's concerns for staff, open ones first,
    /// earliest deadline first; their texts are not opened.
    pub async fn concern_page(&self, which: ConcernList, after: Option<&str>, limit: u32) -> Result<Page<ConcernView>> {
        let filter = ConcernFilter { open_only: which.open_only, subject: None };
        let rows = self.store.concern_page(&filter, cursor(after)?.as_ref(), probe(limit)).await?;
        let p = page(rows, limit.clamp(1, MAX_LIMIT), key);
        Ok(Page { items: p.items.into_iter().map(ConcernView::sealed).collect(), next: p.next })
    }

    /// A page of the signed-in customer's own concerns, with their texts,
    /// open ones first.
    pub async fn my_concern_page(&self, subject: SubjectId, after: Option<&str>, limit: u32) -> Result<Page<ConcernView>> {
        let s = self.subject_record(subject).await?;
        let filter = ConcernFilter { open_only: false, subject: Some(subject) };
        let rows = self.store.concern_page(&filter, cursor(after)?.as_ref(), probe(limit)).await?;
        let p = page(rows, limit.clamp(1, MAX_LIMIT), key);
        let data_key = self.subject_key(&s)?;
        let items = p.items.into_iter().map(|r| self.opened(&data_key, r)).collect::<Result<Vec<_>>>()?;
        Ok(Page { items, next: p.next })
    }

    /// One concern with its message and answer, read by staff `actor`
    /// (audited: the message is the customer's personal data).
    pub async fn concern(&self, actor: &str, id: &str) -> Result<ConcernView> {
        let r = self.stored_concern(id).await?;
        let s = self.subject_record(r.subject).await?;
        let view = self.opened(&self.subject_key(&s)?, r)?;
        let audit = self
            .audit(actor, AuditAction::ConcernView, json!({ "concern": view.id, "state": view.concern.state.as_str() }))
            .subject(view.subject_pseudonym.clone());
        self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![audit] }).await?;
        Ok(view)
    }

    /// Staff `actor` answers concern `id`: the answer is stored sealed and
    /// mailed to the customer's address on record, in one transaction.
    pub async fn answer_concern(&self, actor: &str, id: &str, answer: &str) -> Result<ConcernView> {
        let answer = check_text("answer", answer)?;
        let mut r = self.stored_concern(id).await?;
        let previous = r.concern.state;
        r.concern.answer(actor, self.now())?;
        let s = self.subject_record(r.subject).await?;
        let key = self.subject_key(&s)?;
        let message = self.open_part(&key, &r, "message", &r.sealed_message)?;
        r.sealed_answer = Some(key.seal(&concern_context(&r.subject, &r.id, "answer"), answer.as_bytes()));
        let mail = self
            .message_to_subject(&s, "concern_answer", &r.id, || {
                (
                    "Our answer to your question or concern".to_owned(),
                    format!(
                        "You wrote to us on {}:\n\n{}\n\nOur answer:\n\n{answer}\n\nIf you are not satisfied with this answer, you may lodge a complaint with a data protection supervisory authority. Reference: {}.",
                        r.concern.raised_at.date(),
                        quoted(&message),
                        r.id
                    ),
                )
            })
            .await?;
        let detail = json!({ "concern": r.id, "state": r.concern.state.as_str(), "mailed": mail.is_some() });
        let audit = self.audit(actor, AuditAction::ConcernAnswer, detail).subject(r.subject_pseudonym.clone());
        let mut ops = vec![Op::SaveConcern { record: Box::new(r.clone()), previous: Some(previous) }];
        ops.extend(mail.map(|m| Op::QueueMessages(vec![m])));
        self.store.apply(WriteBatch { ops, audit: vec![audit] }).await?;
        Ok(ConcernView { message: Some(message), answer: Some(answer), ..ConcernView::sealed(r) })
    }

    /// Staff `actor` closes concern `id`: nothing more to do.
    pub async fn close_concern(&self, actor: &str, id: &str) -> Result<ConcernView> {
        let mut r = self.stored_concern(id).await?;
        let previous = r.concern.state;
        r.concern.close(self.now())?;
        let detail = json!({ "concern": r.id, "state": r.concern.state.as_str(), "answered": r.concern.answered_at.is_some() });
        let audit = self.audit(actor, AuditAction::ConcernClose, detail).subject(r.subject_pseudonym.clone());
        let op = Op::SaveConcern { record: Box::new(r.clone()), previous: Some(previous) };
        self.store.apply(WriteBatch::one(op, audit)).await?;
        Ok(ConcernView::sealed(r))
    }

    async fn stored_concern(&self, id: &str) -> Result<ConcernRecord> {
        self.store.concern(id.trim()).await?.ok_or_else(|| ServiceError::UnknownConcern(id.chars().take(64).collect()))
    }

    /// A concern with its texts opened under its customer's `key`.
    fn opened(&self, key: &DataKey, r: ConcernRecord) -> Result<ConcernView> {
        let message = self.open_part(key, &r, "message", &r.sealed_message)?;
        let answer = r.sealed_answer.as_ref().map(|a| self.open_part(key, &r, "answer", a)).transpose()?;
        Ok(ConcernView { message: Some(message), answer, ..ConcernView::sealed(r) })
    }

    fn open_part(&self, key: &DataKey, r: &ConcernRecord, part: &str, sealed: &[u8]) -> Result<String> {
        let unreadable = |reason: String| ServiceError::Unreadable { subject: r.subject, reason: format!("concern {}: {reason}", r.id) };
        let bytes = key.open(&concern_context(&r.subject, &r.id, part), sealed).map_err(|e| unreadable(e.to_string()))?;
        String::from_utf8(bytes).map_err(|_| unreadable(format!("its {part} is not text")))
    }
}
