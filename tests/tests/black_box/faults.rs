//! PostgreSQL goes away under a write load and comes back: requests fail fast with a 503
//! problem (none hangs), the API recovers by itself within 2 s, every acknowledged write is in
//! the database, and retrying with the same `Idempotency-Key` never duplicates a listing.
//! Runs against a private cluster this test starts and stops, never the shared one.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use diesel::sql_types::Text;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use hangar_tests::cluster::PrivateCluster;
use hangar_tests::listings::{LISTINGS, dr400, session_token, with};
use serde_json::{Value, json};
use tokio::sync::Mutex;
use uuid::Uuid;

/// The pool's connection timeout the API runs with in this test.
const CONNECT_TIMEOUT: Duration = Duration::from_millis(1000);
/// Concurrent writers.
const CLIENTS: usize = 4;

/// One `POST /listings` and what came back.
#[derive(Debug, Clone)]
struct Outcome {
    key: String,
    seller: usize,
    body: Value,
    /// 0 when no HTTP answer came back at all.
    status: u16,
    content_type: String,
    answer: Value,
    elapsed: Duration,
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = Text)]
    id: String,
}

struct Load {
    base: String,
    client: reqwest::Client,
    tokens: Vec<String>,
}

impl Load {
    /// Creates a listing for `seller` with `key`; never panics on a failed request.
    async fn create(&self, seller: usize, key: &str, body: &Value) -> Outcome {
        let started = Instant::now();
        let res = self
            .client
            .post(format!("{}{LISTINGS}", self.base))
            .bearer_auth(&self.tokens[seller])
            .header("idempotency-key", key)
            .json(body)
            .send()
            .await;
        let (status, content_type, answer) = match res {
            Ok(res) => {
                let status = res.status().as_u16();
                let content_type = res
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let text = res.text().await.unwrap_or_default();
                let answer = serde_json::from_str(&text).unwrap_or(Value::String(text));
                (status, content_type, answer)
            }
            Err(e) => (0, String::new(), Value::String(e.to_string())),
        };
        Outcome {
            key: key.to_owned(),
            seller,
            body: body.clone(),
            status,
            content_type,
            answer,
            elapsed: started.elapsed(),
        }
    }

    async fn ready(&self) -> u16 {
        self.client
            .get(format!("{}/readyz", self.base))
            .send()
            .await
            .map(|r| r.status().as_u16())
            .unwrap_or(0)
    }
}

fn listing_body(key: &str) -> Value {
    with(
        dr400(),
        "/title",
        json!(format!("Robin DR400-140B, moteur 850 h ({key})")),
    )
}

fn id_in(answer: &Value) -> Uuid {
    answer["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {answer}"))
}

