//! Rights requests and what carrying them out writes: one row a request,
//! the columns a listing filters and sorts on (kind, regime, state,
//! deadline) beside the whole request as JSON; erasure; the outbox; legal
//! holds; and the audit entries about one subject.

use candor_domain::{RightsRequest, SubjectId};
use candor_store::audit::{from_micros, micros};
use candor_store::{AuditEntry, ErasedCounts, LegalHoldRecord, NewMessage, OutboxMessage, RightsRequestRecord, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyPool, Transaction};

use crate::{db_err, Backend};

#[derive(Serialize, Deserialize)]
struct Detail {
    subject: String,
    request: RightsRequest,
}

fn detail(r: &RightsRequestRecord, request: &RightsRequest) -> Result<String, StoreError> {
    let detail = Detail { subject: r.subject.to_string(), request: request.clone() };
    serde_json::to_string(&detail).map_err(|e| StoreError::undecodable(format!("rights request {}", r.id), e))
}

/// Insert a new request (`previous: None`), or store its new state where
/// it still stands as `previous` (the whole stored document compared, so
/// any step taken meanwhile is noticed).
pub(crate) async fn save(
    tx: &mut Transaction<'static, Any>,
    r: &RightsRequestRecord,
    previous: Option<&RightsRequest>,
) -> Result<(), StoreError> {
    let now = detail(r, &r.request)?;
    let Some(previous) = previous else {
        sqlx::query(
            "insert into rights_requests (id, subject_pseudonym, kind, regime, state, received_at, due_at, detail)
             values ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&r.id)
        .bind(&r.subject_pseudonym)
        .bind(r.request.kind.as_str())
        .bind(r.request.regime.as_str())
        .bind(r.request.state.as_str())
        .bind(micros(r.request.received_at))
        .bind(micros(r.request.due_at))
        .bind(now)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
        return Ok(());
    };
    let updated = sqlx::query("update rights_requests set state = $1, due_at = $2, detail = $3 where id = $4 and detail = $5")
        .bind(r.request.state.as_str())
        .bind(micros(r.request.due_at))
        .bind(now)
        .bind(&r.id)
        .bind(detail(r, previous)?)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected();
    if updated == 0 {
        return Err(StoreError::Changed(format!("rights request {}", r.id)));
    }
    Ok(())
}

pub(crate) type Row = (String, String, i64, String);

pub(crate) fn record((id, pseudonym, due_at, detail): Row) -> Result<RightsRequestRecord, StoreError> {
    let corrupt = |why: String| StoreError::Corrupt(format!("rights request {id}: {why}"));
    let d: Detail = serde_json::from_str(&detail).map_err(|e| corrupt(e.to_string()))?;
    let subject = SubjectId::parse(&d.subject).map_err(|e| corrupt(e.to_string()))?;
    // The column is what listings sort on; the two must agree.
    if micros(d.request.due_at) != due_at {
        return Err(corrupt(format!("deadline column {} disagrees with the request", from_micros(due_at))));
    }
    Ok(RightsRequestRecord { id, subject, subject_pseudonym: pseudonym, request: d.request })
}

