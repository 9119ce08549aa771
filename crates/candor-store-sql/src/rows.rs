//! Reading rows into models and the multi-row inserts of hot paths.

use candor_domain::{CategoryId, ConsentAction, ConsentEvent, ConsentSource, Provenance, PurposeId, Role, SubjectId};
use candor_store::audit::from_micros;
use candor_store::{
    ActorRecord, AuditEntry, AuditRecord, ConsentRecord, LinkPage, PolicyVersionRecord, RecipientRecord, SealedAttribute, SealedIdentity,
    StoreError, SubjectRecord, WrappedKey,
};
use sqlx::any::AnyRow;
use sqlx::AnyPool;
use sqlx::{Any, Row, Transaction};

use crate::{db_err, Backend};

fn corrupt(what: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| StoreError::undecodable(what, e)
}

/// The placeholders of a multi-row insert: `(?, ?), (?, ?)` on SQLite,
/// `($1, $2), ($3, $4)` on PostgreSQL. SQLite binds `?` by position; a `$n`
/// is looked up by name in a list, which made a 5,000-parameter insert
/// spend most of its time finding its parameters.
pub(crate) fn values(backend: Backend, rows: usize, cols: usize) -> String {
    let mut s = String::with_capacity(rows * cols * 5);
    for r in 0..rows {
        if r > 0 {
            s.push(',');
        }
        s.push('(');
        for c in 0..cols {
            if c > 0 {
                s.push(',');
            }
            match backend {
                Backend::Sqlite => s.push('?'),
                Backend::Postgres => {
                    s.push('$');
                    s.push_str(&(r * cols + c + 1).to_string());
                }
            }
        }
        s.push(')');
    }
    s
}

/// Rows per insert statement: well under both back ends' parameter limits.
const CHUNK: usize = 500;

const AUDIT_COLS: usize = 3;

/// Appends `(seq, body, hash)` rows.
pub(crate) async fn insert_audit_links(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    links: &[(i64, String, [u8; 32])],
) -> Result<(), StoreError> {
    for chunk in links.chunks(CHUNK) {
        let sql = format!("insert into audit_log (seq, body, hash) values {}", values(backend, chunk.len(), AUDIT_COLS));
        let mut q = sqlx::query(&sql);
        for (seq, body, hash) in chunk {
            q = q.bind(*seq).bind(body.clone()).bind(hex::encode(hash));
        }
        q.execute(&mut **tx).await.map_err(db_err)?;
    }
    Ok(())
}

pub(crate) async fn policy_versions(pool: &AnyPool) -> Result<Vec<PolicyVersionRecord>, StoreError> {
    let rows: Vec<(i64, String, String, i64)> =
        sqlx::query_as("select version, content_hash, content, published_at from policy_versions order by version")
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    Ok(rows.into_iter().map(policy_version).collect())
}

/// One `(version, content_hash, content, published_at)` row.
pub(crate) fn policy_version((v, content_hash, content, at): (i64, String, String, i64)) -> PolicyVersionRecord {
    PolicyVersionRecord { version: u32::try_from(v).unwrap_or(0), content_hash, content, published_at: from_micros(at) }
}

pub(crate) async fn insert_recipients(
    tx: &mut Transaction<'static, Any>,
    version: i64,
    recipients: &[candor_domain::Recipient],
) -> Result<(), StoreError> {
    for r in recipients {
        sqlx::query("insert into recipients (id, name, country) values ($1, $2, $3) on conflict (id) do update set name = excluded.name, country = excluded.country")
            .bind(&r.id)
            .bind(&r.name)
            .bind(&r.country)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
        let categories: Vec<&str> = r.agreement.categories.iter().map(CategoryId::as_str).collect();
        let categories = serde_json::to_string(&categories).map_err(|e| StoreError::undecodable("agreement categories", e))?;
        sqlx::query("insert into agreements (recipient_id, policy_version, reference, valid_from, valid_until, categories) values ($1, $2, $3, $4, $5, $6)")
            .bind(&r.id)
            .bind(version)
            .bind(&r.agreement.reference)
            .bind(r.agreement.valid_from.to_string())
            .bind(r.agreement.valid_until.to_string())
            .bind(categories)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

fn parse_date(s: &str) -> Result<time::Date, StoreError> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| StoreError::Corrupt(format!("`{s}` is not a date")))
}

