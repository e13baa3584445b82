//! `conversations`, `messages` and `user_blocks` rows.

use chrono::{DateTime, Utc};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::db::schema::{conversations, messages, user_blocks};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations, check_for_backend(diesel::pg::Pg))]
pub struct ConversationRow {
    pub id: Uuid,
    pub listing_id: Option<Uuid>,
    pub listing_title: String,
    pub buyer_id: Uuid,
    pub seller_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
    pub buyer_read_at: Option<DateTime<Utc>>,
    pub seller_read_at: Option<DateTime<Utc>>,
    pub buyer_mailed_at: Option<DateTime<Utc>>,
    pub seller_mailed_at: Option<DateTime<Utc>>,
}

impl ConversationRow {
    /// The other party, seen from `me` (one of the two).
    pub fn other(&self, me: Uuid) -> Uuid {
        if me == self.buyer_id {
            self.seller_id
        } else {
            self.buyer_id
        }
    }

    pub fn involves(&self, user: Uuid) -> bool {
        user == self.buyer_id || user == self.seller_id
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages, check_for_backend(diesel::pg::Pg))]
pub struct MessageRow {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub sender_id: Uuid,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

/// The conversation, if `user` is one of its parties (anyone else gets `None`).
pub fn find_for(
    conn: &mut PgConnection,
    user: Uuid,
    id: Uuid,
) -> QueryResult<Option<ConversationRow>> {
    conversations::table
        .find(id)
        .filter(
            conversations::buyer_id
                .eq(user)
                .or(conversations::seller_id.eq(user)),
        )
        .select(ConversationRow::as_select())
        .first(conn)
        .optional()
}

/// [`find_for`], locking the row until the end of the transaction (messages of one
/// conversation are written one at a time, so mail throttling holds).
pub fn lock_for(
    conn: &mut PgConnection,
    user: Uuid,
    id: Uuid,
) -> QueryResult<Option<ConversationRow>> {
    conversations::table
        .find(id)
        .filter(
            conversations::buyer_id
                .eq(user)
                .or(conversations::seller_id.eq(user)),
        )
        .for_no_key_update()
        .select(ConversationRow::as_select())
        .first(conn)
        .optional()
}

pub fn find_by_listing_and_buyer(
    conn: &mut PgConnection,
    listing: Uuid,
    buyer: Uuid,
) -> QueryResult<Option<ConversationRow>> {
    conversations::table
        .filter(conversations::listing_id.eq(listing))
        .filter(conversations::buyer_id.eq(buyer))
        .for_no_key_update()
        .select(ConversationRow::as_select())
        .first(conn)
        .optional()
}

/// Creates the conversation of `buyer` about `listing` (or returns the existing one:
/// `false` then).
pub fn create(
    conn: &mut PgConnection,
    listing: Uuid,
    title: &str,
    buyer: Uuid,
    seller: Uuid,
) -> QueryResult<(ConversationRow, bool)> {
    let inserted = diesel::insert_into(conversations::table)
        .values((
            conversations::id.eq(Uuid::now_v7()),
            conversations::listing_id.eq(listing),
            conversations::listing_title.eq(title),
            conversations::buyer_id.eq(buyer),
            conversations::seller_id.eq(seller),
        ))
        .on_conflict((conversations::listing_id, conversations::buyer_id))
        .do_nothing()
        .execute(conn)?;
    let row = find_by_listing_and_buyer(conn, listing, buyer)?.ok_or(diesel::NotFound)?;
    Ok((row, inserted == 1))
}

/// Writes a message and moves the conversation to the top of both inboxes.
pub fn insert_message(
    conn: &mut PgConnection,
    conversation: Uuid,
    sender: Uuid,
    body: &str,
) -> QueryResult<MessageRow> {
    let message: MessageRow = diesel::insert_into(messages::table)
        .values((
            messages::id.eq(Uuid::now_v7()),
            messages::conversation_id.eq(conversation),
            messages::sender_id.eq(sender),
            messages::body.eq(body),
        ))
        .returning(MessageRow::as_returning())
        .get_result(conn)?;
    diesel::update(conversations::table.find(conversation))
        .set(conversations::last_message_at.eq(message.created_at))
        .execute(conn)?;
    Ok(message)
}

/// How many messages `sender` wrote since `since`, and the oldest of them.
pub fn sent_since(
    conn: &mut PgConnection,
    sender: Uuid,
    since: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    messages::table
        .filter(messages::sender_id.eq(sender))
        .filter(messages::created_at.gt(since))
        .select((
            diesel::dsl::count_star(),
            diesel::dsl::min(messages::created_at),
        ))
        .first(conn)
}

/// A member's conversations, most recent activity first, after the keyset
/// (last_message_at, id).
pub fn inbox(
    conn: &mut PgConnection,
    user: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ConversationRow>> {
    let mut query = conversations::table
        .filter(
            conversations::buyer_id
                .eq(user)
                .or(conversations::seller_id.eq(user)),
        )
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            conversations::last_message_at
                .lt(at)
                .or(conversations::last_message_at
                    .eq(at)
                    .and(conversations::id.lt(id))),
        );
    }
    query
        .order((
            conversations::last_message_at.desc(),
            conversations::id.desc(),
        ))
        .limit(limit)
        .select(ConversationRow::as_select())
        .load(conn)
}

