//! `/api/v1/listings/{id}/photos`: upload (multipart), reorder, delete. Processing
//! ([`crate::media`]) runs on the blocking pool, never on an HTTP worker.

use actix_multipart::Multipart;
use actix_web::{HttpResponse, delete, patch, post, web};
use diesel::Connection;
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::auth::AuthUser;
use crate::db;
use crate::db::listings::{self as rows, NewEvent, Photo};
use crate::domain::{AuditAction, Role, Scope};
use crate::dto::listings::PhotoView;
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{CrossCheck, ValidJson};
use crate::media::{self, MAX_UPLOAD_BYTES, PhotoError};
use crate::routes::moderation::audit_staff_change;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// Photos a listing may have.
pub const MAX_PHOTOS: usize = 24;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(upload_photo)
        .service(reorder_photos)
        .service(delete_photo);
}

/// The upload form: one image file in the `file` part.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PhotoUpload {
    /// JPEG, PNG or WebP, at most 15 MB and 12,000 pixels a side. Its EXIF data (GPS
    /// position included) is dropped: the image is re-encoded.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// The new order of a listing's photos: every photo id once; the first is the cover.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PhotoOrder {
    #[validate(length(min = 1, max = 24))]
    #[schema(min_items = 1, max_items = 24)]
    pub order: Vec<Uuid>,
}

impl CrossCheck for PhotoOrder {}

/// Photos as listed.
#[derive(Debug, serde::Serialize, ToSchema)]
pub struct PhotoList {
    pub items: Vec<PhotoView>,
}

fn not_found() -> ApiError {
    ApiError::NotFound("No such listing.".into())
}

/// The listing if `user` may change it (seller or moderator), else 404.
fn owned(
    conn: &mut diesel::PgConnection,
    user_id: Uuid,
    moderator: bool,
    id: Uuid,
) -> Result<rows::Listing, ApiError> {
    rows::find(conn, id)?
        .filter(|l| l.status != "deleted" && (l.seller_id == user_id || moderator))
        .ok_or_else(not_found)
}

fn photo_error(err: PhotoError) -> ApiError {
    match err {
        PhotoError::UnsupportedType => ApiError::UnsupportedMediaType {
            expected: "image/jpeg, image/png or image/webp",
        },
        PhotoError::TooLarge => ApiError::PayloadTooLarge {
            limit: MAX_UPLOAD_BYTES,
        },
        other => ApiError::field("file", other.to_string()),
    }
}

