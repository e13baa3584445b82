//! The one error type of the API and its RFC 9457 `application/problem+json` rendering.
//!
//! Every failure a client can see goes through [`ApiError`]: handler errors, extractor errors
//! (bad JSON, query or path, see [`crate::extract`]), unknown routes and database failures.
//! Causes of 5xx answers are logged with the request id and never sent to the client.

use std::collections::BTreeMap;
use std::fmt;

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::telemetry;

/// Content type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client should wait before retrying after a 503.
pub const RETRY_AFTER_SECS: u32 = 2;

/// Per-field messages: `{"title": ["must be 5 to 120 characters"]}`. Nested fields use dotted
/// paths (`attributes.year`), list items an index (`photos[2]`).
pub type FieldErrors = BTreeMap<String, Vec<String>>;

/// An RFC 9457 problem document, the body of every error response.
///
/// `type` is stable and identifies the kind of error: program against it, not against
/// `title` or `detail`, which are for people and may be reworded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:hangar:problem:validation",
    "title": "Invalid input",
    "status": 422,
    "detail": "2 fields are invalid.",
    "instance": "/api/v1/auth/register",
    "request_id": "0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21",
    "errors": {"email": ["must be a valid email address"], "password": ["must be at least 10 characters"]}
}))]
pub struct Problem {
    /// Stable identifier of the error kind, one of the `urn:hangar:problem:*` values listed in
    /// the API description.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short human summary of the kind of error.
    pub title: String,
    /// The HTTP status code, repeated for convenience.
    pub status: u16,
    /// Human explanation of this occurrence.
    pub detail: String,
    /// The path of the request that failed (no query string).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    /// The request id, also in the `X-Request-Id` response header and in the server logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// Messages per input field; empty when the error is not about a particular field.
    #[schema(value_type = std::collections::HashMap<String, Vec<String>>)]
    pub errors: FieldErrors,
}

/// Every kind of error the API reports, each with its status, `type` and title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemKind {
    BadRequest,
    Unauthorized,
    Forbidden,
    Validation,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    UriTooLong,
    HeadersTooLarge,
    TooManyRequests,
    PreconditionFailed,
    PreconditionRequired,
    ServiceUnavailable,
    Internal,
}

impl ProblemKind {
    pub const ALL: [ProblemKind; 16] = [
        ProblemKind::BadRequest,
        ProblemKind::Unauthorized,
        ProblemKind::Forbidden,
        ProblemKind::Validation,
        ProblemKind::NotFound,
        ProblemKind::MethodNotAllowed,
        ProblemKind::Conflict,
        ProblemKind::PayloadTooLarge,
        ProblemKind::UnsupportedMediaType,
        ProblemKind::UriTooLong,
        ProblemKind::HeadersTooLarge,
        ProblemKind::TooManyRequests,
        ProblemKind::PreconditionFailed,
        ProblemKind::PreconditionRequired,
        ProblemKind::ServiceUnavailable,
        ProblemKind::Internal,
    ];

