//! Grouped counts and sentiment of customers' messages, exact with
//! k-anonymity or noisy with differential privacy.

use candor_privacy::dp::{self, Delta, Epsilon, MicroEpsilon, Noise};
use candor_privacy::kanon::{self, Part, SuppressReason};
use candor_store::{AggregateQuery, AggregateRow, Dimension, Op, Side};
use serde::Serialize;
use serde_json::json;
use time::Date;

use super::{check_shape, days_since_epoch, dimension_name, month_start, AnalyticsOptions, DpRequest, Measure, PURPOSE};
use crate::{Candor, Result, ServiceError};

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

impl Candor {
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
    let mut rng = rand::TryRngCore::unwrap_err(rand::rngs::OsRng);
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
