//! `/api/v1/listings`: creating (drafts, publication, validation, idempotency, access-token
//! scopes), reading (visibility, view counts), editing and deleting under `If-Match`, the
//! lifecycle steps and their audit trail, and the sellers' lists.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use chrono::{Datelike, Utc};
use hangar_tests::accounts::{count, create_pat, expect_status, pat_secret, register_and_login};
use hangar_tests::listings::{
    LISTINGS, MY_LISTINGS, Member, PISTON_ENGINES, PRICE, SEP, airfield_coordinates,
    assert_about_days_from_now, create, create_ok, dr400, dr400_attributes, draft, events,
    force_status, header, id_of, listing_count, listing_path, listing_row, member, parts,
    professional, published, read, request, seller, step, step_path, time_of, with, without,
};
use hangar_tests::{TestApp, spawn_app};
use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------
// Helpers

/// `PATCH /api/v1/listings/{id}`.
async fn patch(
    app: &TestApp,
    id: Uuid,
    token: &str,
    if_match: Option<&str>,
    body: &Value,
) -> Response {
    request(
        app,
        Method::PATCH,
        &listing_path(id),
        Some(token),
        if_match,
        Some(body),
    )
    .await
}

/// `DELETE /api/v1/listings/{id}`.
async fn delete(app: &TestApp, id: Uuid, token: &str, if_match: Option<&str>) -> Response {
    request(
        app,
        Method::DELETE,
        &listing_path(id),
        Some(token),
        if_match,
        None,
    )
    .await
}

/// `GET path` with a token, asserting 200; returns the body.
async fn get_ok(app: &TestApp, path: &str, token: Option<&str>) -> Value {
    let res = request(app, Method::GET, path, token, None, None).await;
    expect_status(res, 200, &format!("GET {path}")).await
}

/// Asserts a 422 naming `field` (or, for a field ending in `.`, some field under it).
fn assert_names_field(problem: &Value, field: &str, why: &str) {
    let errors = problem["errors"]
        .as_object()
        .unwrap_or_else(|| panic!("{why}: no errors in {problem}"));
    let named = match field.strip_suffix('.') {
        Some(prefix) => errors
            .keys()
            .any(|k| k.starts_with(&format!("{prefix}.")) || k == prefix),
        None => errors
            .get(field)
            .and_then(Value::as_array)
            .is_some_and(|m| !m.is_empty()),
    };
    assert!(named, "{why}: errors.{field} expected in {problem}");
}

/// The ids of a page of listings.
fn ids_of(page: &Value) -> Vec<Uuid> {
    page["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {page}"))
        .iter()
        .map(id_of)
        .collect()
}

// ---------------------------------------------------------------------------------------
// 1. Creating

#[tokio::test]
async fn a_new_listing_is_a_draft_with_its_searchable_columns_and_a_created_event() {
    // Arrange: a freshly registered (unverified) member, logged in for real.
    let app = spawn_app().await;
    let (seller_id, access, _) = register_and_login(&app, "jean.dupont@example.fr").await;

    // Act
    let res = request(
        &app,
        Method::POST,
        LISTINGS,
        Some(&access),
        None,
        Some(&dr400()),
    )
    .await;

    // Assert: the answer.
    assert_eq!(res.status().as_u16(), 201);
    let location = header(&res, "location");
    let (_, body, etag) = parts(res).await;
    let id = id_of(&body);
    assert_eq!(location, Some(format!("/api/v1/listings/{id}")));
    assert_eq!(etag.as_deref(), Some("\"1\""));
    assert_eq!(body["status"], "draft", "{body}");
    assert_eq!(body["version"], 1, "{body}");
    assert_eq!(body["category"], SEP, "{body}");
    assert_eq!(body["price"]["amount"], PRICE, "{body}");
    assert_eq!(body["price"]["currency"], "EUR", "{body}");
    assert_eq!(body["hours_to_tbo"], 1150.0, "{body}");
    assert_eq!(body["attributes"]["registration"], "F-GABC", "{body}");
    assert_eq!(body["seller"]["id"], seller_id.to_string(), "{body}");
    assert_eq!(body["view_count"], 0, "{body}");
    assert_eq!(body["published_at"], Value::Null, "{body}");
    assert_eq!(body["expires_at"], Value::Null, "{body}");
    assert_eq!(body["price_dropped"], false, "{body}");
    assert_eq!(
        body["price_history"].as_array().map(Vec::len),
        Some(1),
        "{body}"
    );
    let (lat, lon) = airfield_coordinates(&app, "LFPN");
    assert_eq!(body["location"]["lat"], lat, "{body}");
    assert_eq!(body["location"]["lon"], lon, "{body}");

    // Assert: the row, with the searchable columns taken from the attributes.
    let row = listing_row(&app, id);
    assert_eq!(row.seller_id, seller_id);
    assert_eq!(row.status, "draft");
    assert_eq!(row.category, SEP);
    assert_eq!(row.version, 1);
    assert_eq!(row.price_amount, Some(PRICE));
    assert_eq!(row.currency, "EUR");
    assert_eq!(row.price_kind, "negotiable");
    assert_eq!(row.make.as_deref(), Some("Robin"));
    assert_eq!(row.model.as_deref(), Some("DR400"));
    assert_eq!(row.year, Some(1978));
    assert_eq!(row.registration.as_deref(), Some("F-GABC"));
    assert_eq!(row.ttaf_hours, Some(6540.5));
    assert_eq!(row.engine_hours, Some(5200.0));
    assert_eq!(row.smoh_hours, Some(850.0));
    assert_eq!(row.tbo_hours, Some(2000.0));
    assert_eq!(row.hours_to_tbo, Some(1150.0), "TBO 2000 h - SMOH 850 h");
    assert_eq!(row.seats, Some(4));
    assert_eq!(row.fuel.as_deref(), Some("100LL"));
    assert_eq!(row.attributes["make"], "Robin");
    // The coordinates and the country come from the airfield.
    assert_eq!(row.airfield_icao.as_deref(), Some("LFPN"));
    assert_eq!(row.country.as_deref(), Some("FR"));
    assert_eq!((row.lat, row.lon), (Some(lat), Some(lon)));
    assert_eq!(row.published_at, None);
    assert_eq!(row.expires_at, None);
    assert_eq!(row.view_count, 0);

    // Assert: one `created` event, by the seller.
    let events = events(&app, id);
    assert_eq!(events.len(), 1, "{events:?}");
    let created = &events[0];
    assert_eq!(created.kind, "created");
    assert_eq!(created.actor_id, Some(seller_id));
    assert_eq!(created.from_status, None);
    assert_eq!(created.to_status.as_deref(), Some("draft"));
    assert_eq!(created.price_amount, Some(PRICE));
    assert_eq!(created.currency.as_deref(), Some("EUR"));
}

