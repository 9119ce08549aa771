//! `candor config show|example`.

use candor_service::settings::EXAMPLE_CONFIG;
use candor_service::Settings;
use serde_json::json;

use crate::{output, Global, Outcome};

/// `candor config …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Every effective setting, with where it came from (default, file or
    /// environment), secrets hidden.
    Show,
    /// The example configuration, with comments.
    Example,
}

/// Run a config command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::Example => print!("{EXAMPLE_CONFIG}"),
        Command::Show => {
            let path = g.config_path();
            let (_, settings) = Settings::explain(&path)?;
            if g.json {
                output::json(&json!({ "file": path, "settings": settings }))?;
            } else {
                let rows = settings.iter().map(|s| {
                    let value = match &s.value {
                        serde_json::Value::Null => "(none)".to_owned(),
                        serde_json::Value::String(v) => v.clone(),
                        other => other.to_string(),
                    };
                    vec![s.key.clone(), value, s.source.as_str().to_owned()]
                });
                println!("{}", output::table(&["setting", "value", "source"], rows));
                println!("from {} over the defaults, then CANDOR_SECTION__KEY variables; passwords hidden", path.display());
            }
        }
    }
    Ok(Outcome::Ok)
}
