//! Customer-care KPIs and emerging phrases over the API, with the
//! parameters of `candor analytics kpis` and `candor analytics emerging`
//! and the same gate: only customers whose choices allow `analytics`,
//! cells and phrases of fewer than k customers withheld.

use axum::extract::State;
use axum::response::IntoResponse;
use candor_service::analytics::{EmergingQuery, KpiRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::analytics::{date, invalid};
use super::{transcode, Query};
use crate::auth::{Operation, Staff};
use crate::problem::{ApiResult, Problem};
use crate::AppState;

/// How to group and filter KPIs.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiParams {
    /// Comma-separated: day, week or month (one at most), platform,
    /// account (the brand account), agent (who signed the first reply).
    /// Default `week,account`.
    pub by: Option<String>,
    /// First day counted (of a conversation's first message), YYYY-MM-DD.
    pub from: Option<String>,
    /// Last day counted, YYYY-MM-DD, inclusive.
    pub to: Option<String>,
}

/// Customer-care KPIs by the dimensions asked for; cells of fewer than k
/// customers carry no figures.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiReportBody {
    /// The dimensions grouped by, in order (`agent` last when asked).
    pub dimensions: Vec<String>,
    /// First day counted.
    #[schema(format = Date)]
    pub from: Option<String>,
    /// Last day counted.
    #[schema(format = Date)]
    pub to: Option<String>,
    /// The purpose the data was read for: `analytics`.
    pub purpose: String,
    /// The policy version in force.
    pub policy_version: u32,
    /// The smallest group shown (k-anonymity).
    pub k: u32,
    /// Customers whose recorded choices keep their conversations out.
    pub subjects_excluded: u64,
    /// The first-response target of brand accounts without their own, in
    /// seconds.
    pub default_target_s: i64,
    /// The cells.
    pub cells: Vec<KpiCellBody>,
    /// How many cells were suppressed.
    pub suppressed: usize,
}

/// One KPI cell. Durations are whole seconds (`_s`).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KpiCellBody {
    /// The dimensions' values.
    pub key: Vec<String>,
    /// Why its figures are withheld (`fewer_than_k`), when they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<String>,
    /// Distinct customers.
    pub customers: Option<u64>,
    /// Conversations a customer opened.
    pub conversations: Option<u64>,
    /// Customer messages.
    pub inbound: Option<u64>,
    /// Share of conversations the brand answered, 0 to 1.
    pub answered_share: Option<f64>,
    /// Share of conversations answered within the account's target, 0 to 1.
    pub service_level: Option<f64>,
    /// Median first-response time, seconds.
    pub first_response_median_s: Option<i64>,
    /// 90th-percentile first-response time, seconds.
    pub first_response_p90_s: Option<i64>,
    /// Median time to the brand's last reply in conversations it closed,
    /// seconds.
    pub resolution_median_s: Option<i64>,
    /// Conversations per customer.
    pub conversations_per_customer: Option<f64>,
    /// Mean sentiment of conversations' first customer message, -1 to 1.
    pub sentiment_start: Option<f64>,
    /// Mean sentiment of conversations' last customer message, -1 to 1.
    pub sentiment_end: Option<f64>,
}

/// Which period to look at, and how many phrases.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmergingParams {
    /// First day of the period, YYYY-MM-DD (default: six days before `to`).
    pub from: Option<String>,
    /// Last day of the period, YYYY-MM-DD, inclusive (default: today, UTC).
    pub to: Option<String>,
    /// Fewest customers a phrase needs, 1 to 1,000,000 (never fewer than
    /// k; default 5).
    pub min_customers: Option<u32>,
    /// Most phrases returned, 1 to 1000 (default 20).
    pub limit: Option<u32>,
}

