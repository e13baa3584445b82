//! `saved_searches` rows (the alerts job reads them in [`crate::alerts`]).

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::saved_searches;

/// Saved searches a member may keep.
pub const MAX_PER_USER: i64 = 50;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = saved_searches, check_for_backend(diesel::pg::Pg))]
pub struct SavedSearchRow {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub query: serde_json::Value,
    pub frequency: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub match_from: DateTime<Utc>,
    pub checked_until: DateTime<Utc>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = saved_searches)]
pub struct NewSavedSearch {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub query: serde_json::Value,
    pub frequency: String,
    pub match_from: DateTime<Utc>,
    pub checked_until: DateTime<Utc>,
}

/// Changes; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = saved_searches)]
pub struct SavedSearchChanges {
    pub name: Option<String>,
    pub query: Option<serde_json::Value>,
    pub frequency: Option<String>,
    pub match_from: Option<DateTime<Utc>>,
    pub checked_until: Option<DateTime<Utc>>,
}

pub fn insert(conn: &mut PgConnection, new: &NewSavedSearch) -> QueryResult<SavedSearchRow> {
    diesel::insert_into(saved_searches::table)
        .values(new)
        .returning(SavedSearchRow::as_returning())
        .get_result(conn)
}

/// `user`'s saved searches, oldest first.
pub fn list(conn: &mut PgConnection, user: Uuid) -> QueryResult<Vec<SavedSearchRow>> {
    saved_searches::table
        .filter(saved_searches::user_id.eq(user))
        .order((saved_searches::created_at.asc(), saved_searches::id.asc()))
        .select(SavedSearchRow::as_select())
        .load(conn)
}

pub fn count_for_user(conn: &mut PgConnection, user: Uuid) -> QueryResult<i64> {
    saved_searches::table
        .filter(saved_searches::user_id.eq(user))
        .count()
        .get_result(conn)
}

/// One of `user`'s saved searches (locked for update when `lock`).
pub fn find(
    conn: &mut PgConnection,
    user: Uuid,
    id: Uuid,
    lock: bool,
) -> QueryResult<Option<SavedSearchRow>> {
    let query = saved_searches::table
        .filter(saved_searches::id.eq(id))
        .filter(saved_searches::user_id.eq(user))
        .select(SavedSearchRow::as_select());
    if lock {
        query.for_update().first(conn).optional()
    } else {
        query.first(conn).optional()
    }
}

pub fn update(
    conn: &mut PgConnection,
    id: Uuid,
    changes: &SavedSearchChanges,
) -> QueryResult<SavedSearchRow> {
    diesel::update(saved_searches::table.find(id))
        .set(changes)
        .returning(SavedSearchRow::as_returning())
        .get_result(conn)
}

pub fn delete(conn: &mut PgConnection, user: Uuid, id: Uuid) -> QueryResult<usize> {
    diesel::delete(
        saved_searches::table
            .filter(saved_searches::id.eq(id))
            .filter(saved_searches::user_id.eq(user)),
    )
    .execute(conn)
}
