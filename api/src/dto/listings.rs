//! Listing bodies: what a seller sends, what a buyer reads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::error::FieldErrors;
use crate::extract::CrossCheck;

/// Largest price: 100,000,000 in major units.
pub const MAX_PRICE_MINOR: i64 = 100_000_000 * 100;

/// How the price is meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceKind {
    Fixed,
    Negotiable,
    /// No amount shown: ask the seller.
    OnRequest,
    /// Open to a swap.
    Exchange,
}

/// ISO 4217 currencies Hangar trades in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum Currency {
    EUR,
    CHF,
    GBP,
    USD,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Condition {
    New,
    Used,
    Overhauled,
    ForParts,
}

/// The asking price. Amounts are integers in minor units (cents): 4_500_000 is 45,000.00.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"amount": 6500000, "currency": "EUR", "kind": "negotiable"}))]
pub struct Price {
    /// Minor units, 0 to 10,000,000,000 (100 million); absent when `kind` is `on_request`.
    #[validate(range(min = 0, max = 10_000_000_000_i64))]
    #[schema(minimum = 0, maximum = 10_000_000_000.0)]
    pub amount: Option<i64>,
    pub currency: Currency,
    pub kind: PriceKind,
    /// Professionals: whether the amount includes VAT.
    pub vat_included: Option<bool>,
}

/// Where the item is: an airfield (its coordinates are looked up) or a place.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"airfield_icao": "LFPN"}))]
pub struct Location {
    /// ICAO code of the airfield, e.g. LFPN.
    #[validate(length(equal = 4))]
    pub airfield_icao: Option<String>,
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub city: Option<String>,
    #[validate(length(min = 1, max = 12))]
    #[schema(min_length = 1, max_length = 12)]
    pub postcode: Option<String>,
    /// ISO 3166 country code, e.g. FR.
    #[validate(length(equal = 2))]
    pub country: Option<String>,
    #[validate(range(min = -90.0, max = 90.0))]
    #[schema(minimum = -90.0, maximum = 90.0)]
    pub lat: Option<f64>,
    #[validate(range(min = -180.0, max = 180.0))]
    #[schema(minimum = -180.0, maximum = 180.0)]
    pub lon: Option<f64>,
}

/// A new listing. `attributes` follow the category's attribute group
/// (`AircraftAttributes` for aircraft categories, and so on).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "category": "single-engine-piston",
    "title": "Robin DR400-140B, moteur 850 h, hangarée",
    "description": "Beau DR400 entretenu en club.\nCarnets complets, peinture 2019.",
    "price": {"amount": 6500000, "currency": "EUR", "kind": "negotiable"},
    "condition": "used",
    "location": {"airfield_icao": "LFPN"},
    "show_phone": true,
    "attributes": {"make": "Robin", "model": "DR400", "variant": "140B", "year": 1978,
        "registration": "F-GABC", "ttaf_hours": 6540.5, "engine_hours_since_new": 5200.0,
        "engine_smoh": 850.0, "engine_tbo_hours": 2000.0, "seats": 4, "fuel": "100LL", "damage": "none"},
    "publish": true
}))]
pub struct ListingInput {
    /// Slug of the category, e.g. `single-engine-piston`.
    #[validate(length(min = 2, max = 60))]
    #[schema(min_length = 2, max_length = 60)]
    #[schema(example = "single-engine-piston")]
    pub category: String,
    #[serde(deserialize_with = "super::trimmed")]
    #[validate(length(min = 5, max = 120), custom(function = "super::single_line"))]
    #[schema(min_length = 5, max_length = 120)]
    #[schema(example = "Robin DR400-140B, moteur 850 h, hangarée")]
    pub title: String,
    /// Plain text with line breaks (never rendered as HTML), 20 to 10,000 characters.
    #[validate(length(min = 20, max = 10000))]
    #[schema(min_length = 20, max_length = 10000)]
    pub description: String,
    #[validate(nested)]
    pub price: Price,
    pub condition: Condition,
    #[validate(nested)]
    pub location: Location,
    /// Show your phone number on this listing.
    #[serde(default)]
    pub show_phone: bool,
    /// The attributes of the category's group: `AircraftAttributes` for aircraft, ULM,
    /// glider and helicopter categories, `EngineAttributes` for engines, and so on.
    #[schema(value_type = crate::domain::attributes::Attributes)]
    pub attributes: serde_json::Value,
    /// On creation: publish at once (needs a verified email address); otherwise a draft.
    #[serde(default)]
    pub publish: bool,
}

impl CrossCheck for ListingInput {
    fn cross_check(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        let mut add = |field: &str, message: &str| {
            errors
                .entry(field.to_owned())
                .or_default()
                .push(message.to_owned());
        };
        match (self.price.kind, self.price.amount) {
            (PriceKind::OnRequest, Some(_)) => add(
                "price.amount",
                "must be absent when the price is on request",
            ),
            (PriceKind::OnRequest, None) => {}
            (_, None) => add("price.amount", "is required unless the price is on request"),
            _ => {}
        }
        let l = &self.location;
        match (&l.airfield_icao, &l.city, &l.country) {
            (Some(_), _, _) => {}
            (None, Some(_), Some(_)) => {}
            _ => add("location", "give an airfield_icao, or a city and a country"),
        }
        if l.lat.is_some() != l.lon.is_some() {
            add("location.lon", "lat and lon go together");
        }
        errors
    }
}

