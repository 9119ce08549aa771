//! What changed between two policy versions, each change classified material
//! or not. A material change needs notice to customers; for consent-based
//! purposes it also needs fresh consent, which the access decision enforces
//! through [`fresh_consent_since`].

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use super::{Ccpa, ConsentDefault, LegalBasis, Policy, Purpose};
use crate::category::CategoryId;
use crate::ids::PurposeId;

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What the change is about (`purpose analytics`, `recipient x`, …).
    pub subject: String,
    /// Plain-language description.
    pub description: String,
    /// Whether customers must be told, and consent purposes re-consented.
    pub material: bool,
    /// A minor change a person should look at before publishing: a
    /// purpose's new wording names who else may receive the data or where
    /// else it is used ("partner sites"), which may make it material.
    pub review: bool,
    /// The purpose it is about, if any (not serialized: `subject` names it).
    #[serde(skip)]
    pub purpose: Option<PurposeId>,
    /// The change as a message id and its arguments, for words in any
    /// language (not serialized: `description` says it in English).
    #[serde(skip)]
    pub wording: Wording,
}

/// A change as a message of the pages' catalogues: `id` (such as
/// `change-retention-longer`) and its arguments. Arguments keep the
/// policy's own values: `purpose` and `recipient` ids, `categories` as
/// category ids joined by `, `, `basis` as a legal basis name, numbers
/// and dates as digits, so that a page can put each into its reader's
/// words.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Wording {
    /// The message id.
    pub id: &'static str,
    /// Its arguments, by name.
    pub args: Vec<(&'static str, String)>,
}

/// The diff of two policies.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PolicyDiff {
    /// Every change, in a stable order.
    pub changes: Vec<Change>,
    /// Consent-based purposes whose earlier consent no longer counts.
    pub fresh_consent: Vec<PurposeId>,
}

impl PolicyDiff {
    /// Whether any change is material.
    pub fn is_material(&self) -> bool {
        self.changes.iter().any(|c| c.material)
    }

    /// Whether a material change concerns more than the consent it asks
    /// for again: a purpose on another basis, a recipient, what is
    /// collected. Every customer must then be told, not only those whose
    /// consent no longer counts.
    pub fn concerns_everyone(&self) -> bool {
        self.changes.iter().any(|c| c.material && c.purpose.as_ref().is_none_or(|p| !self.fresh_consent.contains(p)))
    }

    fn push(&mut self, change: Change, purpose: Option<&Purpose>) {
        if change.material {
            if let Some(p) = purpose.filter(|p| needs_consent(p)) {
                if !self.fresh_consent.contains(&p.id) {
                    self.fresh_consent.push(p.id.clone());
                }
            }
        }
        self.changes.push(change);
    }

    /// Record a change about the policy as a whole or a recipient.
    fn general(&mut self, subject: String, description: String, material: bool, wording: Wording) {
        self.push(Change { subject, description, material, review: false, purpose: None, wording }, None);
    }

    /// Record a change about purpose `p`.
    fn about(&mut self, p: &Purpose, description: String, material: bool, wording: Wording) {
        let change = Change {
            subject: format!("purpose `{}`", p.id),
            description,
            material,
            review: false,
            purpose: Some(p.id.clone()),
            wording: wording.with("purpose", p.id.as_str()),
        };
        self.push(change, Some(p));
    }
}

impl Wording {
    fn new(id: &'static str) -> Self {
        Self { id, args: Vec::new() }
    }

    fn with(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// The argument `name`, if given.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let tag = match (self.material, self.review) {
            (true, _) => "material",
            (false, true) => "review",
            (false, false) => "minor",
        };
        write!(f, "[{tag}] {}: {}", self.subject, self.description)
    }
}

fn list(cats: &[CategoryId]) -> String {
    cats.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
}

/// Category ids joined by `, `: a [`Wording`] argument.
fn ids(cats: &[CategoryId]) -> String {
    cats.iter().map(CategoryId::as_str).collect::<Vec<_>>().join(", ")
}

/// Categories of `new` not covered by any of `old`.
fn widened(old: &[CategoryId], new: &[CategoryId]) -> Vec<CategoryId> {
    new.iter().filter(|n| !old.iter().any(|o| o.covers(n))).cloned().collect()
}

