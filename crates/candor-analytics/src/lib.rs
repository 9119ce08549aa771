//! Analytics over redacted text. Every function here takes
//! [`RedactedText`](candor_domain::RedactedText), never raw text.
#![deny(missing_docs)]

pub mod language;
pub mod sentiment;
pub mod themes;

pub use language::LanguageDetector;