pub(crate) async fn recipients(pool: &AnyPool) -> Result<Vec<RecipientRecord>, StoreError> {
    let rows: Vec<AnyRow> = sqlx::query(
        "select r.id, r.name, r.country, a.policy_version, a.reference, a.valid_from, a.valid_until, a.categories
         from recipients r join agreements a on a.recipient_id = r.id
         where a.policy_version = (select max(version) from policy_versions)
         order by r.id",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.into_iter()
        .map(|r| {
            let c = corrupt("recipient");
            let categories: String = r.try_get("categories").map_err(&c)?;
            let categories: Vec<String> =
                serde_json::from_str(&categories).map_err(|e| StoreError::undecodable("agreement categories", e))?;
            let version: i64 = r.try_get("policy_version").map_err(&c)?;
            let from: String = r.try_get("valid_from").map_err(&c)?;
            let until: String = r.try_get("valid_until").map_err(&c)?;
            Ok(RecipientRecord {
                id: r.try_get("id").map_err(&c)?,
                name: r.try_get("name").map_err(&c)?,
                country: r.try_get("country").map_err(&c)?,
                policy_version: u32::try_from(version).map_err(|_| StoreError::Corrupt("policy version out of range".into()))?,
                reference: r.try_get("reference").map_err(&c)?,
                valid_from: parse_date(&from)?,
                valid_until: parse_date(&until)?,
                categories: categories.into_iter().map(CategoryId::new).collect(),
            })
        })
        .collect()
}

/// A stored detail's source; one that is none of the known forms is
/// reported as undecodable, not shown as something it is not.
pub(crate) fn provenance(stored: &str) -> Result<Provenance, StoreError> {
    stored.parse::<Provenance>().map_err(|e| StoreError::undecodable("the source of a stored detail", e))
}

pub(crate) async fn subject(pool: &AnyPool, id: SubjectId) -> Result<Option<SubjectRecord>, StoreError> {
    let sid = id.to_string();
    let row: Option<(String, String, Vec<u8>, i64)> =
        sqlx::query_as("select pseudonym, kek_id, wrapped_key, created_at from subjects where id = $1")
            .bind(&sid)
            .fetch_optional(pool)
            .await
            .map_err(db_err)?;
    let Some((pseudonym, kek_id, blob, created_at)) = row else { return Ok(None) };
    let attributes: Vec<(String, String, Vec<u8>, String)> =
        sqlx::query_as("select name, category, sealed, source from subject_attributes where subject_id = $1 order by name")
            .bind(&sid)
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    let identities: Vec<AnyRow> =
        sqlx::query("select kind, platform, blind_index, sealed, source from identities where subject_id = $1 order by kind, platform")
            .bind(&sid)
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    let identities = identities
        .into_iter()
        .map(|r| {
            Ok(SealedIdentity {
                kind: r.try_get("kind").map_err(corrupt("identity"))?,
                platform: r.try_get("platform").map_err(corrupt("identity"))?,
                blind_index: r.try_get("blind_index").map_err(corrupt("identity"))?,
                sealed: r.try_get("sealed").map_err(corrupt("identity"))?,
                source: provenance(&r.try_get::<String, _>("source").map_err(corrupt("identity"))?)?,
            })
        })
        .collect::<Result<_, StoreError>>()?;
    Ok(Some(SubjectRecord {
        id,
        pseudonym,
        key: WrappedKey { kek_id, blob },
        attributes: attributes
            .into_iter()
            .map(|(name, category, sealed, source)| {
                Ok(SealedAttribute { name, category: CategoryId::new(category), sealed, source: provenance(&source)? })
            })
            .collect::<Result<_, StoreError>>()?,
        identities,
        created_at: from_micros(created_at),
    }))
}

pub(crate) async fn consent_events(pool: &AnyPool, id: SubjectId) -> Result<Vec<ConsentRecord>, StoreError> {
    let rows: Vec<AnyRow> = sqlx::query(
        "select id, purpose, action, policy_version, source, at, receipt from consent_events where subject_id = $1 order by id",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.iter().map(consent_record).collect()
}

/// A subject's ledger, or `None` when the subject is not stored: one
/// statement, the subject's row joined to its events.
pub(crate) async fn subject_consent(pool: &AnyPool, id: SubjectId) -> Result<Option<Vec<ConsentRecord>>, StoreError> {
    let rows: Vec<AnyRow> = sqlx::query(
        "select e.id, e.purpose, e.action, e.policy_version, e.source, e.at, e.receipt
         from subjects s left join consent_events e on e.subject_id = s.id where s.id = $1 order by e.id",
    )
    .bind(id.to_string())
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    if rows.is_empty() {
        return Ok(None);
    }
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        // The subject without events: one row of nulls.
        let id: Option<i64> = r.try_get("id").map_err(corrupt("consent event"))?;
        if id.is_some() {
            out.push(consent_record(r)?);
        }
    }
    Ok(Some(out))
}

/// One ledger row (`id, purpose, action, policy_version, source, at, receipt`).
pub(crate) fn consent_record(r: &AnyRow) -> Result<ConsentRecord, StoreError> {
    let c = corrupt("consent event");
    let purpose: Option<String> = r.try_get("purpose").map_err(&c)?;
    let action: String = r.try_get("action").map_err(&c)?;
    let source: String = r.try_get("source").map_err(&c)?;
    let version: i64 = r.try_get("policy_version").map_err(&c)?;
    // Fail closed: an event we cannot read makes the state unreadable.
    let event = ConsentEvent {
        purpose: purpose.map(|p| PurposeId::parse(&p)).transpose().map_err(|e| StoreError::undecodable("a purpose", e))?,
        action: ConsentAction::parse(&action).ok_or_else(|| StoreError::Corrupt(format!("unknown consent action `{action}`")))?,
        policy_version: u32::try_from(version).map_err(|_| StoreError::Corrupt("policy version out of range".into()))?,
        source: ConsentSource::parse(&source).ok_or_else(|| StoreError::Corrupt(format!("unknown consent source `{source}`")))?,
        at: from_micros(r.try_get("at").map_err(&c)?),
    };
    Ok(ConsentRecord { id: r.try_get("id").map_err(&c)?, event, receipt: r.try_get("receipt").map_err(&c)? })
}

pub(crate) async fn actor(pool: &AnyPool, id: &str) -> Result<Option<ActorRecord>, StoreError> {
    let row: Option<(String,)> =
        sqlx::query_as("select roles from actors where id = $1").bind(id).fetch_optional(pool).await.map_err(db_err)?;
    let Some((roles,)) = row else { return Ok(None) };
    let (expires,): (Option<i64>,) = sqlx::query_as("select max(expires_at) from training_attestations where actor_id = $1")
        .bind(id)
        .fetch_one(pool)
        .await
        .map_err(db_err)?;
    Ok(Some(ActorRecord { id: id.to_owned(), roles: parse_roles(&roles)?, training_expires_at: expires.map(from_micros) }))
}

/// Every actor with its latest attestation's expiry, in one query.
pub(crate) async fn actors(pool: &AnyPool) -> Result<Vec<ActorRecord>, StoreError> {
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "select a.id, a.roles, (select max(t.expires_at) from training_attestations t where t.actor_id = a.id) from actors a order by a.id",
    )
    .fetch_all(pool)
    .await
    .map_err(db_err)?;
    rows.into_iter()
        .map(|(id, roles, expires)| Ok(ActorRecord { id, roles: parse_roles(&roles)?, training_expires_at: expires.map(from_micros) }))
        .collect()
}

