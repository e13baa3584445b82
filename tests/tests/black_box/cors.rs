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

#[tokio::test]
async fn simple_requests_get_cors_headers_for_configured_origins_only() {
    let app = spawn_app_with(&[("CORS_ALLOWED_ORIGINS", "http://spa.test:5173")]).await;
    let cases: &[(&str, Option<&str>, &str)] = &[
        (
            "http://spa.test:5173",
            Some("http://spa.test:5173"),
            "configured origin",
        ),
        ("http://evil.test", None, "foreign origin"),
        ("http://spa.test:5174", None, "same host, other port"),
        ("null", None, "null origin (sandboxed frame, file://)"),
    ];
    for (origin, allowed, why) in cases {
        let res = app
            .client
            .get(app.url("/api/v1"))
            .header("origin", *origin)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{why}: {e}"));
        // The request itself is served; only the browser's permission to read it differs.
        assert_eq!(res.status().as_u16(), 200, "{why}");
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
                "{why}: credentials with the exact origin"
            );
        }
        // (actix-cors also sends `Access-Control-Allow-Credentials` to other origins; without
        // a matching `Access-Control-Allow-Origin` the browser grants them nothing.)
    }
}
