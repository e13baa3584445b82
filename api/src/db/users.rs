//! `users` rows and their queries.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{
    alert_digests, email_tokens, favorites, notifications, outbox, personal_access_tokens,
    refresh_tokens, saved_searches, unsubscribe_links, users,
};

diesel::define_sql_function! {
    /// SQL `lower(text)`, matching the `users_email_lower_idx` index.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub email_verified_at: Option<DateTime<Utc>>,
    pub password_hash: String,
    pub display_name: String,
    pub locale: String,
    pub account_type: String,
    pub company_name: Option<String>,
    pub company_registration: Option<String>,
    pub phone: Option<String>,
    pub show_phone: bool,
    pub notify_messages: bool,
    pub notify_saved_searches: bool,
    pub notify_newsletter: bool,
    pub role: String,
    pub status: String,
    pub token_version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub suspended_at: Option<DateTime<Utc>>,
    pub deleted_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn is_active(&self) -> bool {
        self.status == "active"
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser {
    pub id: Uuid,
    pub email: String,
    pub password_hash: String,
    pub display_name: String,
    pub locale: String,
    pub account_type: String,
    pub company_name: Option<String>,
    pub company_registration: Option<String>,
    pub phone: Option<String>,
    pub role: String,
}

/// A partial update: `None` leaves a column alone, `Some(None)` clears a nullable one.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub display_name: Option<String>,
    pub locale: Option<String>,
    pub account_type: Option<String>,
    pub company_name: Option<Option<String>>,
    pub company_registration: Option<Option<String>>,
    pub phone: Option<Option<String>>,
    pub show_phone: Option<bool>,
    pub notify_messages: Option<bool>,
    pub notify_saved_searches: Option<bool>,
    pub notify_newsletter: Option<bool>,
}

pub fn insert(conn: &mut PgConnection, new: &NewUser) -> QueryResult<User> {
    diesel::insert_into(users::table)
        .values(new)
        .returning(User::as_returning())
        .get_result(conn)
}

pub fn find(conn: &mut PgConnection, id: Uuid) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// By normalised email, whatever the status.
pub fn find_by_email(conn: &mut PgConnection, email: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(lower(users::email).eq(email))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn update(conn: &mut PgConnection, id: Uuid, changes: &UserChanges) -> QueryResult<User> {
    diesel::update(users::table.find(id))
        .set(changes)
        .returning(User::as_returning())
        .get_result(conn)
}

/// Invalidates every access and refresh token of the user; returns the new version.
pub fn bump_token_version(conn: &mut PgConnection, id: Uuid) -> QueryResult<i32> {
    diesel::update(users::table.find(id))
        .set(users::token_version.eq(users::token_version + 1))
        .returning(users::token_version)
        .get_result(conn)
}

pub fn set_password(conn: &mut PgConnection, id: Uuid, hash: &str) -> QueryResult<usize> {
    diesel::update(users::table.find(id))
        .set(users::password_hash.eq(hash))
        .execute(conn)
}

pub fn mark_email_verified(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::update(
        users::table
            .find(id)
            .filter(users::email_verified_at.is_null()),
    )
    .set(users::email_verified_at.eq(diesel::dsl::now))
    .execute(conn)
}

/// Erases a user's personal data and credentials, keeping an anonymous row so references
/// (listings, messages, moderation history) stay consistent. Run in a transaction.
pub fn erase(conn: &mut PgConnection, id: Uuid) -> QueryResult<()> {
    let Some(user) = find(conn, id)? else {
        return Ok(());
    };
    crate::db::listings::withdraw_all_of(conn, id)?;
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::user_id.eq(id))).execute(conn)?;
    diesel::delete(personal_access_tokens::table.filter(personal_access_tokens::user_id.eq(id)))
        .execute(conn)?;
    diesel::delete(email_tokens::table.filter(email_tokens::user_id.eq(id))).execute(conn)?;
    // What they watched and were told: favourites (their listings' counts follow), saved
    // searches (with their matches and unsubscribe links), notifications, digests.
    diesel::delete(favorites::table.filter(favorites::user_id.eq(id))).execute(conn)?;
    diesel::delete(unsubscribe_links::table.filter(unsubscribe_links::user_id.eq(id)))
        .execute(conn)?;
    diesel::delete(notifications::table.filter(notifications::user_id.eq(id))).execute(conn)?;
    diesel::delete(saved_searches::table.filter(saved_searches::user_id.eq(id))).execute(conn)?;
    diesel::delete(alert_digests::table.filter(alert_digests::user_id.eq(id))).execute(conn)?;
    diesel::delete(outbox::table.filter(outbox::to_address.eq(&user.email))).execute(conn)?;
    // Conversations stay for the other party (shown with "Deleted member", closed to new
    // messages); the blocks set by or against the member go.
    crate::db::messages::delete_blocks_of(conn, id)?;
    diesel::update(users::table.find(id))
        .set((
            users::email.eq(format!("deleted-{id}@deleted.invalid")),
            users::email_verified_at.eq(None::<DateTime<Utc>>),
            // Not a valid PHC string: no password can ever match it.
            users::password_hash.eq("!"),
            users::display_name.eq("Deleted member"),
            users::account_type.eq("private"),
            users::company_name.eq(None::<String>),
            users::company_registration.eq(None::<String>),
            users::phone.eq(None::<String>),
            users::show_phone.eq(false),
            users::notify_messages.eq(false),
            users::notify_saved_searches.eq(false),
            users::notify_newsletter.eq(false),
            users::status.eq("deleted"),
            users::deleted_at.eq(diesel::dsl::now),
            users::token_version.eq(users::token_version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

/// Filters of the administrators' user list.
#[derive(Debug, Default)]
pub struct UserFilter {
    pub text: Option<String>,
    pub role: Option<String>,
    pub status: Option<String>,
}

fn filtered(filter: &UserFilter) -> users::BoxedQuery<'static, diesel::pg::Pg> {
    let mut query = users::table.into_boxed();
    if let Some(text) = &filter.text {
        let escaped = text
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        let pattern = format!("%{escaped}%");
        query = query.filter(
            users::email
                .ilike(pattern.clone())
                .or(users::display_name.ilike(pattern)),
        );
    }
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(users::status.eq(status.clone()));
    }
    query
}

/// Newest first, after the keyset `after` (created_at, id).
pub fn list(
    conn: &mut PgConnection,
    filter: &UserFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<User>> {
    let mut query = filtered(filter);
    if let Some((created_at, id)) = after {
        query = query.filter(
            users::created_at
                .lt(created_at)
                .or(users::created_at.eq(created_at).and(users::id.lt(id))),
        );
    }
    query
        .order((users::created_at.desc(), users::id.desc()))
        .limit(limit)
        .select(User::as_select())
        .load(conn)
}

pub fn count(conn: &mut PgConnection, filter: &UserFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn)
}

/// Sets `active` or `suspended` on a non-deleted account; `None` if there is none.
pub fn set_status(conn: &mut PgConnection, id: Uuid, status: &str) -> QueryResult<Option<User>> {
    let suspended_at = (status == "suspended").then(Utc::now);
    diesel::update(users::table.find(id).filter(users::status.ne("deleted")))
        .set((
            users::status.eq(status),
            users::suspended_at.eq(suspended_at),
        ))
        .returning(User::as_returning())
        .get_result(conn)
        .optional()
}

pub fn set_role(conn: &mut PgConnection, id: Uuid, role: &str) -> QueryResult<Option<User>> {
    diesel::update(users::table.find(id).filter(users::status.ne("deleted")))
        .set(users::role.eq(role))
        .returning(User::as_returning())
        .get_result(conn)
        .optional()
}
