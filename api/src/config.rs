//! Typed settings, read once from the environment at start-up.
//!
//! Every variable is listed in `.env.example`. A missing or malformed required value stops
//! start-up with one line naming the variable (see [`ConfigError`]), so a misconfigured
//! deployment fails loudly before it accepts traffic.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Below this many bytes an HMAC secret can be brute-forced offline from one token.
pub const MIN_JWT_SECRET_BYTES: usize = 32;

/// Where the service runs. Development relaxes checks that protect real users' data
/// (short JWT secret) and nothing else.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Environment {
    Development,
    Production,
}

/// All settings of the service. Built by [`Settings::from_env`] in `main` and by the test
/// harness directly.
#[derive(Clone)]
pub struct Settings {
    pub environment: Environment,
    pub bind_addr: SocketAddr,
    pub database: DatabaseSettings,
    /// HMAC key for access tokens. Never logged: `Debug` redacts it.
    pub jwt_secret: String,
    /// The URL users reach the site at, used in links the API builds (emails, `Location`).
    pub public_base_url: String,
    /// Browser origins allowed to call the API with credentials (the SPA's origin).
    pub cors_allowed_origins: Vec<String>,
    pub media_dir: PathBuf,
    /// Built SPA served at `/` for local use; `None` when the SPA is deployed elsewhere.
    pub static_dir: Option<PathBuf>,
    /// Requests still running at shutdown get this long to finish.
    pub shutdown_timeout: Duration,
    /// Number of HTTP worker threads; `None` means one per core.
    pub workers: Option<usize>,
    pub http: HttpSettings,
    /// Login, registration, reset and refresh attempts per account and minute (twice that
    /// per client address); 0 disables the limits.
    pub auth_rate_limit_per_minute: u32,
    /// Reverse proxies (addresses or CIDR ranges) whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub mail: MailSettings,
    pub search: SearchSettings,
    /// How often the alerts job runs (saved searches, price drops, digests): also the delay of
    /// `instant` alerts.
    pub alerts_interval: Duration,
    /// How often listing view counts, gathered in memory, are written to the database.
    pub views_flush: Duration,
    /// `SameSite` of the refresh cookie: `Strict` (default) when the SPA is on the API's site;
    /// `None` when it is served from another site (the cookie is still `Secure` and
    /// `HttpOnly`; the refresh endpoint only takes JSON, which a cross-site page cannot send
    /// without a CORS preflight that CORS_ALLOWED_ORIGINS refuses).
    pub refresh_cookie_same_site: actix_web::cookie::SameSite,
    pub messages: MessageSettings,
    /// Pre-moderation: the listings of members who never had one published wait in
    /// `pending_review` until a moderator approves one (`PREMODERATE_NEW_SELLERS`, off by
    /// default).
    pub premoderate_new_sellers: bool,
}

/// Connection timeouts, against slow or idle clients holding connections.
#[derive(Clone, Debug)]
pub struct HttpSettings {
    /// A client must send a request's whole head within this long of connecting (or of
    /// starting the next request on a kept-alive connection), else it gets a 408 and the
    /// connection is closed (slowloris).
    pub client_request_timeout: Duration,
    /// An idle kept-alive connection is closed after this long.
    pub keep_alive: Duration,
}

/// Messaging limits.
#[derive(Clone, Debug)]
pub struct MessageSettings {
    /// Messages a member may send per [`MESSAGE_RATE_WINDOW`] (all conversations together);
    /// 0 turns the limit off.
    pub per_window: u32,
    /// While a recipient has not read a conversation, at most one mail about it per this
    /// long.
    pub mail_throttle: Duration,
}

/// The window of the per-sender message limit: ten minutes.
pub const MESSAGE_RATE_WINDOW: Duration = Duration::from_secs(600);

