//! Facet counts: live, on a sample of a broad search, or from the aggregate.

use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};
use uuid::Uuid;

use super::query::{from_where, tsquery};
use super::sql::{Bind, Sql};
use super::{Facet, Filters};

/// Where facet counts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FacetSource {
    /// Counted on the matching listings.
    Live,
    /// Counted on a sample, the `n` most recent listings that match the filters other than
    /// the facets' own (category, make, country, price, year), then scaled: for broad searches
    /// that the aggregate cannot answer. The sample's ids come from the in-process index
    /// when it can answer the search (`facets`' `sample`), else from a walk.
    Sample(i64),
    /// Summed from `listing_facet_counts`, the aggregate refreshed by the jobs task (only for
    /// searches filtered by nothing but category, make and country).
    Aggregate,
}

/// The facet's value in listings (`l`), the sample (`m`) or the aggregate (`a`), as grouped:
/// categories by id (named after grouping).
fn facet_value(facet: Facet, source: FacetSource) -> &'static str {
    match (facet, source) {
        (Facet::Category, FacetSource::Live) => "l.category_id",
        (Facet::Category, FacetSource::Sample(_)) => "m.category_id",
        (Facet::Category, FacetSource::Aggregate) => "a.category_id",
        (Facet::Make, FacetSource::Live) => "l.make",
        (Facet::Make, FacetSource::Sample(_)) => "m.make",
        (Facet::Make, FacetSource::Aggregate) => "nullif(a.make, '')",
        (Facet::Country, FacetSource::Live) => "l.country::text",
        (Facet::Country, FacetSource::Sample(_)) => "m.country",
        (Facet::Country, FacetSource::Aggregate) => "nullif(a.country, '')",
        (Facet::PriceBucket, FacetSource::Live) => "listing_price_bucket(l.price_amount)",
        (Facet::PriceBucket, FacetSource::Sample(_)) => "listing_price_bucket(m.price_amount)",
        (Facet::PriceBucket, FacetSource::Aggregate) => "a.price_bucket",
        (Facet::YearBucket, FacetSource::Live) => "listing_year_bucket(l.year)",
        (Facet::YearBucket, FacetSource::Sample(_)) => "listing_year_bucket(m.year)",
        (Facet::YearBucket, FacetSource::Aggregate) => "nullif(a.year_bucket, '')",
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
    which: &[Facet],
    source: FacetSource,
    sample: Option<&[Uuid]>,
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
    if let (FacetSource::Sample(_), Some(ids)) = (source, sample) {
        // Drawn by the in-process index (and checked by PostgreSQL).
        sql.push(
            "WITH m AS MATERIALIZED (SELECT l.category_id, l.make, l.country::text AS country, \
             l.price_amount, l.year FROM listings l WHERE l.id = ANY(?)) ",
            vec![Bind::Uuids(ids.to_vec())],
        );
    } else if let FacetSource::Sample(n) = source {
        // One pass over the sample: each facet counts the rows that pass the other facets'
        // filters. A sample is drawn only for broad searches, so the newest listings are
        // walked and checked until it is full; the walk is written out (the document checked
        // outside a subquery the planner keeps whole) because the planner, which prices a
        // document check like a comparison, would rather read every match through the
        // full-text index and sort them (1.4 s for a quarter of a million listings).
        let sampled = without_facet_filters(f);
        sql.push(
            "WITH m AS MATERIALIZED (SELECT w.category_id, w.make, w.country, w.price_amount, w.year \
             FROM (SELECT l.category_id, l.make, l.country::text AS country, l.price_amount, l.year, \
             l.search_document",
            vec![],
        );
        from_where(
            &mut sql,
            &Filters {
                tsquery: None,
                ..sampled.clone()
            },
            None,
        );
        sql.push(
            " ORDER BY l.published_at DESC, l.id DESC OFFSET 0) w WHERE true",
            vec![],
        );
        if let Some(tsq) = &sampled.tsquery {
            sql.push(" AND w.search_document @@ ", vec![]);
            tsquery(&mut sql, tsq);
        }
        sql.push(" LIMIT ?) ", vec![Bind::BigInt(n)]);
    }
    for (i, facet) in which.iter().enumerate() {
        if i > 0 {
            sql.push(" UNION ALL ", vec![]);
        }
        let value = facet_value(*facet, source);
        facet_union_part(&mut sql, *facet, |sql| match source {
            FacetSource::Live => {
                sql.push(&format!("SELECT {value} AS g, count(*) AS n"), vec![]);
                from_where(sql, f, Some(*facet));
                sql.push(" GROUP BY 1", vec![]);
            }
            FacetSource::Sample(_) => {
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
