//! Reports on listings: filed once per member and listing while open (409 after), not on
//! one's own listing (422), 404 for listings the member may not see, the daily cap (429), and
//! bad input with one message per field; every refusal writes nothing. Members list their own
//! reports (newest first, by pages, never the moderator's note) and withdraw open ones: the
//! report stays as `withdrawn`, leaves the moderators' queue and counts, and the listing may be
//! reported again; someone else's report is a 404, a resolved one a 409.

use hangar_tests::accounts::{count, create_pat, execute, pat_secret, query_one};
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

const MINE: &str = "/api/v1/users/me/reports";
const QUEUE: &str = "/api/v1/moderation/reports";

fn withdraw_path(report: &str) -> String {
    format!("{MINE}/{report}/withdraw")
}

fn id_str(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|items| items.iter().map(id_str).collect())
        .unwrap_or_default()
}

/// The report's `state` and whether `withdrawn_at` is set, as stored.
fn stored(app: &TestApp, report: &str) -> Option<String> {
    query_one(
        app,
        &format!(
            "SELECT state || ' ' || (withdrawn_at IS NOT NULL)::text AS value \
             FROM listing_reports WHERE id = '{report}'"
        ),
    )
}

async fn report(app: &TestApp, who: &Member, listing: Uuid, body: Value) -> Value {
    call_ok(
        app,
        Method::POST,
        &report_path(listing),
        &who.token,
        Some(&body),
        201,
    )
    .await
}

