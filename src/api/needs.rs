use super::AppState;
use super::format::cached;
use super::openapi::ErrorBody;
use crate::analysis::{self, FilterReport, lookup};
use crate::atlas::CacheKey;
use crate::domain::{Need, Year};
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::{Deserialize, Serialize};

/// `GET /api/v1/needs`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct NeedList<'a> {
    /// Every need, in the catalog's order.
    #[schema(value_type = Vec<Need>)]
    needs: &'a [Need],
}

/// `GET /api/v1/needs`: the needs taxonomy as gapmap measures it.
#[utoipa::path(get, path = "/api/v1/needs", tag = "vocabulary",
    responses((status = 200, description = "The needs, with their indicators, services, radius, bands, target and desert rule.", body = NeedList)))]
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(NeedList {
        needs: state.services.catalog.needs(),
    })
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
    cached(&state, atlas, key, move |atlas, _, out| {
        let need = lookup::need(atlas, &code)?;
        let report = analysis::filter_options(atlas, year, need)?;
        output::write(
            &Document::Filters(&report),
            Format::Json,
            Layout::Compact,
            out,
        )
    })
    .await
}
