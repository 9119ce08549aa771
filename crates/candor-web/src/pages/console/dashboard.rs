//! The dashboard: sentiment over time per platform, sentiment and volume
//! per theme, messages per week, emerging phrases, and first-response
//! times and service level per brand account, as SVG charts drawn by
//! `candor-charts` (the CLI's `--svg` draws with it too) with the figures
//! in a table beside each. Every figure comes from the analytics service,
//! so the consent filter, k-anonymity and, when asked, differential
//! privacy apply as they do over the API; the page says which k, how many
//! customers' choices kept them out, and ε with the budget left.
//!
//! Platform and account filters group by that dimension and keep the
//! chosen value's cells: each cell is still suppressed on its own.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use candor_charts::{draw, Chart};
use candor_privacy::dp::Epsilon;
use candor_service::analytics::{AnalyticsQuery, AnalyticsReport, DpRequest, EmergingQuery, KpiRequest, Measure};
use candor_store::{Bucket, Dimension};
use serde::Deserialize;
use time::Date;

use super::{desk, or_error, ConsoleFrame, Desk};
use crate::auth::Operation;
use crate::pages::Visit;
use crate::problem::Problem;
use crate::AppState;

/// The dashboard's filters, from its form (a GET, so a view can be
/// bookmarked).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filters {
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    #[serde(default)]
    platform: String,
    #[serde(default)]
    account: String,
    /// ε for differentially private figures; empty for exact ones.
    #[serde(default)]
    epsilon: String,
}

/// One chart with its figures.
struct Figure {
    id: &'static str,
    title: String,
    svg: String,
    columns: Vec<String>,
    rows: Vec<Vec<String>>,
    note: String,
}

/// One brand account's service.
struct AccountRow {
    account: String,
    conversations: String,
    answered: String,
    level: String,
    median: String,
    p90: String,
}

/// One emerging phrase.
struct PhraseRow {
    phrase: String,
    customers: u32,
    rise: String,
}

#[derive(Template)]
#[template(path = "console/dashboard.html")]
struct DashboardPage {
    frame: ConsoleFrame,
    f: Filters,
    error: Option<String>,
    figures: Vec<Figure>,
    accounts: Vec<AccountRow>,
    accounts_note: String,
    phrases: Vec<PhraseRow>,
    phrases_note: String,
}

/// `GET /console/dashboard`.
pub(crate) async fn page(State(state): State<AppState>, visit: Visit, Query(f): Query<Filters>) -> Response {
    let d = match desk(&state, &visit, Some(Operation::AnalyticsRead)).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let r = render(&state, &visit, &d, f).await;
    or_error(&state, &visit, &d, r)
}

fn date(s: &str, field: &str) -> Result<Option<Date>, Problem> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, format).map(Some).map_err(|_| Problem::invalid_input(format!("`{field}` must be a date as yyyy-mm-dd, not `{s}`")))
}

/// The filters that narrow by a dimension: which ones, and the value.
fn narrowing(f: &Filters) -> Vec<(Dimension, String)> {
    let mut out = Vec::new();
    if !f.platform.trim().is_empty() {
        out.push((Dimension::Platform, f.platform.trim().to_ascii_lowercase()));
    }
    if !f.account.trim().is_empty() {
        out.push((Dimension::Account, f.account.trim().trim_start_matches('@').to_ascii_lowercase()));
    }
    out
}

/// Keep the cells whose leading keys are the filters' values, without
/// those keys.
fn narrow<T>(cells: Vec<T>, filters: &[(Dimension, String)], key: impl Fn(&mut T) -> &mut Vec<String>) -> Vec<T> {
    let n = filters.len();
    cells
        .into_iter()
        .filter_map(|mut c| {
            let k = key(&mut c);
            let keep = k.len() >= n && filters.iter().zip(k.iter()).all(|((_, want), got)| got.eq_ignore_ascii_case(want));
            if !keep {
                return None;
            }
            k.drain(..n);
            Some(c)
        })
        .collect()
}

