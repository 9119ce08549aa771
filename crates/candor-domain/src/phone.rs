//! How a phone number is written: the one definition that the identity
//! parser (a CRM's phone column, the API, the CLI) and the PII engine (a
//! phone number in a message) share, so that what candor takes as a phone
//! identifier is what it finds, and redacts, in running text.
//!
//! The shape is the grammar alone; whether a number exists in a numbering
//! plan is the PII engine's question. A shape is [written as a
//! phone](PhoneShape::written_as_phone) when a reader needs no context to
//! take it for one: a country code, a trunk `0`, an area code in brackets
//! or the North American grouping. A bare run of digits (`4155550123`) is
//! as likely an order number or a code, and is not.

/// The fewest digits candor takes for a phone number.
pub const MIN_DIGITS: usize = 7;
/// The most digits a phone number has (E.164), without an `00` prefix.
pub const MAX_DIGITS: usize = 15;

/// A phone number as written, read once: digit groups, what sets them
/// apart, and how the number starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhoneShape {
    /// The digits, without an `00` international prefix.
    digits: usize,
    /// Lengths of the digit groups, in order (the `00` prefix included).
    groups: [u8; MAX_DIGITS + 2],
    group_count: usize,
    international: bool,
    /// With a `+` (not `00`) for the country code.
    plus: bool,
    trunk_zero: bool,
    bracketed: bool,
    first_digit: u8,
}

/// Separators inside a number: a space, a hyphen, a dot and brackets.
fn is_separator(b: u8) -> bool {
    matches!(b, b' ' | b'-' | b'.' | b'(' | b')')
}

