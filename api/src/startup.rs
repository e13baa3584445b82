//! Builds the HTTP server: the same entry point serves `main` and the tests (with port 0).

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_files::{Files, NamedFile};
use actix_web::dev::{Server, ServerHandle, ServiceRequest, ServiceResponse, fn_service};
use actix_web::http::{Method, header};
use actix_web::middleware::{Compress, from_fn};
use actix_web::{App, HttpServer, guard, web};
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::tokens::JwtKeys;
use crate::config::Settings;
use crate::db::{self, PgPool};
use crate::extract;
use crate::limits::Limits;
use crate::openapi;
use crate::routes::{self, fallback};
use crate::telemetry;

/// Shared by every handler (as `web::Data<AppState>`).
pub struct AppState {
    pub pool: PgPool,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub limits: Limits,
    /// Listing views not yet written (see [`crate::jobs`]).
    pub views: Arc<crate::jobs::ViewCounter>,
    /// Search settings and the facet cache.
    pub search: crate::search::run::SearchContext,
    /// Saved-search alerts: the job's context, and the key of unsubscribe links.
    pub alerts: Arc<crate::alerts::Alerts>,
}

/// Why the service could not start. Printed as one line by `main`.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("{0}")]
    Database(String),
    #[error("configuration error: {0}")]
    Config(String),
}

