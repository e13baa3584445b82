//! Favourites: saving and removing (idempotent), the seller's count (never who), listings you
//! may not see (404, nothing written), the list with each listing's status and price change.

use hangar_tests::accounts::{count, create_pat, expect_status, pat_secret, query_one};
use hangar_tests::alerts::{FAVORITES, call_ok, favorite, favorite_path, set_price};
use hangar_tests::listings::{
    PRICE, draft, force_status, member, published, read, request, seller, step,
};
use hangar_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

fn favourite_count(app: &TestApp, listing: Uuid) -> i64 {
    count(app, &format!("favorites WHERE listing_id = '{listing}'"))
}

fn counted(app: &TestApp, listing: Uuid) -> String {
    query_one(
        app,
        &format!("SELECT favourite_count::text AS value FROM listings WHERE id = '{listing}'"),
    )
    .unwrap_or_default()
}

#[tokio::test]
async fn saving_a_favourite_is_idempotent_and_the_seller_sees_a_count_not_who() {
    // Arrange
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let other = member(&app, "autre@example.fr", "user", false);
    let listing = published(&app, &owner.token).await;

    // Act: the buyer saves it twice, another member once.
    let first = favorite(&app, &buyer.token, listing).await;
    let again = call_ok(
        &app,
        Method::PUT,
        &favorite_path(listing),
        &buyer.token,
        None,
        200,
    )
    .await;
    favorite(&app, &other.token, listing).await;

    // Assert: one row per member, the count follows, the body says what was saved.
    assert_eq!(first["listing_id"], listing.to_string(), "{first}");
    assert_eq!(first["status"], "published");
    assert_eq!(first["available"], true);
    assert_eq!(first["saved_price"]["amount"], PRICE);
    assert_eq!(first["saved_price"]["currency"], "EUR");
    assert_eq!(first["price_change"], 0);
    assert_eq!(first["listing"]["price"]["amount"], PRICE);
    assert_eq!(again["saved_at"], first["saved_at"], "saved once: {again}");
    assert_eq!(favourite_count(&app, listing), 2);
    assert_eq!(counted(&app, listing), "2");
    let (status, view, _) = read(&app, listing, Some(&owner.token)).await;
    assert_eq!(status, 200);
    assert_eq!(view["favourite_count"], 2);
    let text = view.to_string();
    for who in [buyer.id, other.id] {
        assert!(
            !text.contains(&who.to_string()),
            "the seller must not see who: {text}"
        );
    }
    assert!(!text.contains("acheteur@example.fr"));

    // Reading it back: the buyer has it, the seller has not saved it.
    let mine = call_ok(
        &app,
        Method::GET,
        &favorite_path(listing),
        &buyer.token,
        None,
        200,
    )
    .await;
    assert_eq!(mine["listing_id"], listing.to_string());
    let res = request(
        &app,
        Method::GET,
        &favorite_path(listing),
        Some(&owner.token),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;

    // Removing is idempotent too.
    for _ in 0..2 {
        call_ok(
            &app,
            Method::DELETE,
            &favorite_path(listing),
            &buyer.token,
            None,
            204,
        )
        .await;
    }
    assert_eq!(favourite_count(&app, listing), 1);
    assert_eq!(counted(&app, listing), "1");

    // A withdrawn listing can still be removed from one's favourites, once.
    let res = step(&app, listing, "withdraw", &owner.token).await;
    expect_status(res, 200, "withdraw").await;
    call_ok(
        &app,
        Method::DELETE,
        &favorite_path(listing),
        &other.token,
        None,
        204,
    )
    .await;
    assert_eq!(counted(&app, listing), "0");
    let res = request(
        &app,
        Method::DELETE,
        &favorite_path(listing),
        Some(&other.token),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;
}

#[tokio::test]
async fn listings_you_may_not_see_cannot_be_favourited() {
    // Arrange: a draft and a withdrawn listing of another seller, a deleted one, an unknown id,
    // and a listing of a suspended seller.
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let moderator = member(&app, "moderateur@example.fr", "moderator", true);
    let their_draft = draft(&app, &owner.token).await;
    let withdrawn = published(&app, &owner.token).await;
    force_status(&app, withdrawn, "withdrawn");
    let deleted = published(&app, &owner.token).await;
    let res = request(
        &app,
        Method::DELETE,
        &format!("/api/v1/listings/{deleted}"),
        Some(&owner.token),
        Some("*"),
        None,
    )
    .await;
    expect_status(res, 204, "delete").await;
    let suspended = seller(&app, "suspendu@example.fr");
    let of_suspended = published(&app, &suspended.token).await;
    hangar_tests::accounts::execute(
        &app,
        &format!(
            "UPDATE users SET status = 'suspended' WHERE id = '{}'",
            suspended.id
        ),
    );
    let cases: [(Uuid, &str, &str); 5] = [
        (their_draft, &buyer.token, "another member's draft"),
        (
            their_draft,
            &moderator.token,
            "a draft, even for a moderator",
        ),
        (withdrawn, &buyer.token, "a withdrawn listing"),
        (deleted, &buyer.token, "a deleted listing"),
        (
            of_suspended,
            &buyer.token,
            "a listing of a suspended seller",
        ),
    ];
    let cases = cases
        .into_iter()
        .chain([(Uuid::now_v7(), buyer.token.as_str(), "an unknown id")]);

    for (listing, token, why) in cases {
        for method in [Method::PUT, Method::DELETE] {
            let res = request(
                &app,
                method.clone(),
                &favorite_path(listing),
                Some(token),
                None,
                None,
            )
            .await;
            let problem = TestApp::expect_problem(res, 404, "not-found").await;
            assert_eq!(problem["detail"], "No such listing.", "{method} {why}");
        }
    }
    assert_eq!(count(&app, "favorites"), 0, "nothing written");
    assert_eq!(count(&app, "listings WHERE favourite_count <> 0"), 0);

    // One's own draft is fine.
    let mine = draft(&app, &buyer.token).await;
    let saved = favorite(&app, &buyer.token, mine).await;
    assert_eq!(saved["status"], "draft");

    // Not a UUID, no credentials, a token without the `account` scope.
    let res = request(
        &app,
        Method::PUT,
        "/api/v1/listings/not-a-uuid/favorite",
        Some(&buyer.token),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 400, "bad-request").await;
    let res = request(
        &app,
        Method::PUT,
        &favorite_path(withdrawn),
        None,
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let pat = pat_secret(&create_pat(&app, &buyer.token, &["listings:read"]).await);
    let visible = published(&app, &owner.token).await;
    for (method, path) in [
        (Method::PUT, favorite_path(visible)),
        (Method::GET, favorite_path(visible)),
        (Method::DELETE, favorite_path(visible)),
        (Method::GET, FAVORITES.to_owned()),
    ] {
        let res = request(&app, method.clone(), &path, Some(&pat), None, None).await;
        TestApp::expect_problem(res, 403, "forbidden").await;
    }
    assert_eq!(
        count(&app, &format!("favorites WHERE listing_id = '{visible}'")),
        0
    );
}

#[tokio::test]
async fn the_favourites_list_shows_each_listing_now_and_its_price_change() {
    // Arrange: three listings saved in turn; the first gets cheaper, the second is withdrawn.
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let a = published(&app, &owner.token).await;
    let b = published(&app, &owner.token).await;
    let c = published(&app, &owner.token).await;
    for id in [a, b, c] {
        favorite(&app, &buyer.token, id).await;
    }
    set_price(&app, &owner.token, a, PRICE - 300_000).await;
    let res = step(&app, b, "withdraw", &owner.token).await;
    expect_status(res, 200, "withdraw").await;

    // Act: two pages of two.
    let first = call_ok(
        &app,
        Method::GET,
        &format!("{FAVORITES}?limit=2"),
        &buyer.token,
        None,
        200,
    )
    .await;
    let cursor = first["next_cursor"]
        .as_str()
        .unwrap_or_else(|| panic!("a next page: {first}"))
        .to_owned();
    let second = call_ok(
        &app,
        Method::GET,
        &format!("{FAVORITES}?limit=2&cursor={cursor}"),
        &buyer.token,
        None,
        200,
    )
    .await;

    // Assert: most recently saved first; the withdrawn one by status only; the change since.
    let items: Vec<&Value> = first["items"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(second["items"].as_array().into_iter().flatten())
        .collect();
    let ids: Vec<&str> = items
        .iter()
        .filter_map(|i| i["listing_id"].as_str())
        .collect();
    assert_eq!(ids, vec![c.to_string(), b.to_string(), a.to_string()]);
    assert!(second.get("next_cursor").is_none(), "{second}");
    let (fc, fb, fa) = (items[0], items[1], items[2]);
    assert_eq!(fc["price_change"], 0);
    assert_eq!(fb["status"], "withdrawn");
    assert_eq!(fb["available"], false);
    assert!(
        fb.get("listing").is_none() && fb.get("price_change").is_none(),
        "{fb}"
    );
    assert_eq!(
        fb["saved_price"]["amount"], PRICE,
        "the price when saved stays: {fb}"
    );
    assert_eq!(fa["status"], "published");
    assert_eq!(fa["saved_price"]["amount"], PRICE);
    assert_eq!(fa["listing"]["price"]["amount"], PRICE - 300_000);
    assert_eq!(fa["price_change"], -300_000);

    // Another member's list is their own.
    let other = member(&app, "autre@example.fr", "user", true);
    let theirs = call_ok(&app, Method::GET, FAVORITES, &other.token, None, 200).await;
    assert_eq!(theirs["items"], Value::Array(vec![]), "{theirs}");

    // Bad parameters: one message each, naming the parameter.
    let cases = [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
        ("colour=red", "colour"),
    ];
    for (params, field) in cases {
        let res = request(
            &app,
            Method::GET,
            &format!("{FAVORITES}?{params}"),
            Some(&buyer.token),
            None,
            None,
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(problem["errors"][field].is_array(), "{params}: {problem}");
    }
}

#[tokio::test]
async fn a_member_keeps_at_most_a_thousand_favourites() {
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let listing = published(&app, &owner.token).await;
    let one_more = published(&app, &owner.token).await;
    favorite(&app, &buyer.token, listing).await;
    // 999 more, straight into the table (their listings are copies of the first).
    hangar_tests::accounts::execute(
        &app,
        &format!(
            "WITH copies AS (INSERT INTO listings (id, seller_id, category_id, status, title, description, \
             price_amount, currency, price_kind, condition, airfield_icao, published_at, expires_at) \
             SELECT gen_random_uuid(), seller_id, category_id, status, title, description, price_amount, \
             currency, price_kind, condition, airfield_icao, published_at, expires_at \
             FROM listings, generate_series(1, 999) WHERE id = '{listing}' RETURNING id) \
             INSERT INTO favorites (user_id, listing_id, saved_amount, saved_currency, alert_amount, alert_currency) \
             SELECT '{}', id, 1, 'EUR', 1, 'EUR' FROM copies",
            buyer.id
        ),
    );

    let res = request(
        &app,
        Method::PUT,
        &favorite_path(one_more),
        Some(&buyer.token),
        None,
        None,
    )
    .await;

    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(
        count(&app, &format!("favorites WHERE user_id = '{}'", buyer.id)),
        1000
    );
    // Saving one already saved still answers.
    call_ok(
        &app,
        Method::PUT,
        &favorite_path(listing),
        &buyer.token,
        None,
        200,
    )
    .await;
}
