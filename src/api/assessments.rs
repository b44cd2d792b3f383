use super::format::respond;
use super::{AppState, upload};
use crate::domain::Year;
use crate::error::{Code, Error, Result};
use crate::imports::IndicatorSource;
use crate::output::{self, Document, Format, Layout};
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
    path: web::Path<Year>,
    query: web::Query<PutQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let year = path.into_inner().get();
    let q = query.into_inner();
    let default_name = q.filename.unwrap_or_else(|| format!("assessment {year}"));
    let mut upload = upload::receive(&req, payload, &state, &default_name).await?;
    let report = match q.source.unwrap_or_default() {
        IndicatorSource::Census => {
            let files = std::mem::take(&mut upload.files);
            state
                .services
                .import_census(&upload.actor, files, year, &q.geography)
                .await?
        }
        IndicatorSource::Indicators => {
            let file = upload
                .one("one indicator CSV (several files are Census tables: add source=census)")?;
            state
                .services
                .import_indicators(&upload.actor, file, year, &q.geography)
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
    path: web::Path<Year>,
    query: web::Query<GetQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let year = path.into_inner().get();
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
    let format = Format::parse_or(query.format.as_deref(), Format::Json)?;
    Ok(respond(&output::render(
        &Document::Assessment(&a),
        format,
        Layout::Compact,
    )?))
}