#[tokio::test]
async fn members_list_their_own_reports_newest_first_page_by_page() {
    // Arrange: three reports by the reporter (on three listings), one by someone else; the
    // oldest dismissed, the second acted on (its listing hidden).
    let c = cast().await;
    let second_listing = published(&c.app, &c.seller.token).await;
    let third_listing = published(&c.app, &c.seller.token).await;
    let first = report(
        &c.app,
        &c.reporter,
        c.listing,
        json!({"reason": "duplicate", "comment": "Même avion que l'autre annonce."}),
    )
    .await;
    let second = report(
        &c.app,
        &c.reporter,
        second_listing,
        json!({"reason": "scam"}),
    )
    .await;
    let third = report(
        &c.app,
        &c.reporter,
        third_listing,
        json!({"reason": "already_sold"}),
    )
    .await;
    let other = member(&c.app, "autre@example.fr", "user", true);
    let others = report(&c.app, &other, c.listing, json!({"reason": "offensive"})).await;
    let moderator = member(&c.app, "moderateur@example.fr", "moderator", true);
    for (report, resolution) in [(&first, "dismiss"), (&second, "hide_listing")] {
        execute(
            &c.app,
            &format!(
                "UPDATE listing_reports SET state = 'resolved', resolved_at = now(), \
                 resolved_by = '{}', resolution = '{resolution}', note = 'Note interne {resolution}.' \
                 WHERE id = '{}'",
                moderator.id,
                id_str(report)
            ),
        );
    }
    execute(
        &c.app,
        &format!(
            "UPDATE listings SET hidden_from = status, status = 'hidden' WHERE id = '{second_listing}'"
        ),
    );

    // Act: two pages of two.
    let page1 = call_ok(
        &c.app,
        Method::GET,
        &format!("{MINE}?limit=2"),
        &c.reporter.token,
        None,
        200,
    )
    .await;
    let cursor = page1["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("no next_cursor: {page1}"))
        .to_owned();
    let page2 = call_ok(
        &c.app,
        Method::GET,
        &format!("{MINE}?limit=2&cursor={cursor}"),
        &c.reporter.token,
        None,
        200,
    )
    .await;

    // Assert: newest first, only the reporter's, the last page without a cursor.
    assert_eq!(ids(&page1), vec![id_str(&third), id_str(&second)]);
    assert_eq!(ids(&page2), vec![id_str(&first)]);
    assert!(page2.get("next_cursor").is_none(), "{page2}");
    let [newest, hidden] = [&page1["items"][0], &page1["items"][1]];
    let oldest = &page2["items"][0];
    assert_eq!(newest["status"], "open");
    assert_eq!(newest["reason"], "already_sold");
    assert_eq!(newest["listing_id"], third_listing.to_string());
    let title = query_one(
        &c.app,
        &format!("SELECT title AS value FROM listings WHERE id = '{third_listing}'"),
    );
    assert_eq!(newest["listing_title"].as_str(), title.as_deref());
    assert!(newest.get("resolved_at").is_none(), "{newest}");
    // The hidden listing: the report is there, acted on, without the listing's title.
    assert_eq!(hidden["status"], "actioned");
    assert_eq!(hidden["listing_id"], second_listing.to_string());
    assert!(hidden.get("listing_title").is_none(), "{hidden}");
    assert!(hidden["resolved_at"].is_string(), "{hidden}");
    assert_eq!(oldest["status"], "dismissed");
    assert_eq!(oldest["comment"], "Même avion que l'autre annonce.");
    // Never the moderator's note nor identity, nor anyone else's report.
    for page in [&page1, &page2] {
        let text = page.to_string();
        assert!(!text.contains("Note interne"), "{text}");
        assert!(!text.contains(&moderator.id.to_string()), "{text}");
        assert!(!text.contains(&id_str(&others)), "{text}");
    }

    // The other member sees theirs only.
    let theirs = call_ok(&c.app, Method::GET, MINE, &other.token, None, 200).await;
    assert_eq!(ids(&theirs), vec![id_str(&others)]);
}

#[tokio::test]
async fn a_member_withdraws_an_open_report_which_leaves_the_moderators_queue() {
    // Arrange: two open reports on the listing, the reporter's and another member's.
    let c = cast().await;
    let mine = report(&c.app, &c.reporter, c.listing, json!({"reason": "scam"})).await;
    let other = member(&c.app, "autre@example.fr", "user", true);
    let theirs = report(&c.app, &other, c.listing, json!({"reason": "duplicate"})).await;
    let moderator = member(&c.app, "moderateur@example.fr", "moderator", true);
    let queue = call_ok(&c.app, Method::GET, QUEUE, &moderator.token, None, 200).await;
    assert_eq!(ids(&queue).len(), 2, "{queue}");

    // Act
    let res = request(
        &c.app,
        Method::POST,
        &withdraw_path(&id_str(&mine)),
        Some(&c.reporter.token),
        None,
        None,
    )
    .await;

    // Assert: 204, kept as withdrawn, out of the queue and of the listing's counts.
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(
        stored(&c.app, &id_str(&mine)).as_deref(),
        Some("withdrawn true")
    );
    let queue = call_ok(&c.app, Method::GET, QUEUE, &moderator.token, None, 200).await;
    assert_eq!(ids(&queue), vec![id_str(&theirs)]);
    assert_eq!(queue["items"][0]["listing"]["open_reports"], 1);
    assert_eq!(queue["items"][0]["listing"]["total_reports"], 1);
    let resolved = call_ok(
        &c.app,
        Method::GET,
        &format!("{QUEUE}?state=resolved"),
        &moderator.token,
        None,
        200,
    )
    .await;
    assert_eq!(ids(&resolved), Vec::<String>::new());
    let listed = call_ok(&c.app, Method::GET, MINE, &c.reporter.token, None, 200).await;
    assert_eq!(listed["items"][0]["status"], "withdrawn");
    assert!(listed["items"][0]["withdrawn_at"].is_string(), "{listed}");

    // Withdrawing it again: 409. A moderator cannot resolve it either (409).
    let res = request(
        &c.app,
        Method::POST,
        &withdraw_path(&id_str(&mine)),
        Some(&c.reporter.token),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    let res = request(
        &c.app,
        Method::POST,
        &format!("{QUEUE}/{}/resolve", id_str(&mine)),
        Some(&moderator.token),
        None,
        Some(&json!({"action": "dismiss", "note": "Rien."})),
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(
        stored(&c.app, &id_str(&mine)).as_deref(),
        Some("withdrawn true")
    );

    // The member may report the listing again: a new open report, the withdrawn one kept.
    report(&c.app, &c.reporter, c.listing, json!({"reason": "scam"})).await;
    assert_eq!(reports(&c.app), 3);
}

#[tokio::test]
async fn nobody_withdraws_someone_elses_or_a_resolved_report() {
    // Arrange
    let c = cast().await;
    let mine = id_str(&report(&c.app, &c.reporter, c.listing, json!({"reason": "scam"})).await);
    let other = member(&c.app, "autre@example.fr", "user", true);
    let moderator = member(&c.app, "moderateur@example.fr", "moderator", true);

    // Act + Assert: another member, a moderator, the listing's seller: the same 404 as for a
    // report that does not exist.
    let res = request(
        &c.app,
        Method::POST,
        &withdraw_path(&Uuid::now_v7().to_string()),
        Some(&c.reporter.token),
        None,
        None,
    )
    .await;
    let missing = TestApp::expect_problem(res, 404, "not-found").await;
    for (who, why) in [
        (&other, "another member"),
        (&moderator, "a moderator"),
        (&c.seller, "the seller"),
    ] {
        let res = request(
            &c.app,
            Method::POST,
            &withdraw_path(&mine),
            Some(&who.token),
            None,
            None,
        )
        .await;
        let problem = TestApp::expect_problem(res, 404, "not-found").await;
        assert_eq!(
            (&problem["detail"], &problem["errors"]),
            (&missing["detail"], &missing["errors"]),
            "{why}"
        );
        assert_eq!(
            stored(&c.app, &mine).as_deref(),
            Some("open false"),
            "{why}"
        );
    }

    // Resolved by a moderator: 409, and it stays resolved.
    call_ok(
        &c.app,
        Method::POST,
        &format!("{QUEUE}/{mine}/resolve"),
        &moderator.token,
        Some(&json!({"action": "dismiss", "note": "Conforme."})),
        200,
    )
    .await;
    let res = request(
        &c.app,
        Method::POST,
        &withdraw_path(&mine),
        Some(&c.reporter.token),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(stored(&c.app, &mine).as_deref(), Some("resolved false"));
}

#[tokio::test]
async fn own_reports_need_a_login_the_account_scope_and_valid_paging() {
    // Arrange
    let c = cast().await;
    let mine = id_str(&report(&c.app, &c.reporter, c.listing, json!({"reason": "scam"})).await);

    // Act + Assert: anonymous, 401 for both routes, nothing changed.
    let res = request(&c.app, Method::GET, MINE, None, None, None).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let res = request(
        &c.app,
        Method::POST,
        &withdraw_path(&mine),
        None,
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    assert_eq!(stored(&c.app, &mine).as_deref(), Some("open false"));

    // Personal access tokens: the `account` scope.
    let without = pat_secret(&create_pat(&c.app, &c.reporter.token, &["listings:read"]).await);
    let with = pat_secret(&create_pat(&c.app, &c.reporter.token, &["account"]).await);
    let res = request(&c.app, Method::GET, MINE, Some(&without), None, None).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    let res = request(
        &c.app,
        Method::POST,
        &withdraw_path(&mine),
        Some(&without),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    assert_eq!(stored(&c.app, &mine).as_deref(), Some("open false"));
    let page = call_ok(&c.app, Method::GET, MINE, &with, None, 200).await;
    assert_eq!(ids(&page), vec![mine.clone()]);

    // Bad paging: 422 naming the parameter (or the unknown one).
    for (query, field) in [
        ("limit=0", Some("limit")),
        ("limit=101", Some("limit")),
        ("limit=abc", None),
        ("cursor=not-a-cursor", Some("cursor")),
        ("state=open", Some("state")),
    ] {
        let res = request(
            &c.app,
            Method::GET,
            &format!("{MINE}?{query}"),
            Some(&c.reporter.token),
            None,
            None,
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        if let Some(field) = field {
            assert!(problem["errors"][field].is_array(), "{query}: {problem}");
        }
    }
}
