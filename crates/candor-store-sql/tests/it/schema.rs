//! Opening, migrating and refusing what cannot be opened.

use candor_store::{AuditStore as _, BatchStore as _, StoreError};
use candor_store_sql::{OpenOptions, SqlStore};
use candor_test_support::{each_backend, TestDb};

/// How many migration files there are and the newest one's number (the
/// same for both back ends, as the migrations README says).
fn migrations() -> (i64, i64) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let numbers = |backend: &str| -> Vec<i64> {
        let mut v: Vec<i64> = std::fs::read_dir(dir.join(backend))
            .unwrap()
            .filter_map(|e| e.unwrap().file_name().to_str().and_then(|n| n.strip_suffix(".sql")).and_then(|n| n.get(..4)?.parse().ok()))
            .collect();
        v.sort_unstable();
        v
    };
    let (sqlite, postgres) = (numbers("sqlite"), numbers("postgres"));
    assert_eq!(sqlite, postgres, "each migration in both dialects");
    (sqlite.len() as i64, *sqlite.last().unwrap())
}

#[tokio::test]
async fn opening_twice_applies_the_migrations_once() {
    each_backend(|db| async move {
        let s = db.open().await;
        s.close().await;
        let s = db.open().await;
        let (n, v): (i64, i64) = sqlx::query_as("select count(*), max(version) from candor_schema").fetch_one(s.pool()).await.unwrap();
        let (files, newest) = migrations();
        assert_eq!((n, v), (files, newest), "{}", db.name());
        assert_eq!(s.audit_head().await.unwrap(), (0, [0; 32]));
        s.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_database_written_by_a_newer_candor_is_refused() {
    each_backend(|db| async move {
        let s = db.open().await;
        sqlx::query("insert into candor_schema (version) values (999)").execute(s.pool()).await.unwrap();
        s.close().await;
        let err = SqlStore::open(&db.url, db.options()).await.unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { found: 999, supported } if supported == migrations().1), "{err}");
        assert!(err.to_string().contains("upgrade candor"), "{err}");
    })
    .await;
}

#[tokio::test]
async fn an_unreachable_postgres_server_is_a_clear_error_without_the_password() {
    let err = SqlStore::open(
        "postgres://candor:s3cret@127.0.0.1:1/candor",
        OpenOptions { connect_timeout: Some(std::time::Duration::from_secs(2)), ..OpenOptions::default() },
    )
    .await
    .unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, StoreError::Connect { .. }), "{msg}");
    assert!(msg.contains("127.0.0.1:1") && msg.contains("server running"), "{msg}");
    assert!(!msg.contains("s3cret"), "{msg}");
}

#[tokio::test]
async fn urls_of_other_databases_are_refused() {
    let err = SqlStore::open("mysql://root@localhost/x", OpenOptions::default()).await.unwrap_err();
    assert!(matches!(err, StoreError::UnsupportedUrl(_)), "{err}");
    assert!(err.to_string().contains("sqlite://"));
}

#[tokio::test]
async fn a_missing_sqlite_file_is_not_created_unless_asked() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("nope.db").display());
    let err = SqlStore::open(&url, OpenOptions::default()).await.unwrap_err();
    assert!(err.to_string().contains("candor init"), "{err}");
    assert!(!dir.path().join("nope.db").exists());
}

#[tokio::test]
async fn sqlite_runs_with_wal_foreign_keys_and_secure_delete() {
    let db = TestDb::sqlite();
    let s = db.open().await;
    let mut conn = s.pool().acquire().await.unwrap();
    let (mode,): (String,) = sqlx::query_as("pragma journal_mode").fetch_one(&mut *conn).await.unwrap();
    let (fk,): (i64,) = sqlx::query_as("pragma foreign_keys").fetch_one(&mut *conn).await.unwrap();
    let (sd,): (i64,) = sqlx::query_as("pragma secure_delete").fetch_one(&mut *conn).await.unwrap();
    assert_eq!((mode.as_str(), fk, sd), ("wal", 1, 1));
}

