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

use super::{Address, Controller, LegalBasis, Policy};
use crate::actor::Role;
use crate::category::{CategoryId, Taxonomy};
use crate::ids::PurposeId;
use purposes::check_purposes;
use recipients::check_recipients;

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
    address: Option<Address>,
    email: Option<String>,
    phone: Option<String>,
    #[serde(default)]
    storage_locations: Vec<String>,
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
    description: Option<Spanned<RawText>>,
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

/// Text for customers: one string (English), or a table of it by
/// language code with `en` required (`description = { en = "…", es = "…" }`).
#[derive(Deserialize)]
#[serde(untagged)]
enum RawText {
    One(String),
    ByLanguage(BTreeMap<String, String>),
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
            email: ctl.email.filter(|s| !s.trim().is_empty()),
            phone: ctl.phone.filter(|s| !s.trim().is_empty()),
            storage_locations: ctl.storage_locations,
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

fn basis_help() -> String {
    let all: Vec<&str> = LegalBasis::ALL.iter().map(|b| b.as_str()).collect();
    format!("use one of the GDPR Art. 6 bases: {}", all.join(", "))
}

mod purposes;
mod recipients;

#[cfg(test)]
mod tests;
