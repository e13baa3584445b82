//! `/api/v1/users`: your own account (`/users/me…`) and public profiles.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::Connection;
use uuid::Uuid;

use crate::auth::session;
use crate::auth::{AuthUser, password};
use crate::db::{self, access_tokens, email_tokens, sessions, users};
use crate::domain::{AccountType, Scope};
use crate::dto::account::{
    ChangePasswordRequest, DeleteAccountRequest, Export, ExportedAccessToken, ExportedFavorite,
    ExportedSession,
};
use crate::dto::auth::TokenResponse;
use crate::dto::favorites::Money;
use crate::dto::users::{Me, PublicProfile, UpdateMe, company_errors};
use crate::error::{ApiError, Problem};
use crate::extract::ValidJson;
use crate::listings::parse_text;
use crate::routes::auth::reject_if_any;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(me)
        .service(update_me)
        .service(change_password)
        .service(export)
        .service(delete_me)
        .service(public_profile);
}

async fn load_me(state: &AppState, id: Uuid) -> Result<users::User, ApiError> {
    db::run(&state.pool, move |conn| users::find(conn, id))
        .await?
        .ok_or_else(|| ApiError::NotFound("No such account.".into()))
}

/// Your account.
#[utoipa::path(
    tag = "users",
    operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your account.", body = Me),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me")]
pub async fn me(state: web::Data<AppState>, user: AuthUser) -> Result<web::Json<Me>, ApiError> {
    user.require_scope(Scope::Account)?;
    Ok(web::Json(Me::try_from(load_me(&state, user.id).await?)?))
}

/// Edit your profile: display name, language, account type and company, phone and whether
/// buyers see it, email preferences.
#[utoipa::path(
    tag = "users",
    operation_id = "update_me",
    security(("bearer" = [])),
    request_body = UpdateMe,
    responses(
        (status = 200, description = "The updated account.", body = Me),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid values or unknown fields.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/me")]
pub async fn update_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ValidJson<UpdateMe>,
) -> Result<web::Json<Me>, ApiError> {
    user.require_scope(Scope::Account)?;
    let ValidJson(body) = body;
    let current = load_me(&state, user.id).await?;
    let account_type = match body.account_type {
        Some(t) => t,
        None => current.account_type.parse().map_err(ApiError::internal)?,
    };
    // Switching to private drops the company; otherwise unchanged fields keep their value.
    let (company_name, company_registration) = if account_type == AccountType::Private {
        (
            body.company_name.clone().flatten(),
            body.company_registration.clone().flatten(),
        )
    } else {
        (
            body.company_name
                .clone()
                .unwrap_or(current.company_name.clone()),
            body.company_registration
                .clone()
                .unwrap_or(current.company_registration.clone()),
        )
    };
    reject_if_any(vec![company_errors(
        account_type,
        company_name.as_deref(),
        company_registration.as_deref(),
    )])?;
    let changes = users::UserChanges {
        display_name: body.display_name.map(|s| s.trim().to_owned()),
        locale: body.locale.map(|l| l.as_str().to_owned()),
        account_type: Some(account_type.as_str().to_owned()),
        company_name: Some(company_name.map(|s| s.trim().to_owned())),
        company_registration: Some(company_registration.map(|s| s.trim().to_owned())),
        phone: body.phone.map(|p| p.map(|s| s.trim().to_owned())),
        show_phone: body.show_phone,
        notify_messages: body.notifications.as_ref().map(|n| n.messages),
        notify_saved_searches: body.notifications.as_ref().map(|n| n.saved_searches),
        notify_newsletter: body.notifications.as_ref().map(|n| n.newsletter),
    };
    let id = user.id;
    let updated = db::run(&state.pool, move |conn| users::update(conn, id, &changes)).await?;
    Ok(web::Json(Me::try_from(updated)?))
}

/// Change your password (the current one is required). Every other session and access token
/// ends; this one gets a fresh pair in the answer (the refresh token as a cookie with
/// `"token_delivery": "cookie"`). Personal access tokens stay valid: revoke them under
/// `/users/me/tokens` if they may have leaked.
#[utoipa::path(
    tag = "users",
    operation_id = "change_password",
    security(("bearer" = [])),
    request_body = ChangePasswordRequest,
    responses(
        (status = 200, description = "Password changed; a new session for this client.", body = TokenResponse),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Personal access tokens cannot change passwords.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong current password, or a weak new one.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/me/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    body: ValidJson<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_session()?;
    state
        .limits
        .check_auth(&req, "password", Some(&user.id.to_string()))?;
    let ValidJson(body) = body;
    let delivery = body.token_delivery;
    let current = load_me(&state, user.id).await?;
    if !password::verify(body.current_password, Some(current.password_hash.clone())).await? {
        return Err(ApiError::field(
            "current_password",
            "is not your current password",
        ));
    }
    password::check_strength(
        "new_password",
        &body.new_password,
        &[&current.email, &current.display_name],
    )?;
    let hash = password::hash(body.new_password).await?;
    let st = state.clone();
    let id = user.id;
    let (issued, user) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            users::set_password(conn, id, &hash)?;
            users::bump_token_version(conn, id)?;
            sessions::revoke_all_for_user(conn, id)?;
            email_tokens::void_unused(conn, id, email_tokens::RESET_PASSWORD)?;
            let user = users::find(conn, id)?
                .ok_or_else(|| ApiError::NotFound("No such account.".into()))?;
            let issued = session::issue(conn, &st.jwt, &user, None)?;
            Ok::<_, ApiError>((issued, user))
        })
    })
    .await?;
    session::respond(
        HttpResponse::Ok(),
        issued,
        delivery,
        user,
        state.settings.refresh_cookie_same_site,
    )
}

