//! Helpers for the messaging tests: the conversation paths and the calls a party makes
//! (start, send, read, block), each asserting its status.

use reqwest::{Method, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::TestApp;
use crate::accounts::{expect_status, uuid_of};
use crate::alerts::call_ok;
use crate::listings::request;

/// The member's inbox.
pub const INBOX: &str = "/api/v1/users/me/conversations";

/// `/api/v1/listings/{listing}/conversations`: where a buyer starts one.
pub fn start_path(listing: Uuid) -> String {
    format!("/api/v1/listings/{listing}/conversations")
}

/// `/api/v1/conversations/{id}{rest}` (`rest`: `""`, `/messages`, `/read`, `/block`, with a
/// query string if need be).
pub fn conversation_path(id: Uuid, rest: &str) -> String {
    format!("/api/v1/conversations/{id}{rest}")
}

/// A message body.
pub fn text(body: &str) -> Value {
    json!({ "body": body })
}

/// Starts a conversation about `listing` as the token's member, asserting 201; returns its id.
pub async fn start_conversation(app: &TestApp, token: &str, listing: Uuid, body: &str) -> Uuid {
    let res = post_start(app, Some(token), listing, &text(body)).await;
    let started = expect_status(res, 201, "start a conversation").await;
    uuid_of(&started["conversation"]["id"])
}

/// Writes `body` in conversation `id` as the token's member, asserting 201; returns the
/// message.
pub async fn send_message(app: &TestApp, token: &str, id: Uuid, body: &str) -> Value {
    let res = post_message(app, token, id, &text(body)).await;
    expect_status(res, 201, "send a message").await
}

/// Conversation `id` as the token's member sees it, asserting 200.
pub async fn conversation(app: &TestApp, token: &str, id: Uuid) -> Value {
    bodiless(app, token, Method::GET, id, "").await
}

/// Marks conversation `id` read as the token's member, asserting 200; returns the answer
/// (`marked` and the conversation).
pub async fn mark_read(app: &TestApp, token: &str, id: Uuid) -> Value {
    bodiless(app, token, Method::POST, id, "/read").await
}

/// Blocks the other party of conversation `id` as the token's member, asserting 200; returns
/// the conversation.
pub async fn block(app: &TestApp, token: &str, id: Uuid) -> Value {
    bodiless(app, token, Method::POST, id, "/block").await
}

/// Lifts the token's member's block in conversation `id`, asserting 200; returns the
/// conversation.
pub async fn unblock(app: &TestApp, token: &str, id: Uuid) -> Value {
    bodiless(app, token, Method::DELETE, id, "/block").await
}

/// `method` on `conversation_path(id, rest)` without a body, asserting 200.
async fn bodiless(app: &TestApp, token: &str, method: Method, id: Uuid, rest: &str) -> Value {
    call_ok(app, method, &conversation_path(id, rest), token, None, 200).await
}

/// `POST` `body` to [`start_path`] of `listing`, with a token or anonymously: the answer,
/// whatever its status.
pub async fn post_start(
    app: &TestApp,
    token: Option<&str>,
    listing: Uuid,
    body: &Value,
) -> Response {
    request(
        app,
        Method::POST,
        &start_path(listing),
        token,
        None,
        Some(body),
    )
    .await
}

/// `POST` `body` to the messages of conversation `id` as the token's member: the answer,
/// whatever its status.
pub async fn post_message(app: &TestApp, token: &str, id: Uuid, body: &Value) -> Response {
    request(
        app,
        Method::POST,
        &conversation_path(id, "/messages"),
        Some(token),
        None,
        Some(body),
    )
    .await
}
