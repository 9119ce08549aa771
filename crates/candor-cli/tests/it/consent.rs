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
    // The signature file too: any edited byte of it fails.
    let jws = std::fs::read_to_string(i.file("receipt.json.jws")).unwrap();
    let flipped = if jws.as_bytes()[jws.len() / 2] == b'A' { "B" } else { "A" };
    let mut edited = jws.clone();
    edited.replace_range(jws.len() / 2..jws.len() / 2 + 1, flipped);
    std::fs::write(i.file("edited-sig.jws"), edited).unwrap();
    let r = i.fails(2, &["consent", "verify-receipt", "receipt.json", "--signature", "edited-sig.jws"]);
    assert!(r.stderr.contains("invalid: the consent receipt is not valid"), "{}", r.stderr);
    // Without its signature beside it, the receipt does not verify.
    std::fs::copy(i.file("receipt.json"), i.file("alone.json")).unwrap();
    let r = i.fails(2, &["consent", "verify-receipt", "alone.json"]);
    assert!(r.stderr.contains("no signature"), "{}", r.stderr);

    // Printed on standard output without --receipt: the receipt, and its
    // signature on standard error.
    let printed = i.run(&["consent", "grant", &id, "marketing.advertising"]);
    assert_eq!(printed.code, 0, "{}", printed.stderr);
    assert!(printed.stdout.contains("\"consentReceiptID\"") && printed.stdout.contains("\"purposeId\": \"marketing.advertising\""));
    std::fs::write(i.file("printed.json"), &printed.stdout).unwrap();
    let sig = printed.stderr.rsplit(' ').next().unwrap().trim();
    std::fs::write(i.file("printed.json.jws"), sig).unwrap();
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
    let mut receipt = doc.clone();
    receipt.as_object_mut().unwrap().remove("purposeId");
    let signed = candor_service::receipt::sign(&keys, receipt).unwrap();
    std::fs::write(i.file("missing.json"), signed.document().unwrap()).unwrap();
    std::fs::write(i.file("missing.json.jws"), signed.jws().unwrap()).unwrap();
    let r = i.fails(2, &["consent", "verify-receipt", "missing.json"]);
    assert!(r.stderr.contains("invalid: the consent receipt is not valid: it has no `purposeId`"), "{}", r.stderr);
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
    let objected = i.ok(&["consent", "object", &id, "analytics", "--source", "privacy_center", "--receipt", "object.json"]);
    assert!(objected.contains("receipt written to object.json (signature: object.json.jws)"), "{objected}");
    let valid = i.ok(&["consent", "verify-receipt", "object.json"]);
    assert!(valid.contains("(object of `analytics`)"), "{valid}");
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
    assert_eq!(json["events"][1]["has_receipt"], true, "a withdrawal has its receipt");
}

#[test]
fn a_withdrawal_answers_its_receipt_in_json_and_policy_check_warns_of_what_receipts_lack() {
    let i = Install::new().ready();
    let id = i.customer("j@example.com");
    i.ok(&["consent", "grant", &id, "personalization"]);
    let out: serde_json::Value = serde_json::from_str(&i.ok(&["consent", "withdraw", &id, "personalization", "--json"])).unwrap();
    assert_eq!(out["receipt"]["action"], "withdraw", "{out}");
    assert!(out["receipt"].is_object() && out["signature"].as_str().unwrap().contains(".."), "{out}");

    // The example policy has all receipts need: no warning.
    let r = i.run(&["policy", "check", "policy.toml"]);
    assert_eq!((r.code, r.stderr.as_str()), (0, ""), "{}", r.stderr);
    // An older controller table: one line of address, no phone.
    let text = std::fs::read_to_string(i.file("policy.toml")).unwrap();
    let start = text.find("phone = ").unwrap();
    let end = text.find("[categories]").unwrap();
    let old = format!("{}address = \"1 Harbour Street, Dublin\"\n\n{}", &text[..start], &text[end..]);
    std::fs::write(i.file("old.toml"), old).unwrap();
    let r = i.run(&["policy", "check", "old.toml"]);
    assert_eq!(r.code, 0, "warnings do not fail the check: {}", r.stderr);
    assert!(r.stderr.contains("warning: old.toml: the controller's `address` is one line"), "{}", r.stderr);
    assert!(r.stderr.contains("no `phone`") && r.stderr.contains("no `storage_locations`"), "{}", r.stderr);
    let json: serde_json::Value = serde_json::from_str(&i.ok(&["policy", "check", "old.toml", "--json"])).unwrap();
    assert_eq!(json["warnings"].as_array().unwrap().len(), 3, "{json}");
}
