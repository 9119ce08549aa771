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

fn check(r: &receipt::SignedReceipt, key: Option<&ed25519_dalek::VerifyingKey>) -> candor_service::Result<receipt::VerifiedReceipt> {
    receipt::verify(&r.document().unwrap(), r.jws(), key)
}

#[tokio::test]
async fn a_grant_yields_a_signed_receipt_and_any_edited_byte_fails_verification() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "r@example.com", "r").await;
    let r = f.candor.record_consent("test", s, Some("personalization"), A::Grant, ConsentSource::PrivacyCenter).await.unwrap();
    let signed = r.receipt.expect("a grant has a receipt");
    let key = f.keys.verifying_key();
    let v = check(&signed, Some(&key)).unwrap();
    assert_eq!((v.purpose.as_str(), v.policy_version, v.action.as_str(), v.format), ("personalization", 1, "grant", "jws"));
    assert_eq!(v.principal, f.keys.pseudonym(s.as_uuid()));
    let text = signed.document().unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    // The receipt file is the receipt itself, not a wrapper around it.
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
        assert!(doc.get(field).is_some(), "Kantara field `{field}` missing");
    }
    assert!(doc.get("signature").is_none() && doc.get("receipt").is_none(), "{text}");
    let controller = &doc["piiControllers"][0];
    assert_eq!(controller["address"]["addressCountry"], "IE", "{controller}");
    assert_eq!(controller["address"]["streetAddress"], "1 Harbour Street");
    assert_eq!((controller["email"].as_str(), controller["phone"].as_str()), (Some("privacy@northwind.example"), Some("+353 1 555 0100")));
    assert!(!text.contains("r@example.com"), "the receipt must not carry the e-mail address");
    let kept = f.candor.consent_receipt(s, r.ledger_id).await.unwrap().expect("the ledger keeps the receipt");
    assert_eq!(kept, signed, "the ledger keeps the receipt as signed");
    assert_eq!(kept.document().unwrap(), text);

    // Every single-byte edit, anywhere, of the receipt or of its detached
    // signature, fails.
    let jws = signed.jws().unwrap();
    let bytes = text.as_bytes();
    for i in 0..bytes.len() {
        let mut edited = bytes.to_vec();
        edited[i] = if bytes[i] == b'a' { b'b' } else { b'a' };
        let outcome = String::from_utf8(edited).map(|t| receipt::verify(&t, Some(jws), Some(&key)));
        assert!(!matches!(outcome, Ok(Ok(_))), "editing byte {i} (`{}`) went unnoticed", bytes[i] as char);
    }
    for i in 0..jws.len() {
        let mut edited = jws.as_bytes().to_vec();
        edited[i] = if edited[i] == b'A' { b'B' } else { b'A' };
        let edited = String::from_utf8(edited).unwrap();
        assert!(receipt::verify(&text, Some(&edited), Some(&key)).is_err(), "editing signature byte {i} went unnoticed");
    }
    // Without its signature it is not a valid receipt.
    let err = receipt::verify(&text, None, Some(&key)).unwrap_err();
    assert!(err.to_string().contains("no signature"), "{err}");
    // A receipt signed by another installation is refused when checked
    // against this one's key, though it verifies against its own.
    let other = Fixture::with_policy(TestDb::sqlite()).await;
    let o = customer(&other, "o@example.com", "o").await;
    let foreign =
        other.candor.record_consent("test", o, Some("personalization"), A::Grant, ConsentSource::Api).await.unwrap().receipt.unwrap();
    assert!(check(&foreign, Some(&key)).is_err());
    assert!(!check(&foreign, None).unwrap().trusted_key);
}

