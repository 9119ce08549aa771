//! The store's roles: the persistence contract split by use case, so that
//! each use case names what it needs (an import an [`InteractionStore`]
//! and a [`SubjectStore`], the analytics an [`AnalyticsStore`] and a
//! [`ConsentStore`], ...). A back end implements every role; [`Store`] is
//! all of them at once, for the service that holds one `Arc<dyn Store>`.
//!
//! Reads return sealed rows: decrypting is the caller's business, after the
//! access decision allowed it.

use candor_domain::SubjectId;
use candor_privacy::RedactedText;

#[cfg(doc)]
use crate::KeyRing;
use crate::{
    ActorRecord, AggregateQuery, AggregateRow, AuditEntry, AuditState, ChallengeRecord, Checkpoint, ConsentRecord, ConversationRef,
    IdentityConflict, InteractionLink, InteractionRecord, KeyOwner, KeyValue, KpiQuery, KpiRow, LegalHoldRecord, LinkPage, NoticeProgress,
    OutboxMessage, Outcome, PasskeyRecord, PolicyVersionRecord, RecipientRecord, RightsRequestRecord, SessionRecord, StoreError,
    SubjectRecord, TokenRecord, WrappedKey, WriteBatch,
};
use crate::{ConcernFilter, ConcernKey, ConcernRecord, InteractionKey, InteractionTally, RightsFilter, RightsKey};

/// Writing: a [`WriteBatch`] and its audit entries in one transaction, and
/// making what a batch deleted unrecoverable. Every role that changes data
/// goes through this one door.
#[async_trait::async_trait]
pub trait BatchStore: Send + Sync {
    /// Which back end this is (`sqlite`, `postgres`), for messages.
    fn backend_name(&self) -> &'static str;

    /// Apply a batch in one transaction, audit entries included. Returns one
    /// outcome per operation, in order.
    async fn apply(&self, batch: WriteBatch) -> Result<Vec<Outcome>, StoreError>;

    /// Make the bytes of personal data that committed batches deleted
    /// unrecoverable from the database's own files. SQLite zeroes deleted
    /// content in place (`secure_delete`), but in WAL mode the pages as they
    /// were before stay in the write-ahead log until a checkpoint copies the
    /// new ones into the file: this checkpoints and truncates the log, and
    /// fails when a reader holding an old snapshot keeps it from finishing.
    /// PostgreSQL leaves deleted row versions in its pages until they are
    /// reused; what they hold of a customer is sealed under the data key an
    /// erasure destroys, or redacted. [`BatchStore::apply`] calls this after
    /// every batch that deletes personal data; callers may call it again
    /// when that failed.
    async fn purge_deleted(&self) -> Result<(), StoreError>;
}

/// Published policy versions and the recipients they name.
#[async_trait::async_trait]
pub trait PolicyStore: Send + Sync {
    /// Every published policy version, oldest first.
    async fn policy_versions(&self) -> Result<Vec<PolicyVersionRecord>, StoreError>;

    /// Up to `limit` published versions numbered above `after`, oldest
    /// first.
    async fn policy_version_page(&self, after: u32, limit: u32) -> Result<Vec<PolicyVersionRecord>, StoreError>;

    /// The number of the latest published policy version, if any.
    async fn latest_policy_version(&self) -> Result<Option<u32>, StoreError>;

    /// Recipients and their agreements as of the latest published version.
    async fn recipients(&self) -> Result<Vec<RecipientRecord>, StoreError>;

    /// How far the notices of version `version`'s material change have
    /// been queued, if they were started.
    async fn notice_progress(&self, version: u32) -> Result<Option<NoticeProgress>, StoreError>;
}

/// Subjects (customers) and their identities: lookups by id and by blind
/// index, their data keys and sealed attributes, the identifiers erased
/// subjects leave suppressed.
#[async_trait::async_trait]
pub trait SubjectStore: Send + Sync {
    /// A subject with its encrypted attributes and identities.
    async fn subject(&self, id: SubjectId) -> Result<Option<SubjectRecord>, StoreError>;

