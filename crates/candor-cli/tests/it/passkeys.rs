//! An operator lists a staff member's passkeys and removes one (a lost
//! device, or one planted with a stolen session): it signs no one in from
//! then on, and the removal is audited under the operator.

use candor_test_support::passkey::SoftPasskey;

use crate::Install;

const ORIGIN: &str = "https://care.example.com";

/// Register a passkey for `actor` as the console would, in the
/// installation's own database: the passkey and its id.
fn register(i: &Install, actor: &str) -> (SoftPasskey, String) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        candor_cli::Installation::with(&i.file("candor.toml"), async |inst| {
            let candor = inst.candor.clone().with_public_url(Some(ORIGIN.into()));
            let who = candor.actor(actor).await?.unwrap();
            let options = candor.start_passkey_registration(&who).await?;
            let (passkey, answer) = SoftPasskey::register(&options, ORIGIN);
            let summary = candor.finish_passkey_registration(&who, &answer, "Old phone").await?;
            Ok((passkey, summary.id))
        })
        .await
        .unwrap()
    })
}

#[test]
fn an_operator_lists_and_removes_a_members_passkey() {
    let i = Install::new().ready();
    i.ok(&["actor", "add", "carla", "--role", "compliance"]);
    let (_, id) = register(&i, "carla");

    let listed = i.run(&["actor", "passkeys", "carla", "--json"]);
    assert_eq!(listed.code, 0, "{}", listed.stderr);
    let doc = listed.json();
    assert_eq!(doc.as_array().unwrap().len(), 1, "{doc}");
    assert_eq!((doc[0]["id"].as_str(), doc[0]["label"].as_str()), (Some(id.as_str()), Some("Old phone")), "{doc}");
    assert!(doc[0]["last_used_at"].is_null());
    let table = i.ok(&["actor", "passkeys", "carla"]);
    assert!(table.contains("Old phone") && table.contains("never"), "{table}");

    // Someone else's id, or one that does not exist, removes nothing.
    i.ok(&["actor", "add", "dora", "--role", "agent"]);
    let wrong = i.run(&["actor", "remove-passkey", "dora", &id]);
    assert_ne!(wrong.code, 0);
    assert!(wrong.stderr.contains("has no passkey"), "{}", wrong.stderr);

    let removed = i.ok(&["actor", "remove-passkey", "carla", &id, "--as", "adam-the-operator"]);
    assert!(removed.contains("removed"), "{removed}");
    assert_eq!(i.run(&["actor", "passkeys", "carla", "--json"]).json().as_array().unwrap().len(), 0);
    let log: serde_json::Value = serde_json::from_str(&i.ok(&["audit", "log", "--action", "passkey.", "--json"])).unwrap();
    let removals: Vec<_> = log.as_array().unwrap().iter().filter(|e| e["action"] == "passkey.remove").collect();
    assert_eq!(removals.len(), 1, "the refused removal left no entry: {log:#}");
    assert_eq!(
        (removals[0]["actor"].as_str(), removals[0]["detail"]["owner"].as_str()),
        (Some("adam-the-operator"), Some("carla")),
        "{log:#}"
    );
}
