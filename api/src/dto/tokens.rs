//! Personal access tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::access_tokens::AccessToken;
use crate::domain::Scope;
use crate::error::ApiError;

/// A new token for a script or a third-party tool.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTokenRequest {
    /// To recognise it later, e.g. "price-watch script".
    #[serde(deserialize_with = "super::trimmed")]
    #[validate(length(min = 1, max = 80), custom(function = "super::single_line"))]
    #[schema(min_length = 1, max_length = 80)]
    #[schema(example = "price-watch script")]
    pub name: String,
    /// What the token may do; at least one.
    #[validate(length(min = 1, max = 4, message = "must list 1 to 4 scopes"))]
    #[schema(min_items = 1, max_items = 4)]
    #[schema(example = json!(["listings:read", "account"]))]
    pub scopes: Vec<Scope>,
    /// Days until it expires (1–365); omit for a token that lasts until revoked.
    #[validate(range(min = 1, max = 365))]
    #[schema(minimum = 1, maximum = 365)]
    #[schema(example = 90)]
    pub expires_in_days: Option<u32>,
}

impl crate::extract::CrossCheck for CreateTokenRequest {}

/// A token as listed: never the token itself.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenInfo {
    pub id: Uuid,
    #[schema(example = "price-watch script")]
    pub name: String,
    /// The token's first characters, to recognise it.
    #[schema(example = "hgr_Zx81kQ")]
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

impl TryFrom<AccessToken> for TokenInfo {
    type Error = ApiError;
    fn try_from(t: AccessToken) -> Result<Self, ApiError> {
        Ok(TokenInfo {
            id: t.id,
            name: t.name,
            prefix: t.prefix,
            scopes: t
                .scopes
                .iter()
                .map(|s| s.parse())
                .collect::<Result<_, _>>()
                .map_err(ApiError::internal)?,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
        })
    }
}

/// The new token. `token` is shown this once: store it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub info: TokenInfo,
    /// Send as `Authorization: Bearer <token>`.
    #[schema(example = "hgr_Zx81kQ3vJ0mJ8m2oQy1s7Yx8Hc0bDq4uVnWl1eR6tAk")]
    pub token: String,
}

/// Your tokens.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenList {
    pub items: Vec<TokenInfo>,
}