/// Changes to a listing: omitted fields stay as they are; `attributes`, when given, replace
/// the whole set. Status, seller, counts and timestamps cannot be set here (use the
/// transition endpoints).
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateListing {
    #[validate(length(min = 2, max = 60))]
    #[schema(min_length = 2, max_length = 60)]
    pub category: Option<String>,
    #[serde(default, deserialize_with = "super::trimmed_option")]
    #[validate(length(min = 5, max = 120), custom(function = "super::single_line"))]
    #[schema(min_length = 5, max_length = 120)]
    pub title: Option<String>,
    #[validate(length(min = 20, max = 10000))]
    #[schema(min_length = 20, max_length = 10000)]
    pub description: Option<String>,
    #[validate(nested)]
    pub price: Option<Price>,
    pub condition: Option<Condition>,
    #[validate(nested)]
    pub location: Option<Location>,
    pub show_phone: Option<bool>,
    #[schema(value_type = Option<crate::domain::attributes::Attributes>)]
    pub attributes: Option<serde_json::Value>,
}

/// Field rules are checked once the changes are merged into the listing.
impl CrossCheck for UpdateListing {}

impl UpdateListing {
    /// Writes the given fields over `input` (the listing as stored).
    pub fn apply_to(self, input: &mut ListingInput) {
        if let Some(v) = self.category {
            input.category = v;
        }
        if let Some(v) = self.title {
            input.title = v;
        }
        if let Some(v) = self.description {
            input.description = v;
        }
        if let Some(v) = self.price {
            input.price = v;
        }
        if let Some(v) = self.condition {
            input.condition = v;
        }
        if let Some(v) = self.location {
            input.location = v;
        }
        if let Some(v) = self.show_phone {
            input.show_phone = v;
        }
        if let Some(v) = self.attributes {
            input.attributes = v;
        }
    }
}

/// One price in the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct PricePoint {
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub since: DateTime<Utc>,
}

/// A photo, with a URL per stored width.
#[derive(Debug, Serialize, ToSchema)]
pub struct PhotoView {
    pub id: Uuid,
    pub position: i32,
    pub width: i32,
    pub height: i32,
    /// `{"320": "/media/ab/cd/…-320.webp", "800": …, "1600": …}`
    pub urls: std::collections::BTreeMap<String, String>,
}

/// The seller as shown on a listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerSummary {
    pub id: Uuid,
    pub display_name: String,
    pub professional: bool,
    pub company_name: Option<String>,
    /// Only when the seller shows it on this listing.
    pub phone: Option<String>,
}

/// A listing as buyers (and its seller) read it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingView {
    pub id: Uuid,
    /// `draft`, `pending_review` (its seller asked to publish it; a moderator reviews it
    /// first), `rejected` (a moderator refused it: see `rejection_note`), `published`,
    /// `reserved`, `sold`, `expired`, `withdrawn`, or `hidden` (taken off the site by a
    /// moderator). Only `published`, `reserved` and recently `sold` listings are public; the
    /// others only their seller and moderators read.
    pub status: String,
    pub category: String,
    pub title: String,
    pub description: String,
    pub price: Price,
    pub condition: Condition,
    pub location: Location,
    pub show_phone: bool,
    #[schema(value_type = crate::domain::attributes::Attributes)]
    pub attributes: serde_json::Value,
    /// Hours left before the engine's overhaul (aircraft), computed.
    pub hours_to_tbo: Option<f64>,
    pub seller: SellerSummary,
    pub photos: Vec<PhotoView>,
    pub price_history: Vec<PricePoint>,
    /// The price is lower than it was at some point.
    pub price_dropped: bool,
    /// The ETag: send it back in `If-Match` to change the listing.
    pub version: i32,
    /// Visits of the listing's page, saved every few seconds (`VIEWS_FLUSH_MS`): the seller's
    /// own and the moderators' are not counted.
    pub view_count: i64,
    pub favourite_count: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub sold_at: Option<DateTime<Utc>>,
    /// `pending_review` listings: when their seller submitted them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// `rejected` listings: the moderator's reason, for the seller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_note: Option<String>,
}

/// A listing in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingSummary {
    pub id: Uuid,
    /// The listing's version: send it as `If-Match: "<version>"` to change the listing
    /// without reading it first.
    pub version: i32,
    pub status: String,
    pub title: String,
    pub price: Price,
    pub airfield_icao: Option<String>,
    pub city: Option<String>,
    pub cover: Option<PhotoView>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// `pending_review` listings: when their seller submitted them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub submitted_at: Option<DateTime<Utc>>,
    /// `rejected` listings: the moderator's reason, for the seller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejection_note: Option<String>,
}

/// A page of listings.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingPage {
    pub items: Vec<ListingSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
