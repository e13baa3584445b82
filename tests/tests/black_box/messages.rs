//! Messaging: starting a conversation on a listing (once per buyer and listing), the inbox,
//! messages in pages, mark read, blocking, the rate limit, the `new_message` notification
//! and the throttled mail; everyone but the two parties gets 404 with nothing written.

use hangar_tests::accounts::{
    PASSWORD, count, create_pat, execute, pat_secret, query_one, register_and_login, set_locale,
    uuid_of,
};
use hangar_tests::alerts::{call_ok, notifications};
use hangar_tests::conversations::{
    INBOX, block, conversation, conversation_path, mark_read, post_message, post_start,
    send_message, start_conversation, start_path, text, unblock,
};
use hangar_tests::listings::{
    Member, SellerAndBuyer, draft, header, member, moderator, published, request, seller_and_buyer,
    seller_with_listing, verify_email,
};
use hangar_tests::smtp::SmtpSink;
use hangar_tests::{TestApp, spawn_app, spawn_app_with};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

/// A seller with a published DR400, a buyer, and a third member.
struct Cast {
    app: TestApp,
    seller: Member,
    buyer: Member,
    stranger: Member,
    listing: Uuid,
}

async fn cast_with(extra: &[(&str, &str)]) -> Cast {
    let app = spawn_app_with(extra).await;
    let SellerAndBuyer {
        seller,
        buyer,
        listing,
    } = seller_and_buyer(&app).await;
    let stranger = member(&app, "curieux@example.fr", "user", true);
    Cast {
        app,
        seller,
        buyer,
        stranger,
        listing,
    }
}

async fn cast() -> Cast {
    cast_with(&[]).await
}

/// The buyer starts the conversation (201); returns its id.
async fn start(c: &Cast, body: &str) -> Uuid {
    start_conversation(&c.app, &c.buyer.token, c.listing, body).await
}

fn messages_count(app: &TestApp) -> i64 {
    count(app, "messages")
}

