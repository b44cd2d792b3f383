use super::{AppState, upload};
use crate::config::IndicatorSource;
use crate::error::{Code, Error, Result};
use crate::export;
use crate::store::Role;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    geography: String,
    filename: Option<String>,
    source: Option<IndicatorSource>,
}

/// `PUT /api/v1/assessments/{year}?geography=[&source=census]`: a new version of that
/// year's indicators, from gapmap's indicator CSV or (`source=census`) from Census tables
/// as they come: data.census.gov CSV downloads and Census API JSON answers, as a raw body
/// or as the parts of a multipart form (any field names).
pub async fn put(
    req: HttpRequest,
    path: web::Path<i32>,
    query: web::Query<PutQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let caller = state
        .auth
        .require(&req, &state.services.store, Role::Editor)
        .await?;
    let year = path.into_inner();
    let q = query.into_inner();
    let default_name = q.filename.unwrap_or_else(|| format!("assessment {year}"));
    let _slot = state.upload_slot().await?;
    let mut files = upload::read(&req, payload, state.max_upload_bytes, &default_name).await?;
    let report = match q.source.unwrap_or_default() {
        IndicatorSource::Census => {
            state
                .services
                .import_census(&caller.actor, files, year, &q.geography)
                .await?
        }
        IndicatorSource::Indicators => {
            if files.len() != 1 {
                return Err(Error::new(
                    Code::InvalidFile,
                    "upload one indicator CSV (several files are Census tables: add source=census)",
                ));
            }
            state
                .services
                .import_indicators(&caller.actor, files.remove(0), year, &q.geography)
                .await?
        }
    };
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /api/v1/assessments`: every year with its versions.
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse> {
    let list = state.services.store.list_assessments().await?;
    Ok(HttpResponse::Ok().json(json!({ "assessments": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GetQuery {
    format: Option<String>,
    version: Option<i64>,
}

/// `GET /api/v1/assessments/{year}[?format=csv][&version=N]`.
pub async fn get_one(
    path: web::Path<i32>,
    query: web::Query<GetQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let year = path.into_inner();
    let a = state
        .services
        .store
        .assessment(year, query.version)
        .await?
        .ok_or_else(|| match query.version {
            Some(v) => Error::new(
                Code::UnknownYear,
                format!("there is no version {v} of the {year} assessment"),
            ),
            None => Error::new(
                Code::UnknownYear,
                format!("there is no assessment for {year}"),
            ),
        })?;
    match query.format.as_deref() {
        None | Some("json") => Ok(HttpResponse::Ok().json(export::assessment_json(&a))),
        Some("csv") => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!(
                    "attachment; filename=\"assessment_{year}_v{}.csv\"",
                    a.version
                ),
            ))
            .body(export::assessment_csv(&a))),
        Some(other) => Err(Error::new(
            Code::InvalidParameter,
            format!("format '{other}' is not json or csv"),
        )),
    }
}
