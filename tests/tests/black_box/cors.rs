//! Only the configured origins may call the API from a browser, with credentials.

use hangar_tests::spawn_app_with;

#[tokio::test]
async fn preflight_is_answered_for_configured_origins_only() {
    let app = spawn_app_with(&[("CORS_ALLOWED_ORIGINS", "http://spa.test:5173")]).await;
    let cases: &[(&str, Option<&str>, &str)] = &[
        (
            "http://spa.test:5173",
            Some("http://spa.test:5173"),
            "configured origin",
        ),
        ("http://evil.test", None, "foreign origin"),
        ("null", None, "null origin"),
    ];
    for (origin, allowed, why) in cases {
        let res = app
            .client
            .request(reqwest::Method::OPTIONS, app.url("/api/v1"))
            .header("origin", *origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "authorization")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{why}: {e}"));
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        assert_eq!(
            header("access-control-allow-origin").as_deref(),
            *allowed,
            "{why}"
        );
        if allowed.is_some() {
            assert_eq!(
                header("access-control-allow-credentials").as_deref(),
                Some("true"),
                "{why}"
            );
        }
        assert_ne!(
            header("access-control-allow-origin").as_deref(),
            Some("*"),
            "{why}"
        );
    }
}
