//! `notifications` rows: written by the alerts job and the maintenance job, read and marked
//! read by their user.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{notifications, saved_searches};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = notifications, check_for_backend(diesel::pg::Pg))]
pub struct NotificationRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: String,
    pub listing_id: Option<Uuid>,
    pub saved_search_id: Option<Uuid>,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
    pub digest: Option<String>,
    pub emailed_at: Option<DateTime<Utc>>,
    pub conversation_id: Option<Uuid>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = notifications)]
pub struct NewNotification<'a> {
    pub id: Uuid,
    pub user_id: Uuid,
    pub kind: &'a str,
    pub listing_id: Option<Uuid>,
    pub saved_search_id: Option<Uuid>,
    pub data: serde_json::Value,
    /// The mail digest that carries it; `None`: in the app only.
    pub digest: Option<&'a str>,
}

pub fn insert(conn: &mut PgConnection, new: &NewNotification) -> QueryResult<usize> {
    diesel::insert_into(notifications::table)
        .values(new)
        .execute(conn)
}

/// A notification and the current name of its saved search.
pub type WithSearch = (NotificationRow, Option<String>);

/// A user's notifications, newest first, after the keyset (created_at, id).
pub fn page(
    conn: &mut PgConnection,
    user: Uuid,
    unread_only: bool,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<WithSearch>> {
    let mut query = notifications::table
        .left_join(saved_searches::table)
        .filter(notifications::user_id.eq(user))
        .into_boxed();
    if unread_only {
        query = query.filter(notifications::read_at.is_null());
    }
    if let Some((created_at, id)) = after {
        query = query.filter(
            notifications::created_at
                .lt(created_at)
                .or(notifications::created_at
                    .eq(created_at)
                    .and(notifications::id.lt(id))),
        );
    }
    query
        .order((notifications::created_at.desc(), notifications::id.desc()))
        .limit(limit)
        .select((
            NotificationRow::as_select(),
            saved_searches::name.nullable(),
        ))
        .load(conn)
}

pub fn unread_count(conn: &mut PgConnection, user: Uuid) -> QueryResult<i64> {
    notifications::table
        .filter(notifications::user_id.eq(user))
        .filter(notifications::read_at.is_null())
        .count()
        .get_result(conn)
}

/// Marks one of `user`'s notifications read (keeping the first time it was); `None` when
/// `user` has no such notification.
pub fn mark_read(conn: &mut PgConnection, user: Uuid, id: Uuid) -> QueryResult<Option<WithSearch>> {
    diesel::update(
        notifications::table
            .filter(notifications::id.eq(id))
            .filter(notifications::user_id.eq(user))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(diesel::dsl::now))
    .execute(conn)?;
    notifications::table
        .left_join(saved_searches::table)
        .filter(notifications::id.eq(id))
        .filter(notifications::user_id.eq(user))
        .select((
            NotificationRow::as_select(),
            saved_searches::name.nullable(),
        ))
        .first(conn)
        .optional()
}

/// Marks every unread notification of `user` read; returns how many.
pub fn mark_all_read(conn: &mut PgConnection, user: Uuid) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(diesel::dsl::now))
    .execute(conn)
}

/// Notifies `user` of a new message in `conversation`, unless an unread notification of it
/// is there already (one per conversation until read). Returns whether one was written.
pub fn notify_message(
    conn: &mut PgConnection,
    user: Uuid,
    conversation: Uuid,
    listing: Option<Uuid>,
    data: serde_json::Value,
) -> QueryResult<bool> {
    let pending: bool = diesel::select(diesel::dsl::exists(
        notifications::table
            .filter(notifications::user_id.eq(user))
            .filter(notifications::conversation_id.eq(conversation))
            .filter(notifications::read_at.is_null()),
    ))
    .get_result(conn)?;
    if pending {
        return Ok(false);
    }
    diesel::insert_into(notifications::table)
        .values((
            notifications::id.eq(Uuid::now_v7()),
            notifications::user_id.eq(user),
            notifications::kind.eq("new_message"),
            notifications::listing_id.eq(listing),
            notifications::conversation_id.eq(conversation),
            notifications::data.eq(data),
        ))
        .execute(conn)?;
    Ok(true)
}

/// Marks `user`'s notifications of `conversation` read (they read it).
pub fn mark_conversation_read(
    conn: &mut PgConnection,
    user: Uuid,
    conversation: Uuid,
) -> QueryResult<usize> {
    diesel::update(
        notifications::table
            .filter(notifications::user_id.eq(user))
            .filter(notifications::conversation_id.eq(conversation))
            .filter(notifications::read_at.is_null()),
    )
    .set(notifications::read_at.eq(diesel::dsl::now))
    .execute(conn)
}
