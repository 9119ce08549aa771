//! Keys belong to one installation: another installation's key directory is
//! refused by every command, before anything is read or written.

use std::path::Path;

use candor_test_support::TestDb;

use crate::Install;

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Two installations on each back end (PostgreSQL when configured), with
/// the databases they live in.
fn pairs() -> Vec<(Install, Install, Vec<TestDb>)> {
    let mut out = vec![(Install::new(), Install::new(), Vec::new())];
    if let (Some(a), Some(b)) = (TestDb::postgres(), TestDb::postgres()) {
        let make = |db: &TestDb| {
            let env = vec![("CANDOR_DATABASE__SCHEMA".to_owned(), db.schema.clone().unwrap())];
            Install::with(&["--database-url", &db.url], env)
        };
        out.push((make(&a), make(&b), vec![a, b]));
    }
    out
}

#[test]
fn another_installations_keys_are_refused_by_every_command_and_nothing_is_written() {
    for (ours, theirs, _dbs) in pairs() {
        let ours = ours.ready();
        let id = ours.customer("dup@example.com");
        std::fs::write(
            ours.file("ok.csv"),
            "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare hello there,,\n",
        )
        .unwrap();
        let intact = ours.ok(&["audit", "verify"]);

        let keys = ours.file("keys");
        std::fs::rename(&keys, ours.file("keys.mine")).unwrap();
        copy_dir(&theirs.file("keys"), &keys);
        for args in [
            &["subject", "add", "--email", "dup@example.com", "--handle", "x:@dup"][..],
            &["import", "ok.csv"],
            &["audit", "verify"],
            &["audit", "log"],
            &["keys", "status"],
            &["serve", "--addr", "127.0.0.1:0"],
        ] {
            let r = ours.fails(1, args);
            assert!(
                r.stderr.contains("do not belong to this database") && r.stderr.contains("key check value differs"),
                "`candor {}`: {}",
                args.join(" "),
                r.stderr
            );
        }

        // Nothing was written: every write carries audit entries, and with
        // its own keys back the installation has the chain it had.
        std::fs::remove_dir_all(&keys).unwrap();
        std::fs::rename(ours.file("keys.mine"), &keys).unwrap();
        assert_eq!(ours.ok(&["audit", "verify"]), intact);
        assert_eq!(ours.ok(&["subject", "find", "--email", "dup@example.com"]).trim(), id);
    }
}
