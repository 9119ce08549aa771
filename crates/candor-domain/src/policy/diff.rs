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

/// Compare `old` with `new`.
pub fn diff(old: &Policy, new: &Policy) -> PolicyDiff {
    let mut d = PolicyDiff::default();
    let push = |d: &mut PolicyDiff, subject: String, description: String, material: bool, purpose: Option<&Purpose>| {
        if material {
            if let Some(p) = purpose.filter(|p| needs_consent(p)) {
                if !d.fresh_consent.contains(&p.id) {
                    d.fresh_consent.push(p.id.clone());
                }
            }
        }
        d.changes.push(Change { subject, description, material, review: false });
    };

    if old.controller != new.controller {
        push(&mut d, "controller".into(), "the controller's identity or contact details changed".into(), false, None);
    }
    let more = widened(&old.collected, &new.collected);
    if !more.is_empty() {
        push(&mut d, "categories".into(), format!("now also collects {}", list(&more)), true, None);
    }
    let fewer = widened(&new.collected, &old.collected);
    if !fewer.is_empty() {
        push(&mut d, "categories".into(), format!("no longer collects {}", list(&fewer)), false, None);
    }

    for (id, np) in &new.purposes {
        let subject = format!("purpose `{id}`");
        let Some(op) = old.purposes.get(id) else {
            push(&mut d, subject, format!("new purpose on the basis of {}", np.legal_basis), true, Some(np));
            continue;
        };
        if op.legal_basis != np.legal_basis {
            push(&mut d, subject.clone(), format!("legal basis changed from {} to {}", op.legal_basis, np.legal_basis), true, Some(np));
        }
        let wider = widened(&op.categories, &np.categories);
        if !wider.is_empty() {
            push(&mut d, subject.clone(), format!("may now read {}", list(&wider)), true, Some(np));
        }
        let narrower = widened(&np.categories, &op.categories);
        if !narrower.is_empty() {
            push(&mut d, subject.clone(), format!("no longer reads {}", list(&narrower)), false, Some(np));
        }
        if np.retention_days > op.retention_days {
            push(
                &mut d,
                subject.clone(),
                format!("retention longer: {} days instead of {}", np.retention_days, op.retention_days),
                true,
                Some(np),
            );
        } else if np.retention_days < op.retention_days {
            push(
                &mut d,
                subject.clone(),
                format!("retention shorter: {} days instead of {}", np.retention_days, op.retention_days),
                false,
                Some(np),
            );
        }
        if op.recipient != np.recipient {
            let material = np.recipient.is_some();
            push(
                &mut d,
                subject.clone(),
                format!(
                    "recipient changed from {} to {}",
                    op.recipient.as_deref().unwrap_or("none"),
                    np.recipient.as_deref().unwrap_or("none")
                ),
                material,
                Some(np),
            );
        }
        if op.ccpa != np.ccpa {
            let material = np.ccpa != Ccpa::None;
            push(
                &mut d,
                subject.clone(),
                format!("CCPA classification changed from {:?} to {:?}", op.ccpa, np.ccpa).to_lowercase(),
                material,
                Some(np),
            );
        }
        if op.default != np.default {
            // Moving to opt-out loosens the default: material.
            let material = np.default == ConsentDefault::OptOut;
            push(
                &mut d,
                subject.clone(),
                format!("default changed from {:?} to {:?}", op.default, np.default).to_lowercase(),
                material,
                Some(np),
            );
        }
        if op.description != np.description || op.name != np.name {
            let reach = new_reach(&format!("{} {}", op.name, op.description), &format!("{} {}", np.name, np.description));
            if reach.is_empty() {
                push(&mut d, subject.clone(), "wording changed".into(), false, Some(np));
            } else {
                let words = reach.iter().map(|w| format!("\"{w}\"")).collect::<Vec<_>>().join(", ");
                push(
                    &mut d,
                    subject.clone(),
                    format!("wording changed and now speaks of {words}: possibly a new recipient or place of use; if so, the change is material (add the recipient, or a purpose)"),
                    false,
                    Some(np),
                );
                if let Some(last) = d.changes.last_mut() {
                    last.review = true;
                }
            }
        }
        if op.legal_hold != np.legal_hold {
            push(&mut d, subject.clone(), format!("legal hold {}", if np.legal_hold { "added" } else { "removed" }), false, Some(np));
        }
        if op.special_condition != np.special_condition {
            push(&mut d, subject, "special-category condition changed".into(), true, Some(np));
        }
    }
    for id in old.purposes.keys().filter(|id| !new.purposes.contains_key(*id)) {
        push(&mut d, format!("purpose `{id}`"), "purpose removed: its processing stops".into(), false, None);
    }

    for (id, nr) in &new.recipients {
        let subject = format!("recipient `{id}`");
        let Some(or) = old.recipients.get(id) else {
            push(&mut d, subject, format!("new recipient {} in {}", nr.name, nr.country), true, None);
            continue;
        };
        if or.country != nr.country {
            push(&mut d, subject.clone(), format!("country changed from {} to {}", or.country, nr.country), true, None);
        }
        let wider = widened(&or.agreement.categories, &nr.agreement.categories);
        if !wider.is_empty() {
            push(&mut d, subject.clone(), format!("agreement now covers {}", list(&wider)), true, None);
        }
        if or.agreement.valid_until != nr.agreement.valid_until || or.agreement.valid_from != nr.agreement.valid_from {
            push(&mut d, subject, format!("agreement valid {} to {}", nr.agreement.valid_from, nr.agreement.valid_until), false, None);
        }
    }
    for id in old.recipients.keys().filter(|id| !new.recipients.contains_key(*id)) {
        push(&mut d, format!("recipient `{id}`"), "recipient removed".into(), false, None);
    }
    if old.roles != new.roles {
        push(&mut d, "roles".into(), "staff roles' purposes changed".into(), false, None);
    }
    d
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
