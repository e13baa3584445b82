//! The mail outbox: rows written in the transaction that causes the mail, delivered later by
//! [`crate::mail::Sender`].

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::outbox;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox, check_for_backend(diesel::pg::Pg))]
pub struct Mail {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub created_at: DateTime<Utc>,
    pub attempts: i32,
    /// The one-click unsubscribe URL, sent as `List-Unsubscribe` (alert digests).
    pub list_unsubscribe: Option<String>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = outbox)]
pub struct NewMail {
    pub id: Uuid,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub list_unsubscribe: Option<String>,
}

pub fn queue(
    conn: &mut PgConnection,
    to: &str,
    subject: String,
    body_text: String,
) -> QueryResult<Uuid> {
    queue_with_unsubscribe(conn, to, subject, body_text, None)
}

/// Queues a mail with a `List-Unsubscribe` URL (RFC 8058 one-click).
pub fn queue_with_unsubscribe(
    conn: &mut PgConnection,
    to: &str,
    subject: String,
    body_text: String,
    list_unsubscribe: Option<&str>,
) -> QueryResult<Uuid> {
    let id = Uuid::now_v7();
    diesel::insert_into(outbox::table)
        .values(&NewMail {
            id,
            to_address: to.to_owned(),
            subject,
            body_text,
            list_unsubscribe: list_unsubscribe.map(str::to_owned),
        })
        .execute(conn)?;
    Ok(id)
}

/// Takes up to `limit` due mails and leases them for `lease`: another sender (another API
/// replica) skips them meanwhile, and if this one dies they become due again.
pub fn lease_due(
    conn: &mut PgConnection,
    limit: i64,
    lease: chrono::Duration,
) -> QueryResult<Vec<Mail>> {
    conn.transaction(|conn| {
        let due: Vec<Mail> = outbox::table
            .filter(outbox::sent_at.is_null())
            .filter(outbox::next_attempt_at.le(diesel::dsl::now))
            .order(outbox::next_attempt_at.asc())
            .limit(limit)
            .for_update()
            .skip_locked()
            .select(Mail::as_select())
            .load(conn)?;
        let ids: Vec<Uuid> = due.iter().map(|m| m.id).collect();
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set(outbox::next_attempt_at.eq(Utc::now() + lease))
            .execute(conn)?;
        Ok(due)
    })
}

/// Marks a mail sent and drops its body and unsubscribe URL (they may hold single-use
/// tokens).
pub fn mark_sent(conn: &mut PgConnection, id: Uuid) -> QueryResult<usize> {
    diesel::update(outbox::table.find(id))
        .set((
            outbox::sent_at.eq(diesel::dsl::now),
            outbox::body_text.eq(""),
            outbox::list_unsubscribe.eq(None::<String>),
        ))
        .execute(conn)
}

/// Records a failure and schedules the next attempt with exponential backoff.
pub fn mark_failed(
    conn: &mut PgConnection,
    id: Uuid,
    attempts: i32,
    error: &str,
) -> QueryResult<usize> {
    let delay = chrono::Duration::seconds(30 * 2_i64.pow(attempts.clamp(0, 10) as u32));
    diesel::update(outbox::table.find(id))
        .set((
            outbox::attempts.eq(attempts + 1),
            outbox::last_error.eq(error.chars().take(500).collect::<String>()),
            outbox::next_attempt_at.eq(Utc::now() + delay),
        ))
        .execute(conn)
}
