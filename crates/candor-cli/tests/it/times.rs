//! Times in the CLI's JSON are RFC 3339 strings (issue 17, point 1), as
//! over the API: training attestations' expiry (`actor attest`, `actor
//! show`, `actor list`), policy versions' publication (`policy list`),
//! and the expiry the audit log records for an attestation.

use time::format_description::well_known::Rfc3339;

use crate::Install;

fn rfc3339(v: &serde_json::Value) -> bool {
    v.as_str().is_some_and(|s| time::OffsetDateTime::parse(s, &Rfc3339).is_ok())
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

#[test]
fn the_cli_writes_times_as_rfc3339() {
    let i = Install::new();
    i.ok(&["policy", "publish", "policy.toml"]);
    i.ok(&["actor", "add", "alice", "--role", "agent"]);
    let attested = json(&i.ok(&["--json", "actor", "attest", "alice", "--days", "30"]));
    assert!(rfc3339(&attested["expires_at"]), "{attested}");
    let shown = json(&i.ok(&["--json", "actor", "show", "alice"]));
    assert!(rfc3339(&shown["training_expires_at"]), "{shown}");
    assert_eq!(shown["training_expires_at"], attested["expires_at"], "the same instant, written the same way");
    let listed = json(&i.ok(&["--json", "actor", "list"]));
    let alice = listed.as_array().unwrap().iter().find(|a| a["id"] == "alice").unwrap().clone();
    assert!(rfc3339(&alice["training_expires_at"]), "{listed}");
    let versions = json(&i.ok(&["--json", "policy", "list"]));
    assert!(rfc3339(&versions[0]["published_at"]), "{versions}");
    let log = json(&i.ok(&["audit", "log", "--json", "--action", "actor.attest_training"]));
    let entry = &log.as_array().unwrap()[0];
    assert!(rfc3339(&entry["detail"]["expires_at"]), "the audit entry too: {entry}");
}
