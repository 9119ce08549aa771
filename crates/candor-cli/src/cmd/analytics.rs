//! `candor analytics sentiment|themes|kpis|emerging|taxonomy`: aggregate questions over what
//! customers wrote, answered only from data the purpose `analytics` may
//! use, with small cells suppressed and, with `--epsilon`, noise paid from
//! the actor's privacy budget. Tables for people, `--json`, `--csv`, and
//! `--svg FILE` for a chart.

use std::path::PathBuf;

use anyhow::Context as _;
use candor_privacy::dp::{Delta, Epsilon};
use candor_service::analytics::{
    parse_dimension, AnalyticsOptions, AnalyticsQuery, AnalyticsReport, Cell, DpRequest, DrillReport, EmergingQuery, KpiRequest, Measure,
};
use candor_service::ServiceError;
use time::Date;

use crate::{output, Global, Installation, Outcome};

/// What every query takes.
#[derive(Debug, Clone, clap::Args)]
pub struct QueryArgs {
    /// Group by: a comma-separated list of `day`, `week` or `month` (one
    /// at most), `platform`, `theme`, `account`, `language`.
    #[arg(long, value_name = "DIMS", default_value = "week")]
    pub by: String,
    /// First day counted, `yyyy-mm-dd` (UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last day counted, `yyyy-mm-dd` (UTC), inclusive.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Add differentially private noise with this epsilon, spent from your
    /// monthly budget.
    #[arg(long, value_name = "E")]
    pub epsilon: Option<f64>,
    /// With `--epsilon`: use Gaussian noise with this delta ((epsilon,
    /// delta)-differential privacy) instead of Laplace noise.
    #[arg(long, value_name = "D", requires = "epsilon")]
    pub delta: Option<f64>,
    /// Print CSV instead of a table.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Also draw the result as an SVG chart into FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
}

/// `candor analytics …`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Sentiment of customers' messages: label counts and mean compound score.
    Sentiment(QueryArgs),
    /// How many customer messages touch each theme of the taxonomy.
    Themes(QueryArgs),
    /// Customer-care KPIs over conversations: volume, answered, response and resolution times, service level.
    ///
    /// Per cell: customers, conversations, customer messages, the share
    /// answered, the service level (answered within the account's target),
    /// median and 90th-percentile first-response time, median resolution
    /// time, conversations per customer, and mean sentiment at the start and
    /// the end. `--drill CELL` lists the conversations behind one cell, for
    /// staff who may handle them.
    Kpis(KpiArgs),
    /// Phrases whose share of customers rose most against the period before.
    Emerging(EmergingArgs),
    /// Print the theme taxonomy in force (TOML), to start your own from.
    Taxonomy,
}

/// `candor analytics kpis`.
#[derive(Debug, Clone, clap::Args)]
pub struct KpiArgs {
    /// Group by: a comma-separated list of `day`, `week` or `month` (one at
    /// most), `platform`, `account` (the brand account) and `agent` (who
    /// signed the first reply, `^AB`).
    #[arg(long, value_name = "DIMS", default_value = "week,account")]
    pub by: String,
    /// First day counted (of a conversation's first message), `yyyy-mm-dd`.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last day counted, inclusive.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Print CSV instead of a table.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
    /// Also draw the median first-response time as an SVG chart into FILE.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// List the conversations behind one cell instead: its key parts,
    /// comma-separated, in `--by` order (`2017-10-02,northwindhelp`). For
    /// staff who may handle conversations (the purpose `customer_service`).
    #[arg(long, value_name = "CELL", conflicts_with = "svg")]
    pub drill: Option<String>,
}

/// `candor analytics emerging`.
#[derive(Debug, Clone, clap::Args)]
pub struct EmergingArgs {
    /// First day of the period, `yyyy-mm-dd` [default: six days before `--to`].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub from: Option<Date>,
    /// Last day of the period, inclusive [default: today, UTC].
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    pub to: Option<Date>,
    /// Fewest customers a phrase needs (never fewer than k).
    #[arg(long, default_value_t = 5)]
    pub min_customers: u32,
    /// Most phrases shown.
    #[arg(long, default_value_t = 20)]
    pub limit: usize,
    /// Print CSV instead of a table.
    #[arg(long, conflicts_with = "json")]
    pub csv: bool,
}

