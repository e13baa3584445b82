//! Request ids, the access log and the log format.
//!
//! Every request gets an id (the client's `X-Request-Id` when it is sane, else a fresh UUID v7),
//! echoed in the response and written in every log line produced while serving it, including
//! lines logged from the blocking database pool (see [`crate::db::run`]).

use std::cell::RefCell;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};

use crate::error::ApiError;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest accepted request target (path + query). Far above any legitimate search URL,
/// far below what would let one request hold much memory.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// What identifies the request being served, for logs and problem documents.
#[derive(Clone, Debug)]
pub struct RequestContext {
    pub id: Arc<str>,
    /// The path without the query string (which may carry tokens).
    pub path: Arc<str>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

thread_local! {
    static BLOCKING: RefCell<Option<RequestContext>> = const { RefCell::new(None) };
}

/// The request being served on this task or blocking thread, if any.
pub fn current() -> Option<RequestContext> {
    CURRENT
        .try_with(Clone::clone)
        .ok()
        .or_else(|| BLOCKING.with(|c| c.borrow().clone()))
}

/// Runs `f` (on a blocking thread) with `ctx` as the current request, so its log lines carry
/// the request id.
pub fn with_blocking_context<R>(ctx: Option<RequestContext>, f: impl FnOnce() -> R) -> R {
    BLOCKING.with(|c| *c.borrow_mut() = ctx);
    let out = f();
    BLOCKING.with(|c| *c.borrow_mut() = None);
    out
}

/// Accepts a client id of 1 to 64 characters from `[A-Za-z0-9._:-]`; anything else is replaced,
/// so ids cannot inject text into logs.
fn accepted_request_id(value: Option<&HeaderValue>) -> Option<String> {
    let v = value?.to_str().ok()?;
    let ok = (1..=64).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    ok.then(|| v.to_owned())
}

/// The outermost middleware: request id, URI limit, access log.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody + 'static>>, Error> {
    let started = Instant::now();
    let id = accepted_request_id(req.headers().get(&REQUEST_ID_HEADER))
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let ctx = RequestContext {
        id: id.clone().into(),
        path: req.path().into(),
    };
    let method = req.method().clone();
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    req.extensions_mut().insert(ctx.clone());

    let result = CURRENT
        .scope(ctx.clone(), async move {
            if uri_len > MAX_URI_BYTES {
                let res = ApiError::UriTooLong {
                    limit: MAX_URI_BYTES,
                }
                .error_response();
                return Ok(req.into_response(res).map_into_right_body());
            }
            next.call(req)
                .await
                .map(ServiceResponse::map_into_left_body)
        })
        .await;

    let mut res = match result {
        Ok(res) => res,
        Err(err) => {
            log::info!(
                target: "hangar::access",
                "rid={id} {method} {} {} {}ms",
                ctx.path,
                err.as_response_error().status_code().as_u16(),
                started.elapsed().as_millis()
            );
            return Err(err);
        }
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        res.headers_mut().insert(REQUEST_ID_HEADER, v);
    }
    let status = res.status().as_u16();
    let elapsed = started.elapsed().as_millis();
    // The access line is written here, outside the task-local scope, so it names the id itself.
    log::info!(target: "hangar::access", "rid={id} {method} {} {status} {elapsed}ms", ctx.path);
    Ok(res)
}

/// Headers every response carries.
pub fn security_headers() -> actix_web::middleware::DefaultHeaders {
    actix_web::middleware::DefaultHeaders::new()
        .add((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .add((header::REFERRER_POLICY, "strict-origin-when-cross-origin"))
        .add((header::X_FRAME_OPTIONS, "DENY"))
}

/// Installs the global logger: `RUST_LOG` filters (default `info`), one line per record with
/// the request id when there is one.
pub fn init_logging() {
    let env = env_logger::Env::default().default_filter_or("info,actix_server=warn");
    let _ = env_logger::Builder::from_env(env)
        .format(|buf, record| {
            let ts = buf.timestamp_millis();
            match current() {
                Some(ctx) => writeln!(
                    buf,
                    "{ts} {:<5} {} rid={} {}",
                    record.level(),
                    record.target(),
                    ctx.id,
                    record.args()
                ),
                None => writeln!(
                    buf,
                    "{ts} {:<5} {} {}",
                    record.level(),
                    record.target(),
                    record.args()
                ),
            }
        })
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_request_ids_are_sanitised() {
        let cases: &[(&str, bool, &str)] = &[
            ("abc-123", true, "plain id"),
            ("0193b9a4-2f7c-7d1e-9a53-5c1f0b7f6c21", true, "uuid"),
            ("", false, "empty"),
            ("a b", false, "space"),
            ("line\\nbreak", false, "backslash"),
            (&"x".repeat(65), false, "too long"),
        ];
        for (value, accepted, why) in cases {
            let hv = HeaderValue::from_str(value).ok();
            assert_eq!(
                accepted_request_id(hv.as_ref()).is_some(),
                *accepted,
                "{why}"
            );
        }
    }

    #[test]
    fn blocking_context_is_visible_then_cleared() {
        let ctx = RequestContext {
            id: "rid-1".into(),
            path: "/x".into(),
        };
        let seen = with_blocking_context(Some(ctx), || current().map(|c| c.id.to_string()));
        assert_eq!(seen.as_deref(), Some("rid-1"));
        assert!(current().is_none());
    }
}
