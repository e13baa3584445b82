//! How many listings a search matches: a capped count, the facet aggregate's sum, or the
//! planner's estimate.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Double, Text};

use super::Filters;
use super::query::from_where;
use super::sql::{Bind, Sql};

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
pub fn count_capped(conn: &mut PgConnection, f: &Filters, cap: i64) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut sql = Sql::new("SELECT count(*) AS n FROM (SELECT 1", vec![]);
    from_where(&mut sql, f, None);
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
pub fn planner_estimate(conn: &mut PgConnection, f: &Filters) -> QueryResult<i64> {
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
    from_where(&mut sql, &without_radius, None);
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