#[tokio::test]
async fn a_buyer_starts_a_conversation_and_the_seller_replies() {
    // Arrange
    let c = cast().await;

    // Act: the buyer writes; surrounding spaces are trimmed.
    let res = post_start(
        &c.app,
        Some(&c.buyer.token),
        c.listing,
        &text("  Bonjour, toujours disponible ?\nJe peux venir samedi.  "),
    )
    .await;

    // Assert: 201 with Location, the rows, the seller's view.
    assert_eq!(res.status().as_u16(), 201);
    let location = header(&res, "location").unwrap_or_default();
    let started: Value = res.json().await.unwrap_or_default();
    let id = uuid_of(&started["conversation"]["id"]);
    assert_eq!(location, format!("/api/v1/conversations/{id}"));
    assert_eq!(
        started["message"]["body"],
        "Bonjour, toujours disponible ?\nJe peux venir samedi."
    );
    assert_eq!(started["message"]["from_me"], true);
    assert_eq!(started["conversation"]["role"], "buyer");
    assert_eq!(started["conversation"]["listing_id"], c.listing.to_string());
    assert_eq!(
        started["conversation"]["other_party"]["id"],
        c.seller.id.to_string()
    );
    assert_eq!(started["conversation"]["can_reply"], true);
    assert_eq!(
        count(
            &c.app,
            &format!(
                "conversations WHERE id = '{id}' AND buyer_id = '{}' AND seller_id = '{}' AND listing_id = '{}'",
                c.buyer.id, c.seller.id, c.listing
            )
        ),
        1
    );
    assert_eq!(
        query_one(&c.app, "SELECT body AS value FROM messages").as_deref(),
        Some("Bonjour, toujours disponible ?\nJe peux venir samedi.")
    );

    // The seller's inbox: one conversation, one unread, the listing summary.
    let inbox = call_ok(&c.app, Method::GET, INBOX, &c.seller.token, None, 200).await;
    let item = &inbox["items"][0];
    assert_eq!(inbox["items"].as_array().map(Vec::len), Some(1), "{inbox}");
    assert_eq!(item["role"], "seller");
    assert_eq!(item["unread_count"], 1);
    assert_eq!(item["other_party"]["display_name"], "Jean Dupont");
    assert_eq!(item["listing"]["id"], c.listing.to_string(), "{item}");
    assert!(
        item["listing_title"]
            .as_str()
            .is_some_and(|t| t.contains("DR400"))
    );
    assert_eq!(item["last_message"]["from_me"], false);

    // The seller replies; the buyer's copy shows it unread.
    let reply = send_message(
        &c.app,
        &c.seller.token,
        id,
        "Oui, venez à LFPN samedi à 10 h.",
    )
    .await;
    assert_eq!(reply["from_me"], true);
    assert_eq!(messages_count(&c.app), 2);
    let mine = conversation(&c.app, &c.buyer.token, id).await;
    assert_eq!(mine["unread_count"], 1);
    assert_eq!(
        mine["last_message"]["body"],
        "Oui, venez à LFPN samedi à 10 h."
    );

    // The seller reads: the buyer's message is marked read, once.
    let read = mark_read(&c.app, &c.seller.token, id).await;
    assert_eq!(read["marked"], 1);
    assert_eq!(read["conversation"]["unread_count"], 0);
    let again = mark_read(&c.app, &c.seller.token, id).await;
    assert_eq!(again["marked"], 0);
    assert_eq!(
        count(
            &c.app,
            &format!(
                "messages WHERE sender_id = '{}' AND read_at IS NOT NULL",
                c.buyer.id
            )
        ),
        1
    );
    assert_eq!(
        count(
            &c.app,
            &format!(
                "messages WHERE sender_id = '{}' AND read_at IS NULL",
                c.seller.id
            )
        ),
        1
    );

    // The thread, oldest first, both sides.
    let thread = call_ok(
        &c.app,
        Method::GET,
        &conversation_path(id, "/messages"),
        &c.buyer.token,
        None,
        200,
    )
    .await;
    let bodies: Vec<&str> = thread["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| m["body"].as_str())
        .collect();
    assert_eq!(bodies.len(), 2, "{thread}");
    assert!(bodies[0].starts_with("Bonjour"));
    assert!(thread["items"][0]["read_at"].is_string(), "{thread}");
}

#[tokio::test]
async fn a_second_start_on_the_same_listing_adds_to_the_one_conversation() {
    // Arrange
    let c = cast().await;
    let first = start(&c, "Bonjour").await;

    // Act
    let res = post_start(
        &c.app,
        Some(&c.buyer.token),
        c.listing,
        &text("Vous avez eu mon message ?"),
    )
    .await;

    // Assert: 200, the same conversation, two messages.
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        header(&res, "location"),
        Some(format!("/api/v1/conversations/{first}"))
    );
    let body: Value = res.json().await.unwrap_or_default();
    assert_eq!(body["conversation"]["id"], first.to_string());
    assert_eq!(count(&c.app, "conversations"), 1);
    assert_eq!(messages_count(&c.app), 2);
}

#[tokio::test]
async fn starting_refuses_bad_messages_own_listings_and_listings_you_cannot_see() {
    // Arrange
    let c = cast().await;
    let hidden = draft(&c.app, &c.seller.token).await;
    // (path, body, why, status, problem type, field at fault)
    type Case<'a> = (String, Value, &'a str, u16, &'a str, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            start_path(c.listing),
            json!({"body": ""}),
            "empty",
            422,
            "validation",
            Some("body"),
        ),
        (
            start_path(c.listing),
            json!({"body": "   \n\t "}),
            "only spaces",
            422,
            "validation",
            Some("body"),
        ),
        (
            start_path(c.listing),
            json!({"body": "x".repeat(5_001)}),
            "too long",
            422,
            "validation",
            Some("body"),
        ),
        (
            start_path(c.listing),
            json!({"body": "bip\u{0007}bip"}),
            "control character",
            422,
            "validation",
            Some("body"),
        ),
        (
            start_path(c.listing),
            json!({}),
            "no body",
            422,
            "validation",
            Some("body"),
        ),
        (
            start_path(c.listing),
            json!({"body": 12}),
            "not text",
            422,
            "validation",
            None,
        ),
        (
            start_path(c.listing),
            json!({"body": "Bonjour", "to": "x"}),
            "unknown field",
            422,
            "validation",
            None,
        ),
        (
            start_path(hidden),
            text("Bonjour"),
            "someone's draft",
            404,
            "not-found",
            None,
        ),
        (
            start_path(Uuid::now_v7()),
            text("Bonjour"),
            "no such listing",
            404,
            "not-found",
            None,
        ),
    ];
    for (path, body, why, status, slug, field) in cases {
        // Act
        let res = request(
            &c.app,
            Method::POST,
            &path,
            Some(&c.buyer.token),
            None,
            Some(&body),
        )
        .await;

        // Assert
        let problem = TestApp::expect_problem(res, status, slug).await;
        if let Some(field) = field {
            assert!(problem["errors"][field].is_array(), "{why}: {problem}");
        }
        assert_eq!(count(&c.app, "conversations"), 0, "{why}");
        assert_eq!(messages_count(&c.app), 0, "{why}");
    }

    // 5,000 characters exactly is fine.
    let res = post_start(
        &c.app,
        Some(&c.stranger.token),
        c.listing,
        &text(&"é".repeat(5_000)),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);

    // One's own listing: 422 with a clear detail, nothing written.
    let res = post_start(&c.app, Some(&c.seller.token), c.listing, &text("Bonjour")).await;
    let problem = TestApp::expect_problem(res, 422, "validation").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("your own listing")),
        "{problem}"
    );
    assert_eq!(
        count(
            &c.app,
            &format!("conversations WHERE buyer_id = '{}'", c.seller.id)
        ),
        0
    );

    // Not logged in: 401.
    let res = post_start(&c.app, None, c.listing, &text("Bonjour")).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    assert_eq!(count(&c.app, "conversations"), 1);
}

