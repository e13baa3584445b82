//! `/api/v1/users/me/saved-searches`, and `/api/v1/unsubscribe` for the links of their mails
//! (with `/api/v1/unsubscribe/one-click` for the mail clients' own button, RFC 8058).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::Utc;
use diesel::prelude::*;
use uuid::Uuid;

use crate::alerts;
use crate::auth::AuthUser;
use crate::db::saved_searches::{
    self as rows, MAX_PER_USER, NewSavedSearch, SavedSearchChanges, SavedSearchRow,
};
use crate::db::schema::users;
use crate::db::{self};
use crate::domain::{AlertFrequency, Scope};
use crate::dto::saved_searches::{
    OneClickForm, OneClickQuery, SavedSearch, SavedSearchInput, SavedSearchList,
    UnsubscribeRequest, Unsubscribed, UpdateSavedSearch,
};
use crate::error::{ApiError, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_saved_search)
        .service(list_saved_searches)
        .service(get_saved_search)
        .service(update_saved_search)
        .service(delete_saved_search)
        .service(unsubscribe)
        .service(unsubscribe_one_click)
        .service(unsubscribe_one_click_page);
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such saved search.".into())
}

pub(crate) fn view(row: SavedSearchRow) -> Result<SavedSearch, ApiError> {
    let query = row.query.as_object().cloned().unwrap_or_default();
    Ok(SavedSearch {
        id: row.id,
        name: row.name,
        query_string: alerts::query_string(&query),
        query,
        frequency: row.frequency.parse().map_err(ApiError::internal)?,
        created_at: row.created_at,
        updated_at: row.updated_at,
    })
}

