//! The `candor` binary as a user runs it: a fresh installation per test,
//! commands run as child processes, exit codes and output checked.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "an integration test crate: helpers fail the test loudly")]

mod analytics;
mod bad_input;
mod concerns;
mod consent;
mod demo;
mod edges;
mod eval;
mod foundation;
mod import;
mod keys;
mod mail;
mod passkeys;
mod redact;
mod redact_stream;
mod rights;
mod serve;
mod times;
mod training;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh installation made with `candor init`, and a way to run commands
/// in it.
pub struct Install {
    /// Holds everything.
    pub dir: tempfile::TempDir,
    /// Extra environment for every command.
    pub env: Vec<(String, String)>,
}

/// The result of one command.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(o: Output) -> Self {
        Self {
            code: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }

    /// Standard output parsed as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

pub fn candor(cwd: &Path, env: &[(String, String)], args: &[&str]) -> Run {
    let mut c = Command::new(env!("CARGO_BIN_EXE_candor"));
    c.args(args).current_dir(cwd).env_remove("CANDOR_LOG").env_remove("CANDOR_KEK").env_remove("CANDOR_ACTOR").env_remove("CANDOR_CONFIG");
    for (k, v) in env {
        c.env(k, v);
    }
    Run::from(c.output().expect("run candor"))
}

impl Default for Install {
    fn default() -> Self {
        Self::with(&[], Vec::new())
    }
}

impl Install {
    /// `candor init` in a new directory.
    pub fn new() -> Self {
        Self::default()
    }

    /// `candor init` with extra arguments and environment.
    pub fn with(init_args: &[&str], env: Vec<(String, String)>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut args = vec!["init", "."];
        args.extend_from_slice(init_args);
        let r = candor(dir.path(), &env, &args);
        assert_eq!(r.code, 0, "init failed: {}{}", r.stdout, r.stderr);
        Self { dir, env }
    }

    /// The installation's directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A file in it.
    pub fn file(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Run a command in it.
    pub fn run(&self, args: &[&str]) -> Run {
        candor(self.path(), &self.env, args)
    }

    /// Run a command that must succeed; its standard output.
    pub fn ok(&self, args: &[&str]) -> String {
        let r = self.run(args);
        assert_eq!(r.code, 0, "`candor {}` failed ({}): {}{}", args.join(" "), r.code, r.stdout, r.stderr);
        r.stdout
    }

    /// Run a command that must exit with `code`.
    pub fn fails(&self, code: i32, args: &[&str]) -> Run {
        let r = self.run(args);
        assert_eq!(r.code, code, "`candor {}`: wanted exit {code}, got {}: {}{}", args.join(" "), r.code, r.stdout, r.stderr);
        r
    }

    /// Publish the example policy and add trained staff.
    pub fn ready(self) -> Self {
        self.ok(&["policy", "publish", "policy.toml"]);
        self.ok(&["actor", "add", "alice", "--role", "agent"]);
        self.ok(&["actor", "attest", "alice"]);
        self.ok(&["actor", "add", "mark", "--role", "marketer"]);
        self.ok(&["actor", "attest", "mark", "--days", "30"]);
        self
    }

    /// Add a customer; their id.
    pub fn customer(&self, email: &str) -> String {
        let handle = format!("x:@{}", email.split('@').next().unwrap_or("someone").replace('.', "_"));
        self.ok(&["subject", "add", "--email", email, "--handle", &handle, "--name", "Sam Someone"]).trim().to_owned()
    }
}