/// Words a purpose's description uses when data goes to someone else or is
/// used somewhere else: recipients (partners, affiliates, third parties,
/// advertisers) and places of use (sites, apps, networks).
const REACH_WORDS: &[&str] = &[
    "advertiser",
    "advertisers",
    "advertising",
    "affiliate",
    "affiliates",
    "broker",
    "brokers",
    "companies",
    "group",
    "network",
    "networks",
    "partner",
    "partners",
    "platforms",
    "sell",
    "share",
    "shared",
    "sharing",
    "sites",
    "sponsors",
    "third",
    "vendors",
    "websites",
];

/// The reach words `new` uses that `old` did not.
fn new_reach(old: &str, new: &str) -> Vec<&'static str> {
    let words = |s: &str| -> Vec<String> { s.split(|c: char| !c.is_alphanumeric()).map(str::to_lowercase).collect() };
    let (old, new) = (words(old), words(new));
    REACH_WORDS.iter().copied().filter(|w| new.iter().any(|n| n == w) && !old.iter().any(|o| o == w)).collect()
}

fn needs_consent(p: &Purpose) -> bool {
    p.legal_basis == LegalBasis::Consent || p.default == ConsentDefault::OptIn
}

fn snake<T: fmt::Debug>(v: T) -> String {
    let debug = format!("{v:?}");
    let mut out = String::new();
    for (i, c) in debug.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_lowercase());
    }
    out
}

/// Compare `old` with `new`.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let mut d = PolicyDiff::default();
    if old.controller != new.controller {
        let words = Wording::new("change-controller");
        d.general("controller".into(), "the controller's identity or contact details changed".into(), false, words);
    }
    let more = widened(&old.collected, &new.collected);
    if !more.is_empty() {
        let words = Wording::new("change-collects-more").with("categories", ids(&more));
        d.general("categories".into(), format!("now also collects {}", list(&more)), true, words);
    }
    let fewer = widened(&new.collected, &old.collected);
    if !fewer.is_empty() {
        let words = Wording::new("change-collects-less").with("categories", ids(&fewer));
        d.general("categories".into(), format!("no longer collects {}", list(&fewer)), false, words);
    }
    for (id, np) in &new.purposes {
        match old.purposes.get(id) {
            Some(op) => diff_purpose(&mut d, op, np),
            None => {
                let words = Wording::new("change-new-purpose").with("basis", np.legal_basis);
                d.about(np, format!("new purpose on the basis of {}", np.legal_basis), true, words);
            }
        }
    }
    for op in old.purposes.values().filter(|p| !new.purposes.contains_key(&p.id)) {
        let words = Wording::new("change-purpose-removed").with("purpose", op.id.as_str());
        let change = Change {
            subject: format!("purpose `{}`", op.id),
            description: "purpose removed: its processing stops".into(),
            material: false,
            review: false,
            purpose: Some(op.id.clone()),
            wording: words,
        };
        d.push(change, None);
    }
    diff_recipients(&mut d, old, new);
    if old.roles != new.roles {
        d.general("roles".into(), "staff roles' purposes changed".into(), false, Wording::new("change-roles"));
    }
    d
}

