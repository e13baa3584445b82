//! For local use the API serves the built SPA (here a fixture page) from `STATIC_DIR`.

use hangar_tests::{TestApp, repo_root, spawn_app_with};

#[tokio::test]
async fn the_spa_is_served_with_client_side_routes() {
    let dir = repo_root().join("tests/fixtures/static");
    let dir = dir.display().to_string();
    let app = spawn_app_with(&[("STATIC_DIR", &dir)]).await;

    for path in ["/", "/listings/some-aircraft", "/account/settings"] {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let ct = res
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        assert!(ct.starts_with("text/html"), "{path}: {ct}");
        let html = res.text().await.unwrap_or_default();
        assert!(html.contains("Hangar"), "{path}: {html}");
    }

    // API paths never fall back to the page, and only GET/HEAD reach the files.
    TestApp::expect_problem(app.get("/api/v1/listings-typo").await, 404, "not-found").await;
    let res = app
        .client
        .post(app.url("/index.html"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    TestApp::expect_problem(res, 404, "not-found").await;
    // No escaping the directory.
    let res = app.get("/..%2F..%2FCargo.toml").await;
    let text = res.text().await.unwrap_or_default();
    assert!(!text.contains("[workspace]"), "path traversal: {text}");
}
