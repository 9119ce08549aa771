//! `[mail]`: the SMTP server outbox messages to customers are mailed
//! through, and how failed deliveries are retried. Without the section,
//! `candor outbox deliver` prints messages for the operator to hand over.
//!
//! The password never sits in the file: it comes from
//! `CANDOR_MAIL__PASSWORD` alone (a `password` key in the file is refused),
//! is held as a [`SecretString`] and is never printed.

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::SettingsError;

/// The environment variable the SMTP password comes from.
pub const PASSWORD_ENV: &str = "CANDOR_MAIL__PASSWORD";

/// `[mail]` as written (and as `candor config show` lists it: the
/// password is never here, only in the environment).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MailSettings {
    /// `smtp://[USER@]HOST[:PORT]` (STARTTLS, port 587 by default) or
    /// `smtps://[USER@]HOST[:PORT]` (TLS from the start, port 465).
    pub url: String,
    /// The sender's address; the controller's name is its display name.
    pub from: String,
    /// PEM certificates of a private certificate authority to trust as
    /// well as the public ones.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// Seconds one SMTP exchange may take.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// Attempts per message before it is given up.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// Seconds before the second attempt; each later wait is twice the
    /// one before, up to `retry_max_seconds`.
    #[serde(default = "default_retry_initial")]
    pub retry_initial_seconds: u64,
    /// The longest wait between two attempts, in seconds.
    #[serde(default = "default_retry_max")]
    pub retry_max_seconds: u64,
    /// How often `candor serve` looks for messages due, in seconds.
    #[serde(default = "default_poll")]
    pub poll_seconds: u64,
    /// SMTP connections kept open, each with one message in flight.
    #[serde(default = "default_connections")]
    pub connections: u32,
    /// Only here to refuse a password written in the file.
    #[serde(default, skip_serializing)]
    password: Option<serde::de::IgnoredAny>,
}

fn default_timeout() -> u64 {
    30
}
fn default_max_attempts() -> u32 {
    8
}
fn default_retry_initial() -> u64 {
    60
}
fn default_retry_max() -> u64 {
    3_600
}
fn default_poll() -> u64 {
    5
}
fn default_connections() -> u32 {
    DEFAULT_CONNECTIONS
}

/// Connections to the SMTP server unless `[mail] connections` says: few
/// enough for a provider that limits them, and enough to keep mailing while
/// each connection waits for its answers.
pub const DEFAULT_CONNECTIONS: u32 = 16;
/// The most `[mail] connections` may ask for.
pub const MAX_CONNECTIONS: u32 = 256;

/// How the connection to the SMTP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TlsMode {
    /// `smtps://`: TLS from the first byte.
    Implicit,
    /// `smtp://` to another machine: STARTTLS, and no mail if the server
    /// does not offer it.
    StartTlsRequired,
    /// `smtp://` to a loopback address: STARTTLS when the server offers
    /// it, plain otherwise (nothing leaves the machine).
    StartTlsOpportunistic,
}

/// The TLS an `smtp` or `smtps` URL to `host` gets: plain text is only
/// ever allowed to a loopback address.
pub fn tls_mode(implicit: bool, host: &str) -> TlsMode {
    if implicit {
        TlsMode::Implicit
    } else if is_loopback(host) {
        TlsMode::StartTlsOpportunistic
    } else {
        TlsMode::StartTlsRequired
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host.trim_start_matches('[').trim_end_matches(']').parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// How failed deliveries are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per message before it is given up.
    pub max_attempts: u32,
    /// The wait after the first failed attempt.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
}

impl RetryPolicy {
    /// The wait before the next attempt of a message that has failed
    /// `attempts` times, or `None` when it is to be given up.
    pub fn next_wait(&self, attempts: u32) -> Option<Duration> {
        if attempts >= self.max_attempts {
            return None;
        }
        let doublings = attempts.saturating_sub(1).min(31);
        Some(self.initial.saturating_mul(1 << doublings).min(self.max))
    }
}

/// `[mail]` checked: where to connect, as whom, and how to retry.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// The server's host name or address (IPv6 without brackets).
    pub host: String,
    /// Its port.
    pub port: u16,
    /// How the connection is protected.
    pub tls: TlsMode,
    /// The user name to authenticate as, from the URL.
    pub user: Option<String>,
    /// The password, from [`PASSWORD_ENV`].
    pub password: Option<SecretString>,
    /// The sender's address.
    pub from: String,
    /// Extra trusted certificates (PEM).
    pub ca_pem: Option<Vec<u8>>,
    /// Time one SMTP exchange may take.
    pub timeout: Duration,
    /// Retries.
    pub retry: RetryPolicy,
    /// How often `candor serve` delivers.
    pub poll: Duration,
    /// SMTP connections in the pool, and so messages in flight at once.
    pub connections: u32,
}

fn invalid(message: String) -> SettingsError {
    SettingsError::Invalid(message)
}

