//! `candor consent grant|withdraw|object|show|verify-receipt`: the consent
//! ledger and its signed receipts (each written as the receipt itself, a
//! Kantara v1.1 JSON object, and its detached JWS beside it, `FILE.jws`).

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use candor_domain::{ConsentAction, ConsentSource, SubjectId};
use candor_service::receipt;
use candor_service::Settings;
use candor_store::KeyRing;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// The subject and purpose of a per-purpose event.
#[derive(Debug, clap::Args)]
pub struct EventArgs {
    /// The subject id.
    pub subject: String,
    /// The purpose, as named in the policy in force.
    pub purpose: String,
    /// Where the choice came from.
    #[arg(long, default_value = "cli", value_parser = ["cli", "api", "privacy_center", "import", "gpc", "rights_request"])]
    pub source: String,
}

/// `candor consent …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Record consent to a purpose; prints the signed consent receipt.
    Grant {
        /// Subject, purpose and source.
        #[command(flatten)]
        event: EventArgs,
        /// Write the receipt to this file instead of standard output, and
        /// its detached signature (a JWS) beside it, to FILE.jws.
        #[arg(long, value_name = "FILE")]
        receipt: Option<PathBuf>,
    },
    /// Record the withdrawal of consent (GDPR Art. 7(3)), with its signed
    /// receipt.
    Withdraw {
        /// Subject, purpose and source.
        #[command(flatten)]
        event: EventArgs,
        /// Write the receipt to this file (its signature to FILE.jws).
        #[arg(long, value_name = "FILE")]
        receipt: Option<PathBuf>,
    },
    /// Record an objection (GDPR Art. 21), with its signed receipt.
    Object {
        /// Subject, purpose and source.
        #[command(flatten)]
        event: EventArgs,
        /// Write the receipt to this file (its signature to FILE.jws).
        #[arg(long, value_name = "FILE")]
        receipt: Option<PathBuf>,
    },
    /// Show a subject's standing on every purpose and their ledger.
    Show {
        /// The subject id.
        subject: String,
    },
    /// Verify a consent receipt: exit 0 when valid, 2 when any byte of it
    /// or of its signature was changed.
    VerifyReceipt {
        /// The receipt file (its detached signature is read from FILE.jws;
        /// a receipt made before detached signatures holds its own).
        file: PathBuf,
        /// The detached signature (JWS), when not at FILE.jws.
        #[arg(long, value_name = "JWS_FILE")]
        signature: Option<PathBuf>,
        /// Trust this Ed25519 public key (hex) instead of the installation's.
        #[arg(long, value_name = "HEX")]
        public_key: Option<String>,
    },
}

/// Run a consent command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    if let Command::VerifyReceipt { file, signature, public_key } = c {
        return verify(g, &file, signature.as_deref(), public_key.as_deref());
    }
    Installation::with(&g.config_path(), async |inst| run_in(g, inst, c).await).await
}

async fn record(
    g: &Global,
    inst: &Installation,
    e: &EventArgs,
    action: ConsentAction,
) -> anyhow::Result<candor_service::consent::Recorded> {
    let subject = SubjectId::parse(&e.subject)?;
    let source = ConsentSource::parse(&e.source).context("unknown source")?;
    Ok(inst.candor.record_consent(&g.actor, subject, Some(&e.purpose), action, source).await?)
}

async fn run_in(g: &Global, inst: &Installation, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::Grant { event, receipt } => {
            let r = record(g, inst, &event, ConsentAction::Grant).await?;
            // A grant always comes with its receipt: never write an empty one.
            let signed = r.receipt.clone().context("the grant was recorded, but no receipt was made for it")?;
            if let Some(path) = &receipt {
                write_receipt(path, &signed)?;
            }
            if g.json {
                output::json(&json!({ "ledger_id": r.ledger_id, "event": r.event, "receipt": signed.receipt, "signature": signed.jws() }))?;
            } else if let Some(path) = &receipt {
                println!(
                    "consent to `{}` recorded under policy version {}; receipt written to {} (signature: {})",
                    event.purpose,
                    r.event.policy_version,
                    path.display(),
                    jws_path(path).display()
                );
            } else {
                print!("{}", signed.document()?);
                if let Some(jws) = signed.jws() {
                    eprintln!("signature (detached JWS; keep it as FILE.jws beside the receipt saved as FILE): {jws}");
                }
            }
            Ok(Outcome::Ok)
        }
        Command::Withdraw { event, receipt } => {
            let r = record(g, inst, &event, ConsentAction::Withdraw).await?;
            done(g, &event, r, receipt.as_deref())
        }
        Command::Object { event, receipt } => {
            let r = record(g, inst, &event, ConsentAction::Object).await?;
            done(g, &event, r, receipt.as_deref())
        }
        Command::Show { subject } => {
            let o = inst.candor.consent_overview(SubjectId::parse(&subject)?).await?;
            if g.json {
                output::json(&o)?;
            } else {
                println!("consent of {} under policy version {}:", o.subject, o.policy_version);
                let rows = o.purposes.iter().map(|p| {
                    vec![
                        p.purpose.to_string(),
                        p.legal_basis.to_string(),
                        choice(p),
                        p.policy_version.map_or_else(String::new, |v| format!("v{v}")),
                        if p.in_effect { "yes".to_owned() } else { format!("no: {}", p.reason.clone().unwrap_or_default()) },
                    ]
                });
                println!("{}", output::table(&["purpose", "legal basis", "choice", "under", "in effect"], rows));
                let flags: Vec<&str> = [
                    (o.state.restricted, "processing restricted (Art. 18)"),
                    (o.state.sale_share_opt_out, "opted out of sale/share (CCPA)"),
                    (o.state.limit_sensitive_use, "limited use of sensitive data (CCPA)"),
                ]
                .into_iter()
                .filter(|(on, _)| *on)
                .map(|(_, s)| s)
                .collect();
                if !flags.is_empty() {
                    println!("{}", flags.join("; "));
                }
                println!("ledger: {} event(s)", o.events.len());
                for e in &o.events {
                    println!(
                        "  #{} {} {} {} v{} via {}{}",
                        e.id,
                        output::ts(e.event.at),
                        e.event.action,
                        e.event.purpose.as_ref().map_or("(all purposes)", |p| p.as_str()),
                        e.event.policy_version,
                        e.event.source.as_str(),
                        if e.has_receipt { " [receipt]" } else { "" }
                    );
                }
            }
            Ok(Outcome::Ok)
        }
        Command::VerifyReceipt { .. } => Ok(Outcome::Ok),
    }
}

