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
        assert_eq!(applied(&s).await, recorded_checksums(&db, newest), "sqlx records each migration with its checksum");
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

/// The migrations `_sqlx_migrations` records: version, checksum, success.
async fn applied(s: &SqlStore) -> Vec<(i64, Vec<u8>, bool)> {
    // The `Any` driver reads no booleans from SQLite: ask for a number.
    let rows: Vec<(i64, Vec<u8>, i64)> = sqlx::query_as(
        "select version, checksum, cast(case when success then 1 else 0 end as bigint) from _sqlx_migrations order by version",
    )
    .fetch_all(s.pool())
    .await
    .unwrap();
    rows.into_iter().map(|(v, c, ok)| (v, c, ok == 1)).collect()
}

/// This back end's migration files, oldest first.
fn files(db: &TestDb) -> Vec<(i64, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations").join(db.name());
    let mut v: Vec<(i64, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .map(|p| (p.file_name().unwrap().to_str().unwrap()[..4].parse().unwrap(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    v.sort();
    v
}

/// What sqlx records for the first `upto` files: version, SHA-384, success.
fn recorded_checksums(db: &TestDb, upto: i64) -> Vec<(i64, Vec<u8>, bool)> {
    use sha2::Digest;
    files(db).into_iter().filter(|(v, _)| *v <= upto).map(|(v, sql)| (v, sha2::Sha384::digest(sql.as_bytes()).to_vec(), true)).collect()
}

/// A database as candor made it before it used sqlx's migrator: the first
/// `upto` migration files each run as they are, and `candor_schema`
/// recording each version (the old code path, step by step), with a row
/// of data to find again.
async fn made_the_old_way(db: &TestDb, upto: i64) {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let url = match db.sqlite_file() {
        Some(f) => format!("sqlite://{}?mode=rwc", f.display()),
        None => db.url.clone(),
    };
    let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
    if let Some(schema) = &db.schema {
        sqlx::raw_sql(&format!("create schema {schema}; set search_path to {schema}")).execute(&mut c).await.unwrap();
    }
    sqlx::query("create table if not exists candor_schema (version bigint not null)").execute(&mut c).await.unwrap();
    for (version, sql) in files(db).into_iter().filter(|(v, _)| *v <= upto) {
        let mut tx = c.begin().await.unwrap();
        sqlx::raw_sql(&sql).execute(&mut *tx).await.unwrap();
        sqlx::query("insert into candor_schema (version) values ($1)").bind(version).execute(&mut *tx).await.unwrap();
        tx.commit().await.unwrap();
    }
    sqlx::query("insert into actors (id, roles, created_at) values ('old-timer', 'admin', 0)").execute(&mut c).await.unwrap();
    c.close().await.unwrap();
}

#[tokio::test]
async fn a_database_made_before_sqlx_migrations_is_adopted_and_migrated_on() {
    each_backend(|db| async move {
        let (_, newest) = migrations();
        for upto in [5, newest] {
            let db = match db.backend {
                candor_store_sql::Backend::Sqlite => TestDb::sqlite(),
                candor_store_sql::Backend::Postgres => TestDb::postgres().unwrap(),
            };
            made_the_old_way(&db, upto).await;
            let s = SqlStore::open(&db.url, OpenOptions { create: false, ..db.options() }).await.unwrap();
            assert_eq!(applied(&s).await, recorded_checksums(&db, newest), "{} from version {upto}", db.name());
            let (n, v): (i64, i64) = sqlx::query_as("select count(*), max(version) from candor_schema").fetch_one(s.pool()).await.unwrap();
            assert_eq!((n, v), (newest, newest), "an older candor still reads the schema's version");
            let actors: Vec<(String,)> = sqlx::query_as("select id from actors").fetch_all(s.pool()).await.unwrap();
            assert_eq!(actors, vec![("old-timer".to_owned(),)], "the data stays");
            s.close().await;
            // Adopted once: opening again checks and changes nothing.
            let s = SqlStore::open(&db.url, db.options()).await.unwrap();
            assert_eq!(applied(&s).await, recorded_checksums(&db, newest));
            s.close().await;
        }
    })
    .await;
}

#[tokio::test]
async fn a_database_whose_applied_migration_was_edited_is_refused_naming_it() {
    each_backend(|db| async move {
        let s = db.open().await;
        // As if `0003_analytics_cache.sql` had been edited after this
        // database applied it.
        sqlx::query("update _sqlx_migrations set checksum = $1 where version = 3").bind(vec![0u8; 48]).execute(s.pool()).await.unwrap();
        s.close().await;
        let err = SqlStore::open(&db.url, db.options()).await.unwrap_err();
        assert!(matches!(err, StoreError::EditedMigration { version: 3, ref file } if file == "0003_analytics_cache.sql"), "{err}");
        let msg = err.to_string();
        assert!(msg.contains("migration 3 (`0003_analytics_cache.sql`) was changed after this database applied it"), "{msg}");
        assert!(msg.contains("run the candor release that made the database"), "{msg}");
    })
    .await;
}

#[tokio::test]
async fn a_migration_only_a_newer_candor_knows_is_refused() {
    each_backend(|db| async move {
        let s = db.open().await;
        sqlx::query(
            "insert into _sqlx_migrations (version, description, success, checksum, execution_time) values (9999, 'future', true, $1, 0)",
        )
        .bind(vec![1u8; 48])
        .execute(s.pool())
        .await
        .unwrap();
        s.close().await;
        let err = SqlStore::open(&db.url, db.options()).await.unwrap_err();
        assert!(matches!(err, StoreError::NewerSchema { found: 9999, supported } if supported == migrations().1), "{err}");
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
    // The driver's error is kept as the cause, and carries no password either.
    let cause = std::error::Error::source(&err).expect("the driver's error is the cause");
    assert!(cause.downcast_ref::<sqlx::Error>().is_some(), "{cause}");
    assert!(!cause.to_string().contains("s3cret"), "{cause}");
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
        let body = crate::audit(&format!("old.{seq}")).body().unwrap();
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

/// Identities and attributes stored before sources were kept (migration
/// 0012) say where they came from only when that is certain: an identity
/// that names a platform was read off it; the rest say "unrecorded".
#[tokio::test]
async fn details_stored_before_sources_were_kept_are_not_given_a_guessed_source() {
    use candor_domain::{Provenance, SubjectId};
    use candor_store::SubjectStore as _;
    each_backend(|db| async move {
        let db = match db.backend {
            candor_store_sql::Backend::Sqlite => TestDb::sqlite(),
            candor_store_sql::Backend::Postgres => TestDb::postgres().unwrap(),
        };
        made_the_old_way(&db, 11).await;
        let id = SubjectId::new();
        {
            use sqlx::Connection;
            let url = match db.sqlite_file() {
                Some(f) => format!("sqlite://{}", f.display()),
                None => db.url.clone(),
            };
            let mut c = sqlx::AnyConnection::connect(&url).await.unwrap();
            if let Some(schema) = &db.schema {
                sqlx::raw_sql(&format!("set search_path to {schema}")).execute(&mut c).await.unwrap();
            }
            sqlx::query("insert into subjects (id, pseudonym, kek_id, wrapped_key, created_at) values ($1, 'p-old', 'k1', $2, 0)")
                .bind(id.to_string())
                .bind(vec![1u8; 8])
                .execute(&mut c)
                .await
                .unwrap();
            for (index, kind, platform) in [(vec![1u8], "handle", Some("x")), (vec![2u8], "email", None)] {
                sqlx::query("insert into identities (blind_index, subject_id, kind, platform, sealed) values ($1, $2, $3, $4, $5)")
                    .bind(index)
                    .bind(id.to_string())
                    .bind(kind)
                    .bind(platform)
                    .bind(vec![0u8; 4])
                    .execute(&mut c)
                    .await
                    .unwrap();
            }
            sqlx::query("insert into subject_attributes (subject_id, name, category, sealed) values ($1, 'name', 'user.name', $2)")
                .bind(id.to_string())
                .bind(vec![0u8; 4])
                .execute(&mut c)
                .await
                .unwrap();
            c.close().await.unwrap();
        }
        let s = SqlStore::open(&db.url, OpenOptions { create: false, ..db.options() }).await.unwrap();
        let r = s.subject(id).await.unwrap().expect("the subject stays");
        let sources: Vec<(String, Provenance)> = r.identities.iter().map(|i| (i.kind.clone(), i.source.clone())).collect();
        assert_eq!(sources, vec![("email".into(), Provenance::Unrecorded), ("handle".into(), Provenance::Platform("x".into()))]);
        assert_eq!(r.attributes[0].source, Provenance::Unrecorded);
        // A source no candor writes is reported as corrupt, not shown as another.
        sqlx::query("update subject_attributes set source = 'gossip'").execute(s.pool()).await.unwrap();
        let err = s.subject(id).await.unwrap_err();
        assert!(err.corruption().is_some_and(|why| why.contains("`gossip`")), "{err}");
        s.close().await;
    })
    .await;
}
