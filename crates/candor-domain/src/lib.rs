//! candor's concepts as plain types: data categories, purposes, the data-use
//! policy (parsing, checking, diffing), the consent ledger's state machine,
//! actors and the access decision. Nothing here does I/O, so every rule can be
//! tested as a pure function and reused by every front end.
#![deny(missing_docs)]

/// Days as ISO 8601 calendar dates (`2027-12-31`) in JSON, as the policy
/// file writes them, not as `time`'s default `[year, ordinal]`:
/// `#[serde(with = "candor_domain::iso_date")]`, or
/// `candor_domain::iso_date::option` for an `Option<Date>`.
pub mod dates {
    #![allow(missing_docs, reason = "the serde functions the macro writes")]
    time::serde::format_description!(pub iso, Date, "[year]-[month]-[day]");
}
pub use dates::iso as iso_date;

pub mod actor;
pub mod category;
pub mod concern;
pub mod consent;
pub mod decision;
pub mod identity;
pub mod ids;
pub mod phone;
pub mod policy;
pub mod provenance;
pub mod region;
pub mod rights;
pub mod training;

pub use actor::{Actor, Role};
pub use category::{CategoryId, Taxonomy};
pub use concern::{Concern, ConcernError, ConcernState};
pub use consent::{ConsentAction, ConsentEvent, ConsentSource, ConsentState, PurposeConsent, PurposeStatus};
pub use decision::{actor_allows, consent_allows, decide, AccessRequest, Decision, DenyReason, Withheld};
pub use identity::{Identifier, IdentifierError, IdentifierKind};
pub use ids::{IdError, PurposeId, SubjectId};
pub use phone::PhoneShape;
pub use policy::{
    diff::{diff, fresh_consent_since, Change, PolicyDiff},
    Address, Ccpa, ConsentDefault, LegalBasis, Policy, PolicyContext, PostalAddress, Purpose, Recipient, EXAMPLE_POLICY,
};
pub use provenance::{Provenance, UnknownProvenance};
pub use region::PhoneRegion;
pub use rights::{
    CategoryCount, Challenge, Extension, KeptData, Regime, RequestResult, RequestState, RightKind, RightsError, RightsRequest, Verification,
};
