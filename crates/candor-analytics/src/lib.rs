//! Analytics over redacted text. Every function here takes
//! [`RedactedText`](candor_privacy::RedactedText), never raw text, and only
//! the redactor makes one (the store hands analytics' inputs back as
//! `RedactedText` too). Raw text does not compile:
//!
//! ```compile_fail,E0308
//! let raw = String::from("Jane Doe here, my card 4111 1111 1111 1111 was charged twice");
//! candor_analytics::sentiment::SentimentModel::new().score(&raw);
//! ```
//!
//! and analytics cannot wrap it itself:
//!
//! ```compile_fail,E0624
//! let raw = String::from("Jane Doe here, my card 4111 1111 1111 1111 was charged twice");
//! candor_analytics::sentiment::SentimentModel::new().score(&candor_privacy::RedactedText::from_redactor(raw));
//! ```
//!
//! ```compile_fail,E0423
//! let raw = String::from("Jane Doe here, my card 4111 1111 1111 1111 was charged twice");
//! candor_analytics::sentiment::SentimentModel::new().score(&candor_privacy::RedactedText(raw));
//! ```
#![deny(missing_docs)]

pub mod language;
pub mod sentiment;
pub mod themes;

pub use language::LanguageDetector;
