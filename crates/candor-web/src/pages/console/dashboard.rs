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
use candor_charts::{draw, report_chart, Chart, ChartWords};
use candor_privacy::dp::Epsilon;
use candor_service::analytics::{AnalyticsQuery, AnalyticsReport, DpRequest, EmergingQuery, KpiRequest, Measure};
use candor_store::{Bucket, Dimension};
use serde::Deserialize;
use time::Date;

use super::{or_error, parse_day, ConsoleFrame, Desk};
use crate::auth::Operation;
use crate::pages::i18n::Words;
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
    let d = desk!(&state, &visit, Some(Operation::AnalyticsRead));
    let r = render(&state, &visit, &d, f).await;
    or_error(&state, &visit, &d, r)
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

/// What every query of one dashboard view shares.
struct View<'a> {
    state: &'a AppState,
    w: Words,
    actor: &'a str,
    from: Option<Date>,
    to: Option<Date>,
    dp: Option<DpRequest>,
    /// The platform and account chosen, as dimensions to narrow by.
    filters: Vec<(Dimension, String)>,
}

impl View<'_> {
    /// `by` after the filters' dimensions.
    fn widen(&self, by: &[Dimension]) -> Vec<Dimension> {
        self.filters.iter().map(|(d, _)| *d).chain(by.iter().copied()).collect()
    }

    /// The figure of an analytics query, narrowed to the filters.
    async fn analytics(&self, id: &'static str, measure: Measure, by: &[Dimension], title: &str) -> Result<Figure, Problem> {
        let q = AnalyticsQuery { measure, by: self.widen(by), from: self.from, to: self.to, dp: self.dp };
        let mut report = self.state.candor().analytics(self.actor, &q, &self.state.0.analytics).await?;
        report.cells = narrow(std::mem::take(&mut report.cells), &self.filters, |c| &mut c.key);
        report.dimensions.drain(..self.filters.len());
        // Only the cells shown count as suppressed.
        report.suppressed = report.cells.iter().filter(|c| c.suppressed.is_some()).count();
        Ok(figure(&self.w, id, self.w.t(title), &report))
    }

    /// A note that figures without noise are exact even when ε is asked.
    fn exact_note(&self, note: String) -> String {
        if self.dp.is_some() {
            format!("{note} {}", self.w.t("figures-exact"))
        } else {
            note
        }
    }

    /// Customer messages per week, from the KPIs (exact: KPIs take no ε).
    async fn volume(&self) -> Result<Figure, Problem> {
        let w = self.w;
        let levels = self.state.settings().service_levels();
        let req = KpiRequest { by: self.widen(&[Dimension::Time(Bucket::Week)]), by_agent: false, from: self.from, to: self.to };
        let report = self.state.candor().kpis(self.actor, &req, &self.state.0.analytics, &levels).await?;
        let cells = narrow(report.cells, &self.filters, |c| &mut c.key);
        let dims = vec!["week".to_owned()];
        let y = w.t("chart-messages");
        let svg = draw(&Chart {
            title: w.t("chart-volume"),
            dimensions: &dims,
            x_dim: 0,
            y_label: &y,
            y_fixed: None,
            signed: false,
            cells: cells.iter().map(|c| (c.key.as_slice(), c.inbound.map(|n| n as f64))).collect(),
            suppressed: cells.iter().filter(|c| c.suppressed.is_some()).count(),
            k: report.k,
            words: Some(chart_words(&w, "week", cells.iter().filter(|c| c.suppressed.is_some()).count(), report.k)),
        });
        Ok(Figure {
            id: "volume",
            title: w.t("chart-volume"),
            svg,
            columns: vec![w.t("dim-week"), w.t("col-conversations"), w.t("col-messages")],
            rows: cells.iter().map(|c| vec![c.key.join(" · "), opt(c.conversations), opt(c.inbound)]).collect(),
            note: self
                .exact_note(w.tn("figures-note", &[("k", &report.k.to_string()), ("excluded", &report.subjects_excluded.to_string())])),
        })
    }

    /// First response and service level per brand account: grouped by
    /// account (and the platform, when chosen), then the chosen account.
    async fn accounts(&self) -> Result<(Vec<AccountRow>, String), Problem> {
        let levels = self.state.settings().service_levels();
        let platform: Vec<(Dimension, String)> = self.filters.iter().filter(|(d, _)| *d == Dimension::Platform).cloned().collect();
        let by: Vec<Dimension> = platform.iter().map(|(d, _)| *d).chain([Dimension::Account]).collect();
        let report = self
            .state
            .candor()
            .kpis(self.actor, &KpiRequest { by, by_agent: false, from: self.from, to: self.to }, &self.state.0.analytics, &levels)
            .await?;
        let note = self
            .exact_note(self.w.tn("figures-note", &[("k", &report.k.to_string()), ("excluded", &report.subjects_excluded.to_string())]));
        let account = self.filters.iter().find(|(d, _)| *d == Dimension::Account).map(|(_, v)| v.clone());
        let rows = narrow(report.cells, &platform, |c| &mut c.key)
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
        Ok((rows, note))
    }

    /// Emerging phrases over every platform and account (the store counts
    /// phrases per customer, not per platform).
    async fn emerging(&self) -> Result<(Vec<PhraseRow>, String), Problem> {
        let candor = self.state.candor();
        let (from, to) = EmergingQuery::period(self.from, self.to, candor.now().date())?;
        let report = candor.emerging(self.actor, &EmergingQuery { from, to, min_customers: 0, limit: 10 }, &self.state.0.analytics).await?;
        let mut note =
            self.w.tn("emerging-note", &[("from", &report.from.to_string()), ("to", &report.to.to_string()), ("k", &report.k.to_string())]);
        if !self.filters.is_empty() {
            note.push(' ');
            note.push_str(&self.w.t("emerging-unfiltered"));
        }
        let rows = report
            .phrases
            .into_iter()
            .map(|p| PhraseRow {
                phrase: p.phrase,
                customers: p.customers,
                rise: p.rise.map_or_else(|| "–".to_owned(), |r| format!("{:+.1} pp", r * 100.0)),
            })
            .collect();
        Ok((rows, self.exact_note(note)))
    }
}

