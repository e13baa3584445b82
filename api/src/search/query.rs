//! What every search statement shares: the tsquery, the make corrections, the WHERE clause
//! of the filters, and the sort keys. The statements themselves are in `page`, `counts` and
//! `facets`.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, Text};

use hangar_parse::websearch::{assemble, terms};

use super::sql::{Bind, Sql};
use super::{Facet, Filters, Sort, designation_parts};

/// `CAST(? AS tsquery)`: the compiled query (see [`compile`]), a constant the planner
/// estimates from the column's statistics.
pub(super) fn tsquery(sql: &mut Sql, compiled: &str) {
    sql.push("CAST(? AS tsquery)", vec![Bind::Text(compiled.to_owned())]);
}

/// Compiles the user's query into one tsquery, term by term: each term matches its French
/// stems, its English stems, or its designation parts ("DR-400" → `dr & 400`), and a word
/// that is a near-miss of a make's name also matches that make ("cesna" → `cessna`).
/// Written per term (`moteur & (revis | revision)`) rather than as one query per language
/// OR-ed together: a listing is checked once per term, and the planner's estimate of the
/// matches is not multiplied by the number of languages. One statement for all the terms;
/// an empty string when nothing is left to search for (only stop words or punctuation).
pub fn compile(conn: &mut PgConnection, q: &str) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Variants {
        #[diesel(sql_type = Array<Text>)]
        variants: Vec<String>,
    }
    let terms = terms(q);
    if terms.is_empty() {
        return Ok(String::new());
    }
    let texts: Vec<String> = terms
        .iter()
        .map(|t| {
            if t.phrase {
                format!("\"{}\"", t.text)
            } else {
                t.text.clone()
            }
        })
        .collect();
    let parts: Vec<String> = terms.iter().map(|t| designation_parts(&t.text)).collect();
    // Near-misses of a make: words of four letters or more (that are not a make already).
    let fixable: Vec<String> = terms
        .iter()
        .map(|t| {
            let word =
                !t.phrase && t.text.chars().all(char::is_alphabetic) && t.text.chars().count() >= 4;
            if word { t.text.clone() } else { String::new() }
        })
        .collect();
    let rows: Vec<Variants> = Sql::new(
        "SELECT ARRAY[websearch_to_tsquery('hangar_fr', t.term)::text, \
           websearch_to_tsquery('hangar_en', t.term)::text, \
           CASE WHEN left(t.term, 1) = '\"' THEN phraseto_tsquery('hangar_simple', t.parts) \
                ELSE plainto_tsquery('hangar_simple', t.parts) END::text, \
           coalesce((SELECT plainto_tsquery('hangar_simple', m.search_text)::text FROM makes m \
             WHERE t.fix <> '' AND m.search_text % catalogue_search_text(t.fix) \
               AND NOT EXISTS (SELECT 1 FROM makes e WHERE e.search_text = catalogue_search_text(t.fix)) \
             ORDER BY similarity(m.search_text, catalogue_search_text(t.fix)) DESC, m.search_text LIMIT 1), '')] \
           AS variants \
         FROM unnest(?, ?, ?) WITH ORDINALITY AS t(term, parts, fix, n) ORDER BY t.n",
        vec![Bind::Texts(texts), Bind::Texts(parts), Bind::Texts(fixable)],
    )
    .load(conn)?;
    Ok(assemble(&terms, rows.into_iter().map(|r| r.variants)))
}

const PUBLIC: &str = "l.status IN ('published', 'reserved')";
const PUBLIC_OR_RECENTLY_SOLD: &str = "(l.status IN ('published', 'reserved') OR (l.status = 'sold' AND l.sold_at > now() - interval '30 days'))";