/// Search tuning.
#[derive(Clone, Debug)]
pub struct SearchSettings {
    /// Facets are counted live up to this many estimated matches (of the search without the
    /// facets' own filters); above, searches filtered by nothing but category, make and
    /// country sum them from the facet aggregate, others count a sample.
    pub facets_live_max_rows: i64,
    /// How often the facet aggregate is refreshed.
    pub facets_refresh: Duration,
    /// Broad searches the aggregate cannot answer count their facets on this many of their
    /// most recent listings, scaled up (`facets_exact: false`).
    pub facets_sample: i64,
    /// Below this many listings in the table, search totals are counted exactly (up to
    /// 10,000); above, they are estimated.
    pub exact_count_below: i64,
    /// Whether full-text searches use the in-process index (`search/index.rs`), built at
    /// start-up; off, PostgreSQL walks its newest-first index alone (same results, slower
    /// for rare words; start-up is quicker).
    pub index: bool,
}

/// Outgoing mail.
#[derive(Clone)]
pub struct MailSettings {
    /// `smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://host:465`; unset:
    /// mail is written to the log in development and stays queued otherwise.
    pub smtp_url: Option<String>,
    /// Sender address, e.g. `Hangar <no-reply@hangar.example>`.
    pub from: String,
    /// How often the outbox is polled.
    pub poll_interval: Duration,
}

impl fmt::Debug for MailSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MailSettings")
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("from", &self.from)
            .field("poll_interval", &self.poll_interval)
            .finish()
    }
}

#[derive(Clone)]
pub struct DatabaseSettings {
    /// Contains the password: never logged (`Debug` redacts it).
    pub url: String,
    pub pool_size: u32,
    /// How long a request waits for a free connection before the API answers 503.
    pub connect_timeout: Duration,
    /// Server-side cap on every statement, so one slow query cannot hold a connection forever.
    pub statement_timeout: Duration,
    /// Apply pending migrations at start-up (on by default; `api migrate` does it explicitly).
    pub migrate_on_start: bool,
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("environment", &self.environment)
            .field("bind_addr", &self.bind_addr)
            .field("database", &self.database)
            .field("jwt_secret", &"<redacted>")
            .field("public_base_url", &self.public_base_url)
            .field("cors_allowed_origins", &self.cors_allowed_origins)
            .field("media_dir", &self.media_dir)
            .field("static_dir", &self.static_dir)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("workers", &self.workers)
            .field("http", &self.http)
            .field(
                "auth_rate_limit_per_minute",
                &self.auth_rate_limit_per_minute,
            )
            .field("trusted_proxies", &self.trusted_proxies)
            .field("mail", &self.mail)
            .field("search", &self.search)
            .field("alerts_interval", &self.alerts_interval)
            .field("views_flush", &self.views_flush)
            .field("refresh_cookie_same_site", &self.refresh_cookie_same_site)
            .field("messages", &self.messages)
            .field("premoderate_new_sellers", &self.premoderate_new_sellers)
            .finish()
    }
}