pub(crate) async fn one(pool: &AnyPool, id: &str) -> Result<Option<RightsRequestRecord>, StoreError> {
    let row: Option<Row> = sqlx::query_as("select id, subject_pseudonym, due_at, detail from rights_requests where id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.map(record).transpose()
}

pub(crate) async fn all(pool: &AnyPool, open_only: bool) -> Result<Vec<RightsRequestRecord>, StoreError> {
    let filter = if open_only { " where state not in ('completed', 'rejected')" } else { "" };
    let rows: Vec<Row> =
        sqlx::query_as(&format!("select id, subject_pseudonym, due_at, detail from rights_requests{filter} order by due_at, id"))
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    rows.into_iter().map(record).collect()
}

/// Erase a subject in `tx`: every row about them, their identifiers
/// suppressed, and their data key destroyed last. Any failure rolls the
/// whole transaction back, so a subject is never half erased.
pub(crate) async fn erase(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    subject: SubjectId,
    suppress: &[Vec<u8>],
    at: i64,
) -> Result<ErasedCounts, StoreError> {
    let id = subject.to_string();
    let mut delete = async |sql: &str| -> Result<u64, StoreError> {
        Ok(sqlx::query(sql).bind(&id).execute(&mut **tx).await.map_err(db_err)?.rows_affected())
    };
    let counts = ErasedCounts {
        interactions: delete("delete from interactions where subject_id = $1").await?,
        attributes: delete("delete from subject_attributes where subject_id = $1").await?,
        identities: delete("delete from identities where subject_id = $1").await?,
        consent_events: delete("delete from consent_events where subject_id = $1").await?,
        messages: delete("delete from outbox where subject_id = $1").await?,
        concerns: delete("delete from concerns where subject_id = $1").await?,
        keys: 0,
    };
    // Released holds (an active one makes the service restrict instead).
    delete("delete from legal_holds where subject_id = $1").await?;
    crate::interactions::suppress(tx, backend, suppress, at).await?;
    let keys = sqlx::query("delete from subjects where id = $1").bind(&id).execute(&mut **tx).await.map_err(db_err)?.rows_affected();
    Ok(ErasedCounts { keys, ..counts })
}

/// Delete some attributes and identities of a subject.
pub(crate) async fn remove_fields(
    tx: &mut Transaction<'static, Any>,
    subject: SubjectId,
    attributes: &[String],
    identities: &[Vec<u8>],
) -> Result<u64, StoreError> {
    let id = subject.to_string();
    let mut n = 0;
    for name in attributes {
        n += sqlx::query("delete from subject_attributes where subject_id = $1 and name = $2")
            .bind(&id)
            .bind(name)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?
            .rows_affected();
    }
    for b in identities {
        n += sqlx::query("delete from identities where subject_id = $1 and blind_index = $2")
            .bind(&id)
            .bind(b.clone())
            .execute(&mut **tx)
            .await
            .map_err(db_err)?
            .rows_affected();
    }
    Ok(n)
}

pub(crate) async fn queue(tx: &mut Transaction<'static, Any>, messages: &[NewMessage]) -> Result<(), StoreError> {
    for m in messages {
        let r = sqlx::query(
            "insert into outbox (kind, recipient, subject_id, subject_pseudonym, body, sealed, created_at) values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&m.kind)
        .bind(&m.recipient)
        .bind(m.subject.map(|s| s.to_string()))
        .bind(m.subject_pseudonym.clone())
        .bind(&m.body)
        .bind(m.sealed.clone())
        .bind(micros(m.at))
        .execute(&mut **tx)
        .await;
        match r {
            Ok(_) => {}
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() && m.subject.is_some() => {
                return Err(m.subject.map_or_else(|| StoreError::Database(Box::new(sqlx::Error::Database(db))), StoreError::UnknownSubject))
            }
            Err(e) => return Err(db_err(e)),
        }
    }
    Ok(())
}

pub(crate) async fn mark_sent(tx: &mut Transaction<'static, Any>, ids: &[i64], at: i64) -> Result<u64, StoreError> {
    let mut n = 0;
    for id in ids {
        // A message sealed for delivery only (its customer is erased) keeps
        // their address only until it is sent.
        n += sqlx::query(
            "update outbox set sent_at = $1, attempts = attempts + 1, next_attempt_at = null,
                sealed = case when subject_id is null then null else sealed end
             where id = $2 and sent_at is null and failed_at is null",
        )
        .bind(at)
        .bind(*id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected();
    }
    Ok(n)
}

/// Count a failed attempt; retry at `retry_at`, or give up (then a message
/// sealed for delivery only loses its address, as when it is sent).
pub(crate) async fn delivery_failed(
    tx: &mut Transaction<'static, Any>,
    id: i64,
    at: i64,
    error: &str,
    retry_at: Option<i64>,
) -> Result<u64, StoreError> {
    let failed_at = if retry_at.is_none() { Some(at) } else { None };
    Ok(sqlx::query(
        "update outbox set attempts = attempts + 1, last_error = $1, next_attempt_at = $2, failed_at = $3,
            sealed = case when $3 is not null and subject_id is null then null else sealed end
         where id = $4 and sent_at is null and failed_at is null",
    )
    .bind(error)
    .bind(retry_at)
    .bind(failed_at)
    .bind(id)
    .execute(&mut **tx)
    .await
    .map_err(db_err)?
    .rows_affected())
}

const MESSAGE_COLUMNS: &str =
    "id, kind, recipient, subject_id, subject_pseudonym, body, sealed, created_at, sent_at, attempts, next_attempt_at, last_error, failed_at";

type MessageRow = (
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    Option<Vec<u8>>,
    i64,
    Option<i64>,
    i64,
    Option<i64>,
    Option<String>,
    Option<i64>,
);

/// Pending means neither sent nor given up.
pub(crate) async fn outbox(pool: &AnyPool, pending_only: bool, after: i64, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
    let filter = if pending_only { " and sent_at is null and failed_at is null" } else { "" };
    let rows: Vec<MessageRow> = sqlx::query_as(&format!("select {MESSAGE_COLUMNS} from outbox where id > $1{filter} order by id limit $2"))
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.into_iter().map(message).collect()
}

pub(crate) async fn outbox_due(pool: &AnyPool, now: i64, after: i64, limit: u32) -> Result<Vec<OutboxMessage>, StoreError> {
    let rows: Vec<MessageRow> = sqlx::query_as(&format!(
        "select {MESSAGE_COLUMNS} from outbox
         where id > $1 and sent_at is null and failed_at is null and (recipient = 'subject' or recipient like 'staff:%')
           and (next_attempt_at is null or next_attempt_at <= $2)
         order by id limit $3"
    ))
    .bind(after)
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.into_iter().map(message).collect()
}

fn message(row: MessageRow) -> Result<OutboxMessage, StoreError> {
    let (
        id,
        kind,
        recipient,
        subject,
        subject_pseudonym,
        body,
        sealed,
        created_at,
        sent_at,
        attempts,
        next_attempt_at,
        last_error,
        failed_at,
    ) = row;
    let subject =
        subject.map(|s| SubjectId::parse(&s).map_err(|e| StoreError::undecodable(format!("outbox message {id}"), e))).transpose()?;
    Ok(OutboxMessage {
        id,
        message: NewMessage { kind, recipient, subject, subject_pseudonym, body, sealed, at: from_micros(created_at) },
        sent_at: sent_at.map(from_micros),
        attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
        next_attempt_at: next_attempt_at.map(from_micros),
        last_error,
        failed_at: failed_at.map(from_micros),
    })
}

pub(crate) async fn place_hold(
    tx: &mut Transaction<'static, Any>,
    subject: SubjectId,
    purpose: &str,
    reason: &str,
    actor: &str,
    at: i64,
) -> Result<(), StoreError> {
    let r = sqlx::query("insert into legal_holds (subject_id, purpose, reason, placed_by, placed_at) values ($1, $2, $3, $4, $5)")
        .bind(subject.to_string())
        .bind(purpose)
        .bind(reason)
        .bind(actor)
        .bind(at)
        .execute(&mut **tx)
        .await;
    match r {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => Err(StoreError::UnknownSubject(subject)),
        Err(e) => Err(db_err(e)),
    }
}

pub(crate) async fn release_hold(
    tx: &mut Transaction<'static, Any>,
    subject: SubjectId,
    purpose: &str,
    at: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query("update legal_holds set released_at = $1 where subject_id = $2 and purpose = $3 and released_at is null")
        .bind(at)
        .bind(subject.to_string())
        .bind(purpose)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected())
}

pub(crate) async fn holds(pool: &AnyPool, subject: SubjectId) -> Result<Vec<LegalHoldRecord>, StoreError> {
    let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
        "select id, purpose, reason, placed_by, placed_at from legal_holds where subject_id = $1 and released_at is null order by id",
    )
    .bind(subject.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows
        .into_iter()
        .map(|(id, purpose, reason, placed_by, placed_at)| LegalHoldRecord {
            id,
            subject,
            purpose,
            reason,
            placed_by,
            placed_at: from_micros(placed_at),
        })
        .collect())
}

/// The expression of the body's `subject` field that the index
/// `audit_by_subject` is built on.
fn subject_field(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "json_extract(body, '$.subject')",
        Backend::Postgres => "((body::jsonb) ->> 'subject')",
    }
}

