//! Search at the edges: distance pages through listings at one airfield (ties), prices on
//! request last in both directions, facets from the refreshed aggregate, and the SQL the
//! benchmark replays (`api search-sql`).

use std::process::Command;
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;
use hangar_tests::listings::{create_ok, dr400, seller, with, without};
use hangar_tests::{TestApp, spawn_app, spawn_app_with};
use serde_json::{Value, json};
use uuid::Uuid;

async fn search(app: &TestApp, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/listings?{query}")).await;
    assert_eq!(res.status().as_u16(), 200, "{query}");
    res.json().await.unwrap_or_default()
}

/// Every page of `query`, following `next_cursor`: the items in order.
async fn walk(app: &TestApp, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = query.to_owned();
    for _ in 0..50 {
        let page = search(app, &next).await;
        items.extend(page["items"].as_array().cloned().unwrap_or_default());
        match page["next_cursor"].as_str() {
            Some(c) => next = format!("{query}&cursor={c}"),
            None => return items,
        }
    }
    panic!("more than 50 pages for {query}");
}

fn id(item: &Value) -> String {
    item["id"].as_str().unwrap_or_default().to_owned()
}

fn at(icao: &str, title: &str) -> Value {
    let body = with(dr400(), "/publish", json!(true));
    let body = with(body, "/title", json!(title));
    with(body, "/location/airfield_icao", json!(icao))
}

#[tokio::test]
async fn distance_pages_walk_every_listing_at_one_airfield_once() {
    // Arrange: five listings at Toussus (distance 0, a tie), two at Pontoise, one at Toulouse.
    let app = spawn_app().await;
    let owner = seller(&app, "club@example.fr");
    let mut at_lfpn = Vec::new();
    for i in 0..5 {
        at_lfpn.push(
            create_ok(
                &app,
                &owner.token,
                &at("LFPN", &format!("DR400 numéro {i}")),
            )
            .await,
        );
    }
    let mut elsewhere = Vec::new();
    for (icao, title) in [("LFPT", "DR400 Pontoise A"), ("LFPT", "DR400 Pontoise B")] {
        elsewhere.push(create_ok(&app, &owner.token, &at(icao, title)).await);
    }
    let far = create_ok(&app, &owner.token, &at("LFBO", "DR400 Toulouse")).await;

    // Act: two at a time, nearest first, within 100 km.
    let items = walk(&app, "near=LFPN&radius_km=100&sort=distance&limit=2").await;

    // Assert: each listing once, the five at LFPN first, distances never decreasing.
    let got: Vec<String> = items.iter().map(id).collect();
    assert_eq!(got.len(), 7, "{got:?}");
    let mut unique = got.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 7, "a listing came twice: {got:?}");
    assert!(!got.contains(&far.to_string()), "Toulouse is 600 km away");
    let mut first_five: Vec<String> = got[..5].to_vec();
    first_five.sort();
    let mut want: Vec<String> = at_lfpn.iter().map(Uuid::to_string).collect();
    want.sort();
    assert_eq!(first_five, want);
    let distances: Vec<f64> = items
        .iter()
        .map(|i| i["distance_km"].as_f64().unwrap_or(-1.0))
        .collect();
    assert!(distances.windows(2).all(|w| w[0] <= w[1]), "{distances:?}");
    assert_eq!(distances[0], 0.0);
    assert!(
        distances[6] > 10.0 && distances[6] < 40.0,
        "Pontoise: {distances:?}"
    );

    // The nearest-first statements are prepared: past five executions on a connection,
    // PostgreSQL may run them with a generic plan. Eight more walks (32 pages on a pool of 4)
    // must give the same pages.
    for round in 0..8 {
        let again: Vec<String> = walk(&app, "near=LFPN&radius_km=100&sort=distance&limit=2")
            .await
            .iter()
            .map(id)
            .collect();
        assert_eq!(again, got, "walk {round}");
    }
}

