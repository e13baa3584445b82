//! Listing search: full text (French and English stemming, accent-insensitive, designation
//! variants, typo-tolerant makes), typed filters, airfield radius, keyset pages and facets,
//! compiled into one parameterised SQL statement per question.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{
    Array, BigInt, Bool, Double, Float, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ApiError, FieldErrors};

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub enum Bind {
    Text(String),
    Int(i32),
    BigInt(i64),
    Double(f64),
    Bool(bool),
    Uuids(Vec<Uuid>),
    Uuid(Uuid),
    Time(DateTime<Utc>),
    Float(f32),
}

/// SQL text with numbered placeholders and their values, built piece by piece.
#[derive(Debug, Default, Clone)]
pub struct Sql {
    pub text: String,
    pub binds: Vec<Bind>,
}

impl Sql {
    /// Appends `fragment`, where each `?` is the next of `binds`.
    pub fn push(&mut self, fragment: &str, binds: Vec<Bind>) -> &mut Self {
        let mut it = binds.into_iter();
        for ch in fragment.chars() {
            if ch == '?' {
                if let Some(b) = it.next() {
                    self.binds.push(b);
                    self.text.push_str(&format!("${}", self.binds.len()));
                }
            } else {
                self.text.push(ch);
            }
        }
        self
    }

    pub fn query(&self) -> BoxedSqlQuery<'static, Pg, diesel::query_builder::SqlQuery> {
        let mut q = diesel::sql_query(self.text.clone()).into_boxed::<Pg>();
        for b in &self.binds {
            q = match b.clone() {
                Bind::Text(v) => q.bind::<Text, _>(v),
                Bind::Int(v) => q.bind::<Integer, _>(v),
                Bind::BigInt(v) => q.bind::<BigInt, _>(v),
                Bind::Double(v) => q.bind::<Double, _>(v),
                Bind::Bool(v) => q.bind::<Bool, _>(v),
                Bind::Uuids(v) => q.bind::<Array<SqlUuid>, _>(v),
                Bind::Uuid(v) => q.bind::<SqlUuid, _>(v),
                Bind::Time(v) => q.bind::<Timestamptz, _>(v),
                Bind::Float(v) => q.bind::<Float, _>(v),
            };
        }
        q
    }
}

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best text match first (needs `q`; otherwise newest).
    Relevance,
    Newest,
    PriceAsc,
    PriceDesc,
    /// Youngest aircraft first.
    YearDesc,
    /// Lowest airframe hours first.
    TtafAsc,
    /// Closest first (needs `near`).
    Distance,
}

/// The filters, already validated.
#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub query: Option<String>,
    pub categories: Option<Vec<Uuid>>,
    pub make: Option<String>,
    pub model: Option<String>,
    pub year_min: Option<i32>,
    pub year_max: Option<i32>,
    pub price_min: Option<i64>,
    pub price_max: Option<i64>,
    pub ttaf_max: Option<f64>,
    pub smoh_max: Option<f64>,
    pub hours_to_tbo_min: Option<f64>,
    pub engine_hours_max: Option<f64>,
    pub ifr: Option<bool>,
    pub seats_min: Option<i32>,
    pub fuel: Option<String>,
    pub condition: Option<String>,
    pub seller_type: Option<String>,
    pub country: Option<String>,
    pub has_photos: Option<bool>,
    pub posted_after: Option<DateTime<Utc>>,
    pub near: Option<(f64, f64)>,
    pub radius_km: f64,
    pub include_sold: bool,
}

/// Which filter a facet ignores (a facet counts what the search would find if its own filter
/// were changed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Facet {
    Category,
    Make,
    Country,
    PriceBucket,
    YearBucket,
}

impl Facet {
    pub fn parse(name: &str) -> Option<Facet> {
        match name {
            "category" => Some(Facet::Category),
            "make" => Some(Facet::Make),
            "country" => Some(Facet::Country),
            "price_bucket" => Some(Facet::PriceBucket),
            "year_bucket" => Some(Facet::YearBucket),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Facet::Category => "category",
            Facet::Make => "make",
            Facet::Country => "country",
            Facet::PriceBucket => "price_bucket",
            Facet::YearBucket => "year_bucket",
        }
    }
}

