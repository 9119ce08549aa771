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
pub mod roles;

pub use analytics::{AggregateQuery, AggregateRow, Bucket, ConversationRef, Dimension, KeyValue, KpiQuery, KpiRow, Side, SubjectFilter};
pub use audit::{
    AuditEntry, AuditRecord, AuditSigner, ChainKey, ChainLink, ChainVerifier, Checkpoint, LinkPage, SignedHead, Tamper, Verified, Witness,
    Witnessed,
};
pub use candor_privacy::RedactedText;
pub use keys::{DataKey, KeyError, KeyRing, WrappedKey};
pub use model::*;
pub use roles::{
    AccessStore, AnalyticsStore, AuditStore, BatchStore, ConsentStore, InteractionStore, KeyStore, PolicyStore, RightsStore, Store,
    SubjectStore,
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
        /// why
        reason: String,
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
    /// A stored row could not be decoded.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
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
    /// Any other database failure.
    #[error("database error: {0}")]
    Database(String),
}
