//! Verifying a customer with a one-time code, the outbox that carries
//! messages to customers and recipients, and the Global Privacy Control
//! signal.
//!
//! A code goes to an e-mail address on record through the outbox, which
//! [`crate::mail`] delivers when `[mail]` is configured (`candor outbox
//! deliver` prints messages instead when it is not). Only the code's keyed hash is kept with the request, and the
//! message's address and code are sealed under the customer's data key, so
//! erasing the customer shreds them too.

use candor_domain::{ConsentAction, ConsentSource, IdentifierKind, SubjectId};
use candor_store::{delivery_context, message_context, NewMessage, Op, OutboxMessage, WriteBatch};
use rand::{Rng, TryRngCore};
use serde::Serialize;
use serde_json::json;
use time::Duration;

use crate::subjects::sealed_fields;
use crate::{AuditAction, Candor, Result, ServiceError};

/// How long a code is accepted.
pub const CODE_VALIDITY: Duration = Duration::minutes(30);
/// Wrong entries allowed before a code is void.
pub const CODE_ATTEMPTS: u8 = 5;

/// Which key seals the personal part of a message to a customer.
#[derive(Clone, Copy)]
pub(crate) enum Seal {
    /// Theirs: shredded with them.
    SubjectKey,
    /// The installation's delivery key, for a customer whose key is about
    /// to be destroyed (the confirmation of their erasure): the message
    /// names them by pseudonym, is no longer tied to their stored data,
    /// and its address is wiped once it is sent.
    DeliveryOnly,
}

/// Eight random digits from the operating system's generator.
pub(crate) fn one_time_code() -> String {
    format!("{:08}", rand::rngs::OsRng.unwrap_err().random_range(0..100_000_000u32))
}

/// A message as a transport sees it.
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    /// Its outbox position.
    pub id: i64,
    /// What it is.
    pub kind: String,
    /// To whom: a recipient id, or `subject`.
    pub recipient: String,
    /// The customer's address, for messages to them.
    pub to: Option<String>,
    /// The content.
    pub body: serde_json::Value,
    /// When it was queued.
    #[serde(with = "time::serde::rfc3339")]
    pub queued_at: time::OffsetDateTime,
    /// When a transport took it (a mail server accepted it).
    #[serde(with = "time::serde::rfc3339::option")]
    pub sent_at: Option<time::OffsetDateTime>,
    /// Delivery attempts so far.
    pub attempts: u32,
    /// When the next attempt is due, after a failed one.
    #[serde(with = "time::serde::rfc3339::option")]
    pub next_attempt_at: Option<time::OffsetDateTime>,
    /// Why the last attempt failed (no personal data).
    pub last_error: Option<String>,
    /// When delivery was given up.
    #[serde(with = "time::serde::rfc3339::option")]
    pub failed_at: Option<time::OffsetDateTime>,
}

impl Delivery {
    /// `sent`, `failed`, `retrying` (a failed attempt, another due) or
    /// `pending`.
    pub fn state(&self) -> &'static str {
        if self.sent_at.is_some() {
            "sent"
        } else if self.failed_at.is_some() {
            "failed"
        } else if self.attempts > 0 {
            "retrying"
        } else {
            "pending"
        }
    }
}

impl Candor {
    /// Send the customer of request `id` a one-time code at their e-mail
    /// address on record; a new code replaces any earlier one.
    pub async fn send_rights_code(&self, actor: &str, id: &str) -> Result<()> {
        let mut record = self.stored_request(id).await?;
        let Some(subject) = self.store.subject(record.subject).await? else {
            return Err(self.missing_subject(record.subject).await);
        };
        let code = one_time_code();
        let now = self.now();
        let previous = record.request.clone();
        record.request.challenge(self.code_hash(&format!("rights-code:{id}"), &code), now + CODE_VALIDITY, CODE_ATTEMPTS)?;
        let what = super::what(&record);
        let message = self
            .message_to_subject(&subject, "one_time_code", id, || {
                (
                    "Your verification code".to_owned(),
                    format!(
                        "Your code to confirm your {what} request is {code}. It is valid for {} minutes. If you did not ask for this, ignore this message.",
                        CODE_VALIDITY.whole_minutes()
                    ),
                )
            })
            .await?
            .ok_or_else(|| {
                ServiceError::InvalidInput(
                    "the customer has no e-mail address on record to send a code to; verify them as staff with a reason".into(),
                )
            })?;
        let (op, audit) = self.request_write(actor, AuditAction::RightsCodeSent, &record, Some(previous), json!({ "channel": "email" }));
        self.store.apply(WriteBatch { ops: vec![Op::QueueMessages(vec![message]), op], audit: vec![audit] }).await?;
        Ok(())
    }

