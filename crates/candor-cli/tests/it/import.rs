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
