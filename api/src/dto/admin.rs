//! Administration of accounts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::users::User;
use crate::domain::{AccountType, Role, UserStatus};
use crate::dto::paged_query;
use crate::error::ApiError;

paged_query! {
    /// Filters and page of the user list.
    pub struct UserListQuery {
        /// Part of an email or display name (case-insensitive).
        #[validate(length(min = 1, max = 100))]
        #[param(min_length = 1, max_length = 100)]
        pub q: Option<String>,
        pub role: Option<Role>,
        pub status: Option<UserStatus>,
    }
}

/// An account as administrators see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUser {
    pub id: Uuid,
    pub email: String,
    pub email_verified: bool,
    pub display_name: String,
    pub account_type: AccountType,
    pub company_name: Option<String>,
    pub role: Role,
    pub status: UserStatus,
    pub created_at: DateTime<Utc>,
    pub suspended_at: Option<DateTime<Utc>>,
}

impl TryFrom<User> for AdminUser {
    type Error = ApiError;
    fn try_from(u: User) -> Result<Self, ApiError> {
        Ok(AdminUser {
            id: u.id,
            email_verified: u.email_verified_at.is_some(),
            email: u.email,
            display_name: u.display_name,
            account_type: u.account_type.parse().map_err(ApiError::internal)?,
            company_name: u.company_name,
            role: u.role.parse().map_err(ApiError::internal)?,
            status: u.status.parse().map_err(ApiError::internal)?,
            created_at: u.created_at,
            suspended_at: u.suspended_at,
        })
    }
}

/// A page of accounts, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminUserPage {
    pub items: Vec<AdminUser>,
    /// Pass as `cursor` for the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// Accounts matching the filters.
    pub total_estimate: i64,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspendRequest {
    /// Why, for the record (kept in the server log until the moderation audit log exists).
    /// Plain text: line breaks and tabs are kept, other control characters refused.
    #[serde(deserialize_with = "super::trimmed")]
    #[validate(length(min = 3, max = 500), custom(function = "plain_text"))]
    #[schema(min_length = 3, max_length = 500)]
    #[schema(example = "Repeated scam listings")]
    pub reason: String,
}

/// No control characters but line breaks and tabs, as in every other free text (a NUL would
/// reach PostgreSQL, which cannot store it in text).
fn plain_text(value: &str) -> Result<(), validator::ValidationError> {
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(validator::ValidationError::new("chars").with_message(
            "must be plain text: no control characters other than line breaks and tabs".into(),
        ));
    }
    Ok(())
}

impl crate::extract::CrossCheck for SuspendRequest {}
impl crate::extract::CrossCheck for RoleRequest {}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: Role,
}