/// Letters and digits apart: "DR-400" and "DR400" both give "dr 400".
pub fn designation_parts(q: &str) -> String {
    let mut out = String::new();
    let mut last: Option<bool> = None; // was the previous char a digit?
    for ch in q.chars() {
        if ch.is_alphanumeric() {
            let digit = ch.is_ascii_digit();
            if last.is_some_and(|d| d != digit) {
                out.push(' ');
            }
            out.extend(ch.to_lowercase());
            last = Some(digit);
        } else {
            if last.is_some() {
                out.push(' ');
            }
            last = None;
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

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

/// Replaces words that are near-misses of a make's name ("cesna" → "cessna").
pub fn correct_makes(conn: &mut PgConnection, q: &str) -> QueryResult<String> {
    #[derive(QueryableByName)]
    struct Best {
        #[diesel(sql_type = Text)]
        name: String,
    }
    let mut words = Vec::new();
    for word in q.split_whitespace() {
        let alpha = word.chars().all(char::is_alphabetic) && word.chars().count() >= 4;
        let fixed = if alpha {
            diesel::sql_query(
                "SELECT search_text AS name FROM makes \
                 WHERE search_text % catalogue_search_text($1) AND search_text <> catalogue_search_text($1) \
                 ORDER BY similarity(search_text, catalogue_search_text($1)) DESC LIMIT 1",
            )
            .bind::<Text, _>(word)
            .load::<Best>(conn)?
            .into_iter()
            .next()
            .map(|b| b.name)
        } else {
            None
        };
        words.push(fixed.unwrap_or_else(|| word.to_owned()));
    }
    Ok(words.join(" "))
}

const PUBLIC: &str = "l.status IN ('published', 'reserved')";
const PUBLIC_OR_RECENTLY_SOLD: &str = "(l.status IN ('published', 'reserved') OR (l.status = 'sold' AND l.sold_at > now() - interval '30 days'))";

/// `WHERE …` for `filters`, leaving out the filter `skip` belongs to (for facets).
pub fn where_clause(sql: &mut Sql, f: &Filters, corrected: Option<&str>, skip: Option<Facet>) {
    sql.push(" WHERE ", vec![]);
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
        sql.push(
            " AND l.category_id = ANY(?)",
            vec![Bind::Uuids(ids.clone())],
        );
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
    if let Some(v) = f.ttaf_max {
        sql.push(" AND l.ttaf_hours <= ?", vec![Bind::Double(v)]);
    }
    if let Some(v) = f.smoh_max {
        sql.push(" AND l.smoh_hours <= ?", vec![Bind::Double(v)]);
    }
    if let Some(v) = f.hours_to_tbo_min {
        sql.push(" AND l.hours_to_tbo >= ?", vec![Bind::Double(v)]);
    }
    if let Some(v) = f.engine_hours_max {
        sql.push(" AND l.engine_hours <= ?", vec![Bind::Double(v)]);
    }
    if let Some(v) = f.ifr {
        sql.push(" AND l.ifr = ?", vec![Bind::Bool(v)]);
    }
    if let Some(v) = f.seats_min {
        sql.push(" AND l.seats >= ?", vec![Bind::Int(v)]);
    }
    if let Some(v) = &f.fuel {
        sql.push(" AND l.fuel = ?", vec![Bind::Text(v.clone())]);
    }
    if let Some(v) = &f.condition {
        sql.push(" AND l.condition = ?", vec![Bind::Text(v.clone())]);
    }
    if let Some(v) = &f.seller_type {
        sql.push(" AND u.account_type = ?", vec![Bind::Text(v.clone())]);
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
        // The box uses the GiST index; the exact distance trims its corners.
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

/// The position after which the next page starts: the sort key of the last row and its id.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Cursor {
    /// The sort this cursor belongs to.
    pub s: Sort,
    /// The sort key: a number (rank, price, year, hours, distance), a time, or null.
    pub k: Option<f64>,
    pub t: Option<DateTime<Utc>>,
    pub id: Uuid,
}

impl Cursor {
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).unwrap_or_default())
    }

    pub fn decode(text: &str, sort: Sort) -> Result<Cursor, ApiError> {
        let bad = || {
            ApiError::field(
                "cursor",
                "is not a cursor of this search (same sort) — start over without it",
            )
        };
        let bytes = URL_SAFE_NO_PAD.decode(text).map_err(|_| bad())?;
        let cursor: Cursor = serde_json::from_slice(&bytes).map_err(|_| bad())?;
        if cursor.s == sort {
            Ok(cursor)
        } else {
            Err(bad())
        }
    }
}

/// One result row.
#[derive(Debug, Clone, QueryableByName)]
pub struct Hit {
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    #[diesel(sql_type = Nullable<Double>)]
    pub distance_m: Option<f64>,
    #[diesel(sql_type = Nullable<Float>)]
    pub rank: Option<f32>,
    #[diesel(sql_type = Nullable<Text>)]
    pub snippet: Option<String>,
    #[diesel(sql_type = Nullable<Double>)]
    pub key_number: Option<f64>,
    #[diesel(sql_type = Nullable<Timestamptz>)]
    pub key_time: Option<DateTime<Utc>>,
}

/// The ordering expression (number or time) and its direction for `sort`.
fn order_key(sort: Sort) -> (&'static str, bool, bool) {
    // (expression, is a time, descending)
    match sort {
        Sort::Relevance => ("l.rank::float8", false, true),
        Sort::Newest => ("l.published_at", true, true),
        Sort::PriceAsc => (
            "coalesce(l.price_amount, 9223372036854775807)::float8",
            false,
            false,
        ),
        Sort::PriceDesc => ("coalesce(l.price_amount, -1)::float8", false, true),
        Sort::YearDesc => ("coalesce(l.year, 0)::float8", false, true),
        Sort::TtafAsc => ("coalesce(l.ttaf_hours, 1e12)", false, false),
        Sort::Distance => ("l.distance_m", false, false),
    }
}

/// A page of hits.
pub fn page(
    conn: &mut PgConnection,
    f: &Filters,
    corrected: Option<&str>,
    sort: Sort,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Vec<Hit>> {
    let mut sql = Sql::default();
    sql.push(
        "SELECT l.id, l.distance_m, l.rank, l.snippet, k.key_number, k.key_time FROM (SELECT l.id, ",
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
            sql.push("ts_rank_cd(l.search_document, ", vec![]);
            tsquery(&mut sql, q, corrected.unwrap_or(q));
            sql.push(")::float4 AS rank, ", vec![]);
            // Escaped first, so the only markup in the snippet is our <mark>.
            sql.push(
                "ts_headline('hangar_fr', replace(replace(replace(l.description, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), ",
                vec![],
            );
            tsquery(&mut sql, q, corrected.unwrap_or(q));
            sql.push(
                ", 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter= … ') AS snippet, ",
                vec![],
            );
        }
        None => {
            sql.push("NULL::float4 AS rank, NULL::text AS snippet, ", vec![]);
        }
    }
    sql.push("l.published_at, l.price_amount, l.year, l.ttaf_hours FROM listings l JOIN users u ON u.id = l.seller_id", vec![]);
    where_clause(&mut sql, f, corrected, None);
    sql.push(") l", vec![]);
    let (expr, is_time, desc) = order_key(sort);
    let key = |e: &str| format!("({e})");
    if is_time {
        sql.push(
            &format!(
                " CROSS JOIN LATERAL (SELECT NULL::float8 AS key_number, {expr} AS key_time) k"
            ),
            vec![],
        );
    } else {
        sql.push(
            &format!(
                " CROSS JOIN LATERAL (SELECT {} AS key_number, NULL::timestamptz AS key_time) k",
                key(expr)
            ),
            vec![],
        );
    }
    if let Some(c) = after {
        let cmp = if desc { "<" } else { ">" };
        let field = if is_time {
            "k.key_time"
        } else {
            "k.key_number"
        };
        let bound = if is_time {
            Bind::Time(c.t.unwrap_or_else(Utc::now))
        } else {
            Bind::Double(c.k.unwrap_or(0.0))
        };
        let bound2 = bound.clone();
        sql.push(
            &format!(" WHERE ({field} {cmp} ? OR ({field} = ? AND l.id {cmp} ?))"),
            vec![bound, bound2, Bind::Uuid(c.id)],
        );
    }
    let dir = if desc { "DESC" } else { "ASC" };
    let field = if is_time {
        "k.key_time"
    } else {
        "k.key_number"
    };
    sql.push(
        &format!(" ORDER BY {field} {dir} NULLS LAST, l.id {dir} LIMIT ?"),
        vec![Bind::BigInt(limit)],
    );
    sql.query().load(conn)
}

/// Matching listings: exact up to 10,000, the planner's estimate beyond.
pub fn total_estimate(
    conn: &mut PgConnection,
    f: &Filters,
    corrected: Option<&str>,
) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut sql = Sql::default();
    sql.push(
        "SELECT count(*) AS n FROM (SELECT 1 FROM listings l JOIN users u ON u.id = l.seller_id",
        vec![],
    );
    where_clause(&mut sql, f, corrected, None);
    sql.push(" LIMIT 10001) c", vec![]);
    let n = sql.query().load::<N>(conn)?.first().map_or(0, |r| r.n);
    Ok(n)
}

