//! A year's program records: program-wide figures with their sources, beside the ACS.

use super::openapi::UPLOAD_BODY;
use super::{AppState, upload};
use crate::domain::ProgramRecord;
use crate::domain::Year;
use crate::error::Result;
use crate::imports::ImportReport;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    /// The file's name, for messages and the audit record.
    filename: Option<String>,
}

/// `PUT /api/v1/assessments/{year}/records`: replaces that year's program records with a
/// records CSV (`record,value,source[,as_of,name,kind,notes]`).
#[utoipa::path(put, path = "/api/v1/assessments/{year}/records", tag = "data",
    params(("year" = i32, Path, minimum = 1900, maximum = 2200, description = "The assessment year."), PutQuery),
    request_body(description = UPLOAD_BODY, content(("text/csv"), ("multipart/form-data"))),
    security(("token" = [])),
    responses(
    (status = 200, description = "The year's records, replaced (or unchanged).", body = ImportReport),
))]
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
#[utoipa::path(get, path = "/api/v1/assessments/{year}/records", tag = "data",
    params(("year" = i32, Path, minimum = 1900, maximum = 2200, description = "The assessment year.")),
    responses((status = 200, description = "The year's program records (empty when none were uploaded).", body = ProgramRecords)))]
pub async fn get(path: web::Path<Year>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let year = path.into_inner().get();
    let records = state.services.store.program_records(year).await?;
    Ok(HttpResponse::Ok().json(ProgramRecords { year, records }))
}

/// `GET /api/v1/assessments/{year}/records`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ProgramRecords {
    /// The year.
    year: i32,
    /// Its records, by record and name.
    records: Vec<ProgramRecord>,
}
