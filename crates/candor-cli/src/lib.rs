//! The `candor` command line. Each subcommand lives in its own module under
//! [`cmd`] with an `Args` struct and a `run` function; this file holds the
//! global options, opening an installation, and turning outcomes into exit
//! codes: 0 ok, 1 error, 2 denied or check failed.
//!
//! This is the only crate that names a concrete store: the service layer
//! sees `Arc<dyn Store>`.
#![deny(missing_docs)]

pub mod cmd;
pub mod output;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use candor_service::settings::CONFIG_FILE;
use candor_service::{Candor, Settings};
use candor_store::{AuditSigner, KeyRing, Witness};
use candor_store_sql::{OpenOptions, SqlStore};
use clap::{Args, Parser};
use secrecy::ExposeSecret;

/// What `candor --help` says above the commands.
const ABOUT: &str = "candor: privacy-first social customer care. It imports what customers say to a brand on social \
media, redacts personal data, encrypts it per customer, and lets staff use it only as the data-use policy, \
consent and customers' rights (GDPR, CCPA) allow.";

/// What `candor --help` says below the commands: the main tasks.
const TASKS: &str = "Start here:
  candor demo                                  the whole product in a fresh directory, served with sign-in codes
  candor init DIR && cd DIR                    an installation: configuration, example policy, keys, database
  candor policy publish policy.toml            the data-use policy as code, checked and versioned
  candor import FILE                           social interactions, CRM contacts, deletion notices
  candor analytics sentiment --as ACTOR        consent-gated, k-anonymous, optionally differentially private
  candor rights open access SUBJECT            customers' rights requests with their legal deadlines
  candor serve                                 the HTTP API and the privacy center's routes
Every command has --help.";

/// candor: privacy-first social customer care.
#[derive(Debug, Parser)]
#[command(name = "candor", version, about = ABOUT, long_about = None, after_help = TASKS, propagate_version = true)]
pub struct Cli {
    /// Options every command takes.
    #[command(flatten)]
    pub global: Global,
    /// The command.
    #[command(subcommand)]
    pub command: cmd::Command,
}

/// Options every command takes.
#[derive(Debug, Clone, Args)]
pub struct Global {
    /// The configuration file [default: ./candor.toml].
    #[arg(long, global = true, env = "CANDOR_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Print machine-readable JSON instead of text for people.
    #[arg(long, global = true)]
    pub json: bool,
    /// Who is acting: a staff actor id, recorded in the audit log and
    /// checked by the access decision.
    #[arg(long = "as", global = true, env = "CANDOR_ACTOR", value_name = "ACTOR", default_value = "cli")]
    pub actor: String,
}

impl Global {
    /// The configuration file to use.
    pub fn config_path(&self) -> PathBuf {
        self.config.clone().unwrap_or_else(|| PathBuf::from(CONFIG_FILE))
    }
}

/// How a command ended, beyond errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Ok,
    /// An access was denied or a check failed.
    Denied,
}

/// Exit codes.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// An error: bad input, a missing file, an unreachable database.
    pub const ERROR: u8 = 1;
    /// Denied by the access decision, or a check (policy, audit, receipt) failed.
    pub const DENIED: u8 = 2;
    /// Standard output was a pipe whose reader went away (`| head`): what a
    /// process killed by SIGPIPE reports, 128 + 13.
    pub const CLOSED_PIPE: u8 = 141;
}

/// An opened installation.
pub struct Installation {
    /// Its settings.
    pub settings: Settings,
    /// The service over its store and keys.
    pub candor: Candor,
    /// The concrete store, to close it cleanly.
    pub store: Arc<SqlStore>,
}

impl Installation {
    /// Load settings from `config`, the keys, and open the store.
    pub async fn open(config: &Path) -> anyhow::Result<Self> {
        Self::open_with(config, false).await
    }

    /// Open it for `candor serve`: many small lookups, no bulk loads (on
    /// PostgreSQL, generic plans).
    pub async fn open_serving(config: &Path) -> anyhow::Result<Self> {
        Self::open_with(config, true).await
    }

