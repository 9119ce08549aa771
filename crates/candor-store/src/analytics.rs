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

/// Customer-care KPIs over conversations, grouped by the day (week, month)
/// of a conversation's first customer message and by the other
/// dimensions. A conversation counts for the subject it is about; its
/// account is the brand account that answered, its agent the one who
/// signed the first reply.
#[derive(Clone, Debug)]
pub struct KpiQuery {
    /// Group by these: [`Dimension::Time`], [`Dimension::Platform`],
    /// [`Dimension::Account`] and [`KpiQuery::by_agent`].
    pub dimensions: Vec<Dimension>,
    /// Group by the agent of the first reply too (last key part, `?` when
    /// unsigned or unanswered).
    pub by_agent: bool,
    /// Conversations whose first customer message is on or after this day.
    pub from_day: Option<i64>,
    /// … and before this day.
    pub to_day: Option<i64>,
    /// Whose conversations count.
    pub subjects: SubjectFilter,
    /// The first-response target per brand account (lower-case handle), in
    /// seconds; accounts not listed use `default_target`.
    pub targets: Vec<(String, i64)>,
    /// The first-response target of accounts not in `targets`, in seconds.
    pub default_target: i64,
}

/// One cell of customer-care KPIs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KpiRow {
    /// The value of each dimension, in the query's order (agent last).
    pub key: Vec<String>,
    /// Distinct customers behind the cell.
    pub subjects: u64,
    /// Conversations opened by a customer.
    pub conversations: u64,
    /// Customer messages in them.
    pub inbound: u64,
    /// Conversations the brand answered.
    pub answered: u64,
    /// Answered within the account's target.
    pub within_target: u64,
    /// First-response time, nearest-rank median and 90th percentile, in
    /// seconds, over answered conversations.
    pub first_response_median: Option<i64>,
    /// See `first_response_median`.
    pub first_response_p90: Option<i64>,
    /// Time from the first customer message to the brand's last reply, in
    /// conversations where the brand had the last word (resolved), median.
    pub resolution_median: Option<i64>,
    /// Conversations counted as resolved.
    pub resolved: u64,
    /// Mean sentiment of the first and of the last customer message of
    /// each conversation (over those with a score).
    pub sentiment_start: Option<f64>,
    /// See `sentiment_start`.
    pub sentiment_end: Option<f64>,
}

/// A value a cell's key part must have, as stored: day, week (its first
/// day) and month numbers for time, text for the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyValue {
    /// A day or month number.
    Number(i64),
    /// A platform, account or agent.
    Text(String),
}

/// One conversation behind a KPI cell, for the agent who drills into it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationRef {
    /// The customer it is about.
    pub subject: SubjectId,
    /// The platform.
    pub platform: String,
    /// The platform's id of its first item.
    pub conversation_id: String,
    /// When the customer first wrote.
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
