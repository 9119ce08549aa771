//! Analytics as a use case: every query asks the access gate for the
//! purpose `analytics` (the actor once; then each subject's recorded
//! choices, so that a withdrawal or an objection counts from the next
//! query), records itself in the audit log before anything is computed,
//! lets the store aggregate where the data is, and hides what could single
//! a customer out: cells built from fewer than k distinct customers are
//! suppressed, with a second cell where one suppressed cell could be
//! recovered from the total; with `epsilon`, counts and means carry
//! noise from exact discrete samplers, paid from the actor's budget.

use std::collections::HashMap;

use candor_domain::{actor_allows, consent_allows, Actor, CategoryId, ConsentState, DenyReason, PolicyContext, Purpose, SubjectId};
use candor_privacy::dp::{self, Delta, Epsilon, MicroEpsilon, Noise};
use candor_privacy::kanon::{self, Part, SuppressReason};
use candor_store::{AggregateQuery, AggregateRow, Dimension, KeyValue, KpiQuery, Op, Side, SubjectFilter, WriteBatch};
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

/// One query.
#[derive(Clone, Debug)]
pub struct AnalyticsQuery {
    /// What to measure.
    pub measure: Measure,
    /// Group by these, in order.
    pub by: Vec<Dimension>,
    /// First day counted (inclusive).
    pub from: Option<Date>,
    /// Last day counted (inclusive).
    pub to: Option<Date>,
    /// Noise, if asked.
    pub dp: Option<DpRequest>,
}

/// One output cell. Suppressed cells carry no figures.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Cell {
    /// The value of each dimension.
    pub key: Vec<String>,
    /// Why the figures are hidden (`fewer_than_k`, `complementary`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<&'static str>,
    /// Distinct customers behind the cell (not released with noise).
    pub subjects: Option<u64>,
    /// Messages.
    pub interactions: Option<f64>,
    /// Messages labelled positive.
    pub positive: Option<f64>,
    /// Messages labelled neutral.
    pub neutral: Option<f64>,
    /// Messages labelled negative.
    pub negative: Option<f64>,
    /// Messages in a language the sentiment model lacks.
    pub unknown: Option<f64>,
    /// Mean compound score in [-1, 1].
    pub mean_sentiment: Option<f64>,
}

/// How differential privacy was applied.
#[derive(Clone, Debug, Serialize)]
pub struct DpSummary {
    /// The noise mechanism.
    pub mechanism: &'static str,
    /// Epsilon of the whole query.
    pub epsilon: f64,
    /// Delta of the whole query (Gaussian noise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delta: Option<f64>,
    /// Noise scale of each released count (Laplace scale or Gaussian sigma).
    pub count_scale: f64,
    /// Noise scale of each released sentiment sum.
    pub sum_scale: f64,
    /// Rows one customer could add.
    pub max_contributions: u32,
    /// Epsilon left to this actor this month.
    pub budget_remaining: f64,
}

/// A query's answer.
#[derive(Clone, Debug, Serialize)]
pub struct AnalyticsReport {
    /// What was measured.
    pub measure: Measure,
    /// The dimensions, in order (`day`, `platform`, …).
    pub dimensions: Vec<String>,
    /// First day counted.
    pub from: Option<Date>,
    /// Last day counted.
    pub to: Option<Date>,
    /// Always `analytics`.
    pub purpose: &'static str,
    /// Policy version the gate applied.
    pub policy_version: u32,
    /// The suppression threshold.
    pub k: u32,
    /// Customers whose recorded choices keep their messages out.
    pub subjects_excluded: u64,
    /// The cells.
    pub cells: Vec<Cell>,
    /// Cells suppressed (with noise, cells under k are left out entirely).
    pub suppressed: usize,
    /// The total over every cell (absent when cells overlap, as themes do).
    pub total: Option<Cell>,
    /// Noise, when asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<DpSummary>,
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
        let mut states: HashMap<SubjectId, ConsentState> = HashMap::new();
        let mut after = 0;
        loop {
            // Fail closed: a ledger that cannot be read stops the query.
            let page = self.store.consent_ledger(after, LEDGER_PAGE).await?;
            let Some((_, last)) = page.last() else { break };
            after = last.id;
            for (subject, record) in &page {
                states.entry(*subject).or_default().apply(&record.event);
            }
        }
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

