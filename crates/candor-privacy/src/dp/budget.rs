//! Privacy-budget arithmetic: how much epsilon an actor may still spend in
//! the current period. Pure: the ledger itself lives in the store; this
//! module only adds up what the store returns and decides.
//!
//! **Composition.** Budgets use basic sequential composition: releasing
//! the results of mechanisms that are ε₁-, ε₂-, …-DP about the same data is
//! (Σ εᵢ)-DP (Dwork & Roth, Theorem 3.16). It is the loosest accounting but
//! holds for any mix of mechanisms, adaptively chosen, and it makes the
//! ledger a plain sum of integers. Amounts are whole micro-epsilons
//! ([`MicroEpsilon`]), the unit the mechanisms calibrate to, so the ledger
//! charges exactly what was used and never drifts.
//!
//! Only epsilon is metered. Gaussian releases also spend δ, and their δs
//! add up the same way; the caller bounds that by keeping δ small and the
//! number of releases per period modest.
//!
//! **Periods.** A budget renews at the start of each period, computed in
//! UTC: a day, an ISO week (from Monday) or a calendar month. Renewal is a
//! policy choice, not a privacy theorem — spending ε every month adds up
//! over the months — which is why the period is set in configuration by
//! the operator rather than chosen per query.

use serde::{Deserialize, Serialize};
use thiserror::Error;
use time::format_description::well_known::Rfc3339;
use time::{Date, Duration, Month, OffsetDateTime, UtcOffset};

use super::params::{Epsilon, Limits, MicroEpsilon, ParameterError};

/// How often a budget renews.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// A UTC calendar day.
    Day,
    /// An ISO week in UTC, Monday 00:00 to the next Monday.
    Week,
    /// A UTC calendar month.
    Month,
}

/// A half-open span of time `[start, end)` in UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// The first instant of the period.
    pub start: OffsetDateTime,
    /// The first instant after the period, when the budget renews.
    pub end: OffsetDateTime,
}

impl Period {
    /// Whether `at` falls in this period.
    pub fn contains(&self, at: OffsetDateTime) -> bool {
        self.start <= at && at < self.end
    }
}

impl PeriodKind {
    /// The period of this kind that contains `at`.
    ///
    /// # Errors
    ///
    /// [`ParameterError::PeriodOutOfRange`] when the period would start or
    /// end outside the years `time` supports (±9999).
    pub fn containing(self, at: OffsetDateTime) -> Result<Period, ParameterError> {
        let out_of_range = || ParameterError::PeriodOutOfRange { at: rfc3339(&at) };
        let date = at.to_offset(UtcOffset::UTC).date();
        let (start, end) = match self {
            PeriodKind::Day => (date, date.next_day()),
            PeriodKind::Week => {
                let back = i64::from(date.weekday().number_days_from_monday());
                let monday = date.checked_sub(Duration::days(back)).ok_or_else(out_of_range)?;
                (monday, monday.checked_add(Duration::days(7)))
            }
            PeriodKind::Month => {
                let first = Date::from_calendar_date(date.year(), date.month(), 1).map_err(|_| out_of_range())?;
                let next = match date.month() {
                    Month::December => Date::from_calendar_date(date.year() + 1, Month::January, 1),
                    month => Date::from_calendar_date(date.year(), month.next(), 1),
                };
                (first, next.ok())
            }
        };
        let end = end.ok_or_else(out_of_range)?;
        Ok(Period { start: start.midnight().assume_utc(), end: end.midnight().assume_utc() })
    }
}

/// An instant as RFC 3339 (`2024-03-01T00:00:00Z`), falling back to
/// `time`'s own format for years RFC 3339 cannot write.
fn rfc3339(at: &OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_else(|_| at.to_string())
}

/// The epsilon each actor may spend per period, from configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "BudgetConfig", into = "BudgetConfig")]
pub struct Budget {
    // INVARIANT (positive budget): per_period > 0, upheld by `Budget::new`.
    per_period: MicroEpsilon,
    period: PeriodKind,
}

/// How a budget reads in a configuration file:
/// `{ per_period = 5.0, period = "month" }`.
#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
struct BudgetConfig {
    per_period: f64,
    period: PeriodKind,
}

impl Budget {
    /// The largest per-period budget accepted. Spending more than this
    /// within one period leaves no meaningful protection.
    pub const MAX_PER_PERIOD: f64 = 1_000.0;

    const LIMITS: Limits = Limits { name: "budget", max: Budget::MAX_PER_PERIOD, hint: "; a larger budget would protect no one" };

    /// A budget of `per_period` epsilon renewed every `period`.
    ///
    /// # Errors
    ///
    /// When `per_period` is not finite, not positive, below one
    /// micro-epsilon or above [`Budget::MAX_PER_PERIOD`].
    pub fn new(per_period: f64, period: PeriodKind) -> Result<Budget, ParameterError> {
        let per_period = MicroEpsilon::from_f64(&Budget::LIMITS, per_period)?;
        // INVARIANT (positive budget): from_f64 refuses zero.
        Ok(Budget { per_period, period })
    }