/// One facet's counts: (value, count), largest first.
pub fn facet(
    conn: &mut PgConnection,
    f: &Filters,
    corrected: Option<&str>,
    which: Facet,
) -> QueryResult<Vec<(String, i64)>> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Nullable<Text>)]
        value: Option<String>,
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let value = match which {
        Facet::Category => "(SELECT c.slug FROM categories c WHERE c.id = l.category_id)",
        Facet::Make => "l.make",
        Facet::Country => "l.country",
        Facet::PriceBucket => {
            "CASE WHEN l.price_amount IS NULL THEN 'on_request' \
             WHEN l.price_amount < 2000000 THEN '0-20000' \
             WHEN l.price_amount < 5000000 THEN '20000-50000' \
             WHEN l.price_amount < 10000000 THEN '50000-100000' \
             WHEN l.price_amount < 25000000 THEN '100000-250000' ELSE '250000+' END"
        }
        Facet::YearBucket => {
            "CASE WHEN l.year IS NULL THEN NULL ELSE ((l.year / 10) * 10)::text || 's' END"
        }
    };
    let mut sql = Sql::default();
    sql.push(&format!("SELECT {value} AS value, count(*) AS n FROM listings l JOIN users u ON u.id = l.seller_id"), vec![]);
    where_clause(&mut sql, f, corrected, Some(which));
    sql.push(" GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 30", vec![]);
    Ok(sql
        .query()
        .load::<Row>(conn)?
        .into_iter()
        .filter_map(|r| r.value.map(|v| (v, r.n)))
        .collect())
}

