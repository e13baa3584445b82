//! The statements of a search: the page (with everything a result card shows, in one
//! statement), the capped count and its estimate, the facets, and the make corrections.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use uuid::Uuid;

use super::sql::{Bind, Sql};
use super::{Cursor, Facet, Filters, Sort, designation_parts};

/// The tsquery of `q`: French or English stemming, or the designation parts.
fn tsquery(sql: &mut Sql, q: &str, corrected: &str) {
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
enum KeyType {
    Time,
    BigInt,
    Int,
    Double,
    Float,
}

fn order_key(sql: &mut Sql, f: &Filters, corrected: Option<&str>, sort: Sort) -> (KeyType, bool) {
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

/// One result: the sort key for the cursor, and what a result card shows.
#[derive(Debug, Clone, QueryableByName)]
pub struct HitRow {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<Double>)]
    pub key_number: Option<f64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub key_time: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Double>)]
    pub distance_m: Option<f64>,
    #[diesel(sql_type = Nullable<Text>)]
    pub snippet: Option<String>,
    #[diesel(sql_type = Integer)]
    pub version: i32,
    #[diesel(sql_type = Text)]
    pub status: String,
    #[diesel(sql_type = Text)]
    pub title: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub price_amount: Option<i64>,
    #[diesel(sql_type = Text)]
    pub currency: String,
    #[diesel(sql_type = Text)]
    pub price_kind: String,
    #[diesel(sql_type = Nullable<Bool>)]
    pub vat_included: Option<bool>,
    #[diesel(sql_type = Nullable<Text>)]
    pub airfield_icao: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub city: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub country: Option<String>,
    #[diesel(sql_type = Timestamptz)]
    pub created_at: DateTime<Utc>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub published_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub expires_at: Option<DateTime<Utc>>,
    #[diesel(sql_type = Text)]
    pub category: String,
    #[diesel(sql_type = Nullable<Text>)]
    pub make: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    pub model: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub year: Option<i32>,
    #[diesel(sql_type = Nullable<Double>)]
    pub ttaf_hours: Option<f64>,
    #[diesel(sql_type = Text)]
    pub seller_type: String,
    #[diesel(sql_type = Nullable<SqlUuid>)]
    pub cover_id: Option<Uuid>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub cover_position: Option<i32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub cover_sha256: Option<String>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub cover_width: Option<i32>,
    #[diesel(sql_type = Nullable<Integer>)]
    pub cover_height: Option<i32>,
    #[diesel(sql_type = Nullable<Array<Integer>>)]
    pub cover_widths: Option<Vec<i32>>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub cover_created_at: Option<DateTime<Utc>>,
}

/// What a result card shows, read for the page's rows only (`h` is the page).
const CARD_COLUMNS: &str = "l.version, l.status, l.title, l.price_amount, l.currency::text AS currency, \
    l.price_kind, l.vat_included, l.airfield_icao::text AS airfield_icao, l.city, \
    l.country::text AS country, l.created_at, l.published_at, l.expires_at, c.slug AS category, \
    l.make, l.model, l.year, l.ttaf_hours, u.account_type AS seller_type, p.id AS cover_id, \
    p.position AS cover_position, p.sha256::text AS cover_sha256, p.width AS cover_width, \
    p.height AS cover_height, p.widths AS cover_widths, p.created_at AS cover_created_at";
const CARD_JOINS: &str = "JOIN listings l ON l.id = h.id JOIN users u ON u.id = l.seller_id \
    JOIN categories c ON c.id = l.category_id \
    LEFT JOIN listing_photos p ON p.listing_id = l.id AND p.position = 0";

