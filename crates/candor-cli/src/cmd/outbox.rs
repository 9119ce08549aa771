//! `candor outbox list|deliver`: messages waiting for a transport (one-time
//! codes to customers, erasure and correction notices to recipients).
//! With `[mail]` in `candor.toml`, `deliver` mails the messages to
//! customers that are due (retrying failures with back-off, as `candor
//! serve` does in the background) and prints the notices to recipients,
//! who have no address; without it, it prints every pending message, as a
//! transport would send it, and marks it sent.

use anyhow::Context;
use candor_service::mail::SmtpMailer;
use candor_service::rights::codes::Delivery;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor outbox …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List messages (pending only, unless `--all`) with their delivery
    /// state, attempts and last error, without their personal part.
    List {
        /// Also those already sent or given up.
        #[arg(long)]
        all: bool,
    },
    /// Mail the messages to customers that are due when `[mail]` is
    /// configured, and print the others (all of them without `[mail]`) as
    /// a transport would send them, marking them sent.
    Deliver,
}

/// Run an outbox command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

const PAGE: u32 = 1_000;

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::List { all } => list(g, inst, !all).await,
        Command::Deliver => deliver(g, inst).await,
    }
}

async fn list(g: &Global, inst: &Installation, pending_only: bool) -> anyhow::Result<Outcome> {
    let mut after = 0;
    let mut docs = Vec::new();
    let mut rows = Vec::new();
    loop {
        let page = inst.candor.outbox(pending_only, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for m in page {
            // Listing shows what anyone may see: never the personal part.
            let mut m = m;
            m.to = None;
            if let Some(b) = m.body.as_object_mut() {
                b.remove("text");
                b.remove("subject");
            }
            let when = m.sent_at.or(m.failed_at).or(m.next_attempt_at).map(output::ts).unwrap_or_default();
            rows.push(vec![
                m.id.to_string(),
                m.kind.clone(),
                m.recipient.clone(),
                output::ts(m.queued_at),
                m.state().to_owned(),
                when,
                m.attempts.to_string(),
                m.last_error.clone().unwrap_or_default(),
            ]);
            let mut doc = json!(m);
            doc["state"] = json!(m.state());
            docs.push(doc);
        }
    }
    if g.json {
        output::json(&docs)?;
    } else {
        println!("{}", output::table(&["id", "kind", "to", "queued", "state", "since/next", "attempts", "last error"], rows.into_iter()));
    }
    Ok(Outcome::Ok)
}

async fn deliver(g: &Global, inst: &Installation) -> anyhow::Result<Outcome> {
    let candor = &inst.candor;
    let mail = inst.settings.mail_config()?;
    let report = match &mail {
        Some(config) => {
            let mailer = SmtpMailer::new(config)?;
            let report = candor
                .deliver_due(&g.actor, &mailer, &config.retry, || true)
                .await
                .context("could not record the delivery of the outbox")?;
            if !g.json {
                eprintln!(
                    "mailed {} message(s) through {}:{}; {} failed and will be retried, {} given up (`candor outbox list --all` says why)",
                    report.sent, config.host, config.port, report.retrying, report.failed
                );
            }
            Some(report)
        }
        None => None,
    };
    // What is printed: without mail, everything pending; with it, what
    // has no address to mail (notices to recipients).
    let printable = |m: &Delivery| mail.is_none() || m.recipient != "subject";
    let mut after = 0;
    let mut printed = Vec::new();
    loop {
        let page = candor.outbox(true, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        let page: Vec<Delivery> = page.into_iter().filter(printable).collect();
        for m in &page {
            if g.json {
                printed.push(json!(m));
            } else {
                println!("message {} ({}) to {}", m.id, m.kind, m.to.as_deref().unwrap_or(&m.recipient));
                for (k, v) in m.body.as_object().into_iter().flatten() {
                    println!("  {k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                }
            }
        }
        let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
        candor.mark_sent(&g.actor, &ids).await?;
    }
    if g.json {
        match report {
            Some(r) => output::json(&json!({ "mailed": r, "printed": printed }))?,
            None => output::json(&printed)?,
        }
    }
    Ok(Outcome::Ok)
}