    /// Run an analytics query as `actor_id`.
    pub async fn analytics(&self, actor_id: &str, query: &AnalyticsQuery, options: &AnalyticsOptions) -> Result<AnalyticsReport> {
        let ctx = self.policy_context().await?;
        let mut dimensions = query.by.clone();
        if query.measure == Measure::Themes && !dimensions.contains(&Dimension::Theme) {
            dimensions.push(Dimension::Theme);
        }
        check_shape(&dimensions, query.from, query.to)?;
        let now = self.now();
        let names: Vec<&str> = dimensions.iter().map(|d| dimension_name(*d)).collect();
        let params = json!({
            "measure": query.measure,
            "by": names,
            "from": query.from.map(|d| d.to_string()),
            "to": query.to.map(|d| d.to_string()),
            "epsilon": query.dp.map(|d| d.epsilon.get()),
            "delta": query.dp.and_then(|d| d.delta).map(Delta::get),
            "k": options.k,
            "policy_version": ctx.version,
        });
        let since = month_start(now);
        let spend = query.dp.map(|dp| Op::SpendBudget {
            actor: actor_id.to_owned(),
            since,
            epsilon_micros: dp.epsilon.micros().get(),
            limit_micros: (options.budget_per_month * 1e6).floor() as u64,
            query: params.to_string(),
            at: now,
        });
        let (subjects, excluded) = self.authorize_query(actor_id, params, spend).await?;

        let aggregate = AggregateQuery {
            dimensions: dimensions.clone(),
            from_day: query.from.map(days_since_epoch),
            to_day: query.to.map(|d| days_since_epoch(d) + 1),
            side: Some(Side::Inbound),
            subjects,
            themes: options.themes.iter().enumerate().map(|(i, n)| (n.clone(), 1u64 << i)).collect(),
            max_per_subject: query.dp.map(|_| options.max_contributions),
        };
        let rows = self.store.aggregate(&aggregate).await?;
        // Cells partition the messages unless a message can land in
        // several (themes): only then is there no total to publish.
        let has_total = !dimensions.contains(&Dimension::Theme);
        let (mut cells, total, privacy, dropped) = match query.dp {
            None => {
                let (cells, total) = exact_cells(&rows, options.k, has_total)?;
                (cells, total, None, 0)
            }
            Some(dp) => {
                let spent = self.store.budget_spent(actor_id, since).await?;
                let remaining = (options.budget_per_month - spent as f64 / 1e6).max(0.0);
                let (cells, total, summary, dropped) = noisy_cells(&rows, options, dp, has_total)?;
                (cells, total, Some(DpSummary { budget_remaining: remaining, ..summary }), dropped)
            }
        };
        cells.sort_by(|a, b| a.key.cmp(&b.key));
        let suppressed = dropped + cells.iter().filter(|c| c.suppressed.is_some()).count();
        Ok(AnalyticsReport {
            measure: query.measure,
            dimensions: names.iter().map(|s| (*s).to_owned()).collect(),
            from: query.from,
            to: query.to,
            purpose: PURPOSE,
            policy_version: ctx.version,
            k: options.k,
            subjects_excluded: excluded,
            cells,
            suppressed,
            total,
            privacy,
        })
    }
}

fn figures(r: &AggregateRow) -> Cell {
    Cell {
        key: r.key.clone(),
        suppressed: None,
        subjects: Some(r.subjects),
        interactions: Some(r.interactions as f64),
        positive: Some(r.positive as f64),
        neutral: Some(r.neutral as f64),
        negative: Some(r.negative as f64),
        unknown: Some(r.unknown as f64),
        mean_sentiment: (r.sentiment_count > 0).then(|| r.sentiment_sum / r.sentiment_count as f64),
    }
}

