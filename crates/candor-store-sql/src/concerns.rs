//! Customers' questions and concerns: one row each, the state and deadline
//! in columns (listings filter and sort on them), the message and answer
//! sealed. Pages are keyset pages on (open first, deadline, id).

use candor_domain::{Concern, ConcernState, SubjectId};
use candor_store::audit::{from_micros, micros};
use candor_store::{ConcernFilter, ConcernKey, ConcernRecord, StoreError};
use sqlx::{Any, AnyPool, Transaction};

use crate::db_err;

const COLUMNS: &str = "id, subject_id, subject_pseudonym, state, raised_at, due_at, answered_at, answered_by, closed_at, message, answer";

type Row = (String, String, String, String, i64, i64, Option<i64>, Option<String>, Option<i64>, Vec<u8>, Option<Vec<u8>>);

/// 0 while a concern waits for an answer, 1 after: what puts open ones first.
fn rank(state: ConcernState) -> i64 {
    i64::from(state != ConcernState::Open)
}

/// Insert a new concern (`previous: None`), or store its new state where
/// it still stands in state `previous`.
pub(crate) async fn save(tx: &mut Transaction<'static, Any>, r: &ConcernRecord, previous: Option<ConcernState>) -> Result<(), StoreError> {
    let c = &r.concern;
    let Some(previous) = previous else {
        let done =
            sqlx::query(&format!("insert into concerns ({COLUMNS}, open_rank) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
                .bind(&r.id)
                .bind(r.subject.to_string())
                .bind(&r.subject_pseudonym)
                .bind(c.state.as_str())
                .bind(micros(c.raised_at))
                .bind(micros(c.due_at))
                .bind(c.answered_at.map(micros))
                .bind(c.answered_by.clone())
                .bind(c.closed_at.map(micros))
                .bind(r.sealed_message.clone())
                .bind(r.sealed_answer.clone())
                .bind(rank(c.state))
                .execute(&mut **tx)
                .await;
        return match done {
            Ok(_) => Ok(()),
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StoreError::UnknownSubject(r.subject)),
            Err(e) => Err(db_err(e)),
        };
    };
    let updated = sqlx::query(
        "update concerns set state = $1, open_rank = $2, answered_at = $3, answered_by = $4, closed_at = $5, answer = $6
         where id = $7 and state = $8",
    )
    .bind(c.state.as_str())
    .bind(rank(c.state))
    .bind(c.answered_at.map(micros))
    .bind(c.answered_by.clone())
    .bind(c.closed_at.map(micros))
    .bind(r.sealed_answer.clone())
    .bind(&r.id)
    .bind(previous.as_str())
    .execute(&mut **tx)
    .await
    .map_err(db_err)?
    .rows_affected();
    if updated == 0 {
        return Err(StoreError::Changed(format!("concern {}", r.id)));
    }
    Ok(())
}

/// Delete a subject's concerns; how many went.
pub(crate) async fn delete_of(tx: &mut Transaction<'static, Any>, subject: SubjectId) -> Result<u64, StoreError> {
    Ok(sqlx::query("delete from concerns where subject_id = $1")
        .bind(subject.to_string())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected())
}

fn record(row: Row) -> Result<ConcernRecord, StoreError> {
    let (id, subject, pseudonym, state, raised_at, due_at, answered_at, answered_by, closed_at, message, answer) = row;
    let corrupt = |why: String| StoreError::Corrupt(format!("concern {id}: {why}"));
    let subject = SubjectId::parse(&subject).map_err(|e| corrupt(e.to_string()))?;
    let state = ConcernState::parse(&state).ok_or_else(|| corrupt(format!("unknown state `{state}`")))?;
    let concern = Concern {
        state,
        raised_at: from_micros(raised_at),
        due_at: from_micros(due_at),
        answered_at: answered_at.map(from_micros),
        answered_by,
        closed_at: closed_at.map(from_micros),
    };
    Ok(ConcernRecord { id, subject, subject_pseudonym: pseudonym, concern, sealed_message: message, sealed_answer: answer })
}

pub(crate) async fn one(pool: &AnyPool, id: &str) -> Result<Option<ConcernRecord>, StoreError> {
    let row: Option<Row> =
        sqlx::query_as(&format!("select {COLUMNS} from concerns where id = $1")).bind(id).fetch_optional(pool).await.map_err(db_err)?;
    row.map(record).transpose()
}

pub(crate) async fn count(pool: &AnyPool, subject: SubjectId) -> Result<u64, StoreError> {
    let (n,): (i64,) = sqlx::query_as("select count(*) from concerns where subject_id = $1")
        .bind(subject.to_string())
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(crate) async fn page(
    pool: &AnyPool,
    filter: &ConcernFilter,
    after: Option<&ConcernKey>,
    limit: u32,
) -> Result<Vec<ConcernRecord>, StoreError> {
    // The conditions and their parameters, numbered as they are added.
    let mut conditions: Vec<String> = Vec::new();
    let mut n = 0;
    let mut next = || {
        n += 1;
        format!("${n}")
    };
    if filter.open_only {
        conditions.push("open_rank = 0".into());
    }
    if filter.subject.is_some() {
        conditions.push(format!("subject_id = {}", next()));
    }
    if after.is_some() {
        conditions.push(format!("(open_rank, due_at, id) > ({}, {}, {})", next(), next(), next()));
    }
    let limit_param = next();
    let filter_sql = if conditions.is_empty() { String::new() } else { format!(" where {}", conditions.join(" and ")) };
    let sql = format!("select {COLUMNS} from concerns{filter_sql} order by open_rank, due_at, id limit {limit_param}");
    let mut q = sqlx::query_as::<_, Row>(&sql);
    if let Some(s) = filter.subject {
        q = q.bind(s.to_string());
    }
    if let Some(k) = after {
        q = q.bind(k.rank).bind(micros(k.due_at)).bind(k.id.clone());
    }
    let rows = q.bind(i64::from(limit)).fetch_all(pool).await.map_err(db_err)?;
    rows.into_iter().map(record).collect()
}
