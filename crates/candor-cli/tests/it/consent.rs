//! Consent from the command line: the ledger, receipts and their checks.

use crate::Install;

#[test]
fn a_grant_writes_a_receipt_that_verifies_until_one_byte_changes() {
    let i = Install::new().ready();
    let id = i.customer("r@example.com");
    let out = i.ok(&["consent", "grant", &id, "personalization", "--receipt", "receipt.json"]);
    assert!(out.contains("receipt written to receipt.json"), "{out}");
    let valid = i.ok(&["consent", "verify-receipt", "receipt.json"]);
    assert!(valid.starts_with("valid: receipt") && valid.contains("under policy version 1"), "{valid}");

    let text = std::fs::read(i.file("receipt.json")).unwrap();
    for (n, pos) in [10usize, text.len() / 2, text.len() - 20].into_iter().enumerate() {
        let mut edited = text.clone();
        edited[pos] = if edited[pos] == b'7' { b'8' } else { b'7' };
        let name = format!("edited{n}.json");
        std::fs::write(i.file(&name), &edited).unwrap();
        let r = i.fails(2, &["consent", "verify-receipt", &name]);
        assert!(r.stderr.contains("invalid: the consent receipt is not valid"), "{}", r.stderr);
    }
    // Printed on standard output without --receipt, the same document.
    let printed = i.ok(&["consent", "grant", &id, "marketing.advertising"]);
    assert!(printed.contains("\"consentReceiptID\"") && printed.contains("\"purposeId\": \"marketing.advertising\""));
    std::fs::write(i.file("printed.json"), &printed).unwrap();
    i.ok(&["consent", "verify-receipt", "printed.json"]);
    // With another installation's key it is refused.
    let other = Install::new();
    let key = other.fails(2, &["consent", "verify-receipt", i.file("printed.json").to_str().unwrap()]);
    assert!(key.stderr.contains("other than this installation's"), "{}", key.stderr);
}

#[test]
fn a_receipt_missing_a_field_is_invalid_though_its_signature_holds() {
    let i = Install::new().ready();
    let id = i.customer("f@example.com");
    i.ok(&["consent", "grant", &id, "personalization", "--receipt", "receipt.json"]);
    let doc: serde_json::Value = serde_json::from_slice(&std::fs::read(i.file("receipt.json")).unwrap()).unwrap();
    // Re-signed with the installation's own key, so only the gap is wrong.
    let keys = candor_store::KeyRing::load_with(&i.file("keys"), None).unwrap();
    let mut receipt = doc["receipt"].clone();
    receipt.as_object_mut().unwrap().remove("purposeId");
    std::fs::write(i.file("missing.json"), candor_service::receipt::sign(&keys, receipt).unwrap()).unwrap();
    let r = i.fails(2, &["consent", "verify-receipt", "missing.json"]);
    assert!(r.stderr.contains("invalid: the consent receipt is not valid: it has no `receipt.purposeId`"), "{}", r.stderr);
    assert!(!r.stdout.contains("valid: receipt"), "{}", r.stdout);
}

#[test]
fn the_ledger_is_shown_with_what_is_in_effect() {
    let i = Install::new().ready();
    let id = i.customer("s@example.com");
    i.ok(&["consent", "grant", &id, "personalization", "--receipt", "r.json"]);
    assert!(i
        .ok(&["consent", "withdraw", &id, "personalization"])
        .contains("withdraw of `personalization` recorded under policy version 1"));
    i.ok(&["consent", "object", &id, "analytics", "--source", "privacy_center"]);
    let table = i.ok(&["consent", "show", &id]);
    assert!(table.contains("withdrawn") && table.contains("objected") && table.contains("ledger: 3 event(s)"), "{table}");
    let json = serde_json::from_str::<serde_json::Value>(&i.ok(&["consent", "show", &id, "--json"])).unwrap();
    let p = json["purposes"].as_array().unwrap();
    let get = |name: &str| p.iter().find(|x| x["purpose"] == name).unwrap().clone();
    assert_eq!(get("personalization")["in_effect"], false);
    assert_eq!(get("analytics")["status"], "objected");
    assert_eq!(get("customer_service")["in_effect"], true);
    assert_eq!(json["events"][2]["source"], "privacy_center");
    assert_eq!(json["events"][0]["has_receipt"], true);
}