    /// Like [`Budget::new`], with the amount read from a decimal string.
    ///
    /// # Errors
    ///
    /// As [`Budget::new`], and when `per_period` is not a decimal number.
    pub fn parse(per_period: &str, period: PeriodKind) -> Result<Budget, ParameterError> {
        let per_period = MicroEpsilon::parse_decimal(&Budget::LIMITS, per_period)?;
        // INVARIANT (positive budget): parse_decimal refuses zero.
        Ok(Budget { per_period, period })
    }

    /// The epsilon available per period.
    pub const fn per_period(self) -> MicroEpsilon {
        self.per_period
    }

    /// How often the budget renews.
    pub const fn period(self) -> PeriodKind {
        self.period
    }

    /// The period containing `now`: the caller sums the ledger entries of
    /// this actor inside it and passes the sum to [`Budget::charge`].
    ///
    /// # Errors
    ///
    /// As [`PeriodKind::containing`].
    pub fn current_period(self, now: OffsetDateTime) -> Result<Period, ParameterError> {
        self.period.containing(now)
    }

    /// Decides whether `requested` may be spent when `spent` has already
    /// been spent in `period`, and what is left afterwards.
    ///
    /// `spent` may exceed the budget (the budget was lowered mid-period);
    /// then nothing is left.
    ///
    /// # Errors
    ///
    /// [`BudgetExhausted`] when `spent + requested` exceeds the budget; it
    /// says how much is left and when the budget renews. Nothing should be
    /// released, or recorded in the ledger, after this error.
    pub fn charge(self, spent: MicroEpsilon, requested: Epsilon, period: &Period) -> Result<Charge, BudgetExhausted> {
        let remaining = self.per_period.saturating_sub(spent);
        let requested = requested.micros();
        if requested > remaining {
            return Err(BudgetExhausted { spent, requested, remaining, per_period: self.per_period, period_ends: period.end });
        }
        Ok(Charge {
            spent_before: spent,
            charged: requested,
            remaining_after: remaining.saturating_sub(requested),
            period_ends: period.end,
        })
    }
}

impl TryFrom<BudgetConfig> for Budget {
    type Error = ParameterError;

    fn try_from(config: BudgetConfig) -> Result<Budget, ParameterError> {
        Budget::new(config.per_period, config.period)
    }
}

impl From<Budget> for BudgetConfig {
    fn from(budget: Budget) -> BudgetConfig {
        BudgetConfig { per_period: budget.per_period.as_f64(), period: budget.period }
    }
}

/// Adds up ledger entries, saturating: a ledger so large it overflows
/// `u64` micro-epsilons has certainly spent any budget.
pub fn total_spent(entries: impl IntoIterator<Item = MicroEpsilon>) -> MicroEpsilon {
    entries.into_iter().fold(MicroEpsilon::ZERO, |sum, entry| sum.checked_add(entry).unwrap_or(MicroEpsilon::new(u64::MAX)))
}

/// An accepted charge: record `charged` in the ledger, then release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Charge {
    /// Spent in this period before this query.
    pub spent_before: MicroEpsilon,
    /// The epsilon to record for this query.
    pub charged: MicroEpsilon,
    /// Left in this period after this query.
    pub remaining_after: MicroEpsilon,
    /// When the budget renews.
    pub period_ends: OffsetDateTime,
}

/// A refused charge: the query would overspend the period's budget.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error(
    "privacy budget exhausted: this query needs epsilon {requested} but only {remaining} of \
     {per_period} is left in this period ({spent} spent); ask for epsilon {remaining} or less, \
     or wait until the budget renews at {}",
    rfc3339(.period_ends)
)]
pub struct BudgetExhausted {
    /// Already spent in this period.
    pub spent: MicroEpsilon,
    /// What the query asked for.
    pub requested: MicroEpsilon,
    /// What is left in this period.
    pub remaining: MicroEpsilon,
    /// The whole budget per period.
    pub per_period: MicroEpsilon,
    /// When the budget renews.
    pub period_ends: OffsetDateTime,
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn micros(x: u64) -> MicroEpsilon {
        MicroEpsilon::new(x)
    }

    fn eps(x: f64) -> Epsilon {
        Epsilon::new(x).unwrap()
    }

    #[test]
    fn a_charge_within_budget_reports_what_is_left() {
        let budget = Budget::new(1.0, PeriodKind::Month).unwrap();
        let period = budget.current_period(datetime!(2024-02-14 12:00 UTC)).unwrap();
        let charge = budget.charge(micros(250_000), eps(0.5), &period).unwrap();
        assert_eq!(charge.charged, micros(500_000));
        assert_eq!(charge.remaining_after, micros(250_000));
        assert_eq!(charge.remaining_after.to_string(), "0.25");
        // Spending exactly what is left is allowed.
        let charge = budget.charge(micros(750_000), eps(0.25), &period).unwrap();
        assert_eq!(charge.remaining_after, MicroEpsilon::ZERO);
    }

