//! The catalogue: the seeded category tree and its moderation, makes and models autocomplete,
//! airfields, and the bundled reference data.

use diesel::pg::PgConnection;
use diesel::sql_types::{BigInt, Bool, Integer, Nullable, Text};
use diesel::{QueryableByName, RunQueryDsl};
use hangar_tests::{TestApp, spawn_app};
use reqwest::Method;
use serde_json::{Value, json};

const PASSWORD: &str = "Vol de nuit au-dessus de la Beauce";

// ---------------------------------------------------------------------------------------
// Helpers

/// Registers an account, gives it `role` in the database, logs in and returns the access
/// token.
async fn login_as(app: &TestApp, email: &str, role: &str) -> String {
    let res = app
        .request(Method::POST, "/api/v1/auth/register")
        .await
        .json(&json!({
            "email": email,
            "password": PASSWORD,
            "display_name": "Catalogue Tester",
            "account_type": "private",
            "locale": "fr",
        }))
        .send()
        .await
        .unwrap_or_else(|e| panic!("register: {e}"));
    assert_eq!(res.status().as_u16(), 201, "register {email}");
    diesel::sql_query("UPDATE users SET role = $1 WHERE email = $2")
        .bind::<Text, _>(role)
        .bind::<Text, _>(email)
        .execute(&mut app.db.connect())
        .unwrap_or_else(|e| panic!("set role: {e}"));
    let res = app
        .request(Method::POST, "/api/v1/auth/login")
        .await
        .json(&json!({"email": email, "password": PASSWORD}))
        .send()
        .await
        .unwrap_or_else(|e| panic!("login: {e}"));
    assert_eq!(res.status().as_u16(), 200, "login {email}");
    let body: Value = res.json().await.unwrap_or_default();
    body["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no access token in {body}"))
        .to_owned()
}

/// Sends a request with an optional bearer token and JSON body.
async fn send(
    app: &TestApp,
    method: Method,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.request(method.clone(), path).await;
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
}

async fn get_json(app: &TestApp, path: &str) -> Value {
    let res = app.get(path).await;
    assert_eq!(res.status().as_u16(), 200, "GET {path}");
    res.json()
        .await
        .unwrap_or_else(|e| panic!("GET {path} body: {e}"))
}

