//! Opening, migrating and refusing what cannot be opened.

use candor_store::{Store, StoreError};
use candor_store_sql::{OpenOptions, SqlStore};
use candor_test_support::{each_backend, TestDb};

#[tokio::test]
async fn opening_twice_applies_the_migrations_once() {
    each_backend(|db| async move {
        let s = db.open().await;
        s.close().await;
        let s = db.open().await;
        let (n, v): (i64, i64) = sqlx::query_as("select count(*), max(version) from candor_schema").fetch_one(s.pool()).await.unwrap();
        assert_eq!((n, v), (6, 7), "{}", db.name());
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
        assert!(matches!(err, StoreError::NewerSchema { found: 999, supported: 7 }), "{err}");
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
