//! Answers a search request: checks it, resolves the category and airfield, runs the page,
//! the count and the facets. Used by the HTTP handler and by `api search-sql`.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::{Double, Uuid as SqlUuid};
use uuid::Uuid;

use super::cache::{ESTIMATE_TTL, MEMO_TTL, SearchCaches};
use super::facets::{self, FacetSource};
use super::index::{IndexError, Ranked, SearchIndex};
use super::page::{self, HitRow};
use super::snippet::Highlighter;
use super::sql::{Bind, Sql};
use super::{Cursor, Facet, Filters, Sort};
use super::{counts, query};
use crate::config::SearchSettings;
use crate::db::listings::Photo;
use crate::dto::listings::{ListingSummary, Price};
use crate::dto::search::{FacetCount, SearchHit, SearchQuery, SearchResults};
use crate::error::ApiError;
use crate::listings::{parse_text, photo_view};

/// What a search needs besides its request: settings and the process's caches.
#[derive(Clone)]
pub struct SearchContext {
    pub settings: SearchSettings,
    pub caches: Arc<SearchCaches>,
    /// The in-process full-text index (`SEARCH_INDEX`); without it, text searches walk.
    pub index: Option<Arc<SearchIndex>>,
}

impl SearchContext {
    /// The `n` newest matches of `f` after `after`, found by the index and checked by
    /// PostgreSQL; `None` without an index, for a search it cannot answer, or when it fails
    /// (the walk answers then: the index is a shortcut, never the only way).
    fn indexed(
        &self,
        conn: &mut PgConnection,
        f: &Filters,
        after: Option<(Option<chrono::DateTime<Utc>>, Uuid)>,
        n: i64,
        caught_up: &mut bool,
    ) -> Result<Option<Vec<Uuid>>, ApiError> {
        let Some(index) = &self.index else {
            return Ok(None);
        };
        fallback(index.newest(conn, f, after, usize::try_from(n).unwrap_or(0), caught_up))
    }

    /// The index's `n` newest matches of a relevance search, ranked when it can
    /// ([`SearchIndex::relevance`]); `None` when the walk must answer.
    fn relevance(
        &self,
        conn: &mut PgConnection,
        f: &Filters,
        n: i64,
        caught_up: &mut bool,
    ) -> Result<Option<Ranked>, ApiError> {
        let Some(index) = &self.index else {
            return Ok(None);
        };
        fallback(index.relevance(conn, f, usize::try_from(n).unwrap_or(0), caught_up))
    }
}

/// A database error is the request's; any other failure of the index, the walk answers.
fn fallback<T>(result: Result<Option<T>, IndexError>) -> Result<Option<T>, ApiError> {
    match result {
        Ok(found) => Ok(found),
        Err(IndexError::Database(e)) => Err(e.into()),
        Err(e) => {
            log::warn!("search index failed, walking instead: {e}");
            Ok(None)
        }
    }
}

