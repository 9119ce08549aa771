//! `/metrics` scraped from a server on a real port, read as the
//! Prometheus text exposition format: every family has `# HELP` (with
//! text) and `# TYPE` before its samples, each once, and counters end in
//! `_total` — what `promtool check metrics` asks of it.

use std::collections::BTreeMap;

use candor_service::settings::EXAMPLE_CONFIG;
use candor_test_support::{Fixture, TestDb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

#[derive(Debug, Default)]
struct Family {
    help: Option<String>,
    kind: Option<String>,
    samples: usize,
}

/// The families of an exposition, or what is wrong with it.
fn families(text: &str) -> Result<BTreeMap<String, Family>, String> {
    let mut all: BTreeMap<String, Family> = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let at = || format!("line {}: {line:?}", n + 1);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# HELP ") {
            let (name, help) = rest.split_once(' ').ok_or_else(|| format!("HELP without text, {}", at()))?;
            let f = all.entry(name.to_owned()).or_default();
            if f.help.is_some() || f.samples > 0 {
                return Err(format!("HELP repeated or after the samples, {}", at()));
            }
            if help.trim().is_empty() {
                return Err(format!("empty HELP, {}", at()));
            }
            f.help = Some(help.to_owned());
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').ok_or_else(|| format!("TYPE without a type, {}", at()))?;
            if !["counter", "gauge", "histogram", "summary", "untyped"].contains(&kind) {
                return Err(format!("unknown type, {}", at()));
            }
            if kind == "counter" && !name.ends_with("_total") {
                return Err(format!("a counter's name should end in _total, {}", at()));
            }
            let f = all.entry(name.to_owned()).or_default();
            if f.kind.is_some() || f.samples > 0 {
                return Err(format!("TYPE repeated or after the samples, {}", at()));
            }
            f.kind = Some(kind.to_owned());
        } else if line.starts_with('#') {
            continue;
        } else {
            let name = line.split(['{', ' ']).next().unwrap_or_default();
            let value = line.rsplit(' ').next().unwrap_or_default();
            if !matches!(value, "+Inf" | "-Inf" | "NaN") && value.parse::<f64>().is_err() {
                return Err(format!("not a number, {}", at()));
            }
            // A histogram's or summary's samples carry suffixes.
            let family = ["_bucket", "_sum", "_count"]
                .iter()
                .filter_map(|s| name.strip_suffix(s))
                .find(|base| all.get(*base).and_then(|f| f.kind.as_deref()).is_some_and(|k| k == "histogram" || k == "summary"))
                .unwrap_or(name);
            let f = all.get_mut(family).ok_or_else(|| format!("a sample with neither HELP nor TYPE, {}", at()))?;
            if f.help.is_none() || f.kind.is_none() {
                return Err(format!("a sample before its family's HELP and TYPE, {}", at()));
            }
            f.samples += 1;
        }
    }
    Ok(all)
}

#[test]
fn the_reader_refuses_what_promtool_refuses() {
    let good = "# HELP a_total Things.\n# TYPE a_total counter\na_total{x=\"1\"} 3\n";
    assert_eq!(families(good).unwrap()["a_total"].samples, 1);
    for bad in [
        "# TYPE a_total counter\na_total 3\n",
        "# HELP a_total Things.\na_total 3\n",
        "# HELP a_total \n# TYPE a_total counter\na_total 3\n",
        "# HELP a Things.\n# TYPE a counter\na 3\n",
        "# HELP a_total Things.\n# TYPE a_total counter\na_total x\n",
        "b 1\n",
    ] {
        assert!(families(bad).is_err(), "{bad}");
    }
}

/// One GET on a new connection: the status line's code and the body.
async fn get(addr: std::net::SocketAddr, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8(out).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "{head}");
    (head.split_whitespace().nth(1).unwrap().parse().unwrap(), body.to_owned())
}

#[tokio::test]
async fn every_family_served_at_metrics_has_help_and_type() {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let settings = candor_service::Settings::from_text_in(EXAMPLE_CONFIG, f.dir()).unwrap();
    let state = candor_web::AppState::new(f.candor.clone(), settings).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(candor_web::serve(state, listener, async move {
        let _ = stopped.await;
    }));

    assert_eq!(get(addr, "/healthz").await.0, 200);
    assert_eq!(get(addr, "/api/v1/policy/versions").await.0, 401);
    let (status, body) = get(addr, "/metrics").await;
    assert_eq!(status, 200);
    let all = families(&body).unwrap_or_else(|e| panic!("{e}\n{body}"));
    for (name, kind) in [
        ("candor_http_requests_total", "counter"),
        ("candor_http_request_duration_seconds", "histogram"),
        ("candor_http_connections_open", "gauge"),
    ] {
        let f = all.get(name).unwrap_or_else(|| panic!("{name} missing:\n{body}"));
        assert_eq!(f.kind.as_deref(), Some(kind), "{name}");
        assert!(f.samples > 0, "{name}");
    }
    let _ = stop.send(());
}