/// Listings like `id`: its category, same make and model first, then same make, then the
/// rest of the category, each ordered by the closest price and year. Candidates come from
/// three index-ordered sets of at most 200, so a large category is never sorted whole.
pub fn similar(conn: &mut PgConnection, id: Uuid) -> QueryResult<Vec<HitRow>> {
    let mut sql = Sql::new(
        "WITH me AS (SELECT category_id, lower(make) AS make, lower(model) AS model, price_amount, year \
           FROM listings WHERE id = ?), \
         cands AS ( \
           (SELECT l.id FROM listings l, me WHERE l.status IN ('published', 'reserved') \
              AND l.category_id = me.category_id AND lower(l.make) = me.make AND lower(l.model) = me.model LIMIT 200) \
           UNION \
           (SELECT l.id FROM listings l, me WHERE l.status IN ('published', 'reserved') \
              AND l.category_id = me.category_id AND lower(l.make) = me.make LIMIT 200) \
           UNION \
           (SELECT l.id FROM listings l, me WHERE l.status IN ('published', 'reserved') \
              AND l.category_id = me.category_id ORDER BY l.published_at DESC LIMIT 200)), \
         h AS (SELECT l.id, row_number() OVER (ORDER BY \
              (lower(l.make) IS NOT DISTINCT FROM me.make) DESC, (lower(l.model) IS NOT DISTINCT FROM me.model) DESC, \
              abs(coalesce(l.price_amount, 0) - coalesce(me.price_amount, 0)), \
              abs(coalesce(l.year, 0) - coalesce(me.year, 0)), l.id) AS ord \
           FROM cands JOIN listings l ON l.id = cands.id JOIN users u ON u.id = l.seller_id, me \
           WHERE u.status = 'active' AND l.id <> ? ORDER BY ord LIMIT 8) \
         SELECT h.id, NULL::float8 AS key_number, NULL::timestamptz AS key_time, \
           NULL::float8 AS distance_m, NULL::text AS snippet, ",
        vec![Bind::Uuid(id), Bind::Uuid(id)],
    );
    sql.push(CARD_COLUMNS, vec![]);
    sql.push(&format!(" FROM h {CARD_JOINS} ORDER BY h.ord"), vec![]);
    sql.load(conn)
}

/// Most recent matches a full-text search ranks by relevance: ranking reads each match's
/// document, and a broad query ("moteur révision") matches a quarter of the site.
pub const RANK_CANDIDATES: i64 = 300;

/// `SELECT h.id, <cursor key>, distance, snippet, <card columns>`: the outer select over the
/// page `h` (with `h.id`, `h.sort_key`).
fn card_select(sql: &mut Sql, f: &Filters, corrected: Option<&str>, ty: KeyType) {
    sql.push("SELECT h.id, ", vec![]);
    sql.push(
        match ty {
            KeyType::Time => "NULL::float8 AS key_number, h.sort_key AS key_time, ",
            _ => "h.sort_key::float8 AS key_number, NULL::timestamptz AS key_time, ",
        },
        vec![],
    );
    match f.near {
        Some((lat, lon)) => sql.push(
            "earth_distance(ll_to_earth(?, ?), ll_to_earth(l.lat, l.lon)) AS distance_m, ",
            vec![Bind::Double(lat), Bind::Double(lon)],
        ),
        None => sql.push("NULL::float8 AS distance_m, ", vec![]),
    };
    match &f.query {
        Some(q) => {
            // Escaped first, so the only markup in the snippet is our <mark>.
            sql.push(
                "ts_headline('hangar_fr', replace(replace(replace(l.description, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), ",
                vec![],
            );
            tsquery(sql, q, corrected.unwrap_or(q));
            sql.push(
                ", 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter= … ') AS snippet, ",
                vec![],
            );
        }
        None => {
            sql.push("NULL::text AS snippet, ", vec![]);
        }
    }
    sql.push(CARD_COLUMNS, vec![]);
}

/// `AND (key, l.id) < (cursor)` (or `>` for ascending sorts); `key` written by `key_sql`.
fn after_cursor(
    sql: &mut Sql,
    c: &Cursor,
    ty: KeyType,
    desc: bool,
    key_sql: impl FnOnce(&mut Sql),
    id: &str,
) {
    sql.push(" AND (", vec![]);
    key_sql(sql);
    let bound = match ty {
        KeyType::Time => Bind::Time(c.t.unwrap_or_else(Utc::now)),
        KeyType::BigInt => Bind::BigInt(c.k.unwrap_or_default() as i64),
        KeyType::Int => Bind::Int(c.k.unwrap_or_default() as i32),
        KeyType::Double => Bind::Double(c.k.unwrap_or_default()),
        KeyType::Float => Bind::Float(c.k.unwrap_or_default() as f32),
    };
    let cmp = if desc { "<" } else { ">" };
    sql.push(
        &format!(", {id}) {cmp} (?, ?)"),
        vec![bound, Bind::Uuid(c.id)],
    );
}

