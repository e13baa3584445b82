//! Saved searches: create, read, change, delete; parameters checked exactly as
//! `GET /api/v1/listings` checks them; the limit; other members' searches (404, unchanged).

use hangar_tests::accounts::{count, create_pat, execute, pat_secret, query_one};
use hangar_tests::alerts::{SAVED_SEARCHES, call_ok, save_search, saved_search_path};
use hangar_tests::listings::{SEP, header, member, request};
use hangar_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

fn frequency(app: &TestApp, id: Uuid) -> Option<String> {
    query_one(
        app,
        &format!("SELECT frequency AS value FROM saved_searches WHERE id = '{id}'"),
    )
}

#[tokio::test]
async fn a_saved_search_is_created_read_changed_and_deleted() {
    // Arrange
    let app = spawn_app().await;
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let query = json!({"q": "dr400", "category": SEP, "near": "LFPN", "radius_km": 150,
                       "price_max": 8_000_000, "ifr": null});
    let body = json!({"name": "  DR400 près de Paris ", "query": query, "frequency": "instant"});

    // Act
    let res = request(
        &app,
        Method::POST,
        SAVED_SEARCHES,
        Some(&buyer.token),
        None,
        Some(&body),
    )
    .await;

    // Assert: 201 with its URL; the name trimmed, nulls dropped, a runnable query string.
    assert_eq!(res.status().as_u16(), 201);
    let location = header(&res, "location").unwrap_or_default();
    let created: Value = res.json().await.unwrap_or_default();
    let id: Uuid = created["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{created}"));
    assert_eq!(location, saved_search_path(id));
    assert_eq!(created["name"], "DR400 près de Paris");
    assert_eq!(created["frequency"], "instant");
    assert_eq!(
        created["query"],
        json!({"q": "dr400", "category": SEP, "near": "LFPN", "radius_km": 150, "price_max": 8_000_000})
    );
    let query_string = created["query_string"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(
        query_string,
        "category=single-engine-piston&near=LFPN&price_max=8000000&q=dr400&radius_km=150"
    );
    let res = request(
        &app,
        Method::GET,
        &format!("/api/v1/listings?{query_string}"),
        None,
        None,
        None,
    )
    .await;
    assert_eq!(
        res.status().as_u16(),
        200,
        "the query string runs the search"
    );
    assert_eq!(
        count(
            &app,
            &format!("saved_searches WHERE user_id = '{}'", buyer.id)
        ),
        1
    );

    // Read back, one and all.
    let one = call_ok(&app, Method::GET, &location, &buyer.token, None, 200).await;
    assert_eq!(one, created);
    let all = call_ok(&app, Method::GET, SAVED_SEARCHES, &buyer.token, None, 200).await;
    assert_eq!(all["items"], json!([created]));

    // Change the frequency, then the name and the parameters.
    let weekly = call_ok(
        &app,
        Method::PATCH,
        &location,
        &buyer.token,
        Some(&json!({"frequency": "weekly"})),
        200,
    )
    .await;
    assert_eq!(weekly["frequency"], "weekly");
    assert_eq!(weekly["query"], created["query"]);
    let renamed = call_ok(
        &app,
        Method::PATCH,
        &location,
        &buyer.token,
        Some(&json!({"name": "Robin", "query": {"make": "Robin"}})),
        200,
    )
    .await;
    assert_eq!(renamed["name"], "Robin");
    assert_eq!(renamed["query"], json!({"make": "Robin"}));
    assert_eq!(renamed["frequency"], "weekly");
    assert_eq!(frequency(&app, id).as_deref(), Some("weekly"));

    // A default frequency.
    let other = call_ok(
        &app,
        Method::POST,
        SAVED_SEARCHES,
        &buyer.token,
        Some(&json!({"name": "Tout", "query": {}})),
        201,
    )
    .await;
    assert_eq!(other["frequency"], "daily");
    assert_eq!(other["query_string"], "");

    // Delete, then it is gone.
    call_ok(&app, Method::DELETE, &location, &buyer.token, None, 204).await;
    let res = request(&app, Method::GET, &location, Some(&buyer.token), None, None).await;
    TestApp::expect_problem(res, 404, "not-found").await;
    let res = request(
        &app,
        Method::DELETE,
        &location,
        Some(&buyer.token),
        None,
        None,
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;
    assert_eq!(count(&app, "saved_searches"), 1);
}

#[tokio::test]
async fn search_parameters_are_checked_exactly_as_the_search_checks_them() {
    let app = spawn_app().await;
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    // (parameters, the parameter at fault): each is also a 422 of GET /listings for it.
    let cases: Vec<(Value, &str)> = vec![
        (json!({"colour": "red"}), "colour"),
        (json!({"price_max": -1}), "price_max"),
        (json!({"price_max": "cheap"}), "price_max"),
        (json!({"limit": 500}), "limit"),
        (json!({"q": ""}), "q"),
        (json!({"year_min": 2000, "year_max": 1990}), "year_min"),
        (json!({"category": "no-such-category"}), "category"),
        (json!({"near": "ZZZZ"}), "near"),
        (json!({"radius_km": 50}), "radius_km"),
        (json!({"sort": "distance"}), "sort"),
        (json!({"sort": "cheapest"}), "sort"),
        (json!({"facets": "colour"}), "facets"),
        (json!({"fuel": "kerosene"}), "fuel"),
        (json!({"country": "France"}), "country"),
    ];
    for (query, param) in cases {
        let qs = hangar_api::alerts::query_string(query.as_object().unwrap_or(&Default::default()));
        let res = request(
            &app,
            Method::GET,
            &format!("/api/v1/listings?{qs}"),
            None,
            None,
            None,
        )
        .await;
        let searched = TestApp::expect_problem(res, 422, "validation").await;
        assert!(
            searched["errors"][param].is_array(),
            "GET /listings?{qs}: {searched}"
        );

        let body = json!({"name": "Test", "query": query, "frequency": "daily"});
        let res = request(
            &app,
            Method::POST,
            SAVED_SEARCHES,
            Some(&buyer.token),
            None,
            Some(&body),
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        let field = format!("query.{param}");
        assert_eq!(
            problem["errors"][&field], searched["errors"][param],
            "{query}: the same message as the search's: {problem}"
        );
    }
    assert_eq!(count(&app, "saved_searches"), 0, "nothing written");
}

#[tokio::test]
async fn bad_saved_search_bodies_name_the_field() {
    let app = spawn_app().await;
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    let ok = json!({"name": "DR400", "query": {"q": "dr400"}, "frequency": "daily"});
    let with =
        |pointer: &str, value: Value| hangar_tests::listings::with(ok.clone(), pointer, value);
    let cases: Vec<(Value, &str, &str)> = vec![
        (with("/name", json!("")), "name", "an empty name"),
        (with("/name", json!("   ")), "name", "a blank name"),
        (
            with("/name", json!("x".repeat(81))),
            "name",
            "a name of 81 characters",
        ),
        (
            with("/name", json!("deux\nlignes")),
            "name",
            "a name on two lines",
        ),
        (
            hangar_tests::listings::without(ok.clone(), "/name"),
            "name",
            "no name",
        ),
        (
            with("/frequency", json!("hourly")),
            "frequency",
            "an unknown frequency",
        ),
        (
            with("/query", json!("q=dr400")),
            "query",
            "parameters as a string",
        ),
        (
            hangar_tests::listings::without(ok.clone(), "/query"),
            "query",
            "no parameters",
        ),
        (
            with("/query", json!({"q": ["dr400"]})),
            "query.q",
            "a list as a value",
        ),
        (
            with("/query", json!({"cursor": "abc"})),
            "query.cursor",
            "a cursor",
        ),
        (
            with("/query", json!({"q": "x".repeat(2100)})),
            "query",
            "parameters too long",
        ),
        (with("/colour", json!("red")), "colour", "an unknown field"),
    ];
    for (body, field, why) in cases {
        let res = request(
            &app,
            Method::POST,
            SAVED_SEARCHES,
            Some(&buyer.token),
            None,
            Some(&body),
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(problem["errors"][field].is_array(), "{why}: {problem}");
        assert_eq!(
            problem["errors"].as_object().map(|e| e.len()),
            Some(1),
            "{why}: one field: {problem}"
        );
    }
    assert_eq!(count(&app, "saved_searches"), 0, "nothing written");

    // Changes: at least one field, and the same checks.
    let id = save_search(&app, &buyer.token, "DR400", json!({"q": "dr400"}), "daily").await;
    let cases: Vec<(Value, &str)> = vec![
        (json!({}), "body"),
        (json!({"name": ""}), "name"),
        (json!({"frequency": "sometimes"}), "frequency"),
        (json!({"query": {"colour": "red"}}), "query.colour"),
        (json!({"query": {"cursor": "x"}}), "query.cursor"),
    ];
    for (body, field) in cases {
        let res = request(
            &app,
            Method::PATCH,
            &saved_search_path(id),
            Some(&buyer.token),
            None,
            Some(&body),
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(problem["errors"][field].is_array(), "{body}: {problem}");
    }
    let unchanged = call_ok(
        &app,
        Method::GET,
        &saved_search_path(id),
        &buyer.token,
        None,
        200,
    )
    .await;
    assert_eq!(unchanged["name"], "DR400");
    assert_eq!(unchanged["query"], json!({"q": "dr400"}));
    assert_eq!(unchanged["frequency"], "daily");
}

#[tokio::test]
async fn other_members_saved_searches_are_not_found_and_stay_unchanged() {
    let app = spawn_app().await;
    let owner = member(&app, "acheteur@example.fr", "user", true);
    let intruder = member(&app, "curieux@example.fr", "user", true);
    let id = save_search(
        &app,
        &owner.token,
        "DR400",
        json!({"q": "dr400"}),
        "instant",
    )
    .await;
    let before = query_one(
        &app,
        &format!("SELECT row_to_json(s)::text AS value FROM saved_searches s WHERE id = '{id}'"),
    );

    let patch = json!({"name": "Mine now", "frequency": "off"});
    let cases: [(Method, Option<&Value>); 3] = [
        (Method::GET, None),
        (Method::PATCH, Some(&patch)),
        (Method::DELETE, None),
    ];
    for (method, body) in cases {
        let res = request(
            &app,
            method.clone(),
            &saved_search_path(id),
            Some(&intruder.token),
            None,
            body,
        )
        .await;
        let problem = TestApp::expect_problem(res, 404, "not-found").await;
        assert_eq!(problem["detail"], "No such saved search.", "{method}");
    }
    // Even with parameters that would not pass: the search is not theirs to check.
    let res = request(
        &app,
        Method::PATCH,
        &saved_search_path(id),
        Some(&intruder.token),
        None,
        Some(&json!({"query": {"colour": 1}})),
    )
    .await;
    TestApp::expect_problem(res, 404, "not-found").await;
    let theirs = call_ok(
        &app,
        Method::GET,
        SAVED_SEARCHES,
        &intruder.token,
        None,
        200,
    )
    .await;
    assert_eq!(theirs["items"], json!([]));

    let after = query_one(
        &app,
        &format!("SELECT row_to_json(s)::text AS value FROM saved_searches s WHERE id = '{id}'"),
    );
    assert_eq!(before, after, "nothing changed");

    // No credentials; a token without the `account` scope.
    let res = request(&app, Method::GET, SAVED_SEARCHES, None, None, None).await;
    TestApp::expect_problem(res, 401, "unauthorized").await;
    let pat = pat_secret(&create_pat(&app, &owner.token, &["listings:read"]).await);
    let res = request(
        &app,
        Method::POST,
        SAVED_SEARCHES,
        Some(&pat),
        None,
        Some(&json!({"name": "x", "query": {}})),
    )
    .await;
    TestApp::expect_problem(res, 403, "forbidden").await;
    let with_scope = pat_secret(&create_pat(&app, &owner.token, &["account"]).await);
    call_ok(
        &app,
        Method::GET,
        &saved_search_path(id),
        &with_scope,
        None,
        200,
    )
    .await;
}

#[tokio::test]
async fn a_member_keeps_at_most_fifty_saved_searches() {
    let app = spawn_app().await;
    let buyer = member(&app, "acheteur@example.fr", "user", true);
    execute(
        &app,
        &format!(
            "INSERT INTO saved_searches (id, user_id, name, query, frequency) \
             SELECT gen_random_uuid(), '{}', 'Search ' || n, '{{}}', 'daily' FROM generate_series(1, 49) n",
            buyer.id
        ),
    );
    save_search(
        &app,
        &buyer.token,
        "The fiftieth",
        json!({"q": "dr400"}),
        "daily",
    )
    .await;

    let body = json!({"name": "One too many", "query": {}, "frequency": "daily"});
    let res = request(
        &app,
        Method::POST,
        SAVED_SEARCHES,
        Some(&buyer.token),
        None,
        Some(&body),
    )
    .await;

    TestApp::expect_problem(res, 409, "conflict").await;
    assert_eq!(count(&app, "saved_searches"), 50);
}

#[tokio::test]
async fn the_export_holds_favourites_and_saved_searches_and_erasure_removes_them() {
    // Arrange: a registered member (a real password, for the deletion) with a favourite and
    // a saved search.
    let app = spawn_app().await;
    let owner = hangar_tests::listings::seller(&app, "vendeur@example.fr");
    let listing = hangar_tests::listings::published(&app, &owner.token).await;
    let (id, access, _) =
        hangar_tests::accounts::register_and_login(&app, "acheteur@example.fr").await;
    hangar_tests::alerts::favorite(&app, &access, listing).await;
    let search = save_search(&app, &access, "DR400", json!({"q": "dr400"}), "weekly").await;

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
    assert_eq!(
        export["favorites"].as_array().map(Vec::len),
        Some(1),
        "{export}"
    );
    assert_eq!(export["favorites"][0]["listing_id"], listing.to_string());
    assert_eq!(
        export["favorites"][0]["saved_price"]["amount"],
        hangar_tests::listings::PRICE
    );
    assert_eq!(export["saved_searches"][0]["id"], search.to_string());
    assert_eq!(export["saved_searches"][0]["query"], json!({"q": "dr400"}));

    // Erasure takes them away, and the listing's count follows.
    let body = json!({"password": hangar_tests::accounts::PASSWORD});
    call_ok(
        &app,
        Method::DELETE,
        "/api/v1/users/me",
        &access,
        Some(&body),
        204,
    )
    .await;
    for table in [
        "favorites",
        "saved_searches",
        "notifications",
        "unsubscribe_links",
    ] {
        assert_eq!(
            count(&app, &format!("{table} WHERE user_id = '{id}'")),
            0,
            "{table}"
        );
    }
    assert_eq!(
        query_one(
            &app,
            &format!("SELECT favourite_count::text AS value FROM listings WHERE id = '{listing}'")
        )
        .as_deref(),
        Some("0")
    );
}
