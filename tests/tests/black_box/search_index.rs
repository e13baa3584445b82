//! The in-process full-text index (`SEARCH_INDEX`): a service that has it answers every
//! search exactly as one that walks PostgreSQL alone, and sees every change at once, its own
//! and other replicas' (written straight into the database here).

use hangar_api::search::index::SearchIndex;
use hangar_api::search::{Filters, query};
use hangar_tests::accounts::execute;
use hangar_tests::listings::{Member, create_ok, dr400, force_status, seller, with};
use hangar_tests::{TestApp, spawn_app_on, spawn_app_with};

use super::search::ids;
use serde_json::{Value, json};
use uuid::Uuid;

/// Facets drawn from a sample of five (the sample is then the index's too).
const SETTINGS: [(&str, &str); 2] = [("FACETS_LIVE_MAX_ROWS", "0"), ("FACETS_SAMPLE", "5")];

fn listing(title: &str, description: &str, make: &str, price: i64, year: i64) -> Value {
    let body = with(dr400(), "/publish", json!(true));
    let body = with(body, "/title", json!(title));
    let body = with(body, "/description", json!(description));
    let body = with(body, "/attributes/make", json!(make));
    let body = with(body, "/attributes/year", json!(year));
    with(body, "/price/amount", json!(price))
}

const TITLES: [&str; 6] = [
    "Robin DR400-140B",
    "Piper PA-28 Warrior",
    "Cessna 172 Skyhawk",
    "Jodel D112",
    "Robin DR 400 Major",
    "Socata TB10 Tobago",
];
const DESCRIPTIONS: [&str; 5] = [
    "Moteur révisé, hélice neuve, hangaré à Marcé.",
    "Engine overhauled, new propeller, hangared.",
    "Moteurs et hélices en bon état, révision annuelle faite.",
    "Avion de voyage, peinture refaite, carnets complets.",
    "IFR panel, engines low time, annual done.",
];
const MAKES: [&str; 4] = ["Robin", "Piper", "Cessna", "Jodel"];

/// Forty listings from two sellers, in publication order; the second seller's are the newest
/// and are then hidden by suspending them (the index holds them, PostgreSQL turns them
/// down). Some are sold (one too long ago to show), withdrawn or in draft.
async fn market(app: &TestApp) -> (Member, Vec<Uuid>) {
    let first = seller(app, "premier@example.fr");
    let second = seller(app, "second@example.fr");
    let mut ids = Vec::new();
    for i in 0..40usize {
        let owner = if i >= 34 { &second } else { &first };
        let body = listing(
            &format!("{} n°{i}", TITLES[i % TITLES.len()]),
            DESCRIPTIONS[i % DESCRIPTIONS.len()],
            MAKES[i % MAKES.len()],
            2_000_000 + 250_000 * i as i64,
            1960 + i as i64,
        );
        ids.push(create_ok(app, &owner.token, &body).await);
    }
    // Distinct, ordered publication dates (and two equal ones: ties are broken by id).
    for (i, id) in ids.iter().enumerate() {
        let minutes = if i == 11 { 10 } else { i };
        execute(
            app,
            &format!(
                "UPDATE listings SET published_at = now() - interval '2 days' \
                 + interval '{minutes} minutes' WHERE id = '{id}'"
            ),
        );
    }
    force_status(app, ids[3], "sold");
    force_status(app, ids[8], "sold");
    execute(
        app,
        &format!(
            "UPDATE listings SET sold_at = now() - interval '40 days' WHERE id = '{}'",
            ids[8]
        ),
    );
    force_status(app, ids[5], "withdrawn");
    force_status(app, ids[6], "draft");
    execute(
        app,
        &format!(
            "UPDATE users SET status = 'suspended' WHERE id = '{}'",
            second.id
        ),
    );
    (first, ids)
}

/// Every page of a search, five at a time, following the cursors.
async fn pages(app: &TestApp, query: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut path = format!("/api/v1/listings?{query}&limit=5");
    loop {
        let res = app.get(&path).await;
        assert_eq!(res.status().as_u16(), 200, "{path}");
        let page: Value = res.json().await.unwrap_or_default();
        let next = page["next_cursor"].as_str().map(str::to_owned);
        out.push(page);
        match next {
            Some(cursor) if out.len() < 20 => {
                path = format!("/api/v1/listings?{query}&limit=5&cursor={cursor}");
            }
            _ => return out,
        }
    }
}

