//! Search requests and results (`GET /api/v1/listings`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::listings::ListingSummary;
use crate::extract::CrossCheck;
use crate::search::Sort;

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
    #[param(min_length = 1, max_length = 200)]
    #[param(example = json!("dr400 hangaré"))]
    pub q: Option<String>,
    /// Category slug; its subcategories are included.
    #[validate(length(min = 2, max = 60))]
    #[param(min_length = 2, max_length = 60)]
    #[param(example = json!("single-engine-piston"))]
    pub category: Option<String>,
    #[validate(length(min = 1, max = 60))]
    #[param(min_length = 1, max_length = 60)]
    #[param(example = json!("Robin"))]
    pub make: Option<String>,
    #[validate(length(min = 1, max = 60))]
    #[param(min_length = 1, max_length = 60)]
    #[param(example = json!("DR400-140B"))]
    pub model: Option<String>,
    #[validate(range(min = 1900, max = 2100))]
    #[param(minimum = 1900, maximum = 2100)]
    #[param(example = json!(1975))]
    pub year_min: Option<i32>,
    #[validate(range(min = 1900, max = 2100))]
    #[param(minimum = 1900, maximum = 2100)]
    #[param(example = json!(2000))]
    pub year_max: Option<i32>,
    /// Minor units of the listing's currency.
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    #[param(minimum = 0, maximum = 10_000_000_000.0)]
    #[param(example = json!(3000000))]
    pub price_min: Option<i64>,
    /// Minor units of the listing's currency.
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    #[param(minimum = 0, maximum = 10_000_000_000.0)]
    #[param(example = json!(12000000))]
    pub price_max: Option<i64>,
    /// Most airframe hours.
    #[validate(range(min = 0.0, max = 100000.0))]
    #[param(minimum = 0.0, maximum = 100000.0)]
    #[param(example = json!(6000))]
    pub ttaf_max: Option<f64>,
    /// Most engine hours since overhaul.
    #[validate(range(min = 0.0, max = 100000.0))]
    #[param(minimum = 0.0, maximum = 100000.0)]
    #[param(example = json!(1000))]
    pub smoh_max: Option<f64>,
    /// Least engine hours left before overhaul.
    #[validate(range(min = 0.0, max = 100000.0))]
    #[param(minimum = 0.0, maximum = 100000.0)]
    #[param(example = json!(500))]
    pub hours_to_tbo_min: Option<f64>,
    /// Most engine hours since new.
    #[validate(range(min = 0.0, max = 100000.0))]
    #[param(minimum = 0.0, maximum = 100000.0)]
    #[param(example = json!(3000))]
    pub engine_hours_max: Option<f64>,
    #[param(example = json!(true))]
    pub ifr: Option<bool>,
    #[validate(range(min = 1, max = 20))]
    #[param(minimum = 1, maximum = 20)]
    #[param(example = json!(4))]
    pub seats_min: Option<i32>,
    /// `100LL`, `UL91`, `mogas`, `jet-a1` or `electric`.
    #[validate(length(min = 1, max = 10))]
    #[param(min_length = 1, max_length = 10)]
    #[param(example = json!("100LL"))]
    pub fuel: Option<String>,
    /// `new`, `used`, `overhauled` or `for_parts`.
    #[validate(length(min = 1, max = 12))]
    #[param(min_length = 1, max_length = 12)]
    #[param(example = json!("used"))]
    pub condition: Option<String>,
    /// `private` or `professional`.
    #[validate(length(min = 1, max = 12))]
    #[param(min_length = 1, max_length = 12)]
    #[param(example = json!("private"))]
    pub seller_type: Option<String>,
    /// ISO country code, e.g. FR.
    #[validate(length(equal = 2))]
    #[param(example = json!("FR"))]
    pub country: Option<String>,
    #[param(example = json!(true))]
    pub has_photos: Option<bool>,
    #[validate(range(min = 1, max = 365))]
    #[param(minimum = 1, maximum = 365)]
    #[param(example = json!(30))]
    pub posted_within_days: Option<i64>,
    /// An airfield ICAO code (`LFPN`) or `lat,lon`; results carry `distance_km`.
    #[validate(length(min = 3, max = 40))]
    #[param(min_length = 3, max_length = 40)]
    #[param(example = json!("LFPN"))]
    pub near: Option<String>,
    /// With `near`: 1–1000 km (default 100).
    #[validate(range(min = 1.0, max = 1000.0))]
    #[param(minimum = 1.0, maximum = 1000.0)]
    #[param(example = json!(150))]
    pub radius_km: Option<f64>,
    /// Also show listings sold in the last 30 days.
    pub include_sold: Option<bool>,
    /// Default: `relevance` with `q`, else `newest`.
    #[param(example = json!("newest"), inline)]
    pub sort: Option<Sort>,
    /// 1–100 (default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100)]
    #[param(example = json!(20))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page (same filters and sort).
    #[validate(length(max = 500))]
    #[param(max_length = 500)]
    pub cursor: Option<String>,
    /// Comma-separated: `category`, `make`, `country`, `price_bucket`, `year_bucket`. Each
    /// counts the search as if its own filter were not set.
    #[validate(length(max = 100))]
    #[param(max_length = 100)]
    #[param(example = json!("category,make,country,price_bucket,year_bucket"))]
    pub facets: Option<String>,
}