async fn render(state: &AppState, visit: &Visit, d: &Desk, f: Filters) -> Result<Response, Problem> {
    let w = visit.w;
    let (from, to) = (date(&f.from, "from")?, date(&f.to, "to")?);
    let dp = match f.epsilon.trim() {
        "" => None,
        e => {
            let value: f64 = e.parse().map_err(|_| Problem::invalid_input(format!("`epsilon` must be a number, not `{e}`")))?;
            Some(DpRequest { epsilon: Epsilon::new(value).map_err(|e| Problem::invalid_input(e.to_string()))?, delta: None })
        }
    };
    let filters = narrowing(&f);
    let widen = |by: &[Dimension]| filters.iter().map(|(d, _)| *d).chain(by.iter().copied()).collect::<Vec<_>>();
    let candor = state.candor();
    let options = &state.0.analytics;
    let mut figures = Vec::new();
    let asks = [
        ("sentiment-time", Measure::Sentiment, vec![Dimension::Time(Bucket::Week), Dimension::Platform], "chart-sentiment-time"),
        ("sentiment-theme", Measure::Sentiment, vec![Dimension::Theme], "chart-sentiment-theme"),
        ("themes", Measure::Themes, vec![Dimension::Theme], "chart-themes"),
    ];
    for (id, measure, by, title) in asks {
        let q = AnalyticsQuery { measure, by: widen(&by), from, to, dp };
        let mut report = candor.analytics(&d.actor.id, &q, options).await?;
        report.cells = narrow(std::mem::take(&mut report.cells), &filters, |c| &mut c.key);
        report.dimensions.drain(..filters.len());
        figures.push(figure(&w, id, w.t(title), &report));
    }
    let levels = state.settings().service_levels();
    let volume = candor
        .kpis(&d.actor.id, &KpiRequest { by: widen(&[Dimension::Time(Bucket::Week)]), by_agent: false, from, to }, options, &levels)
        .await?;
    let volume_cells = narrow(volume.cells, &filters, |c| &mut c.key);
    let dims = vec!["week".to_owned()];
    let cells = volume_cells.iter().map(|c| (c.key.as_slice(), c.inbound.map(|n| n as f64))).collect();
    let y = w.t("chart-messages");
    let svg = draw(&Chart {
        title: w.t("chart-volume"),
        dimensions: &dims,
        x_dim: 0,
        y_label: &y,
        y_fixed: None,
        signed: false,
        cells,
        suppressed: volume.suppressed,
        k: volume.k,
    });
    figures.push(Figure {
        id: "volume",
        title: w.t("chart-volume"),
        svg,
        columns: vec![w.t("dim-week"), w.t("col-conversations"), w.t("col-messages")],
        rows: volume_cells.iter().map(|c| vec![c.key.join(" · "), opt(c.conversations), opt(c.inbound)]).collect(),
        note: w.tn("figures-note", &[("k", &volume.k.to_string()), ("excluded", &volume.subjects_excluded.to_string())]),
    });
    // Per account: grouped by account (and the platform, when chosen),
    // then the chosen account's row.
    let platform_only: Vec<(Dimension, String)> = filters.iter().filter(|(d, _)| *d == Dimension::Platform).cloned().collect();
    let by: Vec<Dimension> = platform_only.iter().map(|(d, _)| *d).chain([Dimension::Account]).collect();
    let by_account = candor.kpis(&d.actor.id, &KpiRequest { by, by_agent: false, from, to }, options, &levels).await?;
    let accounts_note = w.tn("figures-note", &[("k", &by_account.k.to_string()), ("excluded", &by_account.subjects_excluded.to_string())]);
    let account = filters.iter().find(|(d, _)| *d == Dimension::Account).map(|(_, v)| v.clone());
    let accounts = narrow(by_account.cells, &platform_only, |c| &mut c.key)
        .into_iter()
        .filter(|c| account.as_ref().is_none_or(|a| c.key.first().is_some_and(|k| k.eq_ignore_ascii_case(a))))
        .map(|c| AccountRow {
            account: c.key.join(" · "),
            conversations: opt(c.conversations),
            answered: share(c.answered_share),
            level: share(c.service_level),
            median: duration(c.first_response_median_s),
            p90: duration(c.first_response_p90_s),
        })
        .collect();
    let today = candor.now().date();
    let (efrom, eto) = EmergingQuery::period(from, to, today)?;
    let emerging = candor.emerging(&d.actor.id, &EmergingQuery { from: efrom, to: eto, min_customers: 0, limit: 10 }, options).await?;
    let phrases_note =
        w.tn("emerging-note", &[("from", &emerging.from.to_string()), ("to", &emerging.to.to_string()), ("k", &emerging.k.to_string())]);
    let phrases = emerging
        .phrases
        .into_iter()
        .map(|p| PhraseRow {
            phrase: p.phrase,
            customers: p.customers,
            rise: p.rise.map_or_else(|| "–".to_owned(), |r| format!("{:+.1} pp", r * 100.0)),
        })
        .collect();
    let page = DashboardPage { frame: d.frame(state, visit), f, error: None, figures, accounts, accounts_note, phrases, phrases_note };
    Ok(visit.render(StatusCode::OK, &page))
}

