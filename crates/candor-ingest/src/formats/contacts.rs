//! A CRM contacts CSV: e-mail, phone, name, customer number and social
//! handles, under the column names CRMs actually export (`Email Address`,
//! `Mobile`, `Full Name`, `Customer ID`, `Twitter`, …). Each row creates a
//! customer, enriches the one its identifiers already point to, or is kept
//! apart from one it only shares an identifier with (the pipeline's
//! `contacts` module says how).

use std::io::Read;

use candor_domain::{Identifier, PhoneRegion};

use super::bounded::Limits;
use super::csv_reader::{raw, CsvLayout, CsvReader};
use super::{field_str, FormatError, PLATFORM_X};
use crate::record::{Contact, Record};

/// What a contacts column holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Column {
    Email,
    Phone,
    Name,
    FirstName,
    LastName,
    CustomerNumber,
    /// `x:@a; instagram:@b`
    Handles,
    /// A handle on one platform.
    Handle(&'static str),
}

/// A header name lower-cased with only letters and digits kept.
pub(crate) fn normalize(header: &str) -> String {
    header.trim().trim_start_matches('\u{feff}').chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// What a (normalized) header name holds.
pub(crate) fn column_kind(normalized: &str) -> Option<Column> {
    Some(match normalized {
        "email" | "emailaddress" | "mail" | "primaryemail" => Column::Email,
        "phone" | "phonenumber" | "mobile" | "mobilephone" | "telephone" | "tel" | "cell" => Column::Phone,
        "name" | "fullname" | "customername" | "displayname" | "contactname" => Column::Name,
        "firstname" | "givenname" => Column::FirstName,
        "lastname" | "surname" | "familyname" => Column::LastName,
        "customernumber" | "customerid" | "customerno" | "crmid" | "clientid" | "accountnumber" | "memberid" => Column::CustomerNumber,
        "handles" | "social" | "socialhandles" => Column::Handles,
        "twitter" | "x" | "xhandle" | "twitterhandle" => Column::Handle(PLATFORM_X),
        "instagram" | "instagramhandle" => Column::Handle("instagram"),
        "facebook" => Column::Handle("facebook"),
        "tiktok" => Column::Handle("tiktok"),
        _ => return None,
    })
}

/// A streaming reader of contacts.
pub struct Contacts<R: Read>(CsvReader<R, Columns>);

/// The identifying columns of a contacts file.
struct Columns {
    /// Position, kind and header name of each column read.
    columns: Vec<(usize, Column, String)>,
    /// Fields the header has.
    width: usize,
    /// The region national phone numbers are taken in.
    region: Option<PhoneRegion>,
}

impl<R: Read> Contacts<R> {
    /// Read the header; fails when no column identifies a customer.
    pub fn new(input: R) -> Result<Self, FormatError> {
        Self::with_limits(input, Limits::default())
    }

    /// [`Contacts::new`], with records bounded by `limits`.
    pub fn with_limits(input: R, limits: Limits) -> Result<Self, FormatError> {
        Self::with_region(input, limits, None)
    }

    /// [`Contacts::with_limits`], with phones written without a country
    /// code taken in `region` (refused without one).
    pub fn with_region(input: R, limits: Limits, region: Option<PhoneRegion>) -> Result<Self, FormatError> {
        CsvReader::open(input, limits, |header| {
            let columns: Vec<(usize, Column, String)> =
                header.iter().enumerate().filter_map(|(i, name)| column_kind(&normalize(name)).map(|k| (i, k, name.clone()))).collect();
            if !columns.iter().any(|(_, k, _)| !matches!(k, Column::Name | Column::FirstName | Column::LastName)) {
                return Err(FormatError::MissingColumn {
                    format: "contacts",
                    column: "email, phone, customer number or a social handle".into(),
                });
            }
            Ok(Columns { columns, width: header.len(), region })
        })
        .map(Self)
    }
}

/// Whether `r`, a line read on its own, is a whole contact: as many fields
/// as the header (`width`), and an e-mail or customer number that parses.
fn starts_contact(columns: &[(usize, Column, String)], width: usize, r: &csv::ByteRecord) -> bool {
    r.len() == width
        && columns.iter().any(|(at, kind, _)| {
            let Some(v) = r.get(*at).and_then(|f| std::str::from_utf8(f).ok()).filter(|v| !v.trim().is_empty()) else {
                return false;
            };
            match kind {
                Column::Email => Identifier::email(v).is_ok(),
                Column::CustomerNumber => Identifier::customer_number(v).is_ok(),
                _ => false,
            }
        })
}

impl CsvLayout for Columns {
    fn starts_record(&self, r: &csv::ByteRecord) -> bool {
        starts_contact(&self.columns, self.width, r)
    }

    fn read(&self, r: &csv::ByteRecord, line: u64) -> Result<Record, String> {
        let mut identifiers = Vec::new();
        let (mut name, mut first, mut last) = (None, None, None);
        for (at, kind, header) in &self.columns {
            let value = match r.get(*at) {
                Some(_) => field_str(r, *at, header)?.trim(),
                None => continue,
            };
            if value.is_empty() {
                continue;
            }
            let field = |e: candor_domain::IdentifierError| format!("`{header}`: {e}");
            match kind {
                Column::Email => identifiers.push(Identifier::email(value).map_err(field)?),
                Column::Phone => identifiers.push(Identifier::phone_in(value, self.region.as_ref()).map_err(field)?),
                Column::CustomerNumber => identifiers.push(Identifier::customer_number(value).map_err(field)?),
                Column::Handle(platform) => identifiers.push(Identifier::handle(platform, value).map_err(field)?),
                Column::Handles => {
                    for h in value.split([';', ' ', '|']).map(str::trim).filter(|h| !h.is_empty()) {
                        identifiers.push(Identifier::parse_handle(h).map_err(field)?);
                    }
                }
                Column::Name => name = Some(value.to_owned()),
                Column::FirstName => first = Some(value.to_owned()),
                Column::LastName => last = Some(value.to_owned()),
            }
        }
        if identifiers.is_empty() {
            return Err("the row has no e-mail, phone, customer number or handle".to_owned());
        }
        let name = name.or_else(|| match (first, last) {
            (Some(f), Some(l)) => Some(format!("{f} {l}")),
            (f, l) => f.or(l),
        });
        identifiers.dedup();
        Ok(Record::Contact(Contact { line, identifiers, name, raw: raw(r) }))
    }
}

impl<R: Read> Iterator for Contacts<R> {
    type Item = Record;

    fn next(&mut self) -> Option<Record> {
        self.0.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crm_column_names_and_several_handles() {
        let csv = "Email Address,Mobile,First Name,Last Name,Customer ID,Twitter,Social\nana@example.com,+44 7911 123456,Ana,Lopez,C-1,@ana_l,instagram:@ana.lopez; tiktok:@analopez\n,,,,,,\nbob@,,,,,,\n";
        let recs: Vec<Record> = Contacts::new(csv.as_bytes()).unwrap().collect();
        let Record::Contact(c) = &recs[0] else { panic!("{recs:?}") };
        let ids: Vec<String> = c.identifiers.iter().map(|i| i.display()).collect();
        assert_eq!(ids, vec!["ana@example.com", "+447911123456", "C-1", "x:@ana_l", "instagram:@ana.lopez", "tiktok:@analopez"]);
        assert_eq!(c.name.as_deref(), Some("Ana Lopez"));
        assert!(matches!(&recs[1], Record::Bad(q) if q.line == 3 && q.reason.contains("no e-mail")));
        assert!(matches!(&recs[2], Record::Bad(q) if q.line == 4 && q.reason.contains("`Email Address`: not an e-mail address")));
    }

    #[test]
    fn a_phone_not_written_as_one_is_quarantined_with_the_reason() {
        // A bare run of digits would not be redacted in a message without a
        // cue, so candor does not take it as a phone identifier.
        let csv = "Email,Phone\nana@example.com,4155550123\nbob@example.com,(415) 555-0123\n";
        let recs: Vec<Record> = Contacts::new(csv.as_bytes()).unwrap().collect();
        assert!(
            matches!(&recs[0], Record::Bad(q) if q.line == 2 && q.reason.contains("`Phone`: not a phone number as candor recognizes one"))
        );
        // Written as a phone but without a country code: quarantined
        // without a region, saying how to fix it; taken in one.
        assert!(matches!(&recs[1], Record::Bad(q) if q.line == 3 && q.reason.contains("identity.default_region")), "{recs:?}");
        let us = PhoneRegion::parse("US").unwrap();
        let recs: Vec<Record> = Contacts::with_region(csv.as_bytes(), Limits::default(), Some(us)).unwrap().collect();
        let Record::Contact(c) = &recs[1] else { panic!("{recs:?}") };
        assert_eq!(c.identifiers[1].value(), "+14155550123");
    }

    #[test]
    fn a_file_without_identifying_columns_is_refused() {
        assert!(Contacts::new("Name,Notes\nAna,hi\n".as_bytes()).is_err());
    }
}
