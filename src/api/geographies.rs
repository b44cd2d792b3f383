use super::format::cached;
use super::openapi::{ErrorBody, FeatureCollection, UPLOAD_BODY};
use super::{AppState, upload};
use crate::atlas::CacheKey;
use crate::error::{Code, Error, Result};
use crate::imports::ImportReport;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    /// The property (GeoJSON) or attribute (shapefile) holding each area's GEOID, when it
    /// is not one of the usual names (`GEOID`, `geoid`, `GEOID10`, `GEOID20` …).
    id_field: Option<String>,
    /// The file's name, for messages and the audit record.
    filename: Option<String>,
}

/// `PUT /api/v1/geographies/{name}`: areas (GeoJSON or zipped shapefile) replace the geography.
#[utoipa::path(put, path = "/api/v1/geographies/{name}", tag = "data",
    params(("name" = String, Path, description = "The geography's name (e.g. `tracts`)."), PutQuery),
    request_body(description = UPLOAD_BODY, content(("application/geo+json"), ("application/json"), ("application/zip"), ("multipart/form-data"))),
    security(("token" = [])),
    responses(
    (status = 200, description = "Stored (or unchanged): what the upload added, changed and removed.", body = ImportReport),
))]
pub async fn put(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PutQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let name = path.into_inner();
    let q = query.into_inner();
    let default_name = q.filename.unwrap_or_else(|| format!("{name} areas"));
    let mut upload = upload::receive(&req, payload, &state, &default_name).await?;
    let file = upload.one("one file of areas (GeoJSON or a zipped shapefile)")?;
    let report = state
        .services
        .import_areas(&upload.actor, file, &name, q.id_field)
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// A geography: its name, how many areas it has and where they are.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GeographySummary<'a> {
    /// The geography's name.
    #[schema(value_type = String)]
    name: &'a str,
    /// Its number of areas.
    areas: usize,
    /// `[min_lon, min_lat, max_lon, max_lat]` of its areas; null when it has none.
    bbox: Option<[f64; 4]>,
}

fn summary<'a>(name: &'a str, g: &crate::atlas::GeographyData) -> GeographySummary<'a> {
    GeographySummary {
        name,
        areas: g.geography.areas.len(),
        bbox: g.bbox.map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]),
    }
}

/// `GET /api/v1/geographies`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct GeographyList<'a> {
    /// Every geography, by name.
    geographies: Vec<GeographySummary<'a>>,
}

/// `GET /api/v1/geographies`: every geography with its area count and extent.
#[utoipa::path(get, path = "/api/v1/geographies", tag = "data",
    responses((status = 200, description = "Every geography.", body = GeographyList)))]
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    let atlas = state.services.atlas.get();
    let geographies = atlas
        .geographies
        .iter()
        .map(|(n, g)| summary(n, g))
        .collect();
    HttpResponse::Ok().json(GeographyList { geographies })
}

/// `GET /api/v1/geographies/{name}`.
#[utoipa::path(get, path = "/api/v1/geographies/{name}", tag = "data",
    params(("name" = String, Path, description = "The geography's name.")),
    responses(
    (status = 200, description = "The geography.", body = GeographySummary),
    (status = 404, description = "There is no such geography.", body = ErrorBody),
))]
pub async fn get_one(path: web::Path<String>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let atlas = state.services.atlas.get();
    let name = path.into_inner();
    let g = atlas.geographies.get(&name).ok_or_else(|| unknown(&name))?;
    Ok(HttpResponse::Ok().json(summary(&name, g)))
}

fn unknown(name: &str) -> Error {
    Error::new(
        Code::UnknownGeography,
        format!("there is no geography '{name}'"),
    )
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AreasQuery {
    /// Only this area (a collection of one feature): what a map drawn from tiles fetches
    /// to fly to an area.
    geoid: Option<String>,
}

/// `GET /api/v1/geographies/{name}/areas[?geoid=]`: the areas (or one) as a GeoJSON
/// FeatureCollection.
#[utoipa::path(get, path = "/api/v1/geographies/{name}/areas", tag = "data",
    params(("name" = String, Path, description = "The geography's name."), AreasQuery),
    responses(
    (status = 200, description = "The areas' polygons; feature id and `geoid` = GEOID, with `name`.", body = FeatureCollection, content_type = "application/geo+json"),
    (status = 404, description = "There is no such geography, or no such area in it.", body = ErrorBody),
))]
pub async fn areas(
    path: web::Path<String>,
    query: web::Query<AreasQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let atlas = state.services.atlas.get();
    let name = path.into_inner();
    let Some(g) = atlas.geographies.get(&name) else {
        return Err(unknown(&name));
    };
    if let Some(geoid) = query.into_inner().geoid {
        let at = crate::domain::Geoid::parse(&geoid)
            .ok()
            .and_then(|id| g.by_geoid.get(&id).copied())
            .ok_or_else(|| {
                Error::new(
                    Code::NotFound,
                    format!("geography '{name}' has no area '{geoid}'"),
                )
            })?;
        let rendered = output::render(&Document::Area(g, at), Format::Geojson, Layout::Compact)?;
        return Ok(super::format::respond(&rendered));
    }
    let key = CacheKey::new("areas", atlas.data_version).with("geography", name.as_str());
    cached(&state, atlas, key, move |atlas, _, out| {
        let g = atlas.geographies.get(&name).ok_or_else(|| unknown(&name))?;
        output::write(&Document::Areas(g), Format::Geojson, Layout::Compact, out)
    })
    .await
}