impl fmt::Debug for DatabaseSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DatabaseSettings")
            .field("url", &redact_url(&self.url))
            .field("pool_size", &self.pool_size)
            .field("connect_timeout", &self.connect_timeout)
            .field("statement_timeout", &self.statement_timeout)
            .field("migrate_on_start", &self.migrate_on_start)
            .finish()
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`, for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme_end + 3],
                    &userinfo[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Why the settings could not be read. Its `Display` is the one line printed before exiting.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ConfigError {
    #[error("configuration error: {name} is not set ({hint})")]
    Missing {
        name: &'static str,
        hint: &'static str,
    },
    #[error("configuration error: {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// A source of variables: the process environment in production, a map in tests.
pub trait Source {
    fn get(&self, name: &str) -> Option<String>;
}

/// The process environment. Empty values count as unset, as in most twelve-factor tools.
pub struct ProcessEnv;

impl Source for ProcessEnv {
    fn get(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.trim().is_empty())
    }
}

impl Source for HashMap<String, String> {
    fn get(&self, name: &str) -> Option<String> {
        HashMap::get(self, name)
            .cloned()
            .filter(|v| !v.trim().is_empty())
    }
}

impl Settings {
    /// Reads every setting from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(&ProcessEnv)
    }

    pub fn from_source(src: &dyn Source) -> Result<Self, ConfigError> {
        let environment = match src.get("HANGAR_ENV").as_deref().map(str::trim) {
            None | Some("production") => Environment::Production,
            Some("development") => Environment::Development,
            Some(other) => {
                return Err(ConfigError::Invalid {
                    name: "HANGAR_ENV",
                    reason: format!("expected `development` or `production`, got `{other}`"),
                });
            }
        };

        let database_url = required(
            src,
            "DATABASE_URL",
            "e.g. postgres://postgres@127.0.0.1:5432/hangar",
        )?;
        if !(database_url.starts_with("postgres://") || database_url.starts_with("postgresql://")) {
            return Err(ConfigError::Invalid {
                name: "DATABASE_URL",
                reason: "expected a postgres:// or postgresql:// URL".into(),
            });
        }

        let jwt_secret = required(
            src,
            "JWT_SECRET",
            "at least 32 random bytes, e.g. `openssl rand -base64 48`",
        )?;
        if jwt_secret.len() < MIN_JWT_SECRET_BYTES && environment != Environment::Development {
            return Err(ConfigError::Invalid {
                name: "JWT_SECRET",
                reason: format!(
                    "must be at least {MIN_JWT_SECRET_BYTES} bytes outside development mode (HANGAR_ENV=development)"
                ),
            });
        }

        let bind_addr = parse_or(src, "BIND_ADDR", "127.0.0.1:8080".parse().ok(), |v| {
            v.parse::<SocketAddr>()
                .map_err(|_| "expected host:port, e.g. 0.0.0.0:8080".to_owned())
        })?;

        let public_base_url = src
            .get("PUBLIC_BASE_URL")
            .unwrap_or_else(|| format!("http://{bind_addr}"));
        let public_base_url = public_base_url.trim().trim_end_matches('/').to_owned();
        if !is_http_origin_like(&public_base_url) {
            return Err(ConfigError::Invalid {
                name: "PUBLIC_BASE_URL",
                reason: "expected an http:// or https:// URL".into(),
            });
        }

        let cors_allowed_origins = match src.get("CORS_ALLOWED_ORIGINS") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(|o| o.trim().trim_end_matches('/').to_owned())
                .filter(|o| !o.is_empty())
                .map(|o| {
                    if o == "*" || o == "null" || !is_http_origin_like(&o) || o.matches('/').count() > 2 {
                        Err(ConfigError::Invalid {
                            name: "CORS_ALLOWED_ORIGINS",
                            reason: format!(
                                "`{o}` is not an origin; give a comma-separated list such as https://hangar.example,http://localhost:5173 (never * or null)"
                            ),
                        })
                    } else {
                        Ok(o)
                    }
                })
                .collect::<Result<_, _>>()?,
        };

        let media_dir = PathBuf::from(src.get("MEDIA_DIR").unwrap_or_else(|| "./media".into()));
        let static_dir = match src.get("STATIC_DIR") {
            None => None,
            Some(dir) => {
                let dir = PathBuf::from(dir);
                if !dir.is_dir() {
                    return Err(ConfigError::Invalid {
                        name: "STATIC_DIR",
                        reason: format!("`{}` is not a directory", dir.display()),
                    });
                }
                Some(dir)
            }
        };

        let pool_size = parse_or(src, "DATABASE_POOL_SIZE", Some(10), |v| {
            v.parse::<u32>()
                .ok()
                .filter(|n| (1..=200).contains(n))
                .ok_or_else(|| "expected a whole number from 1 to 200".to_owned())
        })?;
        let connect_timeout = parse_or(
            src,
            "DATABASE_CONNECT_TIMEOUT_MS",
            Some(Duration::from_secs(3)),
            millis,
        )?;
        let statement_timeout = parse_or(
            src,
            "DATABASE_STATEMENT_TIMEOUT_MS",
            Some(Duration::from_secs(10)),
            millis,
        )?;
        let migrate_on_start = parse_or(src, "DATABASE_MIGRATE_ON_START", Some(true), boolean)?;
        let shutdown_timeout = parse_or(
            src,
            "SHUTDOWN_TIMEOUT_MS",
            Some(Duration::from_secs(30)),
            millis,
        )?;
        let client_request_timeout = parse_or(
            src,
            "HTTP_CLIENT_REQUEST_TIMEOUT_MS",
            Some(Duration::from_secs(5)),
            millis,
        )?;
        let keep_alive = parse_or(
            src,
            "HTTP_KEEP_ALIVE_MS",
            Some(Duration::from_secs(5)),
            millis,
        )?;
        let workers = match src.get("HTTP_WORKERS") {
            None => None,
            Some(v) => Some(
                v.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=256).contains(n))
                    .ok_or(ConfigError::Invalid {
                        name: "HTTP_WORKERS",
                        reason: "expected a whole number from 1 to 256".into(),
                    })?,
            ),
        };

        let auth_rate_limit_per_minute =
            parse_or(src, "RATE_LIMIT_AUTH_PER_MINUTE", Some(10), |v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| *n <= 100_000)
                    .ok_or_else(|| "expected a whole number from 0 (off) to 100000".to_owned())
            })?;
        let trusted_proxies = match src.get("TRUSTED_PROXIES") {
            None => Vec::new(),
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<ipnet::IpNet>()
                        .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                        .map_err(|_| ConfigError::Invalid {
                            name: "TRUSTED_PROXIES",
                            reason: format!("`{s}` is not an IP address or CIDR range; give a comma-separated list"),
                        })
                })
                .collect::<Result<_, _>>()?,
        };

        let smtp_url = src.get("SMTP_URL");
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError::Invalid {
                name: "SMTP_URL",
                reason: "expected smtp://host:port or smtps://host:port".into(),
            });
        }
        let mail_host = public_base_url
            .split("://")
            .nth(1)
            .and_then(|rest| rest.split([':', '/']).next())
            .filter(|h| h.contains('.') && h.parse::<std::net::IpAddr>().is_err())
            .unwrap_or("hangar.localhost");
        let mail_from = src
            .get("MAIL_FROM")
            .unwrap_or_else(|| format!("Hangar <no-reply@{mail_host}>"));
        let poll_interval = parse_or(src, "OUTBOX_POLL_MS", Some(Duration::from_secs(2)), millis)?;

        let facets_live_max_rows = parse_or(src, "FACETS_LIVE_MAX_ROWS", Some(10_000), |v| {
            v.parse::<i64>()
                .ok()
                .filter(|n| (0..=100_000_000).contains(n))
                .ok_or_else(|| {
                    "expected a whole number of listings (0 = always the aggregate)".to_owned()
                })
        })?;
        let facets_sample = parse_or(src, "FACETS_SAMPLE", Some(1_000), |v| {
            v.parse::<i64>()
                .ok()
                .filter(|n| (1..=1_000_000).contains(n))
                .ok_or_else(|| "expected a whole number of listings from 1 to 1000000".to_owned())
        })?;
        let search_index = parse_or(src, "SEARCH_INDEX", Some(true), boolean)?;
        let exact_count_below = parse_or(src, "SEARCH_EXACT_COUNT_BELOW", Some(100_000), |v| {
            v.parse::<i64>()
                .ok()
                .filter(|n| (0..=100_000_000).contains(n))
                .ok_or_else(|| {
                    "expected a whole number of listings (0 = always estimate)".to_owned()
                })
        })?;
        let facets_refresh = parse_or(
            src,
            "FACETS_REFRESH_MS",
            Some(Duration::from_secs(60)),
            millis,
        )?;

        let alerts_interval = parse_or(
            src,
            "ALERTS_INTERVAL_MS",
            Some(Duration::from_secs(60)),
            millis,
        )?;

        let views_flush = parse_or(src, "VIEWS_FLUSH_MS", Some(Duration::from_secs(10)), millis)?;

        let refresh_cookie_same_site = parse_or(
            src,
            "REFRESH_COOKIE_SAMESITE",
            Some(actix_web::cookie::SameSite::Strict),
            |v| match v.to_ascii_lowercase().as_str() {
                "strict" => Ok(actix_web::cookie::SameSite::Strict),
                "lax" => Ok(actix_web::cookie::SameSite::Lax),
                "none" => Ok(actix_web::cookie::SameSite::None),
                _ => Err("expected strict, lax or none".to_owned()),
            },
        )?;

        let messages_per_window =
            parse_or(src, "RATE_LIMIT_MESSAGES_PER_10_MINUTES", Some(30), |v| {
                v.parse::<u32>()
                    .ok()
                    .filter(|n| *n <= 100_000)
                    .ok_or_else(|| "expected a whole number from 0 (off) to 100000".to_owned())
            })?;
        let message_mail_throttle = parse_or(
            src,
            "MESSAGE_MAIL_THROTTLE_MS",
            Some(Duration::from_secs(15 * 60)),
            millis,
        )?;

        let premoderate_new_sellers =
            parse_or(src, "PREMODERATE_NEW_SELLERS", Some(false), boolean)?;

        Ok(Settings {
            environment,
            bind_addr,
            database: DatabaseSettings {
                url: database_url,
                pool_size,
                connect_timeout,
                statement_timeout,
                migrate_on_start,
            },
            jwt_secret,
            public_base_url,
            cors_allowed_origins,
            media_dir,
            static_dir,
            shutdown_timeout,
            workers,
            http: HttpSettings {
                client_request_timeout,
                keep_alive,
            },
            auth_rate_limit_per_minute,
            trusted_proxies,
            mail: MailSettings {
                smtp_url,
                from: mail_from,
                poll_interval,
            },
            search: SearchSettings {
                facets_live_max_rows,
                facets_refresh,
                facets_sample,
                exact_count_below,
                index: search_index,
            },
            alerts_interval,
            views_flush,
            refresh_cookie_same_site,
            messages: MessageSettings {
                per_window: messages_per_window,
                mail_throttle: message_mail_throttle,
            },
            premoderate_new_sellers,
        })
    }
}

fn required(
    src: &dyn Source,
    name: &'static str,
    hint: &'static str,
) -> Result<String, ConfigError> {
    src.get(name)
        .map(|v| v.trim().to_owned())
        .ok_or(ConfigError::Missing { name, hint })
}

fn parse_or<T>(
    src: &dyn Source,
    name: &'static str,
    default: Option<T>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Result<T, ConfigError> {
    match src.get(name) {
        Some(v) => parse(v.trim()).map_err(|reason| ConfigError::Invalid { name, reason }),
        None => default.ok_or(ConfigError::Missing {
            name,
            hint: "required",
        }),
    }
}

fn millis(v: &str) -> Result<Duration, String> {
    v.parse::<u64>()
        .ok()
        .filter(|ms| (1..=3_600_000).contains(ms))
        .map(Duration::from_millis)
        .ok_or_else(|| "expected milliseconds, a whole number from 1 to 3600000".to_owned())
}

fn boolean(v: &str) -> Result<bool, String> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err("expected true or false".to_owned()),
    }
}

fn is_http_origin_like(v: &str) -> bool {
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    matches!(rest, Some(host) if !host.is_empty() && !host.starts_with('/') && !host.contains(char::is_whitespace))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        let mut map: HashMap<String, String> = [
            ("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hangar"),
            ("JWT_SECRET", "0123456789abcdef0123456789abcdef0123"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        for (k, v) in pairs {
            map.insert(k.to_string(), v.to_string());
        }
        map
    }

    #[test]
    fn defaults_apply_when_only_required_values_are_given() -> Result<(), ConfigError> {
        let s = Settings::from_source(&env(&[]))?;
        assert_eq!(s.environment, Environment::Production);
        assert_eq!(s.bind_addr.to_string(), "127.0.0.1:8080");
        assert_eq!(s.public_base_url, "http://127.0.0.1:8080");
        assert_eq!(s.database.pool_size, 10);
        assert!(s.cors_allowed_origins.is_empty());
        assert!(s.static_dir.is_none());
        Ok(())
    }

    #[test]
    fn bad_values_name_the_variable() {
        // (variables, the variable the error must name, why)
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (
                &[("REFRESH_COOKIE_SAMESITE", "sometimes")],
                "REFRESH_COOKIE_SAMESITE",
                "strict, lax or none",
            ),
            (
                &[("FACETS_SAMPLE", "0")],
                "FACETS_SAMPLE",
                "a sample needs listings",
            ),
            (
                &[("FACETS_LIVE_MAX_ROWS", "-1")],
                "FACETS_LIVE_MAX_ROWS",
                "not negative",
            ),
            (
                &[("DATABASE_URL", "")],
                "DATABASE_URL",
                "empty counts as missing",
            ),
            (
                &[("DATABASE_URL", "mysql://x")],
                "DATABASE_URL",
                "only PostgreSQL is supported",
            ),
            (
                &[("JWT_SECRET", "short")],
                "JWT_SECRET",
                "short secret refused in production",
            ),
            (&[("BIND_ADDR", "localhost")], "BIND_ADDR", "port required"),
            (
                &[("DATABASE_POOL_SIZE", "0")],
                "DATABASE_POOL_SIZE",
                "pool of zero",
            ),
            (
                &[("DATABASE_POOL_SIZE", "ten")],
                "DATABASE_POOL_SIZE",
                "not a number",
            ),
            (
                &[("DATABASE_STATEMENT_TIMEOUT_MS", "-5")],
                "DATABASE_STATEMENT_TIMEOUT_MS",
                "negative",
            ),
            (
                &[("CORS_ALLOWED_ORIGINS", "*")],
                "CORS_ALLOWED_ORIGINS",
                "wildcard with credentials",
            ),
            (
                &[("CORS_ALLOWED_ORIGINS", "null")],
                "CORS_ALLOWED_ORIGINS",
                "null origin",
            ),
            (
                &[("CORS_ALLOWED_ORIGINS", "https://a.example/path")],
                "CORS_ALLOWED_ORIGINS",
                "a path is not an origin",
            ),
            (
                &[("PUBLIC_BASE_URL", "hangar.example")],
                "PUBLIC_BASE_URL",
                "scheme required",
            ),
            (&[("HANGAR_ENV", "staging")], "HANGAR_ENV", "unknown mode"),
            (
                &[("STATIC_DIR", "/definitely/not/here")],
                "STATIC_DIR",
                "missing directory",
            ),
            (
                &[("DATABASE_MIGRATE_ON_START", "maybe")],
                "DATABASE_MIGRATE_ON_START",
                "not a boolean",
            ),
            (
                &[("PREMODERATE_NEW_SELLERS", "sometimes")],
                "PREMODERATE_NEW_SELLERS",
                "not a boolean",
            ),
            (
                &[("RATE_LIMIT_AUTH_PER_MINUTE", "lots")],
                "RATE_LIMIT_AUTH_PER_MINUTE",
                "not a number",
            ),
            (
                &[("TRUSTED_PROXIES", "10.0.0.1,proxy.local")],
                "TRUSTED_PROXIES",
                "a host name",
            ),
        ];
        for (pairs, variable, why) in cases {
            let err = Settings::from_source(&env(pairs)).expect_err(why);
            let line = err.to_string();
            assert!(
                line.contains(variable),
                "{why}: `{line}` should name {variable}"
            );
            assert!(!line.contains('\n'), "{why}: one line");
        }
    }

    #[test]
    fn missing_required_value_is_reported() {
        let mut map = env(&[]);
        map.remove("JWT_SECRET");
        let err = Settings::from_source(&map).expect_err("JWT_SECRET is required");
        assert!(matches!(
            err,
            ConfigError::Missing {
                name: "JWT_SECRET",
                ..
            }
        ));
    }

    #[test]
    fn development_mode_accepts_a_short_secret() -> Result<(), ConfigError> {
        let s = Settings::from_source(&env(&[
            ("HANGAR_ENV", "development"),
            ("JWT_SECRET", "dev"),
        ]))?;
        assert_eq!(s.environment, Environment::Development);
        Ok(())
    }

    #[test]
    fn origins_are_normalised() -> Result<(), ConfigError> {
        let s = Settings::from_source(&env(&[(
            "CORS_ALLOWED_ORIGINS",
            " https://hangar.example/ , http://localhost:5173",
        )]))?;
        assert_eq!(
            s.cors_allowed_origins,
            vec!["https://hangar.example", "http://localhost:5173"]
        );
        Ok(())
    }

    #[test]
    fn secrets_never_appear_in_debug_output() -> Result<(), ConfigError> {
        let s = Settings::from_source(&env(&[(
            "DATABASE_URL",
            "postgres://hangar:s3cr3t-pw@db:5432/hangar",
        )]))?;
        let shown = format!("{s:?}");
        assert!(!shown.contains("s3cr3t-pw"), "{shown}");
        assert!(!shown.contains("0123456789abcdef"), "{shown}");
        assert!(
            shown.contains("postgres://hangar:***@db:5432/hangar"),
            "{shown}"
        );
        Ok(())
    }
}
