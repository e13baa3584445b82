//! `GET /api/v1/listings`: search; `GET /api/v1/listings/{id}/similar`.

use actix_web::{get, web};
use uuid::Uuid;

use crate::db;
use crate::db::listings as rows;
use crate::db::users;
use crate::dto::search::{SearchQuery, SearchResults};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::search::{page, run};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(search_listings).service(similar);
}

/// Search the public listings (published and reserved; recently sold with `include_sold`).
#[utoipa::path(
    tag = "search",
    operation_id = "search_listings",
    params(SearchQuery),
    responses(
        (status = 200, description = "A page of results.", body = SearchResults,
         links(
             ("get_listing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Read the first result.")),
             ("similar_listings" = (operation_id = "similar_listings", parameters(("id" = "$response.body#/items/0/id")), description = "Listings like it.")),
             ("start_conversation" = (operation_id = "start_conversation", parameters(("id" = "$response.body#/items/0/id")), description = "Write to its seller.")),
             ("add_favorite" = (operation_id = "add_favorite", parameters(("id" = "$response.body#/items/0/id")), description = "Keep an eye on it.")),
             ("report_listing" = (operation_id = "report_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Report it to the moderators.")),
         )),
        (status = 422, description = "An unknown parameter, or an invalid value, cursor or combination.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/listings")]
pub async fn search_listings(
    state: web::Data<AppState>,
    query: ValidQuery<SearchQuery>,
) -> Result<web::Json<SearchResults>, ApiError> {
    let prepared = run::prepare(query.0)?;
    let ctx = state.search.clone();
    let results = db::run(&state.pool, move |conn| run::execute(conn, &ctx, prepared)).await?;
    Ok(web::Json(results))
}

/// Listings like this one: same category, closest make, model, price and year first.
#[utoipa::path(
    tag = "search",
    operation_id = "similar_listings",
    params(("id" = Uuid, Path, description = "The listing's id")),
    responses(
        (status = 200, description = "Up to 8 similar public listings.", body = SearchResults),
        (status = 404, description = "No such listing for sale: only published and reserved ones have similar listings (a draft, a sold or a withdrawn one is a 404).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/listings/{id}/similar")]
pub async fn similar(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<web::Json<SearchResults>, ApiError> {
    let id = id.into_inner();
    let results = db::run(&state.pool, move |conn| {
        let listing = rows::find(conn, id)?
            .filter(|l| l.status == "published" || l.status == "reserved")
            .ok_or_else(|| ApiError::NotFound("No such listing.".into()))?;
        // A suspended seller's listings are off the site: as unknown here as on their page.
        if !users::find(conn, listing.seller_id)?.is_some_and(|u| u.is_active()) {
            return Err(ApiError::NotFound("No such listing.".into()));
        }
        let items = page::similar(conn, id)?
            .into_iter()
            .map(|row| run::hit(row, None))
            .collect::<Result<Vec<_>, _>>()?;
        let total = items.len() as i64;
        Ok::<_, ApiError>(SearchResults {
            items,
            next_cursor: None,
            total_estimate: total,
            total_exact: true,
            facets: None,
            facets_exact: true,
        })
    })
    .await?;
    Ok(web::Json(results))
}
