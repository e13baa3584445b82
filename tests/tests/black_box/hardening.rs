//! The limits every request goes through and the headers every response carries: body,
//! page, URI and header sizes, connection and statement timeouts, unknown methods, security
//! headers (CSP, HSTS behind a TLS proxy).

use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use hangar_api::telemetry::{API_CSP, DOCS_CSP, HSTS, SPA_CSP};
use hangar_tests::accounts::{count, make_admin, register_and_login};
use hangar_tests::{TestApp, repo_root, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Writes `request` on a fresh connection and reads until the server closes it or `wait`
/// passes; returns what was read and when reading stopped.
async fn raw_exchange(port: u16, request: &[u8], wait: Duration) -> (String, Duration) {
    let started = Instant::now();
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    // The server may answer and close before reading it all.
    let _ = stream.write_all(request).await;
    let mut response = Vec::new();
    let _ = tokio::time::timeout(wait, stream.read_to_end(&mut response)).await;
    (
        String::from_utf8_lossy(&response).into_owned(),
        started.elapsed(),
    )
}

/// Headers to send, as name and value.
type Headers = Vec<(String, String)>;

fn status_of(raw: &str) -> Option<u16> {
    raw.split_whitespace().nth(1).and_then(|s| s.parse().ok())
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn json_bodies_over_64_kb_are_refused_with_413_and_nothing_is_written() {
    let app = spawn_app().await;
    let limit = hangar_api::extract::JSON_LIMIT_BYTES;
    // A registration whose `display_name` pads the body to exactly `size` bytes.
    let body_of = |size: usize| {
        let skeleton = json!({"email": "big@hangar.test", "password": "x", "display_name": ""});
        let pad = size - skeleton.to_string().len();
        json!({"email": "big@hangar.test", "password": "x", "display_name": "a".repeat(pad)})
            .to_string()
    };
    let cases: &[(usize, u16, &str)] = &[
        (
            limit,
            422,
            "exactly 64 KB: read, then refused by validation",
        ),
        (limit + 1, 413, "one byte over"),
        (10 * limit, 413, "ten times over"),
    ];
    for (size, status, why) in cases {
        let body = body_of(*size);
        assert_eq!(body.len(), *size, "{why}");
        let res = app
            .client
            .post(app.url("/api/v1/auth/register"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{why}: {e}"));
        if *status == 413 {
            let problem = TestApp::expect_problem(res, 413, "payload-too-large").await;
            assert!(
                problem["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains(&limit.to_string())),
                "{why}: {problem}"
            );
        } else {
            assert_eq!(res.status().as_u16(), *status, "{why}");
        }
    }

    // Without Content-Length (chunked), the limit is enforced while reading.
    let chunk = "a".repeat(8 * 1024);
    let mut request = String::from(
        "POST /api/v1/auth/register HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
    );
    request.push_str(&format!("{:x}\r\n{{\"email\":\"", 10));
    request.push_str("\r\n");
    for _ in 0..12 {
        request.push_str(&format!("{:x}\r\n{chunk}\r\n", chunk.len()));
    }
    request.push_str("0\r\n\r\n");
    let (raw, _) = raw_exchange(app.port, request.as_bytes(), Duration::from_secs(10)).await;
    assert_eq!(status_of(&raw), Some(413), "chunked 96 KB body: {raw:.300}");
    assert!(
        raw.contains("application/problem+json") && raw.contains("payload-too-large"),
        "chunked: problem document: {raw:.600}"
    );

    assert_eq!(count(&app, "users"), 0, "no account was created");
    app.assert_healthy().await;
}

#[tokio::test]
async fn every_list_refuses_pages_over_100() {
    let app = spawn_app().await;
    let (_, token, _) = register_and_login(&app, "admin@hangar.test").await;
    make_admin(&app, "admin@hangar.test");
    let spec: Value = app
        .get("/api/v1/openapi.json")
        .await
        .json()
        .await
        .unwrap_or_else(|e| panic!("spec: {e}"));
    let paths = spec["paths"].as_object().cloned().unwrap_or_default();
    let mut lists = Vec::new();
    for (path, item) in &paths {
        let Some(op) = item.get("get") else { continue };
        let params = op["parameters"].as_array().cloned().unwrap_or_default();
        if !params.iter().any(|p| p["name"] == "limit") {
            continue;
        }
        // Path parameters get a value of the right shape; the query is checked before the
        // object is looked up.
        let mut url = path.clone();
        for p in params.iter().filter(|p| p["in"] == "path") {
            let name = p["name"].as_str().unwrap_or_default();
            let value = if p["schema"]["format"] == "uuid" {
                uuid::Uuid::now_v7().to_string()
            } else {
                "robin".to_owned()
            };
            url = url.replace(&format!("{{{name}}}"), &value);
        }
        lists.push(url);
    }
    // Every list of the API (a new one is picked up from the spec by itself).
    assert!(lists.len() >= 12, "lists found in the spec: {lists:?}");

    for url in &lists {
        for (limit, why) in [("101", "over 100"), ("0", "zero"), ("100000", "huge")] {
            let res = app
                .client
                .get(app.url(&format!("{url}?limit={limit}")))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{url}: {e}"));
            let problem = TestApp::expect_problem(res, 422, "validation").await;
            assert!(
                problem["errors"]["limit"].is_array(),
                "{url}?limit={limit} ({why}): {problem}"
            );
        }
    }
}

#[tokio::test]
async fn request_targets_over_8_kb_are_414() {
    let app = spawn_app().await;
    let max = hangar_api::telemetry::MAX_URI_BYTES;
    let target = |len: usize| {
        let base = "/api/v1/listings?q=";
        format!("{base}{}", "a".repeat(len - base.len()))
    };
    let cases: &[(usize, Option<u16>, &str)] = &[
        (max, None, "exactly the limit: served"),
        (max + 1, Some(414), "one byte over"),
        (4 * max, Some(414), "far over"),
    ];
    for (len, status, why) in cases {
        let res = app.get(&target(*len)).await;
        match status {
            Some(s) => {
                let problem = TestApp::expect_problem(res, *s, "uri-too-long").await;
                assert!(
                    problem["detail"]
                        .as_str()
                        .is_some_and(|d| d.contains(&max.to_string())),
                    "{why}: {problem}"
                );
            }
            None => assert_ne!(res.status().as_u16(), 414, "{why}"),
        }
    }
    app.assert_healthy().await;
}

#[tokio::test]
async fn oversized_request_headers_are_431() {
    let app = spawn_app().await;
    let max = hangar_api::telemetry::MAX_HEADER_BYTES;
    let many: Headers = (0..hangar_api::telemetry::MAX_HEADER_COUNT + 1)
        .map(|i| (format!("x-h{i}"), "v".to_owned()))
        .collect();
    let cases: Vec<(Headers, u16, &str)> = vec![
        (
            vec![("cookie".into(), "a".repeat(max / 2))],
            200,
            "half the limit: served",
        ),
        (
            vec![("cookie".into(), "a".repeat(max + 1))],
            431,
            "one header over the limit",
        ),
        (
            vec![
                ("x-a".into(), "a".repeat(max / 2)),
                ("x-b".into(), "b".repeat(max / 2)),
            ],
            431,
            "two headers over the limit together",
        ),
        (many, 431, "too many headers"),
    ];
    for (headers, status, why) in cases {
        let mut req = app.client.get(app.url("/healthz"));
        for (name, value) in &headers {
            req = req.header(name.as_str(), value.as_str());
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{why}: {e}"));
        if status == 431 {
            TestApp::expect_problem(res, 431, "headers-too-large").await;
        } else {
            assert_eq!(res.status().as_u16(), status, "{why}");
        }
    }

    // Past what the HTTP parser buffers at all (128 KB): refused before any of our code, with
    // a bare 431, and the service carries on.
    let request = format!(
        "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {}\r\nConnection: close\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    let (raw, _) = raw_exchange(app.port, request.as_bytes(), Duration::from_secs(10)).await;
    assert_eq!(status_of(&raw), Some(431), "200 KB header: {raw:.300}");
    app.assert_healthy().await;
}

#[tokio::test]
async fn slow_and_idle_clients_are_disconnected() {
    let app = spawn_app_with(&[
        // actix computes these deadlines from a clock it refreshes every 500 ms, so they may
        // fire up to 500 ms early: shorter settings would time out requests being sent.
        ("HTTP_CLIENT_REQUEST_TIMEOUT_MS", "1500"),
        ("HTTP_KEEP_ALIVE_MS", "1500"),
    ])
    .await;

    // Headers never finished (slowloris): 408, then the connection is closed.
    let partial = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    let (raw, took) = raw_exchange(app.port, partial, Duration::from_secs(10)).await;
    assert_eq!(status_of(&raw), Some(408), "partial head: {raw:.300}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(6),
        "closed after {took:?}"
    );

    // A kept-alive connection left idle is closed after the keep-alive timeout.
    let full = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    let (raw, took) = raw_exchange(app.port, full, Duration::from_secs(10)).await;
    assert_eq!(status_of(&raw), Some(200), "served first: {raw:.300}");
    assert!(
        took >= Duration::from_millis(900) && took < Duration::from_secs(6),
        "idle connection closed after {took:?}"
    );
    // On a new connection: the harness client's pooled one may have been closed meanwhile.
    let fresh = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .expect("client");
    let res = fresh
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(
        res.status().as_u16(),
        200,
        "the service should still be healthy"
    );
}

#[tokio::test]
async fn a_statement_over_the_timeout_is_cancelled_and_answered_503() {
    let app = spawn_app_with(&[("DATABASE_STATEMENT_TIMEOUT_MS", "500")]).await;
    assert_eq!(app.get("/api/v1/listings").await.status().as_u16(), 200);

    // Another session holds the table: the search's statement waits until PostgreSQL
    // cancels it.
    let mut blocker = app.db.connect();
    blocker
        .batch_execute("BEGIN; LOCK TABLE listings IN ACCESS EXCLUSIVE MODE")
        .unwrap_or_else(|e| panic!("lock: {e}"));
    let started = Instant::now();
    let res = app.get("/api/v1/listings").await;
    let took = started.elapsed();
    let retry_after = header(&res, "retry-after");
    let problem = TestApp::expect_problem(res, 503, "service-unavailable").await;
    assert!(retry_after.is_some(), "503 says when to retry");
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(5),
        "answered after {took:?}"
    );
    let text = problem.to_string();
    for leak in ["statement timeout", "canceling", "SELECT", "listings l"] {
        assert!(!text.contains(leak), "leaks `{leak}`: {text}");
    }
    // Cancelled in PostgreSQL, not merely abandoned by the API: nothing of ours still waits.
    // (The background jobs' statements are cut at the same timeout.)
    let waiting = count(
        &app,
        "pg_stat_activity WHERE application_name = 'hangar-api' AND state = 'active' \
         AND datname = current_database() AND now() - query_start > interval '1 second'",
    );
    assert_eq!(waiting, 0, "statements still running");

    blocker
        .batch_execute("ROLLBACK")
        .unwrap_or_else(|e| panic!("unlock: {e}"));
    assert_eq!(
        app.get("/api/v1/listings").await.status().as_u16(),
        200,
        "served again once the table is free"
    );
}

#[tokio::test]
async fn unknown_methods_are_405_problems_everywhere() {
    let dir = repo_root().join("tests/fixtures/static");
    let dir = dir.display().to_string();
    let app = spawn_app_with(&[("STATIC_DIR", &dir)]).await;
    let propfind = Method::from_bytes(b"PROPFIND").unwrap_or_else(|e| panic!("{e}"));
    let cases: &[(Method, &str, &str, &str)] = &[
        (Method::TRACE, "/healthz", "GET", "TRACE on a probe"),
        (
            Method::TRACE,
            "/readyz",
            "GET",
            "TRACE on the readiness probe",
        ),
        (Method::TRACE, "/docs/", "GET, HEAD", "TRACE on the docs"),
        (Method::TRACE, "/", "GET, HEAD", "TRACE on the SPA"),
        (
            Method::TRACE,
            "/media/x.webp",
            "GET, HEAD",
            "TRACE on photos",
        ),
        (
            Method::TRACE,
            "/api/v1/nope",
            "GET, HEAD",
            "TRACE on nothing",
        ),
        (propfind, "/api/v1", "GET", "WebDAV verb"),
    ];
    for (method, path, allow, why) in cases {
        let res = app
            .request(method.clone(), path)
            .await
            .send()
            .await
            .unwrap_or_else(|e| panic!("{why}: {e}"));
        let allowed = header(&res, "allow");
        let nosniff = header(&res, "x-content-type-options");
        TestApp::expect_problem(res, 405, "method-not-allowed").await;
        assert_eq!(allowed.as_deref(), Some(*allow), "{why}: Allow");
        assert_eq!(nosniff.as_deref(), Some("nosniff"), "{why}: headers");
    }
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let dir = repo_root().join("tests/fixtures/static");
    let dir = dir.display().to_string();
    let app = spawn_app_with(&[("STATIC_DIR", &dir)]).await;
    let long = format!("/api/v1?q={}", "a".repeat(10_000));
    let cases: &[(&str, u16, Option<&str>, &str)] = &[
        ("/healthz", 200, Some(API_CSP), "JSON"),
        ("/api/v1/nope", 404, Some(API_CSP), "problem"),
        (&long, 414, Some(API_CSP), "refused before routing"),
        ("/docs/", 200, Some(DOCS_CSP), "API reference"),
        (
            "/docs/swagger-ui-bundle.js",
            200,
            Some(DOCS_CSP),
            "docs script",
        ),
        ("/", 200, Some(SPA_CSP), "SPA page"),
        ("/listings/some-aircraft", 200, Some(SPA_CSP), "SPA route"),
    ];
    for (path, status, csp, why) in cases {
        let res = app.get(path).await;
        assert_eq!(res.status().as_u16(), *status, "{why}");
        assert_eq!(
            header(&res, "x-content-type-options").as_deref(),
            Some("nosniff"),
            "{why}"
        );
        assert_eq!(
            header(&res, "referrer-policy").as_deref(),
            Some("strict-origin-when-cross-origin"),
            "{why}"
        );
        assert_eq!(
            header(&res, "x-frame-options").as_deref(),
            Some("DENY"),
            "{why}"
        );
        assert_eq!(
            header(&res, "content-security-policy").as_deref(),
            *csp,
            "{why}"
        );
        assert_eq!(
            header(&res, "strict-transport-security"),
            None,
            "{why}: plain HTTP"
        );
    }
    // The page policies are strict: no inline or eval'd script anywhere, nothing from other
    // hosts, no framing (the docs allow inline styles, which Swagger UI sets).
    for csp in [DOCS_CSP, SPA_CSP, API_CSP] {
        let script_src = csp
            .split(';')
            .map(str::trim)
            .find(|d| d.starts_with("script-src") || d.starts_with("default-src 'none'"))
            .unwrap_or_default();
        assert!(
            script_src == "script-src 'self'" || script_src == "default-src 'none'",
            "scripts: {csp}"
        );
        for loose in ["'unsafe-eval'", "*", "http:", "https:"] {
            assert!(!csp.contains(loose), "`{loose}` in {csp}");
        }
        if csp != DOCS_CSP {
            assert!(!csp.contains("'unsafe-inline'"), "{csp}");
        }
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(
            csp.contains("object-src 'none'") || csp.contains("default-src 'none'"),
            "{csp}"
        );
    }

    // The docs page keeps working under its policy: it has no inline script or style, and
    // every script it loads is served by the API itself.
    let html = app.get("/docs/").await.text().await.unwrap_or_default();
    let lower = html.to_ascii_lowercase();
    for tag in lower.split("<script").skip(1) {
        let open = tag.split('>').next().unwrap_or_default();
        assert!(
            open.contains("src="),
            "inline script in the docs page: {html}"
        );
        let body = tag.split('>').nth(1).unwrap_or_default();
        assert!(
            body.trim_start().starts_with("</script"),
            "inline script body in the docs page: {html}"
        );
    }
    assert!(!lower.contains("<style"), "inline style block: {html}");
    assert!(!lower.contains(" style="), "inline style attribute: {html}");
    for src in lower
        .split("src=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        let url = format!("/docs/{}", src.trim_start_matches("./"));
        assert_eq!(app.get(&url).await.status().as_u16(), 200, "{url}");
    }
}

#[tokio::test]
async fn hsts_is_sent_only_for_https_through_a_trusted_proxy() {
    let behind_proxy = spawn_app_with(&[("TRUSTED_PROXIES", "127.0.0.1")]).await;
    let direct = spawn_app().await;
    let cases: &[(&TestApp, Option<&str>, bool, &str)] = &[
        (
            &behind_proxy,
            Some("https"),
            true,
            "TLS at the trusted proxy",
        ),
        (&behind_proxy, Some("HTTPS"), true, "case does not matter"),
        (
            &behind_proxy,
            Some("http, https"),
            true,
            "the proxy's own value is the last",
        ),
        (
            &behind_proxy,
            Some("http"),
            false,
            "plain HTTP at the proxy",
        ),
        (&behind_proxy, None, false, "proxy says nothing"),
        (
            &direct,
            Some("https"),
            false,
            "a client cannot claim TLS itself",
        ),
        (&direct, None, false, "plain HTTP"),
    ];
    for (app, proto, hsts, why) in cases {
        let mut req = app.client.get(app.url("/healthz"));
        if let Some(p) = proto {
            req = req.header("x-forwarded-proto", *p);
        }
        let res = req.send().await.unwrap_or_else(|e| panic!("{why}: {e}"));
        assert_eq!(
            header(&res, "strict-transport-security").as_deref(),
            hsts.then_some(HSTS),
            "{why}"
        );
    }
}
