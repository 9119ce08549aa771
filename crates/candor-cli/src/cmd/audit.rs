//! `candor audit verify|log`: the tamper-evident audit log.

use std::path::PathBuf;

use candor_service::audit::{AuditFilter, AuditReport, WitnessReport};
use candor_store::Witness;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor audit …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check every entry's hash, every link, every signed checkpoint, the
    /// signed head, and the log against the witness of its signed heads.
    /// Exit 0 when intact; 2 naming the first altered, inserted or missing
    /// entry, missing checkpoint, or truncation.
    Verify {
        /// Compare with this copy of the witness instead of `audit.witness`
        /// (one fetched from the volume or log server that keeps it).
        #[arg(long, value_name = "FILE")]
        witness: Option<PathBuf>,
    },
    /// Print entries, newest first; with `--after`, oldest first from
    /// there.
    Log {
        /// Read forwards, oldest first, from after this sequence number
        /// (filters still apply to what is read).
        #[arg(long)]
        after: Option<i64>,
        /// Only entries with a sequence number below this one: the next
        /// page of a newest-first listing is `--before` its last `seq`.
        #[arg(long, conflicts_with = "after")]
        before: Option<i64>,
        /// At most this many entries.
        #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
        limit: u32,
        /// Only this actor's entries (`alice`, `cli`, `subject`, `system`).
        /// (Its own id: the global `--as` is also an actor.)
        #[arg(long = "actor", id = "only_actor", value_name = "ACTOR")]
        only_actor: Option<String>,
        /// Only this action (`consent.grant`), or every action under a
        /// prefix ending in a dot (`rights.`).
        #[arg(long)]
        action: Option<String>,
        /// Only entries about this subject, by its pseudonym (as `subject
        /// show` prints it).
        #[arg(long)]
        subject: Option<String>,
        /// Only entries on or after this day (UTC).
        #[arg(long, value_name = "DATE", value_parser = super::analytics::parse_date)]
        from: Option<time::Date>,
        /// Only entries before this day (UTC).
        #[arg(long, value_name = "DATE", value_parser = super::analytics::parse_date)]
        to: Option<time::Date>,
    },
}

/// Run an audit command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::Verify { witness } => {
            let bar = output::progress(0, "verifying the audit chain");
            let progress = |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            };
            let report = match witness {
                Some(path) => inst.candor.verify_audit_against(Some(&Witness::new(path)), progress).await,
                None => inst.candor.verify_audit(progress).await,
            };
            bar.finish_and_clear();
            match report? {
                AuditReport::Intact { entries, checkpoints, head_signed, witness } => {
                    if g.json {
                        output::json(
                            &json!({ "intact": true, "entries": entries, "checkpoints": checkpoints, "head_signed": head_signed, "witness": witness }),
                        )?;
                    } else {
                        println!("audit log intact: {entries} entries, {checkpoints} signed checkpoints");
                        if entries > 0 {
                            println!(
                                "  head: {}",
                                if head_signed { "signed" } else { "not signed yet (written by an older candor; the next write signs it)" }
                            );
                        }
                        match witness {
                            Some(WitnessReport { path, agrees_up_to: Some(seq) }) if seq >= entries as i64 => {
                                println!("  witness `{}`: agrees up to entry {seq}", path.display());
                            }
                            Some(WitnessReport { path, agrees_up_to: Some(seq) }) => {
                                // Behind the log: a write's witness line failed (the
                                // log says so) or a process stopped before writing it.
                                println!(
                                    "  witness `{}`: agrees up to entry {seq}, but holds no head of the {} entries after it: a rollback of those cannot be ruled out (check the log for failed witness writes; the next write catches up)",
                                    path.display(),
                                    entries as i64 - seq
                                );
                            }
                            Some(WitnessReport { path, agrees_up_to: None }) => {
                                println!(
                                    "  witness `{}`: holds no head of this log yet, so a rollback to an earlier state cannot be ruled out",
                                    path.display()
                                );
                            }
                            None => println!(
                                "  witness: off (`audit.witness`): a rollback of the database to an earlier state would go unnoticed"
                            ),
                        }
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
        Command::Log { after, before, limit, only_actor, action, subject, from, to } => {
            let filter = AuditFilter {
                actor: only_actor,
                action,
                subject,
                from: from.map(|d| d.midnight().assume_utc()),
                to: to.map(|d| d.midnight().assume_utc()),
                before,
            };
            let entries = match after {
                Some(after) => {
                    let page = inst.candor.audit_page(after, limit).await?;
                    page.into_iter().filter(|e| filter.admits(&e.record)).collect()
                }
                None => inst.candor.audit_search(&filter, limit).await?,
            };
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
