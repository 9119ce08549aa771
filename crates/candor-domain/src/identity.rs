//! Identifiers that link a customer across platforms and the CRM: e-mail
//! addresses, platform handles and account ids, CRM customer numbers and
//! phone numbers. Each is normalized when parsed, so the same person typed
//! two ways (`@Alice` on `X`, `alice` on `x`) yields the same blind index.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::category::CategoryId;
use crate::phone::{PhoneShape, MAX_DIGITS, MIN_DIGITS};
use crate::PhoneRegion;

/// What kind of identifier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// E-mail address.
    Email,
    /// A handle on a platform (`x:@alice`).
    Handle,
    /// A platform's numeric or opaque account id (`x:12345`).
    Account,
    /// The CRM's customer number.
    CustomerNumber,
    /// A phone number.
    Phone,
}

impl IdentifierKind {
    /// Every kind.
    pub const ALL: [IdentifierKind; 5] = [Self::Email, Self::Handle, Self::Account, Self::CustomerNumber, Self::Phone];

    /// Name as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Handle => "handle",
            Self::Account => "account",
            Self::CustomerNumber => "customer_number",
            Self::Phone => "phone",
        }
    }

    /// Parse a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The data category an identifier of this kind belongs to.
    pub fn category(self) -> CategoryId {
        CategoryId::new(match self {
            Self::Email => "user.contact.email",
            Self::Handle => "user.account.username",
            Self::Account | Self::CustomerNumber => "user.unique_id",
            Self::Phone => "user.contact.phone_number",
        })
    }
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A normalized identifier.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Identifier {
    kind: IdentifierKind,
    // INVARIANT (normalized): `platform` is lowercase ASCII for handles and
    // accounts and `None` otherwise; `value` is in the normal form of its
    // kind. Upheld by the constructors below.
    platform: Option<String>,
    value: String,
}

/// Why an identifier did not parse. Messages never repeat the value: it is
/// personal data.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdentifierError {
    /// Not an e-mail address.
    #[error("not an e-mail address (expected name@domain.tld)")]
    Email,
    /// A handle without a platform, or a bad platform.
    #[error("a handle must be written PLATFORM:HANDLE, e.g. `x:@northwind` (platform: lowercase letters, digits, `_` or `-`)")]
    Platform,
    /// An empty or over-long handle or account id.
    #[error("the handle or account id is empty, too long or contains spaces")]
    Handle,
    /// A bad customer number.
    #[error("a customer number must be 1 to 64 visible characters without spaces")]
    CustomerNumber,
    /// A bad phone number.
    #[error(
        "not a phone number as candor recognizes one in text: 7 to 15 digits with a country code (+44 20 7946 0958), \
         a trunk 0 (020 7946 0958), an area code in brackets ((415) 555-0123) or grouped 415-555-0123"
    )]
    Phone,
    /// A phone number without a country code, and no region to take it in.
    #[error(
        "a phone number without a country code: write it with one (+44 7700 900123), \
         or set `identity.default_region` in candor.toml (e.g. \"GB\") to take national numbers in that country"
    )]
    NationalPhone,
}

fn platform(p: &str) -> Result<String, IdentifierError> {
    let p = p.trim().to_ascii_lowercase();
    let ok = !p.is_empty() && p.len() <= 32 && p.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if ok {
        Ok(p)
    } else {
        Err(IdentifierError::Platform)
    }
}

impl Identifier {
    /// An e-mail address, lowercased and trimmed.
    pub fn email(s: &str) -> Result<Self, IdentifierError> {
        let v = s.trim().to_lowercase();
        let Some((local, domain)) = v.split_once('@') else { return Err(IdentifierError::Email) };
        let ok = !local.is_empty()
            && local.len() <= 64
            && domain.len() <= 253
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !v.chars().any(char::is_whitespace);
        if ok {
            Ok(Self { kind: IdentifierKind::Email, platform: None, value: v })
        } else {
            Err(IdentifierError::Email)
        }
    }

    /// A handle on a platform. Handles are case-insensitive on the major
    /// platforms, so they are lowercased; a leading `@` is dropped.
    pub fn handle(platform_name: &str, handle: &str) -> Result<Self, IdentifierError> {
        let platform = platform(platform_name)?;
        let h = handle.trim().trim_start_matches('@').to_lowercase();
        if h.is_empty() || h.len() > 100 || h.chars().any(char::is_whitespace) {
            return Err(IdentifierError::Handle);
        }
        Ok(Self { kind: IdentifierKind::Handle, platform: Some(platform), value: h })
    }

    /// A platform account id, kept as given (ids are case-sensitive).
    pub fn account(platform_name: &str, id: &str) -> Result<Self, IdentifierError> {
        let platform = platform(platform_name)?;
        let id = id.trim();
        if id.is_empty() || id.len() > 100 || id.chars().any(char::is_whitespace) {
            return Err(IdentifierError::Handle);
        }
        Ok(Self { kind: IdentifierKind::Account, platform: Some(platform), value: id.to_owned() })
    }

