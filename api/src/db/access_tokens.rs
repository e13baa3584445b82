//! Personal access tokens (`hgr_…`) for scripts and third-party tools.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{personal_access_tokens as pat, users};
use crate::db::users::User;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pat, check_for_backend(diesel::pg::Pg))]
pub struct AccessToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pat)]
pub struct NewAccessToken {
    pub id: Uuid,
    pub user_id: Uuid,
    pub name: String,
    pub prefix: String,
    pub token_hash: Vec<u8>,
    pub scopes: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
}

pub fn insert(conn: &mut PgConnection, new: &NewAccessToken) -> QueryResult<AccessToken> {
    diesel::insert_into(pat::table)
        .values(new)
        .returning(AccessToken::as_returning())
        .get_result(conn)
}

/// A live (not revoked, not expired) token and its owner.
pub fn find_live_by_hash(
    conn: &mut PgConnection,
    hash: &[u8],
) -> QueryResult<Option<(AccessToken, User)>> {
    pat::table
        .inner_join(users::table)
        .filter(pat::token_hash.eq(hash))
        .filter(pat::revoked_at.is_null())
        .filter(
            pat::expires_at
                .is_null()
                .or(pat::expires_at.gt(diesel::dsl::now)),
        )
        .select((AccessToken::as_select(), User::as_select()))
        .first(conn)
        .optional()
}

/// Records use at most once a minute per token, so reads do not each cost a write.
pub fn touch(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::update(
        pat::table.find(id).filter(
            pat::last_used_at
                .is_null()
                .or(pat::last_used_at.lt(chrono::Utc::now() - chrono::Duration::minutes(1))),
        ),
    )
    .set(pat::last_used_at.eq(diesel::dsl::now))
    .execute(conn)
}

pub fn list_for_user(conn: &mut PgConnection, user_id: Uuid) -> QueryResult<Vec<AccessToken>> {
    pat::table
        .filter(pat::user_id.eq(user_id))
        .filter(pat::revoked_at.is_null())
        .order(pat::created_at.desc())
        .select(AccessToken::as_select())
        .load(conn)
}

/// Revokes the user's token `id`; 0 when it is not theirs (or already revoked).
pub fn revoke(conn: &mut PgConnection, user_id: Uuid, id: Uuid) -> QueryResult<usize> {
    diesel::update(
        pat::table
            .find(id)
            .filter(pat::user_id.eq(user_id))
            .filter(pat::revoked_at.is_null()),
    )
    .set(pat::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
}

pub fn revoke_all_for_user(conn: &mut PgConnection, user_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        pat::table
            .filter(pat::user_id.eq(user_id))
            .filter(pat::revoked_at.is_null()),
    )
    .set(pat::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
}
