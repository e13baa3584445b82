//! Pre-moderation (`PREMODERATE_NEW_SELLERS`): a member who never had a listing published has
//! their publish step held in `pending_review` (not public, not searched, not matched by
//! alerts) until a moderator approves it (published as a publish would, and later listings
//! publish directly) or rejects it with a note (`rejected`, the seller notified and mailed).
//! Also putting hidden listings back (`unhide`). Every decision is in the audit log.

use hangar_tests::accounts::{
    count, create_pat, execute, mails_to, pat_secret, query_one, set_locale,
};
use hangar_tests::alerts::{NO_BACKGROUND_ALERTS, call_ok, notifications, run_alerts, save_search};
use hangar_tests::listings::{
    LISTINGS, MY_LISTINGS, Member, assert_about_days_from_now, assert_one_message, buyer, dr400,
    draft, events, force_status, id_of, listing_path, listing_row, member, moderator, published,
    read, request, seller, step, time_of, with,
};
use hangar_tests::reports::{
    PENDING, audit_rows, decide, decision_path, queue_page, report, resolve,
};
use hangar_tests::smtp::SmtpSink;
use hangar_tests::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

const ON: (&str, &str) = ("PREMODERATE_NEW_SELLERS", "true");

/// A new seller, a buyer and a moderator.
struct Cast {
    app: TestApp,
    seller: Member,
    buyer: Member,
    moderator: Member,
}

async fn cast_with(extra: &[(&str, &str)]) -> Cast {
    let app = spawn_app_with(extra).await;
    Cast {
        seller: seller(&app, "vendeur@example.fr"),
        buyer: buyer(&app),
        moderator: moderator(&app, "moderateur@example.fr"),
        app,
    }
}

/// Pre-moderation on; the buyer has an instant alert that a DR400 would match; the alerts
/// job runs only when the test runs it.
async fn cast_with_alert() -> Cast {
    let c = cast_with(&[ON, NO_BACKGROUND_ALERTS]).await;
    save_search(
        &c.app,
        &c.buyer.token,
        "DR400",
        json!({"q": "dr400"}),
        "instant",
    )
    .await;
    c
}