/// Reads the `file` part, refusing more than [`MAX_UPLOAD_BYTES`] as soon as it is exceeded.
async fn read_file(mut form: Multipart) -> Result<Vec<u8>, ApiError> {
    let bad_form = |e: actix_multipart::MultipartError| match e {
        actix_multipart::MultipartError::ContentTypeMissing
        | actix_multipart::MultipartError::ContentTypeParse
        | actix_multipart::MultipartError::ContentTypeIncompatible => {
            ApiError::UnsupportedMediaType {
                expected: "multipart/form-data",
            }
        }
        other => ApiError::BadRequest(format!("The form could not be read: {other}.")),
    };
    while let Some(part) = form.next().await {
        let mut part = part.map_err(bad_form)?;
        if part.name() != Some("file") {
            // Drain and ignore other parts.
            while let Some(chunk) = part.next().await {
                chunk.map_err(bad_form)?;
            }
            continue;
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = part.next().await {
            let chunk = chunk.map_err(bad_form)?;
            if bytes.len() + chunk.len() > MAX_UPLOAD_BYTES {
                return Err(ApiError::PayloadTooLarge {
                    limit: MAX_UPLOAD_BYTES,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        return Ok(bytes);
    }
    Err(ApiError::field(
        "file",
        "is required: send the image in a multipart part named `file`",
    ))
}

/// Add a photo to a listing (its seller, or a moderator): JPEG, PNG or WebP, found from the
/// bytes whatever the file name; at most 15 MB and 24 photos per listing. It is stored as
/// WebP at 320, 800 and 1600 px wide, without any EXIF data. A moderator's or administrator's
/// upload to another member's listing goes to the moderation audit log (`photo_added`).
#[utoipa::path(
    tag = "listings",
    operation_id = "upload_photo",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored photo.", body = PhotoView,
         links(
             ("delete_photo" = (operation_id = "delete_photo", parameters(("id" = "$request.path.id"), ("photo_id" = "$response.body#/id")), description = "Remove the new photo.")),
             ("get_listing" = (operation_id = "get_listing", parameters(("id" = "$request.path.id")), description = "Read the listing with its photos.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Missing `listings:write` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Over 15 MB.", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not a JPEG, PNG or WebP (e.g. HTML, SVG or PDF renamed .jpg), or not multipart.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unreadable or too large image, or a 25th photo.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/listings/{id}/photos")]
pub async fn upload_photo(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    form: Multipart,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::ListingsWrite)?;
    let id = id.into_inner();
    let (uid, moderator) = (user.id, user.role.includes(Role::Moderator));
    // Check ownership before reading 15 MB from someone who may not upload here.
    let count = db::run(&state.pool, move |conn| {
        owned(conn, uid, moderator, id)?;
        Ok::<_, ApiError>(rows::photos(conn, id)?.len())
    })
    .await?;
    if count >= MAX_PHOTOS {
        return Err(ApiError::field("file", "a listing has at most 24 photos"));
    }
    let bytes = read_file(form).await?;
    let media_dir = state.settings.media_dir.clone();
    let processed = web::block(move || {
        let photo = media::process(&bytes)?;
        media::store(&media_dir, &photo)
            .map_err(|e| PhotoError::Corrupt(format!("storage: {e}")))?;
        Ok::<_, PhotoError>(photo)
    })
    .await?
    .map_err(photo_error)?;
    let photo = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let listing = owned(conn, uid, moderator, id)?;
            let position = rows::photos(conn, id)?.len();
            if position >= MAX_PHOTOS {
                return Err(ApiError::field("file", "a listing has at most 24 photos"));
            }
            let photo = Photo {
                id: Uuid::now_v7(),
                listing_id: id,
                position: position as i32,
                sha256: processed.sha256.clone(),
                width: processed.width as i32,
                height: processed.height as i32,
                widths: processed.variants.iter().map(|v| v.width as i32).collect(),
                created_at: chrono::Utc::now(),
            };
            rows::add_photo(conn, &photo)?;
            rows::record(
                conn,
                &NewEvent {
                    listing_id: id,
                    actor_id: Some(uid),
                    kind: "photo",
                    from_status: None,
                    to_status: None,
                    price_amount: None,
                    currency: None,
                    details: serde_json::json!({ "added": photo.id }),
                },
            )?;
            audit_staff_change(conn, uid, &listing, AuditAction::PhotoAdded)?;
            Ok(photo)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(crate::listings::photo_view(&photo)))
}

/// Reorder a listing's photos; the first becomes the cover. A moderator's or administrator's
/// reordering of another member's listing goes to the moderation audit log
/// (`photos_reordered`).
#[utoipa::path(
    tag = "listings",
    operation_id = "reorder_photos",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    request_body = PhotoOrder,
    responses(
        (status = 200, description = "The photos in their new order.", body = PhotoList),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not exactly the listing's photos.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[patch("/listings/{id}/photos")]
pub async fn reorder_photos(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<PhotoOrder>,
) -> Result<web::Json<PhotoList>, ApiError> {
    user.require_scope(Scope::ListingsWrite)?;
    let id = id.into_inner();
    let (uid, moderator) = (user.id, user.role.includes(Role::Moderator));
    let order = body.0.order;
    let photos = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let listing = owned(conn, uid, moderator, id)?;
            let current = rows::photos(conn, id)?;
            let mut wanted = order.clone();
            wanted.sort();
            wanted.dedup();
            let mut have: Vec<Uuid> = current.iter().map(|p| p.id).collect();
            have.sort();
            if wanted != have || order.len() != have.len() {
                let mut errors = FieldErrors::new();
                errors.insert(
                    "order".into(),
                    vec!["must list every photo of the listing exactly once".into()],
                );
                return Err(ApiError::validation(errors));
            }
            rows::reorder_photos(conn, id, &order)?;
            audit_staff_change(conn, uid, &listing, AuditAction::PhotosReordered)?;
            Ok(rows::photos(conn, id)?)
        })
    })
    .await?;
    Ok(web::Json(PhotoList {
        items: photos.iter().map(crate::listings::photo_view).collect(),
    }))
}

/// Remove a photo from a listing (its seller, or a moderator). A moderator's or
/// administrator's removal from another member's listing goes to the moderation audit log
/// (`photo_removed`).
#[utoipa::path(
    tag = "listings",
    operation_id = "delete_photo",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id"), ("photo_id" = Uuid, Path, description = "The photo's id")),
    responses(
        (status = 204, description = "Removed."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such photo on a listing of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/listings/{id}/photos/{photo_id}")]
pub async fn delete_photo(
    state: web::Data<AppState>,
    user: AuthUser,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::ListingsWrite)?;
    let (id, photo_id) = path.into_inner();
    let (uid, moderator) = (user.id, user.role.includes(Role::Moderator));
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let listing = owned(conn, uid, moderator, id)?;
            if rows::delete_photo(conn, id, photo_id)? == 0 {
                return Err(ApiError::NotFound("No such photo.".into()));
            }
            let rest: Vec<Uuid> = rows::photos(conn, id)?.iter().map(|p| p.id).collect();
            rows::reorder_photos(conn, id, &rest)?;
            audit_staff_change(conn, uid, &listing, AuditAction::PhotoRemoved)?;
            Ok(())
        })
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
