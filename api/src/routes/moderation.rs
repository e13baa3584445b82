//! `/api/v1/moderation`: the reports queue, resolving reports, pre-moderation (the queue of
//! held listings, approving and rejecting them), putting hidden listings back, and the audit
//! log; for moderators and administrators, from a logged-in session (personal access tokens
//! cannot).

use actix_web::{get, post, web};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::db::listings::{self as listing_rows, Listing, NewEvent, StatusChange};
use crate::db::moderation::{self as rows, AuditRow, NewAudit};
use crate::db::reports::ReportRow;
use crate::db::{self, notifications, users};
use crate::domain::{AuditAction, Locale, ModerationAction, NotificationKind, ReportState, Role};
use crate::dto::moderation::{
    AuditEntry, AuditPage, AuditQuery, ModeratedListing, ModerationNote, PendingListing,
    PendingPage, PendingQuery, PendingSeller, QueuedReport, ReportQueuePage, ReportQueueQuery,
    ReportedListing, ResolveReport,
};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::listings::{Transition, parse_text};
use crate::mail::ListingMail;
use crate::routes::admin::{decode_cursor, next_page};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(report_queue)
        .service(resolve_report)
        .service(pending_queue)
        .service(approve_listing)
        .service(reject_listing)
        .service(unhide_listing)
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
        (status = 200, description = "A page of reports.", body = ReportQueuePage,
         links(
             ("moderation_resolve_report" = (operation_id = "moderation_resolve_report", parameters(("id" = "$response.body#/items/0/id")), description = "Resolve the oldest report.")),
         )),
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
        let next_cursor = next_page(&mut found, limit, |r| Some((r.created_at, r.id)));
        Ok::<_, ApiError>(ReportQueuePage {
            items: queued(conn, found)?,
            next_cursor,
        })
    })
    .await?;
    Ok(web::Json(page))
}

