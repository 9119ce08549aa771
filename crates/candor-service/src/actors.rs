//! Staff members and API clients: their roles and their privacy-and-ethics
//! training attestations. Without a current attestation the access decision
//! refuses them personal data.

use candor_domain::Role;
use candor_store::{ActorRecord, Op, WriteBatch};
use serde_json::json;
use time::{Duration, OffsetDateTime};

use crate::{AuditAction, Candor, Result, ServiceError};

/// A staff member or API client as the service hands it to its front ends
/// (the store's row model stays behind the service).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Actor {
    /// Actor id.
    pub id: String,
    /// Roles.
    pub roles: Vec<Role>,
    /// When the latest training attestation expires, if there is one.
    pub training_expires_at: Option<OffsetDateTime>,
}

impl From<ActorRecord> for Actor {
    fn from(a: ActorRecord) -> Self {
        Self { id: a.id, roles: a.roles, training_expires_at: a.training_expires_at }
    }
}

/// Actor ids: 1 to 64 characters of lowercase letters, digits, `.`, `_`,
/// `-` and `@`, so they are safe in logs and the audit log.
pub fn parse_actor_id(id: &str) -> Result<&str> {
    let ok = !id.is_empty() && id.len() <= 64 && id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-@".contains(c));
    if ok {
        Ok(id)
    } else {
        Err(ServiceError::InvalidInput(format!(
            "`{id}` is not a valid actor id: use 1 to 64 lowercase letters, digits, `.`, `_`, `-` or `@`"
        )))
    }
}

/// Parse role names.
pub fn parse_roles(names: &[String]) -> Result<Vec<Role>> {
    let mut roles = names
        .iter()
        .map(|n| {
            Role::parse(n).ok_or_else(|| {
                ServiceError::InvalidInput(format!("unknown role `{n}`; roles are agent, analyst, marketer, compliance and admin"))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    if roles.is_empty() {
        return Err(ServiceError::InvalidInput("an actor needs at least one `--role`".into()));
    }
    roles.sort();
    roles.dedup();
    Ok(roles)
}

impl Candor {
    /// Create an actor or replace its roles.
    pub async fn upsert_actor(&self, by: &str, id: &str, roles: Vec<Role>) -> Result<()> {
        let id = parse_actor_id(id)?;
        let audit = self.audit(by, AuditAction::ActorUpsert, json!({ "actor": id, "roles": roles }));
        self.store.apply(WriteBatch::one(Op::UpsertActor { id: id.to_owned(), roles, at: self.now() }, audit)).await?;
        Ok(())
    }

    /// Record that `id` completed the privacy-and-ethics training `course`,
    /// valid for `valid_for`. Returns when it expires.
    pub async fn attest_training(&self, by: &str, id: &str, course: &str, valid_for: Duration) -> Result<OffsetDateTime> {
        let id = parse_actor_id(id)?;
        let course = course.trim();
        if course.is_empty() || course.len() > 200 {
            return Err(ServiceError::InvalidInput("`--course` must name the training, in at most 200 characters".into()));
        }
        if valid_for <= Duration::ZERO || valid_for > Duration::days(3 * 366) {
            return Err(ServiceError::InvalidInput("a training attestation is valid for 1 day to 3 years".into()));
        }
        if self.store.actor(id).await?.is_none() {
            return Err(ServiceError::UnknownActor(id.to_owned()));
        }
        let at = self.now();
        let expires_at = at + valid_for;
        let audit = self.audit(
            by,
            AuditAction::ActorAttestTraining,
            json!({ "actor": id, "course": course, "expires_at": expires_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_else(|_| expires_at.to_string()) }),
        );
        let op = Op::AttestTraining { actor: id.to_owned(), course: course.to_owned(), at, expires_at };
        match self.store.apply(WriteBatch::one(op, audit)).await {
            Err(candor_store::StoreError::UnknownActor(a)) => Err(ServiceError::UnknownActor(a)),
            Err(e) => Err(e.into()),
            Ok(_) => Ok(expires_at),
        }
    }

    /// Remove actor `id`: its roles, training attestations, API tokens and
    /// sessions go (a token of theirs stops working within
    /// `server.credential_recheck_seconds`); the audit log keeps what they
    /// did. Refused when `id` is the last admin. Returns how many of its
    /// tokens were still in force.
    pub async fn remove_actor(&self, by: &str, id: &str) -> Result<usize> {
        let id = parse_actor_id(id)?;
        if self.store.actor(id).await?.is_none() {
            return Err(ServiceError::UnknownActor(id.to_owned()));
        }
        let now = self.now();
        let tokens: Vec<String> =
            self.store.tokens(id).await?.into_iter().filter(|t| t.revoked_at.is_none() && t.expires_at > now).map(|t| t.id).collect();
        let audit = self.audit(by, AuditAction::ActorRemove, json!({ "actor": id, "tokens_revoked": tokens }));
        let out = self.store.apply(WriteBatch::one(Op::RemoveActor { id: id.to_owned() }, audit)).await?;
        match out.first() {
            Some(candor_store::Outcome::Count(0)) => Err(ServiceError::UnknownActor(id.to_owned())),
            _ => Ok(tokens.len()),
        }
    }

    /// An actor, if known.
    pub async fn actor(&self, id: &str) -> Result<Option<Actor>> {
        Ok(self.store.actor(id).await?.map(Actor::from))
    }

    /// Every staff actor, by id.
    pub async fn actors(&self) -> Result<Vec<Actor>> {
        Ok(self.store.actors().await?.into_iter().map(Actor::from).collect())
    }
}
