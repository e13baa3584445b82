//! Sessions: an access token plus a rotating refresh token, and how the refresh token
//! travels (JSON body or `HttpOnly` cookie).

use actix_web::cookie::{Cookie, SameSite, time};
use actix_web::{HttpRequest, HttpResponse, HttpResponseBuilder};
use chrono::Utc;
use diesel::pg::PgConnection;
use uuid::Uuid;

use crate::auth::tokens::{self, JwtKeys, REFRESH_TTL};
use crate::db::sessions::{self, NewRefreshToken};
use crate::db::users::User;
use crate::dto::auth::{TokenDelivery, TokenResponse};
use crate::dto::users::Me;
use crate::error::ApiError;

pub const REFRESH_COOKIE: &str = "hangar_refresh";
/// The cookie is only ever sent to the auth endpoints.
pub const REFRESH_COOKIE_PATH: &str = "/api/v1/auth";

/// A freshly issued pair.
pub struct Issued {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: String,
}

/// Starts a session (a new family) or continues `family` after a rotation.
pub fn issue(
    conn: &mut PgConnection,
    jwt: &JwtKeys,
    user: &User,
    family: Option<Uuid>,
) -> Result<Issued, ApiError> {
    let (refresh_token, token_hash) = tokens::random_token();
    let id = Uuid::now_v7();
    sessions::insert(
        conn,
        &NewRefreshToken {
            id,
            user_id: user.id,
            family_id: family.unwrap_or(id),
            token_hash,
            token_version: user.token_version,
            expires_at: Utc::now() + REFRESH_TTL,
        },
    )?;
    let (access_token, expires_in) = jwt.issue(user.id, &user.role, user.token_version)?;
    Ok(Issued {
        access_token,
        expires_in,
        refresh_token,
    })
}

/// The refresh token from the body, else from the cookie; and how to send the next one.
pub fn presented(req: &HttpRequest, body_token: Option<String>) -> Option<(String, TokenDelivery)> {
    match body_token {
        Some(token) => Some((token, TokenDelivery::Body)),
        None => req
            .cookie(REFRESH_COOKIE)
            .map(|c| (c.value().to_owned(), TokenDelivery::Cookie)),
    }
}

fn refresh_cookie(value: String, max_age: time::Duration, same_site: SameSite) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value)
        .path(REFRESH_COOKIE_PATH)
        .http_only(true)
        .secure(true)
        .same_site(same_site)
        .max_age(max_age)
        .finish()
}

/// Removes the refresh cookie from the browser.
pub fn clear_cookie(res: &mut HttpResponseBuilder, same_site: SameSite) {
    res.cookie(refresh_cookie(
        String::new(),
        time::Duration::ZERO,
        same_site,
    ));
}

/// The JSON answer for a new session, with the refresh token where it belongs.
pub fn respond(
    mut res: HttpResponseBuilder,
    issued: Issued,
    delivery: TokenDelivery,
    user: User,
    same_site: SameSite,
) -> Result<HttpResponse, ApiError> {
    let refresh_expires_in = REFRESH_TTL.as_secs();
    let refresh_token = match delivery {
        TokenDelivery::Body => Some(issued.refresh_token),
        TokenDelivery::Cookie => {
            res.cookie(refresh_cookie(
                issued.refresh_token,
                time::Duration::seconds(refresh_expires_in as i64),
                same_site,
            ));
            None
        }
    };
    res.insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"));
    Ok(res.json(TokenResponse {
        access_token: issued.access_token,
        token_type: "Bearer",
        expires_in: issued.expires_in,
        refresh_token,
        refresh_expires_in,
        user: Me::try_from(user)?,
    }))
}
