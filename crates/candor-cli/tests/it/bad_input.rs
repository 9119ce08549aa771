//! Bad input: each a clear error that says what and where, exit code 1 (or 2
//! for a failed check), and nothing stored lost.

use crate::{candor, Install};

#[test]
fn unknown_and_malformed_subject_ids_are_named() {
    let i = Install::new().ready();
    let missing = i.fails(1, &["consent", "grant", "3f2b8c1e-0000-4000-8000-000000000000", "personalization"]);
    assert!(missing.stderr.contains("error: no subject with id `3f2b8c1e-0000-4000-8000-000000000000`"), "{}", missing.stderr);
    let garbage = i.fails(1, &["subject", "show", "alice@example.com"]);
    assert!(garbage.stderr.contains("is not a subject id"), "{}", garbage.stderr);
    let bad_email = i.fails(1, &["subject", "add", "--email", "not-an-address"]);
    assert!(
        bad_email.stderr.contains("`--email`: not an e-mail address") && !bad_email.stderr.contains("not-an-address"),
        "{}",
        bad_email.stderr
    );
}

#[test]
fn consent_for_a_purpose_the_policy_lacks_is_refused() {
    let i = Install::new().ready();
    let id = i.customer("p@example.com");
    let r = i.fails(1, &["consent", "grant", &id, "telepathy"]);
    assert!(
        r.stderr.contains("the policy in force (version 1) has no purpose `telepathy`; its purposes are: accessibility_support, analytics"),
        "{}",
        r.stderr
    );
    let contract = i.fails(1, &["consent", "withdraw", &id, "customer_service"]);
    assert!(contract.stderr.contains("relies on contract"), "{}", contract.stderr);
    assert!(i.ok(&["consent", "show", &id]).contains("ledger: 0 event(s)"));
}

#[test]
fn consent_before_any_policy_is_published_says_what_to_do() {
    let i = Install::new();
    let id = i.ok(&["subject", "add", "--email", "q@example.com"]).trim().to_owned();
    let r = i.fails(1, &["consent", "grant", &id, "personalization"]);
    assert!(r.stderr.contains("no policy is published yet; run `candor policy publish policy.toml` first"), "{}", r.stderr);
}

#[test]
fn a_missing_or_corrupt_key_file_is_named_and_nothing_is_touched() {
    let i = Install::new().ready();
    let id = i.customer("k@example.com");
    std::fs::rename(i.file("keys/signing.key"), i.file("signing.bak")).unwrap();
    let r = i.fails(1, &["subject", "show", &id]);
    assert!(
        r.stderr.contains("could not load the keys") && r.stderr.contains("signing.key") && r.stderr.contains("is missing"),
        "{}",
        r.stderr
    );
    std::fs::rename(i.file("signing.bak"), i.file("keys/signing.key")).unwrap();
    let kek = std::fs::read_to_string(i.file("keys/kek/k1.key")).unwrap();
    std::fs::write(i.file("keys/kek/k1.key"), "zz-not-hex").unwrap();
    let r = i.fails(1, &["subject", "show", &id]);
    assert!(r.stderr.contains("k1.key") && r.stderr.contains("is corrupt: expected 64 hex digits"), "{}", r.stderr);
    assert!(!r.stderr.contains("zz-not-hex"));
    std::fs::write(i.file("keys/kek/k1.key"), kek).unwrap();
    assert!(
        i.ok(&["subject", "show", &id, "--purpose", "customer_service", "--as", "alice"]).contains("k@example.com"),
        "the data survived"
    );
}

#[test]
fn the_wrong_key_encryption_key_fails_to_decrypt_without_garbage() {
    let i = Install::new().ready();
    let id = i.customer("w@example.com");
    std::fs::write(i.file("keys/kek/k1.key"), "ab".repeat(32)).unwrap();
    let r = i.fails(1, &["subject", "show", &id, "--purpose", "customer_service", "--as", "alice"]);
    assert!(r.stderr.contains("cannot be read: decryption failed"), "{}", r.stderr);
    assert!(!r.stdout.contains("w@example.com"));
    let env = vec![("CANDOR_KEK".to_owned(), "short".to_owned())];
    let r = candor(i.path(), &env, &["subject", "show", &id]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("`CANDOR_KEK` must be 64 hex digits"), "{}", r.stderr);
}

