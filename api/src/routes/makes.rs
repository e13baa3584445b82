//! `/api/v1/makes`: manufacturers and their models, for the autocomplete of listing forms
//! and search filters. Public and cacheable.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::db::{self, makes};
use crate::dto::catalogue::{Make, MakeList, MakeQuery, Model, ModelList, ModelQuery};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::routes::cache;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

/// Results per page unless `limit` says otherwise.
const DEFAULT_LIMIT: u32 = 10;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(list_makes).service(list_models);
}

/// The typed text, trimmed; blank counts as absent.
pub(crate) fn typed(q: Option<String>) -> Option<String> {
    q.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())
}

/// Makes for an autocomplete: accent-, case- and punctuation-insensitive, and tolerant of
/// small typos ("cesna" finds Cessna, "schemp" Schempp-Hirth, "bolkow" Bölkow).
///
/// Names starting with the text come first, then names with a word starting with it
/// ("schleicher" finds Alexander Schleicher), then near spellings, best first. Without `q`,
/// makes by name. `kind` keeps the makes that build that kind.
#[utoipa::path(
    tag = "makes",
    operation_id = "list_makes",
    params(MakeQuery),
    responses(
        (status = 200, description = "Matching makes, best first.", body = MakeList,
         headers(
             ("ETag" = String, description = "Hash of the body; send it as `If-None-Match`."),
             ("Cache-Control" = String, description = "`public, max-age=3600`."),
         ),
         links(
             ("list_models" = (operation_id = "list_models", parameters(("make" = "$response.body#/items/0/slug")), description = "The models of the best match.")),
         )),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag."),
        (status = 422, description = "`limit` outside 1–50, an unknown `kind`, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/makes")]
pub async fn list_makes(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ValidQuery<MakeQuery>,
) -> Result<HttpResponse, ApiError> {
    let ValidQuery(query) = query;
    let text = typed(query.q);
    let kind = query.kind.map(|k| k.as_str().to_owned());
    let limit = i64::from(query.limit.unwrap_or(DEFAULT_LIMIT));
    let rows = db::run(&state.pool, move |conn| {
        makes::search(conn, text.as_deref(), kind.as_deref(), limit)
    })
    .await?;
    let list = MakeList {
        items: rows
            .into_iter()
            .map(Make::try_from)
            .collect::<Result<_, _>>()?,
    };
    cache::json(&req, &list, cache::PUBLIC_1_HOUR)
}

/// A make's models for an autocomplete, matched like makes; spaces and dashes inside
/// designations do not matter ("dr400" finds DR400, "pa28" every PA-28). Without `q`, all
/// the make's models (up to `limit`) by designation.
#[utoipa::path(
    tag = "makes",
    operation_id = "list_models",
    params(
        ("make" = String, Path, description = "The make's id, or its slug", example = "robin"),
        ModelQuery,
    ),
    responses(
        (status = 200, description = "The make and its matching models, best first.", body = ModelList,
         headers(
             ("ETag" = String, description = "Hash of the body; send it as `If-None-Match`."),
             ("Cache-Control" = String, description = "`public, max-age=3600`."),
         )),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag."),
        (status = 404, description = "No such make.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`limit` outside 1–50, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/makes/{make}/models")]
pub async fn list_models(
    state: web::Data<AppState>,
    req: HttpRequest,
    make: web::Path<String>,
    query: ValidQuery<ModelQuery>,
) -> Result<HttpResponse, ApiError> {
    let ValidQuery(query) = query;
    let key = make.into_inner();
    let text = typed(query.q);
    let limit = i64::from(query.limit.unwrap_or(DEFAULT_LIMIT));
    let found = db::run(&state.pool, move |conn| {
        let Some(make) = makes::find(conn, &key)? else {
            return Ok(None);
        };
        let models = makes::search_models(conn, make.id, text.as_deref(), limit)?;
        Ok::<_, diesel::result::Error>(Some((make, models)))
    })
    .await?;
    let (make, models) = found.ok_or_else(|| ApiError::NotFound("No such make.".into()))?;
    let list = ModelList {
        make: Make::try_from(make)?,
        items: models.into_iter().map(Model::from).collect(),
    };
    cache::json(&req, &list, cache::PUBLIC_1_HOUR)
}