/// The audit entries naming a pseudonym, newest first, before `before`
/// when given, through the index on the body's `subject` field.
pub(crate) async fn audit_recent_about_by_others(
    pool: &AnyPool,
    backend: Backend,
    pseudonym: &str,
    before: Option<i64>,
    limit: u32,
) -> Result<Vec<AuditEntry>, StoreError> {
    let field = subject_field(backend);
    // The predicate of the partial index `audit_by_subject_others`
    // (migration 0012), written the same way so that the planner uses it.
    let others = match backend {
        Backend::Sqlite => "json_extract(body, '$.actor') <> 'subject'",
        Backend::Postgres => "((body::jsonb) ->> 'actor') <> 'subject'",
    };
    let rows: Vec<(i64, String, String)> = sqlx::query_as(&format!(
        "select seq, body, hash from audit_log where {field} = $1 and {others} and seq < $2 order by seq desc limit $3"
    ))
    .bind(pseudonym)
    .bind(before.unwrap_or(i64::MAX))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.into_iter().map(|(seq, body, hash)| crate::rows::audit_entry(seq, &body, &hash)).collect()
}

/// The audit entries naming a pseudonym, through the index on the body's
/// `subject` field.
pub(crate) async fn audit_about(pool: &AnyPool, backend: Backend, pseudonym: &str, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    let field = subject_field(backend);
    let rows: Vec<(i64, String, String)> =
        sqlx::query_as(&format!("select seq, body, hash from audit_log where {field} = $1 order by seq limit $2"))
            .bind(pseudonym)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    rows.into_iter().map(|(seq, body, hash)| crate::rows::audit_entry(seq, &body, &hash)).collect()
}
