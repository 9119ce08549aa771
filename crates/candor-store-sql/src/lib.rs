//! candor's [`Store`] on SQLite (the embedded default) and PostgreSQL.
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
mod conflicts;
mod interactions;
mod keys;
mod migrate;
mod rights;
mod rows;

use std::sync::Arc;

use candor_domain::{ConsentEvent, SubjectId};
use candor_store::audit::micros;
use candor_store::{
    ActorRecord, AggregateQuery, AggregateRow, AuditEntry, AuditSigner, AuditState, ChallengeRecord, Checkpoint, ConsentRecord,
    InteractionLink, InteractionRecord, KeyOwner, KpiQuery, KpiRow, LegalHoldRecord, LinkPage, NewSubject, Op, OutboxMessage, Outcome,
    PolicyVersionRecord, RecipientRecord, RightsRequestRecord, SealedAttribute, SealedIdentity, SessionRecord, SignedHead, Store,
    StoreError, SubjectRecord, TokenRecord, WrappedKey, WriteBatch,
};
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
            Op::Rewrap(keys) => Ok(Outcome::Count(interactions::rewrap(tx, keys).await?)),
            Op::SaveRightsRequest { record, previous } => {
                rights::save(tx, &record, previous.as_deref()).await?;
                Ok(Outcome::Done)
            }
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
            Op::RecordConflicts(conflicts) => Ok(Outcome::Count(conflicts::record(tx, &conflicts).await?)),
            Op::MarkSent { ids, at } => Ok(Outcome::Count(rights::mark_sent(tx, &ids, micros(at)).await?)),
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

#[async_trait::async_trait]
impl Store for SqlStore {
    fn backend_name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    #[tracing::instrument(skip_all, fields(ops = batch.ops.len(), audit = batch.audit.len()))]
    async fn apply(&self, batch: WriteBatch) -> Result<Vec<Outcome>, StoreError> {
        if !batch.audit.is_empty() && self.signer.is_none() {
            return Err(StoreError::NoSigner);
        }
        let deletes = batch.ops.iter().any(|op| op.effects().deletes_personal_data);
        let mut tx = self.pool.begin().await.map_err(db_err)?;
        match self.write(&mut tx, batch).await {
            Ok((outcomes, head)) => {
                tx.commit().await.map_err(db_err)?;
                if let (Some(head), Some(signer)) = (head, &self.signer) {
                    audit::witness(signer, &head);
                }
                if deletes {
                    self.purge_deleted().await?;
                }
                Ok(outcomes)
            }
            Err(e) => {
                // Rolled back here and now: a dropped transaction is only
                // rolled back when its pooled connection is next used, and
                // until then it keeps its locks (on PostgreSQL, the audit
                // head's row, so every other writer waits).
                let _ = tx.rollback().await;
                Err(e)
            }
        }
    }

