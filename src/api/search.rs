use super::AppState;
use super::openapi::ErrorBody;
use crate::analysis::{self, SearchReport};
use crate::error::Result;
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    /// What to look for: a GEOID or part of a name (2 to 200 characters, any case).
    #[param(min_length = 2, max_length = 200, example = "Rogers Park")]
    q: String,
    /// Only this geography's areas (default: every geography's).
    geography: Option<String>,
    /// Hits of each kind listed at most (1 to 50; default 8).
    #[param(minimum = 1, maximum = 50)]
    limit: Option<usize>,
    /// `json` (default) or `csv` (one row per hit: `kind, id, name, geography,
    /// partner_id, partner, lon, lat`).
    format: Option<String>,
}

/// `GET /api/v1/search?q=[&geography=][&limit=][&format=json|csv]`: areas by GEOID or
/// name, partners by name, and sites by their name or their partner's (DESIGN.md,
/// "Search"): exact matches first, then those starting with the text, then the rest.
#[utoipa::path(get, path = "/api/v1/search", tag = "data", params(SearchQuery), responses(
    (status = 200, description = "The first hits of each kind, and how many there are.", content(
        (SearchReport = "application/json"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No such geography.", body = ErrorBody),
))]
pub async fn get(
    query: web::Query<SearchQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let atlas = state.services.atlas.get();
    // A national geography's names take some milliseconds to look through: off the
    // server's threads, as every analysis.
    let rendered = web::block(move || {
        let report = analysis::search(&atlas, &q.q, q.geography.as_deref(), q.limit)?;
        output::render(&Document::Search(&report), format, Layout::Compact)
    })
    .await
    .map_err(crate::error::Error::internal)??;
    Ok(super::format::respond(&rendered))
}
