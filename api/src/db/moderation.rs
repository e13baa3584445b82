//! Moderation: the report queue, resolving a listing's reports, and the append-only
//! `moderation_audit` log (the database refuses UPDATE, DELETE and TRUNCATE on it).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::listings::Listing;
use crate::db::reports::ReportRow;
use crate::db::schema::{listing_reports, listings, moderation_audit, users};

/// The reported listing and its seller: id, title, status, seller id, name, account status.
pub type ListingInfo = (Uuid, String, String, Uuid, String, String);

/// Reports in `state`, oldest first, after the keyset (created_at, id).
pub fn queue(
    conn: &mut PgConnection,
    state: &str,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ReportRow>> {
    let mut query = listing_reports::table
        .filter(listing_reports::state.eq(state))
        .into_boxed();
    if let Some((created_at, id)) = after {
        query = query.filter(
            listing_reports::created_at
                .gt(created_at)
                .or(listing_reports::created_at
                    .eq(created_at)
                    .and(listing_reports::id.gt(id))),
        );
    }
    query
        .order((listing_reports::created_at.asc(), listing_reports::id.asc()))
        .limit(limit)
        .select(ReportRow::as_select())
        .load(conn)
}

/// The listings (with their sellers) of these ids.
pub fn listings_info(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, ListingInfo>> {
    Ok(listings::table
        .inner_join(users::table.on(users::id.eq(listings::seller_id)))
        .filter(listings::id.eq_any(ids))
        .select((
            listings::id,
            listings::title,
            listings::status,
            users::id,
            users::display_name,
            users::status,
        ))
        .load::<ListingInfo>(conn)?
        .into_iter()
        .map(|row| (row.0, row))
        .collect())
}

/// Reports per listing of these ids: (open, all). Reports their authors withdrew are not
/// counted: nobody asks the moderators about them any more.
pub fn report_counts(
    conn: &mut PgConnection,
    ids: &[Uuid],
) -> QueryResult<HashMap<Uuid, (i64, i64)>> {
    let mut counts: HashMap<Uuid, (i64, i64)> = HashMap::new();
    for (listing, state, n) in listing_reports::table
        .filter(listing_reports::listing_id.eq_any(ids))
        .filter(listing_reports::state.ne("withdrawn"))
        .group_by((listing_reports::listing_id, listing_reports::state))
        .select((
            listing_reports::listing_id,
            listing_reports::state,
            count_star(),
        ))
        .load::<(Uuid, String, i64)>(conn)?
    {
        let entry = counts.entry(listing).or_default();
        if state == "open" {
            entry.0 += n;
        }
        entry.1 += n;
    }
    Ok(counts)
}

/// The report, locked for the rest of the transaction.
pub fn find_report_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<ReportRow>> {
    listing_reports::table
        .find(id)
        .select(ReportRow::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// Resolves every open report on `listing`; returns how many.
pub fn resolve_open(
    conn: &mut PgConnection,
    listing: Uuid,
    moderator: Uuid,
    resolution: &str,
    note: &str,
) -> QueryResult<usize> {
    diesel::update(
        listing_reports::table
            .filter(listing_reports::listing_id.eq(listing))
            .filter(listing_reports::state.eq("open")),
    )
    .set((
        listing_reports::state.eq("resolved"),
        listing_reports::resolved_at.eq(diesel::dsl::now),
        listing_reports::resolved_by.eq(moderator),
        listing_reports::resolution.eq(resolution),
        listing_reports::note.eq(note),
    ))
    .execute(conn)
}

/// Takes a listing off the site (`hidden`), remembering its status for [`unhide`]; `false`
/// when it was deleted or hidden already.
pub fn hide_listing(conn: &mut PgConnection, listing: Uuid) -> QueryResult<bool> {
    diesel::update(
        listings::table
            .find(listing)
            .filter(listings::status.ne_all(["deleted", "hidden"])),
    )
    .set((
        listings::hidden_from.eq(listings::status.nullable()),
        listings::status.eq("hidden"),
        listings::version.eq(listings::version + 1),
        listings::updated_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
    .map(|n| n == 1)
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = moderation_audit, check_for_backend(diesel::pg::Pg))]
pub struct AuditRow {
    pub id: Uuid,
    pub moderator_id: Uuid,
    pub action: String,
    pub listing_id: Option<Uuid>,
    pub target_user_id: Option<Uuid>,
    pub reports: i32,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = moderation_audit)]
pub struct NewAudit<'a> {
    pub id: Uuid,
    pub moderator_id: Uuid,
    pub action: &'a str,
    pub listing_id: Option<Uuid>,
    pub target_user_id: Option<Uuid>,
    pub reports: i32,
    /// Required by the database for every action but approvals, the administrators'
    /// reinstatements and role changes, and staff changes through the listing routes.
    pub note: Option<&'a str>,
}

pub fn audit(conn: &mut PgConnection, new: &NewAudit) -> QueryResult<AuditRow> {
    diesel::insert_into(moderation_audit::table)
        .values(new)
        .returning(AuditRow::as_returning())
        .get_result(conn)
}

/// Audit entries, newest first, after the keyset (created_at, id), by moderator and target
/// (the listing or the member).
pub fn audit_page(
    conn: &mut PgConnection,
    moderator: Option<Uuid>,
    target: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = moderation_audit::table.into_boxed();
    if let Some(m) = moderator {
        query = query.filter(moderation_audit::moderator_id.eq(m));
    }
    if let Some(t) = target {
        query = query.filter(
            moderation_audit::listing_id
                .eq(t)
                .or(moderation_audit::target_user_id.eq(t)),
        );
    }
    if let Some((created_at, id)) = after {
        query = query.filter(
            moderation_audit::created_at
                .lt(created_at)
                .or(moderation_audit::created_at
                    .eq(created_at)
                    .and(moderation_audit::id.lt(id))),
        );
    }
    query
        .order((
            moderation_audit::created_at.desc(),
            moderation_audit::id.desc(),
        ))
        .limit(limit)
        .select(AuditRow::as_select())
        .load(conn)
}

/// Listings waiting for review, oldest submission first, after the keyset (submitted_at, id).
pub fn pending(
    conn: &mut PgConnection,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<Listing>> {
    let mut query = listings::table
        .filter(listings::status.eq("pending_review"))
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            listings::submitted_at
                .gt(at)
                .or(listings::submitted_at.eq(at).and(listings::id.gt(id))),
        );
    }
    query
        .order((listings::submitted_at.asc(), listings::id.asc()))
        .limit(limit)
        .select(Listing::as_select())
        .load(conn)
}

/// The listing, locked for the rest of the transaction.
pub fn listing_for_update(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<Listing>> {
    listings::table
        .find(id)
        .select(Listing::as_select())
        .for_update()
        .first(conn)
        .optional()
}
