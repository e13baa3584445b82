//! Background work, run directly against a test database: listing expiry, the reminder mail
//! a week before, purges; and the demo seed. View counts, saved by the service's own round;
//! the facet aggregate, recounted by it only after a change.

use diesel::RunQueryDsl;
use hangar_tests::listings::{published, seller};
use hangar_tests::spawn_app;

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = diesel::sql_types::Text)]
    value: String,
}

fn text(app: &hangar_tests::TestApp, sql: &str) -> Vec<String> {
    diesel::sql_query(sql)
        .load::<Row>(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .into_iter()
        .map(|r| r.value)
        .collect()
}

fn exec(app: &hangar_tests::TestApp, sql: &str) {
    diesel::sql_query(sql)
        .execute(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

#[tokio::test]
async fn maintenance_expires_reminds_once_and_purges() {
    // Arrange: three published listings: one past its date, one expiring in 3 days, one fresh;
    // and one deleted 40 days ago.
    let app = spawn_app().await;
    let owner = seller(&app, "pilote@example.fr");
    let expired = published(&app, &owner.token).await;
    let soon = published(&app, &owner.token).await;
    let fresh = published(&app, &owner.token).await;
    let gone = published(&app, &owner.token).await;
    exec(
        &app,
        &format!(
            "UPDATE listings SET expires_at = now() - interval '1 hour' WHERE id = '{expired}'"
        ),
    );
    exec(
        &app,
        &format!("UPDATE listings SET expires_at = now() + interval '3 days' WHERE id = '{soon}'"),
    );
    exec(
        &app,
        &format!(
            "UPDATE listings SET status = 'deleted', deleted_at = now() - interval '40 days' WHERE id = '{gone}'"
        ),
    );

    // Act: two rounds, as the job runs them.
    let mut conn = app.db.connect();
    let first = hangar_api::jobs::maintenance(&mut conn, "http://hangar.test")
        .unwrap_or_else(|e| panic!("{e}"));
    let second = hangar_api::jobs::maintenance(&mut conn, "http://hangar.test")
        .unwrap_or_else(|e| panic!("{e}"));

    // Assert
    assert_eq!(first, (1, 1, 1), "(expired, reminded, purged)");
    assert_eq!(second, (0, 0, 0), "nothing twice");
    let status = |id| {
        text(
            &app,
            &format!("SELECT status AS value FROM listings WHERE id = '{id}'"),
        )
    };
    assert_eq!(status(expired), vec!["expired"]);
    assert_eq!(status(soon), vec!["published"]);
    assert_eq!(status(fresh), vec!["published"]);
    assert!(status(gone).is_empty(), "purged");
    let events = text(
        &app,
        &format!(
            "SELECT coalesce(from_status, '') || '>' || coalesce(to_status, '') AS value FROM listing_events WHERE listing_id = '{expired}' AND kind = 'status'"
        ),
    );
    assert_eq!(events, vec!["published>expired"]);
    let mails = text(
        &app,
        "SELECT subject AS value FROM outbox WHERE subject LIKE '%expire%'",
    );
    assert_eq!(mails.len(), 1, "one reminder: {mails:?}");
    let body = text(
        &app,
        "SELECT body_text AS value FROM outbox WHERE subject LIKE '%expire%'",
    );
    assert!(
        body[0].contains(&format!("http://hangar.test/listings/{soon}")),
        "{}",
        body[0]
    );

    // Renewing resets the reminder for the next period.
    let res = app
        .client
        .post(app.url(&format!("/api/v1/listings/{soon}/renew")))
        .bearer_auth(&owner.token)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT (expiry_reminder_sent_at IS NULL)::text AS value FROM listings WHERE id = '{soon}'"
            )
        ),
        vec!["true"]
    );
}

#[tokio::test]
async fn the_demo_seed_fills_the_marketplace_once() {
    let app = spawn_app().await;
    let media = std::env::temp_dir().join(format!("hangar-demo-{}", uuid::Uuid::new_v4().simple()));
    let mut conn = app.db.connect();

    let created =
        hangar_api::demo::seed_with(&mut conn, &media, 40, 2).unwrap_or_else(|e| panic!("{e}"));
    let again =
        hangar_api::demo::seed_with(&mut conn, &media, 40, 2).unwrap_or_else(|e| panic!("{e}"));

    assert!(
        created >= 35,
        "most of the 40 listings are created: {created}"
    );
    assert_eq!(again, 0, "idempotent");
    assert_eq!(
        text(
            &app,
            "SELECT count(*)::text AS value FROM users WHERE email LIKE '%@demo.hangar.test' AND email_verified_at IS NOT NULL"
        ),
        vec!["10"]
    );
    // Every demo listing is valid by the API's own rules: it reads back, with photos.
    let ids = text(
        &app,
        "SELECT id::text AS value FROM listings WHERE status = 'published' LIMIT 5",
    );
    for id in ids {
        let res = app.get(&format!("/api/v1/listings/{id}")).await;
        assert_eq!(res.status().as_u16(), 200, "{id}");
        let body: serde_json::Value = res.json().await.unwrap_or_default();
        assert!(
            body["photos"].as_array().is_some_and(|p| !p.is_empty()),
            "{body}"
        );
        assert!(body["location"]["airfield_icao"].is_string(), "{body}");
    }
    // The photos are on disk.
    let url = text(&app, "SELECT sha256 AS value FROM listing_photos LIMIT 1");
    let path = hangar_api::media::relative_path(url[0].trim(), 320);
    assert!(media.join(path).exists());
    let _ = std::fs::remove_dir_all(&media);
}

