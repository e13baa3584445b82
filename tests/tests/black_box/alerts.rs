//! The alerts job, run on demand: new listings matched against saved searches (each match
//! notified once), price drops of favourites, the digests mailed through the outbox and a real
//! SMTP server, and their unsubscribe links (working once, without logging in).

use hangar_tests::accounts::{count, execute, query_one};
use hangar_tests::alerts::{
    NO_BACKGROUND_ALERTS, NOTIFICATIONS, UNSUBSCRIBE, call_ok, favorite, favorite_path,
    notification_rows, run_alerts, save_search, set_price, unsubscribe_tokens,
};
use hangar_tests::listings::{PRICE, create_ok, dr400, member, published, request, seller, with};
use hangar_tests::smtp::SmtpSink;
use hangar_tests::{TestApp, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// A published DR400 at `amount`.
async fn dr400_at(app: &TestApp, token: &str, amount: i64) -> Uuid {
    let body = with(
        with(dr400(), "/publish", json!(true)),
        "/price/amount",
        json!(amount),
    );
    create_ok(app, token, &body).await
}

fn outbox_to(app: &TestApp, email: &str) -> i64 {
    count(app, &format!("outbox WHERE to_address = '{email}'"))
}

#[tokio::test]
async fn each_new_match_is_notified_once() {
    // Arrange: a listing published before the search was saved; then one that matches, one
    // too expensive, and one of the searcher's own.
    let app = spawn_app_with(&[NO_BACKGROUND_ALERTS]).await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = seller(&app, "acheteur@example.fr");
    let before = dr400_at(&app, &owner.token, PRICE).await;
    let search = save_search(
        &app,
        &buyer.token,
        "DR400 à moins de 70 000 €",
        json!({"q": "dr400", "price_max": 7_000_000}),
        "instant",
    )
    .await;
    let matching = dr400_at(&app, &owner.token, PRICE).await;
    let _too_dear = dr400_at(&app, &owner.token, 9_000_000).await;
    let _own = dr400_at(&app, &buyer.token, PRICE).await;

    // Act: the job, twice.
    let first = run_alerts(&app);
    let second = run_alerts(&app);

    // Assert: one notification, for the new matching listing, once.
    assert_eq!(first.new_matches, 1, "{first:?}");
    assert_eq!(second.new_matches, 0, "nothing twice: {second:?}");
    assert_eq!(
        notification_rows(&app, buyer.id),
        vec![("new_match".to_owned(), Some(matching.to_string()))]
    );
    assert_eq!(
        count(
            &app,
            &format!("saved_search_matches WHERE saved_search_id = '{search}'")
        ),
        1
    );
    assert_eq!(
        count(
            &app,
            &format!("notifications WHERE listing_id = '{before}'")
        ),
        0
    );
    assert_eq!(
        notification_rows(&app, owner.id),
        vec![],
        "the seller is not notified"
    );

    // A later listing is a new match; the earlier ones are not notified again.
    let later = dr400_at(&app, &owner.token, PRICE - 100_000).await;
    assert_eq!(run_alerts(&app).new_matches, 1);
    assert_eq!(run_alerts(&app).new_matches, 0);
    let rows = notification_rows(&app, buyer.id);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[1].1.as_deref(), Some(later.to_string().as_str()));

    // Withdrawn and published again: still the same match, not notified again.
    for step in ["withdraw", "publish"] {
        let res = hangar_tests::listings::step(&app, matching, step, &owner.token).await;
        assert_eq!(res.status().as_u16(), 200, "{step}");
    }
    assert_eq!(run_alerts(&app).new_matches, 0);

    // What the buyer reads.
    let page = call_ok(&app, Method::GET, NOTIFICATIONS, &buyer.token, None, 200).await;
    assert_eq!(page["unread_count"], 2);
    let newest = &page["items"][0];
    assert_eq!(newest["kind"], "new_match", "{page}");
    assert_eq!(newest["listing_id"], later.to_string());
    assert_eq!(newest["title"], "Robin DR400-140B, moteur 850 h, hangarée");
    assert_eq!(
        newest["price"],
        json!({"amount": PRICE - 100_000, "currency": "EUR"})
    );
    assert_eq!(
        newest["saved_search"],
        json!({"id": search, "name": "DR400 à moins de 70 000 €"})
    );

    // A paused search matches nothing; switched back on, it alerts from then on only.
    call_ok(
        &app,
        Method::PATCH,
        &format!("/api/v1/users/me/saved-searches/{search}"),
        &buyer.token,
        Some(&json!({"frequency": "off"})),
        200,
    )
    .await;
    let during_pause = dr400_at(&app, &owner.token, PRICE).await;
    assert_eq!(run_alerts(&app).new_matches, 0);
    call_ok(
        &app,
        Method::PATCH,
        &format!("/api/v1/users/me/saved-searches/{search}"),
        &buyer.token,
        Some(&json!({"frequency": "daily"})),
        200,
    )
    .await;
    assert_eq!(run_alerts(&app).new_matches, 0);
    assert_eq!(
        count(
            &app,
            &format!("notifications WHERE listing_id = '{during_pause}'")
        ),
        0
    );
}

