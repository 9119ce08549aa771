//! `candor serve` as a process: it listens, answers with a token from
//! `candor actor token`, refuses a revoked one and ends the browser
//! sessions started from it, and on SIGTERM finishes and exits cleanly,
//! even with a client that never finishes its request.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::Install;

fn get(addr: &str, path: &str, token: Option<&str>) -> (u16, String) {
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    request(addr, &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"))
}

/// Send a raw request; the status and the whole response.
fn request(addr: &str, raw: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(raw.as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    (status, out)
}

#[test]
fn the_server_answers_token_holders_and_stops_cleanly_on_sigterm() {
    let i = Install::new().ready();
    let token = i.ok(&["actor", "token", "alice", "--days", "7"]).trim().to_owned();
    assert!(token.starts_with("candor_"), "{token}");
    let listed = i.ok(&["actor", "tokens", "alice"]);
    assert!(listed.contains("in force") && !listed.contains(&token), "the secret is never listed: {listed}");

    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(i.path())
        .env_remove("CANDOR_CONFIG")
        // Re-check credentials every second and give clients two seconds
        // for their headers, so that the test waits little.
        .env("CANDOR_SERVER__CREDENTIAL_RECHECK_SECONDS", "1")
        .env("CANDOR_SERVER__HEADER_TIMEOUT_SECONDS", "2")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut err = BufReader::new(child.stderr.take().unwrap());
    // The line saying where it listens (a warning may come first, say
    // about a low `ulimit -n`).
    let mut line = String::new();
    while !line.contains("http://") {
        line.clear();
        assert!(err.read_line(&mut line).unwrap() > 0, "the server stopped before listening");
    }
    let addr = line.split("http://").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_else(|| panic!("{line}")).to_owned();

    assert_eq!(get(&addr, "/healthz", None).0, 200);
    let (status, body) = get(&addr, "/api/v1/policy/versions", Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"version\":1"), "{body}");
    let (status, body) = get(&addr, "/api/v1/policy/versions", None);
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("application/problem+json"), "{body}");

    // A token revoked before its first use is refused at once.
    let second = i.ok(&["actor", "token", "mark"]).trim().to_owned();
    i.ok(&["actor", "revoke", &second]);
    assert_eq!(get(&addr, "/api/v1/policy/versions", Some(&second)).0, 401);
    let again = i.fails(1, &["actor", "revoke", &second]);
    assert!(again.stderr.contains("no token"), "{}", again.stderr);

    // A browser session started from a token ends when `candor actor
    // revoke` revokes the token, within the re-check window.
    let third = i.ok(&["actor", "token", "alice"]).trim().to_owned();
    let body = format!("{{\"token\":\"{third}\"}}");
    let (status, started) = request(
        &addr,
        &format!(
            "POST /api/v1/session HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert_eq!(status, 201, "{started}");
    let cookie = started.lines().find_map(|l| l.strip_prefix("set-cookie: ")).and_then(|c| c.split(';').next()).unwrap().to_owned();
    let with_cookie = format!("GET /api/v1/policy/versions HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nConnection: close\r\n\r\n");
    assert_eq!(request(&addr, &with_cookie).0, 200);
    let id = third.strip_prefix("candor_").and_then(|t| t.split('_').next()).unwrap();
    i.ok(&["actor", "revoke", id]);
    std::thread::sleep(Duration::from_millis(1_500));
    let (status, refused) = request(&addr, &with_cookie);
    assert_eq!(status, 401, "{refused}");
    assert!(refused.contains("revoked"), "{refused}");

    // A client that started a request and went quiet does not hold the
    // stop up past its header deadline.
    let mut quiet = TcpStream::connect(&addr).unwrap();
    quiet.write_all(b"GET /healthz HTTP/1.1\r\nHost: quiet\r\n").unwrap();

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    let mut rest = String::new();
    err.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{status:?}: {rest}");
    assert!(rest.contains("stopped"), "{rest}");
    drop(quiet);
}

fn post(addr: &str, path: &str, token: &str, body: &str) -> (u16, String) {
    request(
        addr,
        &format!(
            "POST {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    )
}

#[test]
fn a_running_server_reads_and_writes_through_a_rotation_made_by_the_cli() {
    let i = Install::new().ready();
    let token = i.ok(&["actor", "token", "alice", "--days", "7"]).trim().to_owned();
    let before = i.customer("before@example.com");
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
    err.read_line(&mut line).unwrap();
    let addr = line.split("http://").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or_else(|| panic!("{line}")).to_owned();

    let rotated = i.ok(&["keys", "rotate"]);
    assert!(rotated.contains("retired k1"), "{rotated}");
    let (status, body) = get(&addr, &format!("/api/v1/subjects/{before}"), Some(&token));
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("before@example.com"), "{body}");
    let (status, body) = post(&addr, "/api/v1/subjects", &token, r#"{"email":"after@example.com"}"#);
    assert!((200..300).contains(&status), "{body}");
    let after = body.split("\"id\":\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_owned();
    let status = serde_json::from_str::<serde_json::Value>(&i.ok(&["keys", "status", "--json"])).unwrap();
    assert_eq!(status["keys"], serde_json::json!([{ "kek": "k2", "data_keys": 2 }]), "nothing wrapped under the retired key");

    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    assert!(child.wait().unwrap().success());
    for (id, email) in [(&before, "before@example.com"), (&after, "after@example.com")] {
        assert!(i.ok(&["subject", "show", id, "--purpose", "customer_service", "--as", "alice"]).contains(email), "{email}");
    }
    assert!(i.ok(&["audit", "verify"]).contains("intact"));
}
