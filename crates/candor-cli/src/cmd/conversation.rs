//! `candor conversation show ID --purpose P`: open a conversation that
//! `candor analytics kpis --drill` listed, through the gate and audited.
//! Redacted text by default; `--original` shows the original text where
//! the purpose permits it.

use crate::{output, Global, Installation, Outcome};

/// `candor conversation …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Show a conversation's messages, oldest first, as the purpose may see
    /// them: redacted text; customers the gate refuses are withheld.
    Show {
        /// The conversation id (the id of its first message), as
        /// `analytics kpis --drill` lists it.
        id: String,
        /// Why you open it, e.g. `customer_service`.
        #[arg(long)]
        purpose: String,
        /// The platform.
        #[arg(long, default_value = "x")]
        platform: String,
        /// Show the original text too, where the purpose permits it.
        #[arg(long)]
        original: bool,
    },
}

/// Run a conversation command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    let Command::Show { id, purpose, platform, original } = c;
    Installation::with(&g.config_path(), async |inst| {
        let view = match inst.candor.view_conversation(&g.actor, &platform, &id, &purpose, original).await {
            Ok(v) => v,
            Err(candor_service::ServiceError::Denied(reason)) => {
                eprintln!("denied: {reason}");
                return Ok(Outcome::Denied);
            }
            Err(e) => return Err(e.into()),
        };
        if g.json {
            output::json(&view)?;
            return Ok(Outcome::Ok);
        }
        let rows = view.items.iter().map(|i| {
            let who = match (i.direction.as_str(), &i.agent, &i.account) {
                ("outbound", Some(agent), Some(account)) => format!("@{account} ^{agent}"),
                ("outbound", None, Some(account)) => format!("@{account}"),
                _ => i.subject.map(|s| s.to_string()).unwrap_or_default(),
            };
            let text = match (&i.withheld, &i.text, &i.redacted_text) {
                (Some(why), ..) => format!("(withheld: {why})"),
                (None, Some(original), _) => original.clone(),
                (None, None, Some(redacted)) => redacted.clone(),
                (None, None, None) => String::new(),
            };
            vec![output::ts(i.occurred_at), i.external_id.clone(), i.direction.clone(), who, text]
        });
        println!("{}", output::table(&["at", "id", "direction", "who", "text"], rows));
        println!(
            "conversation {} on {}: {} messages, {} withheld, shown for `{}`; this view is in the audit log",
            view.conversation_id,
            view.platform,
            view.items.len(),
            view.withheld,
            view.purpose
        );
        Ok(Outcome::Ok)
    })
    .await
}
