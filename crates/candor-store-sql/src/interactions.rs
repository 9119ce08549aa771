//! Interactions and what imports need around them: batched identity and
//! key lookups, brand accounts, suppressions, tombstones of deleted items,
//! and linking conversations after an import.

use candor_domain::SubjectId;
use candor_store::analytics::{day_number, month_number};
use candor_store::audit::{from_micros, micros};
use candor_store::{InteractionLink, InteractionRecord, KeyOwner, RedactedText, SealedAttribute, SealedIdentity, StoreError, WrappedKey};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};

use crate::rows::values;
use crate::{db_err, Backend};

/// Rows per multi-row statement: well under both back ends' parameter limits.
pub(crate) const CHUNK: usize = 500;

/// `?, ?, ?` on SQLite, `$k, $k+1, …` on PostgreSQL, for an `in` list.
pub(crate) fn list(backend: Backend, n: usize, first: usize) -> String {
    let mut s = String::with_capacity(n * 4);
    for i in 0..n {
        if i > 0 {
            s.push(',');
        }
        match backend {
            Backend::Sqlite => s.push('?'),
            Backend::Postgres => {
                s.push('$');
                s.push_str(&(first + i).to_string());
            }
        }
    }
    s
}

fn parse_subject(s: &str) -> Result<SubjectId, StoreError> {
    SubjectId::parse(s).map_err(|e| StoreError::undecodable("a subject id", e))
}

const INTERACTION_COLS: usize = 18;

/// Sentiment is stored in ten-thousandths of the compound score, as an
/// integer: sums in the database are exact, and sqlx's `Any` driver binds a
/// missing float as another float type than a present one, which a
/// prepared PostgreSQL statement then refuses.
pub(crate) const SENTIMENT_UNITS: f64 = 10_000.0;

fn sentiment_units(compound: f32) -> i64 {
    (f64::from(compound).clamp(-1.0, 1.0) * SENTIMENT_UNITS).round() as i64
}

pub(crate) async fn insert(tx: &mut Transaction<'static, Any>, backend: Backend, rows: Vec<InteractionRecord>) -> Result<u64, StoreError> {
    let mut inserted = 0;
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<InteractionRecord> = rows.by_ref().take(CHUNK).collect();
        let sql = format!(
            "insert into interactions (platform, external_id, subject_id, account, kind, direction, conversation_id, reply_to, occurred_at, sealed_text, redacted_text, language, day, month, sentiment, polarity, themes, agent) values {} on conflict (platform, external_id) do nothing",
            values(backend, chunk.len(), INTERACTION_COLS)
        );
        let mut q = sqlx::query(&sql);
        // Moved, not cloned: a batch's texts are the bulk of an import.
        for r in chunk {
            // The day and month are derived here, once, so that aggregates
            // group by stored integers on both back ends.
            let (day, month) = (day_number(r.occurred_at), month_number(r.occurred_at));
            q = q
                .bind(r.platform)
                .bind(r.external_id)
                .bind(r.subject.map(|s| s.to_string()))
                .bind(r.account)
                .bind(r.kind)
                .bind(r.direction)
                .bind(r.conversation_id)
                .bind(r.reply_to)
                .bind(micros(r.occurred_at))
                .bind(r.sealed_text)
                .bind(r.redacted_text.into_string())
                .bind(r.language)
                .bind(day)
                .bind(month)
                .bind(r.sentiment.map(|(c, _)| sentiment_units(c)))
                .bind(r.sentiment.map(|(_, p)| i64::from(p)))
                // The mask's top bit stored as the sign bit of a bigint.
                .bind(r.themes as i64)
                .bind(r.agent);
        }
        match q.execute(&mut **tx).await {
            Ok(done) => inserted += done.rows_affected(),
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                return Err(StoreError::Failed {
                    what: "an interaction names a subject that is not stored".into(),
                    source: Box::new(sqlx::Error::Database(db)),
                })
            }
            Err(e) => return Err(db_err(e)),
        }
    }
    Ok(inserted)
}

