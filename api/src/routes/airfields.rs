//! `/api/v1/airfields`: the world's airfields by ICAO code (the airportsdata package), for
//! listing locations and the radius search. Public and cacheable.

use actix_web::{HttpRequest, HttpResponse, get, web};

use crate::db::{self, airfields};
use crate::dto::catalogue::{Airfield, AirfieldList, AirfieldQuery};
use crate::error::{ApiError, Problem};
use crate::extract::ValidQuery;
use crate::routes::cache;
use crate::routes::makes::typed;
use crate::seed::is_icao;
use crate::startup::AppState;
use utoipa_actix_web::service_config::ServiceConfig;

const DEFAULT_LIMIT: u32 = 10;

pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(search_airfields).service(get_airfield);
}

/// Find airfields by ICAO or IATA code, name or city, accent- and case-insensitively
/// ("LFJR", "ANE", "angers" and "marcé" all find Angers-Marcé).
///
/// The exact ICAO code comes first, then the exact IATA code, then airfields with a word
/// starting with the text, then other matches, closest first (small typos are forgiven:
/// "tousus" finds Toussus-le-Noble). One or two letters or digits only match the start of
/// ICAO codes and whole IATA codes ("LF"). `country` keeps one country. Without `q`,
/// airfields by ICAO code.
#[utoipa::path(
    tag = "airfields",
    operation_id = "search_airfields",
    params(AirfieldQuery),
    responses(
        (status = 200, description = "Matching airfields, best first.", body = AirfieldList,
         headers(
             ("ETag" = String, description = "Hash of the body; send it as `If-None-Match`."),
             ("Cache-Control" = String, description = "`public, max-age=3600`."),
         ),
         links(
             ("get_airfield" = (operation_id = "get_airfield", parameters(("icao" = "$response.body#/items/0/icao")), description = "The best match.")),
         )),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag."),
        (status = 422, description = "`limit` outside 1–50, a `country` that is not two letters, or an unknown parameter.", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/airfields")]
pub async fn search_airfields(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: ValidQuery<AirfieldQuery>,
) -> Result<HttpResponse, ApiError> {
    let ValidQuery(query) = query;
    let text = typed(query.q);
    let country = query.country.map(|c| c.to_ascii_uppercase());
    let limit = i64::from(query.limit.unwrap_or(DEFAULT_LIMIT));
    let rows = db::run(&state.pool, move |conn| {
        airfields::search(conn, text.as_deref(), country.as_deref(), limit)
    })
    .await?;
    let list = AirfieldList {
        items: rows.into_iter().map(Airfield::from).collect(),
    };
    cache::json(&req, &list, cache::PUBLIC_1_HOUR)
}

/// One airfield by ICAO code, in any case (`lfpn` is LFPN).
#[utoipa::path(
    tag = "airfields",
    operation_id = "get_airfield",
    params(("icao" = String, Path, description = "The ICAO code: 4 letters or digits", example = "LFPN", pattern = "^[A-Za-z0-9]{4}$")),
    responses(
        (status = 200, description = "The airfield.", body = Airfield,
         headers(
             ("ETag" = String, description = "Hash of the body; send it as `If-None-Match`."),
             ("Cache-Control" = String, description = "`public, max-age=3600`."),
         )),
        (status = 304, description = "Unchanged since the `If-None-Match` ETag."),
        (status = 404, description = "No airfield with this code.", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not 4 letters or digits (`errors.icao`).", body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/airfields/{icao}")]
pub async fn get_airfield(
    state: web::Data<AppState>,
    req: HttpRequest,
    icao: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let code = icao.trim().to_ascii_uppercase();
    if !is_icao(&code) {
        return Err(ApiError::field(
            "icao",
            "must be 4 letters or digits, e.g. LFPN",
        ));
    }
    let key = code.clone();
    let airfield = db::run(&state.pool, move |conn| airfields::find(conn, &key))
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("No airfield with ICAO code {code}.")))?;
    cache::json(&req, &Airfield::from(airfield), cache::PUBLIC_1_HOUR)
}