    #[test]
    fn an_exhausted_budget_refuses_and_says_how_much_is_left() {
        let budget = Budget::new(1.0, PeriodKind::Month).unwrap();
        let period = budget.current_period(datetime!(2024-02-14 12:00 UTC)).unwrap();
        let spent = total_spent([micros(300_000), micros(400_000)]);
        let err = budget.charge(spent, eps(0.5), &period).unwrap_err();
        assert_eq!(err.remaining, micros(300_000));
        assert_eq!(
            err.to_string(),
            "privacy budget exhausted: this query needs epsilon 0.5 but only 0.3 of 1 is left \
             in this period (0.7 spent); ask for epsilon 0.3 or less, or wait until the budget \
             renews at 2024-03-01T00:00:00Z"
        );
        // Fully spent: even the smallest query is refused.
        let tiny = Epsilon::from_micros(micros(1)).unwrap();
        let err = budget.charge(micros(1_000_000), tiny, &period).unwrap_err();
        assert_eq!(err.remaining, MicroEpsilon::ZERO);
        // Overspent (budget lowered mid-period): nothing left, no underflow.
        let err = budget.charge(micros(5_000_000), tiny, &period).unwrap_err();
        assert_eq!(err.remaining, MicroEpsilon::ZERO);
    }

    #[test]
    fn sequential_composition_adds_without_drift() {
        // Ten queries of 0.1 spend exactly 1, where ten f64 additions of
        // 0.1 give 0.9999999999999999.
        let budget = Budget::new(1.0, PeriodKind::Day).unwrap();
        let period = budget.current_period(datetime!(2024-01-01 0:00 UTC)).unwrap();
        let mut ledger = Vec::new();
        for _ in 0..10 {
            let charge = budget.charge(total_spent(ledger.clone()), eps(0.1), &period).unwrap();
            ledger.push(charge.charged);
        }
        assert_eq!(total_spent(ledger.clone()), micros(1_000_000));
        assert!(budget.charge(total_spent(ledger), eps(1e-6), &period).is_err());
        assert_eq!(total_spent([micros(u64::MAX), micros(1)]), micros(u64::MAX));
    }

    #[test]
    fn periods_are_utc_days_weeks_and_months() {
        // 23:30 at UTC-05:00 is already the next day in UTC.
        let at = datetime!(2023-12-31 23:30 -5);
        let day = PeriodKind::Day.containing(at).unwrap();
        assert_eq!(day.start, datetime!(2024-01-01 0:00 UTC));
        assert_eq!(day.end, datetime!(2024-01-02 0:00 UTC));
        assert!(day.contains(at));
        let week = PeriodKind::Week.containing(at).unwrap();
        assert_eq!(week.start, datetime!(2024-01-01 0:00 UTC)); // a Monday
        assert_eq!(week.end, datetime!(2024-01-08 0:00 UTC));
        let month = PeriodKind::Month.containing(datetime!(2024-12-15 8:00 UTC)).unwrap();
        assert_eq!(month.start, datetime!(2024-12-01 0:00 UTC));
        assert_eq!(month.end, datetime!(2025-01-01 0:00 UTC));
        assert!(!month.contains(month.end));
        let feb = PeriodKind::Month.containing(datetime!(2024-02-29 23:59 UTC)).unwrap();
        assert_eq!(feb.end, datetime!(2024-03-01 0:00 UTC));
        let err = PeriodKind::Day.containing(datetime!(9999-12-31 12:00 UTC)).unwrap_err();
        assert!(matches!(err, ParameterError::PeriodOutOfRange { .. }));
    }

    #[test]
    fn budgets_come_from_configuration() {
        let budget: Budget = serde_json::from_str(r#"{"per_period": 5.0, "period": "month"}"#).unwrap();
        assert_eq!(budget.per_period(), micros(5_000_000));
        assert_eq!(budget.period(), PeriodKind::Month);
        assert!(serde_json::from_str::<Budget>(r#"{"per_period": 0, "period": "day"}"#).is_err());
        assert_eq!(Budget::parse("2.5", PeriodKind::Week).unwrap().per_period(), micros(2_500_000));
        assert_eq!(Budget::new(-1.0, PeriodKind::Day).unwrap_err().to_string(), "budget must be greater than 0, got `-1`");
        assert_eq!(
            Budget::parse("5000", PeriodKind::Day).unwrap_err().to_string(),
            "budget must be at most 1000, got `5000`; a larger budget would protect no one"
        );
    }
}