    /// A subject's pseudonym, if the subject is stored: one lookup by
    /// primary key, for callers that only need to know it exists.
    async fn subject_pseudonym(&self, id: SubjectId) -> Result<Option<String>, StoreError>;

    /// How many subjects are stored.
    async fn subject_count(&self) -> Result<u64, StoreError>;

    /// The subject an identifier's blind index points to.
    async fn find_subject(&self, blind_index: &[u8]) -> Result<Option<SubjectId>, StoreError>;

    /// The subjects some of `blind_indexes` point to (those that do).
    async fn find_subjects(&self, blind_indexes: &[Vec<u8>]) -> Result<Vec<(Vec<u8>, SubjectId)>, StoreError>;

    /// The wrapped data keys of these subjects (those that exist).
    async fn subject_keys(&self, ids: &[SubjectId]) -> Result<Vec<(SubjectId, WrappedKey)>, StoreError>;

    /// The attribute `name` of each of these subjects that has one, sealed:
    /// one round trip per few hundred subjects, for imports that compare
    /// many customers' stored values at once.
    async fn subject_attribute(&self, ids: &[SubjectId], name: &str) -> Result<Vec<(SubjectId, Vec<u8>)>, StoreError>;

    /// The kinds of identifiers each of these subjects holds, as
    /// namespaces (`email`, `handle:x`): no values.
    async fn identity_kinds(&self, ids: &[SubjectId]) -> Result<Vec<(SubjectId, String)>, StoreError>;

    /// The conflicts recorded between any of these subjects and another.
    async fn identity_conflicts(&self, ids: &[SubjectId]) -> Result<Vec<IdentityConflict>, StoreError>;

    /// Which of these blind indexes are suppressed (erased subjects).
    async fn suppressed(&self, blind_indexes: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, StoreError>;

    /// Up to `limit` subjects created at or before `created_by` with an
    /// e-mail address on record, in id order, after `after` when it is
    /// given: a notice to every customer, a page at a time. Each record
    /// carries its e-mail identities only, and no attributes.
    async fn subjects_with_email(
        &self,
        after: Option<SubjectId>,
        created_by: time::OffsetDateTime,
        limit: u32,
    ) -> Result<Vec<SubjectRecord>, StoreError>;

    /// Some subject and its pseudonym, to test keys against a database that
    /// has no key check value yet.
    async fn sample_pseudonym(&self) -> Result<Option<(SubjectId, String)>, StoreError>;
}

/// The consent ledger: one subject's events, and every subject's in ledger
/// order for the access gate.
#[async_trait::async_trait]
pub trait ConsentStore: Send + Sync {
    /// A subject's consent ledger, oldest first, or `None` when the
    /// subject is not stored (one round trip for both).
    async fn subject_consent(&self, id: SubjectId) -> Result<Option<Vec<ConsentRecord>>, StoreError>;

    /// A subject's consent ledger, oldest first.
    async fn consent_events(&self, id: SubjectId) -> Result<Vec<ConsentRecord>, StoreError>;

    /// Up to `limit` events of a subject's consent ledger after position
    /// `after`, oldest first.
    async fn consent_event_page(&self, id: SubjectId, after: i64, limit: u32) -> Result<Vec<ConsentRecord>, StoreError>;

    /// The consent ledgers of these subjects, each oldest first, with their
    /// subject (one round trip per few hundred subjects).
    async fn consent_of(&self, ids: &[SubjectId]) -> Result<Vec<(SubjectId, ConsentRecord)>, StoreError>;

    /// Up to `limit` consent events of every subject after ledger position
    /// `after`, in ledger order, with their subject: what the access gate
    /// folds to decide whose data an aggregate may count.
    async fn consent_ledger(&self, after: i64, limit: u32) -> Result<Vec<(SubjectId, ConsentRecord)>, StoreError>;
}

/// Social interactions and what imports need around them: which items are
/// stored or deleted by the platform, brand accounts, bulk-load indexes and
/// planner statistics.
#[async_trait::async_trait]
pub trait InteractionStore: Send + Sync {
    /// An interaction's sealed text, by platform and external id.
    async fn interaction(&self, platform: &str, external_id: &str) -> Result<Option<InteractionRecord>, StoreError>;