    async fn open_with(config: &Path, serving: bool) -> anyhow::Result<Self> {
        let settings = Settings::load(config)?;
        let keys = Arc::new(
            KeyRing::load(&settings.keys.dir).with_context(|| format!("could not load the keys from `{}`", settings.keys.dir.display()))?,
        );
        let witness = settings.audit_witness().map(Witness::new);
        // A missing directory is most often a volume that is not mounted:
        // writes would go unwitnessed, and verification would find no
        // heads to compare with.
        if let Some(dir) = witness.as_ref().and_then(|w| w.path().parent()).filter(|d| !d.as_os_str().is_empty() && !d.is_dir()) {
            anyhow::bail!(
                "the directory of the audit witness, `{}`, does not exist (is its volume mounted?); create it, or set `audit.witness`",
                dir.display()
            );
        }
        let store = open_store_with(&settings, false, serving).await?;
        let signer = AuditSigner::new(Arc::clone(&keys), settings.audit.checkpoint_every).with_witness(witness.clone());
        let store = Arc::new(store.with_signer(signer));
        // Another installation's keys are refused here, before any command
        // reads or writes.
        let candor = match Candor::open(store.clone(), keys).await {
            Ok(c) => c.with_witness(witness).with_phone_region(settings.phone_region()).with_public_url(settings.server.public_url.clone()),
            Err(e) => {
                store.close().await;
                return Err(e.into());
            }
        };
        Ok(Self { settings, candor, store })
    }

    /// Close the store (and checkpoint SQLite's WAL).
    pub async fn close(self) {
        self.store.close().await;
    }

    /// Open the installation, run `f` on it, and close it whatever `f`
    /// returned.
    pub async fn with<T>(config: &Path, f: impl AsyncFnOnce(&Installation) -> anyhow::Result<T>) -> anyhow::Result<T> {
        let inst = Self::open(config).await?;
        let result = f(&inst).await;
        inst.close().await;
        result
    }
}

/// Open the store the settings name.
pub async fn open_store(settings: &Settings, create: bool) -> anyhow::Result<SqlStore> {
    open_store_with(settings, create, false).await
}

async fn open_store_with(settings: &Settings, create: bool, generic_plans: bool) -> anyhow::Result<SqlStore> {
    let options = OpenOptions {
        create,
        schema: settings.database.schema.clone(),
        max_connections: settings.database.max_connections,
        generic_plans,
        ..OpenOptions::default()
    };
    Ok(SqlStore::open(settings.database.url.expose_secret(), options).await?)
}

/// Parse arguments, run, and map the result to an exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    quiet_on_closed_pipe();
    init_tracing();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(exit::ERROR);
        }
    };
    match runtime.block_on(cmd::dispatch(cli)) {
        Ok(Outcome::Ok) => ExitCode::from(exit::OK),
        Ok(Outcome::Denied) => ExitCode::from(exit::DENIED),
        Err(e) if closed_pipe(&e) => ExitCode::from(exit::CLOSED_PIPE),
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit::ERROR)
        }
    }
}

/// `candor policy show 2 | head -1`: the reader went away. A Unix tool ends
/// quietly then, as if killed by SIGPIPE (exit 141), instead of reporting an
/// error. Rust ignores SIGPIPE so that a server survives a client that
/// hangs up (and candor must: it writes to sockets); the price is that
/// `println!` panics on the closed pipe, which this hook turns into that
/// quiet exit. Every other panic goes to the default hook.
fn quiet_on_closed_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(i32::from(exit::CLOSED_PIPE));
        }
        default(info);
    }));
}

/// Whether an error is a write to a pipe whose reader has gone.
fn closed_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}

/// The log filter without `CANDOR_LOG`: candor's warnings, and only errors
/// of the libraries (sqlx warns of every statement slower than a second,
/// SQL text and all, which is the operator's business, not the user's).
const DEFAULT_LOG: &str = "warn,sqlx=error";

fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("CANDOR_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_LOG));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_tree_is_well_formed() {
        super::Cli::command().debug_assert();
    }

    /// sqlx's "slow statement" warning (with its SQL) is not shown by
    /// default; candor's own warnings are.
    #[test]
    fn library_warnings_stay_out_of_the_default_log() {
        let subscriber = tracing_subscriber::fmt().with_env_filter(tracing_subscriber::EnvFilter::new(super::DEFAULT_LOG)).finish();
        tracing::subscriber::with_default(subscriber, || {
            assert!(!tracing::event_enabled!(target: "sqlx::query", tracing::Level::WARN));
            assert!(tracing::event_enabled!(target: "sqlx::query", tracing::Level::ERROR));
            assert!(tracing::event_enabled!(target: "candor_service::import", tracing::Level::WARN));
            assert!(!tracing::event_enabled!(target: "candor_service::import", tracing::Level::INFO));
        });
    }

    #[test]
    fn the_help_says_what_candor_is_and_where_to_start() {
        let help = super::Cli::command().render_help().to_string();
        assert!(help.contains("privacy-first social customer care") && help.contains("candor demo"), "{help}");
    }
}
