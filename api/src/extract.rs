//! Request extractors that validate at the edge, and the error handlers that put actix's own
//! extractor errors (JSON, query string, path) into the problem+json envelope.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::header;
use actix_web::web::{Bytes, JsonConfig, PathConfig, QueryConfig};
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::error::{ApiError, FieldErrors};

/// Largest JSON body any endpoint reads (photo uploads have their own limit).
pub const JSON_LIMIT_BYTES: usize = 64 * 1024;

/// A JSON body, deserialised strictly and validated with `validator` before the handler runs.
///
/// - wrong or missing `Content-Type` → 415;
/// - over [`JSON_LIMIT_BYTES`] → 413 (checked on `Content-Length` first, then while reading);
/// - not JSON, invalid UTF-8, nesting deeper than 128 levels → 400;
/// - a NUL character in any string or object key (PostgreSQL text cannot hold it) → 422
///   naming every such field;
/// - valid JSON of the wrong shape (unknown or missing field, wrong type) → 422 naming the field;
/// - values breaking the DTO's `validator` rules → 422 with every field's messages.
#[derive(Debug)]
pub struct ValidJson<T>(pub T);

/// Rules that span several fields (or need more than one field's value), checked together
/// with the per-field `validator` rules so a client learns every problem in one answer.
pub trait CrossCheck {
    fn cross_check(&self) -> FieldErrors {
        FieldErrors::new()
    }
}

/// Runs the `validator` rules and [`CrossCheck`], merging their messages per field.
pub fn check_all<T: Validate + CrossCheck>(value: &T) -> Result<(), ApiError> {
    let mut errors = match value.validate() {
        Ok(()) => FieldErrors::new(),
        Err(e) => validation_errors(&e),
    };
    for (field, messages) in value.cross_check() {
        errors.entry(field).or_default().extend(messages);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

impl<T> FromRequest for ValidJson<T>
where
    T: DeserializeOwned + Validate + CrossCheck + 'static,
{
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_json_content_type);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let body = Bytes::from_request(req, payload);
        Box::pin(async move {
            if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType {
                    expected: "application/json",
                });
            }
            if declared_len.is_some_and(|n| n > JSON_LIMIT_BYTES) {
                return Err(ApiError::PayloadTooLarge {
                    limit: JSON_LIMIT_BYTES,
                });
            }
            let bytes = body.await.map_err(|e| match e.as_error::<PayloadError>() {
                Some(PayloadError::Overflow) => ApiError::PayloadTooLarge {
                    limit: JSON_LIMIT_BYTES,
                },
                _ => ApiError::BadRequest("The request body could not be read.".into()),
            })?;
            let value = parse_json::<T>(&bytes)?;
            check_all(&value)?;
            Ok(ValidJson(value))
        })
    }
}

/// A query string, deserialised strictly (unknown parameters are a 422) and validated.
#[derive(Debug)]
pub struct ValidQuery<T>(pub T);

impl<T> FromRequest for ValidQuery<T>
where
    T: DeserializeOwned + Validate + 'static,
{
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()).map(ValidQuery))
    }
}

/// Reads and validates a query string as [`ValidQuery`] does (also used by `api search-sql`).
pub fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<T, ApiError> {
    let value = serde_urlencoded_query::<T>(query)?;
    value
        .validate()
        .map_err(|e| ApiError::validation(validation_errors(&e)))?;
    Ok(value)
}

fn serde_urlencoded_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    // PostgreSQL text cannot hold NUL: refuse it here, naming the parameter, rather than let
    // the query fail in the database (a 500).
    if let Some((name, _)) = form_urlencoded::parse(query.as_bytes())
        .find(|(name, value)| name.contains('\0') || value.contains('\0'))
    {
        return Err(ApiError::field(name.replace('\0', ""), NUL_MESSAGE));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        match serde_message_field(&message) {
            Some(f) => ApiError::field(f, message),
            None if path != "." => ApiError::field(path, message),
            None => ApiError::field("query", message),
        }
    })
}

fn query_error(err: QueryPayloadError) -> ApiError {
    match err {
        QueryPayloadError::Deserialize(e) => {
            let message = e.to_string();
            let field = serde_message_field(&message).unwrap_or_else(|| "query".to_owned());
            ApiError::field(field, message)
        }
        _ => ApiError::BadRequest("The query string could not be read.".into()),
    }
}

/// `application/json` or any `+json` type, with or without parameters.
pub fn is_json_content_type(value: &str) -> bool {
    let essence = value
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/json"
        || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// Strict JSON parsing with the path of the offending field in the error.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // Two steps, so that only unreadable input is a 400: serde_json reports some shape
    // errors (a number where an enum goes) as syntax errors when deserialising directly.
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::BadRequest(format!("The body is not valid JSON: {e}.")))?;
    refuse_nul_characters(bytes, &value)?;
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        field_error(path, strip_position(&err.into_inner().to_string()))
    })
}

