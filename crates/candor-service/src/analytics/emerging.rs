//! Emerging phrases: what customers write about more this period than the
//! last, counted in customers, over redacted text only.

use std::collections::HashMap;

use candor_analytics::themes::{NgramCounter, NgramCounts};
use candor_domain::SubjectId;
use candor_privacy::RedactedText;
use candor_store::{AnalyticsStore, Store, SubjectFilter};
use serde::Serialize;
use serde_json::json;
use time::Date;

use super::memo::Memo;
use super::{check_shape, days_since_epoch, AnalyticsOptions, PURPOSE};
use crate::{Candor, Result, ServiceError};

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
    #[serde(with = "candor_domain::iso_date")]
    pub from: Date,
    /// Last day of the current period.
    #[serde(with = "candor_domain::iso_date")]
    pub to: Date,
    /// First day of the previous period.
    #[serde(with = "candor_domain::iso_date")]
    pub previous_from: Date,
    /// Last day of the previous period.
    #[serde(with = "candor_domain::iso_date")]
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

impl EmergingQuery {
    /// The period `candor analytics emerging` and the API take when a
    /// bound is left out: the week up to `to`, `to` being `today` unless
    /// given.
    pub fn period(from: Option<Date>, to: Option<Date>, today: Date) -> Result<(Date, Date)> {
        let to = to.unwrap_or(today);
        let from = match from {
            Some(d) => d,
            None => to
                .checked_sub(time::Duration::days(6))
                .ok_or_else(|| ServiceError::InvalidInput(format!("`to` ({to}) is too early for a week before it")))?,
        };
        Ok((from, to))
    }
}

/// Texts read per page for emerging phrases.
const TEXT_PAGE: u32 = 5_000;

impl Candor {
    /// Emerging phrases as `actor_id`.
    pub async fn emerging(&self, actor_id: &str, query: &EmergingQuery, options: &AnalyticsOptions) -> Result<EmergingReport> {
        use candor_analytics::themes::{emerging_from_counts, EmergingOptions};

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
        // One document per customer and period, so that a count is a
        // number of customers. Counting reads every text of both periods:
        // kept by what it depends on (see `memo`).
        let key =
            Memo::key("emerging", &format!("{from} {days} {previous_from} {subjects:?}"), self.store.interactions_generation().await?);
        let counted: Option<Counted> = self.memo.get(&key);
        let ((current, customers), (previous, previous_customers)) = match counted {
            Some(c) => c,
            None => {
                let store: &dyn Store = &*self.store;
                let c =
                    (count_phrases(store, from, from + days, &allowed).await?, count_phrases(store, previous_from, from, &allowed).await?);
                self.memo.put(key, c.clone());
                c
            }
        };
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

/// The phrases of customers' messages on days `lo..hi`, counted once per
/// customer (one document per customer: their messages joined by sentence
/// breaks, which no phrase spans), over the customers `allowed` keeps; and
/// how many customers that is. It needs the store's analytics role only,
/// and what it reads is redacted text by type.
/// The phrases of both periods and how many customers wrote in each.
type Counted = ((NgramCounts, u64), (NgramCounts, u64));

async fn count_phrases<S: AnalyticsStore + ?Sized>(
    store: &S,
    lo: i64,
    hi: i64,
    allowed: &impl Fn(&SubjectId) -> bool,
) -> Result<(NgramCounts, u64)> {
    let mut docs: HashMap<SubjectId, RedactedText> = HashMap::new();
    let mut after = 0;
    loop {
        let page = store.inbound_texts(lo, hi, after, TEXT_PAGE).await?;
        let Some((last, _, _)) = page.last() else { break };
        after = *last;
        for (_, s, text) in page.into_iter().filter(|(_, s, _)| allowed(s)) {
            let doc = docs.entry(s).or_default();
            doc.push(&text);
            doc.push_static("\n.\n");
        }
    }
    let mut counter = NgramCounter::default();
    let n = docs.len() as u64;
    for doc in docs.into_values() {
        counter.add(&doc);
    }
    Ok((counter.finish(), n))
}