fn parse_roles(roles: &str) -> Result<Vec<Role>, StoreError> {
    roles
        .split(',')
        .filter(|r| !r.is_empty())
        .map(|r| Role::parse(r).ok_or_else(|| StoreError::Corrupt(format!("unknown role `{r}`"))))
        .collect()
}

/// Separates bodies in a packed page. Bodies are JSON, which escapes every
/// control character, so no body written by candor holds one.
const RECORD: char = '\u{1e}';

/// One page of links, packed by the database into three values: the
/// sequence numbers, the hashes (64 hex digits each) and the bodies. Rows
/// stream through the driver one at a time at a cost that dwarfs hashing
/// them, so the database appends the stored text instead, with no per-row
/// work. The three aggregates of one query consume the same rows in the same
/// order, so they line up whatever that order is; the caller sorts by `seq`.
fn packed_links_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "select group_concat(seq, ','), group_concat(hash, ''), group_concat(body, char(30))
             from audit_log where seq > $1 and seq <= $2"
        }
        Backend::Postgres => {
            "select string_agg(seq::text, ','), string_agg(hash, ''), string_agg(body, chr(30))
             from audit_log where seq > $1 and seq <= $2"
        }
    }
}

fn unpack_links(seqs: &str, hashes: &str, bodies: String) -> Result<LinkPage, String> {
    let n = seqs.split(',').count();
    if hashes.len() != n * 64 {
        return Err(format!("{n} entries but {} hash digits: a malformed hash", hashes.len()));
    }
    // Where each body lies in the packed text, before the text moves into
    // the page.
    let mut ranges = Vec::with_capacity(n);
    let mut start = 0;
    for body in bodies.split(RECORD) {
        ranges.push(start..start + body.len());
        start += body.len() + RECORD.len_utf8();
    }
    if ranges.len() != n {
        return Err(format!("{n} entries but {} bodies: a body holds a separator", ranges.len()));
    }
    let mut page = LinkPage::new(bodies, n);
    for (i, (seq, range)) in seqs.split(',').zip(ranges).enumerate() {
        let seq: i64 = seq.parse().map_err(|_| format!("`{seq}` is not a sequence number"))?;
        let mut hash = [0u8; 32];
        hashes
            .get(i * 64..i * 64 + 64)
            .and_then(|h| hex::decode_to_slice(h, &mut hash).ok())
            .ok_or_else(|| format!("entry {seq} has a malformed hash"))?;
        if !page.push(seq, range, hash) {
            return Err(format!("entry {seq} has a malformed body"));
        }
    }
    page.sort();
    Ok(page)
}

