//! [`SqlStore`] in each of the store's roles: every method a thin call into
//! the module that holds its SQL.

use candor_domain::SubjectId;
use candor_store::audit::micros;
use candor_store::RedactedText;
use candor_store::{
    AccessStore, ActorRecord, AggregateQuery, AggregateRow, AnalyticsStore, AuditEntry, AuditState, AuditStore, BatchStore,
    ChallengeRecord, Checkpoint, ConsentRecord, ConsentStore, InteractionLink, InteractionRecord, InteractionStore, KeyOwner, KeyStore,
    KpiQuery, KpiRow, LegalHoldRecord, LinkPage, OutboxMessage, Outcome, PasskeyRecord, PolicyStore, PolicyVersionRecord, RecipientRecord,
    RightsRequestRecord, RightsStore, SessionRecord, StoreError, SubjectRecord, SubjectStore, TokenRecord, WrappedKey, WriteBatch,
};

use candor_store::{ConcernFilter, ConcernKey, ConcernRecord, ConcernStore, InteractionKey, InteractionTally, RightsFilter, RightsKey};

use crate::{
    access, analytics, audit, backend, cache, concerns, conflicts, db_err, interactions, keys, notices, pages, rights, rows, Backend,
    SqlStore,
};

#[async_trait::async_trait]
impl BatchStore for SqlStore {
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