#[tokio::test]
async fn the_index_answers_every_search_as_postgresql_alone() {
    // Arrange: one database, a service with the index and one without.
    let app = spawn_app_with(&SETTINGS).await;
    let (_, ids) = market(&app).await;
    let mut walker_settings = SETTINGS.to_vec();
    walker_settings.push(("SEARCH_INDEX", "false"));
    let walker = spawn_app_on(app.db.shared(), &walker_settings).await;
    let suspended: Vec<String> = ids[34..].iter().map(Uuid::to_string).collect();

    let cases = [
        ("q=moteur", "one word, its French stems"),
        ("q=moteur%20r%C3%A9vision", "two words, both languages"),
        ("q=helice&sort=newest", "newest first, accents forgiven"),
        ("q=dr400", "a designation written together"),
        (
            "q=DR-400%20hangar%C3%A9",
            "a designation with a dash, and a second word",
        ),
        ("q=cesna%20172", "a make's near-miss"),
        ("q=moteur%20-h%C3%A9lice", "a negation"),
        (
            "q=%22moteur%20r%C3%A9vis%C3%A9%22",
            "a phrase (the index takes its words)",
        ),
        ("q=robin%20or%20piper", "or"),
        (
            "q=moteur&price_min=4000000&price_max=9000000",
            "a price range",
        ),
        ("q=moteur&make=robin", "a make, any case"),
        (
            "q=engine&country=FR&year_min=1970&year_max=1990",
            "country and years",
        ),
        ("q=moteur&include_sold=true", "recently sold ones too"),
        ("q=moteur&posted_within_days=30", "posted lately"),
        (
            "q=moteur&category=aircraft",
            "a category and its descendants",
        ),
        (
            "q=moteur&sort=newest&include_sold=true",
            "newest first with sold ones",
        ),
        (
            "q=moteur&ifr=true",
            "a filter the index does not hold (walked)",
        ),
        ("q=le%20la", "stop words only"),
        (
            "q=moteur&facets=category,make,country,price_bucket,year_bucket",
            "sampled facets",
        ),
        (
            "q=h%C3%A9lice&make=Cessna&facets=make,year_bucket&sort=newest",
            "sampled facets without the facet's own filter",
        ),
    ];
    for (query, why) in cases {
        // Act
        let indexed = pages(&app, query).await;
        let walked = pages(&walker, query).await;

        // Assert: the same pages, item for item, cursors, totals and facets included.
        assert_eq!(indexed, walked, "{why}: {query}");
        let shown: Vec<&str> = indexed
            .iter()
            .flat_map(|p| p["items"].as_array().cloned().unwrap_or_default())
            .filter_map(|i| i["id"].as_str().map(str::to_owned))
            .filter(|id| suspended.contains(id))
            .map(|_| "suspended")
            .collect();
        assert!(
            shown.is_empty(),
            "{why}: a suspended seller's listing shown"
        );
    }
    // The broad ones found something: the comparison is not between two empty lists.
    let moteur = pages(&app, "q=moteur").await;
    assert!(moteur.len() >= 3, "{moteur:?}");
}

