use super::format::respond;
use super::openapi::{AssessmentFormat, ErrorBody, UPLOAD_BODY};
use super::{AppState, upload};
use crate::domain::AssessmentSummary;
use crate::domain::Year;
use crate::error::{Code, Error, Result};
use crate::imports::ImportReport;
use crate::imports::IndicatorSource;
use crate::output::AssessmentJson;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    /// The geography whose GEOIDs the rows use.
    geography: String,
    /// The file's name, for messages and the audit record.
    filename: Option<String>,
    /// `indicators` (gapmap's indicator CSV, the default) or `census` (Census tables).
    source: Option<IndicatorSource>,
}

/// `PUT /api/v1/assessments/{year}?geography=[&source=census]`: a new version of that
/// year's indicators, from gapmap's indicator CSV or (`source=census`) from Census tables
/// as they come: data.census.gov CSV downloads and Census API JSON answers, as a raw body
/// or as the parts of a multipart form (any field names).
#[utoipa::path(put, path = "/api/v1/assessments/{year}", tag = "data",
    params(("year" = i32, Path, minimum = 1900, maximum = 2200, description = "The assessment year."), PutQuery),
    request_body(description = UPLOAD_BODY, content(("text/csv"), ("application/json"), ("application/zip"), ("multipart/form-data"))),
    security(("token" = [])),
    responses(
    (status = 200, description = "A new version of the year (or unchanged), with its warnings.", body = ImportReport),
    (status = 404, description = "There is no such geography.", body = ErrorBody),
))]
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

/// `GET /api/v1/assessments`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct AssessmentList {
    /// Every year, oldest first.
    assessments: Vec<AssessmentSummary>,
}

/// `GET /api/v1/assessments`: every year with its versions.
#[utoipa::path(get, path = "/api/v1/assessments", tag = "data",
    responses((status = 200, description = "Every stored year with its versions.", body = AssessmentList)))]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse> {
    let assessments = state.services.store.list_assessments().await?;
    Ok(HttpResponse::Ok().json(AssessmentList { assessments }))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GetQuery {
    /// `json` (default) or `csv` (the table as it uploads again).
    #[param(value_type = Option<AssessmentFormat>)]
    format: Option<String>,
    /// A stored version (default: the current one).
    #[param(minimum = 1)]
    version: Option<i64>,
}

/// `GET /api/v1/assessments/{year}[?format=csv][&version=N]`.
#[utoipa::path(get, path = "/api/v1/assessments/{year}", tag = "data",
    params(("year" = i32, Path, minimum = 1900, maximum = 2200, description = "The assessment year."), GetQuery),
    responses(
    (status = 200, description = "The year's indicator table.", content(
        (AssessmentJson = "application/json"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No assessment for the year, or no such version.", body = ErrorBody),
))]
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
