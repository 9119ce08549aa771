//! Rough edges a new user hit (issue 17): `actor remove`, `config show`,
//! `conversation show`, national phone numbers and the analytics help.

use crate::{candor, Install};

/// The configuration `text` with `identity.default_region` set (the
/// example has the line commented out).
fn region(text: &str, code: &str) -> String {
    let line = "# default_region = \"GB\"";
    assert!(text.contains(line), "{text}");
    text.replace(line, &format!("default_region = \"{code}\""))
}

fn audit(i: &Install, args: &[&str]) -> Vec<serde_json::Value> {
    let mut all = vec!["audit", "log", "--json", "--limit", "10000"];
    all.extend_from_slice(args);
    serde_json::from_str::<serde_json::Value>(&i.ok(&all)).unwrap().as_array().unwrap().clone()
}

#[test]
fn analytics_help_lists_every_measure_with_one_line_each() {
    let dir = tempfile::tempdir().unwrap();
    let r = candor(dir.path(), &[], &["analytics", "--help"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("KPIs") && r.stdout.contains("emerging phrases"), "the summary names every measure: {}", r.stdout);
    for name in ["sentiment", "themes", "kpis", "emerging", "taxonomy"] {
        let line =
            r.stdout.lines().find(|l| l.trim_start().starts_with(&format!("{name} "))).unwrap_or_else(|| panic!("{name}: {}", r.stdout));
        assert!(line.trim_start()[name.len()..].trim().len() > 10, "`{name}` has a one-line description: {line}");
    }
    let top = candor(dir.path(), &[], &["--help"]).stdout;
    let line = top.lines().find(|l| l.trim_start().starts_with("analytics ")).unwrap();
    assert!(line.contains("KPIs") && line.contains("emerging"), "{line}");
}

#[test]
fn actor_remove_revokes_tokens_keeps_history_and_never_the_last_admin() {
    let i = Install::new().ready();
    i.ok(&["actor", "add", "root", "--role", "admin"]);
    let token = i.ok(&["actor", "token", "alice"]);
    assert!(token.starts_with("candor_"), "{token}");
    let removed = i.run(&["actor", "remove", "alice", "--json"]).json();
    assert_eq!(removed, serde_json::json!({ "removed": "alice", "tokens_revoked": 1 }));
    let ids: Vec<String> =
        i.run(&["actor", "list", "--json"]).json().as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, ["mark", "root"]);
    assert_eq!(i.run(&["actor", "tokens", "alice", "--json"]).json(), serde_json::json!([]), "its tokens are gone");
    let entries = audit(&i, &["--action", "actor.remove"]);
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["detail"]["actor"], "alice", "{entries:?}");
    assert_eq!(audit(&i, &["--action", "actor.attest_training"]).len(), 2, "the history of a removed actor is kept");
    i.ok(&["audit", "verify"]);

    let last = i.fails(1, &["actor", "remove", "root"]);
    assert!(last.stderr.contains("`root` is the last admin"), "{}", last.stderr);
    assert!(i.ok(&["actor", "list"]).contains("root"), "the refusal removed nothing");
    i.ok(&["actor", "add", "second", "--role", "admin", "--role", "agent"]);
    i.ok(&["actor", "remove", "root"]);
    let unknown = i.fails(1, &["actor", "remove", "nobody"]);
    assert!(unknown.stderr.contains("no actor `nobody`"), "{}", unknown.stderr);
    // Removed, an actor can be added again, from nothing.
    i.ok(&["actor", "add", "alice", "--role", "agent"]);
    assert_eq!(i.run(&["actor", "show", "alice", "--json"]).json()["training_current"], false);
}