fn listing_ids(url: &str) -> BTreeSet<Uuid> {
    let mut conn = diesel::pg::PgConnection::establish(url).unwrap_or_else(|e| panic!("{e}"));
    diesel::sql_query("SELECT id::text AS id FROM listings")
        .load::<IdRow>(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"))
        .into_iter()
        .map(|r| r.id.parse().unwrap_or_else(|e| panic!("{e}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn writes_survive_a_database_outage_without_duplicates() {
    // Arrange: a private server, the API on it, four verified sellers.
    let cluster = PrivateCluster::start();
    let url = cluster.create_database("hangar");
    let timeout_ms = CONNECT_TIMEOUT.as_millis().to_string();
    let settings = hangar_tests::test_settings(
        &url,
        &[
            ("DATABASE_MIGRATE_ON_START", "true"),
            ("DATABASE_CONNECT_TIMEOUT_MS", &timeout_ms),
            ("DATABASE_POOL_SIZE", "4"),
            ("HTTP_WORKERS", "2"),
        ],
    );
    let app = hangar_api::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("start: {e}"));
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let mut tokens = Vec::new();
    {
        let mut conn = diesel::pg::PgConnection::establish(&url).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..CLIENTS {
            let id = Uuid::now_v7();
            diesel::sql_query(format!(
                "INSERT INTO users (id, email, password_hash, display_name, account_type, role, email_verified_at) \
                 VALUES ('{id}', 'pilote{i}@example.fr', '!', 'Pilote {i}', 'private', 'user', now())"
            ))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{e}"));
            tokens.push(session_token(id));
        }
    }
    let load = Arc::new(Load {
        base,
        // A generous client timeout: a hang shows up as a failed request, not a stuck test.
        client: reqwest::Client::builder()
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap_or_else(|e| panic!("{e}")),
        tokens,
    });
    assert_eq!(load.ready().await, 200, "ready before the outage");
    let outcomes: Arc<Mutex<Vec<Outcome>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for seller in 0..CLIENTS {
        let (load, outcomes, stop) = (load.clone(), outcomes.clone(), stop.clone());
        writers.push(tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let key = format!("w{seller}-{n}");
                let outcome = load.create(seller, &key, &listing_body(&key)).await;
                outcomes.lock().await.push(outcome);
                n += 1;
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }));
    }

    // Act: the database stops in the middle of the load, stays down 2.5 s, and comes back.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let cluster = Arc::new(cluster);
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.stop())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let c = cluster.clone();
    tokio::task::spawn_blocking(move || c.restart())
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    let back = Instant::now();

    // Assert: ready and writing again within 2 s, without restarting the API.
    let mut probe = 0;
    loop {
        let key = format!("probe-{probe}");
        probe += 1;
        let ready = load.ready().await;
        let write = load.create(0, &key, &listing_body(&key)).await;
        let ok = ready == 200 && write.status == 201;
        outcomes.lock().await.push(write);
        if ok {
            break;
        }
        assert!(
            back.elapsed() < Duration::from_secs(2),
            "not recovered 2 s after the database returned (readyz {ready})"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let recovery = back.elapsed();
    assert!(
        recovery <= Duration::from_secs(2),
        "recovered in {recovery:?}"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.unwrap_or_else(|e| panic!("writer: {e}"));
    }
    let outcomes = outcomes.lock().await.clone();

    // Assert: every answer is a 201 or a fast 503 problem; nothing hung or broke.
    // A request waits at most once for a pooled connection (the connect timeout), plus the
    // time of its queries and of the HTTP round trip.
    let bound = CONNECT_TIMEOUT + Duration::from_millis(1000);
    let mut by_status: BTreeMap<u16, usize> = BTreeMap::new();
    for o in &outcomes {
        *by_status.entry(o.status).or_default() += 1;
        assert!(
            o.elapsed <= bound,
            "{} took {:?} (bound {bound:?}): {} {}",
            o.key,
            o.elapsed,
            o.status,
            o.answer
        );
        match o.status {
            201 => {}
            503 => {
                assert_eq!(o.content_type, "application/problem+json", "{}", o.key);
                assert_eq!(
                    o.answer["type"], "urn:hangar:problem:service-unavailable",
                    "{}: {}",
                    o.key, o.answer
                );
                let text = o.answer.to_string();
                assert!(
                    !text.contains("127.0.0.1") && !text.contains("SQL"),
                    "no internals: {text}"
                );
            }
            other => panic!("{}: unexpected {other}: {}", o.key, o.answer),
        }
    }
    let slowest = outcomes.iter().map(|o| o.elapsed).max().unwrap_or_default();
    eprintln!("outage: {by_status:?}, slowest {slowest:?}, recovered in {recovery:?}");
    assert!(
        by_status.get(&503).copied().unwrap_or(0) >= CLIENTS,
        "the outage was seen: {by_status:?}"
    );
    assert!(
        by_status.get(&201).copied().unwrap_or(0) >= 2 * CLIENTS,
        "writes went through: {by_status:?}"
    );

    // Assert: every acknowledged write is in the database.
    let acknowledged: BTreeSet<Uuid> = outcomes
        .iter()
        .filter(|o| o.status == 201)
        .map(|o| id_in(&o.answer))
        .collect();
    let stored = listing_ids(&url);
    let missing: Vec<_> = acknowledged.difference(&stored).collect();
    assert!(missing.is_empty(), "acknowledged but lost: {missing:?}");

    // Act: retry every failed request with its key and body (twice at once for each).
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| o.status != 201).collect();
    let mut retried = Vec::new();
    for o in &failed {
        let (a, b) = tokio::join!(
            load.create(o.seller, &o.key, &o.body),
            load.create(o.seller, &o.key, &o.body)
        );
        assert_eq!(
            (a.status, b.status),
            (201, 201),
            "retry of {}: {a:?} {b:?}",
            o.key
        );
        assert_eq!(id_in(&a.answer), id_in(&b.answer), "one listing per key");
        retried.push(a);
    }
    // And a request that had succeeded: the stored answer, not a second listing.
    let succeeded = outcomes
        .iter()
        .find(|o| o.status == 201)
        .unwrap_or_else(|| panic!("no success"));
    let replay = load
        .create(succeeded.seller, &succeeded.key, &succeeded.body)
        .await;
    assert_eq!(replay.status, 201, "{}", replay.answer);
    assert_eq!(replay.answer, succeeded.answer, "the stored answer");

    // Assert: exactly one listing per key, and they are the ones the clients were given.
    let keys: BTreeSet<&str> = outcomes.iter().map(|o| o.key.as_str()).collect();
    let given: BTreeSet<Uuid> = acknowledged
        .iter()
        .copied()
        .chain(retried.iter().map(|o| id_in(&o.answer)))
        .collect();
    let stored = listing_ids(&url);
    assert_eq!(given.len(), keys.len(), "one id per key");
    assert_eq!(
        stored, given,
        "the database holds exactly the listings handed out"
    );

    handle.stop(false).await;
}