pub(crate) fn parse_date(s: &str) -> Result<Date, String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &format).map_err(|_| format!("`{s}` is not a date like 2024-05-31"))
}

/// Parse `--by`.
pub fn parse_by(s: &str) -> anyhow::Result<Vec<candor_store::Dimension>> {
    s.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            parse_dimension(p).with_context(|| {
                format!("`--by {s}`: `{p}` is not a dimension; use day, week or month, platform, theme, account, language")
            })
        })
        .collect()
}

/// Run a query.
pub async fn run(g: &Global, c: Command) -> anyhow::Result<Outcome> {
    let (measure, a) = match c {
        Command::Sentiment(a) => (Measure::Sentiment, a),
        Command::Themes(a) => (Measure::Themes, a),
        Command::Emerging(a) => return emerging(g, a).await,
        Command::Kpis(a) => return kpis(g, a).await,
        Command::Taxonomy => {
            let settings = candor_service::Settings::load(&g.config_path())?;
            match &settings.analytics.themes {
                Some(path) => print!("{}", std::fs::read_to_string(path).with_context(|| format!("could not read `{}`", path.display()))?),
                None => print!("{}", candor_analytics::themes::Taxonomy::default_customer_care_toml()),
            }
            return Ok(Outcome::Ok);
        }
    };
    let by = parse_by(&a.by)?;
    let dp = match a.epsilon {
        Some(e) => Some(DpRequest {
            epsilon: Epsilon::new(e).with_context(|| format!("`--epsilon {e}`"))?,
            delta: a.delta.map(|d| Delta::new(d).with_context(|| format!("`--delta {d}`"))).transpose()?,
        }),
        None => None,
    };
    let inst = Installation::open(&g.config_path()).await?;
    let options = options(&inst)?;
    let query = AnalyticsQuery { measure, by, from: a.from, to: a.to, dp };
    let result = inst.candor.analytics(&g.actor, &query, &options).await;
    inst.close().await;
    let report = match refused(result)? {
        Ok(r) => r,
        Err(outcome) => return Ok(outcome),
    };
    if let Some(path) = &a.svg {
        std::fs::write(path, candor_charts::chart(&report)).with_context(|| format!("could not write `{}`", path.display()))?;
    }
    if g.json {
        output::json(&report)?;
    } else if a.csv {
        print_report_csv(&report)?;
    } else {
        print_table(&report);
    }
    Ok(Outcome::Ok)
}

fn options(inst: &Installation) -> anyhow::Result<AnalyticsOptions> {
    Ok(AnalyticsOptions {
        k: inst.settings.privacy.k_anonymity,
        budget_per_month: inst.settings.privacy.dp_epsilon_per_month,
        max_contributions: inst.settings.privacy.dp_max_contributions,
        themes: inst.settings.themes()?.themes().iter().map(|t| t.name().to_owned()).collect(),
    })
}

/// A denial or a spent budget is exit code 2 with its reason; other
/// errors are errors.
fn refused<T>(result: Result<T, ServiceError>) -> anyhow::Result<Result<T, Outcome>> {
    match result {
        Ok(r) => Ok(Ok(r)),
        Err(ServiceError::Denied(reason)) => {
            eprintln!("denied: {reason}");
            Ok(Err(Outcome::Denied))
        }
        Err(e @ ServiceError::BudgetExhausted { .. }) => {
            eprintln!("refused: {e}");
            Ok(Err(Outcome::Denied))
        }
        Err(e) => Err(e.into()),
    }
}