#[tokio::test]
async fn sending_in_a_conversation_refuses_bad_messages() {
    // Arrange
    let c = cast().await;
    let id = start(&c, "Bonjour").await;
    let cases: [(Value, &str); 4] = [
        (json!({"body": ""}), "empty"),
        (json!({"body": "x".repeat(5_001)}), "too long"),
        (json!({"body": "a\u{0000}b"}), "NUL"),
        (json!({"body": "\u{001b}[31mrouge"}), "escape sequence"),
    ];
    for (body, why) in cases {
        // Act
        let res = post_message(&c.app, &c.seller.token, id, &body).await;

        // Assert
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(problem["errors"]["body"].is_array(), "{why}: {problem}");
        assert_eq!(messages_count(&c.app), 1, "{why}");
    }
}

#[tokio::test]
async fn nobody_but_the_two_parties_sees_or_touches_a_conversation() {
    // Arrange: a conversation with an unread message from the buyer.
    let c = cast().await;
    let id = start(&c, "Bonjour").await;
    let snapshot = |app: &TestApp| {
        (
            count(app, "messages"),
            count(app, "messages WHERE read_at IS NOT NULL"),
            count(app, "user_blocks"),
            count(
                app,
                "conversations WHERE buyer_read_at IS NOT NULL OR seller_read_at IS NOT NULL",
            ),
            count(app, "notifications"),
            count(app, "outbox"),
        )
    };
    let moderator = moderator(&c.app, "moderateur@example.fr");
    let before = snapshot(&c.app);
    let routes: [(Method, String, Option<Value>); 7] = [
        (Method::GET, conversation_path(id, ""), None),
        (Method::GET, conversation_path(id, "/messages"), None),
        (
            Method::POST,
            conversation_path(id, "/messages"),
            Some(text("Intrus")),
        ),
        (Method::POST, conversation_path(id, "/read"), None),
        (Method::POST, conversation_path(id, "/block"), None),
        (Method::DELETE, conversation_path(id, "/block"), None),
        (Method::GET, conversation_path(Uuid::now_v7(), ""), None),
    ];
    for (method, path, body) in routes {
        // Act: a third member, and even a moderator.
        for token in [&c.stranger.token, &moderator.token] {
            let res = request(
                &c.app,
                method.clone(),
                &path,
                Some(token),
                None,
                body.as_ref(),
            )
            .await;

            // Assert: 404 as for nothing, nothing written.
            TestApp::expect_problem(res, 404, "not-found").await;
            assert_eq!(snapshot(&c.app), before, "{method} {path}");
        }
    }
    let inbox = call_ok(&c.app, Method::GET, INBOX, &c.stranger.token, None, 200).await;
    assert_eq!(inbox["items"], json!([]));
}