/// A page of hits, in one statement: the inner query finds the page's ids in index order
/// (keyset after `after`), the outer one reads what the cards show for those rows only
/// (snippets and distances are computed for the page, not for every match). Relevance ranks
/// the [`RANK_CANDIDATES`] most recent matches; distance has its own path ([`distance_page`]).
pub fn page(
    conn: &mut PgConnection,
    f: &Filters,
    corrected: Option<&str>,
    sort: Sort,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<HitRow>> {
    if sort == Sort::Distance {
        return distance_page(conn, f, corrected, after, limit);
    }
    let (ty, desc) = key_type(sort);
    let dir = if desc { "DESC" } else { "ASC" };
    let mut sql = Sql::default();
    card_select(&mut sql, f, corrected, ty);
    if sort == Sort::Relevance {
        let q = f.query.as_deref().unwrap_or_default();
        let rank = |sql: &mut Sql| {
            sql.push("ts_rank_cd(m.doc, ", vec![]);
            tsquery(sql, q, corrected.unwrap_or(q));
            sql.push(")", vec![]);
        };
        sql.push(" FROM (SELECT m.id, ", vec![]);
        rank(&mut sql);
        sql.push(
            " AS sort_key FROM (SELECT l.id, l.search_document AS doc",
            vec![],
        );
        from_where(&mut sql, f, corrected, None);
        sql.push(
            " ORDER BY l.published_at DESC, l.id DESC LIMIT ?) m WHERE true",
            vec![Bind::BigInt(RANK_CANDIDATES)],
        );
        if let Some(c) = after {
            after_cursor(&mut sql, c, ty, desc, rank, "m.id");
        }
        sql.push(
            &format!(" ORDER BY sort_key {dir}, m.id {dir} LIMIT ?) h"),
            vec![Bind::BigInt(limit)],
        );
    } else {
        sql.push(" FROM (SELECT l.id, ", vec![]);
        order_key(&mut sql, f, corrected, sort);
        sql.push(" AS sort_key", vec![]);
        from_where(&mut sql, f, corrected, None);
        if let Some(c) = after {
            after_cursor(
                &mut sql,
                c,
                ty,
                desc,
                |sql| {
                    order_key(sql, f, corrected, sort);
                },
                "l.id",
            );
        }
        sql.push(
            &format!(" ORDER BY sort_key {dir}, l.id {dir} LIMIT ?) h"),
            vec![Bind::BigInt(limit)],
        );
    }
    sql.push(
        &format!(" {CARD_JOINS} ORDER BY h.sort_key {dir}, h.id {dir}"),
        vec![],
    );
    sql.load(conn)
}

/// Nearest first. The GiST index returns listings by distance, but every listing at one
/// airfield has the same distance, in no particular order; a page boundary inside such a
/// group would lose or repeat rows. So: (1) the next `limit` rows from the index; (2) the
/// group at the last distance read again whole, by id, from `listings_public_place_idx`;
/// (3) the cards of the page, in (distance, id) order.
fn distance_page(
    conn: &mut PgConnection,
    f: &Filters,
    corrected: Option<&str>,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<HitRow>> {
    #[derive(QueryableByName)]
    struct Near {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
        #[diesel(sql_type = Double)]
        d: f64,
        #[diesel(sql_type = Double)]
        lat: f64,
        #[diesel(sql_type = Double)]
        lon: f64,
    }
    let (plat, plon) = f.near.unwrap_or_default();
    let dist = |sql: &mut Sql| {
        sql.push(
            "(ll_to_earth(l.lat, l.lon) <-> ll_to_earth(?, ?))",
            vec![Bind::Double(plat), Bind::Double(plon)],
        );
    };
    let mut sql = Sql::new("SELECT l.id, ", vec![]);
    dist(&mut sql);
    sql.push(" AS d, l.lat, l.lon", vec![]);
    from_where(&mut sql, f, corrected, None);
    if let Some(c) = after {
        let k = c.k.unwrap_or_default();
        sql.push(" AND (", vec![]);
        dist(&mut sql);
        sql.push(" > ? OR (", vec![Bind::Double(k)]);
        dist(&mut sql);
        sql.push(
            " = ? AND l.id > ?))",
            vec![Bind::Double(k), Bind::Uuid(c.id)],
        );
    }
    sql.push(" ORDER BY ", vec![]);
    dist(&mut sql);
    sql.push(" LIMIT ?", vec![Bind::BigInt(limit)]);
    let near: Vec<Near> = sql.load(conn)?;
    let Some(last) = near.last() else {
        return Ok(Vec::new());
    };
    let (last_d, last_lat, last_lon) = (last.d, last.lat, last.lon);
    let mut keys: Vec<(f64, Uuid)> = near
        .iter()
        .filter(|r| r.d < last_d)
        .map(|r| (r.d, r.id))
        .collect();
    if near.len() as i64 == limit {
        // The group at the last distance may continue past the page: read it in id order.
        // Without the radius: the place is inside it, and the planner's guess for the
        // radius box (a handful of rows) would make it scan the box instead of the place.
        let mut tie = Sql::new("SELECT l.id, ", vec![]);
        dist(&mut tie);
        tie.push(" AS d, l.lat, l.lon", vec![]);
        let at_place = Filters {
            near: None,
            ..f.clone()
        };
        from_where(&mut tie, &at_place, corrected, None);
        tie.push(
            " AND l.lat = ? AND l.lon = ? AND ",
            vec![Bind::Double(last_lat), Bind::Double(last_lon)],
        );
        dist(&mut tie);
        tie.push(" = ?", vec![Bind::Double(last_d)]);
        if let Some(c) = after
            && c.k == Some(last_d)
        {
            tie.push(" AND l.id > ?", vec![Bind::Uuid(c.id)]);
        }
        tie.push(
            " ORDER BY l.id LIMIT ?",
            vec![Bind::BigInt(limit - keys.len() as i64)],
        );
        keys.extend(tie.load::<Near>(conn)?.into_iter().map(|r| (r.d, r.id)));
    } else {
        keys.extend(near.iter().filter(|r| r.d == last_d).map(|r| (r.d, r.id)));
    }
    keys.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keys.truncate(limit as usize);
    let mut sql = Sql::default();
    card_select(&mut sql, f, corrected, KeyType::Double);
    sql.push(
        &format!(
            " FROM unnest(?, ?) WITH ORDINALITY AS h(id, sort_key, ord) {CARD_JOINS} ORDER BY h.ord"
        ),
        vec![
            Bind::Uuids(keys.iter().map(|k| k.1).collect()),
            Bind::Doubles(keys.iter().map(|k| k.0).collect()),
        ],
    );
    sql.load(conn)
}

fn key_type(sort: Sort) -> (KeyType, bool) {
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

/// Rows in `listings` as of its last ANALYZE (0 when never analysed).
pub fn listings_table_rows(conn: &mut PgConnection) -> QueryResult<f64> {
    #[derive(QueryableByName)]
    struct Rows {
        #[diesel(sql_type = Double)]
        n: f64,
    }
    Ok(Sql::new(
        "SELECT greatest(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = 'listings'::regclass",
        vec![],
    )
    .load::<Rows>(conn)?
    .first()
    .map_or(0.0, |r| r.n))
}

/// Matching listings, counted up to `cap + 1` (never an unbounded count).
pub fn count_capped(
    conn: &mut PgConnection,
    f: &Filters,
    corrected: Option<&str>,
    cap: i64,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut sql = Sql::new("SELECT count(*) AS n FROM (SELECT 1", vec![]);
    from_where(&mut sql, f, corrected, None);
    sql.push(" LIMIT ?) c", vec![Bind::BigInt(cap + 1)]);
    Ok(sql.load::<N>(conn)?.first().map_or(0, |r| r.n))
}

/// Listings a browse search (category, make, country only) matches, from the facet aggregate.
pub fn aggregate_total(conn: &mut PgConnection, f: &Filters) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut sql = Sql::new(
        "SELECT coalesce(sum(a.n), 0)::int8 AS n FROM listing_facet_counts a WHERE true",
        vec![],
    );
    if let Some(ids) = &f.categories {
        sql.push(
            " AND a.category_id = ANY(?)",
            vec![Bind::Uuids(ids.clone())],
        );
    }
    if let Some(v) = &f.make {
        sql.push(" AND lower(a.make) = lower(?)", vec![Bind::Text(v.clone())]);
    }
    if let Some(v) = &f.country {
        sql.push(" AND a.country = ?", vec![Bind::Text(v.clone())]);
    }
    Ok(sql.load::<N>(conn)?.first().map_or(0, |r| r.n))
}

/// The planner's estimate of the matching listings (its row estimate for the query).
pub fn planner_estimate(
    conn: &mut PgConnection,
    f: &Filters,
    corrected: Option<&str>,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Plan {
        #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
        plan: String,
    }
    let mut sql = Sql::new("EXPLAIN (FORMAT JSON) SELECT 1", vec![]);
    let without_radius = Filters {
        near: None,
        ..f.clone()
    };
    from_where(&mut sql, &without_radius, corrected, None);
    if let Some((lat, lon)) = f.near {
        // The planner guesses a handful of rows for the radius box whatever its size; for a
        // plain distance condition it guesses a third of the rows, closer for real radii.
        sql.push(
            " AND l.lat IS NOT NULL AND earth_distance(ll_to_earth(?, ?), ll_to_earth(l.lat, l.lon)) <= ?",
            vec![
                Bind::Double(lat),
                Bind::Double(lon),
                Bind::Double(f.radius_km * 1000.0),
            ],
        );
    }
    let plan = sql.load::<Plan>(conn)?;
    let rows = plan
        .first()
        .and_then(|p| serde_json::from_str::<serde_json::Value>(&p.plan).ok())
        .and_then(|v| v.get(0)?.get("Plan")?.get("Plan Rows")?.as_f64())
        .unwrap_or(0.0);
    Ok(rows.round() as i64)
}

/// Where facet counts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetSource {
    /// Counted on the matching listings.
    Live,
    /// Counted on a sample, the `n` most recent listings that match the filters other than
    /// the facets' own (category, make, country, price, year), then scaled: for broad searches
    /// that the aggregate cannot answer.
    Sample(i64),
    /// Summed from `listing_facet_counts`, the aggregate refreshed by the jobs task (only for
    /// searches filtered by nothing but category, make and country).
    Aggregate,
}

/// The facet's value in listings (`l`) or in the aggregate (`a`), as grouped: categories by
/// id (named after grouping).
fn facet_value(facet: Facet, source: FacetSource) -> &'static str {
    match (facet, source) {
        (Facet::Category, FacetSource::Aggregate) => "a.category_id",
        (Facet::Category, _) => "l.category_id",
        (Facet::Make, FacetSource::Aggregate) => "nullif(a.make, '')",
        (Facet::Make, _) => "l.make",
        (Facet::Country, FacetSource::Aggregate) => "nullif(a.country, '')",
        (Facet::Country, _) => "l.country::text",
        (Facet::PriceBucket, FacetSource::Aggregate) => "a.price_bucket",
        (Facet::PriceBucket, _) => "listing_price_bucket(l.price_amount)",
        (Facet::YearBucket, FacetSource::Aggregate) => "nullif(a.year_bucket, '')",
        (Facet::YearBucket, _) => "listing_year_bucket(l.year)",
    }
}

