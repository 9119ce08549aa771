//! Rights requests: one row each, the columns a listing filters and sorts
//! on (kind, regime, state, deadline) beside the whole request as JSON.

use candor_domain::{RightsRequest, SubjectId};
use candor_store::audit::{from_micros, micros};
use candor_store::{RightsRequestRecord, StoreError};
use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyPool, Transaction};

use crate::db_err;

#[derive(Serialize, Deserialize)]
struct Detail {
    subject: String,
    request: RightsRequest,
}

fn detail(r: &RightsRequestRecord, request: &RightsRequest) -> Result<String, StoreError> {
    let detail = Detail { subject: r.subject.to_string(), request: request.clone() };
    serde_json::to_string(&detail).map_err(|e| StoreError::Corrupt(format!("rights request {}: {e}", r.id)))
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

type Row = (String, String, i64, String);

fn record((id, pseudonym, due_at, detail): Row) -> Result<RightsRequestRecord, StoreError> {
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
