//! Notifications: the list (newest first, keyset pages, unread count), marking one and all
//! read, other members' notifications (404, unchanged), and the expiry reminder's.

use hangar_tests::accounts::{count, execute, query_one};
use hangar_tests::alerts::{NOTIFICATIONS, call_ok};
use hangar_tests::listings::{Member, member, published, request, seller};
use hangar_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

/// Writes `n` price-drop notifications for `user`, a minute apart (the newest last); returns
/// their ids, oldest first.
fn notify(app: &TestApp, user: Uuid, listing: Uuid, n: usize) -> Vec<Uuid> {
    (0..n)
        .map(|i| {
            let id = Uuid::now_v7();
            execute(
                app,
                &format!(
                    "INSERT INTO notifications (id, user_id, kind, listing_id, data, created_at) VALUES \
                     ('{id}', '{user}', 'price_drop', '{listing}', \
                     '{{\"title\": \"Robin DR400 n{i}\", \"amount\": {amount}, \"currency\": \"EUR\", \"previous_amount\": 6500000}}', \
                     now() - interval '{ago} minutes')",
                    amount = 6_000_000 + i,
                    ago = n - i
                ),
            );
            id
        })
        .collect()
}

fn read_at(app: &TestApp, id: Uuid) -> Option<String> {
    query_one(
        app,
        &format!("SELECT read_at::text AS value FROM notifications WHERE id = '{id}'"),
    )
}

async fn page(app: &TestApp, who: &Member, params: &str) -> Value {
    call_ok(
        app,
        Method::GET,
        &format!("{NOTIFICATIONS}?{params}"),
        &who.token,
        None,
        200,
    )
    .await
}

#[tokio::test]
async fn notifications_list_newest_first_in_pages_with_the_unread_count() {
    // Arrange: five notifications for the buyer, two for someone else.
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let other = member(&app, "autre@example.fr", "user", true);
    let listing = published(&app, &owner.token).await;
    let mine = notify(&app, buyer.id, listing, 5);
    notify(&app, other.id, listing, 2);

    // Act: pages of two.
    let mut seen = Vec::new();
    let mut params = "limit=2".to_owned();
    let mut pages = 0;
    let first = page(&app, &buyer, &params).await;
    let mut current = first.clone();
    loop {
        pages += 1;
        for item in current["items"].as_array().into_iter().flatten() {
            seen.push(item["id"].as_str().unwrap_or_default().to_owned());
        }
        match current["next_cursor"].as_str() {
            Some(c) => params = format!("limit=2&cursor={c}"),
            None => break,
        }
        current = page(&app, &buyer, &params).await;
    }

    // Assert
    let newest_first: Vec<String> = mine.iter().rev().map(Uuid::to_string).collect();
    assert_eq!(seen, newest_first);
    assert_eq!(pages, 3);
    assert_eq!(first["unread_count"], 5);
    let item = &first["items"][0];
    assert_eq!(item["kind"], "price_drop", "{item}");
    assert_eq!(item["listing_id"], listing.to_string());
    assert_eq!(item["title"], "Robin DR400 n4");
    assert_eq!(item["price"]["amount"], 6_000_004);
    assert_eq!(item["previous_price"]["amount"], 6_500_000);
    assert!(item.get("read_at").is_none(), "{item}");
}

#[tokio::test]
async fn marking_read_is_idempotent_and_only_touches_your_own() {
    // Arrange
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let other = member(&app, "autre@example.fr", "user", true);
    let listing = published(&app, &owner.token).await;
    let mine = notify(&app, buyer.id, listing, 3);
    let theirs = notify(&app, other.id, listing, 2);

    // Act / assert: one read, twice: the first time is kept.
    let path = format!("{NOTIFICATIONS}/{}/read", mine[0]);
    let once = call_ok(&app, Method::POST, &path, &buyer.token, None, 200).await;
    let twice = call_ok(&app, Method::POST, &path, &buyer.token, None, 200).await;
    assert!(once["read_at"].is_string(), "{once}");
    assert_eq!(once["read_at"], twice["read_at"]);
    let unread = page(&app, &buyer, "unread=true").await;
    assert_eq!(unread["unread_count"], 2);
    assert_eq!(unread["items"].as_array().map(Vec::len), Some(2));

    // Someone else's, or an unknown one: 404, and theirs stays unread.
    for id in [theirs[0], Uuid::now_v7()] {
        let res = request(
            &app,
            Method::POST,
            &format!("{NOTIFICATIONS}/{id}/read"),
            Some(&buyer.token),
            None,
            None,
        )
        .await;
        TestApp::expect_problem(res, 404, "not-found").await;
    }
    assert_eq!(read_at(&app, theirs[0]), None);

    // All read: only the buyer's.
    let all = call_ok(
        &app,
        Method::POST,
        &format!("{NOTIFICATIONS}/read-all"),
        &buyer.token,
        None,
        200,
    )
    .await;
    assert_eq!(all["marked"], 2, "{all}");
    assert_eq!(all["unread_count"], 0);
    let again = call_ok(
        &app,
        Method::POST,
        &format!("{NOTIFICATIONS}/read-all"),
        &buyer.token,
        None,
        200,
    )
    .await;
    assert_eq!(again["marked"], 0);
    assert_eq!(
        count(
            &app,
            &format!(
                "notifications WHERE user_id = '{}' AND read_at IS NULL",
                other.id
            )
        ),
        2
    );
    assert_eq!(page(&app, &other, "").await["unread_count"], 2);
}

#[tokio::test]
async fn bad_notification_requests_are_refused() {
    let app = spawn_app().await;
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let cases = [
        ("limit=0", "limit"),
        ("limit=1000", "limit"),
        ("unread=maybe", "unread"),
        ("cursor=zzz", "cursor"),
        ("colour=red", "colour"),
    ];
    for (params, field) in cases {
        let res = request(
            &app,
            Method::GET,
            &format!("{NOTIFICATIONS}?{params}"),
            Some(&buyer.token),
            None,
            None,
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(problem["errors"][field].is_array(), "{params}: {problem}");
    }
    let res = request(
        &app,
        Method::POST,
        &format!("{NOTIFICATIONS}/not-an-id/read"),
        Some(&buyer.token),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 400, "bad-request").await;
    for (method, path) in [
        (Method::GET, NOTIFICATIONS.to_owned()),
        (Method::POST, format!("{NOTIFICATIONS}/read-all")),
    ] {
        let res = request(&app, method, &path, None, None, None).await;
        TestApp::expect_problem(res, 401, "unauthorized").await;
    }
}

#[tokio::test]
async fn the_expiry_reminder_is_also_a_notification() {
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let listing = published(&app, &owner.token).await;
    execute(
        &app,
        &format!(
            "UPDATE listings SET expires_at = now() + interval '3 days' WHERE id = '{listing}'"
        ),
    );

    for _ in 0..2 {
        hangar_api::jobs::maintenance(&mut app.db.connect(), "http://hangar.test")
            .unwrap_or_else(|e| panic!("{e}"));
    }

    let list = page(&app, &owner, "").await;
    let items = list["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), 1, "once: {list}");
    assert_eq!(items[0]["kind"], "listing_expiring");
    assert_eq!(items[0]["listing_id"], listing.to_string());
    assert_eq!(
        items[0]["title"],
        "Robin DR400-140B, moteur 850 h, hangarée"
    );
    assert!(items[0]["expires_at"].is_string(), "{list}");
}