/// Publishes a new DR400 with `POST /listings` (`publish: true`): status and body.
async fn submit(app: &TestApp, token: &str) -> Value {
    let res = request(
        app,
        Method::POST,
        LISTINGS,
        Some(token),
        None,
        Some(&with(dr400(), "/publish", json!(true))),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    res.json().await.unwrap_or_default()
}

async fn search_ids(app: &TestApp) -> Vec<Value> {
    let res = request(app, Method::GET, LISTINGS, None, None, None).await;
    let found: Value = res.json().await.unwrap_or_default();
    found["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|i| i["id"].clone())
        .collect()
}

#[tokio::test]
async fn with_the_setting_off_a_new_seller_publishes_directly() {
    // Arrange: the default settings.
    let c = cast_with(&[]).await;

    // Act
    let created = submit(&c.app, &c.seller.token).await;

    // Assert
    assert_eq!(created["status"], "published", "{created}");
    assert_eq!(read(&c.app, id_of(&created), None).await.0, 200);
    let queue = queue_page(&c.app, &c.moderator.token, PENDING).await;
    assert_eq!(queue["items"], json!([]));
}

#[tokio::test]
async fn a_new_sellers_listing_waits_for_review_out_of_public_view() {
    // Arrange: pre-moderation on; a buyer with an instant alert that would match.
    let c = cast_with_alert().await;

    // Act: published at creation, and a draft published by the lifecycle step.
    let first = submit(&c.app, &c.seller.token).await;
    let second = draft(&c.app, &c.seller.token).await;
    let res = step(&c.app, second, "publish", &c.seller.token).await;
    let stepped: Value = res.json().await.unwrap_or_default();

    // Assert: both held, without a publication date or an expiry.
    let first = id_of(&first);
    for (id, body) in [
        (first, read(&c.app, first, Some(&c.seller.token)).await.1),
        (second, stepped),
    ] {
        assert_eq!(body["status"], "pending_review", "{body}");
        assert_eq!(body["published_at"], Value::Null, "{body}");
        assert_eq!(body["expires_at"], Value::Null, "{body}");
        assert!(body["submitted_at"].is_string(), "{body}");
        assert_eq!(listing_row(&c.app, id).status, "pending_review");
    }
    let held = events(&c.app, second)
        .into_iter()
        .filter(|e| e.to_status.as_deref() == Some("pending_review"))
        .count();
    assert_eq!(held, 1, "the publish step is recorded as held");

    // Not public: 404 for others, out of search and alerts; its seller and moderators read it.
    for (token, status, who) in [
        (None, 404, "anonymous"),
        (Some(c.buyer.token.as_str()), 404, "another member"),
        (Some(c.seller.token.as_str()), 200, "its seller"),
        (Some(c.moderator.token.as_str()), 200, "a moderator"),
    ] {
        assert_eq!(read(&c.app, first, token).await.0, status, "{who}");
    }
    assert_eq!(search_ids(&c.app).await, Vec::<Value>::new());
    assert_eq!(run_alerts(&c.app).new_matches, 0);
    assert_eq!(count(&c.app, "notifications WHERE kind = 'new_match'"), 0);

    // The seller sees them under their status, and cannot publish them twice.
    let mine = call_ok(
        &c.app,
        Method::GET,
        &format!("{MY_LISTINGS}?status=pending_review"),
        &c.seller.token,
        None,
        200,
    )
    .await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(2), "{mine}");
    assert!(mine["items"][0]["submitted_at"].is_string(), "{mine}");
    let res = step(&c.app, first, "publish", &c.seller.token).await;
    TestApp::expect_problem(res, 409, "conflict").await;

    // The moderators' queue: oldest submission first, with the seller; keyset pages.
    let queue = queue_page(&c.app, &c.moderator.token, PENDING).await;
    let items = queue["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 2, "{queue}");
    assert_eq!(items[0]["listing"]["id"], first.to_string());
    assert_eq!(items[0]["listing"]["status"], "pending_review");
    assert_eq!(items[0]["category"], "single-engine-piston");
    assert_eq!(items[0]["seller"]["id"], c.seller.id.to_string());
    assert_eq!(items[0]["seller"]["display_name"], "Jean Dupont");
    assert_eq!(items[1]["listing"]["id"], second.to_string());
    let page = queue_page(&c.app, &c.moderator.token, &format!("{PENDING}?limit=1")).await;
    assert_eq!(page["items"][0]["listing"]["id"], first.to_string());
    let cursor = page["next_cursor"].as_str().unwrap_or_default().to_owned();
    let next = queue_page(
        &c.app,
        &c.moderator.token,
        &format!("{PENDING}?limit=1&cursor={cursor}"),
    )
    .await;
    assert_eq!(next["items"][0]["listing"]["id"], second.to_string());
    assert!(next.get("next_cursor").is_none(), "{next}");

    // The seller may take one back, as a draft could be: it leaves the queue.
    let res = step(&c.app, second, "withdraw", &c.seller.token).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(listing_row(&c.app, second).status, "withdrawn");
    let queue = queue_page(&c.app, &c.moderator.token, PENDING).await;
    assert_eq!(queue["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(audit_rows(&c.app), 0);
}

#[tokio::test]
async fn approving_publishes_and_the_sellers_next_listings_publish_directly() {
    // Arrange
    let c = cast_with_alert().await;
    let id = id_of(&submit(&c.app, &c.seller.token).await);

    // Act
    let done = decide(&c.app, &c.moderator.token, id, "approve", None).await;

    // Assert: published as a publish step would; public; matched by the alerts.
    assert_eq!(done["listing"]["status"], "published", "{done}");
    assert_eq!(done["audit"]["action"], "approve_listing");
    assert_eq!(done["audit"]["listing_id"], id.to_string());
    assert_eq!(done["audit"]["target_user_id"], c.seller.id.to_string());
    assert_eq!(done["audit"]["moderator_id"], c.moderator.id.to_string());
    assert!(done["audit"].get("note").is_none(), "{done}");
    let (status, body, _) = read(&c.app, id, None).await;
    assert_eq!((status, body["status"].clone()), (200, json!("published")));
    assert_about_days_from_now(time_of(&body, "expires_at"), 60, "expiry");
    assert_about_days_from_now(time_of(&body, "published_at"), 0, "publication");
    let approval = events(&c.app, id)
        .into_iter()
        .find(|e| e.to_status.as_deref() == Some("published"))
        .unwrap_or_else(|| panic!("no publication event"));
    assert_eq!(approval.from_status.as_deref(), Some("pending_review"));
    assert_eq!(approval.actor_id, Some(c.moderator.id));
    assert_eq!(search_ids(&c.app).await, vec![json!(id.to_string())]);
    assert_eq!(run_alerts(&c.app).new_matches, 1);
    assert_eq!(
        count(
            &c.app,
            "moderation_audit WHERE action = 'approve_listing' AND note IS NULL"
        ),
        1
    );
    let queue = queue_page(&c.app, &c.moderator.token, PENDING).await;
    assert_eq!(queue["items"], json!([]));

    // The seller's next listings publish directly, by either path.
    let next = submit(&c.app, &c.seller.token).await;
    assert_eq!(next["status"], "published", "{next}");
    let later = draft(&c.app, &c.seller.token).await;
    let res = step(&c.app, later, "publish", &c.seller.token).await;
    let stepped: Value = res.json().await.unwrap_or_default();
    assert_eq!(stepped["status"], "published", "{stepped}");

    // Approving again: 409, nothing written.
    let res = request(
        &c.app,
        Method::POST,
        &decision_path(id, "approve"),
        Some(&c.moderator.token),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(audit_rows(&c.app), 1);
}

#[tokio::test]
async fn sellers_who_published_before_and_staff_are_not_held() {
    // Arrange: a seller whose listing was published before pre-moderation was turned on
    // (written behind the API, as then); the database keeps when they first published.
    let c = cast_with(&[ON]).await;
    let veteran = seller(&c.app, "ancien@example.fr");
    let old = draft(&c.app, &veteran.token).await;
    force_status(&c.app, old, "withdrawn");
    let first_published = || {
        query_one(
            &c.app,
            &format!(
                "SELECT (first_published_at IS NOT NULL)::text AS value FROM users WHERE id = '{}'",
                veteran.id
            ),
        )
    };
    assert_eq!(first_published().as_deref(), Some("true"));

    // Act
    let veteran_listing = submit(&c.app, &veteran.token).await;
    let staff_listing = submit(&c.app, &c.moderator.token).await;
    let newcomer_listing = submit(&c.app, &c.seller.token).await;

    // Assert
    assert_eq!(veteran_listing["status"], "published", "{veteran_listing}");
    assert_eq!(staff_listing["status"], "published", "{staff_listing}");
    assert_eq!(
        newcomer_listing["status"], "pending_review",
        "{newcomer_listing}"
    );
}

#[tokio::test]
async fn rejecting_tells_the_seller_why_and_they_may_submit_again() {
    // Arrange: a real SMTP server; the seller reads English.
    let sink = SmtpSink::start();
    let url = sink.url();
    let c = cast_with(&[ON, ("SMTP_URL", &url), ("OUTBOX_POLL_MS", "100")]).await;
    set_locale(&c.app, &c.seller.email, "en");
    let id = id_of(&submit(&c.app, &c.seller.token).await);
    let note = "Photos of another aircraft: please use your own.";

    // Act
    let done = decide(
        &c.app,
        &c.moderator.token,
        id,
        "reject",
        Some(&json!({"note": format!("  {note} ")})),
    )
    .await;

    // Assert: rejected, with the note for the seller; audited; still not public.
    assert_eq!(done["listing"]["status"], "rejected", "{done}");
    assert_eq!(done["listing"]["rejection_note"], note);
    assert_eq!(done["audit"]["action"], "reject_listing");
    assert_eq!(done["audit"]["note"], note);
    assert_eq!(
        count(
            &c.app,
            &format!("moderation_audit WHERE action = 'reject_listing' AND listing_id = '{id}'")
        ),
        1
    );
    assert_eq!(read(&c.app, id, None).await.0, 404);
    assert_eq!(read(&c.app, id, Some(&c.buyer.token)).await.0, 404);
    let (status, own, _) = read(&c.app, id, Some(&c.seller.token)).await;
    assert_eq!((status, own["status"].clone()), (200, json!("rejected")));
    assert_eq!(own["rejection_note"], note);
    let mine = call_ok(
        &c.app,
        Method::GET,
        &format!("{MY_LISTINGS}?status=rejected"),
        &c.seller.token,
        None,
        200,
    )
    .await;
    assert_eq!(mine["items"][0]["rejection_note"], note, "{mine}");

    // The seller's notification and mail, in English, with the note.
    let notes = notifications(&c.app, &c.seller.token).await;
    assert_eq!(notes["items"][0]["kind"], "listing_rejected", "{notes}");
    assert_eq!(notes["items"][0]["listing_id"], id.to_string());
    assert_eq!(notes["items"][0]["note"], note);
    let mail = sink.wait_for("vendeur@example.fr").await;
    assert!(mail.contains("Your listing \"Robin DR400"), "{mail}");
    assert!(mail.contains("did not publish it"), "{mail}");
    assert!(mail.contains(note), "{mail}");
    assert!(
        mail.contains(&format!("http://hangar.test/listings/{id}")),
        "{mail}"
    );

    // Edited and published again: back in the queue, the old note gone.
    let res = request(
        &c.app,
        Method::PATCH,
        &listing_path(id),
        Some(&c.seller.token),
        Some("*"),
        Some(&json!({"description": "Photos du bon avion.\nCarnets complets."})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let res = step(&c.app, id, "publish", &c.seller.token).await;
    let again: Value = res.json().await.unwrap_or_default();
    assert_eq!(again["status"], "pending_review", "{again}");
    assert!(again.get("rejection_note").is_none(), "{again}");
    let queue = queue_page(&c.app, &c.moderator.token, PENDING).await;
    assert_eq!(queue["items"][0]["listing"]["id"], id.to_string());
}

#[tokio::test]
async fn unhiding_puts_a_listing_back_as_it_was_before_hiding() {
    // Arrange: two published listings hidden after reports; the second's 60 days then run out.
    let c = cast_with(&[]).await;
    let reporter = member(&c.app, "vigilant@example.fr", "user", true);
    let fresh = published(&c.app, &c.seller.token).await;
    let stale = published(&c.app, &c.seller.token).await;
    for listing in [fresh, stale] {
        let filed = report(
            &c.app,
            &reporter.token,
            listing,
            &json!({"reason": "duplicate"}),
        )
        .await;
        resolve(
            &c.app,
            &c.moderator.token,
            filed,
            "hide_listing",
            "Doublon.",
        )
        .await;
    }
    execute(
        &c.app,
        &format!("UPDATE listings SET expires_at = now() - interval '1 day' WHERE id = '{stale}'"),
    );
    assert_eq!(read(&c.app, fresh, None).await.0, 404);

    // Act
    let done = decide(
        &c.app,
        &c.moderator.token,
        fresh,
        "unhide",
        Some(&json!({"note": "Pas un doublon : deux appareils."})),
    )
    .await;
    let expired = decide(
        &c.app,
        &c.moderator.token,
        stale,
        "unhide",
        Some(&json!({"note": "Rétablie."})),
    )
    .await;

    // Assert: back to published (public again), or expired; audited; the seller told.
    assert_eq!(done["listing"]["status"], "published", "{done}");
    assert_eq!(done["audit"]["action"], "unhide_listing");
    assert_eq!(done["audit"]["note"], "Pas un doublon : deux appareils.");
    assert_eq!(read(&c.app, fresh, None).await.0, 200);
    assert_eq!(expired["listing"]["status"], "expired", "{expired}");
    assert_eq!(listing_row(&c.app, stale).status, "expired");
    assert_eq!(
        count(&c.app, "moderation_audit WHERE action = 'unhide_listing'"),
        2
    );
    assert_eq!(count(&c.app, "listings WHERE hidden_from IS NOT NULL"), 0);
    assert_eq!(
        count(
            &c.app,
            &format!(
                "notifications WHERE kind = 'listing_restored' AND user_id = '{}'",
                c.seller.id
            )
        ),
        2
    );
    let mails = mails_to(&c.app, "vendeur@example.fr");
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Un modérateur a rétabli votre annonce")),
        "{mails:?}"
    );

    // Not hidden any more: 409, nothing written.
    let res = request(
        &c.app,
        Method::POST,
        &decision_path(fresh, "unhide"),
        Some(&c.moderator.token),
        None,
        Some(&json!({"note": "Encore"})),
    )
    .await;
    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(audit_rows(&c.app), 4, "two hides, two unhides");
}

#[tokio::test]
async fn bad_moderation_decisions_are_refused_with_nothing_written() {
    // Arrange: one listing of each relevant status.
    let c = cast_with(&[ON]).await;
    let pending = id_of(&submit(&c.app, &c.seller.token).await);
    let other = seller(&c.app, "autre@example.fr");
    execute(
        &c.app,
        &format!(
            "UPDATE users SET first_published_at = now() WHERE id = '{}'",
            other.id
        ),
    );
    let public = published(&c.app, &other.token).await;
    let a_draft = draft(&c.app, &other.token).await;
    let unknown = Uuid::now_v7();
    let pat =
        pat_secret(&create_pat(&c.app, &c.moderator.token, &["account", "listings:write"]).await);
    let long = "x".repeat(2001);
    let note = json!({"note": "Motif."});
    // Method, path, token, body, why, status, problem type, the field with one message.
    type Case<'a> = (
        String,
        &'a str,
        Option<Value>,
        &'a str,
        u16,
        &'a str,
        Option<&'a str>,
    );
    let post = |what: &str, id: Uuid| decision_path(id, what);
    let cases: Vec<Case> = vec![
        (
            post("reject", pending),
            &c.moderator.token,
            Some(json!({})),
            "no note",
            422,
            "validation",
            Some("note"),
        ),
        (
            post("reject", pending),
            &c.moderator.token,
            Some(json!({"note": "   "})),
            "blank note",
            422,
            "validation",
            Some("note"),
        ),
        (
            post("reject", pending),
            &c.moderator.token,
            Some(json!({"note": long})),
            "note over 2,000 characters",
            422,
            "validation",
            Some("note"),
        ),
        (
            post("reject", pending),
            &c.moderator.token,
            Some(json!({"note": "x", "x": 1})),
            "unknown field",
            422,
            "validation",
            None,
        ),
        (
            post("unhide", pending),
            &c.moderator.token,
            Some(json!({})),
            "unhide without a note",
            422,
            "validation",
            Some("note"),
        ),
        (
            post("approve", public),
            &c.moderator.token,
            None,
            "approve a published listing",
            409,
            "conflict",
            None,
        ),
        (
            post("approve", a_draft),
            &c.moderator.token,
            None,
            "approve a draft",
            409,
            "conflict",
            None,
        ),
        (
            post("reject", public),
            &c.moderator.token,
            Some(note.clone()),
            "reject a published listing",
            409,
            "conflict",
            None,
        ),
        (
            post("unhide", public),
            &c.moderator.token,
            Some(note.clone()),
            "unhide a listing not hidden",
            409,
            "conflict",
            None,
        ),
        (
            post("approve", unknown),
            &c.moderator.token,
            None,
            "approve: no such listing",
            404,
            "not-found",
            None,
        ),
        (
            post("reject", unknown),
            &c.moderator.token,
            Some(note.clone()),
            "reject: no such listing",
            404,
            "not-found",
            None,
        ),
        (
            post("unhide", unknown),
            &c.moderator.token,
            Some(note.clone()),
            "unhide: no such listing",
            404,
            "not-found",
            None,
        ),
        (
            post("approve", pending),
            &c.buyer.token,
            None,
            "approve as a member",
            403,
            "forbidden",
            None,
        ),
        (
            post("reject", pending),
            &c.seller.token,
            Some(note.clone()),
            "reject as its seller",
            403,
            "forbidden",
            None,
        ),
        (
            post("approve", pending),
            &pat,
            None,
            "approve with a personal access token",
            403,
            "forbidden",
            None,
        ),
        (
            PENDING.to_owned(),
            &c.buyer.token,
            None,
            "the queue as a member",
            403,
            "forbidden",
            None,
        ),
        (
            PENDING.to_owned(),
            &pat,
            None,
            "the queue with a token",
            403,
            "forbidden",
            None,
        ),
        (
            format!("{PENDING}?limit=0"),
            &c.moderator.token,
            None,
            "limit 0",
            422,
            "validation",
            Some("limit"),
        ),
        (
            format!("{PENDING}?limit=101"),
            &c.moderator.token,
            None,
            "limit over 100",
            422,
            "validation",
            Some("limit"),
        ),
        (
            format!("{PENDING}?cursor=nope"),
            &c.moderator.token,
            None,
            "bad cursor",
            422,
            "validation",
            Some("cursor"),
        ),
        (
            format!("{PENDING}?state=open"),
            &c.moderator.token,
            None,
            "unknown parameter",
            422,
            "validation",
            None,
        ),
    ];
    for (path, token, body, why, status, slug, field) in cases {
        // Act
        let method = if path.starts_with(PENDING) {
            Method::GET
        } else {
            Method::POST
        };
        let res = request(&c.app, method, &path, Some(token), None, body.as_ref()).await;

        // Assert
        let problem = TestApp::expect_problem(res, status, slug).await;
        if let Some(field) = field {
            assert_one_message(&problem, field, why);
        }
        assert_eq!(audit_rows(&c.app), 0, "{why}");
        assert_eq!(
            listing_row(&c.app, pending).status,
            "pending_review",
            "{why}"
        );
        assert_eq!(listing_row(&c.app, public).status, "published", "{why}");
        assert_eq!(count(&c.app, "notifications"), 0, "{why}");
    }
    // Anonymous callers: 401.
    let res = request(
        &c.app,
        Method::POST,
        &decision_path(pending, "approve"),
        None,
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let res = request(&c.app, Method::GET, PENDING, None, None, None).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    assert_eq!(listing_row(&c.app, pending).status, "pending_review");
}
