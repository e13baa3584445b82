//! Listing search: full text (French and English stemming, accent-insensitive, designation
//! variants, typo-tolerant makes), typed filters, airfield radius, keyset pages and facets.
//! `query` holds what the statements share, `page`, `counts` and `facets` write them, `sql`
//! runs them (and can write them out for the benchmark), `run` answers a request.

pub mod cache;
pub mod counts;
pub mod facets;
pub mod index;
pub mod page;
pub mod query;
pub mod rank;
pub mod run;
pub mod snippet;
pub mod sql;
pub mod tsquery_text;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ApiError, FieldErrors};

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
    /// The words searched for, as the user wrote them.
    pub query: Option<String>,
    /// `query` compiled into a tsquery ([`query::compile`]), set before any statement runs.
    pub tsquery: Option<String>,
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

impl Filters {
    /// What an answer from the facet aggregate depends on (see [`Filters::aggregatable`]).
    pub fn aggregate_key(&self) -> String {
        format!("{:?}|{:?}|{:?}", self.categories, self.make, self.country)
    }

    /// Whether the facet aggregate can answer for these filters: nothing but category, make
    /// and country (the aggregate's dimensions), public listings only.
    pub fn aggregatable(&self) -> bool {
        let Filters {
            query,
            tsquery: _,
            categories: _,
            make: _,
            model,
            year_min,
            year_max,
            price_min,
            price_max,
            ttaf_max,
            smoh_max,
            hours_to_tbo_min,
            engine_hours_max,
            ifr,
            seats_min,
            fuel,
            condition,
            seller_type,
            country: _,
            has_photos,
            posted_after,
            near,
            radius_km: _,
            include_sold,
        } = self;
        query.is_none()
            && model.is_none()
            && year_min.is_none()
            && year_max.is_none()
            && price_min.is_none()
            && price_max.is_none()
            && ttaf_max.is_none()
            && smoh_max.is_none()
            && hours_to_tbo_min.is_none()
            && engine_hours_max.is_none()
            && ifr.is_none()
            && seats_min.is_none()
            && fuel.is_none()
            && condition.is_none()
            && seller_type.is_none()
            && has_photos.is_none()
            && posted_after.is_none()
            && near.is_none()
            && !include_sold
    }
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

/// The position after which the next page starts: the sort, the last row's sort key and id
/// (decoded in `hangar-parse`, which `fuzz/` exercises).
pub type Cursor = hangar_parse::cursor::SearchCursor<Sort>;

/// Reads a search's `cursor` parameter: one of this search (same sort), else a 422.
pub fn decode_cursor(text: &str, sort: Sort) -> Result<Cursor, ApiError> {
    Cursor::decode(text, &sort).ok_or_else(|| {
        ApiError::field(
            "cursor",
            "is not a cursor of this search (same sort) — start over without it",
        )
    })
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
            decode_cursor(&c.encode(), Sort::Newest).ok(),
            Some(c.clone())
        );
        assert!(decode_cursor(&c.encode(), Sort::PriceAsc).is_err());
        assert!(decode_cursor("garbage", Sort::Newest).is_err());
    }
}
