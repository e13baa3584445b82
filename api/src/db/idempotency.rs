//! Stored answers of `POST` requests made with an `Idempotency-Key` (kept 24 hours).

use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::idempotency_keys;

/// Serialises requests with the same user and key until the end of the transaction.
pub fn lock(conn: &mut PgConnection, user: Uuid, key: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<diesel::sql_types::Text, _>(format!("idempotency:{user}:{key}"))
        .execute(conn)
        .map(|_| ())
}

/// The stored request hash, status and body for this user's key, if any.
pub fn find(
    conn: &mut PgConnection,
    user: Uuid,
    key: &str,
) -> QueryResult<Option<(Vec<u8>, i32, serde_json::Value)>> {
    idempotency_keys::table
        .find((user, key))
        .filter(idempotency_keys::created_at.gt(chrono::Utc::now() - chrono::Duration::hours(24)))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .optional()
}

/// Records the answer (replacing an expired entry with the same key).
pub fn store(
    conn: &mut PgConnection,
    user: Uuid,
    key: &str,
    hash: &[u8],
    status: i32,
    body: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user),
            idempotency_keys::key.eq(key),
            idempotency_keys::request_hash.eq(hash),
            idempotency_keys::response_status.eq(status),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::created_at.eq(diesel::dsl::now),
        ))
        .on_conflict((idempotency_keys::user_id, idempotency_keys::key))
        .do_update()
        .set((
            idempotency_keys::request_hash.eq(hash),
            idempotency_keys::response_status.eq(status),
            idempotency_keys::response_body.eq(body),
            idempotency_keys::created_at.eq(diesel::dsl::now),
        ))
        .execute(conn)
}

/// Forgets answers older than 24 hours.
pub fn purge_expired(conn: &mut PgConnection) -> QueryResult<usize> {
    diesel::delete(
        idempotency_keys::table.filter(
            idempotency_keys::created_at.lt(chrono::Utc::now() - chrono::Duration::hours(24)),
        ),
    )
    .execute(conn)
}
