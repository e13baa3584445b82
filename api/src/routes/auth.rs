//! `/api/v1/auth`: registration, login, token refresh, logout, email verification and
//! password reset.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, post, web};
use chrono::Utc;
use diesel::Connection;
use uuid::Uuid;

use crate::auth::session::{self, REFRESH_COOKIE};
use crate::auth::{AuthUser, password};
use crate::db::{self, email_tokens, sessions, users};
use crate::domain::{Locale, Scope, normalise_email};
use crate::dto::auth::{LoginRequest, RefreshRequest, RegisterRequest, TokenResponse};
use crate::dto::auth_flows::{ForgotPasswordRequest, ResetPasswordRequest, VerifyEmailRequest};
use crate::dto::users::Me;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::ValidJson;
use crate::mail;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

const VERIFY_TTL_HOURS: i64 = 48;
const RESET_TTL_HOURS: i64 = 1;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(register)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(logout_all)
        .service(verify_email)
        .service(resend_verification)
        .service(forgot_password)
        .service(reset_password);
}

fn invalid_credentials() -> ApiError {
    ApiError::Unauthorized("The email or password is incorrect.".into())
}

fn invalid_refresh() -> ApiError {
    ApiError::Unauthorized(
        "The refresh token is invalid, expired or already used. Log in again.".into(),
    )
}

/// `fr` unless the browser prefers English.
fn locale_from_header(req: &HttpRequest) -> Locale {
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start()
        .to_ascii_lowercase();
    if accept.starts_with("en") {
        Locale::En
    } else {
        Locale::Fr
    }
}

/// Merges several sets of field errors into one 422, or passes.
pub(crate) fn reject_if_any(sets: Vec<FieldErrors>) -> Result<(), ApiError> {
    let mut all = FieldErrors::new();
    for set in sets {
        for (field, messages) in set {
            all.entry(field).or_default().extend(messages);
        }
    }
    if all.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(all))
    }
}

/// Create an account.
///
/// Sends an email with a link to verify the address (listings of unverified accounts stay
/// drafts). The email is unique whatever its case: `Jean@X.fr` and `jean@x.fr` are the same.
#[utoipa::path(
    tag = "auth",
    operation_id = "register",
    request_body = RegisterRequest,
    responses(
        (status = 201, description = "Account created.", body = Me,
         headers(("Location" = String, description = "`/api/v1/users/me`")),
         links(
             ("get_public_profile" = (operation_id = "get_public_profile", parameters(("id" = "$response.body#/id")), description = "The public profile of the new account.")),
             ("user_listings" = (operation_id = "user_listings", parameters(("id" = "$response.body#/id")), description = "Its public listings (none yet).")),
         )),
        (status = 409, description = "An account with this email already exists.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or weak values, or unknown fields.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/register")]
pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<RegisterRequest>,
) -> Result<HttpResponse, ApiError> {
    let ValidJson(body) = body;
    let email = normalise_email(&body.email);
    state.limits.check_auth(&req, "register", Some(&email))?;
    let password_hash = password::hash(body.password).await?;
    let locale = body.locale.unwrap_or_else(|| locale_from_header(&req));
    let new = users::NewUser {
        id: Uuid::now_v7(),
        email: email.clone(),
        password_hash,
        display_name: body.display_name.trim().to_owned(),
        locale: locale.as_str().to_owned(),
        account_type: body.account_type.as_str().to_owned(),
        company_name: body.company_name.map(|s| s.trim().to_owned()),
        company_registration: body.company_registration.map(|s| s.trim().to_owned()),
        phone: body.phone.map(|s| s.trim().to_owned()),
        role: "user".to_owned(),
    };
    let base = state.settings.public_base_url.clone();
    let user = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let user = users::insert(conn, &new)?;
            let token = email_tokens::issue(
                conn,
                user.id,
                email_tokens::VERIFY_EMAIL,
                chrono::Duration::hours(VERIFY_TTL_HOURS),
            )?;
            mail::queue_verify_email(conn, &base, &user.email, &user.display_name, locale, &token)?;
            Ok::<_, diesel::result::Error>(user)
        })
    })
    .await?;
    log::info!("account {} registered", user.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, "/api/v1/users/me"))
        .json(Me::try_from(user)?))
}

