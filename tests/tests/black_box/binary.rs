//! The real `api` binary: `migrate`, configuration errors in one line, clean stops on signals.

use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use diesel::{Connection, RunQueryDsl};
use hangar_tests::TestDatabase;

/// The `api` binary built next to this test (`cargo build -p hangar-api --bin api`; the test
/// command does it first). `HANGAR_API_BIN` overrides.
pub(crate) fn api_binary() -> PathBuf {
    if let Ok(path) = std::env::var("HANGAR_API_BIN") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().unwrap_or_else(|e| panic!("{e}"));
    // target/debug/deps/black_box-… → target/debug/api
    let bin = exe
        .parent()
        .and_then(|deps| deps.parent())
        .map(|dir| dir.join("api"))
        .unwrap_or_default();
    assert!(
        bin.exists(),
        "{} not found: run `cargo build -p hangar-api --bin api` first (scripts/test does)",
        bin.display()
    );
    bin
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Sends raw HTTP/1.1 and returns the whole response.
fn raw_request(port: u16, request: &str) -> String {
    use std::io::{Read, Write};
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).unwrap_or_else(|e| panic!("{e}"));
    let _ = stream.write_all(request.as_bytes());
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
}

#[test]
fn migrate_subcommand_applies_every_migration_once() {
    // Arrange: an empty database (not cloned from the migrated template).
    let admin = hangar_tests::admin_url();
    let name = format!("hangar_migrate_{}", uuid::Uuid::new_v4().simple());
    let mut conn = diesel::pg::PgConnection::establish(&admin).unwrap_or_else(|e| panic!("{e}"));
    diesel::sql_query(format!("CREATE DATABASE \"{name}\""))
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    let url = hangar_tests::url_with_database(&admin, &name);
    let migrate = || {
        Command::new(api_binary())
            .arg("migrate")
            .env_clear()
            .env("DATABASE_URL", &url)
            .env("JWT_SECRET", "test-secret-that-is-long-enough-0123456789")
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };

    // Act: twice, as a deploy script would.
    let first = migrate();
    let second = migrate();

    // Assert
    let expected = std::fs::read_dir(hangar_tests::repo_root().join("migrations"))
        .map(|d| d.count())
        .unwrap_or(0);
    let log = String::from_utf8_lossy(&first.stderr);
    assert!(first.status.success(), "{log}");
    assert_eq!(log.matches("applied migration").count(), expected, "{log}");
    let log = String::from_utf8_lossy(&second.stderr);
    assert!(second.status.success(), "{log}");
    assert!(log.contains("up to date"), "{log}");
    let _ = diesel::sql_query(format!("DROP DATABASE \"{name}\" WITH (FORCE)")).execute(&mut conn);
}

/// Waits until `child` listens on `port`.
fn wait_listening(child: &mut Child, port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "the binary did not start listening"
        );
        assert!(
            child.try_wait().ok().flatten().is_none(),
            "the binary exited early"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn send_signal(child: &Child, signal: &str) {
    let killed = Command::new("kill")
        .arg(format!("-{signal}"))
        .arg(child.id().to_string())
        .status();
    assert!(killed.is_ok_and(|s| s.success()), "kill -{signal}");
}

/// Waits (10 s at most) for `child` to exit.
fn wait_exit(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap_or_else(|e| panic!("{e}")) {
            return status;
        }
        assert!(
            Instant::now() < deadline,
            "still running 10 s after the signal"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn configuration_errors_stop_start_up_with_one_line() {
    // (variables, the variable the error must name, why)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            &[("JWT_SECRET", "x".repeat(40).leak())],
            "DATABASE_URL",
            "missing database URL",
        ),
        (
            &[
                ("DATABASE_URL", "postgres://127.0.0.1/x"),
                ("JWT_SECRET", "short"),
            ],
            "JWT_SECRET",
            "short secret in production",
        ),
        (
            &[
                ("DATABASE_URL", "postgres://127.0.0.1/x"),
                ("JWT_SECRET", "x".repeat(40).leak()),
                ("BIND_ADDR", "nope"),
            ],
            "BIND_ADDR",
            "malformed address",
        ),
    ];
    for (vars, variable, why) in cases {
        let out = Command::new(api_binary())
            .env_clear()
            .envs(vars.iter().copied())
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("{why}: {e}"));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{why}: must not start");
        assert_eq!(
            stderr.trim().lines().count(),
            1,
            "{why}: one line, got {stderr}"
        );
        assert!(
            stderr.contains(variable),
            "{why}: names {variable}: {stderr}"
        );
    }
}

