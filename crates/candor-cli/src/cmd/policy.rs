//! `candor policy check|publish|list|show|diff`: the data-use policy as code.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use candor_domain::policy::{Diagnostic, Policy};
use candor_domain::{diff, PolicyDiff};
use candor_service::policy::{check_text, content_hash};
use candor_service::ServiceError;
use serde_json::json;

use crate::{output, Global, Installation, Outcome};

/// `candor policy …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Check a policy file; every problem is named with file, line and column.
    Check {
        /// The policy file.
        file: PathBuf,
    },
    /// Publish a policy file as a new immutable, numbered version
    /// (identical content is a no-op).
    Publish {
        /// The policy file.
        file: PathBuf,
    },
    /// List the published versions.
    List,
    /// Print a published version [default: the latest].
    Show {
        /// Version number.
        #[arg(value_name = "VERSION")]
        number: Option<u32>,
    },
    /// What changed, each change material or not, and which purposes need
    /// fresh consent. With no argument: the last two published versions;
    /// with one: the latest published version against it; with two: A
    /// against B. Each is a file or a version number (`3` or `v3`).
    Diff {
        /// The older side.
        a: Option<String>,
        /// The newer side.
        b: Option<String>,
    },
}

/// Run a policy command.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    match c {
        Command::Check { file } => check(g, &file),
        Command::Publish { file } => publish(g, &file).await,
        Command::List => list(g).await,
        Command::Show { number } => show(g, number).await,
        Command::Diff { a, b } => diff_cmd(g, a, b).await,
    }
}

fn read(file: &Path) -> anyhow::Result<String> {
    fs::read_to_string(file).with_context(|| format!("could not read `{}`", file.display()))
}

fn print_diagnostics(g: &Global, diags: &[Diagnostic]) -> anyhow::Result<()> {
    if g.json {
        output::json(&json!({ "valid": false, "errors": diags }))?;
    } else {
        for d in diags {
            eprintln!("{d}");
        }
        eprintln!("{} error(s)", diags.len());
    }
    Ok(())
}

fn check(g: &Global, file: &Path) -> anyhow::Result<Outcome> {
    let text = read(file)?;
    match check_text(&file.display().to_string(), &text) {
        Ok(p) => {
            let today = time::OffsetDateTime::now_utc().date();
            let lapsed: Vec<String> = p.lapsed_agreements(today).iter().map(|r| r.lapsed_message()).collect();
            // What consent receipts need from the controller: publishing
            // goes ahead, but receipts lack what the standards require.
            let mut receipts = p.controller.receipt_gaps();
            // Descriptions the privacy center must show in English to
            // customers reading another of its languages.
            receipts.extend(p.untranslated());
            if g.json {
                let warnings: Vec<&String> = lapsed.iter().chain(&receipts).collect();
                output::json(&json!({ "valid": true, "purposes": p.purposes.len(), "recipients": p.recipients.len(),
                                      "content_hash": content_hash(&text), "warnings": warnings }))?;
            } else {
                println!("{}: ok ({} purposes, {} recipients)", file.display(), p.purposes.len(), p.recipients.len());
                for w in &lapsed {
                    eprintln!("warning: {}: {w}; `policy publish` refuses it", file.display());
                }
                for w in &receipts {
                    eprintln!("warning: {}: {w}", file.display());
                }
            }
            Ok(Outcome::Ok)
        }
        Err(ServiceError::InvalidPolicy(diags)) => {
            print_diagnostics(g, &diags)?;
            Ok(Outcome::Denied)
        }
        Err(e) => Err(e.into()),
    }
}

fn print_diff(d: &PolicyDiff) {
    if d.changes.is_empty() {
        println!("no changes");
        return;
    }
    for c in &d.changes {
        println!("  {c}");
    }
    if d.is_material() {
        println!("material: customers must be notified before it applies");
    }
    if !d.fresh_consent.is_empty() {
        let list: Vec<&str> = d.fresh_consent.iter().map(|p| p.as_str()).collect();
        println!("fresh consent needed for: {}", list.join(", "));
    }
}

async fn publish(g: &Global, file: &Path) -> anyhow::Result<Outcome> {
    let text = read(file)?;
    // Check before opening anything, so a bad file is reported even
    // without an installation at hand.
    if let Err(ServiceError::InvalidPolicy(diags)) = check_text(&file.display().to_string(), &text) {
        print_diagnostics(g, &diags)?;
        return Ok(Outcome::Denied);
    }
    let inst = Installation::open(&g.config_path()).await?;
    let published = inst.candor.publish_policy(&g.actor, &file.display().to_string(), &text).await;
    inst.close().await;
    let p = published?;
    if g.json {
        output::json(&p)?;
    } else if p.created {
        println!("published policy version {} (sha256 {})", p.version, p.content_hash);
        if let Some(d) = &p.diff {
            println!("changes since version {}:", p.version - 1);
            print_diff(d);
        }
        if p.diff.as_ref().is_some_and(PolicyDiff::is_material) {
            println!("notices queued for the customers it affects: {}", p.notices.total);
        }
    } else {
        println!("identical to published version {}: nothing published", p.version);
        if p.notices.queued > 0 {
            println!("notices an earlier run left unfinished queued: {} ({} in all)", p.notices.queued, p.notices.total);
        }
    }
    Ok(Outcome::Ok)
}

