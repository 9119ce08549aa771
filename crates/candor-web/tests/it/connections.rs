//! The server over real TCP connections, against clients that open a
//! connection, start a request and never finish its headers (slowloris):
//! health checks still answer, and those connections are closed after
//! `server.header_timeout_seconds`.
//!
//! The test process holds both ends of every connection (two file
//! descriptors each); it raises its own open-file limit as far as the
//! hard limit allows, and uses fewer connections if even that is short
//! (saying so), rather than failing on a small `ulimit -n`.

use std::net::SocketAddr;
use std::time::Duration;

use candor_service::settings::EXAMPLE_CONFIG;
use candor_test_support::{Fixture, TestDb};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A server on a port of its own, stopped when this is dropped.
struct Served {
    state: candor_web::AppState,
    addr: SocketAddr,
    _stop: tokio::sync::oneshot::Sender<()>,
    _f: Fixture,
}

async fn serve(config: &str) -> Served {
    let f = Fixture::with_policy(TestDb::sqlite()).await;
    let settings = candor_service::Settings::from_text_in(config, f.dir()).unwrap();
    let state = candor_web::AppState::new(f.candor.clone(), settings).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(candor_web::serve(state.clone(), listener, async move {
        let _ = stopped.await;
    }));
    Served { state, addr, _stop: stop, _f: f }
}

/// `n` connections that each send the start of a request and stop.
async fn half_open(addr: SocketAddr, n: usize) -> Vec<TcpStream> {
    let mut v = Vec::with_capacity(n);
    for _ in 0..n {
        let mut s = TcpStream::connect(addr).await.unwrap();
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: slow\r\nX-Slow: ").await.unwrap();
        v.push(s);
    }
    v
}

/// GET /healthz on a new connection: the status, within `limit`.
async fn health(addr: SocketAddr, limit: Duration) -> Option<u16> {
    let attempt = async {
        let mut s = TcpStream::connect(addr).await.ok()?;
        s.write_all(b"GET /healthz HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n").await.ok()?;
        let mut out = Vec::new();
        s.read_to_end(&mut out).await.ok()?;
        String::from_utf8_lossy(&out).split_whitespace().nth(1)?.parse().ok()
    };
    tokio::time::timeout(limit, attempt).await.ok().flatten()
}

/// Whether every stream is closed by the server within `limit`.
async fn all_closed(streams: Vec<TcpStream>, limit: Duration) -> bool {
    let closing = async {
        for mut s in streams {
            let mut sink = Vec::new();
            // EOF or a reset: either way, closed.
            let _ = s.read_to_end(&mut sink).await;
        }
    };
    tokio::time::timeout(limit, closing).await.is_ok()
}

/// Raise the soft open-file limit to the hard one; how many descriptors
/// this process may then have open.
fn open_file_limit() -> u64 {
    use rustix::process::{getrlimit, setrlimit, Resource};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        let _ = setrlimit(Resource::Nofile, limit);
    }
    getrlimit(Resource::Nofile).current.unwrap_or(u64::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_half_open_connections_do_not_starve_health_checks_and_are_closed() {
    // Two descriptors a connection here (client and server), and room for
    // the rest of the process.
    let wanted = 3_000;
    let n = wanted.min(usize::try_from(open_file_limit().saturating_sub(200) / 2).unwrap_or(wanted));
    if n < wanted {
        eprintln!("the open-file limit allows {n} connections, not {wanted}: testing with {n}");
    }
    let config = EXAMPLE_CONFIG.replace("header_timeout_seconds = 10", "header_timeout_seconds = 2");
    let server = serve(&config).await;
    let slow = half_open(server.addr, n).await;
    assert_eq!(health(server.addr, Duration::from_secs(10)).await, Some(200), "health answers beside {n} half-open connections");
    // Each had two seconds for its headers; all go within a bounded wait.
    assert!(all_closed(slow, Duration::from_secs(30)).await, "half-open connections are closed after the header timeout");
    assert_eq!(health(server.addr, Duration::from_secs(10)).await, Some(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_max_connections_new_ones_wait_their_turn_and_are_then_served() {
    open_file_limit();
    let config = EXAMPLE_CONFIG
        .replace("max_connections = 4096", "max_connections = 50")
        .replace("header_timeout_seconds = 10", "header_timeout_seconds = 1");
    let server = serve(&config).await;
    let slow = half_open(server.addr, 200).await;
    // The first fifty are taken at once and held until their deadline;
    // the others wait in the backlog, holding nothing of the server's.
    let mut most = 0;
    for _ in 0..50 {
        most = most.max(server.state.open_connections());
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(most, 50, "the server holds `max_connections` at most, and fills them");
    // Each wave is closed after its second, so a health check queued
    // behind the rest is served within a few.
    assert_eq!(health(server.addr, Duration::from_secs(20)).await, Some(200));
    assert!(all_closed(slow, Duration::from_secs(30)).await);
    // The slots come back (the server's side closes just after the client sees it).
    let freed = async {
        while server.state.open_connections() > 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    };
    assert!(tokio::time::timeout(Duration::from_secs(10), freed).await.is_ok(), "{} still open", server.state.open_connections());
}
