//! Policy versions: checking a file, publishing an immutable numbered
//! version, diffing two versions or files, and the [`PolicyContext`] the
//! access decision needs (the latest version plus, per purpose, the version
//! whose material change requires fresh consent).

use std::sync::Arc;

use candor_domain::policy::{check, Policy};
use candor_domain::PolicyContext;
use candor_domain::{diff, fresh_consent_since, PolicyDiff};
use candor_store::{Op, Outcome, PolicyVersionRecord, WriteBatch};
use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::{AuditAction, Candor, Result, ServiceError};

/// What `publish` did.
#[derive(Clone, Debug, Serialize)]
pub struct Published {
    /// The version number now holding this content.
    pub version: u32,
    /// False when identical content was already published.
    pub created: bool,
    /// SHA-256 of the content, hex.
    pub content_hash: String,
    /// The changes against the previous version, when a new one was stored.
    pub diff: Option<PolicyDiff>,
    /// The notices of a material change queued for customers (by this
    /// call, and in all for the version).
    pub notices: crate::policy_notices::NoticesQueued,
}

/// SHA-256 of a policy's text, hex: its identity.
pub fn content_hash(content: &str) -> String {
    hex::encode(Sha256::digest(content.as_bytes()))
}

/// Check a policy text; `file` names it in diagnostics.
pub fn check_text(file: &str, content: &str) -> Result<Policy> {
    check(file, content).map_err(ServiceError::InvalidPolicy)
}

pub(crate) fn parse_stored(v: &PolicyVersionRecord) -> Result<Policy> {
    check(&format!("policy version {}", v.version), &v.content)
        .map_err(|d| ServiceError::StoredPolicy { version: v.version, reason: d.first().map(ToString::to_string).unwrap_or_default() })
}

/// How long the policy in force is trusted before the database is asked
/// whether another process published a newer version.
pub const POLICY_RECHECK: std::time::Duration = std::time::Duration::from_secs(1);

impl Candor {
    /// Publish `content` as a new version unless identical content is
    /// already published. The policy is checked first; nothing is stored if
    /// it has errors. A material change then queues its notices to the
    /// customers it affects (see [`crate::policy_notices`]); publishing the
    /// same content again finishes notices an earlier run left unfinished,
    /// and queues none twice.
    pub async fn publish_policy(&self, actor: &str, file: &str, content: &str) -> Result<Published> {
        let mut published = self.publish_version(actor, file, content).await?;
        published.notices = self.queue_policy_notices(actor, published.version).await?;
        Ok(published)
    }

    async fn publish_version(&self, actor: &str, file: &str, content: &str) -> Result<Published> {
        let policy = check_text(file, content)?;
        if let Some(r) = policy.lapsed_agreements(self.now().date()).first() {
            return Err(ServiceError::InvalidInput(format!("{file}: not published: {}", r.lapsed_message())));
        }
        let hash = content_hash(content);
        let versions = self.store.policy_versions().await?;
        if let Some(same) = versions.iter().find(|v| v.content_hash == hash) {
            return Ok(Published { version: same.version, created: false, content_hash: hash, diff: None, notices: Default::default() });
        }
        let diff = match versions.last() {
            Some(prev) => Some(diff(&parse_stored(prev)?, &policy)),
            None => None,
        };
        let audit = self.audit(
            actor,
            AuditAction::PolicyPublish,
            json!({
                "content_hash": hash,
                "material": diff.as_ref().is_some_and(PolicyDiff::is_material),
                "fresh_consent": diff.as_ref().map(|d| d.fresh_consent.clone()).unwrap_or_default(),
            }),
        );
        let op = Op::PublishPolicy {
            content_hash: hash.clone(),
            content: content.to_owned(),
            recipients: policy.recipients.values().cloned().collect(),
            at: self.now(),
        };
        let outcome = self.store.apply(WriteBatch::one(op, audit)).await?;
        // This process sees its own new version at once.
        if let Ok(mut cache) = self.policy_cache.lock() {
            *cache = None;
        }
        match outcome.first() {
            Some(Outcome::PolicyVersion { version, created }) => {
                let diff = if *created { diff } else { None };
                Ok(Published { version: *version, created: *created, content_hash: hash, diff, notices: Default::default() })
            }
            _ => Err(ServiceError::Store(candor_store::StoreError::Database("publishing returned no version".into()))),
        }
    }

    /// Every published version, oldest first.
    pub async fn policy_versions(&self) -> Result<Vec<PolicyVersionRecord>> {
        Ok(self.store.policy_versions().await?)
    }

    /// The number of the latest published version, if any.
    pub async fn latest_policy_version(&self) -> Result<Option<u32>> {
        Ok(self.store.latest_policy_version().await?)
    }

    /// One published version, parsed.
    pub async fn policy_version(&self, version: u32) -> Result<(PolicyVersionRecord, Policy)> {
        let versions = self.store.policy_versions().await?;
        let v = versions.into_iter().find(|v| v.version == version).ok_or(ServiceError::UnknownPolicyVersion(version))?;
        let p = parse_stored(&v)?;
        Ok((v, p))
    }

    /// The context of the policy in force, cached until a newer version is
    /// published: at once by this process, and within [`POLICY_RECHECK`]
    /// when another process publishes it (a busy server does not ask the
    /// database for the latest version on every request).
    pub async fn policy_context(&self) -> Result<Arc<PolicyContext>> {
        if let Ok(cache) = self.policy_cache.lock() {
            if let Some((ctx, _)) = cache.as_ref().filter(|(_, checked)| checked.elapsed() < POLICY_RECHECK) {
                return Ok(Arc::clone(ctx));
            }
        }
        let latest = self.store.latest_policy_version().await?.ok_or(ServiceError::NoPolicy)?;
        if let Ok(mut cache) = self.policy_cache.lock() {
            if let Some((ctx, checked)) = cache.as_mut().filter(|(c, _)| c.version == latest) {
                *checked = std::time::Instant::now();
                return Ok(Arc::clone(ctx));
            }
        }
        let versions = self.store.policy_versions().await?;
        let parsed = versions.iter().map(|v| Ok((v.version, parse_stored(v)?))).collect::<Result<Vec<_>>>()?;
        let history: Vec<(u32, &Policy)> = parsed.iter().map(|(v, p)| (*v, p)).collect();
        let since = fresh_consent_since(&history);
        let Some((version, policy)) = parsed.last() else { return Err(ServiceError::NoPolicy) };
        let ctx = Arc::new(PolicyContext { version: *version, policy: policy.clone(), fresh_consent_since: since });
        if let Ok(mut cache) = self.policy_cache.lock() {
            *cache = Some((Arc::clone(&ctx), std::time::Instant::now()));
        }
        Ok(ctx)
    }
}