#[tokio::test]
async fn a_verified_seller_can_publish_at_creation_for_sixty_days() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");

    // Act
    let (status, body, etag) =
        create(&app, &seller.token, &with(dr400(), "/publish", json!(true))).await;

    // Assert
    assert_eq!(status, 201, "{body}");
    assert_eq!(etag.as_deref(), Some("\"1\""));
    assert_eq!(body["status"], "published", "{body}");
    assert_about_days_from_now(time_of(&body, "published_at"), 0, "published_at");
    assert_about_days_from_now(time_of(&body, "expires_at"), 60, "expires_at");
    let id = id_of(&body);
    let row = listing_row(&app, id);
    assert_eq!(row.status, "published");
    let expires = row
        .expires_at
        .unwrap_or_else(|| panic!("no expires_at in {row:?}"));
    assert_about_days_from_now(expires, 60, "row expires_at");
    let published_at = row
        .published_at
        .unwrap_or_else(|| panic!("no published_at in {row:?}"));
    assert_about_days_from_now(published_at, 0, "row published_at");
    let events = events(&app, id);
    assert_eq!(events.len(), 1, "{events:?}");
    assert_eq!(events[0].kind, "created");
    assert_eq!(events[0].to_status.as_deref(), Some("published"));
    // Public at once.
    let (status, _, _) = read(&app, id, None).await;
    assert_eq!(status, 200, "a published listing is public");
}

#[tokio::test]
async fn an_unverified_seller_cannot_publish_at_creation() {
    // Arrange
    let app = spawn_app().await;
    let unverified = member(&app, "pas.encore@example.fr", "user", false);

    // Act
    let res = request(
        &app,
        Method::POST,
        LISTINGS,
        Some(&unverified.token),
        None,
        Some(&with(dr400(), "/publish", json!(true))),
    )
    .await;

    // Assert
    TestApp::expect_problem(res, 403, "forbidden").await;
    assert_eq!(listing_count(&app), 0, "no listing was written");
    assert_eq!(count(&app, "listing_events"), 0, "no event was written");
}

#[tokio::test]
async fn creating_needs_a_login() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let res = request(&app, Method::POST, LISTINGS, None, None, Some(&dr400())).await;

    // Assert
    TestApp::expect_problem(res, 401, "unauthorized").await;
    assert_eq!(listing_count(&app), 0);
}

#[tokio::test]
async fn invalid_listings_are_refused_naming_the_field_and_nothing_is_written() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let year_after_next = Utc::now().year() + 2;
    let engine = json!({
        "make": "Lycoming", "model": "O-320-E2A", "hours_since_new": 5200.0,
        "smoh": 850.0, "tbo_hours": 2000.0
    });
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            with(dr400(), "/attributes/ttaf_hours", json!(-1.0)),
            "attributes.ttaf_hours",
            "negative airframe hours",
        ),
        (
            with(dr400(), "/attributes/engine_smoh", json!(-0.5)),
            "attributes.engine_smoh",
            "negative engine hours",
        ),
        (
            with(dr400(), "/attributes/year", json!(1850)),
            "attributes.year",
            "built in 1850, before the first flight",
        ),
        (
            with(dr400(), "/attributes/year", json!(year_after_next)),
            "attributes.year",
            "built the year after next",
        ),
        (
            with(dr400(), "/attributes/engine_smoh", json!(6000.0)),
            "attributes.engine_smoh",
            "SMOH greater than the hours since new",
        ),
        (
            with(dr400(), "/attributes/registration", json!("F-123")),
            "attributes.registration",
            "French registration with digits",
        ),
        (
            with(dr400(), "/price/amount", json!(-1)),
            "price.amount",
            "price below zero",
        ),
        (
            with(dr400(), "/price/amount", json!(10_000_000_001_i64)),
            "price.amount",
            "price above 100,000,000 EUR",
        ),
        (
            with(dr400(), "/attributes/colour", json!("blue")),
            "attributes.colour",
            "unknown attribute key",
        ),
        (
            with(dr400(), "/attributes", engine.clone()),
            "attributes.",
            "engine attributes under an aircraft category",
        ),
        (
            with(dr400(), "/category", json!(PISTON_ENGINES)),
            "attributes.",
            "aircraft attributes under an engine category",
        ),
        (
            with(dr400(), "/category", json!("space-shuttles")),
            "category",
            "unknown category",
        ),
        (
            with(dr400(), "/location/airfield_icao", json!("ZZZZ")),
            "location.airfield_icao",
            "unknown airfield",
        ),
        (
            with(dr400(), "/title", json!("DR4")),
            "title",
            "title too short",
        ),
        (
            with(dr400(), "/title", json!("     DR4      ")),
            "title",
            "title too short once trimmed",
        ),
        (
            with(dr400(), "/description", json!("Bel avion.")),
            "description",
            "description too short",
        ),
        (
            with(dr400(), "/status", json!("published")),
            "status",
            "mass assignment: status",
        ),
        (
            with(dr400(), "/seller_id", json!(Uuid::now_v7())),
            "seller_id",
            "mass assignment: seller",
        ),
        (
            with(dr400(), "/view_count", json!(100_000)),
            "view_count",
            "mass assignment: view count",
        ),
        (
            with(dr400(), "/price/kind", json!("on_request")),
            "price.amount",
            "an amount with a price on request",
        ),
        (
            without(
                with(dr400(), "/price/kind", json!("fixed")),
                "/price/amount",
            ),
            "price.amount",
            "a fixed price without an amount",
        ),
        (
            with(dr400(), "/price/vat_included", json!(true)),
            "price.vat_included",
            "VAT flag from a private seller",
        ),
        (
            without(dr400(), "/location/airfield_icao"),
            "location",
            "no location at all",
        ),
    ];

    for (body, field, why) in &cases {
        // Act
        let res = request(
            &app,
            Method::POST,
            LISTINGS,
            Some(&seller.token),
            None,
            Some(body),
        )
        .await;

        // Assert
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert_names_field(&problem, field, why);
        assert_eq!(listing_count(&app), 0, "{why}: no listing was written");
    }
    assert_eq!(count(&app, "listing_events"), 0, "no event was written");
    assert_eq!(count(&app, "idempotency_keys"), 0);
}

