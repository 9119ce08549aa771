//! Migrations: each back end's numbered SQL files, applied by sqlx's
//! [`Migrator`], which records every applied migration with its checksum in
//! `_sqlx_migrations` and refuses a database whose applied migration differs
//! from the file this build carries.
//!
//! Databases made before candor used the [`Migrator`] recorded only the
//! highest version applied, in `candor_schema`. Such a database is adopted:
//! the migrations it has applied are recorded with this build's checksums
//! (nothing older can be checked), and from then on sqlx checks them.
//! `candor_schema` is still kept (the highest version applied), so that an
//! older candor, which reads only it, refuses a newer schema.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use candor_store::StoreError;
use sqlx::migrate::{Migrate, MigrateError, Migration, MigrationSource, MigrationType, Migrator};
use sqlx::{AnyConnection, AnyPool, Connection};

use crate::backend::{Backend, DEFERRABLE_INDEXES};
use crate::db_err;

/// One back end's migration files: name and SQL, oldest first.
type Files = &'static [(&'static str, &'static str)];

macro_rules! files {
    ($dir:literal: $($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../migrations/", $dir, "/", $file)))),*]
    };
}

const SQLITE: Files = files!("sqlite":
    "0001_foundation.sql",
    "0002_analytics.sql",
    "0003_analytics_cache.sql",
    "0004_rights.sql",
    "0005_access.sql",
    "0006_audit_keys.sql",
    "0007_identity_conflicts.sql",
    "0008_session_sources.sql",
    "0009_mail_delivery.sql",
    "0010_concerns.sql",
    "0011_policy_notices.sql",
    "0012_sources.sql",
    "0013_passkeys.sql",
);
const POSTGRES: Files = files!("postgres":
    "0001_foundation.sql",
    "0002_analytics.sql",
    "0003_analytics_cache.sql",
    "0004_rights.sql",
    "0005_access.sql",
    "0006_audit_keys.sql",
    "0007_identity_conflicts.sql",
    "0008_session_sources.sql",
    "0009_mail_delivery.sql",
    "0010_concerns.sql",
    "0011_policy_notices.sql",
    "0012_sources.sql",
    "0013_passkeys.sql",
);

fn files(backend: Backend) -> Files {
    match backend {
        Backend::Sqlite => SQLITE,
        Backend::Postgres => POSTGRES,
    }
}

/// The migrations of `files`, as sqlx resolves a directory: the number
/// before the first `_` is the version, the rest (spaces for `_`) the
/// description, and the checksum is the SHA-384 of the SQL.
fn resolve(files: Files) -> Result<Vec<Migration>, String> {
    files
        .iter()
        .map(|(name, sql)| {
            let stem = name.strip_suffix(".sql").unwrap_or(name);
            let (number, description) = stem.split_once('_').ok_or_else(|| format!("`{name}` is not named NNNN_what.sql"))?;
            let version = number.parse().map_err(|_| format!("`{name}` does not start with its number"))?;
            Ok(Migration::new(version, Cow::Owned(description.replace('_', " ")), MigrationType::Simple, Cow::Borrowed(sql), false))
        })
        .collect()
}

/// The files compiled into this build, as a source the [`Migrator`] reads.
#[derive(Debug)]
struct Embedded(Files);

impl MigrationSource<'static> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, sqlx::error::BoxDynError>> + Send + 'static>> {
        Box::pin(async move { resolve(self.0).map_err(Into::into) })
    }
}

/// The file a migration number names, for messages.
fn file_of(files: Files, version: i64) -> String {
    files
        .iter()
        .find(|(name, _)| name.split('_').next().and_then(|n| n.parse::<i64>().ok()) == Some(version))
        .map_or_else(|| format!("{version:04}_?.sql"), |(name, _)| (*name).to_owned())
}

fn supported(files: Files) -> i64 {
    files.last().and_then(|(name, _)| name.split('_').next()?.parse().ok()).unwrap_or(0)
}

fn migrate_err(e: MigrateError, files: Files) -> StoreError {
    match e {
        MigrateError::VersionMismatch(version) => StoreError::EditedMigration { version, file: file_of(files, version) },
        MigrateError::VersionMissing(found) => StoreError::NewerSchema { found, supported: supported(files) },
        MigrateError::ExecuteMigration(source, version) => {
            StoreError::Migration { version, file: file_of(files, version), source: Box::new(source) }
        }
        MigrateError::Execute(e) => db_err(e),
        MigrateError::Dirty(version) => StoreError::Inconsistent(format!(
            "migration {version} (`{}`) was left partly applied; restore the database from a backup",
            file_of(files, version)
        )),
        other => StoreError::Database(Box::new(other)),
    }
}

