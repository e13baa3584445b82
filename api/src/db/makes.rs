//! `makes` and `models` rows and their autocomplete.
//!
//! Matching works on the search form of names (`catalogue_search_text`: unaccented,
//! lower-case, punctuation as spaces) and on the same without spaces (`search_key`, so
//! "dr400", "DR 400" and "dr-400" agree). Ranking: names starting with the text, then names
//! with a word starting with it, then near spellings by trigram word similarity (pg_trgm's
//! `<%`, at its default `word_similarity_threshold` of 0.6: "cesna" → Cessna scores 0.63,
//! while "912" → 914 scores 0.5 and stays out). The trigram indexes serve both `<%` and the
//! `LIKE '%…%'` substring match.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text, Uuid as SqlUuid};
use uuid::Uuid;

use crate::db::schema::{makes, models};

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = makes, check_for_backend(diesel::pg::Pg))]
pub struct Make {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub kinds: Vec<String>,
    pub country: Option<String>,
}

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = models, check_for_backend(diesel::pg::Pg))]
pub struct Model {
    pub id: Uuid,
    pub make_id: Uuid,
    pub name: String,
}

/// By id, or by slug when `key` is not a UUID.
pub fn find(conn: &mut PgConnection, key: &str) -> QueryResult<Option<Make>> {
    let query = makes::table.select(Make::as_select());
    match key.parse::<Uuid>() {
        Ok(id) => query.filter(makes::id.eq(id)).first(conn).optional(),
        Err(_) => query.filter(makes::slug.eq(key)).first(conn).optional(),
    }
}

/// Makes matching `text` (all makes by name without text), optionally of one kind.
pub fn search(
    conn: &mut PgConnection,
    text: Option<&str>,
    kind: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Make>> {
    diesel::sql_query(
        "SELECT m.id, m.name, m.slug, m.kinds, m.country
         FROM makes m,
              (SELECT coalesce(catalogue_search_text($1), '') AS t,
                      replace(coalesce(catalogue_search_text($1), ''), ' ', '') AS k) p
         WHERE ($2::text IS NULL OR $2 = ANY (m.kinds))
           AND (p.t = ''
                OR m.search_text LIKE '%' || p.t || '%'
                OR m.search_key LIKE p.k || '%'
                OR p.t <% m.search_text)
         ORDER BY (p.t <> '' AND (m.search_text LIKE p.t || '%' OR m.search_key LIKE p.k || '%')) DESC,
                  (p.t <> '' AND (' ' || m.search_text) LIKE '% ' || p.t || '%') DESC,
                  word_similarity(p.t, m.search_text) DESC,
                  m.name
         LIMIT $3",
    )
    .bind::<Nullable<Text>, _>(text)
    .bind::<Nullable<Text>, _>(kind)
    .bind::<BigInt, _>(limit)
    .load(conn)
}

/// Models of a make matching `text` (all of them by name without text), same ranking as
/// [`search`]: "dr4" finds DR400 and DR401, "pa28" every PA-28, "warior" the Warrior.
pub fn search_models(
    conn: &mut PgConnection,
    make_id: Uuid,
    text: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Model>> {
    diesel::sql_query(
        "SELECT m.id, m.make_id, m.name
         FROM models m,
              (SELECT coalesce(catalogue_search_text($2), '') AS t,
                      replace(coalesce(catalogue_search_text($2), ''), ' ', '') AS k) p
         WHERE m.make_id = $1
           AND (p.t = ''
                OR m.search_text LIKE '%' || p.t || '%'
                OR m.search_key LIKE p.k || '%'
                OR p.t <% m.search_text)
         ORDER BY (p.t <> '' AND (m.search_text LIKE p.t || '%' OR m.search_key LIKE p.k || '%')) DESC,
                  (p.t <> '' AND (' ' || m.search_text) LIKE '% ' || p.t || '%') DESC,
                  word_similarity(p.t, m.search_text) DESC,
                  m.search_key, m.name
         LIMIT $3",
    )
    .bind::<SqlUuid, _>(make_id)
    .bind::<Nullable<Text>, _>(text)
    .bind::<BigInt, _>(limit)
    .load(conn)
}