#[tokio::test]
async fn changes_are_found_at_once_whoever_made_them() {
    // Arrange
    let app = spawn_app_with(&[]).await;
    let owner = seller(&app, "vendeur@example.fr");
    let id = create_ok(
        &app,
        &owner.token,
        &listing(
            "Pitts S-2B voltige",
            "Biplan, moteur Lycoming.",
            "Pitts",
            15_000_000,
            1998,
        ),
    )
    .await;
    let found = |page: Value| ids(&page);
    let search = |q: &'static str| {
        let app = &app;
        async move {
            let res = app.get(&format!("/api/v1/listings?q={q}")).await;
            assert_eq!(res.status().as_u16(), 200, "{q}");
            res.json::<Value>().await.unwrap_or_default()
        }
    };
    let me = vec![id.to_string()];
    assert_eq!(
        found(search("voltige").await),
        me,
        "created through the API"
    );

    // Another replica renames it (straight into the database).
    execute(
        &app,
        &format!("UPDATE listings SET title = 'Pitts S-2B acrobatie' WHERE id = '{id}'"),
    );
    assert_eq!(found(search("acrobatie").await), me, "the new word");
    assert!(found(search("voltige").await).is_empty(), "the old word");

    // Withdrawn, then published again, then its seller suspended, then restored.
    force_status(&app, id, "withdrawn");
    assert!(found(search("acrobatie").await).is_empty(), "withdrawn");
    force_status(&app, id, "published");
    assert_eq!(found(search("acrobatie").await), me, "published again");
    execute(
        &app,
        &format!(
            "UPDATE users SET status = 'suspended' WHERE id = '{}'",
            owner.id
        ),
    );
    assert!(
        found(search("acrobatie").await).is_empty(),
        "seller suspended"
    );
    execute(
        &app,
        &format!(
            "UPDATE users SET status = 'active' WHERE id = '{}'",
            owner.id
        ),
    );
    assert_eq!(found(search("acrobatie").await), me, "seller restored");

    // A change other than what search reads (a view count) leaves the index alone.
    let changed_before = search_changed(&app, id);
    execute(
        &app,
        &format!("UPDATE listings SET view_count = view_count + 1 WHERE id = '{id}'"),
    );
    assert_eq!(
        search_changed(&app, id),
        changed_before,
        "view counts are not a change"
    );

    // Deleted for good: gone.
    execute(
        &app,
        &format!("DELETE FROM listing_events WHERE listing_id = '{id}'"),
    );
    execute(&app, &format!("DELETE FROM listings WHERE id = '{id}'"));
    assert!(found(search("acrobatie").await).is_empty(), "deleted");
}

fn search_changed(app: &TestApp, id: Uuid) -> String {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        changed: String,
    }
    let mut conn = app.db.connect();
    diesel::sql_query(format!(
        "SELECT search_changed::text AS changed FROM listings WHERE id = '{id}'"
    ))
    .load::<Row>(&mut conn)
    .ok()
    .and_then(|rows| rows.into_iter().next())
    .map(|r| r.changed)
    .unwrap_or_default()
}

#[tokio::test]
async fn the_index_declines_what_it_does_not_hold() {
    // Arrange: a built index over one listing.
    let app = spawn_app_with(&[]).await;
    let owner = seller(&app, "vendeur@example.fr");
    let id = create_ok(
        &app,
        &owner.token,
        &listing(
            "Robin DR400",
            "Moteur révisé, hangaré à Marcé.",
            "Robin",
            6_000_000,
            1980,
        ),
    )
    .await;
    let mut conn = app.db.connect();
    let index = SearchIndex::build(&mut conn).unwrap_or_else(|e| panic!("index: {e}"));
    let tsquery = query::compile(&mut conn, "moteur").ok();
    let text = Filters {
        query: Some("moteur".into()),
        tsquery,
        ..Default::default()
    };
    let cases: [(Filters, Option<Vec<Uuid>>, &str); 5] = [
        (text.clone(), Some(vec![id]), "text alone"),
        (
            Filters {
                price_max: Some(5_000_000),
                ..text.clone()
            },
            Some(vec![]),
            "text and a price it holds",
        ),
        (
            Filters {
                ifr: Some(true),
                ..text.clone()
            },
            None,
            "a filter it does not hold",
        ),
        (
            Filters {
                make: Some("Ré".into()),
                ..text.clone()
            },
            None,
            "a make it cannot lower-case as PostgreSQL does",
        ),
        (
            Filters {
                tsquery: None,
                ..text.clone()
            },
            None,
            "no text",
        ),
    ];
    for (filters, expected, why) in cases {
        // Act
        let got = index
            .newest(&mut conn, &filters, None, 10, &mut false)
            .unwrap_or_else(|e| panic!("{why}: {e}"));
        // Assert
        assert_eq!(got, expected, "{why}");
    }
}

/// `ts_rank_cd` of each listing as PostgreSQL computes it, for a compiled tsquery.
fn postgres_ranks(app: &TestApp, tsquery: &str, ids: &[Uuid]) -> Vec<(Uuid, f64)> {
    use diesel::prelude::*;
    use diesel::sql_types::{Array, Double, Text, Uuid as SqlUuid};
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Double)]
        rank: f64,
    }
    let mut conn = app.db.connect();
    diesel::sql_query(
        "SELECT id, ts_rank_cd(search_document, CAST($1 AS tsquery))::float8 AS rank \
         FROM listings WHERE id = ANY($2)",
    )
    .bind::<Text, _>(tsquery)
    .bind::<Array<SqlUuid>, _>(ids)
    .load::<Row>(&mut conn)
    .unwrap_or_default()
    .into_iter()
    .map(|r| (r.id, r.rank))
    .collect()
}

