//! Helpers for reports on listings and what moderators do about them: filing a report,
//! resolving it, the pre-moderation decisions (approve, reject, unhide), and counting what
//! the moderation tables hold.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::TestApp;
use crate::accounts::{count, uuid_of};
use crate::alerts::call_ok;

/// The moderators' queue of reports.
pub const QUEUE: &str = "/api/v1/moderation/reports";
/// The moderation audit log.
pub const AUDIT: &str = "/api/v1/moderation/audit";
/// The moderators' queue of listings held for review.
pub const PENDING: &str = "/api/v1/moderation/pending";

/// `/api/v1/listings/{listing}/reports`.
pub fn report_path(listing: Uuid) -> String {
    format!("/api/v1/listings/{listing}/reports")
}

/// `/api/v1/moderation/reports/{report}/resolve`.
pub fn resolve_path(report: Uuid) -> String {
    format!("/api/v1/moderation/reports/{report}/resolve")
}

/// `/api/v1/moderation/listings/{listing}/{what}` (`approve`, `reject`, `unhide`).
pub fn decision_path(listing: Uuid, what: &str) -> String {
    format!("/api/v1/moderation/listings/{listing}/{what}")
}

/// Reports `listing` with `body` as the token's member, asserting 201; returns the report's id.
pub async fn report(app: &TestApp, token: &str, listing: Uuid, body: &Value) -> Uuid {
    let created = call_ok(
        app,
        Method::POST,
        &report_path(listing),
        token,
        Some(body),
        201,
    )
    .await;
    uuid_of(&created["id"])
}

/// Resolves `report` with `action` (`dismiss`, `hide_listing`, `suspend_seller`) and `note`
/// as the moderator whose token this is, asserting 200; returns the audit entry.
pub async fn resolve(app: &TestApp, token: &str, report: Uuid, action: &str, note: &str) -> Value {
    call_ok(
        app,
        Method::POST,
        &resolve_path(report),
        token,
        Some(&json!({"action": action, "note": note})),
        200,
    )
    .await
}

/// `POST` a pre-moderation decision (`approve`, `reject`, `unhide`) on `listing` as the
/// moderator whose token this is, asserting 200; returns the listing and the audit entry.
pub async fn decide(
    app: &TestApp,
    token: &str,
    listing: Uuid,
    what: &str,
    body: Option<&Value>,
) -> Value {
    call_ok(
        app,
        Method::POST,
        &decision_path(listing, what),
        token,
        body,
        200,
    )
    .await
}

/// A page of a moderation queue ([`QUEUE`], [`PENDING`], [`AUDIT`], with their query
/// parameters) as the moderator whose token this is, asserting 200.
pub async fn queue_page(app: &TestApp, token: &str, path: &str) -> Value {
    call_ok(app, Method::GET, path, token, None, 200).await
}

/// How many entries the audit log holds.
pub fn audit_rows(app: &TestApp) -> i64 {
    count(app, "moderation_audit")
}

/// How many reports are open.
pub fn open_reports(app: &TestApp) -> i64 {
    count(app, "listing_reports WHERE state = 'open'")
}
