//! Helpers for favourites, saved searches, notifications and the alerts job: paths, calls
//! that assert their status, the job run on demand, and the rows it writes.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::TestApp;
use crate::accounts::{expect_status, query};
use crate::listings::{listing_path, request};

pub const FAVORITES: &str = "/api/v1/users/me/favorites";
pub const SAVED_SEARCHES: &str = "/api/v1/users/me/saved-searches";
pub const NOTIFICATIONS: &str = "/api/v1/users/me/notifications";
pub const UNSUBSCRIBE: &str = "/api/v1/unsubscribe";

/// `/api/v1/listings/{id}/favorite`.
pub fn favorite_path(listing: Uuid) -> String {
    format!("/api/v1/listings/{listing}/favorite")
}

/// `/api/v1/users/me/saved-searches/{id}`.
pub fn saved_search_path(id: Uuid) -> String {
    format!("{SAVED_SEARCHES}/{id}")
}

/// Environment for apps whose alerts job must only run when a test runs it.
pub const NO_BACKGROUND_ALERTS: (&str, &str) = ("ALERTS_INTERVAL_MS", "3600000");

/// One round of the alerts job against the app's database, as the background task runs it.
pub fn run_alerts(app: &TestApp) -> hangar_api::alerts::AlertsRound {
    let settings = crate::test_settings(&app.db.url, &[]);
    let alerts = hangar_api::alerts::Alerts::from_settings(&settings)
        .unwrap_or_else(|e| panic!("alerts context: {e}"));
    hangar_api::jobs::alerts(&mut app.db.connect(), &alerts)
        .unwrap_or_else(|e| panic!("alerts round: {e}"))
}

/// `method path` with a token and an optional JSON body; asserts `status`, returns the body.
pub async fn call_ok(
    app: &TestApp,
    method: Method,
    path: &str,
    token: &str,
    body: Option<&Value>,
    status: u16,
) -> Value {
    let res = request(app, method.clone(), path, Some(token), None, body).await;
    expect_status(res, status, &format!("{method} {path}")).await
}

/// The token's member's notifications (the first page, with `unread_count`), asserting 200.
pub async fn notifications(app: &TestApp, token: &str) -> Value {
    call_ok(app, Method::GET, NOTIFICATIONS, token, None, 200).await
}

/// Saves `listing` as a favourite of the token's member, asserting 201.
pub async fn favorite(app: &TestApp, token: &str, listing: Uuid) -> Value {
    call_ok(app, Method::PUT, &favorite_path(listing), token, None, 201).await
}

/// Saves a search, asserting 201; returns its id.
pub async fn save_search(
    app: &TestApp,
    token: &str,
    name: &str,
    query: Value,
    frequency: &str,
) -> Uuid {
    let body = json!({"name": name, "query": query, "frequency": frequency});
    let saved = call_ok(app, Method::POST, SAVED_SEARCHES, token, Some(&body), 201).await;
    saved["id"]
        .as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no id in {saved}"))
}

/// Changes a listing's price (the seller's token), asserting 200.
pub async fn set_price(app: &TestApp, token: &str, listing: Uuid, amount: i64) {
    let body = json!({"price": {"amount": amount, "currency": "EUR", "kind": "negotiable"}});
    let res = request(
        app,
        Method::PATCH,
        &listing_path(listing),
        Some(token),
        Some("*"),
        Some(&body),
    )
    .await;
    expect_status(res, 200, "change the price").await;
}

/// `(kind, listing_id)` of a member's notifications, oldest first.
pub fn notification_rows(app: &TestApp, user: Uuid) -> Vec<(String, Option<String>)> {
    query(
        app,
        &format!(
            "SELECT kind || '|' || coalesce(listing_id::text, '') AS value FROM notifications \
             WHERE user_id = '{user}' ORDER BY created_at, id"
        ),
    )
    .into_iter()
    .map(|v| {
        let v = v.unwrap_or_default();
        let (kind, listing) = v.split_once('|').unwrap_or((&v, ""));
        (
            kind.to_owned(),
            (!listing.is_empty()).then(|| listing.to_owned()),
        )
    })
    .collect()
}

/// Every `token=` value of the unsubscribe links in `message`, in order.
pub fn unsubscribe_tokens(message: &str) -> Vec<String> {
    message
        .match_indices("/unsubscribe?token=")
        .map(|(i, m)| {
            message[i + m.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .collect()
}
