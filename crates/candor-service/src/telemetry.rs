//! The Prometheus metrics the service layer records, each named and
//! described once: a recorder (the server's) calls [`describe`] after it
//! is installed, so every family it exports has `# HELP` text.
//!
//! The import counters are recorded in the process that imports (the
//! `candor import` command, which exports no metrics); the server imports
//! nothing, so its `/metrics` never shows them.

use metrics::Unit;

/// Access-gate decisions, labelled `purpose` (the policy's, or `unknown`)
/// and `decision` (`allow` or `deny`).
pub const ACCESS_DECISIONS: &str = "candor_access_decisions_total";
/// Interactions an import stored, labelled `outcome`.
pub const IMPORT_INTERACTIONS: &str = "candor_import_interactions_total";
/// Records an import read or quarantined, labelled `outcome`.
pub const IMPORT_RECORDS: &str = "candor_import_records_total";

/// Give the installed recorder the help text and unit of every metric
/// this crate records.
pub fn describe() {
    metrics::describe_counter!(
        ACCESS_DECISIONS,
        Unit::Count,
        "Decisions of the access gate on reading personal data, by purpose and decision (allow or deny)."
    );
    metrics::describe_counter!(IMPORT_INTERACTIONS, Unit::Count, "Interactions stored by imports in this process, by outcome.");
    metrics::describe_counter!(IMPORT_RECORDS, Unit::Count, "Records read or quarantined by imports in this process, by outcome.");
}