#[tokio::test]
async fn prices_on_request_come_last_both_ways_and_pages_carry_cards() {
    let app = spawn_app().await;
    let owner = seller(&app, "pro@example.fr");
    let cheap = create_ok(
        &app,
        &owner.token,
        &with(
            at("LFPN", "DR400 pas cher"),
            "/price/amount",
            json!(3_000_000),
        ),
    )
    .await;
    let dear = create_ok(
        &app,
        &owner.token,
        &with(at("LFPN", "DR400 cher"), "/price/amount", json!(9_000_000)),
    )
    .await;
    let on_request = without(at("LFPN", "DR400 prix sur demande"), "/price/amount");
    let on_request = with(on_request, "/price/kind", json!("on_request"));
    let asking = create_ok(&app, &owner.token, &on_request).await;

    let up: Vec<String> = walk(&app, "sort=price_asc&limit=1")
        .await
        .iter()
        .map(id)
        .collect();
    assert_eq!(
        up,
        vec![cheap.to_string(), dear.to_string(), asking.to_string()]
    );
    let down: Vec<String> = walk(&app, "sort=price_desc&limit=1")
        .await
        .iter()
        .map(id)
        .collect();
    assert_eq!(
        down,
        vec![dear.to_string(), cheap.to_string(), asking.to_string()]
    );

    // A result card has what a list shows, without a second request.
    let page = search(&app, "sort=price_asc&limit=1").await;
    let card = &page["items"][0];
    assert_eq!(card["category"], "single-engine-piston");
    assert_eq!(card["make"], "Robin");
    assert_eq!(card["year"], 1978);
    assert_eq!(card["seller_type"], "private");
    assert_eq!(card["price"]["amount"], 3_000_000);
    // A small site counts its totals, past the first page too.
    assert_eq!(page["total_estimate"], 3);
    assert_eq!(page["total_exact"], true);
}

#[tokio::test]
async fn facets_of_a_narrow_browse_search_come_from_the_aggregate_when_the_site_is_broad() {
    // Facets ignore their own filter: `make=Piper` matches one listing, but its make facet
    // counts every make. Above FACETS_LIVE_MAX_ROWS such counts come from the aggregate, here
    // never refreshed (hourly), so it does not know these listings yet.
    let app = spawn_app_with(&[
        ("FACETS_LIVE_MAX_ROWS", "2"),
        ("FACETS_REFRESH_MS", "3600000"),
    ])
    .await;
    let owner = seller(&app, "base@example.fr");
    for (make, model) in [("Robin", "DR400"), ("Robin", "DR401"), ("Piper", "PA-28")] {
        let body = with(
            at("LFPN", &format!("{make} {model}")),
            "/attributes/make",
            json!(make),
        );
        create_ok(
            &app,
            &owner.token,
            &with(body, "/attributes/model", json!(model)),
        )
        .await;
    }

    // The decision reads the planner's estimate: statistics as a running site has them.
    diesel::sql_query("ANALYZE listings, users")
        .execute(&mut app.db.connect())
        .expect("analyze");

    let page = search(&app, "make=Piper&facets=make").await;
    assert_eq!(page["total_estimate"], 1, "{page}");
    assert_eq!(page["total_exact"], true, "{page}");
    assert_eq!(
        page["facets"]["make"],
        json!([]),
        "from the stale aggregate: {page}"
    );
    assert_eq!(page["facets_exact"], true, "{page}");

    // The same search on a site under the limit is counted live.
    let app = spawn_app().await;
    let owner = seller(&app, "live@example.fr");
    for (make, model) in [("Robin", "DR400"), ("Robin", "DR401"), ("Piper", "PA-28")] {
        let body = with(
            at("LFPN", &format!("{make} {model}")),
            "/attributes/make",
            json!(make),
        );
        create_ok(
            &app,
            &owner.token,
            &with(body, "/attributes/model", json!(model)),
        )
        .await;
    }
    let page = search(&app, "make=Piper&facets=make").await;
    assert_eq!(
        page["facets"]["make"],
        json!([{"value": "Robin", "count": 2}, {"value": "Piper", "count": 1}]),
        "{page}"
    );
}

