//! `candor import FILE`: social interactions, CRM contacts or platform
//! deletion notices into the store, streaming, idempotent and resumable.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use candor_ingest::formats::mapped::Mapping;
use candor_ingest::Format;
use candor_service::import::{ImportOptions, Progress, Summary};
use indicatif::{ProgressBar, ProgressStyle};

use crate::{output, Global, Installation, Outcome};

/// `candor import`
#[derive(Debug, clap::Args)]
#[command(after_help = "Exit status: 0 when every record was read, 2 when some were quarantined \
    (see the quarantine file next to the input), 1 on error. Running the same import again \
    stores nothing twice and completes an interrupted run.")]
pub struct Args {
    /// The file to import.
    pub file: PathBuf,
    /// Its format; guessed from the first line when absent.
    #[arg(long, value_parser = parse_format)]
    pub format: Option<Format>,
    /// For `jsonl` and `csv`: the mapping file naming the text, author,
    /// time, platform, id and reply-to fields.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// A handle of the brand's own (repeatable): never a customer, never
    /// redacted from text.
    #[arg(long = "brand", value_name = "HANDLE")]
    pub brands: Vec<String>,
    /// Records per transaction.
    #[arg(long, default_value_t = candor_ingest::pipeline::DEFAULT_BATCH as u64, value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub batch_size: u64,
    /// Where to write quarantined records [default: FILE.quarantine.jsonl].
    #[arg(long, value_name = "FILE")]
    pub quarantine: Option<PathBuf>,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::parse(s).ok_or_else(|| format!("unknown format `{s}`; use one of {}", Format::ALL.map(|f| f.as_str()).join(", ")))
}

/// Run `candor import`.
pub async fn run(g: &Global, a: Args) -> anyhow::Result<Outcome> {
    let mapping = match &a.mapping {
        Some(path) => {
            let text = std::fs::read_to_string(path).with_context(|| format!("could not read the mapping file `{}`", path.display()))?;
            Some(Mapping::parse(&path.display().to_string(), &text)?)
        }
        None => None,
    };
    let inst = Installation::open(&g.config_path()).await?;
    let options = ImportOptions {
        format: a.format,
        mapping,
        brands: a.brands.clone(),
        actor: g.actor.clone(),
        batch_size: usize::try_from(a.batch_size).unwrap_or(candor_ingest::pipeline::DEFAULT_BATCH),
        quarantine: a.quarantine.clone(),
        taxonomy: Arc::new(inst.settings.themes()?),
        limits: inst.settings.import.limits(),
        phone_region: inst.settings.phone_region(),
    };
    let progress = Arc::new(Progress::default());
    let bar = bar(&progress);
    let result = inst.candor.import(&a.file, options, Arc::clone(&progress)).await;
    bar.finish_and_clear();
    inst.close().await;
    let summary = result?;
    if g.json {
        output::json(&summary)?;
    } else {
        print(&summary);
    }
    Ok(if summary.quarantined > 0 { Outcome::Denied } else { Outcome::Ok })
}

/// A byte-based progress bar (rate, ETA) fed from the import's counters;
/// hidden when standard error is not a terminal. `candor demo` shows it
/// for its import too.
pub(crate) fn bar(progress: &Arc<Progress>) -> ProgressBar {
    let bar = ProgressBar::new(0);
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} importing [{bar:30}] {bytes}/{total_bytes} ({binary_bytes_per_sec}, {eta} left) {msg}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let (b, p) = (bar.clone(), Arc::clone(progress));
    tokio::spawn(async move {
        while !b.is_finished() {
            b.set_length(p.total_bytes.load(Ordering::Relaxed));
            b.set_position(p.bytes.load(Ordering::Relaxed));
            b.set_message(format!("{} records, {} stored", p.records.load(Ordering::Relaxed), p.stored.load(Ordering::Relaxed)));
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    });
    bar
}

fn print(s: &Summary) {
    println!(
        "imported `{}` ({}): {} records in {:.1} s ({:.0} records/s)",
        s.input.display(),
        s.format,
        s.records,
        s.seconds,
        s.records_per_second
    );
    let i = &s.interactions;
    if i.read > 0 {
        println!(
            "  interactions: {} read, {} stored, {} already stored, {} suppressed (erased customers), {} deleted on the platform",
            i.read, i.stored, i.already_stored, i.suppressed, i.deleted_on_platform
        );
    }
    if s.subjects.created > 0 || s.subjects.identities_linked > 0 {
        println!("  customers: {} created, {} identifiers linked to existing ones", s.subjects.created, s.subjects.identities_linked);
    }
    let c = &s.contacts;
    if c.read > 0 {
        println!(
            "  contacts: {} read, {} created, {} enriched, {} unchanged, {} kept apart, {} suppressed",
            c.read, c.created, c.enriched, c.unchanged, c.conflicts, c.suppressed
        );
    }
    if c.conflicts > 0 {
        let kinds: Vec<String> = c.shared.iter().map(|(k, n)| format!("{n} shared {k}")).collect();
        println!(
            "  {} conflict(s) kept apart ({}): customers who share an identifier but differ in others stay separate customers",
            c.conflicts,
            kinds.join(", ")
        );
        for k in c.kept_apart.iter().take(10) {
            println!(
                "    line {}: subject {} kept apart from {} (shared {}; differ in {})",
                k.line,
                k.subject,
                k.other,
                k.shared,
                k.differing.join(", ")
            );
        }
        if c.conflicts > 10 {
            println!("    … {} more in `--json`", c.conflicts.min(candor_ingest::pipeline::LISTED_CONFLICTS as u64) - 10);
        }
        println!("  (link or unlink identifiers deliberately with `candor subject link|unlink SUBJECT`)");
    }
    if s.deletions.read > 0 {
        println!("  deletion notices: {} read, {} stored interactions removed", s.deletions.read, s.deletions.removed);
    }
    if s.brand_accounts_created > 0 {
        println!("  brand accounts: {} new", s.brand_accounts_created);
    }
    match &s.quarantine_file {
        Some(f) => println!("  quarantined: {} record(s), with line and reason, in `{}`", s.quarantined, f.display()),
        None => println!("  quarantined: none"),
    }
}
