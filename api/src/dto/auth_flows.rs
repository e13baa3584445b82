//! Bodies of the email flows: verification and password reset.

use serde::Deserialize;
use utoipa::ToSchema;
use validator::Validate;

use crate::auth::password;
use crate::error::FieldErrors;
use crate::extract::CrossCheck;

impl CrossCheck for VerifyEmailRequest {}
impl CrossCheck for ForgotPasswordRequest {}

impl CrossCheck for ResetPasswordRequest {
    /// Without the account's email and name (checked again once the token is known).
    fn cross_check(&self) -> FieldErrors {
        password::strength_errors("new_password", &self.new_password, &[])
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    /// The token from the verification email.
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ForgotPasswordRequest {
    #[validate(email(message = "must be a valid email address"), length(max = 254))]
    #[schema(max_length = 254, format = Email)]
    #[schema(example = "jean.dupont@example.fr")]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    /// The token from the reset email (valid one hour, once).
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub token: String,
    /// 10–128 characters, hard to guess.
    #[schema(format = Password, min_length = 10, max_length = 128)]
    pub new_password: String,
}