    /// Every interaction about a subject, oldest first.
    async fn subject_interactions(&self, id: SubjectId) -> Result<Vec<InteractionRecord>, StoreError>;

    /// A subject's interactions counted by platform and kind, with the
    /// first and last of each, in platform and kind order (one query, no
    /// text read).
    async fn subject_interaction_tally(&self, id: SubjectId) -> Result<Vec<InteractionTally>, StoreError>;

    /// Every item of one conversation on a platform (its first item and
    /// those linked to it), oldest first; at most `limit`.
    async fn conversation(&self, platform: &str, conversation_id: &str, limit: u32) -> Result<Vec<InteractionRecord>, StoreError>;
    /// Up to `limit` interactions about a subject, newest first (ties by
    /// platform and external id, descending), only those listed after
    /// `before` when it is given.
    async fn subject_interaction_page(
        &self,
        id: SubjectId,
        before: Option<&InteractionKey>,
        limit: u32,
    ) -> Result<Vec<InteractionRecord>, StoreError>;

    /// Which of these items are stored, with their subject and
    /// conversation (those stored).
    async fn interaction_links(&self, platform: &str, external_ids: &[String]) -> Result<Vec<InteractionLink>, StoreError>;

    /// Which of these items the platform deleted.
    async fn tombstoned(&self, platform: &str, external_ids: &[String]) -> Result<Vec<String>, StoreError>;

    /// Interactions stored.
    async fn interaction_count(&self) -> Result<u64, StoreError>;

    /// A brand account's wrapped data key.
    async fn brand_account_key(&self, platform: &str, handle: &str) -> Result<Option<WrappedKey>, StoreError>;

    /// Every brand account: platform, handle, wrapped key.
    async fn brand_accounts(&self) -> Result<Vec<(String, String, WrappedKey)>, StoreError>;

    /// Drop (`true`) or rebuild (`false`) the secondary indexes that make
    /// bulk loads slow (the interactions' subject index, whose keys arrive
    /// in random order). A large import into a small table loads faster
    /// without them and rebuilds them once, sorted, at the end, as both
    /// databases' bulk-loading guides advise. Opening the store rebuilds
    /// any index a killed import left dropped.
    async fn defer_indexes(&self, deferred: bool) -> Result<(), StoreError>;

    /// Refresh the query planner's statistics of the tables an import
    /// grows. A table that grew from nearly empty to many rows faster than
    /// the database's own background analysis runs is planned as if it were
    /// still small: PostgreSQL then reads a batch's 500 reply-to parents by
    /// scanning every row of their platform instead of looking each up, and
    /// each batch costs more than the last. Imports call this each time the
    /// number of batches they committed doubles.
    async fn refresh_statistics(&self) -> Result<(), StoreError>;
}

/// Analytics pushed down into the database: aggregates, KPIs, the redacted
/// texts that text analytics reads, and the privacy budget spent. Text
/// comes back as [`RedactedText`] only.
#[async_trait::async_trait]
pub trait AnalyticsStore: Send + Sync {
    /// Group and count interactions where they are stored (SQL aggregates
    /// on every back end; no interaction row leaves the database).
    async fn aggregate(&self, query: &AggregateQuery) -> Result<Vec<AggregateRow>, StoreError>;

    /// Customer-care KPIs over conversations, computed in the database.
    async fn kpis(&self, query: &KpiQuery) -> Result<Vec<KpiRow>, StoreError>;

    /// A number every write to the interactions changes (an import, an
    /// erasure, a platform deletion): what was computed from them under one
    /// generation holds until it changes.
    async fn interactions_generation(&self) -> Result<i64, StoreError>;

    /// The conversations behind one KPI cell (its key parts in the query's
    /// order, agent last), oldest first, at most 10,000.
    async fn kpi_conversations(&self, query: &KpiQuery, cell: &[KeyValue]) -> Result<Vec<ConversationRef>, StoreError>;

