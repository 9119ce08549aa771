use super::*;
use crate::policy::{ConsentDefault, EXAMPLE_POLICY};

fn errors(src: &str) -> Vec<Diagnostic> {
    check("policy.toml", src).expect_err("policy should be rejected")
}

fn find<'a>(diags: &'a [Diagnostic], needle: &str) -> &'a Diagnostic {
    diags.iter().find(|d| d.message.contains(needle)).unwrap_or_else(|| panic!("no diagnostic containing `{needle}` in {diags:#?}"))
}

#[test]
fn the_example_policy_is_valid() {
    let p = check("policy.toml", EXAMPLE_POLICY).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(p.purpose("analytics").unwrap().default, ConsentDefault::OptOut);
    assert_eq!(p.purpose("personalization").unwrap().default, ConsentDefault::OptIn);
    assert_eq!(p.purpose("customer_service").unwrap().default, ConsentDefault::NotApplicable);
    assert_eq!(p.purpose("sharing.helpdesk_vendor").unwrap().recipient.as_deref(), Some("helpdesk_vendor"));
    assert!(p.roles[&Role::Analyst].iter().any(|p| p.as_str() == "analytics"));
}

const BASE: &str = r#"
[controller]
name = "Acme"
contact = "privacy@acme.example"

[categories]
collected = ["user.contact", "user.content", "user.demographic"]
"#;

