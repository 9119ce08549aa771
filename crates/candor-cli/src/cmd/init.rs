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
    /// PostgreSQL only: the schema candor's tables live in, created if
    /// missing and written into `candor.toml` [default: the server's
    /// search path, usually `public`].
    #[arg(long, value_name = "NAME", requires = "database_url")]
    pub schema: Option<String>,
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
    /// The staff course directory.
    pub training: PathBuf,
    /// Whether the default course was written (an existing one is kept).
    pub training_written: bool,
    /// The key directory.
    pub keys: PathBuf,
    /// The database URL, password hidden.
    pub database: String,
}

/// Create an installation in `dir`. A failure removes what this run made,
/// so that running it again starts clean.
pub async fn create(dir: &Path, database_url: Option<&str>, schema: Option<&str>) -> anyhow::Result<Created> {
    let config = dir.join(CONFIG_FILE);
    if config.exists() {
        bail!("`{}` already exists: this directory is initialized; edit it, or init another directory", config.display());
    }
    let text = config_text(database_url, schema)?;
    let mut made = Made::default();
    match create_in(dir, &config, &text, &mut made).await {
        Ok(created) => Ok(created),
        Err(e) => {
            made.undo();
            Err(e)
        }
    }
}

/// The configuration file's text: the example, with the database chosen.
fn config_text(database_url: Option<&str>, schema: Option<&str>) -> anyhow::Result<String> {
    let mut text = EXAMPLE_CONFIG.to_owned();
    if let Some(url) = database_url {
        let postgres = url.starts_with("postgres://") || url.starts_with("postgresql://");
        if !(postgres || url.starts_with("sqlite:")) {
            bail!("`--database-url` must start with `sqlite://` or `postgres://`");
        }
        text = text.replace("url = \"sqlite://candor.db\"", &format!("url = {}", toml_string(url)));
        if let Some(schema) = schema {
            if !postgres {
                bail!("`--schema` applies to PostgreSQL only");
            }
            text = text.replace("# schema = \"candor\"", &format!("schema = {}", toml_string(schema)));
        }
    }
    Ok(text)
}

async fn create_in(dir: &Path, config: &Path, text: &str, made: &mut Made) -> anyhow::Result<Created> {
    made.dir(dir).with_context(|| format!("could not create `{}`", dir.display()))?;
    let policy = dir.join("policy.toml");
    let policy_written = !policy.exists();
    if policy_written {
        made.files.push(policy.clone());
        fs::write(&policy, EXAMPLE_POLICY).with_context(|| format!("could not write `{}`", policy.display()))?;
    }
    let settings = Settings::from_text_in(text, dir)?;
    let training = settings.training.dir.clone();
    let training_written = !training.exists();
    if training_written {
        made.dir(&training).with_context(|| format!("could not create `{}`", training.display()))?;
        for (name, text) in candor_domain::training::DEFAULT_COURSE {
            let file = training.join(name);
            fs::write(&file, text).with_context(|| format!("could not write `{}`", file.display()))?;
        }
    }
    made.dir(&settings.keys.dir).with_context(|| format!("could not create the key directory `{}`", settings.keys.dir.display()))?;
    KeyRing::create(&settings.keys.dir).with_context(|| format!("could not create the key directory `{}`", settings.keys.dir.display()))?;
    if let Some(file) = settings.sqlite_file() {
        if !file.exists() {
            made.files.extend(["", "-wal", "-shm"].map(|end| PathBuf::from(format!("{}{end}", file.display()))));
        }
    }
    let store = Arc::new(open_store(&settings, true).await.context("could not create the database")?);
    // The database records which keys are its own.
    let keys =
        KeyRing::load(&settings.keys.dir).with_context(|| format!("could not load the keys from `{}`", settings.keys.dir.display()))?;
    let bound = candor_service::Candor::open(store.clone(), Arc::new(keys)).await;
    store.close().await;
    bound?;
    // The configuration is written last: its presence means the rest exists.
    fs::write(config, text).with_context(|| format!("could not write `{}`", config.display()))?;
    Ok(Created {
        config: config.to_owned(),
        policy,
        policy_written,
        training,
        training_written,
        keys: settings.keys.dir.clone(),
        database: candor_service::settings::redact_url(secrecy::ExposeSecret::expose_secret(&settings.database.url)),
    })
}

/// What a run of `init` created, to remove again if it fails.
#[derive(Default)]
struct Made {
    dirs: Vec<PathBuf>,
    files: Vec<PathBuf>,
}

impl Made {
    /// Create `dir` (and its parents), remembering the first one that did
    /// not exist.
    fn dir(&mut self, dir: &Path) -> std::io::Result<()> {
        let first_missing = dir.ancestors().take_while(|a| !a.as_os_str().is_empty() && !a.exists()).last().map(Path::to_path_buf);
        fs::create_dir_all(dir)?;
        self.dirs.extend(first_missing);
        Ok(())
    }

    /// Remove it all, newest first; what cannot be removed is left.
    fn undo(self) {
        for f in self.files.iter().rev() {
            let _ = fs::remove_file(f);
        }
        for d in self.dirs.iter().rev() {
            let _ = fs::remove_dir_all(d);
        }
    }
}

/// Create the installation.
pub async fn run(g: &Global, a: Args) -> anyhow::Result<Outcome> {
    let dir = a.dir.unwrap_or_else(|| PathBuf::from("."));
    let c = create(&dir, a.database_url.as_deref(), a.schema.as_deref()).await?;
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
        println!(
            "  training       {}{}",
            c.training.display(),
            if c.training_written { " (the staff course and its quiz: edit them for your company)" } else { " (kept)" }
        );
        println!("  keys           {} (back it up apart from the database)", c.keys.display());
        println!("  database       {}", c.database);
        println!();
        let here = std::env::current_dir().ok().and_then(|cwd| std::fs::canonicalize(&cwd).ok());
        if std::fs::canonicalize(&dir).ok() != here {
            println!("next: cd {}", shell_word(&dir.display().to_string()));
            println!("      candor policy check policy.toml && candor policy publish policy.toml");
        } else {
            println!("next: candor policy check policy.toml && candor policy publish policy.toml");
        }
    }
    Ok(Outcome::Ok)
}

/// `s` as one word for a POSIX shell: as it is when it is only safe
/// characters, in single quotes otherwise.
fn shell_word(s: &str) -> String {
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"/._-+,:@".contains(&b)) {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
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
