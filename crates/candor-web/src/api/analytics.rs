//! Analytics queries over the API: the same gate, k-anonymity, noise and
//! budget as `candor analytics`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use candor_privacy::dp::{Delta, Epsilon};
use candor_service::analytics::{parse_dimension, AnalyticsQuery, DpRequest, Measure};
use serde::Deserialize;
use serde_json::json;
use time::Date;
use utoipa::IntoParams;

use super::{Path, Query};
use crate::auth::Staff;
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

fn invalid(detail: String) -> Problem {
    Problem::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid-input", "Invalid input", detail)
}

fn date(name: &str, v: Option<&str>) -> Result<Option<Date>, Problem> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    v.map(|s| Date::parse(s, &format).map_err(|_| invalid(format!("`{name}` must be a date, YYYY-MM-DD")))).transpose()
}

/// Sentiment or themes of customers' messages, consent-gated, with small
/// cells suppressed and noise on demand.
#[utoipa::path(get, path = "/api/v1/analytics/{measure}", tag = "analytics",
    params(("measure" = String, Path, description = "sentiment or themes"), AnalyticsParams),
    responses((status = 200, body = Object), (status = 403, body = Problem), (status = 422, body = Problem)), security(("bearer" = [])))]
pub async fn query(
    State(state): State<AppState>,
    staff: Staff,
    Path(measure): Path<String>,
    Query(p): Query<AnalyticsParams>,
) -> ApiResult<impl IntoResponse> {
    staff.require(&state, "analytics.read")?;
    let measure = match measure.as_str() {
        "sentiment" => Measure::Sentiment,
        "themes" => Measure::Themes,
        _ => return Err(Problem::not_found("unknown-measure", "the measures are `sentiment` and `themes`")),
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
    Ok(axum::Json(json!(report)))
}
