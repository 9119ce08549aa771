//! What an import reports: live progress while it runs, counts per kind of
//! record, and the summary at the end.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;

use serde::Serialize;

use super::ConflictNote;
use crate::formats::Format;

/// Live counters, for a progress bar.
#[derive(Debug, Default)]
pub struct Progress {
    /// Size of the input in bytes.
    pub total_bytes: AtomicU64,
    /// Bytes read so far.
    pub bytes: AtomicU64,
    /// Records read so far.
    pub records: AtomicU64,
    /// Interactions stored so far.
    pub stored: AtomicU64,
}

/// What a batch did, counted once it is committed.
#[derive(Debug, Default, Clone, Copy, Serialize)]
pub(crate) struct Tally {
    pub(super) subjects_created: u64,
    pub(super) identities_linked: u64,
    pub(super) brand_accounts_created: u64,
}

impl Tally {
    pub(super) fn add(&mut self, o: &Tally) {
        self.subjects_created += o.subjects_created;
        self.identities_linked += o.identities_linked;
        self.brand_accounts_created += o.brand_accounts_created;
    }
}

/// Interactions: what happened to each one read.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct InteractionCounts {
    /// Read without error.
    pub read: u64,
    /// Newly stored.
    pub stored: u64,
    /// Already stored (same platform and external id): skipped.
    pub already_stored: u64,
    /// About an erased customer: not stored.
    pub suppressed: u64,
    /// Deleted on the platform earlier: not stored.
    pub deleted_on_platform: u64,
}

/// Customers: what the import created or changed.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct SubjectCounts {
    /// Customers created.
    pub created: u64,
    /// Identifiers linked to customers that already existed.
    pub identities_linked: u64,
}

/// CRM contacts: what happened to each one read. Each row read is in
/// exactly one of `created`, `enriched`, `unchanged`, `conflicts`,
/// `suppressed`, or else quarantined.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct ContactCounts {
    /// Read without error.
    pub read: u64,
    /// Created a customer.
    pub created: u64,
    /// Added identifiers or a name to an existing customer.
    pub enriched: u64,
    /// Nothing new.
    pub unchanged: u64,
    /// Kept apart from a customer they share an identifier with, whose
    /// other identifiers conflict (a household's phone): the row created
    /// or enriched its own customer without the shared identifier, and the
    /// pair was recorded. A pair recorded by an earlier run is not counted
    /// again.
    pub conflicts: u64,
    /// Pairs kept apart by this run, by the kind of identifier shared
    /// (`phone`: 2); a row may be kept apart from more than one customer.
    pub shared: BTreeMap<String, u64>,
    /// The conflicts, at most [`contacts::LISTED_CONFLICTS`] of them.
    pub kept_apart: Vec<ConflictNote>,
    /// Identifiers of an erased customer: not stored.
    pub suppressed: u64,
}

/// Deletion notices.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct DeletionCounts {
    /// Notices read.
    pub read: u64,
    /// Stored interactions removed.
    pub removed: u64,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// The input file.
    pub input: PathBuf,
    /// Its format.
    pub format: Format,
    /// Records read, quarantined ones included.
    pub records: u64,
    /// Interactions.
    pub interactions: InteractionCounts,
    /// Customers.
    pub subjects: SubjectCounts,
    /// CRM contacts.
    pub contacts: ContactCounts,
    /// Deletion notices.
    pub deletions: DeletionCounts,
    /// Brand accounts seen for the first time.
    pub brand_accounts_created: u64,
    /// Interactions whose conversation or brand account was filled in
    /// after the import from reply links.
    pub conversations_relinked: u64,
    /// Records quarantined.
    pub quarantined: u64,
    /// The quarantine file, when anything was quarantined.
    pub quarantine_file: Option<PathBuf>,
    /// Bytes read.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Records a second.
    pub records_per_second: f64,
}
