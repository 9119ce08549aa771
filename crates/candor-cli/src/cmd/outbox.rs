//! `candor outbox list|deliver`: messages waiting for a transport (one-time
//! codes to customers, erasure and correction notices to recipients).
//! candor has no mail transport yet: `deliver` prints each pending message,
//! as a transport would send it, and marks it sent.

use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor outbox …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List messages (pending only, unless `--all`), without their
    /// personal part.
    List {
        /// Also those already sent.
        #[arg(long)]
        all: bool,
    },
    /// Print every pending message as a transport would send it, and mark
    /// it sent.
    Deliver,
}

/// Run an outbox command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

const PAGE: u32 = 1_000;

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    let candor = &inst.candor;
    let (pending_only, deliver) = match c {
        Command::List { all } => (!all, false),
        Command::Deliver => (true, true),
    };
    let mut after = 0;
    let mut docs = Vec::new();
    let mut rows = Vec::new();
    loop {
        let page = candor.outbox(pending_only, after, PAGE).await?;
        let Some(last) = page.last() else { break };
        after = last.id;
        for m in &page {
            if deliver {
                if g.json {
                    docs.push(json!(m));
                } else {
                    println!("message {} ({}) to {}", m.id, m.kind, m.to.as_deref().unwrap_or(&m.recipient));
                    for (k, v) in m.body.as_object().into_iter().flatten() {
                        println!("  {k}: {}", v.as_str().map_or_else(|| v.to_string(), str::to_owned));
                    }
                }
            } else {
                // Listing shows what anyone may see: never the personal part.
                let mut m = m.clone();
                m.to = None;
                if let Some(b) = m.body.as_object_mut() {
                    b.remove("text");
                    b.remove("subject");
                }
                rows.push(vec![
                    m.id.to_string(),
                    m.kind.clone(),
                    m.recipient.clone(),
                    output::ts(m.queued_at),
                    m.sent_at.map(output::ts).unwrap_or_default(),
                ]);
                docs.push(json!(m));
            }
        }
        if deliver {
            let ids: Vec<i64> = page.iter().map(|m| m.id).collect();
            candor.mark_sent(&g.actor, &ids).await?;
        }
    }
    if g.json {
        output::json(&docs)?;
    } else if !deliver {
        println!("{}", output::table(&["id", "kind", "to", "queued", "sent"], rows.into_iter()));
    }
    Ok(Outcome::Ok)
}
