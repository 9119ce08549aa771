//! `candor config show|example`.

use candor_service::settings::{redact_url, EXAMPLE_CONFIG};
use candor_service::Settings;
use secrecy::ExposeSecret;
use serde_json::json;

use crate::{output, Global, Outcome};

/// `candor config …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The effective configuration (file plus environment), secrets hidden.
    Show,
    /// The example configuration, with comments.
    Example,
}

/// Run a config command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::Example => print!("{EXAMPLE_CONFIG}"),
        Command::Show => {
            let s = Settings::load(&g.config_path())?;
            let v = json!({
                "database": { "url": redact_url(s.database.url.expose_secret()), "schema": s.database.schema, "max_connections": s.database.max_connections },
                "keys": { "dir": s.keys.dir },
                "privacy": { "k_anonymity": s.privacy.k_anonymity },
                "server": { "addr": s.server.addr },
                "audit": { "checkpoint_every": s.audit.checkpoint_every, "witness": s.audit_witness() },
            });
            if g.json {
                output::json(&v)?;
            } else {
                println!("{}", serde_json::to_string_pretty(&v)?);
            }
        }
    }
    Ok(Outcome::Ok)
}
