//! Conditional GETs for cacheable reads: a strong `ETag` computed from the body, and
//! `If-None-Match` answered with `304 Not Modified` and no body.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Public data that changes rarely, by a moderator's hand (the category tree).
pub const PUBLIC_1_MINUTE: &str = "public, max-age=60";
/// Reference data that changes with a release (makes, models, airfields).
pub const PUBLIC_1_HOUR: &str = "public, max-age=3600";
/// Views that depend on who asks (moderators' views with inactive categories).
pub const PRIVATE: &str = "private, no-cache";

/// `"…"`: the first 128 bits of the body's SHA-256, in hex.
pub fn etag_of(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let hex: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}

/// Whether an `If-None-Match` header value matches `etag` (`*`, a list, weak tags
/// compared weakly as RFC 9110 asks for this header).
pub fn none_match(header_value: &str, etag: &str) -> bool {
    header_value.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

/// `value` as JSON with its `ETag` and `cache_control`, or a bodiless 304 when the client
/// already holds this exact body.
pub fn json<T: Serialize>(
    req: &HttpRequest,
    value: &T,
    cache_control: &str,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value).map_err(ApiError::internal)?;
    let etag = etag_of(&body);
    let fresh = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .any(|v| none_match(v, &etag));
    let mut res = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    res.insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, cache_control));
    Ok(if fresh {
        res.finish()
    } else {
        res.content_type("application/json").body(body)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_forms() {
        let etag = etag_of(b"{}");
        assert_eq!(etag.len(), 34);
        assert!(none_match(&etag, &etag));
        assert!(none_match("*", &etag));
        assert!(none_match(&format!("\"x\", W/{etag}"), &etag));
        assert!(!none_match("\"x\"", &etag));
        assert!(!none_match("", &etag));
    }
}
