//! Customers an import kept apart although they share an identifier (a
//! household's phone), by kinds only: the pairs are recorded so that a
//! re-import knows them (and counts their rows as unchanged), staff can
//! list them, and an erasure takes them away with the customer.

use candor_domain::SubjectId;
use candor_store::audit::{from_micros, micros};
use candor_store::{IdentityConflict, StoreError};
use sqlx::{Any, AnyPool, Transaction};

use crate::db_err;
use crate::interactions::{list, CHUNK};
use crate::Backend;

fn parse_subject(s: &str) -> Result<SubjectId, StoreError> {
    SubjectId::parse(s).map_err(|e| StoreError::undecodable("a subject id", e))
}

/// Record conflicts; a pair already recorded for the same shared kind is
/// left as it is. Returns how many were new.
pub(crate) async fn record(tx: &mut Transaction<'static, Any>, conflicts: &[IdentityConflict]) -> Result<u64, StoreError> {
    let mut n = 0;
    for c in conflicts {
        let (a, b) = c.pair();
        n += sqlx::query(
            "insert into identity_conflicts (subject_a, subject_b, shared, differing, source, at) values ($1, $2, $3, $4, $5, $6) on conflict do nothing",
        )
        .bind(a.to_string())
        .bind(b.to_string())
        .bind(&c.shared)
        .bind(c.differing.join(","))
        .bind(&c.source)
        .bind(micros(c.at))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected();
    }
    Ok(n)
}

/// The kinds of identifiers these subjects hold, as namespaces.
pub(crate) async fn kinds(pool: &AnyPool, backend: Backend, ids: &[SubjectId]) -> Result<Vec<(SubjectId, String)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql =
            format!("select distinct subject_id, kind, platform from identities where subject_id in ({})", list(backend, chunk.len(), 1));
        let mut q = sqlx::query_as::<_, (String, String, Option<String>)>(&sql);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for (id, kind, platform) in q.fetch_all(pool).await.map_err(db_err)? {
            let ns = match platform {
                Some(p) => format!("{kind}:{p}"),
                None => kind,
            };
            out.push((parse_subject(&id)?, ns));
        }
    }
    Ok(out)
}

/// The conflicts any of these subjects is part of.
pub(crate) async fn of(pool: &AnyPool, backend: Backend, ids: &[SubjectId]) -> Result<Vec<IdentityConflict>, StoreError> {
    let mut out = Vec::new();
    // A pair whose two customers fall in different chunks comes twice.
    let mut seen = std::collections::HashSet::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "select subject_a, subject_b, shared, differing, source, at from identity_conflicts where subject_a in ({}) or subject_b in ({}) order by at, subject_a, subject_b, shared",
            list(backend, chunk.len(), 1),
            list(backend, chunk.len(), chunk.len() + 1)
        );
        let mut q = sqlx::query_as::<_, (String, String, String, String, String, i64)>(&sql);
        for id in chunk.iter().chain(chunk) {
            q = q.bind(id.to_string());
        }
        for (a, b, shared, differing, source, at) in q.fetch_all(pool).await.map_err(db_err)? {
            if !seen.insert((a.clone(), b.clone(), shared.clone())) {
                continue;
            }
            let c = IdentityConflict {
                subject: parse_subject(&a)?,
                other: parse_subject(&b)?,
                shared,
                differing: differing.split(',').filter(|d| !d.is_empty()).map(str::to_owned).collect(),
                source,
                at: from_micros(at),
            };
            out.push(c);
        }
    }
    Ok(out)
}