    /// The customer entered `code` for request `id`. A wrong code uses up
    /// an attempt, which is stored (and audited) before the refusal.
    pub async fn verify_rights_request_by_code(&self, actor: &str, id: &str, code: &str) -> Result<super::RightsRequestView> {
        let mut record = self.stored_request(id).await?;
        let previous = record.request.clone();
        match record.request.answer(&self.code_hash(&format!("rights-code:{id}"), code.trim()), self.now()) {
            Ok(()) => {
                self.save_request(actor, AuditAction::RightsVerify, &record, Some(previous), json!({ "by": "one_time_code" })).await?;
                Ok(record.into())
            }
            Err(e @ candor_domain::RightsError::WrongCode { .. }) => {
                self.save_request(actor, AuditAction::RightsVerifyFailed, &record, Some(previous), json!({ "by": "one_time_code" }))
                    .await?;
                Err(e.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// A message to a customer at their e-mail address on record, from
    /// the brand (the policy's controller), sealed under their data key;
    /// `None` when no address is on record.
    pub(crate) async fn message_to_subject(
        &self,
        subject: &candor_store::SubjectRecord,
        kind: &str,
        request: &str,
        content: impl FnOnce() -> (String, String),
    ) -> Result<Option<NewMessage>> {
        self.letter(subject, kind, request, Seal::SubjectKey, content).await
    }

    /// A message to a customer from the brand (the policy's controller),
    /// at their e-mail address on record, its personal part sealed as
    /// `seal` says; `None` when no address is on record.
    pub(crate) async fn letter(
        &self,
        subject: &candor_store::SubjectRecord,
        kind: &str,
        request: &str,
        seal: Seal,
        content: impl FnOnce() -> (String, String),
    ) -> Result<Option<NewMessage>> {
        let ctx = self.policy_context().await?;
        let key = self.subject_key(subject)?;
        let Some(email) = sealed_fields(subject)?.into_iter().find(|f| f.field == IdentifierKind::Email.as_str()) else {
            return Ok(None);
        };
        let email = email.open(subject.id, &key)?;
        let controller = &ctx.policy.controller;
        let (title, text) = content();
        let text = format!("{text}\n\n{}\nPrivacy contact: {}", controller.name, controller.contact);
        let personal = json!({ "to": email, "subject": format!("{}: {title}", controller.name), "text": text }).to_string();
        let (for_subject, sealed) = match seal {
            Seal::SubjectKey => (Some(subject.id), key.seal(&message_context(&subject.id, kind), personal.as_bytes())),
            Seal::DeliveryOnly => (None, self.keys.delivery_key().seal(&delivery_context(&subject.pseudonym, kind), personal.as_bytes())),
        };
        Ok(Some(NewMessage {
            kind: kind.into(),
            recipient: "subject".into(),
            subject: for_subject,
            subject_pseudonym: Some(subject.pseudonym.clone()),
            body: json!({ "request": request, "from": controller.name }).to_string(),
            sealed: Some(sealed),
            at: self.now(),
        }))
    }

    /// The keyed hash a one-time code is kept as, bound to what it is for
    /// (`rights-code:<request>`, `sign-in:<challenge>`).
    pub(crate) fn code_hash(&self, bound_to: &str, code: &str) -> String {
        hex::encode(self.keys.blind_index(bound_to, code))
    }

    /// Outbox messages after `after` (at most `limit`), the personal part
    /// of messages to customers opened for the transport.
    pub async fn outbox(&self, pending_only: bool, after: i64, limit: u32) -> Result<Vec<Delivery>> {
        let messages = self.store.outbox(pending_only, after, limit).await?;
        let mut out = Vec::with_capacity(messages.len());
        for m in messages {
            out.push(self.delivery(m).await?);
        }
        Ok(out)
    }

    pub(crate) async fn delivery(&self, m: OutboxMessage) -> Result<Delivery> {
        let what = || format!("outbox message {}", m.id);
        let corrupt = |source: candor_store::Cause| ServiceError::Store(candor_store::StoreError::undecodable(what(), source));
        let mut body: serde_json::Value = serde_json::from_str(&m.message.body).map_err(|e| corrupt(Box::new(e)))?;
        let mut to = None;
        if let Some(sealed) = &m.message.sealed {
            let kind = &m.message.kind;
            let opened = match (m.message.subject, &m.message.subject_pseudonym) {
                (Some(subject), _) => {
                    let s = self.subject_record(subject).await?;
                    self.subject_key(&s)?.open(&message_context(&subject, kind), sealed)
                }
                (None, Some(pseudonym)) => self.keys.delivery_key().open(&delivery_context(pseudonym, kind), sealed),
                // A staff member's sign-in code: bound to its recipient.
                (None, None) if m.message.recipient.starts_with("staff:") => {
                    self.keys.delivery_key().open(&delivery_context(&m.message.recipient, kind), sealed)
                }
                (None, None) => {
                    return Err(ServiceError::Store(candor_store::StoreError::Corrupt(format!(
                        "{}: a sealed message names nobody",
                        what()
                    ))))
                }
            };
            let bytes = opened.map_err(|e| corrupt(Box::new(e)))?;
            let personal: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| corrupt(Box::new(e)))?;
            to = personal["to"].as_str().map(str::to_owned);
            body["subject"] = personal["subject"].clone();
            body["text"] = personal["text"].clone();
        }
        Ok(Delivery {
            id: m.id,
            kind: m.message.kind,
            recipient: m.message.recipient,
            to,
            body,
            queued_at: m.message.at,
            sent_at: m.sent_at,
            attempts: m.attempts,
            next_attempt_at: m.next_attempt_at,
            last_error: m.last_error,
            failed_at: m.failed_at,
        })
    }

    /// Record that a transport took these messages; returns how many were
    /// still pending.
    pub async fn mark_sent(&self, actor: &str, ids: &[i64]) -> Result<u64> {
        if ids.is_empty() {
            return Ok(0);
        }
        let audit = self.audit(actor, AuditAction::OutboxSent, json!({ "messages": ids }));
        let out = self.store.apply(WriteBatch::one(Op::MarkSent { ids: ids.to_vec(), at: self.now() }, audit)).await?;
        Ok(match out.first() {
            Some(candor_store::Outcome::Count(n)) => *n,
            _ => 0,
        })
    }

    /// A Global Privacy Control signal (`Sec-GPC: 1`) came with a request
    /// of this customer: record their opt-out of sale and sharing, unless
    /// it is already in force, or unless the customer, after an opt-out
    /// the signal recorded, explicitly chose to allow sale or sharing
    /// again (CCPA regulations § 7025(c)(3): the business may ask a
    /// consumer whose signal conflicts with a choice of theirs, and their
    /// answer stands until they change it). Returns whether it was
    /// recorded now.
    pub async fn record_gpc_signal(&self, actor: &str, subject: SubjectId) -> Result<bool> {
        if self.store.subject_pseudonym(subject).await?.is_none() {
            return Err(self.missing_subject(subject).await);
        }
        let events = self.store.consent_events(subject).await?;
        let state = candor_domain::ConsentState::from_events(events.iter().map(|e| &e.event));
        if state.sale_share_opt_out || explicit_over_signal(events.iter().map(|e| &e.event)) {
            return Ok(false);
        }
        self.record_consent(actor, subject, None, ConsentAction::OptOutSaleShare, ConsentSource::Gpc).await?;
        Ok(true)
    }
}

/// Whether the customer's last sale-and-sharing choice is an explicit
/// opt-in made after a Global Privacy Control opt-out: then their choice,
/// not the signal, applies.
pub fn explicit_over_signal<'e>(events: impl DoubleEndedIterator<Item = &'e candor_domain::ConsentEvent>) -> bool {
    let mut sale = events.rev().filter(|e| matches!(e.action, ConsentAction::OptInSaleShare | ConsentAction::OptOutSaleShare));
    match sale.next() {
        Some(last) if last.action == ConsentAction::OptInSaleShare && last.source != ConsentSource::Gpc => {
            sale.any(|e| e.action == ConsentAction::OptOutSaleShare && e.source == ConsentSource::Gpc)
        }
        _ => false,
    }
}
