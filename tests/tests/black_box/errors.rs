//! Bad input gets a problem document with the right status, and leaves the service healthy.

use hangar_tests::accounts::{call, count, registration};
use hangar_tests::listings::{LISTINGS, dr400, member, published, seller, with, without};
use hangar_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// Sends a GET over a bare TCP connection and returns the status code.
async fn raw_get_status(port: u16, target: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap_or_else(|e| panic!("connect: {e}"));
    let request = format!("GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    // The server may answer and close before reading it all.
    let _ = stream.write_all(request.as_bytes()).await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let text = String::from_utf8_lossy(&response);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"))
}

#[tokio::test]
async fn unknown_routes_and_wrong_methods_get_problem_documents() {
    let app = spawn_app().await;
    let cases: &[(Method, &str, u16, &str, &str)] = &[
        (
            Method::GET,
            "/api/v1/no-such-thing",
            404,
            "not-found",
            "unknown API path",
        ),
        (
            Method::POST,
            "/api/v1/no-such-thing",
            404,
            "not-found",
            "unknown API path, other method",
        ),
        (
            Method::GET,
            "/api/v2",
            404,
            "not-found",
            "unknown API version",
        ),
        (
            Method::POST,
            "/healthz",
            405,
            "method-not-allowed",
            "probe is GET only",
        ),
        (
            Method::DELETE,
            "/api/v1",
            405,
            "method-not-allowed",
            "index is GET only",
        ),
        (
            Method::PUT,
            "/readyz",
            405,
            "method-not-allowed",
            "readiness is GET only",
        ),
        (
            Method::TRACE,
            "/healthz",
            405,
            "method-not-allowed",
            "TRACE is never allowed",
        ),
    ];
    for (method, path, status, slug, why) in cases {
        let res = app
            .request(method.clone(), path)
            .await
            .send()
            .await
            .unwrap_or_else(|e| panic!("{why}: {e}"));
        let allow = res
            .headers()
            .get("allow")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = TestApp::expect_problem(res, *status, slug).await;
        assert_eq!(body["instance"], *path, "{why}");
        if *status == 405 {
            assert_eq!(allow.as_deref(), Some("GET"), "{why}: Allow header");
        }
    }
}

#[tokio::test]
async fn oversized_and_malformed_requests_are_refused_and_the_service_survives() {
    let app = spawn_app().await;
    // A 20 KB query string: over our limit, answered in the envelope.
    let long_query = format!("/api/v1?q={}", "a".repeat(20 * 1024));
    let res = app.get(&long_query).await;
    let body = TestApp::expect_problem(res, 414, "uri-too-long").await;
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("8192"),
        "{body}"
    );
    app.assert_healthy().await;

    // A 100 KB query string: past what the HTTP parser reads at all (64 KB), so refused before
    // routing; HTTP clients will not even send it, hence a raw socket.
    let status = raw_get_status(app.port, &format!("/api/v1?q={}", "a".repeat(100 * 1024))).await;
    assert!(
        (400..500).contains(&status),
        "100 KB query string: {status}"
    );
    app.assert_healthy().await;

    // Bodies no endpoint should ever swallow: 10 MB of JSON, invalid UTF-8, 10,000 levels deep.
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let bodies: Vec<(Vec<u8>, &str)> = vec![
        (vec![b'['; 10 * 1024 * 1024], "10 MB JSON body"),
        (b"{\"title\":\"\xff\xfe\"}".to_vec(), "invalid UTF-8"),
        (deep.into_bytes(), "nested 10,000 levels"),
    ];
    for (body, why) in bodies {
        for path in ["/api/v1", "/api/v1/no-such-thing"] {
            let res = app
                .client
                .post(app.url(path))
                .header("content-type", "application/json")
                .body(body.clone())
                .send()
                .await;
            match res {
                Ok(res) => assert!(
                    res.status().is_client_error(),
                    "{why} on {path}: {}",
                    res.status()
                ),
                // The server may close the connection without reading a body it will not use.
                Err(e) => assert!(e.is_request() || e.is_body(), "{why} on {path}: {e}"),
            }
            app.assert_healthy().await;
        }
    }
}

#[tokio::test]
async fn error_bodies_never_leak_internals() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/%E0%A4%A?x=%ZZ").await;
    let status = res.status().as_u16();
    let text = res.text().await.unwrap_or_default();
    assert!((400..500).contains(&status), "{status}: {text}");
    for leak in ["panicked", "diesel", "actix", "src/", "SQL"] {
        assert!(!text.contains(leak), "leaks `{leak}`: {text}");
    }
}