/// The message for a NUL character, in a query parameter or anywhere in a JSON body.
const NUL_MESSAGE: &str = "must not contain NUL characters";

/// PostgreSQL text cannot hold NUL: a body carrying one (in any string, object keys included,
/// free-form attributes too) is a 422 naming every such field, rather than a 500 when the
/// insert fails. Checked on the parsed value, before the DTO, so no DTO can forget it.
fn refuse_nul_characters(bytes: &[u8], value: &serde_json::Value) -> Result<(), ApiError> {
    // JSON can only carry NUL as the escape `\u0000` (raw control characters are a syntax
    // error), so most bodies need no walk at all.
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return Ok(());
    }
    let mut errors = FieldErrors::new();
    find_nul_characters(value, "", &mut errors);
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::validation(errors))
    }
}

/// Adds the path of every string containing NUL under `value` (at `path`, in the notation of
/// the other field errors: `attributes.engine`, `avionics[2]`) to `out`.
fn find_nul_characters(value: &serde_json::Value, path: &str, out: &mut FieldErrors) {
    use serde_json::Value;
    fn flag(path: &str, out: &mut FieldErrors) {
        let field = if path.is_empty() { "body" } else { path };
        // Once per field, even when both a key and its value hold NUL.
        let messages = out.entry(field.to_owned()).or_default();
        if messages.is_empty() {
            messages.push(NUL_MESSAGE.to_owned());
        }
    }
    match value {
        Value::String(s) if s.contains('\0') => flag(path, out),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                find_nul_characters(item, &format!("{path}[{index}]"), out);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                // Named without the NUL, as for query parameters: the client sees which key.
                let name = key.replace('\0', "");
                let child = if path.is_empty() {
                    name
                } else {
                    format!("{path}.{name}")
                };
                if key.contains('\0') {
                    flag(&child, out);
                }
                find_nul_characters(item, &child, out);
            }
        }
        _ => {}
    }
}

/// A 422 for a shape error at `path` (serde_path_to_error's notation, `.` for the root).
fn field_error(path: String, message: String) -> ApiError {
    // Unknown fields are already the last path segment; missing ones are not.
    let field = match serde_message_field(&message) {
        Some(f) if path == "." => f,
        Some(f) if path != f && !path.ends_with(&format!(".{f}")) => format!("{path}.{f}"),
        _ if path == "." => "body".to_owned(),
        _ => path,
    };
    ApiError::field(field, message)
}

/// serde_json appends " at line 1 column 9" to data errors; the field path says more.
fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// The field named by serde's "unknown field `x`" / "missing field `x`" messages: for those the
/// path points at the enclosing object, the name is in the message.
fn serde_message_field(message: &str) -> Option<String> {
    let rest = message
        .strip_prefix("unknown field `")
        .or_else(|| message.strip_prefix("missing field `"))?;
    rest.split('`').next().map(str::to_owned)
}

/// Flattens `validator`'s nested errors into `{"a.b[0].c": ["message"]}`.
pub fn validation_errors(errors: &ValidationErrors) -> FieldErrors {
    let mut out = FieldErrors::new();
    collect(errors, "", &mut out);
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut FieldErrors) {
    let join = |name: &str| {
        if prefix.is_empty() {
            name.to_owned()
        } else {
            format!("{prefix}.{name}")
        }
    };
    for (field, kind) in errors.errors() {
        let key = if field == "__all__" {
            prefix.to_owned()
        } else {
            join(field)
        };
        let key = if key.is_empty() {
            "body".to_owned()
        } else {
            key
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                let messages = out.entry(key).or_default();
                messages.extend(list.iter().map(describe));
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &key, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    collect(inner, &format!("{key}[{index}]"), out);
                }
            }
        }
    }
}

