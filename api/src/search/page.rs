//! The result page: its rows found (walked in index order, nearest first, or given by the
//! in-process index), then what their cards show, read for those rows only; similar listings.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use uuid::Uuid;

use super::query::{KeyType, distance, from_where, key_type, order_key, tsquery};
use super::sql::{Bind, Sql};
use super::{Cursor, Filters, Sort};

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
    /// For a full-text search's snippet (see `card_select`).
    #[diesel(sql_type = Nullable<Text>)]
    pub description: Option<String>,
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
           NULL::float8 AS distance_m, NULL::text AS description, ",
        vec![Bind::Uuid(id), Bind::Uuid(id)],
    );
    sql.push(CARD_COLUMNS, vec![]);
    sql.push(&format!(" FROM h {CARD_JOINS} ORDER BY h.ord"), vec![]);
    sql.load(conn)
}

/// Most recent matches a full-text search ranks by relevance: ranking reads each match's
/// document, and a broad query ("moteur révision") matches a quarter of the site.
pub const RANK_CANDIDATES: i64 = 300;

/// `SELECT h.id, <cursor key>, distance, description, <card columns>`: the outer select over
/// the page `h` (with `h.id`, and the relevance page's `h.sort_key` when `sort_key`).
/// `snippets_upto`: descriptions only for the rows of `h` whose `ord` is at most this (the row
/// read past a page to know whether another follows is not shown).
fn card_select(sql: &mut Sql, f: &Filters, sort_key: bool, snippets_upto: Option<i64>) {
    sql.push("SELECT h.id, ", vec![]);
    sql.push(
        if sort_key {
            "h.sort_key::float8 AS key_number, NULL::timestamptz AS key_time, "
        } else {
            // Set by the service (`cards`).
            "NULL::float8 AS key_number, NULL::timestamptz AS key_time, "
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
    // The description, for the snippet the service writes (`snippet.rs`).
    match (&f.tsquery, snippets_upto) {
        (Some(_), Some(n)) => sql.push(
            "CASE WHEN h.ord <= ? THEN l.description END AS description, ",
            vec![Bind::BigInt(n)],
        ),
        (Some(_), None) => sql.push("l.description, ", vec![]),
        (None, _) => sql.push("NULL::text AS description, ", vec![]),
    };
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

/// A page of hits: walked in index order or read from the in-process index's candidates
/// ([`walk_page`]), nearest first ([`distance_page`]), or by relevance in one statement whose
/// inner query ranks the [`RANK_CANDIDATES`] most recent matches and whose outer one reads
/// what the cards show for the page's rows only. `candidates`: the matches the in-process
/// index found and PostgreSQL checked (the most recent for relevance, the page after the
/// cursor for newest), read by id instead of walking.
pub fn page(
    conn: &mut PgConnection,
    f: &Filters,
    sort: Sort,
    after: Option<&Cursor>,
    limit: i64,
    candidates: Option<&[Uuid]>,
) -> QueryResult<Vec<HitRow>> {
    if sort == Sort::Distance {
        return distance_page(conn, f, after, limit);
    }
    if sort != Sort::Relevance {
        return walk_page(conn, f, sort, after, limit, candidates);
    }
    let (ty, desc) = key_type(sort);
    let dir = if desc { "DESC" } else { "ASC" };
    let mut sql = Sql::default();
    card_select(&mut sql, f, true, None);
    // Relevance: the most recent matches ranked (the index's, or walked here).
    let tsq = f.tsquery.as_deref().unwrap_or_default();
    let rank = |sql: &mut Sql| {
        sql.push("ts_rank_cd(m.doc, ", vec![]);
        tsquery(sql, tsq);
        sql.push(")", vec![]);
    };
    sql.push(" FROM (SELECT m.id, ", vec![]);
    rank(&mut sql);
    sql.push(
        " AS sort_key FROM (SELECT l.id, l.search_document AS doc",
        vec![],
    );
    match candidates {
        Some(ids) => sql.push(
            " FROM listings l WHERE l.id = ANY(?)) m WHERE true",
            vec![Bind::Uuids(ids.to_vec())],
        ),
        None => {
            from_where(&mut sql, f, None);
            sql.push(
                " ORDER BY l.published_at DESC, l.id DESC LIMIT ?) m WHERE true",
                vec![Bind::BigInt(RANK_CANDIDATES)],
            )
        }
    };
    if let Some(c) = after {
        after_cursor(&mut sql, c, ty, desc, rank, "m.id");
    }
    sql.push(
        &format!(" ORDER BY sort_key {dir}, m.id {dir} LIMIT ?) h"),
        vec![Bind::BigInt(limit)],
    );
    sql.push(
        &format!(" {CARD_JOINS} ORDER BY h.sort_key {dir}, h.id {dir}"),
        vec![],
    );
    sql.load(conn)
}

/// A page in index order (keyset after `after`), or of the `candidates` the in-process index
/// found: the walk, planned for its filters every time (the best index depends on their
/// values: a small category's own, or the newest-first one), then the cards by id
/// ([`cards`], prepared). One statement of both took 0.76 ms to plan for 0.44 ms of
/// execution; the walk alone plans in 0.25 ms.
fn walk_page(
    conn: &mut PgConnection,
    f: &Filters,
    sort: Sort,
    after: Option<&Cursor>,
    limit: i64,
    candidates: Option<&[Uuid]>,
) -> QueryResult<Vec<HitRow>> {
    let (ty, desc) = key_type(sort);
    let dir = if desc { "DESC" } else { "ASC" };
    let mut sql = Sql::new(
        if ty == KeyType::Time {
            "SELECT h.id, NULL::float8 AS key_number, h.sort_key AS key_time"
        } else {
            "SELECT h.id, h.sort_key::float8 AS key_number, NULL::timestamptz AS key_time"
        },
        vec![],
    );
    sql.push(" FROM (SELECT l.id, ", vec![]);
    order_key(&mut sql, f, sort);
    sql.push(" AS sort_key", vec![]);
    match candidates {
        // The index found the page's listings (after the cursor), PostgreSQL checked them.
        Some(ids) => {
            sql.push(
                " FROM listings l WHERE l.id = ANY(?)",
                vec![Bind::Uuids(ids.to_vec())],
            );
        }
        None => {
            from_where(&mut sql, f, None);
            if let Some(c) = after {
                after_cursor(
                    &mut sql,
                    c,
                    ty,
                    desc,
                    |sql| {
                        order_key(sql, f, sort);
                    },
                    "l.id",
                );
            }
        }
    }
    sql.push(
        &format!(" ORDER BY sort_key {dir}, l.id {dir} LIMIT ?) h"),
        vec![Bind::BigInt(limit)],
    );
    let keys: Vec<PageKey> = sql.load(conn)?;
    cards(conn, f, &keys, None)
}

/// A relevance page from matches the index found and ranked (`ts_rank_cd`, computed from its
/// positions: `rank.rs`): ordered and cut after the cursor here, as [`page`] would in
/// PostgreSQL (rank descending, then id descending), so PostgreSQL reads only the page's
/// cards and snippets, not the documents of every candidate. Reads `limit + 1` rows (the
/// last tells whether another page follows: its description is not read).
pub fn ranked_page(
    conn: &mut PgConnection,
    f: &Filters,
    mut ranked: Vec<(Uuid, f32)>,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<HitRow>> {
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    if let Some(c) = after {
        // The cursor's key as the float4 PostgreSQL compares it with.
        let k = c.k.unwrap_or_default() as f32;
        ranked.retain(|(id, rank)| *rank < k || (*rank == k && *id < c.id));
    }
    ranked.truncate(usize::try_from(limit + 1).unwrap_or(0));
    let keys: Vec<PageKey> = ranked
        .into_iter()
        .map(|(id, r)| PageKey::number(id, f64::from(r)))
        .collect();
    cards(conn, f, &keys, Some(limit))
}

/// A row of a page before its card is read: the id and the sort key the cursor carries.
#[derive(QueryableByName)]
struct PageKey {
    #[diesel(sql_type = SqlUuid)]
    id: Uuid,
    #[diesel(sql_type = Nullable<Double>)]
    key_number: Option<f64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    key_time: Option<DateTime<Utc>>,
}

impl PageKey {
    fn number(id: Uuid, key: f64) -> PageKey {
        PageKey {
            id,
            key_number: Some(key),
            key_time: None,
        }
    }
}

/// The cards of `keys`, in that order (a listing gone since its key was read is left out).
/// Prepared, with the number of rows written in: a generic plan then expects that many (not
/// the 100 it assumes for `unnest` of a parameter), so PostgreSQL keeps it instead of
/// planning the five-table join for every page (0.6 ms, twice its execution). One statement
/// per page size and filter shape on each connection.
fn cards(
    conn: &mut PgConnection,
    f: &Filters,
    keys: &[PageKey],
    snippets_upto: Option<i64>,
) -> QueryResult<Vec<HitRow>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::default();
    card_select(&mut sql, f, false, snippets_upto);
    sql.push(
        &format!(
            " FROM (SELECT * FROM unnest(?) WITH ORDINALITY AS u(id, ord) LIMIT {}) h \
             {CARD_JOINS} ORDER BY h.ord",
            keys.len()
        ),
        vec![Bind::Uuids(keys.iter().map(|k| k.id).collect())],
    );
    let mut rows: Vec<HitRow> = sql.load_prepared(conn)?;
    let by_id: HashMap<Uuid, &PageKey> = keys.iter().map(|k| (k.id, k)).collect();
    for row in &mut rows {
        if let Some(key) = by_id.get(&row.id) {
            row.key_number = key.key_number;
            row.key_time = key.key_time;
        }
    }
    Ok(rows)
}

/// Nearest first. The GiST index returns listings by distance, but every listing at one
/// airfield has the same distance, in no particular order; a page boundary inside such a
/// group would lose or repeat rows. So: (1) the next `limit` rows from the index; (2) the
/// group at the last distance read again whole, by id, from `listings_public_place_idx`;
/// (3) the cards of the page, in (distance, id) order.
fn distance_page(
    conn: &mut PgConnection,
    f: &Filters,
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
    let point = f.near.unwrap_or_default();
    let dist = |sql: &mut Sql| distance(sql, point);
    let mut sql = Sql::new("SELECT l.id, ", vec![]);
    dist(&mut sql);
    sql.push(" AS d, l.lat, l.lon", vec![]);
    from_where(&mut sql, f, None);
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
    // Prepared, with the row count written in (as `cards`): the generic plan is the custom
    // one, the same index scan, and is kept.
    sql.push(&format!(" LIMIT {limit}"), vec![]);
    let near: Vec<Near> = sql.load_prepared(conn)?;
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
        from_where(&mut tie, &at_place, None);
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
        keys.extend(
            tie.load_prepared::<Near>(conn)?
                .into_iter()
                .map(|r| (r.d, r.id)),
        );
    } else {
        keys.extend(near.iter().filter(|r| r.d == last_d).map(|r| (r.d, r.id)));
    }
    keys.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    keys.truncate(limit as usize);
    let keys: Vec<PageKey> = keys
        .into_iter()
        .map(|(d, id)| PageKey::number(id, d))
        .collect();
    cards(conn, f, &keys, None)
}
