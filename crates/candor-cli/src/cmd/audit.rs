//! `candor audit verify|log`: the tamper-evident audit log.

use candor_service::audit::AuditReport;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor audit …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check every entry's hash, every link and every signed checkpoint.
    /// Exit 0 when intact; 2 naming the first altered, inserted or missing
    /// entry.
    Verify,
    /// Print entries.
    Log {
        /// Start after this sequence number.
        #[arg(long, default_value_t = 0)]
        after: i64,
        /// At most this many entries.
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// Run an audit command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::Verify => {
            let bar = output::progress(0, "verifying the audit chain");
            let report = inst
                .candor
                .verify_audit(|done, total| {
                    bar.set_length(total);
                    bar.set_position(done);
                })
                .await;
            bar.finish_and_clear();
            match report? {
                AuditReport::Intact { entries, checkpoints } => {
                    if g.json {
                        output::json(&json!({ "intact": true, "entries": entries, "checkpoints": checkpoints }))?;
                    } else {
                        println!("audit log intact: {entries} entries, {checkpoints} signed checkpoints");
                    }
                    Ok(Outcome::Ok)
                }
                AuditReport::Tampered { problem, message } => {
                    if g.json {
                        output::json(&json!({ "intact": false, "problem": problem, "message": message }))?;
                    } else {
                        println!("audit log TAMPERED: {message}");
                    }
                    Ok(Outcome::Denied)
                }
            }
        }
        Command::Log { after, limit } => {
            let entries = inst.candor.store().audit_entries(after, limit).await?;
            if g.json {
                let rows: Vec<_> = entries
                    .iter()
                    .map(|e| {
                        let r = &e.record;
                        json!({ "seq": e.seq, "at": output::ts(r.at), "actor": r.actor, "action": r.action, "subject": r.subject,
                                "purpose": r.purpose, "decision": r.decision, "detail": r.detail })
                    })
                    .collect();
                output::json(&rows)?;
            } else {
                let rows = entries.iter().map(|e| {
                    let r = &e.record;
                    vec![
                        e.seq.to_string(),
                        output::ts(r.at),
                        r.actor.clone(),
                        r.action.clone(),
                        r.subject.clone().unwrap_or_default(),
                        r.purpose.clone().unwrap_or_default(),
                        r.decision.clone().unwrap_or_default(),
                    ]
                });
                println!("{}", output::table(&["seq", "at", "actor", "action", "subject", "purpose", "decision"], rows));
            }
            Ok(Outcome::Ok)
        }
    }
}
