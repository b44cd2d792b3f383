use super::AppState;
use super::format::{Format, respond};
use crate::analysis;
use crate::error::{Error, Result};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompareQuery {
    need: String,
    from: i32,
    to: i32,
    format: Option<String>,
}

/// `GET /api/v1/compare?need=&from=&to=[&format=json|geojson|csv]`: one need's gaps in two
/// years, area by area.
pub async fn get(
    query: web::Query<CompareQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse(q.format.as_deref())?;
    let atlas = state.services.atlas.get();
    let stem = format!("compare_{}_{}_{}", q.need, q.from, q.to);
    let bytes = web::block(move || -> Result<Vec<u8>> {
        let report = analysis::compare(&atlas, &q.need, q.from, q.to)?;
        Ok(match format {
            Format::Json => serde_json::to_vec(&report).map_err(Error::internal)?,
            Format::Geojson => serde_json::to_vec(&analysis::compare::to_geojson(&report, &atlas))
                .map_err(Error::internal)?,
            Format::Csv => analysis::compare::to_csv(&report).into_bytes(),
        })
    })
    .await
    .map_err(Error::internal)??;
    Ok(respond(format, bytes, &stem))
}
