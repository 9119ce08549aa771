//! Where a detail held about a customer came from: the platform it was
//! read off, the CRM file it was imported from, staff who typed it in, or
//! a correction the customer asked for. The privacy center tells the
//! customer this for every detail (GDPR Art. 15(1)(g): "any available
//! information as to their source"), so each identity and attribute is
//! stored with it.

use std::fmt;
use std::str::FromStr;

/// The source of one stored detail.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Provenance {
    /// Read off a social platform's export or API (`x`, `facebook`, …):
    /// the customer's handle, account id or display name there.
    Platform(String),
    /// Imported from the company's CRM contacts file.
    Crm,
    /// Entered by staff (`candor subject add` or the API).
    Staff,
    /// Changed at the customer's request (a correction).
    Correction,
    /// Stored before candor recorded sources.
    Unrecorded,
}

impl Provenance {
    /// The text stored in the database.
    pub fn as_stored(&self) -> String {
        self.to_string()
    }
}

impl fmt::Display for Provenance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Platform(p) => write!(f, "platform:{p}"),
            Self::Crm => f.write_str("crm"),
            Self::Staff => f.write_str("staff"),
            Self::Correction => f.write_str("correction"),
            Self::Unrecorded => f.write_str("unrecorded"),
        }
    }
}

/// Serialized as its stored text (`platform:x`, `crm`, …), which is what
/// the API says.
impl serde::Serialize for Provenance {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.as_stored())
    }
}

/// A stored source that is none of [`Provenance`]'s forms.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("unknown source `{0}` (expected platform:NAME, crm, staff, correction or unrecorded)")]
pub struct UnknownProvenance(pub String);

impl FromStr for Provenance {
    type Err = UnknownProvenance;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "crm" => Ok(Self::Crm),
            "staff" => Ok(Self::Staff),
            "correction" => Ok(Self::Correction),
            "unrecorded" => Ok(Self::Unrecorded),
            _ => match s.strip_prefix("platform:") {
                Some(p) if !p.trim().is_empty() => Ok(Self::Platform(p.to_owned())),
                _ => Err(UnknownProvenance(s.to_owned())),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_reads_back_as_it_was_stored() {
        for p in [
            Provenance::Platform("x".into()),
            Provenance::Platform("google_reviews".into()),
            Provenance::Crm,
            Provenance::Staff,
            Provenance::Correction,
            Provenance::Unrecorded,
        ] {
            assert_eq!(p.as_stored().parse::<Provenance>(), Ok(p));
        }
    }

    #[test]
    fn it_serializes_as_its_stored_text() {
        assert_eq!(serde_json::to_string(&Provenance::Platform("x".into())).unwrap(), "\"platform:x\"");
        assert_eq!(serde_json::to_string(&Provenance::Crm).unwrap(), "\"crm\"");
    }

    #[test]
    fn unknown_or_malformed_sources_are_refused_by_name() {
        for bad in ["", "platform:", "platform: ", "CRM", "import"] {
            let err = bad.parse::<Provenance>().unwrap_err();
            assert_eq!(err, UnknownProvenance(bad.to_owned()));
            assert!(err.to_string().contains(&format!("`{bad}`")));
        }
    }
}
