use super::{AppState, upload};
use crate::domain::Assessment;
use crate::error::{Code, Error, Result};
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PutQuery {
    geography: String,
    filename: Option<String>,
}

/// `PUT /api/v1/assessments/{year}?geography=`: a new version of that year's indicators.
pub async fn put(
    req: HttpRequest,
    path: web::Path<i32>,
    query: web::Query<PutQuery>,
    payload: web::Payload,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    state.auth.require_writer(&req)?;
    let year = path.into_inner();
    let q = query.into_inner();
    let default_name = q.filename.unwrap_or_else(|| format!("assessment {year}"));
    let mut files = upload::read(&req, payload, state.max_upload_bytes, &default_name).await?;
    if files.len() != 1 {
        return Err(Error::new(Code::InvalidFile, "upload one indicator CSV"));
    }
    let report = state
        .services
        .import_indicators(files.remove(0), year, &q.geography)
        .await?;
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
        None | Some("json") => Ok(HttpResponse::Ok().json(to_json(&a))),
        Some("csv") => Ok(HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!(
                    "attachment; filename=\"assessment_{year}_v{}.csv\"",
                    a.version
                ),
            ))
            .body(to_csv(&a))),
        Some(other) => Err(Error::new(
            Code::InvalidParameter,
            format!("format '{other}' is not json or csv"),
        )),
    }
}

fn to_json(a: &Assessment) -> Value {
    let areas: Vec<Value> = a
        .table
        .rows
        .iter()
        .map(|r| {
            let values: Map<String, Value> = a
                .table
                .columns
                .iter()
                .zip(&r.values)
                .map(|(c, v)| (c.clone(), v.map_or(Value::Null, |x| json!(x))))
                .collect();
            json!({"geoid": r.geoid.as_str(), "values": values})
        })
        .collect();
    json!({
        "year": a.year,
        "version": a.version,
        "geography": a.geography,
        "indicators": a.table.indicators(),
        "columns": a.table.columns,
        "areas": areas,
    })
}

/// The table as CSV: `GEOID` then every column in upload order; numbers in their shortest
/// exact form, so uploading the download again stores the same values.
pub fn to_csv(a: &Assessment) -> String {
    let mut out = String::from("GEOID");
    for c in &a.table.columns {
        out.push(',');
        out.push_str(&csv_cell(c));
    }
    out.push('\n');
    for r in &a.table.rows {
        out.push_str(&csv_cell(r.geoid.as_str()));
        for v in &r.values {
            out.push(',');
            if let Some(x) = v {
                out.push_str(&x.to_string());
            }
        }
        out.push('\n');
    }
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}