fn hidden(key: Vec<String>, why: SuppressReason) -> Cell {
    Cell {
        key,
        suppressed: Some(match why {
            SuppressReason::TooFewSubjects => "fewer_than_k",
            SuppressReason::Complementary => "complementary",
        }),
        ..Cell::default()
    }
}

/// Exact figures with k-anonymity: cells of fewer than k subjects are
/// hidden, and so is a second cell wherever a single hidden one could be
/// recovered from the published total.
fn exact_cells(rows: &[AggregateRow], k: u32, has_total: bool) -> Result<(Vec<Cell>, Option<Cell>)> {
    // The cells as one dimension (their whole key), plus the grand total:
    // the group a reader could subtract from.
    let mut table: Vec<kanon::Cell<()>> =
        rows.iter().map(|r| kanon::Cell::new(vec![Part::value(r.key.join("\u{1f}"))], r.subjects, ())).collect();
    let mut sum = AggregateRow { key: vec!["total".into()], ..AggregateRow::default() };
    if has_total {
        for r in rows {
            sum.interactions += r.interactions;
            sum.positive += r.positive;
            sum.neutral += r.neutral;
            sum.negative += r.negative;
            sum.unknown += r.unknown;
            sum.sentiment_sum += r.sentiment_sum;
            sum.sentiment_count += r.sentiment_count;
        }
        // The total's distinct customers are not the sum of the cells'; the
        // largest cell is a floor, which errs towards hiding the total.
        let floor = rows.iter().map(|r| r.subjects).max().unwrap_or(0);
        table.push(kanon::Cell::new(vec![Part::Total], floor, ()));
    }
    kanon::suppress(&mut table, u64::from(k)).map_err(|e| ServiceError::InvalidInput(format!("the aggregate is not a table: {e}")))?;
    let cells = rows
        .iter()
        .zip(&table)
        .map(|(r, c)| match c.suppressed {
            Some(why) => hidden(r.key.clone(), why),
            None => figures(r),
        })
        .collect();
    let total = has_total.then(|| match table.last().and_then(|t| t.suppressed) {
        Some(why) => hidden(sum.key.clone(), why),
        None => Cell { subjects: None, ..figures(&sum) },
    });
    Ok((cells, total))
}

