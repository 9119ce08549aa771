//! Notices of a material policy change: publishing a version whose diff
//! against the one before is material queues, through the outbox (which
//! [`crate::mail`] delivers), one message to every customer it affects,
//! naming in plain words what changed and which of their consents they
//! must give again.
//!
//! Who is affected:
//!
//! - when every material change is about a consent-based purpose that
//!   needs fresh consent (a consent purpose reading more, keeping data
//!   longer, …): the customers whose consent to one of those purposes the
//!   change made outdated (granted under an older version), since nobody
//!   else's processing changes;
//! - when a material change is about anything else (a purpose on
//!   legitimate interests or another basis, a new recipient, more data
//!   collected): every customer, since such processing runs without their
//!   consent. That is approximated by every customer with an e-mail
//!   address on record, who is who can be told.
//!
//! Customers created after the version was published are not told: they
//! first met the policy as it is now. Customers without an address on
//! record cannot be mailed; the privacy center's banner still asks them
//! for fresh consent.
//!
//! The work goes a page of customers at a time (never every customer's
//! record in memory at once): each page's notices are queued in one
//! transaction with the progress record (`policy_notices`, how far it got)
//! and an audit entry `policy.notices_queued` counting them. A run that
//! stopped resumes after the last page committed; a version whose notices
//! are done is never queued again, so publishing the same file twice
//! sends nothing twice.

use candor_domain::{diff, ConsentState, PolicyContext, PolicyDiff, SubjectId};
use candor_store::{NewMessage, Op, SubjectRecord, WriteBatch};
use serde::Serialize;
use serde_json::json;
use time::OffsetDateTime;

use crate::{AuditAction, Candor, Result};

/// Customers considered per transaction.
pub const NOTICE_BATCH: u32 = 1_000;

/// The outbox kind of a notice of a policy change.
pub const NOTICE_KIND: &str = "policy_change";

/// What queuing the notices of a version did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct NoticesQueued {
    /// Notices queued by this run.
    pub queued: u64,
    /// Notices queued for the version in all.
    pub total: u64,
}

/// What a page of customers is told about one version.
struct Notice<'a> {
    version: u32,
    published_at: OffsetDateTime,
    diff: &'a PolicyDiff,
    ctx: &'a PolicyContext,
    everyone: bool,
}

impl Candor {
    /// Queue the notices of version `version`'s material change (nothing
    /// when it is not material), resuming after the customers an earlier
    /// run already covered.
    pub async fn queue_policy_notices(&self, actor: &str, version: u32) -> Result<NoticesQueued> {
        self.queue_policy_notices_in_batches(actor, version, NOTICE_BATCH).await
    }

    /// [`Candor::queue_policy_notices`], considering `batch` customers a
    /// transaction (tests and benchmarks cross batch boundaries with it).
    pub async fn queue_policy_notices_in_batches(&self, actor: &str, version: u32, batch: u32) -> Result<NoticesQueued> {
        let batch = batch.max(1);
        let versions = self.store.policy_versions().await?;
        let Some(at) = versions.iter().position(|v| v.version == version) else {
            return Err(crate::ServiceError::UnknownPolicyVersion(version));
        };
        let Some(previous) = at.checked_sub(1).and_then(|i| versions.get(i)) else { return Ok(NoticesQueued::default()) };
        let record = &versions[at];
        let d = diff(&crate::policy::parse_stored(previous)?, &crate::policy::parse_stored(record)?);
        let progress = self.store.notice_progress(version).await?;
        let mut total = progress.as_ref().map_or(0, |p| p.queued);
        if !d.is_material() || progress.as_ref().is_some_and(|p| p.done_at.is_some()) {
            return Ok(NoticesQueued { queued: 0, total });
        }
        let ctx = self.policy_context().await?;
        let notice = Notice { version, published_at: record.published_at, diff: &d, ctx: &ctx, everyone: d.concerns_everyone() };
        let mut after = progress.and_then(|p| p.through);
        let mut queued = 0;
        loop {
            let page = self.store.subjects_with_email(after, notice.published_at, batch).await?;
            let done = page.len() < batch as usize;
            let through = page.last().map(|s| s.id);
            let messages = self.notices_for(&notice, &page).await?;
            let n = messages.len() as u64;
            (queued, total) = (queued + n, total + n);
            let audit = self.audit(
                actor,
                AuditAction::PolicyNoticesQueued,
                json!({ "policy_version": version, "queued": n, "total": total, "customers_considered": page.len(), "done": done }),
            );
            let mut ops = Vec::with_capacity(2);
            if !messages.is_empty() {
                ops.push(Op::QueueMessages(messages));
            }
            ops.push(Op::NoticeProgress { version, through, queued: n, done, at: self.now() });
            self.store.apply(WriteBatch { ops, audit: vec![audit] }).await?;
            if done {
                return Ok(NoticesQueued { queued, total });
            }
            after = through;
        }
    }

    /// The notices for a page of customers: those the change affects.
    async fn notices_for(&self, notice: &Notice<'_>, page: &[SubjectRecord]) -> Result<Vec<NewMessage>> {
        let ids: Vec<SubjectId> = page.iter().map(|s| s.id).collect();
        let mut ledgers: std::collections::HashMap<SubjectId, ConsentState> = std::collections::HashMap::new();
        for (subject, record) in self.store.consent_of(&ids).await? {
            ledgers.entry(subject).or_default().apply(&record.event);
        }
        let none = ConsentState::default();
        let mut out = Vec::new();
        for s in page {
            let outdated = notice.ctx.outdated_consent(ledgers.get(&s.id).unwrap_or(&none));
            if !notice.everyone && !outdated.iter().any(|(p, _)| notice.diff.fresh_consent.contains(&p.id)) {
                continue;
            }
            let renew: Vec<String> = outdated.into_iter().map(|(p, _)| p.name.clone()).collect();
            let request = format!("policy-v{}", notice.version);
            if let Some(m) = self.message_to_subject(s, NOTICE_KIND, &request, || self.notice_text(notice, &renew)).await? {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// The notice's subject line and text, in plain English: what
    /// changed (each material change), the consent to give again, and
    /// where to see it all.
    fn notice_text(&self, notice: &Notice<'_>, renew: &[String]) -> (String, String) {
        let policy = &notice.ctx.policy;
        let mut text = format!(
            "On {} we published version {} of our policy on how we use your data. What changed:\n",
            notice.published_at.date(),
            notice.version
        );
        for c in notice.diff.changes.iter().filter(|c| c.material) {
            let what = match c.purpose.as_ref().and_then(|p| policy.purposes.get(p)) {
                Some(p) => p.name.clone(),
                None => c.subject.replace('`', ""),
            };
            text.push_str(&format!("\n- {what}: {}", c.description.replace('`', "")));
        }
        if !renew.is_empty() {
            text.push_str(&format!(
                "\n\nYour earlier consent to {} no longer applies: we stopped this use of your data until you renew your consent.",
                renew.join(", ")
            ));
        }
        match &self.public_url {
            Some(url) if renew.is_empty() => text.push_str(&format!("\n\nSee what changed and your choices: {url}/privacy/changes")),
            Some(url) => text.push_str(&format!("\n\nRenew it, or see what changed: {url}/privacy/changes")),
            None if renew.is_empty() => text.push_str("\n\nYou can see what changed and your choices in our privacy center."),
            None => text.push_str("\n\nYou can renew it, and see what changed, in our privacy center."),
        }
        ("We changed how we use your data".to_owned(), text)
    }
}
