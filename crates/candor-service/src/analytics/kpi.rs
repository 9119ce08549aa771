//! Customer-care KPIs over conversations: first-response and resolution
//! times against service levels, computed in the database.

use candor_store::{Dimension, KpiQuery, KpiRow, SubjectFilter};
use serde::Serialize;
use serde_json::json;
use time::Date;

use super::memo::Memo;
use super::{check_shape, days_since_epoch, dimension_name, AnalyticsOptions, PURPOSE};
use crate::{Candor, Result, ServiceError};

/// A customer-care KPI query.
#[derive(Clone, Debug)]
pub struct KpiRequest {
    /// Group by these: `day`/`week`/`month`, `platform`, `account`.
    pub by: Vec<Dimension>,
    /// Group by the agent who signed the first reply too.
    pub by_agent: bool,
    /// Conversations whose first customer message is on or after this day.
    pub from: Option<Date>,
    /// … and on or before this day.
    pub to: Option<Date>,
}

/// First-response targets (service levels), from configuration.
#[derive(Clone, Debug, Default)]
pub struct ServiceLevels {
    /// The target of accounts not listed, in seconds.
    pub default_seconds: i64,
    /// Per brand account (lower-case handle without `@`), in seconds.
    pub accounts: Vec<(String, i64)>,
}

/// One KPI cell. Suppressed cells carry no figures.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct KpiCell {
    /// The value of each dimension.
    pub key: Vec<String>,
    /// Why the figures are hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<&'static str>,
    /// Distinct customers.
    pub customers: Option<u64>,
    /// Conversations a customer opened.
    pub conversations: Option<u64>,
    /// Customer messages.
    pub inbound: Option<u64>,
    /// Share of conversations the brand answered.
    pub answered_share: Option<f64>,
    /// Share of conversations answered within the account's target.
    pub service_level: Option<f64>,
    /// First-response time, median and 90th percentile, seconds.
    pub first_response_median_s: Option<i64>,
    /// See `first_response_median_s`.
    pub first_response_p90_s: Option<i64>,
    /// Time to the brand's last reply in conversations it closed, median, seconds.
    pub resolution_median_s: Option<i64>,
    /// Conversations per customer.
    pub conversations_per_customer: Option<f64>,
    /// Mean sentiment of conversations' first customer message.
    pub sentiment_start: Option<f64>,
    /// Mean sentiment of conversations' last customer message.
    pub sentiment_end: Option<f64>,
}

/// A KPI answer.
#[derive(Clone, Debug, Serialize)]
pub struct KpiReport {
    /// The dimensions, in order (`agent` last when asked).
    pub dimensions: Vec<String>,
    /// First day counted.
    #[serde(with = "candor_domain::iso_date::option")]
    pub from: Option<Date>,
    /// Last day counted.
    #[serde(with = "candor_domain::iso_date::option")]
    pub to: Option<Date>,
    /// Always `analytics`.
    pub purpose: &'static str,
    /// Policy version the gate applied.
    pub policy_version: u32,
    /// The suppression threshold.
    pub k: u32,
    /// Customers whose recorded choices keep their conversations out.
    pub subjects_excluded: u64,
    /// The first-response target of accounts without their own, seconds.
    pub default_target_s: i64,
    /// The cells.
    pub cells: Vec<KpiCell>,
    /// Cells suppressed (fewer than k customers).
    pub suppressed: usize,
}

impl KpiRequest {
    /// The store's query for this request over `subjects`, timed against
    /// `levels`.
    pub(crate) fn query(&self, subjects: SubjectFilter, levels: &ServiceLevels) -> KpiQuery {
        KpiQuery {
            dimensions: self.by.clone(),
            by_agent: self.by_agent,
            from_day: self.from.map(days_since_epoch),
            to_day: self.to.map(|d| days_since_epoch(d) + 1),
            subjects,
            targets: levels.accounts.clone(),
            default_target: levels.default_seconds,
        }
    }

    /// Parse what to group by, as `candor analytics kpis --by` and the API
    /// take it: a comma-separated list of `day`, `week` or `month`,
    /// `platform`, `account` and `agent`.
    pub fn parse_by(s: &str) -> std::result::Result<(Vec<Dimension>, bool), String> {
        let mut by_agent = false;
        let mut dims = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            if part == "agent" {
                by_agent = true;
            } else {
                dims.push(
                    super::parse_dimension(part)
                        .ok_or_else(|| format!("`{part}` is not a dimension of KPIs; use day, week or month, platform, account, agent"))?,
                );
            }
        }
        Ok((dims, by_agent))
    }
}

impl Candor {
    /// Customer-care KPIs as `actor_id`.
    pub async fn kpis(&self, actor_id: &str, req: &KpiRequest, options: &AnalyticsOptions, levels: &ServiceLevels) -> Result<KpiReport> {
        if let Some(d) = req.by.iter().find(|d| matches!(d, Dimension::Theme | Dimension::Language)) {
            return Err(ServiceError::InvalidInput(format!(
                "KPIs follow conversations, which have no single `{}`; group by day, week or month, platform, account, agent",
                dimension_name(*d)
            )));
        }
        check_shape(&req.by, req.from, req.to)?;
        let ctx = self.policy_context().await?;
        let mut names: Vec<String> = req.by.iter().map(|d| dimension_name(*d).to_owned()).collect();
        if req.by_agent {
            names.push("agent".into());
        }
        let params = json!({
            "measure": "kpis",
            "by": names,
            "from": req.from.map(|d| d.to_string()),
            "to": req.to.map(|d| d.to_string()),
            "k": options.k,
            "policy_version": ctx.version,
        });
        let (subjects, excluded) = self.authorize_query(actor_id, params, None).await?;
        let query = req.query(subjects, levels);
        let key = Memo::key("kpis", &format!("{query:?}"), self.store.interactions_generation().await?);
        let rows: Vec<KpiRow> = match self.memo.get(&key) {
            Some(rows) => rows,
            None => {
                let rows = self.store.kpis(&query).await?;
                self.memo.put(key, rows.clone());
                rows
            }
        };
        // KPI cells partition conversations but no total is published, so
        // a hidden cell cannot be recovered by subtraction.
        let cells: Vec<KpiCell> = rows
            .into_iter()
            .map(|r| {
                if r.subjects < u64::from(options.k) {
                    return KpiCell { key: r.key, suppressed: Some("fewer_than_k"), ..KpiCell::default() };
                }
                let share = |n: u64| (r.conversations > 0).then(|| n as f64 / r.conversations as f64);
                KpiCell {
                    customers: Some(r.subjects),
                    conversations: Some(r.conversations),
                    inbound: Some(r.inbound),
                    answered_share: share(r.answered),
                    service_level: share(r.within_target),
                    first_response_median_s: r.first_response_median,
                    first_response_p90_s: r.first_response_p90,
                    resolution_median_s: r.resolution_median,
                    conversations_per_customer: (r.subjects > 0).then(|| r.conversations as f64 / r.subjects as f64),
                    sentiment_start: r.sentiment_start,
                    sentiment_end: r.sentiment_end,
                    key: r.key,
                    suppressed: None,
                }
            })
            .collect();
        let suppressed = cells.iter().filter(|c| c.suppressed.is_some()).count();
        Ok(KpiReport {
            dimensions: names,
            from: req.from,
            to: req.to,
            purpose: PURPOSE,
            policy_version: ctx.version,
            k: options.k,
            subjects_excluded: excluded,
            default_target_s: levels.default_seconds,
            cells,
            suppressed,
        })
    }
}