    /// Up to `limit` redacted texts of inbound interactions about a subject,
    /// with `from_day <= day < to_day` and an id above `after`, in id
    /// order: (id, subject, redacted text). For text analytics that SQL
    /// cannot aggregate (emerging phrases); the caller filters subjects
    /// through the gate.
    async fn inbound_texts(
        &self,
        from_day: i64,
        to_day: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, SubjectId, RedactedText)>, StoreError>;

    /// Privacy budget (epsilon, in millionths) an actor spent since `since`.
    async fn budget_spent(&self, actor: &str, since: time::OffsetDateTime) -> Result<u64, StoreError>;
}

/// Data-subject rights requests, the outbox that tells customers about
/// them, and legal holds.
#[async_trait::async_trait]
pub trait RightsStore: Send + Sync {
    /// A rights request by id.
    async fn rights_request(&self, id: &str) -> Result<Option<RightsRequestRecord>, StoreError>;

    /// Rights requests, earliest deadline first; only those not yet
    /// completed or rejected when `open_only`.
    async fn rights_requests(&self, open_only: bool) -> Result<Vec<RightsRequestRecord>, StoreError>;

    /// Up to `limit` rights requests that `filter` admits, earliest
    /// deadline first then by id, after `after` when it is given.
    async fn rights_request_page(
        &self,
        filter: &RightsFilter,
        after: Option<&RightsKey>,
        limit: u32,
    ) -> Result<Vec<RightsRequestRecord>, StoreError>;

    /// Up to `limit` outbox messages after `after`, in order; only those no
    /// transport took yet when `pending_only`.
    async fn outbox(&self, pending_only: bool, after: i64, limit: u32) -> Result<Vec<OutboxMessage>, StoreError>;

    /// Up to `limit` pending messages to customers (and staff members'
    /// console sign-in codes) after `after`, in order, whose next attempt
    /// is due at `now` (a mail transport's work).
    async fn outbox_due(&self, now: time::OffsetDateTime, after: i64, limit: u32) -> Result<Vec<OutboxMessage>, StoreError>;

    /// A subject's legal holds that are not released.
    async fn legal_holds(&self, id: SubjectId) -> Result<Vec<LegalHoldRecord>, StoreError>;
}

/// Customers' questions and concerns to the compliance team.
#[async_trait::async_trait]
pub trait ConcernStore: Send + Sync {
    /// A concern by id.
    async fn concern(&self, id: &str) -> Result<Option<ConcernRecord>, StoreError>;

    /// Up to `limit` concerns that `filter` admits, open ones first, then
    /// earliest deadline first, then by id, after `after` when it is given.
    async fn concern_page(&self, filter: &ConcernFilter, after: Option<&ConcernKey>, limit: u32) -> Result<Vec<ConcernRecord>, StoreError>;

