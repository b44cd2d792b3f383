use super::AppState;
use super::format::cached;
use super::openapi::{ErrorBody, FeatureCollection, TableFormat};
use crate::analysis::{self, AreaGap, Cached, GapParams, GapReport, RuleChoice};
use crate::atlas::CacheKey;
use crate::domain::Year;
use crate::domain::{HoursFilter, TravelMode};
use crate::error::{Code, Error, Result};
use crate::output::{self, Document, Format, Layout};
use actix_web::{HttpResponse, web};
use serde::Deserialize;

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct GapsQuery {
    /// The assessment year.
    #[param(value_type = i32, minimum = 1900, maximum = 2200, example = 2014)]
    year: Year,
    /// A need's code (`GET /api/v1/needs`).
    #[param(example = "childcare")]
    need: String,
    /// Catchment radius r in km instead of the need's.
    #[param(exclusive_minimum = 0, maximum = 100)]
    radius_km: Option<f64>,
    /// ISO 639-1 code: demand is the need's indicator for that language and only sites
    /// serving it count (the need's `filters.language` lists the codes it allows).
    language: Option<String>,
    /// Only sites open at these hours count (the need's `filters.hours`).
    #[param(value_type = Option<HoursFilter>)]
    hours: Option<String>,
    /// `need` (default: the need's own rule) or `catchment` (2SFCA access below the
    /// need's target, the demand-adjusted supply of CAP's 2020 maps).
    #[param(value_type = Option<RuleChoice>)]
    desert_rule: Option<String>,
    /// Measure cost in minutes on the geography's travel-time matrix of this mode
    /// (`GET /api/v1/travel-times` lists them) instead of km.
    #[param(value_type = Option<TravelMode>)]
    mode: Option<String>,
    /// With `mode`: the reach M in minutes (2SFCA counts t ≤ M; default: the need's
    /// `max_minutes`).
    #[param(exclusive_minimum = 0, maximum = 240)]
    max_minutes: Option<f64>,
    /// With `mode`: E2SFCA's decay, `step` (the need's bands in minutes), `gaussian` or
    /// `gravity`.
    #[param(value_type = Option<DecayName>)]
    decay: Option<String>,
    /// σ in minutes of the Gaussian decay (default max_minutes / 2).
    sigma_minutes: Option<f64>,
    /// β of the gravity decay max(t, 1)^(−β) (default 1).
    gravity_beta: Option<f64>,
    /// The answer's format.
    #[param(value_type = Option<TableFormat>)]
    format: Option<String>,
    /// Rows worst first on this metric, as the map's ranking orders them (DESIGN.md,
    /// "The ranking"): `shortfall_in_area`, `shortfall`, `demand`, `nearest_km` and
    /// `nearest_minutes` (with `mode`) largest first, `access_2sfca` and `access_e2sfca`
    /// lowest first among areas with demand; ties by larger shortfall, larger demand, then
    /// GEOID. Rows that cannot be ranked on it are left out. `summary` stays the whole
    /// geography's.
    #[param(value_type = Option<RankMetric>)]
    sort: Option<String>,
    /// Only the deserts' rows (`summary` stays the whole geography's).
    deserts_only: Option<bool>,
    /// At most this many rows (after `sort` and `deserts_only`).
    #[param(minimum = 1, maximum = 100000)]
    limit: Option<usize>,
    /// Only the rows of these areas: one GEOID or several, comma-separated (at most
    /// 100), in the geography's order; a GEOID without a row is refused (404). What the
    /// map fetches for an area found by search when it is drawn from tiles.
    geoid: Option<String>,
}

/// `sort=`: the metrics the rows can be ranked on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, utoipa::ToSchema)]
#[schema(rename_all = "snake_case")]
pub enum RankMetric {
    /// CAP's in-area shortfall, largest first.
    ShortfallInArea,
    /// The 2SFCA shortfall, largest first.
    Shortfall,
    /// 2SFCA access, lowest first (areas with demand).
    Access2sfca,
    /// E2SFCA access, lowest first (areas with demand).
    AccessE2sfca,
    /// Demand, largest first.
    Demand,
    /// Distance to the nearest site, farthest first (no site at all first of all, for
    /// areas with demand).
    NearestKm,
    /// Minutes to the nearest site on the matrix (with `mode`), as `nearest_km`.
    NearestMinutes,
}

/// The most rows `limit=` may ask for.
pub const MAX_LIMIT: usize = 100_000;