pub(crate) fn entry(row: AuditRow) -> Result<AuditEntry, ApiError> {
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

/// Writes to the audit log what staff did to another member's listing through the listing
/// routes (no note: those routes take none); a seller's changes to their own listing are not
/// moderation and leave no entry. Run in the change's transaction, so a refused change leaves
/// none either.
pub(crate) fn audit_staff_change(
    conn: &mut PgConnection,
    actor: Uuid,
    listing: &Listing,
    action: AuditAction,
) -> Result<(), ApiError> {
    if actor != listing.seller_id {
        rows::audit(
            conn,
            &NewAudit {
                id: Uuid::now_v7(),
                moderator_id: actor,
                action: action.as_str(),
                listing_id: Some(listing.id),
                target_user_id: Some(listing.seller_id),
                reports: 0,
                note: None,
            },
        )?;
    }
    Ok(())
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
        (status = 200, description = "Resolved: the audit entry, with how many reports it resolved.", body = AuditEntry,
         links(
             ("moderation_unhide_listing" = (operation_id = "moderation_unhide_listing", parameters(("id" = "$response.body#/listing_id")), description = "Restore the listing, if the report hid it.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such report.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The report is resolved already or withdrawn by its author, the listing is deleted, or the seller is a moderator, an administrator or a deleted account.", body = Problem, content_type = "application/problem+json"),
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
            match report.state.as_str() {
                "open" => {}
                "withdrawn" => return Err(conflict("Its author withdrew this report.")),
                _ => return Err(conflict("This report is resolved already.")),
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
                        notify(
                            conn,
                            &seller,
                            NotificationKind::ListingHidden,
                            &listing,
                            serde_json::json!({ "title": listing.title }),
                        )?;
                        mail_seller(
                            conn,
                            &base_url,
                            &seller,
                            &listing,
                            crate::mail::queue_listing_hidden,
                        )?;
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
                    note: Some(&note),
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

/// Listings held by pre-moderation (`PREMODERATE_NEW_SELLERS`): status `pending_review`,
/// oldest submission first, each with its summary, category and seller. Moderators and
/// administrators only, from a logged-in session.
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderation_pending",
    security(("bearer" = [])),
    params(PendingQuery),
    responses(
        (status = 200, description = "A page of listings waiting for review.", body = PendingPage,
         links(
             ("moderation_approve_listing" = (operation_id = "moderation_approve_listing", parameters(("id" = "$response.body#/items/0/listing/id")), description = "Approve the oldest submission.")),
             ("moderation_reject_listing" = (operation_id = "moderation_reject_listing", parameters(("id" = "$response.body#/items/0/listing/id")), description = "Reject it, with a note.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/moderation/pending")]
pub async fn pending_queue(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<PendingQuery>,
) -> Result<web::Json<PendingPage>, ApiError> {
    moderator(&user)?;
    let q = query.0;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(q.limit.unwrap_or(20));
    let page = db::run(&state.pool, move |conn| {
        let mut found = rows::pending(conn, after, limit + 1)?;
        let next_cursor = next_page(&mut found, limit, |l| l.submitted_at.map(|at| (at, l.id)));
        let mut items = Vec::with_capacity(found.len());
        for listing in found {
            let seller = users::find(conn, listing.seller_id)?
                .ok_or_else(|| ApiError::internal("listing without seller"))?;
            let category: String = crate::db::schema::categories::table
                .find(listing.category_id)
                .select(crate::db::schema::categories::slug)
                .first(conn)?;
            let submitted_at = listing
                .submitted_at
                .ok_or_else(|| ApiError::internal("pending listing without submitted_at"))?;
            let summary = crate::listings::summaries(conn, vec![listing])?
                .pop()
                .ok_or_else(|| ApiError::internal("no summary"))?;
            items.push(PendingListing {
                listing: summary,
                category,
                submitted_at,
                seller: PendingSeller {
                    id: seller.id,
                    display_name: seller.display_name,
                    professional: seller.account_type == "professional",
                    company_name: seller.company_name,
                    status: seller.status,
                    member_since: seller.created_at,
                },
            });
        }
        Ok::<_, ApiError>(PendingPage { items, next_cursor })
    })
    .await?;
    Ok(web::Json(page))
}

fn conflict(detail: &str) -> ApiError {
    ApiError::Conflict {
        detail: detail.to_owned(),
        errors: FieldErrors::new(),
    }
}

/// The listing (not deleted), locked, and its seller; 404 when there is none.
fn locked_listing(conn: &mut PgConnection, id: Uuid) -> Result<(Listing, users::User), ApiError> {
    let listing = rows::listing_for_update(conn, id)?
        .filter(|l| l.status != "deleted")
        .ok_or_else(|| ApiError::NotFound("No such listing.".into()))?;
    let seller = users::find(conn, listing.seller_id)?
        .ok_or_else(|| ApiError::internal("listing without seller"))?;
    Ok((listing, seller))
}

/// Applies a moderator's status change to a locked listing, with its event and audit entry.
fn decide(
    conn: &mut PgConnection,
    me: Uuid,
    listing: &Listing,
    change: &StatusChange,
    action: AuditAction,
    note: Option<&str>,
) -> Result<ModeratedListing, ApiError> {
    let updated = listing_rows::change_status(conn, listing.id, listing.version, change)?
        .ok_or_else(|| ApiError::internal("locked listing changed"))?;
    listing_rows::record(
        conn,
        &NewEvent::status(
            listing.id,
            me,
            &listing.status,
            change.status.clone(),
            serde_json::json!({ "step": action.as_str(), "by_moderator": true }),
        ),
    )?;
    let row = rows::audit(
        conn,
        &NewAudit {
            id: Uuid::now_v7(),
            moderator_id: me,
            action: action.as_str(),
            listing_id: Some(listing.id),
            target_user_id: Some(listing.seller_id),
            reports: 0,
            note,
        },
    )?;
    let summary = crate::listings::summaries(conn, vec![updated])?
        .pop()
        .ok_or_else(|| ApiError::internal("no summary"))?;
    Ok(ModeratedListing {
        listing: summary,
        audit: entry(row)?,
    })
}

fn notify(
    conn: &mut PgConnection,
    seller: &users::User,
    kind: NotificationKind,
    listing: &Listing,
    data: serde_json::Value,
) -> Result<(), ApiError> {
    notifications::insert(
        conn,
        &notifications::NewNotification {
            id: Uuid::now_v7(),
            user_id: seller.id,
            kind: kind.as_str(),
            listing_id: Some(listing.id),
            saved_search_id: None,
            data,
            // A mail of its own says it.
            digest: None,
        },
    )?;
    Ok(())
}

/// Mails the seller about their listing, in their language; suspended and deleted accounts
/// get no mail.
fn mail_seller(
    conn: &mut PgConnection,
    base_url: &str,
    seller: &users::User,
    listing: &Listing,
    queue: impl FnOnce(&mut PgConnection, &ListingMail) -> QueryResult<Uuid>,
) -> Result<(), ApiError> {
    if seller.is_active() {
        let mail = ListingMail {
            base_url,
            to: &seller.email,
            name: &seller.display_name,
            locale: seller.locale.parse().unwrap_or(Locale::Fr),
            listing: listing.id,
            title: &listing.title,
        };
        queue(conn, &mail)?;
    }
    Ok(())
}

/// A moderator's decision on one listing, outside the reports: approving, rejecting,
/// unhiding.
struct Decision<C, T> {
    /// The only status it applies to (409 otherwise), and how the 409 names it.
    from: &'static str,
    from_named: &'static str,
    /// The change, from the locked listing.
    change: C,
    action: AuditAction,
    note: Option<String>,
    /// What the seller is told (notification, mail), from the locked listing and its seller.
    tell: T,
}

/// Applies a [`Decision`] in one transaction: the listing locked, its status checked, the
/// change with its event and audit entry, then the seller told.
async fn decide_on_listing<C, T>(
    state: &AppState,
    user: &AuthUser,
    id: Uuid,
    decision: Decision<C, T>,
) -> Result<ModeratedListing, ApiError>
where
    C: FnOnce(&Listing) -> Result<StatusChange, ApiError> + Send + 'static,
    T: FnOnce(&mut PgConnection, &Listing, &users::User) -> Result<(), ApiError> + Send + 'static,
{
    moderator(user)?;
    let me = user.id;
    db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let (listing, seller) = locked_listing(conn, id)?;
            if listing.status != decision.from {
                return Err(conflict(&format!(
                    "This listing is {}, not {}.",
                    listing.status, decision.from_named
                )));
            }
            let change = (decision.change)(&listing)?;
            let done = decide(
                conn,
                me,
                &listing,
                &change,
                decision.action,
                decision.note.as_deref(),
            )?;
            (decision.tell)(conn, &listing, &seller)?;
            Ok(done)
        })
    })
    .await
}

/// Approve a listing held by pre-moderation: it is published exactly as its seller's publish
/// step would have published it (publication date now, 60 days before it expires, the alerts
/// of saved searches), and from then on that seller's listings publish directly. No body.
/// Written to the audit log. Only `pending_review` listings (409 otherwise).
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderation_approve_listing",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    responses(
        (status = 200, description = "Published: the listing and the audit entry.", body = ModeratedListing),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The listing is not waiting for review.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/moderation/listings/{id}/approve")]
pub async fn approve_listing(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ModeratedListing>, ApiError> {
    let id = id.into_inner();
    let done = decide_on_listing(
        &state,
        &user,
        id,
        Decision {
            from: "pending_review",
            from_named: "waiting for review",
            // The very change of a seller's publish step.
            change: |_: &Listing| {
                Transition::Publish
                    .apply("draft")
                    .ok_or_else(|| ApiError::internal("publish does not apply to a draft"))
            },
            action: AuditAction::ApproveListing,
            note: None,
            // Publishing is the news.
            tell: |_: &mut PgConnection, _: &Listing, _: &users::User| Ok(()),
        },
    )
    .await?;
    let me = user.id;
    log::info!("moderator {me} approved listing {id}");
    Ok(web::Json(done))
}

/// Reject a listing held by pre-moderation, with a note (1 to 2,000 characters) that its
/// seller reads: the listing turns `rejected` (still not public; its seller may edit it and
/// publish it again, which submits it for review again, withdraw it or delete it). The seller
/// gets a `listing_rejected` notification and a mail in their language, both with the note.
/// Written to the audit log. Only `pending_review` listings (409 otherwise).
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderation_reject_listing",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    request_body = ModerationNote,
    responses(
        (status = 200, description = "Rejected: the listing and the audit entry.", body = ModeratedListing),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The listing is not waiting for review.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No note, or an invalid one.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/moderation/listings/{id}/reject")]
pub async fn reject_listing(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<ModerationNote>,
) -> Result<web::Json<ModeratedListing>, ApiError> {
    let (id, me, note) = (id.into_inner(), user.id, body.0.note);
    let base_url = state.settings.public_base_url.clone();
    let told = note.clone();
    let done = decide_on_listing(
        &state,
        &user,
        id,
        Decision {
            from: "pending_review",
            from_named: "waiting for review",
            change: move |_: &Listing| {
                Ok(StatusChange {
                    status: Some("rejected".into()),
                    rejection_note: Some(Some(told)),
                    ..Default::default()
                })
            },
            action: AuditAction::RejectListing,
            note: Some(note.clone()),
            tell: move |conn: &mut PgConnection, listing: &Listing, seller: &users::User| {
                let data = serde_json::json!({ "title": listing.title, "note": note });
                notify(
                    conn,
                    seller,
                    NotificationKind::ListingRejected,
                    listing,
                    data,
                )?;
                mail_seller(conn, &base_url, seller, listing, |conn, mail| {
                    crate::mail::queue_listing_rejected(conn, mail, &note)
                })
            },
        },
    )
    .await?;
    log::info!("moderator {me} rejected listing {id}");
    Ok(web::Json(done))
}

/// The status a hidden listing goes back to: the one it had when it was hidden (for listings
/// hidden before that was recorded, what its dates say), and `expired` for a published one
/// whose 60 days ran out meanwhile.
fn restored_status(listing: &Listing, now: chrono::DateTime<chrono::Utc>) -> String {
    let before = listing.hidden_from.clone().unwrap_or_else(|| {
        if listing.published_at.is_none() {
            "draft".into()
        } else if listing.sold_at.is_some() {
            "sold".into()
        } else {
            "published".into()
        }
    });
    if before == "published" && listing.expires_at.is_some_and(|at| at <= now) {
        "expired".into()
    } else {
        before
    }
}

/// Put back a listing a moderator hid: it returns to the status it had before (`published`,
/// or `expired` if its 60 days ran out meanwhile; a draft stays a draft). The note (1 to
/// 2,000 characters) goes to the audit log, not to the seller; the seller gets a
/// `listing_restored` notification and a mail in their language. Only `hidden` listings (409
/// otherwise).
#[utoipa::path(
    tag = "moderation",
    operation_id = "moderation_unhide_listing",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    request_body = ModerationNote,
    responses(
        (status = 200, description = "Restored: the listing and the audit entry.", body = ModeratedListing),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Not a moderator, or a personal access token.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing.", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The listing is not hidden.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No note, or an invalid one.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/moderation/listings/{id}/unhide")]
pub async fn unhide_listing(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<ModerationNote>,
) -> Result<web::Json<ModeratedListing>, ApiError> {
    let (id, me, note) = (id.into_inner(), user.id, body.0.note);
    let base_url = state.settings.public_base_url.clone();
    let done = decide_on_listing(
        &state,
        &user,
        id,
        Decision {
            from: "hidden",
            from_named: "hidden",
            change: |listing: &Listing| {
                Ok(StatusChange {
                    status: Some(restored_status(listing, chrono::Utc::now())),
                    hidden_from: Some(None),
                    ..Default::default()
                })
            },
            action: AuditAction::UnhideListing,
            note: Some(note),
            tell: move |conn: &mut PgConnection, listing: &Listing, seller: &users::User| {
                let data = serde_json::json!({ "title": listing.title });
                notify(
                    conn,
                    seller,
                    NotificationKind::ListingRestored,
                    listing,
                    data,
                )?;
                mail_seller(
                    conn,
                    &base_url,
                    seller,
                    listing,
                    crate::mail::queue_listing_restored,
                )
            },
        },
    )
    .await?;
    log::info!("moderator {me} unhid listing {id}");
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
        let next_cursor = next_page(&mut found, limit, |r| Some((r.created_at, r.id)));
        Ok::<_, ApiError>(AuditPage {
            items: found.into_iter().map(entry).collect::<Result<_, _>>()?,
            next_cursor,
        })
    })
    .await?;
    Ok(web::Json(page))
}
