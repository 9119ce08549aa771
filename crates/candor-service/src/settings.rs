//! Configuration: built-in defaults, then `candor.toml`, then `CANDOR_`
//! environment variables with `__` between levels
//! (`CANDOR_DATABASE__URL`). Relative paths in the file are taken relative
//! to the file's directory, so a command run from anywhere with
//! `--config DIR/candor.toml` finds the same database and keys.

use std::fmt;
use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

pub mod mail;
pub use mail::{MailConfig, MailSettings};

/// The example configuration `candor init` writes.
pub const EXAMPLE_CONFIG: &str = include_str!("../data/candor.example.toml");

/// The file name commands look for in the current directory.
pub const CONFIG_FILE: &str = "candor.toml";

/// Everything candor is configured with.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Where data lives.
    pub database: DatabaseSettings,
    /// Where keys live.
    pub keys: KeySettings,
    /// Privacy thresholds.
    pub privacy: PrivacySettings,
    /// The HTTP server.
    pub server: ServerSettings,
    /// The audit chain.
    pub audit: AuditSettings,
    /// Analytics.
    #[serde(default)]
    pub analytics: AnalyticsSettings,
    /// Imports.
    #[serde(default)]
    pub import: ImportSettings,
    /// Customers' identifiers.
    #[serde(default)]
    pub identity: IdentitySettings,
    /// Mail; messages are printed for the operator without it.
    #[serde(default)]
    pub mail: Option<MailSettings>,
    /// Staff training.
    #[serde(default)]
    pub training: TrainingSettings,
}

/// Where the staff course lives.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingSettings {
    /// The course directory: Markdown chapters and `quiz.toml`.
    pub dir: PathBuf,
}

impl Default for TrainingSettings {
    fn default() -> Self {
        Self { dir: PathBuf::from("training") }
    }
}

/// How customers' identifiers are read.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IdentitySettings {
    /// The country (ISO 3166-1 alpha-2, `GB`) whose calling code a phone
    /// number written without one (`07700 900123`) is taken in: by CRM
    /// imports, `subject add|find` and the API. Unset, such a number is
    /// refused with a hint to write `+CC` or set this.
    #[serde(default)]
    pub default_region: Option<String>,
}

/// Imports: how large one record of an input may be. A larger one is
/// quarantined as it is read, without being held in memory.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ImportSettings {
    /// Bytes of one record (a CSV record with all its lines, a JSON line).
    #[serde(default = "default_record_bytes")]
    pub max_record_bytes: usize,
    /// Bytes of one X API v2 response (a line, or a pretty-printed
    /// document), which is parsed whole.
    #[serde(default = "default_document_bytes")]
    pub max_document_bytes: usize,
    /// Line breaks one quoted CSV field may hold; more, and its quote is
    /// taken as never closed.
    #[serde(default = "default_field_lines")]
    pub max_field_lines: usize,
}

fn default_record_bytes() -> usize {
    candor_ingest::Limits::default().record_bytes
}
fn default_document_bytes() -> usize {
    candor_ingest::Limits::default().document_bytes
}
fn default_field_lines() -> usize {
    candor_ingest::Limits::default().field_lines
}

impl Default for ImportSettings {
    fn default() -> Self {
        Self {
            max_record_bytes: default_record_bytes(),
            max_document_bytes: default_document_bytes(),
            max_field_lines: default_field_lines(),
        }
    }
}

impl ImportSettings {
    /// The limits an import reads with.
    pub fn limits(&self) -> candor_ingest::Limits {
        candor_ingest::Limits {
            record_bytes: self.max_record_bytes.max(1024),
            document_bytes: self.max_document_bytes.max(1024),
            field_lines: self.max_field_lines,
        }
    }
}

/// The database.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseSettings {
    /// `sqlite://FILE` or `postgres://…`; may carry a password, which
    /// serializing leaves out.
    #[serde(serialize_with = "url_without_password")]
    pub url: SecretString,
    /// PostgreSQL schema.
    pub schema: Option<String>,
    /// Pool size.
    pub max_connections: Option<u32>,
}