#[tokio::test]
async fn a_blocked_member_cannot_write_until_unblocked() {
    // Arrange
    let c = cast().await;
    let id = start(&c, "Bonjour").await;

    // Act: the seller blocks the buyer (twice: idempotent).
    for _ in 0..2 {
        let view = block(&c.app, &c.seller.token, id).await;
        assert_eq!(view["blocked_by_me"], true);
        assert_eq!(view["can_reply"], false);
    }
    assert_eq!(count(&c.app, "user_blocks"), 1);

    // Assert: the buyer gets 403 here and on a new start; nothing written.
    let res = post_message(&c.app, &c.buyer.token, id, &text("Allô ?")).await;
    let problem = TestApp::expect_problem(res, 403, "forbidden").await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("blocked you")),
        "{problem}"
    );
    let res = post_start(&c.app, Some(&c.buyer.token), c.listing, &text("Allô ?")).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    // Another listing of the same seller: still blocked, and no conversation is created.
    let other = published(&c.app, &c.seller.token).await;
    let res = post_start(&c.app, Some(&c.buyer.token), other, &text("Et celui-ci ?")).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    assert_eq!(count(&c.app, "conversations"), 1);
    // The blocker cannot write either while the block stands.
    let res = post_message(&c.app, &c.seller.token, id, &text("Non.")).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    assert_eq!(messages_count(&c.app), 1);
    let theirs = conversation(&c.app, &c.buyer.token, id).await;
    assert_eq!(
        (theirs["blocked_by_me"].clone(), theirs["can_reply"].clone()),
        (json!(false), json!(false))
    );

    // Unblocked: the buyer writes again.
    let view = unblock(&c.app, &c.seller.token, id).await;
    assert_eq!(view["blocked_by_me"], false);
    assert_eq!(count(&c.app, "user_blocks"), 0);
    send_message(&c.app, &c.buyer.token, id, "Merci !").await;
    assert_eq!(messages_count(&c.app), 2);
}

#[tokio::test]
async fn senders_are_rate_limited_with_retry_after() {
    // Arrange: three messages per 10 minutes.
    let c = cast_with(&[("RATE_LIMIT_MESSAGES_PER_10_MINUTES", "3")]).await;
    let id = start(&c, "Un").await;
    for body in ["Deux", "Trois"] {
        send_message(&c.app, &c.buyer.token, id, body).await;
    }

    // Act
    let res = post_message(&c.app, &c.buyer.token, id, &text("Quatre")).await;

    // Assert: 429 with Retry-After within the window; nothing written; the seller is not
    // limited by the buyer's count.
    let retry: u64 = header(&res, "retry-after")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    assert!((1..=600).contains(&retry), "Retry-After {retry}");
    TestApp::expect_problem(res, 429, "too-many-requests").await;
    let res = post_start(
        &c.app,
        Some(&c.buyer.token),
        published(&c.app, &c.seller.token).await,
        &text("Cinq"),
    )
    .await;
    TestApp::expect_problem(res, 429, "too-many-requests").await;
    assert_eq!(count(&c.app, "conversations"), 1);
    assert_eq!(messages_count(&c.app), 3);
    send_message(&c.app, &c.seller.token, id, "Réponse").await;

    // Messages older than the window no longer count.
    execute(
        &c.app,
        "UPDATE messages SET created_at = now() - interval '11 minutes'",
    );
    send_message(&c.app, &c.buyer.token, id, "Quatre").await;
}

#[tokio::test]
async fn the_recipient_gets_one_notification_per_conversation_until_read() {
    // Arrange
    let c = cast().await;

    // Act: two messages from the buyer.
    let id = start(&c, "Bonjour").await;
    send_message(&c.app, &c.buyer.token, id, "Encore moi").await;

    // Assert: one unread new_message notification for the seller, none for the buyer.
    let page = notifications(&c.app, &c.seller.token).await;
    assert_eq!(page["unread_count"], 1, "{page}");
    let n = &page["items"][0];
    assert_eq!(n["kind"], "new_message");
    assert_eq!(n["conversation_id"], id.to_string());
    assert_eq!(n["listing_id"], c.listing.to_string());
    assert!(
        n["title"].as_str().is_some_and(|t| t.contains("DR400")),
        "{n}"
    );
    assert_eq!(
        count(
            &c.app,
            &format!("notifications WHERE user_id = '{}'", c.buyer.id)
        ),
        0
    );

    // Reading the conversation reads the notification; the next message notifies again.
    mark_read(&c.app, &c.seller.token, id).await;
    let page = notifications(&c.app, &c.seller.token).await;
    assert_eq!(page["unread_count"], 0);
    send_message(&c.app, &c.buyer.token, id, "Et alors ?").await;
    assert_eq!(
        count(
            &c.app,
            &format!(
                "notifications WHERE user_id = '{}' AND kind = 'new_message'",
                c.seller.id
            )
        ),
        2
    );
}

