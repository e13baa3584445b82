//! `/api/v1/moderation`: the reports queue, resolving reports, and the audit log; for
//! moderators and administrators, from a logged-in session (personal access tokens cannot).

use actix_web::{get, post, web};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::moderation::{self as rows, AuditRow, NewAudit};
use crate::db::reports::ReportRow;
use crate::db::{self, notifications, users};
use crate::domain::{Locale, ModerationAction, NotificationKind, ReportState, Role};
use crate::dto::moderation::{
    AuditEntry, AuditPage, AuditQuery, QueuedReport, ReportQueuePage, ReportQueueQuery,
    ReportedListing, ResolveReport,
};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::listings::parse_text;
use crate::routes::admin::{decode_cursor, encode_cursor};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(report_queue)
        .service(resolve_report)
        .service(audit_log);
}

fn moderator(user: &AuthUser) -> Result<(), ApiError> {
    user.require_session()?;
    user.require_role(Role::Moderator)
}

fn queued(conn: &mut PgConnection, found: Vec<ReportRow>) -> Result<Vec<QueuedReport>, ApiError> {
    let ids: Vec<Uuid> = found.iter().map(|r| r.listing_id).collect();
    let info = rows::listings_info(conn, &ids)?;
    let counts = rows::report_counts(conn, &ids)?;
    found
        .into_iter()
        .map(|r| {
            let (id, title, status, seller_id, seller_name, seller_status) = info
                .get(&r.listing_id)
                .cloned()
                .ok_or_else(|| ApiError::internal("reported listing missing"))?;
            let (open_reports, total_reports) = counts.get(&id).copied().unwrap_or_default();
            Ok(QueuedReport {
                id: r.id,
                reason: parse_text(&r.reason)?,
                comment: r.comment,
                state: parse_text(&r.state)?,
                created_at: r.created_at,
                reporter_id: r.reporter_id,
                listing: ReportedListing {
                    id,
                    title,
                    status,
                    seller_id,
                    seller_name,
                    seller_status,
                    open_reports,
                    total_reports,
                },
                resolved_at: r.resolved_at,
                resolved_by: r.resolved_by,
                resolution: r.resolution.as_deref().map(parse_text).transpose()?,
                note: r.note,
            })
        })
        .collect()
}

