//! Analytics queries over the API: the same gate, k-anonymity, noise and
//! budget as `candor analytics`. Sentiment and themes here; KPIs and
//! emerging phrases in `analytics_kpi.rs`.

use axum::extract::State;
use axum::response::IntoResponse;
use candor_privacy::dp::{Delta, Epsilon};
use candor_service::analytics::{parse_dimension, AnalyticsQuery, DpRequest, Measure};
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};

use super::{transcode, Path, Query};
use crate::auth::{Operation, Staff};
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// How to group and filter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsParams {
    /// Comma-separated: day, week, month, platform, theme, account, language.
    pub by: Option<String>,
    /// First day counted, YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day counted, YYYY-MM-DD.
    pub to: Option<String>,
    /// Differential privacy: the epsilon to spend.
    pub epsilon: Option<f64>,
    /// With epsilon, Gaussian noise with this delta.
    pub delta: Option<f64>,
}

/// The measures, as the path names them.
#[derive(Debug, ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum MeasureName {
    /// Sentiment of customers' messages.
    Sentiment,
    /// Themes of customers' messages.
    Themes,
}

/// An analytics report: cells by the dimensions asked for, small cells
/// suppressed, noise added when asked.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportBody {
    /// sentiment or themes.
    pub measure: String,
    /// The dimensions grouped by.
    pub dimensions: Vec<String>,
    /// First day counted.
    #[schema(format = Date)]
    pub from: Option<String>,
    /// Last day counted.
    #[schema(format = Date)]
    pub to: Option<String>,
    /// The purpose the data was read for.
    pub purpose: String,
    /// The policy version in force.
    pub policy_version: u32,
    /// The smallest group shown (k-anonymity).
    pub k: u32,
    /// Subjects left out because their choices do not allow analytics.
    pub subjects_excluded: u64,
    /// The cells shown.
    pub cells: Vec<CellBody>,
    /// How many cells were suppressed.
    pub suppressed: usize,
    /// All cells together.
    pub total: Option<CellBody>,
    /// Differential privacy, when noise was added.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privacy: Option<DpSummaryBody>,
}

/// One cell of a report.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CellBody {
    /// The dimensions' values.
    pub key: Vec<String>,
    /// Why its figures are withheld, when they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// Distinct subjects.
    pub subjects: Option<u64>,
    /// Interactions (noisy under differential privacy).
    pub interactions: Option<f64>,
    /// Positive messages.
    pub positive: Option<f64>,
    /// Neutral messages.
    pub neutral: Option<f64>,
    /// Negative messages.
    pub negative: Option<f64>,
    /// Messages whose sentiment is unknown.
    pub unknown: Option<f64>,
    /// The mean sentiment score.
    pub mean_sentiment: Option<f64>,
}

/// The differential privacy a report was made with.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DpSummaryBody {
    /// discrete_laplace or discrete_gaussian.
    #[schema(value_type = super::vocabulary::NoiseMechanism)]
    pub mechanism: String,
    /// The epsilon spent.
    pub epsilon: f64,
    /// The delta, for Gaussian noise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    /// The noise's scale on counts.
    pub count_scale: f64,
    /// The noise's scale on sums.
    pub sum_scale: f64,
    /// Interactions counted per subject at most.
    pub max_contributions: u32,
    /// The budget left this month.
    pub budget_remaining: f64,
}

pub(crate) fn invalid(detail: String) -> Problem {
    Problem::invalid_input(detail)
}

pub(crate) fn date(name: &str, v: Option<&str>) -> Result<Option<Date>, Problem> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    v.map(|s| Date::parse(s, &format).map_err(|_| invalid(format!("`{name}` must be a date, YYYY-MM-DD")))).transpose()
}

/// Sentiment or themes of customers' messages, consent-gated, with small
/// cells suppressed and noise on demand.
#[utoipa::path(get, path = "/api/v1/analytics/{measure}", tag = "analytics",
    params(("measure" = MeasureName, Path, description = "sentiment or themes"), AnalyticsParams),
    responses((status = 200, body = ReportBody), (status = 404, body = Problem, content_type = "application/problem+json"), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn query(
    State(state): State<AppState>,
    staff: Staff,
    Path(measure): Path<String>,
    Query(p): Query<AnalyticsParams>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::AnalyticsRead)?;
    let measure = match measure.as_str() {
        "sentiment" => Measure::Sentiment,
        "themes" => Measure::Themes,
        _ => return Err(Problem::not_found("unknown-measure", "the measures are `sentiment`, `themes`, `kpis` and `emerging`")),
    };
    let mut by = Vec::new();
    for d in p.by.as_deref().unwrap_or("").split(',').map(str::trim).filter(|d| !d.is_empty()) {
        by.push(parse_dimension(d).ok_or_else(|| {
            invalid(format!("unknown dimension `{}`; day, week, month, platform, theme, account or language", super::shorten(d)))
        })?);
    }
    let dp = match (p.epsilon, p.delta) {
        (None, None) => None,
        (None, Some(_)) => return Err(invalid("`delta` needs `epsilon`".into())),
        (Some(e), d) => Some(DpRequest {
            epsilon: Epsilon::new(e).map_err(|e| invalid(format!("`epsilon`: {e}")))?,
            delta: d.map(|d| Delta::new(d).map_err(|e| invalid(format!("`delta`: {e}")))).transpose()?,
        }),
    };
    let q = AnalyticsQuery { measure, by, from: date("from", p.from.as_deref())?, to: date("to", p.to.as_deref())?, dp };
    let report = state.candor().analytics(&staff.actor.id, &q, &state.0.analytics).await?;
    Ok(axum::Json(transcode::<_, ReportBody>(&report)?))
}
