//! candor's [`Store`](candor_store::Store) on SQLite (the embedded default) and PostgreSQL.
//!
//! Both back ends share one implementation through sqlx's `Any` driver: the
//! SQL below is the common dialect of the two (`$n` placeholders, `on
//! conflict`, `returning`), so behaviour cannot drift between them. What
//! differs lives in [`backend`] (connection set-up: SQLite pragmas, the
//! PostgreSQL schema) and [`migrate`] (the migration files of each, applied
//! and checksummed by sqlx's `Migrator`).
#![deny(missing_docs)]

mod access;
mod analytics;
mod audit;
mod backend;
mod cache;
mod concerns;
mod conflicts;
mod interactions;
mod keys;
mod migrate;
mod notices;
mod pages;
mod rights;
mod roles;
mod rows;

use std::sync::Arc;

use candor_domain::{ConsentEvent, SubjectId};
use candor_store::audit::micros;
use candor_store::{AuditSigner, NewSubject, Op, Outcome, SealedAttribute, SealedIdentity, SignedHead, StoreError, WriteBatch};
use sqlx::AnyPool;
use sqlx::{Any, Transaction};

pub use backend::{Backend, OpenOptions};

/// The store. Cheap to clone.
#[derive(Clone)]
pub struct SqlStore {
    pool: AnyPool,
    backend: Backend,
    signer: Option<AuditSigner>,
}

impl std::fmt::Debug for SqlStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqlStore").field("backend", &self.backend).finish_non_exhaustive()
    }
}

/// A driver error as a store error, keeping it as the source: a value that
/// does not decode is corrupt data, anything else a database failure.
pub(crate) fn db_err(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::ColumnDecode { index, source } => StoreError::Undecodable { what: format!("column {index}"), source },
        sqlx::Error::Decode(source) => StoreError::Undecodable { what: "a stored value".into(), source },
        other => StoreError::Database(Box::new(other)),
    }
}

impl SqlStore {
    /// Open (and migrate) the database at `url`.
    pub async fn open(url: &str, options: OpenOptions) -> Result<Self, StoreError> {
        let (pool, backend) = backend::connect(url, &options).await?;
        Ok(Self { pool, backend, signer: None })
    }

    /// Sign audit checkpoints with `signer`; without one, writes that carry
    /// audit entries are refused.
    pub fn with_signer(mut self, signer: AuditSigner) -> Self {
        self.signer = Some(signer);
        self
    }

    /// Which back end this is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The underlying pool, for tests that tamper with rows directly.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Close every connection (and, on SQLite, checkpoint the WAL).
    pub async fn close(&self) {
        if self.backend == Backend::Sqlite {
            let _ = sqlx::query("pragma wal_checkpoint(truncate)").execute(&self.pool).await;
        }
        self.pool.close().await;
    }

