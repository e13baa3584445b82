//! Mail leaves through the outbox and a real SMTP server: the verification flow end to end.

use hangar_tests::smtp::SmtpSink;
use hangar_tests::spawn_app_with;

/// The `token` query value of the first link in `message`.
fn token_in(message: &str) -> String {
    let start = message
        .find("?token=")
        .map(|i| i + 7)
        .unwrap_or_else(|| panic!("no link in {message}"));
    message[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn verification_mail_is_delivered_over_smtp_and_verifies_the_address() {
    // Arrange: an SMTP server, and the API sending to it.
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = spawn_app_with(&[
        ("SMTP_URL", &url),
        ("OUTBOX_POLL_MS", "100"),
        ("MAIL_FROM", "Hangar <no-reply@hangar.test>"),
    ])
    .await;

    // Act: register.
    let res = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&serde_json::json!({
            "email": "Pilote.Anglais@Example.com",
            "password": "Vol de nuit au-dessus de la Beauce",
            "display_name": "Amelia Pilot",
            "account_type": "private",
            "locale": "en"
        }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 201);

    // Assert: the mail arrives, in English, from the configured sender, with a working link.
    let message = sink.wait_for("pilote.anglais@example.com").await;
    assert!(
        message.contains("Subject: Confirm your Hangar email address"),
        "{message}"
    );
    assert!(message.contains("no-reply@hangar.test"), "{message}");
    assert!(
        message.contains("http://hangar.test/verify-email?token="),
        "{message}"
    );
    let token = token_in(&message);
    assert_eq!(token.len(), 43, "{token}");

    let res = app
        .client
        .post(app.url("/api/v1/auth/verify-email"))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 204);

    // The outbox row is marked sent and no longer holds the token.
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        sent: bool,
        #[diesel(sql_type = diesel::sql_types::Text)]
        body_text: String,
    }
    let rows: Vec<Row> =
        diesel::sql_query("SELECT sent_at IS NOT NULL AS sent, body_text FROM outbox")
            .load(&mut app.db.connect())
            .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(rows.len(), 1);
    assert!(rows[0].sent);
    assert!(rows[0].body_text.is_empty(), "body kept after sending");
    #[derive(diesel::QueryableByName)]
    struct Verified {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        verified: bool,
    }
    let v: Vec<Verified> =
        diesel::sql_query("SELECT email_verified_at IS NOT NULL AS verified FROM users")
            .load(&mut app.db.connect())
            .unwrap_or_else(|e| panic!("{e}"));
    assert!(v.first().is_some_and(|v| v.verified));
}

#[tokio::test]
async fn an_unreachable_smtp_server_keeps_the_mail_queued_for_retry() {
    // A port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or_else(|e| panic!("{e}"));
    let url = format!("smtp://127.0.0.1:{port}");
    let app = spawn_app_with(&[("SMTP_URL", &url), ("OUTBOX_POLL_MS", "100")]).await;

    let res = app
        .client
        .post(app.url("/api/v1/auth/password/forgot"))
        .json(&serde_json::json!({ "email": "nobody@example.com" }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 202);

    // Register to cause a mail, then wait for a failed attempt to be recorded.
    let res = app
        .client
        .post(app.url("/api/v1/auth/register"))
        .json(&serde_json::json!({
            "email": "jean@example.com",
            "password": "Vol de nuit au-dessus de la Beauce",
            "display_name": "Jean",
            "account_type": "private"
        }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 201);
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Int4)]
        attempts: i32,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        sent: bool,
        #[diesel(sql_type = diesel::sql_types::Bool)]
        later: bool,
    }
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT attempts, sent_at IS NOT NULL AS sent, next_attempt_at > now() AS later FROM outbox",
        )
        .load(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("{e}"));
        // Only the registration mail: an unknown address gets none.
        assert_eq!(rows.len(), 1);
        if rows[0].attempts >= 1 {
            assert!(!rows[0].sent, "not marked sent");
            assert!(rows[0].later, "retry scheduled with backoff");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no failed attempt recorded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
