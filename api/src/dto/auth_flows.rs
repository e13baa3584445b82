//! Bodies of the email flows: verification and password reset.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The token from the verification email.
    #[validate(length(min = 1, max = 256))]
    pub token: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    #[schema(example = "jean.dupont@example.fr")]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the reset email (valid one hour, once).
    #[validate(length(min = 1, max = 256))]
    pub token: String,
    /// 10–128 characters, hard to guess.
    #[schema(format = Password)]
    pub new_password: String,
}