impl MailSettings {
    /// Check the section; `password` is the value of [`PASSWORD_ENV`].
    pub fn check(&self, password: Option<SecretString>) -> Result<MailConfig, SettingsError> {
        if self.password.is_some() {
            return Err(invalid(format!(
                "`mail.password` must not be written in the configuration file: set the environment variable {PASSWORD_ENV} instead"
            )));
        }
        let (implicit, user, host, port) = parse_url(&self.url)?;
        if password.is_some() && user.is_none() {
            return Err(invalid(format!(
                "{PASSWORD_ENV} is set but `mail.url` names no user to sign in as: write it as smtp://USER@HOST:PORT"
            )));
        }
        if user.is_some() && password.is_none() {
            return Err(invalid(format!("`mail.url` names a user but {PASSWORD_ENV} (their password) is not set")));
        }
        let from = self.from.trim();
        if from.parse::<lettre::Address>().is_err() {
            return Err(invalid(format!(
                "`mail.from` must be an e-mail address such as privacy@northwind.example, not `{from}` (the controller's name is added as its display name)"
            )));
        }
        if self.max_attempts == 0 || self.retry_initial_seconds == 0 || self.timeout_seconds == 0 || self.poll_seconds == 0 {
            return Err(invalid(
                "`mail`: `max_attempts`, `retry_initial_seconds`, `timeout_seconds` and `poll_seconds` must be at least 1".into(),
            ));
        }
        if !(1..=MAX_CONNECTIONS).contains(&self.connections) {
            return Err(invalid(format!("`mail.connections` must be from 1 to {MAX_CONNECTIONS}, not {}", self.connections)));
        }
        if self.retry_max_seconds < self.retry_initial_seconds {
            return Err(invalid("`mail.retry_max_seconds` must be at least `mail.retry_initial_seconds`".into()));
        }
        let ca_pem = match &self.ca_file {
            None => None,
            Some(path) => Some(std::fs::read(path).map_err(|source| SettingsError::Unreadable {
                setting: "mail.ca_file",
                path: path.clone(),
                source,
            })?),
        };
        Ok(MailConfig {
            tls: tls_mode(implicit, &host),
            host,
            port,
            user,
            password,
            from: from.to_owned(),
            ca_pem,
            timeout: Duration::from_secs(self.timeout_seconds),
            retry: RetryPolicy {
                max_attempts: self.max_attempts,
                initial: Duration::from_secs(self.retry_initial_seconds),
                max: Duration::from_secs(self.retry_max_seconds),
            },
            poll: Duration::from_secs(self.poll_seconds),
            connections: self.connections,
        })
    }

    pub(super) fn resolve_paths(&mut self, base: &Path) {
        if let Some(ca) = self.ca_file.as_mut().filter(|c| c.is_relative()) {
            *ca = base.join(&*ca);
        }
    }
}