#[test]
fn sigterm_and_sigint_stop_the_service_cleanly() {
    for signal in ["TERM", "INT"] {
        // Arrange: the binary, migrating its own fresh database at start-up.
        let db = TestDatabase::create();
        let port = free_port();
        let mut child = Command::new(api_binary())
            .env_clear()
            .env("DATABASE_URL", &db.url)
            .env("JWT_SECRET", "test-secret-that-is-long-enough-0123456789")
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("SHUTDOWN_TIMEOUT_MS", "2000")
            .env("HTTP_WORKERS", "1")
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn: {e}"));
        wait_listening(&mut child, port);
        let rid = format!("shutdown-{signal}");
        let status = raw_request(
            port,
            &format!(
                "GET /api/v1/nope HTTP/1.1\r\nHost: x\r\nX-Request-Id: {rid}\r\nConnection: close\r\n\r\n"
            ),
        );
        assert!(status.starts_with("HTTP/1.1 404"), "{status}");

        // Act
        send_signal(&child, signal);

        // Assert: exits 0 within the shutdown timeout, having logged its stop.
        let status = wait_exit(&mut child);
        let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
        let log = String::from_utf8_lossy(&output.stderr);
        assert!(
            status.success(),
            "SIG{signal}: exit status {status}; log:\n{log}"
        );
        assert!(
            log.contains("stopped"),
            "SIG{signal}: logs its stop:\n{log}"
        );
        assert!(
            log.contains(&format!("rid={rid} GET /api/v1/nope 404")),
            "SIG{signal}: the access log names the request id:\n{log}"
        );
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "port released"
        );
    }
}

