//! Probes for orchestrators: liveness never touches the database, readiness does.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::db;
use crate::error::{ApiError, Problem};
use crate::startup::AppState;

/// Probe result.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the status is 200.
    #[schema(example = "ok")]
    pub status: &'static str,
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(healthz).service(readyz);
}

/// Liveness: the process is up and serving HTTP. Never touches the database, so an
/// orchestrator does not restart the API because PostgreSQL is down.
#[utoipa::path(
    tag = "health",
    operation_id = "healthz",
    responses((status = 200, description = "The process is alive.", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok" })
}

/// Readiness: one round trip to PostgreSQL. 503 (with `Retry-After`) while the database is
/// unreachable; back to 200 by itself once it returns, without restarting the API.
#[utoipa::path(
    tag = "health",
    operation_id = "readyz",
    responses(
        (status = 200, description = "Ready to serve: the database answers.", body = Health),
        (status = 503, description = "The database is unreachable.", body = Problem,
         content_type = "application/problem+json",
         headers(("Retry-After" = u32, description = "Seconds to wait before retrying")))
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<web::Json<Health>, ApiError> {
    db::run(&state.pool, db::ping).await?;
    Ok(web::Json(Health { status: "ok" }))
}
