//! `/api/v1/listings`: create, read, edit, delete, and the lifecycle steps.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use diesel::Connection;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::listings::{self as rows, NewEvent};
use crate::db::{self, users};
use crate::domain::{AuditAction, Role, Scope};
use crate::dto::listings::{ListingInput, ListingPage, ListingView, UpdateListing};
use crate::dto::paged_query;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{ValidJson, ValidQuery, check_all};
use crate::listings::{self, Transition};
use crate::routes::moderation::audit_staff_change;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_listing)
        .service(my_listings)
        .service(user_listings)
        .service(get_listing)
        .service(update_listing)
        .service(delete_listing)
        .service(publish)
        .service(reserve)
        .service(release)
        .service(sell)
        .service(withdraw)
        .service(renew);
}

fn etag(version: i32) -> header::EntityTag {
    header::EntityTag::new_strong(version.to_string())
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such listing.".into())
}

/// The version `If-Match` names: `Some(None)` for `*`, `None` when the header is absent.
fn if_match(req: &HttpRequest) -> Result<Option<Option<i32>>, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value
        .to_str()
        .map_err(|_| ApiError::BadRequest("If-Match is not text.".into()))?
        .trim();
    if text == "*" {
        return Ok(Some(None));
    }
    let tag = text.trim_start_matches("W/").trim_matches('"');
    tag.parse::<i32>().map(|v| Some(Some(v))).map_err(|_| {
        ApiError::PreconditionFailed("If-Match must be the listing's ETag, e.g. \"3\".".into())
    })
}

/// `If-Match` is required: 428 without it, 412 when it is not the current version.
fn required_version(wanted: Option<Option<i32>>, current: i32) -> Result<i32, ApiError> {
    match wanted {
        None => Err(ApiError::PreconditionRequired(
            "Send If-Match with the listing's ETag (from GET), so concurrent edits cannot overwrite each other."
                .into(),
        )),
        Some(None) => Ok(current),
        Some(Some(v)) if v == current => Ok(v),
        Some(Some(_)) => Err(ApiError::PreconditionFailed(
            "The listing changed since you read it: GET it again and reapply your change.".into(),
        )),
    }
}

