//! Favourites (`/listings/{id}/favorite`, `/users/me/favorites`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::dto::listings::{Currency, ListingSummary};
use crate::dto::paged_query;
use crate::extract::CrossCheck;

/// An amount in minor units (cents) of a currency: 6500000 EUR is 65,000.00 EUR.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({"amount": 6500000, "currency": "EUR"}))]
pub struct Money {
    pub amount: i64,
    pub currency: Currency,
}

/// One of your favourites: the listing as it is now, and its price when you saved it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Favorite {
    pub listing_id: Uuid,
    /// When you saved it.
    pub saved_at: DateTime<Utc>,
    /// The listing's status now: `published`, `reserved`, `sold`, `expired`, `withdrawn`,
    /// `draft` or `deleted`; `unavailable` when its seller's account is closed or suspended.
    #[schema(example = "published")]
    pub status: String,
    /// Whether you can still open it (`listing` is then present).
    pub available: bool,
    /// The listing now (current price included); absent when it is no longer visible to you.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<ListingSummary>,
    /// The price when you saved it; absent when it was on request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_price: Option<Money>,
    /// The current amount minus the saved one, in minor units (negative: the price went down);
    /// absent when either price is on request, the currency changed, or the listing is no
    /// longer visible to you.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = -300000)]
    pub price_change: Option<i64>,
}

/// A page of your favourites, most recently saved first.
#[derive(Debug, Serialize, ToSchema)]
pub struct FavoritePage {
    pub items: Vec<Favorite>,
    /// Pass it as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

paged_query! {
    /// A page of a list of yours.
    pub struct FavoritesQuery {}
}

impl CrossCheck for FavoritesQuery {}
