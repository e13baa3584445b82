//! Reports on listings: filed once per member and listing while open (409 after), not on
//! one's own listing (422), 404 for listings the member may not see, the daily cap (429), and
//! bad input with one message per field; every refusal writes nothing.

use hangar_tests::accounts::{count, execute, query_one};
use hangar_tests::alerts::call_ok;
use hangar_tests::listings::{Member, draft, member, published, request, seller};
use hangar_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn report_path(listing: Uuid) -> String {
    format!("/api/v1/listings/{listing}/reports")
}

/// A seller with a published DR400 and a member who reports it.
struct Cast {
    app: TestApp,
    seller: Member,
    reporter: Member,
    listing: Uuid,
}

async fn cast() -> Cast {
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let reporter = member(&app, "vigilant@example.fr", "user", true);
    let listing = published(&app, &seller.token).await;
    Cast {
        app,
        seller,
        reporter,
        listing,
    }
}

/// Listing, body, why, status, problem type, the field with one message.
type Case<'a> = (Uuid, Value, &'a str, u16, &'a str, Option<&'a str>);

fn reports(app: &TestApp) -> i64 {
    count(app, "listing_reports")
}

#[tokio::test]
async fn a_member_reports_a_listing_once_while_it_is_open() {
    // Arrange
    let c = cast().await;
    let body = json!({"reason": "scam", "comment": "  Demande un virement avant la visite.  "});

    // Act
    let created = call_ok(
        &c.app,
        Method::POST,
        &report_path(c.listing),
        &c.reporter.token,
        Some(&body),
        201,
    )
    .await;

    // Assert: the report as stored, comment trimmed, open.
    assert_eq!(created["reason"], "scam");
    assert_eq!(created["state"], "open");
    assert_eq!(created["comment"], "Demande un virement avant la visite.");
    assert_eq!(created["listing_id"], c.listing.to_string());
    let row = query_one(
        &c.app,
        &format!(
            "SELECT reporter_id || ' ' || reason || ' ' || state || ' ' || comment AS value \
             FROM listing_reports WHERE id = '{}'",
            created["id"].as_str().unwrap_or_default()
        ),
    );
    assert_eq!(
        row.as_deref(),
        Some(
            format!(
                "{} scam open Demande un virement avant la visite.",
                c.reporter.id
            )
            .as_str()
        )
    );

    // Reporting it again while open: 409, nothing written, whatever the reason.
    let res = request(
        &c.app,
        Method::POST,
        &report_path(c.listing),
        Some(&c.reporter.token),
        None,
        Some(&json!({"reason": "duplicate"})),
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(reports(&c.app), 1);

    // Another member may report it too; no comment needed for a listed reason.
    let other = member(&c.app, "autre@example.fr", "user", true);
    let second = call_ok(
        &c.app,
        Method::POST,
        &report_path(c.listing),
        &other.token,
        Some(&json!({"reason": "already_sold"})),
        201,
    )
    .await;
    assert!(second.get("comment").is_none(), "{second}");

    // Once resolved, the first member may report it again.
    execute(
        &c.app,
        &format!(
            "UPDATE listing_reports SET state = 'resolved', resolved_at = now(), \
             resolved_by = '{}', resolution = 'dismiss', note = 'Conforme.' \
             WHERE reporter_id = '{}'",
            c.seller.id, c.reporter.id
        ),
    );
    call_ok(
        &c.app,
        Method::POST,
        &report_path(c.listing),
        &c.reporter.token,
        Some(&json!({"reason": "other", "comment": "Toujours en ligne."})),
        201,
    )
    .await;
    assert_eq!(reports(&c.app), 3);
}

#[tokio::test]
async fn bad_reports_are_refused_with_nothing_written() {
    // Arrange
    let c = cast().await;
    let hidden = draft(&c.app, &c.seller.token).await;
    let too_long = "x".repeat(2001);
    let cases: Vec<Case> = vec![
        (c.listing, json!({}), "no reason", 422, "validation", None),
        (
            c.listing,
            json!({"reason": "spam"}),
            "unknown reason",
            422,
            "validation",
            None,
        ),
        (
            c.listing,
            json!({"reason": "other"}),
            "other without comment",
            422,
            "validation",
            Some("comment"),
        ),
        (
            c.listing,
            json!({"reason": "other", "comment": "   "}),
            "blank comment",
            422,
            "validation",
            Some("comment"),
        ),
        (
            c.listing,
            json!({"reason": "scam", "comment": too_long}),
            "comment over 2,000 characters",
            422,
            "validation",
            Some("comment"),
        ),
        (
            c.listing,
            json!({"reason": "scam", "comment": "a\u{0007}b"}),
            "control character",
            422,
            "validation",
            Some("comment"),
        ),
        (
            c.listing,
            json!({"reason": "scam", "severity": 5}),
            "unknown field",
            422,
            "validation",
            None,
        ),
        (
            hidden,
            json!({"reason": "scam"}),
            "someone's draft",
            404,
            "not-found",
            None,
        ),
        (
            Uuid::now_v7(),
            json!({"reason": "scam"}),
            "no such listing",
            404,
            "not-found",
            None,
        ),
    ];
    for (listing, body, why, status, slug, field) in cases {
        // Act
        let res = request(
            &c.app,
            Method::POST,
            &report_path(listing),
            Some(&c.reporter.token),
            None,
            Some(&body),
        )
        .await;

        // Assert
        let problem = TestApp::expect_problem(res, status, slug).await;
        if let Some(field) = field {
            let messages = problem["errors"][field]
                .as_array()
                .unwrap_or_else(|| panic!("{why}: no message for {field}: {problem}"));
            assert_eq!(messages.len(), 1, "{why}: {problem}");
        }
        assert_eq!(reports(&c.app), 0, "{why}: nothing written");
    }
}

#[tokio::test]
async fn nobody_reports_their_own_listing_or_anonymously() {
    // Arrange
    let c = cast().await;
    let body = json!({"reason": "scam"});

    // Act + Assert: the seller, 422.
    let res = request(
        &c.app,
        Method::POST,
        &report_path(c.listing),
        Some(&c.seller.token),
        None,
        Some(&body),
    )
    .await;
    TestApp::expect_problem(res, 422, "validation").await;

    // Anonymous: 401.
    let res = request(
        &c.app,
        Method::POST,
        &report_path(c.listing),
        None,
        None,
        Some(&body),
    )
    .await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    assert_eq!(reports(&c.app), 0);
}

#[tokio::test]
async fn reports_are_capped_per_member_per_day() {
    // Arrange: 20 reports in the last day (resolved since, so only the cap stands in the way).
    let c = cast().await;
    for _ in 0..20 {
        execute(
            &c.app,
            &format!(
                "INSERT INTO listing_reports \
                 (id, listing_id, reporter_id, reason, state, created_at, resolved_at, \
                 resolved_by, resolution, note) \
                 VALUES ('{}', '{}', '{}', 'duplicate', 'resolved', \
                 now() - interval '1 hour', now(), '{}', 'dismiss', 'Doublon.')",
                Uuid::now_v7(),
                c.listing,
                c.reporter.id,
                c.seller.id
            ),
        );
    }

    // Act
    let res = request(
        &c.app,
        Method::POST,
        &report_path(c.listing),
        Some(&c.reporter.token),
        None,
        Some(&json!({"reason": "scam"})),
    )
    .await;

    // Assert: 429 with Retry-After (about 23 hours), nothing written.
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_default();
    TestApp::expect_problem(res, 429, "too-many-requests").await;
    assert!((82_000..=82_800).contains(&retry), "retry-after {retry}");
    assert_eq!(reports(&c.app), 20);

    // Reports older than a day no longer count.
    execute(
        &c.app,
        "UPDATE listing_reports SET created_at = now() - interval '25 hours'",
    );
    call_ok(
        &c.app,
        Method::POST,
        &report_path(c.listing),
        &c.reporter.token,
        Some(&json!({"reason": "scam"})),
        201,
    )
    .await;
}