    async fn policy_versions(&self) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        rows::policy_versions(&self.pool).await
    }

    async fn latest_policy_version(&self) -> Result<Option<u32>, StoreError> {
        let (v,): (Option<i64>,) =
            sqlx::query_as("select max(version) from policy_versions").fetch_one(&self.pool).await.map_err(db_err)?;
        v.map(|v| u32::try_from(v).map_err(|_| StoreError::Corrupt("policy version out of range".into()))).transpose()
    }

    async fn recipients(&self) -> Result<Vec<RecipientRecord>, StoreError> {
        rows::recipients(&self.pool).await
    }

    async fn subject(&self, id: SubjectId) -> Result<Option<SubjectRecord>, StoreError> {
        rows::subject(&self.pool, id).await
    }

    async fn subject_consent(&self, id: SubjectId) -> Result<Option<Vec<ConsentRecord>>, StoreError> {
        rows::subject_consent(&self.pool, id).await
    }

    async fn subject_pseudonym(&self, id: SubjectId) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("select pseudonym from subjects where id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(row.map(|(p,)| p))
    }

    async fn rights_request(&self, id: &str) -> Result<Option<RightsRequestRecord>, StoreError> {
        rights::one(&self.pool, id).await
    }

    async fn rights_requests(&self, open_only: bool) -> Result<Vec<RightsRequestRecord>, StoreError> {
        rights::all(&self.pool, open_only).await
    }

    async fn subject_count(&self) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("select count(*) from subjects").fetch_one(&self.pool).await.map_err(db_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn find_subject(&self, blind_index: &[u8]) -> Result<Option<SubjectId>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("select subject_id from identities where blind_index = $1")
            .bind(blind_index.to_vec())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        row.map(|(s,)| SubjectId::parse(&s).map_err(|e| StoreError::undecodable("a subject id", e))).transpose()
    }

    async fn consent_events(&self, id: SubjectId) -> Result<Vec<ConsentRecord>, StoreError> {
        rows::consent_events(&self.pool, id).await
    }

    async fn actor(&self, id: &str) -> Result<Option<ActorRecord>, StoreError> {
        rows::actor(&self.pool, id).await
    }

    async fn keys_not_under(&self, kek_id: &str, limit: u32) -> Result<Vec<(KeyOwner, WrappedKey)>, StoreError> {
        interactions::keys_not_under(&self.pool, kek_id, limit).await
    }

    async fn key_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        interactions::key_counts(&self.pool).await
    }

    async fn find_subjects(&self, blind_indexes: &[Vec<u8>]) -> Result<Vec<(Vec<u8>, SubjectId)>, StoreError> {
        interactions::find_subjects(&self.pool, self.backend, blind_indexes).await
    }

    async fn subject_keys(&self, ids: &[SubjectId]) -> Result<Vec<(SubjectId, WrappedKey)>, StoreError> {
        interactions::subject_keys(&self.pool, self.backend, ids).await
    }

    async fn subject_attribute(&self, ids: &[SubjectId], name: &str) -> Result<Vec<(SubjectId, Vec<u8>)>, StoreError> {
        interactions::subject_attribute(&self.pool, self.backend, ids, name).await
    }

    async fn identity_kinds(&self, ids: &[SubjectId]) -> Result<Vec<(SubjectId, String)>, StoreError> {
        conflicts::kinds(&self.pool, self.backend, ids).await
    }

    async fn identity_conflicts(&self, ids: &[SubjectId]) -> Result<Vec<candor_store::IdentityConflict>, StoreError> {
        conflicts::of(&self.pool, self.backend, ids).await
    }

    async fn suppressed(&self, blind_indexes: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, StoreError> {
        interactions::suppressed(&self.pool, self.backend, blind_indexes).await
    }

    async fn tombstoned(&self, platform: &str, external_ids: &[String]) -> Result<Vec<String>, StoreError> {
        interactions::tombstoned(&self.pool, self.backend, platform, external_ids).await
    }

    async fn interaction_links(&self, platform: &str, external_ids: &[String]) -> Result<Vec<InteractionLink>, StoreError> {
        interactions::links(&self.pool, self.backend, platform, external_ids).await
    }

    async fn brand_account_key(&self, platform: &str, handle: &str) -> Result<Option<WrappedKey>, StoreError> {
        interactions::brand_account_key(&self.pool, platform, handle).await
    }

    async fn brand_accounts(&self) -> Result<Vec<(String, String, WrappedKey)>, StoreError> {
        interactions::brand_accounts(&self.pool).await
    }

    async fn consent_ledger(&self, after: i64, limit: u32) -> Result<Vec<(SubjectId, ConsentRecord)>, StoreError> {
        analytics::consent_ledger(&self.pool, after, limit).await
    }

    async fn aggregate(&self, query: &AggregateQuery) -> Result<Vec<AggregateRow>, StoreError> {
        analytics::aggregate(&self.pool, self.backend, query).await
    }

    async fn kpis(&self, query: &KpiQuery) -> Result<Vec<KpiRow>, StoreError> {
        analytics::kpis(&self.pool, self.backend, query).await
    }

    async fn kpi_conversations(
        &self,
        query: &KpiQuery,
        cell: &[candor_store::KeyValue],
    ) -> Result<Vec<candor_store::ConversationRef>, StoreError> {
        analytics::kpi_conversations(&self.pool, self.backend, query, cell).await
    }

    async fn inbound_texts(&self, from_day: i64, to_day: i64, after: i64, limit: u32) -> Result<Vec<(i64, SubjectId, String)>, StoreError> {
        analytics::inbound_texts(&self.pool, from_day, to_day, after, limit).await
    }

    async fn subject_interactions(&self, id: SubjectId) -> Result<Vec<InteractionRecord>, StoreError> {
        interactions::of_subject(&self.pool, id).await
    }

    async fn audit_about(&self, pseudonym: &str, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        rights::audit_about(&self.pool, self.backend, pseudonym, limit).await
    }

    async fn outbox(&self, pending_only: bool, after: i64, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
        rights::outbox(&self.pool, pending_only, after, limit).await
    }

    async fn legal_holds(&self, id: SubjectId) -> Result<Vec<LegalHoldRecord>, StoreError> {
        rights::holds(&self.pool, id).await
    }

    async fn token(&self, hash: &[u8]) -> Result<Option<TokenRecord>, StoreError> {
        access::token_by_hash(&self.pool, hash).await
    }

    async fn tokens(&self, actor: &str) -> Result<Vec<TokenRecord>, StoreError> {
        access::tokens(&self.pool, actor).await
    }

    async fn token_by_id(&self, id: &str) -> Result<Option<TokenRecord>, StoreError> {
        access::token_by_id(&self.pool, id).await
    }

    async fn session(&self, hash: &[u8]) -> Result<Option<SessionRecord>, StoreError> {
        access::session(&self.pool, hash).await
    }

    async fn challenge(&self, id: &str) -> Result<Option<ChallengeRecord>, StoreError> {
        access::challenge(&self.pool, id).await
    }

    async fn challenges_since(&self, address_key: &[u8], since: time::OffsetDateTime) -> Result<u64, StoreError> {
        access::challenges_since(&self.pool, address_key, micros(since)).await
    }

    async fn budget_spent(&self, actor: &str, since: time::OffsetDateTime) -> Result<u64, StoreError> {
        analytics::budget_spent(&self.pool, actor, since).await
    }

    async fn defer_indexes(&self, deferred: bool) -> Result<(), StoreError> {
        for (name, create) in backend::DEFERRABLE_INDEXES {
            let sql = if deferred { format!("drop index if exists {name}") } else { (*create).to_owned() };
            sqlx::query(&sql).execute(&self.pool).await.map_err(db_err)?;
        }
        Ok(())
    }

    async fn purge_deleted(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        // Waits (the busy timeout) for readers still on older frames.
        let (busy, _, _): (i64, i64, i64) =
            sqlx::query_as("pragma wal_checkpoint(truncate)").fetch_one(&self.pool).await.map_err(db_err)?;
        if busy != 0 {
            return Err(StoreError::Inconsistent(
                "deleted data is committed, but its earlier bytes are still in the write-ahead log (`-wal` file): a reader held the database too long; run the same command again to remove them".into(),
            ));
        }
        Ok(())
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        match self.backend {
            // SQLite plans these lookups by their unique indexes without
            // statistics, and its ANALYZE would read every index in full.
            Backend::Sqlite => Ok(()),
            // A sample of each table, not a scan: cheap at any size.
            Backend::Postgres => {
                sqlx::query("analyze interactions, identities, subjects").execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }
        }
    }

    async fn interaction_count(&self) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("select count(*) from interactions").fetch_one(&self.pool).await.map_err(db_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn interaction(&self, platform: &str, external_id: &str) -> Result<Option<InteractionRecord>, StoreError> {
        interactions::interaction(&self.pool, platform, external_id).await
    }

    async fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        rows::audit_entries(&self.pool, after_seq, limit).await
    }

    async fn audit_links(&self, after: i64, upto: i64) -> Result<LinkPage, StoreError> {
        rows::audit_links(&self.pool, self.backend, after, upto).await
    }

    async fn audit_last_seq(&self) -> Result<i64, StoreError> {
        let (n,): (Option<i64>,) = sqlx::query_as("select max(seq) from audit_log").fetch_one(&self.pool).await.map_err(db_err)?;
        Ok(n.unwrap_or(0))
    }

    async fn audit_head(&self) -> Result<(i64, [u8; 32]), StoreError> {
        let (seq, hash): (i64, Vec<u8>) =
            sqlx::query_as("select seq, hash from audit_head where id = 1").fetch_one(&self.pool).await.map_err(db_err)?;
        Ok((seq, hash.try_into().map_err(|_| StoreError::Corrupt("audit head hash is not 32 bytes".into()))?))
    }

    async fn audit_checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError> {
        let mut conn = self.pool.acquire().await.map_err(db_err)?;
        audit::checkpoints(&mut conn).await
    }

    async fn audit_state(&self) -> Result<AuditState, StoreError> {
        audit::state(&self.pool, self.backend).await
    }

    async fn key_check(&self) -> Result<Option<Vec<u8>>, StoreError> {
        keys::key_check(&self.pool).await
    }

    async fn record_key_check(&self, value: &[u8], at: time::OffsetDateTime) -> Result<Vec<u8>, StoreError> {
        keys::record_key_check(&self.pool, value, at).await
    }

    async fn sample_pseudonym(&self) -> Result<Option<(SubjectId, String)>, StoreError> {
        let row: Option<(String, String)> =
            sqlx::query_as("select id, pseudonym from subjects limit 1").fetch_optional(&self.pool).await.map_err(db_err)?;
        row.map(|(id, p)| SubjectId::parse(&id).map(|id| (id, p)).map_err(|e| StoreError::undecodable("a subject id", e))).transpose()
    }
}

/// Shared so the CLI can hold one store across tasks.
pub type SharedStore = Arc<SqlStore>;
