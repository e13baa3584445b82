//! Rate limits on the endpoints that guess or spend: login, registration, password reset,
//! token refresh. Counted per client address and per account, in memory (one API process;
//! with several replicas the limits would move to PostgreSQL or Redis, see the README).
//!
//! The client address is the peer's, unless the peer is one of `TRUSTED_PROXIES`: then it is
//! the right-most `X-Forwarded-For` entry that is not itself a trusted proxy.

use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use crate::error::ApiError;

/// A limit of `max` actions per sliding `window`, counted in PostgreSQL by the caller (so it
/// holds across replicas): refused once `count` actions since `now - window` reach `max`, until
/// `frees_at` (the action whose leaving the window brings the count under `max`) leaves it.
pub fn check_window(
    count: i64,
    frees_at: Option<chrono::DateTime<chrono::Utc>>,
    max: i64,
    window: chrono::Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    if count < max {
        return Ok(());
    }
    let retry_after = frees_at
        .map(|at| (at + window - now).num_seconds())
        .unwrap_or(1)
        .max(1);
    Err(ApiError::TooManyRequests {
        retry_after: retry_after as u64,
    })
}

/// Above this many tracked keys, idle ones are dropped.
const MAX_KEYS: usize = 100_000;

pub struct Limits {
    per_client: Option<DefaultKeyedRateLimiter<(&'static str, IpAddr)>>,
    per_account: Option<DefaultKeyedRateLimiter<(&'static str, String)>>,
    trusted_proxies: Vec<ipnet::IpNet>,
}

impl Limits {
    /// `per_minute` attempts per account and action (twice that per client address, which
    /// may be shared by a club or a household); 0 turns the limits off.
    pub fn new(per_minute: u32, trusted_proxies: Vec<ipnet::IpNet>) -> Self {
        let quota = |n: u32| NonZeroU32::new(n).map(Quota::per_minute);
        Limits {
            per_client: quota(per_minute.saturating_mul(2)).map(DefaultKeyedRateLimiter::keyed),
            per_account: quota(per_minute).map(DefaultKeyedRateLimiter::keyed),
            trusted_proxies,
        }
    }

    /// Whether the request reached us over TLS: it came from a trusted proxy that says so
    /// with `X-Forwarded-Proto: https` (the proxy's own value, the last of the list). A
    /// client talking to us directly cannot claim it.
    pub fn forwarded_https(&self, req: &HttpRequest) -> bool {
        let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
            return false;
        };
        if !self.trusted_proxies.iter().any(|net| net.contains(&peer)) {
            return false;
        }
        req.headers()
            .get_all("x-forwarded-proto")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .last()
            .is_some_and(|proto| proto.trim().eq_ignore_ascii_case("https"))
    }

    /// The address the request came from, seen through trusted proxies only.
    pub fn client_ip(&self, req: &HttpRequest) -> Option<IpAddr> {
        let peer = req.peer_addr()?.ip();
        let trusted = |ip: &IpAddr| self.trusted_proxies.iter().any(|net| net.contains(ip));
        if !trusted(&peer) {
            return Some(peer);
        }
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|s| s.trim().parse::<IpAddr>().ok())
            .collect::<Vec<_>>();
        Some(
            forwarded
                .into_iter()
                .rev()
                .find(|ip| !trusted(ip))
                .unwrap_or(peer),
        )
    }

    /// Counts one attempt at `action` from this client (and for `account`, when known).
    pub fn check_auth(
        &self,
        req: &HttpRequest,
        action: &'static str,
        account: Option<&str>,
    ) -> Result<(), ApiError> {
        if let (Some(limiter), Some(ip)) = (&self.per_client, self.client_ip(req)) {
            Self::check(limiter, &(action, ip))?;
        }
        if let (Some(limiter), Some(account)) = (&self.per_account, account) {
            Self::check(limiter, &(action, account.to_owned()))?;
        }
        Ok(())
    }

    fn check<K: Clone + std::hash::Hash + Eq>(
        limiter: &DefaultKeyedRateLimiter<K>,
        key: &K,
    ) -> Result<(), ApiError> {
        if limiter.len() > MAX_KEYS {
            limiter.retain_recent();
        }
        limiter.check_key(key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                retry_after: wait.as_secs().max(1),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn req(peer: &str, forwarded: Option<&str>) -> HttpRequest {
        let mut r = TestRequest::default().peer_addr(
            format!("{peer}:40000")
                .parse()
                .unwrap_or_else(|e| panic!("{e}")),
        );
        if let Some(f) = forwarded {
            r = r.insert_header(("x-forwarded-for", f));
        }
        r.to_http_request()
    }

    #[test]
    fn forwarded_for_is_trusted_only_from_proxies() {
        let proxy: ipnet::IpNet = "10.0.0.0/24".parse().unwrap_or_else(|e| panic!("{e}"));
        let limits = Limits::new(5, vec![proxy]);
        let cases = [
            (
                "203.0.113.9",
                Some("1.2.3.4"),
                "203.0.113.9",
                "untrusted peer: header ignored",
            ),
            (
                "10.0.0.1",
                Some("198.51.100.7"),
                "198.51.100.7",
                "trusted proxy: client from header",
            ),
            (
                "10.0.0.1",
                Some("6.6.6.6, 198.51.100.7"),
                "198.51.100.7",
                "spoofed left entries ignored",
            ),
            ("10.0.0.1", None, "10.0.0.1", "proxy without header"),
            (
                "10.0.0.1",
                Some("198.51.100.7, 10.0.0.2"),
                "198.51.100.7",
                "chained trusted proxies skipped",
            ),
        ];
        for (peer, fwd, expected, why) in cases {
            assert_eq!(
                limits
                    .client_ip(&req(peer, fwd))
                    .map(|i| i.to_string())
                    .as_deref(),
                Some(expected),
                "{why}"
            );
        }
    }

    #[test]
    fn limits_trip_and_say_when_to_retry() {
        let limits = Limits::new(3, vec![]);
        let r = req("203.0.113.9", None);
        for _ in 0..3 {
            assert!(
                limits
                    .check_auth(&r, "login", Some("a@example.com"))
                    .is_ok()
            );
        }
        let err = limits
            .check_auth(&r, "login", Some("a@example.com"))
            .expect_err("4th attempt");
        assert!(matches!(err, ApiError::TooManyRequests { retry_after } if retry_after >= 1));
        // Another account from the same address still has room (per-address limit is 6).
        assert!(
            limits
                .check_auth(&r, "login", Some("b@example.com"))
                .is_ok()
        );
        // Another action is counted apart.
        assert!(
            limits
                .check_auth(&r, "register", Some("a@example.com"))
                .is_ok()
        );
        // Off.
        let off = Limits::new(0, vec![]);
        for _ in 0..100 {
            assert!(off.check_auth(&r, "login", Some("a@example.com")).is_ok());
        }
    }
}