/// `(SELECT 'facet', value, n FROM (<grouped>) s ORDER BY n DESC, value LIMIT 31)` around
/// what `grouped` writes (a `SELECT <value> AS g, <count> AS n … GROUP BY 1`).
fn facet_union_part(sql: &mut Sql, facet: Facet, grouped: impl FnOnce(&mut Sql)) {
    let name = facet.name();
    if facet == Facet::Category {
        sql.push(
            &format!("(SELECT '{name}'::text AS facet, c.slug AS value, s.n FROM ("),
            vec![],
        );
        grouped(sql);
        sql.push(
            ") s JOIN categories c ON c.id = s.g ORDER BY s.n DESC, c.slug LIMIT 31)",
            vec![],
        );
    } else {
        sql.push(
            &format!("(SELECT '{name}'::text AS facet, s.g::text AS value, s.n FROM ("),
            vec![],
        );
        grouped(sql);
        sql.push(") s ORDER BY s.n DESC, s.g LIMIT 31)", vec![]);
    }
}

/// Whether a listing passes `facet`'s own filter, as SQL over `m` (the sample's columns).
fn facet_filter(sql: &mut Sql, f: &Filters, facet: Facet) {
    match facet {
        Facet::Category => match &f.categories {
            Some(ids) => sql.push(
                " AND m.category_id = ANY(?)",
                vec![Bind::Uuids(ids.clone())],
            ),
            None => sql,
        },
        Facet::Make => match &f.make {
            Some(v) => sql.push(" AND lower(m.make) = lower(?)", vec![Bind::Text(v.clone())]),
            None => sql,
        },
        Facet::Country => match &f.country {
            Some(v) => sql.push(" AND m.country = ?", vec![Bind::Text(v.clone())]),
            None => sql,
        },
        Facet::PriceBucket => {
            if let Some(v) = f.price_min {
                sql.push(" AND m.price_amount >= ?", vec![Bind::BigInt(v)]);
            }
            if let Some(v) = f.price_max {
                sql.push(" AND m.price_amount <= ?", vec![Bind::BigInt(v)]);
            }
            sql
        }
        Facet::YearBucket => {
            if let Some(v) = f.year_min {
                sql.push(" AND m.year >= ?", vec![Bind::Int(v)]);
            }
            if let Some(v) = f.year_max {
                sql.push(" AND m.year <= ?", vec![Bind::Int(v)]);
            }
            sql
        }
    };
}