#[tokio::test]
async fn a_professional_seller_may_state_whether_vat_is_included() {
    // Arrange
    let app = spawn_app().await;
    let pro = professional(&app, "ventes@aero-services.fr");

    // Act
    let (status, body, _) = create(
        &app,
        &pro.token,
        &with(dr400(), "/price/vat_included", json!(true)),
    )
    .await;

    // Assert
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["price"]["vat_included"], true, "{body}");
    assert_eq!(body["seller"]["professional"], true, "{body}");
    assert_eq!(listing_row(&app, id_of(&body)).vat_included, Some(true));
}

// ---------------------------------------------------------------------------------------
// 2. Reading

#[tokio::test]
async fn a_draft_is_visible_only_to_its_seller_and_moderators() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let other = member(&app, "curieux@example.fr", "user", true);
    let moderator = member(&app, "moderation@example.fr", "moderator", true);
    let id = draft(&app, &seller.token).await;
    let missing = read(&app, Uuid::now_v7(), None).await.1;

    let cases: [(Option<&str>, u16, &str); 4] = [
        (None, 404, "anonymous"),
        (Some(&other.token), 404, "another member"),
        (Some(&seller.token), 200, "its seller"),
        (Some(&moderator.token), 200, "a moderator"),
    ];
    for (token, expected, why) in cases {
        // Act
        let res = request(&app, Method::GET, &listing_path(id), token, None, None).await;

        // Assert
        if expected == 404 {
            let problem = TestApp::expect_problem(res, 404, "not-found").await;
            assert_eq!(
                problem["detail"], missing["detail"],
                "{why}: a hidden draft looks like a listing that does not exist"
            );
        } else {
            let (status, body, etag) = parts(res).await;
            assert_eq!(status, 200, "{why}: {body}");
            assert_eq!(body["id"], id.to_string(), "{why}");
            assert_eq!(body["status"], "draft", "{why}");
            assert_eq!(etag.as_deref(), Some("\"1\""), "{why}");
        }
    }
}

#[tokio::test]
async fn a_published_listing_is_public() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = published(&app, &seller.token).await;

    // Act
    let res = request(&app, Method::GET, &listing_path(id), None, None, None).await;

    // Assert
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(header(&res, "cache-control").as_deref(), Some("no-store"));
    let (_, body, etag) = parts(res).await;
    assert_eq!(etag.as_deref(), Some("\"1\""));
    assert_eq!(body["status"], "published", "{body}");
    assert_eq!(body["title"], dr400()["title"], "{body}");
    assert_eq!(body["seller"]["id"], seller.id.to_string(), "{body}");
    assert_eq!(body["seller"]["phone"], Value::Null, "{body}");
}

#[tokio::test]
async fn reading_counts_views_except_the_sellers_own() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = published(&app, &seller.token).await;

    // Act: the seller looks three times, then two visitors once each. Counts are flushed
    // together, so the seller's views, had they counted, would be in by the time the
    // visitors' are.
    for _ in 0..3 {
        assert_eq!(read(&app, id, Some(&seller.token)).await.0, 200);
    }
    for _ in 0..2 {
        assert_eq!(read(&app, id, None).await.0, 200);
    }

    // Assert: within one flush period (10 s), the row says 2.
    let deadline = Instant::now() + Duration::from_secs(13);
    let mut views = listing_row(&app, id).view_count;
    while views < 2 && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(250)).await;
        views = listing_row(&app, id).view_count;
    }
    assert_eq!(
        views, 2,
        "two visitors; the seller's own views do not count"
    );
    let (_, body, _) = read(&app, id, Some(&seller.token)).await;
    assert_eq!(body["view_count"], 2, "{body}");
}

// ---------------------------------------------------------------------------------------
// 3. Editing

#[tokio::test]
async fn an_edit_without_if_match_is_refused() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = draft(&app, &seller.token).await;

    // Act
    let res = patch(
        &app,
        id,
        &seller.token,
        None,
        &json!({"title": "Robin DR400-140B, prix en baisse"}),
    )
    .await;

    // Assert
    TestApp::expect_problem(res, 428, "precondition-required").await;
    let row = listing_row(&app, id);
    assert_eq!(row.version, 1);
    assert_eq!(row.title, dr400()["title"]);
    assert_eq!(events(&app, id).len(), 1, "only the creation");
}

#[tokio::test]
async fn an_edit_with_a_stale_etag_is_refused_and_changes_nothing() {
    // Arrange: someone else's edit moved the listing to version 2.
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = draft(&app, &seller.token).await;
    let first = patch(
        &app,
        id,
        &seller.token,
        Some("\"1\""),
        &json!({"title": "Robin DR400-140B, première modification"}),
    )
    .await;
    expect_status(first, 200, "first edit").await;

    // Act: an edit based on version 1.
    let res = patch(
        &app,
        id,
        &seller.token,
        Some("\"1\""),
        &json!({"title": "Robin DR400-140B, édition périmée"}),
    )
    .await;

    // Assert
    TestApp::expect_problem(res, 412, "precondition-failed").await;
    let row = listing_row(&app, id);
    assert_eq!(row.version, 2);
    assert_eq!(row.title, "Robin DR400-140B, première modification");
    assert_eq!(
        events(&app, id).len(),
        2,
        "creation and the first edit only"
    );
}

