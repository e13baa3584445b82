//! `GET /api/v1/listings`: search; `GET /api/v1/listings/{id}/similar`.

use std::collections::BTreeMap;

use actix_web::{get, web};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::db;
use crate::db::listings::{self as rows, Listing};
use crate::db::schema::{airfields, listings as listings_table};
use crate::dto::listings::ListingSummary;
use crate::error::{ApiError, Problem};
use crate::extract::{CrossCheck, ValidQuery};
use crate::search::{self, Cursor, Facet, Filters, Sort};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(search_listings).service(similar);
}

/// Search parameters. Prices are in minor units of the listing's own currency (no
/// conversion): `price_max=5000000` is 50,000.00 EUR for a euro listing, 50,000.00 CHF for a
/// franc one. Unknown parameters are refused (422), so a typo never silently widens a search.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words to find in titles, descriptions, makes and models (French or English, accents and
    /// spacing of designations do not matter: "DR 400" finds "DR400"; near-miss makes are
    /// corrected: "cesna" finds Cessna).
    #[validate(length(min = 1, max = 200))]
    pub q: Option<String>,
    /// Category slug; its subcategories are included.
    #[validate(length(min = 2, max = 60))]
    pub category: Option<String>,
    #[validate(length(min = 1, max = 60))]
    pub make: Option<String>,
    #[validate(length(min = 1, max = 60))]
    pub model: Option<String>,
    #[validate(range(min = 1900, max = 2100))]
    pub year_min: Option<i32>,
    #[validate(range(min = 1900, max = 2100))]
    pub year_max: Option<i32>,
    /// Minor units of the listing's currency.
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub price_min: Option<i64>,
    /// Minor units of the listing's currency.
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    pub price_max: Option<i64>,
    /// Most airframe hours.
    #[validate(range(min = 0.0, max = 100000.0))]
    pub ttaf_max: Option<f64>,
    /// Most engine hours since overhaul.
    #[validate(range(min = 0.0, max = 100000.0))]
    pub smoh_max: Option<f64>,
    /// Least engine hours left before overhaul.
    #[validate(range(min = 0.0, max = 100000.0))]
    pub hours_to_tbo_min: Option<f64>,
    /// Most engine hours since new.
    #[validate(range(min = 0.0, max = 100000.0))]
    pub engine_hours_max: Option<f64>,
    pub ifr: Option<bool>,
    #[validate(range(min = 1, max = 20))]
    pub seats_min: Option<i32>,
    /// `100LL`, `UL91`, `mogas`, `jet-a1` or `electric`.
    #[validate(length(min = 1, max = 10))]
    pub fuel: Option<String>,
    /// `new`, `used`, `overhauled` or `for_parts`.
    #[validate(length(min = 1, max = 12))]
    pub condition: Option<String>,
    /// `private` or `professional`.
    #[validate(length(min = 1, max = 12))]
    pub seller_type: Option<String>,
    /// ISO country code, e.g. FR.
    #[validate(length(equal = 2))]
    pub country: Option<String>,
    pub has_photos: Option<bool>,
    #[validate(range(min = 1, max = 365))]
    pub posted_within_days: Option<i64>,
    /// An airfield ICAO code (`LFPN`) or `lat,lon`; results carry `distance_km`.
    #[validate(length(min = 3, max = 40))]
    pub near: Option<String>,
    /// With `near`: 1–1000 km (default 100).
    #[validate(range(min = 1.0, max = 1000.0))]
    pub radius_km: Option<f64>,
    /// Also show listings sold in the last 30 days.
    pub include_sold: Option<bool>,
    /// Default: `relevance` with `q`, else `newest`.
    pub sort: Option<Sort>,
    /// 1–100 (default 20).
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (same filters and sort).
    #[validate(length(max = 500))]
    pub cursor: Option<String>,
    /// Comma-separated: `category`, `make`, `country`, `price_bucket`, `year_bucket`. Each
    /// counts the search as if its own filter were not set.
    #[validate(length(max = 100))]
    pub facets: Option<String>,
}

impl CrossCheck for SearchQuery {}

/// A search result.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub listing: ListingSummary,
    /// From `near`, in km (one decimal).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distance_km: Option<f64>,
    /// Where the words matched, with `<mark>` around them; the text is HTML-escaped, so the
    /// snippet is safe to insert as HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
}

/// One facet value.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    pub value: String,
    pub count: i64,
}

/// A page of results.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Matching listings: exact up to 10,000, then "at least 10,001".
    pub total_estimate: i64,
    /// The requested facets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
}

