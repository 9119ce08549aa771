//! `candor keys rotate|status`: the key-encryption keys.

use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor keys …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make a new key-encryption key and re-wrap every data key under it,
    /// without touching the data. Safe to interrupt: run it again to finish.
    Rotate,
    /// How many data keys each key-encryption key wraps.
    Status,
}

/// Run a keys command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::Rotate => {
            let bar = output::progress(0, "re-wrapping data keys");
            let r = inst
                .candor
                .rotate_keys(&g.actor, |done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await;
            bar.finish_and_clear();
            let r = r?;
            if g.json {
                output::json(&r)?;
            } else {
                println!(
                    "{} rotation: {} data key(s) now wrapped under `{}`{}",
                    if r.resumed { "resumed" } else { "new" },
                    r.rewrapped,
                    r.kek,
                    if r.retired.is_empty() { String::new() } else { format!("; retired {}", r.retired.join(", ")) }
                );
            }
        }
        Command::Status => {
            let counts = inst.candor.key_status().await?;
            let current = inst.candor.keys().current_kek();
            if g.json {
                output::json(
                    &json!({ "current": current, "keys": counts.iter().map(|(k, n)| json!({ "kek": k, "data_keys": n })).collect::<Vec<_>>() }),
                )?;
            } else {
                println!("current key-encryption key: {current}");
                let rows = counts.iter().map(|(k, n)| vec![k.clone(), n.to_string()]);
                println!("{}", output::table(&["kek", "data keys"], rows));
            }
        }
    }
    Ok(Outcome::Ok)
}
