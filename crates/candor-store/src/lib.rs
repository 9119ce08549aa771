//! candor's persistence contract: the [`Store`] trait every back end
//! implements, the row models it speaks, envelope encryption with per-subject
//! data keys, blind indexes and the audit chain.
//!
//! Writes go through [`Store::apply`] as a [`WriteBatch`]: its operations and
//! the audit entries that record them commit in one transaction, so a crash
//! leaves either all of it or none, and no mutation exists without its audit
//! entry.
#![deny(missing_docs)]

pub mod analytics;
pub mod audit;
pub mod keys;
mod model;

pub use analytics::{AggregateQuery, AggregateRow, Bucket, ConversationRef, Dimension, KeyValue, KpiQuery, KpiRow, Side, SubjectFilter};
pub use audit::{
    AuditEntry, AuditRecord, AuditSigner, ChainKey, ChainLink, ChainVerifier, Checkpoint, LinkPage, SignedHead, Tamper, Verified, Witness,
    Witnessed,
};
pub use keys::{DataKey, KeyError, KeyRing, WrappedKey};
pub use model::*;

use candor_domain::SubjectId;

/// A database URL with any password replaced, for messages and logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_never_appear_in_shown_urls() {
        assert_eq!(super::redact_url("postgres://bob:hunter2@db:5432/x"), "postgres://bob:***@db:5432/x");
        assert_eq!(super::redact_url("postgres://bob@db/x"), "postgres://bob@db/x");
        assert_eq!(super::redact_url("sqlite://candor.db"), "sqlite://candor.db");
    }
}

/// Errors from a store. Messages never carry personal data or secrets.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("could not open the database at `{url}`: {reason}")]
    Connect {
        /// the URL, with any password removed
        url: String,
        /// why, and what to check
        reason: String,
        /// the driver's or the file system's error, when there is one
        #[source]
        source: Option<Cause>,
    },
    /// The URL names no supported back end.
    #[error("unsupported database URL `{0}`: use `sqlite://FILE` or `postgres://USER@HOST/DB`")]
    UnsupportedUrl(String),
    /// The database was written by a newer candor.
    #[error("the database schema is version {found}, newer than this candor supports ({supported}); upgrade candor")]
    NewerSchema {
        /// version in the database
        found: i64,
        /// newest version known here
        supported: i64,
    },
    /// A migration this database has applied differs from the one this
    /// build carries (its checksum differs): the schema may not be what the
    /// code expects, so the database is not opened.
    #[error(
        "migration {version} (`{file}`) was changed after this database applied it (its checksum differs); run the candor release that made the database, or restore the migration file as released (an applied migration is never edited: add a new one)"
    )]
    EditedMigration {
        /// the migration's number
        version: i64,
        /// its file
        file: String,
    },
    /// A migration failed to apply; its transaction was rolled back.
    #[error("migration {version} (`{file}`) could not be applied; the database is left as it was before it")]
    Migration {
        /// the migration's number
        version: i64,
        /// its file
        file: String,
        /// the database's error
        #[source]
        source: Cause,
    },
    /// A subject id that is not stored.
    #[error("no subject with id `{0}`")]
    UnknownSubject(SubjectId),
    /// An identifier already belongs to a subject.
    #[error("this {kind} already belongs to another subject")]
    IdentityTaken {
        /// identifier kind
        kind: String,
    },
    /// An actor id that is not stored.
    #[error("no actor `{0}`; add it with `candor actor add`")]
    UnknownActor(String),
    /// A record changed between reading it and writing its new state.
    #[error("{0} was changed by someone else meanwhile; look at it again and retry")]
    Changed(String),
    /// A stored row breaks a rule the store keeps (there is no underlying
    /// error to show).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A stored value could not be decoded.
    #[error("stored data is corrupt: {what}")]
    Undecodable {
        /// which value (never the value itself)
        what: String,
        /// the decoder's error
        #[source]
        source: Cause,
    },
    /// The audit log cannot be appended without a signing key.
    #[error("no audit signing key is loaded")]
    NoSigner,
    /// A differentially private query would pass the actor's budget.
    #[error(
        "the privacy budget is spent: {spent_micros} of {limit_micros} millionths of epsilon used this period, {requested_micros} asked"
    )]
    BudgetExhausted {
        /// spent so far this period
        spent_micros: u64,
        /// the period's budget
        limit_micros: u64,
        /// what the query asked for
        requested_micros: u64,
    },
    /// The keys are not the ones this database was made with.
    #[error("the keys do not belong to this database (key check value differs)")]
    ForeignKeys,
    /// A data key would be wrapped under a KEK a rotation retired.
    #[error("key-encryption key `{0}` was retired by a key rotation; data keys are no longer wrapped under it")]
    RetiredKek(String),
    /// A KEK to retire still wraps data keys.
    #[error("key-encryption key `{0}` still wraps data keys; it was not retired")]
    KekInUse(String),
    /// The database driver failed (a lost connection, a refused statement).
    #[error("database error")]
    Database(#[source] Cause),
    /// A step of the store failed on an error of another kind (a worker
    /// task that stopped).
    #[error("{what}")]
    Failed {
        /// what failed
        what: String,
        /// why
        #[source]
        source: Cause,
    },
    /// The store cannot go on, for a reason it found itself (there is no
    /// underlying error to show).
    #[error("database error: {0}")]
    Inconsistent(String),
}

