//! The API contract, generated from the handlers and the types they answer with: every
//! route's `#[utoipa::path]`, every answer's `ToSchema`. `GET /api/openapi.json` serves it;
//! `tests/api/openapi.rs` holds that every route is in it and the browser test's validator
//! that it is valid OpenAPI 3.1; `.ci/schemathesis.sh` checks live answers against it.
//!
//! The errors any request can meet are added here once, by [`CommonErrors`], rather than
//! on every handler: a bad parameter (400), a token where reads are not public (401), a
//! store or deadline failure (503) and our own failure (500); for every write also the
//! token checks (401, 403), the size limit (413), refused contents (422) and, for
//! uploads, a Content-Type that disagrees with the contents (415). Handlers document only
//! what is their own (a 404 of a missing record, a 422 of a filter).

use super::{
    assessments, audit, barriers, compare, gaps, geographies, health, metrics, needs,
    opportunities, outreach, page, partners, records, reports, search, siting, tiles, travel,
    vehicle, vocabulary,
};
use crate::error::Body;
use std::sync::LazyLock;
use utoipa::openapi::path::{Operation, ParameterIn};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Content, OpenApi as Document, Ref, RefOr};
use utoipa::{Modify, OpenApi, ToSchema};

/// The error body every 4xx and 5xx carries.
pub type ErrorBody = Body<'static>;

pub use crate::output::geojson::FeatureCollection;

/// What an upload's body may be, for the request-body descriptions.
pub const UPLOAD_BODY: &str = "The file as the raw body (its Content-Type must agree with \
    its contents), or the files as the parts of a multipart/form-data form. The size limit \
    is the server's --max-upload-mb (default 100 MB).";

/// `format=` of an answer that is a table of areas or sites.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // Only its schema is used: the handlers read `format` as text.
pub enum TableFormat {
    /// JSON (the default).
    Json,
    /// GeoJSON, with the polygons or points.
    Geojson,
    /// CSV, as a download.
    Csv,
}

/// `format=` of an assessment.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // Only its schema is used.
pub enum AssessmentFormat {
    /// JSON (the default).
    Json,
    /// The CSV that uploads again unchanged.
    Csv,
}

/// `format=` of the report.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // Only its schema is used.
pub enum ReportFormat {
    /// The printable page (the default).
    Html,
    /// An editable Word document, as a download.
    Docx,
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "gapmap",
        description = "Where families' needs lack nearby community partners. Every metric \
            is defined in docs/DESIGN.md ('The metrics'); distances are great-circle km from \
            an area's demand point. Errors carry {\"error\": {\"code\", \"message\", \
            \"details\": [{\"file\", \"row\", \"field\", \"message\"}]}}. Writes need an \
            editor token (`Authorization: Bearer <token>`); reads need a viewer token only \
            where the server runs with GAPMAP_READS=token.",
    ),
    paths(
        health::healthz,
        health::readyz,
        metrics::metrics,
        openapi_json,
        needs::list,
        needs::put,
        needs::filters,
        vocabulary::get,
        page::config,
        geographies::list,
        geographies::get_one,
        geographies::put,
        geographies::areas,
        assessments::list,
        assessments::get_one,
        assessments::put,
        records::get,
        records::put,
        partners::list,
        partners::post,
        partners::sites,
        partners::get_one,
        partners::history,
        partners::patch_partner,
        partners::patch_site,
        search::get,
        travel::list,
        vehicle::get,
        travel::put,
        gaps::get,
        outreach::get,
        compare::get,
        siting::get,
        opportunities::get,
        barriers::get,
        reports::get,
        tiles::get,
        audit::list,
    ),
    // The answers' schemas are collected from the paths; these are only named by
    // parameters, which utoipa does not collect.
    components(schemas(
        ErrorBody,
        TableFormat,
        AssessmentFormat,
        ReportFormat,
        crate::domain::HoursFilter,
        crate::analysis::RuleChoice,
        crate::analysis::siting::Candidates,
        crate::imports::Mode,
        crate::imports::IndicatorSource,
        crate::ingest::Untracked,
        crate::domain::TravelMode,
        gaps::DecayName,
        gaps::RankMetric,
        tiles::TileLayer,
    )),
    modifiers(&CommonErrors),
    tags(
        (name = "analysis", description = "Gaps, outreach ranking, year-over-year change, siting and the report."),
        (name = "data", description = "Geographies, assessments, program records and the partner directory: upload and download."),
        (name = "vocabulary", description = "The needs, and the words, units and colours of every code."),
        (name = "maps", description = "Vector tiles of the areas (with a need's metrics) and of the sites, for maps of any size."),
        (name = "operations", description = "Health, metrics, the audit record and this document."),
    )
)]
struct ApiDoc;

