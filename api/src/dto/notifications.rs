//! Notifications (`/users/me/notifications`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::domain::NotificationKind;
use crate::dto::favorites::Money;
use crate::dto::paged_query;
use crate::extract::CrossCheck;

/// A saved search, by id and name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SavedSearchRef {
    pub id: Uuid,
    #[schema(example = "DR400 près de Paris")]
    pub name: String,
}

/// Something that happened that concerns you. What it carries depends on `kind`; the
/// listing's title and prices are those of the moment it was written.
#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: Uuid,
    pub kind: NotificationKind,
    pub created_at: DateTime<Utc>,
    /// When you marked it read; absent while unread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
    /// The listing it is about (`new_match`, `price_drop`, `new_message`,
    /// `listing_expiring`, `listing_hidden`, `listing_rejected`, `listing_restored`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing_id: Option<Uuid>,
    /// The listing's title.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Robin DR400-140B, moteur 850 h, hangarée")]
    pub title: Option<String>,
    /// `new_match`: the asking price; `price_drop`: the new price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<Money>,
    /// `price_drop`: the price before the drop.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous_price: Option<Money>,
    /// `listing_expiring`: when the listing expires.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// `new_message`: the conversation to read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<Uuid>,
    /// `new_match`: the saved search that matched (absent once it is deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub saved_search: Option<SavedSearchRef>,
    /// `listing_rejected`: the moderator's reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A page of notifications, newest first, and how many of all your notifications are unread.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationPage {
    pub items: Vec<Notification>,
    /// Pass it as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Unread notifications in all (not only on this page): the bell's badge.
    #[schema(example = 3)]
    pub unread_count: i64,
}

paged_query! {
    /// Which notifications to list.
    pub struct NotificationsQuery {
        /// Only unread ones.
        pub unread: Option<bool>,
    }
}

impl CrossCheck for NotificationsQuery {}

/// What "mark all read" did.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarkedRead {
    /// Notifications marked read by this call.
    #[schema(example = 3)]
    pub marked: i64,
    /// Unread notifications left (0, unless some arrived meanwhile).
    pub unread_count: i64,
}
