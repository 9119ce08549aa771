//! The audit chain's tables: appending a batch's entries with their
//! checkpoints and the newly signed head, and reading the head, the
//! checkpoints and the highest entry in one snapshot for `audit verify`.

use candor_store::audit::{micros, HEAD_SIGNING_ACTION, SIGNED_GENESIS};
use candor_store::{AuditRecord, AuditSigner, AuditState, Checkpoint, SignedHead, StoreError};
use sqlx::{Any, AnyConnection, AnyPool, Transaction};

use crate::{db_err, rows, Backend};

/// A value that does not decode is corruption of `what`, named; any other
/// failure is the database's.
pub(crate) fn decode_err(what: &'static str) -> impl Fn(sqlx::Error) -> StoreError {
    move |e| match e {
        // The driver's text names Rust types; say what is wrong first, and
        // keep the driver's error as the source for whoever debugs it.
        sqlx::Error::ColumnDecode { index, source } => {
            StoreError::undecodable(format!("{what}: column {index} holds a value of the wrong type"), source)
        }
        sqlx::Error::Decode(source) => StoreError::undecodable(format!("{what}: a value does not decode"), source),
        // Its one row deleted: written around candor too.
        sqlx::Error::RowNotFound => StoreError::Corrupt(format!("{what} is missing")),
        other => db_err(other),
    }
}

fn array<const N: usize>(v: Vec<u8>, what: &str) -> Result<[u8; N], StoreError> {
    v.try_into().map_err(|_| StoreError::Corrupt(format!("{what} is not {N} bytes")))
}

type HeadRow = (i64, Vec<u8>, i64, i64, Option<Vec<u8>>);

fn head_from(row: HeadRow) -> Result<SignedHead, StoreError> {
    let (seq, hash, at, checkpoint, signature) = row;
    Ok(SignedHead {
        seq,
        hash: array(hash, "the audit head's hash")?,
        at,
        checkpoint,
        signature: signature.map(|s| array(s, "the audit head's signature")).transpose()?,
    })
}

async fn head(conn: &mut AnyConnection) -> Result<SignedHead, StoreError> {
    let row: HeadRow = sqlx::query_as("select seq, hash, at, checkpoint_seq, signature from audit_head where id = 1")
        .fetch_one(&mut *conn)
        .await
        .map_err(decode_err("the audit head"))?;
    head_from(row)
}

