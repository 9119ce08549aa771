//! One row per rule of the gate: each legal basis, opt-in versus opt-out,
//! withdrawal and objection, outdated consent, restriction, special
//! categories, training, agreements and CCPA opt-outs.

use std::collections::BTreeMap;

use time::macros::datetime;
use time::OffsetDateTime;

use super::*;
use crate::actor::Role;
use crate::consent::{ConsentAction, ConsentEvent, ConsentSource};
use crate::ids::PurposeId;
use crate::policy::{check, EXAMPLE_POLICY};

const NOW: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

fn ctx() -> PolicyContext {
    let mut src = EXAMPLE_POLICY.to_owned();
    // A purpose on each remaining basis, and a not-yet-valid and an expired
    // agreement, so every row of the table has something to ask about.
    src.push_str(
        r#"
[[purposes]]
id = "fraud_prevention"
description = "Stop fraudulent refund claims"
legal_basis = "public_task"
categories = ["user.content.public"]
retention_days = 90

[[purposes]]
id = "safety"
description = "Act when a customer reports a threat to life"
legal_basis = "vital_interests"
categories = ["user.contact.phone_number"]
retention_days = 30

[[purposes]]
id = "sharing.future_vendor"
description = "A vendor we will use next year"
legal_basis = "contract"
categories = ["user.contact.email"]
retention_days = 30

[[purposes]]
id = "sharing.old_vendor"
description = "A vendor we used to use"
legal_basis = "contract"
categories = ["user.contact.email"]
retention_days = 30

[[recipients]]
id = "future_vendor"
country = "DE"
[recipients.agreement]
reference = "DPA-F"
valid_from = "2027-01-01"
valid_until = "2029-01-01"
categories = ["user.contact.email"]

[[recipients]]
id = "old_vendor"
country = "DE"
[recipients.agreement]
reference = "DPA-O"
valid_from = "2020-01-01"
valid_until = "2025-12-31"
categories = ["user.contact.email"]
"#,
    );
    let src = src.replace(
        "admin = [\"customer_service\", \"analytics\", \"legal_claims\", \"sharing.helpdesk_vendor\"]",
        "admin = [\"customer_service\", \"analytics\", \"legal_claims\", \"sharing.helpdesk_vendor\", \"fraud_prevention\", \"safety\", \"sharing.future_vendor\", \"sharing.old_vendor\", \"personalization\", \"marketing.advertising\", \"accessibility_support\"]",
    );
    let policy = check("policy.toml", &src).unwrap_or_else(|d| panic!("{d:#?}"));
    let mut fresh = BTreeMap::new();
    fresh.insert(PurposeId::parse("marketing.advertising").unwrap(), 3);
    PolicyContext { version: 3, policy, fresh_consent_since: fresh }
}

fn actor(roles: &[Role], training: Option<OffsetDateTime>) -> Actor {
    Actor { id: "alice".into(), roles: roles.to_vec(), training_expires_at: training }
}

fn trained(roles: &[Role]) -> Actor {
    actor(roles, Some(datetime!(2027-01-01 0:00 UTC)))
}

fn ev(purpose: Option<&str>, action: ConsentAction, version: u32) -> ConsentEvent {
    ConsentEvent {
        purpose: purpose.map(|p| PurposeId::parse(p).unwrap()),
        action,
        policy_version: version,
        source: ConsentSource::PrivacyCenter,
        at: datetime!(2026-05-01 0:00 UTC),
    }
}

fn cats(names: &[&str]) -> Vec<CategoryId> {
    names.iter().map(|n| CategoryId::new(*n)).collect()
}

/// What a row expects: allowed (with permitted categories) or a reason tag.
#[derive(Debug)]
enum Want {
    Allow(&'static [&'static str]),
    Deny(&'static str),
}

struct Row {
    name: &'static str,
    actor: Actor,
    purpose: &'static str,
    categories: &'static [&'static str],
    events: Vec<ConsentEvent>,
    want: Want,
}

fn reason_tag(r: &DenyReason) -> String {
    serde_json::to_value(r).unwrap()["reason"].as_str().unwrap().to_owned()
}