/// A bound, not yet running, server.
pub struct Application {
    port: u16,
    server: Server,
    pool: PgPool,
    mail_sender: tokio::task::JoinHandle<()>,
    jobs: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Migrates the database and loads the bundled reference data (unless disabled), binds
    /// the listener and builds the server.
    /// With `BIND_ADDR` port 0 the OS picks a free port; [`Application::port`] tells which.
    pub async fn build(settings: Settings) -> Result<Self, StartupError> {
        if settings.database.migrate_on_start {
            let url = settings.database.url.clone();
            web::block(move || {
                let mut conn = db::connect(&url)?;
                for version in db::migrate(&mut conn)? {
                    log::info!("applied migration {version}");
                }
                // After the migrations, which create the tables; one query when up to date.
                crate::seed::reference_data(&mut conn).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| StartupError::Database(e.to_string()))?
            .map_err(StartupError::Database)?;
        }

        web::block(crate::auth::password::warm_up)
            .await
            .map_err(|e| StartupError::Database(e.to_string()))?;
        std::fs::create_dir_all(&settings.media_dir).map_err(|e| {
            StartupError::Config(format!(
                "MEDIA_DIR {} cannot be created: {e}",
                settings.media_dir.display()
            ))
        })?;
        let pool = db::build_pool(&settings.database);
        // Before listening: a process that accepts connections is ready to search fast.
        let index = if settings.search.index {
            let pool = pool.clone();
            let built = web::block(move || {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                crate::search::index::SearchIndex::build(&mut conn).map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| StartupError::Database(e.to_string()))?;
            match built {
                Ok(index) => Some(Arc::new(index)),
                // Searches still work without it (PostgreSQL walks).
                Err(e) => {
                    log::error!("search index not built, searching without it: {e}");
                    None
                }
            }
        } else {
            None
        };
        let listener =
            TcpListener::bind(settings.bind_addr).map_err(|source| StartupError::Bind {
                addr: settings.bind_addr,
                source,
            })?;
        let addr = settings.bind_addr;
        let bind_err = move |source| StartupError::Bind { addr, source };
        let local = listener.local_addr().map_err(bind_err)?;

        let spec = openapi::spec();
        let routes = web::Data::new(fallback::RouteTable::from_spec(&spec));
        let background = db::build_background_pool(&settings.database);
        let sender = crate::mail::Sender::new(background.clone(), &settings)
            .map_err(StartupError::Config)?;
        let poll_interval = settings.mail.poll_interval;
        let jwt = JwtKeys::new(&settings.jwt_secret, &settings.public_base_url)
            .map_err(|e| StartupError::Database(format!("JWT keys: {e}")))?;
        let limits = Limits::new(
            settings.auth_rate_limit_per_minute,
            settings.trusted_proxies.clone(),
        );
        let search = crate::search::run::SearchContext {
            settings: settings.search.clone(),
            caches: Default::default(),
            index,
        };
        let alerts = Arc::new(
            crate::alerts::Alerts::new(&settings, search.clone())
                .map_err(|e| StartupError::Config(format!("alerts: {e}")))?,
        );
        let settings = Arc::new(settings);
        let state = web::Data::new(AppState {
            pool: pool.clone(),
            settings: settings.clone(),
            jwt,
            limits,
            views: Arc::new(crate::jobs::ViewCounter::default()),
            search,
            alerts: alerts.clone(),
        });
        let jobs = crate::jobs::spawn(
            background,
            state.views.clone(),
            alerts,
            state.settings.public_base_url.clone(),
            crate::jobs::Schedule {
                views: state.settings.views_flush,
                maintenance: std::time::Duration::from_secs(300),
                facets: state.settings.search.facets_refresh,
                alerts: state.settings.alerts_interval,
            },
        );

        let mut server = HttpServer::new(move || {
            let settings = &state.settings;
            let static_files = settings.static_dir.clone().map(spa_files);
            let app = App::new()
                .into_utoipa_app()
                .openapi(spec.clone())
                .app_data(state.clone())
                .app_data(routes.clone())
                .app_data(extract::json_config())
                .app_data(extract::query_config())
                .app_data(extract::path_config())
                .app_data(web::PayloadConfig::new(extract::JSON_LIMIT_BYTES))
                // Before the `/api/v1` scope, which would otherwise claim the spec's URL.
                .openapi_service(|doc| {
                    SwaggerUi::new("/docs/{_:.*}").url("/api/v1/openapi.json", doc)
                })
                .configure(routes::configure)
                .into_app()
                .service(web::redirect("/docs", "/docs/"));
            // Photos: content-addressed, so they never change and can be cached for a year.
            let app = app.service(
                web::scope("/media")
                    .wrap(
                        actix_web::middleware::DefaultHeaders::new()
                            .add((header::CACHE_CONTROL, "public, max-age=31536000, immutable")),
                    )
                    .service(Files::new("", &settings.media_dir)),
            );
            let app = match static_files {
                Some(files) => app.service(files),
                None => app,
            };
            app.default_service(web::to(fallback::not_found))
                .wrap(Compress::default())
                .wrap(cors(&settings.cors_allowed_origins))
                .wrap(from_fn(telemetry::request_context))
                // Outermost, so refusals before routing (414, 431, 405) carry the headers too.
                .wrap(from_fn(telemetry::security_headers))
        })
        .client_request_timeout(settings.http.client_request_timeout)
        .keep_alive(actix_web::http::KeepAlive::Timeout(
            settings.http.keep_alive,
        ))
        .listen(listener)
        .map_err(bind_err)?
        .shutdown_timeout(state_shutdown_secs(&settings));
        if let Some(workers) = settings.workers {
            server = server.workers(workers);
        }
        log::info!("listening on http://{local}");
        Ok(Application {
            port: local.port(),
            server: server.run(),
            pool,
            mail_sender: sender.spawn(poll_interval),
            jobs,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Lets a caller stop the server gracefully (tests; `main` relies on signals).
    pub fn handle(&self) -> ServerHandle {
        self.server.handle()
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Serves until SIGINT/SIGTERM (or [`ServerHandle::stop`]); in-flight requests are given
    /// `SHUTDOWN_TIMEOUT_MS` to finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let result = self.server.await;
        self.mail_sender.abort();
        self.jobs.abort();
        result
    }
}

fn state_shutdown_secs(settings: &Settings) -> u64 {
    settings.shutdown_timeout.as_secs().max(1)
}

/// Cross-origin access for the SPA's configured origins only, with credentials (the refresh
/// cookie). With no origin configured, browsers get no CORS headers at all.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::POST,
            Method::PUT,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            header::ACCEPT_LANGUAGE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::HeaderName::from_static("idempotency-key"),
            telemetry::REQUEST_ID_HEADER,
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::RETRY_AFTER,
            header::ALLOW,
            telemetry::REQUEST_ID_HEADER,
        ])
        .supports_credentials()
        .max_age(3600)
        // A foreign origin just gets no CORS headers (the browser blocks it) rather than a
        // plain-text error outside our envelope.
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// The built SPA, for local use: files as they are, and `index.html` for any other GET that
/// is not an API path (client-side routes such as `/listings/…`).
fn spa_files(dir: std::path::PathBuf) -> Files {
    let index = dir.join("index.html");
    Files::new("/", &dir)
        .index_file("index.html")
        .guard(guard::fn_guard(|ctx| {
            let head = ctx.head();
            (head.method == Method::GET || head.method == Method::HEAD)
                && !head.uri.path().starts_with("/api/")
        }))
        .default_handler(fn_service(move |req: ServiceRequest| {
            let index = index.clone();
            async move {
                let (req, _) = req.into_parts();
                let res = NamedFile::open(&index)?.into_response(&req);
                Ok::<_, actix_web::Error>(ServiceResponse::new(req, res))
            }
        }))
}
