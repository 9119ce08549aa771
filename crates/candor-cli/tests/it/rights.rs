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
