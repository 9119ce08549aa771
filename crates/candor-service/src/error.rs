//! What can go wrong in a use case. Messages are for the person at the
//! keyboard: lowercase, what is wrong and how to fix it, user input in
//! backticks, never personal data or key material.

use candor_domain::policy::Diagnostic;
use candor_domain::{IdError, IdentifierError, IdentifierKind, SubjectId};
use candor_store::{KeyError, StoreError};

use crate::settings::SettingsError;

/// A use case failed.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Configuration could not be loaded.
    #[error(transparent)]
    Settings(#[from] SettingsError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A key is missing, corrupt or does not match the data.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// The key directory is another installation's.
    #[error("the keys in `{}` do not belong to this database ({reason}); use the key directory made with it", dir.display())]
    ForeignKeys {
        /// the key directory
        dir: std::path::PathBuf,
        /// how it shows
        reason: String,
    },
    /// No policy has been published yet.
    #[error("no policy is published yet; run `candor policy publish policy.toml` first")]
    NoPolicy,
    /// A policy file has errors.
    #[error("the policy has {} error(s)", .0.len())]
    InvalidPolicy(Vec<Diagnostic>),
    /// A stored policy version no longer parses.
    #[error("published policy version {version} no longer parses: {reason}")]
    StoredPolicy {
        /// the version
        version: u32,
        /// the first problem
        reason: String,
    },
    /// A policy version number that was never published.
    #[error("policy version {0} does not exist; `candor policy list` shows the published versions")]
    UnknownPolicyVersion(u32),
    /// The policy in force has no such purpose.
    #[error("the policy in force (version {version}) has no purpose `{purpose}`; its purposes are: {known}")]
    UnknownPurpose {
        /// the purpose asked for
        purpose: String,
        /// the version in force
        version: u32,
        /// the purposes it has, comma-separated
        known: String,
    },
    /// The consent action does not apply to the purpose's legal basis.
    #[error("cannot {action} `{purpose}`: {why}")]
    NotApplicable {
        /// grant, withdraw, object
        action: String,
        /// the purpose
        purpose: String,
        /// why not
        why: String,
    },
    /// A subject id that is not stored.
    #[error("no subject with id `{0}`")]
    UnknownSubject(SubjectId),
    /// Malformed id.
    #[error(transparent)]
    Id(#[from] IdError),
    /// A malformed identifier in a named field.
    #[error("`{field}`: {error}")]
    Identifier {
        /// the field or flag (`--email`, `handles[1]`)
        field: String,
        /// what is wrong
        error: IdentifierError,
    },
    /// A subject needs at least one identifier.
    #[error("a subject needs at least one identifier: give `--email`, `--handle`, `--phone` or `--customer-number`")]
    NoIdentifier,
    /// The identifier is linked to another subject already.
    #[error("this {kind} already belongs to subject `{subject}`")]
    IdentityTaken {
        /// identifier kind
        kind: IdentifierKind,
        /// who has it
        subject: SubjectId,
    },
    /// The subject was erased: nothing about them is held any more.
    #[error("subject `{subject}` was erased (rights request `{request}`); nothing about them is held any more")]
    SubjectErased {
        /// whom
        subject: SubjectId,
        /// the erasure request that did it
        request: String,
    },
    /// The caller is not who they claim (no, unknown, expired or revoked
    /// credentials).
    #[error("not signed in: {0}")]
    Unauthenticated(String),
    /// A rights request id that is not stored.
    #[error("no rights request with id `{0}`; `candor rights list` shows them")]
    UnknownRequest(String),

    /// A concern id that is not stored.
    #[error("no concern with id `{0}`; `candor concerns list --all` shows them")]
    UnknownConcern(String),
    /// A concern's text or step the rules refuse.
    #[error(transparent)]
    Concern(#[from] candor_domain::ConcernError),

    /// A bundle file that is not held: the request made none (not an
    /// access or portability request, or not carried out here yet), the
    /// bundle was removed, or the file is not one of it.
    #[error("{0}")]
    NoBundle(String),

    /// A bundle on disk that cannot be read or removed.
    #[error("{what}")]
    BundleIo {
        /// what could not be done, and what to do about it
        what: String,
        /// the file system's (or the manifest parser's) error
        #[source]
        source: candor_store::Cause,
    },
    /// A document could not be encoded (never expected: a failure here is
    /// a bug, reported rather than hidden behind an empty document).
    #[error("could not encode {what}")]
    Encode {
        /// what
        what: &'static str,
        /// the encoder's error
        #[source]
        source: serde_json::Error,
    },
    /// A file the caller named could not be written.
    #[error("cannot write {what} to `{}`", path.display())]
    Write {
        /// what was being written
        what: &'static str,
        /// where
        path: std::path::PathBuf,
        /// the file system's error
        #[source]
        source: std::io::Error,
    },
    /// A step of a rights request's life cycle the rules refuse.
    #[error(transparent)]
    Rights(#[from] candor_domain::RightsError),
    /// An actor id that is not stored.
    #[error("no actor `{0}`; add it with `candor actor add {0} --role ROLE`")]
    UnknownActor(String),
    /// A malformed actor id, role or course.
    #[error("{0}")]
    InvalidInput(String),

    /// The customer asked for something they asked for already and that
    /// is still being handled (a flood of requests or concerns is refused
    /// here rather than queued for staff and mailed back).
    #[error("{0}")]
    AlreadyOpen(String),
    /// Too much of something is under way at once (passkey ceremonies);
    /// trying again in a minute works.
    #[error("{0}")]
    Busy(String),
    /// A consent receipt failed verification.
    #[error("the consent receipt is not valid: {0}")]
    Receipt(String),
    /// An import stopped (what it committed stays; running it again completes it).
    #[error(transparent)]
    Import(#[from] candor_ingest::ImportError),
    /// The access gate said no (analytics and other aggregate uses).
    #[error("denied: {0}")]
    Denied(candor_domain::DenyReason),
    /// A differentially private query would pass the actor's budget.
    #[error("the privacy budget for this month is spent: {spent} of {limit} epsilon used, {requested} asked, {} left; it renews on the first of next month", (limit - spent).max(0.0))]
    BudgetExhausted {
        /// epsilon spent this month
        spent: f64,
        /// the monthly budget
        limit: f64,
        /// what the query asked for
        requested: f64,
    },
    /// A stored subject's data could not be decrypted or decoded.
    #[error("the data of subject `{subject}` cannot be read: {reason}")]
    Unreadable {
        /// whose
        subject: SubjectId,
        /// why (never the data)
        reason: String,
    },
}

/// Shorthand.
pub type Result<T, E = ServiceError> = std::result::Result<T, E>;