    pub fn status(self) -> StatusCode {
        match self {
            ProblemKind::BadRequest => StatusCode::BAD_REQUEST,
            ProblemKind::Unauthorized => StatusCode::UNAUTHORIZED,
            ProblemKind::Forbidden => StatusCode::FORBIDDEN,
            ProblemKind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            ProblemKind::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            ProblemKind::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ProblemKind::Validation => StatusCode::UNPROCESSABLE_ENTITY,
            ProblemKind::NotFound => StatusCode::NOT_FOUND,
            ProblemKind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ProblemKind::Conflict => StatusCode::CONFLICT,
            ProblemKind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ProblemKind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ProblemKind::UriTooLong => StatusCode::URI_TOO_LONG,
            ProblemKind::HeadersTooLarge => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ProblemKind::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            ProblemKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The last segment of the stable `type` URN.
    pub fn slug(self) -> &'static str {
        match self {
            ProblemKind::BadRequest => "bad-request",
            ProblemKind::Unauthorized => "unauthorized",
            ProblemKind::Forbidden => "forbidden",
            ProblemKind::TooManyRequests => "too-many-requests",
            ProblemKind::PreconditionFailed => "precondition-failed",
            ProblemKind::PreconditionRequired => "precondition-required",
            ProblemKind::Validation => "validation",
            ProblemKind::NotFound => "not-found",
            ProblemKind::MethodNotAllowed => "method-not-allowed",
            ProblemKind::Conflict => "conflict",
            ProblemKind::PayloadTooLarge => "payload-too-large",
            ProblemKind::UnsupportedMediaType => "unsupported-media-type",
            ProblemKind::UriTooLong => "uri-too-long",
            ProblemKind::HeadersTooLarge => "headers-too-large",
            ProblemKind::ServiceUnavailable => "service-unavailable",
            ProblemKind::Internal => "internal",
        }
    }

    pub fn type_uri(self) -> String {
        format!("urn:hangar:problem:{}", self.slug())
    }

    pub fn title(self) -> &'static str {
        match self {
            ProblemKind::BadRequest => "Malformed request",
            ProblemKind::Unauthorized => "Authentication required",
            ProblemKind::Forbidden => "Forbidden",
            ProblemKind::TooManyRequests => "Too many requests",
            ProblemKind::PreconditionFailed => "Changed meanwhile",
            ProblemKind::PreconditionRequired => "If-Match required",
            ProblemKind::Validation => "Invalid input",
            ProblemKind::NotFound => "Not found",
            ProblemKind::MethodNotAllowed => "Method not allowed",
            ProblemKind::Conflict => "Conflict",
            ProblemKind::PayloadTooLarge => "Request body too large",
            ProblemKind::UnsupportedMediaType => "Unsupported media type",
            ProblemKind::UriTooLong => "URI too long",
            ProblemKind::HeadersTooLarge => "Request headers too large",
            ProblemKind::ServiceUnavailable => "Service temporarily unavailable",
            ProblemKind::Internal => "Internal server error",
        }
    }

    /// One line of documentation per kind, for the API description.
    pub fn description(self) -> &'static str {
        match self {
            ProblemKind::BadRequest => {
                "the request could not be read: malformed JSON, invalid UTF-8, bad path or query syntax"
            }
            ProblemKind::Unauthorized => {
                "no valid credentials: log in (or refresh the access token) and send `Authorization: Bearer ...`"
            }
            ProblemKind::Forbidden => {
                "authenticated, but not allowed: a role or token scope is missing, or the account is suspended"
            }
            ProblemKind::TooManyRequests => "too many attempts; retry after `Retry-After` seconds",
            ProblemKind::PreconditionFailed => {
                "`If-Match` names an older version: someone changed the object since you read it"
            }
            ProblemKind::PreconditionRequired => {
                "this change needs `If-Match` with the object's ETag, so concurrent edits cannot overwrite each other"
            }
            ProblemKind::Validation => {
                "the request was read but some values are not acceptable; `errors` says which and why"
            }
            ProblemKind::NotFound => {
                "no such route or object (also answered for objects you may not see)"
            }
            ProblemKind::MethodNotAllowed => {
                "the path exists but not with this method; the `Allow` header lists those it has"
            }
            ProblemKind::Conflict => {
                "the change conflicts with the current state, e.g. a unique value already taken"
            }
            ProblemKind::PayloadTooLarge => "the body is larger than the endpoint accepts",
            ProblemKind::UnsupportedMediaType => {
                "the body's `Content-Type` is not one the endpoint reads"
            }
            ProblemKind::UriTooLong => "the path and query string are longer than the API accepts",
            ProblemKind::HeadersTooLarge => {
                "the request headers (all together, or too many of them) are larger than the API accepts"
            }
            ProblemKind::ServiceUnavailable => {
                "a dependency (the database) is unavailable; retry after `Retry-After` seconds"
            }
            ProblemKind::Internal => {
                "an unexpected failure; the body says nothing more, quote `request_id` when reporting it"
            }
        }
    }
}

