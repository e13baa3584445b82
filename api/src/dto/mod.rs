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

/// Declares a query-string DTO (strict: unknown parameters are a 422) whose fields end with the
/// paging pair every list shares: `limit` (1–100) and `cursor` (the previous page's
/// `next_cursor`, at most 200 characters). Not a shared struct under `#[serde(flatten)]`: serde
/// does not support `deny_unknown_fields` with `flatten`, flattened fields of a query string
/// arrive as strings (so `limit=5` no longer parses as a number), and utoipa's `IntoParams`
/// does not expand flattened fields into parameters (juhaku/utoipa#841).
/// `limit_doc = "…";` before the struct replaces the description of `limit`, for lists whose
/// default page size is not 20.
macro_rules! paged_query {
    (
        @emit $limit_doc:literal;
        $(#[$meta:meta])*
        $vis:vis struct $name:ident {
            $($(#[$field_meta:meta])* $field_vis:vis $field:ident : $ty:ty),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, ::serde::Deserialize, ::validator::Validate, ::utoipa::IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        $vis struct $name {
            $($(#[$field_meta])* $field_vis $field: $ty,)*
            #[doc = $limit_doc]
            #[validate(range(min = 1, max = 100))]
            #[param(minimum = 1, maximum = 100)]
            pub limit: Option<u32>,
            /// `next_cursor` of the previous page.
            #[validate(length(max = 200))]
            #[param(max_length = 200)]
            pub cursor: Option<String>,
        }
    };
    (limit_doc = $limit_doc:literal; $($rest:tt)*) => {
        $crate::dto::paged_query! { @emit $limit_doc; $($rest)* }
    };
    ($($rest:tt)*) => {
        $crate::dto::paged_query! { @emit "1–100 (default 20)."; $($rest)* }
    };
}
pub(crate) use paged_query;

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

    paged_query! {
        /// A list with a filter of its own.
        struct Sample {
            kind: Option<String>,
        }
    }

    #[test]
    fn paged_queries_check_the_shared_pair_and_refuse_unknown_parameters() {
        let ok: Sample = crate::extract::parse_query("kind=glider&limit=100&cursor=abc")
            .unwrap_or_else(|e| panic!("valid query: {e:?}"));
        assert_eq!(ok.kind.as_deref(), Some("glider"));
        assert_eq!((ok.limit, ok.cursor.as_deref()), (Some(100), Some("abc")));

        let long_cursor = format!("cursor={}", "a".repeat(201));
        for (query, field) in [
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            (long_cursor.as_str(), "cursor"),
            ("page=2", "page"),
        ] {
            let err = crate::extract::parse_query::<Sample>(query).expect_err(query);
            assert!(
                err.problem().errors.contains_key(field),
                "{query}: {:?}",
                err.problem().errors
            );
        }
    }

    #[test]
    fn paged_queries_document_the_pair_after_their_own_parameters() {
        use utoipa::IntoParams;
        let params = Sample::into_params(|| None);
        let names: Vec<&str> = params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["kind", "limit", "cursor"]);
        let limit = &params[1];
        assert_eq!(limit.description.as_deref(), Some("1–100 (default 20)."));
    }

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
