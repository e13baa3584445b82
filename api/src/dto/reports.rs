//! Reports (`POST /listings/{id}/reports`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::domain::{ReportReason, ReportState};
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