/// Noisy figures: the label counts of each cell as one vector (a customer
/// adds at most `max_contributions` rows to the whole result, so the L1
/// sensitivity of all the counts together is that bound, and L2 is no more)
/// with half the epsilon (and half the delta), the sentiment sums (each
/// row's score in [-1, 1], released in thousandths) with the other half.
/// Means, totals and the suppression of cells whose noisy count is under k
/// are post-processing of the noisy figures and cost nothing more.
fn noisy_cells(
    rows: &[AggregateRow],
    options: &AnalyticsOptions,
    dp: DpRequest,
    has_total: bool,
) -> Result<(Vec<Cell>, Option<Cell>, DpSummary, usize)> {
    // Sentiment sums are released in thousandths, as integers.
    const MILLI: f64 = 1000.0;
    let half = Epsilon::from_micros(MicroEpsilon::new(dp.epsilon.micros().get() / 2))
        .map_err(|e| ServiceError::InvalidInput(format!("`--epsilon {}` cannot be split in two: {e}", dp.epsilon.get())))?;
    let noise = match dp.delta {
        Some(delta) => Noise::Gaussian(delta.halved()),
        None => Noise::Laplace,
    };
    let bound = u128::from(options.max_contributions);
    let mut rng = rand::rngs::OsRng;
    let mut release = |value: i64, sensitivity: u128| {
        dp::release(value, sensitivity, half, noise, &mut rng)
            .map_err(|e| ServiceError::InvalidInput(format!("cannot add the noise asked for: {e}")))
    };
    let mut cells = Vec::with_capacity(rows.len());
    let (mut t_pos, mut t_neu, mut t_neg, mut t_unk, mut t_sum) = (0.0, 0.0, 0.0, 0.0, 0.0);
    let (mut count_noise, mut sum_noise) = (None, None);
    let mut dropped = 0;
    for r in rows {
        let mut counts = [0.0; 4];
        for (slot, value) in counts.iter_mut().zip([r.positive, r.neutral, r.negative, r.unknown]) {
            let noisy = release(i64::try_from(value).unwrap_or(i64::MAX), bound)?;
            *slot = noisy.value.max(0) as f64;
            count_noise.get_or_insert((noisy.mechanism, noisy.scale));
        }
        let noisy_sum = release((r.sentiment_sum * MILLI).round() as i64, bound * MILLI as u128)?;
        sum_noise.get_or_insert(noisy_sum.scale / MILLI);
        let sum = noisy_sum.value as f64 / MILLI;
        let [pos, neu, neg, unk] = counts;
        let n = pos + neu + neg + unk;
        let scored = pos + neu + neg;
        t_pos += pos;
        t_neu += neu;
        t_neg += neg;
        t_unk += unk;
        t_sum += sum;
        if n < f64::from(options.k) {
            // Left out, key and all: with noise, a listed key would still
            // say that somebody wrote there.
            dropped += 1;
            continue;
        }
        cells.push(Cell {
            key: r.key.clone(),
            suppressed: None,
            subjects: None,
            interactions: Some(n),
            positive: Some(pos),
            neutral: Some(neu),
            negative: Some(neg),
            unknown: Some(unk),
            mean_sentiment: (scored >= 1.0).then(|| (sum / scored).clamp(-1.0, 1.0)),
        });
    }
    let total = has_total.then(|| {
        let scored = t_pos + t_neu + t_neg;
        Cell {
            key: vec!["total".into()],
            suppressed: None,
            subjects: None,
            interactions: Some(t_pos + t_neu + t_neg + t_unk),
            positive: Some(t_pos),
            neutral: Some(t_neu),
            negative: Some(t_neg),
            unknown: Some(t_unk),
            mean_sentiment: (scored >= 1.0).then(|| (t_sum / scored).clamp(-1.0, 1.0)),
        }
    });
    // With no cell to release, the scales are still what they would be.
    let (mechanism, count_scale) = match count_noise {
        Some(v) => v,
        None => {
            let probe = release(0, bound)?;
            (probe.mechanism, probe.scale)
        }
    };
    let sum_scale = match sum_noise {
        Some(v) => v,
        None => release(0, bound * MILLI as u128)?.scale / MILLI,
    };
    let summary = DpSummary {
        mechanism: mechanism.as_str(),
        epsilon: dp.epsilon.get(),
        delta: dp.delta.map(Delta::get),
        count_scale,
        sum_scale,
        max_contributions: options.max_contributions,
        budget_remaining: 0.0,
    };
    Ok((cells, total, summary, dropped))
}

/// An emerging-phrases query: phrases whose share of customers rose most in
/// `from..=to` against the period of the same length just before.
#[derive(Clone, Debug)]
pub struct EmergingQuery {
    /// First day of the current period.
    pub from: Date,
    /// Last day of the current period (inclusive).
    pub to: Date,
    /// Fewest customers a phrase needs in the current period (raised to k).
    pub min_customers: u32,
    /// Most phrases returned.
    pub limit: usize,
}

/// Emerging phrases.
#[derive(Clone, Debug, Serialize)]
pub struct EmergingReport {
    /// First day of the current period.
    pub from: Date,
    /// Last day of the current period.
    pub to: Date,
    /// First day of the previous period.
    pub previous_from: Date,
    /// Last day of the previous period.
    pub previous_to: Date,
    /// Always `analytics`.
    pub purpose: &'static str,
    /// Policy version the gate applied.
    pub policy_version: u32,
    /// The suppression threshold: no phrase is shown that fewer customers used.
    pub k: u32,
    /// Customers whose recorded choices keep their messages out.
    pub subjects_excluded: u64,
    /// Customers who wrote in the current period.
    pub customers: u64,
    /// Customers who wrote in the previous period.
    pub previous_customers: u64,
    /// The phrases, most risen first. Counts are customers, not messages:
    /// one customer repeating a phrase is not a trend, and a phrase fewer
    /// than k customers used is never shown.
    pub phrases: Vec<EmergingRow>,
}

