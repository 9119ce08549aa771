//! The checks of a policy's recipients: each declared once, with a
//! country and a sharing agreement in force over the categories shared.

use std::collections::BTreeMap;
use std::ops::Range;

use time::Date;
use toml::Spanned;

use super::{line_col, parse_date, Checker, RawAgreement, RawRecipient};
use crate::category::CategoryId;
use crate::policy::{Agreement, Recipient};

/// The recipients that passed their checks, and where every declared one's
/// id stands (a purpose may name a recipient whose agreement has errors).
pub(super) struct Recipients {
    pub(super) valid: BTreeMap<String, Recipient>,
    pub(super) spans: BTreeMap<String, Range<usize>>,
}

/// The recipients: each with an `id` used once, a country code and a
/// sharing agreement ([`check_agreement`]).
pub(super) fn check_recipients(c: &mut Checker<'_>, raw: &[Spanned<RawRecipient>]) -> Recipients {
    let mut recipients = BTreeMap::new();
    let mut recipient_spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
    for r in raw {
        let span = r.span();
        let r = r.get_ref();
        let Some(id) = &r.id else {
            c.at(span, "a recipient has no `id`", Some("add `id = \"crm_vendor\"`; sharing purposes are named `sharing.<id>`".to_owned()));
            continue;
        };
        if let Some(first) = recipient_spans.get(id.get_ref()) {
            let (line, _) = line_col(c.src, first.start);
            c.at(
                id.span(),
                format!("duplicate recipient `{}`", id.get_ref()),
                format!("it is already defined on line {line}; remove or rename one"),
            );
            continue;
        }
        recipient_spans.insert(id.get_ref().clone(), id.span());
        let country = check_country(c, id, &r.country, span);
        let agreement = match &r.agreement {
            None => {
                c.at(id.span(), format!("recipient `{}` has no sharing agreement", id.get_ref()), Some("add `[recipients.agreement]` with `reference`, `valid_from`, `valid_until` and `categories`; data may not be shared without one".to_owned()));
                None
            }
            Some(a) => check_agreement(c, id.get_ref(), a),
        };
        if let (Some(country), Some(agreement)) = (country, agreement) {
            recipients.insert(
                id.get_ref().clone(),
                Recipient { id: id.get_ref().clone(), name: r.name.clone().unwrap_or_else(|| id.get_ref().clone()), country, agreement },
            );
        }
    }
    Recipients { valid: recipients, spans: recipient_spans }
}

/// A recipient's country: present, a two-letter ISO 3166 code.
pub(super) fn check_country(
    c: &mut Checker<'_>,
    id: &Spanned<String>,
    country: &Option<Spanned<String>>,
    span: Range<usize>,
) -> Option<String> {
    match country {
        Some(cn) if cn.get_ref().len() == 2 && cn.get_ref().chars().all(|ch| ch.is_ascii_uppercase()) => Some(cn.get_ref().clone()),
        Some(cn) => {
            c.at(
                cn.span(),
                format!("`{}` is not a country code", cn.get_ref()),
                Some("use a two-letter ISO 3166 code such as `DE` or `US`".to_owned()),
            );
            None
        }
        None => {
            c.at(
                span,
                format!("recipient `{}` has no `country`", id.get_ref()),
                Some("add `country = \"US\"` (ISO 3166); transfers outside the EEA need a mechanism".to_owned()),
            );
            None
        }
    }
}

/// A recipient's sharing agreement: a `reference`, `valid_from` and
/// `valid_until` dates in order, and the categories it covers.
pub(super) fn check_agreement(c: &mut Checker<'_>, rid: &str, a: &Spanned<RawAgreement>) -> Option<Agreement> {
    let span = a.span();
    let a = a.get_ref();
    let mut date = |field: &Option<Spanned<String>>, name: &str| -> Option<Date> {
        match field {
            None => {
                c.at(
                    span.clone(),
                    format!("the agreement with `{rid}` has no `{name}`"),
                    Some(format!("add `{name} = \"2025-01-01\"` (YYYY-MM-DD)")),
                );
                None
            }
            Some(d) => match parse_date(d.get_ref()) {
                Some(date) => Some(date),
                None => {
                    c.at(d.span(), format!("`{}` is not a date", d.get_ref()), Some("write dates as YYYY-MM-DD".to_owned()));
                    None
                }
            },
        }
    };
    let from = date(&a.valid_from, "valid_from");
    let until = date(&a.valid_until, "valid_until");
    if let (Some(f), Some(u), Some(d)) = (from, until, &a.valid_until) {
        if u < f {
            c.at(
                d.span(),
                format!("the agreement with `{rid}` ends before it starts"),
                Some("`valid_until` must not be earlier than `valid_from`".to_owned()),
            );
        }
    }
    let reference = a.reference.as_ref().map(|r| r.get_ref().clone());
    if reference.is_none() {
        c.at(
            span.clone(),
            format!("the agreement with `{rid}` has no `reference`"),
            Some("add `reference = \"DPA-2025-001\"`, the signed document's reference".to_owned()),
        );
    }
    if a.categories.is_empty() {
        c.at(
            span,
            format!("the agreement with `{rid}` covers no categories"),
            Some("list the data categories the agreement allows to share".to_owned()),
        );
    }
    let categories: Vec<CategoryId> = a.categories.iter().filter_map(|cat| c.category(cat)).collect();
    Some(Agreement {
        reference: reference?,
        valid_from: from?,
        valid_until: until?,
        categories,
        transfer_mechanism: a.transfer_mechanism.clone(),
    })
}