async fn emerging(g: &Global, a: EmergingArgs) -> anyhow::Result<Outcome> {
    let (from, to) = EmergingQuery::period(a.from, a.to, time::OffsetDateTime::now_utc().date())?;
    let inst = Installation::open(&g.config_path()).await?;
    let options = options(&inst)?;
    let query = EmergingQuery { from, to, min_customers: a.min_customers, limit: a.limit };
    let result = inst.candor.emerging(&g.actor, &query, &options).await;
    inst.close().await;
    let report = match refused(result)? {
        Ok(r) => r,
        Err(outcome) => return Ok(outcome),
    };
    let withheld = |v: Option<String>| v.unwrap_or_else(|| format!("<{}", report.k));
    let rows: Vec<Vec<String>> = report
        .phrases
        .iter()
        .map(|p| {
            vec![
                p.phrase.clone(),
                p.customers.to_string(),
                format!("{:.1}%", p.share * 100.0),
                withheld(p.previous_customers.map(|v| v.to_string())),
                withheld(p.previous_share.map(|v| format!("{:.1}%", v * 100.0))),
                withheld(p.rise.map(|v| format!("{:+.1} pts", v * 100.0))),
            ]
        })
        .collect();
    let header = ["phrase", "customers", "share", "before", "share before", "rise"];
    if g.json {
        output::json(&report)?;
    } else if a.csv {
        print_csv(header, &rows)?;
    } else {
        println!("{}", output::table(&header, rows));
        println!(
            "{} to {} ({} customers) against {} to {} ({} customers); phrases used by fewer than {} customers are not shown; {} customers' messages left out by their choices",
            report.from, report.to, report.customers, report.previous_from, report.previous_to, report.previous_customers, report.k, report.subjects_excluded
        );
    }
    Ok(Outcome::Ok)
}

fn print_drill(g: &Global, a: &KpiArgs, r: &DrillReport) -> anyhow::Result<Outcome> {
    if g.json {
        output::json(r)?;
        return Ok(Outcome::Ok);
    }
    let header = ["platform", "conversation", "first message", "account", "agent", "first response", "resolution"];
    let rows: Vec<Vec<String>> = r
        .conversations
        .iter()
        .map(|c| {
            let seconds = |v: Option<i64>| if a.csv { v.map(|v| v.to_string()).unwrap_or_default() } else { duration(v) };
            vec![
                c.platform.clone(),
                c.conversation_id.clone(),
                output::ts(c.first_message),
                c.account.clone().unwrap_or_default(),
                c.agent.clone().unwrap_or_default(),
                seconds(c.first_response_s),
                seconds(c.resolution_s),
            ]
        })
        .collect();
    if a.csv {
        print_csv(["platform", "conversation_id", "first_message", "account", "agent", "first_response_s", "resolution_s"], &rows)?;
    } else {
        println!("{}", output::table(&header, rows));
        println!("{} conversations behind {} = {}", r.conversations.len(), r.dimensions.join(","), r.cell.join(","));
    }
    Ok(Outcome::Ok)
}

/// A duration for people: `45s`, `12m`, `3h05m`, `2d04h`.
fn duration(s: Option<i64>) -> String {
    match s {
        None => String::new(),
        Some(s) if s < 60 => format!("{s}s"),
        Some(s) if s < 3600 => format!("{}m", s / 60),
        Some(s) if s < 86_400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        Some(s) => format!("{}d{:02}h", s / 86_400, s % 86_400 / 3600),
    }
}

