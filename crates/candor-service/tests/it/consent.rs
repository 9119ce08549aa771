//! The consent ledger through the service: receipts, applicability, the
//! policy version recorded, and the gate reflecting each change at once.

use candor_domain::{CategoryId, ConsentAction as A, ConsentSource, Decision, DenyReason, SubjectId, EXAMPLE_POLICY};
use candor_service::receipt;
use candor_service::ServiceError;
use candor_test_support::{each_backend, Fixture, TestDb};

use crate::customer;

fn cats(c: &[&str]) -> Vec<CategoryId> {
    c.iter().map(|c| CategoryId::new(*c)).collect()
}

#[tokio::test]
async fn a_grant_yields_a_signed_receipt_and_any_edited_byte_fails_verification() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "r@example.com", "r").await;
    let r = f.candor.record_consent("test", s, Some("personalization"), A::Grant, ConsentSource::PrivacyCenter).await.unwrap();
    let text = r.receipt.expect("a grant has a receipt");
    let key = f.keys.verifying_key();
    let v = receipt::verify(&text, Some(&key)).unwrap();
    assert_eq!((v.purpose.as_str(), v.policy_version), ("personalization", 1));
    assert_eq!(v.principal, f.keys.pseudonym(s.as_uuid()));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    for field in [
        "version",
        "jurisdiction",
        "consentTimestamp",
        "collectionMethod",
        "consentReceiptID",
        "publicKey",
        "language",
        "piiPrincipalId",
        "piiControllers",
        "policyUrl",
        "services",
        "sensitive",
        "spiCat",
    ] {
        assert!(doc["receipt"].get(field).is_some(), "Kantara field `{field}` missing");
    }
    assert!(!text.contains("r@example.com"), "the receipt must not carry the e-mail address");
    assert_eq!(f.candor.consent_receipt(s, r.ledger_id).await.unwrap().as_deref(), Some(text.as_str()), "the ledger keeps the receipt");

    // Every single-byte edit, anywhere, fails.
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        let mut edited = bytes.to_vec();
        edited[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
        let outcome = String::from_utf8(edited).map(|t| receipt::verify(&t, Some(&key)));
        assert!(!matches!(outcome, Ok(Ok(_))), "editing byte {i} (`{}`) went unnoticed", bytes[i] as char);
    }
    // A receipt signed by another installation is refused when checked
    // against this one's key, though it verifies against its own.
    let other = Fixture::with_policy(TestDb::sqlite()).await;
    let o = customer(&other, "o@example.com", "o").await;
    let foreign =
        other.candor.record_consent("test", o, Some("personalization"), A::Grant, ConsentSource::Api).await.unwrap().receipt.unwrap();
    assert!(receipt::verify(&foreign, Some(&key)).is_err());
    assert!(!receipt::verify(&foreign, None).unwrap().trusted_key);
}

#[tokio::test]
async fn consent_for_a_purpose_the_policy_lacks_is_refused_and_names_the_purposes() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "p@example.com", "p").await;
    let err = f.candor.record_consent("test", s, Some("mind_reading"), A::Grant, ConsentSource::Cli).await.unwrap_err();
    assert!(matches!(err, ServiceError::UnknownPurpose { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("`mind_reading`") && msg.contains("version 1") && msg.contains("personalization"), "{msg}");
    assert!(f.candor.consent_overview(s).await.unwrap().events.is_empty(), "nothing was recorded");
}

#[tokio::test]
async fn choices_that_do_not_fit_the_legal_basis_are_refused_with_the_reason() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "b@example.com", "b").await;
    let grant_contract = f.candor.record_consent("test", s, Some("customer_service"), A::Grant, ConsentSource::Cli).await.unwrap_err();
    assert!(grant_contract.to_string().contains("relies on contract"), "{grant_contract}");
    let object_consent =
        f.candor.record_consent("test", s, Some("accessibility_support"), A::Object, ConsentSource::Cli).await.unwrap_err();
    assert!(object_consent.to_string().contains("withdrawn rather than objected"), "{object_consent}");
    // Direct marketing, and profiling for it, may always be objected to (Art. 21(2)).
    f.candor.record_consent("test", s, Some("marketing.advertising"), A::Object, ConsentSource::Cli).await.unwrap();
    f.candor.record_consent("test", s, Some("personalization"), A::Object, ConsentSource::Cli).await.unwrap();
    let no_purpose = f.candor.record_consent("test", s, None, A::Grant, ConsentSource::Cli).await.unwrap_err();
    assert!(no_purpose.to_string().contains("needs a purpose"));
    let stranger = SubjectId::new();
    let unknown = f.candor.record_consent("test", stranger, Some("analytics"), A::Object, ConsentSource::Cli).await.unwrap_err();
    assert!(matches!(unknown, ServiceError::UnknownSubject(id) if id == stranger));
}

#[tokio::test]
async fn consent_needs_a_published_policy() {
    let f = Fixture::new(TestDb::sqlite()).await;
    let s = customer(&f, "n@example.com", "n").await;
    let err = f.candor.record_consent("test", s, Some("analytics"), A::Object, ConsentSource::Cli).await.unwrap_err();
    assert!(matches!(err, ServiceError::NoPolicy), "{err}");
}

