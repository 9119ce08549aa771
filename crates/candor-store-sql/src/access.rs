//! Who may call the API: staff tokens, browser sessions and customers'
//! sign-in challenges, each found by the hash of its secret.

use candor_domain::SubjectId;
use candor_store::audit::{from_micros, micros};
use candor_store::{ChallengeRecord, PasskeyRecord, Principal, SessionRecord, StoreError, TokenRecord};
use sqlx::{Any, AnyPool, Transaction};

use crate::{db_err, Backend};

fn fk(e: sqlx::Error, what: impl FnOnce() -> StoreError) -> StoreError {
    match e {
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => what(),
        other => db_err(other),
    }
}

pub(crate) async fn create_token(tx: &mut Transaction<'static, Any>, t: &TokenRecord, hash: &[u8]) -> Result<(), StoreError> {
    sqlx::query("insert into api_tokens (id, actor_id, hash, created_at, expires_at) values ($1, $2, $3, $4, $5)")
        .bind(&t.id)
        .bind(&t.actor)
        .bind(hash.to_vec())
        .bind(micros(t.created_at))
        .bind(micros(t.expires_at))
        .execute(&mut **tx)
        .await
        .map_err(|e| fk(e, || StoreError::UnknownActor(t.actor.clone())))?;
    Ok(())
}

pub(crate) async fn revoke_token(tx: &mut Transaction<'static, Any>, id: &str, at: i64) -> Result<u64, StoreError> {
    Ok(sqlx::query("update api_tokens set revoked_at = $1 where id = $2 and revoked_at is null")
        .bind(at)
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected())
}