#[test]
fn config_show_lists_every_setting_with_its_source_and_hides_passwords() {
    let i = Install::new();
    let config = i.file("candor.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, region(&text, "GB")).unwrap();
    let env = vec![
        ("CANDOR_SERVER__ADDR".to_owned(), "0.0.0.0:9999".to_owned()),
        ("CANDOR_DATABASE__SCHEMA".to_owned(), "hidden_pw_test".to_owned()),
    ];
    let r = candor(i.path(), &env, &["config", "show", "--json"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let shown = r.json();
    let settings = shown["settings"].as_array().unwrap();
    let get = |key: &str| settings.iter().find(|s| s["key"] == key).unwrap_or_else(|| panic!("{key} missing: {shown}")).clone();
    assert!(settings.len() >= 30, "every setting, not 7: {}", settings.len());
    for key in [
        "database.url",
        "keys.dir",
        "privacy.dp_epsilon_per_month",
        "server.rate_per_ip",
        "server.exports_dir",
        "import.max_record_bytes",
        "analytics.response_target_minutes",
        "audit.witness",
        "identity.default_region",
    ] {
        get(key);
    }
    assert_eq!(get("server.addr")["value"], "0.0.0.0:9999");
    assert_eq!(get("server.addr")["source"], "environment");
    assert_eq!(get("identity.default_region")["source"], "file");
    assert_eq!(get("identity.default_region")["value"], "GB");
    // `candor init` writes the example whole: its values are the file's.
    assert_eq!(get("server.timeout_seconds")["source"], "file");
    assert_eq!((get("analytics.themes")["source"].as_str(), get("analytics.themes")["value"].is_null()), (Some("default"), true));
    assert_eq!(get("server.operations")["source"], "default");
    assert_eq!(get("keys.dir")["value"], i.file("keys").display().to_string(), "paths as the commands use them");

    // A password in the database URL never shows, in JSON or the table.
    let env = vec![("CANDOR_DATABASE__URL".to_owned(), "postgres://bob:hunter2@127.0.0.1:1/x".to_owned())];
    let json = candor(i.path(), &env, &["config", "show", "--json"]);
    assert_eq!(json.code, 0, "{}", json.stderr);
    assert!(!json.stdout.contains("hunter2") && json.stdout.contains("postgres://bob"), "{}", json.stdout);
    let table = candor(i.path(), &env, &["config", "show"]);
    assert!(!table.stdout.contains("hunter2"), "{}", table.stdout);
    let line = table.stdout.lines().find(|l| l.contains("database.url")).unwrap();
    assert!(line.contains("environment"), "{line}");
    assert!(table.stdout.contains("identity.default_region") && table.stdout.contains("default"), "{}", table.stdout);
}

#[test]
fn a_national_phone_number_needs_a_default_region_and_then_meets_the_international_one() {
    let i = Install::new().ready();
    let id = i.ok(&["subject", "add", "--email", "vera@example.com", "--phone", "+44 7700 900123"]).trim().to_owned();
    // Without a region, a national number is an error that says what to do.
    let r = i.fails(1, &["subject", "find", "--phone", "07700900123"]);
    assert!(r.stderr.contains("without a country code") && r.stderr.contains("identity.default_region"), "{}", r.stderr);
    let r = i.fails(1, &["subject", "add", "--email", "x@example.com", "--phone", "07700 900999"]);
    assert!(r.stderr.contains("identity.default_region"), "{}", r.stderr);
    std::fs::write(i.file("contacts.csv"), "Email,Mobile\nwill@example.com,07700 900456\n").unwrap();
    let imported = i.run(&["import", "contacts.csv"]);
    assert_eq!(imported.code, 2, "the contact is quarantined: {}{}", imported.stdout, imported.stderr);
    let quarantined = std::fs::read_to_string(i.file("contacts.csv.quarantine.jsonl")).unwrap();
    assert!(quarantined.contains("identity.default_region"), "{quarantined}");
    i.fails(2, &["subject", "find", "--email", "will@example.com"]);

    // A bad region is refused by name.
    let config = i.file("candor.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, region(&text, "UK")).unwrap();
    let bad = i.fails(1, &["subject", "find", "--phone", "07700900123"]);
    assert!(bad.stderr.contains("identity.default_region") && bad.stderr.contains("`UK`"), "{}", bad.stderr);

    // With one, the CLI, imports and the database meet on +44.
    std::fs::write(&config, region(&text, "GB")).unwrap();
    assert_eq!(i.ok(&["subject", "find", "--phone", "07700900123"]).trim(), id);
    assert_eq!(i.ok(&["subject", "find", "--phone", "07700 900123"]).trim(), id);
    i.ok(&["import", "contacts.csv"]);
    let will = i.ok(&["subject", "find", "--phone", "+447700900456"]).trim().to_owned();
    assert_eq!(i.ok(&["subject", "find", "--email", "will@example.com"]).trim(), will);
    let env = vec![("CANDOR_IDENTITY__DEFAULT_REGION".to_owned(), "US".to_owned())];
    let us = crate::candor(i.path(), &env, &["subject", "find", "--phone", "07700900123"]);
    assert_eq!(us.code, 2, "the environment names another region, where it is another number: {}{}", us.stdout, us.stderr);
}

#[test]
fn a_conversation_opens_through_the_gate_redacted_and_audited() {
    let i = Install::new().ready();
    i.ok(&["actor", "add", "ana", "--role", "analyst"]);
    i.ok(&["actor", "attest", "ana"]);
    let twcs = "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n\
        501,sam_someone,True,Mon Oct 30 10:00:00 +0000 2017,@NorthwindHelp my parcel is late - write to sam.someone@example.com,502,\n\
        502,NorthwindHelp,False,Mon Oct 30 10:20:00 +0000 2017,@sam_someone sorry - we are on it ^AB,,501\n";
    std::fs::write(i.file("twcs.csv"), twcs).unwrap();
    i.ok(&["import", "twcs.csv", "--brand", "NorthwindHelp"]);

    let view = i.run(&["conversation", "show", "501", "--purpose", "customer_service", "--as", "alice", "--json"]).json();
    let items = view["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{view}");
    assert_eq!((items[0]["external_id"].as_str(), items[1]["external_id"].as_str()), (Some("501"), Some("502")));
    assert_eq!(items[1]["agent"], "AB");
    let first = items[0]["redacted_text"].as_str().unwrap();
    assert!(first.contains("parcel is late") && !first.contains("sam.someone@example.com"), "redacted by default: {first}");
    assert!(items[0]["text"].is_null(), "{view}");
    assert!(!view.to_string().contains("sam.someone@example.com"), "{view}");

    let original = i.run(&["conversation", "show", "501", "--purpose", "customer_service", "--as", "alice", "--original", "--json"]).json();
    assert!(original["items"][0]["text"].as_str().unwrap().contains("sam.someone@example.com"), "{original}");
    let table = i.ok(&["conversation", "show", "501", "--purpose", "customer_service", "--as", "alice"]);
    assert!(table.contains("parcel is late") && table.contains("^AB") && table.contains("audit log"), "{table}");

    // An analyst may not open conversations for customer service; nor may
    // anyone for a purpose the policy lacks.
    let denied = i.fails(2, &["conversation", "show", "501", "--purpose", "customer_service", "--as", "ana"]);
    assert!(denied.stderr.contains("denied"), "{}", denied.stderr);
    i.fails(2, &["conversation", "show", "501", "--purpose", "gossip", "--as", "alice"]);
    let missing = i.fails(1, &["conversation", "show", "999", "--purpose", "customer_service", "--as", "alice"]);
    assert!(missing.stderr.contains("no conversation `999` on `x`"), "{}", missing.stderr);

    let views = audit(&i, &["--action", "conversation.view"]);
    assert_eq!(views.len(), 5, "every look, allowed or denied: {views:?}");
    assert_eq!(views.iter().filter(|e| e["decision"] == "deny").count(), 2, "{views:?}");
    let decided = audit(&i, &["--action", "access.decide", "--actor", "alice"]);
    assert!(decided.len() >= 3 && decided.iter().all(|e| e["subject"].is_string()), "each customer's look is on their record: {decided:?}");
}
