//! Keyset pages of the lists the API serves (see [`candor_store::page`]):
//! each one `ORDER BY` its whole key, `WHERE key > cursor` (row values,
//! which SQLite and PostgreSQL both compare column by column) and `LIMIT`.

use candor_domain::SubjectId;
use candor_store::audit::{from_micros, micros};
use candor_store::{
    ConsentRecord, InteractionKey, InteractionRecord, InteractionTally, PolicyVersionRecord, RightsFilter, RightsKey, RightsRequestRecord,
    StoreError,
};
use sqlx::any::AnyRow;
use sqlx::AnyPool;

use crate::{db_err, interactions, rights, rows};

pub(crate) async fn policy_versions(pool: &AnyPool, after: u32, limit: u32) -> Result<Vec<PolicyVersionRecord>, StoreError> {
    let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
        "select version, content_hash, content, published_at from policy_versions where version > $1 order by version limit $2",
    )
    .bind(i64::from(after))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows.into_iter().map(rows::policy_version).collect())
}

pub(crate) async fn consent_events(pool: &AnyPool, id: SubjectId, after: i64, limit: u32) -> Result<Vec<ConsentRecord>, StoreError> {
    let rows: Vec<AnyRow> = sqlx::query(
        "select id, purpose, action, policy_version, source, at, receipt from consent_events
         where subject_id = $1 and id > $2 order by id limit $3",
    )
    .bind(id.to_string())
    .bind(after)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(rows::consent_record).collect()
}

pub(crate) async fn interactions(
    pool: &AnyPool,
    id: SubjectId,
    before: Option<&InteractionKey>,
    limit: u32,
) -> Result<Vec<InteractionRecord>, StoreError> {
    let cols = interactions::RECORD_COLUMNS;
    let order = "order by occurred_at desc, platform desc, external_id desc";
    let rows: Vec<AnyRow> = match before {
        None => {
            sqlx::query(&format!("select {cols} from interactions where subject_id = $1 {order} limit $2"))
                .bind(id.to_string())
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await
        }
        Some(k) => {
            sqlx::query(&format!(
                "select {cols} from interactions where subject_id = $1 and (occurred_at, platform, external_id) < ($2, $3, $4) {order} limit $5"
            ))
            .bind(id.to_string())
            .bind(micros(k.occurred_at))
            .bind(k.platform.clone())
            .bind(k.external_id.clone())
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
        }
    }
    .map_err(db_err)?;
    rows.iter().map(interactions::record).collect()
}

pub(crate) async fn rights_requests(
    pool: &AnyPool,
    filter: &RightsFilter,
    after: Option<&RightsKey>,
    limit: u32,
) -> Result<Vec<RightsRequestRecord>, StoreError> {
    // The conditions and their parameters, numbered as they are added.
    let mut conditions: Vec<String> = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.open_only || filter.overdue_at.is_some() {
        conditions.push("state not in ('completed', 'rejected')".into());
    }
    if filter.overdue_at.is_some() {
        conditions.push(format!("due_at < {}", next()));
    }
    if filter.subject_pseudonym.is_some() {
        conditions.push(format!("subject_pseudonym = {}", next()));
    }
    if after.is_some() {
        conditions.push(format!("(due_at, id) > ({}, {})", next(), next()));
    }
    let limit_param = next();
    let filter_sql = if conditions.is_empty() { String::new() } else { format!(" where {}", conditions.join(" and ")) };
    let sql =
        format!("select id, subject_pseudonym, due_at, detail from rights_requests{filter_sql} order by due_at, id limit {limit_param}");
    let mut q = sqlx::query_as::<_, rights::Row>(&sql);
    if let Some(at) = filter.overdue_at {
        q = q.bind(micros(at));
    }
    if let Some(p) = &filter.subject_pseudonym {
        q = q.bind(p.clone());
    }
    if let Some(k) = after {
        q = q.bind(micros(k.due_at)).bind(k.id.clone());
    }
    let rows = q.bind(i64::from(limit)).fetch_all(pool).await.map_err(db_err)?;
    rows.into_iter().map(rights::record).collect()
}

/// A subject's interactions counted by platform and kind, with the first
/// and last time of each.
pub(crate) async fn interaction_tally(pool: &AnyPool, id: SubjectId) -> Result<Vec<InteractionTally>, StoreError> {
    let rows: Vec<(String, String, i64, i64, i64)> = sqlx::query_as(
        "select platform, kind, count(*), min(occurred_at), max(occurred_at) from interactions
         where subject_id = $1 group by platform, kind order by platform, kind",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(platform, kind, count, first, last)| InteractionTally {
            platform,
            kind,
            count: u64::try_from(count).unwrap_or(0),
            first: from_micros(first),
            last: from_micros(last),
        })
        .collect())
}