fn choice(p: &candor_service::consent::PurposeStanding) -> String {
    use candor_domain::{ConsentDefault, PurposeStatus};
    match (p.status, p.default) {
        (Some(PurposeStatus::Granted), _) => "granted".into(),
        (Some(PurposeStatus::Withdrawn), _) => "withdrawn".into(),
        (Some(PurposeStatus::Objected), _) => "objected".into(),
        (None, ConsentDefault::OptIn) => "none yet (opt-in)".into(),
        (None, ConsentDefault::OptOut) => "none (opt-out)".into(),
        (None, ConsentDefault::NotApplicable) => "not a choice".into(),
    }
}

fn done(g: &Global, e: &EventArgs, r: candor_service::consent::Recorded, path: Option<&Path>) -> anyhow::Result<Outcome> {
    if let (Some(path), Some(signed)) = (path, &r.receipt) {
        write_receipt(path, signed)?;
    }
    if g.json {
        let (receipt, signature) = (r.receipt.as_ref().map(|s| &s.receipt), r.receipt.as_ref().and_then(|s| s.jws()));
        output::json(&json!({ "ledger_id": r.ledger_id, "event": r.event, "receipt": receipt, "signature": signature }))?;
    } else {
        let written =
            path.map_or_else(String::new, |p| format!("; receipt written to {} (signature: {})", p.display(), jws_path(p).display()));
        println!(
            "{} of `{}` recorded under policy version {} (ledger #{}){written}",
            r.event.action, e.purpose, r.event.policy_version, r.ledger_id
        );
    }
    Ok(Outcome::Ok)
}

/// Where a receipt's detached signature lives: beside it, `FILE.jws`.
pub(crate) fn jws_path(receipt: &Path) -> PathBuf {
    let mut name = receipt.as_os_str().to_owned();
    name.push(".jws");
    PathBuf::from(name)
}

/// Write a receipt to `path` and its detached signature to `path.jws`.
pub(crate) fn write_receipt(path: &Path, signed: &receipt::SignedReceipt) -> anyhow::Result<()> {
    fs::write(path, signed.document()?).with_context(|| format!("could not write the receipt to `{}`", path.display()))?;
    if let Some(jws) = signed.jws() {
        let sig = jws_path(path);
        fs::write(&sig, format!("{jws}\n")).with_context(|| format!("could not write the receipt's signature to `{}`", sig.display()))?;
    }
    Ok(())
}

fn verify(g: &Global, file: &Path, signature: Option<&Path>, public_key: Option<&str>) -> anyhow::Result<Outcome> {
    let text = fs::read_to_string(file).with_context(|| format!("could not read `{}`", file.display()))?;
    let beside = jws_path(file);
    let jws = match signature {
        Some(p) => Some(fs::read_to_string(p).with_context(|| format!("could not read the signature `{}`", p.display()))?),
        None if beside.is_file() => {
            Some(fs::read_to_string(&beside).with_context(|| format!("could not read the signature `{}`", beside.display()))?)
        }
        None => None,
    };
    let trusted = match public_key {
        Some(hex_key) => Some(parse_key(hex_key)?),
        None => {
            // The installation's own key, when there is one at hand.
            let config = g.config_path();
            if config.is_file() {
                let settings = Settings::load(&config)?;
                let ring = KeyRing::load(&settings.keys.dir)
                    .with_context(|| format!("could not load the keys from `{}`", settings.keys.dir.display()))?;
                Some(ring.verifying_key())
            } else {
                None
            }
        }
    };
    match receipt::verify(&text, jws.as_deref(), trusted.as_ref()) {
        Ok(v) => {
            if g.json {
                output::json(&json!({ "valid": true, "receipt": v }))?;
            } else {
                println!(
                    "valid: receipt {} ({} of `{}`) by {} under policy version {}",
                    v.receipt_id, v.action, v.purpose, v.principal, v.policy_version
                );
                if !v.trusted_key {
                    println!("note: checked against the key the receipt names; pass `--public-key` or `--config` to check who signed it");
                }
            }
            Ok(Outcome::Ok)
        }
        Err(e) => {
            if g.json {
                output::json(&json!({ "valid": false, "error": e.to_string() }))?;
            } else {
                eprintln!("invalid: {e}");
            }
            Ok(Outcome::Denied)
        }
    }
}

fn parse_key(hex_key: &str) -> anyhow::Result<ed25519_dalek::VerifyingKey> {
    let bytes: [u8; 32] = hex::decode(hex_key.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .context("`--public-key` must be 64 hex digits (an Ed25519 public key)")?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).context("`--public-key` is not a valid Ed25519 public key")
}
