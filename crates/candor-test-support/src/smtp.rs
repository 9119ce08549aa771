//! A real SMTP server for tests: aiosmtpd (PyPI) on a free loopback port,
//! writing each message it accepts to a directory as JSON (envelope,
//! headers, and the plain-text body decoded, so a test reads a code out of
//! it as a customer would). Recipients ending in a `reject` suffix are
//! refused with a permanent 550.
//!
//! Without aiosmtpd, [`SmtpServer::start`] returns `None` and says the test
//! is skipped, unless `CANDOR_TEST_REQUIRE_SMTP=1` (as `.ci/run` sets):
//! then it fails saying to install it.

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The aiosmtpd handler (also used by `.ci/e2e`).
const HANDLER: &str = include_str!("smtp_handler.py");

/// A running aiosmtpd; stopped when dropped.
pub struct SmtpServer {
    child: Child,
    dir: tempfile::TempDir,
    /// The loopback port it listens on.
    pub port: u16,
}

/// Whether a missing aiosmtpd fails the test instead of skipping it.
fn required() -> bool {
    std::env::var("CANDOR_TEST_REQUIRE_SMTP").is_ok_and(|v| v == "1")
}

fn available() -> bool {
    Command::new("python3").args(["-c", "import aiosmtpd"]).stdout(Stdio::null()).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// A loopback port nothing listens on (just now).
pub fn unused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("a free port");
    l.local_addr().expect("its address").port()
}

impl SmtpServer {
    /// Start one accepting every recipient; `None` (the test is skipped)
    /// without aiosmtpd.
    pub fn start() -> Option<Self> {
        Self::start_rejecting("")
    }

    /// Start one refusing recipients ending in `reject` with a 550.
    pub fn start_rejecting(reject: &str) -> Option<Self> {
        if !available() {
            assert!(
                !required(),
                "CANDOR_TEST_REQUIRE_SMTP=1 but python3 cannot import aiosmtpd: `pip install aiosmtpd` (or apt-get install python3-aiosmtpd)"
            );
            eprintln!("skipped: no SMTP server to test against (`pip install aiosmtpd` to run this test)");
            return None;
        }
        let dir = tempfile::tempdir().expect("a temporary directory");
        let out = dir.path().join("mail");
        std::fs::create_dir(&out).expect("the mail directory");
        std::fs::write(dir.path().join("candor_smtp_handler.py"), HANDLER).expect("the handler module");
        let port = unused_port();
        let listen = format!("127.0.0.1:{port}");
        let out = out.display().to_string();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &listen, "-c", "candor_smtp_handler.Handler", &out, reject])
            .env("PYTHONPATH", dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("python3 -m aiosmtpd");
        let server = Self { child, dir, port };
        server.wait_listening();
        Some(server)
    }

    fn wait_listening(&self) {
        let addr = SocketAddr::from(([127, 0, 0, 1], self.port));
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
            assert!(Instant::now() < deadline, "aiosmtpd did not start listening on port {}", self.port);
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `smtp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// The messages accepted so far, in order.
    pub fn messages(&self) -> Vec<serde_json::Value> {
        read_all(&self.out())
    }

    /// Wait (up to `within`) until at least `n` messages arrived; all of
    /// them.
    pub fn wait_for(&self, n: usize, within: Duration) -> Vec<serde_json::Value> {
        let deadline = Instant::now() + within;
        loop {
            let got = self.messages();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn read_all(dir: &Path) -> Vec<serde_json::Value> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the mail directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    files.iter().map(|p| serde_json::from_slice(&std::fs::read(p).expect("a message")).expect("a message as JSON")).collect()
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The first eight-digit word of `text`: a one-time code.
pub fn code_in(text: &str) -> Option<String> {
    text.split(|c: char| !c.is_ascii_digit()).find(|w| w.len() == 8).map(str::to_owned)
}