/// A database as candor wrote it before migration 0006: schema version 5
/// and a log of `n` entries with an unsigned head and a checkpoint signed
/// over the entry and its hash only. Returns the chain's last hash.
async fn version_5_with_a_log(db: &TestDb, keys: &candor_store::KeyRing, n: i64) -> [u8; 32] {
    use candor_store::audit::{sign::legacy_checkpoint_message, LEGACY_GENESIS};
    use sqlx::Connection;
    let files: [&str; 5] = match db.backend {
        candor_store_sql::Backend::Sqlite => [
            include_str!("../../migrations/sqlite/0001_foundation.sql"),
            include_str!("../../migrations/sqlite/0002_analytics.sql"),
            include_str!("../../migrations/sqlite/0003_analytics_cache.sql"),
            include_str!("../../migrations/sqlite/0004_rights.sql"),
            include_str!("../../migrations/sqlite/0005_access.sql"),
        ],
        candor_store_sql::Backend::Postgres => [
            include_str!("../../migrations/postgres/0001_foundation.sql"),
            include_str!("../../migrations/postgres/0002_analytics.sql"),
            include_str!("../../migrations/postgres/0003_analytics_cache.sql"),
            include_str!("../../migrations/postgres/0004_rights.sql"),
            include_str!("../../migrations/postgres/0005_access.sql"),
        ],
    };
    sqlx::any::install_default_drivers();
    let url = match db.sqlite_file() {
        Some(f) => format!("sqlite://{}?mode=rwc", f.display()),
        None => db.url.clone(),
    };
    let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
    if let Some(schema) = &db.schema {
        sqlx::raw_sql(&format!("create schema {schema}; set search_path to {schema}")).execute(&mut c).await.unwrap();
    }
    sqlx::raw_sql("create table candor_schema (version bigint not null)").execute(&mut c).await.unwrap();
    for (i, sql) in files.iter().enumerate() {
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
        sqlx::query("insert into candor_schema (version) values ($1)").bind(i as i64 + 1).execute(&mut c).await.unwrap();
    }
    let chain = keys.audit_chain_key();
    let mut prev = LEGACY_GENESIS;
    for seq in 1..=n {
        let body = crate::audit(&format!("old.{seq}")).body();
        let hash = chain.hash(seq, body.as_bytes(), &prev);
        sqlx::query("insert into audit_log (seq, body, hash) values ($1, $2, $3)")
            .bind(seq)
            .bind(body)
            .bind(hex::encode(hash))
            .execute(&mut c)
            .await
            .unwrap();
        if seq % 4 == 0 {
            sqlx::query("insert into audit_checkpoints (seq, hash, signature, key_id, at) values ($1, $2, $3, 'old', 0)")
                .bind(seq)
                .bind(hash.to_vec())
                .bind(keys.sign(&legacy_checkpoint_message(seq, &hash)).to_vec())
                .execute(&mut c)
                .await
                .unwrap();
        }
        prev = hash;
    }
    sqlx::query("update audit_head set seq = $1, hash = $2").bind(n).bind(prev.to_vec()).execute(&mut c).await.unwrap();
    c.close().await.unwrap();
    prev
}

async fn verify(store: &SqlStore, keys: &candor_store::KeyRing) -> Result<candor_store::Verified, candor_store::Tamper> {
    let state = store.audit_state().await.unwrap();
    let mut v = candor_store::ChainVerifier::new(&keys.verifying_key(), keys.audit_chain_key(), state.checkpoints)?;
    for l in store.audit_links(0, state.last_seq).await.unwrap().iter() {
        v.push(&l)?;
    }
    v.finish(&state.head)
}

#[tokio::test]
async fn a_log_written_before_signed_heads_is_upgraded_and_signs_from_its_next_append() {
    each_backend(|db| async move {
        let (_dir, keys) = crate::keys();
        let keys = std::sync::Arc::new(keys);
        let last = version_5_with_a_log(&db, &keys, 9).await;
        let s = db.open().await.with_signer(candor_store::AuditSigner::new(keys.clone(), 4));
        let state = s.audit_state().await.unwrap();
        assert_eq!((state.head.seq, state.head.hash, state.head.checkpoint, state.head.signature), (9, last, 8, None));
        assert_eq!(state.checkpoints.iter().map(|c| c.prev).collect::<Vec<_>>(), vec![None, None]);
        // Verified as it is: an older candor's log, its head not signed yet.
        assert_eq!(verify(&s, &keys).await.map(|v| (v.entries, v.head_signed)), Ok((9, false)));

        // The next append marks where signing begins, then signs.
        s.apply(candor_store::WriteBatch { ops: vec![], audit: vec![crate::audit("new")] }).await.unwrap();
        let entries = s.audit_entries(9, 10).await.unwrap();
        assert_eq!(entries.iter().map(|e| e.record.action.as_str()).collect::<Vec<_>>(), vec!["audit.head_signing", "new"]);
        assert_eq!(entries[0].record.detail["unsigned_entries"], 9);
        assert_eq!(verify(&s, &keys).await.map(|v| (v.entries, v.head_signed)), Ok((11, true)));
        let cps = s.audit_checkpoints().await.unwrap();
        assert_eq!(cps.last().map(|c| (c.seq, c.prev)), Some((8, None)), "no new checkpoint was due");

        // From now on an unsigned head is refused.
        sqlx::query("update audit_head set signature = null").execute(s.pool()).await.unwrap();
        assert_eq!(verify(&s, &keys).await.unwrap_err(), candor_store::Tamper::HeadUnsigned { seq: 11, since: 10 });
        s.close().await;
    })
    .await;
}