#[tokio::test]
async fn an_edit_with_the_current_etag_bumps_the_version() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = draft(&app, &seller.token).await;
    let before = listing_row(&app, id);

    // Act
    let res = patch(
        &app,
        id,
        &seller.token,
        Some("\"1\""),
        &json!({"title": "Robin DR400-140B, visite annuelle faite"}),
    )
    .await;

    // Assert: the answer.
    assert_eq!(res.status().as_u16(), 200);
    let (_, body, etag) = parts(res).await;
    assert_eq!(etag.as_deref(), Some("\"2\""));
    assert_eq!(body["version"], 2, "{body}");
    assert_eq!(body["title"], "Robin DR400-140B, visite annuelle faite");
    assert_eq!(body["description"], dr400()["description"], "untouched");
    assert_eq!(body["price_dropped"], false, "{body}");
    // Assert: the row and the event.
    let row = listing_row(&app, id);
    assert_eq!(row.version, 2);
    assert_eq!(row.title, "Robin DR400-140B, visite annuelle faite");
    assert_eq!(row.price_amount, Some(PRICE));
    assert_eq!(row.hours_to_tbo, Some(1150.0), "the attributes are kept");
    assert!(row.updated_at > before.updated_at, "updated_at moved");
    let events = events(&app, id);
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(events[1].kind, "edit");
    assert_eq!(events[1].actor_id, Some(seller.id));
    // The new ETag is the one to send next.
    let res = patch(
        &app,
        id,
        &seller.token,
        Some("\"2\""),
        &json!({"condition": "overhauled"}),
    )
    .await;
    expect_status(res, 200, "edit with the new ETag").await;
}

#[tokio::test]
async fn moving_a_listing_to_another_airfield_takes_its_coordinates() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = draft(&app, &seller.token).await;

    // Act: from Toussus-le-Noble to Angers-Marcé, the code typed in lower case.
    let res = patch(
        &app,
        id,
        &seller.token,
        Some("\"1\""),
        &json!({"location": {"airfield_icao": "lfjr"}}),
    )
    .await;

    // Assert
    let body = expect_status(res, 200, "move").await;
    let (lat, lon) = airfield_coordinates(&app, "LFJR");
    assert_eq!(body["location"]["airfield_icao"], "LFJR", "{body}");
    assert_eq!(body["location"]["lat"], lat, "{body}");
    let row = listing_row(&app, id);
    assert_eq!(row.airfield_icao.as_deref(), Some("LFJR"));
    assert_eq!((row.lat, row.lon), (Some(lat), Some(lon)));
    assert_eq!(row.country.as_deref(), Some("FR"));
    assert_eq!(row.hours_to_tbo, Some(1150.0), "the rest is kept");
}

#[tokio::test]
async fn a_price_change_enters_the_history_and_a_drop_is_flagged() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = published(&app, &seller.token).await;
    let lower = json!({"price": {"amount": 6_000_000, "currency": "EUR", "kind": "negotiable"}});
    let higher = json!({"price": {"amount": 7_000_000, "currency": "EUR", "kind": "fixed"}});

    // Act: lower the price.
    let res = patch(&app, id, &seller.token, Some("\"1\""), &lower).await;

    // Assert
    let body = expect_status(res, 200, "lower the price").await;
    assert_eq!(body["price"]["amount"], 6_000_000, "{body}");
    assert_eq!(body["price_dropped"], true, "{body}");
    let history: Vec<&Value> = body["price_history"]
        .as_array()
        .map(|h| h.iter().map(|p| &p["amount"]).collect())
        .unwrap_or_default();
    assert_eq!(history, [&json!(PRICE), &json!(6_000_000)], "{body}");
    assert_eq!(listing_row(&app, id).price_amount, Some(6_000_000));
    let events = events(&app, id);
    let last = events
        .last()
        .unwrap_or_else(|| panic!("no events for {id}"));
    assert_eq!(last.kind, "price");
    assert_eq!(last.actor_id, Some(seller.id));
    assert_eq!(last.price_amount, Some(6_000_000));
    assert_eq!(last.currency.as_deref(), Some("EUR"));

    // Act: raise it above the first price.
    let res = patch(&app, id, &seller.token, Some("\"2\""), &higher).await;

    // Assert: no longer a drop; three prices in the history; the anonymous view agrees.
    let body = expect_status(res, 200, "raise the price").await;
    assert_eq!(body["price_dropped"], false, "{body}");
    assert_eq!(body["price_history"].as_array().map(Vec::len), Some(3));
    let (_, public, _) = read(&app, id, None).await;
    assert_eq!(public["price"]["amount"], 7_000_000, "{public}");
    assert_eq!(public["price_history"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn another_members_edit_is_not_found_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let other = member(&app, "voisin@example.fr", "user", true);
    let id = published(&app, &seller.token).await;

    for if_match in [Some("\"1\""), Some("*"), None] {
        // Act
        let res = patch(
            &app,
            id,
            &other.token,
            if_match,
            &json!({"price": {"amount": 100, "currency": "EUR", "kind": "fixed"}}),
        )
        .await;

        // Assert
        TestApp::expect_problem(res, 404, "not-found").await;
    }
    let row = listing_row(&app, id);
    assert_eq!(row.version, 1);
    assert_eq!(row.price_amount, Some(PRICE));
    assert_eq!(row.seller_id, seller.id);
    assert_eq!(events(&app, id).len(), 1);
}

#[tokio::test]
async fn a_moderator_can_edit_any_listing() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let moderator = member(&app, "moderation@example.fr", "moderator", true);
    let id = published(&app, &seller.token).await;

    // Act
    let res = patch(
        &app,
        id,
        &moderator.token,
        Some("\"1\""),
        &json!({"title": "Robin DR400-140B (annonce corrigée)"}),
    )
    .await;

    // Assert
    let body = expect_status(res, 200, "moderator edit").await;
    assert_eq!(body["version"], 2, "{body}");
    let row = listing_row(&app, id);
    assert_eq!(row.title, "Robin DR400-140B (annonce corrigée)");
    assert_eq!(row.seller_id, seller.id, "still the seller's");
    let events = events(&app, id);
    let last = events
        .last()
        .unwrap_or_else(|| panic!("no events for {id}"));
    assert_eq!(last.kind, "edit");
    assert_eq!(last.actor_id, Some(moderator.id));
    assert_eq!(last.details["by_moderator"], true, "{:?}", last.details);
}