/// The changes to one purpose both versions have.
fn diff_purpose(d: &mut PolicyDiff, op: &Purpose, np: &Purpose) {
    if op.legal_basis != np.legal_basis {
        let words = Wording::new("change-basis").with("from", op.legal_basis).with("to", np.legal_basis);
        d.about(np, format!("legal basis changed from {} to {}", op.legal_basis, np.legal_basis), true, words);
    }
    let wider = widened(&op.categories, &np.categories);
    if !wider.is_empty() {
        d.about(np, format!("may now read {}", list(&wider)), true, Wording::new("change-reads-more").with("categories", ids(&wider)));
    }
    let narrower = widened(&np.categories, &op.categories);
    if !narrower.is_empty() {
        let words = Wording::new("change-reads-less").with("categories", ids(&narrower));
        d.about(np, format!("no longer reads {}", list(&narrower)), false, words);
    }
    let (was, now) = (op.retention_days, np.retention_days);
    if now != was {
        let longer = now > was;
        let id = if longer { "change-retention-longer" } else { "change-retention-shorter" };
        let how = if longer { "longer" } else { "shorter" };
        d.about(
            np,
            format!("retention {how}: {now} days instead of {was}"),
            longer,
            Wording::new(id).with("days", now).with("before", was),
        );
    }
    if op.recipient != np.recipient {
        let (from, to) = (op.recipient.as_deref().unwrap_or("none"), np.recipient.as_deref().unwrap_or("none"));
        let words = Wording::new("change-recipient").with("from", from).with("to", to);
        d.about(np, format!("recipient changed from {from} to {to}"), np.recipient.is_some(), words);
    }
    if op.ccpa != np.ccpa {
        let words = Wording::new("change-ccpa").with("to", snake(np.ccpa));
        let description = format!("CCPA classification changed from {:?} to {:?}", op.ccpa, np.ccpa).to_lowercase();
        d.about(np, description, np.ccpa != Ccpa::None, words);
    }
    if op.default != np.default {
        // Moving to opt-out loosens the default: material.
        let words = Wording::new("change-default").with("to", snake(np.default));
        let description = format!("default changed from {:?} to {:?}", op.default, np.default).to_lowercase();
        d.about(np, description, np.default == ConsentDefault::OptOut, words);
    }
    if op.description != np.description || op.name != np.name {
        let reach = new_reach(&format!("{} {}", op.name, op.description), &format!("{} {}", np.name, np.description));
        if reach.is_empty() {
            d.about(np, "wording changed".into(), false, Wording::new("change-wording"));
        } else {
            let words = reach.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ");
            d.about(
                np,
                format!("wording changed and now speaks of {words}: possibly a new recipient or place of use; if so, the change is material (add the recipient, or a purpose)"),
                false,
                Wording::new("change-wording"),
            );
            if let Some(last) = d.changes.last_mut() {
                last.review = true;
            }
        }
    }
    if op.legal_hold != np.legal_hold {
        let (id, how) = if np.legal_hold { ("change-hold-added", "added") } else { ("change-hold-removed", "removed") };
        d.about(np, format!("legal hold {how}"), false, Wording::new(id));
    }
    if op.special_condition != np.special_condition {
        d.about(np, "special-category condition changed".into(), true, Wording::new("change-special-condition"));
    }
}

/// The changes to recipients and their agreements.
fn diff_recipients(d: &mut PolicyDiff, old: &Policy, new: &Policy) {
    for (id, nr) in &new.recipients {
        let subject = format!("recipient `{id}`");
        let words = |msg: &'static str| Wording::new(msg).with("recipient", &nr.name);
        let Some(or) = old.recipients.get(id) else {
            let description = format!("new recipient {} in {}", nr.name, nr.country);
            d.general(subject, description, true, words("change-recipient-new").with("country", &nr.country));
            continue;
        };
        if or.country != nr.country {
            let description = format!("country changed from {} to {}", or.country, nr.country);
            d.general(subject.clone(), description, true, words("change-recipient-country").with("country", &nr.country));
        }
        let wider = widened(&or.agreement.categories, &nr.agreement.categories);
        if !wider.is_empty() {
            let description = format!("agreement now covers {}", list(&wider));
            d.general(subject.clone(), description, true, words("change-agreement-wider").with("categories", ids(&wider)));
        }
        let (from, until) = (nr.agreement.valid_from, nr.agreement.valid_until);
        if or.agreement.valid_until != until || or.agreement.valid_from != from {
            let words = words("change-agreement-dates").with("from", from).with("until", until);
            d.general(subject, format!("agreement valid {from} to {until}"), false, words);
        }
    }
    for or in old.recipients.values().filter(|r| !new.recipients.contains_key(&r.id)) {
        let words = Wording::new("change-recipient-removed").with("recipient", &or.name);
        d.general(format!("recipient `{}`", or.id), "recipient removed".into(), false, words);
    }
}