/// Found by the Schemathesis run: a NUL in a query parameter reached PostgreSQL (which cannot
/// store it in text) and came back as a 500. Every query string goes through one parser, so
/// one endpoint per kind of query is enough.
#[tokio::test]
async fn nul_characters_in_query_parameters_are_a_422_naming_the_parameter() {
    let app = spawn_app().await;
    let cases: &[(&str, &str, &str)] = &[
        ("/api/v1/makes?q=ro%00bin", "q", "makes autocomplete"),
        ("/api/v1/airfields?q=%00", "q", "airfield search"),
        ("/api/v1/listings?q=dr400%00", "q", "listing search"),
        ("/api/v1/makes?li%00mit=5", "limit", "NUL in a name"),
    ];
    for (path, field, why) in cases {
        let res = app.get(path).await;
        let body = TestApp::expect_problem(res, 422, "validation").await;
        assert_eq!(
            body["errors"][*field][0], "must not contain NUL characters",
            "{why}: {body}"
        );
        app.assert_healthy().await;
    }
}

/// One JSON body with a NUL somewhere, and where the route would have written.
struct NulCase<'a> {
    why: &'a str,
    path: &'a str,
    token: Option<&'a str>,
    body: Value,
    field: &'a str,
    /// `count(*)` of this (`FROM …`) must not change.
    rows: &'a str,
}

/// PostgreSQL cannot store NUL in text either, and a JSON body carries it as `\u0000`. Every
/// JSON body goes through one extractor, which refuses it in any string or key, naming the
/// field; each case checks the table the route would have written to is untouched.
#[tokio::test]
async fn nul_characters_in_json_bodies_are_a_422_naming_the_field_and_write_nothing() {
    let app = spawn_app().await;
    let sell = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let listing = published(&app, &sell.token).await;
    let start = format!("/api/v1/listings/{listing}/conversations");
    let started = call(
        &app,
        Method::POST,
        &start,
        Some(&buyer.token),
        Some(&json!({"body": "Bonjour, l'avion est-il toujours disponible ?"})),
    )
    .await;
    assert_eq!(started.status().as_u16(), 201, "start a conversation");
    let started: Value = started
        .json()
        .await
        .unwrap_or_else(|e| panic!("started conversation: {e}"));
    let reply = format!(
        "/api/v1/conversations/{}/messages",
        started["conversation"]["id"].as_str().unwrap_or_default()
    );

    let newcomer = "nouveau@example.fr";
    let no_such_user = format!("users WHERE email = '{newcomer}'");
    let cases = [
        NulCase {
            why: "register: top-level field",
            path: "/api/v1/auth/register",
            token: None,
            body: with(
                registration(newcomer),
                "/display_name",
                json!("Jean\0 Dupont"),
            ),
            field: "display_name",
            rows: &no_such_user,
        },
        NulCase {
            why: "register: key",
            path: "/api/v1/auth/register",
            token: None,
            body: with(
                without(registration(newcomer), "/display_name"),
                "/display\0_name",
                json!("Jean Dupont"),
            ),
            field: "display_name",
            rows: &no_such_user,
        },
        NulCase {
            why: "create listing: top-level field",
            path: LISTINGS,
            token: Some(&sell.token),
            body: with(dr400(), "/description", json!("Robin DR400\0 hangarée")),
            field: "description",
            rows: "listings",
        },
        NulCase {
            why: "create listing: nested attribute",
            path: LISTINGS,
            token: Some(&sell.token),
            body: with(dr400(), "/attributes/engine_make", json!("Lycoming\0")),
            field: "attributes.engine_make",
            rows: "listings",
        },
        NulCase {
            why: "create listing: nested key",
            path: LISTINGS,
            token: Some(&sell.token),
            body: with(dr400(), "/attributes/engine\0_model", json!("O-320-E2A")),
            field: "attributes.engine_model",
            rows: "listings",
        },
        NulCase {
            why: "create listing: list item",
            path: LISTINGS,
            token: Some(&sell.token),
            body: with(
                dr400(),
                "/attributes/avionics",
                json!(["Garmin GNS 430", "\0"]),
            ),
            field: "attributes.avionics[1]",
            rows: "listings",
        },
        NulCase {
            why: "start a conversation",
            path: &start,
            token: Some(&buyer.token),
            body: json!({"body": "Toujours \0disponible ?"}),
            field: "body",
            rows: "messages",
        },
        NulCase {
            why: "send a message",
            path: &reply,
            token: Some(&buyer.token),
            body: json!({"body": "\0"}),
            field: "body",
            rows: "messages",
        },
    ];
    for case in cases {
        let before = count(&app, case.rows);
        let res = call(&app, Method::POST, case.path, case.token, Some(&case.body)).await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert_eq!(
            problem["errors"],
            json!({ case.field: ["must not contain NUL characters"] }),
            "{}: {problem}",
            case.why
        );
        assert_eq!(
            count(&app, case.rows),
            before,
            "{}: a row was written",
            case.why
        );
    }
    app.assert_healthy().await;
}
