//! Parsing and checking a policy file. Every problem becomes a [`Diagnostic`]
//! with file, line and column and a hint on how to fix it; all of them are
//! collected before returning, so one run shows the author everything.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use serde::Deserialize;
use time::macros::format_description;
use time::Date;
use toml::Spanned;

use super::{Agreement, Ccpa, ConsentDefault, Controller, LegalBasis, Policy, Purpose, Recipient};
use crate::actor::Role;
use crate::category::{CategoryId, Taxonomy};
use crate::ids::PurposeId;

/// One problem in a policy file.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    /// The file name as given.
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: error: {}", self.file, self.line, self.column, self.message)?;
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    controller: Option<Spanned<RawController>>,
    categories: Option<RawCategories>,
    #[serde(default)]
    purposes: Vec<Spanned<RawPurpose>>,
    #[serde(default)]
    recipients: Vec<Spanned<RawRecipient>>,
    #[serde(default)]
    roles: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    /// Processing steps are documentation for the Art. 30 record; kept
    /// free-form so a brand can describe its own pipeline.
    #[serde(default)]
    #[allow(dead_code)]
    processing: Vec<toml::Table>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawController {
    name: Option<Spanned<String>>,
    contact: Option<Spanned<String>>,
    address: Option<String>,
    dpo: Option<String>,
    jurisdiction: Option<String>,
    policy_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCategories {
    collected: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPurpose {
    id: Option<Spanned<String>>,
    name: Option<String>,
    description: Option<Spanned<String>>,
    legal_basis: Option<Spanned<String>>,
    #[serde(default)]
    categories: Option<Spanned<Vec<Spanned<String>>>>,
    retention_days: Option<Spanned<i64>>,
    default: Option<Spanned<String>>,
    ccpa: Option<Spanned<String>>,
    recipient: Option<Spanned<String>>,
    #[serde(default)]
    legal_hold: bool,
    special_condition: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRecipient {
    id: Option<Spanned<String>>,
    name: Option<String>,
    country: Option<Spanned<String>>,
    agreement: Option<Spanned<RawAgreement>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAgreement {
    reference: Option<Spanned<String>>,
    valid_from: Option<Spanned<String>>,
    valid_until: Option<Spanned<String>>,
    #[serde(default)]
    categories: Vec<Spanned<String>>,
    transfer_mechanism: Option<String>,
}

struct Checker<'a> {
    file: &'a str,
    src: &'a str,
    diags: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn at(&mut self, span: Range<usize>, message: impl Into<String>, help: impl Into<Option<String>>) {
        let (line, column) = line_col(self.src, span.start);
        self.diags.push(Diagnostic { file: self.file.to_owned(), line, column, message: message.into(), help: help.into() });
    }

    fn category(&mut self, raw: &Spanned<String>) -> Option<CategoryId> {
        let name = raw.get_ref();
        let taxonomy = Taxonomy::fideslang();
        if taxonomy.contains(name) {
            return Some(CategoryId::new(name.clone()));
        }
        let help = match taxonomy.suggest(name) {
            Some(s) => format!("did you mean `{s}`? categories use the fideslang taxonomy"),
            None => "use a fideslang data category such as `user.contact.email` or `user.content.public`".to_owned(),
        };
        self.at(raw.span(), format!("unknown data category `{name}`"), help);
        None
    }
}

/// What a TOML error says; the parser says nothing of some characters it
/// refuses (a carriage return not before a line feed), and a diagnostic
/// must.
fn toml_message(e: &toml::de::Error, src: &str) -> String {
    match e.message() {
        "" => {
            let at = e.span().and_then(|s| src.get(s.start..)).and_then(|s| s.chars().next());
            match at {
                Some('\r') => "a carriage return that does not end a line".to_owned(),
                Some(c) => format!("the character {c:?} is not allowed here"),
                None => "the file ends where TOML expects more".to_owned(),
            }
        }
        message => message.to_owned(),
    }
}

/// 1-based line and character column of a byte offset.
fn line_col(src: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(src.len());
    let before = src.get(..offset).unwrap_or(src);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

fn parse_date(s: &str) -> Option<Date> {
    Date::parse(s, format_description!("[year]-[month]-[day]")).ok()
}

/// Parse and check a policy. `file` names the source in diagnostics.
///
/// The checks run in this order (the order diagnostics at one place are
/// reported in): the TOML itself, the controller, the collected
/// categories, the recipients and their agreements, the purposes, the
/// roles.
pub fn check(file: &str, src: &str) -> Result<Policy, Vec<Diagnostic>> {
    let mut c = Checker { file, src, diags: Vec::new() };
    let raw: RawPolicy = match toml::from_str(src) {
        Ok(raw) => raw,
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = toml_message(&e, src);
            c.at(span, message, Some("fix the TOML syntax or the field name at this place".to_owned()));
            return Err(c.diags);
        }
    };
    let controller = check_controller(&mut c, raw.controller);
    let collected = check_collected(&mut c, raw.categories.as_ref());
    // Recipients first, so purposes can refer to them.
    let recipients = check_recipients(&mut c, &raw.recipients);
    let purposes = check_purposes(&mut c, &raw.purposes, collected.as_deref(), &recipients);
    let roles = check_roles(&mut c, &raw.roles, &purposes.spans);

    if c.diags.is_empty() {
        if let (Some(controller), Some(collected)) = (controller, collected) {
            return Ok(Policy { controller, collected, purposes: purposes.valid, recipients: recipients.valid, roles });
        }
    }
    c.diags.sort_by_key(|d| (d.line, d.column));
    Err(c.diags)
}

/// The controller: present, with a `name` and a `contact`.
fn check_controller(c: &mut Checker<'_>, raw: Option<Spanned<RawController>>) -> Option<Controller> {
    let Some(ctl) = raw else {
        c.at(0..0, "the policy names no controller", Some("add a `[controller]` table with `name` and `contact`".to_owned()));
        return None;
    };
    let span = ctl.span();
    let ctl = ctl.into_inner();
    let name = ctl.name.map(Spanned::into_inner).filter(|s| !s.trim().is_empty());
    let contact = ctl.contact.map(Spanned::into_inner).filter(|s| !s.trim().is_empty());
    if name.is_none() {
        c.at(span.clone(), "the controller has no `name`", Some("add `name = \"Your Company Ltd\"` under `[controller]`".to_owned()));
    }
    if contact.is_none() {
        c.at(
            span,
            "the controller has no `contact`",
            Some("add `contact = \"privacy@example.com\"` so customers can reach you".to_owned()),
        );
    }
    match (name, contact) {
        (Some(name), Some(contact)) => Some(Controller {
            name,
            contact,
            address: ctl.address,
            dpo: ctl.dpo,
            jurisdiction: ctl.jurisdiction,
            policy_url: ctl.policy_url,
        }),
        _ => None,
    }
}

/// The collected categories: present, each a known fideslang category.
fn check_collected(c: &mut Checker<'_>, raw: Option<&RawCategories>) -> Option<Vec<CategoryId>> {
    let collected: Option<Vec<CategoryId>> = raw.map(|cats| cats.collected.iter().filter_map(|cat| c.category(cat)).collect());
    if collected.is_none() {
        c.at(
            0..0,
            "the policy does not say which data categories are collected",
            Some("add `[categories]` with `collected = [\"user.contact.email\", …]`".to_owned()),
        );
    }
    collected
}

/// The recipients that passed their checks, and where every declared one's
/// id stands (a purpose may name a recipient whose agreement has errors).
struct Recipients {
    valid: BTreeMap<String, Recipient>,
    spans: BTreeMap<String, Range<usize>>,
}

/// The recipients: each with an `id` used once, a country code and a
/// sharing agreement ([`check_agreement`]).
fn check_recipients(c: &mut Checker<'_>, raw: &[Spanned<RawRecipient>]) -> Recipients {
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
fn check_country(c: &mut Checker<'_>, id: &Spanned<String>, country: &Option<Spanned<String>>, span: Range<usize>) -> Option<String> {
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

/// The purposes that passed their checks, and where every declared one's
/// id stands (roles may name a purpose whose other fields have errors).
struct Purposes {
    valid: BTreeMap<PurposeId, Purpose>,
    spans: BTreeMap<String, Range<usize>>,
}

/// The purposes: at least one, each with a valid `id` used once and the
/// checks of [`check_purpose`].
fn check_purposes(c: &mut Checker<'_>, raw: &[Spanned<RawPurpose>], collected: Option<&[CategoryId]>, recipients: &Recipients) -> Purposes {
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
fn check_purpose(
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
    let (basis, description, retention_days, default, ccpa) = (basis?, description?, retention?, default?, ccpa?);
    Some(Purpose {
        id: id.clone(),
        name: p.name.clone().unwrap_or_else(|| id.to_string()),
        description,
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
fn check_basis(c: &mut Checker<'_>, id: &PurposeId, id_span: Range<usize>, raw: Option<&Spanned<String>>) -> Option<LegalBasis> {
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
/// must be informed).
fn check_description(
    c: &mut Checker<'_>,
    id: &PurposeId,
    id_span: Range<usize>,
    raw: Option<&Spanned<String>>,
    basis: Option<LegalBasis>,
) -> Option<String> {
    let description = raw.map(|d| d.get_ref().trim().to_owned()).filter(|d| !d.is_empty());
    if description.is_none() {
        let why = if basis == Some(LegalBasis::Consent) {
            "consent is only valid when informed: customers must be told what they agree to"
        } else {
            "customers have a right to be told what each purpose is for (GDPR Art. 13)"
        };
        c.at(id_span, format!("purpose `{id}` has no `description`"), format!("add `description = \"…\"` in plain language; {why}"));
    }
    description
}

/// A purpose's retention: present, between 1 and 36,500 days.
fn check_retention(c: &mut Checker<'_>, id: &PurposeId, id_span: Range<usize>, raw: Option<&Spanned<i64>>) -> Option<u32> {
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
fn check_purpose_categories(
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
fn check_default(c: &mut Checker<'_>, id: &PurposeId, raw: Option<&Spanned<String>>, basis: Option<LegalBasis>) -> Option<ConsentDefault> {
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
fn check_ccpa(c: &mut Checker<'_>, raw: Option<&Spanned<String>>) -> Option<Ccpa> {
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
fn check_special_categories(c: &mut Checker<'_>, id: &PurposeId, categories: &[(CategoryId, Range<usize>)], has_condition: bool) {
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
fn check_sharing(
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

/// Roles: each a known role, given only purposes the policy defines.
fn check_roles(
    c: &mut Checker<'_>,
    raw: &BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    purpose_spans: &BTreeMap<String, Range<usize>>,
) -> BTreeMap<Role, Vec<PurposeId>> {
    let mut roles = BTreeMap::new();
    for (role, list) in raw {
        let Some(r) = Role::parse(role.get_ref()) else {
            c.at(
                role.span(),
                format!("unknown role `{}`", role.get_ref()),
                Some("roles are agent, analyst, marketer, compliance and admin".to_owned()),
            );
            continue;
        };
        let mut ids = Vec::new();
        for p in list {
            if purpose_spans.contains_key(p.get_ref()) {
                if let Ok(pid) = PurposeId::parse(p.get_ref()) {
                    ids.push(pid);
                }
            } else {
                c.at(
                    p.span(),
                    format!("role `{r}` is given the purpose `{}`, which the policy does not define", p.get_ref()),
                    Some("name a purpose defined under `[[purposes]]`".to_owned()),
                );
            }
        }
        roles.insert(r, ids);
    }
    roles
}

/// A recipient's sharing agreement: a `reference`, `valid_from` and
/// `valid_until` dates in order, and the categories it covers.
fn check_agreement(c: &mut Checker<'_>, rid: &str, a: &Spanned<RawAgreement>) -> Option<Agreement> {
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

fn basis_help() -> String {
    let all: Vec<&str> = LegalBasis::ALL.iter().map(|b| b.as_str()).collect();
    format!("use one of the GDPR Art. 6 bases: {}", all.join(", "))
}

#[cfg(test)]
mod tests;
