//! Aggregates inside the database, the whole ledger for the access gate, and
//! the privacy-budget ledger.
//!
//! An aggregate is two `group by`s: the inner one per cell and subject (so
//! that the outer one counts distinct subjects as rows, which k-anonymity
//! needs, and so that a subject's contribution can be bounded), the outer
//! one per cell. Only cells leave the database. Which subjects may count
//! arrives as a list that the access gate made; a long list goes to a
//! temporary table of the query's own transaction, which the rollback at the
//! end removes.

use candor_domain::SubjectId;
use candor_store::analytics::{bucket_start, month_first_day};
use candor_store::audit::micros;
use candor_store::{AggregateQuery, AggregateRow, Bucket, ConsentRecord, Dimension, StoreError, SubjectFilter};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};
use time::OffsetDateTime;

use crate::interactions::{CHUNK, SENTIMENT_UNITS};
use crate::rows::{consent_record, values};
use crate::{db_err, Backend};

pub(crate) async fn consent_ledger(pool: &AnyPool, after: i64, limit: u32) -> Result<Vec<(SubjectId, ConsentRecord)>, StoreError> {
    let rows: Vec<AnyRow> = sqlx::query(
        "select id, subject_id, purpose, action, policy_version, source, at, receipt from consent_events where id > $1 order by id limit $2",
    )
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            let subject: String = r.try_get("subject_id").map_err(|e| StoreError::Corrupt(format!("consent event: {e}")))?;
            let subject = SubjectId::parse(&subject).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            Ok((subject, consent_record(r)?))
        })
        .collect()
}

pub(crate) async fn inbound_texts(
    pool: &AnyPool,
    from_day: i64,
    to_day: i64,
    after: i64,
    limit: u32,
) -> Result<Vec<(i64, SubjectId, String)>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "select id, subject_id, redacted_text from interactions
         where direction = 'inbound' and subject_id is not null and day >= $1 and day < $2 and id > $3
         order by id limit $4",
    )
    .bind(from_day)
    .bind(to_day)
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.into_iter().map(|(id, s, text)| Ok((id, SubjectId::parse(&s).map_err(|e| StoreError::Corrupt(e.to_string()))?, text))).collect()
}

pub(crate) async fn budget_spent(pool: &AnyPool, actor: &str, since: OffsetDateTime) -> Result<u64, StoreError> {
    let (n,): (i64,) =
        sqlx::query_as("select cast(coalesce(sum(epsilon_micros), 0) as bigint) from privacy_budget where actor = $1 and at >= $2")
            .bind(actor)
            .bind(micros(since))
            .fetch_one(pool)
            .await
            .map_err(db_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(crate) struct Spend<'a> {
    pub actor: &'a str,
    pub since: OffsetDateTime,
    pub epsilon_micros: u64,
    pub limit_micros: u64,
    pub query: &'a str,
    pub at: OffsetDateTime,
}

/// Check and record a spend in the caller's transaction. On PostgreSQL the
/// actor's rows are locked first (an advisory lock on the actor), so two
/// concurrent queries cannot both pass the check; SQLite transactions that
/// write are serialized already.
pub(crate) async fn spend_budget(tx: &mut Transaction<'static, Any>, backend: Backend, s: Spend<'_>) -> Result<(), StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("select cast(pg_advisory_xact_lock(hashtextextended($1, 0)) as text)")
            .bind(format!("candor.budget.{}", s.actor))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    let (spent,): (i64,) =
        sqlx::query_as("select cast(coalesce(sum(epsilon_micros), 0) as bigint) from privacy_budget where actor = $1 and at >= $2")
            .bind(s.actor)
            .bind(micros(s.since))
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err)?;
    let spent = u64::try_from(spent).unwrap_or(u64::MAX);
    if spent.saturating_add(s.epsilon_micros) > s.limit_micros {
        return Err(StoreError::BudgetExhausted { spent_micros: spent, limit_micros: s.limit_micros, requested_micros: s.epsilon_micros });
    }
    sqlx::query("insert into privacy_budget (actor, epsilon_micros, query, at) values ($1, $2, $3, $4)")
        .bind(s.actor)
        .bind(i64::try_from(s.epsilon_micros).unwrap_or(i64::MAX))
        .bind(s.query)
        .bind(micros(s.at))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// The SQL of one dimension's key, over the inner query's row `i` (and the