    /// A CRM customer number, trimmed and uppercased.
    pub fn customer_number(s: &str) -> Result<Self, IdentifierError> {
        let v = s.trim().to_uppercase();
        if v.is_empty() || v.len() > 64 || v.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(IdentifierError::CustomerNumber);
        }
        Ok(Self { kind: IdentifierKind::CustomerNumber, platform: None, value: v })
    }

    /// A phone number reduced to `+` and digits. A number written without
    /// a country code is refused ([`IdentifierError::NationalPhone`]):
    /// [`Identifier::phone_in`] takes it in a region.
    ///
    /// Only a number [written as a phone](PhoneShape::written_as_phone) is
    /// one: the PII engine finds and redacts every string of that shape in
    /// a message, so no phone candor holds as an identifier is left in
    /// clear when its owner writes it. A bare run of digits is refused
    /// (written with its country code or its national format, it is taken).
    pub fn phone(s: &str) -> Result<Self, IdentifierError> {
        Self::phone_in(s, None)
    }

    /// A phone number reduced to `+` and digits, one written without a
    /// country code (`07700 900123`) taken in `region` (`+447700900123` in
    /// `GB`), so that it meets the same number written with one. Without a
    /// region, such a number is refused with a hint, never stored or looked
    /// up in a national form that would miss it.
    pub fn phone_in(s: &str, region: Option<&PhoneRegion>) -> Result<Self, IdentifierError> {
        let t = s.trim();
        match PhoneShape::parse(t) {
            Some(shape) if shape.written_as_phone() && shape.international() => Ok(Self::international_digits(t)),
            Some(shape) if shape.written_as_phone() => {
                let Some(region) = region else { return Err(IdentifierError::NationalPhone) };
                let digits: String = t.chars().filter(char::is_ascii_digit).collect();
                let value = region.international(&digits);
                if value.len() - 1 > MAX_DIGITS {
                    return Err(IdentifierError::Phone);
                }
                Ok(Self { kind: IdentifierKind::Phone, platform: None, value })
            }
            _ => Err(IdentifierError::Phone),
        }
    }

    /// A phone number as stored (`+` and digits, or the digits of a
    /// national number, taken before phone identifiers had to be written
    /// as phones): read back as it is.
    fn stored_phone(value: &str) -> Result<Self, IdentifierError> {
        let digits = value.strip_prefix('+').unwrap_or(value);
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(IdentifierError::Phone);
        }
        Ok(Self { kind: IdentifierKind::Phone, platform: None, value: value.to_owned() })
    }

    /// `+` and the digits of a number written with its country code.
    fn international_digits(t: &str) -> Self {
        let digits: String = t.chars().filter(char::is_ascii_digit).collect();
        let value = if t.starts_with('+') {
            format!("+{digits}")
        } else {
            // `00` and the country code.
            format!("+{}", digits.get(2..).unwrap_or_default())
        };
        Self { kind: IdentifierKind::Phone, platform: None, value }
    }

    /// Parse `PLATFORM:HANDLE`, as the CLI takes it.
    pub fn parse_handle(s: &str) -> Result<Self, IdentifierError> {
        let (p, h) = s.split_once(':').ok_or(IdentifierError::Platform)?;
        Self::handle(p, h)
    }

    /// Rebuild from stored parts (after decryption).
    pub fn from_parts(kind: IdentifierKind, platform: Option<&str>, value: &str) -> Result<Self, IdentifierError> {
        match (kind, platform) {
            (IdentifierKind::Email, _) => Self::email(value),
            (IdentifierKind::Handle, Some(p)) => Self::handle(p, value),
            (IdentifierKind::Account, Some(p)) => Self::account(p, value),
            (IdentifierKind::Handle | IdentifierKind::Account, None) => Err(IdentifierError::Platform),
            (IdentifierKind::CustomerNumber, _) => Self::customer_number(value),
            (IdentifierKind::Phone, _) => Self::stored_phone(value),
        }
    }

    /// The kind.
    pub fn kind(&self) -> IdentifierKind {
        self.kind
    }

    /// The platform, for handles and accounts.
    pub fn platform(&self) -> Option<&str> {
        self.platform.as_deref()
    }

    /// The normalized value. Personal data: never log it.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The namespace its blind index is computed in, so that the same text
    /// as an e-mail and as a handle never collide.
    pub fn index_namespace(&self) -> String {
        match &self.platform {
            Some(p) => format!("{}:{p}", self.kind),
            None => self.kind.to_string(),
        }
    }

    /// How it is shown to the person it belongs to.
    pub fn display(&self) -> String {
        match (self.kind, &self.platform) {
            (IdentifierKind::Handle, Some(p)) => format!("{p}:@{}", self.value),
            (IdentifierKind::Account, Some(p)) => format!("{p}:{}", self.value),
            _ => self.value.clone(),
        }
    }
}

