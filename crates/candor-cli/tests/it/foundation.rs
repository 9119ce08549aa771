//! Init, policy, subjects, access, audit, keys and the demo, as a user
//! runs them.

use crate::{candor, Install};

#[test]
fn init_writes_a_config_an_example_policy_private_keys_and_the_database() {
    let i = Install::new();
    for f in [
        "candor.toml",
        "policy.toml",
        "candor.db",
        "keys/index.key",
        "keys/pseudonym.key",
        "keys/signing.key",
        "keys/kek/k1.key",
        "keys/kek/current",
    ] {
        assert!(i.file(f).exists(), "{f} missing");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["keys/index.key", "keys/pseudonym.key", "keys/signing.key", "keys/kek/k1.key", "keys/kek/current"] {
            let mode = std::fs::metadata(i.file(f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600, "{f} is {mode:o}");
        }
        assert_eq!(std::fs::metadata(i.file("keys")).unwrap().permissions().mode() & 0o777, 0o700);
        // The database holds the audit log and sealed data: the owner's
        // only, and SQLite gives its write-ahead log the same mode.
        i.ok(&["policy", "publish", "policy.toml"]);
        for f in ["candor.db", "candor.db-wal"] {
            if i.file(f).exists() {
                let mode = std::fs::metadata(i.file(f)).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{f} is {mode:o}");
            }
        }
        // A file left readable by others (an older candor, a restore) is
        // tightened the next time it is opened.
        std::fs::set_permissions(i.file("candor.db"), std::fs::Permissions::from_mode(0o644)).unwrap();
        std::fs::write(i.file("candor.db-wal"), b"").unwrap();
        std::fs::set_permissions(i.file("candor.db-wal"), std::fs::Permissions::from_mode(0o644)).unwrap();
        i.ok(&["policy", "list"]);
        for f in ["candor.db", "candor.db-wal"] {
            if i.file(f).exists() {
                assert_eq!(std::fs::metadata(i.file(f)).unwrap().permissions().mode() & 0o777, 0o600, "{f}");
            }
        }
    }
    let config = std::fs::read_to_string(i.file("candor.toml")).unwrap();
    for key in ["url = \"sqlite://candor.db\"", "dir = \"keys\"", "k_anonymity = 5", "addr = \"127.0.0.1:8080\""] {
        assert!(config.contains(key), "{key} missing from candor.toml");
    }
    i.ok(&["policy", "check", "policy.toml"]);
    let again = i.fails(1, &["init", "."]);
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
}

#[test]
fn policy_check_names_every_error_with_file_line_and_column() {
    let i = Install::new();
    let bad = std::fs::read_to_string(i.file("policy.toml"))
        .unwrap()
        .replace("\"user.contact.email\",\n  \"user.contact.phone_number\"", "\"user.contact.emial\",\n  \"user.contact.phone_number\"")
        .replace("retention_days = 395\n", "")
        .replace("id = \"personalization\"", "id = \"analytics\"");
    std::fs::write(i.file("bad.toml"), &bad).unwrap();
    let r = i.fails(2, &["policy", "check", "bad.toml"]);
    assert!(r.stderr.contains("bad.toml:28:3: error: unknown data category `user.contact.emial`"), "{}", r.stderr);
    assert!(r.stderr.contains("help: did you mean `user.contact.email`?"), "{}", r.stderr);
    assert!(r.stderr.contains("error: purpose `analytics` has no retention period"), "{}", r.stderr);
    assert!(
        r.stderr.contains("bad.toml:46:15: error: purpose `customer_service` uses `user.contact.email`, which the policy does not collect"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("error: duplicate purpose `analytics`"), "{}", r.stderr);
    let json = i.fails(2, &["policy", "check", "bad.toml", "--json"]).json();
    assert_eq!(json["valid"], false);
    assert!(json["errors"].as_array().unwrap().len() >= 3);
    assert!(json["errors"][0]["line"].as_u64().unwrap() > 0);
    // Publishing it is refused too, and stores nothing.
    i.fails(2, &["policy", "publish", "bad.toml"]);
    assert!(i.ok(&["policy", "list"]).contains("no policy published"));
    let missing = i.fails(1, &["policy", "check", "nope.toml"]);
    assert!(missing.stderr.contains("could not read `nope.toml`"), "{}", missing.stderr);
}

#[test]
fn publishing_is_numbered_idempotent_and_diffs_are_classified() {
    let i = Install::new();
    assert!(i.ok(&["policy", "publish", "policy.toml"]).contains("published policy version 1"));
    assert!(i.ok(&["policy", "publish", "policy.toml"]).contains("identical to published version 1"));
    let v2 = std::fs::read_to_string(i.file("policy.toml")).unwrap().replace("retention_days = 180", "retention_days = 365");
    std::fs::write(i.file("v2.toml"), v2).unwrap();
    let preview = i.ok(&["policy", "diff", "v2.toml"]);
    assert!(preview.contains("[material] purpose `marketing.advertising`: retention longer: 365 days instead of 180"), "{preview}");
    assert!(preview.contains("fresh consent needed for: marketing.advertising"), "{preview}");
    let out = i.ok(&["policy", "publish", "v2.toml"]);
    assert!(out.contains("published policy version 2") && out.contains("[material]"), "{out}");
    let d = serde_json::from_str::<serde_json::Value>(&i.ok(&["policy", "diff", "--json"])).unwrap();
    assert_eq!((d["from"].as_str(), d["to"].as_str(), d["material"].as_bool()), (Some("version 1"), Some("version 2"), Some(true)));
    assert_eq!(d["fresh_consent"], serde_json::json!(["marketing.advertising"]));
    let files = i.ok(&["policy", "diff", "policy.toml", "v2.toml"]);
    assert!(files.contains("policy.toml -> v2.toml"), "{files}");
    let versions = serde_json::from_str::<serde_json::Value>(&i.ok(&["policy", "list", "--json"])).unwrap();
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert!(i.ok(&["policy", "show", "1"]).contains("retention_days = 180"));
}

#[test]
fn subjects_are_added_found_and_shown_only_through_the_gate() {
    let i = Install::new().ready();
    let id = i.customer("dana.x@example.com");
    assert_eq!(id.len(), 36, "{id}");
    let json = serde_json::from_str::<serde_json::Value>(&i.ok(&["subject", "add", "--email", "eve@example.com", "--json"])).unwrap();
    assert_eq!(json["id"].as_str().unwrap().len(), 36);
    assert_eq!(i.ok(&["subject", "find", "--email", "DANA.X@example.com"]).trim(), id);
    assert_eq!(i.ok(&["subject", "find", "--handle", "X:dana_x"]).trim(), id);
    i.fails(2, &["subject", "find", "--email", "nobody@example.com"]);

    let summary = i.ok(&["subject", "show", &id]);
    assert!(summary.contains("ps_") && !summary.contains("dana.x@example.com"), "{summary}");
    let shown = i.ok(&["subject", "show", &id, "--purpose", "customer_service", "--as", "alice"]);
    assert!(shown.contains("dana.x@example.com") && shown.contains("x:@dana_x") && shown.contains("Sam Someone"), "{shown}");
    let denied = i.fails(2, &["subject", "show", &id, "--purpose", "customer_service", "--as", "mark"]);
    assert!(
        denied.stdout.contains("denied: none of the roles of `mark`") && !denied.stdout.contains("dana.x@example.com"),
        "{}",
        denied.stdout
    );
    let dup = i.fails(1, &["subject", "add", "--email", "Dana.X@example.com"]);
    assert!(dup.stderr.contains(&format!("this email already belongs to subject `{id}`")), "{}", dup.stderr);
}

#[test]
fn the_access_check_exits_by_decision_and_every_decision_is_logged() {
    let i = Install::new().ready();
    let id = i.customer("f@example.com");
    let allowed = i.ok(&[
        "access",
        "check",
        &id,
        "customer_service",
        "--category",
        "user.contact.email",
        "--category",
        "user.health_and_medical",
        "--as",
        "alice",
    ]);
    assert!(allowed.contains("allowed: user.contact.email") && allowed.contains("withheld: user.health_and_medical"), "{allowed}");
    let denied = i.fails(2, &["access", "check", &id, "personalization", "--category", "user.content.public", "--as", "mark"]);
    assert!(denied.stdout.contains("has not consented to `personalization`"), "{}", denied.stdout);
    let log = i.ok(&["audit", "log", "--json", "--limit", "1000"]);
    let entries: serde_json::Value = serde_json::from_str(&log).unwrap();
    let decisions: Vec<_> = entries.as_array().unwrap().iter().filter(|e| e["action"] == "access.decide").collect();
    assert_eq!(decisions.len(), 2);
    assert_eq!((decisions[0]["decision"].as_str(), decisions[1]["decision"].as_str()), (Some("deny"), Some("allow")), "newest first");
    assert!(!log.contains("f@example.com"));
}

#[test]
fn the_audit_log_lists_newest_first_filtered_and_in_pages() {
    let i = Install::new().ready();
    let id = i.customer("x@example.com");
    i.ok(&["access", "check", &id, "customer_service", "--category", "user.contact.email", "--as", "alice"]);
    let seqs = |out: &str| -> Vec<i64> {
        let v: serde_json::Value = serde_json::from_str(out).unwrap();
        v.as_array().unwrap().iter().map(|e| e["seq"].as_i64().unwrap()).collect()
    };
    let all = seqs(&i.ok(&["audit", "log", "--json", "--limit", "10000"]));
    assert!(all.len() > 4 && all.windows(2).all(|w| w[0] > w[1]), "newest first: {all:?}");
    let page1 = seqs(&i.ok(&["audit", "log", "--json", "--limit", "2"]));
    let page2 = seqs(&i.ok(&["audit", "log", "--json", "--limit", "2", "--before", &page1[1].to_string()]));
    assert_eq!([page1, page2].concat(), all[..4], "--before continues where a page ended");
    let forward = seqs(&i.ok(&["audit", "log", "--json", "--after", "0", "--limit", "3"]));
    assert_eq!(forward, [1, 2, 3], "--after reads forwards, oldest first");

    let rows = |args: &[&str]| -> Vec<serde_json::Value> {
        let mut all = vec!["audit", "log", "--json", "--limit", "10000"];
        all.extend_from_slice(args);
        serde_json::from_str::<serde_json::Value>(&i.ok(&all)).unwrap().as_array().unwrap().clone()
    };
    assert!(rows(&[]).iter().any(|e| e["actor"] == "alice"), "the global --as is not a filter");
    assert_eq!(rows(&["--actor", "alice"]).len(), 1);
    let mark = rows(&["--actor", "cli", "--action", "actor."]);
    assert!(
        !mark.is_empty() && mark.iter().all(|e| e["actor"] == "cli" && e["action"].as_str().unwrap().starts_with("actor.")),
        "{mark:?}"
    );
    let attest = rows(&["--action", "actor.attest_training"]);
    assert_eq!(attest.len(), 2, "alice and mark were attested: {attest:?}");
    assert!(rows(&["--action", "actor.attest"]).is_empty(), "without a trailing dot the action is matched exactly");
    assert!(rows(&["--actor", "nobody"]).is_empty());
    assert_eq!(rows(&["--from", "2000-01-01", "--to", "2999-01-01"]).len(), all.len());
    assert!(rows(&["--to", "2000-01-01"]).is_empty());
    let bad = i.fails(2, &["audit", "log", "--from", "yesterday"]);
    assert!(bad.stderr.contains("not a date like"), "{}", bad.stderr);
    let zero = i.fails(2, &["audit", "log", "--limit", "0"]);
    assert!(zero.stderr.contains("--limit"), "{}", zero.stderr);
}

#[test]
fn audit_verify_passes_untouched_and_names_an_altered_entry() {
    let i = Install::new().ready();
    i.customer("g@example.com");
    let ok = i.ok(&["audit", "verify"]);
    assert!(ok.contains("audit log intact: 6 entries"), "{ok}");
    let db = i.file("candor.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        sqlx::any::install_default_drivers();
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query(r#"update audit_log set body = replace(body, '"actor":"cli"', '"actor":"someone-else"') where seq = 3"#)
            .execute(&mut c)
            .await
            .unwrap();
    });
    let bad = i.fails(2, &["audit", "verify"]);
    assert!(bad.stdout.contains("TAMPERED: entry 3 was altered"), "{}", bad.stdout);
    let json = i.fails(2, &["audit", "verify", "--json"]).json();
    assert_eq!(json["problem"], serde_json::json!({ "kind": "altered", "seq": 3 }));
}

#[test]
fn keys_rotate_and_the_data_stays_readable() {
    let i = Install::new().ready();
    let id = i.customer("h@example.com");
    let out = i.ok(&["keys", "rotate"]);
    assert!(out.contains("new rotation: 1 data key(s) now wrapped under `k2`; retired k1"), "{out}");
    let status = serde_json::from_str::<serde_json::Value>(&i.ok(&["keys", "status", "--json"])).unwrap();
    assert_eq!(status["current"], "k2");
    assert!(i.ok(&["subject", "show", &id, "--purpose", "customer_service", "--as", "alice"]).contains("h@example.com"));
    assert!(i.ok(&["audit", "verify"]).contains("intact"));
}

#[test]
fn configuration_comes_from_the_file_then_the_environment_and_can_be_named() {
    let i = Install::new();
    let k = |shown: serde_json::Value| {
        shown["settings"].as_array().unwrap().iter().find(|s| s["key"] == "privacy.k_anonymity").unwrap()["value"].clone()
    };
    assert_eq!(k(serde_json::from_str(&i.ok(&["config", "show", "--json"])).unwrap()), 5);
    let env = vec![("CANDOR_PRIVACY__K_ANONYMITY".to_owned(), "7".to_owned())];
    let r = candor(i.path(), &env, &["config", "show", "--json"]);
    assert_eq!(k(r.json()), 7);
    // From elsewhere, with --config: relative paths follow the file.
    let elsewhere = tempfile::tempdir().unwrap();
    let config = i.file("candor.toml");
    let r = candor(
        elsewhere.path(),
        &[],
        &["--config", config.to_str().unwrap(), "policy", "publish", i.file("policy.toml").to_str().unwrap()],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!elsewhere.path().join("candor.db").exists());
    let none = candor(elsewhere.path(), &[], &["policy", "list"]);
    assert_eq!(none.code, 1);
    assert!(none.stderr.contains("no configuration at `candor.toml`; run `candor init`"), "{}", none.stderr);
    assert!(i.ok(&["config", "example"]).contains("[database]"));
}

#[test]
fn the_demo_runs_the_whole_foundation() {
    let dir = tempfile::tempdir().unwrap();
    let r = candor(dir.path(), &[], &["demo", "--no-serve", "--json"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let json = r.json();
    let steps = json["steps"].as_array().unwrap();
    let texts: Vec<&str> = steps.iter().map(|s| s["text"].as_str().unwrap()).collect();
    for needle in [
        "no-op: true",
        "has no privacy-and-ethics training",
        "objected to `analytics`",
        "changed the purpose materially",
        "re-wrapped",
        "audit chain intact",
    ] {
        assert!(texts.iter().any(|t| t.contains(needle)), "no step says `{needle}`: {texts:#?}");
    }
    // `--no-serve` is the story alone: nothing left open for the front
    // ends (CI builds on that installation).
    let site = dir.path().join("demo");
    let requests = candor(&site, &[], &["rights", "list", "--json"]).json();
    assert!(requests.as_array().unwrap().iter().all(|r| r["state"] == "completed"), "{requests:#}");
    assert_eq!(candor(&site, &[], &["concerns", "list", "--json"]).json(), serde_json::json!([]));
    // Running it again replaces the earlier demo; a foreign directory is left alone.
    let again = candor(dir.path(), &[], &["demo", "--no-serve"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(again.stdout.contains("the demo installation is in demo"), "{}", again.stdout);
    std::fs::create_dir_all(dir.path().join("mine")).unwrap();
    std::fs::write(dir.path().join("mine/notes.txt"), "keep").unwrap();
    let refused = candor(dir.path(), &[], &["demo", "--no-serve", "mine"]);
    assert_eq!(refused.code, 1);
    assert!(refused.stderr.contains("exists and is not an earlier demo"), "{}", refused.stderr);
    assert!(dir.path().join("mine/notes.txt").exists());
}

#[test]
fn postgres_is_chosen_by_the_url_in_the_configuration() {
    let Some(db) = candor_test_support::TestDb::postgres() else {
        eprintln!("note: {} is not set; skipping", candor_test_support::PG_ENV);
        return;
    };
    let schema = db.schema.clone().unwrap();
    let i = Install::with(&["--database-url", &db.url, "--schema", &schema], Vec::new()).ready();
    let config = std::fs::read_to_string(i.file("candor.toml")).unwrap();
    assert!(config.contains("url = \"postgres://"), "{config}");
    assert!(config.contains(&format!("schema = \"{schema}\"")), "the schema is written down: {config}");
    assert!(!i.file("candor.db").exists());
    // A mistyped schema is an error, not a fresh empty installation.
    let typo = format!("{schema}x");
    let env = vec![("CANDOR_DATABASE__SCHEMA".to_owned(), typo.clone())];
    let r = candor(i.path(), &env, &["subject", "find", "--email", "pg@example.com"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains(&format!("the schema `{typo}` does not exist")), "{}", r.stderr);
    let id = i.customer("pg@example.com");
    i.ok(&["consent", "grant", &id, "personalization", "--receipt", "r.json"]);
    i.ok(&["consent", "verify-receipt", "r.json"]);
    assert!(i.ok(&["subject", "show", &id, "--purpose", "customer_service", "--as", "alice"]).contains("pg@example.com"));
    assert!(i.ok(&["audit", "verify"]).contains("intact"));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let created: Option<(i32,)> = rt.block_on(async {
        sqlx::any::install_default_drivers();
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        sqlx::query_as("select 1 from pg_namespace where nspname = $1").bind(&typo).fetch_optional(&mut conn).await.unwrap()
    });
    assert_eq!(created, None, "the mistyped schema was not created");
    // A schema that exists but holds no installation is refused too.
    rt.block_on(async {
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        sqlx::query(&format!("create schema {typo}")).execute(&mut conn).await.unwrap();
    });
    let r = candor(i.path(), &env, &["policy", "list"]);
    assert!(r.code == 1 && r.stderr.contains("there is no candor installation in this database"), "{}", r.stderr);
    let tables: (i64,) = rt.block_on(async {
        let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&db.url).await.unwrap();
        let n = sqlx::query_as("select count(*) from pg_tables where schemaname = $1").bind(&typo).fetch_one(&mut conn).await.unwrap();
        sqlx::query(&format!("drop schema {typo} cascade")).execute(&mut conn).await.unwrap();
        n
    });
    assert_eq!(tables.0, 0, "nothing was created in it");
}

#[test]
fn a_database_restored_from_an_older_copy_is_caught_by_the_witness_kept_elsewhere() {
    let i = Install::new().ready();
    let volume = tempfile::tempdir().unwrap();
    let witness = volume.path().join("audit-witness");
    let env = vec![("CANDOR_AUDIT__WITNESS".to_owned(), witness.display().to_string())];
    let run = |args: &[&str]| candor(i.path(), &env, args);
    assert_eq!(run(&["subject", "add", "--email", "early@example.com"]).code, 0);
    let copy = i.file("copy.db");
    std::fs::copy(i.file("candor.db"), &copy).unwrap();
    assert_eq!(run(&["subject", "add", "--email", "late@example.com"]).code, 0);
    assert_eq!(run(&["actor", "add", "late", "--role", "agent"]).code, 0);
    let ok = run(&["audit", "verify"]);
    assert!(ok.stdout.contains(&format!("witness `{}`: agrees up to entry", witness.display())), "{}", ok.stdout);

    // The older copy put back, as someone with the database alone could.
    for f in ["candor.db-wal", "candor.db-shm"] {
        let _ = std::fs::remove_file(i.file(f));
    }
    std::fs::copy(&copy, i.file("candor.db")).unwrap();
    let bad = run(&["audit", "verify"]);
    assert_eq!(bad.code, 2, "{}{}", bad.stdout, bad.stderr);
    assert!(bad.stdout.contains("TAMPERED: the log was truncated after entry"), "{}", bad.stdout);
    // A copy of the witness fetched from where it is kept says the same.
    let fetched = i.file("fetched-witness");
    std::fs::copy(&witness, &fetched).unwrap();
    assert_eq!(i.fails(2, &["audit", "verify", "--witness", fetched.to_str().unwrap()]).code, 2);

    // A witness whose volume is gone stops every command before it writes.
    let gone = vec![("CANDOR_AUDIT__WITNESS".to_owned(), volume.path().join("unmounted/audit-witness").display().to_string())];
    let r = candor(i.path(), &gone, &["subject", "add", "--email", "x@example.com"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("does not exist (is its volume mounted?)"), "{}", r.stderr);
}

#[test]
fn an_installation_in_a_directory_with_a_space_and_url_characters_works() {
    let parent = tempfile::tempdir().unwrap();
    let r = candor(parent.path(), &[], &["init", "my shop #1"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("next: cd 'my shop #1'"), "the hint says where to go first: {}", r.stdout);
    let dir = parent.path().join("my shop #1");
    let ok = |args: &[&str]| {
        let r = candor(&dir, &[], args);
        assert_eq!(r.code, 0, "`candor {}`: {}{}", args.join(" "), r.stdout, r.stderr);
        r.stdout
    };
    ok(&["policy", "publish", "policy.toml"]);
    let id = ok(&["subject", "add", "--email", "ana@example.com", "--name", "Ana"]);
    assert_eq!(ok(&["subject", "find", "--email", "ana@example.com"]).trim(), id.trim());
    assert!(dir.join("candor.db").exists(), "the database is in the directory, not at a decoded or encoded name elsewhere");
}

#[test]
fn a_lapsed_sharing_agreement_is_a_warning_at_check_and_refused_at_publish() {
    let i = Install::new();
    let policy = std::fs::read_to_string(i.file("policy.toml")).unwrap();
    let until = policy.lines().find(|l| l.trim_start().starts_with("valid_until")).expect("the example shares under an agreement");
    let from = policy.lines().find(|l| l.trim_start().starts_with("valid_from")).expect("an agreement starts");
    std::fs::write(
        i.file("lapsed.toml"),
        policy.replacen(until, "valid_until = \"2020-12-31\"", 1).replacen(from, "valid_from = \"2019-01-01\"", 1),
    )
    .unwrap();
    let check = i.run(&["policy", "check", "lapsed.toml"]);
    assert_eq!(check.code, 0, "still a valid policy: {}{}", check.stdout, check.stderr);
    assert!(check.stderr.contains("warning") && check.stderr.contains("ended on 2020-12-31"), "{}", check.stderr);
    let json = i.run(&["policy", "check", "lapsed.toml", "--json"]).json();
    assert_eq!(json["warnings"].as_array().map(Vec::len), Some(1), "{json}");
    let publish = i.fails(1, &["policy", "publish", "lapsed.toml"]);
    assert!(publish.stderr.contains("not published") && publish.stderr.contains("ended on 2020-12-31"), "{}", publish.stderr);
    assert!(i.run(&["policy", "list"]).stdout.trim().lines().count() <= 1, "nothing was published");
    let clean = i.run(&["policy", "check", "policy.toml", "--json"]).json();
    assert_eq!(clean["warnings"], serde_json::json!([]), "{clean}");
}

#[test]
fn actor_list_shows_every_actor_with_roles_and_training() {
    let i = Install::new().ready();
    i.ok(&["actor", "add", "zoe", "--role", "analyst", "--role", "compliance"]);
    let rows = i.run(&["actor", "list", "--json"]).json();
    let ids: Vec<&str> = rows.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["alice", "mark", "zoe"], "every actor, by id: {rows}");
    assert_eq!(rows[2]["roles"], serde_json::json!(["analyst", "compliance"]));
    assert_eq!((rows[0]["training_current"].as_bool(), rows[2]["training_current"].as_bool()), (Some(true), Some(false)));
    let table = i.ok(&["actor", "list"]);
    assert!(table.contains("zoe") && table.contains("none") && table.contains("valid until"), "{table}");
}
