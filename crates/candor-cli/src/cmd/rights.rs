//! `candor rights open|list|show|send-code|verify|execute|reject|extend`:
//! data-subject rights requests with their legal deadlines, carried out.

use std::path::PathBuf;

use candor_domain::{Regime, RightKind, SubjectId, Verification};
use candor_service::rights::execute::ExecuteOptions;
use candor_service::rights::RightsRequestView;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor rights …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Open a request; prints its id (`--json`: the whole request).
    Open {
        /// access, portability, erasure, rectification, restriction,
        /// objection, opt-out-sale-share or limit-sensitive-use.
        #[arg(value_name = "TYPE")]
        kind: String,
        /// The subject id.
        subject: String,
        /// gdpr or ccpa; by default the regime the right comes from
        /// (the CCPA for opt-outs, else the GDPR).
        #[arg(long)]
        regime: Option<String>,
    },
    /// List requests, earliest deadline first.
    List {
        /// Only those past their deadline and not finished.
        #[arg(long)]
        overdue: bool,
    },
    /// Show one request.
    Show {
        /// The request id.
        id: String,
    },
    /// Send the customer a one-time code at their e-mail address on
    /// record (queued in the outbox; `candor outbox deliver` hands it over).
    SendCode {
        /// The request id.
        id: String,
    },
    /// Verify the customer's identity: with the code they received, or as
    /// staff with the reason you are satisfied.
    Verify {
        /// The request id.
        id: String,
        /// The one-time code the customer entered.
        #[arg(long, conflicts_with = "staff_reason", required_unless_present = "staff_reason")]
        code: Option<String>,
        /// How staff satisfied themselves (recorded and audited).
        #[arg(long, value_name = "REASON")]
        staff_reason: Option<String>,
    },
    /// Carry a verified request out: export, erase, rectify, restrict,
    /// object or opt out. Running it again after it completed does nothing
    /// and says so.
    Execute {
        /// The request id.
        id: String,
        /// Access and portability: the directory to write the bundle to
        /// (must not exist); `candor-export-<request id>` by default.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Rectification: a corrected value, `FIELD=VALUE` (name, email,
        /// phone, customer_number); repeat for several.
        #[arg(long = "set", value_name = "FIELD=VALUE")]
        set: Vec<String>,
    },
    /// Refuse a request, with the reason the customer is shown.
    Reject {
        /// The request id.
        id: String,
        /// Why (shown to the customer).
        #[arg(long)]
        reason: String,
    },
    /// Extend the deadline once (GDPR: two more months; CCPA: 45 more days),
    /// with the reason the customer is told.
    Extend {
        /// The request id.
        id: String,
        /// Why more time is needed (told to the customer).
        #[arg(long)]
        reason: String,
    },
}

