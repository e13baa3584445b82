//! Account security and data bodies: password change, deletion, export.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::password;
use crate::db::access_tokens::AccessToken;
use crate::dto::users::Me;
use crate::error::FieldErrors;
use crate::extract::CrossCheck;

impl CrossCheck for ChangePasswordRequest {
    /// Without the account's email and name (checked again in the handler).
    fn cross_check(&self) -> FieldErrors {
        password::strength_errors("new_password", &self.new_password, &[])
    }
}

impl CrossCheck for DeleteAccountRequest {}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangePasswordRequest {
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    #[schema(format = Password)]
    pub current_password: String,
    /// 10–128 characters, hard to guess.
    #[schema(format = Password, min_length = 10, max_length = 128)]
    pub new_password: String,
    /// Where this client wants its new refresh token (the browser app: `cookie`).
    #[serde(default)]
    pub token_delivery: crate::dto::auth::TokenDelivery,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteAccountRequest {
    /// Your current password, to confirm.
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    #[schema(format = Password)]
    pub password: String,
}

/// A logged-in session (refresh tokens are never exported).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedSession {
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A personal access token's metadata (the token itself is never stored).
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedAccessToken {
    pub id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl From<AccessToken> for ExportedAccessToken {
    fn from(t: AccessToken) -> Self {
        ExportedAccessToken {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            scopes: t.scopes,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        }
    }
}

/// Everything Hangar holds about you.
#[derive(Debug, Serialize, ToSchema)]
pub struct Export {
    pub generated_at: DateTime<Utc>,
    pub account: Me,
    pub sessions: Vec<ExportedSession>,
    pub access_tokens: Vec<ExportedAccessToken>,
    /// The listings you saved, oldest first.
    pub favorites: Vec<ExportedFavorite>,
    pub saved_searches: Vec<crate::dto::saved_searches::SavedSearch>,
    /// Your conversations (as buyer and as seller) with every message, oldest first.
    pub conversations: Vec<crate::dto::messages::ExportedConversation>,
    /// Your listings, whatever their status (deleted ones too: their rows are kept), oldest
    /// first, as their page shows them to you, with photos and price history.
    pub listings: Vec<crate::dto::listings::ListingView>,
    /// The listings you reported, oldest first, as `GET /users/me/reports` shows them.
    pub reports: Vec<crate::dto::reports::MyReport>,
}

/// A listing you saved, and its price then.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedFavorite {
    pub listing_id: Uuid,
    pub saved_at: DateTime<Utc>,
    /// Absent when the price was on request.
    pub saved_price: Option<crate::dto::favorites::Money>,
}
