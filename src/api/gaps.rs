use super::AppState;
use super::format::{Format, respond};
use crate::analysis::{self, GapParams};
use crate::domain::HoursFilter;
use crate::error::{Code, Error, Result};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapsQuery {
    year: i32,
    need: String,
    radius_km: Option<f64>,
    language: Option<String>,
    hours: Option<String>,
    format: Option<String>,
}

/// `GET /api/v1/gaps?year=&need=[&radius_km=][&language=][&hours=][&format=json|geojson|csv]`.
pub async fn get(query: web::Query<GapsQuery>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse(q.format.as_deref())?;
    let hours = q
        .hours
        .as_deref()
        .map(|h| {
            HoursFilter::parse(h).ok_or_else(|| {
                Error::new(
                    Code::InvalidParameter,
                    format!("hours '{h}' is not evening or weekend"),
                )
            })
        })
        .transpose()?;
    let params = GapParams {
        radius_km: q.radius_km,
        language: q.language,
        hours,
    };
    let atlas = state.services.atlas.get();
    let (year, need) = (q.year, q.need);
    let key = format!(
        "{}|{year}|{need}|{:?}|{:?}|{:?}|{}",
        atlas.data_version, params.radius_km, params.language, params.hours, format as u8
    );
    if let Some(bytes) = state.rendered.get(&key) {
        return Ok(respond(format, bytes, &format!("gaps_{year}_{need}")));
    }
    // The analysis and the rendering are CPU work: keep them off the async workers.
    let body = web::block(move || -> Result<(Vec<u8>, String)> {
        let report = analysis::gaps(&atlas, year, &need, &params)?;
        let stem = format!("gaps_{year}_{need}");
        Ok(match format {
            Format::Json => (serde_json::to_vec(&*report).map_err(Error::internal)?, stem),
            Format::Geojson => (
                serde_json::to_vec(&analysis::to_geojson(&report, &atlas))
                    .map_err(Error::internal)?,
                stem,
            ),
            Format::Csv => (analysis::to_csv(&report).into_bytes(), stem),
        })
    })
    .await
    .map_err(Error::internal)??;
    let (bytes, stem) = body;
    let bytes = actix_web::web::Bytes::from(bytes);
    state.rendered.put(key, bytes.clone());
    Ok(respond(format, bytes, &stem))
}
