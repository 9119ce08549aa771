//! `candor demo-data`: a realistic synthetic data set in the `twcs` format
//! and a contacts CSV, for demos, tests and benchmarks.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::{output, Global, Outcome};

/// `candor demo-data`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Directory to write `twcs.csv` and `contacts.csv` into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// How many customers.
    #[arg(long, default_value_t = 1_000, value_parser = clap::value_parser!(u64).range(1..))]
    pub customers: u64,
    /// How many interactions (lines of `twcs.csv`).
    #[arg(long, default_value_t = 10_000)]
    pub interactions: u64,
    /// Seed: the same seed writes the same files.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

/// Run `candor demo-data`.
pub fn run(g: &Global, a: Args) -> anyhow::Result<Outcome> {
    let d = candor_ingest::demo_data::generate(&a.out, a.customers, a.interactions, a.seed)
        .with_context(|| format!("could not write the demo data into `{}`", a.out.display()))?;
    if g.json {
        output::json(&d)?;
    } else {
        println!(
            "wrote {} interactions ({} malformed on purpose) by {} customers to `{}`",
            d.interactions,
            d.malformed,
            d.customers,
            d.twcs.display()
        );
        println!(
            "wrote {} CRM contacts to `{}` ({} of them share a phone with the contact before, as households do)",
            d.contact_rows,
            d.contacts.display(),
            d.households
        );
        let brands: Vec<String> = d.brands.iter().map(|b| format!("--brand {b}")).collect();
        println!("import them with:\n  candor import {}\n  candor import {} {}", d.contacts.display(), d.twcs.display(), brands.join(" "));
    }
    Ok(Outcome::Ok)
}
