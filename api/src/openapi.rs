//! The OpenAPI 3.1 description. Paths and schemas are collected from the router itself
//! (`utoipa-actix-web`), so the spec and the routes cannot diverge; this module adds what the
//! router cannot know: the title, the tags, the security scheme, the catalogue of problem
//! types and the error responses every operation shares.

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
RFC 9457 problem document (`application/problem+json`) whose `type` is stable. Text must not \
contain NUL (U+0000), which the database cannot store: a NUL in a query parameter, or in any \
string or object key of a JSON body, is a 422 whose `errors` name the field (`attributes.engine_make`).\n\n\
Authenticate with `Authorization: Bearer <token>`: the access token of a login, or a personal \
access token (`hgr_...`) limited to its scopes.",
    ),
    tags(
        (name = "meta", description = "Discovery of the API itself."),
        (name = "health", description = "Liveness and readiness probes for orchestrators and load balancers."),
        (name = "auth", description = "Accounts and sessions: register, log in, refresh, log out, verify the email, reset the password."),
        (name = "users", description = "Your account (`/users/me`) and members' public profiles."),
        (name = "tokens", description = "Personal access tokens (`hgr_...`) for scripts and third-party tools."),
        (name = "admin", description = "Account administration (admin role)."),
        (name = "search", description = "Finding listings: full text in French and English, aviation filters, airfield radius, facets."),
        (name = "listings", description = "Listings: post, read, edit, delete, and their lifecycle (publish, reserve, sell, withdraw, renew)."),
        (name = "favorites", description = "Listings you keep an eye on: their status and price change since you saved them; a price drop is notified."),
        (name = "reports", description = "Reports on listings (scam, wrong category, already sold, duplicate, offensive, other) for the moderators."),
        (name = "moderation", description = "For moderators and administrators, from a logged-in session: the reports queue, resolving reports (dismiss, hide the listing, suspend the seller) with a note, and the append-only audit log of every moderator action."),
        (name = "saved-searches", description = "Searches you keep: new listings that match are notified and mailed in digests (instant, daily, weekly), with unsubscribe links that work without logging in."),
        (name = "notifications", description = "What happened that concerns you: new matches of your saved searches, price drops of favourites, new messages, listings about to expire."),
        (name = "messages", description = "Buyers and sellers talk about a listing: one conversation per buyer and listing, visible only to its two parties; plain text up to 5,000 characters, 30 messages per 10 minutes per sender by default; either party can block the other. Needs the `messages` scope."),
        (name = "categories", description = "The category tree listings are filed under, in French and English. Anyone reads it; moderators shape it; administrators order its top level."),
        (name = "makes", description = "Makes and models of aircraft, engines, propellers and avionics, for autocomplete."),
        (name = "airfields", description = "The world's airfields by ICAO code, for listing locations."),
    ),
    components(schemas(Problem)),
    modifiers(&ProblemCatalogue, &BearerAuth),
)]
pub struct ApiDoc;

/// The `bearer` scheme: an access token from `/auth/login`, or a personal access token.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT or hgr_ token")
                    .description(Some(
                        "Either the `access_token` of a login (15 minutes; renew it with \
                         `/api/v1/auth/refresh`) or a personal access token (`hgr_...`, from \
                         `/api/v1/users/me/tokens`), which only works within its scopes.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Errors any operation can give, added where a handler's own list does not mention them:
/// unreadable bodies (400, 413, 415) on operations with a body, unparsable path parameters
/// (400), and the server's own failures (500, and 503 when the database is down).
fn add_common_responses(doc: &mut OpenApiDoc) {
    use utoipa::openapi::path::{Operation, ParameterIn};
    use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};
    let problem = |description: &str| -> RefOr<Response> {
        RefOr::T(
            ResponseBuilder::new()
                .description(description)
                .content(
                    "application/problem+json",
                    ContentBuilder::new()
                        .schema(Some(utoipa::openapi::Ref::from_schema_name("Problem")))
                        .build(),
                )
                .build(),
        )
    };
    let add = |op: &mut Operation, code: &str, description: &str| {
        op.responses
            .responses
            .entry(code.to_owned())
            .or_insert_with(|| problem(description));
    };
    for item in doc.paths.paths.values_mut() {
        let ops = [
            item.get.as_mut(),
            item.post.as_mut(),
            item.put.as_mut(),
            item.patch.as_mut(),
            item.delete.as_mut(),
        ];
        for op in ops.into_iter().flatten() {
            if op.request_body.is_some() {
                add(
                    op,
                    "400",
                    "The body is not valid JSON (syntax, UTF-8, nesting).",
                );
                add(op, "413", "The body is larger than 64 KiB.");
                add(op, "415", "The body is not `application/json`.");
                add(
                    op,
                    "422",
                    "Valid JSON with invalid values or unknown fields.",
                );
            }
            let has_path_params = op.parameters.as_ref().is_some_and(|ps| {
                ps.iter()
                    .any(|p| matches!(p, RefOr::T(p) if p.parameter_in == ParameterIn::Path))
            });
            if has_path_params {
                add(
                    op,
                    "400",
                    "A path parameter does not parse (e.g. not a UUID).",
                );
            }
            if op.operation_id.as_deref() != Some("healthz") {
                add(
                    op,
                    "503",
                    "The database is unavailable; retry after `Retry-After` seconds.",
                );
            }
            add(op, "500", "An unexpected failure; quote the `request_id`.");
        }
    }
}

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
    let mut doc = doc;
    add_common_responses(&mut doc);
    doc
}

/// The committed form of the spec (`openapi/openapi.json`): pretty, with a final newline.
pub fn to_committed_json(doc: &OpenApiDoc) -> Result<String, serde_json::Error> {
    doc.to_pretty_json().map(|s| s + "\n")
}

#[cfg(test)]
mod tests {
    /// The stateful fuzzing (tests/schemathesis) follows these links: one naming an operation
    /// or a parameter that no longer exists would silently end its chains.
    #[test]
    fn links_name_existing_operations_and_their_parameters() {
        let spec = serde_json::to_value(super::spec()).expect("the spec serialises");
        let mut operations = std::collections::HashMap::new();
        for item in spec["paths"].as_object().expect("paths").values() {
            for op in item.as_object().expect("path item").values() {
                if let Some(id) = op["operationId"].as_str() {
                    operations.insert(id.to_owned(), op);
                }
            }
        }
        let mut links = 0;
        for (source, op) in &operations {
            for (status, response) in op["responses"].as_object().expect("responses") {
                let Some(found) = response["links"].as_object() else {
                    assert!(
                        status != "201",
                        "{source}: a 201 without links to what it created"
                    );
                    continue;
                };
                for (name, link) in found {
                    links += 1;
                    let target = link["operationId"].as_str().expect("operationId");
                    let target_op = operations
                        .get(target)
                        .unwrap_or_else(|| panic!("{source} {status} {name}: no `{target}`"));
                    let parameters: Vec<&str> = target_op["parameters"]
                        .as_array()
                        .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
                        .unwrap_or_default();
                    for (key, expression) in link["parameters"].as_object().expect("parameters") {
                        let parameter = key.rsplit('.').next().unwrap_or(key);
                        assert!(
                            parameters.contains(&parameter),
                            "{source} {status} {name}: `{target}` has no parameter `{parameter}`"
                        );
                        let expression = expression.as_str().unwrap_or_default();
                        assert!(
                            expression.starts_with("$response.")
                                || expression.starts_with("$request."),
                            "{source} {status} {name}: `{expression}` is not a runtime expression"
                        );
                    }
                }
            }
        }
        assert!(links > 0, "no links at all");
    }
}
