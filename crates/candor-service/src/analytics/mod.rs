//! Analytics as a use case: every query asks the access gate for the
//! purpose `analytics` (the actor once; then each subject's recorded
//! choices, so that a withdrawal or an objection counts from the next
//! query), records itself in the audit log before anything is computed,
//! lets the store aggregate where the data is, and hides what could single
//! a customer out: cells built from fewer than k distinct customers are
//! suppressed, with a second cell where one suppressed cell could be
//! recovered from the total; with `epsilon`, counts and means carry
//! noise from exact discrete samplers, paid from the actor's budget.
//!
//! One file per operation: `aggregate.rs` (grouped counts and sentiment),
//! `emerging.rs` (phrases), `kpi.rs` (customer-care KPIs) and `drill.rs` (the
//! conversations behind a KPI cell); the gate they share is here. Of the
//! store they use the analytics, consent, access and batch roles; the parts
//! that read the store in a loop take only their role ([`ConsentStore`] to
//! fold the ledger, [`candor_store::AnalyticsStore`] to read redacted
//! texts).

mod aggregate;
mod drill;
mod emerging;
mod kpi;
pub(crate) mod memo;

pub use aggregate::{AnalyticsQuery, AnalyticsReport, Cell, DpSummary};
pub use drill::{DrillReport, DrillRow, DRILL_PURPOSE};
pub use emerging::{EmergingQuery, EmergingReport, EmergingRow};
pub use kpi::{KpiCell, KpiReport, KpiRequest, ServiceLevels};

use std::collections::HashMap;

use candor_domain::{actor_allows, consent_allows, Actor, CategoryId, ConsentState, DenyReason, PolicyContext, Purpose, SubjectId};
use candor_privacy::dp::{Delta, Epsilon};
use candor_store::{ConsentStore, Dimension, Op, Store, SubjectFilter, WriteBatch};
use serde::Serialize;
use serde_json::json;
use time::{Date, OffsetDateTime, Time};

use crate::{AuditAction, Candor, Result, ServiceError};

/// The purpose every analytics query runs under.
pub const PURPOSE: &str = "analytics";

/// Ledger events read per page when folding every subject's consent.
const LEDGER_PAGE: u32 = 10_000;

/// What a query measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Sentiment of what customers wrote: labels and mean compound score.
    Sentiment,
    /// How many of customers' messages touch each theme.
    Themes,
}

impl Measure {
    /// Name as shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sentiment => "sentiment",
            Self::Themes => "themes",
        }
    }
}

/// Differential privacy asked for.
#[derive(Clone, Copy, Debug)]
pub struct DpRequest {
    /// Privacy loss of the whole query.
    pub epsilon: Epsilon,
    /// With a delta, Gaussian noise ((epsilon, delta)-DP); else Laplace.
    pub delta: Option<Delta>,
}

/// Installation-wide analytics settings.
#[derive(Clone, Debug)]
pub struct AnalyticsOptions {
    /// Minimum distinct subjects per cell.
    pub k: u32,
    /// Epsilon each actor may spend per calendar month.
    pub budget_per_month: f64,
    /// Rows one subject may add to a differentially private result.
    pub max_contributions: u32,
    /// The theme taxonomy's names, in bit order.
    pub themes: Vec<String>,
}

/// The name of a dimension as shown and parsed.
pub fn dimension_name(d: Dimension) -> &'static str {
    use candor_store::Bucket;
    match d {
        Dimension::Time(Bucket::Day) => "day",
        Dimension::Time(Bucket::Week) => "week",
        Dimension::Time(Bucket::Month) => "month",
        Dimension::Platform => "platform",
        Dimension::Theme => "theme",
        Dimension::Account => "account",
        Dimension::Language => "language",
    }
}

/// Parse a dimension name.
pub fn parse_dimension(s: &str) -> Option<Dimension> {
    use candor_store::Bucket;
    Some(match s {
        "day" => Dimension::Time(Bucket::Day),
        "week" => Dimension::Time(Bucket::Week),
        "month" => Dimension::Time(Bucket::Month),
        "platform" => Dimension::Platform,
        "theme" => Dimension::Theme,
        "account" => Dimension::Account,
        "language" => Dimension::Language,
        _ => return None,
    })
}

/// At most one time dimension, and a range that is not backwards.
fn check_shape(dimensions: &[Dimension], from: Option<Date>, to: Option<Date>) -> Result<()> {
    if dimensions.iter().filter(|d| matches!(d, Dimension::Time(_))).count() > 1 {
        return Err(ServiceError::InvalidInput("group by one of `day`, `week` and `month` at most".into()));
    }
    match (from, to) {
        (Some(from), Some(to)) if from > to => Err(ServiceError::InvalidInput(format!("`--from {from}` is after `--to {to}`"))),
        _ => Ok(()),
    }
}

/// The first instant of the calendar month of `now`, UTC.
fn month_start(now: OffsetDateTime) -> OffsetDateTime {
    let d = now.to_offset(time::UtcOffset::UTC).date();
    d.replace_day(1).unwrap_or(d).with_time(Time::MIDNIGHT).assume_utc()
}

