//! Fixtures shared by candor's integration tests.
//!
//! [`TestDb::all`] yields a fresh SQLite file always and, when
//! `CANDOR_TEST_DATABASE_URL` is set, a PostgreSQL schema of its own (named
//! after a random id, dropped when the fixture goes away), so one story
//! suite runs on both back ends and concurrent runs never collide.
//! [`Fixture`] adds a key directory, the store with its audit signer and the
//! service over them.
#![deny(missing_docs)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, reason = "test support: a failed fixture should fail the test loudly")]

use std::path::{Path, PathBuf};
use std::sync::Arc;

pub mod passkey;
pub mod smtp;

use candor_domain::{Role, EXAMPLE_POLICY};
use candor_service::Candor;
use candor_store::{AuditSigner, KeyRing};
use candor_store_sql::{Backend, OpenOptions, SqlStore};
use time::Duration;

/// The variable naming the PostgreSQL server tests may use.
pub const PG_ENV: &str = "CANDOR_TEST_DATABASE_URL";

/// A database for one test.
pub struct TestDb {
    /// Which back end.
    pub backend: Backend,
    /// The URL to open.
    pub url: String,
    /// The PostgreSQL schema, for PostgreSQL.
    pub schema: Option<String>,
    /// A directory for the SQLite file, keys and anything else.
    pub dir: tempfile::TempDir,
}

impl std::fmt::Debug for TestDb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.name())
    }
}

impl TestDb {
    /// A fresh SQLite file.
    pub fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("candor.db").display());
        Self { backend: Backend::Sqlite, url, schema: None, dir }
    }

    /// A fresh PostgreSQL schema, when `CANDOR_TEST_DATABASE_URL` is set.
    pub fn postgres() -> Option<Self> {
        let url = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty())?;
        let schema = format!("t_{}", uuid::Uuid::new_v4().simple());
        Some(Self { backend: Backend::Postgres, url, schema: Some(schema), dir: tempfile::tempdir().expect("tempdir") })
    }

    /// SQLite, and PostgreSQL when configured.
    pub fn all() -> Vec<Self> {
        let mut v = vec![Self::sqlite()];
        match Self::postgres() {
            Some(pg) => v.push(pg),
            None => eprintln!("note: {PG_ENV} is not set; PostgreSQL is not tested in this run"),
        }
        v
    }

    /// `sqlite` or `postgres`, for messages.
    pub fn name(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// The SQLite file, for SQLite.
    pub fn sqlite_file(&self) -> Option<PathBuf> {
        (self.backend == Backend::Sqlite).then(|| self.dir.path().join("candor.db"))
    }

    /// The options to open it with.
    pub fn options(&self) -> OpenOptions {
        OpenOptions { create: true, schema: self.schema.clone(), ..OpenOptions::default() }
    }

    /// Open (and migrate) the store, without an audit signer.
    pub async fn open(&self) -> SqlStore {
        SqlStore::open(&self.url, self.options()).await.unwrap_or_else(|e| panic!("opening {}: {e}", self.name()))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some(schema) = self.schema.clone() else { return };
        let url = self.url.clone();
        // Drop is synchronous and may run inside a runtime: clean up on a
        // thread of its own with a runtime of its own.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                sqlx::any::install_default_drivers();
                if let Ok(mut conn) = <sqlx::AnyConnection as sqlx::Connection>::connect(&url).await {
                    let _ = sqlx::Executor::execute(&mut conn, format!("drop schema if exists {schema} cascade").as_str()).await;
                }
            });
        })
        .join();
    }
}

/// Run `f` once per back end, saying which on standard error so a failure
/// names it.
pub async fn each_backend<F, Fut>(f: F)
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for db in TestDb::all() {
        eprintln!("-- on {}", db.name());
        f(db).await;
    }
}

/// A store with keys and the service over it.
pub struct Fixture {
    /// The database.
    pub db: TestDb,
    /// The concrete store.
    pub store: Arc<SqlStore>,
    /// The keys.
    pub keys: Arc<KeyRing>,
    /// The service.
    pub candor: Candor,
}

/// Checkpoint interval used by fixtures: small, so tests cross several.
pub const CHECKPOINT_EVERY: u32 = 4;

impl Fixture {
    /// Keys in `db.dir/keys`, the store with an audit signer (witnessing
    /// heads in `keys/audit-witness`), the service, opened as the CLI opens
    /// it (the key check value recorded).
    pub async fn new(db: TestDb) -> Self {
        let keys_dir = db.dir.path().join("keys");
        KeyRing::create(&keys_dir).expect("create keys");
        let keys = Arc::new(KeyRing::load_with(&keys_dir, None).expect("load keys"));
        let store = Arc::new(db.open().await.with_signer(AuditSigner::new(Arc::clone(&keys), CHECKPOINT_EVERY)));
        let candor = Candor::open(store.clone(), Arc::clone(&keys)).await.expect("open the service");
        Self { db, store, keys, candor }
    }

    /// A fixture with the example policy published and trained staff:
    /// `alice` (agent), `ana` (analyst), `mark` (marketer), `carla`
    /// (compliance); `bob` (agent) has no training.
    pub async fn with_policy(db: TestDb) -> Self {
        let f = Self::new(db).await;
        f.candor.publish_policy("test", "policy.toml", EXAMPLE_POLICY).await.expect("publish");
        for (id, role) in
            [("alice", Role::Agent), ("ana", Role::Analyst), ("mark", Role::Marketer), ("carla", Role::Compliance), ("bob", Role::Agent)]
        {
            f.candor.upsert_actor("test", id, vec![role]).await.expect("actor");
        }
        for id in ["alice", "ana", "mark", "carla"] {
            f.candor.attest_training("test", id, "privacy and ethics", Duration::days(365)).await.expect("attest");
        }
        f
    }

    /// The key directory.
    pub fn keys_dir(&self) -> PathBuf {
        self.db.dir.path().join("keys")
    }

    /// The audit witness the store writes and verification reads.
    pub fn witness(&self) -> PathBuf {
        self.keys_dir().join(candor_store::audit::witness::DEFAULT_FILE)
    }

    /// The fixture's directory.
    pub fn dir(&self) -> &Path {
        self.db.dir.path()
    }

    /// Run SQL directly against the database, as an attacker or a broken
    /// tool would.
    pub async fn exec(&self, sql: &str) -> u64 {
        sqlx::query(sql).execute(self.store.pool()).await.unwrap_or_else(|e| panic!("{sql}: {e}")).rows_affected()
    }
}
