//! What every search statement shares: the tsquery, the make corrections, the WHERE clause
//! of the filters, and the sort keys. The statements themselves are in `page`, `counts` and
//! `facets`.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Nullable, Text};

use super::sql::{Bind, Sql};
use super::{Facet, Filters, Sort, designation_parts};

/// The tsquery of `q`: French or English stemming, or the designation parts.
pub(super) fn tsquery(sql: &mut Sql, q: &str, corrected: &str) {
    sql.push(
        "(websearch_to_tsquery('hangar_fr', ?) || websearch_to_tsquery('hangar_en', ?) \
         || plainto_tsquery('hangar_simple', ?) || plainto_tsquery('hangar_simple', ?))",
        vec![
            Bind::Text(q.to_owned()),
            Bind::Text(q.to_owned()),
            Bind::Text(designation_parts(q)),
            Bind::Text(designation_parts(corrected)),
        ],
    );
}

/// Replaces words that are near-misses of a make's name ("cesna" → "cessna"), in one
/// statement for all the words. A word that is a make already is kept.
pub fn correct_makes(conn: &mut PgConnection, q: &str) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Fixed {
        #[diesel(sql_type = Text)]
        word: String,
        #[diesel(sql_type = Nullable<Text>)]
        fixed: Option<String>,
    }
    let words: Vec<&str> = q.split_whitespace().collect();
    let candidates: Vec<String> = words
        .iter()
        .filter(|w| w.chars().all(char::is_alphabetic) && w.chars().count() >= 4)
        .map(|w| (*w).to_owned())
        .collect();
    if candidates.is_empty() {
        return Ok(words.join(" "));
    }
    let fixes: Vec<Fixed> = Sql::new(
        "SELECT w.word, (SELECT m.search_text FROM makes m \
           WHERE m.search_text % catalogue_search_text(w.word) \
             AND NOT EXISTS (SELECT 1 FROM makes e WHERE e.search_text = catalogue_search_text(w.word)) \
           ORDER BY similarity(m.search_text, catalogue_search_text(w.word)) DESC, m.search_text LIMIT 1) AS fixed \
         FROM unnest(?) AS w(word)",
        vec![Bind::Texts(candidates)],
    )
    .load(conn)?;
    Ok(words
        .iter()
        .map(|w| {
            fixes
                .iter()
                .find(|f| f.word == *w)
                .and_then(|f| f.fixed.clone())
                .unwrap_or_else(|| (*w).to_owned())
        })
        .collect::<Vec<_>>()
        .join(" "))
}

const PUBLIC: &str = "l.status IN ('published', 'reserved')";
const PUBLIC_OR_RECENTLY_SOLD: &str = "(l.status IN ('published', 'reserved') OR (l.status = 'sold' AND l.sold_at > now() - interval '30 days'))";

/// `FROM listings l JOIN users u … WHERE …` for `filters`, leaving out the filter `skip`
/// belongs to (for facets).
pub fn from_where(sql: &mut Sql, f: &Filters, corrected: Option<&str>, skip: Option<Facet>) {
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
    if let Some(q) = &f.query {
        sql.push(" AND l.search_document @@ ", vec![]);
        tsquery(sql, q, corrected.unwrap_or(q));
    }
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
    if let Some((lat, lon)) = f.near {
        // The box can use the GiST index; the exact distance trims its corners.
        sql.push(
            " AND l.lat IS NOT NULL AND earth_box(ll_to_earth(?, ?), ?) @> ll_to_earth(l.lat, l.lon) \
             AND earth_distance(ll_to_earth(?, ?), ll_to_earth(l.lat, l.lon)) <= ?",
            vec![
                Bind::Double(lat),
                Bind::Double(lon),
                Bind::Double(f.radius_km * 1000.0),
                Bind::Double(lat),
                Bind::Double(lon),
                Bind::Double(f.radius_km * 1000.0),
            ],
        );
    }
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

pub(super) fn order_key(
    sql: &mut Sql,
    f: &Filters,
    corrected: Option<&str>,
    sort: Sort,
) -> (KeyType, bool) {
    match sort {
        Sort::Relevance => {
            sql.push("ts_rank_cd(l.search_document, ", vec![]);
            let q = f.query.as_deref().unwrap_or_default();
            tsquery(sql, q, corrected.unwrap_or(q));
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
        // The cube distance (a chord through the earth) orders like the great-circle one and
        // is what the GiST index returns nearest first.
        Sort::Distance => {
            let (lat, lon) = f.near.unwrap_or_default();
            sql.push(
                "(ll_to_earth(l.lat, l.lon) <-> ll_to_earth(?, ?))",
                vec![Bind::Double(lat), Bind::Double(lon)],
            );
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