/// `FROM listings l JOIN users u … WHERE …` for `filters`, leaving out the filter `skip`
/// belongs to (for facets).
pub fn from_where(sql: &mut Sql, f: &Filters, skip: Option<Facet>) {
    sql.push(
        " FROM listings l JOIN users u ON u.id = l.seller_id WHERE ",
        vec![],
    );
    sql.push(
        if f.include_sold {
            PUBLIC_OR_RECENTLY_SOLD
        } else {
            PUBLIC
        },
        vec![],
    );
    // Listings of suspended or deleted sellers are hidden.
    sql.push(" AND u.status = 'active'", vec![]);
    if skip != Some(Facet::Category)
        && let Some(ids) = &f.categories
    {
        // One category with `=`: the planner then walks (category_id, published_at) in order;
        // a one-element `= ANY` made it read and sort every listing of the category.
        match ids.as_slice() {
            [one] => sql.push(" AND l.category_id = ?", vec![Bind::Uuid(*one)]),
            _ => sql.push(
                " AND l.category_id = ANY(?)",
                vec![Bind::Uuids(ids.clone())],
            ),
        };
    }
    if skip != Some(Facet::Make)
        && let Some(v) = &f.make
    {
        sql.push(" AND lower(l.make) = lower(?)", vec![Bind::Text(v.clone())]);
    }
    if let Some(v) = &f.model {
        sql.push(
            " AND regexp_replace(lower(l.model), '[^a-z0-9]', '', 'g') = regexp_replace(lower(?), '[^a-z0-9]', '', 'g')",
            vec![Bind::Text(v.clone())],
        );
    }
    if skip != Some(Facet::YearBucket) {
        if let Some(v) = f.year_min {
            sql.push(" AND l.year >= ?", vec![Bind::Int(v)]);
        }
        if let Some(v) = f.year_max {
            sql.push(" AND l.year <= ?", vec![Bind::Int(v)]);
        }
    }
    if skip != Some(Facet::PriceBucket) {
        if let Some(v) = f.price_min {
            sql.push(" AND l.price_amount >= ?", vec![Bind::BigInt(v)]);
        }
        if let Some(v) = f.price_max {
            sql.push(" AND l.price_amount <= ?", vec![Bind::BigInt(v)]);
        }
    }
    let numbers: [(&str, Option<f64>); 4] = [
        (" AND l.ttaf_hours <= ?", f.ttaf_max),
        (" AND l.smoh_hours <= ?", f.smoh_max),
        (" AND l.hours_to_tbo >= ?", f.hours_to_tbo_min),
        (" AND l.engine_hours <= ?", f.engine_hours_max),
    ];
    for (fragment, value) in numbers {
        if let Some(v) = value {
            sql.push(fragment, vec![Bind::Double(v)]);
        }
    }
    if let Some(v) = f.ifr {
        sql.push(" AND l.ifr = ?", vec![Bind::Bool(v)]);
    }
    if let Some(v) = f.seats_min {
        sql.push(" AND l.seats >= ?", vec![Bind::Int(v)]);
    }
    let texts: [(&str, &Option<String>); 3] = [
        (" AND l.fuel = ?", &f.fuel),
        (" AND l.condition = ?", &f.condition),
        (" AND u.account_type = ?", &f.seller_type),
    ];
    for (fragment, value) in texts {
        if let Some(v) = value {
            sql.push(fragment, vec![Bind::Text(v.clone())]);
        }
    }
    if skip != Some(Facet::Country)
        && let Some(v) = &f.country
    {
        sql.push(" AND l.country = ?", vec![Bind::Text(v.clone())]);
    }
    if let Some(v) = f.has_photos {
        sql.push(
            if v {
                " AND EXISTS (SELECT 1 FROM listing_photos p WHERE p.listing_id = l.id)"
            } else {
                " AND NOT EXISTS (SELECT 1 FROM listing_photos p WHERE p.listing_id = l.id)"
            },
            vec![],
        );
    }
    if let Some(v) = f.posted_after {
        sql.push(" AND l.published_at >= ?", vec![Bind::Time(v)]);
    }
    if let Some(point) = f.near {
        // The box can use the GiST index; the exact distance trims its corners. Both in
        // chord lengths (`cube`'s `<->`), like the nearest-first order.
        let chord = chord_m(f.radius_km * 1000.0);
        sql.push(
            " AND l.lat IS NOT NULL AND cube_enlarge(cube(?), ?, 3) @> ll_to_earth(l.lat, l.lon) AND ",
            vec![earth_point(point), Bind::Double(chord)],
        );
        distance(sql, point);
        sql.push(" <= ?", vec![Bind::Double(chord)]);
    }
    // Last: conditions of equal cost are checked in the order written, and the document
    // match is the dearest of them (the cheap filters first spare it most listings).
    if let Some(tsq) = &f.tsquery {
        sql.push(" AND l.search_document @@ ", vec![]);
        tsquery(sql, tsq);
    }
}

/// The earth's radius of the `earthdistance` extension (`earth()`), in metres.
const EARTH_RADIUS_M: f64 = 6_378_168.0;