pub(crate) async fn audit_links(pool: &AnyPool, backend: Backend, after: i64, upto: i64) -> Result<LinkPage, StoreError> {
    let (seqs, hashes, bodies): (Option<String>, Option<String>, Option<String>) =
        sqlx::query_as(packed_links_sql(backend)).bind(after).bind(upto).fetch_one(pool).await.map_err(db_err)?;
    match (seqs, hashes, bodies) {
        (Some(seqs), Some(hashes), Some(bodies)) => {
            unpack_links(&seqs, &hashes, bodies).map_err(|e| StoreError::undecodable(format!("audit log after entry {after}"), e))
        }
        _ => Ok(LinkPage::default()),
    }
}

pub(crate) async fn audit_entries(pool: &AnyPool, after: i64, limit: u32) -> Result<Vec<AuditEntry>, StoreError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as("select seq, body, hash from audit_log where seq > $1 order by seq limit $2")
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    rows.into_iter().map(|(seq, body, hash)| audit_entry(seq, &body, &hash)).collect()
}

/// An audit row, parsed.
pub(crate) fn audit_entry(seq: i64, body: &str, hash: &str) -> Result<AuditEntry, StoreError> {
    let record = AuditRecord::parse(body).map_err(|e| StoreError::undecodable(format!("audit entry {seq}"), e))?;
    let hash = hex::decode(hash)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or_else(|| StoreError::Corrupt(format!("audit entry {seq} has a malformed hash")))?;
    Ok(AuditEntry { seq, record, hash })
}