#[tokio::test]
async fn price_drops_of_favourites_are_notified_once_below_the_lowest_price_seen() {
    // Arrange
    let app = spawn_app_with(&[NO_BACKGROUND_ALERTS]).await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let listing = published(&app, &owner.token).await;
    favorite(&app, &buyer.token, listing).await;
    let drops = |app: &TestApp| {
        notification_rows(app, buyer.id)
            .into_iter()
            .filter(|(k, _)| k == "price_drop")
            .count()
    };

    // Act / assert: no change, nothing; a drop, once.
    assert_eq!(run_alerts(&app).price_drops, 0);
    set_price(&app, &owner.token, listing, 6_200_000).await;
    assert_eq!(run_alerts(&app).price_drops, 1);
    assert_eq!(run_alerts(&app).price_drops, 0);
    // Up, then down but not below the last price notified: nothing.
    set_price(&app, &owner.token, listing, 6_300_000).await;
    set_price(&app, &owner.token, listing, 6_250_000).await;
    assert_eq!(run_alerts(&app).price_drops, 0);
    // Below it: once more.
    set_price(&app, &owner.token, listing, 6_000_000).await;
    assert_eq!(run_alerts(&app).price_drops, 1);
    assert_eq!(drops(&app), 2);

    let page = call_ok(&app, Method::GET, NOTIFICATIONS, &buyer.token, None, 200).await;
    let newest = &page["items"][0];
    assert_eq!(newest["kind"], "price_drop", "{page}");
    assert_eq!(
        newest["price"],
        json!({"amount": 6_000_000, "currency": "EUR"})
    );
    assert_eq!(
        newest["previous_price"],
        json!({"amount": 6_200_000, "currency": "EUR"})
    );
    let saved = call_ok(
        &app,
        Method::GET,
        &favorite_path(listing),
        &buyer.token,
        None,
        200,
    )
    .await;
    assert_eq!(saved["price_change"], -500_000, "since saved: {saved}");

    // A drop on a listing that is no longer public is not notified.
    set_price(&app, &owner.token, listing, 5_000_000).await;
    let res = hangar_tests::listings::step(&app, listing, "withdraw", &owner.token).await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(run_alerts(&app).price_drops, 0);
}

