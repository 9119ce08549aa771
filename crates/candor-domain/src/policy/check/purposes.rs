//! The checks of a policy's purposes: each declared once, with a legal
//! basis, a description, a retention period and categories the policy
//! collects, a consent default and CCPA classification that fit its basis,
//! no special category without a condition (never for marketing), and a
//! recipient whose agreement covers what it shares.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::Spanned;

use super::recipients::Recipients;
use super::{basis_help, line_col, Checker, RawPurpose, RawText};
use crate::category::{CategoryId, Taxonomy};
use crate::ids::PurposeId;
use crate::policy::{Ccpa, ConsentDefault, LegalBasis, Purpose};

/// The purposes that passed their checks, and where every declared one's
/// id stands (roles may name a purpose whose other fields have errors).
pub(super) struct Purposes {
    pub(super) valid: BTreeMap<PurposeId, Purpose>,
    pub(super) spans: BTreeMap<String, Range<usize>>,
}

/// The purposes: at least one, each with a valid `id` used once and the
/// checks of [`check_purpose`].
pub(super) fn check_purposes(
    c: &mut Checker<'_>,
    raw: &[Spanned<RawPurpose>],
    collected: Option<&[CategoryId]>,
    recipients: &Recipients,
) -> Purposes {
    let mut purposes = BTreeMap::new();
    let mut purpose_spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
    if raw.is_empty() {
        c.at(0..0, "the policy defines no purposes", Some("add at least one `[[purposes]]` table".to_owned()));
    }
    for p in raw {
        let span = p.span();
        let p = p.get_ref();
        let Some(raw_id) = &p.id else {
            c.at(span, "a purpose has no `id`", Some("add `id = \"customer_service\"`".to_owned()));
            continue;
        };
        let id = match PurposeId::parse(raw_id.get_ref()) {
            Ok(id) => id,
            Err(e) => {
                c.at(raw_id.span(), e.to_string(), Some("use lowercase names such as `analytics` or `sharing.crm_vendor`".to_owned()));
                continue;
            }
        };
        if let Some(first) = purpose_spans.get(id.as_str()) {
            let (line, _) = line_col(c.src, first.start);
            c.at(
                raw_id.span(),
                format!("duplicate purpose `{id}`"),
                format!("it is already defined on line {line}; merge the two or rename one"),
            );
            continue;
        }
        purpose_spans.insert(id.to_string(), raw_id.span());
        if let Some(purpose) = check_purpose(c, &id, raw_id.span(), p, collected, recipients) {
            purposes.insert(id, purpose);
        }
    }
    Purposes { valid: purposes, spans: purpose_spans }
}

/// One purpose, its id checked: its legal basis, description, retention,
/// categories, consent default and CCPA classification, then the rules
/// across them (special categories, sharing).
pub(super) fn check_purpose(
    c: &mut Checker<'_>,
    id: &PurposeId,
    id_span: Range<usize>,
    p: &RawPurpose,
    collected: Option<&[CategoryId]>,
    recipients: &Recipients,
) -> Option<Purpose> {
    let basis = check_basis(c, id, id_span.clone(), p.legal_basis.as_ref());
    let description = check_description(c, id, id_span.clone(), p.description.as_ref(), basis);
    let retention = check_retention(c, id, id_span.clone(), p.retention_days.as_ref());
    let categories = check_purpose_categories(c, id, id_span.clone(), p.categories.as_ref(), collected);
    let default = check_default(c, id, p.default.as_ref(), basis);
    let ccpa = check_ccpa(c, p.ccpa.as_ref());
    check_special_categories(c, id, &categories, p.special_condition.is_some());
    let recipient = check_sharing(c, id, id_span, p.recipient.as_ref(), &categories, recipients);
    let (basis, (description, translations), retention_days, default, ccpa) = (basis?, description?, retention?, default?, ccpa?);
    Some(Purpose {
        id: id.clone(),
        name: p.name.clone().unwrap_or_else(|| id.to_string()),
        description,
        translations,
        legal_basis: basis,
        categories: categories.into_iter().map(|(cid, _)| cid).collect(),
        retention_days,
        default,
        ccpa,
        recipient,
        legal_hold: p.legal_hold,
        special_condition: p.special_condition.clone(),
    })
}

/// A purpose's legal basis: present, one of GDPR Art. 6's.
pub(super) fn check_basis(c: &mut Checker<'_>, id: &PurposeId, id_span: Range<usize>, raw: Option<&Spanned<String>>) -> Option<LegalBasis> {
    match raw {
        None => {
            c.at(id_span, format!("purpose `{id}` has no `legal_basis`"), Some(basis_help()));
            None
        }
        Some(b) => match LegalBasis::parse(b.get_ref()) {
            Some(basis) => Some(basis),
            None => {
                c.at(b.span(), format!("unknown legal basis `{}`", b.get_ref()), Some(basis_help()));
                None
            }
        },
    }
}

