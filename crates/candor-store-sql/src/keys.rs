//! What the database keeps about keys: the key check value of the keys it
//! belongs to, and the key-encryption keys a rotation retired.
//!
//! A KEK is recorded as retired only while no data key is wrapped under
//! it, and every data key written after is refused under it. Both run under
//! the write lock the audit append takes, so a writer that wrapped under the
//! old KEK before noticing the rotation either commits first (and the KEK
//! is not retired: it still wraps a key) or is refused.

use std::collections::BTreeSet;

use candor_store::audit::micros;
use candor_store::{Op, StoreError};
use sqlx::{Any, AnyPool, Transaction};

use crate::db_err;

/// Refuse a batch that wraps a data key under a retired KEK.
pub(crate) async fn refuse_retired(tx: &mut Transaction<'static, Any>, ops: &[Op], locked: bool) -> Result<(), StoreError> {
    let keks: BTreeSet<&str> = ops.iter().flat_map(|op| op.effects().wraps_under).collect();
    if keks.is_empty() {
        return Ok(());
    }
    if !locked {
        // A batch without audit entries (tests, tools) takes the lock here.
        sqlx::query("update audit_head set seq = seq where id = 1").execute(&mut **tx).await.map_err(db_err)?;
    }
    for kek in keks {
        let retired: Option<(String,)> =
            sqlx::query_as("select id from retired_keks where id = $1").bind(kek).fetch_optional(&mut **tx).await.map_err(db_err)?;
        if retired.is_some() {
            return Err(StoreError::RetiredKek(kek.to_owned()));
        }
    }
    Ok(())
}

/// Record `ids` as retired, unless one still wraps a data key.
pub(crate) async fn retire(tx: &mut Transaction<'static, Any>, ids: &[String], at: time::OffsetDateTime) -> Result<(), StoreError> {
    for id in ids {
        let (n,): (i64,) = sqlx::query_as(
            "select (select count(*) from subjects where kek_id = $1) + (select count(*) from brand_accounts where kek_id = $1)",
        )
        .bind(id)
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
        if n > 0 {
            return Err(StoreError::KekInUse(id.clone()));
        }
        sqlx::query("insert into retired_keks (id, retired_at) values ($1, $2) on conflict (id) do nothing")
            .bind(id)
            .bind(micros(at))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// The recorded key check value.
pub(crate) async fn key_check(pool: &AnyPool) -> Result<Option<Vec<u8>>, StoreError> {
    let row: Option<(Vec<u8>,)> = sqlx::query_as("select value from key_check where id = 1")
        .fetch_optional(pool)
        .await
        .map_err(crate::audit::decode_err("the key check value"))?;
    Ok(row.map(|(v,)| v))
}

/// Record `value` unless a value is recorded; the one recorded.
pub(crate) async fn record_key_check(pool: &AnyPool, value: &[u8], at: time::OffsetDateTime) -> Result<Vec<u8>, StoreError> {
    sqlx::query("insert into key_check (id, value, recorded_at) values (1, $1, $2) on conflict (id) do nothing")
        .bind(value.to_vec())
        .bind(micros(at))
        .execute(pool)
        .await
        .map_err(db_err)?;
    key_check(pool).await?.ok_or_else(|| StoreError::Inconsistent("the key check value was not recorded".into()))
}