#[tokio::test]
async fn the_recipient_is_mailed_in_their_language_at_most_once_while_unread() {
    // Arrange: a real SMTP server; the seller reads English.
    let sink = SmtpSink::start();
    let url = sink.url();
    let c = cast_with(&[("SMTP_URL", &url), ("OUTBOX_POLL_MS", "100")]).await;
    set_locale(&c.app, &c.seller.email, "en");

    // Act: two messages quickly.
    let id = start(&c, "Bonjour, toujours disponible ?").await;
    send_message(&c.app, &c.buyer.token, id, "Je peux venir samedi.").await;

    // Assert: one mail, in English, with the first message and the link.
    let mail = sink.wait_for("vendeur@example.fr").await;
    assert!(mail.contains("Hello Jean Dupont"), "{mail}");
    assert!(mail.contains("Jean Dupont wrote to you about"), "{mail}");
    assert!(mail.contains("> Bonjour, toujours disponible ?"), "{mail}");
    assert!(
        mail.contains(&format!("http://hangar.test/messages/{id}")),
        "{mail}"
    );
    assert_eq!(
        count(&c.app, "outbox WHERE to_address = 'vendeur@example.fr'"),
        1
    );

    // Once read, the next message is mailed again (the throttle is for unread ones); the
    // buyer gets the seller's reply in French.
    mark_read(&c.app, &c.seller.token, id).await;
    send_message(&c.app, &c.buyer.token, id, "Vous l'avez lu ?").await;
    assert_eq!(
        count(&c.app, "outbox WHERE to_address = 'vendeur@example.fr'"),
        2
    );
    send_message(&c.app, &c.seller.token, id, "Oui !").await;
    let mail = sink.wait_for("acheteur@example.fr").await;
    assert!(mail.contains("Bonjour Jean Dupont"), "{mail}");
    assert_eq!(
        count(&c.app, "outbox WHERE to_address = 'acheteur@example.fr'"),
        1
    );

    // Past the throttle window, an unread conversation is mailed again.
    execute(
        &c.app,
        "UPDATE conversations SET buyer_mailed_at = now() - interval '16 minutes'",
    );
    send_message(&c.app, &c.seller.token, id, "Toujours là ?").await;
    assert_eq!(
        count(&c.app, "outbox WHERE to_address = 'acheteur@example.fr'"),
        2
    );

    // A member who turned message mail off is notified in the app only.
    execute(
        &c.app,
        &format!(
            "UPDATE users SET notify_messages = false WHERE id = '{}'",
            c.stranger.id
        ),
    );
    let theirs = published(&c.app, &c.stranger.token).await;
    start_conversation(&c.app, &c.buyer.token, theirs, "Bonjour").await;
    assert_eq!(
        count(&c.app, "outbox WHERE to_address = 'curieux@example.fr'"),
        0
    );
    assert_eq!(
        count(
            &c.app,
            &format!(
                "notifications WHERE user_id = '{}' AND kind = 'new_message'",
                c.stranger.id
            )
        ),
        1
    );
}

#[tokio::test]
async fn the_inbox_is_newest_activity_first_in_pages() {
    // Arrange: the buyer writes about three listings; the first one gets a late reply.
    let c = cast().await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let listing = published(&c.app, &c.seller.token).await;
        ids.push(start_conversation(&c.app, &c.buyer.token, listing, "Bonjour").await);
    }
    send_message(&c.app, &c.seller.token, ids[0], "Oui ?").await;

    // Act: pages of two.
    let first = call_ok(
        &c.app,
        Method::GET,
        &format!("{INBOX}?limit=2"),
        &c.buyer.token,
        None,
        200,
    )
    .await;
    let cursor = first["next_cursor"].as_str().unwrap_or_default().to_owned();
    let second = call_ok(
        &c.app,
        Method::GET,
        &format!("{INBOX}?limit=2&cursor={cursor}"),
        &c.buyer.token,
        None,
        200,
    )
    .await;

    // Assert
    let order: Vec<String> = [&first, &second]
        .iter()
        .flat_map(|p| p["items"].as_array().cloned().unwrap_or_default())
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    assert_eq!(
        order,
        vec![ids[0].to_string(), ids[2].to_string(), ids[1].to_string()]
    );
    assert!(second.get("next_cursor").is_none(), "{second}");
    assert_eq!(first["items"][0]["unread_count"], 1);
    for bad in ["limit=0", "limit=101", "cursor=nope", "unread=true"] {
        let res = request(
            &c.app,
            Method::GET,
            &format!("{INBOX}?{bad}"),
            Some(&c.buyer.token),
            None,
            None,
        )
        .await;
        TestApp::expect_problem(res, 422, "validation").await;
    }

    // Messages page oldest → newest.
    for i in 0..4 {
        send_message(&c.app, &c.buyer.token, ids[1], &format!("m{i}")).await;
    }
    let mut seen = Vec::new();
    let mut path = conversation_path(ids[1], "/messages?limit=2");
    loop {
        let page = call_ok(&c.app, Method::GET, &path, &c.seller.token, None, 200).await;
        for m in page["items"].as_array().into_iter().flatten() {
            seen.push(m["body"].as_str().unwrap_or_default().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cur) => {
                path = conversation_path(ids[1], &format!("/messages?limit=2&cursor={cur}"))
            }
            None => break,
        }
    }
    assert_eq!(seen, ["Bonjour", "m0", "m1", "m2", "m3"]);
}