#[tokio::test]
async fn relevance_is_ranked_in_the_index_as_postgresql_ranks_it() {
    // Arrange: listings whose words come in every order, count and weight (titles are A).
    let app = spawn_app_with(&[]).await;
    let owner = seller(&app, "vendeur@example.fr");
    const WORDS: [&str; 24] = [
        "moteur",
        "moteurs",
        "révisé",
        "révision",
        "hélice",
        "hangaré",
        "hangar",
        "DR400",
        "DR 400",
        "engine",
        "overhaul",
        "propeller",
        "avionique",
        "IFR",
        "Garmin",
        "le",
        "avec",
        "peinture",
        "neuve",
        "Robin",
        "Piper",
        "vol",
        "heures",
        "carnets",
    ];
    let mut seed: u64 = 7;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        (seed >> 33) as usize % n
    };
    let mut ids = Vec::new();
    for i in 0..36usize {
        let words: Vec<&str> = (0..8 + next(50))
            .map(|_| WORDS[next(WORDS.len())])
            .collect();
        let title = format!(
            "{} {} n°{i}",
            TITLES[i % TITLES.len()],
            WORDS[next(WORDS.len())]
        );
        let body = listing(
            &title,
            &words.join(" "),
            MAKES[i % MAKES.len()],
            3_000_000,
            1980,
        );
        ids.push(create_ok(&app, &owner.token, &body).await);
    }
    let mut conn = app.db.connect();
    let index = SearchIndex::build(&mut conn).unwrap_or_else(|e| panic!("index: {e}"));

    let cases = [
        ("moteur", "one word, its stems"),
        ("moteur révisé", "two words"),
        ("hélice hangar", "two words, accents"),
        ("dr400", "a designation: an or of its spellings"),
        ("DR400 hangaré", "a designation and a word"),
        ("robin or piper", "or"),
        ("moteur -hélice", "a negation"),
        ("engine overhaul propeller", "English"),
        ("avionique ifr garmin moteur", "four words"),
    ];
    for (q, why) in cases {
        let tsquery = query::compile(&mut conn, q).unwrap_or_else(|e| panic!("{q}: {e}"));
        let filters = Filters {
            query: Some(q.into()),
            tsquery: Some(tsquery.clone()),
            ..Default::default()
        };

        // Act
        let (found, ranks) = index
            .relevance(&mut conn, &filters, 300, &mut false)
            .unwrap_or_else(|e| panic!("{why}: {e}"))
            .unwrap_or_else(|| panic!("{why}: declined"));

        // Assert: every match, each with PostgreSQL's very float4.
        let ranks = ranks.unwrap_or_else(|| panic!("{why}: not ranked"));
        let expected = postgres_ranks(&app, &tsquery, &found);
        assert_eq!(expected.len(), found.len(), "{why}");
        for (id, rank) in found.iter().zip(&ranks) {
            let pg = expected.iter().find(|(e, _)| e == id).map(|(_, r)| *r);
            assert_eq!(Some(f64::from(*rank)), pg, "{why}: {q}, listing {id}");
        }
        let mut distinct: Vec<u32> = ranks.iter().map(|r| r.to_bits()).collect();
        distinct.sort_unstable();
        distinct.dedup();
        assert!(
            found.len() >= 5 && distinct.len() >= 3,
            "{why}: too few matches or ranks to compare ({} matches, {} ranks)",
            found.len(),
            distinct.len()
        );
    }

    // Words in sequence (a quoted phrase, a dashed designation) are PostgreSQL's to rank.
    for q in ["\"moteur révisé\"", "DR-400 hangaré"] {
        let phrase = Filters {
            query: Some(q.into()),
            tsquery: query::compile(&mut conn, q).ok(),
            ..Default::default()
        };
        let (found, ranks) = index
            .relevance(&mut conn, &phrase, 300, &mut false)
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(!found.is_empty(), "{q}: found");
        assert_eq!(ranks, None, "{q}: not ranked by the index");
    }
}