/// The point `ll_to_earth(lat, lon)` gives, computed here and bound as one `float8[]` for
/// `cube(?)`. Written as `ll_to_earth(?, ?)`, a prepared statement's generic plan would
/// compute the point again for every listing it checks; the planner then costs it above the
/// custom plan (where the point is a constant) and plans the statement on every execution.
/// `cube(?)` costs one call, so PostgreSQL keeps the generic plan (0.85 ms of planning saved
/// per nearest-first page; bench/README.md).
fn earth_point((lat, lon): (f64, f64)) -> Bind {
    let (lat, lon) = (lat.to_radians(), lon.to_radians());
    Bind::Doubles(vec![
        EARTH_RADIUS_M * lat.cos() * lon.cos(),
        EARTH_RADIUS_M * lat.cos() * lon.sin(),
        EARTH_RADIUS_M * lat.sin(),
    ])
}

/// The straight-line distance through the earth between two points `metres` apart on its
/// surface (`gc_to_sec`): what `<->` between `ll_to_earth` points measures.
fn chord_m(metres: f64) -> f64 {
    if metres / EARTH_RADIUS_M > std::f64::consts::PI {
        2.0 * EARTH_RADIUS_M
    } else {
        2.0 * EARTH_RADIUS_M * (metres / (2.0 * EARTH_RADIUS_M)).sin()
    }
}

/// A listing's distance from `point` as a chord (`<->`, see [`chord_m`]): it orders like the
/// great-circle distance and is what the GiST index returns nearest first.
pub(super) fn distance(sql: &mut Sql, point: (f64, f64)) {
    sql.push(
        "(ll_to_earth(l.lat, l.lon) <-> cube(?))",
        vec![earth_point(point)],
    );
}

/// What a sort orders by: the expression, its SQL type, and the direction.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum KeyType {
    Time,
    BigInt,
    Int,
    Double,
    Float,
}

pub(super) fn order_key(sql: &mut Sql, f: &Filters, sort: Sort) -> (KeyType, bool) {
    match sort {
        Sort::Relevance => {
            sql.push("ts_rank_cd(l.search_document, ", vec![]);
            tsquery(sql, f.tsquery.as_deref().unwrap_or_default());
            sql.push(")", vec![]);
            (KeyType::Float, true)
        }
        Sort::Newest => {
            sql.push("l.published_at", vec![]);
            (KeyType::Time, true)
        }
        // Listings without a price (on request) come last either way.
        Sort::PriceAsc => {
            sql.push("coalesce(l.price_amount, 9223372036854775807)", vec![]);
            (KeyType::BigInt, false)
        }
        Sort::PriceDesc => {
            sql.push("coalesce(l.price_amount, -1)", vec![]);
            (KeyType::BigInt, true)
        }
        Sort::YearDesc => {
            sql.push("coalesce(l.year, 0)", vec![]);
            (KeyType::Int, true)
        }
        Sort::TtafAsc => {
            sql.push("coalesce(l.ttaf_hours, 1e12::float8)", vec![]);
            (KeyType::Double, false)
        }
        Sort::Distance => {
            distance(sql, f.near.unwrap_or_default());
            (KeyType::Double, false)
        }
    }
}

pub(super) fn key_type(sort: Sort) -> (KeyType, bool) {
    match sort {
        Sort::Relevance => (KeyType::Float, true),
        Sort::Newest => (KeyType::Time, true),
        Sort::PriceAsc => (KeyType::BigInt, false),
        Sort::PriceDesc => (KeyType::BigInt, true),
        Sort::YearDesc => (KeyType::Int, true),
        Sort::TtafAsc => (KeyType::Double, false),
        Sort::Distance => (KeyType::Double, false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_point_and_chord_are_earthdistances() {
        // What PostgreSQL 15 printed for `ll_to_earth(48.7519, 2.10619)` (LFPN) and
        // `gc_to_sec(150000)`.
        let Bind::Doubles(point) = earth_point((48.7519, 2.10619)) else {
            panic!("a float8[]");
        };
        assert_eq!(
            point,
            vec![4202418.405513146, 154550.31176282588, 4795500.055506449]
        );
        assert_eq!(chord_m(150_000.0), 149996.54325276348);
        assert_eq!(chord_m(0.0), 0.0);
        assert_eq!(chord_m(1e9), 2.0 * EARTH_RADIUS_M, "beyond the antipode");
    }
}