/// The DTO's own message when it has one, else a sentence built from the rule and its bounds.
fn describe(err: &validator::ValidationError) -> String {
    if let Some(message) = &err.message {
        return message.to_string();
    }
    let param = |name: &str| {
        err.params
            .get(name)
            .map(|v| v.to_string().trim_matches('"').to_owned())
    };
    match err.code.as_ref() {
        "length" => match (param("min"), param("max"), param("equal")) {
            (_, _, Some(eq)) => format!("must be exactly {eq} characters"),
            (Some(min), Some(max), _) => format!("must be {min} to {max} characters"),
            (Some(min), None, _) => format!("must be at least {min} characters"),
            (None, Some(max), _) => format!("must be at most {max} characters"),
            _ => "has the wrong length".to_owned(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".to_owned(),
        },
        "email" => "must be a valid email address".to_owned(),
        "url" => "must be a valid URL".to_owned(),
        "required" => "is required".to_owned(),
        "regex" => "has an invalid format".to_owned(),
        code => format!("is invalid ({code})"),
    }
}

/// For handlers that take actix's `web::Json`: same envelope and limits as [`ValidJson`].
pub fn json_config() -> JsonConfig {
    JsonConfig::default()
        .limit(JSON_LIMIT_BYTES)
        .content_type(|mime| is_json_content_type(mime.essence_str()))
        .error_handler(|err, _req| {
            match err {
                JsonPayloadError::OverflowKnownLength { .. }
                | JsonPayloadError::Overflow { .. } => ApiError::PayloadTooLarge {
                    limit: JSON_LIMIT_BYTES,
                },
                JsonPayloadError::ContentType => ApiError::UnsupportedMediaType {
                    expected: "application/json",
                },
                JsonPayloadError::Deserialize(e)
                    if e.classify() == serde_json::error::Category::Data =>
                {
                    ApiError::field("body", strip_position(&e.to_string()))
                }
                JsonPayloadError::Deserialize(e) => {
                    ApiError::BadRequest(format!("The body is not valid JSON: {e}."))
                }
                JsonPayloadError::Payload(PayloadError::Overflow) => ApiError::PayloadTooLarge {
                    limit: JSON_LIMIT_BYTES,
                },
                _ => ApiError::BadRequest("The request body could not be read.".into()),
            }
            .into()
        })
}

/// Query strings: unknown or malformed parameters are a 422 naming the parameter, never ignored.
pub fn query_config() -> QueryConfig {
    QueryConfig::default().error_handler(|err, _req| query_error(err).into())
}

/// Path parameters that do not parse (e.g. an id that is not a UUID).
pub fn path_config() -> PathConfig {
    PathConfig::default().error_handler(|err, _req| {
        let detail = match &err {
            PathError::Deserialize(e) => format!("Invalid path parameter: {e}."),
            _ => "Invalid path parameter.".to_owned(),
        };
        ApiError::BadRequest(detail).into()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;
    use serde::Deserialize;

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[validate(length(min = 5, max = 120))]
        title: String,
        #[validate(range(min = 1900, max = 2100))]
        year: i32,
        #[validate(nested)]
        #[serde(default)]
        engine: Option<Engine>,
    }

    impl CrossCheck for Sample {}

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    struct Engine {
        #[validate(range(min = 0.0, max = 100000.0))]
        hours: f64,
    }

    async fn extract(
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Result<ValidJson<Sample>, ApiError> {
        let mut req = TestRequest::post().uri("/x");
        if let Some(ct) = content_type {
            req = req.insert_header((header::CONTENT_TYPE, ct));
        }
        let (req, mut payload) = req.set_payload(body).to_http_parts();
        ValidJson::<Sample>::from_request(&req, &mut payload).await
    }

    #[actix_web::test]
    async fn bad_bodies_get_the_right_status() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let huge = format!(
            "{{\"title\":\"{}\",\"year\":2000}}",
            "a".repeat(10 * 1024 * 1024)
        );
        let cases: Vec<(Option<&str>, Vec<u8>, u16, &str)> = vec![
            (
                Some("application/json"),
                b"{\"title\":".to_vec(),
                400,
                "truncated JSON",
            ),
            (
                Some("application/json"),
                b"not json".to_vec(),
                400,
                "not JSON at all",
            ),
            (
                Some("application/json"),
                b"{\"title\":\"\xff\xfe\",\"year\":2000}".to_vec(),
                400,
                "invalid UTF-8",
            ),
            (
                Some("application/json"),
                format!("{{\"title\":\"Robin DR400\",\"year\":{deep}}}").into_bytes(),
                400,
                "nested 10,000 levels (recursion limit)",
            ),
            (
                Some("application/json"),
                huge.into_bytes(),
                413,
                "10 MB body",
            ),
            (
                Some("text/plain"),
                b"{}".to_vec(),
                415,
                "wrong content type",
            ),
            (None, b"{}".to_vec(), 415, "no content type"),
            (
                Some("application/json"),
                b"{\"title\":\"Robin DR400\",\"year\":\"old\"}".to_vec(),
                422,
                "wrong type",
            ),
            (
                Some("application/json"),
                b"{\"title\":\"Robin DR400\",\"year\":1999,\"colour\":1}".to_vec(),
                422,
                "unknown field",
            ),
            (
                Some("application/json"),
                b"{\"title\":\"DR4\",\"year\":1850}".to_vec(),
                422,
                "validator rules",
            ),
        ];
        for (ct, body, status, why) in cases {
            let err = extract(ct, body).await.expect_err(why);
            assert_eq!(
                actix_web::ResponseError::status_code(&err).as_u16(),
                status,
                "{why}: {err}"
            );
        }
    }

    #[test]
    fn free_form_json_stops_at_the_recursion_limit() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = parse_json::<serde_json::Value>(deep.as_bytes()).expect_err("too deep");
        assert_eq!(
            actix_web::ResponseError::status_code(&err).as_u16(),
            400,
            "{err}"
        );
    }

    #[actix_web::test]
    async fn field_errors_name_every_field() {
        let err = extract(
            Some("application/json; charset=utf-8"),
            br#"{"title":"DR4","year":1850,"engine":{"hours":-1}}"#.to_vec(),
        )
        .await
        .expect_err("invalid values");
        let problem = err.problem();
        assert_eq!(problem.errors["title"], vec!["must be 5 to 120 characters"]);
        assert_eq!(
            problem.errors["year"],
            vec!["must be between 1900 and 2100"]
        );
        assert_eq!(
            problem.errors["engine.hours"],
            vec!["must be between 0.0 and 100000.0"]
        );
    }

    #[actix_web::test]
    async fn shape_errors_name_the_field() {
        let cases: &[(&[u8], &str, &str)] = &[
            (
                br#"{"title":"Robin DR400","year":"old"}"#,
                "year",
                "wrong type",
            ),
            (
                br#"{"title":"Robin DR400","year":1999,"colour":1}"#,
                "colour",
                "unknown field",
            ),
            (br#"{"year":1999}"#, "title", "missing field"),
            (
                br#"{"title":"Robin DR400","year":1999,"engine":{"hours":"x"}}"#,
                "engine.hours",
                "nested",
            ),
        ];
        for (body, field, why) in cases {
            let err = extract(Some("application/json"), body.to_vec())
                .await
                .expect_err(why);
            let problem = err.problem();
            assert!(
                problem.errors.contains_key(*field),
                "{why}: {:?}",
                problem.errors
            );
        }
    }

    #[actix_web::test]
    async fn nul_characters_anywhere_in_a_body_are_a_422_naming_the_field() {
        let cases: &[(&[u8], &[&str], &str)] = &[
            (
                br#"{"title":"Robin\u0000 DR400","year":1999}"#,
                &["title"],
                "top-level value",
            ),
            (
                br#"{"title":"Robin DR400","year":1999,"engine":{"hours":1,"no\u0000te":"x"}}"#,
                &["engine.note"],
                "nested key, named without the NUL (an unknown field too)",
            ),
            (
                br#"{"ti\u0000tle":"Robin\u0000","year":1999}"#,
                &["title"],
                "key and value: one field, one message",
            ),
            (
                br#"{"title":"\u0000","year":"\u0000"}"#,
                &["title", "year"],
                "every field at once, even one of the wrong type",
            ),
        ];
        for (body, fields, why) in cases {
            let err = extract(Some("application/json"), body.to_vec())
                .await
                .expect_err(why);
            let problem = err.problem();
            let named: Vec<&str> = problem.errors.keys().map(String::as_str).collect();
            assert_eq!(named, *fields, "{why}");
            for messages in problem.errors.values() {
                assert_eq!(messages, &vec![NUL_MESSAGE.to_owned()], "{why}");
            }
        }
        let free_form = parse_json::<serde_json::Value>(br#"{"a":[1,{"b":["x","\u0000"]}]}"#)
            .expect_err("NUL in an array");
        assert!(
            free_form.problem().errors.contains_key("a[1].b[1]"),
            "{:?}",
            free_form.problem().errors
        );
        let root = parse_json::<String>(br#""\u0000""#).expect_err("NUL in a bare string");
        assert!(root.problem().errors.contains_key("body"));
    }

    #[actix_web::test]
    async fn an_escaped_backslash_before_u0000_is_not_a_nul() -> Result<(), ApiError> {
        let ValidJson(s) = extract(
            Some("application/json"),
            br#"{"title":"C:\\u0000 is fine","year":1978}"#.to_vec(),
        )
        .await?;
        assert_eq!(s.title, "C:\\u0000 is fine");
        Ok(())
    }

    #[derive(Debug, Deserialize, Validate)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Params {
        q: Option<String>,
        limit: Option<u32>,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let cases = [
            ("q=x&limit=ten", "limit", "a value that does not parse"),
            ("limit=-1", "limit", "a negative number"),
            ("q=x&colour=red", "colour", "an unknown parameter"),
        ];
        for (query, field, why) in cases {
            let err = serde_urlencoded_query::<Params>(query).expect_err(why);
            assert!(err.problem().errors.contains_key(field), "{why}: {err:?}");
        }
    }

    #[actix_web::test]
    async fn valid_body_passes() -> Result<(), ApiError> {
        let ValidJson(s) = extract(
            Some("application/vnd.hangar+json"),
            br#"{"title":"Robin DR400-140B","year":1978}"#.to_vec(),
        )
        .await?;
        assert_eq!(s.title, "Robin DR400-140B");
        assert_eq!(s.year, 1978);
        Ok(())
    }
}