#[tokio::test]
async fn invalid_edits_are_refused_and_change_nothing() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = published(&app, &seller.token).await;
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"status": "sold"}),
            "status",
            "status is set by the steps",
        ),
        (json!({"seller_id": Uuid::now_v7()}), "seller_id", "seller"),
        (json!({"view_count": 9999}), "view_count", "view count"),
        (json!({"version": 7}), "version", "version"),
        (
            json!({"publish": true}),
            "publish",
            "publish is for creation",
        ),
        (json!({"title": "DR4"}), "title", "title too short"),
        (
            json!({"attributes": with(dr400_attributes(), "/year", json!(1850))}),
            "attributes.year",
            "attributes are validated again",
        ),
        (
            json!({"price": {"amount": 5, "currency": "EUR", "kind": "on_request"}}),
            "price.amount",
            "an amount with a price on request",
        ),
        (
            json!({"location": {"airfield_icao": "ZZZZ"}}),
            "location.airfield_icao",
            "unknown airfield",
        ),
    ];

    for (body, field, why) in &cases {
        // Act
        let res = patch(&app, id, &seller.token, Some("\"1\""), body).await;

        // Assert
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert_names_field(&problem, field, why);
    }
    let row = listing_row(&app, id);
    assert_eq!(row.status, "published");
    assert_eq!(row.version, 1);
    assert_eq!(row.view_count, 0);
    assert_eq!(row.seller_id, seller.id);
    assert_eq!(row.year, Some(1978));
    assert_eq!(events(&app, id).len(), 1);
}

// ---------------------------------------------------------------------------------------
// 4. Deleting

#[tokio::test]
async fn a_delete_needs_the_sellers_current_etag() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let other = member(&app, "voisin@example.fr", "user", true);
    let id = published(&app, &seller.token).await;

    // Act / Assert: no If-Match.
    let res = delete(&app, id, &seller.token, None).await;
    TestApp::expect_problem(res, 428, "precondition-required").await;
    // Another member, with the right ETag.
    let res = delete(&app, id, &other.token, Some("\"1\"")).await;
    TestApp::expect_problem(res, 404, "not-found").await;
    // A stale ETag.
    let res = delete(&app, id, &seller.token, Some("\"7\"")).await;
    TestApp::expect_problem(res, 412, "precondition-failed").await;

    // Assert: untouched.
    let row = listing_row(&app, id);
    assert_eq!(row.status, "published");
    assert_eq!(row.version, 1);
    assert_eq!(row.deleted_at, None);
    assert_eq!(events(&app, id).len(), 1);
    assert_eq!(read(&app, id, None).await.0, 200);
}

#[tokio::test]
async fn the_seller_deletes_a_listing_and_it_is_gone() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = published(&app, &seller.token).await;

    // Act
    let res = delete(&app, id, &seller.token, Some("\"1\"")).await;

    // Assert: the answer.
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(res.text().await.unwrap_or_default(), "");
    // The row is marked, kept for the purge.
    let row = listing_row(&app, id);
    assert_eq!(row.status, "deleted");
    assert_eq!(row.version, 2);
    let deleted_at = row
        .deleted_at
        .unwrap_or_else(|| panic!("no deleted_at in {row:?}"));
    assert_about_days_from_now(deleted_at, 0, "deleted_at");
    let events = events(&app, id);
    let last = events
        .last()
        .unwrap_or_else(|| panic!("no events for {id}"));
    assert_eq!(last.kind, "status");
    assert_eq!(last.actor_id, Some(seller.id));
    assert_eq!(last.from_status.as_deref(), Some("published"));
    assert_eq!(last.to_status.as_deref(), Some("deleted"));
    // Gone for everyone, its seller included.
    assert_eq!(read(&app, id, None).await.0, 404);
    assert_eq!(read(&app, id, Some(&seller.token)).await.0, 404);
    let res = patch(
        &app,
        id,
        &seller.token,
        Some("*"),
        &json!({"title": "Revenu"}),
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;
    let res = step(&app, id, "publish", &seller.token).await;
    TestApp::expect_problem(res, 404, "not-found").await;
    let mine = get_ok(&app, MY_LISTINGS, Some(&seller.token)).await;
    assert!(ids_of(&mine).is_empty(), "{mine}");
}

// ---------------------------------------------------------------------------------------
// 5. Lifecycle

/// The statuses a listing can be in (besides deleted).
const STATUSES: [&str; 6] = [
    "draft",
    "published",
    "reserved",
    "sold",
    "expired",
    "withdrawn",
];

/// Each step (its path segment, its name in the events), the statuses it applies to, and
/// where it leads; from any other status it is a conflict.
const STEPS: [(&str, &str, &[&str], &str); 6] = [
    ("publish", "publish", &["draft", "withdrawn"], "published"),
    ("reserve", "reserve", &["published"], "reserved"),
    ("release", "release", &["reserved"], "published"),
    ("sold", "sell", &["published", "reserved"], "sold"),
    (
        "withdraw",
        "withdraw",
        &["draft", "published", "reserved", "expired"],
        "withdrawn",
    ),
    ("renew", "renew", &["published", "expired"], "published"),
];

#[tokio::test]
async fn each_step_applies_only_from_its_statuses() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");

    for (segment, name, from, to) in STEPS {
        for status in STATUSES {
            let why = format!("{segment} from {status}");
            let id = draft(&app, &seller.token).await;
            if status != "draft" {
                force_status(&app, id, status);
            }

            // Act
            let res = step(&app, id, segment, &seller.token).await;

            // Assert
            let row = listing_row(&app, id);
            let events = events(&app, id);
            if from.contains(&status) {
                let (code, body, etag) = parts(res).await;
                assert_eq!(code, 200, "{why}: {body}");
                assert_eq!(body["status"], to, "{why}: {body}");
                assert_eq!(etag.as_deref(), Some("\"2\""), "{why}");
                assert_eq!(row.status, to, "{why}");
                assert_eq!(row.version, 2, "{why}");
                assert_eq!(events.len(), 2, "{why}: {events:?}");
                let event = &events[1];
                assert_eq!(event.kind, "status", "{why}");
                assert_eq!(event.actor_id, Some(seller.id), "{why}");
                assert_eq!(event.from_status.as_deref(), Some(status), "{why}");
                assert_eq!(event.to_status.as_deref(), Some(to), "{why}");
                assert_eq!(event.details["step"], name, "{why}");
                match segment {
                    "publish" | "renew" => {
                        let expires = row
                            .expires_at
                            .unwrap_or_else(|| panic!("{why}: no expires_at"));
                        assert_about_days_from_now(expires, 60, &why);
                    }
                    "sold" => {
                        let sold = row.sold_at.unwrap_or_else(|| panic!("{why}: no sold_at"));
                        assert_about_days_from_now(sold, 0, &why);
                    }
                    _ => {}
                }
                if segment == "publish" {
                    let at = row
                        .published_at
                        .unwrap_or_else(|| panic!("{why}: no published_at"));
                    assert_about_days_from_now(at, 0, &why);
                }
            } else {
                TestApp::expect_problem(res, 409, "conflict").await;
                assert_eq!(row.status, status, "{why}: unchanged");
                assert_eq!(row.version, 1, "{why}: unchanged");
                assert_eq!(events.len(), 1, "{why}: nothing recorded");
            }
        }
    }
}

