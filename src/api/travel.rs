//! Travel-time matrices: `PUT /api/v1/travel-times/{mode}?geography=` streams a matrix to
//! a temporary file and imports it from there (a matrix can be far larger than any other
//! upload, so it is never held in memory as text); `GET /api/v1/travel-times` lists them.

use super::AppState;
use super::openapi::ErrorBody;
use crate::domain::{MatrixSummary, TravelMode};
use crate::error::{Code, Error, Result};
use crate::imports::ImportReport;
use crate::ingest::travel_times::Given;
use actix_multipart::Multipart;
use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::io::Write;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    /// The geography whose areas are the origins (and, for tract-to-tract matrices, the
    /// destinations).
    geography: String,
    /// The tool that computed the matrix (default: what the format tells: `r5py/r5r`,
    /// `OpenTripPlanner`, `OSRM`, `OpenTimes`).
    tool: Option<String>,
    /// When it was computed, or the date of the network it used.
    date: Option<String>,
    /// The departure time it used (transit times depend on it).
    departure: Option<String>,
    /// The file's name, for messages and the audit record.
    filename: Option<String>,
}

fn parse_mode(mode: &str) -> Result<TravelMode> {
    TravelMode::parse(mode).ok_or_else(|| {
        Error::new(
            Code::InvalidParameter,
            format!("mode '{mode}' is not walk, transit, drive or bike"),
        )
    })
}

fn too_large(limit: u64) -> Error {
    Error::new(
        Code::PayloadTooLarge,
        format!(
            "the upload is larger than the limit of {} MiB",
            limit / (1024 * 1024)
        ),
    )
}

/// Appends chunks to the spool file within the size limit.
struct Spool {
    file: tempfile::NamedTempFile,
    written: u64,
    limit: u64,
}

impl Spool {
    fn new(limit: u64) -> Result<Self> {
        Ok(Self {
            file: tempfile::NamedTempFile::new().map_err(Error::internal)?,
            written: 0,
            limit,
        })
    }

    fn push(&mut self, chunk: &[u8]) -> Result<()> {
        self.written += chunk.len() as u64;
        if self.written > self.limit {
            return Err(too_large(self.limit));
        }
        self.file.write_all(chunk).map_err(Error::internal)
    }
}

/// `PUT /api/v1/travel-times/{mode}?geography=`: replaces the geography's matrix of that
/// mode. The body (raw, or the first file of a multipart form) is r5py/r5r CSV
/// `from_id,to_id,travel_time` (minutes), OpenTripPlanner CSV `Origin,Destination,…,Travel
/// time` (seconds), OpenTimes CSV `origin_id,destination_id,duration_sec`, or OSRM `table`
/// JSON with `source_ids` and `destination_ids` added. `from_id` is a GEOID of the
/// geography; `to_id` a site id or a GEOID (each site then takes its area's time); a pair
/// left out is unreachable.
#[utoipa::path(put, path = "/api/v1/travel-times/{mode}", tag = "data",
    params(("mode" = TravelMode, Path, description = "walk, transit, drive or bike."), PutQuery),
    request_body(description = "The matrix as the raw body (text/csv or application/json) or the file of a multipart/form-data form, within --max-upload-mb.", content(("text/csv"), ("application/json"), ("multipart/form-data"))),
    security(("token" = [])),
    responses(
    (status = 200, description = "Stored: the matrix replaced the geography's matrix of that mode.", body = ImportReport),
    (status = 404, description = "No such geography.", body = ErrorBody),
))]
pub async fn put(
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<PutQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let mode = parse_mode(&path.into_inner())?;
    let q = query.into_inner();
    let caller = state
        .auth
        .require(&req, &state.services.store, crate::store::Role::Editor)
        .await?;
    let _slot = state.upload_slot().await?;
    let limit = state.max_upload_bytes;
    if let Some(len) = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        && len > limit
    {
        return Err(too_large(limit));
    }
    let content_type = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut spool = Spool::new(limit)?;
    let mut name = q.filename.clone();
    if content_type.starts_with("multipart/form-data") {
        let mut form = Multipart::new(req.headers(), payload);
        let mut got = false;
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| {
                Error::new(Code::MalformedFile, format!("the form cannot be read: {e}"))
            })?;
            let filename = field
                .content_disposition()
                .and_then(|d| d.get_filename())
                .map(str::to_owned);
            let Some(filename) = filename else {
                while field.next().await.is_some() {}
                continue;
            };
            if got {
                return Err(Error::new(
                    Code::InvalidFile,
                    "upload one travel-time matrix at a time",
                ));
            }
            got = true;
            name.get_or_insert(filename);
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| {
                    Error::new(Code::MalformedFile, format!("the form cannot be read: {e}"))
                })?;
                spool.push(&chunk)?;
            }
        }
        if !got {
            return Err(Error::new(Code::EmptyFile, "the form holds no file"));
        }
    } else {
        let mut payload = payload;
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| {
                Error::new(Code::MalformedFile, format!("the upload was cut off: {e}"))
            })?;
            spool.push(&chunk)?;
        }
    }
    spool.file.flush().map_err(Error::internal)?;
    let name = name.unwrap_or_else(|| format!("{} travel times", mode.name()));
    let given = Given {
        tool: q.tool,
        date: q.date,
        departure: q.departure,
    };
    let path = spool.file.path().to_owned();
    let report = state
        .services
        .import_travel_times(&caller.actor, path, &name, &q.geography, mode, given)
        .await?;
    drop(spool);
    Ok(HttpResponse::Ok().json(report))
}

/// `GET /api/v1/travel-times`'s answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TravelTimesList {
    /// Every stored matrix, by geography and mode.
    matrices: Vec<MatrixSummary>,
}

/// `GET /api/v1/travel-times`: the stored matrices with their provenance (the page offers
/// minutes by the modes listed here).
#[utoipa::path(get, path = "/api/v1/travel-times", tag = "data",
    responses((status = 200, description = "The stored matrices (empty when none was uploaded).", body = TravelTimesList)))]
pub async fn list(state: web::Data<AppState>) -> Result<HttpResponse> {
    let atlas = state.services.atlas.get();
    let matrices = atlas.travel.values().map(|t| t.matrix.summary()).collect();
    Ok(HttpResponse::Ok().json(TravelTimesList { matrices }))
}
