//! `candor rights open|list|show|verify|reject|extend`: data-subject rights
//! requests with their legal deadlines.

use candor_domain::{Regime, RightKind, SubjectId, Verification};
use candor_store::RightsRequestRecord;
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
    /// Record that staff verified the customer's identity, and how.
    Verify {
        /// The request id.
        id: String,
        /// How staff satisfied themselves (recorded and audited).
        #[arg(long, value_name = "REASON")]
        staff_reason: String,
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
        Command::Verify { id, staff_reason } => candor.verify_rights_request_by_staff(&g.actor, &id, &staff_reason).await?,
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
fn doc(r: &RightsRequestRecord) -> serde_json::Value {
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
    })
}

/// A request for people.
fn show(r: &RightsRequestRecord) {
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
}
