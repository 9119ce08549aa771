//! Rights requests from the command line.

use crate::Install;

#[test]
fn a_request_is_opened_verified_and_rejected_from_the_command_line() {
    let i = Install::new().ready();
    let subject = i.customer("r@example.com");
    // The id alone on standard output, for scripts.
    let id = i.ok(&["rights", "open", "erasure", &subject]).trim().to_owned();
    assert_eq!(id.len(), 36, "{id}");
    let shown = i.ok(&["rights", "show", &id]);
    assert!(shown.contains("erasure (GDPR Art. 17)") && shown.contains("state     received"), "{shown}");
    assert!(shown.contains("identity  not verified yet"), "{shown}");

    let doc: serde_json::Value = serde_json::from_str(&i.ok(&["rights", "open", "opt-out-sale-share", &subject, "--json"])).unwrap();
    assert_eq!(
        (doc["type"].as_str(), doc["regime"].as_str(), doc["state"].as_str()),
        (Some("opt_out_sale_share"), Some("ccpa"), Some("received"))
    );
    assert_eq!(doc["legal_source"], "CCPA §1798.120");

    let verified = i.ok(&["rights", "verify", &id, "--staff-reason", "called back on the number on file"]);
    assert!(verified.contains("state     verified") && verified.contains("verified by cli: called back"), "{verified}");
    let list: serde_json::Value = serde_json::from_str(&i.ok(&["rights", "list", "--json"])).unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(2));
    assert_eq!(i.ok(&["rights", "list", "--overdue", "--json"]).trim(), "[]");
    let rejected = i.ok(&["rights", "reject", &id, "--reason", "the account is under a legal hold"]);
    assert!(rejected.contains("rejected  the account is under a legal hold"), "{rejected}");

    let again = i.fails(1, &["rights", "reject", &id, "--reason", "twice"]);
    assert!(again.stderr.contains("the request is already rejected"), "{}", again.stderr);
    let bad = i.fails(1, &["rights", "open", "forget-me", &subject]);
    assert!(bad.stderr.contains("unknown request type `forget-me`; one of: access, portability, erasure"), "{}", bad.stderr);
    let nobody = i.fails(1, &["rights", "open", "access", "6f1c1f2e-8f39-4a5e-9a55-2f4f0d6f1c1f"]);
    assert!(nobody.stderr.contains("no subject with id"), "{}", nobody.stderr);
    let wrong = i.fails(1, &["rights", "open", "restriction", &subject, "--regime", "ccpa"]);
    assert!(wrong.stderr.contains("restriction is not a right under ccpa: use gdpr"), "{}", wrong.stderr);
}

#[test]
fn a_request_is_verified_by_code_carried_out_and_an_erased_customer_stays_erased() {
    let i = Install::new().ready();
    let subject = i.customer("kim@example.com");
    let access = i.ok(&["rights", "open", "access", &subject]).trim().to_owned();
    let sent = i.ok(&["rights", "send-code", &access]);
    assert!(sent.contains("code      sent, valid until"), "{sent}");
    // The stand-in transport prints the message and marks it sent.
    let listed = i.ok(&["outbox", "list"]);
    assert!(listed.contains("one_time_code") && !listed.contains("kim@"), "listing never shows the personal part: {listed}");
    let delivered = i.ok(&["outbox", "deliver"]);
    assert!(delivered.contains("to kim@example.com"), "{delivered}");
    let code = delivered
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .find(|w| w.len() == 8 && w.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_else(|| panic!("no code in {delivered}"))
        .to_owned();
    assert_eq!(i.ok(&["outbox", "deliver"]).trim(), "", "delivered once");
    let wrong = i.fails(1, &["rights", "verify", &access, "--code", if code == "00000000" { "11111111" } else { "00000000" }]);
    assert!(wrong.stderr.contains("4 attempts left"), "{}", wrong.stderr);
    let verified = i.ok(&["rights", "verify", &access, "--code", &code]);
    assert!(verified.contains("verified by one-time code"), "{verified}");

    let out = i.file("kim-export");
    let done = i.ok(&["rights", "execute", &access, "--out", out.to_str().unwrap()]);
    assert!(done.contains("state     completed") && done.contains("exported  3 profile and identities"), "{done}");
    assert!(done.contains("bundle    "), "{done}");
    let data: serde_json::Value = serde_json::from_slice(&std::fs::read(out.join("data.json")).unwrap()).unwrap();
    assert!(data["profile"].as_array().unwrap().iter().any(|p| p["value"] == "kim@example.com"), "{data}");
    let again = i.run(&["rights", "execute", &access]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stderr.contains("already completed; nothing was done again"), "{}", again.stderr);

    // Rectification needs values; erasure then removes everything.
    let fix = i.ok(&["rights", "open", "rectification", &subject]).trim().to_owned();
    i.ok(&["rights", "verify", &fix, "--staff-reason", "called back"]);
    let bad = i.fails(1, &["rights", "execute", &fix, "--set", "nickname"]);
    assert!(bad.stderr.contains("`--set nickname`: write FIELD=VALUE"), "{}", bad.stderr);
    let fixed = i.ok(&["rights", "execute", &fix, "--set", "name=Kim Park", "--json"]);
    let fixed: serde_json::Value = serde_json::from_str(&fixed).unwrap();
    assert_eq!(fixed["result"]["recorded"], serde_json::json!(["name corrected"]));

    let erase = i.ok(&["rights", "open", "erasure", &subject]).trim().to_owned();
    i.ok(&["rights", "verify", &erase, "--staff-reason", "called back"]);
    let erased = i.ok(&["rights", "execute", &erase]);
    assert!(erased.contains("We erased your data") && erased.contains("deleted   1 identities (user.contact.email)"), "{erased}");
    let gone = i.fails(1, &["rights", "open", "access", &subject]);
    assert!(gone.stderr.contains("was erased (rights request"), "{}", gone.stderr);
    let found = i.run(&["subject", "find", "--email", "kim@example.com"]);
    assert_ne!(found.code, 0, "{}", found.stdout);
}
