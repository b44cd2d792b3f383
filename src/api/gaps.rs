use super::AppState;
use super::format::cached;
use crate::analysis::{self, Cached, GapParams, RuleChoice};
use crate::atlas::CacheKey;
use crate::domain::HoursFilter;
use crate::domain::Year;
use crate::error::{Code, Error, Result};
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GapsQuery {
    year: Year,
    need: String,
    radius_km: Option<f64>,
    language: Option<String>,
    hours: Option<String>,
    desert_rule: Option<String>,
    format: Option<String>,
}

/// The `hours=` parameter: `evening` or `weekend`.
pub fn parse_hours(hours: Option<&str>) -> Result<Option<HoursFilter>> {
    hours
        .map(|h| {
            HoursFilter::parse(h).ok_or_else(|| {
                Error::new(
                    Code::InvalidParameter,
                    format!("hours '{h}' is not evening or weekend"),
                )
            })
        })
        .transpose()
}

/// `GET /api/v1/gaps?year=&need=[&radius_km=][&language=][&hours=][&desert_rule=need|catchment][&format=json|geojson|csv]`.
pub async fn get(query: web::Query<GapsQuery>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let hours = parse_hours(q.hours.as_deref())?;
    let desert_rule = q
        .desert_rule
        .as_deref()
        .map(|r| {
            RuleChoice::parse(r).ok_or_else(|| {
                Error::new(
                    Code::InvalidParameter,
                    format!("desert_rule '{r}' is not need or catchment"),
                )
            })
        })
        .transpose()?;
    let params = GapParams {
        radius_km: q.radius_km,
        language: q.language,
        hours,
        desert_rule,
    };
    let (year, need) = (q.year.get(), q.need);
    let atlas = state.services.atlas.get();
    let key = {
        params.cache_key(
            CacheKey::new("gaps", atlas.data_version)
                .with("year", year)
                .with("need", need.as_str())
                .with("format", format.name()),
        )
    };
    cached(&state, atlas, key, move |atlas, cache| {
        let report = analysis::gaps(&Cached::new(atlas, cache), year, &need, &params)?;
        output::render(&Document::Gaps(&report, atlas), format, Layout::Compact)
    })
    .await
}