/// For each purpose, the latest version whose change needs fresh consent.
/// `history` is every published version, oldest first.
pub fn fresh_consent_since(history: &[(u32, &Policy)]) -> BTreeMap<PurposeId, u32> {
    let mut since = BTreeMap::new();
    for pair in history.windows(2) {
        let [(_, old), (version, new)] = pair else { continue };
        for p in diff(old, new).fresh_consent {
            since.insert(p, *version);
        }
    }
    since
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{check, EXAMPLE_POLICY};

    fn policy(src: &str) -> Policy {
        check("p.toml", src).unwrap_or_else(|d| panic!("{d:#?}"))
    }

    #[test]
    fn wording_that_reaches_new_recipients_or_places_is_flagged_for_review() {
        let old = policy(EXAMPLE_POLICY);
        let was = "with an explanation for each.";
        let widened = policy(&EXAMPLE_POLICY.replace(was, "with an explanation for each, here and on partner sites."));
        let d = diff(&old, &widened);
        let c = d.changes.iter().find(|c| c.subject.contains("personalization")).unwrap_or_else(|| panic!("{:#?}", d.changes));
        assert!(c.review && !c.material, "{c:?}");
        assert!(c.description.contains("\"partner\"") && c.description.contains("\"sites\""), "{}", c.description);
        assert!(c.to_string().starts_with("[review]"), "{c}");
        assert!(d.fresh_consent.is_empty(), "review is for a person to decide; it asks for no consent by itself");

        let reworded = policy(&EXAMPLE_POLICY.replace(was, "and we explain each one."));
        let d = diff(&old, &reworded);
        assert!(d.changes.iter().all(|c| !c.review && !c.material), "{:#?}", d.changes);
        // A word already there before is not new reach.
        let again = policy(&EXAMPLE_POLICY.replace(was, "with an explanation for each, here and on partner sites, our own sites too."));
        assert!(diff(&widened, &again).changes.iter().all(|c| !c.review), "nothing new");
    }

    #[test]
    fn identical_policies_have_no_changes() {
        let p = policy(EXAMPLE_POLICY);
        assert!(diff(&p, &p).changes.is_empty());
    }

    #[test]
    fn wider_categories_longer_retention_and_new_purposes_are_material() {
        let old = policy(EXAMPLE_POLICY);
        let new_src = EXAMPLE_POLICY
            .replace(
                "categories = [\"user.behavior.purchase_history\", \"user.content.public\", \"user.demographic.language\", \"user.unique_id\"]\nretention_days = 365",
                "categories = [\"user.behavior.purchase_history\", \"user.content.public\", \"user.content.private\", \"user.demographic.language\", \"user.unique_id\"]\nretention_days = 365",
            )
            .replace("retention_days = 395", "retention_days = 800")
            .replace("retention_days = 180", "retention_days = 90")
            + "\n[[purposes]]\nid = \"surveys\"\ndescription = \"Ask you how we did\"\nlegal_basis = \"consent\"\ncategories = [\"user.contact.email\"]\nretention_days = 30\n";
        let new = policy(&new_src);
        let d = diff(&old, &new);
        let find = |s: &str| d.changes.iter().find(|c| c.description.contains(s)).unwrap_or_else(|| panic!("{s}: {:#?}", d.changes));
        assert!(find("may now read `user.content.private`").material);
        assert!(find("retention longer: 800 days").material);
        assert!(!find("retention shorter: 90 days").material);
        assert!(find("new purpose").material);
        let fresh: Vec<&str> = d.fresh_consent.iter().map(PurposeId::as_str).collect();
        assert_eq!(fresh, vec!["personalization", "surveys"]);
        // analytics is on legitimate interests: material, but no consent to refresh.
        assert!(!fresh.contains(&"analytics"));
    }

    #[test]
    fn a_changed_legal_basis_and_a_new_recipient_are_material() {
        let old = policy(EXAMPLE_POLICY);
        let new = policy(
            &(EXAMPLE_POLICY.replace(
                "legal_basis = \"legitimate_interests\"",
                "legal_basis = \"consent\"",
            ) + "\n[[recipients]]\nid = \"adnet\"\ncountry = \"US\"\n[recipients.agreement]\nreference = \"X\"\nvalid_from = \"2025-01-01\"\nvalid_until = \"2026-01-01\"\ncategories = [\"user.contact.email\"]\n"),
        );
        let d = diff(&old, &new);
        assert!(d.changes.iter().any(|c| c.material && c.description.contains("legal basis changed from legitimate_interests to consent")));
        assert!(d.changes.iter().any(|c| c.material && c.subject == "recipient `adnet`"));
        assert!(d.fresh_consent.iter().any(|p| p.as_str() == "analytics"));
    }

    #[test]
    fn fresh_consent_since_remembers_the_latest_material_version() {
        let v1 = policy(EXAMPLE_POLICY);
        let v2 = policy(&EXAMPLE_POLICY.replace("retention_days = 180", "retention_days = 400"));
        let v3 =
            policy(&EXAMPLE_POLICY.replace("retention_days = 180", "retention_days = 400").replace("Show you ads", "Show you adverts"));
        let since = fresh_consent_since(&[(1, &v1), (2, &v2), (3, &v3)]);
        assert_eq!(since.get(&PurposeId::parse("marketing.advertising").unwrap()), Some(&2));
        assert_eq!(since.len(), 1);
    }
}