fn respond(status: actix_web::http::StatusCode, view: &ListingView) -> HttpResponse {
    HttpResponse::build(status)
        .insert_header(header::ETag(etag(view.version)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(view)
}

/// Loads a listing its caller may change (the seller, or a moderator): others get 404, as
/// if it did not exist.
fn editable(
    conn: &mut diesel::PgConnection,
    user: &AuthUser,
    id: Uuid,
) -> Result<rows::Listing, ApiError> {
    let listing = rows::find(conn, id)?
        .filter(|l| l.status != "deleted")
        .ok_or_else(not_found)?;
    if listing.seller_id == user.id || user.role.includes(Role::Moderator) {
        Ok(listing)
    } else {
        Err(not_found())
    }
}

/// Loads a listing for a lifecycle step: its seller's alone. Moderators act on other
/// sellers' listings through the moderation routes, which write the audit log.
fn sellers_own(
    conn: &mut diesel::PgConnection,
    user: &AuthUser,
    id: Uuid,
) -> Result<rows::Listing, ApiError> {
    rows::find(conn, id)?
        .filter(|l| l.status != "deleted" && l.seller_id == user.id)
        .ok_or_else(not_found)
}

fn seller_of(
    conn: &mut diesel::PgConnection,
    listing: &rows::Listing,
) -> Result<users::User, ApiError> {
    users::find(conn, listing.seller_id)?
        .ok_or_else(|| ApiError::internal("listing without seller"))
}

/// Post a listing, as a draft or published at once (publishing needs a verified email).
/// With pre-moderation on (`PREMODERATE_NEW_SELLERS`), a member who never had a listing
/// published gets `pending_review` instead of `published`: a moderator approves it first.
///
/// With an `Idempotency-Key` header, retrying the same request (same key, same body) within
/// 24 hours returns the first answer instead of creating a second listing; the same key with
/// another body is refused.
#[utoipa::path(
    tag = "listings",
    operation_id = "create_listing",
    security(("bearer" = [])),
    request_body = ListingInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe (1 to 200 characters).", min_length = 1, max_length = 200)),
    responses(
        (status = 201, description = "Created.", body = ListingView,
         headers(("ETag" = String, description = "The version, for If-Match"), ("Location" = String)),
         links(
             ("get_listing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/id")), description = "Read the new listing.")),
             ("update_listing" = (operation_id = "update_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Edit it, with its ETag.")),
             ("delete_listing" = (operation_id = "delete_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Delete it, with its ETag.")),
             ("publish_listing" = (operation_id = "publish_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Publish the draft.")),
             ("withdraw_listing" = (operation_id = "withdraw_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Take it off the market.")),
             ("upload_photo" = (operation_id = "upload_photo", parameters(("id" = "$response.body#/id")), description = "Add a photo to it.")),
             ("add_favorite" = (operation_id = "add_favorite", parameters(("id" = "$response.body#/id")), description = "Keep an eye on it.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing `listings:write` scope, or publishing before verifying the email.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields or attributes, or an Idempotency-Key reused with another body.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/listings")]
pub async fn create_listing(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    body: ValidJson<ListingInput>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::ListingsWrite)?;
    let ValidJson(input) = body;
    let key = match req.headers().get("idempotency-key") {
        None => None,
        Some(v) => {
            let k = v.to_str().unwrap_or_default().trim().to_owned();
            if !(1..=200).contains(&k.len()) {
                return Err(ApiError::field(
                    "Idempotency-Key",
                    "must be 1 to 200 characters",
                ));
            }
            Some(k)
        }
    };
    let hash = Sha256::digest(serde_json::to_vec(&input).map_err(ApiError::internal)?).to_vec();
    let seller_id = user.id;
    let premoderate = state.settings.premoderate_new_sellers;
    let (status, body) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            if let Some(key) = &key {
                // Retries in flight at once wait here for the first to finish, then replay it.
                crate::db::idempotency::lock(conn, seller_id, key)?;
            }
            if let Some(key) = &key
                && let Some((stored_hash, status, body)) = crate::db::idempotency::find(conn, seller_id, key)?
            {
                if stored_hash != hash {
                    return Err(ApiError::field(
                        "Idempotency-Key",
                        "was already used with a different body",
                    ));
                }
                return Ok((status, body));
            }
            let seller = users::find(conn, seller_id)?.ok_or_else(not_found)?;
            if input.publish && seller.email_verified_at.is_none() {
                return Err(ApiError::Forbidden(
                    "Verify your email address before publishing (the listing can be saved as a draft).".into(),
                ));
            }
            let content = listings::prepare(conn, &input, &seller)?;
            let id = Uuid::now_v7();
            let initial = if !input.publish {
                rows::Initial::Draft
            } else if listings::held_for_review(conn, premoderate, &seller)? {
                rows::Initial::PendingReview
            } else {
                rows::Initial::Published
            };
            let listing = rows::insert(conn, id, seller_id, initial, &content)?;
            rows::record(
                conn,
                &NewEvent {
                    listing_id: id,
                    actor_id: Some(seller_id),
                    kind: "created",
                    from_status: None,
                    to_status: Some(listing.status.clone()),
                    price_amount: listing.price_amount,
                    currency: Some(listing.currency.clone()),
                    details: serde_json::json!({}),
                },
            )?;
            let view = listings::view(conn, listing, &seller)?;
            let body = serde_json::to_value(&view).map_err(ApiError::internal)?;
            if let Some(key) = &key {
                crate::db::idempotency::store(conn, seller_id, key, &hash, 201, &body)?;
            }
            Ok((201, body))
        })
    })
    .await?;
    let version = body["version"].as_i64().unwrap_or(1) as i32;
    let id = body["id"].as_str().unwrap_or_default().to_owned();
    let status =
        actix_web::http::StatusCode::from_u16(status as u16).map_err(ApiError::internal)?;
    Ok(HttpResponse::build(status)
        .insert_header(header::ETag(etag(version)))
        .insert_header((header::LOCATION, format!("/api/v1/listings/{id}")))
        .json(body))
}