/// Delete an actor; its tokens, sessions and attestations go with it
/// (`on delete cascade`). The check for another admin runs after the
/// delete, in the same transaction; on PostgreSQL the admins' rows are
/// locked first, so two removals at once cannot both pass it (SQLite runs
/// one writer at a time).
pub(crate) async fn remove_actor(tx: &mut Transaction<'static, Any>, backend: Backend, id: &str) -> Result<u64, StoreError> {
    if backend == Backend::Postgres {
        sqlx::query("select id from actors where ',' || roles || ',' like '%,admin,%' for update")
            .fetch_all(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    let roles: Option<(String,)> =
        sqlx::query_as("select roles from actors where id = $1").bind(id).fetch_optional(&mut **tx).await.map_err(db_err)?;
    let Some((roles,)) = roles else { return Ok(0) };
    let removed = sqlx::query("delete from actors where id = $1").bind(id).execute(&mut **tx).await.map_err(db_err)?.rows_affected();
    if roles.split(',').any(|r| r == "admin") {
        let (admins,): (i64,) = sqlx::query_as("select count(*) from actors where ',' || roles || ',' like '%,admin,%'")
            .fetch_one(&mut **tx)
            .await
            .map_err(db_err)?;
        if admins == 0 {
            return Err(StoreError::LastAdmin(id.to_owned()));
        }
    }
    Ok(removed)
}

type TokenRow = (String, String, i64, i64, Option<i64>);

fn token((id, actor, created_at, expires_at, revoked_at): TokenRow) -> TokenRecord {
    TokenRecord {
        id,
        actor,
        created_at: from_micros(created_at),
        expires_at: from_micros(expires_at),
        revoked_at: revoked_at.map(from_micros),
    }
}

pub(crate) async fn token_by_hash(pool: &AnyPool, hash: &[u8]) -> Result<Option<TokenRecord>, StoreError> {
    let row: Option<TokenRow> = sqlx::query_as("select id, actor_id, created_at, expires_at, revoked_at from api_tokens where hash = $1")
        .bind(hash.to_vec())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    Ok(row.map(token))
}

pub(crate) async fn token_by_id(pool: &AnyPool, id: &str) -> Result<Option<TokenRecord>, StoreError> {
    let row: Option<TokenRow> = sqlx::query_as("select id, actor_id, created_at, expires_at, revoked_at from api_tokens where id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    Ok(row.map(token))
}

pub(crate) async fn tokens(pool: &AnyPool, actor: &str) -> Result<Vec<TokenRecord>, StoreError> {
    let rows: Vec<TokenRow> = sqlx::query_as(
        "select id, actor_id, created_at, expires_at, revoked_at from api_tokens where actor_id = $1 order by created_at desc, id",
    )
    .bind(actor)
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows.into_iter().map(token).collect())
}

pub(crate) async fn create_session(tx: &mut Transaction<'static, Any>, hash: &[u8], s: &SessionRecord, at: i64) -> Result<(), StoreError> {
    let (actor, subject) = match &s.principal {
        Principal::Staff(a) => (Some(a.clone()), None),
        Principal::Customer(id) => (None, Some(id.to_string())),
    };
    sqlx::query(
        "insert into sessions (hash, actor_id, subject_id, csrf, created_at, expires_at, token_id) values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(hash.to_vec())
    .bind(actor.clone())
    .bind(subject)
    .bind(&s.csrf)
    .bind(at)
    .bind(micros(s.expires_at))
    .bind(s.token.clone())
    .execute(&mut **tx)
    .await
    .map_err(|e| {
        fk(e, || match &s.principal {
            Principal::Staff(a) => StoreError::UnknownActor(a.clone()),
            Principal::Customer(id) => StoreError::UnknownSubject(*id),
        })
    })?;
    Ok(())
}

pub(crate) async fn end_session(tx: &mut Transaction<'static, Any>, hash: &[u8]) -> Result<u64, StoreError> {
    Ok(sqlx::query("delete from sessions where hash = $1").bind(hash.to_vec()).execute(&mut **tx).await.map_err(db_err)?.rows_affected())
}

/// actor, subject, csrf, expires_at, token.
type SessionRow = (Option<String>, Option<String>, String, i64, Option<String>);

pub(crate) async fn session(pool: &AnyPool, hash: &[u8]) -> Result<Option<SessionRecord>, StoreError> {
    let row: Option<SessionRow> = sqlx::query_as("select actor_id, subject_id, csrf, expires_at, token_id from sessions where hash = $1")
        .bind(hash.to_vec())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    let Some((actor, subject, csrf, expires_at, token)) = row else { return Ok(None) };
    let principal = match (actor, subject) {
        (Some(a), None) => Principal::Staff(a),
        (None, Some(s)) => Principal::Customer(SubjectId::parse(&s).map_err(|e| StoreError::undecodable("session", e))?),
        _ => return Err(StoreError::Corrupt("a session names both or neither of a staff member and a customer".into())),
    };
    Ok(Some(SessionRecord { principal, csrf, expires_at: from_micros(expires_at), token }))
}

/// Store a challenge; challenges that expired go at the same time, so
/// that the table holds no more than the last half hour's.
pub(crate) async fn create_challenge(tx: &mut Transaction<'static, Any>, c: &ChallengeRecord, at: i64) -> Result<(), StoreError> {
    sqlx::query("delete from sign_in_challenges where expires_at <= $1").bind(at).execute(&mut **tx).await.map_err(db_err)?;
    sqlx::query(
        "insert into sign_in_challenges (id, subject_id, address_key, code_hash, attempts_left, created_at, expires_at) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&c.id)
    .bind(c.subject.map(|s| s.to_string()))
    .bind(c.address_key.clone())
    .bind(&c.code_hash)
    .bind(i64::from(c.attempts_left))
    .bind(at)
    .bind(micros(c.expires_at))
    .execute(&mut **tx)
    .await
    .map_err(|e| match c.subject {
        Some(s) => fk(e, || StoreError::UnknownSubject(s)),
        None => db_err(e),
    })?;
    Ok(())
}

pub(crate) async fn challenges_since(pool: &AnyPool, address_key: &[u8], since: i64) -> Result<u64, StoreError> {
    let (n,): (i64,) = sqlx::query_as("select count(*) from sign_in_challenges where address_key = $1 and created_at >= $2")
        .bind(address_key.to_vec())
        .bind(since)
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(u64::try_from(n).unwrap_or(0))
}

pub(crate) async fn spend_attempt(tx: &mut Transaction<'static, Any>, id: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query("update sign_in_challenges set attempts_left = attempts_left - 1 where id = $1 and attempts_left > 0")
        .bind(id)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected())
}

pub(crate) async fn delete_challenge(tx: &mut Transaction<'static, Any>, id: &str) -> Result<u64, StoreError> {
    Ok(sqlx::query("delete from sign_in_challenges where id = $1").bind(id).execute(&mut **tx).await.map_err(db_err)?.rows_affected())
}

/// id, subject (none for a decoy), address key, code hash, attempts left, expires_at.
type ChallengeRow = (String, Option<String>, Vec<u8>, String, i64, i64);

pub(crate) async fn challenge(pool: &AnyPool, id: &str) -> Result<Option<ChallengeRecord>, StoreError> {
    let row: Option<ChallengeRow> =
        sqlx::query_as("select id, subject_id, address_key, code_hash, attempts_left, expires_at from sign_in_challenges where id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
            .map_err(db_err)?;
    let Some((id, subject, address_key, code_hash, attempts_left, expires_at)) = row else { return Ok(None) };
    let subject = match subject {
        Some(s) => Some(SubjectId::parse(&s).map_err(|e| StoreError::undecodable(format!("sign-in challenge {id}"), e))?),
        None => None,
    };
    Ok(Some(ChallengeRecord {
        subject,
        id,
        address_key,
        code_hash,
        attempts_left: u32::try_from(attempts_left).unwrap_or(0),
        expires_at: from_micros(expires_at),
    }))
}

/// A passkey's id, whose, handle, label, static and dynamic state,
/// created and last used.
type PasskeyRow = (Vec<u8>, String, Vec<u8>, String, Vec<u8>, Vec<u8>, i64, Option<i64>);

const PASSKEY_COLUMNS: &str =
    "credential_id, actor_id, user_handle, label, static_state, dynamic_state, created_at, last_used_at from staff_passkeys";

fn passkey_record(
    (credential_id, actor, user_handle, label, static_state, dynamic_state, created_at, last_used_at): PasskeyRow,
) -> PasskeyRecord {
    PasskeyRecord {
        credential_id,
        actor,
        user_handle,
        label,
        static_state,
        dynamic_state,
        created_at: from_micros(created_at),
        last_used_at: last_used_at.map(from_micros),
    }
}

pub(crate) async fn add_passkey(tx: &mut Transaction<'static, Any>, p: &PasskeyRecord) -> Result<(), StoreError> {
    sqlx::query(
        "insert into staff_passkeys (credential_id, actor_id, user_handle, label, static_state, dynamic_state, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(p.credential_id.clone())
    .bind(&p.actor)
    .bind(p.user_handle.clone())
    .bind(&p.label)
    .bind(p.static_state.clone())
    .bind(p.dynamic_state.clone())
    .bind(micros(p.created_at))
    .execute(&mut **tx)
    .await
    .map_err(|e| match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Changed("this passkey, registered already,".into()),
        other => fk(other, || StoreError::UnknownActor(p.actor.clone())),
    })?;
    Ok(())
}

pub(crate) async fn use_passkey(
    tx: &mut Transaction<'static, Any>,
    id: &[u8],
    previous: &[u8],
    dynamic_state: &[u8],
    at: i64,
) -> Result<u64, StoreError> {
    Ok(sqlx::query("update staff_passkeys set dynamic_state = $1, last_used_at = $2 where credential_id = $3 and dynamic_state = $4")
        .bind(dynamic_state.to_vec())
        .bind(at)
        .bind(id.to_vec())
        .bind(previous.to_vec())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected())
}

pub(crate) async fn remove_passkey(tx: &mut Transaction<'static, Any>, actor: &str, id: &[u8]) -> Result<u64, StoreError> {
    Ok(sqlx::query("delete from staff_passkeys where actor_id = $1 and credential_id = $2")
        .bind(actor)
        .bind(id.to_vec())
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected())
}

pub(crate) async fn passkey(pool: &AnyPool, id: &[u8]) -> Result<Option<PasskeyRecord>, StoreError> {
    let row: Option<PasskeyRow> = sqlx::query_as(&format!("select {PASSKEY_COLUMNS} where credential_id = $1"))
        .bind(id.to_vec())
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    Ok(row.map(passkey_record))
}

pub(crate) async fn passkeys(pool: &AnyPool, actor: &str) -> Result<Vec<PasskeyRecord>, StoreError> {
    let rows: Vec<PasskeyRow> = sqlx::query_as(&format!("select {PASSKEY_COLUMNS} where actor_id = $1 order by created_at, credential_id"))
        .bind(actor)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(rows.into_iter().map(passkey_record).collect())
}
