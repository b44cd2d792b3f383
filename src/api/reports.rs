use super::AppState;
use super::format::respond;
use super::openapi::ErrorBody;
use crate::analysis::Cached;
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::error::{Error, Result};
use crate::output::report::ReportInput;
use crate::output::{self, Document, Format, Layout, Rendered};
use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// The report is one self-contained page: its own inline styles and SVG, nothing to run and
/// nothing to fetch. The policy says exactly that, so even a string that escaped escaping
/// could not load or run anything.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                          base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `GET /reports/{year}`: the printable community-assessment report (HTML).
#[utoipa::path(get, path = "/reports/{year}", tag = "analysis",
    params(("year" = i32, Path, minimum = 1900, maximum = 2200, example = 2014, description = "The assessment year.")),
    responses(
    (status = 200, description = "The report: one self-contained printable page.", body = String, content_type = "text/html"),
    (status = 404, description = "No assessment for the year.", body = ErrorBody),
))]
pub async fn get(path: web::Path<Year>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let year = path.into_inner().get();
    let atlas = state.services.atlas.get();
    // Every write bumps the data version, the uploads' record included.
    let key = CacheKey::new("report", atlas.data_version).with("year", year);
    let cache = state.services.atlas.cache().clone();
    let rendered = match cache.get::<Rendered>(&key) {
        Some(hit) => hit,
        None => {
            let provenance = state.services.store.provenance().await?;
            let indicators = state.services.indicators.clone();
            web::block(move || {
                output::cached(&cache, key, || {
                    let source = Cached::new(&atlas, &cache);
                    let input = ReportInput {
                        source: &source,
                        year,
                        provenance: &provenance,
                        indicators: &indicators,
                    };
                    output::render(&Document::Report(input), Format::Html, Layout::Compact)
                })
            })
            .await
            .map_err(Error::internal)??
        }
    };
    let mut response = respond(&rendered);
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        header::HeaderValue::from_static(REPORT_CSP),
    );
    Ok(response)
}