async fn kpis(g: &Global, a: KpiArgs) -> anyhow::Result<Outcome> {
    let (dims, by_agent) = KpiRequest::parse_by(&a.by).map_err(|e| anyhow::anyhow!("`--by {}`: {e}", a.by))?;
    let inst = Installation::open(&g.config_path()).await?;
    let options = options(&inst)?;
    let levels = inst.settings.service_levels();
    let req = KpiRequest { by: dims, by_agent, from: a.from, to: a.to };
    if let Some(cell) = &a.drill {
        let cell: Vec<String> = cell.split(',').map(|p| p.trim().to_owned()).collect();
        let result = inst.candor.kpi_drill(&g.actor, &req, &cell, &options, &levels).await;
        inst.close().await;
        let report = match refused(result)? {
            Ok(r) => r,
            Err(outcome) => return Ok(outcome),
        };
        return print_drill(g, &a, &report);
    }
    let result = inst.candor.kpis(&g.actor, &req, &options, &levels).await;
    inst.close().await;
    let report = match refused(result)? {
        Ok(r) => r,
        Err(outcome) => return Ok(outcome),
    };
    if let Some(path) = &a.svg {
        let cells = report.cells.iter().map(|c| (c.key.as_slice(), c.first_response_median_s.map(|s| s as f64 / 60.0))).collect();
        let chart = candor_charts::Chart {
            title: format!("median first response by {}", report.dimensions.join(", ")),
            dimensions: &report.dimensions,
            x_dim: 0,
            y_label: "median first response (minutes)",
            y_fixed: None,
            signed: false,
            cells,
            suppressed: report.suppressed,
            k: report.k,
            words: None,
        };
        std::fs::write(path, candor_charts::draw(&chart)).with_context(|| format!("could not write `{}`", path.display()))?;
    }
    let header_figures = [
        "customers",
        "conversations",
        "messages",
        "answered",
        "service level",
        "first response",
        "p90",
        "resolution",
        "per customer",
        "sentiment start",
        "sentiment end",
    ];
    let pct = |v: Option<f64>| v.map(|v| format!("{:.1}%", v * 100.0)).unwrap_or_default();
    let signed = |v: Option<f64>| v.map(|v| format!("{v:+.3}")).unwrap_or_default();
    if g.json {
        output::json(&report)?;
        return Ok(Outcome::Ok);
    }
    if a.csv {
        let mut header: Vec<String> = report.dimensions.clone();
        header.extend(
            [
                "customers",
                "conversations",
                "inbound",
                "answered_share",
                "service_level",
                "first_response_median_s",
                "first_response_p90_s",
                "resolution_median_s",
                "conversations_per_customer",
                "sentiment_start",
                "sentiment_end",
                "suppressed",
            ]
            .map(str::to_owned),
        );
        let opt = |v: Option<String>| v.unwrap_or_default();
        let mut records = Vec::with_capacity(report.cells.len());
        for c in &report.cells {
            let mut rec = c.key.clone();
            rec.extend([
                opt(c.customers.map(|v| v.to_string())),
                opt(c.conversations.map(|v| v.to_string())),
                opt(c.inbound.map(|v| v.to_string())),
                opt(c.answered_share.map(|v| v.to_string())),
                opt(c.service_level.map(|v| v.to_string())),
                opt(c.first_response_median_s.map(|v| v.to_string())),
                opt(c.first_response_p90_s.map(|v| v.to_string())),
                opt(c.resolution_median_s.map(|v| v.to_string())),
                opt(c.conversations_per_customer.map(|v| v.to_string())),
                opt(c.sentiment_start.map(|v| v.to_string())),
                opt(c.sentiment_end.map(|v| v.to_string())),
                c.suppressed.unwrap_or_default().to_owned(),
            ]);
            records.push(rec);
        }
        print_csv(&header, &records)?;
        return Ok(Outcome::Ok);
    }
    let mut header: Vec<&str> = report.dimensions.iter().map(String::as_str).collect();
    header.extend(header_figures);
    let rows: Vec<Vec<String>> = report
        .cells
        .iter()
        .map(|c| {
            let mut out = c.key.clone();
            if let Some(why) = c.suppressed {
                out.push(format!("suppressed ({})", why.replace('_', " ")));
                out.extend(std::iter::repeat_n(String::new(), header_figures.len() - 1));
            } else {
                out.extend([
                    c.customers.map(|v| v.to_string()).unwrap_or_default(),
                    c.conversations.map(|v| v.to_string()).unwrap_or_default(),
                    c.inbound.map(|v| v.to_string()).unwrap_or_default(),
                    pct(c.answered_share),
                    pct(c.service_level),
                    duration(c.first_response_median_s),
                    duration(c.first_response_p90_s),
                    duration(c.resolution_median_s),
                    c.conversations_per_customer.map(|v| format!("{v:.2}")).unwrap_or_default(),
                    signed(c.sentiment_start),
                    signed(c.sentiment_end),
                ]);
            }
            out
        })
        .collect();
    println!("{}", output::table(&header, rows));
    println!(
        "{} cells, {} suppressed (fewer than {} customers); service level: answered within {} unless the account has its own target; {} customers' conversations left out by their choices",
        report.cells.len(),
        report.suppressed,
        report.k,
        duration(Some(report.default_target_s)),
        report.subjects_excluded
    );
    Ok(Outcome::Ok)
}

