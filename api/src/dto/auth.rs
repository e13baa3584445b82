//! Registration, login and session bodies.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::password;
use crate::domain::{AccountType, Locale};
use crate::dto::users::{Me, company_errors};
use crate::error::FieldErrors;
use crate::extract::CrossCheck;

/// A new account. The password must be 10–128 characters and hard to guess (it is checked
/// against common passwords, keyboard patterns and your own email and name).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    #[schema(max_length = 254)]
    #[schema(example = "jean.dupont@example.fr", format = Email)]
    pub email: String,
    #[schema(example = "Vol de nuit au-dessus de la Beauce", format = Password, min_length = 10, max_length = 128)]
    pub password: String,
    #[serde(deserialize_with = "super::trimmed")]
    #[validate(custom(function = "super::display_name"))]
    #[schema(example = "Jean Dupont", min_length = 2, max_length = 60)]
    pub display_name: String,
    /// Language of emails and pages; defaults from `Accept-Language` (else French).
    pub locale: Option<Locale>,
    pub account_type: AccountType,
    /// Required for professional accounts, refused for private ones.
    #[serde(default, deserialize_with = "super::trimmed_option")]
    #[validate(length(min = 2, max = 120), custom(function = "super::single_line"))]
    #[schema(min_length = 2, max_length = 120)]
    pub company_name: Option<String>,
    /// Professionals' registration number (e.g. SIRET), shown on their listings.
    #[serde(default, deserialize_with = "super::trimmed_option")]
    #[validate(length(min = 2, max = 40), custom(function = "super::single_line"))]
    #[schema(min_length = 2, max_length = 40)]
    pub company_registration: Option<String>,
    #[serde(default, deserialize_with = "super::trimmed_option")]
    #[validate(custom(function = "super::phone"))]
    #[schema(example = "+33 6 12 34 56 78")]
    pub phone: Option<String>,
}

impl CrossCheck for RegisterRequest {
    fn cross_check(&self) -> FieldErrors {
        let mut errors = company_errors(
            self.account_type,
            self.company_name.as_deref(),
            self.company_registration.as_deref(),
        );
        let email = crate::domain::normalise_email(&self.email);
        errors.extend(password::strength_errors(
            "password",
            &self.password,
            &[&email, &self.display_name],
        ));
        errors
    }
}

impl CrossCheck for LoginRequest {}
impl CrossCheck for RefreshRequest {}

/// Where the refresh token goes: the JSON body (API clients, scripts) or an `HttpOnly`
/// cookie scoped to `/api/v1/auth` (the browser app, which then never sees it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TokenDelivery {
    #[default]
    Body,
    Cookie,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 254))]
    #[schema(min_length = 1, max_length = 254)]
    #[schema(example = "jean.dupont@example.fr")]
    pub email: String,
    #[validate(length(min = 1, max = 1024))]
    #[schema(min_length = 1, max_length = 1024)]
    #[schema(format = Password)]
    pub password: String,
    #[serde(default)]
    pub token_delivery: TokenDelivery,
}

/// The refresh token to use (or to revoke). Omit it when it travels in the cookie.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: Option<String>,
}

/// A session: a short-lived access token and, unless it went into the cookie, the refresh
/// token that gets the next one.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires (900).
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Single use: each refresh returns a new one. Absent when delivered as a cookie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    /// Seconds until the refresh token expires (30 days).
    #[schema(example = 2592000)]
    pub refresh_expires_in: u64,
    pub user: Me,
}