/// Phrases whose share of customers rose most against the period of the
/// same length just before.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergingReportBody {
    /// First day of the period.
    #[schema(format = Date)]
    pub from: String,
    /// Last day of the period.
    #[schema(format = Date)]
    pub to: String,
    /// First day of the period before.
    #[schema(format = Date)]
    pub previous_from: String,
    /// Last day of the period before.
    #[schema(format = Date)]
    pub previous_to: String,
    /// The purpose the data was read for: `analytics`.
    pub purpose: String,
    /// The policy version in force.
    pub policy_version: u32,
    /// The smallest group shown: no phrase fewer customers used is listed.
    pub k: u32,
    /// Customers whose recorded choices keep their messages out.
    pub subjects_excluded: u64,
    /// Customers who wrote in the period.
    pub customers: u64,
    /// Customers who wrote in the period before.
    pub previous_customers: u64,
    /// The phrases, most risen first.
    pub phrases: Vec<EmergingPhraseBody>,
}

/// One emerging phrase; figures of the period before from 1 to k-1
/// customers are withheld (`null`), with the rise that would give them away.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmergingPhraseBody {
    /// The phrase (1 to 3 words, lower case, redacted text).
    pub phrase: String,
    /// Customers who used it in the period (at least k).
    pub customers: u32,
    /// Their share of the period's customers, 0 to 1.
    pub share: f64,
    /// Customers who used it in the period before.
    pub previous_customers: Option<u32>,
    /// Their share of that period's customers.
    pub previous_share: Option<f64>,
    /// Share now minus share before.
    pub rise: Option<f64>,
}

/// Customer-care KPIs over conversations, consent-gated, with cells of
/// fewer than k customers suppressed: `candor analytics kpis`.
#[utoipa::path(get, path = "/api/v1/analytics/kpis", tag = "analytics", operation_id = "analytics_kpis",
    params(KpiParams),
    responses((status = 200, body = KpiReportBody), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn kpis(State(state): State<AppState>, staff: Staff, Query(p): Query<KpiParams>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::AnalyticsRead)?;
    let (by, by_agent) = KpiRequest::parse_by(p.by.as_deref().unwrap_or("week,account")).map_err(|e| invalid(format!("`by`: {e}")))?;
    let req = KpiRequest { by, by_agent, from: date("from", p.from.as_deref())?, to: date("to", p.to.as_deref())? };
    let levels = state.settings().service_levels();
    let report = state.candor().kpis(&staff.actor.id, &req, &state.0.analytics, &levels).await?;
    Ok(axum::Json(transcode::<_, KpiReportBody>(&report)?))
}

/// Emerging phrases, counted in customers, over redacted text of
/// customers who allow analytics: `candor analytics emerging`.
#[utoipa::path(get, path = "/api/v1/analytics/emerging", tag = "analytics", operation_id = "analytics_emerging",
    params(EmergingParams),
    responses((status = 200, body = EmergingReportBody), (status = 403, body = Problem, content_type = "application/problem+json"), (status = 422, body = Problem, content_type = "application/problem+json")), security(("bearer" = [])))]
pub async fn emerging(State(state): State<AppState>, staff: Staff, Query(p): Query<EmergingParams>) -> ApiResult<impl IntoResponse> {
    staff.require(&state, Operation::AnalyticsRead)?;
    let limit = super::page_limit(p.limit, 20, 1000)?;
    let min_customers = match p.min_customers {
        None => 5,
        Some(n) if (1..=1_000_000).contains(&n) => n,
        Some(n) => return Err(invalid(format!("`min_customers` must be 1 to 1000000; {n} was asked"))),
    };
    let today = state.candor().now().date();
    let (from, to) = EmergingQuery::period(date("from", p.from.as_deref())?, date("to", p.to.as_deref())?, today)?;
    let query = EmergingQuery { from, to, min_customers, limit: limit as usize };
    let report = state.candor().emerging(&staff.actor.id, &query, &state.0.analytics).await?;
    Ok(axum::Json(transcode::<_, EmergingReportBody>(&report)?))
}
