//! `candor actor add|remove|attest|list|show|token|tokens|revoke|passkeys|remove-passkey`:
//! staff members, their roles, their privacy-and-ethics training
//! attestations, their API tokens and their passkeys.

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
    /// Remove a staff actor: their roles, training and API tokens go, the
    /// audit log keeps what they did. The last admin cannot be removed.
    Remove {
        /// Actor id.
        id: String,
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
    /// List every staff actor: roles, and whether their training is current.
    List,
    /// Show an actor's roles and training.
    Show {
        /// Actor id.
        id: String,
    },
    /// Issue an API token for an actor: printed once on standard output,
    /// stored only as a hash.
    Token {
        /// Actor id.
        id: String,
        /// Days the token stays valid (1 to 366).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List an actor's tokens (never their secrets).
    Tokens {
        /// Actor id.
        id: String,
    },
    /// Revoke a token by its id (the part after `candor_` and before `_`).
    Revoke {
        /// The token id.
        token: String,
    },
    /// List an actor's passkeys (registered at the console's Passkeys page).
    Passkeys {
        /// Actor id.
        id: String,
    },
    /// Remove one of an actor's passkeys (a lost or replaced device): it
    /// signs no one in from then on.
    RemovePasskey {
        /// Actor id.
        id: String,
        /// The passkey's id, as `candor actor passkeys` lists it.
        passkey: String,
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
        Command::Remove { id } => {
            let revoked = candor.remove_actor(&g.actor, &id).await?;
            if g.json {
                output::json(&json!({ "removed": id, "tokens_revoked": revoked }))?;
            } else {
                println!("actor `{id}` removed; {revoked} token(s) in force revoked; their audit history is kept");
            }
        }
        Command::Attest { id, course, days } => {
            let expires = candor.attest_training(&g.actor, &id, &course, Duration::days(days)).await?;
            if g.json {
                output::json(&json!({ "id": id, "course": course, "expires_at": output::ts(expires) }))?;
            } else {
                println!("training `{course}` of `{id}` recorded; valid until {}", expires.date());
            }
        }
        Command::Token { id, days } => {
            let issued = candor.create_token(&g.actor, &id, Duration::days(days)).await?;
            if g.json {
                output::json(
                    &json!({ "id": issued.record.id, "actor": id, "token": issued.token, "expires_at": output::ts(issued.record.expires_at) }),
                )?;
            } else {
                println!("{}", issued.token);
                eprintln!(
                    "token {} for `{id}`, valid until {}; it is shown this once: send it as `Authorization: Bearer <token>`",
                    issued.record.id,
                    issued.record.expires_at.date()
                );
            }
        }
        Command::Tokens { id } => {
            let now = candor.now();
            let all = candor.tokens(&id).await?;
            let state = |t: &candor_store::TokenRecord| match t.revoked_at {
                Some(_) => "revoked",
                None if t.expires_at <= now => "expired",
                None => "in force",
            };
            if g.json {
                let docs: Vec<_> = all
                    .iter()
                    .map(|t| json!({ "id": t.id, "created_at": output::ts(t.created_at), "expires_at": output::ts(t.expires_at), "state": state(t) }))
                    .collect();
                output::json(&docs)?;
            } else {
                let rows = all.iter().map(|t| vec![t.id.clone(), output::ts(t.created_at), output::ts(t.expires_at), state(t).to_owned()]);
                println!("{}", output::table(&["id", "created", "expires", "state"], rows));
            }
        }
        Command::Revoke { token } => {
            let id = token.strip_prefix(candor_service::auth::TOKEN_PREFIX).and_then(|t| t.split('_').next()).unwrap_or(&token).to_owned();
            if !candor.revoke_token(&g.actor, &id).await? {
                anyhow::bail!("no token `{id}` in force; `candor actor tokens ACTOR` lists them");
            }
            if g.json {
                output::json(&json!({ "revoked": id }))?;
            } else {
                println!("token {id} revoked");
            }
        }
        Command::Passkeys { id } => {
            let all = candor.passkeys(&id).await?;
            if g.json {
                let docs: Vec<_> = all
                    .iter()
                    .map(|p| json!({ "id": p.id, "label": p.label, "created_at": output::ts(p.created_at), "last_used_at": p.last_used_at.map(output::ts) }))
                    .collect();
                output::json(&docs)?;
            } else {
                let rows = all.iter().map(|p| {
                    vec![
                        p.id.clone(),
                        p.label.clone(),
                        output::ts(p.created_at),
                        p.last_used_at.map_or_else(|| "never".to_owned(), output::ts),
                    ]
                });
                println!("{}", output::table(&["id", "name", "registered", "last used"], rows));
            }
        }
        Command::RemovePasskey { id, passkey } => {
            candor.remove_passkey(&g.actor, &id, &passkey).await?;
            if g.json {
                output::json(&json!({ "removed": passkey, "actor": id }))?;
            } else {
                println!("passkey {passkey} of `{id}` removed");
            }
        }
        Command::List => {
            let now = candor.now();
            let actors = candor.actors().await?;
            if g.json {
                let rows: Vec<_> = actors
                    .iter()
                    .map(|a| {
                        json!({ "id": a.id, "roles": a.roles, "training_expires_at": a.training_expires_at.map(output::ts),
                                "training_current": a.training_expires_at.is_some_and(|t| t > now) })
                    })
                    .collect();
                output::json(&rows)?;
            } else {
                let rows = actors.iter().map(|a| {
                    let roles: Vec<&str> = a.roles.iter().map(|r| r.as_str()).collect();
                    let training = match a.training_expires_at {
                        Some(t) if t > now => format!("valid until {}", t.date()),
                        Some(t) => format!("EXPIRED on {}", t.date()),
                        None => "none".to_owned(),
                    };
                    vec![a.id.clone(), roles.join(", "), training]
                });
                println!("{}", output::table(&["actor", "roles", "training"], rows));
            }
        }
        Command::Show { id } => {
            let a = candor.actor(&id).await?.ok_or_else(|| candor_service::ServiceError::UnknownActor(id.clone()))?;
            let current = a.training_expires_at.is_some_and(|t| t > candor.now());
            if g.json {
                output::json(
                    &json!({ "id": a.id, "roles": a.roles, "training_expires_at": a.training_expires_at.map(output::ts), "training_current": current }),
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