/// A purpose's description: present and not blank (GDPR Art. 13; consent
/// must be informed), in English, and in other languages when written as a
/// table by language code (two lowercase letters).
pub(super) fn check_description(
    c: &mut Checker<'_>,
    id: &PurposeId,
    id_span: Range<usize>,
    raw: Option<&Spanned<RawText>>,
    basis: Option<LegalBasis>,
) -> Option<(String, BTreeMap<String, String>)> {
    let mut translations = BTreeMap::new();
    let english = match raw.map(|d| (d.get_ref(), d.span())) {
        None => None,
        Some((RawText::One(s), _)) => Some(s.clone()),
        Some((RawText::ByLanguage(texts), span)) => {
            for (lang, text) in texts.iter().filter(|(l, _)| l.as_str() != "en") {
                if lang.len() != 2 || !lang.bytes().all(|b| b.is_ascii_lowercase()) {
                    c.at(
                        span.clone(),
                        format!("purpose `{id}`: `{lang}` is not a language code"),
                        "use two lowercase letters (ISO 639-1), e.g. `es`".to_owned(),
                    );
                } else if !text.trim().is_empty() {
                    translations.insert(lang.clone(), text.trim().to_owned());
                }
            }
            if !texts.contains_key("en") {
                c.at(
                    span,
                    format!("purpose `{id}`'s `description` has no `en`"),
                    "the English text is the one every page falls back to: add `en = \"…\"`".to_owned(),
                );
                return None;
            }
            texts.get("en").cloned()
        }
    };
    let description = english.map(|d| d.trim().to_owned()).filter(|d| !d.is_empty());
    if description.is_none() {
        let why = if basis == Some(LegalBasis::Consent) {
            "consent is only valid when informed: customers must be told what they agree to"
        } else {
            "customers have a right to be told what each purpose is for (GDPR Art. 13)"
        };
        c.at(id_span, format!("purpose `{id}` has no `description`"), format!("add `description = \"…\"` in plain language; {why}"));
    }
    description.map(|d| (d, translations))
}

/// A purpose's retention: present, between 1 and 36,500 days.
pub(super) fn check_retention(c: &mut Checker<'_>, id: &PurposeId, id_span: Range<usize>, raw: Option<&Spanned<i64>>) -> Option<u32> {
    match raw {
        None => {
            c.at(
                id_span,
                format!("purpose `{id}` has no retention period"),
                Some("add `retention_days = 365` (or however long the data is needed for this purpose)".to_owned()),
            );
            None
        }
        Some(r) if *r.get_ref() <= 0 || *r.get_ref() > 36_500 => {
            c.at(
                r.span(),
                format!("retention of {} days is out of range", r.get_ref()),
                Some("use a number of days between 1 and 36500".to_owned()),
            );
            None
        }
        Some(r) => u32::try_from(*r.get_ref()).ok(),
    }
}

/// A purpose's categories: listed, known, and among those the policy
/// collects. Returns the known ones with where each stands.
pub(super) fn check_purpose_categories(
    c: &mut Checker<'_>,
    id: &PurposeId,
    id_span: Range<usize>,
    raw: Option<&Spanned<Vec<Spanned<String>>>>,
    collected: Option<&[CategoryId]>,
) -> Vec<(CategoryId, Range<usize>)> {
    let mut categories = Vec::new();
    match raw {
        None => c.at(
            id_span,
            format!("purpose `{id}` lists no `categories`"),
            Some("add `categories = [\"user.contact.email\", …]`: the data this purpose may read".to_owned()),
        ),
        Some(cats) if cats.get_ref().is_empty() => {
            c.at(cats.span(), format!("purpose `{id}` lists no `categories`"), Some("name the data this purpose may read".to_owned()))
        }
        Some(cats) => {
            for cat in cats.get_ref() {
                let Some(cid) = c.category(cat) else { continue };
                if let Some(collected) = collected {
                    if !collected.iter().any(|col| col.covers(&cid)) {
                        c.at(
                            cat.span(),
                            format!("purpose `{id}` uses `{cid}`, which the policy does not collect"),
                            Some(format!("add `{cid}` to `[categories] collected` or remove it here")),
                        );
                    }
                }
                categories.push((cid, cat.span()));
            }
        }
    }
    categories
}

