//! HTTP routes. Each resource module has its handlers (with `#[utoipa::path]`) and a
//! `configure` that registers them; [`configure`] is the single list used both by the server
//! and by the OpenAPI generator.

pub mod admin;
pub mod airfields;
pub mod auth;
pub mod cache;
pub mod categories;
pub mod fallback;
pub mod favorites;
pub mod health;
pub mod listings;
pub mod makes;
pub mod messages;
pub mod meta;
pub mod moderation;
pub mod notifications;
pub mod photos;
pub mod reports;
pub mod saved_searches;
pub mod search;
pub mod tokens;
pub mod users;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers every route of the API.
pub fn configure(cfg: &mut ServiceConfig) {
    health::configure(cfg);
    cfg.service(
        utoipa_actix_web::scope("/api/v1")
            .configure(meta::configure)
            .service(utoipa_actix_web::scope("/auth").configure(auth::configure))
            .configure(users::configure)
            .configure(tokens::configure)
            .configure(listings::configure)
            .configure(favorites::configure)
            .configure(reports::configure)
            .configure(moderation::configure)
            .configure(notifications::configure)
            .configure(messages::configure)
            .configure(saved_searches::configure)
            .configure(photos::configure)
            .configure(search::configure)
            .configure(categories::configure)
            .configure(makes::configure)
            .configure(airfields::configure)
            .service(utoipa_actix_web::scope("/admin").configure(admin::configure)),
    );
}
