//! What differs between SQLite and PostgreSQL: connecting and
//! per-connection settings (the migration files are in [`crate::migrate`]).

use std::str::FromStr;
use std::time::Duration;

use candor_store::{redact_url, Cause, StoreError};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;
use sqlx::{Connection, Executor};

use crate::db_err;

/// The back end a URL selects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

/// How to open.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// Create the SQLite file (mode 0600) or the PostgreSQL schema if it
    /// does not exist (`candor init`); otherwise a missing one is an error.
    pub create: bool,
    /// PostgreSQL schema to use; tests use one each.
    pub schema: Option<String>,
    /// Maximum pool size (default 4 on SQLite, 16 on PostgreSQL).
    pub max_connections: Option<u32>,
    /// How long to keep trying to reach the database (default 5 s).
    pub connect_timeout: Option<Duration>,
    /// PostgreSQL: plan every statement for its values
    /// (`plan_cache_mode = force_custom_plan`), which bulk imports need (see
    /// [`connect`]); a server answering many small lookups is faster with
    /// PostgreSQL's generic plans, and turns this off.
    pub generic_plans: bool,
}

/// Indexes a bulk import may drop and rebuild (see
/// [`candor_store::Store::defer_indexes`]), with the statement that makes
/// each; both back ends accept the same SQL.
pub(crate) const DEFERRABLE_INDEXES: &[(&str, &str)] = &[
    (
        "interactions_by_subject",
        "create index if not exists interactions_by_subject on interactions (subject_id, platform, kind, occurred_at)",
    ),
    (
        "interactions_analytics",
        "create index if not exists interactions_analytics on interactions (direction, day, platform, subject_id, polarity, sentiment, themes, month)",
    ),
];

fn is_schema_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() < 60
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && s.starts_with(|c: char| c.is_ascii_lowercase())
}

pub(crate) async fn connect(url: &str, options: &OpenOptions) -> Result<(AnyPool, Backend), StoreError> {
    sqlx::any::install_default_drivers();
    let shown = redact_url(url);
    let connect_err = |reason: String| StoreError::Connect { url: shown.clone(), reason, source: None };
    let because = |reason: String, source: Cause| StoreError::Connect { url: shown.clone(), reason, source: Some(source) };
    let unreachable = |e: sqlx::Error| StoreError::Connect { url: shown.clone(), reason: reason(&e).into(), source: Some(Box::new(e)) };
    let backend = if url.starts_with("sqlite:") {
        Backend::Sqlite
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Backend::Postgres
    } else {
        return Err(StoreError::UnsupportedUrl(shown));
    };
    let url = match backend {
        Backend::Sqlite => {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            if path.is_empty() {
                return Err(StoreError::UnsupportedUrl(shown));
            }
            if !options.create && path != ":memory:" && !std::path::Path::new(path).exists() {
                return Err(connect_err(format!("the file `{path}` does not exist; run `candor init` first")));
            }
            if path != ":memory:" {
                owner_only(std::path::Path::new(path))
                    .map_err(|e| because(format!("cannot make `{path}` readable by its owner only"), Box::new(e)))?;
                // Its log and shared-memory file hold the same data; SQLite
                // makes new ones with the database's mode, but an older
                // candor's may be there already.
                for end in ["-wal", "-shm"] {
                    let side = format!("{path}{end}");
                    if std::path::Path::new(&side).exists() {
                        owner_only(std::path::Path::new(&side))
                            .map_err(|e| because(format!("cannot make `{side}` readable by its owner only"), Box::new(e)))?;
                    }
                }
            }
            format!("sqlite://{}?mode={}", url_path(path), if options.create { "rwc" } else { "rw" })
        }
        Backend::Postgres => url.to_owned(),
    };
    let connect_options = AnyConnectOptions::from_str(&url).map_err(|e| because("the URL is malformed".into(), Box::new(e)))?;
    let schema = match &options.schema {
        Some(s) if !is_schema_name(s) => return Err(connect_err(format!("`{s}` is not a valid schema name"))),
        s => s.clone(),
    };
    if let (Backend::Postgres, Some(schema)) = (backend, &schema) {
        let mut conn = sqlx::AnyConnection::connect_with(&connect_options).await.map_err(unreachable)?;
        if options.create {
            conn.execute(format!("create schema if not exists {schema}").as_str()).await.map_err(db_err)?;
        } else {
            // A mistyped schema must not open a fresh, empty installation.
            let found: Option<(i32,)> = sqlx::query_as("select 1 from pg_namespace where nspname = $1")
                .bind(schema.as_str())
                .fetch_optional(&mut conn)
                .await
                .map_err(db_err)?;
            if found.is_none() {
                let _ = conn.close().await;
                return Err(connect_err(format!(
                    "the schema `{schema}` does not exist in this database; check `database.schema` (or `CANDOR_DATABASE__SCHEMA`), or create the installation with `candor init --database-url URL --schema {schema}`"
                )));
            }
        }
        let _ = conn.close().await;
    }
    let max = options.max_connections.unwrap_or(match backend {
        Backend::Sqlite => 4,
        Backend::Postgres => 16,
    });
    let generic_plans = options.generic_plans;
    let pool = AnyPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(options.connect_timeout.unwrap_or(Duration::from_secs(5)))
        .after_connect(move |conn, _meta| {
            let schema = schema.clone();
            Box::pin(async move {
                match backend {
                    // WAL for concurrent readers; foreign keys for cascades;
                    // secure_delete so erased bytes leave the file. An 8 MiB
                    // page cache a connection (32 MiB over a pool of four,
                    // filled as pages are used) holds the hot index pages and
                    // the operating system's file cache the rest: a larger
                    // one made no import faster and only raised the peak
                    // memory of large imports (BENCHMARKS.md). A 64 MiB WAL
                    // between checkpoints keeps bulk writes from rewriting
                    // the same pages.
                    Backend::Sqlite => {
                        conn.execute("pragma journal_mode = wal; pragma foreign_keys = on; pragma secure_delete = on; pragma busy_timeout = 10000; pragma synchronous = normal; pragma cache_size = -8192; pragma wal_autocheckpoint = 16384;").await?;
                    }
                    Backend::Postgres => {
                        if let Some(schema) = schema {
                            conn.execute(format!("set search_path to {schema}").as_str()).await?;
                        }
                        // sqlx prepares each statement once per connection;
                        // after five runs PostgreSQL may switch to a generic
                        // plan made while a table was still small (a
                        // sequential scan), which a growing import then pays
                        // for on every batch. Plans made for the actual
                        // values and the table's current size stay right.
                        if !generic_plans {
                            conn.execute("set plan_cache_mode = force_custom_plan").await?;
                        }
                    }
                }
                Ok(())
            })
        })
        .connect_with(connect_options)
        .await
        .map_err(unreachable)?;
    if !options.create && !installed(&pool, backend).await? {
        return Err(connect_err(
            "there is no candor installation in this database (no candor tables where it looks); create one with `candor init`, or check `database.url` and `database.schema`".into(),
        ));
    }
    crate::migrate::migrate(&pool, backend).await?;
    Ok((pool, backend))
}