/// A checked search, before the database resolves its names.
#[derive(Debug, Clone)]
pub struct Prepared {
    filters: Filters,
    near: Option<String>,
    category: Option<String>,
    sort: Sort,
    cursor: Option<Cursor>,
    limit: i64,
    facets: Vec<Facet>,
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

/// Checks what can be checked without the database.
pub fn prepare(q: SearchQuery) -> Result<Prepared, ApiError> {
    let facets: Vec<Facet> = match &q.facets {
        None => Vec::new(),
        Some(list) => {
            let mut out = Vec::new();
            for name in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                let facet = Facet::parse(name).ok_or_else(|| {
                    ApiError::field(
                        "facets",
                        "may list category, make, country, price_bucket, year_bucket",
                    )
                })?;
                if !out.contains(&facet) {
                    out.push(facet);
                }
            }
            out
        }
    };
    let query =
        q.q.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
    let sort = match q.sort {
        Some(Sort::Relevance) | None if query.is_some() => Sort::Relevance,
        Some(Sort::Relevance) | None => Sort::Newest,
        Some(other) => other,
    };
    let cursor = q
        .cursor
        .as_deref()
        .map(|c| super::decode_cursor(c, sort))
        .transpose()?;
    if q.radius_km.is_some() && q.near.is_none() {
        return Err(ApiError::field("radius_km", "goes with `near`"));
    }
    let filters = Filters {
        query,
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
    Ok(Prepared {
        filters,
        near: q.near,
        category: q.category,
        sort,
        cursor,
        limit: q.limit.unwrap_or(20),
        facets,
    })
}

/// [`prepare`] for a query string (`q=dr400&sort=newest`).
pub fn prepare_query(query: &str) -> Result<Prepared, ApiError> {
    prepare(crate::extract::parse_query::<SearchQuery>(query)?)
}

/// `lat,lon`, or an airfield's coordinates.
fn resolve_near(
    conn: &mut PgConnection,
    caches: &SearchCaches,
    near: &str,
) -> Result<(f64, f64), ApiError> {
    #[derive(QueryableByName)]
    struct Point {
        #[diesel(sql_type = Double)]
        lat: f64,
        #[diesel(sql_type = Double)]
        lon: f64,
    }
    if let Some((lat, lon)) = near.split_once(',') {
        let parse = |v: &str| {
            v.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| ApiError::field("near", "is not `lat,lon`"))
        };
        let (lat, lon) = (parse(lat)?, parse(lon)?);
        if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
            return Err(ApiError::field("near", "is outside the globe"));
        }
        return Ok((lat, lon));
    }
    let icao = near.trim().to_uppercase();
    caches
        .airfields
        .get_or_load(&icao, MEMO_TTL, || {
            Ok::<_, ApiError>(
                Sql::new(
                    "SELECT lat, lon FROM airfields WHERE icao = CAST(? AS bpchar)",
                    vec![Bind::Text(icao.clone())],
                )
                .load::<Point>(conn)?
                .first()
                .map(|p| (p.lat, p.lon)),
            )
        })?
        .ok_or_else(|| ApiError::field("near", "is not a known airfield ICAO code, nor `lat,lon`"))
}

/// The category and its active descendants.
fn descendants(conn: &mut PgConnection, slug: &str) -> QueryResult<Vec<Uuid>> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = SqlUuid)]
        id: Uuid,
    }
    Ok(Sql::new(
        "WITH RECURSIVE tree AS (SELECT id FROM categories WHERE slug = ? AND active \
         UNION SELECT c.id FROM categories c JOIN tree t ON c.parent_id = t.id WHERE c.active) SELECT id FROM tree",
        vec![Bind::Text(slug.to_owned())],
    )
    .load::<Id>(conn)?
    .into_iter()
    .map(|r| r.id)
    .collect())
}

/// A result card; `snippet`: the full-text search's highlighter, for the row's description.
pub fn hit(row: HitRow, snippet: Option<&Highlighter>) -> Result<SearchHit, ApiError> {
    let cover = match (
        row.cover_id,
        row.cover_position,
        row.cover_sha256,
        row.cover_width,
        row.cover_height,
        row.cover_widths,
        row.cover_created_at,
    ) {
        (
            Some(id),
            Some(position),
            Some(sha256),
            Some(width),
            Some(height),
            Some(widths),
            Some(created_at),
        ) => Some(photo_view(&Photo {
            id,
            listing_id: row.id,
            position,
            sha256,
            width,
            height,
            widths,
            created_at,
        })),
        _ => None,
    };
    Ok(SearchHit {
        listing: ListingSummary {
            id: row.id,
            version: row.version,
            status: row.status,
            title: row.title,
            price: Price {
                amount: row.price_amount,
                currency: parse_text(row.currency.trim())?,
                kind: parse_text(&row.price_kind)?,
                vat_included: row.vat_included,
            },
            airfield_icao: row.airfield_icao.map(|s| s.trim().to_owned()),
            city: row.city,
            cover,
            created_at: row.created_at,
            published_at: row.published_at,
            expires_at: row.expires_at,
            // Search finds public listings only: never held nor rejected.
            submitted_at: None,
            rejection_note: None,
        },
        category: row.category,
        make: row.make,
        model: row.model,
        year: row.year,
        ttaf_hours: row.ttaf_hours,
        country: row.country.map(|s| s.trim().to_owned()),
        seller_type: row.seller_type,
        distance_km: row.distance_m.map(|m| (m / 100.0).round() / 10.0),
        snippet: snippet.zip(row.description).map(|(h, d)| h.snippet(&d)),
    })
}