#[tokio::test]
async fn a_sale_is_recorded_step_by_step_and_stays_public() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = draft(&app, &seller.token).await;

    // Act: publish, reserve, the sale falls through, reserve again, sold; each step with the
    // ETag of the previous answer.
    let mut etag = "\"1\"".to_owned();
    for segment in ["publish", "reserve", "release", "reserve", "sold"] {
        let res = request(
            &app,
            Method::POST,
            &step_path(id, segment),
            Some(&seller.token),
            Some(&etag),
            None,
        )
        .await;
        let (status, body, next) = parts(res).await;
        assert_eq!(status, 200, "{segment}: {body}");
        etag = next.unwrap_or_else(|| panic!("{segment}: no ETag"));
    }

    // Assert: the trail.
    let trail: Vec<(Option<String>, Option<String>, Option<Uuid>)> = events(&app, id)
        .into_iter()
        .map(|e| (e.from_status, e.to_status, e.actor_id))
        .collect();
    let s = |v: &str| Some(v.to_owned());
    let by = Some(seller.id);
    assert_eq!(
        trail,
        [
            (None, s("draft"), by),
            (s("draft"), s("published"), by),
            (s("published"), s("reserved"), by),
            (s("reserved"), s("published"), by),
            (s("published"), s("reserved"), by),
            (s("reserved"), s("sold"), by),
        ]
    );
    assert_eq!(etag, "\"6\"");
    // Assert: still public, marked sold.
    let (status, body, _) = read(&app, id, None).await;
    assert_eq!(status, 200, "a sold listing stays visible: {body}");
    assert_eq!(body["status"], "sold", "{body}");
    assert_about_days_from_now(time_of(&body, "sold_at"), 0, "sold_at");
}

#[tokio::test]
async fn a_listing_sold_more_than_30_days_ago_is_no_longer_public() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let recent = published(&app, &seller.token).await;
    let old = published(&app, &seller.token).await;
    for id in [recent, old] {
        expect_status(step(&app, id, "sold", &seller.token).await, 200, "sold").await;
    }
    hangar_tests::accounts::execute(
        &app,
        &format!("UPDATE listings SET sold_at = now() - interval '31 days' WHERE id = '{old}'"),
    );

    // Act / Assert
    assert_eq!(read(&app, recent, None).await.0, 200, "sold 0 days ago");
    assert_eq!(read(&app, old, None).await.0, 404, "sold 31 days ago");
    assert_eq!(
        read(&app, old, Some(&seller.token)).await.0,
        200,
        "its seller"
    );
}

#[tokio::test]
async fn steps_are_for_the_seller_alone_with_a_current_etag() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let other = member(&app, "voisin@example.fr", "user", true);
    let moderator = member(&app, "moderation@example.fr", "moderator", true);
    let id = published(&app, &seller.token).await;

    // Act / Assert: another member.
    let res = step(&app, id, "withdraw", &other.token).await;
    TestApp::expect_problem(res, 404, "not-found").await;
    // Act / Assert: the seller with a stale ETag.
    let res = request(
        &app,
        Method::POST,
        &step_path(id, "reserve"),
        Some(&seller.token),
        Some("\"9\""),
        None,
    )
    .await;
    TestApp::expect_problem(res, 412, "precondition-failed").await;
    assert_eq!(listing_row(&app, id).status, "published");
    assert_eq!(events(&app, id).len(), 1);

    // Act / Assert: a moderator neither (they hide listings through moderation, audited).
    let res = step(&app, id, "withdraw", &moderator.token).await;
    TestApp::expect_problem(res, 404, "not-found").await;
    assert_eq!(listing_row(&app, id).status, "published");
    assert_eq!(events(&app, id).len(), 1);

    // Act / Assert: the seller withdraws it.
    let res = step(&app, id, "withdraw", &seller.token).await;
    expect_status(res, 200, "seller withdraws").await;
    let events = events(&app, id);
    let last = events
        .last()
        .unwrap_or_else(|| panic!("no events for {id}"));
    assert_eq!(last.actor_id, Some(seller.id));
    assert_eq!(last.to_status.as_deref(), Some("withdrawn"));
    assert_eq!(read(&app, id, None).await.0, 404, "withdrawn is not public");
}

#[tokio::test]
async fn an_unverified_seller_cannot_publish_a_draft() {
    // Arrange
    let app = spawn_app().await;
    let unverified = member(&app, "pas.encore@example.fr", "user", false);
    let id = draft(&app, &unverified.token).await;

    // Act
    let res = step(&app, id, "publish", &unverified.token).await;

    // Assert
    TestApp::expect_problem(res, 403, "forbidden").await;
    let row = listing_row(&app, id);
    assert_eq!(row.status, "draft");
    assert_eq!(row.version, 1);
    assert_eq!(events(&app, id).len(), 1);
}

#[tokio::test]
async fn an_expired_listing_is_hidden_and_its_seller_can_renew_it() {
    // Arrange: a listing the expiry job has expired.
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let other = member(&app, "voisin@example.fr", "user", true);
    let id = published(&app, &seller.token).await;
    force_status(&app, id, "expired");
    assert_eq!(read(&app, id, None).await.0, 404, "anonymous");
    assert_eq!(
        read(&app, id, Some(&other.token)).await.0,
        404,
        "another member"
    );
    let (status, body, _) = read(&app, id, Some(&seller.token)).await;
    assert_eq!(status, 200, "its seller still sees it");
    assert_eq!(body["status"], "expired", "{body}");

    // Act
    let res = step(&app, id, "renew", &seller.token).await;

    // Assert
    let body = expect_status(res, 200, "renew").await;
    assert_eq!(body["status"], "published", "{body}");
    assert_about_days_from_now(time_of(&body, "expires_at"), 60, "expires_at");
    let (status, _, _) = read(&app, id, None).await;
    assert_eq!(status, 200, "public again");
    let events = events(&app, id);
    let last = events
        .last()
        .unwrap_or_else(|| panic!("no events for {id}"));
    assert_eq!(last.from_status.as_deref(), Some("expired"));
    assert_eq!(last.to_status.as_deref(), Some("published"));
    assert_eq!(last.actor_id, Some(seller.id));
}