#[tokio::test]
async fn tokens_need_the_messages_scope() {
    // Arrange: a registered member with a token scoped to listings only.
    let app = spawn_app().await;
    let (_, listing) = seller_with_listing(&app).await;
    let (buyer, access, _) = register_and_login(&app, "acheteur@example.fr").await;
    verify_email(&app, buyer);
    let narrow = pat_secret(&create_pat(&app, &access, &["listings:read"]).await);
    let wide = pat_secret(&create_pat(&app, &access, &["messages"]).await);

    // Act / assert
    let res = post_start(&app, Some(&narrow), listing, &text("Bonjour")).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    assert_eq!(count(&app, "messages"), 0);
    start_conversation(&app, &wide, listing, "Bonjour").await;
    call_ok(&app, Method::GET, INBOX, &wide, None, 200).await;
}

#[tokio::test]
async fn the_export_holds_conversations_and_erasure_keeps_the_other_partys_copy() {
    // Arrange: a registered buyer (a real password, for the deletion) writes to a seller.
    let app = spawn_app().await;
    let (owner, listing) = seller_with_listing(&app).await;
    let (buyer, access, _) = register_and_login(&app, "acheteur@example.fr").await;
    let id = start_conversation(&app, &access, listing, "Bonjour").await;
    block(&app, &owner.token, id).await;
    unblock(&app, &owner.token, id).await;
    block(&app, &access, id).await;

    // Act
    let export = call_ok(
        &app,
        Method::GET,
        "/api/v1/users/me/export",
        &access,
        None,
        200,
    )
    .await;

    // Assert
    let conv = &export["conversations"][0];
    assert_eq!(conv["id"], id.to_string(), "{export}");
    assert_eq!(conv["role"], "buyer");
    assert_eq!(conv["messages"][0]["body"], "Bonjour");
    assert_eq!(conv["messages"][0]["from_me"], true);

    // Erasure: the seller still reads the conversation, with a deleted member who cannot be
    // written to; the blocks are gone.
    let body = json!({"password": PASSWORD});
    call_ok(
        &app,
        Method::DELETE,
        "/api/v1/users/me",
        &access,
        Some(&body),
        204,
    )
    .await;
    assert_eq!(
        count(
            &app,
            &format!("user_blocks WHERE blocker_id = '{buyer}' OR blocked_id = '{buyer}'")
        ),
        0
    );
    let view = conversation(&app, &owner.token, id).await;
    assert_eq!(view["other_party"]["deleted"], true);
    assert_eq!(view["other_party"]["display_name"], "Deleted member");
    assert_eq!(view["can_reply"], false);
    assert_eq!(view["last_message"]["body"], "Bonjour");
    let res = post_message(&app, &owner.token, id, &text("Allô ?")).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    assert_eq!(count(&app, "messages"), 1);
}

#[tokio::test]
async fn a_conversation_outlives_the_purge_of_its_listing() {
    // Arrange
    let c = cast().await;
    let id = start(&c, "Bonjour").await;

    // Act: the listing is purged (as the maintenance job does 30 days after its deletion).
    execute(
        &c.app,
        &format!("DELETE FROM listings WHERE id = '{}'", c.listing),
    );

    // Assert: both parties still read it, under the title it had; they can still write.
    for who in [&c.buyer, &c.seller] {
        let view = conversation(&c.app, &who.token, id).await;
        assert!(view.get("listing_id").is_none(), "{view}");
        assert!(view.get("listing").is_none(), "{view}");
        assert!(
            view["listing_title"]
                .as_str()
                .is_some_and(|t| t.contains("DR400")),
            "{view}"
        );
    }
    send_message(&c.app, &c.seller.token, id, "Vendu, désolé.").await;
    assert_eq!(messages_count(&c.app), 2);
}