async fn render(state: &AppState, visit: &Visit, d: &Desk, f: Filters) -> Result<Response, Problem> {
    let dp = match f.epsilon.trim() {
        "" => None,
        e => {
            let value: f64 = e.parse().map_err(|_| Problem::invalid_input(format!("`epsilon` must be a number, not `{e}`")))?;
            Some(DpRequest { epsilon: Epsilon::new(value).map_err(|e| Problem::invalid_input(e.to_string()))?, delta: None })
        }
    };
    let view = View {
        state,
        w: visit.w,
        actor: &d.actor.id,
        from: parse_day(&f.from, "from")?,
        to: parse_day(&f.to, "to")?,
        dp,
        filters: narrowing(&f),
    };
    let week_platform = [Dimension::Time(Bucket::Week), Dimension::Platform];
    let mut figures = vec![
        view.analytics("sentiment-time", Measure::Sentiment, &week_platform, "chart-sentiment-time").await?,
        view.analytics("sentiment-theme", Measure::Sentiment, &[Dimension::Theme], "chart-sentiment-theme").await?,
        view.analytics("themes", Measure::Themes, &[Dimension::Theme], "chart-themes").await?,
    ];
    figures.push(view.volume().await?);
    let (accounts, accounts_note) = view.accounts().await?;
    let (phrases, phrases_note) = view.emerging().await?;
    let page = DashboardPage { frame: d.frame(state, visit), f, error: None, figures, accounts, accounts_note, phrases, phrases_note };
    Ok(visit.render(StatusCode::OK, &page))
}

/// A chart of an analytics report, with its figures and the rules they
/// were released under.
fn figure(w: &Words, id: &'static str, title: String, r: &AnalyticsReport) -> Figure {
    let y = w.t(match r.measure {
        Measure::Sentiment => "chart-mean-sentiment",
        Measure::Themes => "chart-messages",
    });
    let svg = report_chart(r, title.clone(), &y, |x| Some(chart_words(w, x, r.suppressed, r.k)));
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

/// A chart's words in the reader's language: the x axis (the first
/// dimension) and the note on suppressed cells.
fn chart_words(w: &Words, x: &str, suppressed: usize, k: u32) -> ChartWords {
    ChartWords {
        x_axis: w.t(&format!("dim-{x}")),
        suppressed: w.tn("chart-suppressed", &[("n", &suppressed.to_string()), ("k", &k.to_string())]),
    }
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