/// A listing. Public ones (published, reserved, sold in the last 30 days) for everyone; drafts
/// and others only for their seller and moderators (404 for anyone else). Includes photos,
/// the price history and the seller card.
#[utoipa::path(
    tag = "listings",
    operation_id = "get_listing",
    params(("id" = Uuid, Path, description = "The listing's id")),
    responses(
        (status = 200, description = "The listing.", body = ListingView,
         headers(("ETag" = String, description = "The version, for If-Match")),
         links(
             ("update_listing" = (operation_id = "update_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Edit it (its seller or a moderator), with the ETag just read.")),
             ("delete_listing" = (operation_id = "delete_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Delete it (its seller or a moderator), with the ETag just read.")),
             ("similar_listings" = (operation_id = "similar_listings", parameters(("id" = "$response.body#/id")), description = "Listings like it.")),
             ("get_public_profile" = (operation_id = "get_public_profile", parameters(("id" = "$response.body#/seller/id")), description = "Its seller's public profile.")),
         )),
        (status = 404, description = "No such listing, or not visible to you.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/listings/{id}")]
pub async fn get_listing(
    state: web::Data<AppState>,
    viewer: Option<AuthUser>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner();
    // A personal access token without `listings:read` reads like an anonymous visitor.
    let viewer = viewer.filter(|u| u.require_scope(Scope::ListingsRead).is_ok());
    let who = viewer
        .as_ref()
        .map(|u| (u.id, u.role.includes(Role::Moderator)));
    let view = db::run(&state.pool, move |conn| {
        let listing = rows::find(conn, id)?.ok_or_else(not_found)?;
        let seller = seller_of(conn, &listing)?;
        if !listings::visible_to(&listing, seller.is_active(), who) {
            return Err(not_found());
        }
        listings::view(conn, listing, &seller)
    })
    .await?;
    // Views tell the seller about buyers' interest: neither their own visits nor the
    // moderators' reviews count.
    if viewer
        .as_ref()
        .is_none_or(|v| v.id != view.seller.id && !v.role.includes(Role::Moderator))
    {
        state.views.count(view.id);
    }
    Ok(respond(actix_web::http::StatusCode::OK, &view))
}

/// Edit a listing (its seller, or a moderator). Requires `If-Match` with the ETag you read:
/// 428 without it, 412 if someone changed the listing since. Price changes enter the history.
/// A moderator's or administrator's edit of another member's listing goes to the moderation
/// audit log (`listing_edited`).
#[utoipa::path(
    tag = "listings",
    operation_id = "update_listing",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The listing's id"),
        ("If-Match" = String, Header, description = "The ETag from GET, e.g. \"3\""),
    ),
    request_body = UpdateListing,
    responses(
        (status = 200, description = "The updated listing.", body = ListingView,
         headers(("ETag" = String, description = "The new version, for If-Match")),
         links(
             ("get_listing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/id")), description = "Read it back.")),
             ("update_listing" = (operation_id = "update_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Edit it again, with the new ETag.")),
             ("delete_listing" = (operation_id = "delete_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Delete it, with the new ETag.")),
             ("publish_listing" = (operation_id = "publish_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Publish it.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing `listings:write` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/listings/{id}")]
pub async fn update_listing(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<UpdateListing>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::ListingsWrite)?;
    let (id, patch) = (id.into_inner(), body.0);
    let wanted = if_match(&req)?;
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let listing = editable(conn, &user, id)?;
            let version = required_version(wanted, listing.version)?;
            let mut input = listings::input_of(conn, &listing)?;
            patch.apply_to(&mut input);
            check_all(&input)?;
            let seller = seller_of(conn, &listing)?;
            let content = listings::prepare(conn, &input, &seller)?;
            let updated = rows::update_content(conn, id, version, &content)?.ok_or_else(|| {
                ApiError::PreconditionFailed("The listing changed meanwhile.".into())
            })?;
            let price_changed = (updated.price_amount, &updated.currency)
                != (listing.price_amount, &listing.currency);
            rows::record(
                conn,
                &NewEvent {
                    listing_id: id,
                    actor_id: Some(user.id),
                    kind: if price_changed { "price" } else { "edit" },
                    from_status: None,
                    to_status: None,
                    price_amount: updated.price_amount,
                    currency: Some(updated.currency.clone()),
                    details: serde_json::json!({ "by_moderator": user.id != listing.seller_id }),
                },
            )?;
            audit_staff_change(conn, user.id, &listing, AuditAction::ListingEdited)?;
            listings::view(conn, updated, &seller)
        })
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, &view))
}