#[test]
fn the_access_decision_table() {
    use ConsentAction as A;
    use Role::*;
    let admin = || trained(&[Admin]);
    let rows = vec![
        // Each legal basis.
        Row {
            name: "contract needs no consent",
            actor: trained(&[Agent]),
            purpose: "customer_service",
            categories: &["user.contact.email", "user.content.private"],
            events: vec![],
            want: Want::Allow(&["user.contact.email", "user.content.private"]),
        },
        Row {
            name: "legal obligation needs no consent",
            actor: trained(&[Compliance]),
            purpose: "legal_claims",
            categories: &["user.contact.email"],
            events: vec![],
            want: Want::Allow(&["user.contact.email"]),
        },
        Row {
            name: "vital interests needs no consent",
            actor: admin(),
            purpose: "safety",
            categories: &["user.contact.phone_number"],
            events: vec![],
            want: Want::Allow(&["user.contact.phone_number"]),
        },
        Row {
            name: "public task runs until objection",
            actor: admin(),
            purpose: "fraud_prevention",
            categories: &["user.content.public"],
            events: vec![],
            want: Want::Allow(&["user.content.public"]),
        },
        Row {
            name: "objection stops public task",
            actor: admin(),
            purpose: "fraud_prevention",
            categories: &["user.content.public"],
            events: vec![ev(Some("fraud_prevention"), A::Object, 3)],
            want: Want::Deny("objected"),
        },
        Row {
            name: "legitimate interests is opt-out: allowed without any event",
            actor: trained(&[Analyst]),
            purpose: "analytics",
            categories: &["user.content.public"],
            events: vec![],
            want: Want::Allow(&["user.content.public"]),
        },
        Row {
            name: "objection stops legitimate interests",
            actor: trained(&[Analyst]),
            purpose: "analytics",
            categories: &["user.content.public"],
            events: vec![ev(Some("analytics"), A::Object, 3)],
            want: Want::Deny("objected"),
        },
        Row {
            name: "withdrawal stops an opt-out purpose too",
            actor: trained(&[Analyst]),
            purpose: "analytics",
            categories: &["user.content.public"],
            events: vec![ev(Some("analytics"), A::Withdraw, 3)],
            want: Want::Deny("consent_withdrawn"),
        },
        Row {
            name: "objection does not stop a contract",
            actor: trained(&[Agent]),
            purpose: "customer_service",
            categories: &["user.name"],
            events: vec![ev(Some("customer_service"), A::Object, 3)],
            want: Want::Allow(&["user.name"]),
        },
        // Opt-in consent.
        Row {
            name: "consent is opt-in: nothing given means no",
            actor: trained(&[Marketer]),
            purpose: "personalization",
            categories: &["user.content.public"],
            events: vec![],
            want: Want::Deny("no_consent"),
        },
        Row {
            name: "granted consent allows",
            actor: trained(&[Marketer]),
            purpose: "personalization",
            categories: &["user.content.public"],
            events: vec![ev(Some("personalization"), A::Grant, 1)],
            want: Want::Allow(&["user.content.public"]),
        },
        Row {
            name: "withdrawn consent denies",
            actor: trained(&[Marketer]),
            purpose: "personalization",
            categories: &["user.content.public"],
            events: vec![ev(Some("personalization"), A::Grant, 1), ev(Some("personalization"), A::Withdraw, 1)],
            want: Want::Deny("consent_withdrawn"),
        },
        Row {
            name: "re-granting after withdrawal allows again",
            actor: trained(&[Marketer]),
            purpose: "personalization",
            categories: &["user.content.public"],
            events: vec![ev(Some("personalization"), A::Withdraw, 1), ev(Some("personalization"), A::Grant, 2)],
            want: Want::Allow(&["user.content.public"]),
        },
        Row {
            name: "consent to another purpose does not count",
            actor: trained(&[Marketer]),
            purpose: "personalization",
            categories: &["user.content.public"],
            events: vec![ev(Some("marketing.advertising"), A::Grant, 3)],
            want: Want::Deny("no_consent"),
        },
        // Material change.
        Row {
            name: "consent older than a material change is outdated",
            actor: trained(&[Marketer]),
            purpose: "marketing.advertising",
            categories: &["user.contact.email"],
            events: vec![ev(Some("marketing.advertising"), A::Grant, 2)],
            want: Want::Deny("consent_outdated"),
        },
        Row {
            name: "consent under the changed version counts",
            actor: trained(&[Marketer]),
            purpose: "marketing.advertising",
            categories: &["user.contact.email"],
            events: vec![ev(Some("marketing.advertising"), A::Grant, 3)],
            want: Want::Allow(&["user.contact.email"]),
        },
        // Restriction.
        Row {
            name: "restriction denies every purpose",
            actor: trained(&[Agent]),
            purpose: "customer_service",
            categories: &["user.name"],
            events: vec![ev(None, A::Restrict, 3)],
            want: Want::Deny("restricted"),
        },
        Row {
            name: "a lifted restriction allows again",
            actor: trained(&[Agent]),
            purpose: "customer_service",
            categories: &["user.name"],
            events: vec![ev(None, A::Restrict, 3), ev(None, A::LiftRestriction, 3)],
            want: Want::Allow(&["user.name"]),
        },
        // Special categories.
        Row {
            name: "special category with explicit consent and a condition",
            actor: trained(&[Agent]),
            purpose: "accessibility_support",
            categories: &["user.health_and_medical"],
            events: vec![ev(Some("accessibility_support"), A::Grant, 3)],
            want: Want::Allow(&["user.health_and_medical"]),
        },
        Row {
            name: "special category outside its purpose is withheld",
            actor: trained(&[Agent]),
            purpose: "customer_service",
            categories: &["user.name", "user.health_and_medical"],
            events: vec![],
            want: Want::Allow(&["user.name"]),
        },
        Row {
            name: "limit-sensitive-use withholds special data",
            actor: trained(&[Agent]),
            purpose: "accessibility_support",
            categories: &["user.health_and_medical", "user.unique_id"],
            events: vec![ev(Some("accessibility_support"), A::Grant, 3), ev(None, A::LimitSensitiveUse, 3)],
            want: Want::Allow(&["user.unique_id"]),
        },
        Row {
            name: "only special data asked under limit-sensitive-use is denied",
            actor: trained(&[Agent]),
            purpose: "accessibility_support",
            categories: &["user.health_and_medical"],
            events: vec![ev(Some("accessibility_support"), A::Grant, 3), ev(None, A::LimitSensitiveUse, 3)],
            want: Want::Deny("nothing_permitted"),
        },
        // Training.
        Row {
            name: "no training attestation",
            actor: actor(&[Agent], None),
            purpose: "customer_service",
            categories: &["user.name"],
            events: vec![],
            want: Want::Deny("no_training"),
        },
        Row {
            name: "expired training",
            actor: actor(&[Agent], Some(datetime!(2026-05-31 0:00 UTC))),
            purpose: "customer_service",
            categories: &["user.name"],
            events: vec![],
            want: Want::Deny("training_expired"),
        },
        // Roles, purposes and categories the gate does not know.
        Row {
            name: "a role without the purpose",
            actor: trained(&[Analyst]),
            purpose: "customer_service",
            categories: &["user.name"],
            events: vec![],
            want: Want::Deny("role_not_permitted"),
        },
        Row {
            name: "an unknown purpose",
            actor: admin(),
            purpose: "mind_reading",
            categories: &["user.name"],
            events: vec![],
            want: Want::Deny("unknown_purpose"),
        },
        Row {
            name: "an unknown category fails closed",
            actor: trained(&[Agent]),
            purpose: "customer_service",
            categories: &["user.name", "user.thoughts"],
            events: vec![],
            want: Want::Deny("unknown_category"),
        },
        Row {
            name: "nothing the purpose covers",
            actor: trained(&[Analyst]),
            purpose: "analytics",
            categories: &["user.contact.email"],
            events: vec![],
            want: Want::Deny("nothing_permitted"),
        },
        // Recipients.
        Row {
            name: "a valid agreement allows sharing",
            actor: admin(),
            purpose: "sharing.helpdesk_vendor",
            categories: &["user.contact.email"],
            events: vec![],
            want: Want::Allow(&["user.contact.email"]),
        },
        Row {
            name: "an agreement not yet valid",
            actor: admin(),
            purpose: "sharing.future_vendor",
            categories: &["user.contact.email"],
            events: vec![],
            want: Want::Deny("agreement_not_yet_valid"),
        },
        Row {
            name: "an expired agreement",
            actor: admin(),
            purpose: "sharing.old_vendor",
            categories: &["user.contact.email"],
            events: vec![],
            want: Want::Deny("agreement_expired"),
        },
        // CCPA.
        Row {
            name: "opt-out of sale/share stops a share purpose even with consent",
            actor: trained(&[Marketer]),
            purpose: "marketing.advertising",
            categories: &["user.contact.email"],
            events: vec![ev(Some("marketing.advertising"), A::Grant, 3), ev(None, A::OptOutSaleShare, 3)],
            want: Want::Deny("sale_share_opt_out"),
        },
        Row {
            name: "opt-out of sale/share leaves other purposes alone",
            actor: trained(&[Marketer]),
            purpose: "personalization",
            categories: &["user.content.public"],
            events: vec![ev(Some("personalization"), A::Grant, 3), ev(None, A::OptOutSaleShare, 3)],
            want: Want::Allow(&["user.content.public"]),
        },
    ];
    let ctx = ctx();
    let mut failures = Vec::new();
    for row in &rows {
        let consent = ConsentState::from_events(&row.events);
        let categories = cats(row.categories);
        let got = decide(
            &ctx,
            &AccessRequest { actor: &row.actor, purpose: row.purpose, categories: &categories, consent: &consent, held: &[], now: NOW },
        );
        let ok = match (&row.want, &got) {
            (Want::Allow(want), Decision::Allow { permitted, .. }) => permitted.iter().map(CategoryId::as_str).collect::<Vec<_>>() == *want,
            (Want::Deny(tag), Decision::Deny(reason)) => reason_tag(reason) == *tag && !reason.to_string().is_empty(),
            _ => false,
        };
        if !ok {
            failures.push(format!("{}: wanted {:?}, got {:?}", row.name, row.want, got));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn withheld_categories_say_why() {
    let ctx = ctx();
    let consent = ConsentState::default();
    let categories = cats(&["user.name", "user.health_and_medical", "user.location.imprecise"]);
    let got = decide(
        &ctx,
        &AccessRequest {
            actor: &trained(&[Role::Agent]),
            purpose: "customer_service",
            categories: &categories,
            consent: &consent,
            held: &[],
            now: NOW,
        },
    );
    let Decision::Allow { withheld, .. } = got else { panic!("{got:?}") };
    assert_eq!(
        withheld,
        vec![
            (CategoryId::new("user.health_and_medical"), Withheld::NotInPurpose),
            (CategoryId::new("user.location.imprecise"), Withheld::NotInPurpose)
        ]
    );
}

#[test]
fn restricted_data_serves_only_the_legal_claim_it_is_held_for() {
    let ctx = ctx();
    let consent = ConsentState::from_events(&[ev(None, ConsentAction::Restrict, 3)]);
    let compliance = trained(&[Role::Compliance]);
    let email = cats(&["user.contact.email"]);
    let legal_claims = [PurposeId::parse("legal_claims").unwrap()];
    let ask = |purpose: &str, held: &[PurposeId]| {
        decide(&ctx, &AccessRequest { actor: &compliance, purpose, categories: &email, consent: &consent, held, now: NOW })
    };
    // GDPR Art. 18(2): the claim the data is held for may use it ...
    assert!(ask("legal_claims", &legal_claims).is_allowed());
    // ... but not without a hold standing for it, and nothing else may.
    assert_eq!(ask("legal_claims", &[]), Decision::Deny(DenyReason::Restricted));
    assert_eq!(ask("customer_service", &legal_claims), Decision::Deny(DenyReason::Restricted));
    assert_eq!(ask("analytics", &legal_claims), Decision::Deny(DenyReason::Restricted));
    // A hold names a purpose the policy must mark `legal_hold`: a hold
    // recorded for any other purpose lifts nothing.
    let customer_service = [PurposeId::parse("customer_service").unwrap()];
    assert_eq!(ask("customer_service", &customer_service), Decision::Deny(DenyReason::Restricted));
    // The other rules still apply to the held purpose: a role that may not
    // use it is refused.
    let agent = trained(&[Role::Agent]);
    let d = decide(
        &ctx,
        &AccessRequest { actor: &agent, purpose: "legal_claims", categories: &email, consent: &consent, held: &legal_claims, now: NOW },
    );
    assert!(matches!(d, Decision::Deny(DenyReason::RoleNotPermitted { .. })), "{d:?}");
}

#[test]
fn deny_reasons_read_as_sentences() {
    let r = DenyReason::ConsentOutdated { purpose: "marketing.advertising".into(), given_under: 2, changed_in: 3 };
    assert_eq!(r.to_string(), "consent to `marketing.advertising` was given under policy version 2, but version 3 changed the purpose materially; fresh consent is needed");
}
