//! Messaging (`/listings/{id}/conversations`, `/users/me/conversations`, `/conversations/…`).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use crate::dto::listings::ListingSummary;
use crate::dto::paged_query;
use crate::extract::CrossCheck;

/// Longest message, in characters (after trimming).
pub const MAX_MESSAGE_CHARS: usize = 5_000;

/// Message bodies: plain text of 1 to 5,000 characters once trimmed; line breaks and tabs
/// are kept, other control characters refused.
pub fn message_text(value: &str) -> Result<(), ValidationError> {
    let len = value.chars().count();
    if !(1..=MAX_MESSAGE_CHARS).contains(&len) {
        return Err(ValidationError::new("length")
            .with_message("must be 1 to 5000 characters (surrounding spaces are trimmed)".into()));
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

/// A message to send.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    /// Plain text, 1 to 5,000 characters once trimmed; line breaks and tabs are kept, other
    /// control characters are refused.
    #[serde(deserialize_with = "crate::dto::trimmed")]
    #[validate(custom(function = "message_text"))]
    #[schema(
        example = "Bonjour, l'avion est-il toujours disponible ? Je peux venir le voir samedi à LFPN."
    )]
    pub body: String,
}

impl CrossCheck for NewMessage {}

/// A message.
#[derive(Debug, Serialize, ToSchema)]
pub struct Message {
    pub id: Uuid,
    pub conversation_id: Uuid,
    pub sender_id: Uuid,
    /// You wrote it.
    pub from_me: bool,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// When its recipient read it; absent while unread.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub read_at: Option<DateTime<Utc>>,
}

/// Your side of a conversation.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConversationRole {
    Buyer,
    Seller,
}

/// The other member of a conversation, as anyone may see them.
#[derive(Debug, Serialize, ToSchema)]
pub struct OtherParty {
    pub id: Uuid,
    /// Their public name ("Deleted member" once they deleted their account).
    #[schema(example = "Jean Dupont")]
    pub display_name: String,
    pub professional: bool,
    /// They deleted their account: the conversation stays readable, but nobody can write
    /// in it any more.
    pub deleted: bool,
}

/// A conversation between a buyer and a seller about one listing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Conversation {
    pub id: Uuid,
    /// Absent once the listing was purged (30 days after its deletion).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing_id: Option<Uuid>,
    /// The listing's title now (once it is purged: its title when the conversation started).
    #[schema(example = "Robin DR400-140B, moteur 850 h, hangarée")]
    pub listing_title: String,
    /// The listing as buyers see it; absent once it is no longer public (withdrawn,
    /// expired, sold a while ago, deleted).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listing: Option<ListingSummary>,
    /// Whether you are the buyer or the seller here.
    pub role: ConversationRole,
    pub other_party: OtherParty,
    /// The newest message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_message: Option<Message>,
    /// Messages of the other party you have not read.
    #[schema(example = 2)]
    pub unread_count: i64,
    /// You blocked the other party: neither of you can write to the other until you unblock.
    pub blocked_by_me: bool,
    /// Whether you can write here now (neither of you blocked the other, and both accounts
    /// are active).
    pub can_reply: bool,
    pub created_at: DateTime<Utc>,
    pub last_message_at: DateTime<Utc>,
}

/// A page of conversations, most recent activity first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationPage {
    pub items: Vec<Conversation>,
    /// Pass it as `cursor` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A page of messages, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct MessagePage {
    pub items: Vec<Message>,
    /// Pass it as `cursor` for the next (newer) page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// A started conversation and the message that was sent.
#[derive(Debug, Serialize, ToSchema)]
pub struct StartedConversation {
    pub conversation: Conversation,
    pub message: Message,
}

paged_query! {
    limit_doc = "1–100 (default 20 conversations, 50 messages).";
    /// Paging of conversations and messages.
    pub struct MessagesQuery {}
}

impl CrossCheck for MessagesQuery {}

/// What "mark read" did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConversationRead {
    /// Messages marked read by this call.
    #[schema(example = 2)]
    pub marked: i64,
    pub conversation: Conversation,
}

/// A conversation in your account export, with every message.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExportedConversation {
    pub id: Uuid,
    /// Absent once the listing was purged.
    pub listing_id: Option<Uuid>,
    pub listing_title: String,
    pub role: ConversationRole,
    /// The other party's public name.
    pub other_party: String,
    pub created_at: DateTime<Utc>,
    /// Oldest first.
    pub messages: Vec<Message>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_texts() {
        assert!(message_text("Bonjour,\n\tdisponible ?").is_ok());
        assert!(message_text("").is_err());
        assert!(message_text("a\u{0007}b").is_err());
        assert!(message_text(&"é".repeat(5_000)).is_ok());
        assert!(message_text(&"é".repeat(5_001)).is_err());
    }
}
