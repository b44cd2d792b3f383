use super::AppState;
use super::format::{Format, respond};
use crate::analysis::{self, OutreachParams};
use crate::error::{Error, Result};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutreachQuery {
    year: i32,
    target: String,
    enrolled: Option<String>,
    limit: Option<usize>,
    need: Option<String>,
    format: Option<String>,
}

/// `GET /api/v1/outreach?year=&target=[&enrolled=][&limit=][&need=][&format=json|csv|geojson]`:
/// areas ranked by unserved = max(0, target − enrolled).
pub async fn get(
    query: web::Query<OutreachQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse(q.format.as_deref())?;
    let params = OutreachParams {
        target: q.target,
        enrolled: q.enrolled.filter(|e| !e.is_empty()),
        limit: q.limit,
        need: q.need.filter(|n| !n.is_empty()),
    };
    let atlas = state.services.atlas.get();
    let year = q.year;
    // The ranking and the rendering are CPU work: keep them off the async workers.
    let bytes = web::block(move || -> Result<Vec<u8>> {
        let report = analysis::outreach(&atlas, year, &params)?;
        Ok(match format {
            Format::Json => serde_json::to_vec(&report).map_err(Error::internal)?,
            Format::Geojson => serde_json::to_vec(&analysis::outreach::to_geojson(&report, &atlas))
                .map_err(Error::internal)?,
            Format::Csv => analysis::outreach::to_csv(&report).into_bytes(),
        })
    })
    .await
    .map_err(Error::internal)??;
    Ok(respond(format, bytes, &format!("outreach_{year}")))
}
