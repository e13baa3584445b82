//! Database access: the connection pool, embedded migrations, and [`run`], the one door
//! through which every diesel call passes.
//!
//! Query functions are plain synchronous `fn(&mut PgConnection, …) -> QueryResult<T>`; handlers
//! call them through [`run`], which moves the work to actix's blocking pool so a slow query
//! never stalls an HTTP worker thread.

pub mod access_tokens;
pub mod airfields;
pub mod categories;
pub mod email_tokens;
pub mod favorites;
pub mod idempotency;
pub mod listings;
pub mod makes;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod outbox;
pub mod reports;
pub mod saved_searches;
pub mod schema;
pub mod sessions;
pub mod users;

use std::time::Duration;

use actix_web::web;
use diesel::connection::SimpleConnection;
use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::{QueryResult, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::config::DatabaseSettings;
use crate::error::ApiError;
use crate::telemetry;

pub type PgPool = Pool<ConnectionManager<PgConnection>>;

/// The migrations under `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations");

/// Arbitrary but fixed key: replicas starting together take turns to migrate.
const MIGRATION_LOCK_KEY: i64 = 0x4841_4e47_4152; // "HANGAR"

/// Session settings applied to every new pooled connection.
#[derive(Debug)]
struct SessionSetup {
    statement_timeout_ms: u128,
}

impl CustomizeConnection<PgConnection, diesel::r2d2::Error> for SessionSetup {
    fn on_acquire(&self, conn: &mut PgConnection) -> Result<(), diesel::r2d2::Error> {
        conn.batch_execute(&format!(
            "SET statement_timeout = {}; SET TIME ZONE 'UTC'; SET application_name = 'hangar-api'",
            self.statement_timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

/// Builds the requests' pool (`DATABASE_POOL_SIZE`) without connecting: the API starts even
/// if the database is still booting, and `/readyz` tells when it is reachable.
pub fn build_pool(settings: &DatabaseSettings) -> PgPool {
    pool_of(settings, settings.pool_size)
}

/// The jobs loop and the mail sender, one connection each.
const BACKGROUND_POOL_SIZE: u32 = 2;

/// Connections for the background tasks (the jobs and the mail outbox, each one statement
/// at a time), apart from the requests' pool: a recount of the facet aggregate holds its
/// connection for seconds, which must not be one of the few a small pool gives requests.
pub fn build_background_pool(settings: &DatabaseSettings) -> PgPool {
    pool_of(settings, BACKGROUND_POOL_SIZE)
}

fn pool_of(settings: &DatabaseSettings, size: u32) -> PgPool {
    let manager = ConnectionManager::<PgConnection>::new(&settings.url);
    Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(settings.connect_timeout)
        // Validating on check-out is what lets the pool recover by itself after a restart.
        .test_on_check_out(true)
        .idle_timeout(Some(Duration::from_secs(300)))
        .connection_customizer(Box::new(SessionSetup {
            statement_timeout_ms: settings.statement_timeout.as_millis(),
        }))
        // r2d2 logs connection failures through this handler; the default prints to stderr
        // without the request id. Ours goes through the logger.
        .error_handler(Box::new(PoolErrorLogger))
        .build_unchecked(manager)
}

#[derive(Debug)]
struct PoolErrorLogger;

impl diesel::r2d2::HandleError<diesel::r2d2::Error> for PoolErrorLogger {
    fn handle_error(&self, error: diesel::r2d2::Error) {
        log::warn!("database connection failed: {error}");
    }
}

/// Runs `f` with a pooled connection on the blocking thread pool. Every diesel call goes
/// through here; errors become [`ApiError`]s (pool timeout → 503, unique violation → 409…).
pub async fn run<T, E, F>(pool: &PgPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut PgConnection) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: Into<ApiError> + Send + 'static,
{
    let pool = pool.clone();
    let ctx = telemetry::current();
    web::block(move || {
        telemetry::with_blocking_context(ctx, || {
            let mut conn = pool.get().map_err(ApiError::from)?;
            f(&mut conn).map_err(Into::into)
        })
    })
    .await?
}

/// One round trip, for readiness.
pub fn ping(conn: &mut PgConnection) -> QueryResult<()> {
    diesel::sql_query("SELECT 1").execute(conn).map(|_| ())
}

/// Applies pending migrations under an advisory lock and returns the versions applied.
pub fn migrate(conn: &mut PgConnection) -> Result<Vec<String>, String> {
    diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
        .execute(conn)
        .map_err(|e| format!("could not take the migration lock: {e}"))?;
    let result = conn
        .run_pending_migrations(MIGRATIONS)
        .map(|versions| versions.iter().map(ToString::to_string).collect())
        .map_err(|e| format!("migration failed: {e}"));
    // Released with the session anyway; unlock explicitly so a pooled connection is clean.
    let _ =
        diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})")).execute(conn);
    result
}

/// Connects once outside the pool (for `api migrate` and start-up).
pub fn connect(url: &str) -> Result<PgConnection, String> {
    use diesel::Connection;
    PgConnection::establish(url).map_err(|e| format!("cannot connect to the database: {e}"))
}
