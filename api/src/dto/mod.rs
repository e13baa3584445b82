//! API types: request and response bodies, kept apart from database rows. Their doc
//! comments are the schema descriptions of the OpenAPI document.

pub mod account;
pub mod admin;
pub mod auth;
pub mod auth_flows;
pub mod catalogue;
pub mod favorites;
pub mod listings;
pub mod messages;
pub mod moderation;
pub mod notifications;
pub mod reports;
pub mod saved_searches;
pub mod search;
pub mod tokens;
pub mod users;

use serde::{Deserialize, Deserializer};
use validator::ValidationError;

/// For PATCH bodies: a missing field is `None` (with `#[serde(default)]`), an explicit `null`
/// is `Some(None)`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// Trims surrounding white space while deserialising, so the rules check what is stored.
pub fn trimmed<'de, D: Deserializer<'de>>(de: D) -> Result<String, D::Error> {
    String::deserialize(de).map(|s| s.trim().to_owned())
}

/// [`trimmed`] for optional fields (use with `#[serde(default)]`).
pub fn trimmed_option<'de, D: Deserializer<'de>>(de: D) -> Result<Option<String>, D::Error> {
    Option::<String>::deserialize(de).map(|o| o.map(|s| s.trim().to_owned()))
}

/// [`trimmed`] for PATCH fields: a missing field is `None` (with `#[serde(default)]`), an
/// explicit `null` is `Some(None)`.
pub fn trimmed_double_option<'de, D: Deserializer<'de>>(
    de: D,
) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(de).map(|o| Some(o.map(|s| s.trim().to_owned())))
}

/// Display names: 2–60 characters once trimmed, no control characters.
pub fn display_name(value: &str) -> Result<(), ValidationError> {
    let trimmed = value.trim();
    let len = trimmed.chars().count();
    if !(2..=60).contains(&len) {
        return Err(
            ValidationError::new("length").with_message("must be 2 to 60 characters".into())
        );
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::new("chars")
            .with_message("must not contain control characters".into()));
    }
    Ok(())
}

/// Phone numbers as people type them: optional `+`, digits, spaces, dots, dashes, brackets;
/// 6 to 20 digits.
pub fn phone(value: &str) -> Result<(), ValidationError> {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let allowed = v
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || " .-()".contains(c) || (c == '+' && i == 0));
    if allowed
        && (6..=20).contains(&digits)
        && v.len() <= 24
        && !value.chars().any(char::is_control)
    {
        Ok(())
    } else {
        Err(ValidationError::new("phone")
            .with_message("must be a phone number such as +33 6 12 34 56 78".into()))
    }
}

/// Free single-line text (company names, registration numbers): no control characters.
pub fn single_line(value: &str) -> Result<(), ValidationError> {
    if value.chars().any(char::is_control) {
        Err(ValidationError::new("chars").with_message("must be a single line of text".into()))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers() {
        for ok in [
            "+33 6 12 34 56 78",
            "06.12.34.56.78",
            "+41 (0)79 123 45 67",
            "0612345678",
        ] {
            assert!(phone(ok).is_ok(), "{ok}");
        }
        for bad in [
            "12345",
            "call me",
            "+33 6 12 34 56 78 90 12 34 56",
            "06+12345678",
            "0612345678\n",
        ] {
            assert!(phone(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn display_names() {
        assert!(display_name("Aéroclub de Chartres").is_ok());
        assert!(display_name(" J ").is_err());
        assert!(display_name("a\u{0007}bc").is_err());
        assert!(display_name(&"x".repeat(61)).is_err());
    }
}