#[test]
fn a_database_from_a_newer_candor_is_refused() {
    let i = Install::new();
    let db = i.file("candor.db");
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        sqlx::any::install_default_drivers();
        let mut c = <sqlx::AnyConnection as sqlx::Connection>::connect(&format!("sqlite://{}", db.display())).await.unwrap();
        sqlx::query("insert into candor_schema (version) values (42)").execute(&mut c).await.unwrap();
    });
    let r = i.fails(1, &["policy", "list"]);
    assert!(r.stderr.contains("the database schema is version 42, newer than this candor supports ("), "{}", r.stderr);
    assert!(r.stderr.contains("); upgrade candor"), "{}", r.stderr);
}

#[test]
fn an_unreachable_postgres_url_is_a_clear_error_without_its_password() {
    let i = Install::new();
    let env = vec![("CANDOR_DATABASE__URL".to_owned(), "postgres://candor:hunter2@127.0.0.1:1/candor".to_owned())];
    let r = candor(i.path(), &env, &["policy", "list"]);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("could not open the database at `postgres://candor:***@127.0.0.1:1/candor`"), "{}", r.stderr);
    assert!(!r.stderr.contains("hunter2"));
}

#[test]
fn a_database_without_an_installation_is_refused_rather_than_made_one() {
    let i = Install::new();
    // An existing but empty file (a mistyped path that happens to exist).
    std::fs::write(i.file("empty.db"), b"").unwrap();
    let env = vec![("CANDOR_DATABASE__URL".to_owned(), "sqlite://empty.db".to_owned())];
    let r = candor(i.path(), &env, &["policy", "list"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("there is no candor installation in this database"), "{}", r.stderr);
    let bytes = std::fs::read(i.file("empty.db")).unwrap();
    assert!(!bytes.windows(13).any(|w| w == b"candor_schema"), "no table was created in it");
}

#[test]
fn a_failed_init_leaves_nothing_half_made() {
    let dir = tempfile::tempdir().unwrap();
    let unreachable = "postgres://candor@127.0.0.1:1/candor";
    // A new directory: gone again.
    let r = candor(dir.path(), &[], &["init", "fresh", "--database-url", unreachable]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("could not create the database"), "{}", r.stderr);
    assert!(!dir.path().join("fresh").exists(), "a half-made installation was left");
    // An existing directory: its own files stay, ours go.
    std::fs::write(dir.path().join("notes.txt"), "mine").unwrap();
    let r = candor(dir.path(), &[], &["init", ".", "--database-url", unreachable, "--schema", "candor"]);
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    let left: Vec<String> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(left, ["notes.txt"]);
    // And it can be run again.
    let r = candor(dir.path(), &[], &["init", "."]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    let r = candor(dir.path(), &[], &["init", "other", "--schema", "candor"]);
    assert_eq!(r.code, 2, "clap refuses --schema without --database-url: {}", r.stderr);
}

#[test]
fn actor_input_is_checked() {
    let i = Install::new().ready();
    let r = i.fails(1, &["actor", "add", "Eve Smith", "--role", "agent"]);
    assert!(r.stderr.contains("is not a valid actor id"), "{}", r.stderr);
    let r = i.fails(1, &["actor", "add", "eve", "--role", "wizard"]);
    assert!(r.stderr.contains("unknown role `wizard`"), "{}", r.stderr);
    let r = i.fails(1, &["actor", "attest", "nobody"]);
    assert!(r.stderr.contains("no actor `nobody`"), "{}", r.stderr);
    let shown = i.ok(&["actor", "show", "mark"]);
    assert!(shown.contains("roles    marketer") && shown.contains("training valid until"), "{shown}");
}