// ---------------------------------------------------------------------------------------
// 6. Idempotency-Key

/// `POST /api/v1/listings` with an `Idempotency-Key`.
async fn create_with_key(
    app: &TestApp,
    token: &str,
    key: &str,
    body: &Value,
) -> (u16, Value, Option<String>) {
    let req = app
        .client
        .post(app.url(LISTINGS))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body);
    let res = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {LISTINGS}: {e}"));
    parts(res).await
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_listing() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let key = "8f14e45f-ceea-467f-a0b6-6c2a1d2f0001";
    let (status, first, first_etag) = create_with_key(&app, &seller.token, key, &dr400()).await;
    assert_eq!(status, 201, "{first}");

    // Act
    let (status, second, second_etag) = create_with_key(&app, &seller.token, key, &dr400()).await;

    // Assert
    assert_eq!(status, 201, "{second}");
    assert_eq!(id_of(&second), id_of(&first));
    assert_eq!(second_etag, first_etag);
    assert_eq!(listing_count(&app), 1, "one listing");
    assert_eq!(count(&app, "listing_events"), 1, "one creation");
    assert_eq!(count(&app, "idempotency_keys"), 1);
}

#[tokio::test]
async fn the_same_idempotency_key_with_another_body_is_refused() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let key = "8f14e45f-ceea-467f-a0b6-6c2a1d2f0002";
    let (status, first, _) = create_with_key(&app, &seller.token, key, &dr400()).await;
    assert_eq!(status, 201, "{first}");
    let other = with(dr400(), "/price/amount", json!(5_900_000));

    // Act
    let (status, problem, _) = create_with_key(&app, &seller.token, key, &other).await;

    // Assert
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        problem["type"], "urn:hangar:problem:validation",
        "{problem}"
    );
    assert_names_field(&problem, "Idempotency-Key", "key reused with another body");
    assert_eq!(listing_count(&app), 1);
    assert_eq!(listing_row(&app, id_of(&first)).price_amount, Some(PRICE));
}

#[tokio::test]
async fn without_an_idempotency_key_each_post_creates_a_listing() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");

    // Act
    let first = create_ok(&app, &seller.token, &dr400()).await;
    let second = create_ok(&app, &seller.token, &dr400()).await;

    // Assert
    assert_ne!(first, second);
    assert_eq!(listing_count(&app), 2);
    assert_eq!(count(&app, "idempotency_keys"), 0);
}

#[tokio::test]
async fn idempotency_keys_belong_to_their_member() {
    // Arrange: two sellers' scripts happen to use the same key.
    let app = spawn_app().await;
    let first = seller(&app, "vendeur@example.fr");
    let second = seller(&app, "autre.vendeur@example.fr");
    let key = "nightly-import-2026-12-01";
    let (status, mine, _) = create_with_key(&app, &first.token, key, &dr400()).await;
    assert_eq!(status, 201, "{mine}");

    // Act
    let (status, theirs, _) = create_with_key(&app, &second.token, key, &dr400()).await;

    // Assert: a listing of its own, never the other seller's answer.
    assert_eq!(status, 201, "{theirs}");
    assert_ne!(id_of(&theirs), id_of(&mine));
    assert_eq!(theirs["seller"]["id"], second.id.to_string(), "{theirs}");
    assert_eq!(listing_count(&app), 2);
}

#[tokio::test]
async fn concurrent_retries_with_one_idempotency_key_create_one_listing() {
    // Arrange: a client that timed out and retried while its first request was still in
    // flight, several times over.
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let key = "8f14e45f-ceea-467f-a0b6-6c2a1d2f0003";
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let req = app
            .client
            .post(app.url(LISTINGS))
            .bearer_auth(&seller.token)
            .header("idempotency-key", key)
            .json(&dr400());
        tasks.push(tokio::spawn(async move {
            let res = req
                .send()
                .await
                .unwrap_or_else(|e| panic!("POST {LISTINGS}: {e}"));
            parts(res).await
        }));
    }

    // Act
    let mut answers = Vec::new();
    for task in tasks {
        answers.push(task.await.unwrap_or_else(|e| panic!("request task: {e}")));
    }

    // Assert: one listing; each answer is that listing (201) or "in progress" (409).
    let rows = listing_count(&app);
    let ids: BTreeSet<Uuid> = answers
        .iter()
        .filter(|(status, _, _)| *status == 201)
        .map(|(_, body, _)| id_of(body))
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|(status, _, _)| *status).collect();
    assert_eq!(rows, 1, "one key, one listing (answers {statuses:?})");
    assert_eq!(ids.len(), 1, "every 201 names the same listing: {ids:?}");
    assert!(
        statuses.iter().all(|s| [201, 409].contains(s)),
        "{statuses:?}"
    );
}

#[tokio::test]
async fn an_idempotency_key_must_be_1_to_200_characters() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let long = "k".repeat(201);

    for (key, why) in [
        ("", "empty"),
        ("   ", "blank"),
        (long.as_str(), "201 characters"),
    ] {
        // Act
        let (status, problem, _) = create_with_key(&app, &seller.token, key, &dr400()).await;

        // Assert
        assert_eq!(status, 422, "{why}: {problem}");
        assert_names_field(&problem, "Idempotency-Key", why);
    }
    assert_eq!(listing_count(&app), 0);
}

// ---------------------------------------------------------------------------------------
// 7. Personal access tokens

#[tokio::test]
async fn a_token_with_listings_write_can_create() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let pat = pat_secret(&create_pat(&app, &seller.token, &["listings:write"]).await);

    // Act
    let (status, body, _) = create(&app, &pat, &dr400()).await;

    // Assert
    assert_eq!(status, 201, "{body}");
    let row = listing_row(&app, id_of(&body));
    assert_eq!(row.seller_id, seller.id);
    assert_eq!(row.status, "draft");
}