impl StoreError {
    /// A stored value that does not decode: `what` names it (never the
    /// value), `source` says why.
    pub fn undecodable(what: impl Into<String>, source: impl Into<Cause>) -> Self {
        Self::Undecodable { what: what.into(), source: source.into() }
    }

    /// What is wrong, when the error is corrupt stored data (of either
    /// kind), with the decoder's reason; `None` for any other error.
    pub fn corruption(&self) -> Option<String> {
        match self {
            Self::Corrupt(reason) => Some(reason.clone()),
            Self::Undecodable { what, source } => Some(format!("{what}: {source}")),
            _ => None,
        }
    }
}

/// The underlying error of a [`StoreError`]: the driver's, a decoder's or the
/// file system's own, kept so that a log or `{:#}` shows the whole chain.
/// Show it with `Display`: a database error's text is the server's message,
/// while its `Debug` form also carries the server's detail, which can quote
/// a row's (sealed) values.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The persistence contract. One implementation per back end; the service
/// layer holds it as `Arc<dyn Store>` and never names a back end.
///
/// Reads return sealed rows: decrypting is the caller's business, after the
/// access decision allowed it.
#[async_trait::async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Which back end this is (`sqlite`, `postgres`), for messages.
    fn backend_name(&self) -> &'static str;

    /// Apply a batch in one transaction, audit entries included. Returns one
    /// outcome per operation, in order.
    async fn apply(&self, batch: WriteBatch) -> Result<Vec<Outcome>, StoreError>;

    /// Every published policy version, oldest first.
    async fn policy_versions(&self) -> Result<Vec<PolicyVersionRecord>, StoreError>;

    /// The number of the latest published policy version, if any.
    async fn latest_policy_version(&self) -> Result<Option<u32>, StoreError>;

    /// Recipients and their agreements as of the latest published version.
    async fn recipients(&self) -> Result<Vec<RecipientRecord>, StoreError>;

    /// A subject with its encrypted attributes and identities.
    async fn subject(&self, id: SubjectId) -> Result<Option<SubjectRecord>, StoreError>;

    /// A subject's pseudonym, if the subject is stored: one lookup by
    /// primary key, for callers that only need to know it exists.
    async fn subject_pseudonym(&self, id: SubjectId) -> Result<Option<String>, StoreError>;

    /// A rights request by id.
    async fn rights_request(&self, id: &str) -> Result<Option<RightsRequestRecord>, StoreError>;

    /// Rights requests, earliest deadline first; only those not yet
    /// completed or rejected when `open_only`.
    async fn rights_requests(&self, open_only: bool) -> Result<Vec<RightsRequestRecord>, StoreError>;

    /// How many subjects are stored.
    async fn subject_count(&self) -> Result<u64, StoreError>;

    /// The subject an identifier's blind index points to.
    async fn find_subject(&self, blind_index: &[u8]) -> Result<Option<SubjectId>, StoreError>;

    /// A subject's consent ledger, oldest first, or `None` when the
    /// subject is not stored (one round trip for both).
    async fn subject_consent(&self, id: SubjectId) -> Result<Option<Vec<ConsentRecord>>, StoreError>;

    /// A subject's consent ledger, oldest first.
    async fn consent_events(&self, id: SubjectId) -> Result<Vec<ConsentRecord>, StoreError>;

    /// A staff actor.
    async fn actor(&self, id: &str) -> Result<Option<ActorRecord>, StoreError>;

    /// Up to `limit` data keys (of subjects, then brand accounts) not
    /// wrapped under `kek_id`.
    async fn keys_not_under(&self, kek_id: &str, limit: u32) -> Result<Vec<(KeyOwner, WrappedKey)>, StoreError>;

    /// How many data keys each KEK wraps.
    async fn key_counts(&self) -> Result<Vec<(String, u64)>, StoreError>;

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

    /// Which of these items the platform deleted.
    async fn tombstoned(&self, platform: &str, external_ids: &[String]) -> Result<Vec<String>, StoreError>;

    /// Which of these items are stored, with their subject and
    /// conversation (those stored).
    async fn interaction_links(&self, platform: &str, external_ids: &[String]) -> Result<Vec<InteractionLink>, StoreError>;

    /// A brand account's wrapped data key.
    async fn brand_account_key(&self, platform: &str, handle: &str) -> Result<Option<WrappedKey>, StoreError>;

    /// Every brand account: platform, handle, wrapped key.
    async fn brand_accounts(&self) -> Result<Vec<(String, String, WrappedKey)>, StoreError>;

    /// Interactions stored.
    async fn interaction_count(&self) -> Result<u64, StoreError>;

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

    /// Make the bytes of personal data that committed batches deleted
    /// unrecoverable from the database's own files. SQLite zeroes deleted
    /// content in place (`secure_delete`), but in WAL mode the pages as they
    /// were before stay in the write-ahead log until a checkpoint copies the
    /// new ones into the file: this checkpoints and truncates the log, and
    /// fails when a reader holding an old snapshot keeps it from finishing.
    /// PostgreSQL leaves deleted row versions in its pages until they are
    /// reused; what they hold of a customer is sealed under the data key an
    /// erasure destroys, or redacted. [`Store::apply`] calls this after
    /// every batch that deletes personal data; callers may call it again
    /// when that failed.
    async fn purge_deleted(&self) -> Result<(), StoreError>;

    /// An interaction's sealed text, by platform and external id.
    async fn interaction(&self, platform: &str, external_id: &str) -> Result<Option<InteractionRecord>, StoreError>;

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

    /// The key check value recorded for this database, if any (see
    /// [`KeyRing::key_check`]).
    async fn key_check(&self) -> Result<Option<Vec<u8>>, StoreError>;

    /// Record `value` as the key check value unless one is recorded
    /// already; returns the one recorded.
    async fn record_key_check(&self, value: &[u8], at: time::OffsetDateTime) -> Result<Vec<u8>, StoreError>;

    /// Some subject and its pseudonym, to test keys against a database that
    /// has no key check value yet.
    async fn sample_pseudonym(&self) -> Result<Option<(SubjectId, String)>, StoreError>;

    /// Up to `limit` consent events of every subject after ledger position
    /// `after`, in ledger order, with their subject: what the access gate
    /// folds to decide whose data an aggregate may count.
    async fn consent_ledger(&self, after: i64, limit: u32) -> Result<Vec<(SubjectId, ConsentRecord)>, StoreError>;

    /// Group and count interactions where they are stored (SQL aggregates
    /// on every back end; no interaction row leaves the database).
    async fn aggregate(&self, query: &AggregateQuery) -> Result<Vec<AggregateRow>, StoreError>;

    /// Customer-care KPIs over conversations, computed in the database.
    async fn kpis(&self, query: &KpiQuery) -> Result<Vec<KpiRow>, StoreError>;

    /// The conversations behind one KPI cell (its key parts in the query's
    /// order, agent last), oldest first, at most 10,000.
    async fn kpi_conversations(&self, query: &KpiQuery, cell: &[KeyValue]) -> Result<Vec<ConversationRef>, StoreError>;

    /// Up to `limit` redacted texts of inbound interactions about a subject,
    /// with `from_day <= day < to_day` and an id above `after`, in id
    /// order: (id, subject, redacted text). For text analytics that SQL
    /// cannot aggregate (emerging phrases); the caller filters subjects
    /// through the gate.
    async fn inbound_texts(&self, from_day: i64, to_day: i64, after: i64, limit: u32) -> Result<Vec<(i64, SubjectId, String)>, StoreError>;

    /// Every interaction about a subject, oldest first.
    async fn subject_interactions(&self, id: SubjectId) -> Result<Vec<InteractionRecord>, StoreError>;

    /// The audit entries naming a subject's pseudonym, in order, at most
    /// `limit`.
    async fn audit_about(&self, pseudonym: &str, limit: u32) -> Result<Vec<AuditEntry>, StoreError>;

    /// Up to `limit` outbox messages after `after`, in order; only those no
    /// transport took yet when `pending_only`.
    async fn outbox(&self, pending_only: bool, after: i64, limit: u32) -> Result<Vec<OutboxMessage>, StoreError>;

    /// A subject's legal holds that are not released.
    async fn legal_holds(&self, id: SubjectId) -> Result<Vec<LegalHoldRecord>, StoreError>;

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

    /// Privacy budget (epsilon, in millionths) an actor spent since `since`.
    async fn budget_spent(&self, actor: &str, since: time::OffsetDateTime) -> Result<u64, StoreError>;
}
