//! `candor subject add|find|show|link|unlink|conflicts|hold|release`:
//! customers, their identifiers, the customers an import kept apart, and
//! legal holds on their data.

use candor_domain::{Decision, Identifier, SubjectId};
use candor_service::subjects::NewSubjectInput;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor subject …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Add a customer; prints the new subject's id.
    Add(AddArgs),
    /// Find a customer by an identifier, through the blind index.
    Find(FindArgs),
    /// Show a customer: pseudonymous facts, and with `--purpose` the
    /// personal fields the access decision lets the `--as` actor see.
    Show {
        /// The subject id.
        subject: String,
        /// The purpose to read personal data for, e.g. `customer_service`.
        #[arg(long)]
        purpose: Option<String>,
    },
    /// Link identifiers to a customer (refused when another customer holds
    /// one: unlink it there first).
    Link(LinkArgs),
    /// Unlink identifiers from a customer, deliberately: a household's
    /// shared phone an import left with the other member.
    Unlink(LinkArgs),
    /// The customers a customer was kept apart from although they share
    /// an identifier (by kinds; recorded by imports).
    Conflicts {
        /// The subject id.
        subject: String,
    },
    /// Place a legal hold on a customer's data for a purpose the policy
    /// marks `legal_hold = true`: erasure then restricts what it covers
    /// instead of deleting it.
    Hold {
        /// The subject id.
        subject: String,
        /// The purpose, e.g. `legal_claims`.
        #[arg(long)]
        purpose: String,
        /// Why (a dispute, a claim); the customer is shown it.
        #[arg(long)]
        reason: String,
    },
    /// Release a customer's legal holds for a purpose.
    Release {
        /// The subject id.
        subject: String,
        /// The purpose.
        #[arg(long)]
        purpose: String,
    },
}

/// A customer's identifiers, as `add`, `link` and `unlink` take them.
#[derive(Debug, clap::Args)]
pub struct IdentifierArgs {
    /// E-mail address.
    #[arg(long)]
    pub email: Option<String>,
    /// A social handle as PLATFORM:HANDLE (repeatable), e.g. `x:@alice`.
    #[arg(long = "handle", value_name = "PLATFORM:HANDLE")]
    pub handles: Vec<String>,
    /// A platform account id as PLATFORM:ID (repeatable).
    #[arg(long = "account", value_name = "PLATFORM:ID")]
    pub accounts: Vec<String>,
    /// Phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// CRM customer number.
    #[arg(long)]
    pub customer_number: Option<String>,
}

impl IdentifierArgs {
    fn input(self, name: Option<String>) -> NewSubjectInput {
        NewSubjectInput {
            email: self.email,
            handles: self.handles,
            accounts: self.accounts,
            phone: self.phone,
            customer_number: self.customer_number,
            name,
        }
    }
}

/// Identifiers and attributes of a new subject.
#[derive(Debug, clap::Args)]
pub struct AddArgs {
    #[command(flatten)]
    ids: IdentifierArgs,
    /// Name.
    #[arg(long)]
    pub name: Option<String>,
}

/// A customer and identifiers to link or unlink.
#[derive(Debug, clap::Args)]
pub struct LinkArgs {
    /// The subject id.
    pub subject: String,
    #[command(flatten)]
    ids: IdentifierArgs,
}

impl LinkArgs {
    fn input(self) -> (String, NewSubjectInput) {
        (self.subject, self.ids.input(None))
    }
}

/// One identifier to look up.
#[derive(Debug, clap::Args)]
#[group(required = true, multiple = false)]
pub struct FindArgs {
    /// E-mail address.
    #[arg(long)]
    pub email: Option<String>,
    /// PLATFORM:HANDLE.
    #[arg(long, value_name = "PLATFORM:HANDLE")]
    pub handle: Option<String>,
    /// Phone number.
    #[arg(long)]
    pub phone: Option<String>,
    /// CRM customer number.
    #[arg(long)]
    pub customer_number: Option<String>,
}