/// Link identities to subjects. A blind index already linked is
/// [`StoreError::IdentityTaken`]; an unknown subject is
/// [`StoreError::UnknownSubject`].
pub(crate) async fn insert_identities(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    rows: &[(SubjectId, &SealedIdentity)],
) -> Result<(), StoreError> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "insert into identities (blind_index, subject_id, kind, platform, sealed, source) values {}",
            values(backend, chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for (s, i) in chunk {
            q = q
                .bind(i.blind_index.clone())
                .bind(s.to_string())
                .bind(i.kind.clone())
                .bind(i.platform.clone())
                .bind(i.sealed.clone())
                .bind(i.source.as_stored());
        }
        match q.execute(&mut **tx).await {
            Err(sqlx::Error::Database(db)) if db.is_unique_violation() => {
                let kind = chunk.first().map(|(_, i)| i.kind.clone()).unwrap_or_default();
                return Err(StoreError::IdentityTaken { kind: if chunk.len() == 1 { kind } else { "identifier".into() } });
            }
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                return Err(match chunk {
                    [(s, _)] => StoreError::UnknownSubject(*s),
                    _ => StoreError::Failed {
                        what: "an identity names a subject that is not stored".into(),
                        source: Box::new(sqlx::Error::Database(db)),
                    },
                })
            }
            Err(e) => return Err(db_err(e)),
            Ok(_) => {}
        }
    }
    Ok(())
}

