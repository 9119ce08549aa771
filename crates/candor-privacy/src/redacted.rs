//! Text that has been through the PII redactor. Analytics takes only this
//! type, and the store hands back only this type for everything analytics
//! reads, so raw customer text cannot reach analytics by construction: the
//! redactor ([`crate::pii::Redactor::redact`]) is the one place in candor
//! that turns a `String` into one, and it lives in this crate because Rust
//! keeps a constructor private only to the crate that defines the type.
//!
//! Two narrow doors remain open, each named for what it vouches for, hidden
//! from the documentation, and listed in the workspace's `clippy.toml`
//! (`disallowed-methods`) so that a call anywhere else fails CI's clippy run
//! unless it carries an `#[expect(clippy::disallowed_methods, reason = …)]`
//! that a reviewer reads:
//!
//! - [`RedactedText::from_stored`]: a store back end rebuilding the value
//!   from the column it only ever writes from a `RedactedText` (the row
//!   model's field has this type, so the write side is typed too);
//! - [`RedactedText::from_public_corpus`]: text that is not customer data at
//!   all, such as a published, labelled evaluation corpus.
//!
//! Tests and benchmarks make fixtures with `RedactedText::fixture`, which
//! exists only with this crate's `fixtures` feature (a dev-dependency
//! feature; no production build enables it).
//!
//! Analytics cannot make one from raw text:
//!
//! ```compile_fail,E0423
//! // The field is private: no tuple constructor outside this crate.
//! let t = candor_privacy::RedactedText("Call Jane on 555-0100".to_owned());
//! ```
//!
//! ```compile_fail,E0624
//! // The redactor's own constructor is private to this crate.
//! let t = candor_privacy::RedactedText::from_redactor("Call Jane on 555-0100".to_owned());
//! ```
//!
//! ```compile_fail,E0277
//! // No conversion from a string either.
//! let t: candor_privacy::RedactedText = String::from("Call Jane on 555-0100").into();
//! ```
//!
//! ```compile_fail,E0277
//! // Nor from JSON: the type serializes, but does not deserialize.
//! let t: candor_privacy::RedactedText = serde_json::from_str("\"Call Jane on 555-0100\"").unwrap();
//! ```
//!
//! What does compile is the redactor's output:
//!
//! ```
//! use candor_privacy::pii::{Numbering, Redactor};
//! use candor_privacy::{Analyzer, RedactedText};
//!
//! let text = "mail me at jane@example.com";
//! let spans = Analyzer::new().analyze(text);
//! let redacted: RedactedText = Redactor::default().redact(text, &spans, &mut Numbering::default());
//! assert!(!redacted.as_str().contains("jane@example.com"));
//! ```

use std::fmt;

use serde::Serialize;

/// Redacted text: personal data replaced by placeholders.
///
/// INVARIANT (no raw text): the value is the output of the redactor, text a
/// store wrote from such a value, text that is not customer data, or a
/// concatenation of these with separators written in the program.
#[derive(Clone, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct RedactedText(String);

impl RedactedText {
    /// Wrap the output of the redactor.
    // INVARIANT (no raw text): only the redactor in this crate calls this.
    pub(crate) fn from_redactor(text: String) -> Self {
        Self(text)
    }

    /// Rebuild redacted text that a store back end reads back from the
    /// column it wrote from a `RedactedText`. Only store back ends call
    /// this (enforced by `clippy.toml`'s `disallowed-methods`).
    #[doc(hidden)]
    pub fn from_stored(text: String) -> Self {
        Self(text)
    }

    /// Text that is not customer data (a published, labelled evaluation
    /// corpus), to run through analytics as if redacted: placeholders are
    /// neutral either way. Only evaluation calls this (enforced by
    /// `clippy.toml`'s `disallowed-methods`).
    #[doc(hidden)]
    pub fn from_public_corpus(text: String) -> Self {
        Self(text)
    }

    /// A test or benchmark fixture.
    #[cfg(feature = "fixtures")]
    #[doc(hidden)]
    pub fn fixture(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// Append another redacted text.
    pub fn push(&mut self, text: &RedactedText) {
        self.0.push_str(&text.0);
    }

    /// Append a separator written in the program (a line break, a full
    /// stop): a `'static` string is not customer text.
    pub fn push_static(&mut self, separator: &'static str) {
        self.0.push_str(separator);
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl AsRef<str> for RedactedText {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RedactedText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RedactedText({:?})", self.0)
    }
}
