//! candor's privacy engineering, usable on its own: the PII engine that
//! finds personal data in free text ([`pii::Analyzer`]) and the operators
//! that redact it ([`pii::Redactor`]); k-anonymity suppression of
//! aggregate tables ([`kanon`]); differential-privacy mechanisms and the
//! privacy-budget arithmetic ([`dp`]).
//!
//! Nothing here does I/O or knows about storage; text goes in, spans and
//! redacted text come out. [`RedactedText`] lives here, next to the
//! redactor, because only the redactor may make one (see [`redacted`]).
#![deny(missing_docs)]

pub mod dp;
pub mod kanon;
pub mod pii;
pub mod redacted;

pub use pii::{Analyzer, EntityType, Operator, Redactor, Span};
pub use redacted::RedactedText;
