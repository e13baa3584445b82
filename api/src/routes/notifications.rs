//! `/api/v1/users/me/notifications`: list, mark one read, mark all read.

use actix_web::{get, post, web};
use uuid::Uuid;

use crate::alerts::NotificationData;
use crate::auth::AuthUser;
use crate::db::notifications::{self as rows, WithSearch};
use crate::db::{self};
use crate::domain::Scope;
use crate::dto::favorites::Money;
use crate::dto::notifications::{
    MarkedRead, Notification, NotificationPage, NotificationsQuery, SavedSearchRef,
};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::listings::parse_text;
use crate::routes::admin::{decode_cursor, next_page};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(my_notifications)
        .service(mark_all_read)
        .service(mark_read);
}

fn view((row, search_name): WithSearch) -> Result<Notification, ApiError> {
    let data = NotificationData::of(&row);
    let currency = data.currency.as_deref().map(str::trim);
    let money = |amount: Option<i64>| -> Result<Option<Money>, ApiError> {
        match (amount, currency) {
            (Some(amount), Some(c)) => Ok(Some(Money {
                amount,
                currency: parse_text(c)?,
            })),
            _ => Ok(None),
        }
    };
    Ok(Notification {
        id: row.id,
        kind: row.kind.parse().map_err(ApiError::internal)?,
        created_at: row.created_at,
        read_at: row.read_at,
        listing_id: row.listing_id,
        title: data.title.clone(),
        price: money(data.amount)?,
        previous_price: money(data.previous_amount)?,
        expires_at: data.expires_at,
        note: data.note.clone(),
        conversation_id: row.conversation_id,
        saved_search: row
            .saved_search_id
            .zip(search_name)
            .map(|(id, name)| SavedSearchRef { id, name }),
    })
}

/// Your notifications, newest first (`unread=true`: unread ones only), with how many are
/// unread in all. Kinds: `new_match` (a new listing matches one of your saved searches),
/// `price_drop` (a favourite got cheaper), `new_message` (someone wrote to you: one per
/// conversation until you read it, with `conversation_id`), `listing_expiring` (one of your
/// listings expires within a week), `listing_hidden` (a moderator hid one of your listings),
/// `listing_rejected` (a moderator did not publish one of your listings held for review; with
/// their `note`), `listing_restored` (a moderator put back one of your hidden listings).
#[utoipa::path(
    tag = "notifications",
    operation_id = "my_notifications",
    security(("bearer" = [])),
    params(NotificationsQuery),
    responses(
        (status = 200, description = "A page of notifications.", body = NotificationPage,
         links(
             ("mark_notification_read" = (operation_id = "mark_notification_read", parameters(("id" = "$response.body#/items/0/id")), description = "Mark the newest one read.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/notifications")]
pub async fn my_notifications(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<NotificationsQuery>,
) -> Result<web::Json<NotificationPage>, ApiError> {
    user.require_scope(Scope::Account)?;
    let q = query.0;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(q.limit.unwrap_or(20));
    let unread_only = q.unread.unwrap_or(false);
    let id = user.id;
    let page = db::run(&state.pool, move |conn| {
        let mut found = rows::page(conn, id, unread_only, after, limit + 1)?;
        let next_cursor = next_page(&mut found, limit, |(n, _)| Some((n.created_at, n.id)));
        Ok::<_, ApiError>(NotificationPage {
            items: found.into_iter().map(view).collect::<Result<_, _>>()?,
            next_cursor,
            unread_count: rows::unread_count(conn, id)?,
        })
    })
    .await?;
    Ok(web::Json(page))
}

/// Mark one notification read. Idempotent: it keeps the time it was first read.
#[utoipa::path(
    tag = "notifications",
    operation_id = "mark_notification_read",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The notification's id")),
    responses(
        (status = 200, description = "The notification, read.", body = Notification),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notification of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/me/notifications/{id}/read")]
pub async fn mark_read(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Notification>, ApiError> {
    user.require_scope(Scope::Account)?;
    let (id, owner) = (id.into_inner(), user.id);
    let found = db::run(&state.pool, move |conn| rows::mark_read(conn, owner, id)).await?;
    let found = found.ok_or_else(|| ApiError::NotFound("No such notification.".into()))?;
    Ok(web::Json(view(found)?))
}

/// Mark every notification of yours read.
#[utoipa::path(
    tag = "notifications",
    operation_id = "mark_all_notifications_read",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "How many were marked.", body = MarkedRead),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/me/notifications/read-all")]
pub async fn mark_all_read(
    state: web::Data<AppState>,
    user: AuthUser,
) -> Result<web::Json<MarkedRead>, ApiError> {
    user.require_scope(Scope::Account)?;
    let id = user.id;
    let (marked, unread_count) = db::run(&state.pool, move |conn| {
        let marked = rows::mark_all_read(conn, id)?;
        Ok::<_, diesel::result::Error>((marked as i64, rows::unread_count(conn, id)?))
    })
    .await?;
    Ok(web::Json(MarkedRead {
        marked,
        unread_count,
    }))
}
