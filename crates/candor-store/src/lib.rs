//! candor's persistence contract: the store's roles ([`roles`]: subjects,
//! consent, interactions, analytics, rights, audit, access, keys, policy,
//! and writing), which every back end implements and [`Store`] combines,
//! the row models they speak, envelope encryption with per-subject data
//! keys, blind indexes and the audit chain.
//!
//! Writes go through [`BatchStore::apply`] as a [`WriteBatch`]: its operations and
//! the audit entries that record them commit in one transaction, so a crash
//! leaves either all of it or none, and no mutation exists without its audit
//! entry.
#![deny(missing_docs)]

pub mod analytics;
pub mod audit;
pub mod keys;
mod model;
pub mod page;
pub mod roles;

pub use analytics::{AggregateQuery, AggregateRow, Bucket, ConversationRef, Dimension, KeyValue, KpiQuery, KpiRow, Side, SubjectFilter};
pub use audit::{
    AuditEntry, AuditRecord, AuditSigner, ChainKey, ChainLink, ChainVerifier, Checkpoint, LinkPage, SignedHead, Tamper, Verified, Witness,
    Witnessed,
};
pub use candor_privacy::RedactedText;
pub use keys::{DataKey, KeyError, KeyRing, WrappedKey};
pub use model::*;
pub use page::{ConcernFilter, ConcernKey, InteractionKey, RightsFilter, RightsKey};
pub use roles::{
    AccessStore, AnalyticsStore, AuditStore, BatchStore, ConcernStore, ConsentStore, InteractionStore, KeyStore, PolicyStore, RightsStore,
    Store, SubjectStore,
};

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
    /// Removing the actor would leave no admin.
    #[error("`{0}` is the last admin; add another admin (`candor actor add ID --role admin`) before removing it")]
    LastAdmin(String),
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
    /// Deleted personal data is committed, but SQLite could not empty its
    /// write-ahead log of the earlier bytes because a reader held the
    /// database too long: nothing is lost and nothing need be undone, and
    /// [`crate::BatchStore::purge_deleted`] (or the next delete) removes
    /// them.
    #[error(
        "deleted data is committed, but its earlier bytes are still in the write-ahead log (`-wal` file): a reader held the database too long; run the same command again to remove them"
    )]
    PurgePending,
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
