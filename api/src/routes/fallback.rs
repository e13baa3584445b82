//! What answers when no route matched: 405 with `Allow` when the path exists under another
//! method, else a problem+json 404.
//!
//! The table of known paths is taken from the OpenAPI document, which is generated from the
//! router itself, so it cannot miss a route.

use actix_web::dev::ResourceDef;
use actix_web::{HttpRequest, HttpResponse, web};
use utoipa::openapi::OpenApi;

use crate::error::ApiError;

/// Every documented path with the methods it accepts.
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<String>)>,
}

impl RouteTable {
    pub fn from_spec(doc: &OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<String> = Vec::new();
                let ops = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("OPTIONS", item.options.is_some()),
                ];
                for (name, present) in ops {
                    if present {
                        methods.push(name.to_owned());
                    }
                }
                // OpenAPI `{id}` and actix `{id}` share a syntax for plain segments.
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        RouteTable { routes }
    }

    /// The methods `path` accepts, if it is a known path.
    pub fn allowed(&self, path: &str) -> Option<&[String]> {
        self.routes
            .iter()
            .find(|(def, _)| def.is_match(path))
            .map(|(_, methods)| methods.as_slice())
    }
}

/// The app's default service.
pub async fn not_found(
    req: HttpRequest,
    table: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match table.allowed(req.path()) {
        Some(methods) if !methods.is_empty() => ApiError::MethodNotAllowed {
            allow: methods.to_vec(),
        },
        _ => ApiError::NotFound(format!("There is nothing at {}.", req.path())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_paths_answer_their_methods() {
        let table = RouteTable::from_spec(&crate::openapi::spec());
        assert_eq!(
            table.allowed("/healthz"),
            Some(["GET".to_owned()].as_slice())
        );
        assert_eq!(
            table.allowed("/api/v1"),
            Some(["GET".to_owned()].as_slice())
        );
        assert!(table.allowed("/nope").is_none());
    }
}
