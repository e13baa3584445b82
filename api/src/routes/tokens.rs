//! `/api/v1/users/me/tokens`: personal access tokens for curl scripts and third-party tools.
//! Managing tokens needs a logged-in session: a token cannot mint or list tokens.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::Utc;
use diesel::Connection;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::auth::tokens::{PAT_PREFIX, random_token};
use crate::db::{self, access_tokens};
use crate::dto::tokens::{CreateTokenRequest, CreatedToken, TokenInfo, TokenList};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::ValidJson;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// Live tokens a user may hold at once.
pub const MAX_TOKENS_PER_USER: usize = 50;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_token)
        .service(list_tokens)
        .service(revoke_token);
}

/// Create a personal access token. The answer holds the token itself, shown this once;
/// only its hash is stored. Use it as `Authorization: Bearer hgr_…`: it works wherever a
/// login does, within its scopes, until it expires or you revoke it.
#[utoipa::path(
    tag = "tokens",
    operation_id = "create_token",
    security(("bearer" = [])),
    request_body = CreateTokenRequest,
    responses(
        (status = 201, description = "The token (shown once).", body = CreatedToken,
         links(
             ("revoke_token" = (operation_id = "revoke_token", parameters(("id" = "$response.body#/id")), description = "Revoke the new token.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Tokens cannot create tokens.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Too many live tokens.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, scopes or expiry.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/me/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ValidJson<CreateTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    user.require_session()?;
    let ValidJson(body) = body;
    let (secret, _) = random_token();
    let token = format!("{PAT_PREFIX}{secret}");
    let mut scopes: Vec<String> = body.scopes.iter().map(|s| s.as_str().to_owned()).collect();
    scopes.sort();
    scopes.dedup();
    let new = access_tokens::NewAccessToken {
        id: Uuid::now_v7(),
        user_id: user.id,
        name: body.name.trim().to_owned(),
        prefix: token.chars().take(PAT_PREFIX.len() + 6).collect(),
        token_hash: crate::auth::tokens::hash_token(&token),
        scopes,
        expires_at: body
            .expires_in_days
            .map(|d| Utc::now() + chrono::Duration::days(i64::from(d))),
    };
    let id = user.id;
    let created = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if access_tokens::list_for_user(conn, id)?.len() >= MAX_TOKENS_PER_USER {
                return Ok(None);
            }
            access_tokens::insert(conn, &new).map(Some)
        })
    })
    .await?
    .ok_or_else(|| ApiError::Conflict {
        detail: format!("You already have {MAX_TOKENS_PER_USER} tokens; revoke one first."),
        errors: FieldErrors::new(),
    })?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(CreatedToken {
            info: TokenInfo::try_from(created)?,
            token,
        }))
}

/// Your live tokens (never the tokens themselves).
#[utoipa::path(
    tag = "tokens",
    operation_id = "list_tokens",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your tokens, newest first.", body = TokenList,
         links(
             ("revoke_token" = (operation_id = "revoke_token", parameters(("id" = "$response.body#/items/0/id")), description = "Revoke the newest token.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Tokens cannot list tokens.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<TokenList>, ApiError> {
    user.require_session()?;
    let id = user.id;
    let tokens = db::run(&state.pool, move |conn| {
        access_tokens::list_for_user(conn, id)
    })
    .await?;
    Ok(web::Json(TokenList {
        items: tokens
            .into_iter()
            .map(TokenInfo::try_from)
            .collect::<Result<_, _>>()?,
    }))
}

/// Revoke one of your tokens; it stops working at once.
#[utoipa::path(
    tag = "tokens",
    operation_id = "revoke_token",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Tokens cannot revoke tokens.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such token of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/me/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_session()?;
    let (owner, id) = (user.id, id.into_inner());
    match db::run(&state.pool, move |conn| {
        access_tokens::revoke(conn, owner, id)
    })
    .await?
    {
        0 => Err(ApiError::NotFound("No such token.".into())),
        _ => Ok(HttpResponse::NoContent().finish()),
    }
}