fn days_since_epoch(d: Date) -> i64 {
    i64::from(d.to_julian_day()) - i64::from(time::macros::date!(1970 - 01 - 01).to_julian_day())
}

impl Candor {
    /// Which subjects' data `actor_id` may count for `purpose` now: asks the
    /// gate once for the actor, then folds every recorded consent event and
    /// asks the gate for each subject that has one. Subjects without events
    /// share the default answer, so only those whose answer differs are
    /// listed. Returns the filter and how many subjects it keeps out.
    pub async fn consented_subjects(&self, actor_id: &str, purpose: &str, categories: &[CategoryId]) -> Result<(SubjectFilter, u64)> {
        let ctx = self.policy_context().await?;
        let now = self.now();
        let actor = self
            .store
            .actor(actor_id)
            .await?
            .map(|a| Actor { id: a.id, roles: a.roles, training_expires_at: a.training_expires_at })
            .ok_or_else(|| ServiceError::Denied(DenyReason::UnknownActor { actor: actor_id.to_owned() }))?;
        let purpose = actor_allows(&ctx, &actor, purpose, categories, now).map_err(ServiceError::Denied)?;
        self.subject_filter(&ctx, &[purpose]).await
    }

    /// The subjects whose recorded choices let every one of `purposes` run
    /// for them: the ledger folded per subject and asked of the gate's
    /// subject part. Subjects without events share the default answer, so
    /// only those whose answer differs are listed.
    async fn subject_filter(&self, ctx: &PolicyContext, purposes: &[&Purpose]) -> Result<(SubjectFilter, u64)> {
        let store: &dyn Store = &*self.store;
        let states = consent_states(store).await?;
        // No holds are passed: a restricted customer's data is held for a
        // legal claim, never for analytics, so restriction keeps them out.
        let allowed = |state: &ConsentState| purposes.iter().all(|p| consent_allows(ctx, p, state, &[]).is_ok());
        let default_allowed = allowed(&ConsentState::default());
        let mut listed: Vec<SubjectId> = states.iter().filter(|(_, s)| allowed(s) != default_allowed).map(|(id, _)| *id).collect();
        listed.sort_unstable();
        if default_allowed {
            let n = listed.len() as u64;
            Ok((SubjectFilter::Except(listed), n))
        } else {
            // Everyone is out but those listed; how many that is, the
            // store does not say without a count nobody asked for.
            let n = self.store.subject_count().await?.saturating_sub(listed.len() as u64);
            Ok((SubjectFilter::Only(listed), n))
        }
    }

    /// Ask the gate for an analytics query and record it: a denial is
    /// audited and returned as [`ServiceError::Denied`]; an allowed query is
    /// audited with its parameters (and its budget spent, with `spend`) in
    /// one transaction before any figure is computed. Returns whose data
    /// may be counted and how many subjects that keeps out.
    async fn authorize_query(&self, actor_id: &str, mut params: serde_json::Value, spend: Option<Op>) -> Result<(SubjectFilter, u64)> {
        let categories = [CategoryId::new("user.content.public"), CategoryId::new("user.content.private")];
        let (subjects, excluded) = match self.consented_subjects(actor_id, PURPOSE, &categories).await {
            Ok(v) => v,
            Err(ServiceError::Denied(reason)) => {
                params["reason"] = json!(reason);
                let record = self.audit(actor_id, AuditAction::AnalyticsQuery, params).purpose(PURPOSE).decision("deny");
                self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![record] }).await?;
                return Err(ServiceError::Denied(reason));
            }
            Err(e) => return Err(e),
        };
        params["subjects_excluded"] = json!(excluded);
        let record = self.audit(actor_id, AuditAction::AnalyticsQuery, params).purpose(PURPOSE).decision("allow");
        self.store.apply(WriteBatch { ops: spend.into_iter().collect(), audit: vec![record] }).await.map_err(|e| match e {
            candor_store::StoreError::BudgetExhausted { spent_micros, limit_micros, requested_micros } => ServiceError::BudgetExhausted {
                spent: spent_micros as f64 / 1e6,
                limit: limit_micros as f64 / 1e6,
                requested: requested_micros as f64 / 1e6,
            },
            other => other.into(),
        })?;
        Ok((subjects, excluded))
    }
}

/// Every subject's consent state, the whole ledger folded in order. It
/// needs the store's consent role only. Fails closed: a ledger that cannot
/// be read stops the query.
pub(crate) async fn consent_states<S: ConsentStore + ?Sized>(store: &S) -> Result<HashMap<SubjectId, ConsentState>> {
    let mut states: HashMap<SubjectId, ConsentState> = HashMap::new();
    let mut after = 0;
    loop {
        let page = store.consent_ledger(after, LEDGER_PAGE).await?;
        let Some((_, last)) = page.last() else { break };
        after = last.id;
        for (subject, record) in &page {
            states.entry(*subject).or_default().apply(&record.event);
        }
    }
    Ok(states)
}