#[tokio::test]
async fn the_signature_is_a_detached_jws_any_jose_library_checks_over_the_receipt_bytes() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
    use base64::Engine;
    use ed25519_dalek::Verifier;
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "j@example.com", "j").await;
    let r = f.candor.record_consent("test", s, Some("personalization"), A::Grant, ConsentSource::Cli).await.unwrap().receipt.unwrap();
    let jws = r.jws().unwrap();
    let (header, rest) = jws.split_once('.').unwrap();
    let (payload, sig) = rest.split_once('.').unwrap();
    assert_eq!(payload, "", "detached: RFC 7515 Appendix F");
    let header: serde_json::Value = serde_json::from_slice(&B64URL.decode(header).unwrap()).unwrap();
    assert_eq!(header["alg"], "EdDSA");
    // RFC 7515 §5.2 by hand: the signing input is the header, a dot and the
    // base64url of the payload, which is the receipt file's bytes.
    let input = format!("{}.{}", jws.split('.').next().unwrap(), B64URL.encode(r.document().unwrap()));
    let sig = ed25519_dalek::Signature::from_slice(&B64URL.decode(sig).unwrap()).unwrap();
    f.keys.verifying_key().verify(input.as_bytes(), &sig).expect("the JWS verifies over the receipt bytes");
    // The receipt's bytes are its canonical form: keys sorted, pretty, a
    // final newline, so the object the API shows gives them back.
    let doc: serde_json::Value = serde_json::from_str(&r.document().unwrap()).unwrap();
    assert_eq!(receipt::canonical(&doc).unwrap(), r.document().unwrap());
}

#[tokio::test]
async fn withdrawals_and_objections_get_signed_receipts_in_the_same_consent_record() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "w@example.com", "w").await;
    let key = f.keys.verifying_key();
    let grant = f.candor.record_consent("test", s, Some("personalization"), A::Grant, ConsentSource::PrivacyCenter).await.unwrap();
    let withdraw = f.candor.record_consent("test", s, Some("personalization"), A::Withdraw, ConsentSource::Cli).await.unwrap();
    let object = f.candor.record_consent("test", s, Some("analytics"), A::Object, ConsentSource::Api).await.unwrap();
    let (g, w, o) = (
        grant.receipt.unwrap(),
        withdraw.receipt.expect("a withdrawal has a receipt"),
        object.receipt.expect("an objection has a receipt"),
    );
    let (gv, wv, ov) = (check(&g, Some(&key)).unwrap(), check(&w, Some(&key)).unwrap(), check(&o, Some(&key)).unwrap());
    assert_eq!((wv.action.as_str(), ov.action.as_str()), ("withdraw", "object"));
    assert_ne!(gv.receipt_id, wv.receipt_id);
    assert_eq!(gv.record_id, wv.record_id, "a grant and its withdrawal belong to one consent record");
    assert_ne!(gv.record_id, ov.record_id);
    assert_ne!(gv.record_id.as_deref(), Some(gv.receipt_id.as_str()), "the record id is not the receipt id");
    let stored = f.candor.consent_receipt(s, withdraw.ledger_id).await.unwrap().expect("the ledger keeps the withdrawal's receipt");
    assert_eq!(stored, w);
    assert_eq!(w.receipt["event"]["type"], "withdrawn");
    assert_eq!(w.receipt["event"]["entity"]["entityRole"], "dpv:DataController", "staff recorded it");
    assert_eq!(w.receipt["event"]["entity"]["actor"], "test");
    assert_eq!(g.receipt["event"]["entity"]["entityRole"], "dpv:DataSubject", "the customer did it in the privacy center");
    assert_eq!(g.receipt["event"]["entity"]["entityId"], gv.principal);
    assert_eq!(o.receipt["event"]["type"], "objected");
    // Subject-wide choices have no purpose, and no receipt.
    let restrict = f.candor.record_consent("test", s, None, A::Restrict, ConsentSource::Cli).await.unwrap();
    assert!(restrict.receipt.is_none());
}

