//! The subcommands, one module each.

pub mod access;
pub mod actor;
pub mod analytics;
pub mod audit;
pub mod concerns;
pub mod config;
pub mod consent;
pub mod conversation;
pub mod demo;
pub mod demo_data;
pub mod eval;
pub mod import;
pub mod init;
pub mod keys;
pub mod outbox;
pub mod policy;
pub mod redact;
pub mod rights;
pub mod serve;
pub mod subject;
pub mod training;

use clap::Subcommand;

use crate::{Cli, Outcome};

/// Every subcommand.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a configuration, an example policy, keys and the database.
    Init(init::Args),
    /// Serve the HTTP API (OpenAPI at /api/openapi.json).
    Serve(serve::Args),
    /// Run the whole foundation in a fresh directory, then serve it with sign-in codes ready (`--no-serve`: exit instead).
    Demo(demo::Args),
    /// Import social interactions, CRM contacts or platform deletion notices.
    Import(import::Args),
    /// Write a realistic synthetic data set (twcs + contacts CSV).
    DemoData(demo_data::Args),
    /// Check, publish, list and diff the data-use policy.
    #[command(subcommand)]
    Policy(policy::Command),
    /// Add, find and show customers (data subjects).
    #[command(subcommand)]
    Subject(subject::Command),
    /// Record and show consent, and verify consent receipts.
    #[command(subcommand)]
    Consent(consent::Command),
    /// Data-subject rights requests: open, verify, execute, extend, reject, list what is overdue.
    #[command(subcommand)]
    Rights(rights::Command),
    /// Customers' questions and concerns: list, read, answer (mailed to them), close.
    #[command(subcommand)]
    Concerns(concerns::Command),
    /// Messages waiting for a transport: one-time codes, notices to recipients.
    #[command(subcommand)]
    Outbox(outbox::Command),
    /// Manage staff actors and their training attestations.
    #[command(subcommand)]
    Actor(actor::Command),
    /// The staff course and its quiz: read it, pass it (recording the training the gate asks for), require it again after a change.
    #[command(subcommand)]
    Training(training::Command),
    /// Open a conversation (as `analytics kpis --drill` lists them) for a purpose, through the gate.
    #[command(subcommand)]
    Conversation(conversation::Command),
    /// Ask the access decision, as the `--as` actor.
    #[command(subcommand)]
    Access(access::Command),
    /// Verify and read the tamper-evident audit log.
    #[command(subcommand)]
    Audit(audit::Command),
    /// Rotate the key-encryption key and show which keys wrap what.
    #[command(subcommand)]
    Keys(keys::Command),
    /// Sentiment, themes, customer-care KPIs and emerging phrases over customers' messages, consent-gated, k-anonymous.
    ///
    /// Every measure reads only the messages of customers whose choices
    /// allow the purpose `analytics` and suppresses groups of fewer than
    /// `privacy.k_anonymity` customers; `sentiment` and `themes` add
    /// differentially private noise with `--epsilon`, paid from your
    /// monthly budget.
    #[command(subcommand)]
    Analytics(analytics::Command),
    /// Find personal data in text and redact it.
    Redact(redact::Args),
    /// Measure quality on a labelled corpus.
    #[command(subcommand)]
    Eval(eval::Command),
    /// Show the effective configuration or the example one.
    #[command(subcommand)]
    Config(config::Command),
}

/// Run the parsed command.
pub async fn dispatch(cli: Cli) -> anyhow::Result<Outcome> {
    let g = &cli.global;
    match cli.command {
        Command::Init(a) => init::run(g, a).await,
        Command::Serve(a) => serve::run(g, a).await,
        Command::Demo(a) => demo::run(g, a).await,
        Command::Import(a) => import::run(g, a).await,
        Command::DemoData(a) => demo_data::run(g, a),
        Command::Policy(c) => policy::run(g, c).await,
        Command::Subject(c) => subject::run(g, c).await,
        Command::Consent(c) => consent::run(g, c).await,
        Command::Rights(c) => rights::run(g, c).await,
        Command::Concerns(c) => concerns::run(g, c).await,
        Command::Outbox(c) => outbox::run(g, c).await,
        Command::Actor(c) => actor::run(g, c).await,
        Command::Training(c) => training::run(g, c).await,
        Command::Conversation(c) => conversation::run(g, c).await,
        Command::Access(c) => access::run(g, c).await,
        Command::Audit(c) => audit::run(g, c).await,
        Command::Keys(c) => keys::run(g, c).await,
        Command::Config(c) => config::run(g, c).await,
        Command::Analytics(c) => analytics::run(g, c).await,
        Command::Redact(a) => redact::run(g, a),
        Command::Eval(c) => eval::run(g, c),
    }
}