    async fn purge_deleted(&self) -> Result<(), StoreError> {
        if self.backend != Backend::Sqlite {
            return Ok(());
        }
        // Waits (the busy timeout) for readers still on older frames.
        let (busy, _, _): (i64, i64, i64) =
            sqlx::query_as("pragma wal_checkpoint(truncate)").fetch_one(&self.pool).await.map_err(db_err)?;
        if busy != 0 {
            return Err(StoreError::PurgePending);
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl PolicyStore for SqlStore {
    async fn policy_versions(&self) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        rows::policy_versions(&self.pool).await
    }

    async fn policy_version_page(&self, after: u32, limit: u32) -> Result<Vec<PolicyVersionRecord>, StoreError> {
        pages::policy_versions(&self.pool, after, limit).await
    }

    async fn latest_policy_version(&self) -> Result<Option<u32>, StoreError> {
        let (v,): (Option<i64>,) =
            sqlx::query_as("select max(version) from policy_versions").fetch_one(&self.pool).await.map_err(db_err)?;
        v.map(|v| u32::try_from(v).map_err(|_| StoreError::Corrupt("policy version out of range".into()))).transpose()
    }

    async fn recipients(&self) -> Result<Vec<RecipientRecord>, StoreError> {
        rows::recipients(&self.pool).await
    }

    async fn notice_progress(&self, version: u32) -> Result<Option<candor_store::NoticeProgress>, StoreError> {
        notices::progress(&self.pool, version).await
    }
}

#[async_trait::async_trait]
impl SubjectStore for SqlStore {
    async fn subject(&self, id: SubjectId) -> Result<Option<SubjectRecord>, StoreError> {
        rows::subject(&self.pool, id).await
    }

    async fn subject_pseudonym(&self, id: SubjectId) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("select pseudonym from subjects where id = $1")
            .bind(id.to_string())
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?;
        Ok(row.map(|(p,)| p))
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

    async fn subjects_with_email(
        &self,
        after: Option<SubjectId>,
        created_by: time::OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<SubjectRecord>, StoreError> {
        notices::subjects_with_email(&self.pool, after, created_by, limit).await
    }

    async fn sample_pseudonym(&self) -> Result<Option<(SubjectId, String)>, StoreError> {
        let row: Option<(String, String)> =
            sqlx::query_as("select id, pseudonym from subjects limit 1").fetch_optional(&self.pool).await.map_err(db_err)?;
        row.map(|(id, p)| SubjectId::parse(&id).map(|id| (id, p)).map_err(|e| StoreError::undecodable("a subject id", e))).transpose()
    }
}

#[async_trait::async_trait]
impl ConsentStore for SqlStore {
    async fn subject_consent(&self, id: SubjectId) -> Result<Option<Vec<ConsentRecord>>, StoreError> {
        rows::subject_consent(&self.pool, id).await
    }

    async fn consent_events(&self, id: SubjectId) -> Result<Vec<ConsentRecord>, StoreError> {
        rows::consent_events(&self.pool, id).await
    }

    async fn consent_event_page(&self, id: SubjectId, after: i64, limit: u32) -> Result<Vec<ConsentRecord>, StoreError> {
        pages::consent_events(&self.pool, id, after, limit).await
    }

    async fn consent_of(&self, ids: &[SubjectId]) -> Result<Vec<(SubjectId, ConsentRecord)>, StoreError> {
        notices::consent_of(&self.pool, self.backend, ids).await
    }

    async fn consent_ledger(&self, after: i64, limit: u32) -> Result<Vec<(SubjectId, ConsentRecord)>, StoreError> {
        analytics::consent_ledger(&self.pool, after, limit).await
    }
}

#[async_trait::async_trait]
impl InteractionStore for SqlStore {
    async fn interaction(&self, platform: &str, external_id: &str) -> Result<Option<InteractionRecord>, StoreError> {
        interactions::interaction(&self.pool, platform, external_id).await
    }

    async fn subject_interactions(&self, id: SubjectId) -> Result<Vec<InteractionRecord>, StoreError> {
        interactions::of_subject(&self.pool, id).await
    }

    async fn subject_interaction_tally(&self, id: SubjectId) -> Result<Vec<InteractionTally>, StoreError> {
        pages::interaction_tally(&self.pool, id).await
    }

    async fn conversation(&self, platform: &str, conversation_id: &str, limit: u32) -> Result<Vec<InteractionRecord>, StoreError> {
        interactions::of_conversation(&self.pool, platform, conversation_id, limit).await
    }

    async fn subject_interaction_page(
        &self,
        id: SubjectId,
        before: Option<&InteractionKey>,
        limit: u32,
    ) -> Result<Vec<InteractionRecord>, StoreError> {
        pages::interactions(&self.pool, id, before, limit).await
    }

    async fn interaction_links(&self, platform: &str, external_ids: &[String]) -> Result<Vec<InteractionLink>, StoreError> {
        interactions::links(&self.pool, self.backend, platform, external_ids).await
    }

    async fn tombstoned(&self, platform: &str, external_ids: &[String]) -> Result<Vec<String>, StoreError> {
        interactions::tombstoned(&self.pool, self.backend, platform, external_ids).await
    }

    async fn interaction_count(&self) -> Result<u64, StoreError> {
        let (n,): (i64,) = sqlx::query_as("select count(*) from interactions").fetch_one(&self.pool).await.map_err(db_err)?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn brand_account_key(&self, platform: &str, handle: &str) -> Result<Option<WrappedKey>, StoreError> {
        interactions::brand_account_key(&self.pool, platform, handle).await
    }

    async fn brand_accounts(&self) -> Result<Vec<(String, String, WrappedKey)>, StoreError> {
        interactions::brand_accounts(&self.pool).await
    }

    async fn defer_indexes(&self, deferred: bool) -> Result<(), StoreError> {
        for (name, create) in backend::DEFERRABLE_INDEXES {
            let sql = if deferred { format!("drop index if exists {name}") } else { (*create).to_owned() };
            sqlx::query(&sql).execute(&self.pool).await.map_err(db_err)?;
        }
        Ok(())
    }

    async fn refresh_statistics(&self) -> Result<(), StoreError> {
        match self.backend {
            // SQLite plans these lookups by their unique indexes without
            // statistics, and its ANALYZE would read every index in full.
            Backend::Sqlite => Ok(()),
            // Statistics from a sample of each table; the vacuum visits
            // only pages changed since the last one (the import's) and
            // marks them all-visible, so that the covering indexes serve
            // the privacy center's counts and analytics without reading
            // the table (an index-only scan), as PostgreSQL's bulk-loading
            // advice has it.
            Backend::Postgres => {
                sqlx::query("vacuum (analyze) interactions, identities, subjects").execute(&self.pool).await.map_err(db_err)?;
                Ok(())
            }
        }
    }
}

#[async_trait::async_trait]
impl AnalyticsStore for SqlStore {
    async fn aggregate(&self, query: &AggregateQuery) -> Result<Vec<AggregateRow>, StoreError> {
        analytics::aggregate(&self.pool, self.backend, query).await
    }

    async fn kpis(&self, query: &KpiQuery) -> Result<Vec<KpiRow>, StoreError> {
        analytics::kpis(&self.pool, self.backend, query).await
    }

    async fn interactions_generation(&self) -> Result<i64, StoreError> {
        cache::generation(&self.pool).await
    }

    async fn kpi_conversations(
        &self,
        query: &KpiQuery,
        cell: &[candor_store::KeyValue],
    ) -> Result<Vec<candor_store::ConversationRef>, StoreError> {
        analytics::kpi_conversations(&self.pool, self.backend, query, cell).await
    }

    async fn inbound_texts(
        &self,
        from_day: i64,
        to_day: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, SubjectId, RedactedText)>, StoreError> {
        analytics::inbound_texts(&self.pool, from_day, to_day, after, limit).await
    }

    async fn budget_spent(&self, actor: &str, since: time::OffsetDateTime) -> Result<u64, StoreError> {
        analytics::budget_spent(&self.pool, actor, since).await
    }
}

#[async_trait::async_trait]
impl RightsStore for SqlStore {
    async fn rights_request(&self, id: &str) -> Result<Option<RightsRequestRecord>, StoreError> {
        rights::one(&self.pool, id).await
    }

    async fn rights_requests(&self, open_only: bool) -> Result<Vec<RightsRequestRecord>, StoreError> {
        rights::all(&self.pool, open_only).await
    }

    async fn rights_request_page(
        &self,
        filter: &RightsFilter,
        after: Option<&RightsKey>,
        limit: u32,
    ) -> Result<Vec<RightsRequestRecord>, StoreError> {
        pages::rights_requests(&self.pool, filter, after, limit).await
    }

    async fn outbox(&self, pending_only: bool, after: i64, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
        rights::outbox(&self.pool, pending_only, after, limit).await
    }

    async fn outbox_due(&self, now: time::OffsetDateTime, after: i64, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
        rights::outbox_due(&self.pool, candor_store::audit::micros(now), after, limit).await
    }

    async fn legal_holds(&self, id: SubjectId) -> Result<Vec<LegalHoldRecord>, StoreError> {
        rights::holds(&self.pool, id).await
    }
}

#[async_trait::async_trait]
impl ConcernStore for SqlStore {
    async fn concern(&self, id: &str) -> Result<Option<ConcernRecord>, StoreError> {
        concerns::one(&self.pool, id).await
    }

    async fn concern_page(&self, filter: &ConcernFilter, after: Option<&ConcernKey>, limit: u32) -> Result<Vec<ConcernRecord>, StoreError> {
        concerns::page(&self.pool, filter, after, limit).await
    }

    async fn concern_count(&self, subject: SubjectId) -> Result<u64, StoreError> {
        concerns::count(&self.pool, subject).await
    }
}

#[async_trait::async_trait]
impl AuditStore for SqlStore {
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

    async fn audit_about(&self, pseudonym: &str, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        rights::audit_about(&self.pool, self.backend, pseudonym, limit).await
    }

    async fn audit_recent_about_by_others(&self, pseudonym: &str, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
        rights::audit_recent_about_by_others(&self.pool, self.backend, pseudonym, before, limit).await
    }
}

#[async_trait::async_trait]
impl AccessStore for SqlStore {
    async fn actor(&self, id: &str) -> Result<Option<ActorRecord>, StoreError> {
        rows::actor(&self.pool, id).await
    }

    async fn actors(&self) -> Result<Vec<ActorRecord>, StoreError> {
        rows::actors(&self.pool).await
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

    async fn passkey(&self, id: &[u8]) -> Result<Option<PasskeyRecord>, StoreError> {
        access::passkey(&self.pool, id).await
    }

    async fn passkeys(&self, actor: &str) -> Result<Vec<PasskeyRecord>, StoreError> {
        access::passkeys(&self.pool, actor).await
    }
}

#[async_trait::async_trait]
impl KeyStore for SqlStore {
    async fn keys_not_under(&self, kek_id: &str, limit: u32) -> Result<Vec<(KeyOwner, WrappedKey)>, StoreError> {
        interactions::keys_not_under(&self.pool, kek_id, limit).await
    }

    async fn key_counts(&self) -> Result<Vec<(String, u64)>, StoreError> {
        interactions::key_counts(&self.pool).await
    }

    async fn key_check(&self) -> Result<Option<Vec<u8>>, StoreError> {
        keys::key_check(&self.pool).await
    }

    async fn record_key_check(&self, value: &[u8], at: time::OffsetDateTime) -> Result<Vec<u8>, StoreError> {
        keys::record_key_check(&self.pool, value, at).await
    }
}