#[tokio::test]
async fn receipts_say_the_consent_type_per_legal_basis_and_disclosure_for_recipients_and_ccpa_share() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let s = customer(&f, "t@example.com", "t").await;
    let purpose = |r: &receipt::SignedReceipt| r.receipt["services"][0]["purposes"][0].clone();
    let consent = f.candor.record_consent("test", s, Some("personalization"), A::Grant, ConsentSource::Cli).await.unwrap().receipt.unwrap();
    assert_eq!(purpose(&consent)["consentType"], "EXPLICIT");
    assert_eq!(purpose(&consent)["thirdPartyDisclosure"], false);
    let li = f.candor.record_consent("test", s, Some("analytics"), A::Object, ConsentSource::Cli).await.unwrap().receipt.unwrap();
    assert_eq!(purpose(&li)["consentType"], "N/A", "legitimate interests is not consent");
    let share =
        f.candor.record_consent("test", s, Some("marketing.advertising"), A::Grant, ConsentSource::Cli).await.unwrap().receipt.unwrap();
    assert_eq!(purpose(&share)["thirdPartyDisclosure"], true, "the policy marks it CCPA share");
    assert!(purpose(&share)["thirdPartyName"].as_str().unwrap().contains("CCPA share"));
    // ISO/IEC TS 27560 fields, machine-readable.
    assert_eq!(consent.receipt["retentionPeriod"], format!("P{}D", personalization_retention()));
    assert_eq!(consent.receipt["storageLocations"], serde_json::json!(["IE"]));
    assert!(consent.receipt["withdrawalMethod"].as_str().unwrap().contains("privacy@northwind.example"));
    assert!(consent.receipt["validity"]["start"].as_str().unwrap().ends_with('Z'));
    let roles: Vec<&str> = consent.receipt["parties"].as_array().unwrap().iter().map(|p| p["partyRole"].as_str().unwrap()).collect();
    assert_eq!(roles, ["dpv:DataController", "dpv:DataSubject"]);
}

fn personalization_retention() -> u32 {
    candor_domain::policy::check("p", EXAMPLE_POLICY).unwrap().purpose("personalization").unwrap().retention_days
}

#[test]
fn a_receipt_made_before_detached_signatures_still_verifies_and_still_catches_edits() {
    let text = include_str!("../data/legacy-receipt.json");
    let v = receipt::verify(text, None, None).expect("an old receipt verifies against the key it names");
    assert_eq!((v.format, v.purpose.as_str(), v.action.as_str(), v.record_id), ("legacy", "personalization", "grant", None));
    let named = serde_json::from_str::<serde_json::Value>(text).unwrap()["receipt"]["publicKey"].as_str().unwrap().to_owned();
    let key = ed25519_dalek::VerifyingKey::from_bytes(&hex::decode(named).unwrap().try_into().unwrap()).unwrap();
    assert!(receipt::verify(text, None, Some(&key)).unwrap().trusted_key);
    let edited = text.replacen("personalization", "personalizatiom", 1);
    assert!(receipt::verify(&edited, None, Some(&key)).is_err());
    // Read back from the ledger, it keeps its form.
    let stored = receipt::SignedReceipt::from_stored(text).unwrap();
    assert_eq!((stored.document().unwrap().as_str(), stored.jws()), (text, None));
    assert!(serde_json::to_value(&stored).unwrap()["signature"].is_object());
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
    let doc = r.receipt.unwrap().receipt;
    let key = f.keys.verifying_key();
    for field in ["consentReceiptID", "purposeId", "piiPrincipalId", "consentTimestamp", "policyVersion"] {
        // Signed by the installation's own key: the signature holds, only
        // the receipt's content is wrong.
        let mut missing = doc.clone();
        missing.as_object_mut().unwrap().remove(field);
        let err = check(&receipt::sign(&f.keys, missing).unwrap(), Some(&key)).unwrap_err();
        assert!(matches!(err, ServiceError::Receipt(_)), "{err}");
        assert_eq!(err.to_string(), format!("the consent receipt is not valid: it has no `{field}`"));

        for wrong in [serde_json::json!(""), serde_json::json!(null), serde_json::json!(0), serde_json::json!({})] {
            let mut edited = doc.clone();
            let fits = match field {
                "consentTimestamp" => wrong.is_i64(),
                _ => false,
            };
            edited[field] = wrong.clone();
            let outcome = check(&receipt::sign(&f.keys, edited).unwrap(), Some(&key));
            if fits {
                assert!(outcome.is_ok(), "`{field}`: {wrong}");
                continue;
            }
            let err = outcome.unwrap_err();
            assert!(err.to_string().starts_with(&format!("the consent receipt is not valid: `{field}` is not ")), "{field}: {err}");
        }
    }
}