impl RankMetric {
    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "shortfall_in_area" => Self::ShortfallInArea,
            "shortfall" => Self::Shortfall,
            "access_2sfca" => Self::Access2sfca,
            "access_e2sfca" => Self::AccessE2sfca,
            "demand" => Self::Demand,
            "nearest_km" => Self::NearestKm,
            "nearest_minutes" => Self::NearestMinutes,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Self::ShortfallInArea => "shortfall_in_area",
            Self::Shortfall => "shortfall",
            Self::Access2sfca => "access_2sfca",
            Self::AccessE2sfca => "access_e2sfca",
            Self::Demand => "demand",
            Self::NearestKm => "nearest_km",
            Self::NearestMinutes => "nearest_minutes",
        }
    }

    /// How bad a row is on the metric (larger is worse), or None when it cannot be ranked
    /// on it: the map page's `badness` (web/app/metrics.js).
    fn badness(self, a: &AreaGap) -> Option<f64> {
        let distance = |v: Option<f64>| match v {
            None if a.demand > 0.0 => Some(f64::INFINITY),
            v => v,
        };
        match self {
            Self::ShortfallInArea => Some(a.shortfall_in_area),
            Self::Shortfall => Some(a.shortfall),
            Self::Access2sfca => (a.demand > 0.0).then_some(-a.access_2sfca),
            Self::AccessE2sfca => (a.demand > 0.0).then_some(-a.access_e2sfca),
            Self::Demand => Some(a.demand),
            Self::NearestKm => distance(a.nearest_km),
            Self::NearestMinutes => distance(a.nearest_minutes.flatten()),
        }
        .filter(|b| !b.is_nan())
    }
}

/// The most GEOIDs `geoid=` may list.
pub const MAX_GEOIDS: usize = 100;

/// Which rows of a report an answer carries: `sort`, `deserts_only`, `limit` and `geoid`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowChoice {
    sort: Option<RankMetric>,
    deserts_only: bool,
    limit: Option<usize>,
    /// Only these areas (`geoid=`), as given.
    geoids: Option<Vec<String>>,
}

impl RowChoice {
    fn parse(
        sort: Option<&str>,
        deserts_only: Option<bool>,
        limit: Option<usize>,
        geoids: Option<&str>,
        minutes: bool,
    ) -> Result<Self> {
        let sort = sort
            .map(|s| {
                RankMetric::parse(s).ok_or_else(|| {
                    Error::new(
                        Code::InvalidParameter,
                        format!(
                            "sort '{s}' is not shortfall_in_area, shortfall, access_2sfca, \
                             access_e2sfca, demand, nearest_km or nearest_minutes"
                        ),
                    )
                })
            })
            .transpose()?;
        if sort == Some(RankMetric::NearestMinutes) && !minutes {
            return Err(Error::new(
                Code::InvalidParameter,
                "sort=nearest_minutes needs mode=",
            ));
        }
        if let Some(n) = limit
            && !(1..=MAX_LIMIT).contains(&n)
        {
            return Err(Error::new(
                Code::InvalidParameter,
                format!("limit {n} is not between 1 and {MAX_LIMIT}"),
            ));
        }
        let geoids = geoids
            .map(|list| {
                let ids: Vec<String> = list.split(',').map(|g| g.trim().to_owned()).collect();
                if ids.len() > MAX_GEOIDS || ids.iter().any(String::is_empty) {
                    return Err(Error::new(
                        Code::InvalidParameter,
                        format!(
                            "geoid: give 1 to {MAX_GEOIDS} GEOIDs, comma-separated; got '{list}'"
                        ),
                    ));
                }
                Ok(ids)
            })
            .transpose()?;
        Ok(Self {
            sort,
            deserts_only: deserts_only.unwrap_or(false),
            limit,
            geoids,
        })
    }

    fn is_all(&self) -> bool {
        *self == Self::default()
    }

    fn cache_key(&self, key: CacheKey) -> CacheKey {
        if self.is_all() {
            return key;
        }
        key.with("sort", self.sort.map(RankMetric::name))
            .with("deserts_only", self.deserts_only)
            .with("limit", self.limit)
            .with("geoid", self.geoids.as_ref().map(|g| g.join(",")))
    }

