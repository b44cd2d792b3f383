//! A year's program records: program-wide figures with their sources, beside the ACS.

use super::{AppState, upload};
use crate::domain::Year;
use crate::error::Result;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    filename: Option<String>,
}

/// `PUT /api/v1/assessments/{year}/records`: replaces that year's program records with a
/// records CSV (`record,value,source[,as_of,name,kind,notes]`).
pub async fn put(
    req: HttpRequest,
    path: web::Path<Year>,
    query: web::Query<PutQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let year = path.into_inner().get();
    let default_name = query
        .into_inner()
        .filename
        .unwrap_or_else(|| format!("program records {year}"));
    let mut upload = upload::receive(&req, payload, &state, &default_name).await?;
    let file = upload.one("one program-records CSV")?;
    let report = state
        .services
        .import_records(&upload.actor, file, year)
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /api/v1/assessments/{year}/records`: `{year, records: [{record, name, kind, value,
/// source, as_of, notes}]}`, empty when none were uploaded.
pub async fn get(path: web::Path<Year>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let year = path.into_inner().get();
    let records = state.services.store.program_records(year).await?;
    Ok(HttpResponse::Ok().json(json!({ "year": year, "records": records })))
}