/// Store subjects' attributes; `replace` overwrites an attribute of the
/// same name, otherwise a duplicate is an error.
pub(crate) async fn set_attributes_many(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    rows: &[(SubjectId, &SealedAttribute)],
    replace: bool,
) -> Result<(), StoreError> {
    for chunk in rows.chunks(CHUNK) {
        let sql = format!(
            "insert into subject_attributes (subject_id, name, category, sealed, source) values {}{}",
            values(backend, chunk.len(), 5),
            if replace {
                " on conflict (subject_id, name) do update set category = excluded.category, sealed = excluded.sealed, source = excluded.source"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql);
        for (s, a) in chunk {
            q = q
                .bind(s.to_string())
                .bind(a.name.clone())
                .bind(a.category.as_str().to_owned())
                .bind(a.sealed.clone())
                .bind(a.source.as_stored());
        }
        match q.execute(&mut **tx).await {
            Err(sqlx::Error::Database(db)) if db.is_foreign_key_violation() => {
                return Err(match chunk {
                    [(s, _)] => StoreError::UnknownSubject(*s),
                    _ => StoreError::Failed {
                        what: "an attribute names a subject that is not stored".into(),
                        source: Box::new(sqlx::Error::Database(db)),
                    },
                })
            }
            Err(e) => return Err(db_err(e)),
            Ok(_) => {}
        }
    }
    Ok(())
}

pub(crate) async fn create_brand_account(
    tx: &mut Transaction<'static, Any>,
    platform: &str,
    handle: &str,
    key: &WrappedKey,
    at: i64,
) -> Result<(), StoreError> {
    // No `on conflict do nothing`: text sealed under a key that lost the
    // race would be unreadable, so a concurrent creation fails the batch.
    let r = sqlx::query("insert into brand_accounts (platform, handle, kek_id, wrapped_key, created_at) values ($1, $2, $3, $4, $5)")
        .bind(platform)
        .bind(handle)
        .bind(&key.kek_id)
        .bind(key.blob.clone())
        .bind(at)
        .execute(&mut **tx)
        .await;
    match r {
        Err(sqlx::Error::Database(db)) if db.is_unique_violation() => Err(StoreError::Inconsistent(format!(
            "the brand account `{platform}:{handle}` was created by another writer meanwhile; run again"
        ))),
        Err(e) => Err(db_err(e)),
        Ok(_) => Ok(()),
    }
}

pub(crate) async fn delete(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    platform: &str,
    ids: &[String],
    at: i64,
) -> Result<u64, StoreError> {
    let mut deleted = 0;
    for chunk in ids.chunks(CHUNK) {
        let sql =
            format!("delete from interactions where platform = {} and external_id in ({})", first(backend), list(backend, chunk.len(), 2));
        let mut q = sqlx::query(&sql).bind(platform);
        for id in chunk {
            q = q.bind(id.clone());
        }
        deleted += q.execute(&mut **tx).await.map_err(db_err)?.rows_affected();
        let sql = format!(
            "insert into tombstones (platform, external_id, deleted_at) values {} on conflict (platform, external_id) do nothing",
            values(backend, chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for id in chunk {
            q = q.bind(platform).bind(id.clone()).bind(at);
        }
        q.execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(deleted)
}

pub(crate) async fn suppress(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    blind_indexes: &[Vec<u8>],
    at: i64,
) -> Result<(), StoreError> {
    for chunk in blind_indexes.chunks(CHUNK) {
        let sql = format!(
            "insert into suppressions (blind_index, created_at) values {} on conflict (blind_index) do nothing",
            values(backend, chunk.len(), 2)
        );
        let mut q = sqlx::query(&sql);
        for b in chunk {
            q = q.bind(b.clone()).bind(at);
        }
        q.execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

/// The first placeholder of a statement.
fn first(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "?",
        Backend::Postgres => "$1",
    }
}

/// Give each unlinked reply (conversation unknown) its parent's
/// conversation, a level a round, until nothing changes; then give inbound
/// items the brand account that answered in their conversation. Runs inside
/// the database over the unlinked rows only (a partial index holds them):
/// no conversation graph is held in memory, and an import's cost does not
/// grow with what is already stored.
pub(crate) async fn link_conversations(tx: &mut Transaction<'static, Any>) -> Result<u64, StoreError> {
    let mut changed = 0;
    loop {
        let n = sqlx::query(
            "update interactions set conversation_id = (
                 select p.conversation_id from interactions p
                 where p.platform = interactions.platform and p.external_id = interactions.reply_to)
             where conversation_id is null and reply_to is not null
               and exists (select 1 from interactions p
                           where p.platform = interactions.platform and p.external_id = interactions.reply_to
                             and p.conversation_id is not null)",
        )
        .execute(&mut **tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        changed += n;
        // Each round links one more level of a chain; a cycle of replies
        // never gets a conversation and so ends the loop too.
        if n == 0 {
            break;
        }
    }
    changed += sqlx::query(
        "update interactions set account = (
             select o.account from interactions o
             where o.platform = interactions.platform and o.conversation_id = interactions.conversation_id
               and o.direction = 'outbound' and o.account is not null
             order by o.occurred_at limit 1)
         where direction = 'inbound' and account is null and conversation_id is not null
           and exists (select 1 from interactions o
                       where o.platform = interactions.platform and o.conversation_id = interactions.conversation_id
                         and o.direction = 'outbound' and o.account is not null)",
    )
    .execute(&mut **tx)
    .await
    .map_err(db_err)?
    .rows_affected();
    Ok(changed)
}

pub(crate) async fn rewrap(tx: &mut Transaction<'static, Any>, keys: Vec<(KeyOwner, WrappedKey)>) -> Result<u64, StoreError> {
    let mut n = 0;
    for (owner, key) in keys {
        let q = match &owner {
            KeyOwner::Subject(id) => sqlx::query("update subjects set kek_id = $1, wrapped_key = $2 where id = $3")
                .bind(key.kek_id.clone())
                .bind(key.blob)
                .bind(id.to_string()),
            KeyOwner::Account(platform, handle) => {
                sqlx::query("update brand_accounts set kek_id = $1, wrapped_key = $2 where platform = $3 and handle = $4")
                    .bind(key.kek_id.clone())
                    .bind(key.blob)
                    .bind(platform.clone())
                    .bind(handle.clone())
            }
        };
        n += q.execute(&mut **tx).await.map_err(db_err)?.rows_affected();
    }
    Ok(n)
}

pub(crate) async fn find_subjects(pool: &AnyPool, backend: Backend, indexes: &[Vec<u8>]) -> Result<Vec<(Vec<u8>, SubjectId)>, StoreError> {
    let mut out = Vec::new();
    for chunk in indexes.chunks(CHUNK) {
        let sql = format!("select blind_index, subject_id from identities where blind_index in ({})", list(backend, chunk.len(), 1));
        let mut q = sqlx::query_as::<_, (Vec<u8>, String)>(&sql);
        for b in chunk {
            q = q.bind(b.clone());
        }
        for (b, s) in q.fetch_all(pool).await.map_err(db_err)? {
            out.push((b, parse_subject(&s)?));
        }
    }
    Ok(out)
}

pub(crate) async fn subject_keys(pool: &AnyPool, backend: Backend, ids: &[SubjectId]) -> Result<Vec<(SubjectId, WrappedKey)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!("select id, kek_id, wrapped_key from subjects where id in ({})", list(backend, chunk.len(), 1));
        let mut q = sqlx::query_as::<_, (String, String, Vec<u8>)>(&sql);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for (id, kek_id, blob) in q.fetch_all(pool).await.map_err(db_err)? {
            out.push((parse_subject(&id)?, WrappedKey { kek_id, blob }));
        }
    }
    Ok(out)
}

pub(crate) async fn subject_attribute(
    pool: &AnyPool,
    backend: Backend,
    ids: &[SubjectId],
    name: &str,
) -> Result<Vec<(SubjectId, Vec<u8>)>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "select subject_id, sealed from subject_attributes where name = {} and subject_id in ({})",
            list(backend, 1, 1),
            list(backend, chunk.len(), 2)
        );
        let mut q = sqlx::query_as::<_, (String, Vec<u8>)>(&sql).bind(name);
        for id in chunk {
            q = q.bind(id.to_string());
        }
        for (id, sealed) in q.fetch_all(pool).await.map_err(db_err)? {
            out.push((parse_subject(&id)?, sealed));
        }
    }
    Ok(out)
}