/// Apply pending migrations; refuse a schema newer than this build knows
/// or an applied migration that was edited since.
pub(crate) async fn migrate(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    let files = files(backend);
    let mut migrator = Migrator::new(Embedded(files)).await.map_err(|e| migrate_err(e, files))?;
    // The lock is taken here rather than by the migrator, so that adopting
    // an older database happens under it too: two processes starting at
    // once do not both adopt it. (A no-op on SQLite, whose writers queue.)
    migrator.set_locking(false);
    let mut conn = pool.acquire().await.map_err(db_err)?;
    conn.lock().await.map_err(|e| migrate_err(e, files))?;
    let result = run(&mut conn, backend, &migrator, files).await;
    let unlocked = conn.unlock().await.map_err(|e| migrate_err(e, files));
    result?;
    unlocked?;
    drop(conn);
    // An import killed while its indexes were deferred left them dropped.
    for (_, create) in DEFERRABLE_INDEXES {
        sqlx::query(create).execute(pool).await.map_err(db_err)?;
    }
    Ok(())
}

async fn run(conn: &mut AnyConnection, backend: Backend, migrator: &Migrator, files: Files) -> Result<(), StoreError> {
    sqlx::query("create table if not exists candor_schema (version bigint not null)").execute(&mut *conn).await.map_err(db_err)?;
    let (recorded,): (i64,) =
        sqlx::query_as("select coalesce(max(version), 0) from candor_schema").fetch_one(&mut *conn).await.map_err(db_err)?;
    let supported = supported(files);
    if recorded > supported {
        return Err(StoreError::NewerSchema { found: recorded, supported });
    }
    if recorded > 0 && !has_sqlx_table(conn, backend).await? {
        adopt(conn, migrator, recorded).await.map_err(|e| migrate_err(e, files))?;
    }
    migrator.run(&mut *conn).await.map_err(|e| migrate_err(e, files))?;
    let applied = sqlx::query(
        "insert into candor_schema (version) select version from _sqlx_migrations where version > (select coalesce(max(version), 0) from candor_schema) order by version",
    )
    .execute(&mut *conn)
    .await
    .map_err(db_err)?;
    if applied.rows_affected() > 0 {
        tracing::info!(from = recorded, applied = applied.rows_affected(), "applied migrations");
    }
    Ok(())
}

async fn has_sqlx_table(conn: &mut AnyConnection, backend: Backend) -> Result<bool, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "select count(*) from sqlite_master where type = 'table' and name = '_sqlx_migrations'",
        Backend::Postgres => "select count(*) from pg_tables where tablename = '_sqlx_migrations' and schemaname = current_schema()",
    };
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(conn).await.map_err(db_err)?;
    Ok(n > 0)
}

/// Record the migrations an older candor applied (every one up to
/// `recorded`, in order, as it applied them) with this build's checksums,
/// in one transaction.
async fn adopt(conn: &mut AnyConnection, migrator: &Migrator, recorded: i64) -> Result<(), MigrateError> {
    let mut tx = conn.begin().await?;
    tx.ensure_migrations_table().await?;
    for m in migrator.iter().filter(|m| m.version <= recorded) {
        sqlx::query("insert into _sqlx_migrations (version, description, success, checksum, execution_time) values ($1, $2, true, $3, -1)")
            .bind(m.version)
            .bind(m.description.as_ref())
            .bind(m.checksum.to_vec())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    tracing::info!(version = recorded, "recorded the migrations an older candor applied, with their checksums");
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn both_back_ends_have_the_same_numbered_files_in_order() {
        for files in [super::SQLITE, super::POSTGRES] {
            let versions: Vec<i64> = super::resolve(files).unwrap().iter().map(|m| m.version).collect();
            assert_eq!(versions, (1..=super::supported(files)).collect::<Vec<_>>());
        }
        let names = |f: super::Files| f.iter().map(|(n, _)| *n).collect::<Vec<_>>();
        assert_eq!(names(super::SQLITE), names(super::POSTGRES));
        assert_eq!(super::file_of(super::SQLITE, 3), "0003_analytics_cache.sql");
    }
}