/// Log in with email and password.
///
/// Returns a 15-minute access token and a 30-day refresh token, in the body or, with
/// `"token_delivery": "cookie"`, as an `HttpOnly; Secure; SameSite=Strict` cookie scoped to
/// `/api/v1/auth` (for the browser app). An unknown email and a wrong password get the same
/// answer.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in.", body = TokenResponse),
        (status = 401, description = "Wrong email or password.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The account is suspended.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Malformed fields.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/login")]
pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<LoginRequest>,
) -> Result<HttpResponse, ApiError> {
    let ValidJson(body) = body;
    let email = normalise_email(&body.email);
    state.limits.check_auth(&req, "login", Some(&email))?;
    let found = db::run(&state.pool, {
        let email = email.clone();
        move |conn| users::find_by_email(conn, &email)
    })
    .await?
    .filter(|u| u.status != "deleted");
    let stored = found.as_ref().map(|u| u.password_hash.clone());
    if !password::verify(body.password, stored).await? {
        return Err(invalid_credentials());
    }
    let user = found.ok_or_else(invalid_credentials)?;
    if !user.is_active() {
        return Err(ApiError::Forbidden("This account is suspended.".into()));
    }
    let st = state.clone();
    let (issued, user) = db::run(&state.pool, move |conn| {
        let issued = session::issue(conn, &st.jwt, &user, None)?;
        Ok::<_, ApiError>((issued, user))
    })
    .await?;
    session::respond(
        HttpResponse::Ok(),
        issued,
        body.token_delivery,
        user,
        state.settings.refresh_cookie_same_site,
    )
}

enum RefreshOutcome {
    Rotated(Box<(session::Issued, users::User)>),
    Refused,
}

/// Exchange a refresh token for a new pair.
///
/// The refresh token comes from the body (`refresh_token`) or the cookie; send `{}` when it
/// is in the cookie. Each refresh token works once: reusing one revokes every token of that
/// login (a stolen token is then useless to the thief too).
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New access and refresh tokens.", body = TokenResponse),
        (status = 401, description = "Invalid, expired, revoked or reused refresh token.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    state.limits.check_auth(&req, "refresh", None)?;
    let (token, delivery) =
        session::presented(&req, body.0.refresh_token).ok_or_else(invalid_refresh)?;
    let hash = crate::auth::tokens::hash_token(&token);
    let st = state.clone();
    let outcome = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(current) = sessions::find_by_hash_for_update(conn, &hash)? else {
                return Ok(RefreshOutcome::Refused);
            };
            if current.revoked_at.is_some() {
                // Reuse of a rotated or revoked token: kill the whole family.
                sessions::revoke_family(conn, current.family_id)?;
                log::warn!(
                    "refresh token reuse for user {}; family revoked",
                    current.user_id
                );
                return Ok(RefreshOutcome::Refused);
            }
            if current.expires_at <= Utc::now() {
                return Ok(RefreshOutcome::Refused);
            }
            let user = users::find(conn, current.user_id)?;
            let Some(user) =
                user.filter(|u| u.is_active() && u.token_version == current.token_version)
            else {
                sessions::revoke_family(conn, current.family_id)?;
                return Ok(RefreshOutcome::Refused);
            };
            let issued = session::issue(conn, &st.jwt, &user, Some(current.family_id))?;
            let new_id = sessions::find_by_hash_for_update(
                conn,
                &crate::auth::tokens::hash_token(&issued.refresh_token),
            )?
            .map(|t| t.id)
            .ok_or_else(|| ApiError::internal("new refresh token not found"))?;
            sessions::mark_replaced(conn, current.id, new_id)?;
            Ok::<_, ApiError>(RefreshOutcome::Rotated(Box::new((issued, user))))
        })
    })
    .await?;
    match outcome {
        RefreshOutcome::Rotated(pair) => {
            let (issued, user) = *pair;
            session::respond(
                HttpResponse::Ok(),
                issued,
                delivery,
                user,
                state.settings.refresh_cookie_same_site,
            )
        }
        RefreshOutcome::Refused => Err(invalid_refresh()),
    }
}