/// The error type of every handler and extractor.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("malformed request: {0}")]
    BadRequest(String),
    /// Missing, invalid, expired or revoked credentials.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Authenticated but not allowed.
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    #[error("precondition required: {0}")]
    PreconditionRequired(String),
    #[error("rate limited for {retry_after} s")]
    TooManyRequests { retry_after: u64 },
    #[error("validation failed: {detail}")]
    Validation { detail: String, errors: FieldErrors },
    #[error("not found: {0}")]
    NotFound(String),
    #[error("method not allowed")]
    MethodNotAllowed { allow: Vec<String> },
    #[error("conflict: {detail}")]
    Conflict { detail: String, errors: FieldErrors },
    #[error("payload larger than {limit} bytes")]
    PayloadTooLarge { limit: usize },
    #[error("unsupported media type, expected {expected}")]
    UnsupportedMediaType { expected: &'static str },
    #[error("URI longer than {limit} bytes")]
    UriTooLong { limit: usize },
    #[error("headers larger than {limit} bytes or more than {count} of them")]
    HeadersTooLarge { limit: usize, count: usize },
    /// A dependency is down. The cause is logged, never sent.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected state. The cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn kind(&self) -> ProblemKind {
        match self {
            ApiError::BadRequest(_) => ProblemKind::BadRequest,
            ApiError::Unauthorized(_) => ProblemKind::Unauthorized,
            ApiError::Forbidden(_) => ProblemKind::Forbidden,
            ApiError::TooManyRequests { .. } => ProblemKind::TooManyRequests,
            ApiError::PreconditionFailed(_) => ProblemKind::PreconditionFailed,
            ApiError::PreconditionRequired(_) => ProblemKind::PreconditionRequired,
            ApiError::Validation { .. } => ProblemKind::Validation,
            ApiError::NotFound(_) => ProblemKind::NotFound,
            ApiError::MethodNotAllowed { .. } => ProblemKind::MethodNotAllowed,
            ApiError::Conflict { .. } => ProblemKind::Conflict,
            ApiError::PayloadTooLarge { .. } => ProblemKind::PayloadTooLarge,
            ApiError::UnsupportedMediaType { .. } => ProblemKind::UnsupportedMediaType,
            ApiError::UriTooLong { .. } => ProblemKind::UriTooLong,
            ApiError::HeadersTooLarge { .. } => ProblemKind::HeadersTooLarge,
            ApiError::Unavailable(_) => ProblemKind::ServiceUnavailable,
            ApiError::Internal(_) => ProblemKind::Internal,
        }
    }

    /// A validation error about one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        let mut errors = FieldErrors::new();
        errors.insert(field.into(), vec![message.into()]);
        ApiError::validation(errors)
    }

    pub fn validation(errors: FieldErrors) -> Self {
        let detail = match errors.len() {
            1 => "1 field is invalid.".to_owned(),
            n => format!("{n} fields are invalid."),
        };
        ApiError::Validation { detail, errors }
    }

    pub fn internal(cause: impl fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    /// The problem document sent to the client: never the cause of a 5xx.
    pub fn problem(&self) -> Problem {
        let kind = self.kind();
        let (detail, errors) = match self {
            ApiError::BadRequest(d)
            | ApiError::NotFound(d)
            | ApiError::Unauthorized(d)
            | ApiError::Forbidden(d)
            | ApiError::PreconditionFailed(d)
            | ApiError::PreconditionRequired(d) => (d.clone(), FieldErrors::new()),
            ApiError::TooManyRequests { retry_after } => (
                format!("Too many attempts. Retry in {retry_after} seconds."),
                FieldErrors::new(),
            ),
            ApiError::Validation { detail, errors } | ApiError::Conflict { detail, errors } => {
                (detail.clone(), errors.clone())
            }
            ApiError::MethodNotAllowed { allow } => (
                format!("This path accepts only: {}.", allow.join(", ")),
                FieldErrors::new(),
            ),
            ApiError::PayloadTooLarge { limit } => (
                format!("The request body must not exceed {limit} bytes."),
                FieldErrors::new(),
            ),
            ApiError::UnsupportedMediaType { expected } => (
                format!("Send the body as `Content-Type: {expected}`."),
                FieldErrors::new(),
            ),
            ApiError::UriTooLong { limit } => (
                format!("The path and query string must not exceed {limit} bytes."),
                FieldErrors::new(),
            ),
            ApiError::HeadersTooLarge { limit, count } => (
                format!(
                    "The request headers must not exceed {limit} bytes in all, nor {count} headers."
                ),
                FieldErrors::new(),
            ),
            ApiError::Unavailable(_) => (
                "The database is unavailable or too slow right now. Please retry shortly.".to_owned(),
                FieldErrors::new(),
            ),
            ApiError::Internal(_) => (
                "Something went wrong on our side. It has been logged; quote the request id if you report it."
                    .to_owned(),
                FieldErrors::new(),
            ),
        };
        let ctx = telemetry::current();
        Problem {
            problem_type: kind.type_uri(),
            title: kind.title().to_owned(),
            status: kind.status().as_u16(),
            detail,
            instance: ctx.as_ref().map(|c| c.path.to_string()),
            request_id: ctx.map(|c| c.id.to_string()),
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.kind().status()
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => log::error!("internal error: {cause}"),
            ApiError::Unavailable(cause) => log::warn!("service unavailable: {cause}"),
            other => log::debug!("client error: {other}"),
        }
        let mut res = HttpResponse::build(self.status_code());
        res.insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
            .insert_header((header::CACHE_CONTROL, "no-store"));
        match self {
            ApiError::MethodNotAllowed { allow } => {
                res.insert_header((header::ALLOW, allow.join(", ")));
            }
            ApiError::Unavailable(_) => {
                res.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
            }
            ApiError::TooManyRequests { retry_after } => {
                res.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::Unauthorized(_) => {
                res.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"hangar\""));
            }
            _ => {}
        }
        // Serialising a struct of strings cannot fail; fall back to a fixed body if it ever did.
        let body = serde_json::to_vec(&self.problem()).unwrap_or_else(|_| {
            br#"{"type":"urn:hangar:problem:internal","title":"Internal server error","status":500,"detail":"","errors":{}}"#.to_vec()
        });
        res.body(body)
    }
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        match &err {
            DieselError::NotFound => ApiError::NotFound("No such object.".into()),
            DieselError::DatabaseError(kind, info) => {
                let constraint = info.constraint_name().unwrap_or_default();
                match kind {
                    DatabaseErrorKind::UniqueViolation => {
                        let (field, message) = unique_constraint_field(constraint);
                        let mut errors = FieldErrors::new();
                        if let Some(field) = field {
                            errors.insert(field.to_owned(), vec![message.to_owned()]);
                        }
                        ApiError::Conflict { detail: message.to_owned(), errors }
                    }
                    DatabaseErrorKind::ForeignKeyViolation => ApiError::Conflict {
                        detail: "The change refers to an object that does not exist, or the object is still in use."
                            .into(),
                        errors: FieldErrors::new(),
                    },
                    DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                        // The edge validation should have caught it; the constraint is the
                        // last line of defence, so say which rule without the SQL text.
                        log::warn!("constraint rejected a write that validation let through: {constraint}");
                        ApiError::Validation {
                            detail: format!("A value breaks the rule `{constraint}`."),
                            errors: FieldErrors::new(),
                        }
                    }
                    DatabaseErrorKind::ClosedConnection
                    | DatabaseErrorKind::UnableToSendCommand
                    | DatabaseErrorKind::SerializationFailure
                    | DatabaseErrorKind::ReadOnlyTransaction => ApiError::Unavailable(err.to_string()),
                    _ if is_transient_message(info.message()) => ApiError::Unavailable(err.to_string()),
                    _ => ApiError::Internal(format!("database error: {err}")),
                }
            }
            // The commit failed and so did the rollback: the connection is gone, and whether
            // the transaction was committed is unknown. A 503 tells the client to retry, which
            // `Idempotency-Key` makes safe; the commit error says whether it is a connection loss.
            DieselError::RollbackErrorOnCommit { commit_error, .. } => {
                match ApiError::from(clone_error(commit_error)) {
                    ApiError::Unavailable(_) => ApiError::Unavailable(err.to_string()),
                    _ => ApiError::Internal(format!("database error: {err}")),
                }
            }
            // The connection failed in the middle of a transaction and can no longer be used.
            DieselError::BrokenTransactionManager => ApiError::Unavailable(err.to_string()),
            _ => ApiError::Internal(format!("database error: {err}")),
        }
    }
}

