use hangar_tests::spawn_app;

#[tokio::test]
async fn liveness_and_readiness_answer_ok() {
    // Arrange
    let app = spawn_app().await;

    for path in ["/healthz", "/readyz"] {
        // Act
        let res = app.get(path).await;

        // Assert
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert_eq!(
            res.headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok()),
            Some("application/json"),
            "{path}"
        );
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        assert_eq!(body, serde_json::json!({"status": "ok"}), "{path}");
    }
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let app = spawn_app().await;
    let cases: &[(Option<&str>, Option<&str>, &str)] = &[
        (
            Some("trace-abc_123"),
            Some("trace-abc_123"),
            "a sane client id is kept",
        ),
        (None, None, "a missing id is generated"),
        (
            Some("has spaces and \"quotes\""),
            None,
            "an unsafe id is replaced",
        ),
    ];
    for (sent, expected, why) in cases {
        let mut req = app.client.get(app.url("/healthz"));
        if let Some(id) = sent {
            req = req.header("x-request-id", *id);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{why}: {e}"));
        let got = res
            .headers()
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        match expected {
            Some(id) => assert_eq!(&got, id, "{why}"),
            None => assert!(
                uuid::Uuid::parse_str(&got).is_ok(),
                "{why}: `{got}` should be a UUID"
            ),
        }
    }
}

#[tokio::test]
async fn api_index_links_the_spec_and_the_docs() {
    let app = spawn_app().await;

    let res = app.get("/api/v1").await;

    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    assert_eq!(body["name"], "Hangar API");
    assert_eq!(
        body["openapi_url"],
        "http://hangar.test/api/v1/openapi.json"
    );
    assert_eq!(body["docs_url"], "http://hangar.test/docs/");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/healthz", "/api/v1/unknown", "/docs/"] {
        let res = app.get(path).await;
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("x-content-type-options").as_deref(),
            Some("nosniff"),
            "{path}"
        );
        assert_eq!(
            header("referrer-policy").as_deref(),
            Some("strict-origin-when-cross-origin"),
            "{path}"
        );
    }
}
