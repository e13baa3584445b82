//! Snippets are written by the service (`api/src/search/snippet.rs`), not by PostgreSQL's
//! `ts_headline`: its lexemes of a word must be PostgreSQL's, or a word that matched would
//! go unmarked (and one that did not would be marked); and over HTTP a snippet shows where
//! the description matched.

use diesel::prelude::*;
use diesel::sql_types::{Array, Text};
use hangar_api::search::snippet::lexemes;
use hangar_tests::listings::{create_ok, dr400, seller, with};
use hangar_tests::{TestDatabase, repo_root, spawn_app};
use serde_json::{Value, json};

#[derive(QueryableByName)]
struct PgLexemes {
    #[diesel(sql_type = Text)]
    word: String,
    #[diesel(sql_type = Array<Text>)]
    fr: Vec<String>,
    #[diesel(sql_type = Array<Text>)]
    en: Vec<String>,
}

#[test]
fn the_services_lexemes_of_the_sites_words_are_postgresqls() {
    // Arrange: the site's vocabulary (its listings' words and every kind of ending).
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/vocabulary.txt"))
        .unwrap_or_else(|e| panic!("vocabulary: {e}"));
    let words: Vec<String> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(String::from)
        .collect();
    assert!(words.len() > 1000, "{} words", words.len());
    let db = TestDatabase::create();
    let mut conn = db.connect();

    // Act: PostgreSQL's lexemes of each word, in the configurations the search uses.
    let rows: Vec<PgLexemes> = diesel::sql_query(
        "SELECT w AS word, tsvector_to_array(to_tsvector('hangar_fr', w)) AS fr, \
           tsvector_to_array(to_tsvector('hangar_en', w)) AS en FROM unnest($1::text[]) AS w",
    )
    .bind::<Array<Text>, _>(&words)
    .load(&mut conn)
    .unwrap_or_else(|e| panic!("lexemes: {e}"));

    // Assert: the service's are the same, word for word (none for a stop word).
    assert_eq!(rows.len(), words.len());
    let differ: Vec<String> = rows
        .iter()
        .filter_map(|r| {
            let pg = [r.fr.first().cloned(), r.en.first().cloned()];
            let ours = lexemes(&r.word);
            (r.fr.len() > 1 || r.en.len() > 1 || pg != ours).then(|| {
                format!(
                    "{}: PostgreSQL {:?} {:?}, service {ours:?}",
                    r.word, r.fr, r.en
                )
            })
        })
        .collect();
    assert!(
        differ.is_empty(),
        "{} differ:\n{}",
        differ.len(),
        differ.join("\n")
    );
}

fn listing(title: &str, description: &str) -> Value {
    let body = with(dr400(), "/publish", json!(true));
    let body = with(body, "/title", json!(title));
    with(body, "/description", json!(description))
}

#[tokio::test]
async fn a_snippet_shows_where_the_description_matched_in_either_language() {
    // Arrange: a long French description with the matches far apart, an English one.
    let app = spawn_app().await;
    let owner = seller(&app, "vendeur@example.fr");
    let filler = "Avion entretenu par un atelier agréé, toujours stationné à l'abri et volé \
                  régulièrement par son propriétaire depuis de nombreuses années sans histoire.";
    let long = format!(
        "{filler} {filler} Le moteur a été révisé en 2021 chez un motoriste reconnu. {filler} \
         {filler} Il est hangaré à Marcé. {filler}"
    );
    create_ok(&app, &owner.token, &listing("Robin DR400 à vendre", &long)).await;
    create_ok(
        &app,
        &owner.token,
        &listing(
            "Cessna 172 for sale",
            "Two engines overhauled, <b>new</b> propellers.",
        ),
    )
    .await;

    // Act
    let french = app.get("/api/v1/listings?q=moteur%20hangar").await;
    let english = app.get("/api/v1/listings?q=engine%20propeller").await;

    // Assert: the fragments around the matches, in order, with what was left out elided.
    assert_eq!(french.status().as_u16(), 200);
    let french: Value = french.json().await.unwrap_or_default();
    let snippet = french["items"][0]["snippet"].as_str().unwrap_or_default();
    assert!(snippet.starts_with("… "), "{snippet}");
    let moteur = snippet.find("<mark>moteur</mark>").expect("moteur marked");
    let hangar = snippet
        .find("<mark>hangaré</mark>")
        .expect("hangaré marked");
    assert!(moteur < hangar, "{snippet}");
    assert!(snippet.contains(" … "), "{snippet}");
    assert!(snippet.len() < long.len() / 2, "{snippet}");

    let english: Value = english.json().await.unwrap_or_default();
    assert_eq!(
        english["items"][0]["snippet"],
        "Two <mark>engines</mark> overhauled, &lt;b&gt;new&lt;/b&gt; <mark>propellers</mark>."
    );
}
