//! What the notices of a material policy change need: the customers with
//! an e-mail address on record, a page at a time in id order; the consent
//! ledgers of a page of customers; and how far the notices of a version
//! have been queued (`policy_notices`, migration 0011).

use candor_domain::SubjectId;
use candor_store::audit::{from_micros, micros};
use candor_store::{ConsentRecord, NoticeProgress, SealedIdentity, StoreError, SubjectRecord, WrappedKey};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row as _, Transaction};

use crate::interactions::{list, CHUNK};
use crate::rows::consent_record;
use crate::{db_err, Backend};

fn parse_subject(s: &str) -> Result<SubjectId, StoreError> {
    SubjectId::parse(s).map_err(|e| StoreError::undecodable("a subject id", e))
}

/// Subjects created by `created_by` with an e-mail identity, after `after`
/// in id order, each with its e-mail identities only. A subject whose
/// addresses straddle the page's end keeps those on the page.
pub(crate) async fn subjects_with_email(
    pool: &AnyPool,
    after: Option<SubjectId>,
    created_by: time::OffsetDateTime,
    limit: u32,
) -> Result<Vec<SubjectRecord>, StoreError> {
    let rows: Vec<AnyRow> = sqlx::query(
        "select s.id, s.pseudonym, s.kek_id, s.wrapped_key, s.created_at, i.platform, i.blind_index, i.sealed, i.source
         from subjects s join identities i on i.subject_id = s.id
         where i.kind = 'email' and s.id > $1 and s.created_at <= $2
         order by s.id, i.blind_index limit $3",
    )
    .bind(after.map(|a| a.to_string()).unwrap_or_default())
    .bind(micros(created_by))
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    let corrupt = |e: sqlx::Error| StoreError::undecodable("a subject with its address", e);
    let mut out: Vec<SubjectRecord> = Vec::new();
    for r in &rows {
        let id = parse_subject(&r.try_get::<String, _>("id").map_err(corrupt)?)?;
        let identity = SealedIdentity {
            kind: "email".into(),
            platform: r.try_get("platform").map_err(corrupt)?,
            blind_index: r.try_get("blind_index").map_err(corrupt)?,
            sealed: r.try_get("sealed").map_err(corrupt)?,
            source: crate::rows::provenance(&r.try_get::<String, _>("source").map_err(corrupt)?)?,
        };
        match out.last_mut().filter(|s| s.id == id) {
            Some(same) => same.identities.push(identity),
            None => out.push(SubjectRecord {
                id,
                pseudonym: r.try_get("pseudonym").map_err(corrupt)?,
                key: WrappedKey { kek_id: r.try_get("kek_id").map_err(corrupt)?, blob: r.try_get("wrapped_key").map_err(corrupt)? },
                attributes: Vec::new(),
                identities: vec![identity],
                created_at: from_micros(r.try_get("created_at").map_err(corrupt)?),
            }),
        }
    }
    Ok(out)
}

/// The consent events of these subjects, in ledger order.
pub(crate) async fn consent_of(pool: &AnyPool, backend: Backend, ids: &[SubjectId]) -> Result<Vec<(SubjectId, ConsentRecord)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "select id, subject_id, purpose, action, policy_version, source, at, receipt from consent_events
             where subject_id in ({}) order by id",
            list(backend, chunk.len(), 1)
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for r in q.fetch_all(pool).await.map_err(db_err)? {
            let subject: String = r.try_get("subject_id").map_err(|e| StoreError::undecodable("consent event", e))?;
            out.push((parse_subject(&subject)?, consent_record(&r)?));
        }
    }
    Ok(out)
}

/// How far the notices of `version` got.
pub(crate) async fn progress(pool: &AnyPool, version: u32) -> Result<Option<NoticeProgress>, StoreError> {
    let row: Option<(Option<String>, i64, Option<i64>)> =
        sqlx::query_as("select through, queued, done_at from policy_notices where version = $1")
            .bind(i64::from(version))
            .fetch_optional(pool)
            .await
            .map_err(db_err)?;
    let Some((through, queued, done_at)) = row else { return Ok(None) };
    Ok(Some(NoticeProgress {
        version,
        through: through.as_deref().map(parse_subject).transpose()?,
        queued: u64::try_from(queued).unwrap_or(0),
        done_at: done_at.map(from_micros),
    }))
}

/// Advance the notices of `version`: `queued` more, considered up to
/// `through`, finished when `done`.
pub(crate) async fn advance(
    tx: &mut Transaction<'static, Any>,
    version: u32,
    through: Option<SubjectId>,
    queued: u64,
    done: bool,
    at: time::OffsetDateTime,
) -> Result<(), StoreError> {
    sqlx::query(
        "insert into policy_notices (version, through, queued, started_at, done_at) values ($1, $2, $3, $4, $5)
         on conflict (version) do update set through = coalesce(excluded.through, policy_notices.through),
             queued = policy_notices.queued + excluded.queued, done_at = excluded.done_at",
    )
    .bind(i64::from(version))
    .bind(through.map(|t| t.to_string()))
    .bind(i64::try_from(queued).unwrap_or(i64::MAX))
    .bind(micros(at))
    .bind(done.then_some(micros(at)))
    .execute(&mut **tx)
    .await
    .map_err(db_err)?;
    Ok(())
}