/// Everything Hangar holds about you, as JSON (your right of access under the GDPR): your
/// account, sessions and tokens (never their secrets), favourites, saved searches,
/// conversations with every message, your listings of every status (deleted ones too) with
/// photos and price history, and your reports.
#[utoipa::path(
    tag = "users",
    operation_id = "export_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your data.", body = Export,
         headers(("Content-Disposition" = String, description = "attachment; filename=\"hangar-export.json\""))),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/export")]
pub async fn export(state: web::Data<AppState>, user: AuthUser) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Account)?;
    let id = user.id;
    let (account, sessions, tokens, favorites, searches, conversations, listings, reports) =
        db::run(&state.pool, move |conn| {
            let account = users::find(conn, id)?.ok_or(diesel::result::Error::NotFound)?;
            let listings = crate::db::listings::all_of_seller(conn, id)?;
            let listings = crate::listings::views(conn, listings, &account)?;
            let reports = crate::db::reports::all_of(conn, id)?;
            let reports = crate::routes::reports::my_views(conn, id, reports)?;
            let sessions = sessions::list_active(conn, id)?;
            let tokens = access_tokens::list_for_user(conn, id)?;
            let favorites = crate::db::favorites::all_of(conn, id)?;
            let searches = crate::db::saved_searches::list(conn, id)?;
            let conversations = crate::routes::messages::export(conn, id)?;
            Ok::<_, ApiError>((
                account,
                sessions,
                tokens,
                favorites,
                searches,
                conversations,
                listings,
                reports,
            ))
        })
        .await?;
    let export = Export {
        generated_at: Utc::now(),
        account: Me::try_from(account)?,
        sessions: sessions
            .into_iter()
            .map(|s| ExportedSession {
                created_at: s.created_at,
                expires_at: s.expires_at,
            })
            .collect(),
        access_tokens: tokens.into_iter().map(ExportedAccessToken::from).collect(),
        favorites: favorites
            .into_iter()
            .map(|f| {
                let saved_price = f
                    .saved_amount
                    .map(|amount| {
                        Ok::<_, ApiError>(Money {
                            amount,
                            currency: parse_text(f.saved_currency.trim())?,
                        })
                    })
                    .transpose()?;
                Ok(ExportedFavorite {
                    listing_id: f.listing_id,
                    saved_at: f.created_at,
                    saved_price,
                })
            })
            .collect::<Result<_, ApiError>>()?,
        saved_searches: searches
            .into_iter()
            .map(crate::routes::saved_searches::view)
            .collect::<Result<_, _>>()?,
        conversations,
        listings,
        reports,
    };
    Ok(HttpResponse::Ok()
        .insert_header((
            "Content-Disposition",
            "attachment; filename=\"hangar-export.json\"",
        ))
        .insert_header(("Cache-Control", "no-store"))
        .json(export))
}

/// Delete your account (your password is required). Your personal data is erased, every
/// session and token ends, and your listings are withdrawn. The messages you exchanged stay
/// in the other party's conversations (they received them), with you shown as "Deleted
/// member"; nobody can write in those conversations any more. This cannot be undone.
#[utoipa::path(
    tag = "users",
    operation_id = "delete_me",
    security(("bearer" = [])),
    request_body = DeleteAccountRequest,
    responses(
        (status = 204, description = "Account deleted."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Personal access tokens cannot delete accounts.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Wrong password.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/me")]
pub async fn delete_me(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ValidJson<DeleteAccountRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_session()?;
    let current = load_me(&state, user.id).await?;
    if !password::verify(body.0.password, Some(current.password_hash.clone())).await? {
        return Err(ApiError::field("password", "is not your password"));
    }
    let id = user.id;
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| users::erase(conn, id))
    })
    .await?;
    log::info!("account {id} deleted by its owner");
    // The browser does not send the cookie here (its path is /api/v1/auth): clear it anyway.
    let mut res = HttpResponse::NoContent();
    session::clear_cookie(&mut res, state.settings.refresh_cookie_same_site);
    Ok(res.finish())
}

/// A member's public profile: name, professional badge and company, member since. Email
/// addresses are never shown, and the phone only when the member chose to show it.
#[utoipa::path(
    tag = "users",
    operation_id = "get_public_profile",
    params(("id" = Uuid, Path, description = "The member's id")),
    responses(
        (status = 200, description = "The profile.", body = PublicProfile,
         links(
             ("user_listings" = (operation_id = "user_listings", parameters(("id" = "$response.body#/id")), description = "The member's public listings.")),
         )),
        (status = 404, description = "No such member (or suspended, or deleted).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}")]
pub async fn public_profile(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<PublicProfile>, ApiError> {
    let id = id.into_inner();
    let user = db::run(&state.pool, move |conn| users::find(conn, id))
        .await?
        .filter(users::User::is_active)
        .ok_or_else(|| ApiError::NotFound("No such member.".into()))?;
    Ok(web::Json(PublicProfile::try_from(user)?))
}