/// Delete a listing (its seller, or a moderator). Requires `If-Match`. The listing disappears
/// at once and is purged after 30 days. A moderator's or administrator's deletion of another
/// member's listing goes to the moderation audit log (`listing_deleted`).
#[utoipa::path(
    tag = "listings",
    operation_id = "delete_listing",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "The listing's id"),
        ("If-Match" = String, Header, description = "The ETag from GET, e.g. \"3\""),
    ),
    responses(
        (status = 204, description = "Deleted."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing `listings:write` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Changed since you read it.", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/listings/{id}")]
pub async fn delete_listing(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::ListingsWrite)?;
    let id = id.into_inner();
    let wanted = if_match(&req)?;
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let listing = editable(conn, &user, id)?;
            let version = required_version(wanted, listing.version)?;
            let change = rows::StatusChange {
                status: Some("deleted".into()),
                deleted_at: Some(Some(chrono::Utc::now())),
                ..Default::default()
            };
            rows::change_status(conn, id, version, &change)?.ok_or_else(|| {
                ApiError::PreconditionFailed("The listing changed meanwhile.".into())
            })?;
            rows::record(
                conn,
                &NewEvent::status(
                    id,
                    user.id,
                    &listing.status,
                    Some("deleted".into()),
                    serde_json::json!({}),
                ),
            )?;
            audit_staff_change(conn, user.id, &listing, AuditAction::ListingDeleted)?;
            Ok::<_, ApiError>(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Applies a lifecycle step; `If-Match` is optional here (checked when sent).
async fn transition(
    state: web::Data<AppState>,
    req: HttpRequest,
    user: AuthUser,
    id: Uuid,
    step: Transition,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::ListingsWrite)?;
    let wanted = if_match(&req)?;
    let premoderate = state.settings.premoderate_new_sellers;
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let listing = sellers_own(conn, &user, id)?;
            let version = match wanted {
                Some(Some(v)) if v != listing.version => {
                    return Err(ApiError::PreconditionFailed(
                        "The listing changed since you read it.".into(),
                    ));
                }
                _ => listing.version,
            };
            let seller = seller_of(conn, &listing)?;
            if step == Transition::Publish && seller.email_verified_at.is_none() {
                return Err(ApiError::Forbidden(
                    "Verify your email address before publishing.".into(),
                ));
            }
            let mut change = step
                .apply(&listing.status)
                .ok_or_else(|| ApiError::Conflict {
                    detail: format!("A {} listing cannot {}.", listing.status, step.name()),
                    errors: FieldErrors::new(),
                })?;
            let held = step == Transition::Publish
                && listings::held_for_review(conn, premoderate, &seller)?;
            if held {
                change = listings::held(change);
            }
            let to = change.status.clone();
            let updated = rows::change_status(conn, id, version, &change)?.ok_or_else(|| {
                ApiError::PreconditionFailed("The listing changed meanwhile.".into())
            })?;
            rows::record(
                conn,
                &NewEvent::status(
                    id,
                    user.id,
                    &listing.status,
                    to,
                    if held {
                        serde_json::json!({ "step": step.name(), "held_for_review": true })
                    } else {
                        serde_json::json!({ "step": step.name() })
                    },
                ),
            )?;
            listings::view(conn, updated, &seller)
        })
    })
    .await?;
    Ok(respond(actix_web::http::StatusCode::OK, &view))
}

