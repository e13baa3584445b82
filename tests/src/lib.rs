//! Test harness for Hangar's black-box tests.
//!
//! [`spawn_app`] starts the real service (the same `Application::build` as `main`) on a random
//! port, against a PostgreSQL database of its own cloned from a migrated template, and gives a
//! client for it. The database is dropped when the [`TestApp`] goes out of scope.
//!
//! The server comes from `TEST_DATABASE_URL` (an admin URL able to `CREATE DATABASE`; default
//! `postgres://postgres@127.0.0.1:5432/postgres`).

pub mod accounts;
pub mod alerts;
pub mod cluster;
pub mod conversations;
pub mod listings;
pub mod reports;
pub mod smtp;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use diesel::pg::PgConnection;
use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use hangar_api::{Application, Settings};

/// Default admin URL: the local server every developer machine and CI runs.
pub const DEFAULT_ADMIN_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// Arbitrary fixed key for the advisory lock that serialises template creation across the
/// test processes nextest runs in parallel.
const TEMPLATE_LOCK_KEY: i64 = 0x4841_4e47_5453; // "HANGTS"

pub fn admin_url() -> String {
    let url = std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| DEFAULT_ADMIN_URL.to_owned());
    // Without TLS unless the URL asks for it: the tests talk to a local server, and libpq's
    // OpenSSL clean-up at process exit can crash while pool threads are still connecting
    // (seen as a rare SIGSEGV after a test had passed).
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

/// The repository root (for fixtures such as `tests/fixtures` and `openapi/`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// `base` with its database name replaced.
pub fn url_with_database(base: &str, database: &str) -> String {
    let (without_query, query) = match base.split_once('?') {
        Some((u, q)) => (u, Some(q)),
        None => (base, None),
    };
    let scheme_end = without_query.find("://").map_or(0, |i| i + 3);
    let root = match without_query[scheme_end..].find('/') {
        Some(slash) => &without_query[..scheme_end + slash],
        None => without_query,
    };
    match query {
        Some(q) => format!("{root}/{database}?{q}"),
        None => format!("{root}/{database}"),
    }
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

fn connect(url: &str) -> PgConnection {
    PgConnection::establish(url).unwrap_or_else(|e| {
        panic!(
            "cannot connect to the test PostgreSQL server at {}: {e}. Start it or set TEST_DATABASE_URL.",
            hangar_api::config::redact_url(url)
        )
    })
}

fn exec(conn: &mut PgConnection, sql: &str) {
    if let Err(e) = diesel::sql_query(sql).execute(conn) {
        panic!("`{sql}` failed: {e}");
    }
}

/// Name of the template for the current migrations and reference data: it changes whenever a
/// migration or the bundled data does, so a stale template is never used.
fn template_name() -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    let dir = repo_root().join("migrations");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(Result::ok)
        .flat_map(|entry| {
            ["up.sql", "down.sql"]
                .into_iter()
                .map(move |f| entry.path().join(f))
        })
        .filter(|p| p.exists())
        .collect();
    files.sort();
    for file in files {
        file.hash(&mut hasher);
        std::fs::read(&file).unwrap_or_default().hash(&mut hasher);
    }
    // The bundled reference data is in the template too.
    hangar_api::seed::airfields_digest().hash(&mut hasher);
    format!("hangar_tpl_{:016x}", hasher.finish())
}

