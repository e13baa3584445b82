//! Moderation: the reports queue, resolving (dismiss, hide the listing, suspend the seller)
//! with a note, all open reports of a listing at once; the hidden listing leaves search and
//! public view and its seller is notified and mailed; every action is in the audit log, which
//! the database refuses to change; members get 403, anonymous callers 401, nothing written.

use diesel::RunQueryDsl;
use hangar_tests::accounts::{count, query_one, set_locale};
use hangar_tests::alerts::notifications;
use hangar_tests::listings::{
    Member, assert_one_message, listing_row, member, moderator, published, read, request,
    seller_with_listing,
};
use hangar_tests::reports::{
    AUDIT, QUEUE, audit_rows, open_reports, queue_page, report, resolve, resolve_path,
};
use hangar_tests::smtp::SmtpSink;
use hangar_tests::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// A seller with a published DR400 reported by two members, and a moderator.
struct Cast {
    app: TestApp,
    seller: Member,
    reporters: [Member; 2],
    moderator: Member,
    listing: Uuid,
    /// The first report's id.
    report: Uuid,
}

async fn cast_with(extra: &[(&str, &str)]) -> Cast {
    let app = spawn_app_with(extra).await;
    let (seller, listing) = seller_with_listing(&app).await;
    let reporters = [
        member(&app, "vigilant@example.fr", "user", true),
        member(&app, "attentif@example.fr", "user", true),
    ];
    let moderator = moderator(&app, "moderateur@example.fr");
    let first = report(
        &app,
        &reporters[0].token,
        listing,
        &json!({"reason": "scam", "comment": "Virement demandé d'avance."}),
    )
    .await;
    report(
        &app,
        &reporters[1].token,
        listing,
        &json!({"reason": "already_sold"}),
    )
    .await;
    Cast {
        app,
        seller,
        reporters,
        moderator,
        listing,
        report: first,
    }
}

async fn cast() -> Cast {
    cast_with(&[]).await
}

/// Method, path, body, why, status, the field with one message.
type Case<'a> = (Method, String, Option<Value>, &'a str, u16, Option<&'a str>);

