//! `GET /api/v1`: where a client starts.

use actix_web::{get, web};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::startup::AppState;

/// Entry point of the API: its version and where its description lives.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiIndex {
    #[schema(example = "Hangar API")]
    pub name: &'static str,
    /// Version of the running service.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// The OpenAPI 3.1 document of this API.
    #[schema(example = "https://hangar.example/api/v1/openapi.json")]
    pub openapi_url: String,
    /// Human-readable reference, browsable offline.
    #[schema(example = "https://hangar.example/docs/")]
    pub docs_url: String,
}

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(index);
}

/// Names the API and links its OpenAPI document and reference pages.
#[utoipa::path(
    tag = "meta",
    operation_id = "api_index",
    responses((status = 200, description = "The API index.", body = ApiIndex))
)]
#[get("")]
pub async fn index(state: web::Data<AppState>) -> web::Json<ApiIndex> {
    let base = &state.settings.public_base_url;
    web::Json(ApiIndex {
        name: "Hangar API",
        version: env!("CARGO_PKG_VERSION"),
        openapi_url: format!("{base}/api/v1/openapi.json"),
        docs_url: format!("{base}/docs/"),
    })
}