/// The planner's estimate of the matches of `f`, kept a little (a page, then the next one,
/// ask the same question).
fn estimate(conn: &mut PgConnection, ctx: &SearchContext, f: &Filters) -> Result<i64, ApiError> {
    Ok(ctx
        .caches
        .estimates
        .get_or_load(&format!("{f:?}"), ESTIMATE_TTL, || {
            counts::planner_estimate(conn, f)
        })?)
}

/// Totals are counted up to this many matches (on small sites, see
/// `SearchSettings::exact_count_below`).
const COUNT_CAP: i64 = 10_000;

/// How many listings match, beyond a first page that held them all. On a small site, a
/// count. On a large one, no count (even capped, it can read every listing of a broad or a
/// selective multi-filter search): for browse searches (category, make, country) the facet
/// aggregate's sum, cached like its facets; otherwise the planner's estimate. Never below
/// what the pages showed.
fn total(
    conn: &mut PgConnection,
    ctx: &SearchContext,
    filters: &Filters,
    at_least: i64,
) -> Result<(i64, bool), ApiError> {
    let table_rows = ctx
        .caches
        .table_rows
        .get_or_load("listings", MEMO_TTL, || counts::listings_table_rows(conn))?;
    if table_rows < ctx.settings.exact_count_below as f64 {
        let n = counts::count_capped(conn, filters, COUNT_CAP)?;
        if n <= COUNT_CAP {
            return Ok((n, true));
        }
    }
    let estimate = if filters.aggregatable() {
        let key = filters.aggregate_key();
        ctx.caches
            .totals
            .get_or_load(&key, ctx.settings.facets_refresh, || {
                counts::aggregate_total(conn, filters)
            })?
    } else {
        estimate(conn, ctx, filters)?
    };
    Ok((estimate.max(at_least), false))
}

/// The requested facets. Each facet counts the search as if its own filter were not set, so
/// the widest count is over the matches of the search without any facet filter (the base),
/// which can be far more than the total: a small category's category facet counts the whole
/// site. Up to `facets_live_max_rows` base matches they are counted live; above, browse
/// searches (category, make, country) sum the aggregate (cached until its refresh) and others
/// count a scaled sample (not exact).
fn facet_counts(
    conn: &mut PgConnection,
    ctx: &SearchContext,
    filters: &Filters,
    facets: &[Facet],
    total_estimate: i64,
    caught_up: &mut bool,
) -> Result<(BTreeMap<String, Vec<FacetCount>>, bool), ApiError> {
    let live_max = ctx.settings.facets_live_max_rows;
    // At least the total: fewer filters match at least as many.
    let base = estimate(conn, ctx, &facets::without_facet_filters(filters))?.max(total_estimate);
    let broad = live_max == 0 || base > live_max;
    if broad && filters.aggregatable() {
        let key = format!("{}|{facets:?}", filters.aggregate_key());
        let counts = ctx
            .caches
            .facets
            .get_or_load(&key, ctx.settings.facets_refresh, || {
                facets::facets(conn, filters, facets, FacetSource::Aggregate, None)
            })?;
        return Ok((facet_map(facets, &counts), true));
    }
    if broad && base > ctx.settings.facets_sample {
        let sample = ctx.settings.facets_sample;
        let drawn = ctx.indexed(
            conn,
            &facets::without_facet_filters(filters),
            None,
            sample,
            caught_up,
        )?;
        let counts = facets::facets(
            conn,
            filters,
            facets,
            FacetSource::Sample(sample),
            drawn.as_deref(),
        )?;
        let scale = (base as f64 / sample as f64).max(1.0);
        let scaled: Vec<(Facet, String, i64)> = counts
            .into_iter()
            .map(|(f, v, n)| (f, v, (n as f64 * scale).round() as i64))
            .collect();
        return Ok((facet_map(facets, &scaled), false));
    }
    let counts = facets::facets(conn, filters, facets, FacetSource::Live, None)?;
    Ok((facet_map(facets, &counts), true))
}