/// Save a search: the parameters of `GET /api/v1/listings` (checked as that endpoint checks
/// them), a name, and how often to be told about new matches. From then on, every listing
/// published that matches it is notified once (`GET /users/me/notifications`) and mailed in a
/// digest at the chosen frequency (`instant`: within minutes; `daily`; `weekly`; `off`: kept
/// but paused). At most 50 saved searches per member.
#[utoipa::path(
    tag = "saved-searches",
    operation_id = "create_saved_search",
    security(("bearer" = [])),
    request_body = SavedSearchInput,
    responses(
        (status = 201, description = "Saved.", body = SavedSearch,
         headers(("Location" = String, description = "The saved search's URL")),
         links(
             ("get_saved_search" = (operation_id = "get_saved_search", parameters(("id" = "$response.body#/id")), description = "Read the new saved search.")),
             ("update_saved_search" = (operation_id = "update_saved_search", parameters(("id" = "$response.body#/id")), description = "Change it.")),
             ("delete_saved_search" = (operation_id = "delete_saved_search", parameters(("id" = "$response.body#/id")), description = "Delete it.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You have 50 saved searches already.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, frequency or search parameters (`query.<parameter>`).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/me/saved-searches")]
pub async fn create_saved_search(
    state: web::Data<AppState>,
    user: AuthUser,
    body: ValidJson<SavedSearchInput>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Account)?;
    let input = body.0;
    let (owner, search) = (user.id, state.search.clone());
    let row = db::run(&state.pool, move |conn| {
        let query = alerts::check_query(conn, &search, &input.query)?;
        conn.transaction(|conn| {
            // One creation at a time per member, so the limit holds.
            users::table
                .find(owner)
                .select(users::id)
                .for_no_key_update()
                .first::<Uuid>(conn)?;
            if rows::count_for_user(conn, owner)? >= MAX_PER_USER {
                return Err(ApiError::Conflict {
                    detail: format!(
                        "You have {MAX_PER_USER} saved searches, the most you can keep: delete one first."
                    ),
                    errors: Default::default(),
                });
            }
            let now = Utc::now();
            Ok(rows::insert(
                conn,
                &NewSavedSearch {
                    id: Uuid::now_v7(),
                    user_id: owner,
                    name: input.name,
                    query: serde_json::Value::Object(query),
                    frequency: input
                        .frequency
                        .unwrap_or(AlertFrequency::Daily)
                        .as_str()
                        .to_owned(),
                    match_from: now,
                    checked_until: now,
                },
            )?)
        })
    })
    .await?;
    let location = format!("/api/v1/users/me/saved-searches/{}", row.id);
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .json(view(row)?))
}

/// Your saved searches, oldest first.
#[utoipa::path(
    tag = "saved-searches",
    operation_id = "list_saved_searches",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Your saved searches.", body = SavedSearchList,
         links(
             ("get_saved_search" = (operation_id = "get_saved_search", parameters(("id" = "$response.body#/items/0/id")), description = "Read the first one.")),
             ("update_saved_search" = (operation_id = "update_saved_search", parameters(("id" = "$response.body#/items/0/id")), description = "Change the first one.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/saved-searches")]
pub async fn list_saved_searches(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<SavedSearchList>, ApiError> {
    user.require_scope(Scope::Account)?;
    let owner = user.id;
    let found = db::run(&state.pool, move |conn| rows::list(conn, owner)).await?;
    Ok(web::Json(SavedSearchList {
        items: found.into_iter().map(view).collect::<Result<_, _>>()?,
    }))
}

/// One of your saved searches.
#[utoipa::path(
    tag = "saved-searches",
    operation_id = "get_saved_search",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The saved search's id")),
    responses(
        (status = 200, description = "The saved search.", body = SavedSearch),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such saved search of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/saved-searches/{id}")]
pub async fn get_saved_search(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<SavedSearch>, ApiError> {
    user.require_scope(Scope::Account)?;
    let (id, owner) = (id.into_inner(), user.id);
    let found = db::run(&state.pool, move |conn| rows::find(conn, owner, id, false)).await?;
    Ok(web::Json(view(found.ok_or_else(not_found)?)?))
}

/// Rename a saved search, change its parameters (checked as for creation; only listings
/// published from then on match the new ones) or its frequency (switching it back on from
/// `off` alerts about listings published from then on, not about those of the pause).
#[utoipa::path(
    tag = "saved-searches",
    operation_id = "update_saved_search",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The saved search's id")),
    request_body = UpdateSavedSearch,
    responses(
        (status = 200, description = "The updated saved search.", body = SavedSearch,
         links(
             ("get_saved_search" = (operation_id = "get_saved_search", parameters(("id" = "$response.body#/id")), description = "Read it back.")),
             ("delete_saved_search" = (operation_id = "delete_saved_search", parameters(("id" = "$response.body#/id")), description = "Delete it.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such saved search of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, frequency or search parameters (`query.<parameter>`).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/users/me/saved-searches/{id}")]
pub async fn update_saved_search(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateSavedSearch>,
) -> Result<web::Json<SavedSearch>, ApiError> {
    user.require_scope(Scope::Account)?;
    let (id, owner, patch, search) = (id.into_inner(), user.id, body.0, state.search.clone());
    let row = db::run(&state.pool, move |conn| {
        // Unknown ids answer 404 before the parameters are looked at.
        rows::find(conn, owner, id, false)?.ok_or_else(not_found)?;
        let query = patch
            .query
            .as_ref()
            .map(|q| alerts::check_query(conn, &search, q))
            .transpose()?;
        conn.transaction(|conn| {
            let current = rows::find(conn, owner, id, true)?.ok_or_else(not_found)?;
            let now = Utc::now();
            let resumed = patch.frequency.is_some_and(|f| f != AlertFrequency::Off)
                && current.frequency == AlertFrequency::Off.as_str();
            let restart = query.is_some() || resumed;
            let changes = SavedSearchChanges {
                name: patch.name.clone(),
                query: query.map(serde_json::Value::Object),
                frequency: patch.frequency.map(|f| f.as_str().to_owned()),
                match_from: restart.then_some(now),
                checked_until: restart.then_some(now),
            };
            Ok::<_, ApiError>(rows::update(conn, id, &changes)?)
        })
    })
    .await?;
    Ok(web::Json(view(row)?))
}

/// Delete a saved search. Its notifications stay (without the search's name).
#[utoipa::path(
    tag = "saved-searches",
    operation_id = "delete_saved_search",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The saved search's id")),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such saved search of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/users/me/saved-searches/{id}")]
pub async fn delete_saved_search(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Account)?;
    let (id, owner) = (id.into_inner(), user.id);
    let deleted = db::run(&state.pool, move |conn| rows::delete(conn, owner, id)).await?;
    if deleted == 0 {
        return Err(not_found());
    }
    Ok(HttpResponse::NoContent().finish())
}

/// Follow an unsubscribe link of an alert mail, without logging in: the `token` of the link's
/// query string turns off the saved search it was made for (its frequency becomes `off`), or,
/// for the link at the bottom of the mail, every alert mail (the account's
/// `notifications.saved_searches` preference). Each link works once: a used, expired or
/// altered one is a 400, and nothing changes.
#[utoipa::path(
    tag = "saved-searches",
    operation_id = "unsubscribe",
    request_body = UnsubscribeRequest,
    responses(
        (status = 200, description = "Turned off.", body = Unsubscribed),
        (status = 400, description = "The link was altered, cut short, already used or expired.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No token.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/unsubscribe")]
pub async fn unsubscribe(
    state: web::Data<AppState>,
    body: ValidJson<UnsubscribeRequest>,
) -> Result<web::Json<Unsubscribed>, ApiError> {
    let (token, context) = (body.0.token, state.alerts.clone());
    let done = db::run(&state.pool, move |conn| {
        alerts::unsubscribe(conn, &context, &token)
    })
    .await?;
    Ok(web::Json(done))
}

/// Whether the form body says `List-Unsubscribe=One-Click`, as RFC 8058 has mail clients send
/// it: URL-encoded or `multipart/form-data`. Other bodies are a 415.
async fn one_click_body(req: &HttpRequest, body: web::Bytes) -> Result<bool, ApiError> {
    use futures_util::StreamExt;
    let essence = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .unwrap_or_default();
    let is_one_click = |name: &str, value: &str| name == "List-Unsubscribe" && value == "One-Click";
    match essence.as_str() {
        "application/x-www-form-urlencoded" => {
            Ok(form_urlencoded::parse(&body).any(|(k, v)| is_one_click(&k, v.trim())))
        }
        "multipart/form-data" => {
            let bad = |e: actix_multipart::MultipartError| {
                ApiError::BadRequest(format!("The form could not be read: {e}."))
            };
            let stream =
                futures_util::stream::once(
                    async move { Ok::<_, actix_web::error::PayloadError>(body) },
                );
            let mut form = actix_multipart::Multipart::new(req.headers(), stream);
            let mut found = false;
            while let Some(part) = form.next().await {
                let mut part = part.map_err(bad)?;
                let name = part.name().unwrap_or_default().to_owned();
                let mut value = Vec::new();
                while let Some(chunk) = part.next().await {
                    value.extend_from_slice(&chunk.map_err(bad)?);
                }
                found |= is_one_click(&name, String::from_utf8_lossy(&value).trim());
            }
            Ok(found)
        }
        _ => Err(ApiError::UnsupportedMediaType {
            expected: "application/x-www-form-urlencoded",
        }),
    }
}

/// One-click unsubscribe (RFC 8058), for the mail client's own button: alert mails carry this
/// URL, with the token of their "stop every alert email" link, in `List-Unsubscribe`, and
/// `List-Unsubscribe-Post: List-Unsubscribe=One-Click`. The client `POST`s the form body
/// `List-Unsubscribe=One-Click` (URL-encoded or multipart) without logging in; the account's
/// alert mail is turned off as by `POST /unsubscribe` with the same token, under the same
/// rules: each link works once, and a used, expired or altered one is a 400 with nothing
/// changed.
#[utoipa::path(
    tag = "saved-searches",
    operation_id = "unsubscribe_one_click",
    params(OneClickQuery),
    request_body(content(
        (OneClickForm = "application/x-www-form-urlencoded"),
        (OneClickForm = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "Turned off.", body = Unsubscribed),
        (status = 400, description = "The link was altered, cut short, already used or expired.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a form.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No token, or the body is not `List-Unsubscribe=One-Click`.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/unsubscribe/one-click")]
pub async fn unsubscribe_one_click(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ValidQuery<OneClickQuery>,
    body: web::Bytes,
) -> Result<web::Json<Unsubscribed>, ApiError> {
    if !one_click_body(&req, body).await? {
        return Err(ApiError::field(
            "List-Unsubscribe",
            "must be One-Click (RFC 8058)",
        ));
    }
    let (token, context) = (query.0.token, state.alerts.clone());
    let done = db::run(&state.pool, move |conn| {
        alerts::unsubscribe(conn, &context, &token)
    })
    .await?;
    Ok(web::Json(done))
}

/// The one-click URL opened in a browser (mail clients without RFC 8058 do that): nothing
/// changes on a `GET` (link scanners follow links); it redirects to the web app's unsubscribe
/// page with the same token, which asks for a confirmation.
#[utoipa::path(
    tag = "saved-searches",
    operation_id = "unsubscribe_one_click_page",
    params(OneClickQuery),
    responses(
        (status = 303, description = "To the web app's unsubscribe page.",
         headers(("Location" = String, description = "The page, with the token"))),
        (status = 422, description = "No token.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/unsubscribe/one-click")]
pub async fn unsubscribe_one_click_page(
    state: web::Data<AppState>,
    query: ValidQuery<OneClickQuery>,
) -> HttpResponse {
    let token: String = form_urlencoded::byte_serialize(query.0.token.as_bytes()).collect();
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, state.alerts.page_url(&token)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .finish()
}