/// Run a rights command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    let candor = &inst.candor;
    let r = match c {
        Command::Open { kind, subject, regime } => {
            let kind = RightKind::parse(&kind).ok_or_else(|| {
                let known: Vec<&str> = RightKind::ALL.iter().map(|k| k.as_str()).collect();
                anyhow::anyhow!("unknown request type `{kind}`; one of: {}", known.join(", "))
            })?;
            let regime =
                regime.map(|r| Regime::parse(&r).ok_or_else(|| anyhow::anyhow!("unknown regime `{r}`; gdpr or ccpa"))).transpose()?;
            let r = candor.open_rights_request(&g.actor, kind, SubjectId::parse(&subject)?, regime).await?;
            if !g.json {
                // The id alone on standard output, for scripts.
                println!("{}", r.id);
                eprintln!("{} request under {}, due {}", r.request.kind, r.request.regime, output::ts(r.request.due_at));
                return Ok(Outcome::Ok);
            }
            r
        }
        Command::List { overdue } => {
            let all = candor.rights_requests(overdue).await?;
            if g.json {
                output::json(&all.iter().map(doc).collect::<Vec<_>>())?;
            } else {
                let now = candor.now();
                let rows = all.iter().map(|r| {
                    vec![
                        r.id.clone(),
                        r.request.kind.to_string(),
                        r.request.regime.to_string(),
                        r.request.state.to_string(),
                        output::ts(r.request.due_at),
                        if r.request.is_overdue(now) { "OVERDUE".to_owned() } else { String::new() },
                    ]
                });
                println!("{}", output::table(&["id", "type", "regime", "state", "due", ""], rows));
            }
            return Ok(Outcome::Ok);
        }
        Command::Show { id } => candor.rights_request(&id).await?,
        Command::SendCode { id } => {
            candor.send_rights_code(&g.actor, &id).await?;
            eprintln!("a one-time code is queued for the customer's e-mail address; `candor outbox deliver` hands it to them");
            candor.rights_request(&id).await?
        }
        Command::Verify { id, code: Some(code), .. } => candor.verify_rights_request_by_code(&g.actor, &id, &code).await?,
        Command::Verify { id, staff_reason, .. } => {
            candor.verify_rights_request_by_staff(&g.actor, &id, staff_reason.as_deref().unwrap_or_default()).await?
        }
        Command::Execute { id, out, set } => {
            let corrections = set
                .iter()
                .map(|kv| {
                    kv.split_once('=')
                        .map(|(k, v)| (k.trim().to_owned(), v.to_owned()))
                        .ok_or_else(|| anyhow::anyhow!("`--set {kv}`: write FIELD=VALUE"))
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let options = ExecuteOptions { out_dir: out, corrections, bundles_dir: Some(inst.settings.server.exports_dir.clone()) };
            let done = candor.execute_rights_request(&g.actor, &id, &options).await?;
            if done.already_done {
                eprintln!("request {id} was already completed; nothing was done again");
            }
            if done.bundles_removed > 0 {
                eprintln!(
                    "removed {} earlier export bundle(s) of the customer from {}",
                    done.bundles_removed,
                    inst.settings.server.exports_dir.display()
                );
            }
            done.record
        }
        Command::Reject { id, reason } => candor.reject_rights_request(&g.actor, &id, &reason).await?,
        Command::Extend { id, reason } => candor.extend_rights_request(&g.actor, &id, &reason).await?,
    };
    if g.json {
        output::json(&doc(&r))?;
    } else {
        show(&r);
    }
    Ok(Outcome::Ok)
}

/// A request for machines.
fn doc(r: &RightsRequestView) -> serde_json::Value {
    json!({
        "id": r.id,
        "subject": r.subject,
        "type": r.request.kind,
        "regime": r.request.regime,
        "legal_source": r.request.kind.legal_source(r.request.regime),
        "state": r.request.state,
        "received_at": output::ts(r.request.received_at),
        "due_at": output::ts(r.request.due_at),
        "verification": r.request.verification,
        "extension": r.request.extension,
        "rejection": r.request.rejection,
        "result": r.request.result,
    })
}

/// A request for people.
fn show(r: &RightsRequestView) {
    let q = &r.request;
    println!("request {}", r.id);
    println!("  subject   {}", r.subject);
    println!("  type      {} ({})", q.kind, q.kind.legal_source(q.regime).unwrap_or("?"));
    println!("  state     {}", q.state);
    println!("  received  {}", output::ts(q.received_at));
    println!("  due       {}", output::ts(q.due_at));
    match &q.verification {
        Some(Verification::OneTimeCode) => println!("  identity  verified by one-time code"),
        Some(Verification::Staff { actor, reason }) => println!("  identity  verified by {actor}: {reason}"),
        None if q.kind.needs_verification() => println!("  identity  not verified yet"),
        None => println!("  identity  not needed for this right"),
    }
    if let Some(e) = &q.extension {
        println!("  extended  {} ({})", output::ts(e.at), e.reason);
    }
    if let Some(why) = &q.rejection {
        println!("  rejected  {why}");
    }
    if let Some(c) = &q.challenge {
        println!("  code      sent, valid until {}", output::ts(c.expires_at));
    }
    if q.sealed_corrections.is_some() && q.result.is_none() {
        println!("  asks      the corrected values the customer gave in the privacy center (sealed under their key); `rights execute` applies them unless you give `--set`");
    }
    if let Some(res) = &q.result {
        println!("  result");
        for line in &res.summary {
            println!("    {line}");
        }
        for d in &res.deleted {
            println!("    deleted   {} {} ({})", d.records, d.what, d.category);
        }
        for d in &res.exported {
            println!("    exported  {} {}", d.records, d.what);
        }
        for k in &res.kept {
            println!("    kept      {} for {} until {}: {}", k.category, k.purpose, output::ts(k.until), k.why);
        }
        for n in &res.notified {
            println!("    notified  {n}");
        }
        for e in &res.recorded {
            println!("    recorded  {e}");
        }
        if let Some(b) = &res.bundle {
            println!("    bundle    {b}");
        }
        for b in &res.bundles_elsewhere {
            println!("    left      {b}: an earlier bundle of this customer's data, in the clear; yours to delete");
        }
    }
}
