//! `[mail]`: `candor outbox deliver` and `candor serve` mail the outbox
//! through a real SMTP server (aiosmtpd, started by the test), and a bad
//! `[mail]` section is refused naming the key.

use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::time::Duration;

use candor_test_support::smtp::{code_in, SmtpServer};

use crate::Install;

fn with_mail(i: &Install, section: &str) {
    let path = i.file("candor.toml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str(section);
    std::fs::write(path, text).unwrap();
}

fn mail_to(smtp: &SmtpServer) -> String {
    format!("\n[mail]\nurl = \"{}\"\nfrom = \"privacy@northwind.example\"\npoll_seconds = 1\n", smtp.url())
}

#[test]
fn outbox_deliver_mails_the_code_and_the_customer_verifies_with_it() {
    let Some(smtp) = SmtpServer::start() else { return };
    let i = Install::new().ready();
    let subject = i.customer("kim@example.com");
    let access = i.ok(&["rights", "open", "access", &subject]).trim().to_owned();
    i.ok(&["rights", "send-code", &access]);
    with_mail(&i, &mail_to(&smtp));

    let r = i.run(&["outbox", "deliver"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("mailed 2 message(s)"), "{}", r.stderr);
    assert!(!r.stdout.contains("kim@") && !r.stderr.contains("kim@"), "mailed, not printed: {}{}", r.stdout, r.stderr);
    let mail = smtp.messages();
    let code_mail = mail.iter().find(|m| m["subject"].as_str().unwrap().contains("verification code")).unwrap();
    assert_eq!(code_mail["to"], "kim@example.com");
    let code = code_in(code_mail["text"].as_str().unwrap()).unwrap();
    let verified = i.ok(&["rights", "verify", &access, "--code", &code]);
    assert!(verified.contains("verified by one-time code"), "{verified}");

    let listed = i.ok(&["outbox", "list", "--all"]);
    assert!(listed.contains("state") && listed.contains("sent") && listed.contains("attempts"), "{listed}");
    let doc: serde_json::Value = serde_json::from_str(&i.ok(&["outbox", "list", "--all", "--json"])).unwrap();
    let rows = doc.as_array().unwrap();
    assert!(rows.iter().any(|m| m["kind"] == "one_time_code" && m["state"] == "sent" && m["attempts"] == 1), "{doc}");
    assert_eq!(i.ok(&["outbox", "list"]).matches("one_time_code").count(), 0, "nothing pending");
}

#[test]
fn the_server_mails_the_outbox_in_the_background_and_stops_cleanly() {
    let Some(smtp) = SmtpServer::start() else { return };
    let i = Install::new().ready();
    let subject = i.customer("lee@example.com");
    let access = i.ok(&["rights", "open", "access", &subject]).trim().to_owned();
    i.ok(&["rights", "send-code", &access]);
    with_mail(&i, &mail_to(&smtp));

    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(i.path())
        .env_remove("CANDOR_CONFIG")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while !line.contains("http://") {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "the server stopped before listening");
    }
    let mail = smtp.wait_for(2, Duration::from_secs(30));
    assert_eq!(mail.len(), 2, "{mail:?}");
    assert!(mail.iter().any(|m| code_in(m["text"].as_str().unwrap_or_default()).is_some()), "{mail:?}");

    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(status.success() && rest.contains("stopped"), "{status:?}: {rest}");
    let listed = i.ok(&["outbox", "list", "--all", "--json"]);
    let doc: serde_json::Value = serde_json::from_str(&listed).unwrap();
    assert!(doc.as_array().unwrap().iter().all(|m| m["state"] == "sent"), "{doc}");
}

#[test]
fn a_bad_mail_section_is_refused_naming_the_key() {
    let i = Install::new();
    with_mail(&i, "\n[mail]\nurl = \"http://mail.example\"\nfrom = \"privacy@northwind.example\"\n");
    let r = i.fails(1, &["outbox", "list"]);
    assert!(r.stderr.contains("`mail.url`") && r.stderr.contains("smtp or smtps"), "{}", r.stderr);

    let i = Install::new();
    with_mail(&i, "\n[mail]\nurl = \"smtp://relay@mail.example\"\nfrom = \"privacy@northwind.example\"\npassword = \"hunter2\"\n");
    let r = i.fails(1, &["outbox", "list"]);
    assert!(r.stderr.contains("`mail.password`") && r.stderr.contains("CANDOR_MAIL__PASSWORD"), "{}", r.stderr);
    assert!(!r.stderr.contains("hunter2"), "{}", r.stderr);

    let i = Install::with(&[], vec![("CANDOR_MAIL__PASSWORD".into(), "s3cret".into())]);
    with_mail(&i, "\n[mail]\nurl = \"smtp://relay@mail.example:587\"\nfrom = \"Northwind\"\n");
    let r = i.fails(1, &["outbox", "list"]);
    assert!(r.stderr.contains("`mail.from`"), "{}", r.stderr);
    assert!(!r.stderr.contains("s3cret"), "{}", r.stderr);
}