impl PhoneShape {
    /// Read `raw` (already trimmed) as a phone number: an optional leading
    /// `+`, then 7 to 15 digits (an `00` prefix aside) in groups set apart
    /// by one or two of space, `-`, `.`, `(` and `)` (one space at most),
    /// with at most one pair of brackets, around one group that is not the
    /// last.
    pub fn parse(raw: &str) -> Option<Self> {
        let b = raw.as_bytes();
        let plus = b.first() == Some(&b'+');
        let mut k = usize::from(plus);
        let mut groups = [0u8; MAX_DIGITS + 2];
        let mut group_count: usize = 0;
        // The group count when a bracket opened, while it is open.
        let (mut open, mut pairs) = (None, 0);
        loop {
            let sep_start = k;
            while k < b.len() && is_separator(b[k]) {
                k += 1;
            }
            let sep = &b[sep_start..k];
            // Brackets: `(` right before a group, `)` right after the same
            // group, and a group after them.
            for (at, &c) in sep.iter().enumerate() {
                match c {
                    b'(' if open.is_none() && pairs == 0 && at + 1 == sep.len() => open = Some(group_count),
                    b')' if open == Some(group_count.wrapping_sub(1)) && at == 0 && k < b.len() => {
                        open = None;
                        pairs += 1;
                    }
                    b'(' | b')' => return None,
                    _ => {}
                }
            }
            let spaces = sep.iter().filter(|&&c| c == b' ').count();
            let sep_ok = if group_count == 0 {
                // Nothing before the first group but a bracket, and no
                // bracket after a `+`.
                sep.is_empty() || sep == b"(" && !plus
            } else if k == b.len() {
                // Nothing after the last group.
                sep.is_empty()
            } else {
                (1..=2).contains(&sep.len()) && spaces <= 1
            };
            if !sep_ok {
                return None;
            }
            if k == b.len() {
                break;
            }
            if !b[k].is_ascii_digit() || group_count == groups.len() {
                return None;
            }
            let g = k;
            while k < b.len() && b[k].is_ascii_digit() {
                k += 1;
            }
            groups[group_count] = u8::try_from(k - g).ok()?;
            group_count += 1;
        }
        if open.is_some() || group_count == 0 {
            return None;
        }
        let all: usize = groups[..group_count].iter().map(|&g| usize::from(g)).sum();
        // The first three digits, wherever the groups split them: `00`
        // then a country code (`0044`), or a trunk `0` then an area code
        // (`020`); `000…` is neither.
        let mut lead = b.iter().filter(|c| c.is_ascii_digit()).map(|c| c - b'0');
        let (d1, d2, d3) = (lead.next(), lead.next(), lead.next());
        let double_zero = !plus && d1 == Some(0) && d2 == Some(0) && d3.is_some_and(|d| d > 0);
        let digits = if double_zero { all - 2 } else { all };
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
            return None;
        }
        let international = plus || double_zero;
        Some(Self {
            digits,
            groups,
            group_count,
            international,
            plus,
            trunk_zero: !international && d1 == Some(0) && d2.is_some_and(|d| d > 0),
            bracketed: pairs == 1,
            first_digit: d1.unwrap_or(0),
        })
    }

    /// The digits, without an `00` international prefix.
    pub fn digits(&self) -> usize {
        self.digits
    }

    /// The lengths of the digit groups.
    pub fn groups(&self) -> &[u8] {
        &self.groups[..self.group_count]
    }

    /// With a country code: a leading `+` or `00`.
    pub fn international(&self) -> bool {
        self.international
    }

    /// A national number with a trunk prefix (`07700 900123`).
    pub fn trunk_zero(&self) -> bool {
        self.trunk_zero
    }

    /// With a group (the area code) in brackets.
    pub fn bracketed(&self) -> bool {
        self.bracketed
    }

    /// In more than one group.
    pub fn separated(&self) -> bool {
        self.group_count > 1
    }

    /// The North American grouping: 3-3-4, or 1-3-3-4 after a `1`.
    pub fn nanp(&self) -> bool {
        let g = self.groups();
        g == [3, 3, 4] || g == [1, 3, 3, 4] && self.first_digit == 1
    }

    /// Whether a reader takes it for a phone number without being told:
    /// it has a country code after a `+` (or after `00`, in groups: a
    /// run of digits that starts `00` is as often a loyalty or account
    /// number); or it is a national number of 8 to 13 digits with a trunk
    /// `0` (9 digits at least when they are not grouped), an area code in
    /// brackets or the North American grouping. The PII engine redacts
    /// every string of this shape in running text, a number a numbering
    /// plan knows or not; candor takes no other phone identifier.
    pub fn written_as_phone(&self) -> bool {
        let international = self.plus || self.international && self.separated();
        let national =
            (8..=13).contains(&self.digits) && (self.trunk_zero && (self.separated() || self.digits >= 9) || self.bracketed || self.nanp());
        international || national
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(s: &str) -> Option<PhoneShape> {
        PhoneShape::parse(s)
    }

    #[test]
    fn numbers_as_people_write_them_are_phone_shaped() {
        for s in [
            "+44 20 7946 0958",
            "+44 (0)20 7946 0958",
            "0044 (20) 7946-0958",
            "+1 (415) 555-006",
            "(201) 560-9319",
            "506.267.3501",
            "1-800-805-1905",
            "07700 900123",
            "(07700)901487",
            "07849951099",
            "+447700900521",
            "+33 6 12 34 56 78",
            "01 23 45 67 89",
        ] {
            let p = shape(s).unwrap_or_else(|| panic!("{s} is not phone-shaped"));
            assert!(p.written_as_phone(), "{s} is not written as a phone");
        }
    }

    #[test]
    fn bare_digits_are_phone_shaped_but_not_written_as_a_phone() {
        for s in ["4155550123", "612 40 67 79", "1234567", "2024-2025", "0028939610051117", "000-12-3456", "000 1234 5678"] {
            assert!(shape(s).is_some_and(|p| !p.written_as_phone()), "{s}");
        }
    }

    #[test]
    fn other_strings_are_not_phone_shaped() {
        for s in [
            "",
            "12",
            "call me",
            "+",
            "+ 44 20 7946 0958",
            "+(44) 20 7946 0958",
            "++44 20 7946 0958",
            "44+20 7946 0958",
            "(20 7946 0958",
            "20) 7946 0958",
            "(20) (7946) 0958",
            "((20)) 7946 0958",
            "020  7946 0958",
            "020 -- 7946 0958",
            "22/03/1979",
            "0800 FLOWERS",
            "1234567890123456",
            "0044 12",
            "020 7946 0958 ",
            "0",
            "0 0",
            "0 100 (0-000)",
            "020 7946 (0958)",
        ] {
            assert_eq!(shape(s), None, "{s:?}");
        }
    }

    #[test]
    fn the_international_prefix_is_not_counted_and_marks_a_country_code() {
        let p = shape("0044 20 7946 0958").unwrap();
        assert!(p.international() && !p.trunk_zero());
        assert_eq!(p.digits(), 12);
        assert_eq!(shape("+1 (415) 555-0123").map(|p| (p.international(), p.bracketed(), p.nanp())), Some((true, true, true)));
        assert_eq!(shape("1 415 555 0123").map(|p| p.nanp()), Some(true));
    }
}