async fn json_of(res: reqwest::Response) -> Value {
    res.json()
        .await
        .unwrap_or_else(|e| panic!("JSON body: {e}"))
}

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// The `field` of every item of a list answer.
fn field_of(body: &Value, field: &str) -> Vec<String> {
    body["items"]
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i[field].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn slugs(list: &Value) -> Vec<String> {
    list.as_array()
        .map(|items| {
            items
                .iter()
                .map(|i| i["slug"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// A node of the tree answer, found anywhere by slug.
fn find_node<'a>(nodes: &'a Value, slug: &str) -> Option<&'a Value> {
    nodes.as_array()?.iter().find_map(|n| {
        if n["slug"] == slug {
            Some(n)
        } else {
            find_node(&n["children"], slug)
        }
    })
}

#[derive(QueryableByName, Debug, PartialEq)]
struct CategoryRow {
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Nullable<Text>)]
    parent: Option<String>,
    #[diesel(sql_type = Integer)]
    position: i32,
    #[diesel(sql_type = Text)]
    name_fr: String,
    #[diesel(sql_type = Text)]
    name_en: String,
    #[diesel(sql_type = Text)]
    attribute_group: String,
    #[diesel(sql_type = Bool)]
    active: bool,
}

/// Every category as stored, by slug.
fn category_rows(conn: &mut PgConnection) -> Vec<CategoryRow> {
    diesel::sql_query(
        "SELECT c.slug, p.slug AS parent, c.position, c.name_fr, c.name_en, c.attribute_group,
                c.active
         FROM categories c LEFT JOIN categories p ON p.id = c.parent_id ORDER BY c.slug",
    )
    .load(conn)
    .unwrap_or_else(|e| panic!("categories: {e}"))
}

fn category_row(conn: &mut PgConnection, slug: &str) -> Option<CategoryRow> {
    category_rows(conn).into_iter().find(|r| r.slug == slug)
}

/// Children of `parent` as stored, in display order.
fn stored_children(conn: &mut PgConnection, parent: &str) -> Vec<String> {
    let mut rows: Vec<CategoryRow> = category_rows(conn)
        .into_iter()
        .filter(|r| r.parent.as_deref() == Some(parent))
        .collect();
    rows.sort_by(|a, b| (a.position, &a.slug).cmp(&(b.position, &b.slug)));
    rows.into_iter().map(|r| r.slug).collect()
}

/// Top-level categories as stored, in display order.
fn stored_roots(conn: &mut PgConnection) -> Vec<String> {
    let mut rows: Vec<CategoryRow> = category_rows(conn)
        .into_iter()
        .filter(|r| r.parent.is_none())
        .collect();
    rows.sort_by(|a, b| (a.position, &a.slug).cmp(&(b.position, &b.slug)));
    rows.into_iter().map(|r| r.slug).collect()
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    diesel::sql_query(sql)
        .get_result::<Count>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

#[derive(QueryableByName)]
struct Loaded {
    #[diesel(sql_type = Text)]
    sha256: String,
    #[diesel(sql_type = Integer)]
    rows_loaded: i32,
    #[diesel(sql_type = Text)]
    loaded_at: String,
}

fn loaded(conn: &mut PgConnection) -> Loaded {
    diesel::sql_query(
        "SELECT sha256, rows_loaded, loaded_at::text AS loaded_at FROM reference_data
         WHERE name = 'airfields'",
    )
    .get_result(conn)
    .unwrap_or_else(|e| panic!("reference_data: {e}"))
}

// ---------------------------------------------------------------------------------------
// Seeded data

#[tokio::test]
async fn a_fresh_start_has_the_seeded_catalogue() {
    let app = spawn_app().await;

    let tree = get_json(&app, "/api/v1/categories").await;

    let roots = slugs(&tree["items"]);
    assert_eq!(
        roots,
        [
            "aircraft",
            "ulm",
            "gliders",
            "helicopters",
            "balloons-airships",
            "engines",
            "propellers",
            "avionics",
            "parts",
            "pilot-equipment",
            "hangars",
            "shares",
            "services",
            "tools-ground-equipment",
        ],
        "top level, in display order"
    );
    let expected: &[(&str, &[&str], &str, &str, &str)] = &[
        (
            "aircraft",
            &[
                "single-engine-piston",
                "multi-engine-piston",
                "aerobatic",
                "vintage-warbirds",
                "homebuilt-experimental",
                "light-sport",
            ],
            "aircraft",
            "Avions",
            "Aircraft",
        ),
        (
            "ulm",
            &[
                "ulm-3-axis",
                "ulm-weight-shift",
                "ulm-gyroplanes",
                "paramotors",
                "ulm-helicopters",
            ],
            "aircraft",
            "ULM",
            "Microlights (ULM)",
        ),
        (
            "gliders",
            &["sailplanes", "motor-gliders", "self-launching-gliders"],
            "aircraft",
            "Planeurs",
            "Gliders",
        ),
        (
            "engines",
            &["piston-engines"],
            "engine",
            "Moteurs",
            "Engines",
        ),
        ("propellers", &[], "propeller", "Hélices", "Propellers"),
        (
            "avionics",
            &[],
            "avionics",
            "Avionique et instruments",
            "Avionics & instruments",
        ),
        ("parts", &[], "part", "Pièces détachées", "Parts"),
        (
            "pilot-equipment",
            &[
                "headsets",
                "parachutes",
                "pilot-clothing",
                "pilot-navigation",
            ],
            "equipment",
            "Équipement du pilote",
            "Pilot equipment",
        ),
        (
            "hangars",
            &["tie-downs"],
            "hangar",
            "Hangars et places de parking",
            "Hangars & tie-downs",
        ),
        (
            "shares",
            &[],
            "share",
            "Copropriété et parts d'avion",
            "Aircraft shares & co-ownership",
        ),
        (
            "services",
            &[
                "maintenance",
                "ferry-flights",
                "flight-training",
                "aerial-photography",
            ],
            "service",
            "Services",
            "Services",
        ),
        (
            "tools-ground-equipment",
            &["tools"],
            "equipment",
            "Outillage et matériel au sol",
            "Tools & ground equipment",
        ),
    ];
    for (slug, children, group, fr, en) in expected {
        let node = find_node(&tree["items"], slug).unwrap_or_else(|| panic!("{slug} in the tree"));
        assert_eq!(node["attribute_group"], *group, "{slug}");
        assert_eq!(node["name_fr"], *fr, "{slug}");
        assert_eq!(node["name_en"], *en, "{slug}");
        assert_eq!(node["active"], true, "{slug}");
        let got = slugs(&node["children"]);
        let mut at = 0;
        for child in *children {
            let pos = got
                .iter()
                .position(|g| g == child)
                .unwrap_or_else(|| panic!("{child} under {slug}: {got:?}"));
            assert!(pos >= at, "{child} keeps its order under {slug}: {got:?}");
            at = pos;
        }
    }
    let heli = find_node(&tree["items"], "ulm-helicopters").unwrap_or(&Value::Null);
    assert_eq!(heli["name_fr"], "ULM hélicoptères");
    assert_eq!(heli["children"], json!([]));

    let conn = &mut app.db.connect();
    assert!(count(conn, "SELECT count(*) AS n FROM makes") >= 60);
    assert!(count(conn, "SELECT count(*) AS n FROM models") >= 300);
    let makes = get_json(&app, "/api/v1/makes?limit=50").await;
    assert_eq!(field_of(&makes, "name").len(), 50);
    let robin = get_json(&app, "/api/v1/makes/robin/models?limit=50").await;
    assert_eq!(robin["make"]["name"], "Robin");
    assert_eq!(robin["make"]["country"], "FR");
    let models = field_of(&robin, "name");
    for model in ["DR400", "DR401", "HR200", "DR500 Président"] {
        assert!(
            models.iter().any(|m| m == model),
            "Robin {model}: {models:?}"
        );
    }

    // Every valid line of the bundled file, and nothing else.
    let parsed = hangar_api::seed::parse_airfields(hangar_api::seed::AIRFIELDS_CSV)
        .unwrap_or_else(|e| panic!("{e}"));
    let airfields = count(conn, "SELECT count(*) AS n FROM airfields");
    assert_eq!(airfields, parsed.rows.len() as i64);
    assert!(airfields > 28_000, "{airfields}");
    let record = loaded(conn);
    assert_eq!(record.sha256, hangar_api::seed::airfields_digest());
    assert_eq!(i64::from(record.rows_loaded), airfields);
}

#[tokio::test]
async fn reference_data_loads_once_and_again_when_the_file_changes() {
    let app = spawn_app().await;
    let conn = &mut app.db.connect();
    let before = loaded(conn);

    let outcome = hangar_api::seed::reference_data(conn).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        outcome,
        hangar_api::seed::Outcome::Unchanged,
        "same digest: nothing to do"
    );
    assert_eq!(loaded(conn).loaded_at, before.loaded_at);

    // A start-up with migrations on finds the data up to date.
    let settings =
        hangar_tests::test_settings(&app.db.url, &[("DATABASE_MIGRATE_ON_START", "true")]);
    let restarted = hangar_api::Application::build(settings)
        .await
        .unwrap_or_else(|e| panic!("start-up with migrations: {e}"));
    let handle = restarted.handle();
    let server = tokio::spawn(restarted.run_until_stopped());
    handle.stop(false).await;
    let _ = server.await;
    assert_eq!(loaded(conn).loaded_at, before.loaded_at);

    // A different file (as the digest says) replaces the whole table.
    diesel::sql_query("DELETE FROM airfields WHERE icao = 'LFJR'")
        .execute(conn)
        .unwrap_or_else(|e| panic!("{e}"));
    diesel::sql_query("UPDATE reference_data SET sha256 = repeat('0', 64)")
        .execute(conn)
        .unwrap_or_else(|e| panic!("{e}"));
    let outcome = hangar_api::seed::reference_data(conn).unwrap_or_else(|e| panic!("{e}"));
    let hangar_api::seed::Outcome::Loaded { rows, elapsed, .. } = outcome else {
        panic!("expected a reload, got {outcome:?}");
    };
    eprintln!(
        "airfields: {rows} rows loaded in {} ms",
        elapsed.as_millis()
    );
    assert_eq!(
        rows as i64,
        count(conn, "SELECT count(*) AS n FROM airfields")
    );
    assert_eq!(
        count(
            conn,
            "SELECT count(*) AS n FROM airfields WHERE icao = 'LFJR'"
        ),
        1
    );
    assert_eq!(loaded(conn).sha256, hangar_api::seed::airfields_digest());
}

// ---------------------------------------------------------------------------------------
// Reading categories

#[tokio::test]
async fn the_tree_has_an_etag_and_answers_304_when_unchanged() {
    let app = spawn_app().await;

    let res = app.get("/api/v1/categories").await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        header(&res, "cache-control").as_deref(),
        Some("public, max-age=60")
    );
    let etag = header(&res, "etag").unwrap_or_else(|| panic!("an ETag"));
    assert!(etag.starts_with('"') && etag.ends_with('"'), "{etag}");

    let again = app.get("/api/v1/categories").await;
    assert_eq!(
        header(&again, "etag").as_deref(),
        Some(etag.as_str()),
        "stable"
    );

    let cases: &[(&str, u16, &str)] = &[
        (etag.as_str(), 304, "the same ETag"),
        (&format!("\"nope\", {etag}"), 304, "in a list"),
        (&format!("W/{etag}"), 304, "weak comparison"),
        ("*", 304, "any"),
        ("\"0123456789abcdef0123456789abcdef\"", 200, "another ETag"),
    ];
    for (value, status, why) in cases {
        let res = app
            .request(Method::GET, "/api/v1/categories")
            .await
            .header("If-None-Match", *value)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(res.status().as_u16(), *status, "{why}");
        assert_eq!(
            header(&res, "etag").as_deref(),
            Some(etag.as_str()),
            "{why}"
        );
        let body = res.bytes().await.unwrap_or_default();
        assert_eq!(body.is_empty(), *status == 304, "{why}: body");
    }
}

#[tokio::test]
async fn one_category_has_its_path_and_children() {
    let app = spawn_app().await;

    let res = app.get("/api/v1/categories/ulm-gyroplanes").await;
    assert_eq!(res.status().as_u16(), 200);
    assert!(header(&res, "etag").is_some());
    let body = json_of(res).await;
    assert_eq!(body["slug"], "ulm-gyroplanes");
    assert_eq!(body["name_fr"], "Autogires");
    assert_eq!(body["name_en"], "Gyroplanes");
    assert_eq!(body["attribute_group"], "aircraft");
    assert_eq!(body["parent"], "ulm");
    assert_eq!(slugs(&body["path"]), ["ulm"]);
    assert_eq!(body["children"], json!([]));

    let top = get_json(&app, "/api/v1/categories/services").await;
    assert_eq!(top["parent"], Value::Null);
    assert_eq!(top["path"], json!([]));
    assert_eq!(
        slugs(&top["children"])[..4],
        [
            "maintenance",
            "ferry-flights",
            "flight-training",
            "aerial-photography"
        ]
    );

    let problem = TestApp::expect_problem(
        app.get("/api/v1/categories/no-such-category").await,
        404,
        "not-found",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("no-such-category")
    );
    TestApp::expect_problem(
        app.get("/api/v1/categories/Not%20A%20Slug").await,
        404,
        "not-found",
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// Makes and models

#[tokio::test]
async fn makes_autocomplete_forgives_accents_case_and_typos() {
    let app = spawn_app().await;
    // (query, expected first make, why)
    let cases: &[(&str, &str, &str)] = &[
        ("q=cesna", "Cessna", "a missing letter"),
        ("q=robbin", "Robin", "a doubled letter"),
        ("q=tecnan", "Tecnam", "a wrong last letter"),
        (
            "q=schemp",
            "Schempp-Hirth",
            "the start of a hyphenated name",
        ),
        ("q=pipistrel", "Pipistrel", "the exact name"),
        ("q=PIPISTREL", "Pipistrel", "any case"),
        ("q=pipi", "Pipistrel", "a prefix"),
        ("q=bolkow", "Bölkow", "no accent typed"),
        ("q=B%C3%B6lkow", "Bölkow", "accent typed"),
        (
            "q=air%20creation",
            "Air Création",
            "several words, no accent",
        ),
        ("q=robin", "Robin", "exact name before the longer Robinson"),
        (
            "q=hirth",
            "Hirth",
            "exact name before a later word of Schempp-Hirth",
        ),
        (
            "q=schleicher",
            "Alexander Schleicher",
            "a later word of the name",
        ),
        ("q=vans", "Van's Aircraft", "punctuation ignored"),
        (
            "q=savage",
            "Zlin Aviation (Savage)",
            "the brand in brackets",
        ),
        ("q=%20%20dynon%20", "Dynon", "surrounding spaces"),
        ("q=rotax&kind=engine", "Rotax", "with its kind"),
        ("q=magni&kind=gyroplane", "Magni Gyro", "gyroplanes"),
    ];
    for (query, first, why) in cases {
        let body = get_json(&app, &format!("/api/v1/makes?{query}")).await;
        let names = field_of(&body, "name");
        assert_eq!(
            names.first().map(String::as_str),
            Some(*first),
            "{query} ({why}): {names:?}"
        );
    }

    let hirth = field_of(&get_json(&app, "/api/v1/makes?q=hirth").await, "name");
    assert!(hirth.iter().any(|n| n == "Schempp-Hirth"), "{hirth:?}");
    let robins = field_of(&get_json(&app, "/api/v1/makes?q=robin").await, "name");
    assert!(
        robins.iter().any(|n| n == "Robinson"),
        "prefix matches follow: {robins:?}"
    );

    let none: &[(&str, &str)] = &[
        ("q=xyzzyq", "nothing near"),
        ("q=rotax&kind=aircraft", "Rotax builds no aircraft"),
    ];
    for (query, why) in none {
        let body = get_json(&app, &format!("/api/v1/makes?{query}")).await;
        assert_eq!(body["items"], json!([]), "{query} ({why})");
    }

    let avionics = get_json(&app, "/api/v1/makes?kind=avionics&limit=50").await;
    let names = field_of(&avionics, "name");
    for make in [
        "Garmin",
        "Dynon",
        "Trig Avionics",
        "Funke",
        "Becker Avionics",
    ] {
        assert!(names.iter().any(|n| n == make), "{make}: {names:?}");
    }
    for item in avionics["items"].as_array().into_iter().flatten() {
        assert!(
            item["kinds"]
                .as_array()
                .is_some_and(|k| k.contains(&json!("avionics"))),
            "{item}"
        );
    }
    assert_eq!(
        field_of(&get_json(&app, "/api/v1/makes?q=r&limit=3").await, "name").len(),
        3
    );
    assert_eq!(
        field_of(&get_json(&app, "/api/v1/makes").await, "name").len(),
        10,
        "default limit"
    );

    let res = app.get("/api/v1/makes?q=cessna").await;
    assert_eq!(
        header(&res, "cache-control").as_deref(),
        Some("public, max-age=3600")
    );
}

#[tokio::test]
async fn models_autocomplete_ignores_spaces_and_dashes_in_designations() {
    let app = spawn_app().await;
    let cessna = get_json(&app, "/api/v1/makes?q=cessna").await;
    let cessna_id = cessna["items"][0]["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    // (path, expected first model, why)
    let cases: &[(String, &str, &str)] = &[
        (
            "/api/v1/makes/robin/models?q=dr400".into(),
            "DR400",
            "exact designation",
        ),
        (
            "/api/v1/makes/robin/models?q=DR%20400".into(),
            "DR400",
            "with a space",
        ),
        (
            "/api/v1/makes/robin/models?q=dr-401".into(),
            "DR401",
            "with a dash",
        ),
        (
            "/api/v1/makes/robin/models?q=regent".into(),
            "DR400-180 Régent",
            "a word of the name, no accent",
        ),
        (
            "/api/v1/makes/piper/models?q=warior".into(),
            "PA-28-161 Warrior",
            "a typo in a word",
        ),
        (
            "/api/v1/makes/piper/models?q=pa18".into(),
            "PA-18 Super Cub",
            "designation without its dash",
        ),
        (
            format!("/api/v1/makes/{cessna_id}/models?q=172"),
            "172 Skyhawk",
            "the make by id",
        ),
        (
            "/api/v1/makes/rotax/models?q=912".into(),
            "912",
            "the shortest designation first",
        ),
        ("/api/v1/makes/jodel/models?q=d112".into(), "D112", "Jodel"),
        (
            "/api/v1/makes/schempp-hirth/models?q=duo".into(),
            "Duo Discus",
            "a glider",
        ),
    ];
    for (path, first, why) in cases {
        let body = get_json(&app, path).await;
        let names = field_of(&body, "name");
        assert_eq!(
            names.first().map(String::as_str),
            Some(*first),
            "{path} ({why}): {names:?}"
        );
    }
    let pa28 = field_of(
        &get_json(&app, "/api/v1/makes/piper/models?q=pa28").await,
        "name",
    );
    assert_eq!(pa28.len(), 4, "{pa28:?}");
    assert!(pa28.iter().all(|m| m.starts_with("PA-28")), "{pa28:?}");
    let rotax = field_of(
        &get_json(&app, "/api/v1/makes/rotax/models?q=912").await,
        "name",
    );
    assert_eq!(rotax, ["912", "912 iS", "912 S"]);

    TestApp::expect_problem(
        app.get("/api/v1/makes/no-such-make/models").await,
        404,
        "not-found",
    )
    .await;
    TestApp::expect_problem(
        app.get(&format!("/api/v1/makes/{}/models", uuid::Uuid::new_v4()))
            .await,
        404,
        "not-found",
    )
    .await;
}

// ---------------------------------------------------------------------------------------
// Airfields

#[tokio::test]
async fn airfields_are_found_by_code_name_or_city() {
    let app = spawn_app().await;
    // (query, expected ICAO, whether it must come first, why)
    let cases: &[(&str, &str, bool, &str)] = &[
        ("q=LFJR", "LFJR", true, "exact ICAO"),
        ("q=lfjr", "LFJR", true, "ICAO in lower case"),
        ("q=ANE", "LFJR", true, "exact IATA"),
        ("q=angers", "LFJR", true, "the name starts with the city"),
        (
            "q=marc%C3%A9",
            "LFJR",
            false,
            "the other town, with its accent",
        ),
        ("q=marce", "LFJR", false, "the other town, without"),
        ("q=Angers%20Marc%C3%A9", "LFJR", true, "both towns"),
        ("q=toussus", "LFPN", true, "the name"),
        (
            "q=Toussus-le-Noble",
            "LFPN",
            true,
            "the full name with dashes",
        ),
        ("q=tousus", "LFPN", true, "a typo"),
        ("q=LFPN&country=FR", "LFPN", true, "within its country"),
        ("q=lfpn&country=fr", "LFPN", true, "country in lower case"),
    ];
    for (query, icao, first, why) in cases {
        let body = get_json(&app, &format!("/api/v1/airfields?{query}")).await;
        let codes = field_of(&body, "icao");
        if *first {
            assert_eq!(
                codes.first().map(String::as_str),
                Some(*icao),
                "{query} ({why}): {codes:?}"
            );
        } else {
            assert!(
                codes.iter().any(|c| c == icao),
                "{query} ({why}): {codes:?}"
            );
        }
    }
    let short = get_json(&app, "/api/v1/airfields?q=lf&limit=50").await;
    let codes = field_of(&short, "icao");
    assert_eq!(codes.len(), 50);
    assert!(
        codes.iter().all(|c| c.starts_with("LF")),
        "short texts match code starts: {codes:?}"
    );
    let unlisted = get_json(&app, "/api/v1/airfields?country=FR&limit=3").await;
    assert_eq!(
        field_of(&unlisted, "country"),
        ["FR", "FR", "FR"],
        "no text: by code"
    );
    let abroad = get_json(&app, "/api/v1/airfields?q=LFPN&country=DE").await;
    assert_eq!(abroad["items"], json!([]));
    let french = get_json(&app, "/api/v1/airfields?q=aerodrome&country=FR&limit=50").await;
    for item in french["items"].as_array().into_iter().flatten() {
        assert_eq!(item["country"], "FR", "{item}");
    }
    let many = get_json(&app, "/api/v1/airfields?q=paris&limit=50").await;
    let n = field_of(&many, "icao").len();
    assert!((2..=50).contains(&n), "{n}");

    let res = app.get("/api/v1/airfields/lfjr").await;
    assert_eq!(res.status().as_u16(), 200);
    let etag = header(&res, "etag").unwrap_or_default();
    let lfjr = json_of(res).await;
    assert_eq!(lfjr["icao"], "LFJR");
    assert_eq!(lfjr["iata"], "ANE");
    assert_eq!(lfjr["country"], "FR");
    assert_eq!(lfjr["city"], "Angers/Marce");
    assert_eq!(lfjr["tz"], "Europe/Paris");
    assert_eq!(lfjr["elevation_ft"], 194);
    assert!((lfjr["lat"].as_f64().unwrap_or_default() - 47.5603).abs() < 1e-6);
    assert!((lfjr["lon"].as_f64().unwrap_or_default() + 0.31222).abs() < 1e-6);
    let cached = app
        .request(Method::GET, "/api/v1/airfields/LFJR")
        .await
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cached.status().as_u16(), 304);

    TestApp::expect_problem(app.get("/api/v1/airfields/ZZZ9").await, 404, "not-found").await;
}

// ---------------------------------------------------------------------------------------
// Bad parameters

#[tokio::test]
async fn bad_parameters_are_422_naming_the_parameter() {
    let app = spawn_app().await;
    // (path, the field named in `errors`, why)
    let cases: &[(&str, &str, &str)] = &[
        ("/api/v1/makes?limit=0", "limit", "limit below 1"),
        ("/api/v1/makes?limit=51", "limit", "limit above 50"),
        ("/api/v1/makes?limit=ten", "limit", "limit not a number"),
        ("/api/v1/makes?limit=-1", "limit", "negative limit"),
        ("/api/v1/makes?kind=spaceship", "kind", "unknown kind"),
        ("/api/v1/makes?query=robin", "query", "unknown parameter"),
        (
            "/api/v1/makes/robin/models?limit=100",
            "limit",
            "models: limit above 50",
        ),
        (
            "/api/v1/makes/robin/models?kind=engine",
            "kind",
            "models: unknown parameter",
        ),
        (
            "/api/v1/airfields?limit=0",
            "limit",
            "airfields: limit below 1",
        ),
        (
            "/api/v1/airfields?limit=51",
            "limit",
            "airfields: limit above 50",
        ),
        (
            "/api/v1/airfields?country=FRA",
            "country",
            "three-letter country",
        ),
        (
            "/api/v1/airfields?country=F1",
            "country",
            "digit in the country",
        ),
        (
            "/api/v1/airfields?icao=LFPN",
            "icao",
            "airfields: unknown parameter",
        ),
        (
            "/api/v1/categories?depth=2",
            "depth",
            "tree: unknown parameter",
        ),
        (
            "/api/v1/categories/aircraft?lang=fr",
            "lang",
            "category: unknown parameter",
        ),
        ("/api/v1/airfields/LFP", "icao", "three characters"),
        ("/api/v1/airfields/LFPNX", "icao", "five characters"),
        ("/api/v1/airfields/LF-N", "icao", "a dash"),
        ("/api/v1/airfields/L%C3%89PN", "icao", "a non-ASCII letter"),
    ];
    for (path, field, why) in cases {
        let problem = TestApp::expect_problem(app.get(path).await, 422, "validation").await;
        assert!(
            problem["errors"].get(*field).is_some(),
            "{path} ({why}) names `{field}`: {problem}"
        );
    }
    let long = format!("/api/v1/makes?q={}", "a".repeat(101));
    TestApp::expect_problem(app.get(&long).await, 422, "validation").await;
    let problem = TestApp::expect_problem(
        app.get("/api/v1/categories?include_inactive=maybe").await,
        422,
        "validation",
    )
    .await;
    assert!(problem["errors"].is_object());
}

// ---------------------------------------------------------------------------------------
// Writes: who may

#[tokio::test]
async fn only_moderators_with_a_session_change_categories() {
    let app = spawn_app().await;
    let member = login_as(&app, "member@example.fr", "user").await;
    let moderator = login_as(&app, "moderator@example.fr", "moderator").await;
    let res = send(
        &app,
        Method::POST,
        "/api/v1/users/me/tokens",
        Some(&moderator),
        Some(json!({"name": "catalogue script", "scopes": ["listings:write", "account"]})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    let moderator_pat = json_of(res).await["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let conn = &mut app.db.connect();
    let before = category_rows(conn);

    let writes: Vec<(Method, &str, Option<Value>)> = vec![
        (
            Method::POST,
            "/api/v1/categories",
            Some(
                json!({"slug": "floatplanes", "name_fr": "Hydravions", "name_en": "Floatplanes",
                        "attribute_group": "aircraft", "parent": "aircraft"}),
            ),
        ),
        (
            Method::PATCH,
            "/api/v1/categories/aerobatic",
            Some(json!({"name_en": "Aerobatics"})),
        ),
        (
            Method::PATCH,
            "/api/v1/categories/aerobatic",
            Some(json!({"parent": "gliders"})),
        ),
        (Method::DELETE, "/api/v1/categories/ulm-aerostats", None),
        (
            Method::DELETE,
            "/api/v1/categories/balloons-airships?move_to=aircraft",
            None,
        ),
        (
            Method::PUT,
            "/api/v1/categories/gliders/children/order",
            Some(
                json!({"children": ["glider-trailers", "self-launching-gliders", "motor-gliders", "sailplanes"]}),
            ),
        ),
    ];
    for (method, path, body) in &writes {
        let res = send(&app, method.clone(), path, None, body.clone()).await;
        TestApp::expect_problem(res, 401, "unauthorized").await;
        let res = send(&app, method.clone(), path, Some(&member), body.clone()).await;
        TestApp::expect_problem(res, 403, "forbidden").await;
        let res = send(
            &app,
            method.clone(),
            path,
            Some("not-a-token"),
            body.clone(),
        )
        .await;
        TestApp::expect_problem(res, 401, "unauthorized").await;
        let res = send(
            &app,
            method.clone(),
            path,
            Some(&moderator_pat),
            body.clone(),
        )
        .await;
        TestApp::expect_problem(res, 403, "forbidden").await;
    }
    assert_eq!(category_rows(conn), before, "nothing changed");

    // Seeing inactive categories is for moderators too.
    for path in [
        "/api/v1/categories?include_inactive=true",
        "/api/v1/categories/aircraft?include_inactive=true",
    ] {
        TestApp::expect_problem(
            send(&app, Method::GET, path, None, None).await,
            401,
            "unauthorized",
        )
        .await;
        TestApp::expect_problem(
            send(&app, Method::GET, path, Some(&member), None).await,
            403,
            "forbidden",
        )
        .await;
        let res = send(&app, Method::GET, path, Some(&moderator), None).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        assert_eq!(
            header(&res, "cache-control").as_deref(),
            Some("private, no-cache")
        );
    }
    // include_inactive=false needs nobody.
    let res = send(
        &app,
        Method::GET,
        "/api/v1/categories?include_inactive=false",
        None,
        None,
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);

    // Administrators include moderators.
    let admin = login_as(&app, "admin@example.fr", "admin").await;
    let (method, path, body) = &writes[0];
    let res = send(&app, method.clone(), path, Some(&admin), body.clone()).await;
    assert_eq!(res.status().as_u16(), 201);
}

// ---------------------------------------------------------------------------------------
// Writes: what they do

#[tokio::test]
async fn moderators_create_edit_and_hide_categories() {
    let app = spawn_app().await;
    let moderator = login_as(&app, "moderator@example.fr", "moderator").await;
    let conn = &mut app.db.connect();
    let tree_etag = header(&app.get("/api/v1/categories").await, "etag").unwrap_or_default();

    let res = send(
        &app,
        Method::POST,
        "/api/v1/categories",
        Some(&moderator),
        Some(json!({"slug": "floatplanes", "name_fr": " Hydravions ", "name_en": "Floatplanes & amphibians",
                    "attribute_group": "aircraft", "parent": "aircraft"})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    assert_eq!(
        header(&res, "location").as_deref(),
        Some("/api/v1/categories/floatplanes")
    );
    let created = json_of(res).await;
    assert_eq!(created["slug"], "floatplanes");
    assert_eq!(created["parent"], "aircraft");
    assert_eq!(slugs(&created["path"]), ["aircraft"]);
    assert_eq!(created["active"], true);
    let aircraft_children = stored_children(conn, "aircraft");
    assert_eq!(
        aircraft_children.last().map(String::as_str),
        Some("floatplanes"),
        "goes last"
    );
    let row = category_row(conn, "floatplanes").unwrap_or_else(|| panic!("stored"));
    assert_eq!(
        (
            row.name_fr.as_str(),
            row.name_en.as_str(),
            row.attribute_group.as_str()
        ),
        ("Hydravions", "Floatplanes & amphibians", "aircraft"),
        "names trimmed"
    );
    let new_etag = header(&app.get("/api/v1/categories").await, "etag").unwrap_or_default();
    assert_ne!(new_etag, tree_etag, "the tree changed, so did its ETag");

    let top = send(
        &app,
        Method::POST,
        "/api/v1/categories",
        Some(&moderator),
        Some(json!({"slug": "drones", "name_fr": "Drones", "name_en": "Drones", "attribute_group": "equipment"})),
    )
    .await;
    assert_eq!(top.status().as_u16(), 201);
    assert_eq!(
        category_row(conn, "drones").map(|r| (r.parent, r.position)),
        Some((None, 14))
    );

    // Bad creations: (body, field, status, why)
    let bad: &[(Value, &str, u16, &str)] = &[
        (
            json!({"slug": "floatplanes", "name_fr": "Hydros", "name_en": "Floats", "attribute_group": "aircraft"}),
            "slug",
            409,
            "slug taken",
        ),
        (
            json!({"slug": "Float Planes", "name_fr": "Hydros", "name_en": "Floats", "attribute_group": "aircraft"}),
            "slug",
            422,
            "slug with capitals and a space",
        ),
        (
            json!({"slug": "x", "name_fr": "Hydros", "name_en": "Floats", "attribute_group": "aircraft"}),
            "slug",
            422,
            "slug too short",
        ),
        (
            json!({"slug": "seaplanes", "name_fr": "H", "name_en": "Floats", "attribute_group": "aircraft"}),
            "name_fr",
            422,
            "name too short",
        ),
        (
            json!({"slug": "seaplanes", "name_fr": "Hydros", "name_en": "Two\nlines", "attribute_group": "aircraft"}),
            "name_en",
            422,
            "name on two lines",
        ),
        (
            json!({"slug": "seaplanes", "name_fr": "Hydros", "name_en": "Floats", "attribute_group": "rockets"}),
            "attribute_group",
            422,
            "unknown attribute group",
        ),
        (
            json!({"slug": "seaplanes", "name_fr": "Hydros", "name_en": "Floats", "attribute_group": "aircraft",
                "parent": "no-such-category"}),
            "parent",
            422,
            "unknown parent",
        ),
        (
            json!({"slug": "seaplanes", "name_fr": "Hydros", "name_en": "Floats", "attribute_group": "aircraft",
                "position": 3}),
            "position",
            422,
            "unknown field",
        ),
        (
            json!({"slug": "seaplanes", "name_fr": "Hydros", "attribute_group": "aircraft"}),
            "name_en",
            422,
            "missing field",
        ),
    ];
    let rows_before = category_rows(conn);
    for (body, field, status, why) in bad {
        let res = send(
            &app,
            Method::POST,
            "/api/v1/categories",
            Some(&moderator),
            Some(body.clone()),
        )
        .await;
        let slug = if *status == 409 {
            "conflict"
        } else {
            "validation"
        };
        let problem = TestApp::expect_problem(res, *status, slug).await;
        assert!(problem["errors"].get(*field).is_some(), "{why}: {problem}");
    }
    assert_eq!(
        category_rows(conn),
        rows_before,
        "no bad creation stored anything"
    );

    // Edit names and hide it: the public no longer sees it, moderators do.
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/categories/floatplanes",
        Some(&moderator),
        Some(json!({"name_en": "Seaplanes", "attribute_group": "aircraft", "active": false})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let patched = json_of(res).await;
    assert_eq!(patched["name_en"], "Seaplanes");
    assert_eq!(patched["name_fr"], "Hydravions", "untouched");
    assert_eq!(patched["active"], false);
    let row = category_row(conn, "floatplanes").unwrap_or_else(|| panic!("stored"));
    assert_eq!((row.name_en.as_str(), row.active), ("Seaplanes", false));
    TestApp::expect_problem(
        app.get("/api/v1/categories/floatplanes").await,
        404,
        "not-found",
    )
    .await;
    let public = get_json(&app, "/api/v1/categories").await;
    assert!(find_node(&public["items"], "floatplanes").is_none());
    let aircraft = get_json(&app, "/api/v1/categories/aircraft").await;
    assert!(!slugs(&aircraft["children"]).contains(&"floatplanes".to_owned()));
    let res = send(
        &app,
        Method::GET,
        "/api/v1/categories?include_inactive=true",
        Some(&moderator),
        None,
    )
    .await;
    let full = json_of(res).await;
    assert_eq!(
        find_node(&full["items"], "floatplanes").map(|n| n["active"].clone()),
        Some(json!(false))
    );

    // Hiding a parent hides its subtree.
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/categories/ulm",
        Some(&moderator),
        Some(json!({"active": false})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    TestApp::expect_problem(
        app.get("/api/v1/categories/ulm-gyroplanes").await,
        404,
        "not-found",
    )
    .await;
    let public = get_json(&app, "/api/v1/categories").await;
    assert!(find_node(&public["items"], "ulm-gyroplanes").is_none());
    let res = send(
        &app,
        Method::GET,
        "/api/v1/categories/ulm-gyroplanes?include_inactive=true",
        Some(&moderator),
        None,
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);

    // An empty edit changes nothing; unknown category and fields.
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/categories/aerobatic",
        Some(&moderator),
        Some(json!({})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    TestApp::expect_problem(
        send(
            &app,
            Method::PATCH,
            "/api/v1/categories/no-such",
            Some(&moderator),
            Some(json!({"active": true})),
        )
        .await,
        404,
        "not-found",
    )
    .await;
    let problem = TestApp::expect_problem(
        send(
            &app,
            Method::PATCH,
            "/api/v1/categories/aerobatic",
            Some(&moderator),
            Some(json!({"slug": "stunts"})),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(
        problem["errors"].get("slug").is_some(),
        "the slug never changes: {problem}"
    );
}

#[tokio::test]
async fn moving_a_category_under_itself_is_a_cycle() {
    let app = spawn_app().await;
    let moderator = login_as(&app, "moderator@example.fr", "moderator").await;
    let conn = &mut app.db.connect();

    // A legal move first: aerobatic goes under gliders, last; then back to the top level.
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/categories/aerobatic",
        Some(&moderator),
        Some(json!({"parent": "gliders"})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let moved = json_of(res).await;
    assert_eq!(moved["parent"], "gliders");
    assert_eq!(
        stored_children(conn, "gliders").last().map(String::as_str),
        Some("aerobatic")
    );
    assert!(!stored_children(conn, "aircraft").contains(&"aerobatic".to_owned()));
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/categories/aerobatic",
        Some(&moderator),
        Some(json!({"parent": null})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let row = category_row(conn, "aerobatic").unwrap_or_else(|| panic!("stored"));
    assert_eq!((row.parent, row.position), (None, 14), "top level, last");

    // Nest ulm under aircraft to have a grandchild, then try the cycles.
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/categories/ulm",
        Some(&moderator),
        Some(json!({"parent": "aircraft"})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let deep = get_json(&app, "/api/v1/categories/ulm-3-axis").await;
    assert_eq!(
        slugs(&deep["path"]),
        ["aircraft", "ulm"],
        "the breadcrumb follows"
    );
    let before = category_rows(conn);
    // (category, new parent, why)
    let cycles: &[(&str, &str, &str)] = &[
        ("aircraft", "aircraft", "under itself"),
        ("aircraft", "single-engine-piston", "under its child"),
        ("aircraft", "ulm-3-axis", "under its grandchild"),
        ("ulm", "ulm-weight-shift", "a middle node under its child"),
    ];
    for (slug, parent, why) in cycles {
        let res = send(
            &app,
            Method::PATCH,
            &format!("/api/v1/categories/{slug}"),
            Some(&moderator),
            Some(json!({"parent": parent, "name_en": "Renamed"})),
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        let message = problem["errors"]["parent"][0].as_str().unwrap_or_default();
        assert!(message.starts_with("cycle"), "{why}: {problem}");
    }
    let problem = TestApp::expect_problem(
        send(
            &app,
            Method::PATCH,
            "/api/v1/categories/aircraft",
            Some(&moderator),
            Some(json!({"parent": "nowhere"})),
        )
        .await,
        422,
        "validation",
    )
    .await;
    assert!(problem["errors"].get("parent").is_some());
    assert_eq!(
        category_rows(conn),
        before,
        "nothing changed, names included"
    );

    // The database refuses a cycle even if the API's check were bypassed.
    let direct = diesel::sql_query(
        "UPDATE categories SET parent_id = (SELECT id FROM categories WHERE slug = 'ulm-3-axis')
         WHERE slug = 'aircraft'",
    )
    .execute(conn);
    assert!(direct.is_err(), "the trigger refuses cycles");
}

#[tokio::test]
async fn moderators_reorder_children() {
    let app = spawn_app().await;
    let moderator = login_as(&app, "moderator@example.fr", "moderator").await;
    let conn = &mut app.db.connect();
    let current = stored_children(conn, "pilot-equipment");
    let reversed: Vec<String> = current.iter().rev().cloned().collect();

    let res = send(
        &app,
        Method::PUT,
        "/api/v1/categories/pilot-equipment/children/order",
        Some(&moderator),
        Some(json!({"children": reversed})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let body = json_of(res).await;
    assert_eq!(slugs(&body["children"]), reversed);
    assert_eq!(stored_children(conn, "pilot-equipment"), reversed);
    let positions: Vec<i32> = reversed
        .iter()
        .filter_map(|s| category_row(conn, s).map(|r| r.position))
        .collect();
    assert_eq!(positions, (0..reversed.len() as i32).collect::<Vec<_>>());
    let tree = get_json(&app, "/api/v1/categories").await;
    let node = find_node(&tree["items"], "pilot-equipment").unwrap_or(&Value::Null);
    assert_eq!(slugs(&node["children"]), reversed, "the tree follows");

    let mut missing = reversed.clone();
    missing.pop();
    let mut unknown = reversed.clone();
    unknown.push("no-such".into());
    let mut other_parent = reversed.clone();
    other_parent.push("sailplanes".into());
    let mut twice = reversed.clone();
    twice.push(reversed[0].clone());
    let mut swapped = reversed.clone();
    swapped[0] = "sailplanes".into();
    let bad: &[(Vec<String>, &str)] = &[
        (missing, "a child left out"),
        (unknown, "an unknown slug"),
        (other_parent, "another category's child"),
        (twice, "a child twice"),
        (swapped, "a child replaced by another's"),
        (vec![], "nothing"),
    ];
    for (order, why) in bad {
        let res = send(
            &app,
            Method::PUT,
            "/api/v1/categories/pilot-equipment/children/order",
            Some(&moderator),
            Some(json!({"children": order})),
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(
            problem["errors"].get("children").is_some(),
            "{why}: {problem}"
        );
    }
    assert_eq!(
        stored_children(conn, "pilot-equipment"),
        reversed,
        "unchanged by bad orders"
    );

    // A leaf has no children: only the empty list fits.
    let res = send(
        &app,
        Method::PUT,
        "/api/v1/categories/headsets/children/order",
        Some(&moderator),
        Some(json!({"children": []})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    TestApp::expect_problem(
        send(
            &app,
            Method::PUT,
            "/api/v1/categories/no-such/children/order",
            Some(&moderator),
            Some(json!({"children": []})),
        )
        .await,
        404,
        "not-found",
    )
    .await;
}

#[tokio::test]
async fn administrators_reorder_the_top_level() {
    let app = spawn_app().await;
    let admin = login_as(&app, "admin@example.fr", "admin").await;
    let conn = &mut app.db.connect();
    // A hidden top-level category is part of the level: it must be listed too.
    let res = send(
        &app,
        Method::PATCH,
        "/api/v1/categories/balloons-airships",
        Some(&admin),
        Some(json!({"active": false})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let current = stored_roots(conn);
    assert!(current.len() > 5, "the seeded top level: {current:?}");
    assert!(current.contains(&"balloons-airships".to_owned()));
    let reversed: Vec<String> = current.iter().rev().cloned().collect();
    let before_children = stored_children(conn, "aircraft");

    let res = send(
        &app,
        Method::PUT,
        "/api/v1/categories/order",
        Some(&admin),
        Some(json!({"children": reversed})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    let body = json_of(res).await;
    assert_eq!(
        slugs(&body["items"]),
        reversed,
        "the answer is the new tree"
    );
    let aircraft = find_node(&body["items"], "aircraft").unwrap_or(&Value::Null);
    assert_eq!(
        slugs(&aircraft["children"]),
        before_children,
        "subtrees move with their category"
    );
    let hidden = find_node(&body["items"], "balloons-airships").unwrap_or(&Value::Null);
    assert_eq!(
        hidden["active"], false,
        "hidden categories are in the answer"
    );
    assert_eq!(stored_roots(conn), reversed, "stored");
    let positions: Vec<i32> = reversed
        .iter()
        .filter_map(|s| category_row(conn, s).map(|r| r.position))
        .collect();
    assert_eq!(positions, (0..reversed.len() as i32).collect::<Vec<_>>());
    assert_eq!(stored_children(conn, "aircraft"), before_children);
    // The public tree follows, without the hidden category.
    let tree = get_json(&app, "/api/v1/categories").await;
    let public: Vec<String> = reversed
        .iter()
        .filter(|s| s.as_str() != "balloons-airships")
        .cloned()
        .collect();
    assert_eq!(slugs(&tree["items"]), public, "GET /categories follows");
    let res = send(
        &app,
        Method::GET,
        "/api/v1/categories?include_inactive=true",
        Some(&admin),
        None,
    )
    .await;
    assert_eq!(slugs(&json_of(res).await["items"]), reversed);

    // Lists that are not exactly the top level.
    let mut missing = reversed.clone();
    missing.pop();
    let mut unknown = reversed.clone();
    unknown.push("no-such".into());
    let mut child = reversed.clone();
    child.push("single-engine-piston".into());
    let mut twice = reversed.clone();
    twice.push(reversed[0].clone());
    let mut swapped = reversed.clone();
    swapped[0] = "sailplanes".into();
    let bad: &[(Vec<String>, &str, &str)] = &[
        (missing, "a category left out", "misses"),
        (unknown, "an unknown slug", "is not a top-level category"),
        (
            child,
            "a subcategory",
            "`single-engine-piston` is not a top-level category",
        ),
        (twice, "a category twice", "more than once"),
        (
            swapped,
            "a category replaced by a subcategory",
            "is not a top-level category",
        ),
        (vec![], "nothing", "misses"),
    ];
    for (order, why, message) in bad {
        let res = send(
            &app,
            Method::PUT,
            "/api/v1/categories/order",
            Some(&admin),
            Some(json!({"children": order})),
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        let messages = problem["errors"]["children"].to_string();
        assert!(messages.contains(message), "{why}: {problem}");
    }
    for (body, why) in [
        (json!({"order": reversed}), "another field name"),
        (json!({"children": "aircraft"}), "not a list"),
        (json!({}), "no list"),
    ] {
        let res = send(
            &app,
            Method::PUT,
            "/api/v1/categories/order",
            Some(&admin),
            Some(body),
        )
        .await;
        assert_eq!(res.status().as_u16(), 422, "{why}");
    }
    assert_eq!(stored_roots(conn), reversed, "unchanged by bad orders");
}

#[tokio::test]
async fn only_administrators_with_a_session_reorder_the_top_level() {
    let app = spawn_app().await;
    let member = login_as(&app, "member@example.fr", "user").await;
    let moderator = login_as(&app, "moderator@example.fr", "moderator").await;
    let admin = login_as(&app, "admin@example.fr", "admin").await;
    let res = send(
        &app,
        Method::POST,
        "/api/v1/users/me/tokens",
        Some(&admin),
        Some(json!({"name": "catalogue script", "scopes": ["listings:write", "account"]})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    let admin_pat = json_of(res).await["token"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let conn = &mut app.db.connect();
    let current = stored_roots(conn);
    let reversed: Vec<String> = current.iter().rev().cloned().collect();
    let body = json!({"children": reversed});

    for (token, status, kind, who) in [
        (None, 401, "unauthorized", "anonymous"),
        (Some("not-a-token"), 401, "unauthorized", "a bad token"),
        (Some(member.as_str()), 403, "forbidden", "a member"),
        (Some(moderator.as_str()), 403, "forbidden", "a moderator"),
        (
            Some(admin_pat.as_str()),
            403,
            "forbidden",
            "an administrator's token",
        ),
    ] {
        let res = send(
            &app,
            Method::PUT,
            "/api/v1/categories/order",
            token,
            Some(body.clone()),
        )
        .await;
        assert_eq!(res.status().as_u16(), status, "{who}");
        TestApp::expect_problem(res, status, kind).await;
    }
    assert_eq!(stored_roots(conn), current, "nothing changed");
    // Moderators still order the levels below.
    let children = stored_children(conn, "gliders");
    let res = send(
        &app,
        Method::PUT,
        "/api/v1/categories/gliders/children/order",
        Some(&moderator),
        Some(json!({"children": children.iter().rev().collect::<Vec<_>>()})),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    // The path is no category: other methods are refused or find nothing.
    let res = send(
        &app,
        Method::POST,
        "/api/v1/categories/order",
        Some(&admin),
        Some(body.clone()),
    )
    .await;
    assert_eq!(res.status().as_u16(), 405);
    let res = send(
        &app,
        Method::PUT,
        "/api/v1/categories/order",
        Some(&admin),
        Some(body),
    )
    .await;
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(stored_roots(conn), reversed);
}

#[tokio::test]
async fn deleting_a_category_with_children_needs_somewhere_to_move_them() {
    let app = spawn_app().await;
    let moderator = login_as(&app, "moderator@example.fr", "moderator").await;
    let conn = &mut app.db.connect();
    let balloons = stored_children(conn, "balloons-airships");
    assert_eq!(balloons, ["hot-air-balloons", "gas-balloons", "airships"]);
    let before = category_rows(conn);

    let problem = TestApp::expect_problem(
        send(
            &app,
            Method::DELETE,
            "/api/v1/categories/balloons-airships",
            Some(&moderator),
            None,
        )
        .await,
        409,
        "conflict",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("move_to"),
        "{problem}"
    );
    // (move_to, why)
    let bad: &[(&str, &str)] = &[
        ("no-such", "unknown target"),
        ("balloons-airships", "the category itself"),
        ("hot-air-balloons", "one of its own children"),
    ];
    for (target, why) in bad {
        let res = send(
            &app,
            Method::DELETE,
            &format!("/api/v1/categories/balloons-airships?move_to={target}"),
            Some(&moderator),
            None,
        )
        .await;
        let problem = TestApp::expect_problem(res, 422, "validation").await;
        assert!(
            problem["errors"].get("move_to").is_some(),
            "{why}: {problem}"
        );
    }
    assert_eq!(category_rows(conn), before, "nothing deleted or moved");

    let aircraft_before = stored_children(conn, "aircraft");
    let res = send(
        &app,
        Method::DELETE,
        "/api/v1/categories/balloons-airships?move_to=aircraft",
        Some(&moderator),
        None,
    )
    .await;
    assert_eq!(res.status().as_u16(), 204);
    assert!(category_row(conn, "balloons-airships").is_none(), "deleted");
    let aircraft_after = stored_children(conn, "aircraft");
    let expected: Vec<String> = aircraft_before
        .iter()
        .chain(balloons.iter())
        .cloned()
        .collect();
    assert_eq!(
        aircraft_after, expected,
        "children moved last, in their order"
    );
    TestApp::expect_problem(
        app.get("/api/v1/categories/balloons-airships").await,
        404,
        "not-found",
    )
    .await;
    let moved = get_json(&app, "/api/v1/categories/airships").await;
    assert_eq!(moved["parent"], "aircraft");

    // A leaf goes without move_to.
    let res = send(
        &app,
        Method::DELETE,
        "/api/v1/categories/ulm-aerostats",
        Some(&moderator),
        None,
    )
    .await;
    assert_eq!(res.status().as_u16(), 204);
    assert!(category_row(conn, "ulm-aerostats").is_none());
    TestApp::expect_problem(
        send(
            &app,
            Method::DELETE,
            "/api/v1/categories/ulm-aerostats",
            Some(&moderator),
            None,
        )
        .await,
        404,
        "not-found",
    )
    .await;
    TestApp::expect_problem(
        send(
            &app,
            Method::DELETE,
            "/api/v1/categories/tools?to=aircraft",
            Some(&moderator),
            None,
        )
        .await,
        422,
        "validation",
    )
    .await;
}