    /// How many concerns a subject raised.
    async fn concern_count(&self, subject: SubjectId) -> Result<u64, StoreError>;
}

/// Reading the tamper-evident audit log: entries, chain links, checkpoints
/// and the signed head (appending goes through [`BatchStore::apply`]).
#[async_trait::async_trait]
pub trait AuditStore: Send + Sync {
    /// Up to `limit` audit entries after `after_seq`, in order, parsed.
    async fn audit_entries(&self, after_seq: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;

    /// The chain links with `after < seq <= upto`, in order, as stored. A
    /// row that does not even parse as a link is reported as
    /// [`StoreError::Corrupt`].
    async fn audit_links(&self, after: i64, upto: i64) -> Result<LinkPage, StoreError>;

    /// The highest sequence number present in the log (0 when empty).
    async fn audit_last_seq(&self) -> Result<i64, StoreError>;

    /// The chain head: the last sequence number and its hash.
    async fn audit_head(&self) -> Result<(i64, [u8; 32]), StoreError>;

    /// Every checkpoint.
    async fn audit_checkpoints(&self) -> Result<Vec<Checkpoint>, StoreError>;

    /// The signed head, the checkpoints and the highest entry, from one
    /// snapshot, so that appends running meanwhile cannot make them
    /// disagree. A value that does not decode is [`StoreError::Corrupt`].
    async fn audit_state(&self) -> Result<AuditState, StoreError>;

    /// The audit entries naming a subject's pseudonym, in order, at most
    /// `limit`.
    async fn audit_about(&self, pseudonym: &str, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;

    /// Up to `limit` audit entries naming a pseudonym made by anyone but
    /// the customer themself (actor `subject`), newest first, only those
    /// before `before` (a sequence number) when it is given: who else did
    /// what with their data, without reading the rest of the log or the
    /// customer's own entries (an index holds only the others').
    async fn audit_recent_about_by_others(&self, pseudonym: &str, before: Option<i64>, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;
}

/// Who may come in: staff actors, API tokens, browser sessions and
/// customers' sign-in challenges.
#[async_trait::async_trait]
pub trait AccessStore: Send + Sync {
    /// A staff actor.
    async fn actor(&self, id: &str) -> Result<Option<ActorRecord>, StoreError>;

    /// Every staff actor, by id.
    async fn actors(&self) -> Result<Vec<ActorRecord>, StoreError>;

    /// The API token whose secret hashes to `hash`.
    async fn token(&self, hash: &[u8]) -> Result<Option<TokenRecord>, StoreError>;

    /// An actor's tokens, newest first.
    async fn tokens(&self, actor: &str) -> Result<Vec<TokenRecord>, StoreError>;

    /// The API token with public id `id`.
    async fn token_by_id(&self, id: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// The browser session whose cookie hashes to `hash`.
    async fn session(&self, hash: &[u8]) -> Result<Option<SessionRecord>, StoreError>;

    /// A customer's sign-in challenge.
    async fn challenge(&self, id: &str) -> Result<Option<ChallengeRecord>, StoreError>;

    /// How many sign-in challenges (decoys included) were made for the
    /// address whose keyed hash is `address_key` since `since`.
    async fn challenges_since(&self, address_key: &[u8], since: time::OffsetDateTime) -> Result<u64, StoreError>;

    /// The passkey with credential id `id`.
    async fn passkey(&self, id: &[u8]) -> Result<Option<PasskeyRecord>, StoreError>;

    /// An actor's passkeys, oldest first.
    async fn passkeys(&self, actor: &str) -> Result<Vec<PasskeyRecord>, StoreError>;
}

/// Key management: which data keys each key-encryption key wraps, for
/// rotation, and the key check value that binds keys to this database.
#[async_trait::async_trait]
pub trait KeyStore: Send + Sync {
    /// Up to `limit` data keys (of subjects, then brand accounts) not
    /// wrapped under `kek_id`.
    async fn keys_not_under(&self, kek_id: &str, limit: u32) -> Result<Vec<(KeyOwner, WrappedKey)>, StoreError>;

    /// How many data keys each KEK wraps.
    async fn key_counts(&self) -> Result<Vec<(String, u64)>, StoreError>;

    /// The key check value recorded for this database, if any (see
    /// [`KeyRing::key_check`]).
    async fn key_check(&self) -> Result<Option<Vec<u8>>, StoreError>;

    /// Record `value` as the key check value unless one is recorded
    /// already; returns the one recorded.
    async fn record_key_check(&self, value: &[u8], at: time::OffsetDateTime) -> Result<Vec<u8>, StoreError>;
}

/// Every role at once: what a back end is, and what the service holds as
/// `Arc<dyn Store>` without naming a back end. Implemented for anything
/// that implements all the roles.
pub trait Store:
    BatchStore
    + PolicyStore
    + SubjectStore
    + ConsentStore
    + InteractionStore
    + AnalyticsStore
    + RightsStore
    + ConcernStore
    + AuditStore
    + AccessStore
    + KeyStore
    + std::fmt::Debug
{
}

impl<T> Store for T where
    T: BatchStore
        + PolicyStore
        + SubjectStore
        + ConsentStore
        + InteractionStore
        + AnalyticsStore
        + RightsStore
        + ConcernStore
        + AuditStore
        + AccessStore
        + KeyStore
        + std::fmt::Debug
        + ?Sized
{
}
