//! `candor demo-data` and `candor import` as a user runs them: the files,
//! the summary, the quarantine file and the exit codes.

use crate::Install;

#[test]
fn demo_data_then_import_then_import_again() {
    let i = Install::new();
    let out = i.ok(&["demo-data", "--out", "data", "--customers", "60", "--interactions", "1500", "--seed", "4", "--json"]);
    let d: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(d["interactions"], 1500);
    let malformed = d["malformed"].as_u64().unwrap();
    let contacts = i.run(&["import", "data/contacts.csv", "--json"]);
    assert!(contacts.code == 0 || contacts.code == 2, "{}{}", contacts.stdout, contacts.stderr);
    let c = contacts.json();
    assert_eq!(c["format"], "contacts");
    assert!(c["contacts"]["created"].as_u64().unwrap() > 10, "{c}");

    let args = ["import", "data/twcs.csv", "--brand", "NorthwindHelp", "--json"];
    let first = i.run(&args);
    // Malformed lines make the exit code 2 and land in the quarantine file.
    let expected = if malformed > 0 { 2 } else { 0 };
    assert_eq!(first.code, expected, "{}{}", first.stdout, first.stderr);
    let s = first.json();
    assert_eq!(s["format"], "twcs");
    assert_eq!(s["records"], 1500);
    assert_eq!(s["quarantined"], malformed);
    assert_eq!(s["interactions"]["stored"].as_u64().unwrap(), 1500 - malformed);
    if malformed > 0 {
        let q = std::fs::read_to_string(i.file("data/twcs.csv.quarantine.jsonl")).unwrap();
        assert_eq!(q.lines().count() as u64, malformed);
    }
    let again = i.run(&args).json();
    assert_eq!(again["interactions"]["stored"], 0);
    assert_eq!(again["interactions"]["already_stored"].as_u64().unwrap(), 1500 - malformed);

    // For people: a sentence per kind of record.
    let text = i.run(&["import", "data/twcs.csv"]);
    assert!(text.stdout.contains("already stored") && text.stdout.contains("quarantined"), "{}", text.stdout);
    assert!(text.stderr.is_empty(), "no progress bar when standard error is not a terminal: {}", text.stderr);
}

#[test]
fn a_clean_file_exits_zero_and_bad_input_exits_one() {
    let i = Install::new();
    std::fs::write(
        i.file("ok.csv"),
        "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n1,115712,True,Tue Oct 31 22:10:47 +0000 2017,@sprintcare hello there,,\n",
    )
    .unwrap();
    let out = i.ok(&["import", "ok.csv"]);
    assert!(out.contains("1 stored") && out.contains("quarantined: none"), "{out}");
    assert!(!i.file("ok.csv.quarantine.jsonl").exists());

    let r = i.fails(1, &["import", "missing.csv"]);
    assert!(r.stderr.contains("missing.csv"), "{}", r.stderr);
    std::fs::write(i.file("what.txt"), "hello world\n").unwrap();
    let r = i.fails(1, &["import", "what.txt"]);
    assert!(r.stderr.contains("--format"), "{}", r.stderr);
    let r = i.fails(2, &["import", "ok.csv", "--format", "tiktok"]);
    assert!(r.stderr.contains("unknown format `tiktok`"), "{}", r.stderr);
    std::fs::write(i.file("c.jsonl"), "{\"id\":1}\n").unwrap();
    let r = i.fails(1, &["import", "c.jsonl", "--format", "jsonl"]);
    assert!(r.stderr.contains("--mapping"), "{}", r.stderr);
    std::fs::write(i.file("m.toml"), "platform = \"facebook\"\n[fields]\nid = \"id\"\n").unwrap();
    let r = i.fails(1, &["import", "c.jsonl", "--format", "jsonl", "--mapping", "m.toml"]);
    assert!(r.stderr.contains("m.toml"), "{}", r.stderr);
}

