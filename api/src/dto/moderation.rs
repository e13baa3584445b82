//! Moderation (`/moderation/reports`, `/moderation/audit`), for moderators and administrators.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use crate::domain::{AuditAction, ModerationAction, ReportReason, ReportState};
use crate::dto::listings::ListingSummary;
use crate::dto::paged_query;
use crate::dto::reports::comment_text;
use crate::extract::CrossCheck;

paged_query! {
    /// Which reports to list.
    pub struct ReportQueueQuery {
        /// `open` (default: the queue) or `resolved`.
        pub state: Option<ReportState>,
    }
}

impl CrossCheck for ReportQueueQuery {}

/// The reported listing, as moderators see it (whatever its status).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportedListing {
    pub id: Uuid,
    pub title: String,
    /// Its status now (`hidden` once a moderator hid it).
    pub status: String,
    pub seller_id: Uuid,
    pub seller_name: String,
    /// The seller's account: `active`, `suspended` or `deleted`.
    pub seller_status: String,
    /// Open reports on this listing, this one included.
    pub open_reports: i64,
    /// Reports on this listing ever filed.
    pub total_reports: i64,
}

/// A report in the moderation queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueuedReport {
    pub id: Uuid,
    pub reason: ReportReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub state: ReportState,
    pub created_at: DateTime<Utc>,
    pub reporter_id: Uuid,
    pub listing: ReportedListing,
    /// Resolved reports: when, by whom, how and why.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_by: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ModerationAction>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A page of reports, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportQueuePage {
    pub items: Vec<QueuedReport>,
    /// Pass it as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// How to resolve a report (and every other open report on the same listing).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"action": "hide_listing", "note": "Annonce en double d'un ULM déjà vendu ; vendeur prévenu."}))]
pub struct ResolveReport {
    pub action: ModerationAction,
    /// Why: plain text, 1 to 2,000 characters once trimmed. Kept in the audit log; not shown
    /// to the seller.
    #[serde(deserialize_with = "crate::dto::trimmed")]
    #[validate(custom(function = "comment_text"))]
    pub note: String,
}

impl CrossCheck for ResolveReport {}

/// A moderator's note on a listing decision.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"note": "Photos d'un autre appareil : merci de mettre celles du vôtre."}))]
pub struct ModerationNote {
    /// Why: plain text, 1 to 2,000 characters once trimmed.
    #[serde(deserialize_with = "crate::dto::trimmed")]
    #[validate(custom(function = "comment_text"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub note: String,
}

impl CrossCheck for ModerationNote {}

paged_query! {
    /// Which held listings to list.
    pub struct PendingQuery {}
}

impl CrossCheck for PendingQuery {}

/// The seller of a held listing, as moderators see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingSeller {
    pub id: Uuid,
    pub display_name: String,
    pub professional: bool,
    pub company_name: Option<String>,
    /// `active`, `suspended` or `deleted`.
    pub status: String,
    /// When they registered.
    pub member_since: DateTime<Utc>,
}

/// A listing waiting for review.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingListing {
    pub listing: ListingSummary,
    pub category: String,
    /// When its seller submitted it.
    pub submitted_at: DateTime<Utc>,
    pub seller: PendingSeller,
}

/// A page of listings waiting for review, oldest submission first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PendingPage {
    pub items: Vec<PendingListing>,
    /// Pass it as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A moderator's decision on a listing: the listing as it is now, and the audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct ModeratedListing {
    pub listing: ListingSummary,
    pub audit: AuditEntry,
}

/// A moderator's action, as the audit log keeps it (for good: it cannot be edited or deleted).
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub moderator_id: Uuid,
    pub action: AuditAction,
    /// The listing acted on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing_id: Option<Uuid>,
    /// The member concerned: the listing's seller.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_user_id: Option<Uuid>,
    /// How many open reports the action resolved (0 for actions that are not about reports).
    pub reports: i32,
    /// The moderator's note; absent for approvals, reinstatements, role changes and staff
    /// changes to a member's listing, which need none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

paged_query! {
    /// Which audit entries to list.
    pub struct AuditQuery {
        /// Only this moderator's actions.
        pub moderator: Option<Uuid>,
        /// Only actions on this listing or this member.
        pub target: Option<Uuid>,
    }
}

impl CrossCheck for AuditQuery {}

/// A page of the audit log, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEntry>,
    /// Pass it as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}