#[tokio::test]
async fn each_choice_is_reflected_by_the_next_decision() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let s = customer(&f, "g@example.com", "g").await;
        let public = cats(&["user.content.public"]);
        let decide = |actor: &'static str, purpose: &'static str| {
            let c = f.candor.clone();
            let public = public.clone();
            async move { c.decide(actor, s, purpose, &public).await.unwrap() }
        };
        assert!(matches!(decide("mark", "personalization").await, Decision::Deny(DenyReason::NoConsent { .. })));
        f.candor.record_consent("test", s, Some("personalization"), A::Grant, ConsentSource::PrivacyCenter).await.unwrap();
        assert!(decide("mark", "personalization").await.is_allowed());
        f.candor.record_consent("test", s, Some("personalization"), A::Withdraw, ConsentSource::PrivacyCenter).await.unwrap();
        assert!(matches!(decide("mark", "personalization").await, Decision::Deny(DenyReason::ConsentWithdrawn { .. })));

        assert!(decide("ana", "analytics").await.is_allowed(), "legitimate interests runs until objection");
        f.candor.record_consent("test", s, Some("analytics"), A::Object, ConsentSource::PrivacyCenter).await.unwrap();
        assert!(matches!(decide("ana", "analytics").await, Decision::Deny(DenyReason::Objected { .. })));

        let o = f.candor.consent_overview(s).await.unwrap();
        let standing = |p: &str| o.purposes.iter().find(|x| x.purpose.as_str() == p).unwrap();
        assert!(!standing("personalization").in_effect && !standing("analytics").in_effect && standing("customer_service").in_effect);
        assert_eq!(o.events.len(), 3);
        assert!(o.events.iter().all(|e| e.event.policy_version == 1));
    })
    .await;
}

#[tokio::test]
async fn consent_given_before_a_material_change_no_longer_counts() {
    each_backend(|db| async move {
        let f = Fixture::with_policy(db).await;
        let s = customer(&f, "m@example.com", "m").await;
        let email = cats(&["user.contact.email"]);
        f.candor.record_consent("test", s, Some("marketing.advertising"), A::Grant, ConsentSource::PrivacyCenter).await.unwrap();
        f.candor.record_consent("test", s, Some("personalization"), A::Grant, ConsentSource::PrivacyCenter).await.unwrap();
        assert!(f.candor.decide("mark", s, "marketing.advertising", &email).await.unwrap().is_allowed());

        let v2 = EXAMPLE_POLICY.replace("retention_days = 180", "retention_days = 365");
        let p = f.candor.publish_policy("test", "policy.toml", &v2).await.unwrap();
        assert_eq!(p.version, 2);
        assert_eq!(p.diff.unwrap().fresh_consent.iter().map(|p| p.as_str()).collect::<Vec<_>>(), vec!["marketing.advertising"]);
        let d = f.candor.decide("mark", s, "marketing.advertising", &email).await.unwrap();
        assert!(matches!(d, Decision::Deny(DenyReason::ConsentOutdated { given_under: 1, changed_in: 2, .. })), "{d:?}");
        // Purposes the change did not touch keep their consent.
        assert!(f.candor.decide("mark", s, "personalization", &cats(&["user.content.public"])).await.unwrap().is_allowed());

        let again =
            f.candor.record_consent("test", s, Some("marketing.advertising"), A::Grant, ConsentSource::PrivacyCenter).await.unwrap();
        assert_eq!(again.event.policy_version, 2, "consent is recorded against the version in force");
        assert!(f.candor.decide("mark", s, "marketing.advertising", &email).await.unwrap().is_allowed());
    })
    .await;
}

#[tokio::test]
async fn a_receipt_missing_a_field_or_holding_the_wrong_kind_of_value_is_invalid_even_when_signed() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "m@example.com", "m").await;
    let r = f.candor.record_consent("test", s, Some("personalization"), A::Grant, ConsentSource::PrivacyCenter).await.unwrap();
    let doc: serde_json::Value = serde_json::from_str(&r.receipt.unwrap()).unwrap();
    let key = f.keys.verifying_key();
    for field in ["consentReceiptID", "purposeId", "piiPrincipalId", "consentTimestamp", "policyVersion"] {
        // Signed by the installation's own key: the signature holds, only
        // the receipt's content is wrong.
        let mut missing = doc["receipt"].clone();
        missing.as_object_mut().unwrap().remove(field);
        let err = receipt::verify(&receipt::sign(&f.keys, missing).unwrap(), Some(&key)).unwrap_err();
        assert!(matches!(err, ServiceError::Receipt(_)), "{err}");
        assert_eq!(err.to_string(), format!("the consent receipt is not valid: it has no `receipt.{field}`"));

        for wrong in [serde_json::json!(""), serde_json::json!(null), serde_json::json!(0), serde_json::json!({})] {
            let mut edited = doc["receipt"].clone();
            let fits = match field {
                "consentTimestamp" => wrong.is_i64(),
                _ => false,
            };
            edited[field] = wrong.clone();
            let outcome = receipt::verify(&receipt::sign(&f.keys, edited).unwrap(), Some(&key));
            if fits {
                assert!(outcome.is_ok(), "`{field}`: {wrong}");
                continue;
            }
            let err = outcome.unwrap_err();
            assert!(err.to_string().starts_with(&format!("the consent receipt is not valid: `receipt.{field}` is not ")), "{field}: {err}");
        }
    }
}