#[tokio::test]
async fn views_are_counted_and_saved_but_not_the_sellers_own_nor_the_moderators() {
    // Arrange: counts saved every 100 ms.
    let app = hangar_tests::spawn_app_with(&[("VIEWS_FLUSH_MS", "100")]).await;
    let owner = seller(&app, "vendeur@example.fr");
    let visitor = hangar_tests::listings::buyer(&app);
    let reviewer = hangar_tests::listings::moderator(&app, "moderation@example.fr");
    let id = published(&app, &owner.token).await;
    let path = format!("/api/v1/listings/{id}");
    let count = |app: &hangar_tests::TestApp| {
        text(
            app,
            &format!("SELECT view_count::text AS value FROM listings WHERE id = '{id}'"),
        )
        .concat()
    };

    // Act: two anonymous visits, one by a member, one by the seller, one by a moderator.
    for _ in 0..2 {
        assert_eq!(app.get(&path).await.status().as_u16(), 200);
    }
    for token in [&visitor.token, &owner.token, &reviewer.token] {
        let res = app
            .client
            .get(app.url(&path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(res.status().as_u16(), 200);
    }

    // Assert: three views saved within a few rounds, and still three after more rounds.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(&app) != "3" {
        assert!(
            std::time::Instant::now() < deadline,
            "view count never reached 3: {}",
            count(&app)
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    assert_eq!(
        count(&app),
        "3",
        "the seller's own visit or the moderator's counted, or a view twice"
    );
}

/// Waits (up to 20 s) until the make facet of a browse of `aircraft` is `expected`.
async fn make_facet_becomes(app: &hangar_tests::TestApp, expected: serde_json::Value) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let res = app
            .get("/api/v1/listings?category=aircraft&facets=make")
            .await;
        assert_eq!(res.status().as_u16(), 200);
        let page: serde_json::Value = res.json().await.unwrap_or_default();
        if page["facets"]["make"] == expected {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the aggregate never showed {expected}: {page}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_facet_aggregate_is_recounted_only_after_a_change() {
    // Arrange: browse facets always from the aggregate, its refresh tried every 100 ms, views
    // saved every 100 ms.
    let app = hangar_tests::spawn_app_with(&[
        ("FACETS_LIVE_MAX_ROWS", "0"),
        ("FACETS_REFRESH_MS", "100"),
        ("VIEWS_FLUSH_MS", "100"),
    ])
    .await;
    let owner = seller(&app, "recompte@example.fr");
    let id = published(&app, &owner.token).await;
    let wait_for = |expected: serde_json::Value| make_facet_becomes(&app, expected);
    let refreshed_at = |app: &hangar_tests::TestApp| {
        text(
            app,
            "SELECT refreshed_at::text AS value FROM listing_facet_counts_state",
        )
        .concat()
    };
    wait_for(serde_json::json!([{"value": "Robin", "count": 1}])).await;
    let counted = refreshed_at(&app);
    assert!(!counted.is_empty(), "no recount recorded");

    // Act: nothing the aggregate counts changes for ten turns; a visit only bumps the
    // listing's view count (saved by the views round).
    assert_eq!(
        app.get(&format!("/api/v1/listings/{id}"))
            .await
            .status()
            .as_u16(),
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;

    // Assert: not recounted.
    assert_eq!(
        text(
            &app,
            &format!("SELECT view_count::text AS value FROM listings WHERE id = '{id}'")
        )
        .concat(),
        "1",
        "the visit was not saved: the test proves nothing"
    );
    assert_eq!(
        refreshed_at(&app),
        counted,
        "recounted with nothing changed"
    );

    // Act: the seller is suspended (a change to the user, not to the listing's row).
    exec(
        &app,
        &format!(
            "UPDATE users SET status = 'suspended' WHERE id = '{}'",
            owner.id
        ),
    );

    // Assert: their listing leaves the counts at a later turn.
    wait_for(serde_json::json!([])).await;
    assert_ne!(refreshed_at(&app), counted);

    // A second process finds the refresh taken and skips its turn.
    let mut holder = app.db.connect();
    diesel::sql_query("SELECT pg_advisory_lock(hashtext('hangar:refresh listing_facet_counts'))")
        .execute(&mut holder)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        text(&app, "SELECT refresh_listing_facet_counts() AS value"),
        ["busy"]
    );
}