/// One lifecycle route. `next` names the steps that apply after this one (operation id, why):
/// they become the OpenAPI links of its answer, next to reading, editing and deleting the
/// listing, all with the new ETag as `If-Match`.
macro_rules! transition_route {
    ($fn:ident, $path:literal, $step:expr, $op:literal, $doc:literal, next($(($next:tt, $why:tt)),*)) => {
        #[doc = $doc]
        #[utoipa::path(
            tag = "listings",
            operation_id = $op,
            security(("bearer" = [])),
            params(
                ("id" = Uuid, Path, description = "The listing's id"),
                ("If-Match" = Option<String>, Header, description = "Optional: the ETag you read"),
            ),
            responses(
                (status = 200, description = "The listing after the step.", body = ListingView,
                 headers(("ETag" = String, description = "The new version, for If-Match")),
                 links(
                     $(($next = (operation_id = $next, parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = $why)),)*
                     ("get_listing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/id")), description = "Read it back.")),
                     ("update_listing" = (operation_id = "update_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Edit it, with the new ETag.")),
                     ("delete_listing" = (operation_id = "delete_listing", parameters(("id" = "$response.body#/id"), ("header.If-Match" = "$response.header.ETag")), description = "Delete it, with the new ETag.")),
                 )),
                (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
                (status = 403, description = "Missing scope, or email not verified (publish).", body = Problem, content_type = "application/problem+json"),
                (status = 404, description = "No such listing of yours.", body = Problem, content_type = "application/problem+json"),
                (status = 409, description = "The step does not apply to the listing's status.", body = Problem, content_type = "application/problem+json"),
                (status = 412, description = "Changed since you read it.", body = Problem, content_type = "application/problem+json"),
            )
        )]
        #[post($path)]
        pub async fn $fn(
            state: web::Data<AppState>,
            req: HttpRequest,
            user: AuthUser,
            id: web::Path<Uuid>,
        ) -> Result<HttpResponse, ApiError> {
            transition(state, req, user, id.into_inner(), $step).await
        }
    };
}

transition_route!(
    publish,
    "/listings/{id}/publish",
    Transition::Publish,
    "publish_listing",
    "Publish a draft (or a withdrawn or rejected listing): public for 60 days. Needs a verified email. With pre-moderation on (`PREMODERATE_NEW_SELLERS`), the listings of a member who never had one published go to `pending_review` instead, until a moderator approves one (`GET /moderation/pending`).",
    next(
        ("reserve_listing", "Reserve it for a buyer."),
        ("sell_listing", "Mark it sold."),
        ("withdraw_listing", "Take it off the market."),
        ("renew_listing", "Renew it.")
    )
);
transition_route!(
    reserve,
    "/listings/{id}/reserve",
    Transition::Reserve,
    "reserve_listing",
    "Mark a published listing reserved (a buyer is committed); still visible.",
    next(
        ("release_listing", "The sale fell through."),
        ("sell_listing", "Mark it sold."),
        ("withdraw_listing", "Take it off the market.")
    )
);
transition_route!(
    release,
    "/listings/{id}/release",
    Transition::Release,
    "release_listing",
    "Back from reserved to published (the sale fell through).",
    next(
        ("reserve_listing", "Reserve it again."),
        ("sell_listing", "Mark it sold."),
        ("withdraw_listing", "Take it off the market.")
    )
);
transition_route!(
    sell,
    "/listings/{id}/sold",
    Transition::Sell,
    "sell_listing",
    "Mark sold: stays visible, marked sold, for 30 days.",
    next()
);
transition_route!(
    withdraw,
    "/listings/{id}/withdraw",
    Transition::Withdraw,
    "withdraw_listing",
    "Take a listing off the market (it can be published again); also takes back one waiting for review or rejected.",
    next(("publish_listing", "Publish it again."))
);
transition_route!(
    renew,
    "/listings/{id}/renew",
    Transition::Renew,
    "renew_listing",
    "Renew a published or expired listing for another 60 days.",
    next(
        ("reserve_listing", "Reserve it for a buyer."),
        ("sell_listing", "Mark it sold."),
        ("withdraw_listing", "Take it off the market.")
    )
);

paged_query! {
    /// Filter of your listings.
    pub struct MyListingsQuery {
        /// One status: draft, pending_review (waiting for a moderator), rejected (by a
        /// moderator), published, reserved, sold, expired, withdrawn, hidden (by a moderator).
        /// Default: all.
        pub status: Option<String>,
    }
}

impl crate::extract::CrossCheck for MyListingsQuery {}