    async fn apply_op(&self, tx: &mut Transaction<'static, Any>, op: Op) -> Result<Outcome, StoreError> {
        match op {
            Op::PublishPolicy { content_hash, content, recipients, at } => {
                let existing: Option<(i64,)> = sqlx::query_as("select version from policy_versions where content_hash = $1")
                    .bind(&content_hash)
                    .fetch_optional(&mut **tx)
                    .await
                    .map_err(db_err)?;
                if let Some((v,)) = existing {
                    return Ok(Outcome::PolicyVersion { version: u32::try_from(v).unwrap_or(0), created: false });
                }
                let (max,): (i64,) =
                    sqlx::query_as("select coalesce(max(version), 0) from policy_versions").fetch_one(&mut **tx).await.map_err(db_err)?;
                let version = max + 1;
                sqlx::query("insert into policy_versions (version, content_hash, content, published_at) values ($1, $2, $3, $4)")
                    .bind(version)
                    .bind(&content_hash)
                    .bind(&content)
                    .bind(micros(at))
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                rows::insert_recipients(tx, version, &recipients).await?;
                Ok(Outcome::PolicyVersion { version: u32::try_from(version).unwrap_or(0), created: true })
            }
            Op::CreateSubject(s) => {
                insert_subjects(tx, self.backend, std::slice::from_ref(&s)).await?;
                Ok(Outcome::Done)
            }
            Op::AppendConsent { subject, event, receipt } => {
                let id = insert_consent(tx, subject, &event, receipt.as_deref()).await?;
                Ok(Outcome::ConsentId(id))
            }
            Op::InsertInteractions(rows) => Ok(Outcome::Count(interactions::insert(tx, self.backend, rows).await?)),
            Op::AddIdentities { subject, identities } => {
                let rows: Vec<(SubjectId, &SealedIdentity)> = identities.iter().map(|i| (subject, i)).collect();
                interactions::insert_identities(tx, self.backend, &rows).await?;
                Ok(Outcome::Done)
            }
            Op::SetAttributes { subject, attributes } => {
                let rows: Vec<(SubjectId, &SealedAttribute)> = attributes.iter().map(|a| (subject, a)).collect();
                interactions::set_attributes_many(tx, self.backend, &rows, true).await?;
                Ok(Outcome::Done)
            }
            Op::CreateBrandAccount { platform, handle, key, at } => {
                interactions::create_brand_account(tx, &platform, &handle, &key, micros(at)).await?;
                Ok(Outcome::Done)
            }
            Op::SpendBudget { actor, since, epsilon_micros, limit_micros, query, at } => {
                let spend = analytics::Spend { actor: &actor, since, epsilon_micros, limit_micros, query: &query, at };
                analytics::spend_budget(tx, self.backend, spend).await?;
                Ok(Outcome::Done)
            }
            Op::DeleteInteractions { platform, external_ids, at } => {
                Ok(Outcome::Count(interactions::delete(tx, self.backend, &platform, &external_ids, micros(at)).await?))
            }
            Op::Suppress { blind_indexes, at } => {
                interactions::suppress(tx, self.backend, &blind_indexes, micros(at)).await?;
                Ok(Outcome::Done)
            }
            Op::LinkConversations => Ok(Outcome::Count(interactions::link_conversations(tx).await?)),
            Op::UpsertActor { id, roles, at } => {
                let roles: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                sqlx::query(
                    "insert into actors (id, roles, created_at) values ($1, $2, $3) on conflict (id) do update set roles = excluded.roles",
                )
                .bind(&id)
                .bind(roles.join(","))
                .bind(micros(at))
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
                Ok(Outcome::Done)
            }
            Op::RemoveActor { id } => Ok(Outcome::Count(access::remove_actor(tx, self.backend, &id).await?)),
            Op::AttestTraining { actor, course, at, expires_at } => {
                let r =
                    sqlx::query("insert into training_attestations (actor_id, course, attested_at, expires_at) values ($1, $2, $3, $4)")
                        .bind(&actor)
                        .bind(&course)
                        .bind(micros(at))
                        .bind(micros(expires_at))
                        .execute(&mut **tx)
                        .await;
                match r {
                    Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StoreError::UnknownActor(actor)),
                    Err(e) => Err(db_err(e)),
                    Ok(_) => Ok(Outcome::Done),
                }
            }
            Op::LapseTraining { course, at } => {
                let r = sqlx::query("update training_attestations set expires_at = $1 where expires_at > $1 and course <> $2")
                    .bind(micros(at))
                    .bind(&course)
                    .execute(&mut **tx)
                    .await
                    .map_err(db_err)?;
                Ok(Outcome::Count(r.rows_affected()))
            }
            Op::Rewrap(keys) => Ok(Outcome::Count(interactions::rewrap(tx, keys).await?)),
            Op::SaveRightsRequest { record, previous } => {
                rights::save(tx, &record, previous.as_deref()).await?;
                Ok(Outcome::Done)
            }
            Op::SaveConcern { record, previous } => {
                concerns::save(tx, &record, previous).await?;
                Ok(Outcome::Done)
            }
            Op::DeleteConcerns { subject } => Ok(Outcome::Count(concerns::delete_of(tx, subject).await?)),
            Op::EraseSubject { subject, suppress, at } => {
                Ok(Outcome::Erased(rights::erase(tx, self.backend, subject, &suppress, micros(at)).await?))
            }
            Op::RemoveFields { subject, attributes, identities } => {
                Ok(Outcome::Count(rights::remove_fields(tx, subject, &attributes, &identities).await?))
            }
            Op::QueueMessages(messages) => {
                rights::queue(tx, &messages).await?;
                Ok(Outcome::Done)
            }
            Op::NoticeProgress { version, through, queued, done, at } => {
                notices::advance(tx, version, through, queued, done, at).await?;
                Ok(Outcome::Done)
            }
            Op::RecordConflicts(conflicts) => Ok(Outcome::Count(conflicts::record(tx, &conflicts).await?)),
            Op::MarkSent { ids, at } => Ok(Outcome::Count(rights::mark_sent(tx, &ids, micros(at)).await?)),
            Op::DeliveryFailed { id, at, error, retry_at } => {
                Ok(Outcome::Count(rights::delivery_failed(tx, id, micros(at), &error, retry_at.map(micros)).await?))
            }
            Op::PlaceHold { subject, purpose, reason, actor, at } => {
                rights::place_hold(tx, subject, &purpose, &reason, &actor, micros(at)).await?;
                Ok(Outcome::Done)
            }
            Op::ReleaseHold { subject, purpose, at } => Ok(Outcome::Count(rights::release_hold(tx, subject, &purpose, micros(at)).await?)),
            Op::CreateToken { token, hash } => {
                access::create_token(tx, &token, &hash).await?;
                Ok(Outcome::Done)
            }
            Op::RevokeToken { id, at } => Ok(Outcome::Count(access::revoke_token(tx, &id, micros(at)).await?)),
            Op::CreateSession { hash, session, at } => {
                access::create_session(tx, &hash, &session, micros(at)).await?;
                Ok(Outcome::Done)
            }
            Op::EndSession { hash } => Ok(Outcome::Count(access::end_session(tx, &hash).await?)),
            Op::CreateChallenge { challenge, at } => {
                access::create_challenge(tx, &challenge, micros(at)).await?;
                Ok(Outcome::Done)
            }
            Op::SpendChallengeAttempt { id } => Ok(Outcome::Count(access::spend_attempt(tx, &id).await?)),
            Op::DeleteChallenge { id } => Ok(Outcome::Count(access::delete_challenge(tx, &id).await?)),
            Op::AddPasskey(passkey) => {
                access::add_passkey(tx, &passkey).await?;
                Ok(Outcome::Done)
            }
            Op::UsePasskey { credential_id, previous, dynamic_state, at } => {
                Ok(Outcome::Count(access::use_passkey(tx, &credential_id, &previous, &dynamic_state, micros(at)).await?))
            }
            Op::RemovePasskey { actor, credential_id } => Ok(Outcome::Count(access::remove_passkey(tx, &actor, &credential_id).await?)),
            Op::RetireKeks { ids, at } => {
                keys::retire(tx, &ids, at).await?;
                Ok(Outcome::Done)
            }
        }
    }

    /// A batch's audit entries and operations, in `tx`; the signed head
    /// when there were entries.
    async fn write(&self, tx: &mut Transaction<'static, Any>, batch: WriteBatch) -> Result<(Vec<Outcome>, Option<SignedHead>), StoreError> {
        // Audit first: it takes the write lock, so the whole batch runs
        // serialized against other writers.
        let head = match (batch.audit.is_empty(), &self.signer) {
            (true, _) => None,
            (false, Some(signer)) => Some(audit::append(tx, self.backend, signer, batch.audit).await?),
            (false, None) => return Err(StoreError::NoSigner),
        };
        keys::refuse_retired(tx, &batch.ops, head.is_some()).await?;
        let mut outcomes = Vec::with_capacity(batch.ops.len());
        let counted = batch.ops.iter().any(|op| op.effects().changes_counts);
        let mut ops = batch.ops.into_iter().peekable();
        while let Some(op) = ops.next() {
            // Consecutive subject creations (an import's) go in many rows
            // a statement.
            if let Op::CreateSubject(first) = op {
                let mut run = vec![*first];
                while let Some(Op::CreateSubject(_)) = ops.peek() {
                    if let Some(Op::CreateSubject(s)) = ops.next() {
                        run.push(*s);
                    }
                }
                insert_subjects(tx, self.backend, &run).await?;
                outcomes.extend(run.iter().map(|_| Outcome::Done));
                continue;
            }
            outcomes.push(self.apply_op(tx, op).await?);
        }
        if counted {
            cache::invalidate(tx).await?;
        }
        Ok((outcomes, head))
    }
}