/// `smtp[s]://[USER@]HOST[:PORT][/]` into (implicit TLS, user, host, port).
fn parse_url(url: &str) -> Result<(bool, Option<String>, String, u16), SettingsError> {
    let bad = |why: &str| invalid(format!("`mail.url`: {why} (write smtp://HOST:PORT or smtps://HOST:PORT)"));
    let (scheme, rest) = url.trim().split_once("://").ok_or_else(|| bad("not a URL"))?;
    let implicit = match scheme.to_ascii_lowercase().as_str() {
        "smtp" => false,
        "smtps" => true,
        other => return Err(bad(&format!("the scheme must be smtp or smtps, not `{other}`"))),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) {
        return Err(bad("a path, query or fragment has no meaning here"));
    }
    let (user, hostport) = match rest.rsplit_once('@') {
        Some((user, hostport)) => {
            if user.contains(':') {
                return Err(invalid(format!("`mail.url` must not carry a password: set the environment variable {PASSWORD_ENV} instead")));
            }
            if user.is_empty() {
                return Err(bad("the user name before `@` is empty"));
            }
            (Some(user.to_owned()), hostport)
        }
        None => (None, rest),
    };
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']').ok_or_else(|| bad("an IPv6 address without its closing `]`"))?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Err(bad(&format!("`{host}` is not an IPv6 address")));
        }
        match after {
            "" => (host, None),
            _ => (host, Some(after.strip_prefix(':').ok_or_else(|| bad("something other than `:PORT` after the address"))?)),
        }
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    if host.is_empty() || host.contains(|c: char| c.is_whitespace() || c == ':' && !hostport.starts_with('[')) {
        return Err(bad("no host name"));
    }
    let port = match port {
        None => {
            if implicit {
                465
            } else {
                587
            }
        }
        Some(p) => p.parse::<u16>().ok().filter(|p| *p != 0).ok_or_else(|| bad(&format!("`{p}` is not a port number")))?,
    };
    Ok((implicit, user, host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str, from: &str) -> MailSettings {
        toml::from_str(&format!("url = {url:?}\nfrom = {from:?}\n")).unwrap()
    }

    fn check(url: &str) -> Result<MailConfig, String> {
        settings(url, "privacy@northwind.example").check(None).map_err(|e| e.to_string())
    }

    #[test]
    fn plain_smtp_is_only_allowed_to_a_loopback_address() {
        assert_eq!(tls_mode(false, "mail.northwind.example"), TlsMode::StartTlsRequired);
        assert_eq!(tls_mode(false, "192.0.2.7"), TlsMode::StartTlsRequired);
        assert_eq!(tls_mode(false, "127.0.0.1"), TlsMode::StartTlsOpportunistic);
        assert_eq!(tls_mode(false, "::1"), TlsMode::StartTlsOpportunistic);
        assert_eq!(tls_mode(false, "LocalHost"), TlsMode::StartTlsOpportunistic);
        assert_eq!(tls_mode(true, "localhost"), TlsMode::Implicit);
        assert_eq!(check("smtp://mail.northwind.example:25").unwrap().tls, TlsMode::StartTlsRequired);
        assert_eq!(check("smtp://[::1]:2525").unwrap().tls, TlsMode::StartTlsOpportunistic);
    }

    #[test]
    fn urls_give_host_port_and_user_with_defaults_per_scheme() {
        let c = check("smtp://mail.example").unwrap();
        assert_eq!((c.host.as_str(), c.port, c.user), ("mail.example", 587, None));
        let c = check("smtps://mail.example/").unwrap();
        assert_eq!((c.port, c.tls), (465, TlsMode::Implicit));
        let c = settings("smtp://relay@[::1]:2525", "a@b.example").check(Some(SecretString::from("pw"))).unwrap();
        assert_eq!((c.host.as_str(), c.port, c.user.as_deref()), ("::1", 2525, Some("relay")));
    }

    #[test]
    fn bad_values_are_refused_naming_the_key() {
        for (url, says) in [
            ("http://mail.example", "the scheme must be smtp or smtps, not `http`"),
            ("mail.example:25", "not a URL"),
            ("smtp://mail.example:99999", "`99999` is not a port number"),
            ("smtp://:25", "no host name"),
            ("smtp://mail.example/x", "path"),
            ("smtp://bob:hunter2@mail.example", "must not carry a password"),
        ] {
            let e = check(url).unwrap_err();
            assert!(e.contains("`mail.url`") && e.contains(says), "{url}: {e}");
            assert!(!e.contains("hunter2"), "{e}");
        }
        let e = settings("smtp://localhost:25", "Northwind").check(None).unwrap_err().to_string();
        assert!(e.contains("`mail.from`") && e.contains("`Northwind`"), "{e}");
        let e = settings("smtp://localhost:25", "a@b.example").check(Some(SecretString::from("pw"))).unwrap_err().to_string();
        assert!(e.contains("names no user") && !e.contains("pw"), "{e}");
        let e = settings("smtp://u@localhost:25", "a@b.example").check(None).unwrap_err().to_string();
        assert!(e.contains(PASSWORD_ENV), "{e}");
        for n in [0, MAX_CONNECTIONS + 1] {
            let s: MailSettings =
                toml::from_str(&format!("url = \"smtp://localhost\"\nfrom = \"a@b.example\"\nconnections = {n}\n")).unwrap();
            let e = s.check(None).unwrap_err().to_string();
            assert!(e.contains("`mail.connections`") && e.contains(&n.to_string()), "{e}");
        }
    }

    #[test]
    fn connections_default_to_sixteen_and_can_be_raised() {
        assert_eq!(check("smtp://localhost").unwrap().connections, DEFAULT_CONNECTIONS);
        let s: MailSettings = toml::from_str("url = \"smtp://localhost\"\nfrom = \"a@b.example\"\nconnections = 64\n").unwrap();
        assert_eq!(s.check(None).unwrap().connections, 64);
    }

    #[test]
    fn a_password_in_the_file_is_refused_saying_where_it_goes() {
        let s: MailSettings = toml::from_str("url = \"smtp://u@localhost:25\"\nfrom = \"a@b.example\"\npassword = \"hunter2\"\n").unwrap();
        let e = s.check(Some(SecretString::from("x"))).unwrap_err().to_string();
        assert!(e.contains("`mail.password`") && e.contains(PASSWORD_ENV) && !e.contains("hunter2"), "{e}");
    }

    #[test]
    fn back_off_doubles_up_to_the_cap_then_gives_up() {
        let r = RetryPolicy { max_attempts: 5, initial: Duration::from_secs(60), max: Duration::from_secs(200) };
        let waits: Vec<_> = (1..=5).map(|n| r.next_wait(n).map(|d| d.as_secs())).collect();
        assert_eq!(waits, [Some(60), Some(120), Some(200), Some(200), None]);
    }
}