pub(crate) async fn suppressed(pool: &AnyPool, backend: Backend, indexes: &[Vec<u8>]) -> Result<Vec<Vec<u8>>, StoreError> {
    let mut out = Vec::new();
    for chunk in indexes.chunks(CHUNK) {
        let sql = format!("select blind_index from suppressions where blind_index in ({})", list(backend, chunk.len(), 1));
        let mut q = sqlx::query_as::<_, (Vec<u8>,)>(&sql);
        for b in chunk {
            q = q.bind(b.clone());
        }
        out.extend(q.fetch_all(pool).await.map_err(db_err)?.into_iter().map(|(b,)| b));
    }
    Ok(out)
}

pub(crate) async fn tombstoned(pool: &AnyPool, backend: Backend, platform: &str, ids: &[String]) -> Result<Vec<String>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "select external_id from tombstones where platform = {} and external_id in ({})",
            first(backend),
            list(backend, chunk.len(), 2)
        );
        let mut q = sqlx::query_as::<_, (String,)>(&sql).bind(platform);
        for id in chunk {
            q = q.bind(id.clone());
        }
        out.extend(q.fetch_all(pool).await.map_err(db_err)?.into_iter().map(|(s,)| s));
    }
    Ok(out)
}

pub(crate) async fn links(pool: &AnyPool, backend: Backend, platform: &str, ids: &[String]) -> Result<Vec<InteractionLink>, StoreError> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let sql = format!(
            "select external_id, subject_id, conversation_id from interactions where platform = {} and external_id in ({})",
            first(backend),
            list(backend, chunk.len(), 2)
        );
        let mut q = sqlx::query_as::<_, (String, Option<String>, Option<String>)>(&sql).bind(platform);
        for id in chunk {
            q = q.bind(id.clone());
        }
        for (external_id, s, conversation_id) in q.fetch_all(pool).await.map_err(db_err)? {
            out.push(InteractionLink { external_id, subject: s.as_deref().map(parse_subject).transpose()?, conversation_id });
        }
    }
    Ok(out)
}

pub(crate) async fn brand_accounts(pool: &AnyPool) -> Result<Vec<(String, String, WrappedKey)>, StoreError> {
    let rows: Vec<(String, String, String, Vec<u8>)> =
        sqlx::query_as("select platform, handle, kek_id, wrapped_key from brand_accounts order by platform, handle")
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    Ok(rows.into_iter().map(|(p, h, kek_id, blob)| (p, h, WrappedKey { kek_id, blob })).collect())
}

pub(crate) async fn brand_account_key(pool: &AnyPool, platform: &str, handle: &str) -> Result<Option<WrappedKey>, StoreError> {
    let row: Option<(String, Vec<u8>)> =
        sqlx::query_as("select kek_id, wrapped_key from brand_accounts where platform = $1 and handle = $2")
            .bind(platform)
            .bind(handle)
            .fetch_optional(pool)
            .await
            .map_err(db_err)?;
    Ok(row.map(|(kek_id, blob)| WrappedKey { kek_id, blob }))
}

pub(crate) async fn keys_not_under(pool: &AnyPool, kek_id: &str, limit: u32) -> Result<Vec<(KeyOwner, WrappedKey)>, StoreError> {
    let subjects: Vec<(String, String, Vec<u8>)> =
        sqlx::query_as("select id, kek_id, wrapped_key from subjects where kek_id <> $1 order by id limit $2")
            .bind(kek_id)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    let mut out = subjects
        .into_iter()
        .map(|(id, kek_id, blob)| Ok((KeyOwner::Subject(parse_subject(&id)?), WrappedKey { kek_id, blob })))
        .collect::<Result<Vec<_>, StoreError>>()?;
    let left = i64::from(limit) - out.len() as i64;
    if left > 0 {
        let accounts: Vec<(String, String, String, Vec<u8>)> = sqlx::query_as(
            "select platform, handle, kek_id, wrapped_key from brand_accounts where kek_id <> $1 order by platform, handle limit $2",
        )
        .bind(kek_id)
        .bind(left)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
        out.extend(accounts.into_iter().map(|(p, h, kek_id, blob)| (KeyOwner::Account(p, h), WrappedKey { kek_id, blob })));
    }
    Ok(out)
}

