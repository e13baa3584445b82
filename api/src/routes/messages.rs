//! Messaging between buyers and sellers: `POST /listings/{id}/conversations`,
//! `GET /users/me/conversations`, and `/conversations/{id}` with its messages, read marker
//! and block.
//!
//! Only the two parties of a conversation can see it: for anyone else every route answers
//! 404, exactly as for a conversation that does not exist, and writes nothing.

use std::collections::{HashMap, HashSet};

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::Utc;
use diesel::pg::PgConnection;
use diesel::prelude::*;
use uuid::Uuid;

use crate::auth::AuthUser;
use crate::config::{MESSAGE_RATE_WINDOW, MessageSettings};
use crate::db::listings::Listing;
use crate::db::messages::{self as rows, ConversationRow, MessageRow};
use crate::db::schema::{listings, user_blocks, users};
use crate::db::{self, notifications};
use crate::domain::{Locale, Scope};
use crate::dto::messages::{
    Conversation, ConversationPage, ConversationRead, ConversationRole, Message, MessagePage,
    MessagesQuery, NewMessage, OtherParty, StartedConversation,
};
use crate::error::{ApiError, FieldErrors, Problem};
use crate::extract::{ValidJson, ValidQuery};
use crate::routes::admin::{decode_cursor, next_page};
use crate::routes::favorites::{sellers_active, visible_listing};
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(start_conversation)
        .service(my_conversations)
        .service(get_conversation)
        .service(list_messages)
        .service(send_message)
        .service(mark_conversation_read)
        .service(block)
        .service(unblock);
}

fn no_conversation() -> ApiError {
    ApiError::NotFound("No such conversation.".into())
}

/// What the members of a page of conversations look like to the reader.
struct Member {
    display_name: String,
    professional: bool,
    status: String,
}

fn members(conn: &mut PgConnection, ids: &[Uuid]) -> QueryResult<HashMap<Uuid, Member>> {
    Ok(users::table
        .filter(users::id.eq_any(ids))
        .select((
            users::id,
            users::display_name,
            users::account_type,
            users::status,
        ))
        .load::<(Uuid, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, display_name, account_type, status)| {
            (
                id,
                Member {
                    display_name,
                    professional: account_type == "professional",
                    status,
                },
            )
        })
        .collect())
}

pub(crate) fn message_view(me: Uuid, m: MessageRow) -> Message {
    Message {
        id: m.id,
        conversation_id: m.conversation_id,
        sender_id: m.sender_id,
        from_me: m.sender_id == me,
        body: m.body,
        created_at: m.created_at,
        read_at: m.read_at,
    }
}

fn role_of(me: Uuid, c: &ConversationRow) -> ConversationRole {
    if me == c.buyer_id {
        ConversationRole::Buyer
    } else {
        ConversationRole::Seller
    }
}

