//! `candor access check`: ask the access decision as the `--as` actor. The
//! decision is recorded in the audit log like any other.

use candor_domain::{CategoryId, Decision, SubjectId};
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor access …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// May the `--as` actor use these categories of a subject for a
    /// purpose? Exit 0 when allowed, 2 when denied.
    Check {
        /// The subject id.
        subject: String,
        /// The purpose.
        purpose: String,
        /// A data category (repeatable), e.g. `user.contact.email`.
        #[arg(long = "category", required = true)]
        categories: Vec<String>,
    },
}

/// Run an access command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    let Command::Check { subject, purpose, categories } = c;
    let subject = SubjectId::parse(&subject)?;
    let categories: Vec<CategoryId> = categories.into_iter().map(CategoryId::new).collect();
    let inst = Installation::open(&g.config_path()).await?;
    let decision = inst.candor.decide(&g.actor, subject, &purpose, &categories).await;
    inst.close().await;
    let decision = decision?;
    if g.json {
        output::json(&json!({ "actor": g.actor, "subject": subject, "purpose": purpose, "decision": decision }))?;
    } else {
        match &decision {
            Decision::Allow { permitted, withheld } => {
                let p: Vec<&str> = permitted.iter().map(CategoryId::as_str).collect();
                println!("allowed: {}", p.join(", "));
                for (c, why) in withheld {
                    println!(
                        "withheld: {c} ({})",
                        serde_json::to_value(why).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default().replace('_', " ")
                    );
                }
            }
            Decision::Deny(reason) => println!("denied: {reason}"),
        }
    }
    Ok(if decision.is_allowed() { Outcome::Ok } else { Outcome::Denied })
}