/// Log out this session: its refresh token (body or cookie) and every token rotated from it
/// stop working, and the cookie is cleared. Access tokens already issued expire within 15
/// minutes; use `logout-all` to cut them at once. Always 204, even for an unknown token.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    request_body = RefreshRequest,
    responses((status = 204, description = "Logged out."))
)]
#[post("/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<RefreshRequest>,
) -> Result<HttpResponse, ApiError> {
    if let Some((token, _)) = session::presented(&req, body.0.refresh_token) {
        let hash = crate::auth::tokens::hash_token(&token);
        db::run(&state.pool, move |conn| {
            conn.transaction(|conn| {
                if let Some(current) = sessions::find_by_hash_for_update(conn, &hash)? {
                    sessions::revoke_family(conn, current.family_id)?;
                }
                Ok::<_, diesel::result::Error>(())
            })
        })
        .await?;
    }
    let mut res = HttpResponse::NoContent();
    if req.cookie(REFRESH_COOKIE).is_some() {
        session::clear_cookie(&mut res, state.settings.refresh_cookie_same_site);
    }
    Ok(res.finish())
}

/// Log out everywhere: every access and refresh token of the account dies at once
/// (personal access tokens stay; revoke them under `/users/me/tokens`).
#[utoipa::path(
    tag = "auth",
    operation_id = "logout_all",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Every session ended."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Personal access tokens cannot do this.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/logout-all")]
pub async fn logout_all(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    user.require_session()?;
    let id = user.id;
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            users::bump_token_version(conn, id)?;
            sessions::revoke_all_for_user(conn, id)
        })
    })
    .await?;
    let mut res = HttpResponse::NoContent();
    if req.cookie(REFRESH_COOKIE).is_some() {
        session::clear_cookie(&mut res, state.settings.refresh_cookie_same_site);
    }
    Ok(res.finish())
}

/// Confirm the email address with the token from the verification email.
#[utoipa::path(
    tag = "auth",
    operation_id = "verify_email",
    request_body = VerifyEmailRequest,
    responses(
        (status = 204, description = "Address verified."),
        (status = 422, description = "Unknown, used or expired token.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/verify-email")]
pub async fn verify_email(
    state: web::Data<AppState>,
    body: ValidJson<VerifyEmailRequest>,
) -> Result<HttpResponse, ApiError> {
    let token = body.0.token;
    let verified = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user_id) = email_tokens::consume(conn, &token, email_tokens::VERIFY_EMAIL)?
            else {
                return Ok(false);
            };
            users::mark_email_verified(conn, user_id)?;
            Ok::<_, diesel::result::Error>(true)
        })
    })
    .await?;
    if verified {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(ApiError::field(
            "token",
            "is invalid, already used or expired",
        ))
    }
}

/// Send the verification email again (the previous link stops working).
#[utoipa::path(
    tag = "auth",
    operation_id = "resend_verification",
    security(("bearer" = [])),
    responses(
        (status = 202, description = "A new verification email is on its way."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The address is already verified.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/verify-email/resend")]
pub async fn resend_verification(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Account)?;
    state
        .limits
        .check_auth(&req, "resend", Some(&user.id.to_string()))?;
    let base = state.settings.public_base_url.clone();
    let id = user.id;
    let sent = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user) = users::find(conn, id)? else {
                return Ok(false);
            };
            if user.email_verified_at.is_some() {
                return Ok(false);
            }
            let token = email_tokens::issue(
                conn,
                id,
                email_tokens::VERIFY_EMAIL,
                chrono::Duration::hours(VERIFY_TTL_HOURS),
            )?;
            let locale = user.locale.parse().unwrap_or(Locale::Fr);
            mail::queue_verify_email(conn, &base, &user.email, &user.display_name, locale, &token)?;
            Ok::<_, diesel::result::Error>(true)
        })
    })
    .await?;
    if sent {
        Ok(HttpResponse::Accepted().finish())
    } else {
        Err(ApiError::Conflict {
            detail: "The email address is already verified.".into(),
            errors: FieldErrors::new(),
        })
    }
}