fn url_without_password<S: serde::Serializer>(url: &SecretString, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&redact_url(url.expose_secret()))
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(self.url.expose_secret()))
            .field("schema", &self.schema)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// Keys.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KeySettings {
    /// The key directory.
    pub dir: PathBuf,
}

/// Privacy thresholds.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySettings {
    /// Minimum distinct subjects per analytics cell.
    pub k_anonymity: u32,
    /// Epsilon each actor may spend on differentially private queries per
    /// calendar month.
    pub dp_epsilon_per_month: f64,
    /// Rows one subject may add to a differentially private result.
    pub dp_max_contributions: u32,
}

/// The HTTP server.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServerSettings {
    /// Listen address.
    pub addr: String,
    /// The address people reach the server at; an `https://` one marks
    /// session cookies `Secure`. Staff passkeys belong to its host name
    /// (see [`crate::passkeys::RelyingParty`]).
    #[serde(default)]
    pub public_url: Option<String>,
    /// Largest request body accepted, in bytes.
    #[serde(default = "default_body_limit")]
    pub body_limit_bytes: usize,
    /// Longest a request may take, in seconds.
    #[serde(default = "default_timeout")]
    pub timeout_seconds: u64,
    /// Requests a second one API token or staff session may make (bursts
    /// of twice as many).
    #[serde(default = "default_rate_token")]
    pub rate_per_token: u32,
    /// Requests a second one IP address may make without a valid
    /// credential (signing in, and anything with an unknown token or
    /// cookie), bursts of twice as many. Health checks are not limited.
    #[serde(default = "default_rate_ip")]
    pub rate_per_ip: u32,
    /// Failed authentications (an unknown token or cookie, a wrong token at
    /// session start, a wrong sign-in code) one IP address may make a
    /// minute; past that, its credentials are not checked and it is
    /// answered 429 until it has cooled down.
    #[serde(default = "default_failed_auth")]
    pub failed_auth_per_minute: u32,
    /// Sign-in codes one e-mail address may be sent in 15 minutes, however
    /// many requests name it.
    #[serde(default = "default_sign_in_per_address")]
    pub sign_in_per_address: u32,
    /// How long a checked token or session is trusted before it is checked
    /// again: a revoked or expired token (and the sessions started from
    /// it), a removed actor or a changed role takes effect within this
    /// many seconds (0: every request checks; at most 60).
    #[serde(default = "default_credential_recheck")]
    pub credential_recheck_seconds: u64,
    /// Connections served at once; more wait in the listen backlog until
    /// one closes. Keep it under the process's open-file limit
    /// (`ulimit -n`), which `candor serve` raises as far as it may.
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
    /// Seconds a client has to send a request's headers (and an idle
    /// keep-alive connection to start its next request) before the
    /// connection is closed.
    #[serde(default = "default_header_timeout")]
    pub header_timeout_seconds: u64,
    /// Where access and portability bundles requested over the API are
    /// written.
    #[serde(default = "default_exports")]
    pub exports_dir: PathBuf,
    /// Reverse proxies in front of the server, by address: from a request
    /// they pass on, the client is the last address of `X-Forwarded-For`
    /// that is not one of them. Empty (the default), `X-Forwarded-For` is
    /// ignored: anyone can write it.
    #[serde(default)]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Which roles may call which operations, over the built-in defaults
    /// (the README lists the operations and their default roles).
    #[serde(default)]
    pub operations: std::collections::BTreeMap<String, Vec<String>>,
}

fn default_body_limit() -> usize {
    64 * 1024
}
fn default_timeout() -> u64 {
    30
}
fn default_rate_token() -> u32 {
    5_000
}
fn default_rate_ip() -> u32 {
    20
}
fn default_failed_auth() -> u32 {
    30
}
fn default_sign_in_per_address() -> u32 {
    5
}
fn default_credential_recheck() -> u64 {
    5
}
fn default_max_connections() -> u32 {
    4_096
}
fn default_header_timeout() -> u64 {
    10
}
fn default_exports() -> PathBuf {
    PathBuf::from("exports")
}

/// The audit chain.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Checkpoint interval, in entries.
    pub checkpoint_every: u32,
    /// The file signed heads are appended to after every write, outside
    /// the database; `audit-witness` in the key directory when absent,
    /// none when `off` (see [`Settings::audit_witness`]).
    #[serde(default)]
    pub witness: Option<PathBuf>,
}