#[test]
fn an_unclosed_quote_exits_two_and_keeps_each_message_with_its_author() {
    let i = Install::new();
    std::fs::write(
        i.file("twcs.csv"),
        concat!(
            "tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n",
            "1,200001,True,Tue Oct 31 22:10:47 +0000 2017,\"@sprintcare my bill is wrong,,\n",
            "2,200002,True,Tue Oct 31 22:11:47 +0000 2017,@sprintcare please cancel my line,,\n",
        ),
    )
    .unwrap();
    let r = i.run(&["import", "twcs.csv", "--json"]);
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    let s = r.json();
    assert_eq!((s["quarantined"].as_u64(), s["interactions"]["stored"].as_u64()), (Some(1), Some(1)), "{s}");
    let q = std::fs::read_to_string(i.file("twcs.csv.quarantine.jsonl")).unwrap();
    assert!(q.contains("\"line\":2") && q.contains("is not closed before line 3"), "{q}");
    let second = i.ok(&["subject", "find", "--handle", "x:@200002"]);
    assert!(!second.trim().is_empty());
    i.fails(2, &["subject", "find", "--handle", "x:@200001"]);
}

#[test]
fn a_household_stays_two_customers_and_staff_move_the_shared_phone_deliberately() {
    let i = Install::new();
    std::fs::write(
        i.file("crm.csv"),
        "Customer ID,Full Name,Email Address,Mobile,Twitter\nC-40099,Jonas Rossi,jonas@example.com,+44 7700 900123,@jonas_r\nC-40773,Vera Silva,vera@example.com,+44 7700 900123,@vera_s\n",
    )
    .unwrap();
    let first = i.ok(&["import", "crm.csv"]);
    assert!(first.contains("1 kept apart") && first.contains("1 shared phone"), "{first}");
    let jonas = i.ok(&["subject", "find", "--email", "jonas@example.com"]).trim().to_owned();
    let vera = i.ok(&["subject", "find", "--email", "vera@example.com"]).trim().to_owned();
    assert_ne!(jonas, vera);
    assert_eq!(i.ok(&["subject", "find", "--phone", "+447700900123"]).trim(), jonas);
    let listed = i.run(&["subject", "conflicts", &vera, "--json"]).json();
    assert_eq!((listed[0]["other"].as_str(), listed[0]["shared"].as_str()), (Some(jonas.as_str()), Some("phone")), "{listed}");

    // Re-importing changes nothing and says so.
    let again = i.run(&["import", "crm.csv", "--json"]).json();
    assert_eq!((again["contacts"]["unchanged"].as_u64(), again["contacts"]["conflicts"].as_u64()), (Some(2), Some(0)), "{again}");

    // Staff decide the phone is Vera's: unlink it from Jonas, link it to her.
    let r = i.fails(1, &["subject", "link", &vera, "--phone", "+44 7700 900123"]);
    assert!(r.stderr.contains("already belongs"), "{}", r.stderr);
    i.ok(&["subject", "unlink", &jonas, "--phone", "+44 7700 900123"]);
    i.ok(&["subject", "link", &vera, "--phone", "+44 7700 900123"]);
    assert_eq!(i.ok(&["subject", "find", "--phone", "+447700900123"]).trim(), vera);
    let r = i.fails(1, &["subject", "unlink", &jonas, "--phone", "+44 7700 900123"]);
    assert!(r.stderr.contains("not linked"), "{}", r.stderr);
    // The next import keeps the staff's decision.
    let after = i.run(&["import", "crm.csv", "--json"]).json();
    assert_eq!((after["contacts"]["unchanged"].as_u64(), after["contacts"]["conflicts"].as_u64()), (Some(2), Some(0)), "{after}");
    assert_eq!(i.ok(&["subject", "find", "--phone", "+447700900123"]).trim(), vera);
    let audit = i.ok(&["audit", "log", "--limit", "1000", "--json"]);
    assert!(audit.contains("subject.unlink") && audit.contains("subject.link"), "the deliberate changes are audited");
    // The whole number in the forms it was written in: four digits alone
    // turn up by chance in the log's hashes.
    for value in ["7700900123", "7700 900123", "vera@"] {
        assert!(!audit.contains(value), "the audit log holds kinds, not values: {value}");
    }
}

#[test]
fn an_input_that_cannot_be_read_says_why_once() {
    let i = Install::new().ready();
    let r = i.fails(1, &["import", "nope.csv"]);
    assert!(r.stderr.contains("could not open `nope.csv`"), "{}", r.stderr);
    assert_eq!(r.stderr.matches("No such file").count(), 1, "{}", r.stderr);
    std::fs::write(i.file("x.csv"), "a,b\n1,2\n").unwrap();
    let r = i.fails(1, &["import", "x.csv", "--format", "twcs"]);
    assert_eq!(r.stderr.matches("no `tweet_id` column").count(), 1, "{}", r.stderr);
}
