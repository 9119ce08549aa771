//! Delivering what waits in the outbox through a [`Mailer`]: the messages
//! to customers that are due, a page at a time. A sent page is recorded
//! (and audited) at once, so a stop or a crash sends at most that page
//! again. A transient failure is retried after an exponential back-off
//! (`[mail]` `retry_initial_seconds`, doubling up to `retry_max_seconds`);
//! a permanent one, or the last attempt allowed failing, gives the message
//! up, which is audited.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use candor_store::{Op, OutboxMessage, StoreError, WriteBatch};
use futures_util::stream::{self, StreamExt as _};
use serde::Serialize;
use serde_json::json;
use tokio::sync::Notify;

use super::{Mail, Mailer, SendError};
use crate::rights::codes::Delivery;
use crate::settings::mail::{MailConfig, RetryPolicy};
use crate::{AuditAction, Candor, Result, ServiceError};

/// Who the background delivery of `candor serve` is in the audit log.
pub const MAIL_ACTOR: &str = "system:mail";

/// Messages looked at per page, at least: a page is sent, then recorded,
/// so the last messages of a page leave connections idle until the next
/// page starts; a page of [`ROUNDS_PER_PAGE`] times the messages in flight
/// keeps that small when many connections are open.
const PAGE: u32 = 100;

/// Rounds of sending per page, at least.
const ROUNDS_PER_PAGE: usize = 4;

/// What one delivery run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    /// Messages the server accepted.
    pub sent: u64,
    /// Messages that failed and will be tried again.
    pub retrying: u64,
    /// Messages given up.
    pub failed: u64,
}

impl Candor {
    /// Mail every message to a customer that is due now, until
    /// `keep_going` says stop (checked before each message is sent; up to
    /// [`Mailer::at_once`] are in flight at a time: a server answers each
    /// message after a round trip or more, so one at a time leaves both
    /// sides waiting).
    pub async fn deliver_due(
        &self,
        actor: &str,
        mailer: &impl Mailer,
        retry: &RetryPolicy,
        keep_going: impl Fn() -> bool,
    ) -> Result<DeliveryReport> {
        let mut report = DeliveryReport::default();
        // Due by the time the run started: what fails now waits its turn.
        let now = self.now();
        let mut after = 0;
        let at_once = mailer.at_once().max(1);
        let page_size = PAGE.max(u32::try_from(at_once.saturating_mul(ROUNDS_PER_PAGE)).unwrap_or(u32::MAX));
        while keep_going() {
            let page = self.store.outbox_due(now, after, page_size).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            let mut sent = Vec::new();
            let mut ops = Vec::new();
            let mut given_up = Vec::new();
            let mut prepared = Vec::with_capacity(page.len());
            for m in page {
                prepared.push((m.id, m.attempts.saturating_add(1), self.mail_of(m).await?));
            }
            // `at_once` in flight at a time; none started once told to stop.
            let sends: Vec<_> = prepared.iter().map(|(_, _, mail)| send_one(mailer, mail, &keep_going)).collect();
            let outcomes: Vec<Option<std::result::Result<(), SendError>>> = stream::iter(sends).buffered(at_once).collect().await;
            for ((id, attempts, _), outcome) in prepared.into_iter().zip(outcomes) {
                match outcome {
                    None => {}
                    Some(Ok(())) => sent.push(id),
                    Some(Err(e)) => ops.push(failed(&mut report, &mut given_up, retry, id, attempts, e, self.now())),
                }
            }
            report.sent += sent.len() as u64;
            self.record_attempts(actor, sent, ops, given_up).await?;
        }
        Ok(report)
    }

    async fn record_attempts(&self, actor: &str, sent: Vec<i64>, mut ops: Vec<Op>, given_up: Vec<serde_json::Value>) -> Result<()> {
        let mut audit = Vec::new();
        if !sent.is_empty() {
            audit.push(self.audit(actor, AuditAction::OutboxSent, json!({ "messages": sent, "transport": "smtp" })));
            ops.push(Op::MarkSent { ids: sent, at: self.now() });
        }
        if !given_up.is_empty() {
            audit.push(self.audit(actor, AuditAction::OutboxFailed, json!({ "messages": given_up, "transport": "smtp" })));
        }
        if !ops.is_empty() {
            self.store.apply(WriteBatch { ops, audit }).await?;
        }
        Ok(())
    }

