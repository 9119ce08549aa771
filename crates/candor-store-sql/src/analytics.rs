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
use candor_store::audit::{from_micros, micros};
use candor_store::{
    AggregateQuery, AggregateRow, Bucket, ConsentRecord, ConversationRef, Dimension, KeyValue, KpiQuery, KpiRow, StoreError, SubjectFilter,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};
use time::OffsetDateTime;

use crate::cache::{self, Cells, Filter, KeyPart, Sums};
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
            let subject: String = r.try_get("subject_id").map_err(|e| StoreError::undecodable("consent event", e))?;
            let subject = SubjectId::parse(&subject).map_err(|e| StoreError::undecodable("a subject id", e))?;
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
) -> Result<Vec<(i64, SubjectId, candor_store::RedactedText)>, StoreError> {
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
    rows.into_iter()
        .map(|(id, s, text)| {
            Ok((
                id,
                SubjectId::parse(&s).map_err(|e| StoreError::undecodable("a subject id", e))?,
                crate::interactions::redacted_column(text),
            ))
        })
        .collect()
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

/// Subjects few enough to be walked one by one rather than scanned for.
const FEW_SUBJECTS: usize = 2_000;

/// The SQL of an aggregate and the parameters it binds after the filter:
/// (sql, side, from_day, to_day).
fn aggregate_sql(q: &AggregateQuery, filter: Option<bool>, few: bool) -> String {
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
    // A short list of subjects (the cache's corrections, mostly) is walked
    // subject by subject through the index by subject: SQLite keeps the
    // order of a `cross join`, and the side and day are then compared as
    // expressions (`|| ''`, `+ 0`) that no index serves, or SQLite would
    // rather range over the covering index, every subject's rows of the
    // period, once per listed subject. PostgreSQL plans it as any join.
    let few = few && filter == Some(false);
    let (side, day) = if few { ("i.direction || ''", "i.day + 0") } else { ("i.direction", "i.day") };
    let mut conds = vec!["i.subject_id is not null".to_owned()];
    if q.side.is_some() {
        conds.push(format!("{side} = $1"));
    } else {
        conds.push("$1 = $1".into());
    }
    conds.push(format!("{day} >= $2"));
    conds.push(format!("{day} < $3"));
    match filter {
        Some(true) => conds.push("i.subject_id not in (select id from candor_filter)".into()),
        Some(false) if few => conds.push("i.subject_id = f.id".into()),
        Some(false) => conds.push("i.subject_id in (select id from candor_filter)".into()),
        None => {}
    }
    let from = if few { "candor_filter f cross join interactions i" } else { "interactions i" };
    let inner_keys = keys_outer.join(", ");
    let sep = if inner_keys.is_empty() { "" } else { ", " };
    // Contribution bounding: a subject's first rows (by day, then by the
    // order they were stored) up to the bound, over the whole result, each
    // (row, theme) pair counting once.
    let (rn, bound) = match q.max_per_subject {
        // Ties broken by theme too: one message in two themes is two rows
        // of the same day and id, and which of them the bound keeps must
        // not depend on how a plan happened to sort them (the analytics
        // cache adds and subtracts subjects counted by different plans).
        Some(c) => {
            let theme = if themes.is_empty() { "" } else { ", t.column1" };
            (format!(", row_number() over (partition by i.subject_id order by i.day, i.id{theme}) as rn"), format!(" where i.rn <= {c}"))
        }
        None => (String::new(), String::new()),
    };
    let source = format!(
        "(select i.subject_id, i.polarity, i.sentiment{sep}{}{rn} from {from}{themes} where {}) i",
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

/// An aggregate, from the cache of its shape when there is one (corrected
/// for the subjects whose standing changed since), else counted; either
/// way the cache then holds the answer (see [`crate::cache`]).
pub(crate) async fn aggregate(pool: &AnyPool, backend: Backend, q: &AggregateQuery) -> Result<Vec<AggregateRow>, StoreError> {
    if matches!(&q.subjects, SubjectFilter::Only(ids) if ids.is_empty()) {
        return Ok(Vec::new());
    }
    let shape = shape(q);
    // Read before anything is counted: a write that lands meanwhile makes
    // what is kept below already stale, never wrongly current.
    let generation = cache::generation(pool).await?;
    let wanted = Filter::of(&q.subjects);
    let cached = cache::load(pool, &shape, generation).await?;
    let (cells, fresh) = match cached.and_then(|(was, cells)| was.delta(&wanted).map(|d| (d, cells))) {
        Some(((plus, minus), base)) if plus.is_empty() && minus.is_empty() => (base, false),
        Some(((plus, minus), base)) => {
            let plus = count_cells(pool, backend, q, &SubjectFilter::Only(plus)).await?;
            let minus = count_cells(pool, backend, q, &SubjectFilter::Only(minus)).await?;
            // The corrections must count the state the cache counted: a
            // write that landed meanwhile (a deletion, say) would leave
            // its rows in the cached cells. Then count everything.
            match cache::correct(base, plus, minus) {
                Some(cells) if cache::generation(pool).await? == generation => (cells, true),
                _ => (count_cells(pool, backend, q, &q.subjects).await?, true),
            }
        }
        None => (count_cells(pool, backend, q, &q.subjects).await?, true),
    };
    if fresh {
        // The cache only saves work: failing to keep it (a writer holding
        // the database past the busy timeout) loses no answer.
        if let Err(e) = cache::remember(pool, backend, &shape, generation, &wanted, &cells).await {
            tracing::warn!(error = %e, "analytics cache not kept");
        }
    }
    Ok(cells.iter().map(|(key, sums)| shown(q, key, sums)).collect())
}

/// The query without its subject filter, canonically: what a cache is
/// kept for.
fn shape(q: &AggregateQuery) -> String {
    format!("v1|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}", q.dimensions, q.side, q.from_day, q.to_day, q.themes, q.max_per_subject)
}

/// Count the cells of `q` over the subjects `subjects` admits.
async fn count_cells(pool: &AnyPool, backend: Backend, q: &AggregateQuery, subjects: &SubjectFilter) -> Result<Cells, StoreError> {
    let params = vec![
        Param::Text(q.side.map_or("", |s| s.as_str()).to_owned()),
        Param::Int(q.from_day.unwrap_or(i64::MIN / 2)),
        Param::Int(q.to_day.unwrap_or(i64::MAX / 2)),
    ];
    let few = matches!(subjects, SubjectFilter::Only(ids) if ids.len() <= FEW_SUBJECTS);
    let rows = fetch_filtered(pool, backend, subjects, |f| aggregate_sql(q, f, few), params).await?;
    rows.iter().map(|r| cell(q, r)).collect()
}

/// A parameter of a filtered query, owned so that the query can outlive
/// the caller's borrows.
enum Param {
    Int(i64),
    Text(String),
}

/// Run the statement `sql(filter)` makes, binding `params` in order, with
/// the subjects `subjects` names in a table of the statement's own
/// transaction (rolled back, so it never outlives it). `filter` is `None`
/// when nobody is excluded, else whether the table lists those out
/// (`true`) or those in. A filter that admits nobody runs nothing.
async fn fetch_filtered(
    pool: &AnyPool,
    backend: Backend,
    subjects: &SubjectFilter,
    sql: impl FnOnce(Option<bool>) -> String,
    params: Vec<Param>,
) -> Result<Vec<AnyRow>, StoreError> {
    let (except, ids) = match subjects {
        SubjectFilter::Except(ids) => (true, ids),
        SubjectFilter::Only(ids) => (false, ids),
    };
    if !except && ids.is_empty() {
        return Ok(Vec::new());
    }
    let filter = (!ids.is_empty()).then_some(except);
    let sql = sql(filter);
    let mut tx = pool.begin().await.map_err(db_err)?;
    if filter.is_some() {
        fill_filter(&mut tx, backend, ids).await?;
    }
    let mut query = sqlx::query(&sql);
    for p in params {
        query = match p {
            Param::Int(v) => query.bind(v),
            Param::Text(v) => query.bind(v),
        };
    }
    let rows = query.fetch_all(&mut *tx).await.map_err(db_err)?;
    tx.rollback().await.map_err(db_err)?;
    Ok(rows)
}

/// The transaction-scoped table of the subjects a filter names.
async fn fill_filter(tx: &mut Transaction<'static, Any>, backend: Backend, ids: &[SubjectId]) -> Result<(), StoreError> {
    let create = match backend {
        Backend::Sqlite => "create temp table candor_filter (id text primary key)",
        Backend::Postgres => "create temp table candor_filter (id text primary key) on commit drop",
    };
    sqlx::query(create).execute(&mut **tx).await.map_err(db_err)?;
    for chunk in ids.chunks(CHUNK) {
        let sql = format!("insert into candor_filter (id) values {} on conflict do nothing", values(backend, chunk.len(), 1));
        let mut ins = sqlx::query(&sql);
        for id in chunk {
            ins = ins.bind(id.to_string());
        }
        ins.execute(&mut **tx).await.map_err(db_err)?;
    }
    if backend == Backend::Postgres {
        // A temporary table has no statistics until analysed: PostgreSQL
        // then guesses it large and hashes it against every interaction
        // rather than looking a handful of subjects up by index.
        sqlx::query("analyze candor_filter").execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

/// A count column (a missing or negative one reads as 0).
fn count(r: &AnyRow, name: &str) -> Result<u64, StoreError> {
    let v: Option<i64> = r.try_get(name).map_err(|e| StoreError::undecodable(format!("analytics `{name}`"), e))?;
    Ok(u64::try_from(v.unwrap_or(0)).unwrap_or(0))
}

/// A duration column in microseconds, as whole seconds.
fn seconds(r: &AnyRow, name: &str) -> Result<Option<i64>, StoreError> {
    let v: Option<i64> = r.try_get(name).map_err(|e| StoreError::undecodable(format!("analytics `{name}`"), e))?;
    Ok(v.map(|us| us / 1_000_000))
}

/// Key part `k{n}` of a result row, for dimension `d`, as the database
/// gives it.
fn key_part(r: &AnyRow, n: usize, d: Dimension) -> Result<KeyPart, StoreError> {
    let c = |e: sqlx::Error| StoreError::undecodable("aggregate", e);
    let col = format!("k{n}");
    Ok(if numeric(d) { KeyPart::Int(r.try_get(col.as_str()).map_err(c)?) } else { KeyPart::Text(r.try_get(col.as_str()).map_err(c)?) })
}

/// A key part of dimension `d` as shown.
fn show(part: &KeyPart, d: Dimension, themes: &[(String, u64)]) -> String {
    let v = match part {
        KeyPart::Text(s) => return s.clone(),
        KeyPart::Int(v) => *v,
    };
    match d {
        Dimension::Theme => {
            themes.get(usize::try_from(v).unwrap_or(usize::MAX)).map(|(name, _)| name.clone()).unwrap_or_else(|| "?".into())
        }
        Dimension::Time(Bucket::Month) => {
            month_first_day(v).and_then(|day| bucket_start(Bucket::Day, day)).map_or_else(|| "?".into(), |d| d.to_string())
        }
        Dimension::Time(b) => bucket_start(b, v).map_or_else(|| "?".into(), |d| d.to_string()),
        _ => v.to_string(),
    }
}

/// A result row of [`aggregate_sql`] as a cell.
fn cell(q: &AggregateQuery, r: &AnyRow) -> Result<(Vec<KeyPart>, Sums), StoreError> {
    let c = |e: sqlx::Error| StoreError::undecodable("aggregate", e);
    let count = |name: &str| count(r, name).map(|v| i64::try_from(v).unwrap_or(i64::MAX));
    let key = q.dimensions.iter().enumerate().map(|(n, d)| key_part(r, n, *d)).collect::<Result<Vec<_>, _>>()?;
    let ssum: Option<i64> = r.try_get("ssum").map_err(c)?;
    let sums = Sums {
        subjects: count("subjects")?,
        n: count("n")?,
        pos: count("pos")?,
        neu: count("neu")?,
        neg: count("neg")?,
        unk: count("unk")?,
        ssum: ssum.unwrap_or(0),
        scount: count("scount")?,
    };
    Ok((key, sums))
}

/// A cell as answered.
fn shown(q: &AggregateQuery, key: &[KeyPart], s: &Sums) -> AggregateRow {
    let count = |v: i64| u64::try_from(v).unwrap_or(0);
    AggregateRow {
        key: key.iter().zip(&q.dimensions).map(|(part, d)| show(part, *d, &q.themes)).collect(),
        subjects: count(s.subjects),
        interactions: count(s.n),
        positive: count(s.pos),
        neutral: count(s.neu),
        negative: count(s.neg),
        unknown: count(s.unk),
        sentiment_sum: s.ssum as f64 / SENTIMENT_UNITS,
        sentiment_count: count(s.scount),
    }
}

/// Conversations a drill-down lists at most.
pub(crate) const DRILL_LIMIT: u32 = 10_000;

/// Customer-care KPIs in one statement: conversations first (their first
/// customer message, first and last brand reply, the agent of the first
/// reply, the sentiment of the first and last customer message), then each
/// conversation's cell, response and resolution times and whether the
/// account's target was met, then nearest-rank percentiles by
/// `row_number()` within each cell. Both back ends run the same SQL.
fn kpi_sql(q: &KpiQuery, filter: Option<bool>, drill: bool) -> String {
    // A conversation's first/last scored customer message: its second times
    // 100,000 plus its score (ten-thousandths, offset to be positive), so
    // that min and max pick the first and the last, and the remainder is
    // the score.
    const STAMPED: &str =
        "case when i.direction = 'inbound' and i.sentiment is not null then (i.occurred_at / 1000000) * 100000 + i.sentiment + 50000 end";
    let mut keys = Vec::new();
    for d in &q.dimensions {
        keys.push(match d {
            Dimension::Time(Bucket::Day) => "c.day".to_owned(),
            Dimension::Time(Bucket::Week) => "c.day - (((c.day + 3) % 7) + 7) % 7".to_owned(),
            Dimension::Time(Bucket::Month) => "c.month".to_owned(),
            Dimension::Platform => "c.platform".to_owned(),
            Dimension::Account => "coalesce(c.account, '?')".to_owned(),
            // Not a KPI dimension; the service refuses it before.
            Dimension::Theme | Dimension::Language => "'?'".to_owned(),
        });
    }
    if q.by_agent {
        // The agent starts at character 20 (18 digits and a colon); an
        // unanswered or unsigned conversation has none.
        keys.push("coalesce(nullif(substr(c.first_agent, 20), ''), '?')".to_owned());
    }
    let named: Vec<String> = keys.iter().enumerate().map(|(n, k)| format!("{k} as k{n}")).collect();
    let names: Vec<String> = (0..keys.len()).map(|n| format!("k{n}")).collect();
    let sep = if names.is_empty() { "" } else { ", " };
    let partition = if names.is_empty() { String::new() } else { format!("partition by {} ", names.join(", ")) };
    let filter = match filter {
        Some(true) => " and i.subject_id not in (select id from candor_filter)",
        Some(false) => " and i.subject_id in (select id from candor_filter)",
        None => "",
    };
    let mut target = String::from("case coalesce(c.account, '')");
    for (n, (_, seconds)) in q.targets.iter().enumerate() {
        target.push_str(&format!(" when ${} then {}", n + 3, seconds.saturating_mul(1_000_000)));
    }
    target.push_str(&format!(" else {} end", q.default_target.saturating_mul(1_000_000)));
    if q.targets.is_empty() {
        target = format!("{}", q.default_target.saturating_mul(1_000_000));
    }
    let tail = if drill {
        // The conversations of one cell: each key part equals its bound
        // value (after the accounts' targets among the parameters).
        let conds: Vec<String> = names.iter().enumerate().map(|(n, k)| format!("{k} = ${}", n + 3 + q.targets.len())).collect();
        let cond = if conds.is_empty() { String::new() } else { format!(" where {}", conds.join(" and ")) };
        format!("select subject_id, platform, conversation_id, first_in, account, agent, rt, res from timed{cond} order by first_in, platform, conversation_id limit {DRILL_LIMIT}")
    } else {
        format!(
            ",
         ranked as (
             select t.*,
                    row_number() over ({partition}order by t.rt nulls last) as rt_rank,
                    count(t.rt) over ({partition_all}) as rt_n,
                    row_number() over ({partition}order by t.res nulls last) as res_rank,
                    count(t.res) over ({partition_all}) as res_n
             from timed t
         )
         select {names_list}{sep}count(*) as conversations, count(distinct subject_id) as subjects,
                cast(sum(inbound) as bigint) as inbound,
                cast(sum(case when rt is not null then 1 else 0 end) as bigint) as answered,
                cast(sum(ok) as bigint) as within_target,
                max(case when rt_rank = (rt_n + 1) / 2 then rt end) as rt_median,
                max(case when rt_rank = (9 * rt_n + 9) / 10 then rt end) as rt_p90,
                max(case when res_rank = (res_n + 1) / 2 then res end) as res_median,
                cast(sum(case when res is not null then 1 else 0 end) as bigint) as resolved,
                cast(sum(s_first % 100000 - 50000) as bigint) as s_start, cast(sum(s_last % 100000 - 50000) as bigint) as s_end,
                count(s_first) as s_n
         from ranked
         {group}
         order by {order}",
            names_list = names.join(", "),
            partition_all = partition.trim_end(),
            group = if names.is_empty() { String::new() } else { format!("group by {}", names.join(", ")) },
            order = if names.is_empty() { "1".to_owned() } else { names.join(", ") },
        )
    };
    format!(
        "with msgs as (
             -- Each message with its conversation's first customer message,
             -- so that a reply counts only when it comes after it (a brand
             -- may open a conversation).
             select i.platform, i.conversation_id, i.subject_id, i.direction, i.occurred_at, i.day, i.month, i.account, i.agent, i.sentiment,
                    min(case when i.direction = 'inbound' then i.occurred_at end) over (partition by i.platform, i.conversation_id) as opened
             from interactions i
             where i.conversation_id is not null and i.subject_id is not null{filter}
         ),
         conv as (
             select i.platform, i.conversation_id, min(i.subject_id) as subject_id,
                    min(i.opened) as first_in,
                    min(case when i.direction = 'inbound' then i.day end) as day,
                    min(case when i.direction = 'inbound' then i.month end) as month,
                    min(case when i.direction = 'outbound' and i.occurred_at > i.opened then i.occurred_at end) as first_out,
                    max(case when i.direction = 'outbound' then i.occurred_at end) as last_out,
                    max(i.occurred_at) as last_at,
                    max(i.account) as account,
                    -- Micros plus 10^17 have 18 digits from 1970 to 2286, so
                    -- the text sorts as the time does; an unsigned reply
                    -- counts, with an empty signature.
                    min(case when i.direction = 'outbound' and i.occurred_at > i.opened
                             then cast(i.occurred_at + 100000000000000000 as text) || ':' || coalesce(i.agent, '') end) as first_agent,
                    sum(case when i.direction = 'inbound' then 1 else 0 end) as inbound,
                    min({STAMPED}) as s_first,
                    max({STAMPED}) as s_last
             from msgs i
             where i.opened is not null
             group by i.platform, i.conversation_id
             having min(case when i.direction = 'inbound' then i.day end) >= $1
                and min(case when i.direction = 'inbound' then i.day end) < $2
         ),
         timed as (
             select {named}{sep}c.subject_id, c.inbound, c.s_first, c.s_last, c.platform, c.conversation_id, c.first_in, c.account,
                    nullif(substr(c.first_agent, 20), '') as agent,
                    case when c.first_out > c.first_in then c.first_out - c.first_in end as rt,
                    case when c.last_out = c.last_at and c.last_out > c.first_in then c.last_out - c.first_in end as res,
                    case when c.first_out > c.first_in and c.first_out - c.first_in <= {target} then 1 else 0 end as ok
             from conv c
         )
         {tail}",
        named = named.join(", "),
    )
}

pub(crate) async fn kpi_conversations(
    pool: &AnyPool,
    backend: Backend,
    q: &KpiQuery,
    cell: &[KeyValue],
) -> Result<Vec<ConversationRef>, StoreError> {
    let parts = q.dimensions.len() + usize::from(q.by_agent);
    if cell.len() != parts {
        return Err(StoreError::Inconsistent(format!("a cell of this query has {parts} key parts, not {}", cell.len())));
    }
    let mut params = kpi_params(q);
    params.extend(cell.iter().map(|v| match v {
        KeyValue::Number(n) => Param::Int(*n),
        KeyValue::Text(t) => Param::Text(t.clone()),
    }));
    let rows = fetch_filtered(pool, backend, &q.subjects, |f| kpi_sql(q, f, true), params).await?;
    rows.iter()
        .map(|r| {
            let c = |e: sqlx::Error| StoreError::undecodable("kpi conversations", e);
            let seconds = |name: &str| seconds(r, name);
            let subject: String = r.try_get("subject_id").map_err(c)?;
            Ok(ConversationRef {
                subject: SubjectId::parse(&subject).map_err(|e| StoreError::undecodable("a subject id", e))?,
                platform: r.try_get("platform").map_err(c)?,
                conversation_id: r.try_get("conversation_id").map_err(c)?,
                first_message: from_micros(r.try_get("first_in").map_err(c)?),
                account: r.try_get("account").map_err(c)?,
                agent: r.try_get("agent").map_err(c)?,
                first_response_s: seconds("rt")?,
                resolution_s: seconds("res")?,
            })
        })
        .collect()
}

/// The day range, then the accounts of the service-level targets.
fn kpi_params(q: &KpiQuery) -> Vec<Param> {
    let mut params = vec![Param::Int(q.from_day.unwrap_or(i64::MIN / 2)), Param::Int(q.to_day.unwrap_or(i64::MAX / 2))];
    params.extend(q.targets.iter().map(|(account, _)| Param::Text(account.clone())));
    params
}

pub(crate) async fn kpis(pool: &AnyPool, backend: Backend, q: &KpiQuery) -> Result<Vec<KpiRow>, StoreError> {
    let rows = fetch_filtered(pool, backend, &q.subjects, |f| kpi_sql(q, f, false), kpi_params(q)).await?;
    let dims: Vec<Dimension> = q.dimensions.clone();
    rows.iter()
        .map(|r| {
            let c = |e: sqlx::Error| StoreError::undecodable("kpis", e);
            let count = |name: &str| count(r, name);
            let seconds = |name: &str| seconds(r, name);
            let mut key = Vec::new();
            for (n, d) in dims.iter().enumerate() {
                key.push(show(&key_part(r, n, *d)?, *d, &[]));
            }
            if q.by_agent {
                key.push(r.try_get::<String, _>(format!("k{}", dims.len()).as_str()).map_err(c)?);
            }
            let scored = count("s_n")?;
            let mean = |name: &str| -> Result<Option<f64>, StoreError> {
                let v: Option<i64> = r.try_get(name).map_err(c)?;
                Ok((scored > 0).then(|| v.unwrap_or(0) as f64 / SENTIMENT_UNITS / scored as f64))
            };
            Ok(KpiRow {
                key,
                subjects: count("subjects")?,
                conversations: count("conversations")?,
                inbound: count("inbound")?,
                answered: count("answered")?,
                within_target: count("within_target")?,
                first_response_median: seconds("rt_median")?,
                first_response_p90: seconds("rt_p90")?,
                resolution_median: seconds("res_median")?,
                resolved: count("resolved")?,
                sentiment_start: mean("s_start")?,
                sentiment_end: mean("s_end")?,
            })
        })
        .collect()
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
        let sql = aggregate_sql(&q, None, false);
        assert!(!sql.contains("drop table"), "theme names stay out of the SQL");
        assert!(sql.contains("(1, cast(-9223372036854775808 as bigint))"), "{sql}");
        assert!(sql.contains("rn <= 3"));
    }
}
