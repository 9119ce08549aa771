//! `candor demo` as the README's first command: it builds and furnishes an
//! installation, serves it (on a free port when 8080 is taken) with
//! sign-in codes printed for every staff role and two customers (with
//! `--json`, in one document on standard output), and stops on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::candor;

fn healthz(addr: &str) -> u16 {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    s.write_all(format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes()).unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0)
}

#[test]
fn the_demo_serves_both_front_ends_with_codes_ready_and_a_free_port_when_8080_is_taken() {
    let dir = tempfile::tempdir().unwrap();
    // Hold 8080 while the demo starts, unless someone else does already:
    // either way the demo must find another port.
    let held = std::net::TcpListener::bind("127.0.0.1:8080").ok();
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .arg("demo")
        .current_dir(dir.path())
        .env_remove("CANDOR_LOG")
        .env_remove("CANDOR_KEK")
        .env_remove("CANDOR_ACTOR")
        .env_remove("CANDOR_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let ready = loop {
        let mut line = String::new();
        if out.read_line(&mut line).unwrap() == 0 {
            let mut err = String::new();
            child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
            panic!("the demo stopped before it was ready: {printed}{err}");
        }
        printed.push_str(&line);
        if line.starts_with("ready: ") {
            break line;
        }
    };
    eprintln!("ready after {:.1} s", started.elapsed().as_secs_f64());
    let base = ready.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| panic!("{ready}")).to_owned();
    // Links name localhost (passkeys need a host name); the server
    // listens on 127.0.0.1.
    let port = base.strip_prefix("http://localhost:").unwrap_or_else(|| panic!("{ready}")).to_owned();
    let addr = format!("127.0.0.1:{port}");
    assert_ne!(addr, "127.0.0.1:8080", "{ready}");

    // The story, then the furnishing, then where to sign in.
    for needle in ["audit chain intact", "carla (compliance) and adam (admin)", "granted personalization", "open for staff"] {
        assert!(printed.contains(needle), "no `{needle}` in: {printed}");
    }
    assert!(printed.contains(&format!("staff console   {base}/console\n")), "{printed}");
    assert!(printed.contains(&format!("privacy center  {base}/privacy\n")), "{printed}");
    for (actor, role) in [("alice", "agent"), ("ana", "analyst"), ("mark", "marketer"), ("carla", "compliance"), ("adam", "admin")] {
        let line = printed
            .lines()
            .find(|l| l.split_whitespace().next() == Some(actor) && l.contains("/console/code?challenge="))
            .unwrap_or_else(|| panic!("no sign-in for {actor}: {printed}"));
        assert!(line.contains(role) && line.ends_with(&format!("&actor={actor}")), "{line}");
        let code = line.split_whitespace().skip_while(|w| *w != "code").nth(1).unwrap();
        assert!(code.len() >= 6 && code.bytes().all(|b| b.is_ascii_alphanumeric()), "{line}");
    }
    let customers: Vec<&str> = printed.lines().filter(|l| l.contains("/privacy/code?challenge=")).collect();
    assert_eq!(customers.len(), 2, "{printed}");
    let link = customers[0].split_whitespace().last().unwrap();
    assert!(link.starts_with(&format!("{base}/privacy/code?challenge=")), "{link}");
    assert!(printed.trim_end().ends_with(ready.trim_end()), "the ready line comes last: {printed}");

    assert_eq!(healthz(&addr), 200);

    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = child.wait().unwrap();
    let mut err = String::new();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert!(status.success(), "{status:?}: {err}");
    assert!(err.contains("stopped"), "{err}");
    drop(held);

    // What it furnished stays for `candor serve`: requests and concerns
    // waiting for staff, through the CLI as staff see them.
    let site = dir.path().join("demo");
    let requests = candor(&site, &[], &["rights", "list", "--json"]).json();
    let open: Vec<&str> =
        requests.as_array().unwrap().iter().filter(|r| r["state"] != "completed").map(|r| r["type"].as_str().unwrap()).collect();
    for kind in ["access", "rectification", "erasure", "portability", "opt_out_sale_share", "restriction"] {
        assert!(open.contains(&kind), "no open {kind} request: {requests:#}");
    }
    let concerns = candor(&site, &[], &["concerns", "list", "--json"]).json();
    assert_eq!(concerns.as_array().unwrap().len(), 2, "{concerns:#}");
}

#[test]
fn the_demo_with_json_prints_the_story_links_and_codes_as_one_document_then_serves() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["demo", "--json"])
        .current_dir(dir.path())
        .env_remove("CANDOR_LOG")
        .env_remove("CANDOR_KEK")
        .env_remove("CANDOR_ACTOR")
        .env_remove("CANDOR_CONFIG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Standard output is the JSON alone; the ready line goes to standard error.
    let mut err = BufReader::new(child.stderr.take().unwrap());
    let mut said = String::new();
    let ready = loop {
        let mut line = String::new();
        assert!(err.read_line(&mut line).unwrap() > 0, "the demo stopped before it was ready: {said}");
        said.push_str(&line);
        if line.starts_with("ready: ") {
            break line;
        }
    };
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    assert!(child.wait().unwrap().success());
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"));
    let url = doc["url"].as_str().unwrap();
    assert!(ready.contains(url), "{ready} vs {url}");
    let roles: Vec<&str> = doc["console"]["sign_in"].as_array().unwrap().iter().map(|s| s["role"].as_str().unwrap()).collect();
    assert_eq!(roles, ["agent", "analyst", "marketer", "compliance", "admin"]);
    let customers = doc["privacy_center"]["sign_in"].as_array().unwrap();
    assert_eq!(customers.len(), 2);
    for c in customers {
        let link = c["link"].as_str().unwrap();
        assert_eq!(link, format!("{url}/privacy/code?challenge={}", c["challenge"].as_str().unwrap()));
        assert_eq!(c["code"].as_str().unwrap().len(), 8, "{c}");
    }
    assert!(doc["steps"].as_array().unwrap().iter().any(|s| s["step"] == "concerns"), "{doc:#}");
}
