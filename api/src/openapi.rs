//! The OpenAPI 3.1 description. Paths and schemas are collected from the router itself
//! (`utoipa-actix-web`), so the spec and the routes cannot diverge; this module adds what the
//! router cannot know: the title, the tags and the catalogue of problem types.

use utoipa::openapi::{OpenApi as OpenApiDoc, Server};
use utoipa::{Modify, OpenApi};

use crate::error::{Problem, ProblemKind};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Hangar API",
        description = "Hangar is the classified-ads marketplace for light aviation: aircraft, ULMs, \
gliders, engines, propellers, avionics, parts, pilot gear, hangar space, shares and services.\n\n\
All endpoints live under `/api/v1`. Bodies are JSON (`application/json`); every error is an \
RFC 9457 problem document (`application/problem+json`) whose `type` is stable.",
    ),
    tags(
        (name = "meta", description = "Discovery of the API itself."),
        (name = "health", description = "Liveness and readiness probes for orchestrators and load balancers."),
    ),
    components(schemas(Problem)),
    modifiers(&ProblemCatalogue),
)]
pub struct ApiDoc;

/// Lists every problem `type` in the description, so client authors find them in one place.
struct ProblemCatalogue;

impl Modify for ProblemCatalogue {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let mut text =
            String::from("\n\n## Problem types\n\n| type | status | meaning |\n|---|---|---|\n");
        for kind in ProblemKind::ALL {
            text.push_str(&format!(
                "| `{}` | {} | {} |\n",
                kind.type_uri(),
                kind.status().as_u16(),
                kind.description()
            ));
        }
        let description = openapi.info.description.get_or_insert_with(String::new);
        description.push_str(&text);
        openapi.info.version = env!("CARGO_PKG_VERSION").to_owned();
        openapi.servers = Some(vec![Server::new("/")]);
    }
}

/// The full document: the base above merged with every path registered on the router.
pub fn spec() -> OpenApiDoc {
    use utoipa_actix_web::AppExt;
    let (_, doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    doc
}

/// The committed form of the spec (`openapi/openapi.json`): pretty, with a final newline.
pub fn to_committed_json(doc: &OpenApiDoc) -> Result<String, serde_json::Error> {
    doc.to_pretty_json().map(|s| s + "\n")
}
