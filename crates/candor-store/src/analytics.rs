//! What an aggregate query asks of a store, and what it answers.
//!
//! Analytics never reads interaction rows into candor: the store groups and
//! counts where the data is (SQL aggregates on both back ends), and returns
//! one row per cell with the number of distinct subjects behind it, which
//! k-anonymity needs. Which subjects may be counted is decided before the
//! query, by the access gate, and handed to the store as a
//! [`SubjectFilter`]; the store applies it and decides nothing itself.

use candor_domain::SubjectId;
use time::OffsetDateTime;

/// A time bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// Calendar day, UTC.
    Day,
    /// ISO week (Monday to Sunday), UTC.
    Week,
    /// Calendar month, UTC.
    Month,
}

/// One dimension an aggregate groups by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Dimension {
    /// When, bucketed. The cell key is the bucket's first day, `yyyy-mm-dd`.
    Time(Bucket),
    /// The platform (`x`, `facebook`, …).
    Platform,
    /// A theme of [`AggregateQuery::themes`]; an interaction with several
    /// themes counts in each.
    Theme,
    /// The brand account on the other side.
    Account,
    /// The detected language (`?` when unknown).
    Language,
}

/// Which subjects' interactions may be counted. The access gate computes
/// it; subjects whose ledger is empty share the default answer, so the
/// lists name only subjects with recorded choices.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectFilter {
    /// Everyone but these.
    Except(Vec<SubjectId>),
    /// Only these.
    Only(Vec<SubjectId>),
}

/// Which side of the conversation to count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// What customers wrote.
    Inbound,
    /// What the brand wrote.
    Outbound,
}

impl Side {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Inbound => "inbound",
            Self::Outbound => "outbound",
        }
    }
}

/// An aggregate over interactions.
#[derive(Clone, Debug)]
pub struct AggregateQuery {
    /// Group by these, in this order (at most one [`Dimension::Time`]).
    pub dimensions: Vec<Dimension>,
    /// From this day on (days since 1970-01-01, UTC; inclusive).
    pub from_day: Option<i64>,
    /// Before this day (exclusive).
    pub to_day: Option<i64>,
    /// Only one side, or both.
    pub side: Option<Side>,
    /// Whose interactions count. Interactions about no subject (a brand's
    /// post that answers nobody) are never counted: no one could consent.
    pub subjects: SubjectFilter,
    /// The themes a [`Dimension::Theme`] groups by: name and bit in the
    /// stored theme mask.
    pub themes: Vec<(String, u64)>,
    /// Rows one subject may add to the whole result, counting a row once
    /// per theme cell it lands in (contribution bounding for differential
    /// privacy: the L1 sensitivity of every count is then this bound);
    /// `None` counts every row.
    pub max_per_subject: Option<u32>,
}

/// One cell of an aggregate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AggregateRow {
    /// The value of each dimension, in the query's order.
    pub key: Vec<String>,
    /// Distinct subjects behind the cell.
    pub subjects: u64,
    /// Interactions (after contribution bounding, if asked).
    pub interactions: u64,
    /// Interactions labelled positive, neutral, negative, and those with no
    /// sentiment (a language the model lacks).
    pub positive: u64,
    /// See `positive`.
    pub neutral: u64,
    /// See `positive`.
    pub negative: u64,
    /// See `positive`.
    pub unknown: u64,
    /// Sum of compound scores over interactions that have one (after
    /// contribution bounding, if asked).
    pub sentiment_sum: f64,
    /// How many interactions `sentiment_sum` adds up.
    pub sentiment_count: u64,
}

/// The bucket of `day` (days since 1970-01-01) as the first day of the bucket.
pub fn bucket_start(bucket: Bucket, day: i64) -> Option<time::Date> {
    let epoch = time::Date::from_calendar_date(1970, time::Month::January, 1).ok()?;
    let date = epoch.checked_add(time::Duration::days(day))?;
    Some(match bucket {
        Bucket::Day => date,
        Bucket::Week => date.checked_sub(time::Duration::days(i64::from(date.weekday().number_days_from_monday())))?,
        Bucket::Month => date.replace_day(1).ok()?,
    })
}

/// Days since 1970-01-01 of a time, UTC.
pub fn day_number(t: OffsetDateTime) -> i64 {
    t.unix_timestamp().div_euclid(86_400)
}

/// The month of a time as a number (`year * 12 + month - 1`), UTC.
pub fn month_number(t: OffsetDateTime) -> i64 {
    let d = t.to_offset(time::UtcOffset::UTC).date();
    i64::from(d.year()) * 12 + i64::from(u8::from(d.month())) - 1
}

/// The first day of a month number, as days since 1970-01-01.
pub fn month_first_day(month: i64) -> Option<i64> {
    let year = i32::try_from(month.div_euclid(12)).ok()?;
    let m = time::Month::try_from(u8::try_from(month.rem_euclid(12) + 1).ok()?).ok()?;
    let first = time::Date::from_calendar_date(year, m, 1).ok()?;
    Some(i64::from(first.to_julian_day()) - i64::from(time::macros::date!(1970 - 01 - 01).to_julian_day()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::{date, datetime};

    #[test]
    fn buckets_start_on_mondays_and_first_days() {
        let d = day_number(datetime!(2024-05-16 13:00 UTC)); // a Thursday
        assert_eq!(bucket_start(Bucket::Day, d), Some(date!(2024 - 05 - 16)));
        assert_eq!(bucket_start(Bucket::Week, d), Some(date!(2024 - 05 - 13)));
        assert_eq!(bucket_start(Bucket::Month, d), Some(date!(2024 - 05 - 01)));
        assert_eq!(day_number(datetime!(1969-12-31 23:59 UTC)), -1);
    }

    #[test]
    fn month_numbers_round_trip_to_their_first_day() {
        let m = month_number(datetime!(2017-10-31 22:10:47 UTC));
        assert_eq!(m, 2017 * 12 + 9);
        assert_eq!(month_first_day(m), Some(day_number(datetime!(2017-10-01 0:00 UTC))));
    }
}