/// The value of `audit.witness` that turns witnessing off.
pub const WITNESS_OFF: &str = "off";

/// Analytics.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AnalyticsSettings {
    /// A theme taxonomy file; the built-in customer-care taxonomy when
    /// absent.
    pub themes: Option<PathBuf>,
    /// The first-response target of brand accounts without their own, in
    /// minutes (service-level attainment).
    #[serde(default = "default_response_target")]
    pub response_target_minutes: u32,
    /// First-response targets per brand account (handle without `@`), in
    /// minutes.
    #[serde(default)]
    pub response_targets: std::collections::BTreeMap<String, u32>,
}

fn default_response_target() -> u32 {
    60
}

impl Default for AnalyticsSettings {
    fn default() -> Self {
        Self { themes: None, response_target_minutes: default_response_target(), response_targets: Default::default() }
    }
}

/// Why configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// No configuration file where one was expected.
    #[error("no configuration at `{0}`; run `candor init` there, or pass `--config FILE`")]
    Missing(PathBuf),
    /// The file or an environment variable holds a bad value.
    #[error("invalid configuration: {0}")]
    Invalid(String),
    /// A file a setting names cannot be read.
    #[error("invalid configuration: `{setting}`: could not read `{}`", path.display())]
    Unreadable {
        /// the setting
        setting: &'static str,
        /// the file it names
        path: PathBuf,
        /// the file system's error
        #[source]
        source: std::io::Error,
    },
}

use candor_analytics::themes::Taxonomy;
use candor_domain::PhoneRegion;
pub use candor_store::redact_url;
pub use explain::{EffectiveSetting, SettingSource};

mod explain;

impl Settings {
    /// Load `path` over the defaults, then the environment.
    pub fn load(path: &Path) -> Result<Self, SettingsError> {
        if !path.is_file() {
            return Err(SettingsError::Missing(path.to_owned()));
        }
        Self::from_figment(&figment(path), path)
    }

    fn from_figment(figment: &Figment, path: &Path) -> Result<Self, SettingsError> {
        let mut s: Settings = figment.extract().map_err(|e| SettingsError::Invalid(describe(&e)))?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        s.resolve_paths(&base);
        s.validate()?;
        Ok(s)
    }

    /// The region national phone numbers are taken in
    /// (`identity.default_region`), if one is set; [`Settings::load`] has
    /// checked that it is one.
    pub fn phone_region(&self) -> Option<PhoneRegion> {
        self.identity.default_region.as_deref().and_then(|r| PhoneRegion::parse(r).ok())
    }

    fn validate(&self) -> Result<(), SettingsError> {
        let s = self;
        if s.privacy.k_anonymity < 2 {
            return Err(SettingsError::Invalid("`privacy.k_anonymity` must be at least 2".into()));
        }
        if !(s.privacy.dp_epsilon_per_month.is_finite() && s.privacy.dp_epsilon_per_month >= 0.0) {
            return Err(SettingsError::Invalid("`privacy.dp_epsilon_per_month` must be a number of at least 0".into()));
        }
        if s.privacy.dp_max_contributions == 0 {
            return Err(SettingsError::Invalid("`privacy.dp_max_contributions` must be at least 1".into()));
        }
        let v = &s.server;
        if v.rate_per_token == 0
            || v.rate_per_ip == 0
            || v.failed_auth_per_minute == 0
            || v.sign_in_per_address == 0
            || v.body_limit_bytes < 1024
            || v.timeout_seconds == 0
        {
            return Err(SettingsError::Invalid(
                "`server`: rate limits and the timeout must be at least 1, the body limit at least 1024 bytes".into(),
            ));
        }
        if v.credential_recheck_seconds > 60 {
            return Err(SettingsError::Invalid(
                "`server.credential_recheck_seconds` must be at most 60: a revoked token keeps working that long".into(),
            ));
        }
        if v.max_connections == 0 || !(1..=300).contains(&v.header_timeout_seconds) {
            return Err(SettingsError::Invalid(
                "`server`: `max_connections` must be at least 1 and `header_timeout_seconds` from 1 to 300".into(),
            ));
        }
        if let Some(region) = &s.identity.default_region {
            PhoneRegion::parse(region).map_err(|e| SettingsError::Invalid(format!("`identity.default_region`: {e}")))?;
        }
        if s.audit.checkpoint_every == 0 {
            return Err(SettingsError::Invalid("`audit.checkpoint_every` must be at least 1".into()));
        }
        s.mail_config()?;
        Ok(())
    }