/// One emerging phrase. Previous-period figures from fewer than k
/// customers (but more than none) are withheld, with the rise that would
/// give them away.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct EmergingRow {
    /// The phrase (1 to 3 words, lower case).
    pub phrase: String,
    /// Customers who used it in the current period (at least k).
    pub customers: u32,
    /// Their share of the period's customers.
    pub share: f64,
    /// Customers who used it in the previous period; `None` when 1 to k-1.
    pub previous_customers: Option<u32>,
    /// Their share; `None` when withheld.
    pub previous_share: Option<f64>,
    /// Share now minus share before; `None` when withheld.
    pub rise: Option<f64>,
}

/// Texts read per page for emerging phrases.
const TEXT_PAGE: u32 = 5_000;

impl Candor {
    /// Emerging phrases as `actor_id`.
    pub async fn emerging(&self, actor_id: &str, query: &EmergingQuery, options: &AnalyticsOptions) -> Result<EmergingReport> {
        use candor_analytics::themes::{emerging_from_counts, EmergingOptions, NgramCounter, NgramCounts};
        use candor_domain::RedactedText;

        check_shape(&[], Some(query.from), Some(query.to))?;
        let ctx = self.policy_context().await?;
        let days = (query.to - query.from).whole_days() + 1;
        let from = days_since_epoch(query.from);
        let previous_from = from - days;
        let back = |d: i64| {
            query.from.checked_sub(time::Duration::days(d)).ok_or_else(|| {
                ServiceError::InvalidInput(format!("the period before `--from {}` starts before the calendar does", query.from))
            })
        };
        let (previous_start, previous_end) = (back(days)?, back(1)?);
        let params = json!({
            "measure": "emerging",
            "from": query.from.to_string(),
            "to": query.to.to_string(),
            "k": options.k,
            "policy_version": ctx.version,
        });
        let (subjects, excluded) = self.authorize_query(actor_id, params, None).await?;
        let allowed = |s: &SubjectId| match &subjects {
            SubjectFilter::Except(out) => out.binary_search(s).is_err(),
            SubjectFilter::Only(only) => only.binary_search(s).is_ok(),
        };
        // One document per customer and period: their messages joined by
        // sentence breaks (which no phrase spans), so that a count is a
        // number of customers.
        let read = |lo: i64, hi: i64| {
            let store = std::sync::Arc::clone(&self.store);
            let allowed = &allowed;
            async move {
                let mut docs: HashMap<SubjectId, String> = HashMap::new();
                let mut after = 0;
                loop {
                    let page = store.inbound_texts(lo, hi, after, TEXT_PAGE).await?;
                    let Some((last, _, _)) = page.last() else { break };
                    after = *last;
                    for (_, s, text) in page.into_iter().filter(|(_, s, _)| allowed(s)) {
                        let doc = docs.entry(s).or_default();
                        doc.push_str(&text);
                        doc.push_str("\n.\n");
                    }
                }
                let mut counter = NgramCounter::default();
                let n = docs.len() as u64;
                for doc in docs.into_values() {
                    counter.add(&RedactedText::from_redactor(doc));
                }
                Ok::<(NgramCounts, u64), ServiceError>((counter.finish(), n))
            }
        };
        let (current, customers) = read(from, from + days).await?;
        let (previous, previous_customers) = read(previous_from, from).await?;
        let opts = EmergingOptions { min_count: query.min_customers.max(options.k), limit: usize::MAX, ..EmergingOptions::default() };
        // A previous count of 1 to k-1 customers is withheld, and so is
        // anything that would give it away: such a phrase is ranked as if
        // nobody had used it before, which is public.
        let mut phrases: Vec<EmergingRow> = emerging_from_counts(&previous, &current, &opts)
            .into_iter()
            .map(|p| {
                let shown = p.previous_count == 0 || p.previous_count >= options.k;
                EmergingRow {
                    phrase: p.phrase,
                    customers: p.current_count,
                    share: p.current_share,
                    previous_customers: shown.then_some(p.previous_count),
                    previous_share: shown.then_some(p.previous_share),
                    rise: shown.then_some(p.rise),
                }
            })
            .collect();
        phrases.sort_by(|a, b| {
            let rank = |r: &EmergingRow| r.rise.unwrap_or(r.share);
            rank(b).total_cmp(&rank(a)).then(b.customers.cmp(&a.customers)).then(a.phrase.cmp(&b.phrase))
        });
        phrases.truncate(query.limit);
        Ok(EmergingReport {
            from: query.from,
            to: query.to,
            previous_from: previous_start,
            previous_to: previous_end,
            purpose: PURPOSE,
            policy_version: ctx.version,
            k: options.k,
            subjects_excluded: excluded,
            customers,
            previous_customers,
            phrases,
        })
    }
}

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
    pub from: Option<Date>,
    /// Last day counted.
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
        let rows = self
            .store
            .kpis(&KpiQuery {
                dimensions: req.by.clone(),
                by_agent: req.by_agent,
                from_day: req.from.map(days_since_epoch),
                to_day: req.to.map(|d| days_since_epoch(d) + 1),
                subjects,
                targets: levels.accounts.clone(),
                default_target: levels.default_seconds,
            })
            .await?;
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

