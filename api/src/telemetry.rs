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
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, HttpMessage, ResponseError};

use crate::error::ApiError;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Longest accepted request target (path + query). Far above any legitimate search URL,
/// far below what would let one request hold much memory.
pub const MAX_URI_BYTES: usize = 8 * 1024;

/// Largest accepted request head (every header name and value together). Browsers send a few
/// KB; cookies and tokens stay far below. The HTTP parser itself drops heads over 128 KB (or
/// with more than 96 headers) with a bare 431 before any of our code runs.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Most headers one request may carry.
pub const MAX_HEADER_COUNT: usize = 64;

/// The methods any route answers; anything else (`TRACE`, `CONNECT`, WebDAV verbs…) is a
/// 405 before routing.
const KNOWN_METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// `Content-Security-Policy` of the API's own answers (JSON, problems): nothing may load,
/// nothing may frame them.
pub const API_CSP: &str =
    "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// `Content-Security-Policy` of the API reference (`/docs/`, Swagger UI, served by the API
/// itself): its own scripts only (Swagger UI needs no inline script), the spec fetched from
/// the same origin, the `data:` icons of its stylesheet. Its React components set a few inline
/// styles (checked in a browser by the SPA's e2e tests), hence `'unsafe-inline'` for styles,
/// and for styles only.
pub const DOCS_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";

/// `Content-Security-Policy` of the SPA's HTML when the API serves it (`STATIC_DIR`): the
/// built bundle only (no inline script), photos as files or local previews (`blob:`).
pub const SPA_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'; form-action 'self'";

/// `Strict-Transport-Security`, sent only when the request reached us over TLS (see
/// [`crate::limits::Limits::forwarded_https`]): a year, subdomains included.
pub const HSTS: &str = "max-age=31536000; includeSubDomains";

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

/// The refusals every request goes through before routing: URI length, header size and
/// count, unknown methods.
fn refusal(req: &ServiceRequest) -> Option<ApiError> {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_URI_BYTES {
        return Some(ApiError::UriTooLong {
            limit: MAX_URI_BYTES,
        });
    }
    let headers = req.headers();
    let header_bytes: usize = headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES || headers.len() > MAX_HEADER_COUNT {
        return Some(ApiError::HeadersTooLarge {
            limit: MAX_HEADER_BYTES,
            count: MAX_HEADER_COUNT,
        });
    }
    if !KNOWN_METHODS.contains(req.method()) {
        let known = req
            .app_data::<actix_web::web::Data<crate::routes::fallback::RouteTable>>()
            .and_then(|table| table.allowed(req.path()).map(<[String]>::to_vec))
            .filter(|methods| !methods.is_empty());
        return Some(ApiError::MethodNotAllowed {
            allow: known.unwrap_or_else(|| vec!["GET".to_owned(), "HEAD".to_owned()]),
        });
    }
    None
}

/// The outermost middleware: request id, refusals before routing (URI, headers, method),
/// access log.
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
    req.extensions_mut().insert(ctx.clone());

    let result = CURRENT
        .scope(ctx.clone(), async move {
            if let Some(err) = refusal(&req) {
                let res = err.error_response();
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

/// Headers every response carries: `nosniff`, the referrer policy, no framing, a
/// `Content-Security-Policy` fitting what the response is (see [`csp_for`]), and HSTS when
/// the request reached us over TLS through a trusted proxy.
pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, Error> {
    let https = req
        .app_data::<actix_web::web::Data<crate::startup::AppState>>()
        .is_some_and(|state| state.limits.forwarded_https(req.request()));
    // Handlers' and extractors' errors are responses by now (actix renders them at the
    // route); no layer inside returns an error of its own.
    let mut res = next.call(req).await?;
    let path = res.request().path().to_owned();
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(csp) = csp_for(&path, content_type) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    if https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
    Ok(res)
}

/// The `Content-Security-Policy` of a response: the docs' for `/docs` pages, the SPA's for
/// other HTML, the API's for JSON; none for photos and the SPA's assets (not documents).
pub fn csp_for(path: &str, content_type: &str) -> Option<&'static str> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if path == "/docs" || path.starts_with("/docs/") {
        Some(DOCS_CSP)
    } else if essence == "text/html" {
        Some(SPA_CSP)
    } else if essence == "application/json" || essence.ends_with("+json") {
        Some(API_CSP)
    } else {
        None
    }
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
    fn each_kind_of_response_gets_its_policy() {
        let cases: &[(&str, &str, Option<&str>, &str)] = &[
            ("/api/v1", "application/json", Some(API_CSP), "JSON"),
            ("/x", "application/problem+json", Some(API_CSP), "problem"),
            (
                "/docs/",
                "text/html; charset=utf-8",
                Some(DOCS_CSP),
                "docs page",
            ),
            (
                "/docs/swagger-ui.css",
                "text/css",
                Some(DOCS_CSP),
                "docs asset",
            ),
            ("/", "text/html", Some(SPA_CSP), "SPA page"),
            (
                "/listings/x",
                "TEXT/HTML; charset=utf-8",
                Some(SPA_CSP),
                "SPA route",
            ),
            ("/media/ab.webp", "image/webp", None, "photo"),
            ("/assets/index.js", "text/javascript", None, "SPA script"),
        ];
        for (path, ct, expected, why) in cases {
            assert_eq!(csp_for(path, ct), *expected, "{why}");
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
