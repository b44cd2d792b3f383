//! The `format=json|geojson|csv` choice of analysis answers, and the response for each.

use crate::error::{Code, Error, Result};
use actix_web::HttpResponse;

/// An analysis answer's format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Geojson,
    Csv,
}

impl Format {
    /// Reads `format=`; JSON when absent.
    pub fn parse(s: Option<&str>) -> Result<Self> {
        match s {
            None | Some("json") => Ok(Self::Json),
            Some("geojson") => Ok(Self::Geojson),
            Some("csv") => Ok(Self::Csv),
            Some(other) => Err(Error::new(
                Code::InvalidParameter,
                format!("format '{other}' is not json, geojson or csv"),
            )),
        }
    }
}

/// A 200 with the format's content type; CSV comes as a download named `stem.csv`.
pub fn respond(
    format: Format,
    bytes: impl Into<actix_web::web::Bytes>,
    stem: &str,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    match format {
        Format::Json => response.content_type("application/json"),
        Format::Geojson => response.content_type("application/geo+json"),
        Format::Csv => response
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                "Content-Disposition",
                format!("attachment; filename=\"{stem}.csv\""),
            )),
    };
    response.body(bytes.into())
}
