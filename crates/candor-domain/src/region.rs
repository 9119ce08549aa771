//! The region a phone number written without a country code is taken in
//! (`identity.default_region`): `07700 900123` in `GB` is `+447700900123`.
//! Without one, such a number is refused rather than stored or looked up
//! in a form that never meets the same number written with `+44`.

use std::fmt;

use phonenumber::metadata::DATABASE;

/// A country with a calling code: its ISO 3166-1 alpha-2 code, its
/// calling code and the trunk prefix its national numbers start with.
#[derive(Clone, PartialEq, Eq)]
pub struct PhoneRegion {
    // INVARIANT (known region): `code` is an upper-case alpha-2 code that
    // the numbering-plan metadata knows, with its calling code and trunk
    // prefix. Upheld by `parse`, the only constructor.
    code: String,
    calling_code: u16,
    trunk_prefix: Option<String>,
}

impl fmt::Debug for PhoneRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PhoneRegion({} +{})", self.code, self.calling_code)
    }
}

impl fmt::Display for PhoneRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

impl PhoneRegion {
    /// Parse an ISO 3166-1 alpha-2 code (any case): one of the countries
    /// and territories with a telephone calling code.
    pub fn parse(s: &str) -> Result<Self, String> {
        let code = s.trim().to_ascii_uppercase();
        let shaped = code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase());
        let meta = if shaped { DATABASE.by_id(code.as_str()) } else { None };
        match meta {
            Some(m) => Ok(Self {
                calling_code: m.country_code(),
                trunk_prefix: m.national_prefix().filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())).map(str::to_owned),
                code,
            }),
            None => Err(format!("`{}` is not an ISO 3166-1 alpha-2 country code with a calling code, such as `GB` or `US`", s.trim())),
        }
    }

    /// The alpha-2 code.
    pub fn code(&self) -> &str {
        &self.code
    }

    /// The calling code (`44` for `GB`).
    pub fn calling_code(&self) -> u16 {
        self.calling_code
    }

    /// The international form (`+` and digits) of the digits of a national
    /// number: its trunk prefix dropped, the calling code put before it.
    pub(crate) fn international(&self, national_digits: &str) -> String {
        let rest = match &self.trunk_prefix {
            Some(p) => national_digits.strip_prefix(p.as_str()).unwrap_or(national_digits),
            None => national_digits,
        };
        format!("+{}{rest}", self.calling_code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_is_a_country_code_with_a_calling_code() {
        let gb = PhoneRegion::parse("gb").unwrap();
        assert_eq!((gb.code(), gb.calling_code()), ("GB", 44));
        assert_eq!(gb.international("07700900123"), "+447700900123");
        let us = PhoneRegion::parse("US").unwrap();
        assert_eq!(us.international("4155550123"), "+14155550123");
        assert_eq!(us.international("14155550123"), "+14155550123", "the trunk 1 is dropped");
        // Italy keeps the leading 0 of its numbers.
        assert_eq!(PhoneRegion::parse("IT").unwrap().international("0612345678"), "+390612345678");
        for bad in ["", "G", "GBR", "XX", "UK", "44", "g1"] {
            let e = PhoneRegion::parse(bad).unwrap_err();
            assert!(e.contains("ISO 3166-1 alpha-2"), "{bad}: {e}");
        }
    }
}
