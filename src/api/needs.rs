use super::AppState;
use super::format::cached;
use super::openapi::ErrorBody;
use crate::analysis::{self, FilterReport, lookup};
use crate::atlas::CacheKey;
use crate::domain::{Need, Year};
use crate::error::Result;
use crate::imports::NeedReport;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

/// `GET /api/v1/needs`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NeedList<'a> {
    /// The store's data version the needs were read at.
    data_version: i64,
    /// Every need as stored (each with its `version`), in the store's order: the seeding
    /// file's, then the needs added since.
    #[schema(value_type = Vec<Need>)]
    needs: &'a [Need],
}

/// `GET /api/v1/needs`: each need as gapmap measures it now: the program's own standards,
/// as stored.
#[utoipa::path(get, path = "/api/v1/needs", tag = "vocabulary",
    responses((status = 200, description = "The needs, with their versions, indicators, services, radius, bands, target and desert rule.", body = NeedList)))]
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    let atlas = state.services.atlas.get();
    HttpResponse::Ok().json(NeedList {
        data_version: atlas.data_version,
        needs: atlas.catalog.needs(),
    })
}

/// `PUT /api/v1/needs/{code}` (admin): replaces the need as a whole, or adds it. The body
/// is one need in the shape `GET /api/v1/needs` lists it (a `data/needs.toml` entry as
/// JSON); `version`, when given, must be the stored version the change was made on (409
/// otherwise, nothing written). Every field is checked and each problem named (422); a
/// body equal to the stored need writes nothing. The change is audited (`put_need`, each
/// field before and after), bumps the need's version and the data version, and every
/// analysis from then on names the new version (`need_version`).
#[utoipa::path(put, path = "/api/v1/needs/{code}", tag = "vocabulary",
    params(("code" = String, Path, example = "infant_toddler_care", description = "The need's code: lower-case letters, digits and _, starting with a letter.")),
    request_body(content = Need, content_type = "application/json",
        description = "The whole need. updated_at and updated_by are not taken from it; version, when given, is checked."),
    security(("token" = [])),
    responses(
    (status = 200, description = "Stored (or unchanged): the fields changed, before and after, and the need as it is now.", body = NeedReport),
    (status = 409, description = "The need is stored at another version than the body's: someone changed it meanwhile.", body = ErrorBody),
))]
pub async fn put(
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let caller = state
        .auth
        .require(&req, &state.services.store, crate::store::Role::Admin)
        .await?;
    let body = super::partners::edit_body(payload).await?;
    let report = state
        .services
        .put_need(&caller.actor, &path.into_inner(), &body)
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FiltersQuery {
    /// The assessment year (a language filter's indicator is looked up there).
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    year: Year,
}

/// `GET /api/v1/needs/{code}/filters?year=`: the site filters the need declares, each
/// with whether the data answers it and why not (see `analysis::filters`).
#[utoipa::path(get, path = "/api/v1/needs/{code}/filters", tag = "vocabulary",
    params(("code" = String, Path, example = "childcare", description = "A need's code."), FiltersQuery),
    responses(
    (status = 200, description = "The need's filters, each with whether the data can answer it.", body = FilterReport),
    (status = 404, description = "No such need, or no assessment for the year.", body = ErrorBody),
))]
pub async fn filters(
    path: web::Path<String>,
    query: web::Query<FiltersQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let code = path.into_inner();
    let year = query.year.get();
    let atlas = state.services.atlas.get();
    let key = CacheKey::new("need_filters", atlas.data_version)
        .with("need", code.as_str())
        .with("year", year);
    cached(&state, atlas, key, move |atlas, _| {
        let need = lookup::need(atlas, &code)?;
        let report = analysis::filter_options(atlas, year, need)?;
        output::render(&Document::Filters(&report), Format::Json, Layout::Compact)
    })
    .await
}