/// Conversations as `me` reads them, with a handful of queries for the whole page.
fn views(
    conn: &mut PgConnection,
    me: Uuid,
    found: Vec<ConversationRow>,
) -> Result<Vec<Conversation>, ApiError> {
    let ids: Vec<Uuid> = found.iter().map(|c| c.id).collect();
    let others: Vec<Uuid> = found.iter().map(|c| c.other(me)).collect();
    let people = members(conn, &others)?;
    let listing_ids: Vec<Uuid> = found.iter().filter_map(|c| c.listing_id).collect();
    let found_listings: Vec<Listing> = listings::table
        .filter(listings::id.eq_any(&listing_ids))
        .select(Listing::as_select())
        .load(conn)?;
    let active = sellers_active(conn, &found_listings.iter().collect::<Vec<_>>())?;
    let titles: HashMap<Uuid, String> = found_listings
        .iter()
        .map(|l| (l.id, l.title.clone()))
        .collect();
    let visible: Vec<Listing> = found_listings
        .into_iter()
        .filter(|l| {
            let seller_active = active.get(&l.seller_id).copied().unwrap_or(false);
            crate::listings::visible_to(l, seller_active, Some((me, false)))
        })
        .collect();
    let mut summaries: HashMap<Uuid, _> = crate::listings::summaries(conn, visible)?
        .into_iter()
        .map(|s| (s.id, s))
        .collect();
    let mut last: HashMap<Uuid, MessageRow> = rows::last_messages(conn, &ids)?
        .into_iter()
        .map(|m| (m.conversation_id, m))
        .collect();
    let unread: HashMap<Uuid, i64> = rows::unread_counts(conn, me, &ids)?.into_iter().collect();
    let blocked_by_me: HashSet<Uuid> = rows::blocked_among(conn, me, &others)?
        .into_iter()
        .collect();
    let blocked_me: HashSet<Uuid> = user_blocks::table
        .filter(user_blocks::blocked_id.eq(me))
        .filter(user_blocks::blocker_id.eq_any(&others))
        .select(user_blocks::blocker_id)
        .load::<Uuid>(conn)?
        .into_iter()
        .collect();
    found
        .into_iter()
        .map(|c| {
            let other = c.other(me);
            let person = people
                .get(&other)
                .ok_or_else(|| ApiError::internal("conversation party missing"))?;
            let deleted = person.status == "deleted";
            let by_me = blocked_by_me.contains(&other);
            Ok(Conversation {
                id: c.id,
                listing_id: c.listing_id,
                listing_title: c
                    .listing_id
                    .and_then(|l| titles.get(&l).cloned())
                    .unwrap_or_else(|| c.listing_title.clone()),
                listing: c.listing_id.and_then(|l| summaries.remove(&l)),
                role: role_of(me, &c),
                other_party: OtherParty {
                    id: other,
                    display_name: person.display_name.clone(),
                    professional: person.professional,
                    deleted,
                },
                last_message: last.remove(&c.id).map(|m| message_view(me, m)),
                unread_count: unread.get(&c.id).copied().unwrap_or(0),
                blocked_by_me: by_me,
                can_reply: !by_me && !blocked_me.contains(&other) && person.status == "active",
                created_at: c.created_at,
                last_message_at: c.last_message_at,
            })
        })
        .collect()
}

fn one_view(
    conn: &mut PgConnection,
    me: Uuid,
    row: ConversationRow,
) -> Result<Conversation, ApiError> {
    views(conn, me, vec![row])?
        .into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("conversation view missing"))
}

/// What sending needs besides the connection.
struct Sending {
    limits: MessageSettings,
    base_url: String,
}

impl Sending {
    fn of(state: &AppState) -> Self {
        Sending {
            limits: state.settings.messages.clone(),
            base_url: state.settings.public_base_url.clone(),
        }
    }
}

