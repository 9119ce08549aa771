//! Text that has been through the PII redactor. Analytics takes only this
//! type, so raw customer text cannot reach it by accident: the privacy
//! crate's redactor is the one place that makes one.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Redacted text: personal data replaced by placeholders.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RedactedText(String);

impl RedactedText {
    /// Wrap the output of a redactor. Only a redactor (or text read back
    /// from the store's redacted column) should call this.
    pub fn from_redactor(text: String) -> Self {
        Self(text)
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