/// The OpenAPI document (3.1) describing this API.
#[utoipa::path(get, path = "/api/openapi.json", tag = "operations",
    responses((status = 200, description = "This document.", body = Object)))]
pub async fn openapi_json() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok()
        .content_type("application/json")
        .body(DOCUMENT.as_str())
}

/// The document, built once.
pub static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises")
});

/// The document as a value, for tests and `gapmap openapi`.
pub fn document() -> Document {
    ApiDoc::openapi()
}

/// Adds the security scheme and the errors every request may meet (see the module docs).
struct CommonErrors;

impl Modify for CommonErrors {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        for (path, item) in doc.paths.paths.iter_mut() {
            let read_guarded = path.starts_with("/api/") || path.starts_with("/reports/");
            let operations = [
                (&mut item.get, true),
                (&mut item.put, false),
                (&mut item.post, false),
                (&mut item.patch, false),
            ];
            for (operation, is_read) in operations {
                let Some(op) = operation.as_mut() else {
                    continue;
                };
                if has_parameters(op) || !is_read {
                    add(
                        op,
                        "400",
                        "A parameter is missing or invalid (`invalid_parameter`), or the body cannot be read.",
                    );
                }
                if !is_read {
                    add_write_errors(op);
                }
                if is_read && read_guarded {
                    add(
                        op,
                        "401",
                        "Where reads need a token (GAPMAP_READS=token): none was sent, or an unknown one.",
                    );
                    // Anonymous, or a viewer token where reads need one.
                    op.security.get_or_insert_with(|| {
                        vec![
                            SecurityRequirement::default(),
                            SecurityRequirement::new("token", Vec::<String>::new()),
                        ]
                    });
                }
                add(
                    op,
                    "500",
                    "gapmap failed; the cause is in the server log (`internal`).",
                );
                add(
                    op,
                    "503",
                    "The store is unavailable, or the request ran past its deadline (`unavailable`, `timeout`); retry.",
                );
            }
        }
    }
}

/// What every write may meet: the token checks, the size limit, refused contents, and
/// for uploads (bodies other than JSON) a Content-Type that disagrees with the contents.
fn add_write_errors(op: &mut Operation) {
    add(
        op,
        "401",
        "No token, or an unknown one (`missing_token`, `invalid_token`).",
    );
    add(op, "403", "The token's role is below editor (`forbidden`).");
    add(
        op,
        "413",
        "The body is over the limit: --max-upload-mb for uploads, 64 KiB for an edit (`payload_too_large`).",
    );
    add(
        op,
        "422",
        "The body reads but is refused: every problem by file, row and field (`details`).",
    );
    let uploads_files = op.request_body.as_ref().is_some_and(|body| match body {
        RefOr::T(body) => body.content.keys().any(|media| media != "application/json"),
        RefOr::Ref(_) => false,
    });
    if uploads_files {
        add(
            op,
            "415",
            "The Content-Type disagrees with the contents, or is not one gapmap reads (`unsupported_media_type`).",
        );
    }
}

fn has_parameters(op: &Operation) -> bool {
    op.parameters.as_ref().is_some_and(|p| {
        p.iter()
            .any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query | ParameterIn::Path)))
    })
}

/// Adds an error answer with the error body, unless the handler documented that status.
fn add(op: &mut Operation, status: &str, description: &str) {
    if op.responses.responses.contains_key(status) {
        return;
    }
    let response: Response = ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            Content::new(Some(RefOr::Ref(Ref::from_schema_name(ErrorBody::name())))),
        )
        .build();
    op.responses
        .responses
        .insert(status.to_owned(), RefOr::T(response));
}