/// Ask for a password-reset email. Always 202, whether or not the address has an account,
/// so this cannot be used to find out who is registered.
#[utoipa::path(
    tag = "auth",
    operation_id = "forgot_password",
    request_body = ForgotPasswordRequest,
    responses(
        (status = 202, description = "If the address has an account, a reset link is on its way."),
        (status = 422, description = "Malformed email.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/password/forgot")]
pub async fn forgot_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ValidJson<ForgotPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let email = normalise_email(&body.0.email);
    state.limits.check_auth(&req, "forgot", Some(&email))?;
    let base = state.settings.public_base_url.clone();
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let Some(user) = users::find_by_email(conn, &email)?.filter(|u| u.is_active()) else {
                return Ok(());
            };
            let token = email_tokens::issue(
                conn,
                user.id,
                email_tokens::RESET_PASSWORD,
                chrono::Duration::hours(RESET_TTL_HOURS),
            )?;
            let locale = user.locale.parse().unwrap_or(Locale::Fr);
            mail::queue_password_reset(
                conn,
                &base,
                &user.email,
                &user.display_name,
                locale,
                &token,
            )?;
            Ok::<_, diesel::result::Error>(())
        })
    })
    .await?;
    Ok(HttpResponse::Accepted().finish())
}

/// Choose a new password with the token from the reset email. Every session and access token
/// of the account ends; log in again with the new password. Personal access tokens stay valid
/// (revoke them under `/users/me/tokens`).
#[utoipa::path(
    tag = "auth",
    operation_id = "reset_password",
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "Password changed; every session ended."),
        (status = 422, description = "Invalid token, or a weak password.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/password/reset")]
pub async fn reset_password(
    state: web::Data<AppState>,
    body: ValidJson<ResetPasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    let ValidJson(body) = body;
    let bad_token = || ApiError::field("token", "is invalid, already used or expired");
    // Look before consuming: a weak password must not burn the token.
    let token = body.token.clone();
    let user = db::run(&state.pool, move |conn| {
        let Some(user_id) = email_tokens::peek(conn, &token, email_tokens::RESET_PASSWORD)? else {
            return Ok(None);
        };
        users::find(conn, user_id)
    })
    .await?
    .filter(|u| u.is_active())
    .ok_or_else(bad_token)?;
    password::check_strength(
        "new_password",
        &body.new_password,
        &[&user.email, &user.display_name],
    )?;
    let hash = password::hash(body.new_password).await?;
    let token = body.token;
    let done = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            match email_tokens::consume(conn, &token, email_tokens::RESET_PASSWORD)? {
                Some(id) if id == user.id => {}
                _ => return Ok(false),
            }
            users::set_password(conn, user.id, &hash)?;
            users::bump_token_version(conn, user.id)?;
            sessions::revoke_all_for_user(conn, user.id)?;
            Ok::<_, diesel::result::Error>(true)
        })
    })
    .await?;
    if done {
        Ok(HttpResponse::NoContent().finish())
    } else {
        Err(bad_token())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn locale_follows_accept_language() {
        let cases = [
            ("en-GB,en;q=0.9", Locale::En),
            ("fr-FR", Locale::Fr),
            ("de", Locale::Fr),
            ("", Locale::Fr),
        ];
        for (header_value, expected) in cases {
            let req = TestRequest::default()
                .insert_header((header::ACCEPT_LANGUAGE, header_value))
                .to_http_request();
            assert_eq!(locale_from_header(&req), expected, "{header_value}");
        }
    }
}