/// Writes `body` from `sender` into the conversation (locked by the caller's transaction):
/// refuses when either party blocked the other or the recipient's account is closed (403),
/// or when the sender is over the rate limit (429); then notifies the recipient and mails
/// them, throttled.
fn send(
    conn: &mut PgConnection,
    sending: &Sending,
    c: &ConversationRow,
    sender: Uuid,
    body: &str,
) -> Result<MessageRow, ApiError> {
    let recipient_id = c.other(sender);
    let recipient = crate::db::users::find(conn, recipient_id)?
        .ok_or_else(|| ApiError::internal("conversation party missing"))?;
    if !recipient.is_active() {
        return Err(ApiError::Forbidden(
            "This member's account is closed: nobody can write to them any more.".into(),
        ));
    }
    if rows::is_blocked(conn, recipient_id, sender)? {
        return Err(ApiError::Forbidden(
            "This member blocked you: you cannot write to them.".into(),
        ));
    }
    if rows::is_blocked(conn, sender, recipient_id)? {
        return Err(ApiError::Forbidden(
            "You blocked this member: unblock them to write to them again.".into(),
        ));
    }
    // One message at a time per sender, so the limit holds under concurrent posts.
    let me = users::table
        .find(sender)
        .for_no_key_update()
        .select(users::display_name)
        .first::<String>(conn)?;
    if sending.limits.per_window > 0 {
        let window = chrono::Duration::from_std(MESSAGE_RATE_WINDOW).map_err(ApiError::internal)?;
        let now = Utc::now();
        let (sent, oldest) = rows::sent_since(conn, sender, now - window)?;
        crate::limits::check_window(
            sent,
            oldest,
            i64::from(sending.limits.per_window),
            window,
            now,
        )?;
    }
    let message = rows::insert_message(conn, c.id, sender, body)?;
    let title = match c.listing_id {
        Some(id) => crate::db::listings::find(conn, id)?.map(|l| l.title),
        None => None,
    }
    .unwrap_or_else(|| c.listing_title.clone());
    notifications::notify_message(
        conn,
        recipient_id,
        c.id,
        c.listing_id,
        serde_json::json!({ "title": title }),
    )?;
    let (mailed_at, read_at) = if recipient_id == c.buyer_id {
        (c.buyer_mailed_at, c.buyer_read_at)
    } else {
        (c.seller_mailed_at, c.seller_read_at)
    };
    let throttle =
        chrono::Duration::from_std(sending.limits.mail_throttle).map_err(ApiError::internal)?;
    // The database's clock, like the read markers it is compared with.
    let now = message.created_at;
    let due = match mailed_at {
        None => true,
        Some(at) => at <= now - throttle || read_at.is_some_and(|r| r >= at),
    };
    if due && recipient.notify_messages && recipient.email_verified_at.is_some() {
        let locale: Locale = recipient.locale.parse().unwrap_or(Locale::Fr);
        crate::mail::queue_new_message(
            conn,
            &sending.base_url,
            &recipient.email,
            &recipient.display_name,
            locale,
            &me,
            &title,
            c.id,
            body,
        )?;
        rows::set_mailed(conn, c, recipient_id, now)?;
    }
    Ok(message)
}

/// Write to the seller of a listing: starts your conversation about it with this first
/// message. There is one conversation per buyer and listing: if you have one already, the
/// message is added to it (200 instead of 201). Not on your own listing (422); only on
/// listings you can see (404 otherwise). The seller is notified (`new_message`) and, unless
/// they turned message mail off, mailed in their language — at most once per conversation
/// every 15 minutes (by default) while they have not read it. Limits: 1 to 5,000 characters of plain
/// text; 30 messages per 10 minutes per sender by default, all conversations together (429
/// with `Retry-After` beyond). Needs the `messages` scope.
#[utoipa::path(
    tag = "messages",
    operation_id = "start_conversation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The listing's id")),
    request_body = NewMessage,
    responses(
        (status = 201, description = "Conversation started; `Location` is its URL.", body = StartedConversation,
         headers(("Location" = String, description = "/api/v1/conversations/{id}")),
         links(
             ("get_conversation" = (operation_id = "get_conversation", parameters(("id" = "$response.body#/conversation/id")), description = "Read the conversation.")),
             ("list_messages" = (operation_id = "list_messages", parameters(("id" = "$response.body#/conversation/id")), description = "Read its messages.")),
             ("send_message" = (operation_id = "send_message", parameters(("id" = "$response.body#/conversation/id")), description = "Write again in it.")),
             ("mark_conversation_read" = (operation_id = "mark_conversation_read", parameters(("id" = "$response.body#/conversation/id")), description = "Mark it read.")),
             ("block_conversation_party" = (operation_id = "block_conversation_party", parameters(("id" = "$response.body#/conversation/id")), description = "Block the other party.")),
             ("unblock_conversation_party" = (operation_id = "unblock_conversation_party", parameters(("id" = "$response.body#/conversation/id")), description = "Unblock them.")),
         )),
        (status = 200, description = "You had a conversation about this listing: the message was added to it.", body = StartedConversation,
         headers(("Location" = String, description = "/api/v1/conversations/{id}")),
         links(
             ("get_conversation" = (operation_id = "get_conversation", parameters(("id" = "$response.body#/conversation/id")), description = "Read the conversation.")),
             ("list_messages" = (operation_id = "list_messages", parameters(("id" = "$response.body#/conversation/id")), description = "Read its messages.")),
             ("send_message" = (operation_id = "send_message", parameters(("id" = "$response.body#/conversation/id")), description = "Write again in it.")),
             ("mark_conversation_read" = (operation_id = "mark_conversation_read", parameters(("id" = "$response.body#/conversation/id")), description = "Mark it read.")),
             ("block_conversation_party" = (operation_id = "block_conversation_party", parameters(("id" = "$response.body#/conversation/id")), description = "Block the other party.")),
             ("unblock_conversation_party" = (operation_id = "unblock_conversation_party", parameters(("id" = "$response.body#/conversation/id")), description = "Unblock them.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The seller blocked you (or you blocked them), their account is closed, or the access token lacks the `messages` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such listing, or not visible to you.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid message, or your own listing.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many messages: retry after `Retry-After` seconds.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/listings/{id}/conversations")]
pub async fn start_conversation(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<NewMessage>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Messages)?;
    let (listing_id, me, text) = (id.into_inner(), user.id, body.0.body);
    let sending = Sending::of(&state);
    let (created, started) = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let listing = visible_listing(conn, me, listing_id)?;
            if listing.seller_id == me {
                return Err(ApiError::Validation {
                    detail:
                        "This is your own listing: buyers start conversations, you answer them."
                            .into(),
                    errors: FieldErrors::new(),
                });
            }
            let (row, created) =
                rows::create(conn, listing_id, &listing.title, me, listing.seller_id)?;
            let message = send(conn, &sending, &row, me, &text)?;
            let row = rows::find_for(conn, me, row.id)?.ok_or_else(no_conversation)?;
            Ok((
                created,
                StartedConversation {
                    conversation: one_view(conn, me, row)?,
                    message: message_view(me, message),
                },
            ))
        })
    })
    .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .insert_header((
            "Location",
            format!("/api/v1/conversations/{}", started.conversation.id),
        ))
        .json(started))
}