    /// `[mail]` checked, with the password from `CANDOR_MAIL__PASSWORD`;
    /// `None` without the section.
    pub fn mail_config(&self) -> Result<Option<MailConfig>, SettingsError> {
        let password = std::env::var(mail::PASSWORD_ENV).ok().filter(|p| !p.is_empty()).map(SecretString::from);
        self.mail.as_ref().map(|m| m.check(password)).transpose()
    }

    /// The theme taxonomy: the file `analytics.themes` names, or the
    /// built-in customer-care one. Its order is the order of the theme bits
    /// stored with each interaction.
    pub fn themes(&self) -> Result<Taxonomy, SettingsError> {
        match &self.analytics.themes {
            None => Ok(Taxonomy::default_customer_care()),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Unreadable {
                    setting: "analytics.themes",
                    path: path.clone(),
                    source,
                })?;
                Taxonomy::parse(&text, &path.display().to_string()).map_err(|e| SettingsError::Invalid(e.to_string()))
            }
        }
    }

    /// The audit witness: `audit.witness`, `audit-witness` in the key
    /// directory when unset, `None` when `off`.
    pub fn audit_witness(&self) -> Option<PathBuf> {
        match &self.audit.witness {
            None => Some(self.keys.dir.join(candor_store::audit::witness::DEFAULT_FILE)),
            Some(p) if p.as_os_str().is_empty() || p.as_os_str() == WITNESS_OFF => None,
            Some(p) => Some(p.clone()),
        }
    }

    /// The first-response targets, per brand account and by default.
    pub fn service_levels(&self) -> crate::analytics::ServiceLevels {
        let a = &self.analytics;
        crate::analytics::ServiceLevels {
            default_seconds: i64::from(a.response_target_minutes) * 60,
            accounts: a
                .response_targets
                .iter()
                .map(|(account, minutes)| (account.trim_start_matches('@').to_lowercase(), i64::from(*minutes) * 60))
                .collect(),
        }
    }

    /// Settings from configuration text that is about to be written to
    /// `dir` (by `candor init`), with the environment applied.
    pub fn from_text_in(text: &str, dir: &Path) -> Result<Self, SettingsError> {
        let figment = Figment::from(Toml::string(EXAMPLE_CONFIG)).merge(Toml::string(text)).merge(env());
        let mut s: Settings = figment.extract().map_err(|e| SettingsError::Invalid(describe(&e)))?;
        s.resolve_paths(dir);
        s.validate()?;
        Ok(s)
    }

    /// The SQLite database file, when the database is one.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        let url = self.database.url.expose_secret();
        let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
        let file = rest.split('?').next().unwrap_or(rest);
        (!file.is_empty() && file != ":memory:").then(|| PathBuf::from(file))
    }

    fn resolve_paths(&mut self, base: &Path) {
        if self.keys.dir.is_relative() {
            self.keys.dir = base.join(&self.keys.dir);
        }
        if let Some(w) =
            self.audit.witness.as_mut().filter(|w| w.is_relative() && !w.as_os_str().is_empty() && w.as_os_str() != WITNESS_OFF)
        {
            *w = base.join(&*w);
        }
        if self.server.exports_dir.is_relative() {
            self.server.exports_dir = base.join(&self.server.exports_dir);
        }
        if self.training.dir.is_relative() {
            self.training.dir = base.join(&self.training.dir);
        }
        if let Some(themes) = self.analytics.themes.as_mut().filter(|t| t.is_relative()) {
            *themes = base.join(&*themes);
        }
        if let Some(mail) = self.mail.as_mut() {
            mail.resolve_paths(base);
        }
        let url = self.database.url.expose_secret();
        for prefix in ["sqlite://", "sqlite:"] {
            if let Some(rest) = url.strip_prefix(prefix) {
                let file = rest.split('?').next().unwrap_or(rest);
                if !file.is_empty() && file != ":memory:" && Path::new(file).is_relative() {
                    let resolved = format!("sqlite://{}{}", base.join(file).display(), &rest[file.len()..]);
                    self.database.url = SecretString::from(resolved);
                }
                break;
            }
        }
    }
}