/// Insert subjects with their attributes and identities, many rows a
/// statement.
async fn insert_subjects(tx: &mut Transaction<'static, Any>, backend: Backend, subjects: &[NewSubject]) -> Result<(), StoreError> {
    for chunk in subjects.chunks(interactions::CHUNK) {
        let sql = format!(
            "insert into subjects (id, pseudonym, kek_id, wrapped_key, created_at) values {}",
            rows::values(backend, chunk.len(), 5)
        );
        let mut q = sqlx::query(&sql);
        for s in chunk {
            q = q.bind(s.id.to_string()).bind(s.pseudonym.clone()).bind(s.key.kek_id.clone()).bind(s.key.blob.clone()).bind(micros(s.at));
        }
        q.execute(&mut **tx).await.map_err(db_err)?;
    }
    let attributes: Vec<(SubjectId, &SealedAttribute)> =
        subjects.iter().flat_map(|s| s.attributes.iter().map(move |a| (s.id, a))).collect();
    interactions::set_attributes_many(tx, backend, &attributes, false).await?;
    let identities: Vec<(SubjectId, &SealedIdentity)> = subjects.iter().flat_map(|s| s.identities.iter().map(move |i| (s.id, i))).collect();
    interactions::insert_identities(tx, backend, &identities).await
}

async fn insert_consent(
    tx: &mut Transaction<'static, Any>,
    subject: SubjectId,
    e: &ConsentEvent,
    receipt: Option<&str>,
) -> Result<i64, StoreError> {
    let r = sqlx::query_as::<_, (i64,)>(
        "insert into consent_events (subject_id, purpose, action, policy_version, source, at, receipt) values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(subject.to_string())
    .bind(e.purpose.as_ref().map(|p| p.to_string()))
    .bind(e.action.as_str())
    .bind(i64::from(e.policy_version))
    .bind(e.source.as_str())
    .bind(micros(e.at))
    .bind(receipt.map(str::to_owned))
    .fetch_one(&mut **tx)
    .await;
    match r {
        Ok((id,)) => Ok(id),
        Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StoreError::UnknownSubject(subject)),
        Err(e) => Err(db_err(e)),
    }
}

/// Shared so the CLI can hold one store across tasks.
pub type SharedStore = Arc<SqlStore>;