#[tokio::test]
async fn broad_browse_facets_come_from_the_refreshed_aggregate() {
    // Every browse search uses the aggregate, refreshed every 200 ms.
    let app = spawn_app_with(&[("FACETS_LIVE_MAX_ROWS", "0"), ("FACETS_REFRESH_MS", "200")]).await;
    let owner = seller(&app, "aggregat@example.fr");
    for (make, model, year) in [
        ("Robin", "DR400", 1978),
        ("Robin", "DR400", 1982),
        ("Piper", "PA-28-161", 1985),
    ] {
        let body = with(
            at("LFPN", &format!("{make} {model}")),
            "/attributes/make",
            json!(make),
        );
        let body = with(body, "/attributes/model", json!(model));
        create_ok(
            &app,
            &owner.token,
            &with(body, "/attributes/year", json!(year)),
        )
        .await;
    }

    // The aggregate catches up within a few refreshes (one may fall between two of the
    // listings: wait for all three).
    let query =
        "category=aircraft&make=Robin&facets=make,category,year_bucket,price_bucket,country";
    let all_makes = json!([{"value": "Robin", "count": 2}, {"value": "Piper", "count": 1}]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let page = loop {
        let page = search(&app, query).await;
        if page["facets"]["make"] == all_makes {
            break page;
        }
        assert!(
            Instant::now() < deadline,
            "the aggregate never caught up: {page}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    };

    // The make facet ignores make=Robin (the loop waited for it); the others apply it.
    assert_eq!(
        page["facets"]["category"],
        json!([{"value": "single-engine-piston", "count": 2}])
    );
    assert_eq!(
        page["facets"]["year_bucket"],
        json!([{"value": "1970s", "count": 1}, {"value": "1980s", "count": 1}])
    );
    assert_eq!(
        page["facets"]["country"],
        json!([{"value": "FR", "count": 2}])
    );
    assert_eq!(
        page["facets"]["price_bucket"],
        json!([{"value": "50000-100000", "count": 2}])
    );
    // The page itself is always live.
    assert_eq!(page["items"].as_array().map(Vec::len), Some(2));
}

/// `api search-sql QUERY` against the app's database.
fn search_sql(app: &TestApp, query: &str) -> std::process::Output {
    search_sql_with(app, &[query])
}

fn search_sql_with(app: &TestApp, args: &[&str]) -> std::process::Output {
    Command::new(super::binary::api_binary())
        .arg("search-sql")
        .args(args)
        .env_clear()
        .env("DATABASE_URL", &app.db.url)
        .env("JWT_SECRET", "test-secret-that-is-long-enough-0123456789")
        .env("HANGAR_ENV", "development")
        .env("MEDIA_DIR", std::env::temp_dir())
        .output()
        .unwrap_or_else(|e| panic!("{e}"))
}

#[tokio::test]
async fn search_sql_prints_runnable_statements_of_the_request() {
    let app = spawn_app().await;
    let owner = seller(&app, "sql@example.fr");
    create_ok(
        &app,
        &owner.token,
        &at("LFPN", "Robin DR400 l'hélice neuve"),
    )
    .await;
    let query =
        "q=dr400%20l%27h%C3%A9lice&category=aircraft&near=LFPN&radius_km=150&facets=make,category";

    let out = search_sql(&app, query);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );

    // One statement per line, each runnable as printed, with the values written in.
    let statements: Vec<&str> = stdout.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(
        statements.len() >= 4,
        "airfield, category, makes, page…: {stdout}"
    );
    assert!(stdout.contains("'LFPN'::text"), "{stdout}");
    assert!(
        stdout.contains("\"l''hélice\"") && stdout.contains("''dr400''"),
        "quotes doubled: {stdout}"
    );
    let mut conn = app.db.connect();
    for statement in &statements {
        assert!(statement.ends_with(';'), "{statement}");
        diesel::sql_query(statement.trim_end_matches(';'))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{e}: {statement}"));
    }

    // A bad query is refused with the field named, as over HTTP.
    // Through the in-process index (as the service answers a full-text search): the
    // catch-up, then the page read by id; runnable too.
    let out = search_sql_with(
        &app,
        &["--index", "q=dr400%20l%27h%C3%A9lice&category=aircraft"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("search_changed"), "the catch-up: {stdout}");
    assert!(stdout.contains("l.id = ANY('{"), "the page by id: {stdout}");
    for statement in stdout.lines().filter(|l| !l.trim().is_empty()) {
        diesel::sql_query(statement.trim_end_matches(';'))
            .execute(&mut conn)
            .unwrap_or_else(|e| panic!("{e}: {statement}"));
    }

    let out = search_sql(&app, "limit=1000");
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test]
async fn broad_full_text_facets_are_sampled_and_say_so() {
    // Every search counts as broad; samples of two listings.
    let app = spawn_app_with(&[("FACETS_LIVE_MAX_ROWS", "0"), ("FACETS_SAMPLE", "2")]).await;
    let owner = seller(&app, "echantillon@example.fr");
    for i in 0..4 {
        create_ok(
            &app,
            &owner.token,
            &at("LFPN", &format!("Robin DR400 moteur neuf {i}")),
        )
        .await;
    }
    // A page of one: the count is not the page's, so it may be an estimate.
    let page = search(&app, "q=moteur&facets=make,country&limit=1").await;
    assert_eq!(page["facets_exact"], false, "{page}");
    let robin = &page["facets"]["make"][0];
    assert_eq!(robin["value"], "Robin", "{page}");
    assert!(
        robin["count"].as_i64().unwrap_or(0) >= 2,
        "scaled from the sample: {page}"
    );

    // Browsing (no full text) with few listings is counted live and exactly.
    let app = spawn_app().await;
    let owner = seller(&app, "exact@example.fr");
    create_ok(&app, &owner.token, &at("LFPN", "Robin DR400")).await;
    let page = search(&app, "q=robin&facets=make").await;
    assert_eq!(page["facets_exact"], true);
    assert_eq!(
        page["facets"]["make"],
        json!([{"value": "Robin", "count": 1}])
    );
}

#[tokio::test]
async fn large_site_totals_are_estimated_browse_ones_from_the_aggregate() {
    // As on a large site: never count; the aggregate refreshes every 200 ms.
    let app = spawn_app_with(&[
        ("SEARCH_EXACT_COUNT_BELOW", "0"),
        ("FACETS_REFRESH_MS", "200"),
    ])
    .await;
    let owner = seller(&app, "grand@example.fr");
    for i in 0..3 {
        create_ok(
            &app,
            &owner.token,
            &at("LFPN", &format!("Robin DR400 numéro {i}")),
        )
        .await;
    }

    // A browse search: the aggregate's count once it has caught up.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = search(&app, "category=aircraft&limit=1").await;
        assert_eq!(page["total_exact"], false, "{page}");
        if page["total_estimate"] == 3 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the aggregate never caught up: {page}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Full text: the planner's estimate, never below what the page showed.
    let page = search(&app, "q=robin&limit=1").await;
    assert_eq!(page["total_exact"], false);
    assert!(page["total_estimate"].as_i64().unwrap_or(0) >= 2, "{page}");
    // A first page that holds everything is exact, whatever the size of the site.
    let page = search(&app, "q=robin").await;
    assert_eq!(
        (page["total_estimate"].clone(), page["total_exact"].clone()),
        (json!(3), json!(true))
    );
}

#[tokio::test]
async fn a_new_subcategory_is_searched_with_its_parent_at_once() {
    use hangar_tests::listings::{member, request};
    use reqwest::Method;
    // The parent's subtree is remembered by the first search…
    let app = spawn_app().await;
    assert_eq!(search(&app, "category=aircraft").await["items"], json!([]));
    // …and forgotten when a moderator adds a child to it.
    let moderator = member(&app, "moderation@example.fr", "moderator", true);
    let res = request(
        &app,
        Method::POST,
        "/api/v1/categories",
        Some(&moderator.token),
        None,
        Some(
            &json!({"slug": "floatplanes", "name_fr": "Hydravions", "name_en": "Floatplanes",
                     "attribute_group": "aircraft", "parent": "aircraft"}),
        ),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    let owner = seller(&app, "hydro@example.fr");
    let id = create_ok(
        &app,
        &owner.token,
        &with(
            at("LFPN", "Hydravion Lake LA-4"),
            "/category",
            json!("floatplanes"),
        ),
    )
    .await;

    let found = search(&app, "category=aircraft").await;
    assert_eq!(found["items"][0]["id"], id.to_string(), "{found}");
    assert_eq!(found["items"][0]["category"], "floatplanes");
}
