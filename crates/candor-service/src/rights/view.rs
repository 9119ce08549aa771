//! A rights request as the service hands it to its front ends: the CLI,
//! the API and the privacy center speak this type, never the store's row
//! model, so the store can change how it keeps a request without the
//! front ends noticing.

use candor_domain::{RightsRequest, SubjectId};
use candor_store::RightsRequestRecord;

/// A data-subject rights request: who made it and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RightsRequestView {
    /// Its id (a UUID).
    pub id: String,
    /// Whose request it is.
    pub subject: SubjectId,
    /// The subject's pseudonymous id (what the audit log names).
    pub subject_pseudonym: String,
    /// The request's kind, regime, state, deadline and history.
    pub request: RightsRequest,
}

impl From<RightsRequestRecord> for RightsRequestView {
    fn from(r: RightsRequestRecord) -> Self {
        Self { id: r.id, subject: r.subject, subject_pseudonym: r.subject_pseudonym, request: r.request }
    }
}
