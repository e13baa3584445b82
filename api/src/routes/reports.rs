//! Reports: `POST /api/v1/listings/{id}/reports`.

use actix_web::{HttpResponse, post, web};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::reports::{self as rows, ReportRow};
use crate::db::schema::users;
use crate::db::{self};
use crate::domain::Scope;
use crate::dto::reports::{NewReport, Report};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::ValidJson;
use crate::listings::parse_text;
use crate::routes::favorites::visible_listing;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// Reports a member may file per 24 hours, all listings together.
pub const MAX_REPORTS_PER_DAY: usize = 20;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(report_listing);
}

fn view(row: ReportRow) -> Result<Report, ApiError> {
    Ok(Report {
        id: row.id,
        listing_id: row.listing_id,
        reason: parse_text(&row.reason)?,
        comment: row.comment,
        state: parse_text(&row.state)?,
        created_at: row.created_at,
    })
}

/// Report a listing to the moderators: why (`scam`, `wrong_category`, `already_sold`,
/// `duplicate`, `offensive`, or `other`, which needs a comment) and, optionally, a comment of
/// up to 2,000 characters. A member has at most one open report per listing: reporting it
/// again while the first is open is a 409 (nothing written); once a moderator resolved it, the
/// listing can be reported again. Not on your own listing (422). Listings you may not see are
/// a 404. At most 20 reports per member per 24 hours (429 with `Retry-After`).
#[utoipa::path(
    tag = "reports",
    operation_id = "report_listing",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    request_body = NewReport,
    responses(
        (status = 201, description = "Reported: the moderators will look at it.", body = Report,
         links(
             ("moderation_resolve_report" = (operation_id = "moderation_resolve_report", parameters(("id" = "$response.body#/id")), description = "A moderator resolves the report.")),
             ("get_listing" = (operation_id = "get_listing", parameters(("id" = "$response.body#/listing_id")), description = "Read the reported listing.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing, or not visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "You have an open report on this listing already.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid reason or comment, or your own listing.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many reports today: retry after `Retry-After` seconds.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/listings/{id}/reports")]
pub async fn report_listing(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<NewReport>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Account)?;
    let (listing_id, me, report) = (id.into_inner(), user.id, body.0);
    let created = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            // One report at a time per member, so the daily cap holds.
            users::table
                .find(me)
                .select(users::id)
                .for_no_key_update()
                .first::<Uuid>(conn)?;
            let listing = visible_listing(conn, me, listing_id)?;
            if listing.seller_id == me {
                return Err(ApiError::Validation {
                    detail: "This is your own listing: you cannot report it.".into(),
                    errors: FieldErrors::new(),
                });
            }
            if rows::find_open(conn, me, listing_id)?.is_some() {
                return Err(ApiError::Conflict {
                    detail: "You have reported this listing already; the moderators have not \
                             dealt with it yet."
                        .into(),
                    errors: FieldErrors::new(),
                });
            }
            let (day, now) = (Duration::hours(24), Utc::now());
            let recent = rows::times_since(conn, me, now - day)?;
            let frees_at = recent
                .len()
                .checked_sub(MAX_REPORTS_PER_DAY)
                .and_then(|i| recent.get(i).copied());
            crate::limits::check_window(
                recent.len() as i64,
                frees_at,
                MAX_REPORTS_PER_DAY as i64,
                day,
                now,
            )?;
            let row = rows::insert(
                conn,
                listing_id,
                me,
                report.reason.as_str(),
                report.comment.as_deref(),
            )?;
            view(row)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(created))
}