const ALL_STATUSES: [&str; 9] = [
    "draft",
    "pending_review",
    "rejected",
    "published",
    "reserved",
    "sold",
    "expired",
    "withdrawn",
    "hidden",
];

fn page(
    conn: &mut diesel::PgConnection,
    seller: Uuid,
    statuses: Vec<String>,
    cursor: Option<&str>,
    limit: u32,
) -> Result<ListingPage, ApiError> {
    let after = cursor
        .map(crate::routes::admin::decode_cursor)
        .transpose()?;
    let limit = i64::from(limit);
    let mut found = rows::by_seller(conn, seller, &statuses, after, limit + 1)?;
    let next_cursor =
        crate::routes::admin::next_page(&mut found, limit, |l| Some((l.created_at, l.id)));
    Ok(ListingPage {
        items: listings::summaries(conn, found)?,
        next_cursor,
    })
}

/// Your listings, newest first, optionally of one status.
#[utoipa::path(
    tag = "listings",
    operation_id = "my_listings",
    security(("bearer" = [])),
    params(MyListingsQuery),
    responses(
        (status = 200, description = "A page of your listings.", body = ListingPage,
         links(
             ("get_listing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Read the first one (with its ETag, to edit or delete it).")),
             ("publish_listing" = (operation_id = "publish_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Publish the first one (without If-Match, which these steps do not require).")),
             ("reserve_listing" = (operation_id = "reserve_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Reserve the first one (without If-Match, which these steps do not require).")),
             ("release_listing" = (operation_id = "release_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Release the first one (without If-Match, which these steps do not require).")),
             ("sell_listing" = (operation_id = "sell_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Mark the first one sold (without If-Match, which these steps do not require).")),
             ("withdraw_listing" = (operation_id = "withdraw_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Withdraw the first one (without If-Match, which these steps do not require).")),
             ("renew_listing" = (operation_id = "renew_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Renew the first one (without If-Match, which these steps do not require).")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing `listings:read` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or unknown query parameters.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/listings")]
pub async fn my_listings(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<MyListingsQuery>,
) -> Result<web::Json<ListingPage>, ApiError> {
    user.require_scope(Scope::ListingsRead)?;
    let q = query.0;
    let statuses: Vec<String> = match &q.status {
        Some(s) if ALL_STATUSES.contains(&s.as_str()) => vec![s.clone()],
        Some(_) => {
            return Err(ApiError::field(
                "status",
                "must be one of draft, pending_review, rejected, published, reserved, sold, \
                 expired, withdrawn, hidden",
            ));
        }
        None => ALL_STATUSES.iter().map(|s| (*s).to_owned()).collect(),
    };
    let id = user.id;
    let page = db::run(&state.pool, move |conn| {
        page(
            conn,
            id,
            statuses,
            q.cursor.as_deref(),
            q.limit.unwrap_or(20),
        )
    })
    .await?;
    Ok(web::Json(page))
}

paged_query! {
    /// Page of a member's public listings.
    pub struct PageQuery {}
}

impl crate::extract::CrossCheck for PageQuery {}

/// A member's published and reserved listings, newest first.
#[utoipa::path(
    tag = "listings",
    operation_id = "user_listings",
    params(("id" = Uuid, Path, description = "The member's id"), PageQuery),
    responses(
        (status = 200, description = "A page of listings.", body = ListingPage,
         links(
             ("get_listing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/items/0/id")), description = "Read the first one.")),
         )),
        (status = 404, description = "No such member.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid or unknown query parameters.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/{id}/listings")]
pub async fn user_listings(
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: ValidQuery<PageQuery>,
) -> Result<web::Json<ListingPage>, ApiError> {
    let (id, q) = (id.into_inner(), query.0);
    let page = db::run(&state.pool, move |conn| {
        users::find(conn, id)?
            .filter(users::User::is_active)
            .ok_or_else(|| ApiError::NotFound("No such member.".into()))?;
        page(
            conn,
            id,
            vec!["published".into(), "reserved".into()],
            q.cursor.as_deref(),
            q.limit.unwrap_or(20),
        )
    })
    .await?;
    Ok(web::Json(page))
}