/// The reports queue: open reports (or, with `state=resolved`, resolved ones), oldest first,
/// each with its listing (whatever its status), the listing's seller, and how many open and
/// total reports the listing has. Moderators and administrators only, from a logged-in session.
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderation_reports",
    security(("bearer" = [])),
    params(ReportQueueQuery),
    responses(
        (status = 200, description = "A page of reports.", body = ReportQueuePage),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid state, limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/moderation/reports")]
pub async fn report_queue(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<ReportQueueQuery>,
) -> Result<web::Json<ReportQueuePage>, ApiError> {
    moderator(&user)?;
    let q = query.0;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(q.limit.unwrap_or(20));
    let wanted = q.state.unwrap_or(ReportState::Open);
    let page = db::run(&state.pool, move |conn| {
        let mut found = rows::queue(conn, wanted.as_str(), after, limit + 1)?;
        let next_cursor = if found.len() as i64 > limit {
            found.truncate(limit as usize);
            found.last().map(|r| encode_cursor(r.created_at, r.id))
        } else {
            None
        };
        Ok::<_, ApiError>(ReportQueuePage {
            items: queued(conn, found)?,
            next_cursor,
        })
    })
    .await?;
    Ok(web::Json(page))
}

fn entry(row: AuditRow) -> Result<AuditEntry, ApiError> {
    Ok(AuditEntry {
        id: row.id,
        moderator_id: row.moderator_id,
        action: parse_text(&row.action)?,
        listing_id: row.listing_id,
        target_user_id: row.target_user_id,
        reports: row.reports,
        note: row.note,
        created_at: row.created_at,
    })
}

/// Resolve a report, and with it every open report on the same listing (one decision per
/// listing): `dismiss` (nothing else changes), `hide_listing` (the listing turns `hidden`: out
/// of search and of public view, only its seller and moderators still read it, and the seller
/// cannot publish it again; the seller gets a `listing_hidden` notification and a mail in
/// their language), or `suspend_seller` (the seller's account is suspended as by an
/// administrator: sessions and tokens die, all their listings leave public view). The note
/// (1 to 2,000 characters) goes to the audit log, not to the seller. Moderators cannot suspend
/// moderators or administrators (409).
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderation_resolve_report",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The report's id")),
    request_body = ResolveReport,
    responses(
        (status = 200, description = "Resolved: the audit entry, with how many reports it resolved.", body = AuditEntry),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The report is resolved already, the listing is deleted, or the seller is a moderator, an administrator or a deleted account.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid action or note.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/moderation/reports/{id}/resolve")]
pub async fn resolve_report(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<ResolveReport>,
) -> Result<web::Json<AuditEntry>, ApiError> {
    moderator(&user)?;
    let (id, me, ResolveReport { action, note }) = (id.into_inner(), user.id, body.0);
    let base_url = state.settings.public_base_url.clone();
    let conflict = |detail: &str| ApiError::Conflict {
        detail: detail.to_owned(),
        errors: FieldErrors::new(),
    };
    let done = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let report = rows::find_report_for_update(conn, id)?
                .ok_or_else(|| ApiError::NotFound("No such report.".into()))?;
            if report.state != "open" {
                return Err(conflict("This report is resolved already."));
            }
            let listing = crate::db::listings::find(conn, report.listing_id)?
                .ok_or_else(|| ApiError::internal("reported listing missing"))?;
            let seller = users::find(conn, listing.seller_id)?
                .ok_or_else(|| ApiError::internal("seller missing"))?;
            match action {
                ModerationAction::Dismiss => {}
                ModerationAction::HideListing => {
                    if listing.status == "deleted" {
                        return Err(conflict(
                            "This listing is deleted: there is nothing to hide.",
                        ));
                    }
                    if rows::hide_listing(conn, listing.id)? {
                        notifications::insert(
                            conn,
                            &notifications::NewNotification {
                                id: Uuid::now_v7(),
                                user_id: seller.id,
                                kind: NotificationKind::ListingHidden.as_str(),
                                listing_id: Some(listing.id),
                                saved_search_id: None,
                                data: serde_json::json!({ "title": listing.title }),
                                // The mail below says it already.
                                digest: None,
                            },
                        )?;
                        if seller.is_active() {
                            let locale: Locale = seller.locale.parse().unwrap_or(Locale::Fr);
                            crate::mail::queue_listing_hidden(
                                conn,
                                &base_url,
                                &seller.email,
                                &seller.display_name,
                                locale,
                                listing.id,
                                &listing.title,
                            )?;
                        }
                    }
                }
                ModerationAction::SuspendSeller => {
                    if seller.role != Role::User.as_str() {
                        return Err(conflict(
                            "The seller is a moderator or an administrator: an administrator \
                             changes their role first.",
                        ));
                    }
                    if seller.status != "suspended" {
                        crate::routes::admin::suspend(conn, seller.id)?;
                    }
                }
            }
            let resolved = rows::resolve_open(conn, listing.id, me, action.as_str(), &note)?;
            let row = rows::audit(
                conn,
                &NewAudit {
                    id: Uuid::now_v7(),
                    moderator_id: me,
                    action: action.as_str(),
                    listing_id: Some(listing.id),
                    target_user_id: Some(seller.id),
                    reports: i32::try_from(resolved).map_err(ApiError::internal)?,
                    note: &note,
                },
            )?;
            entry(row)
        })
    })
    .await?;
    log::info!(
        "moderator {me} resolved report {id} ({}): {} report(s)",
        done.action.as_str(),
        done.reports
    );
    Ok(web::Json(done))
}

/// The audit log: every moderator action, newest first, by moderator and by target (a listing
/// or a member). Nobody can edit or delete it: the database refuses it.
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderation_audit",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of the audit log.", body = AuditPage),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter, limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/moderation/audit")]
pub async fn audit_log(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<AuditQuery>,
) -> Result<web::Json<AuditPage>, ApiError> {
    moderator(&user)?;
    let q = query.0;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(q.limit.unwrap_or(20));
    let (moderator_id, target) = (q.moderator, q.target);
    let page = db::run(&state.pool, move |conn| {
        let mut found = rows::audit_page(conn, moderator_id, target, after, limit + 1)?;
        let next_cursor = if found.len() as i64 > limit {
            found.truncate(limit as usize);
            found.last().map(|r| encode_cursor(r.created_at, r.id))
        } else {
            None
        };
        Ok::<_, ApiError>(AuditPage {
            items: found.into_iter().map(entry).collect::<Result<_, _>>()?,
            next_cursor,
        })
    })
    .await?;
    Ok(web::Json(page))
}
