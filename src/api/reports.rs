use super::AppState;
use super::format::respond;
use super::openapi::{ErrorBody, ReportFormat};
use crate::analysis::Cached;
use crate::atlas::CacheKey;
use crate::domain::{Day, Year};
use crate::error::{Code, Error, Result};
use crate::output::report::{ReportDate, ReportInput};
use crate::output::{self, Document, Format, Layout, Rendered};
use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// The report is one self-contained page: its own inline styles and SVG, nothing to run and
/// nothing to fetch. The policy says exactly that, so even a string that escaped escaping
/// could not load or run anything.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                          base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Query {
    /// `html` (the printable page, default) or `docx` (an editable Word document).
    #[param(value_type = Option<ReportFormat>)]
    format: Option<String>,
    /// The report date (YYYY-MM-DD) from which the Partnerships section counts the
    /// agreements ending within 90 days; default: today (UTC).
    #[param(example = "2027-03-01")]
    date: Option<String>,
}

/// `GET /reports/{year}[?format=html|docx][&date=YYYY-MM-DD]`: the community-assessment
/// report, as the printable page (HTML, the default) or as an editable Word document (a
/// DOCX download); `date` is the report date its Partnerships section counts from.
#[utoipa::path(get, path = "/reports/{year}", tag = "analysis",
    params(("year" = i32, Path, minimum = 1900, maximum = 2200, example = 2014, description = "The assessment year."), Query),
    responses(
    (status = 200, description = "The report: one self-contained printable page, or the same as a Word document.", content(
        (String = "text/html"),
        (Vec<u8> = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    )),
    (status = 404, description = "No assessment for the year.", body = ErrorBody),
))]
pub async fn get(
    path: web::Path<Year>,
    query: web::Query<Query>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let year = path.into_inner().get();
    let format = Format::parse_or(query.format.as_deref(), Format::Html)?;
    let date = match query.date.as_deref() {
        None => ReportDate {
            day: Day::today(),
            given: false,
        },
        Some(s) => ReportDate {
            day: Day::parse(s).ok_or_else(|| {
                Error::new(
                    Code::InvalidParameter,
                    format!("date must be a calendar day as YYYY-MM-DD; got '{s}'"),
                )
            })?,
            given: true,
        },
    };
    let atlas = state.services.atlas.get();
    // Every write bumps the data version, the uploads' record included.
    let key = CacheKey::new("report", atlas.data_version)
        .with("year", year)
        .with("format", format.name())
        .with("date", date.day.to_string())
        .with("date_given", date.given);
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
                        date,
                    };
                    output::render(&Document::Report(input), format, Layout::Compact)
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
