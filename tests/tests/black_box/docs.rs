//! The human API reference works with no network: every asset comes from the API itself.

use hangar_tests::spawn_app;

#[tokio::test]
async fn docs_are_served_offline() {
    let app = spawn_app().await;

    let res = app.get("/docs").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some("/docs/")
    );

    let res = app.get("/docs/").await;
    assert_eq!(res.status().as_u16(), 200);
    let html = res.text().await.unwrap_or_default();
    assert!(html.contains("swagger-ui"), "{html}");
    // Nothing is loaded from another host.
    for external in ["https://", "http://", "//cdn", "unpkg", "jsdelivr"] {
        assert!(
            !html.contains(external),
            "the docs page loads `{external}`: {html}"
        );
    }

    for asset in [
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-initializer.js",
    ] {
        let res = app.get(asset).await;
        assert_eq!(res.status().as_u16(), 200, "{asset}");
        let text = res.text().await.unwrap_or_default();
        assert!(text.len() > 100, "{asset} has content");
        if asset.ends_with("initializer.js") {
            assert!(
                text.contains("/api/v1/openapi.json"),
                "the UI loads our spec: {text}"
            );
        }
    }
}