/// Run a subject command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    let inst = Installation::open(&g.config_path()).await?;
    let result = run_in(g, &inst, c).await;
    inst.close().await;
    result
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    let candor = &inst.candor;
    match c {
        Command::Add(a) => {
            let input = a.ids.input(a.name);
            let id = candor.add_subject(&g.actor, &input).await?;
            if g.json {
                output::json(&json!({ "id": id }))?;
            } else {
                println!("{id}");
            }
            Ok(Outcome::Ok)
        }
        Command::Find(f) => {
            let identifier = match (f.email, f.handle, f.phone, f.customer_number) {
                (Some(e), ..) => Identifier::email(&e).map_err(|e| anyhow::anyhow!("`--email`: {e}"))?,
                (_, Some(h), ..) => Identifier::parse_handle(&h).map_err(|e| anyhow::anyhow!("`--handle`: {e}"))?,
                (_, _, Some(p), _) => candor.phone_identifier(&p).map_err(|e| anyhow::anyhow!("`--phone`: {e}"))?,
                (_, _, _, Some(c)) => Identifier::customer_number(&c).map_err(|e| anyhow::anyhow!("`--customer-number`: {e}"))?,
                _ => anyhow::bail!("give one identifier to look up"),
            };
            match candor.find_subject(&identifier).await? {
                Some(id) => {
                    if g.json {
                        output::json(&json!({ "id": id }))?;
                    } else {
                        println!("{id}");
                    }
                    Ok(Outcome::Ok)
                }
                None => {
                    if g.json {
                        output::json(&json!({ "id": null }))?;
                    } else {
                        eprintln!("no subject has this {}", identifier.kind());
                    }
                    Ok(Outcome::Denied)
                }
            }
        }
        Command::Link(a) => {
            let (subject, input) = a.input();
            let n = candor.link_identities(&g.actor, SubjectId::parse(&subject)?, &input).await?;
            if g.json {
                output::json(&json!({ "linked": n }))?;
            } else {
                println!("{n} identifier(s) linked");
            }
            Ok(Outcome::Ok)
        }
        Command::Unlink(a) => {
            let (subject, input) = a.input();
            let n = candor.unlink_identities(&g.actor, SubjectId::parse(&subject)?, &input).await?;
            if g.json {
                output::json(&json!({ "unlinked": n }))?;
            } else {
                println!("{n} identifier(s) unlinked");
            }
            Ok(Outcome::Ok)
        }
        Command::Conflicts { subject } => {
            let id = SubjectId::parse(&subject)?;
            let conflicts = candor.identity_conflicts(id).await?;
            let rows: Vec<serde_json::Value> = conflicts
                .iter()
                .map(|c| {
                    let other = if c.subject == id { c.other } else { c.subject };
                    json!({ "other": other, "shared": c.shared, "differing": c.differing, "source": c.source, "at": output::ts(c.at) })
                })
                .collect();
            if g.json {
                output::json(&rows)?;
            } else if rows.is_empty() {
                println!("no customer was kept apart from {id}");
            } else {
                let table = rows.iter().map(|r| {
                    ["other", "shared", "differing", "source", "at"]
                        .iter()
                        .map(|k| match &r[*k] {
                            serde_json::Value::String(s) => s.clone(),
                            serde_json::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                            other => other.to_string(),
                        })
                        .collect::<Vec<String>>()
                });
                println!("{}", output::table(&["kept apart from", "shares", "differs in", "found by", "when"], table));
            }
            Ok(Outcome::Ok)
        }
        Command::Hold { subject, purpose, reason } => {
            candor.place_hold(&g.actor, SubjectId::parse(&subject)?, &purpose, &reason).await?;
            eprintln!("hold placed: erasure now restricts the data `{purpose}` covers instead of deleting it");
            Ok(Outcome::Ok)
        }
        Command::Release { subject, purpose } => {
            let n = candor.release_hold(&g.actor, SubjectId::parse(&subject)?, &purpose).await?;
            if g.json {
                output::json(&json!({ "released": n }))?;
            } else {
                println!("{n} hold(s) released");
            }
            Ok(Outcome::Ok)
        }
        Command::Show { subject, purpose } => {
            let id = SubjectId::parse(&subject)?;
            match purpose {
                None => {
                    let s = candor.subject_summary(id).await?;
                    if g.json {
                        output::json(&s)?;
                    } else {
                        println!("subject     {}", s.id);
                        println!("pseudonym   {}", s.pseudonym);
                        println!("created     {}", output::ts(s.created_at));
                        println!("identifiers {}", s.identifiers.join(", "));
                        println!("attributes  {}", if s.attributes.is_empty() { "none".into() } else { s.attributes.join(", ") });
                        println!("data key    wrapped under {}", s.kek_id);
                        println!("(personal fields are sealed; add `--purpose P` to ask the access decision)");
                    }
                    Ok(Outcome::Ok)
                }
                Some(p) => {
                    let v = candor.view_subject(&g.actor, id, &p).await?;
                    let denied = !v.decision.is_allowed();
                    if g.json {
                        output::json(&v)?;
                    } else {
                        println!("subject {} ({}) for `{p}` as `{}`:", v.summary.id, v.summary.pseudonym, g.actor);
                        if let Decision::Deny(reason) = &v.decision {
                            println!("denied: {reason}");
                        }
                        let rows = v.fields.iter().map(|f| {
                            vec![
                                f.field.clone(),
                                f.category.to_string(),
                                f.value.clone().unwrap_or_else(|| format!("withheld ({})", f.withheld.clone().unwrap_or_default())),
                            ]
                        });
                        println!("{}", output::table(&["field", "category", "value"], rows));
                    }
                    Ok(if denied { Outcome::Denied } else { Outcome::Ok })
                }
            }
        }
    }
}