fn one_of(
    field: &str,
    value: &Option<String>,
    allowed: &[&str],
) -> Result<Option<String>, ApiError> {
    match value {
        None => Ok(None),
        Some(v) if allowed.contains(&v.as_str()) => Ok(Some(v.clone())),
        Some(_) => Err(ApiError::field(
            field,
            format!("must be one of {}", allowed.join(", ")),
        )),
    }
}

fn descendants(conn: &mut PgConnection, slug: &str) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    Ok(diesel::sql_query(
        "WITH RECURSIVE tree AS (SELECT id FROM categories WHERE slug = $1 AND active \
         UNION SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id WHERE c.active) SELECT id FROM tree",
    )
    .bind::<diesel::sql_types::Text, _>(slug)
    .load::<Id>(conn)?
    .into_iter()
    .map(|r| r.id)
    .collect())
}

/// Search the public listings (published and reserved; recently sold with `include_sold`).
#[utoipa::path(
    tag = "search",
    operation_id = "search_listings",
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of results.", body = SearchResults),
        (status = 422, description = "An unknown parameter, or an invalid value, cursor or combination.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/listings")]
pub async fn search_listings(
    state: web::Data<AppState>,
    query: ValidQuery<SearchQuery>,
) -> Result<web::Json<SearchResults>, ApiError> {
    let q = query.0;
    let facets: Vec<Facet> = match &q.facets {
        None => Vec::new(),
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| {
                Facet::parse(name).ok_or_else(|| {
                    ApiError::field(
                        "facets",
                        "may list category, make, country, price_bucket, year_bucket",
                    )
                })
            })
            .collect::<Result<_, _>>()?,
    };
    let sort = q.sort.unwrap_or(if q.q.is_some() {
        Sort::Relevance
    } else {
        Sort::Newest
    });
    let sort = if sort == Sort::Relevance && q.q.is_none() {
        Sort::Newest
    } else {
        sort
    };
    let cursor = q
        .cursor
        .as_deref()
        .map(|c| Cursor::decode(c, sort))
        .transpose()?;
    let limit = q.limit.unwrap_or(20);
    let mut filters = Filters {
        query: q
            .q
            .clone()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty()),
        make: q.make.clone(),
        model: q.model.clone(),
        year_min: q.year_min,
        year_max: q.year_max,
        price_min: q.price_min,
        price_max: q.price_max,
        ttaf_max: q.ttaf_max,
        smoh_max: q.smoh_max,
        hours_to_tbo_min: q.hours_to_tbo_min,
        engine_hours_max: q.engine_hours_max,
        ifr: q.ifr,
        seats_min: q.seats_min,
        fuel: one_of(
            "fuel",
            &q.fuel,
            &["100LL", "UL91", "mogas", "jet-a1", "electric"],
        )?,
        condition: one_of(
            "condition",
            &q.condition,
            &["new", "used", "overhauled", "for_parts"],
        )?,
        seller_type: one_of("seller_type", &q.seller_type, &["private", "professional"])?,
        country: q.country.clone().map(|c| c.to_uppercase()),
        has_photos: q.has_photos,
        posted_after: q.posted_within_days.map(|d| Utc::now() - Duration::days(d)),
        radius_km: q.radius_km.unwrap_or(100.0),
        include_sold: q.include_sold.unwrap_or(false),
        ..Default::default()
    };
    if q.radius_km.is_some() && q.near.is_none() {
        return Err(ApiError::field("radius_km", "goes with `near`"));
    }
    let near = q.near.clone();
    let category = q.category.clone();
    let results = db::run(&state.pool, move |conn| {
        if let Some(near) = near {
            filters.near = Some(match near.split_once(',') {
                Some((lat, lon)) => {
                    let lat: f64 = lat
                        .trim()
                        .parse()
                        .map_err(|_| ApiError::field("near", "is not `lat,lon`"))?;
                    let lon: f64 = lon
                        .trim()
                        .parse()
                        .map_err(|_| ApiError::field("near", "is not `lat,lon`"))?;
                    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
                        return Err(ApiError::field("near", "is outside the globe"));
                    }
                    (lat, lon)
                }
                None => airfields::table
                    .find(near.trim().to_uppercase())
                    .select((airfields::lat, airfields::lon))
                    .first::<(f64, f64)>(conn)
                    .optional()?
                    .ok_or_else(|| {
                        ApiError::field("near", "is not a known airfield ICAO code, nor `lat,lon`")
                    })?,
            });
        }
        if let Some(slug) = &category {
            let ids = descendants(conn, slug)?;
            if ids.is_empty() {
                return Err(ApiError::field("category", "is not a category"));
            }
            filters.categories = Some(ids);
        }
        let errors = search::combination_errors(&filters, sort);
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let corrected = match &filters.query {
            Some(q) => Some(search::correct_makes(conn, q)?),
            None => None,
        };
        let corrected = corrected.as_deref();
        let mut hits = search::page(conn, &filters, corrected, sort, cursor.as_ref(), limit + 1)?;
        let next_cursor = if hits.len() as i64 > limit {
            hits.truncate(limit as usize);
            hits.last().map(|h| {
                Cursor {
                    s: sort,
                    k: h.key_number,
                    t: h.key_time,
                    id: h.id,
                }
                .encode()
            })
        } else {
            None
        };
        let ids: Vec<Uuid> = hits.iter().map(|h| h.id).collect();
        let found: Vec<Listing> = listings_table::table
            .filter(listings_table::id.eq_any(&ids))
            .select(Listing::as_select())
            .load(conn)?;
        let ordered: Vec<Listing> = ids
            .iter()
            .filter_map(|id| found.iter().find(|l| l.id == *id).cloned())
            .collect();
        let summaries = crate::listings::summaries(conn, ordered)?;
        let items = summaries
            .into_iter()
            .zip(hits.iter())
            .map(|(listing, hit)| SearchHit {
                listing,
                distance_km: hit.distance_m.map(|m| (m / 100.0).round() / 10.0),
                snippet: hit.snippet.clone(),
            })
            .collect();
        let total_estimate = search::total_estimate(conn, &filters, corrected)?;
        let facets = if facets.is_empty() {
            None
        } else {
            let mut out = BTreeMap::new();
            for f in &facets {
                let counts = search::facet(conn, &filters, corrected, *f)?;
                out.insert(
                    f.name().to_owned(),
                    counts
                        .into_iter()
                        .map(|(value, count)| FacetCount { value, count })
                        .collect(),
                );
            }
            Some(out)
        };
        Ok::<_, ApiError>(SearchResults {
            items,
            next_cursor,
            total_estimate,
            facets,
        })
    })
    .await?;
    Ok(web::Json(results))
}

