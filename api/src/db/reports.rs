//! `listing_reports` rows: members' reports on listings, for the moderators.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::listing_reports;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = listing_reports, check_for_backend(diesel::pg::Pg))]
pub struct ReportRow {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub reporter_id: Uuid,
    pub reason: String,
    pub comment: Option<String>,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolved_by: Option<Uuid>,
    pub resolution: Option<String>,
    pub note: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = listing_reports)]
struct NewReportRow<'a> {
    id: Uuid,
    listing_id: Uuid,
    reporter_id: Uuid,
    reason: &'a str,
    comment: Option<&'a str>,
}

/// The member's open report on the listing, if any.
pub fn find_open(
    conn: &mut PgConnection,
    reporter: Uuid,
    listing: Uuid,
) -> QueryResult<Option<ReportRow>> {
    listing_reports::table
        .filter(listing_reports::reporter_id.eq(reporter))
        .filter(listing_reports::listing_id.eq(listing))
        .filter(listing_reports::state.eq("open"))
        .select(ReportRow::as_select())
        .first(conn)
        .optional()
}

/// The member's reports since `since`, oldest first (their times only).
pub fn times_since(
    conn: &mut PgConnection,
    reporter: Uuid,
    since: DateTime<Utc>,
) -> QueryResult<Vec<DateTime<Utc>>> {
    listing_reports::table
        .filter(listing_reports::reporter_id.eq(reporter))
        .filter(listing_reports::created_at.gt(since))
        .order(listing_reports::created_at.asc())
        .select(listing_reports::created_at)
        .load(conn)
}

pub fn insert(
    conn: &mut PgConnection,
    listing: Uuid,
    reporter: Uuid,
    reason: &str,
    comment: Option<&str>,
) -> QueryResult<ReportRow> {
    diesel::insert_into(listing_reports::table)
        .values(&NewReportRow {
            id: Uuid::now_v7(),
            listing_id: listing,
            reporter_id: reporter,
            reason,
            comment,
        })
        .returning(ReportRow::as_returning())
        .get_result(conn)
}

/// The member's reports, newest first, after the keyset (created_at, id).
pub fn mine(
    conn: &mut PgConnection,
    reporter: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ReportRow>> {
    let mut query = listing_reports::table
        .filter(listing_reports::reporter_id.eq(reporter))
        .into_boxed();
    if let Some((created_at, id)) = after {
        query = query.filter(
            listing_reports::created_at
                .lt(created_at)
                .or(listing_reports::created_at
                    .eq(created_at)
                    .and(listing_reports::id.lt(id))),
        );
    }
    query
        .order((
            listing_reports::created_at.desc(),
            listing_reports::id.desc(),
        ))
        .limit(limit)
        .select(ReportRow::as_select())
        .load(conn)
}

/// Every report the member filed, oldest first (their data export).
pub fn all_of(conn: &mut PgConnection, reporter: Uuid) -> QueryResult<Vec<ReportRow>> {
    listing_reports::table
        .filter(listing_reports::reporter_id.eq(reporter))
        .order((listing_reports::created_at.asc(), listing_reports::id.asc()))
        .select(ReportRow::as_select())
        .load(conn)
}

/// The member's own report, locked for the rest of the transaction: a moderator resolving
/// the listing's reports meanwhile waits, or is waited for.
pub fn find_own_for_update(
    conn: &mut PgConnection,
    reporter: Uuid,
    id: Uuid,
) -> QueryResult<Option<ReportRow>> {
    listing_reports::table
        .find(id)
        .filter(listing_reports::reporter_id.eq(reporter))
        .select(ReportRow::as_select())
        .for_update()
        .first(conn)
        .optional()
}

/// Withdraws an open report (callers hold its lock and checked it is open).
pub fn withdraw(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::update(
        listing_reports::table
            .find(id)
            .filter(listing_reports::state.eq("open")),
    )
    .set((
        listing_reports::state.eq("withdrawn"),
        listing_reports::withdrawn_at.eq(diesel::dsl::now),
    ))
    .execute(conn)
}