/// Your conversations, as buyer and as seller, most recent activity first: each with its
/// listing, the other party's public name, the last message and how many of their messages
/// you have not read. Needs the `messages` scope.
#[utoipa::path(
    tag = "messages",
    operation_id = "my_conversations",
    security(("bearer" = [])),
    params(MessagesQuery),
    responses(
        (status = 200, description = "A page of your conversations.", body = ConversationPage,
         links(
             ("get_conversation" = (operation_id = "get_conversation", parameters(("id" = "$response.body#/items/0/id")), description = "Read the conversation.")),
             ("list_messages" = (operation_id = "list_messages", parameters(("id" = "$response.body#/items/0/id")), description = "Read its messages.")),
             ("send_message" = (operation_id = "send_message", parameters(("id" = "$response.body#/items/0/id")), description = "Write again in it.")),
             ("mark_conversation_read" = (operation_id = "mark_conversation_read", parameters(("id" = "$response.body#/items/0/id")), description = "Mark it read.")),
             ("block_conversation_party" = (operation_id = "block_conversation_party", parameters(("id" = "$response.body#/items/0/id")), description = "Block the other party.")),
             ("unblock_conversation_party" = (operation_id = "unblock_conversation_party", parameters(("id" = "$response.body#/items/0/id")), description = "Unblock them.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `messages` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/users/me/conversations")]
pub async fn my_conversations(
    state: web::Data<AppState>,
    user: AuthUser,
    query: ValidQuery<MessagesQuery>,
) -> Result<web::Json<ConversationPage>, ApiError> {
    user.require_scope(Scope::Messages)?;
    let q = query.0;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(q.limit.unwrap_or(20));
    let me = user.id;
    let page = db::run(&state.pool, move |conn| {
        let mut found = rows::inbox(conn, me, after, limit + 1)?;
        let next_cursor = next_page(&mut found, limit, |c| Some((c.last_message_at, c.id)));
        Ok::<_, ApiError>(ConversationPage {
            items: views(conn, me, found)?,
            next_cursor,
        })
    })
    .await?;
    Ok(web::Json(page))
}

/// One of your conversations.
#[utoipa::path(
    tag = "messages",
    operation_id = "get_conversation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "The conversation.", body = Conversation),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `messages` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conversations/{id}")]
pub async fn get_conversation(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    user.require_scope(Scope::Messages)?;
    let (id, me) = (id.into_inner(), user.id);
    let view = db::run(&state.pool, move |conn| {
        let row = rows::find_for(conn, me, id)?.ok_or_else(no_conversation)?;
        one_view(conn, me, row)
    })
    .await?;
    Ok(web::Json(view))
}

/// The messages of one of your conversations, oldest first (the next page is newer).
/// Reading does not mark them read: `POST /conversations/{id}/read` does.
#[utoipa::path(
    tag = "messages",
    operation_id = "list_messages",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id"), MessagesQuery),
    responses(
        (status = 200, description = "A page of messages.", body = MessagePage),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `messages` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid limit or cursor, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/conversations/{id}/messages")]
pub async fn list_messages(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    query: ValidQuery<MessagesQuery>,
) -> Result<web::Json<MessagePage>, ApiError> {
    user.require_scope(Scope::Messages)?;
    let (id, me) = (id.into_inner(), user.id);
    let q = query.0;
    let after = q.cursor.as_deref().map(decode_cursor).transpose()?;
    let limit = i64::from(q.limit.unwrap_or(50));
    let page = db::run(&state.pool, move |conn| {
        rows::find_for(conn, me, id)?.ok_or_else(no_conversation)?;
        let mut found = rows::page(conn, id, after, limit + 1)?;
        let next_cursor = next_page(&mut found, limit, |m| Some((m.created_at, m.id)));
        Ok::<_, ApiError>(MessagePage {
            items: found.into_iter().map(|m| message_view(me, m)).collect(),
            next_cursor,
        })
    })
    .await?;
    Ok(web::Json(page))
}

/// Write in one of your conversations. The same rules as starting one: 1 to 5,000
/// characters of plain text, 30 messages per 10 minutes per sender by default (429 with
/// `Retry-After`),
/// 403 when either of you blocked the other or their account is closed. The recipient is
/// notified and mailed (throttled).
#[utoipa::path(
    tag = "messages",
    operation_id = "send_message",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    request_body = NewMessage,
    responses(
        (status = 201, description = "Sent.", body = Message,
         links(
             ("get_conversation" = (operation_id = "get_conversation", parameters(("id" = "$response.body#/conversation_id")), description = "Read the conversation.")),
             ("list_messages" = (operation_id = "list_messages", parameters(("id" = "$response.body#/conversation_id")), description = "Read its messages.")),
             ("send_message" = (operation_id = "send_message", parameters(("id" = "$response.body#/conversation_id")), description = "Write again in it.")),
             ("mark_conversation_read" = (operation_id = "mark_conversation_read", parameters(("id" = "$response.body#/conversation_id")), description = "Mark it read.")),
             ("block_conversation_party" = (operation_id = "block_conversation_party", parameters(("id" = "$response.body#/conversation_id")), description = "Block the other party.")),
             ("unblock_conversation_party" = (operation_id = "unblock_conversation_party", parameters(("id" = "$response.body#/conversation_id")), description = "Unblock them.")),
         )),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The other party blocked you (or you blocked them), their account is closed, or the access token lacks the `messages` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation of yours.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid message.", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many messages: retry after `Retry-After` seconds.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conversations/{id}/messages")]
pub async fn send_message(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
    body: ValidJson<NewMessage>,
) -> Result<HttpResponse, ApiError> {
    user.require_scope(Scope::Messages)?;
    let (id, me, text) = (id.into_inner(), user.id, body.0.body);
    let sending = Sending::of(&state);
    let message = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = rows::lock_for(conn, me, id)?.ok_or_else(no_conversation)?;
            send(conn, &sending, &row, me, &text)
        })
    })
    .await?;
    Ok(HttpResponse::Created().json(message_view(me, message)))
}