/// Field errors for filter combinations that cannot work.
pub fn combination_errors(f: &Filters, sort: Sort) -> FieldErrors {
    let mut errors = FieldErrors::new();
    if sort == Sort::Distance && f.near.is_none() {
        errors.insert("sort".into(), vec!["`distance` needs `near`".into()]);
    }
    if let (Some(a), Some(b)) = (f.year_min, f.year_max)
        && a > b
    {
        errors.insert("year_min".into(), vec!["is after year_max".into()]);
    }
    if let (Some(a), Some(b)) = (f.price_min, f.price_max)
        && a > b
    {
        errors.insert("price_min".into(), vec!["is above price_max".into()]);
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn designations_split_letters_and_digits() {
        let cases = [
            ("DR400", "dr 400"),
            ("DR-400", "dr 400"),
            ("dr 400", "dr 400"),
            ("PA-28-161", "pa 28 161"),
            ("Cessna 172", "cessna 172"),
            ("hélice", "hélice"),
        ];
        for (q, expected) in cases {
            assert_eq!(designation_parts(q), expected, "{q}");
        }
    }

    #[test]
    fn cursors_round_trip_and_belong_to_their_sort() {
        let c = Cursor {
            s: Sort::Newest,
            k: None,
            t: Some(Utc::now()),
            id: Uuid::now_v7(),
        };
        assert_eq!(
            Cursor::decode(&c.encode(), Sort::Newest).ok(),
            Some(c.clone())
        );
        assert!(Cursor::decode(&c.encode(), Sort::PriceAsc).is_err());
        assert!(Cursor::decode("garbage", Sort::Newest).is_err());
    }

    #[test]
    fn placeholders_are_numbered_in_order() {
        let mut sql = Sql::default();
        sql.push("a = ? AND b = ?", vec![Bind::Int(1), Bind::Int(2)]);
        sql.push(" AND c = ?", vec![Bind::Int(3)]);
        assert_eq!(sql.text, "a = $1 AND b = $2 AND c = $3");
    }
}
