//! `airfields` rows (loaded by [`crate::seed`]) and their search.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

use crate::db::schema::airfields;

#[derive(Debug, Clone, Queryable, QueryableByName, Selectable)]
#[diesel(table_name = airfields, check_for_backend(diesel::pg::Pg))]
pub struct Airfield {
    pub icao: String,
    pub iata: Option<String>,
    pub name: String,
    pub city: Option<String>,
    pub subdivision: Option<String>,
    pub country: String,
    pub elevation_ft: Option<i32>,
    pub lat: f64,
    pub lon: f64,
    pub tz: Option<String>,
}

/// A row of the bundled file, for `COPY` (every column is written, `None` as NULL).
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = airfields, treat_none_as_default_value = false)]
pub struct NewAirfield {
    pub icao: String,
    pub iata: Option<String>,
    pub name: String,
    pub city: Option<String>,
    pub subdivision: Option<String>,
    pub country: String,
    pub elevation_ft: Option<i32>,
    pub lat: f64,
    pub lon: f64,
    pub tz: Option<String>,
}

/// `icao` must already be upper-case.
pub fn find(conn: &mut PgConnection, icao: &str) -> QueryResult<Option<Airfield>> {
    airfields::table
        .find(icao)
        .select(Airfield::as_select())
        .first(conn)
        .optional()
}

/// Texts shorter than this (in letters and digits) only match codes: a one- or two-letter
/// substring would match most of the table, and trigrams need three characters.
pub const MIN_NAME_SEARCH: usize = 3;

/// Airfields matching `text` by ICAO, IATA, name or city, accent- and case-insensitively:
/// the exact ICAO code first, then the exact IATA code, then names with a word starting
/// with the text, then codes or cities with one, then other matches (substrings, and near
/// spellings by trigram word similarity at pg_trgm's default threshold of 0.6), each group
/// closest first. Texts of one or two letters or digits match the start of ICAO codes and
/// whole IATA codes only. Without text, airfields by ICAO code.
pub fn search(
    conn: &mut PgConnection,
    text: Option<&str>,
    country: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<Airfield>> {
    let Some(text) = text else {
        let mut query = airfields::table.select(Airfield::as_select()).into_boxed();
        if let Some(country) = country {
            query = query.filter(airfields::country.eq(country.to_owned()));
        }
        return query.order(airfields::icao).limit(limit).load(conn);
    };
    let code: String = text
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if text.chars().filter(|c| c.is_alphanumeric()).count() < MIN_NAME_SEARCH {
        if code.is_empty() {
            return Ok(Vec::new());
        }
        return diesel::sql_query(
            "SELECT icao, iata, name, city, subdivision, country, elevation_ft, lat, lon, tz
             FROM airfields
             WHERE ($2::text IS NULL OR country = $2::bpchar)
               AND (icao LIKE $1 || '%' OR iata = $1::bpchar)
             ORDER BY iata IS NOT DISTINCT FROM $1::bpchar DESC, icao
             LIMIT $3",
        )
        .bind::<Text, _>(&code)
        .bind::<Nullable<Text>, _>(country)
        .bind::<BigInt, _>(limit)
        .load(conn);
    }
    conn.transaction(|conn| {
        // pg_trgm's operators are costed like cheap comparisons, so the planner prefers a
        // sequential scan (about 150 ms over 28,000 airfields) to the trigram index (about
        // 4 ms). For this transaction only, tell it otherwise.
        diesel::sql_query("SET LOCAL enable_seqscan = off").execute(conn)?;
        diesel::sql_query(
            "SELECT a.icao, a.iata, a.name, a.city, a.subdivision, a.country, a.elevation_ft,
                    a.lat, a.lon, a.tz
             FROM airfields a
             WHERE ($2::text IS NULL OR a.country = $2::bpchar)
               AND (a.search_text LIKE '%' || catalogue_search_text($1) || '%'
                    OR catalogue_search_text($1) <% a.search_text)
             ORDER BY CASE
                        WHEN a.icao = upper(btrim($1))::bpchar THEN 0
                        WHEN a.iata = upper(btrim($1))::bpchar THEN 1
                        WHEN (' ' || catalogue_search_text(a.name))
                             LIKE '% ' || catalogue_search_text($1) || '%' THEN 2
                        WHEN (' ' || a.search_text) LIKE '% ' || catalogue_search_text($1) || '%' THEN 3
                        ELSE 4
                      END,
                      word_similarity(catalogue_search_text($1), a.search_text) DESC,
                      a.icao
             LIMIT $3",
        )
        .bind::<Text, _>(text)
        .bind::<Nullable<Text>, _>(country)
        .bind::<BigInt, _>(limit)
        .load(conn)
    })
}
