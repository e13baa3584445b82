//! Domain vocabulary shared by the database rows and the API types. Stored as `text` with a
//! `CHECK` constraint; these enums are the only way the code reads or writes those values.

pub mod attributes;
/// Registration formats live in `hangar-parse`, with the other parsers of untrusted text.
pub use hangar_parse::registration;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Declares a string-backed enum: serde names, `as_str`, `FromStr`, `Display`.
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:tt),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!("unknown {} `{other}`", stringify!($name))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

text_enum! {
    /// What a user may do. Moderators act on reports and listings; admins also manage users.
    Role { User = "user", Moderator = "moderator", Admin = "admin" }
}

text_enum! {
    /// Private sellers, or professionals (dealers, clubs, maintenance shops) shown with a badge
    /// and their company on their listings.
    AccountType { Private = "private", Professional = "professional" }
}

text_enum! {
    /// Language of the user's emails and interface.
    Locale { Fr = "fr", En = "en" }
}

text_enum! {
    /// Account state. Suspended users cannot log in and their tokens are dead; deleted users'
    /// personal data is gone.
    UserStatus { Active = "active", Suspended = "suspended", Deleted = "deleted" }
}

text_enum! {
    /// What a personal access token may do.
    Scope {
        /// Read listings, including one's own drafts.
        ListingsRead = "listings:read",
        /// Create, edit and withdraw one's listings.
        ListingsWrite = "listings:write",
        /// Read and send messages.
        Messages = "messages",
        /// Read and edit one's profile (`/users/me`) and what it holds: favourites, saved
        /// searches, notifications.
        Account = "account"
    }
}

text_enum! {
    /// How often a saved search's new matches are mailed: `instant` (within minutes), `daily`,
    /// `weekly`, or `off` (the search is kept but paused: no matching, no notification).
    AlertFrequency { Instant = "instant", Daily = "daily", Weekly = "weekly", Off = "off" }
}

text_enum! {
    /// What a notification is about: `new_match` (a new listing matches a saved search),
    /// `price_drop` (a favourite's price went down), `new_message`, `listing_expiring` (one of
    /// your listings expires within a week), `listing_hidden` (a moderator hid one of yours),
    /// `listing_rejected` (a moderator refused to publish one of yours; `data.note` says why),
    /// `listing_restored` (a moderator put back one of yours they had hidden).
    NotificationKind {
        NewMatch = "new_match",
        PriceDrop = "price_drop",
        NewMessage = "new_message",
        ListingExpiring = "listing_expiring",
        ListingHidden = "listing_hidden",
        ListingRejected = "listing_rejected",
        ListingRestored = "listing_restored"
    }
}

text_enum! {
    /// Why a listing is reported: `scam`, `wrong_category`, `already_sold`, `duplicate`,
    /// `offensive`, or `other` (then a comment is required).
    ReportReason {
        Scam = "scam",
        WrongCategory = "wrong_category",
        AlreadySold = "already_sold",
        Duplicate = "duplicate",
        Offensive = "offensive",
        Other = "other"
    }
}

text_enum! {
    /// Where a report stands: `open` (waiting for a moderator) or `resolved`.
    ReportState { Open = "open", Resolved = "resolved" }
}

text_enum! {
    /// Where one of your reports stands, as its author sees it: `open` (waiting for a
    /// moderator), `dismissed` (a moderator found nothing to act on), `actioned` (a moderator
    /// acted on it: the listing was hidden or its seller suspended) or `withdrawn` (you took
    /// it back before a moderator dealt with it).
    ReportStatus {
        Open = "open",
        Dismissed = "dismissed",
        Actioned = "actioned",
        Withdrawn = "withdrawn"
    }
}

text_enum! {
    /// How a moderator resolves a listing's reports: `dismiss` (nothing wrong), `hide_listing`
    /// (taken off the site; its seller is told), `suspend_seller` (the seller's account is
    /// suspended, which takes all their listings off the site).
    ModerationAction {
        Dismiss = "dismiss",
        HideListing = "hide_listing",
        SuspendSeller = "suspend_seller"
    }
}

text_enum! {
    /// An action in the moderation audit log: how a report was resolved (`dismiss`,
    /// `hide_listing`, `suspend_seller`), a held listing approved (`approve_listing`) or
    /// rejected (`reject_listing`), a hidden listing put back (`unhide_listing`), the
    /// administrators' account actions (`suspend_user`, `reinstate_user`, `change_role`), and
    /// what staff did to another member's listing through the listing routes
    /// (`listing_edited`, `listing_deleted`, `photo_added`, `photos_reordered`,
    /// `photo_removed`).
    AuditAction {
        Dismiss = "dismiss",
        HideListing = "hide_listing",
        SuspendSeller = "suspend_seller",
        ApproveListing = "approve_listing",
        RejectListing = "reject_listing",
        UnhideListing = "unhide_listing",
        SuspendUser = "suspend_user",
        ReinstateUser = "reinstate_user",
        ChangeRole = "change_role",
        ListingEdited = "listing_edited",
        ListingDeleted = "listing_deleted",
        PhotoAdded = "photo_added",
        PhotosReordered = "photos_reordered",
        PhotoRemoved = "photo_removed"
    }
}

text_enum! {
    /// Which attribute set listings of a category carry: an aircraft has hours and a
    /// registration, an engine a time since overhaul, a hangar a size and an airfield.
    AttributeGroup {
        Aircraft = "aircraft",
        Engine = "engine",
        Propeller = "propeller",
        Avionics = "avionics",
        Part = "part",
        Equipment = "equipment",
        Hangar = "hangar",
        Share = "share",
        Service = "service"
    }
}

text_enum! {
    /// What a make builds. A make may build several kinds (Pipistrel: aircraft, ULMs, gliders).
    MakeKind {
        Aircraft = "aircraft",
        Ulm = "ulm",
        Glider = "glider",
        Helicopter = "helicopter",
        Gyroplane = "gyroplane",
        Balloon = "balloon",
        Engine = "engine",
        Propeller = "propeller",
        Avionics = "avionics"
    }
}

impl Role {
    /// Whether this role includes `other` (admin ⊃ moderator ⊃ user).
    pub fn includes(self, other: Role) -> bool {
        let rank = |r: Role| match r {
            Role::User => 0,
            Role::Moderator => 1,
            Role::Admin => 2,
        };
        rank(self) >= rank(other)
    }
}

/// Emails are compared and stored trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for scope in Scope::ALL {
            assert_eq!(scope.as_str().parse::<Scope>().ok(), Some(*scope));
            let json = serde_json::to_string(scope).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", scope.as_str()));
        }
        assert!("superuser".parse::<Role>().is_err());
        assert!(Role::Admin.includes(Role::Moderator));
        assert!(!Role::User.includes(Role::Moderator));
        assert_eq!(
            normalise_email("  Jean.Dupont@Example.FR "),
            "jean.dupont@example.fr"
        );
    }
}
