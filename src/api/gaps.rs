use super::AppState;
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

#[derive(Clone, Copy)]
enum Format {
    Json,
    Geojson,
    Csv,
}

/// `GET /api/v1/gaps?year=&need=[&radius_km=][&language=][&hours=][&format=json|geojson|csv]`.
pub async fn get(query: web::Query<GapsQuery>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = match q.format.as_deref() {
        None | Some("json") => Format::Json,
        Some("geojson") => Format::Geojson,
        Some("csv") => Format::Csv,
        Some(other) => {
            return Err(Error::new(
                Code::InvalidParameter,
                format!("format '{other}' is not json, geojson or csv"),
            ));
        }
    };
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
        return Ok(respond(format, &format!("gaps_{year}_{need}"), bytes));
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
    Ok(respond(format, &stem, bytes))
}

fn respond(format: Format, stem: &str, bytes: actix_web::web::Bytes) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    match format {
        Format::Json => response.content_type("application/json"),
        Format::Geojson => response.content_type("application/geo+json"),
        Format::Csv => response
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{stem}.csv\""),
            )),
    };
    response.body(bytes)
}