/// The defaults, then the file at `path`, then the environment.
fn figment(path: &Path) -> Figment {
    Figment::from(Toml::string(EXAMPLE_CONFIG)).merge(Toml::file(path)).merge(env())
}

/// `CANDOR_SECTION__KEY` variables. Only nested names are settings:
/// `CANDOR_KEK`, `CANDOR_ACTOR`, `CANDOR_CONFIG` and
/// `CANDOR_TEST_DATABASE_URL` are read elsewhere, and so is
/// `CANDOR_MAIL__PASSWORD` (see [`Settings::mail_config`]), which must not
/// pass for a password written in the file.
fn env() -> Env {
    Env::prefixed("CANDOR_").filter(|k| k.as_str().contains("__") && !k.as_str().eq_ignore_ascii_case("mail__password")).split("__")
}

/// figment's errors name the key and the source; keep them, one a line.
fn describe(e: &figment::Error) -> String {
    e.clone().into_iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_are_taken_from_the_config_file_directory() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.toml");
        std::fs::write(&path, EXAMPLE_CONFIG).unwrap();
        let s = Settings::load(&path).unwrap();
        assert_eq!(s.keys.dir, dir.path().join("keys"));
        assert_eq!(s.database.url.expose_secret(), &format!("sqlite://{}", dir.path().join("candor.db").display()));
        assert_eq!(s.privacy.k_anonymity, 5);
    }

    #[test]
    fn the_audit_witness_defaults_to_the_key_directory_and_can_be_moved_or_turned_off() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.toml");
        std::fs::write(&path, EXAMPLE_CONFIG).unwrap();
        assert_eq!(Settings::load(&path).unwrap().audit_witness(), Some(dir.path().join("keys/audit-witness")));
        std::fs::write(&path, "[audit]\ncheckpoint_every = 10\nwitness = \"elsewhere/w\"\n").unwrap();
        assert_eq!(Settings::load(&path).unwrap().audit_witness(), Some(dir.path().join("elsewhere/w")));
        std::fs::write(&path, "[audit]\ncheckpoint_every = 10\nwitness = \"off\"\n").unwrap();
        assert_eq!(Settings::load(&path).unwrap().audit_witness(), None);
    }

    #[test]
    fn a_typo_in_the_file_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.toml");
        std::fs::write(&path, "[privacy]\nk_anonimity = 3\n").unwrap();
        let e = Settings::load(&path).unwrap_err().to_string();
        assert!(e.contains("k_anonimity"), "{e}");
        std::fs::write(&path, "[privacy]\nk_anonymity = 1\n").unwrap();
        assert!(Settings::load(&path).unwrap_err().to_string().contains("at least 2"));
        assert!(matches!(Settings::load(&dir.path().join("nope.toml")), Err(SettingsError::Missing(_))));
    }

    #[test]
    fn an_unreadable_themes_file_is_named_with_the_reason_as_its_cause() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("candor.toml");
        std::fs::write(&path, "[analytics]\nthemes = \"gone.toml\"\n").unwrap();
        let err = Settings::load(&path).unwrap().themes().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("invalid configuration: `analytics.themes`: could not read `{}`", dir.path().join("gone.toml").display())
        );
        let cause = std::error::Error::source(&err).and_then(|c| c.downcast_ref::<std::io::Error>()).map(std::io::Error::kind);
        assert_eq!(cause, Some(std::io::ErrorKind::NotFound));
    }

    #[test]
    fn passwords_stay_out_of_debug_output() {
        let s = DatabaseSettings { url: SecretString::from("postgres://bob:hunter2@db/x"), schema: None, max_connections: None };
        assert!(!format!("{s:?}").contains("hunter2"));
        assert_eq!(redact_url("postgres://bob@db/x"), "postgres://bob@db/x");
    }
}