/// Mark what the other party wrote in this conversation read (and its `new_message`
/// notification). Idempotent.
#[utoipa::path(
    tag = "messages",
    operation_id = "mark_conversation_read",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "Read.", body = ConversationRead),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `messages` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conversations/{id}/read")]
pub async fn mark_conversation_read(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<ConversationRead>, ApiError> {
    user.require_scope(Scope::Messages)?;
    let (id, me) = (id.into_inner(), user.id);
    let read = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = rows::lock_for(conn, me, id)?.ok_or_else(no_conversation)?;
            let marked = rows::mark_read(conn, &row, me)?;
            notifications::mark_conversation_read(conn, me, id)?;
            let row = rows::find_for(conn, me, id)?.ok_or_else(no_conversation)?;
            Ok::<_, ApiError>(ConversationRead {
                marked: marked as i64,
                conversation: one_view(conn, me, row)?,
            })
        })
    })
    .await?;
    Ok(web::Json(read))
}

/// Block the other party of this conversation: from now on neither of you can write to the
/// other, in this conversation or any other (403), until you unblock them. They are not
/// told, but a message they try to send is refused. Idempotent.
#[utoipa::path(
    tag = "messages",
    operation_id = "block_conversation_party",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "Blocked (`blocked_by_me: true`).", body = Conversation),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `messages` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/conversations/{id}/block")]