/// The figures of a report, one column each, as shown.
fn columns(measure: Measure) -> &'static [&'static str] {
    match measure {
        Measure::Sentiment => &["customers", "messages", "positive", "neutral", "negative", "unknown", "mean sentiment"],
        Measure::Themes => &["customers", "messages", "negative", "mean sentiment"],
    }
}

fn figure(cell: &Cell, column: &str) -> Option<f64> {
    match column {
        "customers" => cell.subjects.map(|v| v as f64),
        "messages" => cell.interactions,
        "positive" => cell.positive,
        "neutral" => cell.neutral,
        "negative" => cell.negative,
        "unknown" => cell.unknown,
        "mean sentiment" => cell.mean_sentiment,
        _ => None,
    }
}

fn shown(v: Option<f64>, column: &str) -> String {
    match v {
        None => String::new(),
        Some(v) if column == "mean sentiment" => format!("{v:+.3}"),
        Some(v) => format!("{v:.0}"),
    }
}

fn row(cell: &Cell, columns: &[&str]) -> Vec<String> {
    let mut out = cell.key.clone();
    if let Some(why) = cell.suppressed {
        out.push(format!("suppressed ({})", why.replace('_', " ")));
        out.extend(std::iter::repeat_n(String::new(), columns.len() - 1));
    } else {
        out.extend(columns.iter().map(|c| shown(figure(cell, c), c)));
    }
    out
}

fn print_table(r: &AnalyticsReport) {
    let columns = columns(r.measure);
    let mut header: Vec<&str> = r.dimensions.iter().map(String::as_str).collect();
    header.extend(columns);
    let mut rows: Vec<Vec<String>> = r.cells.iter().map(|c| row(c, columns)).collect();
    if let Some(t) = &r.total {
        let mut t = t.clone();
        t.key =
            std::iter::once("total".to_owned()).chain(std::iter::repeat_n(String::new(), r.dimensions.len().saturating_sub(1))).collect();
        rows.push(row(&t, columns));
    }
    println!("{}", output::table(&header, rows));
    println!(
        "{} cells, {} suppressed (fewer than {} customers, or recoverable from a total); {} customers' messages left out by their choices; policy version {}",
        r.cells.len(),
        r.suppressed,
        r.k,
        r.subjects_excluded,
        r.policy_version
    );
    if let Some(p) = &r.privacy {
        println!(
            "differential privacy: {} noise, epsilon {}{} (counts scale {:.2}, sentiment sums scale {:.2}), at most {} messages per customer; {:.3} epsilon left this month",
            p.mechanism,
            p.epsilon,
            p.delta.map(|d| format!(", delta {d}")).unwrap_or_default(),
            p.count_scale,
            p.sum_scale,
            p.max_contributions,
            p.budget_remaining
        );
    }
}

fn print_report_csv(r: &AnalyticsReport) -> anyhow::Result<()> {
    let columns = columns(r.measure);
    let mut header: Vec<String> = r.dimensions.clone();
    header.extend(columns.iter().map(|c| c.replace(' ', "_")));
    header.push("suppressed".into());
    let records: Vec<Vec<String>> = r
        .cells
        .iter()
        .map(|c| {
            let mut rec = c.key.clone();
            rec.extend(columns.iter().map(|col| figure(c, col).map(|v| v.to_string()).unwrap_or_default()));
            rec.push(c.suppressed.unwrap_or_default().to_owned());
            rec
        })
        .collect();
    print_csv(&header, &records)
}

/// Print a header and records as CSV on standard output.
fn print_csv<H, F>(header: H, records: &[Vec<String>]) -> anyhow::Result<()>
where
    H: IntoIterator<Item = F>,
    F: AsRef<[u8]>,
{
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    w.write_record(header)?;
    for r in records {
        w.write_record(r)?;
    }
    w.flush().context("could not write CSV")?;
    Ok(())
}