    /// The message rendered for mail, or why it can never be sent.
    async fn mail_of(&self, m: OutboxMessage) -> Result<std::result::Result<Mail, SendError>> {
        let d: Delivery = match self.delivery(m).await {
            Ok(d) => d,
            // A message whose personal part will not open will not open
            // next time either; anything else (the database) is not the
            // message's fault.
            Err(ServiceError::Store(StoreError::Corrupt(_) | StoreError::Undecodable { .. }) | ServiceError::Key(_)) => {
                return Ok(Err(SendError::Permanent("its address and content could not be opened".into())))
            }
            Err(e) => return Err(e),
        };
        let text = |k: &str| d.body.get(k).and_then(serde_json::Value::as_str).map(str::to_owned);
        let (Some(to), Some(subject), Some(body)) = (d.to.clone(), text("subject"), text("text")) else {
            return Ok(Err(SendError::Permanent("it carries no address, subject or text to mail".into())));
        };
        Ok(Ok(Mail { to, from_name: text("from").unwrap_or_default(), subject, text: body }))
    }
}

/// Send one rendered message, unless told to stop first (`None`).
async fn send_one(
    mailer: &impl Mailer,
    mail: &std::result::Result<Mail, SendError>,
    keep_going: &impl Fn() -> bool,
) -> Option<std::result::Result<(), SendError>> {
    if !keep_going() {
        return None;
    }
    Some(match mail {
        Ok(mail) => mailer.send(mail).await,
        Err(e) => Err(e.clone()),
    })
}

/// A failed attempt: retried after the back-off when the failure is
/// transient and attempts are left, else given up (and listed for the
/// audit entry).
fn failed(
    report: &mut DeliveryReport,
    given_up: &mut Vec<serde_json::Value>,
    retry: &RetryPolicy,
    id: i64,
    attempts: u32,
    e: SendError,
    at: time::OffsetDateTime,
) -> Op {
    let retry_at = match &e {
        SendError::Transient(_) => retry.next_wait(attempts).map(|wait| at + wait),
        SendError::Permanent(_) => None,
    };
    let error = e.to_string();
    if retry_at.is_some() {
        report.retrying += 1;
        tracing::info!(message = id, attempts, error = %error, "mail not sent; will retry");
    } else {
        report.failed += 1;
        tracing::warn!(message = id, attempts, error = %error, "mail given up");
        given_up.push(json!({ "message": id, "attempts": attempts, "error": error }));
    }
    Op::DeliveryFailed { id, at, error, retry_at }
}

/// Runs in a row that fail before delivery's failure is logged as an error.
const PERSISTENT_FAILURE: u32 = 5;

/// `candor serve`'s delivery: the messages due, then again every
/// `config.poll`, until `stop` resolves; a run in progress then stops after
/// the message it is sending, recording what was sent.
pub async fn deliver_in_background(candor: Candor, mailer: impl Mailer, config: MailConfig, stop: impl Future<Output = ()>) {
    let stopping = AtomicBool::new(false);
    let wake = Notify::new();
    let watch = async {
        stop.await;
        stopping.store(true, Ordering::Release);
        // A permit is kept if the loop is not waiting yet.
        wake.notify_one();
    };
    let work = async {
        // A run that fails is tried again at the next poll: a passing
        // condition (a reader keeping SQLite's write-ahead log from being
        // emptied after a sent message's address was wiped) is a warning;
        // failing run after run is an error.
        let mut failures = 0u32;
        let mut purge_pending = false;
        while !stopping.load(Ordering::Acquire) {
            if purge_pending {
                purge_pending = candor.purge_deleted().await.is_err();
            }
            match candor.deliver_due(MAIL_ACTOR, &mailer, &config.retry, || !stopping.load(Ordering::Acquire)).await {
                Ok(r) => {
                    failures = 0;
                    if r != DeliveryReport::default() {
                        tracing::info!(sent = r.sent, retrying = r.retrying, failed = r.failed, "outbox delivered");
                    }
                }
                Err(ServiceError::Store(StoreError::PurgePending)) => {
                    // What was sent is recorded and the address wiped; only
                    // the log still holds its old bytes. Empty it next poll.
                    purge_pending = true;
                    tracing::warn!("a sent message's wiped address is still in the write-ahead log; removing it at the next poll");
                }
                Err(e) => {
                    failures += 1;
                    if failures < PERSISTENT_FAILURE {
                        tracing::warn!(error = %e, failures, "outbox delivery failed; trying again at the next poll");
                    } else {
                        tracing::error!(error = %e, failures, "outbox delivery keeps failing; trying again at the next poll");
                    }
                }
            }
            tokio::select! {
                () = tokio::time::sleep(config.poll) => {}
                () = wake.notified() => {}
            }
        }
    };
    tokio::join!(watch, work);
}
