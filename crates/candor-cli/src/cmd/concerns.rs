//! `candor concerns list|show|answer|close|raise`: customers' questions and
//! concerns to the compliance team, each due one calendar month after it
//! was raised; an answer is stored and mailed to the customer.

use std::path::PathBuf;

use anyhow::Context as _;
use candor_domain::SubjectId;
use candor_service::concerns::{ConcernList, ConcernView};
use candor_service::page::MAX_LIMIT;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor concerns …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List concerns waiting for an answer, earliest deadline first.
    List {
        /// Every concern: answered and closed ones after the open ones.
        #[arg(long)]
        all: bool,
    },
    /// Show one concern with the customer's message and the answer (the
    /// reading is audited).
    Show {
        /// The concern id.
        id: String,
    },
    /// Answer an open concern: stored, and queued as a mail to the
    /// customer's address on record (`candor outbox deliver`, or the
    /// server's mailer, sends it).
    Answer {
        /// The concern id.
        id: String,
        /// The answer.
        #[arg(long, conflicts_with = "file", required_unless_present = "file")]
        text: Option<String>,
        /// A file holding the answer (UTF-8), instead of `--text`.
        #[arg(long, value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Close a concern: nothing more to do.
    Close {
        /// The concern id.
        id: String,
    },
    /// Record a concern a customer sent another way (a letter, a call),
    /// so that it is tracked like one raised in the privacy center.
    Raise {
        /// The subject id.
        subject: String,
        /// What the customer asked or raised.
        #[arg(long)]
        text: String,
    },
}

/// Run a concerns command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    let candor = &inst.candor;
    let v = match c {
        Command::List { all } => {
            list(g, inst, all).await?;
            return Ok(Outcome::Ok);
        }
        Command::Show { id } => candor.concern(&g.actor, &id).await?,
        Command::Answer { id, text, file } => {
            let answer = match (text, file) {
                (Some(t), _) => t,
                (None, Some(f)) => {
                    std::fs::read_to_string(&f).with_context(|| format!("could not read the answer from `{}`", f.display()))?
                }
                (None, None) => anyhow::bail!("give the answer with `--text` or `--file`"),
            };
            let v = candor.answer_concern(&g.actor, &id, &answer).await?;
            eprintln!("the answer is queued for the customer's e-mail address; `candor outbox deliver` or the server's mailer sends it");
            v
        }
        Command::Close { id } => candor.close_concern(&g.actor, &id).await?,
        Command::Raise { subject, text } => {
            let v = candor.raise_concern(&g.actor, SubjectId::parse(&subject)?, &text).await?;
            if !g.json {
                // The id alone on standard output, for scripts.
                println!("{}", v.id);
                eprintln!("due {}", output::ts(v.concern.due_at));
                return Ok(Outcome::Ok);
            }
            v
        }
    };
    if g.json {
        output::json(&doc(&v, candor.now()))?;
    } else {
        show(&v, candor.now());
    }
    Ok(Outcome::Ok)
}

/// Every page of the list, open ones first.
async fn list(g: &Global, inst: &Installation, all: bool) -> anyhow::Result<()> {
    let candor = &inst.candor;
    let mut items = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let page = candor.concern_page(ConcernList { open_only: !all }, after.as_deref(), MAX_LIMIT).await?;
        items.extend(page.items);
        match page.next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    let now = candor.now();
    if g.json {
        return output::json(&items.iter().map(|v| doc(v, now)).collect::<Vec<_>>());
    }
    let rows = items.iter().map(|v| {
        vec![
            v.id.clone(),
            v.subject.to_string(),
            v.concern.state.to_string(),
            output::ts(v.concern.raised_at),
            output::ts(v.concern.due_at),
            if v.concern.is_overdue(now) { "OVERDUE".to_owned() } else { String::new() },
        ]
    });
    println!("{}", output::table(&["id", "subject", "state", "raised", "due", ""], rows));
    Ok(())
}

/// A concern for machines: times as RFC 3339.
fn doc(v: &ConcernView, now: time::OffsetDateTime) -> serde_json::Value {
    let c = &v.concern;
    let mut d = json!({
        "id": v.id,
        "subject": v.subject,
        "state": c.state,
        "raised_at": output::ts(c.raised_at),
        "due_at": output::ts(c.due_at),
        "overdue": c.is_overdue(now),
        "answered_at": c.answered_at.map(output::ts),
        "answered_by": c.answered_by,
        "closed_at": c.closed_at.map(output::ts),
    });
    if let Some(m) = &v.message {
        d["message"] = json!(m);
        d["answer"] = json!(v.answer);
    }
    d
}

/// A concern for people.
fn show(v: &ConcernView, now: time::OffsetDateTime) {
    let c = &v.concern;
    println!("concern {}", v.id);
    println!("  subject   {}", v.subject);
    println!("  state     {}{}", c.state, if c.is_overdue(now) { " (OVERDUE)" } else { "" });
    println!("  raised    {}", output::ts(c.raised_at));
    println!("  due       {}", output::ts(c.due_at));
    if let (Some(at), Some(by)) = (c.answered_at, &c.answered_by) {
        println!("  answered  {} by {by}", output::ts(at));
    }
    if let Some(at) = c.closed_at {
        println!("  closed    {}", output::ts(at));
    }
    if let Some(m) = &v.message {
        println!("  message");
        for line in m.lines() {
            println!("    {line}");
        }
    }
    if let Some(a) = &v.answer {
        println!("  answer");
        for line in a.lines() {
            println!("    {line}");
        }
    }
}