/// theme table `t`), as a bigint or text.
fn key_sql(d: Dimension) -> &'static str {
    match d {
        Dimension::Time(Bucket::Day) => "i.day",
        // 1970-01-01 was a Thursday: a day number plus 3, modulo 7, counts
        // days since Monday.
        Dimension::Time(Bucket::Week) => "i.day - (((i.day + 3) % 7) + 7) % 7",
        Dimension::Time(Bucket::Month) => "i.month",
        Dimension::Platform => "i.platform",
        Dimension::Theme => "t.column1",
        Dimension::Account => "coalesce(i.account, '?')",
        Dimension::Language => "coalesce(i.language, '?')",
    }
}

/// Whether a dimension's key is an integer (else text).
fn numeric(d: Dimension) -> bool {
    matches!(d, Dimension::Time(_) | Dimension::Theme)
}

/// The SQL of an aggregate and the parameters it binds after the filter:
/// (sql, side, from_day, to_day).
fn aggregate_sql(q: &AggregateQuery, filter: Option<(bool, bool)>) -> String {
    let mut keys_inner = Vec::new();
    let mut keys_outer = Vec::new();
    for (n, d) in q.dimensions.iter().enumerate() {
        keys_inner.push(format!("{} as k{n}", key_sql(*d)));
        keys_outer.push(format!("k{n}"));
    }
    let themes = if q.dimensions.contains(&Dimension::Theme) {
        // Integer literals the store made (index, bit), never user text.
        let rows: Vec<String> =
            q.themes.iter().enumerate().map(|(n, (_, bit))| format!("({n}, cast({} as bigint))", *bit as i64)).collect();
        if rows.is_empty() {
            // No theme: no cell. A join on an empty relation says so.
            " join (select 0 as column1, 0 as column2 where 1 = 0) t on 1 = 1".to_owned()
        } else {
            format!(" join (values {}) t on (i.themes & t.column2) <> 0", rows.join(", "))
        }
    } else {
        String::new()
    };
    let mut conds = vec!["i.subject_id is not null".to_owned()];
    if q.side.is_some() {
        conds.push("i.direction = $1".into());
    } else {
        conds.push("$1 = $1".into());
    }
    conds.push("i.day >= $2".into());
    conds.push("i.day < $3".into());
    match filter {
        Some((true, _)) => conds.push("i.subject_id not in (select id from candor_filter)".into()),
        Some((false, _)) => conds.push("i.subject_id in (select id from candor_filter)".into()),
        None => {}
    }
    let inner_keys = keys_outer.join(", ");
    let sep = if inner_keys.is_empty() { "" } else { ", " };
    // Contribution bounding: a subject's first rows (by day, then by the
    // order they were stored) up to the bound, over the whole result, each
    // (row, theme) pair counting once.
    let (rn, bound) = match q.max_per_subject {
        Some(c) => (", row_number() over (partition by i.subject_id order by i.day, i.id) as rn".to_owned(), format!(" where i.rn <= {c}")),
        None => (String::new(), String::new()),
    };
    let source = format!(
        "(select i.subject_id, i.polarity, i.sentiment{sep}{}{rn} from interactions i{themes} where {}) i",
        keys_inner.join(", "),
        conds.join(" and ")
    );
    format!(
        "select {inner_keys}{sep}count(*) as subjects, cast(sum(n) as bigint) as n, cast(sum(pos) as bigint) as pos, cast(sum(neu) as bigint) as neu,
                cast(sum(neg) as bigint) as neg, cast(sum(unk) as bigint) as unk, cast(sum(ssum) as bigint) as ssum, cast(sum(scount) as bigint) as scount
         from (
             select {inner_keys}{sep}i.subject_id, count(*) as n,
                    sum(case when i.polarity = 1 then 1 else 0 end) as pos,
                    sum(case when i.polarity = 0 then 1 else 0 end) as neu,
                    sum(case when i.polarity = -1 then 1 else 0 end) as neg,
                    sum(case when i.polarity is null then 1 else 0 end) as unk,
                    coalesce(sum(i.sentiment), 0) as ssum, count(i.sentiment) as scount
             from {source}{bound}
             group by {inner_keys}{sep}i.subject_id
         ) g
         {group}
         order by {order}",
        group = if inner_keys.is_empty() { String::new() } else { format!("group by {inner_keys}") },
        order = if inner_keys.is_empty() { "1".to_owned() } else { inner_keys.clone() },
    )
}

