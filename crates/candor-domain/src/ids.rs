//! Identifiers parsed at the boundary, so that a bad value cannot travel
//! further than the input that carried it.

use std::fmt;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A customer (data subject). Random, so it says nothing about the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SubjectId(Uuid);

impl SubjectId {
    /// A fresh random id.
    pub fn new() -> Self {
        Self(Uuid::new_v4())
    }

    /// Parse a subject id as printed by `candor subject add`.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        Uuid::parse_str(s.trim()).map(Self).map_err(|_| IdError::Subject(s.to_owned()))
    }

    /// The underlying UUID.
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }
}

impl Default for SubjectId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// Why an identifier did not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    /// Not a UUID.
    #[error("`{0}` is not a subject id (expected a UUID such as 3f2b8c1e-…)")]
    Subject(String),
    /// Not a purpose identifier.
    #[error("`{0}` is not a purpose id (lowercase letters, digits, `_`, `-` and `.` separated parts)")]
    Purpose(String),
}

/// A purpose (data use) such as `customer_service` or `sharing.crm_vendor`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PurposeId(String);

impl PurposeId {
    /// Parse a purpose id: dot-separated parts of lowercase ASCII letters,
    /// digits, `_` and `-`, each part starting with a letter.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let ok = !s.is_empty()
            && s.len() <= 128
            && s.split('.').all(|part| {
                part.starts_with(|c: char| c.is_ascii_lowercase())
                    && part.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            });
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(IdError::Purpose(s.to_owned()))
        }
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For `sharing.<recipient>` purposes, the recipient part.
    pub fn sharing_recipient(&self) -> Option<&str> {
        self.0.strip_prefix("sharing.")
    }
}

impl TryFrom<String> for PurposeId {
    type Error = IdError;
    fn try_from(s: String) -> Result<Self, IdError> {
        Self::parse(&s)
    }
}

impl From<PurposeId> for String {
    fn from(p: PurposeId) -> String {
        p.0
    }
}

impl AsRef<str> for PurposeId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PurposeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purpose_ids_accept_dotted_lowercase_and_reject_the_rest() {
        for good in ["analytics", "sharing.crm_vendor", "marketing.advertising", "a-b.c2"] {
            assert!(PurposeId::parse(good).is_ok(), "{good}");
        }
        for bad in ["", "Analytics", "sharing.", ".x", "a b", "2fa", "x..y"] {
            assert!(PurposeId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn subject_ids_round_trip_and_reject_garbage() {
        let id = SubjectId::new();
        assert_eq!(SubjectId::parse(&id.to_string()), Ok(id));
        assert!(SubjectId::parse("alice@example.com").is_err());
    }
}