/// A chart of an analytics report, with its figures and the rules they
/// were released under.
fn figure(w: &crate::pages::i18n::Words, id: &'static str, title: String, r: &AnalyticsReport) -> Figure {
    let cells = r
        .cells
        .iter()
        .map(|c| {
            let v = match r.measure {
                Measure::Sentiment => c.mean_sentiment,
                Measure::Themes => c.interactions,
            };
            (c.key.as_slice(), v.filter(|_| c.suppressed.is_none()))
        })
        .collect();
    let y = w.t(match r.measure {
        Measure::Sentiment => "chart-mean-sentiment",
        Measure::Themes => "chart-messages",
    });
    let svg = draw(&Chart {
        title: title.clone(),
        dimensions: &r.dimensions,
        x_dim: 0,
        y_label: &y,
        y_fixed: (r.measure == Measure::Sentiment).then_some((-1.0, 1.0, 0.5)),
        signed: r.measure == Measure::Sentiment,
        cells,
        suppressed: r.suppressed,
        k: r.k,
    });
    let mut columns: Vec<String> = r.dimensions.iter().map(|d| w.t(&format!("dim-{d}"))).collect();
    columns.extend([w.t("col-messages"), w.t("col-mean-sentiment")]);
    let rows = r
        .cells
        .iter()
        .map(|c| {
            let mut row = c.key.clone();
            match c.suppressed {
                Some(_) => row.extend([w.t("suppressed"), w.t("suppressed")]),
                None => row.extend([
                    c.interactions.map_or_else(String::new, |n| format!("{n:.0}")),
                    c.mean_sentiment.map_or_else(String::new, |s| format!("{s:+.2}")),
                ]),
            }
            row
        })
        .collect();
    let mut note = w.tn("figures-note", &[("k", &r.k.to_string()), ("excluded", &r.subjects_excluded.to_string())]);
    if let Some(p) = &r.privacy {
        note.push(' ');
        note.push_str(&w.tn("figures-dp", &[("epsilon", &p.epsilon.to_string()), ("left", &format!("{:.2}", p.budget_remaining))]));
    }
    Figure { id, title, svg, columns, rows, note }
}

fn opt(n: Option<u64>) -> String {
    n.map_or_else(|| "–".to_owned(), |n| n.to_string())
}

fn share(s: Option<f64>) -> String {
    s.map_or_else(|| "–".to_owned(), |s| format!("{:.0} %", s * 100.0))
}

fn duration(s: Option<i64>) -> String {
    match s {
        None => "–".to_owned(),
        Some(s) if s < 3_600 => format!("{} min", (s + 30) / 60),
        Some(s) => format!("{:.1} h", s as f64 / 3_600.0),
    }
}
