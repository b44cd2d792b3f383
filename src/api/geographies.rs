use super::format::cached;
use super::{AppState, upload};
use crate::atlas::CacheKey;
use crate::error::{Code, Error, Result};
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    id_field: Option<String>,
    filename: Option<String>,
}

/// `PUT /api/v1/geographies/{name}`: areas (GeoJSON or zipped shapefile) replace the geography.
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

fn summary(name: &str, g: &crate::atlas::GeographyData) -> Value {
    json!({
        "name": name,
        "areas": g.geography.areas.len(),
        "bbox": g.bbox.map(|b| [b.min().x, b.min().y, b.max().x, b.max().y]),
    })
}

/// `GET /api/v1/geographies`: every geography with its area count and extent.
pub async fn list(state: web::Data<AppState>) -> HttpResponse {
    let atlas = state.services.atlas.get();
    let list: Vec<Value> = atlas
        .geographies
        .iter()
        .map(|(n, g)| summary(n, g))
        .collect();
    HttpResponse::Ok().json(json!({ "geographies": list }))
}

/// `GET /api/v1/geographies/{name}`.
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

/// `GET /api/v1/geographies/{name}/areas`: the areas as a GeoJSON FeatureCollection.
pub async fn areas(path: web::Path<String>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let atlas = state.services.atlas.get();
    let name = path.into_inner();
    if !atlas.geographies.contains_key(&name) {
        return Err(unknown(&name));
    }
    let key = CacheKey::new("areas", atlas.data_version).with("geography", name.as_str());
    cached(&state, atlas, key, move |atlas, _| {
        let g = atlas.geographies.get(&name).ok_or_else(|| unknown(&name))?;
        output::render(&Document::Areas(g), Format::Geojson, Layout::Compact)
    })
    .await
}