#[tokio::test]
async fn the_digest_arrives_by_smtp_with_unsubscribe_links_that_work_once() {
    // Arrange: an SMTP server; a buyer with an instant search; a matching listing.
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = spawn_app_with(&[
        ("SMTP_URL", &url),
        ("OUTBOX_POLL_MS", "100"),
        NO_BACKGROUND_ALERTS,
    ])
    .await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let search = save_search(
        &app,
        &buyer.token,
        "DR400",
        json!({"q": "dr400"}),
        "instant",
    )
    .await;
    let listing = published(&app, &owner.token).await;

    // Act
    let round = run_alerts(&app);

    // Assert: one digest, in French, with the listing and two links.
    assert_eq!((round.new_matches, round.digests), (1, 1), "{round:?}");
    let message = sink.wait_for("acheteur@example.fr").await;
    assert!(
        message.contains("Subject: Hangar : 1 nouvelle annonce pour vos recherches"),
        "{message}"
    );
    assert!(
        message.contains(&format!("http://hangar.test/listings/{listing}")),
        "{message}"
    );
    let tokens = unsubscribe_tokens(&message);
    assert_eq!(tokens.len(), 2, "this search, and every alert: {message}");
    assert_eq!(run_alerts(&app).digests, 0, "nothing new, no mail");
    assert_eq!(outbox_to(&app, "acheteur@example.fr"), 1);

    // An altered link: 400, nothing changes.
    let mut altered = tokens[0].clone().into_bytes();
    let last = altered.len() - 5;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap_or_default();
    let bad: [(Value, &str); 4] = [
        (json!({"token": altered}), "altered"),
        (
            json!({"token": &tokens[0][..tokens[0].len() - 1]}),
            "cut short",
        ),
        (
            json!({"token": format!("{}{}", Uuid::now_v7().simple(), &tokens[0][32..])}),
            "another id",
        ),
        (json!({"token": "x".repeat(75)}), "made up"),
    ];
    for (body, why) in bad {
        let res = request(&app, Method::POST, UNSUBSCRIBE, None, None, Some(&body)).await;
        let problem = TestApp::expect_problem(res, 400, "bad-request").await;
        assert!(
            problem["detail"]
                .as_str()
                .is_some_and(|d| d.contains("not valid")),
            "{why}: {problem}"
        );
    }
    let res = request(
        &app,
        Method::POST,
        UNSUBSCRIBE,
        None,
        None,
        Some(&json!({"token": ""})),
    )
    .await;
    TestApp::expect_problem(res, 422, "validation").await;
    let frequency = || {
        query_one(
            &app,
            &format!("SELECT frequency AS value FROM saved_searches WHERE id = '{search}'"),
        )
    };
    assert_eq!(frequency().as_deref(), Some("instant"));
    assert_eq!(
        count(&app, "unsubscribe_links WHERE used_at IS NOT NULL"),
        0
    );

    // The genuine link, without logging in: the search is off.
    let res = request(
        &app,
        Method::POST,
        UNSUBSCRIBE,
        None,
        None,
        Some(&json!({"token": tokens[0]})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let done: Value = res.json().await.unwrap_or_default();
    assert_eq!(
        done,
        json!({"scope": "saved_search", "saved_search": {"id": search, "name": "DR400"}})
    );
    assert_eq!(frequency().as_deref(), Some("off"));

    // Used: 400, and turning the search back on is not undone by a replay.
    call_ok(
        &app,
        Method::PATCH,
        &format!("/api/v1/users/me/saved-searches/{search}"),
        &buyer.token,
        Some(&json!({"frequency": "instant"})),
        200,
    )
    .await;
    let res = request(
        &app,
        Method::POST,
        UNSUBSCRIBE,
        None,
        None,
        Some(&json!({"token": tokens[0]})),
    )
    .await;
    let problem = TestApp::expect_problem(res, 400, "bad-request").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("already used")),
        "{problem}"
    );
    assert_eq!(frequency().as_deref(), Some("instant"));

    // The link for every alert mail: the account preference goes off; mail stops, the
    // notifications do not.
    let res = request(
        &app,
        Method::POST,
        UNSUBSCRIBE,
        None,
        None,
        Some(&json!({"token": tokens[1]})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let done: Value = res.json().await.unwrap_or_default();
    assert_eq!(done, json!({"scope": "all_alerts"}));
    assert_eq!(
        query_one(
            &app,
            &format!(
                "SELECT notify_saved_searches::text AS value FROM users WHERE id = '{}'",
                buyer.id
            )
        )
        .as_deref(),
        Some("false")
    );
    published(&app, &owner.token).await;
    let round = run_alerts(&app);
    assert_eq!((round.new_matches, round.digests), (1, 0), "{round:?}");
    assert_eq!(outbox_to(&app, "acheteur@example.fr"), 1);
}

#[tokio::test]
async fn daily_digests_wait_for_their_day_and_gather_matches_and_price_drops() {
    // Arrange: a daily search, a favourite; a daily digest went out two hours ago.
    let app = spawn_app_with(&[NO_BACKGROUND_ALERTS]).await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let unverified = member(&app, "pas-verifie@example.fr", "user", false);
    let favourite = published(&app, &owner.token).await;
    favorite(&app, &buyer.token, favourite).await;
    save_search(
        &app,
        &buyer.token,
        "Robin",
        json!({"make": "Robin"}),
        "daily",
    )
    .await;
    save_search(
        &app,
        &unverified.token,
        "Robin",
        json!({"make": "Robin"}),
        "instant",
    )
    .await;
    execute(
        &app,
        &format!(
            "INSERT INTO alert_digests (user_id, frequency, last_sent_at) VALUES ('{}', 'daily', now() - interval '2 hours')",
            buyer.id
        ),
    );
    published(&app, &owner.token).await;
    set_price(&app, &owner.token, favourite, PRICE - 500_000).await;

    // Act / assert: notified now, mailed only once the day is over.
    let round = run_alerts(&app);
    assert_eq!(
        (round.new_matches, round.price_drops, round.digests),
        (2, 1, 0),
        "{round:?}"
    );
    assert_eq!(outbox_to(&app, "acheteur@example.fr"), 0);
    assert_eq!(
        outbox_to(&app, "pas-verifie@example.fr"),
        0,
        "no alert mail to an unverified address"
    );
    execute(
        &app,
        &format!(
            "UPDATE alert_digests SET last_sent_at = now() - interval '24 hours' WHERE user_id = '{}'",
            buyer.id
        ),
    );
    let round = run_alerts(&app);
    assert_eq!(round.digests, 1, "{round:?}");
    assert_eq!(run_alerts(&app).digests, 0);
    let subject = query_one(
        &app,
        "SELECT subject AS value FROM outbox WHERE to_address = 'acheteur@example.fr'",
    );
    assert_eq!(
        subject.as_deref(),
        Some("Hangar : 1 nouvelle annonce et 1 baisse de prix")
    );
    let body = query_one(
        &app,
        "SELECT body_text AS value FROM outbox WHERE to_address = 'acheteur@example.fr'",
    )
    .unwrap_or_default();
    assert!(body.contains("Votre résumé du jour."), "{body}");
    assert!(body.contains("65 000 EUR → 60 000 EUR"), "{body}");
    assert_eq!(unsubscribe_tokens(&body).len(), 2, "{body}");
    assert_eq!(
        count(
            &app,
            &format!(
                "notifications WHERE user_id = '{}' AND emailed_at IS NULL AND digest IS NOT NULL",
                buyer.id
            )
        ),
        0
    );
}

/// The URL of a message's `List-Unsubscribe` header (`<…>` removed).
fn list_unsubscribe(message: &str) -> String {
    message
        .lines()
        .find_map(|l| l.strip_prefix("List-Unsubscribe: <"))
        .and_then(|rest| rest.split('>').next())
        .unwrap_or_else(|| panic!("no List-Unsubscribe header: {message}"))
        .to_owned()
}

/// `POST` of a one-click unsubscribe (RFC 8058) to `url` on the test app, as a mail client
/// sends it: no login, the form body given with its content type.
async fn one_click(app: &TestApp, url: &str, content_type: &str, body: &str) -> reqwest::Response {
    let path = url.strip_prefix("http://hangar.test").unwrap_or(url);
    app.client
        .post(app.url(path))
        .header("content-type", content_type)
        .body(body.to_owned())
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {path}: {e}"))
}

fn alert_mail_on(app: &TestApp, user: Uuid) -> Option<String> {
    query_one(
        app,
        &format!("SELECT notify_saved_searches::text AS value FROM users WHERE id = '{user}'"),
    )
}

#[tokio::test]
async fn digests_carry_a_one_click_list_unsubscribe_that_works_once() {
    // Arrange: an SMTP server; a buyer with an instant search; two digests, one per listing.
    let sink = SmtpSink::start();
    let url = sink.url();
    let app = spawn_app_with(&[
        ("SMTP_URL", &url),
        ("OUTBOX_POLL_MS", "100"),
        NO_BACKGROUND_ALERTS,
    ])
    .await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    save_search(
        &app,
        &buyer.token,
        "DR400",
        json!({"q": "dr400"}),
        "instant",
    )
    .await;
    published(&app, &owner.token).await;
    assert_eq!(run_alerts(&app).digests, 1);
    let first = sink.wait_for("acheteur@example.fr").await;
    published(&app, &owner.token).await;
    assert_eq!(run_alerts(&app).digests, 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while sink.messages().len() < 2 {
        assert!(std::time::Instant::now() < deadline, "no second digest");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let second = sink
        .messages()
        .into_iter()
        .map(|m| m.replace("=\r\n", "").replace("=\n", ""))
        .find(|m| list_unsubscribe(m) != list_unsubscribe(&first))
        .unwrap_or_else(|| panic!("the second digest has the same link"));

    // Assert: the headers (RFC 2369, RFC 8058), an API URL with the unsubscribe-all token.
    let url = list_unsubscribe(&first);
    assert!(
        url.starts_with("http://hangar.test/api/v1/unsubscribe/one-click?token="),
        "{url}"
    );
    assert!(
        first.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"),
        "{first}"
    );
    let token = url.rsplit("token=").next().unwrap_or_default().to_owned();
    let body_tokens = unsubscribe_tokens(&first);
    assert_eq!(
        body_tokens.last(),
        Some(&token),
        "the body's link for every alert"
    );
    // Sent (marked so just after the server took it): the single-use URL is not kept.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while count(&app, "outbox WHERE sent_at IS NULL") > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "digests not marked sent"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(count(&app, "outbox WHERE list_unsubscribe IS NOT NULL"), 0);

    // Bad requests change nothing.
    let mut altered = url.clone().into_bytes();
    let last = altered.len() - 3;
    altered[last] = if altered[last] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).unwrap_or_default();
    let form = "application/x-www-form-urlencoded";
    let one_click_body = "List-Unsubscribe=One-Click";
    let cases: [(&str, &str, &str, u16, &str, &str); 5] = [
        (
            &altered,
            form,
            one_click_body,
            400,
            "bad-request",
            "altered token",
        ),
        (
            &url,
            form,
            "List-Unsubscribe=Yes",
            422,
            "validation",
            "not One-Click",
        ),
        (&url, form, "", 422, "validation", "empty body"),
        (
            &url,
            "application/json",
            "{\"List-Unsubscribe\":\"One-Click\"}",
            415,
            "unsupported-media-type",
            "JSON",
        ),
        (
            "http://hangar.test/api/v1/unsubscribe/one-click",
            form,
            one_click_body,
            422,
            "validation",
            "no token",
        ),
    ];
    for (target, content_type, body, status, slug, why) in cases {
        // Act
        let res = one_click(&app, target, content_type, body).await;

        // Assert
        let problem = TestApp::expect_problem(res, status, slug).await;
        assert!(problem["detail"].is_string(), "{why}: {problem}");
        assert_eq!(
            alert_mail_on(&app, buyer.id).as_deref(),
            Some("true"),
            "{why}"
        );
    }
    assert_eq!(
        count(&app, "unsubscribe_links WHERE used_at IS NOT NULL"),
        0
    );

    // A GET (a browser, a link scanner) changes nothing: it sends to the confirmation page.
    let res = app
        .client
        .get(app.url(url.strip_prefix("http://hangar.test").unwrap_or(&url)))
        .send()
        .await
        .unwrap_or_else(|e| panic!("GET: {e}"));
    assert_eq!(res.status().as_u16(), 303);
    assert_eq!(
        res.headers().get("location").and_then(|v| v.to_str().ok()),
        Some(format!("http://hangar.test/unsubscribe?token={token}").as_str())
    );
    assert_eq!(alert_mail_on(&app, buyer.id).as_deref(), Some("true"));

    // Act: the mail client's one-click POST of the header's URL, without logging in.
    let res = one_click(&app, &url, form, one_click_body).await;

    // Assert: alert mail is off.
    assert_eq!(res.status().as_u16(), 200);
    let done: Value = res.json().await.unwrap_or_default();
    assert_eq!(done, json!({"scope": "all_alerts"}));
    assert_eq!(alert_mail_on(&app, buyer.id).as_deref(), Some("false"));

    // Used: 400, and turning alert mail back on is not undone by a replay.
    execute(
        &app,
        &format!(
            "UPDATE users SET notify_saved_searches = true WHERE id = '{}'",
            buyer.id
        ),
    );
    let res = one_click(&app, &url, form, one_click_body).await;
    let problem = TestApp::expect_problem(res, 400, "bad-request").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("already used")),
        "{problem}"
    );
    assert_eq!(alert_mail_on(&app, buyer.id).as_deref(), Some("true"));
    // Nor is the body's link for every alert of that mail: it was the same one.
    let res = request(
        &app,
        Method::POST,
        UNSUBSCRIBE,
        None,
        None,
        Some(&json!({"token": token})),
    )
    .await;
    TestApp::expect_problem(res, 400, "bad-request").await;

    // The other digest's link, as multipart/form-data (what RFC 8058 recommends).
    let boundary = "hangar-test-boundary";
    let multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"List-Unsubscribe\"\r\n\r\nOne-Click\r\n--{boundary}--\r\n"
    );
    let res = one_click(
        &app,
        &list_unsubscribe(&second),
        &format!("multipart/form-data; boundary={boundary}"),
        &multipart,
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(alert_mail_on(&app, buyer.id).as_deref(), Some("false"));
}