/// The SQLite file readable and writable by its owner only: it holds the
/// audit log, pseudonyms and sealed data, and SQLite gives its `-wal` and
/// `-shm` files the same mode. Created so when missing; a file an older
/// candor (or a restore) left readable by others is tightened.
fn owner_only(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        match std::fs::metadata(path) {
            Ok(m) if m.permissions().mode() & 0o077 != 0 => {
                tracing::warn!("the database file was readable by other users; making it readable by its owner only");
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
            }
            Err(e) => return Err(e),
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// What a failed connection means, for the person at the keyboard (the
/// driver's error follows it as the source).
fn reason(e: &sqlx::Error) -> &'static str {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::Tls(_) => "the server cannot be reached (is the server running and the address right?)",
        sqlx::Error::PoolTimedOut => "timed out connecting (is the server running and the address right?)",
        sqlx::Error::Database(_) => "the server refused the connection",
        _ => "the connection failed",
    }
}

/// Whether candor's tables are where the connection looks (an empty
/// database, or another schema, has none): only `candor init` may make
/// them, so that a mistyped database or schema is never taken for a fresh
/// installation.
async fn installed(pool: &AnyPool, backend: Backend) -> Result<bool, StoreError> {
    let sql = match backend {
        Backend::Sqlite => "select count(*) from sqlite_master where type = 'table' and name = 'candor_schema'",
        Backend::Postgres => "select count(*) from pg_tables where tablename = 'candor_schema' and schemaname = current_schema()",
    };
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.map_err(db_err)?;
    Ok(n > 0)
}

/// A file path as the path of a `sqlite://` URL: a space, `%`, `#`, `?` or
/// any byte outside ASCII's printable range percent-encoded, so that a
/// directory named `my shop` or `café` opens (the driver decodes it back).
fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_graphic() && !matches!(b, b'%' | b'#' | b'?') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod url_path_tests {
    #[test]
    fn paths_with_spaces_and_url_characters_are_encoded() {
        assert_eq!(super::url_path("my shop/candor.db"), "my%20shop/candor.db");
        assert_eq!(super::url_path("/tmp/a#b?c%d/café.db"), "/tmp/a%23b%3Fc%25d/caf%C3%A9.db");
        assert_eq!(super::url_path("candor.db"), "candor.db");
    }
}