async fn list(g: &Global) -> anyhow::Result<Outcome> {
    let inst = Installation::open(&g.config_path()).await?;
    let versions = inst.candor.policy_versions().await;
    inst.close().await;
    let versions = versions?;
    if g.json {
        let rows: Vec<_> = versions
            .iter()
            .map(|v| json!({ "version": v.version, "content_hash": v.content_hash, "published_at": output::ts(v.published_at) }))
            .collect();
        output::json(&rows)?;
    } else if versions.is_empty() {
        println!("no policy published yet");
    } else {
        let rows = versions.iter().map(|v| vec![v.version.to_string(), output::ts(v.published_at), v.content_hash.clone()]);
        println!("{}", output::table(&["version", "published", "sha256"], rows));
    }
    Ok(Outcome::Ok)
}

async fn show(g: &Global, version: Option<u32>) -> anyhow::Result<Outcome> {
    let inst = Installation::open(&g.config_path()).await?;
    let result = async {
        let v = match version {
            Some(v) => v,
            None => inst.candor.latest_policy_version().await?.ok_or(ServiceError::NoPolicy)?,
        };
        inst.candor.policy_version(v).await
    }
    .await;
    inst.close().await;
    let (record, policy) = result?;
    if g.json {
        output::json(&json!({ "version": record.version, "content_hash": record.content_hash, "policy": policy }))?;
    } else {
        print!("{}", record.content);
    }
    Ok(Outcome::Ok)
}

/// One side of a diff: a file or a published version.
enum Side {
    File(PathBuf),
    Version(u32),
}

fn side(s: &str) -> anyhow::Result<Side> {
    let p = PathBuf::from(s);
    if p.exists() {
        return Ok(Side::File(p));
    }
    let n = s.strip_prefix('v').unwrap_or(s);
    n.parse::<u32>().map(Side::Version).map_err(|_| anyhow::anyhow!("`{s}` is neither a policy file nor a version number"))
}

async fn diff_cmd(g: &Global, a: Option<String>, b: Option<String>) -> anyhow::Result<Outcome> {
    let a = a.as_deref().map(side).transpose()?;
    let b = b.as_deref().map(side).transpose()?;
    let needs_store = !matches!((&a, &b), (Some(Side::File(_)), Some(Side::File(_))));
    let inst = if needs_store { Some(Installation::open(&g.config_path()).await?) } else { None };
    let result = async {
        let load = |s: Side| async {
            match s {
                Side::File(f) => {
                    let text = read(&f)?;
                    let p = check_text(&f.display().to_string(), &text)?;
                    Ok::<(String, Policy), anyhow::Error>((f.display().to_string(), p))
                }
                Side::Version(v) => {
                    let inst = inst.as_ref().context("no installation")?;
                    let (_, p) = inst.candor.policy_version(v).await?;
                    Ok((format!("version {v}"), p))
                }
            }
        };
        let latest = match &inst {
            Some(i) => i.candor.latest_policy_version().await?,
            None => None,
        };
        let (a, b) = match (a, b) {
            (Some(a), Some(b)) => (a, b),
            (Some(b), None) => (Side::Version(latest.ok_or(ServiceError::NoPolicy)?), b),
            (None, _) => {
                let l = latest.ok_or(ServiceError::NoPolicy)?;
                if l < 2 {
                    anyhow::bail!("only one policy version is published; name a file to compare it with");
                }
                (Side::Version(l - 1), Side::Version(l))
            }
        };
        let (an, ap) = load(a).await?;
        let (bn, bp) = load(b).await?;
        Ok((an, bn, diff(&ap, &bp)))
    }
    .await;
    if let Some(i) = inst {
        i.close().await;
    }
    let (an, bn, d) = match result {
        Ok(r) => r,
        Err(e) => {
            if let Some(ServiceError::InvalidPolicy(diags)) = e.downcast_ref::<ServiceError>() {
                print_diagnostics(g, diags)?;
                return Ok(Outcome::Denied);
            }
            return Err(e);
        }
    };
    if g.json {
        output::json(
            &json!({ "from": an, "to": bn, "material": d.is_material(), "changes": d.changes, "fresh_consent": d.fresh_consent }),
        )?;
    } else {
        println!("{an} -> {bn}:");
        print_diff(&d);
    }
    Ok(Outcome::Ok)
}