#[test]
fn sigterm_lets_in_flight_requests_finish() {
    // Arrange: a "database" that accepts connections and never answers, so /readyz stays in
    // flight for the pool's whole connect timeout (3 s). The signal comes 1 s in: on a busy
    // machine a shorter wait could signal before the request was even accepted.
    let blackhole = std::net::TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
    let db_port = blackhole
        .local_addr()
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let port = free_port();
    let mut child = Command::new(api_binary())
        .env_clear()
        .env(
            "DATABASE_URL",
            format!("postgres://postgres@127.0.0.1:{db_port}/hangar"),
        )
        .env("DATABASE_MIGRATE_ON_START", "false")
        .env("DATABASE_CONNECT_TIMEOUT_MS", "3000")
        .env("JWT_SECRET", "test-secret-that-is-long-enough-0123456789")
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("SHUTDOWN_TIMEOUT_MS", "5000")
        .env("HTTP_WORKERS", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    wait_listening(&mut child, port);
    let in_flight = std::thread::spawn(move || {
        raw_request(
            port,
            "GET /readyz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    });
    std::thread::sleep(Duration::from_millis(1000));

    // Act: SIGTERM while /readyz waits for the database.
    send_signal(&child, "TERM");

    // Assert: the request still gets its complete answer, then the process exits 0.
    let response = in_flight.join().unwrap_or_else(|_| panic!("client thread"));
    assert!(
        response.starts_with("HTTP/1.1 503"),
        "in-flight request answered: {response:?}"
    );
    assert!(
        response.contains("urn:hangar:problem:service-unavailable"),
        "{response}"
    );
    let status = wait_exit(&mut child);
    assert!(status.success(), "exit status {status}");
    drop(blackhole);
}

#[test]
fn create_admin_makes_the_first_administrator_from_the_command_line() {
    use diesel::sql_types::Text;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        role: String,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        verified: bool,
    }
    let db = TestDatabase::create();
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = Command::new(api_binary())
            .arg("create-admin")
            .args(args)
            .env_clear()
            .env("DATABASE_URL", &db.url)
            .env("JWT_SECRET", "test-secret-that-is-long-enough-0123456789")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        if let Some(mut input) = child.stdin.take() {
            let _ = input.write_all(stdin.as_bytes());
        }
        child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
    };
    let rows = || -> Vec<Row> {
        diesel::sql_query("SELECT role, email_verified_at IS NOT NULL AS verified FROM users")
            .load(&mut db.connect())
            .unwrap_or_else(|e| panic!("{e}"))
    };

    // A weak password is refused and nothing is written.
    let out = run(
        &["--email", "Chef@Example.com", "--name", "Chef Pilote"],
        "password123\n",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("password refused"));
    assert!(rows().is_empty());

    // No email: usage, exit 2.
    let out = run(&[], "");
    assert_eq!(out.status.code(), Some(2));

    // A strong one creates a verified administrator.
    let out = run(
        &["--email", "Chef@Example.com", "--name", "Chef Pilote"],
        "Vol de nuit au-dessus de la Beauce\n",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("created administrator chef@example.com")
    );
    let r = rows();
    assert_eq!(
        (r.len(), r[0].role.as_str(), r[0].verified),
        (1, "admin", true)
    );

    // An existing account is promoted without asking for a password.
    diesel::sql_query("UPDATE users SET role = 'user'")
        .execute(&mut db.connect())
        .unwrap_or_else(|e| panic!("{e}"));
    let out = run(&["--email", "chef@example.com"], "");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(rows()[0].role, "admin");
}

/// One request of the SIGTERM load: when it started, and its status (`None`: no answer).
struct Sent {
    started: Instant,
    status: Option<u16>,
    what: String,
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_finishes_in_flight_writes_without_5xx() {
    use hangar_tests::listings::{LISTINGS, dr400, session_token, with};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    // Arrange: the binary on its own database, a verified seller.
    let db = TestDatabase::create();
    let seller = uuid::Uuid::now_v7();
    diesel::sql_query(format!(
        "INSERT INTO users (id, email, password_hash, display_name, account_type, role, email_verified_at) \
         VALUES ('{seller}', 'pilote@example.fr', '!', 'Pilote', 'private', 'user', now())"
    ))
    .execute(&mut db.connect())
    .unwrap_or_else(|e| panic!("{e}"));
    let token = session_token(seller);
    let port = free_port();
    let log_path =
        std::env::temp_dir().join(format!("hangar-sigterm-{}.log", uuid::Uuid::new_v4()));
    let log_file = std::fs::File::create(&log_path).unwrap_or_else(|e| panic!("{e}"));
    let mut child = Command::new(api_binary())
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("DATABASE_MIGRATE_ON_START", "false")
        .env("DATABASE_POOL_SIZE", "10")
        .env("JWT_SECRET", "test-secret-that-is-long-enough-0123456789")
        .env("PUBLIC_BASE_URL", "http://hangar.test")
        .env("BIND_ADDR", format!("127.0.0.1:{port}"))
        .env("SHUTDOWN_TIMEOUT_MS", "10000")
        .env("HTTP_WORKERS", "2")
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log_file)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn: {e}"));
    wait_listening(&mut child, port);
    let base = format!("http://127.0.0.1:{port}");
    // A new connection per request: a request is either accepted and answered, or refused.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap_or_else(|e| panic!("{e}"));

    // Writes stay in flight while a transaction of ours holds the listings table.
    let mut locker = db.connect();
    diesel::sql_query("BEGIN")
        .execute(&mut locker)
        .unwrap_or_else(|e| panic!("{e}"));
    diesel::sql_query("LOCK TABLE listings IN EXCLUSIVE MODE")
        .execute(&mut locker)
        .unwrap_or_else(|e| panic!("{e}"));
    const WRITES: usize = 6;
    let mut writes = Vec::new();
    for i in 0..WRITES {
        let req = client
            .post(format!("{base}{LISTINGS}"))
            .bearer_auth(&token)
            .header("idempotency-key", format!("sigterm-{i}"))
            .json(&with(
                dr400(),
                "/title",
                serde_json::json!(format!("DR400 n° {i}")),
            ));
        writes.push(tokio::spawn(async move {
            let res = req
                .send()
                .await
                .unwrap_or_else(|e| panic!("write {i}: {e}"));
            let status = res.status().as_u16();
            let body: serde_json::Value = res.json().await.unwrap_or_default();
            (status, body)
        }));
    }
    // Reads keep coming from four clients until the service stops answering.
    let stop = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for r in 0..4 {
        let (client, base, stop) = (client.clone(), base.clone(), stop.clone());
        readers.push(tokio::spawn(async move {
            let mut sent = Vec::new();
            let paths = ["/api/v1/listings", "/api/v1/categories", "/healthz"];
            let mut n = r;
            while !stop.load(Ordering::Relaxed) {
                let path = paths[n % paths.len()];
                n += 1;
                let started = Instant::now();
                let status = client
                    .get(format!("{base}{path}"))
                    .send()
                    .await
                    .ok()
                    .map(|res| res.status().as_u16());
                sent.push(Sent {
                    started,
                    status,
                    what: path.to_owned(),
                });
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            sent
        }));
    }
    // Wait until every write waits on the lock.
    let mut watcher = db.connect();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        #[derive(diesel::QueryableByName)]
        struct Waiting {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let waiting: Vec<Waiting> = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
             AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO \"listings\"%'",
        )
        .load(&mut watcher)
        .unwrap_or_else(|e| panic!("{e}"));
        if waiting.first().map_or(0, |w| w.n) as usize == WRITES {
            break;
        }
        if let Some(done) = writes.iter_mut().find(|w| w.is_finished()) {
            let (status, body) = done.await.unwrap_or_else(|e| panic!("{e}"));
            panic!("a write finished despite the lock: {status} {body}");
        }
        if Instant::now() >= deadline {
            #[derive(diesel::QueryableByName)]
            struct Session {
                #[diesel(sql_type = diesel::sql_types::Text)]
                what: String,
            }
            let sessions: Vec<String> = diesel::sql_query(
                "SELECT concat_ws(' ', wait_event_type, wait_event, state, left(query, 60)) AS what \
                 FROM pg_stat_activity WHERE datname = current_database()",
            )
            .load::<Session>(&mut watcher)
            .unwrap_or_default()
            .into_iter()
            .map(|s| s.what)
            .collect();
            panic!("the writes never all waited on the lock: {sessions:#?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Act: SIGTERM under load, then let the writes through.
    let signalled = Instant::now();
    send_signal(&child, "TERM");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        child.try_wait().ok().flatten().is_none(),
        "the binary must wait for its in-flight requests"
    );
    diesel::sql_query("COMMIT")
        .execute(&mut locker)
        .unwrap_or_else(|e| panic!("{e}"));

    // Assert: every in-flight write completes with 201 and is stored.
    let mut ids = std::collections::BTreeSet::new();
    for w in writes {
        let (status, body) = w.await.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(status, 201, "in-flight write: {body}");
        ids.insert(body["id"].as_str().unwrap_or_default().to_owned());
    }
    #[derive(diesel::QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        id: String,
    }
    let stored: std::collections::BTreeSet<String> =
        diesel::sql_query("SELECT id::text AS id FROM listings")
            .load::<Id>(&mut watcher)
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|r| r.id)
            .collect();
    assert_eq!(stored, ids, "the acknowledged writes, once each");

    // Assert: exits 0; the reads got no 5xx, and the only unanswered ones were sent after
    // the signal (refused: the service no longer accepts connections).
    let status = wait_exit(&mut child);
    stop.store(true, Ordering::Relaxed);
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    let _ = std::fs::remove_file(&log_path);
    assert!(status.success(), "exit status {status}; log:\n{log}");
    let mut answered = 0;
    for r in readers {
        for s in r.await.unwrap_or_else(|e| panic!("{e}")) {
            match s.status {
                Some(code) => {
                    assert!(code < 500, "{} answered {code}; log:\n{log}", s.what);
                    answered += 1;
                }
                None => assert!(
                    s.started + Duration::from_millis(50) >= signalled,
                    "{} sent {:?} before the signal got no answer",
                    s.what,
                    signalled.duration_since(s.started)
                ),
            }
        }
    }
    assert!(answered >= 8, "the load ran: {answered} answers");
    assert!(!log.contains("panicked"), "{log}");
}
