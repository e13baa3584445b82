//! Who is calling: the [`AuthUser`] extractor accepts an access JWT or a personal access token
//! as `Authorization: Bearer …`, and checks the account against the database on every request
//! (suspended or deleted users, and tokens older than the user's token version, are refused).

pub mod password;
pub mod session;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use uuid::Uuid;

use crate::db::{self, access_tokens, users};
use crate::domain::{Role, Scope};
use crate::error::ApiError;
use crate::startup::AppState;

/// How the caller authenticated.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An access token from a login: everything the user may do.
    Session,
    /// A personal access token: only its scopes, and never account security
    /// (password, tokens, deletion).
    AccessToken { id: Uuid, scopes: Vec<Scope> },
}

/// An authenticated, active user. Take it as a handler argument to require authentication.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: Uuid,
    pub role: Role,
    pub token_version: i32,
    pub credential: Credential,
}

impl AuthUser {
    /// Refuses personal access tokens that lack `scope` (sessions have every scope).
    pub fn require_scope(&self, scope: Scope) -> Result<(), ApiError> {
        match &self.credential {
            Credential::Session => Ok(()),
            Credential::AccessToken { scopes, .. } if scopes.contains(&scope) => Ok(()),
            Credential::AccessToken { .. } => Err(ApiError::Forbidden(format!(
                "This access token lacks the `{scope}` scope."
            ))),
        }
    }

    /// Account security (password, tokens, deletion) needs a logged-in session, so a leaked
    /// access token cannot take the account over.
    pub fn require_session(&self) -> Result<(), ApiError> {
        match self.credential {
            Credential::Session => Ok(()),
            Credential::AccessToken { .. } => Err(ApiError::Forbidden(
                "This needs a logged-in session; personal access tokens cannot do it.".into(),
            )),
        }
    }

    pub fn require_role(&self, role: Role) -> Result<(), ApiError> {
        if self.role.includes(role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("This needs the {role} role.")))
        }
    }
}

fn unauthorized() -> ApiError {
    ApiError::Unauthorized("Missing, invalid or expired credentials.".into())
}

/// The bearer token of the request, if any.
fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_owned())
}

impl FromRequest for AuthUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let state = state.ok_or_else(|| ApiError::internal("AppState missing"))?;
            let token = token.ok_or_else(unauthorized)?;
            if token.len() > 4096 {
                return Err(unauthorized());
            }
            if token.starts_with(tokens::PAT_PREFIX) {
                let hash = tokens::hash_token(&token);
                let found = db::run(&state.pool, move |conn| {
                    let found = access_tokens::find_live_by_hash(conn, &hash)?;
                    if let Some((t, _)) = &found {
                        access_tokens::touch(conn, t.id)?;
                    }
                    Ok::<_, diesel::result::Error>(found)
                })
                .await?;
                let (pat, user) = found.ok_or_else(unauthorized)?;
                if !user.is_active() {
                    return Err(unauthorized());
                }
                return Ok(AuthUser {
                    id: user.id,
                    role: user.role.parse().map_err(ApiError::internal)?,
                    token_version: user.token_version,
                    credential: Credential::AccessToken {
                        id: pat.id,
                        scopes: pat.scopes.iter().filter_map(|s| s.parse().ok()).collect(),
                    },
                });
            }
            let claims = state.jwt.verify(&token).ok_or_else(unauthorized)?;
            let user = db::run(&state.pool, move |conn| users::find(conn, claims.sub))
                .await?
                .ok_or_else(unauthorized)?;
            // Logout-all, a password change, suspension and deletion all bump the version.
            if !user.is_active() || user.token_version != claims.tv {
                return Err(unauthorized());
            }
            Ok(AuthUser {
                id: user.id,
                role: user.role.parse().map_err(ApiError::internal)?,
                token_version: user.token_version,
                credential: Credential::Session,
            })
        })
    }
}