    /// The report with only the chosen rows, in the chosen order; `not_found` when a
    /// GEOID asked for has no row.
    fn apply(&self, report: &GapReport) -> Result<GapReport> {
        let wanted: Option<std::collections::HashSet<&str>> = self
            .geoids
            .as_ref()
            .map(|ids| ids.iter().map(String::as_str).collect());
        if let Some(wanted) = &wanted {
            let held: std::collections::HashSet<&str> =
                report.areas.iter().map(|a| a.geoid.as_str()).collect();
            let mut missing: Vec<&str> = wanted
                .iter()
                .copied()
                .filter(|g| !held.contains(g))
                .collect();
            if !missing.is_empty() {
                missing.sort_unstable();
                return Err(Error::new(
                    Code::NotFound,
                    format!(
                        "the {} gap analysis of {} ({}) has no row for {}",
                        report.year,
                        report.need,
                        report.geography,
                        missing.join(", ")
                    ),
                ));
            }
        }
        let mut rows: Vec<(&AreaGap, f64)> = report
            .areas
            .iter()
            .filter(|a| wanted.as_ref().is_none_or(|w| w.contains(a.geoid.as_str())))
            .filter(|a| !self.deserts_only || a.desert)
            .filter_map(|a| match self.sort {
                Some(m) => m.badness(a).map(|b| (a, b)),
                None => Some((a, 0.0)),
            })
            .collect();
        if self.sort.is_some() {
            rows.sort_by(|(x, bx), (y, by)| {
                by.total_cmp(bx)
                    .then(y.shortfall.total_cmp(&x.shortfall))
                    .then(y.demand.total_cmp(&x.demand))
                    .then_with(|| x.geoid.as_str().cmp(y.geoid.as_str()))
            });
        }
        rows.truncate(self.limit.unwrap_or(usize::MAX));
        Ok(GapReport {
            year: report.year,
            need: report.need.clone(),
            label: report.label.clone(),
            geography: report.geography.clone(),
            data_version: report.data_version,
            need_version: report.need_version,
            params: report.params.clone(),
            summary: report.summary.clone(),
            areas: rows.into_iter().map(|(a, _)| a.clone()).collect(),
        })
    }
}

/// `decay=`.
#[derive(utoipa::ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // Only its schema is used.
pub enum DecayName {
    /// The need's step bands, in minutes.
    Step,
    /// exp(−t²/(2σ²)).
    Gaussian,
    /// max(t, 1)^(−β).
    Gravity,
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

/// The analysis parameters `/gaps` (and the area tiles) take, checked.
pub fn gap_params(
    radius_km: Option<f64>,
    language: Option<String>,
    hours: Option<&str>,
    desert_rule: Option<&str>,
) -> Result<GapParams> {
    let hours = parse_hours(hours)?;
    let desert_rule = desert_rule
        .map(|r| {
            RuleChoice::parse(r).ok_or_else(|| {
                Error::new(
                    Code::InvalidParameter,
                    format!("desert_rule '{r}' is not need or catchment"),
                )
            })
        })
        .transpose()?;
    Ok(GapParams {
        radius_km,
        language,
        hours,
        desert_rule,
        travel: None,
    })
}

/// `GET /api/v1/gaps?year=&need=[&radius_km=][&language=][&hours=][&desert_rule=need|catchment][&sort=][&deserts_only=][&limit=][&geoid=][&format=json|geojson|csv]`:
/// every metric of one need for every area of a year (DESIGN.md, "The metrics").
#[utoipa::path(get, path = "/api/v1/gaps", tag = "analysis", params(GapsQuery), responses(
    (status = 200, description = "The gap report: one row per area, with totals.", content(
        (GapReport = "application/json"),
        (FeatureCollection = "application/geo+json"),
        (String = "text/csv"),
    )),
    (status = 404, description = "No assessment for the year, or no such need.", body = ErrorBody),
    (status = 422, description = "The need's demand indicator is not in the assessment, or a filter no site's data can answer (`filter_without_data`, naming the missing attribute).", body = ErrorBody),
))]
pub async fn get(query: web::Query<GapsQuery>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let q = query.into_inner();
    let format = Format::parse_or(q.format.as_deref(), Format::Json)?;
    let mut params = gap_params(
        q.radius_km,
        q.language,
        q.hours.as_deref(),
        q.desert_rule.as_deref(),
    )?;
    let rows = RowChoice::parse(
        q.sort.as_deref(),
        q.deserts_only,
        q.limit,
        q.geoid.as_deref(),
        q.mode.is_some(),
    )?;
    params.travel = analysis::travel_request(
        q.mode.as_deref(),
        q.max_minutes,
        q.decay,
        q.sigma_minutes,
        q.gravity_beta,
    )?;
    let (year, need) = (q.year.get(), q.need);
    let atlas = state.services.atlas.get();
    let key = {
        rows.cache_key(
            params.cache_key(
                CacheKey::new("gaps", atlas.data_version)
                    .with("year", year)
                    .with("need", need.as_str())
                    .with("format", format.name()),
            ),
        )
    };
    cached(&state, atlas, key, move |atlas, cache, out| {
        let report = analysis::gaps(&Cached::new(atlas, cache), year, &need, &params)?;
        let chosen;
        let report: &GapReport = if rows.is_all() {
            &report
        } else {
            chosen = rows.apply(&report)?;
            &chosen
        };
        output::write(&Document::Gaps(report, atlas), format, Layout::Compact, out)
    })
    .await
}