/// The counts by facet, largest first, at most 30 values each.
fn facet_map(
    facets: &[Facet],
    counts: &[(Facet, String, i64)],
) -> BTreeMap<String, Vec<FacetCount>> {
    let mut out = BTreeMap::new();
    for facet in facets {
        let values: Vec<FacetCount> = counts
            .iter()
            .filter(|(f, _, _)| f == facet)
            .take(30)
            .map(|(_, value, count)| FacetCount {
                value: value.clone(),
                count: *count,
            })
            .collect();
        out.insert(facet.name().to_owned(), values);
    }
    out
}

/// Runs a prepared search.
pub fn execute(
    conn: &mut PgConnection,
    ctx: &SearchContext,
    prepared: Prepared,
) -> Result<SearchResults, ApiError> {
    let Prepared {
        mut filters,
        near,
        category,
        sort,
        cursor,
        limit,
        facets,
    } = prepared;
    if let Some(near) = near {
        filters.near = Some(resolve_near(conn, &ctx.caches, &near)?);
    }
    if let Some(slug) = &category {
        let ids = ctx
            .caches
            .subtrees
            .get_or_load(slug, MEMO_TTL, || descendants(conn, slug))?;
        if ids.is_empty() {
            return Err(ApiError::field("category", "is not a category"));
        }
        filters.categories = Some(ids);
    }
    let errors = super::combination_errors(&filters, sort);
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    if let Some(q) = &filters.query {
        let compiled = ctx
            .caches
            .tsqueries
            .get_or_load(q, MEMO_TTL, || query::compile(conn, q))?;
        filters.tsquery = Some(compiled);
    }

    // The index catches up once per search, before its first lookup.
    let mut caught_up = false;
    let mut ranked = None;
    let candidates = match (sort, filters.tsquery.is_some()) {
        (Sort::Relevance, true) => {
            match ctx.relevance(conn, &filters, page::RANK_CANDIDATES, &mut caught_up)? {
                Some((ids, Some(ranks))) => {
                    ranked = Some(ids.into_iter().zip(ranks).collect::<Vec<_>>());
                    None
                }
                Some((ids, None)) => Some(ids),
                None => None,
            }
        }
        (Sort::Newest, true) => {
            let after = cursor.as_ref().map(|c| (c.t, c.id));
            ctx.indexed(conn, &filters, after, limit + 1, &mut caught_up)?
        }
        _ => None,
    };
    let mut rows = match ranked {
        Some(ranked) => page::ranked_page(conn, &filters, ranked, cursor.as_ref(), limit)?,
        None => page::page(
            conn,
            &filters,
            sort,
            cursor.as_ref(),
            limit + 1,
            candidates.as_deref(),
        )?,
    };
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|h| {
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
    // A first page that is not full counted itself.
    let (total_estimate, total_exact) = if cursor.is_none() && !more {
        (rows.len() as i64, true)
    } else {
        total(conn, ctx, &filters, rows.len() as i64 + i64::from(more))?
    };
    let highlighter = filters.tsquery.as_deref().and_then(Highlighter::new);
    let items = rows
        .into_iter()
        .map(|row| hit(row, highlighter.as_ref()))
        .collect::<Result<Vec<_>, _>>()?;

    let (facets, facets_exact) = if facets.is_empty() {
        (None, true)
    } else {
        let (counts, exact) =
            facet_counts(conn, ctx, &filters, &facets, total_estimate, &mut caught_up)?;
        (Some(counts), exact)
    };
    Ok(SearchResults {
        items,
        next_cursor,
        total_estimate,
        total_exact,
        facets,
        facets_exact,
    })
}