/// One conversation behind a KPI cell.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct DrillRow {
    /// The platform.
    pub platform: String,
    /// The platform's id of the conversation's first item.
    pub conversation_id: String,
    /// When the customer first wrote.
    #[serde(with = "time::serde::rfc3339")]
    pub first_message: OffsetDateTime,
    /// The brand account.
    pub account: Option<String>,
    /// Who signed the first reply.
    pub agent: Option<String>,
    /// First-response time, seconds.
    pub first_response_s: Option<i64>,
    /// Time to the brand's closing reply, seconds.
    pub resolution_s: Option<i64>,
}

/// The conversations behind a KPI cell.
#[derive(Clone, Debug, Serialize)]
pub struct DrillReport {
    /// The dimensions of the KPI query.
    pub dimensions: Vec<String>,
    /// The cell's key.
    pub cell: Vec<String>,
    /// The purpose the conversations are shown under.
    pub purpose: &'static str,
    /// The conversations, oldest first (at most 10,000).
    pub conversations: Vec<DrillRow>,
}

/// The purpose an agent opens conversations under.
pub const DRILL_PURPOSE: &str = "customer_service";

impl Candor {
    /// The conversations behind one KPI cell, for an actor who may handle
    /// them: the actor needs the purpose `customer_service` (an agent), and
    /// a conversation is listed only when its customer's choices allow
    /// both that purpose and `analytics` (it was counted under analytics).
    pub async fn kpi_drill(
        &self,
        actor_id: &str,
        req: &KpiRequest,
        cell: &[String],
        options: &AnalyticsOptions,
        levels: &ServiceLevels,
    ) -> Result<DrillReport> {
        let ctx = self.policy_context().await?;
        let mut names: Vec<String> = req.by.iter().map(|d| dimension_name(*d).to_owned()).collect();
        if req.by_agent {
            names.push("agent".into());
        }
        if cell.len() != names.len() {
            return Err(ServiceError::InvalidInput(format!(
                "`--drill {}` has {} parts; the cells of `--by {}` have {}",
                cell.join(","),
                cell.len(),
                names.join(","),
                names.len()
            )));
        }
        let mut key = Vec::with_capacity(cell.len());
        for (value, dim) in cell.iter().zip(req.by.iter().map(Some).chain(std::iter::once(None))) {
            key.push(match dim {
                Some(Dimension::Time(bucket)) => {
                    let bad = || ServiceError::InvalidInput(format!("`{value}` is not a date like 2024-05-31"));
                    let format = time::macros::format_description!("[year]-[month]-[day]");
                    let date = Date::parse(value, &format).map_err(|_| bad())?;
                    match bucket {
                        candor_store::Bucket::Month => {
                            KeyValue::Number(candor_store::analytics::month_number(date.midnight().assume_utc()))
                        }
                        _ => KeyValue::Number(days_since_epoch(date)),
                    }
                }
                Some(Dimension::Account) => KeyValue::Text(value.trim_start_matches('@').to_lowercase()),
                _ => KeyValue::Text(value.clone()),
            });
        }
        let params = json!({ "by": names, "cell": cell, "from": req.from.map(|d| d.to_string()), "to": req.to.map(|d| d.to_string()) });
        let categories = [CategoryId::new("user.content.public"), CategoryId::new("user.content.private")];
        let actor =
            self.store.actor(actor_id).await?.map(|a| Actor { id: a.id, roles: a.roles, training_expires_at: a.training_expires_at });
        let allowed = match &actor {
            None => Err(DenyReason::UnknownActor { actor: actor_id.to_owned() }),
            Some(a) => actor_allows(&ctx, a, DRILL_PURPOSE, &categories, self.now()),
        };
        let service = match allowed {
            Ok(p) => p,
            Err(reason) => {
                let mut detail = params;
                detail["reason"] = json!(reason);
                let record = self.audit(actor_id, AuditAction::AnalyticsDrill, detail).purpose(DRILL_PURPOSE).decision("deny");
                self.store.apply(WriteBatch { ops: Vec::new(), audit: vec![record] }).await?;
                return Err(ServiceError::Denied(reason));
            }
        };
        let analytics =
            ctx.policy.purpose(PURPOSE).ok_or_else(|| ServiceError::Denied(DenyReason::UnknownPurpose { purpose: PURPOSE.into() }))?;
        let (subjects, _) = self.subject_filter(&ctx, &[service, analytics]).await?;
        let query = KpiQuery {
            dimensions: req.by.clone(),
            by_agent: req.by_agent,
            from_day: req.from.map(days_since_epoch),
            to_day: req.to.map(|d| days_since_epoch(d) + 1),
            subjects,
            targets: levels.accounts.clone(),
            default_target: levels.default_seconds,
        };
        let rows = self.store.kpi_conversations(&query, &key).await?;
        // A cell the KPIs hide stays hidden: drilling into it would show
        // what suppression kept back.
        let mut customers: Vec<SubjectId> = rows.iter().map(|r| r.subject).collect();
        customers.sort_unstable();
        customers.dedup();
        if (customers.len() as u64) < u64::from(options.k) {
            return Err(ServiceError::InvalidInput(format!(
                "the cell `{}` has fewer than {} customers, so its figures are suppressed and it cannot be drilled into",
                cell.join(","),
                options.k
            )));
        }
        // One entry per customer whose conversations are shown, so that
        // each can see who looked at their data and why.
        let audit: Vec<_> = customers
            .iter()
            .map(|s| {
                let detail = json!({ "by": params["by"], "cell": cell, "conversations": rows.iter().filter(|r| r.subject == *s).count() });
                self.audit(actor_id, AuditAction::AnalyticsDrill, detail)
                    .subject(self.keys.pseudonym(s.as_uuid()))
                    .purpose(DRILL_PURPOSE)
                    .decision("allow")
            })
            .collect();
        self.store.apply(WriteBatch { ops: Vec::new(), audit }).await?;
        Ok(DrillReport {
            dimensions: names,
            cell: cell.to_vec(),
            purpose: DRILL_PURPOSE,
            conversations: rows
                .into_iter()
                .map(|r| DrillRow {
                    platform: r.platform,
                    conversation_id: r.conversation_id,
                    first_message: r.first_message,
                    account: r.account,
                    agent: r.agent,
                    first_response_s: r.first_response_s,
                    resolution_s: r.resolution_s,
                })
                .collect(),
        })
    }
}
