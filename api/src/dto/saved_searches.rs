//! Saved searches (`/users/me/saved-searches`) and unsubscribing from their mails.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use crate::domain::AlertFrequency;
use crate::dto::notifications::SavedSearchRef;
use crate::dto::trimmed;
use crate::extract::CrossCheck;

/// The search parameters of `GET /api/v1/listings`, as an object of parameter names and
/// values (strings, numbers, booleans).
pub type SearchParameters = serde_json::Map<String, serde_json::Value>;

/// A search to keep, and how often to be told about new listings that match it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "DR400 près de Paris",
    "query": {"q": "dr400", "category": "single-engine-piston", "near": "LFPN", "radius_km": 150, "price_max": 8000000},
    "frequency": "daily"
}))]
pub struct SavedSearchInput {
    /// 1 to 80 characters, one line.
    #[serde(deserialize_with = "trimmed")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::dto::single_line")
    )]
    pub name: String,
    /// The parameters of `GET /api/v1/listings` (`q`, `category`, `price_max`, `near`…), checked
    /// exactly as that endpoint checks them: unknown parameters and invalid values are a 422
    /// naming `query.<parameter>`. `cursor` is a position in a list of results, not part of a
    /// search, and is refused.
    #[schema(value_type = Object)]
    pub query: SearchParameters,
    /// Default `daily`.
    pub frequency: Option<AlertFrequency>,
}

impl CrossCheck for SavedSearchInput {}

/// Changes to a saved search; absent fields stay as they are. A new `query` replaces the old
/// one whole, and only listings published from then on match it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"frequency": "weekly"}), min_properties = 1)]
pub struct UpdateSavedSearch {
    #[serde(default, deserialize_with = "crate::dto::trimmed_option")]
    #[validate(
        length(min = 1, max = 80),
        custom(function = "crate::dto::single_line")
    )]
    pub name: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub query: Option<SearchParameters>,
    pub frequency: Option<AlertFrequency>,
}

impl CrossCheck for UpdateSavedSearch {
    fn cross_check(&self) -> crate::error::FieldErrors {
        let mut errors = crate::error::FieldErrors::new();
        if self.name.is_none() && self.query.is_none() && self.frequency.is_none() {
            errors.insert(
                "body".into(),
                vec!["must change at least one of name, query, frequency".into()],
            );
        }
        errors
    }
}

/// A saved search of yours.
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedSearch {
    pub id: Uuid,
    #[schema(example = "DR400 près de Paris")]
    pub name: String,
    /// The parameters, as you saved them.
    #[schema(value_type = Object, example = json!({"q": "dr400", "near": "LFPN", "radius_km": 150}))]
    pub query: SearchParameters,
    /// The same parameters as a query string: `GET /api/v1/listings?<query_string>` runs the
    /// search.
    #[schema(example = "near=LFPN&q=dr400&radius_km=150")]
    pub query_string: String,
    pub frequency: AlertFrequency,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Your saved searches, oldest first (at most 50).
#[derive(Debug, Serialize, ToSchema)]
pub struct SavedSearchList {
    pub items: Vec<SavedSearch>,
}

/// The token of an unsubscribe link (the `token` of its query string).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnsubscribeRequest {
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
}

impl CrossCheck for UnsubscribeRequest {}

/// The token of a one-click unsubscribe URL (the `List-Unsubscribe` header of alert mails).
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OneClickQuery {
    /// The signed token, as in the header's URL.
    #[validate(length(min = 1, max = 200))]
    #[param(min_length = 1, max_length = 200)]
    pub token: String,
}

/// The body a mail client sends for a one-click unsubscribe (RFC 8058), as a form
/// (`application/x-www-form-urlencoded` or `multipart/form-data`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OneClickForm {
    /// Exactly `One-Click`.
    #[serde(rename = "List-Unsubscribe")]
    #[schema(example = "One-Click")]
    pub list_unsubscribe: String,
}

/// What the link turned off.
#[derive(Debug, Serialize, ToSchema)]
pub struct Unsubscribed {
    /// `saved_search`: that search is now `off`; `all_alerts`: no more alert mail at all (the
    /// account's `notifications.saved_searches` preference is now false).
    #[schema(example = "saved_search")]
    pub scope: String,
    /// The saved search turned off (scope `saved_search`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_search: Option<SavedSearchRef>,
}
