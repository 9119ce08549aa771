//! `candor init [DIR]`: a configuration, an example policy a real brand can
//! start from, a key directory (files mode 0600) and the database.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context as _};
use candor_domain::EXAMPLE_POLICY;
use candor_service::settings::{CONFIG_FILE, EXAMPLE_CONFIG};
use candor_service::Settings;
use candor_store::KeyRing;

use crate::{open_store, output, Global, Outcome};

/// Arguments of `candor init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Where to create the installation [default: the current directory].
    pub dir: Option<PathBuf>,
    /// Use this database instead of the embedded SQLite file, e.g.
    /// `postgres://candor@db.internal/candor`.
    #[arg(long, value_name = "URL")]
    pub database_url: Option<String>,
}

/// What `init` created.
#[derive(Debug, serde::Serialize)]
pub struct Created {
    /// The configuration file.
    pub config: PathBuf,
    /// The policy file.
    pub policy: PathBuf,
    /// Whether the example policy was written (an existing one is kept).
    pub policy_written: bool,
    /// The key directory.
    pub keys: PathBuf,
    /// The database URL, password hidden.
    pub database: String,
}

/// Create an installation in `dir`.
pub async fn create(dir: &Path, database_url: Option<&str>) -> anyhow::Result<Created> {
    fs::create_dir_all(dir).with_context(|| format!("could not create `{}`", dir.display()))?;
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        bail!("`{}` already exists: this directory is initialized; edit it, or init another directory", config.display());
    }
    let mut text = EXAMPLE_CONFIG.to_owned();
    if let Some(url) = database_url {
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://") || url.starts_with("sqlite:")) {
            bail!("`--database-url` must start with `sqlite://` or `postgres://`");
        }
        text = text.replace("url = \"sqlite://candor.db\"", &format!("url = {}", toml_string(url)));
    }
    let policy = dir.join("policy.toml");
    let policy_written = !policy.exists();
    if policy_written {
        fs::write(&policy, EXAMPLE_POLICY).with_context(|| format!("could not write `{}`", policy.display()))?;
    }
    let settings = Settings::from_text_in(&text, dir)?;
    KeyRing::create(&settings.keys.dir).with_context(|| format!("could not create the key directory `{}`", settings.keys.dir.display()))?;
    let store = Arc::new(open_store(&settings, true).await.context("could not create the database")?);
    // The database records which keys are its own.
    let keys =
        KeyRing::load(&settings.keys.dir).with_context(|| format!("could not load the keys from `{}`", settings.keys.dir.display()))?;
    let bound = candor_service::Candor::open(store.clone(), Arc::new(keys)).await;
    store.close().await;
    bound?;
    // The configuration is written last: its presence means the rest exists.
    fs::write(&config, &text).with_context(|| format!("could not write `{}`", config.display()))?;
    Ok(Created {
        config,
        policy,
        policy_written,
        keys: settings.keys.dir.clone(),
        database: candor_service::settings::redact_url(secrecy::ExposeSecret::expose_secret(&settings.database.url)),
    })
}

/// Create the installation.
pub async fn run(g: &Global, a: Args) -> anyhow::Result<Outcome> {
    let dir = a.dir.unwrap_or_else(|| PathBuf::from("."));
    let c = create(&dir, a.database_url.as_deref()).await?;
    if g.json {
        output::json(&c)?;
    } else {
        println!("initialized candor in {}", dir.display());
        println!("  configuration  {}", c.config.display());
        println!(
            "  policy         {}{}",
            c.policy.display(),
            if c.policy_written { " (example: edit it for your brand)" } else { " (kept)" }
        );
        println!("  keys           {} (back it up apart from the database)", c.keys.display());
        println!("  database       {}", c.database);
        println!();
        println!("next: candor policy check policy.toml && candor policy publish policy.toml");
    }
    Ok(Outcome::Ok)
}

fn toml_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