#[test]
fn several_errors_are_reported_at_once_with_line_and_column() {
    let src = format!(
        "{BASE}
[[purposes]]
id = \"analytics\"
description = \"Counting things\"
legal_basis = \"legitimate_interests\"
categories = [\"user.contact.emial\"]
retention_days = 30

[[purposes]]
id = \"analytics\"
description = \"again\"
legal_basis = \"contract\"
categories = [\"user.contact.email\"]
retention_days = 30

[[purposes]]
id = \"personalization\"
legal_basis = \"consent\"
categories = [\"user.content.public\"]
"
    );
    let d = errors(&src);
    let unknown = find(&d, "unknown data category `user.contact.emial`");
    assert_eq!((unknown.line, unknown.column), (13, 15));
    assert!(unknown.help.as_deref().unwrap().contains("user.contact.email"));
    let dup = find(&d, "duplicate purpose `analytics`");
    assert_eq!(dup.line, 17);
    assert!(dup.help.as_deref().unwrap().contains("line 10"));
    let desc = find(&d, "purpose `personalization` has no `description`");
    assert!(desc.help.as_deref().unwrap().contains("consent"));
    find(&d, "purpose `personalization` has no retention period");
    assert!(d.len() >= 4);
    assert!(d.iter().all(|x| x.file == "policy.toml"));
    assert!(d.windows(2).all(|w| (w[0].line, w[0].column) <= (w[1].line, w[1].column)));
}

#[test]
fn a_recipient_without_agreement_and_an_undeclared_recipient_are_errors() {
    let src = format!(
        "{BASE}
[[purposes]]
id = \"sharing.crm\"
description = \"Send contact data to our CRM\"
legal_basis = \"contract\"
categories = [\"user.contact.email\"]
retention_days = 30

[[purposes]]
id = \"sharing.adnet\"
description = \"Ads\"
legal_basis = \"consent\"
categories = [\"user.contact.email\"]
retention_days = 30

[[recipients]]
id = \"crm\"
country = \"US\"
"
    );
    let d = errors(&src);
    find(&d, "recipient `crm` has no sharing agreement");
    find(&d, "shares with `adnet`, which is not a declared recipient");
}

#[test]
fn special_categories_in_marketing_are_refused_and_elsewhere_need_a_condition() {
    let src = format!(
        "{BASE}
[[purposes]]
id = \"marketing.advertising\"
description = \"Ads\"
legal_basis = \"consent\"
categories = [\"user.demographic.religious_belief\"]
retention_days = 30

[[purposes]]
id = \"customer_service\"
description = \"Help\"
legal_basis = \"contract\"
categories = [\"user.demographic\"]
retention_days = 30
"
    );
    let d = errors(&src);
    find(&d, "special category `user.demographic.religious_belief` is used by the marketing purpose");
    find(&d, "uses the special category `user.demographic` without an Art. 9(2) condition");
}

#[test]
fn consent_cannot_default_to_opt_out_and_bases_must_be_known() {
    let src = format!(
        "{BASE}
[[purposes]]
id = \"personalization\"
description = \"Tailoring\"
legal_basis = \"consent\"
default = \"opt_out\"
categories = [\"user.content\"]
retention_days = 30

[[purposes]]
id = \"analytics\"
description = \"Counting\"
legal_basis = \"because\"
categories = [\"user.content\"]
retention_days = 30
"
    );
    let d = errors(&src);
    find(&d, "relies on consent but defaults to opt-out");
    let b = find(&d, "unknown legal basis `because`");
    assert!(b.help.as_deref().unwrap().contains("legitimate_interests"));
}

#[test]
fn toml_syntax_errors_and_unknown_fields_name_the_place() {
    let d = errors("[controller]\nname = \"x\"\ncontact = \n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].line, 3);
    let d = errors(&format!("{BASE}\n[[purposes]]\nid = \"a\"\nretension_days = 3\n"));
    assert!(d[0].message.contains("retension_days"), "{d:#?}");
    assert_eq!(d[0].line, 11);
}

#[test]
fn missing_controller_and_categories_are_reported() {
    let d = errors(
        "[[purposes]]\nid = \"a\"\ndescription = \"x\"\nlegal_basis = \"contract\"\ncategories = [\"user.name\"]\nretention_days = 1\n",
    );
    find(&d, "names no controller");
    find(&d, "does not say which data categories are collected");
}

#[test]
fn roles_must_name_defined_purposes() {
    let src = format!(
        "{BASE}
[[purposes]]
id = \"customer_service\"
description = \"Help\"
legal_basis = \"contract\"
categories = [\"user.contact\"]
retention_days = 30

[roles]
agent = [\"customer_service\", \"sales\"]
wizard = [\"customer_service\"]
"
    );
    let d = errors(&src);
    find(&d, "role `agent` is given the purpose `sales`");
    find(&d, "unknown role `wizard`");
}

#[test]
fn a_character_toml_refuses_without_a_message_still_gets_one() {
    // The TOML parser gives no message for a lone carriage return (found
    // by the property tests in tests/policy_fuzz.rs).
    let d = &errors("# a comment\r\\\n")[0];
    assert_eq!((d.line, d.column, d.message.as_str()), (1, 12, "a carriage return that does not end a line"));
}

#[test]
fn the_example_policy_gives_receipts_everything_they_need() {
    let p = check("policy.toml", EXAMPLE_POLICY).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(p.controller.receipt_gaps(), Vec::<String>::new());
    assert!(matches!(&p.controller.address, Some(crate::policy::Address::Parts(a)) if a.country.as_deref() == Some("IE")));
}

const ONE_PURPOSE: &str = r#"
[[purposes]]
id = "analytics"
description = "Counting things"
legal_basis = "legitimate_interests"
categories = ["user.content"]
retention_days = 30
"#;

#[test]
fn a_controller_without_what_receipts_need_gets_one_warning_per_missing_field() {
    // An older policy: a one-line address, the mail address only as the
    // contact, no phone, no storage locations. It still parses.
    let src = BASE
        .replace("contact = \"privacy@acme.example\"", "contact = \"privacy@acme.example\"\naddress = \"1 Main St, Springfield\"")
        + ONE_PURPOSE;
    let p = check("policy.toml", &src).unwrap_or_else(|d| panic!("{d:#?}"));
    let gaps = p.controller.receipt_gaps();
    assert_eq!(gaps.len(), 3, "{gaps:#?}");
    assert!(gaps[0].contains("`address` is one line"), "{gaps:#?}");
    assert!(gaps[1].contains("no `phone`"), "{gaps:#?}");
    assert!(gaps[2].contains("no `storage_locations`"), "{gaps:#?}");
    assert_eq!(p.controller.receipt_email(), Some("privacy@acme.example"), "a mail address given as the contact serves");

    // Parts without a country, a contact that is not a mail address.
    let src = BASE.replace(
        "contact = \"privacy@acme.example\"",
        "contact = \"https://acme.example/privacy\"\nphone = \"+1 555 0100\"\nstorage_locations = [\"US\"]\n\n[controller.address]\nstreet_address = \"1 Main St\"",
    ) + ONE_PURPOSE;
    let p = check("policy.toml", &src).unwrap_or_else(|d| panic!("{d:#?}"));
    let gaps = p.controller.receipt_gaps();
    assert_eq!(gaps.len(), 2, "{gaps:#?}");
    assert!(gaps[0].contains("address has no `country`"), "{gaps:#?}");
    assert!(gaps[1].contains("no `email`"), "{gaps:#?}");
}

#[test]
fn descriptions_may_be_written_per_language_and_every_page_language_is_checked() {
    let p = check("policy.toml", EXAMPLE_POLICY).unwrap_or_else(|d| panic!("{d:#?}"));
    assert_eq!(p.untranslated(), Vec::<String>::new(), "the example policy speaks every language of the pages");
    let ads = p.purpose("marketing.advertising").unwrap();
    assert!(ads.description.starts_with("Show you ads") && ads.description_in("es").starts_with("Mostrarte anuncios"));
    assert_eq!(ads.description_in("fr"), ads.description, "a language not written falls back to English");

    // One plain string is English only: a warning per page language missing.
    let english_only = EXAMPLE_POLICY.replace(
        r#"description = { en = "Show you ads for our products on social platforms based on your interactions with us.", es = "Mostrarte anuncios de nuestros productos en redes sociales según tus interacciones con nosotros." }"#,
        r#"description = "Show you ads for our products on social platforms based on your interactions with us.""#,
    );
    assert_ne!(english_only, EXAMPLE_POLICY);
    let p = check("policy.toml", &english_only).unwrap_or_else(|d| panic!("{d:#?}"));
    let warnings = p.untranslated();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("`marketing.advertising`") && warnings[0].contains("`es`"), "{}", warnings[0]);

    // English is required; a language is two lowercase letters.
    let no_english = english_only.replace(
        r#"description = "Show you ads for our products on social platforms based on your interactions with us.""#,
        r#"description = { es = "Anuncios", ES_mx = "Anuncios" }"#,
    );
    let diags = errors(&no_english);
    find(&diags, "has no `en`");
    find(&diags, "`ES_mx` is not a language code");
}
