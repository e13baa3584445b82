//! Search over HTTP: full text (accents, stemming, designations, typos), filters, radius,
//! sort and keyset pages, facets, safe snippets, similar listings.

use hangar_tests::TestApp;
use hangar_tests::listings::{create_ok, dr400, seller, with};
use hangar_tests::spawn_app;
use serde_json::{Value, json};
use uuid::Uuid;

/// A published listing from the DR400 template with some fields changed.
fn listing(
    title: &str,
    description: &str,
    make: &str,
    model: &str,
    icao: &str,
    price: i64,
    year: i64,
) -> Value {
    let body = with(dr400(), "/publish", json!(true));
    let body = with(body, "/title", json!(title));
    let body = with(body, "/description", json!(description));
    let body = with(body, "/attributes/make", json!(make));
    let body = with(body, "/attributes/model", json!(model));
    let body = with(body, "/attributes/year", json!(year));
    let body = with(body, "/location/airfield_icao", json!(icao));
    with(body, "/price/amount", json!(price))
}

async fn search(app: &TestApp, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/listings?{query}")).await;
    assert_eq!(res.status().as_u16(), 200, "{query}");
    res.json().await.unwrap_or_default()
}

pub(crate) fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|i| i["id"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Four listings that the cases below tell apart.
async fn market(app: &TestApp) -> [Uuid; 4] {
    let owner = seller(app, "vendeur@example.fr");
    let dr400 = create_ok(
        app,
        &owner.token,
        &listing(
            "Robin DR400-140B, hélice neuve",
            "Moteur révisé en 2020, hélice Sensenich neuve. Basé à Angers-Marcé.",
            "Robin",
            "DR400",
            "LFPN",
            6_500_000,
            1978,
        ),
    )
    .await;
    let pa28 = create_ok(
        app,
        &owner.token,
        &listing(
            "Piper PA-28-161 Warrior",
            "Engines overhauled in 2019, IFR panel, hangared. Ready to fly.",
            "Piper",
            "PA-28-161",
            "LFPT",
            9_000_000,
            1985,
        ),
    )
    .await;
    let cessna = create_ok(
        app,
        &owner.token,
        &listing(
            "Cessna 172 Skyhawk",
            "Belle machine, peinture récente, <script>alert(1)</script> carnets complets.",
            "Cessna",
            "172",
            "LFPN",
            12_000_000,
            2001,
        ),
    )
    .await;
    let toulouse = create_ok(
        app,
        &owner.token,
        &listing(
            "Jodel D112 à Toulouse",
            "Avion de voyage économique, moteur Continental, toile refaite.",
            "Jodel",
            "D112",
            "LFBO",
            2_500_000,
            1958,
        ),
    )
    .await;
    [dr400, pa28, cessna, toulouse]
}

#[tokio::test]
async fn full_text_forgives_accents_inflections_spacing_and_typos() {
    let app = spawn_app().await;
    let [dr400, pa28, cessna, _] = market(&app).await;
    let cases: Vec<(&str, Uuid, &str)> = vec![
        ("q=helice", dr400, "accent-insensitive: helice finds hélice"),
        ("q=marce", dr400, "marce finds Marcé"),
        (
            "q=moteurs%20r%C3%A9vis%C3%A9s",
            dr400,
            "French stemming: moteurs révisés finds moteur révisé",
        ),
        ("q=engine", pa28, "English stemming: engine finds engines"),
        ("q=DR400", dr400, "designation as written"),
        ("q=DR%20400", dr400, "designation with a space"),
        ("q=dr-400", dr400, "designation with a dash"),
        ("q=PA28", pa28, "PA28 finds PA-28"),
        ("q=cesna%20172", cessna, "typo in the make"),
    ];
    for (query, expected, why) in cases {
        let page = search(&app, query).await;
        assert!(ids(&page).contains(&expected.to_string()), "{why}: {page}");
        assert_eq!(
            page["items"][0]["id"],
            expected.to_string(),
            "{why}: ranked first"
        );
    }
    // Nothing for words that are nowhere.
    assert!(ids(&search(&app, "q=hydravion").await).is_empty());
}

#[tokio::test]
async fn queries_take_phrases_negations_or_and_mixed_languages() {
    let app = spawn_app().await;
    let [dr400, pa28, cessna, toulouse] = market(&app).await;
    let cases: Vec<(&str, Vec<Uuid>, &str)> = vec![
        ("q=moteur", vec![dr400, toulouse], "a word alone"),
        (
            "q=moteur%20-continental",
            vec![dr400],
            "a negated word excludes",
        ),
        (
            "q=piper%20or%20jodel",
            vec![pa28, toulouse],
            "`or` between words",
        ),
        (
            "q=PIPER%20OR%20cessna",
            vec![pa28, cessna],
            "`OR` in capitals",
        ),
        (
            "q=%22toile%20refaite%22",
            vec![toulouse],
            "a phrase in order",
        ),
        (
            "q=%22refaite%20toile%22",
            vec![],
            "a phrase out of order finds nothing",
        ),
        (
            "q=engines%20h%C3%A9lice",
            vec![],
            "every word must match: engines (PA-28) and hélice (DR400) are in different listings",
        ),
        (
            "q=engine%20hangared%20warrior",
            vec![pa28],
            "English words, stemmed, in one listing",
        ),
        (
            "q=h%C3%A9lice%20hangared",
            vec![],
            "French and English words are checked per word, each in its own listing here",
        ),
        (
            "q=moteurs%20DR-400",
            vec![dr400],
            "a French word and a designation",
        ),
        (
            "q=cesna%20-172",
            vec![],
            "a corrected make and a negated model",
        ),
    ];
    for (query, expected, why) in cases {
        let page = search(&app, query).await;
        let mut got = ids(&page);
        got.sort();
        let mut want: Vec<String> = expected.iter().map(Uuid::to_string).collect();
        want.sort();
        assert_eq!(got, want, "{why}: {query}");
    }
}

#[tokio::test]
async fn filters_radius_and_hidden_listings() {
    let app = spawn_app().await;
    let [dr400, pa28, cessna, toulouse] = market(&app).await;
    let owner = seller(&app, "autre@example.fr");
    let draft = create_ok(
        &app,
        &owner.token,
        &with(dr400_body(), "/title", json!("Robin DR400 brouillon")),
    )
    .await;

    let cases: Vec<(&str, Vec<Uuid>, &str)> = vec![
        (
            "category=aircraft",
            vec![dr400, pa28, cessna, toulouse],
            "a parent category includes its children",
        ),
        ("price_max=7000000", vec![dr400, toulouse], "price ceiling"),
        (
            "price_min=7000000&price_max=10000000",
            vec![pa28],
            "price range",
        ),
        ("year_min=1980&year_max=2000", vec![pa28], "year range"),
        ("make=robin", vec![dr400], "make, any case"),
        ("model=PA28161", vec![pa28], "model, any spelling"),
        (
            "near=LFPN&radius_km=150",
            vec![dr400, pa28, cessna],
            "150 km around Toussus-le-Noble",
        ),
        (
            "near=43.63,1.37&radius_km=50",
            vec![toulouse],
            "around a point",
        ),
        (
            "country=FR&seats_min=4&ifr=false",
            vec![dr400, pa28, cessna, toulouse],
            "structured",
        ),
    ];
    for (query, expected, why) in cases {
        let mut got = ids(&search(&app, query).await);
        let mut want: Vec<String> = expected.iter().map(Uuid::to_string).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{why} ({query})");
    }
    // Drafts never show; distance comes with `near`.
    let page = search(&app, "q=DR400&near=LFPN").await;
    assert!(!ids(&page).contains(&draft.to_string()), "draft hidden");
    assert_eq!(page["items"][0]["distance_km"], 0.0);

    // A suspended seller's listings disappear.
    let mut conn = app.db.connect();
    use diesel::RunQueryDsl;
    diesel::sql_query("UPDATE users SET status = 'suspended' WHERE email = 'vendeur@example.fr'")
        .execute(&mut conn)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(ids(&search(&app, "category=aircraft").await).is_empty());
}

fn dr400_body() -> Value {
    dr400()
}

#[tokio::test]
async fn bad_searches_are_refused_by_name() {
    let app = spawn_app().await;
    let cases = [
        ("colour=red", "colour", "unknown filter"),
        ("limit=101", "limit", "page too big"),
        ("sort=cheapest", "sort", "unknown sort"),
        ("sort=distance", "sort", "distance without near"),
        ("near=ZZZZ", "near", "unknown airfield"),
        ("near=95,200", "near", "off the globe"),
        ("radius_km=50", "radius_km", "radius without near"),
        ("category=rockets", "category", "unknown category"),
        ("facets=colour", "facets", "unknown facet"),
        ("cursor=garbage", "cursor", "bad cursor"),
        ("fuel=diesel", "fuel", "unknown fuel"),
        (
            "year_min=2000&year_max=1990",
            "year_min",
            "empty year range",
        ),
        ("year_min=abc", "year_min", "a year that is not a number"),
        (
            "price_min=9000000&price_max=100",
            "price_min",
            "price_min above price_max",
        ),
        (
            "near=LFPN&radius_km=100000",
            "radius_km",
            "radius beyond 1,000 km",
        ),
        ("near=LFPN&radius_km=0", "radius_km", "radius under 1 km"),
        ("limit=1000", "limit", "page of a thousand"),
        ("limit=0", "limit", "empty page"),
        ("near=XXXX", "near", "ICAO code of no known airfield"),
    ];
    for (query, field, why) in cases {
        let res = app.get(&format!("/api/v1/listings?{query}")).await;
        let body = TestApp::expect_problem(res, 422, "validation").await;
        assert!(body["errors"][field].is_array(), "{why}: {body}");
    }
    let long = format!("q={}", "a".repeat(2000));
    let body = TestApp::expect_problem(
        app.get(&format!("/api/v1/listings?{long}")).await,
        422,
        "validation",
    )
    .await;
    assert!(
        body["errors"]["q"].is_array(),
        "a 2,000-character q: {body}"
    );
    let tampered = "eyJzIjoibmV3ZXN0IiwiayI6bnVsbCwidCI6Im5vdCBhIHRpbWUiLCJpZCI6Inh5eiJ9";
    let body = TestApp::expect_problem(
        app.get(&format!("/api/v1/listings?sort=newest&cursor={tampered}"))
            .await,
        422,
        "validation",
    )
    .await;
    assert!(
        body["errors"]["cursor"].is_array(),
        "a cursor with a bad time and id: {body}"
    );
    // Operators and punctuation only: nothing to look for, an empty page (never a 500).
    for q in ["%26%7C!()%3A*", "!!!", "%22%22", "-"] {
        let page = search(&app, &format!("q={q}")).await;
        assert_eq!(page["items"], json!([]), "q={q}: {page}");
    }
}

#[tokio::test]
async fn pages_are_stable_and_facets_ignore_their_own_filter() {
    let app = spawn_app().await;
    let [dr400, pa28, cessna, toulouse] = market(&app).await;

    // Newest first, two at a time, following the cursor.
    let mut seen = Vec::new();
    let mut query = "limit=2&sort=newest".to_owned();
    loop {
        let page = search(&app, &query).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => query = format!("limit=2&sort=newest&cursor={c}"),
            None => break,
        }
    }
    let want: Vec<String> = [toulouse, cessna, pa28, dr400]
        .iter()
        .map(Uuid::to_string)
        .collect();
    assert_eq!(seen, want);

    // Cheapest first across a page boundary.
    let first = search(&app, "limit=2&sort=price_asc").await;
    assert_eq!(ids(&first), vec![toulouse.to_string(), dr400.to_string()]);
    let cursor = first["next_cursor"].as_str().unwrap_or_default().to_owned();
    let second = search(&app, &format!("limit=2&sort=price_asc&cursor={cursor}")).await;
    assert_eq!(ids(&second), vec![pa28.to_string(), cessna.to_string()]);
    // A cursor belongs to its sort.
    let res = app
        .get(&format!("/api/v1/listings?sort=newest&cursor={cursor}"))
        .await;
    TestApp::expect_problem(res, 422, "validation").await;

    // Facets: the make facet counts every make although make=Robin is set.
    let page = search(
        &app,
        "make=Robin&facets=make,price_bucket,year_bucket,country,category",
    )
    .await;
    assert_eq!(page["total_estimate"], 1);
    let makes = page["facets"]["make"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(makes.len(), 4, "{makes:?}");
    let years = page["facets"]["year_bucket"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(years, vec![json!({"value": "1970s", "count": 1})]);
}

#[tokio::test]
async fn snippets_are_safe_html_and_similar_listings_share_the_category() {
    let app = spawn_app().await;
    let [dr400, _, cessna, _] = market(&app).await;

    let page = search(&app, "q=carnets").await;
    let snippet = page["items"][0]["snippet"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(snippet.contains("<mark>carnets</mark>"), "{snippet}");
    assert!(!snippet.contains("<script>"), "{snippet}");
    assert!(snippet.contains("&lt;script&gt;"), "{snippet}");

    let similar = search_path(&app, &format!("/api/v1/listings/{dr400}/similar")).await;
    let found = ids(&similar);
    assert!(!found.contains(&dr400.to_string()), "not itself");
    assert_eq!(found.len(), 3, "{similar}");
    assert!(found.contains(&cessna.to_string()));
    let res = app
        .get(&format!("/api/v1/listings/{}/similar", Uuid::now_v7()))
        .await;
    TestApp::expect_problem(res, 404, "not-found").await;
}

async fn search_path(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).await;
    assert_eq!(res.status().as_u16(), 200, "{path}");
    res.json().await.unwrap_or_default()
}