/// Creates (once per migration set, whatever the number of test processes) a migrated
/// template database with the reference data loaded, and returns its name.
pub fn ensure_template(admin: &str) -> String {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let name = template_name();
            let mut conn = connect(admin);
            exec(&mut conn, &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"));
            let existing: Vec<Name> = diesel::sql_query(
                "SELECT datname::text AS name FROM pg_database WHERE datname LIKE 'hangar\\_tpl\\_%' AND datistemplate",
            )
            .load(&mut conn)
            .unwrap_or_default();
            if !existing.iter().any(|n| n.name == name) {
                // A half-built template from an interrupted run is not marked as template.
                exec(&mut conn, &format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"));
                exec(&mut conn, &format!("CREATE DATABASE \"{name}\""));
                {
                    let mut tpl = connect(&url_with_database(admin, &name));
                    hangar_api::db::migrate(&mut tpl).unwrap_or_else(|e| panic!("migrating the template: {e}"));
                    // Every test database starts with the airfields; the service then finds
                    // their digest up to date.
                    hangar_api::seed::reference_data(&mut tpl).unwrap_or_else(|e| panic!("loading reference data into the template: {e}"));
                }
                exec(&mut conn, &format!("ALTER DATABASE \"{name}\" IS_TEMPLATE true"));
                // Templates of older migration sets are of no further use.
                for old in existing.iter().filter(|n| n.name != name) {
                    let _ = diesel::sql_query(format!("ALTER DATABASE \"{}\" IS_TEMPLATE false", old.name))
                        .execute(&mut conn);
                    let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", old.name))
                        .execute(&mut conn);
                }
            }
            exec(&mut conn, &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"));
            name
        })
        .clone()
}

/// A fresh database cloned from the template; dropped (forcefully) on drop.
pub struct TestDatabase {
    pub name: String,
    pub url: String,
    admin: String,
    /// Dropped with this value (false for a [`TestDatabase::shared`] handle).
    owned: bool,
}

impl TestDatabase {
    pub fn create() -> Self {
        let admin = admin_url();
        let template = ensure_template(&admin);
        let name = format!("hangar_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = connect(&admin);
        // Two clones of one template at the same instant can collide on the template's lock;
        // a short retry is the documented remedy. No `STRATEGY FILE_COPY`: measured slower
        // than the default under load (tests/TESTING.md, "Test databases").
        let mut attempt = 0;
        loop {
            match diesel::sql_query(format!(
                "CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""
            ))
            .execute(&mut conn)
            {
                Ok(_) => break,
                Err(e)
                    if attempt < 20 && e.to_string().contains("being accessed by other users") =>
                {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(100));
                }
                Err(e) => panic!("cannot create test database {name}: {e}"),
            }
        }
        TestDatabase {
            url: url_with_database(&admin, &name),
            name,
            admin,
            owned: true,
        }
    }

    /// Takes charge of an existing database of the test server (one a script made, say): it
    /// is dropped on drop like the others.
    pub fn adopt(name: &str) -> Self {
        let admin = admin_url();
        TestDatabase {
            url: url_with_database(&admin, name),
            name: name.to_owned(),
            admin,
            owned: true,
        }
    }

    /// The same database for a second service (another replica): not dropped with it.
    pub fn shared(&self) -> Self {
        TestDatabase {
            url: self.url.clone(),
            name: self.name.clone(),
            admin: self.admin.clone(),
            owned: false,
        }
    }

    pub fn connect(&self) -> PgConnection {
        connect(&self.url)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if !self.owned {
            return;
        }
        if let Ok(mut conn) = PgConnection::establish(&self.admin) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}

/// Settings as the tests run the service: everything from a variable map, as in production.
pub fn test_settings(database_url: &str, extra: &[(&str, &str)]) -> Settings {
    let mut vars: HashMap<String, String> = [
        ("DATABASE_URL", database_url),
        ("JWT_SECRET", "test-secret-that-is-long-enough-0123456789"),
        ("BIND_ADDR", "127.0.0.1:0"),
        ("PUBLIC_BASE_URL", "http://hangar.test"),
        ("HTTP_WORKERS", "2"),
        ("DATABASE_POOL_SIZE", "4"),
        ("DATABASE_CONNECT_TIMEOUT_MS", "1000"),
        ("SHUTDOWN_TIMEOUT_MS", "1000"),
        // The template is migrated already; tests that need start-up migration ask for it.
        ("DATABASE_MIGRATE_ON_START", "false"),
        // Tests of the limits lower it; the others must not trip over it.
        ("RATE_LIMIT_AUTH_PER_MINUTE", "10000"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    // Each app writes its photos to a directory of its own.
    let media =
        std::env::temp_dir().join(format!("hangar-media-{}", uuid::Uuid::new_v4().simple()));
    vars.insert("MEDIA_DIR".into(), media.display().to_string());
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    Settings::from_source(&vars).unwrap_or_else(|e| panic!("test settings: {e}"))
}

/// The running service and what a test needs to talk to it.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub port: u16,
    pub client: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
    // Dropped after the server is told to stop.
    pub db: TestDatabase,
    /// The photo directory the tests made for this app (removed with it); `None` when the
    /// test chose its own `MEDIA_DIR`.
    own_media: Option<std::path::PathBuf>,
}

/// Starts the service against a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// Starts the service with extra environment variables (e.g. `STATIC_DIR`).
pub async fn spawn_app_with(extra: &[(&str, &str)]) -> TestApp {
    spawn_app_on(TestDatabase::create(), extra).await
}

/// Starts the service on the given database (e.g. a restored backup), with extra environment.
pub async fn spawn_app_on(db: TestDatabase, extra: &[(&str, &str)]) -> TestApp {
    let settings = test_settings(&db.url, extra);
    let own_media =
        (!extra.iter().any(|(k, _)| *k == "MEDIA_DIR")).then(|| settings.media_dir.clone());
    let app = Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("the service did not start: {e}"));
    let port = app.port();
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|e| panic!("reqwest client: {e}"));
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        port,
        client,
        handle,
        db,
        own_media,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"))
    }

    pub async fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, self.url(path))
    }

    /// Asserts `res` is a problem document of the given status and `type` slug, and returns it.
    pub async fn expect_problem(
        res: reqwest::Response,
        status: u16,
        slug: &str,
    ) -> serde_json::Value {
        assert_eq!(res.status().as_u16(), status, "status of {}", res.url());
        let content_type = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert_eq!(
            content_type,
            "application/problem+json",
            "content type of {}",
            res.url()
        );
        let request_id = res
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body: serde_json::Value = res
            .json()
            .await
            .unwrap_or_else(|e| panic!("problem body: {e}"));
        assert_eq!(body["type"], format!("urn:hangar:problem:{slug}"), "{body}");
        assert_eq!(body["status"], status, "{body}");
        assert!(
            body["title"].as_str().is_some_and(|s| !s.is_empty()),
            "{body}"
        );
        assert!(
            body["detail"].as_str().is_some_and(|s| !s.is_empty()),
            "{body}"
        );
        assert!(body["errors"].is_object(), "{body}");
        assert_eq!(body["request_id"].as_str(), request_id.as_deref(), "{body}");
        body
    }

    /// Is the service still answering its liveness probe?
    pub async fn assert_healthy(&self) {
        let res = self.get("/healthz").await;
        assert_eq!(
            res.status().as_u16(),
            200,
            "the service should still be healthy"
        );
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop accepting and drop the pool's connections before the database goes.
        let stop = self.handle.stop(false);
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(stop);
        }
        if let Some(dir) = self.own_media.take() {
            // Absent when the test stored no photo.
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}
