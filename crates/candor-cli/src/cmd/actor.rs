//! `candor actor add|attest|show`: staff members, their roles and their
//! privacy-and-ethics training attestations.

use candor_service::actors::parse_roles;
use serde_json::json;
use time::Duration;

use crate::{output, Global, Installation, Outcome};

/// `candor actor …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a staff actor, or replace its roles.
    Add {
        /// Actor id, e.g. `alice`.
        id: String,
        /// A role (repeatable): agent, analyst, marketer, compliance, admin.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
    },
    /// Record a completed privacy-and-ethics training.
    Attest {
        /// Actor id.
        id: String,
        /// The training course.
        #[arg(long, default_value = "privacy and ethics")]
        course: String,
        /// Days the attestation stays valid.
        #[arg(long, default_value_t = 365)]
        days: i64,
    },
    /// Show an actor's roles and training.
    Show {
        /// Actor id.
        id: String,
    },
}

/// Run an actor command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    let candor = &inst.candor;
    match c {
        Command::Add { id, roles } => {
            let roles = parse_roles(&roles)?;
            candor.upsert_actor(&g.actor, &id, roles.clone()).await?;
            if g.json {
                output::json(&json!({ "id": id, "roles": roles }))?;
            } else {
                let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
                println!("actor `{id}` has roles {}", names.join(", "));
            }
        }
        Command::Attest { id, course, days } => {
            let expires = candor.attest_training(&g.actor, &id, &course, Duration::days(days)).await?;
            if g.json {
                output::json(&json!({ "id": id, "course": course, "expires_at": expires.unix_timestamp() }))?;
            } else {
                println!("training `{course}` of `{id}` recorded; valid until {}", expires.date());
            }
        }
        Command::Show { id } => {
            let a = candor.actor(&id).await?.ok_or_else(|| candor_service::ServiceError::UnknownActor(id.clone()))?;
            let current = a.training_expires_at.is_some_and(|t| t > candor.now());
            if g.json {
                output::json(
                    &json!({ "id": a.id, "roles": a.roles, "training_expires_at": a.training_expires_at.map(|t| t.unix_timestamp()), "training_current": current }),
                )?;
            } else {
                let names: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
                println!("actor    {}", a.id);
                println!("roles    {}", names.join(", "));
                match a.training_expires_at {
                    Some(t) if current => println!("training valid until {}", t.date()),
                    Some(t) => println!("training EXPIRED on {}: no access to personal data", t.date()),
                    None => println!("training none: no access to personal data"),
                }
            }
        }
    }
    Ok(Outcome::Ok)
}