pub(crate) async fn checkpoints(conn: &mut AnyConnection) -> Result<Vec<Checkpoint>, StoreError> {
    type Row = (i64, Vec<u8>, Vec<u8>, String, i64, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as("select seq, hash, signature, key_id, at, prev_seq from audit_checkpoints order by seq")
        .fetch_all(&mut *conn)
        .await
        .map_err(decode_err("the audit checkpoints"))?;
    rows.into_iter()
        .map(|(seq, hash, signature, key_id, at, prev)| {
            Ok(Checkpoint {
                seq,
                hash: array(hash, &format!("the hash of the checkpoint at entry {seq}"))?,
                at,
                prev,
                signature: array(signature, &format!("the signature of the checkpoint at entry {seq}"))?,
                key_id,
            })
        })
        .collect()
}

/// The head, the checkpoints and the highest entry, in one read
/// transaction: a snapshot on both back ends (SQLite's WAL gives a read
/// transaction one; PostgreSQL needs repeatable read), so a concurrent
/// append cannot slip between the reads.
pub(crate) async fn state(pool: &AnyPool, backend: Backend) -> Result<AuditState, StoreError> {
    let mut tx = pool.begin().await.map_err(db_err)?;
    let result = async {
        if backend == Backend::Postgres {
            sqlx::query("set transaction isolation level repeatable read").execute(&mut *tx).await.map_err(db_err)?;
        }
        let head = head(&mut tx).await?;
        let checkpoints = checkpoints(&mut tx).await?;
        let (last,): (Option<i64>,) = sqlx::query_as("select max(seq) from audit_log").fetch_one(&mut *tx).await.map_err(db_err)?;
        Ok(AuditState { head, checkpoints, last_seq: last.unwrap_or(0) })
    }
    .await;
    let _ = tx.rollback().await;
    result
}

/// Append `records` in `tx`: their links, a checkpoint wherever one is due
/// (each naming the one before), and the head, signed. Returns the signed
/// head, for the witness once the transaction commits.
pub(crate) async fn append(
    tx: &mut Transaction<'static, Any>,
    backend: Backend,
    signer: &AuditSigner,
    mut records: Vec<AuditRecord>,
) -> Result<SignedHead, StoreError> {
    // The no-op update takes the write lock (SQLite) or the row lock
    // (PostgreSQL) before the head is read, so concurrent appenders queue
    // instead of forking the chain.
    sqlx::query("update audit_head set seq = seq where id = 1").execute(&mut **tx).await.map_err(db_err)?;
    type Row = (i64, Vec<u8>, i64, i64, Option<Vec<u8>>, Option<Vec<u8>>);
    let (seq, hash, at, checkpoint, signature, key_check): Row = sqlx::query_as(
        "select h.seq, h.hash, h.at, h.checkpoint_seq, h.signature, k.value from audit_head h left join key_check k on k.id = 1 where h.id = 1",
    )
    .fetch_one(&mut **tx)
    .await
    .map_err(decode_err("the audit head"))?;
    // Entries hashed under another installation's chain key would break
    // the chain for good: refused here whatever opened the store.
    if key_check.is_some_and(|k| k.as_slice() != signer.key_check()) {
        return Err(StoreError::ForeignKeys);
    }
    let old = head_from((seq, hash, at, checkpoint, signature))?;
    let mut seq = old.seq;
    let mut prev = old.hash;
    if seq == 0 {
        prev = SIGNED_GENESIS;
    } else if old.signature.is_none() {
        // A log written by a candor that did not sign heads: mark where
        // signing begins, inside the chain, where nobody without the chain
        // key can remove or add the mark.
        let at = records.first().map(|r| r.at).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
        records.insert(0, AuditRecord::new(at, "candor", HEAD_SIGNING_ACTION, serde_json::json!({ "unsigned_entries": seq })));
    }
    let mut last_checkpoint = old.checkpoint;
    let mut latest = old.at;
    let mut checkpoints = Vec::new();
    let mut links = Vec::with_capacity(records.len());
    for record in records {
        seq += 1;
        let body = record
            .body()
            .map_err(|e| StoreError::Failed { what: format!("audit entry {seq} could not be encoded"), source: Box::new(e) })?;
        let hash = signer.chain_key().hash(seq, body.as_bytes(), &prev);
        let at = micros(record.at);
        latest = latest.max(at);
        if signer.due(seq) {
            checkpoints.push(signer.checkpoint(seq, hash, at, last_checkpoint));
            last_checkpoint = seq;
        }
        links.push((seq, body, hash));
        prev = hash;
    }
    rows::insert_audit_links(tx, backend, &links).await?;
    for cp in checkpoints {
        sqlx::query("insert into audit_checkpoints (seq, hash, signature, key_id, at, prev_seq) values ($1, $2, $3, $4, $5, $6)")
            .bind(cp.seq)
            .bind(cp.hash.to_vec())
            .bind(cp.signature.to_vec())
            .bind(&cp.key_id)
            .bind(cp.at)
            .bind(cp.prev)
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    let head = signer.head(seq, prev, latest, last_checkpoint);
    sqlx::query("update audit_head set seq = $1, hash = $2, at = $3, checkpoint_seq = $4, signature = $5 where id = 1")
        .bind(head.seq)
        .bind(head.hash.to_vec())
        .bind(head.at)
        .bind(head.checkpoint)
        .bind(head.signature.map(|s| s.to_vec()))
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    Ok(head)
}

/// After the commit: the signed head to the witness. A failure is logged,
/// not returned: the batch is committed, and a witness behind the chain is
/// what a crash leaves too, which `audit verify` accepts.
pub(crate) fn witness(signer: &AuditSigner, head: &SignedHead) {
    if let Some(w) = signer.witness() {
        if let Err(e) = w.append(signer.key_id(), head) {
            tracing::warn!(path = %w.path().display(), error = %e, seq = head.seq, "could not append the signed head to the audit witness");
        }
    }
}