/// Listings like this one: same category, closest make, model, price and year first.
#[utoipa::path(
    tag = "search",
    operation_id = "similar_listings",
    params(("id" = Uuid, Path, description = "The listing's id")),
    responses(
        (status = 200, description = "Up to 8 similar public listings.", body = SearchResults),
        (status = 404, description = "No such public listing.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/listings/{id}/similar")]
pub async fn similar(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<SearchResults>, ApiError> {
    let id = id.into_inner();
    let results = db::run(&state.pool, move |conn| {
        let listing = rows::find(conn, id)?
            .filter(|l| l.status == "published" || l.status == "reserved")
            .ok_or_else(|| ApiError::NotFound("No such listing.".into()))?;
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Uuid)]
            id: Uuid,
        }
        let ids: Vec<Uuid> = diesel::sql_query(
            "SELECT l.id FROM listings l JOIN users u ON u.id = l.seller_id \
             WHERE l.status IN ('published', 'reserved') AND u.status = 'active' AND l.category_id = $1 AND l.id <> $2 \
             ORDER BY (lower(l.make) IS NOT DISTINCT FROM lower($3)) DESC, (lower(l.model) IS NOT DISTINCT FROM lower($4)) DESC, \
                      abs(coalesce(l.price_amount, 0) - coalesce($5, 0)), abs(coalesce(l.year, 0) - coalesce($6, 0)), l.id \
             LIMIT 8",
        )
        .bind::<diesel::sql_types::Uuid, _>(listing.category_id)
        .bind::<diesel::sql_types::Uuid, _>(listing.id)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(listing.make.clone())
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Text>, _>(listing.model.clone())
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::BigInt>, _>(listing.price_amount)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Integer>, _>(listing.year)
        .load::<Id>(conn)?
        .into_iter()
        .map(|r| r.id)
        .collect();
        let found: Vec<Listing> = listings_table::table
            .filter(listings_table::id.eq_any(&ids))
            .select(Listing::as_select())
            .load(conn)?;
        let ordered: Vec<Listing> = ids
            .iter()
            .filter_map(|id| found.iter().find(|l| l.id == *id).cloned())
            .collect();
        let total = ordered.len() as i64;
        let items = crate::listings::summaries(conn, ordered)?
            .into_iter()
            .map(|listing| SearchHit { listing, distance_km: None, snippet: None })
            .collect();
        Ok::<_, ApiError>(SearchResults { items, next_cursor: None, total_estimate: total, facets: None })
    })
    .await?;
    Ok(web::Json(results))
}