/// Every conversation of a member, oldest first (for the account export).
pub fn all_of(conn: &mut PgConnection, user: Uuid) -> QueryResult<Vec<ConversationRow>> {
    conversations::table
        .filter(
            conversations::buyer_id
                .eq(user)
                .or(conversations::seller_id.eq(user)),
        )
        .order((conversations::created_at.asc(), conversations::id.asc()))
        .select(ConversationRow::as_select())
        .load(conn)
}

/// The newest message of each conversation.
pub fn last_messages(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<MessageRow>> {
    messages::table
        .filter(messages::conversation_id.eq_any(ids))
        .distinct_on(messages::conversation_id)
        .order((
            messages::conversation_id,
            messages::created_at.desc(),
            messages::id.desc(),
        ))
        .select(MessageRow::as_select())
        .load(conn)
}

/// Unread messages for `reader` per conversation (those the other party wrote).
pub fn unread_counts(
    conn: &mut PgConnection,
    reader: Uuid,
    ids: &[Uuid],
) -> QueryResult<Vec<(Uuid, i64)>> {
    messages::table
        .filter(messages::conversation_id.eq_any(ids))
        .filter(messages::sender_id.ne(reader))
        .filter(messages::read_at.is_null())
        .group_by(messages::conversation_id)
        .select((messages::conversation_id, diesel::dsl::count_star()))
        .load(conn)
}

/// A conversation's messages, oldest first, after the keyset (created_at, id).
pub fn page(
    conn: &mut PgConnection,
    conversation: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<MessageRow>> {
    let mut query = messages::table
        .filter(messages::conversation_id.eq(conversation))
        .into_boxed();
    if let Some((at, id)) = after {
        query = query.filter(
            messages::created_at
                .gt(at)
                .or(messages::created_at.eq(at).and(messages::id.gt(id))),
        );
    }
    query
        .order((messages::created_at.asc(), messages::id.asc()))
        .limit(limit)
        .select(MessageRow::as_select())
        .load(conn)
}

/// Every message of the conversations, oldest first (for the account export).
pub fn all_messages(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<Vec<MessageRow>> {
    messages::table
        .filter(messages::conversation_id.eq_any(ids))
        .order((messages::created_at.asc(), messages::id.asc()))
        .select(MessageRow::as_select())
        .load(conn)
}

/// Marks what the other party wrote read for `reader`, and records when `reader` read the
/// conversation. Returns how many messages were marked.
pub fn mark_read(
    conn: &mut PgConnection,
    conversation: &ConversationRow,
    reader: Uuid,
) -> QueryResult<usize> {
    let marked = diesel::update(
        messages::table
            .filter(messages::conversation_id.eq(conversation.id))
            .filter(messages::sender_id.ne(reader))
            .filter(messages::read_at.is_null()),
    )
    .set(messages::read_at.eq(diesel::dsl::now))
    .execute(conn)?;
    let target = conversations::table.find(conversation.id);
    if reader == conversation.buyer_id {
        diesel::update(target)
            .set(conversations::buyer_read_at.eq(diesel::dsl::now))
            .execute(conn)?;
    } else {
        diesel::update(target)
            .set(conversations::seller_read_at.eq(diesel::dsl::now))
            .execute(conn)?;
    }
    Ok(marked)
}

/// Records that `recipient` was mailed about the conversation now.
pub fn set_mailed(
    conn: &mut PgConnection,
    conversation: &ConversationRow,
    recipient: Uuid,
    at: DateTime<Utc>,
) -> QueryResult<usize> {
    let target = conversations::table.find(conversation.id);
    if recipient == conversation.buyer_id {
        diesel::update(target)
            .set(conversations::buyer_mailed_at.eq(at))
            .execute(conn)
    } else {
        diesel::update(target)
            .set(conversations::seller_mailed_at.eq(at))
            .execute(conn)
    }
}

/// Whether `blocker` blocked `blocked`.
pub fn is_blocked(conn: &mut PgConnection, blocker: Uuid, blocked: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        user_blocks::table.find((blocker, blocked)),
    ))
    .get_result(conn)
}

pub fn block(conn: &mut PgConnection, blocker: Uuid, blocked: Uuid) -> QueryResult<usize> {
    diesel::insert_into(user_blocks::table)
        .values((
            user_blocks::blocker_id.eq(blocker),
            user_blocks::blocked_id.eq(blocked),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
}

pub fn unblock(conn: &mut PgConnection, blocker: Uuid, blocked: Uuid) -> QueryResult<usize> {
    diesel::delete(user_blocks::table.find((blocker, blocked))).execute(conn)
}

/// Members `user` blocked, among `others`.
pub fn blocked_among(
    conn: &mut PgConnection,
    user: Uuid,
    others: &[Uuid],
) -> QueryResult<Vec<Uuid>> {
    user_blocks::table
        .filter(user_blocks::blocker_id.eq(user))
        .filter(user_blocks::blocked_id.eq_any(others))
        .select(user_blocks::blocked_id)
        .load(conn)
}

/// Removes every block set by or against `user` (account erasure).
pub fn delete_blocks_of(conn: &mut PgConnection, user: Uuid) -> QueryResult<usize> {
    diesel::delete(
        user_blocks::table.filter(
            user_blocks::blocker_id
                .eq(user)
                .or(user_blocks::blocked_id.eq(user)),
        ),
    )
    .execute(conn)
}
