//! Reading an upload: the raw body (text/csv, application/geo+json, application/json,
//! application/zip) or multipart form data (the web page's form), within the size limit.
//! A body announced as too large is refused before any of it is read. A declared type
//! that the contents contradict (a CSV sent as a zip, a zip as CSV, JSON as CSV) is
//! refused with 415 rather than read as whatever the contents look like: the sender has
//! mixed up their files or their client, and guessing would hide that.

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

/// What a body's first bytes say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Contents {
    Zip,
    Json,
    Text,
    Binary,
}

impl Contents {
    fn of(file: &InputFile) -> Self {
        if file.is_zip() {
            Self::Zip
        } else if file.looks_like_json() {
            Self::Json
        } else if !file.bytes.iter().take(4096).any(|b| *b == 0) {
            Self::Text
        } else {
            Self::Binary
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Zip => "a zip archive (application/zip)",
            Self::Json => "JSON (application/geo+json or application/json)",
            Self::Text => "text such as CSV (text/csv)",
            Self::Binary => "binary data",
        }
    }
}

/// Refuses contents that contradict their declared type. The generic types (text/plain,
/// application/octet-stream, or a form part's own type such as a spreadsheet program's)
/// say nothing and are read by their contents. Blank files are left to the importers,
/// which name them as empty.
fn check_declared(declared: &str, file: &InputFile) -> Result<()> {
    if file.bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    let contents = Contents::of(file);
    let agrees = match declared {
        "text/csv" => !matches!(contents, Contents::Zip | Contents::Json),
        "application/geo+json" | "application/json" => contents == Contents::Json,
        "application/zip" | "application/x-zip-compressed" => contents == Contents::Zip,
        _ => true,
    };
    if agrees {
        return Ok(());
    }
    Err(Error::problem(
        Code::UnsupportedMediaType,
        crate::error::Problem::in_file(
            &file.name,
            format!(
                "the upload is declared as {declared} but its contents look like {}: send it with the Content-Type that matches the file",
                contents.describe()
            ),
        ),
    ))
}

/// The lower-case essence of a Content-Type (`text/csv; charset=utf-8` → `text/csv`).
fn essence_of(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
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

/// An accepted upload: who sent it, the upload slot it holds while it is imported, and
/// its files.
pub struct Received<'a> {
    /// The editor (or admin) who sent it, as the audit record names them.
    pub actor: String,
    /// The files, in the order they came.
    pub files: Vec<InputFile>,
    _slot: tokio::sync::SemaphorePermit<'a>,
}

impl Received<'_> {
    /// The one file of an upload that must be one file; `what` says what it should be,
    /// e.g. "one indicator CSV".
    pub fn one(&mut self, what: &str) -> Result<InputFile> {
        if self.files.len() != 1 {
            return Err(Error::new(Code::InvalidFile, format!("upload {what}")));
        }
        Ok(self.files.remove(0))
    }
}

/// What every upload handler starts with: an editor's token, then an upload slot (so
/// memory is bounded by the slots, not by how many upload at once), then the body read
/// within the size limit. `default_name` names a raw body that has no `filename`.
pub async fn receive<'a>(
    req: &HttpRequest,
    payload: web::Payload,
    state: &'a super::AppState,
    default_name: &str,
) -> Result<Received<'a>> {
    let caller = state
        .auth
        .require(req, &state.services.store, crate::store::Role::Editor)
        .await?;
    let slot = state.upload_slot().await?;
    let files = read(req, payload, state.max_upload_bytes, default_name).await?;
    Ok(Received {
        actor: caller.actor,
        files,
        _slot: slot,
    })
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
    let essence = essence_of(&content_type);

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
            let declared = field.content_type().map(|m| essence_of(m.essence_str()));
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
                let file = InputFile::new(name, bytes);
                if let Some(declared) = declared {
                    check_declared(&declared, &file)?;
                }
                files.push(file);
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
    let file = InputFile::new(default_name, bytes);
    check_declared(&essence, &file)?;
    Ok(vec![file])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(bytes: &[u8]) -> InputFile {
        InputFile::new("f", bytes.to_vec())
    }

    #[test]
    fn contents_that_contradict_the_declared_type_are_refused_naming_both() {
        let csv = file(b"GEOID,kids\n01,3\n");
        let zip = file(b"PK\x03\x04rest");
        let json = file(b"  {\"type\":\"FeatureCollection\"}");
        assert!(check_declared("text/csv", &csv).is_ok());
        assert!(check_declared("application/zip", &zip).is_ok());
        assert!(check_declared("application/geo+json", &json).is_ok());
        assert!(check_declared("application/octet-stream", &zip).is_ok());
        assert!(check_declared("text/plain", &json).is_ok());
        for (declared, f, looks) in [
            ("application/zip", &csv, "text such as CSV"),
            ("text/csv", &zip, "a zip archive"),
            ("text/csv", &json, "JSON"),
            ("application/json", &csv, "text such as CSV"),
        ] {
            let e = check_declared(declared, f).unwrap_err();
            assert_eq!(e.code(), Code::UnsupportedMediaType);
            assert!(e.message().contains(declared), "{}", e.message());
            assert!(e.message().contains(looks), "{}", e.message());
            assert_eq!(e.details()[0].file.as_deref(), Some("f"));
        }
    }

    #[test]
    fn a_blank_or_non_utf8_csv_is_left_to_the_importer() {
        assert!(check_declared("application/zip", &file(b" \n")).is_ok());
        assert!(check_declared("text/csv", &file(b"GEOID,name\n01,Caf\xe9\n")).is_ok());
    }
}
