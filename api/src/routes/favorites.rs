//! Favourites: `PUT/GET/DELETE /api/v1/listings/{id}/favorite` and
//! `GET /api/v1/users/me/favorites`.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, put, web};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::favorites::{self as rows, FavoriteRow};
use crate::db::listings::{self as listing_rows, Listing};
use crate::db::schema::users;
use crate::db::{self};
use crate::domain::Scope;
use crate::dto::favorites::{Favorite, FavoritePage, FavoritesQuery, Money};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::listings::{self, parse_text};
use crate::routes::admin::{decode_cursor, next_page};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// Favourites a member may keep.
pub const MAX_FAVORITES: i64 = 1_000;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(add_favorite)
        .service(get_favorite)
        .service(remove_favorite)
        .service(my_favorites);
}

fn no_listing() -> ApiError {
    ApiError::NotFound("No such listing.".into())
}

/// Whether each seller's account is active, for the listings' visibility.
pub(crate) fn sellers_active(
    conn: &mut PgConnection,
    listings: &[&Listing],
) -> QueryResult<HashMap<Uuid, bool>> {
    let ids: Vec<Uuid> = listings.iter().map(|l| l.seller_id).collect();
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((users::id, users::status))
        .load::<(Uuid, String)>(conn)?
        .into_iter()
        .map(|(id, status)| (id, status == "active"))
        .collect())
}

/// The listing, if `viewer` may see it as a buyer does (public, or their own).
pub(crate) fn visible_listing(
    conn: &mut PgConnection,
    viewer: Uuid,
    id: Uuid,
) -> Result<Listing, ApiError> {
    let listing = listing_rows::find(conn, id)?.ok_or_else(no_listing)?;
    let active = sellers_active(conn, &[&listing])?
        .get(&listing.seller_id)
        .copied()
        .unwrap_or(false);
    if listings::visible_to(&listing, active, Some((viewer, false))) {
        Ok(listing)
    } else {
        Err(no_listing())
    }
}

/// Favourites as their member reads them: the listings that are still visible with their
/// covers (one query for all), the others by status only.
fn views(
    conn: &mut PgConnection,
    viewer: Uuid,
    found: Vec<(FavoriteRow, Listing)>,
) -> Result<Vec<Favorite>, ApiError> {
    let active = sellers_active(conn, &found.iter().map(|(_, l)| l).collect::<Vec<_>>())?;
    let is_active = |l: &Listing| active.get(&l.seller_id).copied().unwrap_or(false);
    let visible: Vec<Listing> = found
        .iter()
        .filter(|(_, l)| listings::visible_to(l, is_active(l), Some((viewer, false))))
        .map(|(_, l)| l.clone())
        .collect();
    let mut summaries: HashMap<Uuid, _> = listings::summaries(conn, visible)?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    found
        .into_iter()
        .map(|(fav, listing)| {
            let summary = summaries.remove(&listing.id);
            let saved_currency = fav.saved_currency.trim();
            let saved_price = fav
                .saved_amount
                .map(|amount| {
                    Ok::<_, ApiError>(Money {
                        amount,
                        currency: parse_text(saved_currency)?,
                    })
                })
                .transpose()?;
            let price_change = match (&summary, fav.saved_amount, listing.price_amount) {
                (Some(_), Some(then), Some(now)) if listing.currency.trim() == saved_currency => {
                    Some(now - then)
                }
                _ => None,
            };
            Ok(Favorite {
                listing_id: listing.id,
                saved_at: fav.created_at,
                status: if is_active(&listing) {
                    listing.status.clone()
                } else {
                    "unavailable".to_owned()
                },
                available: summary.is_some(),
                listing: summary,
                saved_price,
                price_change,
            })
        })
        .collect()
}

fn one_view(
    conn: &mut PgConnection,
    viewer: Uuid,
    listing: Uuid,
) -> Result<Option<Favorite>, ApiError> {
    let Some(fav) = rows::find(conn, viewer, listing)? else {
        return Ok(None);
    };
    let listing = listing_rows::find(conn, listing)?.ok_or_else(no_listing)?;
    Ok(views(conn, viewer, vec![(fav, listing)])?
        .into_iter()
        .next())
}

