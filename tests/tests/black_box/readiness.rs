//! Readiness follows the database: 503 while it is down, 200 again once it is back, without
//! restarting the API. Runs against a private cluster this test starts, never the shared one.

use std::time::{Duration, Instant};

use hangar_tests::TestApp;
use hangar_tests::cluster::PrivateCluster;

#[tokio::test]
async fn readiness_follows_the_database() {
    // Arrange: a private server, and the API on it (migrating at start-up, as in production).
    let cluster = PrivateCluster::start();
    let url = cluster.create_database("hangar");
    let settings = hangar_tests::test_settings(&url, &[("DATABASE_MIGRATE_ON_START", "true")]);
    let app = hangar_api::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("start: {e}"));
    let base = format!("http://127.0.0.1:{}", app.port());
    let handle = app.handle();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::new();
    let ready = || async {
        client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("readyz: {e}"))
    };
    assert_eq!(
        ready().await.status().as_u16(),
        200,
        "ready with the database up"
    );

    // Act: the database goes away.
    cluster.stop();

    // Assert: 503 problem with Retry-After, quickly (bounded by the pool's 1 s connect timeout).
    let started = Instant::now();
    let res = ready().await;
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "answered in {:?}",
        started.elapsed()
    );
    assert_eq!(
        res.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("2")
    );
    let body = TestApp::expect_problem(res, 503, "service-unavailable").await;
    let text = body.to_string();
    assert!(
        !text.contains("127.0.0.1") && !text.contains("refused"),
        "no internals: {text}"
    );
    // Liveness does not depend on the database.
    let live = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(live.status().as_u16(), 200);

    // Act: the database comes back.
    cluster.restart();

    // Assert: ready again without restarting the API.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let status = ready().await.status().as_u16();
        if status == 200 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "still {status} 10 s after the database returned"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    handle.stop(false).await;
}