pub(crate) async fn aggregate(pool: &AnyPool, backend: Backend, q: &AggregateQuery) -> Result<Vec<AggregateRow>, StoreError> {
    let (except, ids) = match &q.subjects {
        SubjectFilter::Except(ids) => (true, ids),
        SubjectFilter::Only(ids) => (false, ids),
    };
    if !except && ids.is_empty() {
        return Ok(Vec::new());
    }
    let filter = (!ids.is_empty()).then_some((except, true));
    let sql = aggregate_sql(q, filter);
    let side = q.side.map_or("", |s| s.as_str());
    let from = q.from_day.unwrap_or(i64::MIN / 2);
    let to = q.to_day.unwrap_or(i64::MAX / 2);
    // One transaction, rolled back: the filter table never outlives it.
    let mut tx = pool.begin().await.map_err(db_err)?;
    if filter.is_some() {
        let create = match backend {
            Backend::Sqlite => "create temp table candor_filter (id text primary key)",
            Backend::Postgres => "create temp table candor_filter (id text primary key) on commit drop",
        };
        sqlx::query(create).execute(&mut *tx).await.map_err(db_err)?;
        for chunk in ids.chunks(CHUNK) {
            let sql = format!("insert into candor_filter (id) values {} on conflict do nothing", values(backend, chunk.len(), 1));
            let mut ins = sqlx::query(&sql);
            for id in chunk {
                ins = ins.bind(id.to_string());
            }
            ins.execute(&mut *tx).await.map_err(db_err)?;
        }
    }
    let rows: Vec<AnyRow> = sqlx::query(&sql).bind(side).bind(from).bind(to).fetch_all(&mut *tx).await.map_err(db_err)?;
    tx.rollback().await.map_err(db_err)?;
    rows.iter().map(|r| row(q, r)).collect()
}

fn row(q: &AggregateQuery, r: &AnyRow) -> Result<AggregateRow, StoreError> {
    let c = |e: sqlx::Error| StoreError::Corrupt(format!("aggregate: {e}"));
    let count = |name: &str| -> Result<u64, StoreError> {
        let v: Option<i64> = r.try_get(name).map_err(c)?;
        Ok(u64::try_from(v.unwrap_or(0)).unwrap_or(0))
    };
    let mut key = Vec::with_capacity(q.dimensions.len());
    for (n, d) in q.dimensions.iter().enumerate() {
        let col = format!("k{n}");
        key.push(if numeric(*d) {
            let v: i64 = r.try_get(col.as_str()).map_err(c)?;
            match d {
                Dimension::Theme => {
                    q.themes.get(usize::try_from(v).unwrap_or(usize::MAX)).map(|(name, _)| name.clone()).unwrap_or_else(|| "?".into())
                }
                Dimension::Time(Bucket::Month) => {
                    month_first_day(v).and_then(|day| bucket_start(Bucket::Day, day)).map_or_else(|| "?".into(), |d| d.to_string())
                }
                Dimension::Time(b) => bucket_start(*b, v).map_or_else(|| "?".into(), |d| d.to_string()),
                _ => v.to_string(),
            }
        } else {
            r.try_get::<String, _>(col.as_str()).map_err(c)?
        });
    }
    let ssum: Option<i64> = r.try_get("ssum").map_err(c)?;
    Ok(AggregateRow {
        key,
        subjects: count("subjects")?,
        interactions: count("n")?,
        positive: count("pos")?,
        neutral: count("neu")?,
        negative: count("neg")?,
        unknown: count("unk")?,
        sentiment_sum: ssum.unwrap_or(0) as f64 / SENTIMENT_UNITS,
        sentiment_count: count("scount")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use candor_store::Side;

    #[test]
    fn the_sql_binds_user_values_and_inlines_only_numbers_it_made() {
        let q = AggregateQuery {
            dimensions: vec![Dimension::Time(Bucket::Week), Dimension::Theme],
            from_day: None,
            to_day: None,
            side: Some(Side::Inbound),
            subjects: SubjectFilter::Except(Vec::new()),
            themes: vec![("refund'; drop table x; --".into(), 1), ("delay".into(), 1 << 63)],
            max_per_subject: Some(3),
        };
        let sql = aggregate_sql(&q, None);
        assert!(!sql.contains("drop table"), "theme names stay out of the SQL");
        assert!(sql.contains("(1, cast(-9223372036854775808 as bigint))"), "{sql}");
        assert!(sql.contains("rn <= 3"));
    }
}
