//! Single-use tokens sent by email: address verification and password reset.

use chrono::Utc;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::tokens;
use crate::db::schema::email_tokens;

pub const VERIFY_EMAIL: &str = "verify_email";
pub const RESET_PASSWORD: &str = "reset_password";

#[derive(Debug, Insertable)]
#[diesel(table_name = email_tokens)]
struct NewEmailToken<'a> {
    id: Uuid,
    user_id: Uuid,
    purpose: &'a str,
    token_hash: Vec<u8>,
    expires_at: chrono::DateTime<Utc>,
}

/// Issues a token for `purpose`, voiding the user's earlier unused ones; returns the token.
pub fn issue(
    conn: &mut PgConnection,
    user_id: Uuid,
    purpose: &str,
    ttl: chrono::Duration,
) -> QueryResult<String> {
    void_unused(conn, user_id, purpose)?;
    let (token, token_hash) = tokens::random_token();
    diesel::insert_into(email_tokens::table)
        .values(&NewEmailToken {
            id: Uuid::now_v7(),
            user_id,
            purpose,
            token_hash,
            expires_at: Utc::now() + ttl,
        })
        .execute(conn)?;
    Ok(token)
}

/// Uses the token once: the owner's id if it is valid, unused and unexpired.
pub fn consume(conn: &mut PgConnection, token: &str, purpose: &str) -> QueryResult<Option<Uuid>> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::token_hash.eq(tokens::hash_token(token)))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null())
            .filter(email_tokens::expires_at.gt(diesel::dsl::now)),
    )
    .set(email_tokens::used_at.eq(diesel::dsl::now))
    .returning(email_tokens::user_id)
    .get_result(conn)
    .optional()
}

/// The owner of a valid token, without using it.
pub fn peek(conn: &mut PgConnection, token: &str, purpose: &str) -> QueryResult<Option<Uuid>> {
    email_tokens::table
        .filter(email_tokens::token_hash.eq(tokens::hash_token(token)))
        .filter(email_tokens::purpose.eq(purpose))
        .filter(email_tokens::used_at.is_null())
        .filter(email_tokens::expires_at.gt(diesel::dsl::now))
        .select(email_tokens::user_id)
        .first(conn)
        .optional()
}

pub fn void_unused(conn: &mut PgConnection, user_id: Uuid, purpose: &str) -> QueryResult<usize> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose))
            .filter(email_tokens::used_at.is_null()),
    )
    .set(email_tokens::used_at.eq(diesel::dsl::now))
    .execute(conn)
}