pub(crate) async fn key_counts(pool: &AnyPool) -> Result<Vec<(String, u64)>, StoreError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "select kek_id, count(*) from (select kek_id from subjects union all select kek_id from brand_accounts) k group by kek_id order by kek_id",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    Ok(rows.into_iter().map(|(k, n)| (k, u64::try_from(n).unwrap_or(0))).collect())
}

pub(crate) const RECORD_COLUMNS: &str =
    "subject_id, platform, external_id, account, kind, direction, conversation_id, reply_to, occurred_at,
     sealed_text, redacted_text, language, sentiment, cast(polarity as bigint) as polarity, themes, agent";

pub(crate) async fn interaction(pool: &AnyPool, platform: &str, external_id: &str) -> Result<Option<InteractionRecord>, StoreError> {
    let row: Option<AnyRow> = sqlx::query(&format!("select {RECORD_COLUMNS} from interactions where platform = $1 and external_id = $2"))
        .bind(platform)
        .bind(external_id)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?;
    row.as_ref().map(record).transpose()
}

/// Every interaction about a subject, oldest first (through the index by
/// subject, so the cost follows their own history, not the table's size).
pub(crate) async fn of_subject(pool: &AnyPool, id: SubjectId) -> Result<Vec<InteractionRecord>, StoreError> {
    let rows: Vec<AnyRow> = sqlx::query(&format!(
        "select {RECORD_COLUMNS} from interactions where subject_id = $1 order by occurred_at, platform, external_id"
    ))
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(record).collect()
}

/// One conversation: its first item (whose id is the conversation's) and
/// every item linked to it, oldest first.
pub(crate) async fn of_conversation(
    pool: &AnyPool,
    platform: &str,
    conversation_id: &str,
    limit: u32,
) -> Result<Vec<InteractionRecord>, StoreError> {
    let rows: Vec<AnyRow> = sqlx::query(&format!(
        "select {RECORD_COLUMNS} from interactions where platform = $1 and (conversation_id = $2 or external_id = $2) \
         order by occurred_at, external_id limit $3"
    ))
    .bind(platform)
    .bind(conversation_id)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(record).collect()
}

/// The `redacted_text` column as what it is. The column is written from
/// [`InteractionRecord::redacted_text`] only, a `RedactedText` the redactor
/// made, so what is read back is redacted text too.
#[expect(clippy::disallowed_methods, reason = "the column is only ever written from a RedactedText")]
pub(crate) fn redacted_column(text: String) -> RedactedText {
    RedactedText::from_stored(text)
}

pub(crate) fn record(r: &AnyRow) -> Result<InteractionRecord, StoreError> {
    let c = |e: sqlx::Error| StoreError::undecodable("interaction", e);
    let subject: Option<String> = r.try_get("subject_id").map_err(c)?;
    Ok(InteractionRecord {
        subject: subject.as_deref().map(parse_subject).transpose()?,
        platform: r.try_get("platform").map_err(c)?,
        external_id: r.try_get("external_id").map_err(c)?,
        account: r.try_get("account").map_err(c)?,
        kind: r.try_get("kind").map_err(c)?,
        direction: r.try_get("direction").map_err(c)?,
        conversation_id: r.try_get("conversation_id").map_err(c)?,
        reply_to: r.try_get("reply_to").map_err(c)?,
        occurred_at: from_micros(r.try_get("occurred_at").map_err(c)?),
        sealed_text: r.try_get("sealed_text").map_err(c)?,
        redacted_text: redacted_column(r.try_get("redacted_text").map_err(c)?),
        language: r.try_get("language").map_err(c)?,
        sentiment: {
            let compound: Option<i64> = r.try_get("sentiment").map_err(c)?;
            let polarity: Option<i64> = r.try_get("polarity").map_err(c)?;
            compound.zip(polarity).map(|(s, p)| ((s as f64 / SENTIMENT_UNITS) as f32, i8::try_from(p).unwrap_or(0)))
        },
        themes: {
            let t: i64 = r.try_get("themes").map_err(c)?;
            t as u64
        },
        agent: r.try_get("agent").map_err(c)?,
    })
}
