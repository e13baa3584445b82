//! Reports (`POST /listings/{id}/reports`) and their authors' own view of them
//! (`/users/me/reports`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::domain::{ReportReason, ReportState, ReportStatus};
use crate::dto::paged_query;
use crate::error::FieldErrors;
use crate::extract::CrossCheck;

/// Longest report comment, in characters (after trimming).
pub const MAX_REPORT_COMMENT_CHARS: usize = 2_000;

/// Report comments: plain text of 1 to 2,000 characters once trimmed; line breaks and tabs
/// are kept, other control characters refused.
pub fn comment_text(value: &str) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if !(1..=MAX_REPORT_COMMENT_CHARS).contains(&len) {
        return Err(ValidationError::new("length")
            .with_message("must be 1 to 2000 characters (surrounding spaces are trimmed)".into()));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValidationError::new("chars").with_message(
            "must be plain text: no control characters other than line breaks and tabs".into(),
        ));
    }
    Ok(())
}

/// A report on a listing, for the moderators.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "scam", "comment": "Le vendeur demande un virement avant toute visite."}))]
pub struct NewReport {
    pub reason: ReportReason,
    /// What the moderators should know: plain text, 1 to 2,000 characters once trimmed;
    /// required when the reason is `other`.
    #[serde(default, deserialize_with = "crate::dto::trimmed_option")]
    #[validate(custom(function = "comment_text"))]
    pub comment: Option<String>,
}

impl CrossCheck for NewReport {
    fn cross_check(&self) -> FieldErrors {
        let mut errors = FieldErrors::new();
        if self.reason == ReportReason::Other && self.comment.is_none() {
            errors.insert(
                "comment".into(),
                vec!["is required when the reason is `other`".into()],
            );
        }
        errors
    }
}

/// A report, as its author sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub reason: ReportReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub state: ReportState,
    pub created_at: DateTime<Utc>,
}

/// One of your reports. Never who dealt with it nor their note: those stay with the
/// moderators.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyReport {
    pub id: Uuid,
    /// The reported listing.
    pub listing_id: Uuid,
    /// The listing's current title, while you may still read the listing (public, or your
    /// own); absent once it is deleted, hidden by a moderator, withdrawn or expired by its
    /// seller, or its seller's account is suspended, so that your reports never show what
    /// the site no longer shows.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Robin DR400-140B, moteur 850 h, hangarée")]
    pub listing_title: Option<String>,
    pub reason: ReportReason,
    /// Your comment, as you wrote it (trimmed).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    pub status: ReportStatus,
    pub created_at: DateTime<Utc>,
    /// When a moderator dealt with it (`dismissed`, `actioned`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// When you withdrew it (`withdrawn`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub withdrawn_at: Option<DateTime<Utc>>,
}

/// A page of your reports, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MyReportPage {
    pub items: Vec<MyReport>,
    /// Pass it as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

paged_query! {
    /// Which of your reports to list.
    pub struct MyReportsQuery {}
}

impl CrossCheck for MyReportsQuery {}
