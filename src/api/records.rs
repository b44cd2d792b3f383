//! A year's program records: program-wide figures with their sources, beside the ACS.

use super::{AppState, upload};
use crate::domain::Year;
use crate::error::{Code, Error, Result};
use crate::store::Role;
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
    let caller = state
        .auth
        .require(&req, &state.services.store, Role::Editor)
        .await?;
    let year = path.into_inner().get();
    let default_name = query
        .into_inner()
        .filename
        .unwrap_or_else(|| format!("program records {year}"));
    let _slot = state.upload_slot().await?;
    let mut files = upload::read(&req, payload, state.max_upload_bytes, &default_name).await?;
    if files.len() != 1 {
        return Err(Error::new(
            Code::InvalidFile,
            "upload one program-records CSV",
        ));
    }
    let report = state
        .services
        .import_records(&caller.actor, files.remove(0), year)
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