impl CrossCheck for SearchQuery {}

/// A search result: the listing's card, and what the search adds to it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    #[serde(flatten)]
    pub listing: ListingSummary,
    /// The category's slug.
    #[schema(example = "single-engine-piston")]
    pub category: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Robin")]
    pub make: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "DR400-140B")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 1978)]
    pub year: Option<i32>,
    /// Total airframe hours.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 4850.0)]
    pub ttaf_hours: Option<f64>,
    /// ISO country code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "FR")]
    pub country: Option<String>,
    /// `private` or `professional` (show a "pro" badge).
    #[schema(example = "private")]
    pub seller_type: String,
    /// From `near`, in km (one decimal).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 42.5)]
    pub distance_km: Option<f64>,
    /// With `q`: the description where it matched, `<mark>` around the matched words (their
    /// French or English stems, designations and numbers as written). A description of up to
    /// 40 words is shown whole; a longer one as up to two fragments of 20 words with `…` where
    /// text is left out (its beginning when only the title or the make matched). The text is
    /// HTML-escaped (`& < > " '`), so the snippet is safe to insert as HTML.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(
        example = "… le <mark>moteur</mark> a été <mark>révisé</mark> en 2021 chez un motoriste … il est <mark>hangaré</mark> à Marcé …"
    )]
    pub snippet: Option<String>,
}

/// One facet value.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetCount {
    /// A category slug, make, country code, price bucket (`0-20000`, `20000-50000`,
    /// `50000-100000`, `100000-250000`, `250000+` in major units, or `on_request`) or decade
    /// (`1970s`).
    #[schema(example = "1970s")]
    pub value: String,
    pub count: i64,
}

/// A page of results. `total_estimate` is exact when `total_exact`; facets are exact when
/// `facets_exact`. Full-text searches (`q`) rank the 300 most recent matches by relevance:
/// a broad query ("moteur") matches a large share of the site, and ranking every match would
/// cost more than the page; add words or filters to reach older listings, or sort by date.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Matching listings: exact (`total_exact`) when the first page holds them all, or when
    /// the site is small (under 100,000 listings, `SEARCH_EXACT_COUNT_BELOW`: counted up to
    /// 10,000). Otherwise an estimate, never below what the pages have shown: for searches by
    /// category, make and country only, the facet aggregate's count (at most a minute old);
    /// for others, the database planner's estimate (counting every match of a broad search
    /// would cost more than the page).
    #[schema(example = 1234)]
    pub total_estimate: i64,
    /// Whether `total_estimate` is an exact count.
    pub total_exact: bool,
    /// The requested facets: up to 30 values per facet, largest first. Each counts the
    /// search as if its own filter were not set. Searches filtered by nothing but category,
    /// make and country with many matches read them from an aggregate refreshed every minute
    /// (`FACETS_REFRESH_MS`), so they can lag recent changes by that much.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub facets: Option<BTreeMap<String, Vec<FacetCount>>>,
    /// False when the facets were counted on a sample of a broad search (the 1,000 most
    /// recent listings matching the filters other than the facets' own, `FACETS_SAMPLE`) and
    /// scaled up to the estimated total: then they are orders of magnitude, not exact counts.
    pub facets_exact: bool,
}