impl fmt::Debug for Identifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Personal data stays out of debug output and therefore out of logs.
        f.debug_struct("Identifier").field("kind", &self.kind).field("platform", &self.platform).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_person_typed_two_ways_normalizes_to_one_identifier() {
        assert_eq!(Identifier::email(" Alice@Example.COM ").unwrap(), Identifier::email("alice@example.com").unwrap());
        assert_eq!(Identifier::handle("X", "@Alice").unwrap(), Identifier::parse_handle("x:alice").unwrap());
        assert_eq!(Identifier::phone("+44 20 7946 0958").unwrap().value(), "+442079460958");
        assert_eq!(Identifier::phone("0044 (20) 7946-0958").unwrap().value(), "+442079460958");
        assert_eq!(Identifier::customer_number(" c-001 ").unwrap().value(), "C-001");
    }

    #[test]
    fn namespaces_keep_kinds_and_platforms_apart() {
        let a = Identifier::handle("x", "alice").unwrap();
        let b = Identifier::handle("instagram", "alice").unwrap();
        let c = Identifier::account("x", "alice").unwrap();
        assert_ne!(a.index_namespace(), b.index_namespace());
        assert_ne!(a.index_namespace(), c.index_namespace());
        assert_eq!(a.display(), "x:@alice");
    }

    #[test]
    fn malformed_identifiers_are_refused_without_echoing_them() {
        for bad in ["alice", "alice@", "@example.com", "a@b", "a b@c.de", "a@.com"] {
            assert_eq!(Identifier::email(bad), Err(IdentifierError::Email), "{bad}");
        }
        assert_eq!(Identifier::parse_handle("alice"), Err(IdentifierError::Platform));
        assert_eq!(Identifier::parse_handle("x:"), Err(IdentifierError::Handle));
        assert_eq!(Identifier::parse_handle("X Y:alice"), Err(IdentifierError::Platform));
        assert_eq!(Identifier::phone("12"), Err(IdentifierError::Phone));
        assert_eq!(Identifier::phone("call me"), Err(IdentifierError::Phone));
        // A bare run of digits is an order number as often as a phone: in a
        // message it is not redacted without a cue, so it is no identifier.
        assert_eq!(Identifier::phone("4155550123"), Err(IdentifierError::Phone));
        assert_eq!(Identifier::phone("(415) 555-0123"), Err(IdentifierError::NationalPhone));
        assert!(IdentifierError::NationalPhone.to_string().contains("identity.default_region"));
        let e = Identifier::email("secret-person").unwrap_err().to_string();
        assert!(!e.contains("secret-person"));
        assert!(!format!("{:?}", Identifier::email("bob@example.com").unwrap()).contains("bob"));
    }

    #[test]
    fn a_national_number_is_taken_in_the_default_region_and_meets_its_international_form() {
        let gb = PhoneRegion::parse("GB").unwrap();
        let national = Identifier::phone_in("07700 900123", Some(&gb)).unwrap();
        assert_eq!(national, Identifier::phone("+44 7700 900123").unwrap());
        assert_eq!(national.index_namespace(), Identifier::phone("0044 7700 900123").unwrap().index_namespace());
        let us = PhoneRegion::parse("US").unwrap();
        assert_eq!(Identifier::phone_in("(415) 555-0123", Some(&us)).unwrap().value(), "+14155550123");
        // A number with its country code ignores the region.
        assert_eq!(Identifier::phone_in("+1 415 555 0123", Some(&gb)).unwrap().value(), "+14155550123");
        assert_eq!(Identifier::phone_in("4155550123", Some(&us)), Err(IdentifierError::Phone), "still not written as a phone");
        assert_eq!(Identifier::phone_in("07700 900123", None), Err(IdentifierError::NationalPhone));
    }

    #[test]
    fn stored_parts_round_trip() {
        for id in [
            Identifier::email("a@b.co").unwrap(),
            Identifier::handle("x", "alice").unwrap(),
            Identifier::account("x", "123").unwrap(),
            Identifier::customer_number("C1").unwrap(),
            Identifier::phone("+15551234567").unwrap(),
            Identifier::phone_in("07700 900123", PhoneRegion::parse("GB").ok().as_ref()).unwrap(),
        ] {
            assert_eq!(Identifier::from_parts(id.kind(), id.platform(), id.value()).unwrap(), id);
        }
        // A national number stored as bare digits reads back as it is.
        assert_eq!(Identifier::from_parts(IdentifierKind::Phone, None, "4155550123").unwrap().value(), "4155550123");
    }
}