#[tokio::test]
async fn a_read_only_token_cannot_create_but_lists_its_owners_listings() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = draft(&app, &seller.token).await;
    let pat = pat_secret(&create_pat(&app, &seller.token, &["listings:read"]).await);

    // Act / Assert: no creation, no edit, no step.
    let res = request(
        &app,
        Method::POST,
        LISTINGS,
        Some(&pat),
        None,
        Some(&dr400()),
    )
    .await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    let res = patch(
        &app,
        id,
        &pat,
        Some("\"1\""),
        &json!({"title": "Par le script"}),
    )
    .await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    let res = step(&app, id, "withdraw", &pat).await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    assert_eq!(listing_count(&app), 1);
    assert_eq!(listing_row(&app, id).version, 1);

    // Act / Assert: the list of one's listings.
    let page = get_ok(&app, MY_LISTINGS, Some(&pat)).await;
    assert_eq!(ids_of(&page), [id], "{page}");
}

#[tokio::test]
async fn a_token_without_listings_read_does_not_read_its_owners_drafts() {
    // Arrange: `listings:read` is the scope to read listings "including one's own drafts".
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let id = draft(&app, &seller.token).await;
    let pat = pat_secret(&create_pat(&app, &seller.token, &["messages"]).await);

    // Act
    let res = request(&app, Method::GET, &listing_path(id), Some(&pat), None, None).await;
    let mine = request(&app, Method::GET, MY_LISTINGS, Some(&pat), None, None).await;

    // Assert: the token is no better than no token for the draft.
    TestApp::expect_problem(mine, 403, "forbidden").await;
    TestApp::expect_problem(res, 404, "not-found").await;
}

// ---------------------------------------------------------------------------------------
// 8. Sellers' lists

#[tokio::test]
async fn my_listings_filter_by_status_and_page_with_a_cursor() {
    // Arrange: five drafts, one published listing, one deleted, and someone else's draft.
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    let other = member(&app, "voisin@example.fr", "user", true);
    let mut drafts = Vec::new();
    for _ in 0..5 {
        drafts.push(draft(&app, &seller.token).await);
    }
    let public = published(&app, &seller.token).await;
    let gone = draft(&app, &seller.token).await;
    expect_status(
        delete(&app, gone, &seller.token, Some("\"1\"")).await,
        204,
        "delete",
    )
    .await;
    draft(&app, &other.token).await;

    // Act: pages of two drafts.
    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut path = format!("{MY_LISTINGS}?status=draft&limit=2");
    loop {
        let page = get_ok(&app, &path, Some(&seller.token)).await;
        for item in page["items"].as_array().into_iter().flatten() {
            assert_eq!(item["status"], "draft", "{page}");
        }
        let ids = ids_of(&page);
        sizes.push(ids.len());
        seen.extend(ids);
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{MY_LISTINGS}?status=draft&limit=2&cursor={cursor}"),
            None => break,
        }
        assert!(sizes.len() < 5, "the pages never end: {sizes:?}");
    }

    // Assert: 2 + 2 + 1, newest first, each once, only mine.
    assert_eq!(sizes, [2, 2, 1]);
    let newest_first: Vec<Uuid> = drafts.iter().rev().copied().collect();
    assert_eq!(seen, newest_first);
    // Without a status: every listing of mine but the deleted one.
    let all = get_ok(&app, MY_LISTINGS, Some(&seller.token)).await;
    let all: BTreeSet<Uuid> = ids_of(&all).into_iter().collect();
    let expected: BTreeSet<Uuid> = drafts.iter().copied().chain([public]).collect();
    assert_eq!(all, expected);
    let only_published = get_ok(
        &app,
        &format!("{MY_LISTINGS}?status=published"),
        Some(&seller.token),
    )
    .await;
    assert_eq!(ids_of(&only_published), [public]);
}

#[tokio::test]
async fn my_listings_refuse_bad_parameters() {
    // Arrange
    let app = spawn_app().await;
    let seller = seller(&app, "vendeur@example.fr");
    draft(&app, &seller.token).await;
    let cases = [
        ("colour=red", "colour", "unknown parameter"),
        (
            "status=deleted",
            "status",
            "deleted listings are not listed",
        ),
        ("status=banana", "status", "not a status"),
        ("limit=0", "limit", "limit below 1"),
        ("limit=101", "limit", "limit above 100"),
        ("limit=ten", "limit", "limit not a number"),
        ("cursor=not-a-cursor", "cursor", "a made-up cursor"),
    ];

    for (query, field, why) in cases {
        // Act
        let res = request(
            &app,
            Method::GET,
            &format!("{MY_LISTINGS}?{query}"),
            Some(&seller.token),
            None,
            None,
        )
        .await;

        // Assert
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert_names_field(&problem, field, why);
    }
    let res = request(&app, Method::GET, MY_LISTINGS, None, None, None).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_members_page_shows_only_their_published_and_reserved_listings() {
    // Arrange: one listing of the seller in every status, and another seller's.
    let app = spawn_app().await;
    let seller: Member = seller(&app, "vendeur@example.fr");
    let other = member(&app, "voisin@example.fr", "user", true);
    let mut by_status = Vec::new();
    for status in STATUSES {
        let id = draft(&app, &seller.token).await;
        if status != "draft" {
            force_status(&app, id, status);
        }
        by_status.push((status, id));
    }
    let gone = published(&app, &seller.token).await;
    expect_status(
        delete(&app, gone, &seller.token, Some("\"1\"")).await,
        204,
        "delete",
    )
    .await;
    published(&app, &other.token).await;

    // Act
    let page = get_ok(&app, &format!("/api/v1/users/{}/listings", seller.id), None).await;

    // Assert
    let shown: BTreeSet<Uuid> = ids_of(&page).into_iter().collect();
    let expected: BTreeSet<Uuid> = by_status
        .iter()
        .filter(|(s, _)| ["published", "reserved"].contains(s))
        .map(|(_, id)| *id)
        .collect();
    assert_eq!(shown, expected, "{page}");
    // No such member.
    let res = request(
        &app,
        Method::GET,
        &format!("/api/v1/users/{}/listings", Uuid::now_v7()),
        None,
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;
}
