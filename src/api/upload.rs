//! Reading an upload: the raw body (text/csv, application/geo+json, application/json,
//! application/zip) or multipart form data (the web page's form), within the size limit.
//! A body announced as too large is refused before any of it is read.

use crate::error::{Code, Error, Result};
use crate::ingest::InputFile;
use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;

const RAW_TYPES: [&str; 7] = [
    "text/csv",
    "application/geo+json",
    "application/json",
    "application/zip",
    "application/x-zip-compressed",
    "text/plain",
    "application/octet-stream",
];

fn too_large(limit: u64) -> Error {
    Error::new(
        Code::PayloadTooLarge,
        format!(
            "the upload is larger than the limit of {} MiB",
            limit / (1024 * 1024)
        ),
    )
}

/// Reads the uploaded files. `default_name` names a raw body that has no `filename`.
pub async fn read(
    req: &HttpRequest,
    mut payload: web::Payload,
    limit: u64,
    default_name: &str,
) -> Result<Vec<InputFile>> {
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
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_owned();

    if essence == "multipart/form-data" {
        let mut form = Multipart::new(req.headers(), payload);
        let mut files = Vec::new();
        let mut total = 0u64;
        while let Some(field) = form.next().await {
            let mut field = field.map_err(|e| {
                Error::new(Code::MalformedFile, format!("the form cannot be read: {e}"))
            })?;
            let disposition = field.content_disposition().cloned();
            let filename = disposition
                .as_ref()
                .and_then(|d| d.get_filename())
                .map(str::to_owned);
            let Some(name) = filename.or_else(|| {
                disposition
                    .as_ref()
                    .and_then(|d| d.get_name())
                    .map(str::to_owned)
            }) else {
                continue;
            };
            let is_file = disposition
                .as_ref()
                .and_then(|d| d.get_filename())
                .is_some();
            let mut bytes = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(|e| {
                    Error::new(Code::MalformedFile, format!("the form cannot be read: {e}"))
                })?;
                total += chunk.len() as u64;
                if total > limit {
                    return Err(too_large(limit));
                }
                bytes.extend_from_slice(&chunk);
            }
            if is_file {
                files.push(InputFile::new(name, bytes));
            }
        }
        if files.is_empty() {
            return Err(Error::new(Code::EmptyFile, "the form holds no file"));
        }
        return Ok(files);
    }

    if !RAW_TYPES.contains(&essence.as_str()) {
        return Err(Error::new(
            Code::UnsupportedMediaType,
            format!(
                "Content-Type '{content_type}' is not an upload gapmap reads: send text/csv, application/geo+json, application/json, application/zip or multipart/form-data"
            ),
        ));
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|e| Error::new(Code::MalformedFile, format!("the upload was cut off: {e}")))?;
        if (bytes.len() + chunk.len()) as u64 > limit {
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(vec![InputFile::new(default_name, bytes)])
}