const ALL_FACETS: [Facet; 5] = [
    Facet::Category,
    Facet::Make,
    Facet::Country,
    Facet::PriceBucket,
    Facet::YearBucket,
];

/// The filters without the facets' own (what a facet sample is drawn from).
pub fn without_facet_filters(f: &Filters) -> Filters {
    Filters {
        categories: None,
        make: None,
        country: None,
        price_min: None,
        price_max: None,
        year_min: None,
        year_max: None,
        ..f.clone()
    }
}

/// The counts of `which`, in one statement: (facet, value, count), largest first, at most 31
/// values per facet (a NULL value may be among them).
pub fn facets(
    conn: &mut PgConnection,
    f: &Filters,
    corrected: Option<&str>,
    which: &[Facet],
    source: FacetSource,
) -> QueryResult<Vec<(Facet, String, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Text)]
        facet: String,
        #[diesel(sql_type = Nullable<Text>)]
        value: Option<String>,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    if which.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    if let FacetSource::Sample(n) = source {
        // One pass over the sample: each facet counts the rows that pass the other facets'
        // filters.
        sql.push(
            "WITH m AS MATERIALIZED (SELECT l.category_id, l.make, l.country::text AS country, \
             l.price_amount, l.year",
            vec![],
        );
        from_where(&mut sql, &without_facet_filters(f), corrected, None);
        sql.push(
            " ORDER BY l.published_at DESC, l.id DESC LIMIT ?) ",
            vec![Bind::BigInt(n)],
        );
    }
    for (i, facet) in which.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ", vec![]);
        }
        let value = facet_value(*facet, source);
        facet_union_part(&mut sql, *facet, |sql| match source {
            FacetSource::Live => {
                sql.push(&format!("SELECT {value} AS g, count(*) AS n"), vec![]);
                from_where(sql, f, corrected, Some(*facet));
                sql.push(" GROUP BY 1", vec![]);
            }
            FacetSource::Sample(_) => {
                let value = value
                    .replace("l.", "m.")
                    .replace("m.country::text", "m.country");
                sql.push(
                    &format!("SELECT {value} AS g, count(*) AS n FROM m WHERE true"),
                    vec![],
                );
                for other in ALL_FACETS.iter().filter(|o| *o != facet) {
                    facet_filter(sql, f, *other);
                }
                sql.push(" GROUP BY 1", vec![]);
            }
            FacetSource::Aggregate => {
                sql.push(
                    &format!(
                        "SELECT {value} AS g, sum(a.n)::int8 AS n FROM listing_facet_counts a WHERE true"
                    ),
                    vec![],
                );
                if *facet != Facet::Category
                    && let Some(ids) = &f.categories
                {
                    sql.push(
                        " AND a.category_id = ANY(?)",
                        vec![Bind::Uuids(ids.clone())],
                    );
                }
                if *facet != Facet::Make
                    && let Some(v) = &f.make
                {
                    sql.push(" AND lower(a.make) = lower(?)", vec![Bind::Text(v.clone())]);
                }
                if *facet != Facet::Country
                    && let Some(v) = &f.country
                {
                    sql.push(" AND a.country = ?", vec![Bind::Text(v.clone())]);
                }
                sql.push(" GROUP BY 1", vec![]);
            }
        });
    }
    Ok(sql
        .load::<Row>(conn)?
        .into_iter()
        .filter_map(|r| {
            let facet = Facet::parse(&r.facet)?;
            Some((facet, r.value?, r.n))
        })
        .collect())
}
