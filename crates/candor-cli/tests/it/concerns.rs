//! Customers' questions and concerns from the command line: recorded,
//! listed open first, read, answered (the answer queued as a mail to the
//! customer) and closed, with times as RFC 3339 in `--json`.

use crate::Install;

#[test]
fn a_concern_is_listed_read_answered_by_mail_and_closed_from_the_command_line() {
    let i = Install::new().ready();
    let subject = i.customer("lee@example.com");
    // The id alone on standard output, for scripts.
    let id = i.ok(&["concerns", "raise", &subject, "--text", "Why did I get a letter\nfrom your partner?"]).trim().to_owned();
    assert_eq!(id.len(), 36, "{id}");

    let listed = i.ok(&["concerns", "list"]);
    assert!(listed.contains(&id) && listed.contains("open"), "{listed}");
    assert!(!listed.contains("letter"), "a listing never shows the text: {listed}");
    let docs = i.ok(&["concerns", "list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&docs).unwrap();
    assert_eq!(list[0]["id"], id.as_str());
    let raised = time::OffsetDateTime::parse(list[0]["raised_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339);
    let due = time::OffsetDateTime::parse(list[0]["due_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339);
    let (raised, due) = (raised.unwrap(), due.unwrap());
    assert!(due > raised + time::Duration::days(27) && due <= raised + time::Duration::days(31), "one calendar month: {list}");

    let shown = i.ok(&["concerns", "show", &id]);
    assert!(shown.contains("    Why did I get a letter\n    from your partner?") && shown.contains("state     open"), "{shown}");

    let answer = i.dir.path().join("answer.txt");
    std::fs::write(&answer, "Our partner sent it on our behalf.\nYou can object to that in the privacy center.").unwrap();
    let answered = i.run(&["concerns", "answer", &id, "--file", answer.to_str().unwrap(), "--json"]);
    assert_eq!(answered.code, 0, "{}", answered.stderr);
    let doc = answered.json();
    assert_eq!((doc["state"].as_str(), doc["answered_by"].as_str()), (Some("answered"), Some("cli")));
    assert!(doc["answered_at"].as_str().unwrap().ends_with('Z'), "{doc}");
    assert!(answered.stderr.contains("queued for the customer's e-mail address"), "{}", answered.stderr);

    // The answer goes out by the outbox, naming the concern.
    let delivered = i.ok(&["outbox", "deliver"]);
    assert!(delivered.contains("to lee@example.com") && delivered.contains("Our partner sent it on our behalf."), "{delivered}");
    assert!(delivered.contains(&id), "{delivered}");

    assert_eq!(i.ok(&["concerns", "list", "--json"]).trim(), "[]", "only open ones without --all");
    let again = i.fails(1, &["concerns", "answer", &id, "--text", "twice"]);
    assert!(again.stderr.contains("the concern is already answered"), "{}", again.stderr);
    let closed = i.ok(&["concerns", "close", &id]);
    assert!(closed.contains("state     closed"), "{closed}");
    assert!(i.ok(&["concerns", "list", "--all"]).contains(&id));

    let empty = i.fails(1, &["concerns", "raise", &subject, "--text", "  "]);
    assert!(empty.stderr.contains("the message is empty"), "{}", empty.stderr);
    let unknown = i.fails(1, &["concerns", "show", "no-such-concern"]);
    assert!(unknown.stderr.contains("no concern with id `no-such-concern`"), "{}", unknown.stderr);
    let neither = i.fails(2, &["concerns", "answer", &id]);
    assert!(neither.stderr.contains("--text"), "{}", neither.stderr);
}