/// Save a listing to your favourites, at its current price (the favourites list then shows
/// how the price changed since, and a drop is notified). Idempotent: saving it again changes
/// nothing (200 instead of 201). Public listings and your own only: anything else is a 404.
/// Its seller sees how many members saved it (`favourite_count`), never who.
#[utoipa::path(
    tag = "favorites",
    operation_id = "add_favorite",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    responses(
        (status = 201, description = "Saved.", body = Favorite,
         links(
             ("get_favorite" = (operation_id = "get_favorite", parameters(("id" = "$response.body#/listing_id")), description = "Read the favourite.")),
             ("remove_favorite" = (operation_id = "remove_favorite", parameters(("id" = "$response.body#/listing_id")), description = "Remove it from your favourites.")),
         )),
        (status = 200, description = "It was saved already.", body = Favorite,
         links(
             ("get_favorite" = (operation_id = "get_favorite", parameters(("id" = "$response.body#/listing_id")), description = "Read the favourite.")),
             ("remove_favorite" = (operation_id = "remove_favorite", parameters(("id" = "$response.body#/listing_id")), description = "Remove it from your favourites.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing, or not visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You have 1,000 favourites already.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[put("/listings/{id}/favorite")]
pub async fn add_favorite(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Account)?;
    let (id, viewer) = (id.into_inner(), user.id);
    let (created, view) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // One favourite at a time per member, so the limit holds.
            users::table
                .find(viewer)
                .select(users::id)
                .for_no_key_update()
                .first::<Uuid>(conn)?;
            let listing = visible_listing(conn, viewer, id)?;
            let created = if rows::find(conn, viewer, id)?.is_some() {
                false
            } else {
                if rows::count_for_user(conn, viewer)? >= MAX_FAVORITES {
                    return Err(ApiError::Conflict {
                        detail: format!(
                            "You have {MAX_FAVORITES} favourites, the most you can keep: remove some first."
                        ),
                        errors: Default::default(),
                    });
                }
                rows::insert(conn, viewer, &listing)?
            };
            let view = one_view(conn, viewer, id)?
                .ok_or_else(|| ApiError::internal("favourite missing after insert"))?;
            Ok((created, view))
        })
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status).json(view))
}

/// Whether you saved this listing: your favourite, or a 404.
#[utoipa::path(
    tag = "favorites",
    operation_id = "get_favorite",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    responses(
        (status = 200, description = "Your favourite.", body = Favorite),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Not among your favourites.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/listings/{id}/favorite")]
pub async fn get_favorite(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Favorite>, ApiError> {
    user.require_scope(Scope::Account)?;
    let (id, viewer) = (id.into_inner(), user.id);
    let view = db::run(&state.pool, move |conn| one_view(conn, viewer, id)).await?;
    view.map(web::Json)
        .ok_or_else(|| ApiError::NotFound("This listing is not among your favourites.".into()))
}

/// Remove a listing from your favourites. Idempotent: 204 whether or not it was there, as
/// long as the listing is visible to you (or was among your favourites); 404 otherwise.
#[utoipa::path(
    tag = "favorites",
    operation_id = "remove_favorite",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    responses(
        (status = 204, description = "Not (or no longer) among your favourites."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/listings/{id}/favorite")]
pub async fn remove_favorite(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Account)?;
    let (id, viewer) = (id.into_inner(), user.id);
    db::run(&state.pool, move |conn| {
        if rows::delete(conn, viewer, id)? == 0 {
            visible_listing(conn, viewer, id)?;
        }
        Ok::<_, ApiError>(())
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Your favourites, most recently saved first: each listing's current status and price, its
/// price when you saved it and the change since. Listings no longer visible to you (withdrawn,
/// expired, deleted) stay in the list by status, without their details, until you remove them.
#[utoipa::path(
    tag = "favorites",
    operation_id = "my_favorites",
    security(("bearer" = [])),
    params(FavoritesQuery),
    responses(
        (status = 200, description = "A page of your favourites.", body = FavoritePage,
         links(
             ("get_favorite" = (operation_id = "get_favorite", parameters(("id" = "$response.body#/items/0/listing_id")), description = "Read the first favourite.")),
             ("remove_favorite" = (operation_id = "remove_favorite", parameters(("id" = "$response.body#/items/0/listing_id")), description = "Remove it.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/favorites")]
pub async fn my_favorites(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<FavoritesQuery>,
) -> Result<web::Json<FavoritePage>, ApiError> {
    user.require_scope(Scope::Account)?;
    let q = query.0;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(q.limit.unwrap_or(20));
    let viewer = user.id;
    let page = db::run(&state.pool, move |conn| {
        let mut found = rows::page(conn, viewer, after, limit + 1)?;
        let next_cursor = next_page(&mut found, limit, |(f, _)| {
            Some((f.created_at, f.listing_id))
        });
        Ok::<_, ApiError>(FavoritePage {
            items: views(conn, viewer, found)?,
            next_cursor,
        })
    })
    .await?;
    Ok(web::Json(page))
}
