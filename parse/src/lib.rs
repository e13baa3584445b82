//! The parsers of untrusted text the API writes itself, apart from its heavy dependencies
//! (actix, diesel) so that `fuzz/` builds them in seconds: aircraft registrations, the
//! search box's syntax, and the opaque keyset cursors of lists and search.

pub mod cursor;
pub mod registration;
pub mod websearch;