/// Enough of a diesel error to classify it again (the kind and the message).
fn clone_error(err: &DieselError) -> DieselError {
    match err {
        DieselError::DatabaseError(kind, info) => {
            DieselError::DatabaseError(*kind, Box::new(info.message().to_owned()))
        }
        DieselError::BrokenTransactionManager => DieselError::BrokenTransactionManager,
        other => DieselError::QueryBuilderError(other.to_string().into()),
    }
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(err: diesel::r2d2::PoolError) -> Self {
        ApiError::Unavailable(format!("no database connection: {err}"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(err: actix_web::error::BlockingError) -> Self {
        ApiError::Unavailable(format!("blocking pool unavailable: {err}"))
    }
}

/// Messages PostgreSQL gives when the server goes away or cancels a statement: worth a retry.
fn is_transient_message(message: &str) -> bool {
    const TRANSIENT: [&str; 10] = [
        "canceling statement due to statement timeout",
        "terminating connection",
        "the database system is shutting down",
        "the database system is starting up",
        "server closed the connection",
        "connection to server",
        "no connection to the server",
        "could not send data to server",
        "could not receive data from server",
        "SSL SYSCALL error",
    ];
    TRANSIENT.iter().any(|m| message.contains(m))
}

/// The field a unique constraint guards and the message to show, so a conflict points at the
/// input the user can change. Constraints not listed give a generic message.
fn unique_constraint_field(constraint: &str) -> (Option<&'static str>, &'static str) {
    match constraint {
        "users_email_key" | "users_email_lower_idx" => {
            (Some("email"), "An account with this email already exists.")
        }
        "categories_slug_key" => (Some("slug"), "A category with this slug already exists."),
        _ => (None, "An object with the same unique value already exists."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::body::to_bytes;

    struct Info(&'static str, Option<&'static str>);
    impl diesel::result::DatabaseErrorInformation for Info {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            self.1
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn db_error(
        kind: DatabaseErrorKind,
        message: &'static str,
        constraint: Option<&'static str>,
    ) -> ApiError {
        DieselError::DatabaseError(kind, Box::new(Info(message, constraint))).into()
    }

    /// A real pool error: a pool pointed at a closed port, with a short timeout.
    fn pool_timeout() -> ApiError {
        use diesel::r2d2::{ConnectionManager, Pool};
        let pool: Pool<ConnectionManager<diesel::PgConnection>> = Pool::builder()
            .connection_timeout(std::time::Duration::from_millis(50))
            .build_unchecked(ConnectionManager::new(
                "postgres://postgres@127.0.0.1:1/none",
            ));
        match pool.get() {
            Ok(_) => ApiError::internal("a closed port accepted a connection"),
            Err(e) => e.into(),
        }
    }

    async fn render(
        err: ApiError,
    ) -> (
        StatusCode,
        actix_web::http::header::HeaderMap,
        serde_json::Value,
    ) {
        let res = err.error_response();
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = to_bytes(res.into_body()).await.unwrap_or_default();
        let body = serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null);
        (status, headers, body)
    }

    #[actix_web::test]
    async fn every_error_renders_a_problem_document() {
        let cases: Vec<(ApiError, u16, &str, &str)> = vec![
            (
                ApiError::BadRequest("Malformed JSON at line 1".into()),
                400,
                "bad-request",
                "malformed body",
            ),
            (
                ApiError::field("title", "must be 5 to 120 characters"),
                422,
                "validation",
                "validation",
            ),
            (
                ApiError::NotFound("No such listing.".into()),
                404,
                "not-found",
                "unknown object",
            ),
            (
                ApiError::MethodNotAllowed {
                    allow: vec!["GET".into()],
                },
                405,
                "method-not-allowed",
                "wrong method",
            ),
            (
                db_error(
                    DatabaseErrorKind::UniqueViolation,
                    "duplicate key value violates unique constraint \"users_email_key\"",
                    Some("users_email_key"),
                ),
                409,
                "conflict",
                "unique conflict",
            ),
            (
                ApiError::PayloadTooLarge { limit: 65536 },
                413,
                "payload-too-large",
                "body over the limit",
            ),
            (
                ApiError::UnsupportedMediaType {
                    expected: "application/json",
                },
                415,
                "unsupported-media-type",
                "wrong content type",
            ),
            (
                ApiError::UriTooLong { limit: 8192 },
                414,
                "uri-too-long",
                "huge query string",
            ),
            (
                ApiError::HeadersTooLarge {
                    limit: 16384,
                    count: 64,
                },
                431,
                "headers-too-large",
                "huge cookie",
            ),
            (
                db_error(
                    DatabaseErrorKind::ClosedConnection,
                    "server closed the connection unexpectedly",
                    None,
                ),
                503,
                "service-unavailable",
                "database gone",
            ),
            (pool_timeout(), 503, "service-unavailable", "pool exhausted"),
            (
                db_error(
                    DatabaseErrorKind::UnableToSendCommand,
                    "no connection to the server",
                    None,
                ),
                503,
                "service-unavailable",
                "connection lost before sending",
            ),
            (
                DieselError::RollbackErrorOnCommit {
                    rollback_error: Box::new(DieselError::DatabaseError(
                        DatabaseErrorKind::UnableToSendCommand,
                        Box::new("no connection to the server".to_owned()),
                    )),
                    commit_error: Box::new(DieselError::DatabaseError(
                        DatabaseErrorKind::ClosedConnection,
                        Box::new("server closed the connection unexpectedly".to_owned()),
                    )),
                }
                .into(),
                503,
                "service-unavailable",
                "connection lost during COMMIT (outcome unknown: retry with the key)",
            ),
            (
                DieselError::RollbackErrorOnCommit {
                    rollback_error: Box::new(DieselError::BrokenTransactionManager),
                    commit_error: Box::new(DieselError::DatabaseError(
                        DatabaseErrorKind::Unknown,
                        Box::new("syntax error".to_owned()),
                    )),
                }
                .into(),
                500,
                "internal",
                "a failed commit that is not a connection loss",
            ),
            (
                DieselError::BrokenTransactionManager.into(),
                503,
                "service-unavailable",
                "transaction state lost with the connection",
            ),
            (
                db_error(
                    DatabaseErrorKind::Unknown,
                    "canceling statement due to statement timeout",
                    None,
                ),
                503,
                "service-unavailable",
                "statement timeout",
            ),
            (
                db_error(
                    DatabaseErrorKind::Unknown,
                    "syntax error at or near \"SELCT\"",
                    None,
                ),
                500,
                "internal",
                "a bug",
            ),
        ];
        for (err, status, slug, why) in cases {
            let (got, headers, body) = render(err).await;
            assert_eq!(got.as_u16(), status, "{why}");
            assert_eq!(
                headers
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok()),
                Some(PROBLEM_JSON),
                "{why}"
            );
            assert_eq!(body["type"], format!("urn:hangar:problem:{slug}"), "{why}");
            assert_eq!(body["status"], status, "{why}");
            assert!(
                body["title"].as_str().is_some_and(|t| !t.is_empty()),
                "{why}"
            );
            assert!(
                body["detail"].as_str().is_some_and(|t| !t.is_empty()),
                "{why}"
            );
            assert!(body["errors"].is_object(), "{why}");
            let text = body.to_string();
            for leak in [
                "SELCT",
                "syntax error",
                "users_email_key\\\"",
                "server closed",
            ] {
                assert!(!text.contains(leak), "{why}: body leaks `{leak}`: {text}");
            }
        }
    }

    #[actix_web::test]
    async fn unique_conflict_points_at_the_field() {
        let (status, _, body) = render(db_error(
            DatabaseErrorKind::UniqueViolation,
            "duplicate key value violates unique constraint \"users_email_key\"",
            Some("users_email_key"),
        ))
        .await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert_eq!(
            body["errors"]["email"][0],
            "An account with this email already exists."
        );
    }

    #[actix_web::test]
    async fn unavailable_says_when_to_retry_and_405_lists_methods() {
        let (_, headers, _) = render(ApiError::Unavailable("pool timed out".into())).await;
        assert_eq!(
            headers
                .get(header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok()),
            Some("2")
        );
        let (_, headers, _) = render(ApiError::MethodNotAllowed {
            allow: vec!["GET".into(), "HEAD".into()],
        })
        .await;
        assert_eq!(
            headers.get(header::ALLOW).and_then(|v| v.to_str().ok()),
            Some("GET, HEAD")
        );
    }

    #[test]
    fn kinds_have_distinct_types() {
        let mut types: Vec<String> = ProblemKind::ALL.iter().map(|k| k.type_uri()).collect();
        types.sort();
        types.dedup();
        assert_eq!(types.len(), ProblemKind::ALL.len());
    }
}