pub async fn block(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    user.require_scope(Scope::Messages)?;
    set_block(&state, user.id, id.into_inner(), true).await
}

/// Unblock the other party of this conversation. Idempotent.
#[utoipa::path(
    tag = "messages",
    operation_id = "unblock_conversation_party",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "The conversation's id")),
    responses(
        (status = 200, description = "Not (or no longer) blocked by you.", body = Conversation),
        (status = 401, description = "Not logged in.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The access token lacks the `messages` scope.", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such conversation of yours.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/conversations/{id}/block")]
pub async fn unblock(
    state: web::Data<AppState>,
    user: AuthUser,
    id: web::Path<Uuid>,
) -> Result<web::Json<Conversation>, ApiError> {
    user.require_scope(Scope::Messages)?;
    set_block(&state, user.id, id.into_inner(), false).await
}

async fn set_block(
    state: &AppState,
    me: Uuid,
    id: Uuid,
    blocked: bool,
) -> Result<web::Json<Conversation>, ApiError> {
    let view = db::run(&state.pool, move |conn| {
        conn.transaction(|conn| {
            let row = rows::find_for(conn, me, id)?.ok_or_else(no_conversation)?;
            if blocked {
                rows::block(conn, me, row.other(me))?;
            } else {
                rows::unblock(conn, me, row.other(me))?;
            }
            one_view(conn, me, row)
        })
    })
    .await?;
    Ok(web::Json(view))
}

/// Every conversation of `me` with its messages, for the account export.
pub(crate) fn export(
    conn: &mut PgConnection,
    me: Uuid,
) -> Result<Vec<crate::dto::messages::ExportedConversation>, ApiError> {
    let found = rows::all_of(conn, me)?;
    let ids: Vec<Uuid> = found.iter().map(|c| c.id).collect();
    let others: Vec<Uuid> = found.iter().map(|c| c.other(me)).collect();
    let people = members(conn, &others)?;
    let mut by_conversation: HashMap<Uuid, Vec<Message>> = HashMap::new();
    for m in rows::all_messages(conn, &ids)? {
        by_conversation
            .entry(m.conversation_id)
            .or_default()
            .push(message_view(me, m));
    }
    Ok(found
        .into_iter()
        .map(|c| crate::dto::messages::ExportedConversation {
            id: c.id,
            listing_id: c.listing_id,
            listing_title: c.listing_title.clone(),
            role: role_of(me, &c),
            other_party: people
                .get(&c.other(me))
                .map(|p| p.display_name.clone())
                .unwrap_or_default(),
            created_at: c.created_at,
            messages: by_conversation.remove(&c.id).unwrap_or_default(),
        })
        .collect())
}
