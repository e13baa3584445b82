//! Reports: `POST /api/v1/listings/{id}/reports`, and their authors' own list
//! (`GET /api/v1/users/me/reports`) and withdrawal (`POST …/{id}/withdraw`).

use std::collections::HashMap;

use actix_web::{HttpResponse, get, post, web};
use chrono::{Duration, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::listings::Listing;
use crate::db::reports::{self as rows, ReportRow};
use crate::db::schema::{listings, users};
use crate::db::{self};
use crate::domain::{ModerationAction, ReportStatus, Scope};
use crate::dto::reports::{MyReport, MyReportPage, MyReportsQuery, NewReport, Report};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::listings::{parse_text, visible_to};
use crate::routes::admin::{decode_cursor, next_page};
use crate::routes::favorites::{sellers_active, visible_listing};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// Reports a member may file per 24 hours, all listings together.
pub const MAX_REPORTS_PER_DAY: usize = 20;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(report_listing)
        .service(my_reports)
        .service(withdraw_report);
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
/// again while the first is open is a 409 (nothing written); once a moderator resolved it, or
/// you withdrew it, the listing can be reported again. Not on your own listing (422). Listings
/// you may not see are a 404. At most 20 reports per member per 24 hours, withdrawn ones
/// included (429 with `Retry-After`).
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

/// The public side of a report's state: the moderator's action, never their note or name.
fn status(row: &ReportRow) -> Result<ReportStatus, ApiError> {
    Ok(match row.state.as_str() {
        "open" => ReportStatus::Open,
        "withdrawn" => ReportStatus::Withdrawn,
        _ => match row.resolution.as_deref().map(parse_text).transpose()? {
            Some(ModerationAction::Dismiss) => ReportStatus::Dismissed,
            Some(ModerationAction::HideListing | ModerationAction::SuspendSeller) => {
                ReportStatus::Actioned
            }
            None => return Err(ApiError::internal("resolved report without resolution")),
        },
    })
}

/// The reporter's reports as they read them, with the titles of the listings they may still
/// read (as a buyer would: a moderator's own reports do not show hidden listings either).
pub(crate) fn my_views(
    conn: &mut PgConnection,
    me: Uuid,
    found: Vec<ReportRow>,
) -> Result<Vec<MyReport>, ApiError> {
    let ids: Vec<Uuid> = found.iter().map(|r| r.listing_id).collect();
    let reported: Vec<Listing> = listings::table
        .filter(listings::id.eq_any(&ids))
        .select(Listing::as_select())
        .load(conn)?;
    let active = sellers_active(conn, &reported.iter().collect::<Vec<_>>())?;
    let titles: HashMap<Uuid, String> = reported
        .into_iter()
        .filter(|l| {
            let seller_active = active.get(&l.seller_id).copied().unwrap_or(false);
            visible_to(l, seller_active, Some((me, false)))
        })
        .map(|l| (l.id, l.title))
        .collect();
    found
        .into_iter()
        .map(|row| {
            Ok(MyReport {
                id: row.id,
                listing_id: row.listing_id,
                listing_title: titles.get(&row.listing_id).cloned(),
                reason: parse_text(&row.reason)?,
                status: status(&row)?,
                comment: row.comment,
                created_at: row.created_at,
                resolved_at: row.resolved_at,
                withdrawn_at: row.withdrawn_at,
            })
        })
        .collect()
}

/// Your reports, newest first, whatever became of them: `open` (a moderator will look at it;
/// you may still withdraw it), `dismissed`, `actioned` or `withdrawn`. Each with the reason
/// and comment you gave and the listing's title while you may still read the listing (absent
/// once it is deleted, hidden, withdrawn or otherwise out of public view). Who dealt with a
/// report and their note are the moderators' alone.
#[utoipa::path(
    tag = "reports",
    operation_id = "my_reports",
    security(("bearer" = [])),
    params(MyReportsQuery),
    responses(
        (status = 200, description = "A page of your reports.", body = MyReportPage),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/reports")]
pub async fn my_reports(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<MyReportsQuery>,
) -> Result<web::Json<MyReportPage>, ApiError> {
    user.require_scope(Scope::Account)?;
    let q = query.0;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(q.limit.unwrap_or(20));
    let me = user.id;
    let page = db::run(&state.pool, move |conn| {
        let mut found = rows::mine(conn, me, after, limit + 1)?;
        let next_cursor = next_page(&mut found, limit, |r| Some((r.created_at, r.id)));
        Ok::<_, ApiError>(MyReportPage {
            items: my_views(conn, me, found)?,
            next_cursor,
        })
    })
    .await?;
    Ok(web::Json(page))
}

/// Withdraw one of your reports while it is open: it leaves the moderators' queue at once.
/// The report is kept, as `withdrawn`, and you may report the listing again later (it counts
/// towards the daily cap all the same). A report a moderator has dealt with, or withdrawn
/// already, is a 409; someone else's is a 404, as if it did not exist.
#[utoipa::path(
    tag = "reports",
    operation_id = "withdraw_report",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The report's id")),
    responses(
        (status = 204, description = "Withdrawn."),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `account` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A moderator has dealt with it, or you withdrew it already.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/users/me/reports/{id}/withdraw")]
pub async fn withdraw_report(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Account)?;
    let (id, me) = (id.into_inner(), user.id);
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let report = rows::find_own_for_update(conn, me, id)?
                .ok_or_else(|| ApiError::NotFound("No such report.".into()))?;
            let detail = match report.state.as_str() {
                "open" => {
                    rows::withdraw(conn, id)?;
                    return Ok(());
                }
                "withdrawn" => "You withdrew this report already.",
                _ => "A moderator has dealt with this report already: it cannot be withdrawn.",
            };
            Err(ApiError::Conflict {
                detail: detail.into(),
                errors: FieldErrors::new(),
            })
        })
    })
    .await?;
    log::info!("member {me} withdrew report {id}");
    Ok(HttpResponse::NoContent().finish())
}