/// A purpose's consent default: implied by its basis when absent; never
/// opt-out for a purpose that relies on consent (GDPR Art. 4(11)).
pub(super) fn check_default(
    c: &mut Checker<'_>,
    id: &PurposeId,
    raw: Option<&Spanned<String>>,
    basis: Option<LegalBasis>,
) -> Option<ConsentDefault> {
    match (raw, basis) {
        (None, Some(LegalBasis::Consent)) => Some(ConsentDefault::OptIn),
        (None, Some(LegalBasis::LegitimateInterests | LegalBasis::PublicTask)) => Some(ConsentDefault::OptOut),
        (None, _) => Some(ConsentDefault::NotApplicable),
        (Some(d), basis) => match d.get_ref().as_str() {
            "opt_in" => Some(ConsentDefault::OptIn),
            "opt_out" if basis == Some(LegalBasis::Consent) => {
                c.at(
                    d.span(),
                    format!("purpose `{id}` relies on consent but defaults to opt-out"),
                    Some(
                        "consent must be an affirmative act (GDPR Art. 4(11)); use `default = \"opt_in\"` or another legal basis"
                            .to_owned(),
                    ),
                );
                None
            }
            "opt_out" => Some(ConsentDefault::OptOut),
            "not_applicable" => Some(ConsentDefault::NotApplicable),
            other => {
                c.at(d.span(), format!("unknown default `{other}`"), Some("use `opt_in`, `opt_out` or `not_applicable`".to_owned()));
                None
            }
        },
    }
}

/// A purpose's CCPA classification: `none` when absent, else `none`,
/// `sale` or `share`.
pub(super) fn check_ccpa(c: &mut Checker<'_>, raw: Option<&Spanned<String>>) -> Option<Ccpa> {
    match raw {
        None => Some(Ccpa::None),
        Some(v) => match v.get_ref().as_str() {
            "none" => Some(Ccpa::None),
            "sale" => Some(Ccpa::Sale),
            "share" => Some(Ccpa::Share),
            other => {
                c.at(v.span(), format!("unknown CCPA classification `{other}`"), Some("use `none`, `sale` or `share`".to_owned()));
                None
            }
        },
    }
}

/// Special categories (GDPR Art. 9): never for marketing or
/// personalization, and otherwise only with an Art. 9(2) condition.
pub(super) fn check_special_categories(
    c: &mut Checker<'_>,
    id: &PurposeId,
    categories: &[(CategoryId, Range<usize>)],
    has_condition: bool,
) {
    let taxonomy = Taxonomy::fideslang();
    let marketing = id.as_str() == "marketing"
        || id.as_str().starts_with("marketing.")
        || id.as_str() == "personalization"
        || id.as_str().starts_with("personalization.");
    for (cid, cspan) in categories {
        if taxonomy.covers_special(cid) {
            if marketing {
                c.at(cspan.clone(), format!("special category `{cid}` is used by the marketing purpose `{id}`"), Some("special categories (health, religion, politics, ethnicity, sexual orientation, biometrics…) may never be used for marketing or personalization; remove it".to_owned()));
            } else if !has_condition {
                c.at(
                    cspan.clone(),
                    format!("purpose `{id}` uses the special category `{cid}` without an Art. 9(2) condition"),
                    Some("add `special_condition = \"explicit_consent\"` (or the condition relied on), or remove the category".to_owned()),
                );
            }
        }
    }
}

/// Sharing: a purpose that shares (a `recipient`, or an id
/// `sharing.<recipient>`) names a declared recipient whose agreement
/// covers every category it uses. Returns the recipient's id.
pub(super) fn check_sharing(
    c: &mut Checker<'_>,
    id: &PurposeId,
    id_span: Range<usize>,
    raw: Option<&Spanned<String>>,
    categories: &[(CategoryId, Range<usize>)],
    recipients: &Recipients,
) -> Option<String> {
    let (rid, rspan) = match (raw, id.sharing_recipient()) {
        (Some(r), _) => (r.get_ref().clone(), r.span()),
        (None, Some(r)) => (r.to_owned(), id_span),
        (None, None) => return None,
    };
    if !recipients.spans.contains_key(&rid) {
        c.at(
            rspan,
            format!("purpose `{id}` shares with `{rid}`, which is not a declared recipient"),
            Some(format!("add a `[[recipients]]` entry with `id = \"{rid}\"` and its sharing agreement")),
        );
    } else if let Some(rec) = recipients.valid.get(&rid) {
        for (cid, cspan) in categories {
            if !rec.agreement.categories.iter().any(|a| a.covers(cid)) {
                c.at(
                    cspan.clone(),
                    format!("purpose `{id}` shares `{cid}` with `{rid}`, but their agreement does not cover it"),
                    Some(format!("add `{cid}` to the agreement's categories or remove it from the purpose")),
                );
            }
        }
    }
    Some(rid)
}