#[tokio::test]
async fn the_queue_lists_open_reports_with_their_listing_and_counts() {
    // Arrange
    let c = cast().await;

    // Act
    let page = queue_page(&c.app, &c.moderator.token, QUEUE).await;

    // Assert: both reports, oldest first, with the listing and its counts.
    let items = page["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{page}");
    assert_eq!(items[0]["id"], c.report.to_string());
    assert_eq!(items[0]["reason"], "scam");
    assert_eq!(items[1]["reason"], "already_sold");
    let listing = &items[0]["listing"];
    assert_eq!(listing["id"], c.listing.to_string());
    assert_eq!(listing["status"], "published");
    assert_eq!(listing["seller_id"], c.seller.id.to_string());
    assert_eq!(listing["open_reports"], 2);
    assert_eq!(listing["total_reports"], 2);

    // Keyset pages of one.
    let first = queue_page(&c.app, &c.moderator.token, &format!("{QUEUE}?limit=1")).await;
    let cursor = first["next_cursor"].as_str().unwrap_or_default().to_owned();
    assert_eq!(first["items"][0]["id"], c.report.to_string());
    let second = queue_page(
        &c.app,
        &c.moderator.token,
        &format!("{QUEUE}?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(second["items"][0]["reason"], "already_sold");
    assert!(second.get("next_cursor").is_none(), "{second}");

    // Nothing resolved yet.
    let resolved = queue_page(
        &c.app,
        &c.moderator.token,
        &format!("{QUEUE}?state=resolved"),
    )
    .await;
    assert_eq!(resolved["items"], json!([]));
}

#[tokio::test]
async fn hiding_a_listing_resolves_its_reports_notifies_and_mails_the_seller() {
    // Arrange: a real SMTP server; the seller reads English.
    let sink = SmtpSink::start();
    let url = sink.url();
    let c = cast_with(&[("SMTP_URL", &url), ("OUTBOX_POLL_MS", "100")]).await;
    set_locale(&c.app, &c.seller.email, "en");

    // Act
    let entry = resolve(
        &c.app,
        &c.moderator.token,
        c.report,
        "hide_listing",
        "  Arnaque avérée : acompte demandé.  ",
    )
    .await;

    // Assert: the audit entry; both reports resolved together; the listing hidden.
    assert_eq!(entry["action"], "hide_listing");
    assert_eq!(entry["reports"], 2);
    assert_eq!(entry["note"], "Arnaque avérée : acompte demandé.");
    assert_eq!(entry["moderator_id"], c.moderator.id.to_string());
    assert_eq!(entry["listing_id"], c.listing.to_string());
    assert_eq!(entry["target_user_id"], c.seller.id.to_string());
    assert_eq!(open_reports(&c.app), 0);
    assert_eq!(
        count(
            &c.app,
            &format!(
                "listing_reports WHERE resolution = 'hide_listing' AND resolved_by = '{}' \
                 AND note = 'Arnaque avérée : acompte demandé.'",
                c.moderator.id
            )
        ),
        2
    );
    assert_eq!(audit_rows(&c.app), 1);
    assert_eq!(listing_row(&c.app, c.listing).status, "hidden");
    // What it was is kept, for putting it back (`unhide`).
    assert_eq!(count(&c.app, "listings WHERE hidden_from = 'published'"), 1);

    // Gone for the public and other members, in search too; the seller and moderators see it.
    assert_eq!(read(&c.app, c.listing, None).await.0, 404);
    assert_eq!(
        read(&c.app, c.listing, Some(&c.reporters[0].token)).await.0,
        404
    );
    let (status, own, _) = read(&c.app, c.listing, Some(&c.seller.token)).await;
    assert_eq!((status, own["status"].clone()), (200, json!("hidden")));
    assert_eq!(
        read(&c.app, c.listing, Some(&c.moderator.token)).await.0,
        200
    );
    let res = request(&c.app, Method::GET, "/api/v1/listings", None, None, None).await;
    let found: Value = res.json().await.unwrap_or_default();
    assert_eq!(found["items"], json!([]), "{found}");
    // The seller cannot publish it again.
    let res = request(
        &c.app,
        Method::POST,
        &format!("/api/v1/listings/{}/publish", c.listing),
        Some(&c.seller.token),
        None,
        None,
    )
    .await;
    assert_eq!(res.status().as_u16(), 409);

    // The seller's notification and mail (in English).
    let notes = notifications(&c.app, &c.seller.token).await;
    assert_eq!(notes["items"][0]["kind"], "listing_hidden", "{notes}");
    assert_eq!(notes["items"][0]["listing_id"], c.listing.to_string());
    let mail = sink.wait_for("vendeur@example.fr").await;
    assert!(mail.contains("Hello Jean Dupont"), "{mail}");
    assert!(mail.contains("a moderator hid your listing"), "{mail}");
    assert!(
        mail.contains(&format!("http://hangar.test/listings/{}", c.listing)),
        "{mail}"
    );

    // The queue: nothing open, both resolved with the resolution.
    let open = queue_page(&c.app, &c.moderator.token, QUEUE).await;
    assert_eq!(open["items"], json!([]));
    let resolved = queue_page(
        &c.app,
        &c.moderator.token,
        &format!("{QUEUE}?state=resolved"),
    )
    .await;
    assert_eq!(resolved["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(resolved["items"][0]["resolution"], "hide_listing");
    assert_eq!(resolved["items"][0]["listing"]["status"], "hidden");

    // Resolving again: 409, nothing written.
    let res = request(
        &c.app,
        Method::POST,
        &resolve_path(c.report),
        Some(&c.moderator.token),
        None,
        Some(&json!({"action": "dismiss", "note": "Encore"})),
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(audit_rows(&c.app), 1);

    // The audit log, by target and by moderator.
    let log = queue_page(
        &c.app,
        &c.moderator.token,
        &format!("{AUDIT}?target={}", c.listing),
    )
    .await;
    assert_eq!(log["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(log["items"][0]["id"], entry["id"]);
    let by_seller = queue_page(
        &c.app,
        &c.moderator.token,
        &format!(
            "{AUDIT}?target={}&moderator={}",
            c.seller.id, c.moderator.id
        ),
    )
    .await;
    assert_eq!(by_seller["items"].as_array().map(Vec::len), Some(1));
    let other = queue_page(
        &c.app,
        &c.moderator.token,
        &format!("{AUDIT}?moderator={}", Uuid::now_v7()),
    )
    .await;
    assert_eq!(other["items"], json!([]));
}

#[tokio::test]
async fn dismissing_changes_nothing_but_the_reports() {
    // Arrange
    let c = cast().await;

    // Act
    let entry = resolve(
        &c.app,
        &c.moderator.token,
        c.report,
        "dismiss",
        "Annonce conforme.",
    )
    .await;

    // Assert
    assert_eq!(entry["reports"], 2);
    assert_eq!(open_reports(&c.app), 0);
    assert_eq!(listing_row(&c.app, c.listing).status, "published");
    assert_eq!(read(&c.app, c.listing, None).await.0, 200);
    assert_eq!(
        count(&c.app, "notifications WHERE kind = 'listing_hidden'"),
        0
    );
    assert_eq!(audit_rows(&c.app), 1);
}

#[tokio::test]
async fn suspending_the_seller_reuses_the_suspension() {
    // Arrange
    let c = cast().await;

    // Act
    let entry = resolve(
        &c.app,
        &c.moderator.token,
        c.report,
        "suspend_seller",
        "Escroquerie répétée.",
    )
    .await;

    // Assert: suspended, their session dead, their listing out of public view.
    assert_eq!(entry["action"], "suspend_seller");
    assert_eq!(
        query_one(
            &c.app,
            &format!(
                "SELECT status AS value FROM users WHERE id = '{}'",
                c.seller.id
            )
        )
        .as_deref(),
        Some("suspended")
    );
    let res = request(
        &c.app,
        Method::GET,
        "/api/v1/users/me",
        Some(&c.seller.token),
        None,
        None,
    )
    .await;
    assert_eq!(res.status().as_u16(), 401);
    assert_eq!(read(&c.app, c.listing, None).await.0, 404);
    assert_eq!(open_reports(&c.app), 0);
    assert_eq!(audit_rows(&c.app), 1);

    // A moderator cannot suspend another moderator (409, nothing written).
    let other = moderator(&c.app, "modo2@example.fr");
    let listing = published(&c.app, &other.token).await;
    let theirs = report(
        &c.app,
        &c.reporters[0].token,
        listing,
        &json!({"reason": "duplicate"}),
    )
    .await;
    let res = request(
        &c.app,
        Method::POST,
        &resolve_path(theirs),
        Some(&c.moderator.token),
        None,
        Some(&json!({"action": "suspend_seller", "note": "Non."})),
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(open_reports(&c.app), 1);
    assert_eq!(audit_rows(&c.app), 1);
}

#[tokio::test]
async fn members_get_403_and_anonymous_callers_401_with_nothing_written() {
    // Arrange
    let c = cast().await;
    let body = json!({"action": "hide_listing", "note": "Je n'ai pas le droit."});
    let routes = [
        (Method::GET, QUEUE.to_owned(), None),
        (Method::GET, AUDIT.to_owned(), None),
        (Method::POST, resolve_path(c.report), Some(&body)),
    ];
    for (method, path, body) in routes {
        for (token, status, slug) in [
            (Some(c.reporters[0].token.as_str()), 403, "forbidden"),
            (Some(c.seller.token.as_str()), 403, "forbidden"),
            (None, 401, "unauthorized"),
        ] {
            // Act
            let res = request(&c.app, method.clone(), &path, token, None, body).await;

            // Assert
            TestApp::expect_problem(res, status, slug).await;
        }
    }
    assert_eq!(open_reports(&c.app), 2);
    assert_eq!(audit_rows(&c.app), 0);
    assert_eq!(listing_row(&c.app, c.listing).status, "published");
}

#[tokio::test]
async fn bad_moderation_input_is_refused_with_nothing_written() {
    // Arrange
    let c = cast().await;
    let long = "x".repeat(2001);
    let resolve = resolve_path(c.report);
    let cases: Vec<Case> = vec![
        (
            Method::POST,
            resolve.clone(),
            Some(json!({"action": "dismiss"})),
            "no note",
            422,
            Some("note"),
        ),
        (
            Method::POST,
            resolve.clone(),
            Some(json!({"action": "dismiss", "note": "  "})),
            "blank note",
            422,
            Some("note"),
        ),
        (
            Method::POST,
            resolve.clone(),
            Some(json!({"action": "dismiss", "note": long})),
            "note over 2,000 characters",
            422,
            Some("note"),
        ),
        (
            Method::POST,
            resolve.clone(),
            Some(json!({"action": "ban", "note": "x"})),
            "unknown action",
            422,
            None,
        ),
        (
            Method::POST,
            resolve.clone(),
            Some(json!({"note": "x"})),
            "no action",
            422,
            None,
        ),
        (
            Method::POST,
            resolve.clone(),
            Some(json!({"action": "dismiss", "note": "x", "x": 1})),
            "unknown field",
            422,
            None,
        ),
        (
            Method::POST,
            resolve_path(Uuid::now_v7()),
            Some(json!({"action": "dismiss", "note": "x"})),
            "no such report",
            404,
            None,
        ),
        (
            Method::GET,
            format!("{QUEUE}?state=closed"),
            None,
            "unknown state",
            422,
            None,
        ),
        (
            Method::GET,
            format!("{QUEUE}?cursor=nope"),
            None,
            "bad cursor",
            422,
            Some("cursor"),
        ),
        (
            Method::GET,
            format!("{QUEUE}?limit=0"),
            None,
            "limit 0",
            422,
            Some("limit"),
        ),
        (
            Method::GET,
            format!("{AUDIT}?moderator=me"),
            None,
            "moderator not a uuid",
            422,
            None,
        ),
        (
            Method::GET,
            format!("{AUDIT}?order=asc"),
            None,
            "unknown parameter",
            422,
            None,
        ),
    ];
    for (method, path, body, why, status, field) in cases {
        // Act
        let res = request(
            &c.app,
            method,
            &path,
            Some(&c.moderator.token),
            None,
            body.as_ref(),
        )
        .await;

        // Assert
        let slug = if status == 404 {
            "not-found"
        } else {
            "validation"
        };
        let problem = TestApp::expect_problem(res, status, slug).await;
        if let Some(field) = field {
            assert_one_message(&problem, field, why);
        }
        assert_eq!(open_reports(&c.app), 2, "{why}");
        assert_eq!(audit_rows(&c.app), 0, "{why}");
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_the_audit_log() {
    // Arrange: one entry.
    let c = cast().await;
    resolve(
        &c.app,
        &c.moderator.token,
        c.report,
        "dismiss",
        "Rien à signaler.",
    )
    .await;
    let mut conn = c.app.db.connect();

    for sql in [
        "UPDATE moderation_audit SET note = 'Réécrit'",
        "DELETE FROM moderation_audit",
        "TRUNCATE moderation_audit",
    ] {
        // Act
        let result = diesel::sql_query(sql).execute(&mut conn);

        // Assert: refused by the trigger, the entry as written.
        let err = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(audit_rows(&c.app), 1);
    assert_eq!(
        query_one(&c.app, "SELECT note AS value FROM moderation_audit").as_deref(),
        Some("Rien à signaler.")
    );
}
