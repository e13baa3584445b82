//! Profiles: the owner's view (`Me`), the public view, and profile edits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::db::users::User;
use crate::domain::{AccountType, Locale, Role};
use crate::error::{ApiError, FieldErrors};

/// Which emails the user wants.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationPreferences {
    /// A buyer or seller wrote to you.
    pub messages: bool,
    /// New listings match one of your saved searches.
    pub saved_searches: bool,
    /// Occasional news from Hangar.
    pub newsletter: bool,
}

/// Your own account, as only you see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    #[schema(example = "jean.dupont@example.fr")]
    pub email: String,
    /// Listings of unverified accounts stay drafts.
    pub email_verified: bool,
    #[schema(example = "Jean Dupont")]
    pub display_name: String,
    pub locale: Locale,
    pub account_type: AccountType,
    /// Professionals only: shown on their listings.
    #[schema(example = "Aéro Services Chartres SARL")]
    pub company_name: Option<String>,
    /// Professionals only, e.g. a SIRET number.
    #[schema(example = "812 345 678 00012")]
    pub company_registration: Option<String>,
    #[schema(example = "+33 6 12 34 56 78")]
    pub phone: Option<String>,
    /// Whether buyers see the phone number on the public profile and listings.
    pub show_phone: bool,
    pub notifications: NotificationPreferences,
    pub role: Role,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<User> for Me {
    type Error = ApiError;
    fn try_from(u: User) -> Result<Self, ApiError> {
        Ok(Me {
            id: u.id,
            email_verified: u.email_verified_at.is_some(),
            email: u.email,
            display_name: u.display_name,
            locale: u.locale.parse().map_err(ApiError::internal)?,
            account_type: u.account_type.parse().map_err(ApiError::internal)?,
            company_name: u.company_name,
            company_registration: u.company_registration,
            phone: u.phone,
            show_phone: u.show_phone,
            notifications: NotificationPreferences {
                messages: u.notify_messages,
                saved_searches: u.notify_saved_searches,
                newsletter: u.notify_newsletter,
            },
            role: u.role.parse().map_err(ApiError::internal)?,
            created_at: u.created_at,
        })
    }
}

/// What anyone can see of a member. Never an email, a hidden phone, or security data.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicProfile {
    pub id: Uuid,
    #[schema(example = "Jean Dupont")]
    pub display_name: String,
    pub account_type: AccountType,
    /// True for professional sellers (the "pro" badge).
    pub professional: bool,
    pub company_name: Option<String>,
    pub company_registration: Option<String>,
    /// Only when the member chose to show it.
    pub phone: Option<String>,
    pub member_since: DateTime<Utc>,
}

impl TryFrom<User> for PublicProfile {
    type Error = ApiError;
    fn try_from(u: User) -> Result<Self, ApiError> {
        let account_type: AccountType = u.account_type.parse().map_err(ApiError::internal)?;
        Ok(PublicProfile {
            id: u.id,
            display_name: u.display_name,
            account_type,
            professional: account_type == AccountType::Professional,
            company_name: u.company_name,
            company_registration: u.company_registration,
            phone: if u.show_phone { u.phone } else { None },
            member_since: u.created_at,
        })
    }
}

/// Changes to your profile. Omitted fields stay as they are; `null` clears an optional one.
/// Email and role cannot be changed here.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMe {
    #[serde(default, deserialize_with = "super::trimmed_option")]
    #[validate(custom(function = "super::display_name"))]
    pub display_name: Option<String>,
    pub locale: Option<Locale>,
    /// Switching to `professional` requires a `company_name`; switching to `private` clears the
    /// company fields.
    pub account_type: Option<AccountType>,
    #[serde(default, deserialize_with = "super::trimmed_double_option")]
    #[validate(length(min = 2, max = 120), custom(function = "super::single_line"))]
    #[schema(min_length = 2, max_length = 120)]
    #[schema(nullable)]
    pub company_name: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::trimmed_double_option")]
    #[validate(length(min = 2, max = 40), custom(function = "super::single_line"))]
    #[schema(min_length = 2, max_length = 40)]
    #[schema(nullable)]
    pub company_registration: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::trimmed_double_option")]
    #[validate(custom(function = "super::phone"))]
    #[schema(nullable)]
    pub phone: Option<Option<String>>,
    pub show_phone: Option<bool>,
    pub notifications: Option<NotificationPreferences>,
}

/// Company rules need the stored account: checked in the handler.
impl crate::extract::CrossCheck for UpdateMe {}

/// Checks that company fields fit the account type; returns the errors by field.
pub fn company_errors(
    account_type: AccountType,
    company_name: Option<&str>,
    company_registration: Option<&str>,
) -> FieldErrors {
    let mut errors = FieldErrors::new();
    match account_type {
        AccountType::Professional if company_name.is_none_or(|n| n.trim().is_empty()) => {
            errors.insert(
                "company_name".into(),
                vec!["is required for a professional account".into()],
            );
        }
        AccountType::Private => {
            if company_name.is_some() {
                errors.insert(
                    "company_name".into(),
                    vec!["is only for professional accounts".into()],
                );
            }
            if company_registration.is_some() {
                errors.insert(
                    "company_registration".into(),
                    vec!["is only for professional accounts".into()],
                );
            }
        }
        AccountType::Professional => {}
    }
    errors
}
