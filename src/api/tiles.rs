//! `GET /tiles/{layer}/{z}/{x}/{y}.mvt`: the map's areas and sites as Mapbox Vector
//! Tiles, for geographies too large to send as one GeoJSON document.

use super::AppState;
use super::gaps::gap_params;
use super::openapi::ErrorBody;
use crate::analysis::{self, Cached, GapParams, RuleChoice};
use crate::atlas::{Atlas, CacheKey};
use crate::domain::{HoursFilter, Year};
use crate::error::{Code, Error, Result};
use crate::output::{self, Document, Format, Layout, Rendered};
use crate::spatial::TileId;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The two layers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TileLayer {
    /// A geography's areas, with a need's metrics when `need` is given.
    Areas,
    /// The partner sites.
    Sites,
}

impl TileLayer {
    fn name(self) -> &'static str {
        match self {
            Self::Areas => "areas",
            Self::Sites => "sites",
        }
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct TileQuery {
    /// Areas: the geography (default: the geography of the year's assessment when `need`
    /// is given, else the only geography stored).
    geography: Option<String>,
    /// Areas: the assessment year of the metrics (with `need`).
    #[param(value_type = Option<i32>, minimum = 1900, maximum = 2200, example = 2014)]
    year: Option<Year>,
    /// Areas: the need whose gap-analysis metrics (as `/api/v1/gaps` names them) each
    /// area carries; without it the areas carry `geoid` and `name` only.
    need: Option<String>,
    /// Areas: as in `/api/v1/gaps`.
    #[param(exclusive_minimum = 0, maximum = 100)]
    radius_km: Option<f64>,
    /// Areas: as in `/api/v1/gaps`.
    language: Option<String>,
    /// Areas: as in `/api/v1/gaps`.
    #[param(value_type = Option<HoursFilter>)]
    hours: Option<String>,
    /// Areas: as in `/api/v1/gaps`.
    #[param(value_type = Option<RuleChoice>)]
    desert_rule: Option<String>,
    /// Sites: only the sites offering this service code (or one of several,
    /// comma-separated).
    service: Option<String>,
}

/// What one tile answers, checked before anything is computed.
enum Question {
    Areas {
        geography: Option<String>,
        analysis: Option<(i32, String, GapParams)>,
    },
    Sites {
        service: Option<String>,
    },
}

impl Question {
    fn of(layer: TileLayer, q: TileQuery) -> Result<Self> {
        let misplaced = |name: &str, layer: &str| {
            Error::new(
                Code::InvalidParameter,
                format!("{name}= applies to the {layer} layer only"),
            )
        };
        match layer {
            TileLayer::Areas => {
                if q.service.is_some() {
                    return Err(misplaced("service", "sites"));
                }
                let analysis = match (q.year, q.need) {
                    (Some(year), Some(need)) => Some((
                        year.get(),
                        need,
                        gap_params(
                            q.radius_km,
                            q.language,
                            q.hours.as_deref(),
                            q.desert_rule.as_deref(),
                        )?,
                    )),
                    (None, None) => {
                        let extra = [
                            ("radius_km", q.radius_km.is_some()),
                            ("language", q.language.is_some()),
                            ("hours", q.hours.is_some()),
                            ("desert_rule", q.desert_rule.is_some()),
                        ];
                        if let Some((name, _)) = extra.iter().find(|(_, given)| *given) {
                            return Err(Error::new(
                                Code::InvalidParameter,
                                format!("{name}= needs need= and year="),
                            ));
                        }
                        None
                    }
                    (Some(_), None) => {
                        return Err(Error::new(Code::InvalidParameter, "year= needs need="));
                    }
                    (None, Some(_)) => {
                        return Err(Error::new(Code::InvalidParameter, "need= needs year="));
                    }
                };
                Ok(Self::Areas {
                    geography: q.geography,
                    analysis,
                })
            }
            TileLayer::Sites => {
                let areas_only = [
                    ("geography", q.geography.is_some()),
                    ("year", q.year.is_some()),
                    ("need", q.need.is_some()),
                    ("radius_km", q.radius_km.is_some()),
                    ("language", q.language.is_some()),
                    ("hours", q.hours.is_some()),
                    ("desert_rule", q.desert_rule.is_some()),
                ];
                if let Some((name, _)) = areas_only.iter().find(|(_, given)| *given) {
                    return Err(misplaced(name, "areas"));
                }
                Ok(Self::Sites { service: q.service })
            }
        }
    }

    fn cache_key(&self, key: CacheKey) -> CacheKey {
        match self {
            Self::Areas {
                geography,
                analysis,
            } => {
                let key = key.with("geography", geography.as_deref());
                match analysis {
                    Some((year, need, params)) => {
                        params.cache_key(key.with("year", *year).with("need", need.as_str()))
                    }
                    None => key,
                }
            }
            Self::Sites { service } => key.with("service", service.as_deref()),
        }
    }

    fn render(&self, atlas: &Atlas, cache: &crate::atlas::Cache, tile: TileId) -> Result<Rendered> {
        match self {
            Self::Areas {
                geography,
                analysis,
            } => {
                let report = analysis
                    .as_ref()
                    .map(|(year, need, params)| {
                        analysis::gaps(&Cached::new(atlas, cache), *year, need, params)
                    })
                    .transpose()?;
                let g =
                    output::tiles::geography_of(atlas, geography.as_deref(), report.as_deref())?;
                output::render(
                    &Document::AreaTile(g, tile, report.as_deref()),
                    Format::Mvt,
                    Layout::Compact,
                )
            }
            Self::Sites { service } => output::render(
                &Document::SiteTile(atlas, tile, service.as_deref()),
                Format::Mvt,
                Layout::Compact,
            ),
        }
    }
}

/// `GET /tiles/{layer}/{z}/{x}/{y}.mvt`: one Mapbox Vector Tile (2.1, extent 4096) of the
/// areas (with a need's metrics for a year and the `/gaps` parameters) or of the sites
/// (each its own point from zoom 12, clustered on the server below it, with `point_count`
/// and `capacity`).
/// Tiles are cached per data version and carry an ETag; `If-None-Match` answers 304.
#[utoipa::path(get, path = "/tiles/{layer}/{z}/{x}/{y}.mvt", tag = "maps",
    params(
        ("layer" = TileLayer, Path, description = "`areas` or `sites`."),
        ("z" = u32, Path, minimum = 0, maximum = 22, description = "Zoom level."),
        ("x" = u32, Path, minimum = 0, description = "Column, west to east, below 2^z."),
        ("y" = u32, Path, minimum = 0, description = "Row, north to south, below 2^z."),
        TileQuery,
    ),
    responses(
    (status = 200, description = "The tile: one layer named as the path's, features with an id and the properties listed in DESIGN.md (\"Tiles\").", body = Vec<u8>, content_type = "application/vnd.mapbox-vector-tile",
        headers(("ETag" = String, description = "Changes when the data or the parameters do."))),
    (status = 304, description = "The tile named by `If-None-Match` is still current."),
    (status = 404, description = "No such tile address, geography, assessment year or need.", body = ErrorBody),
    (status = 422, description = "As `/api/v1/gaps` for the areas' metrics.", body = ErrorBody),
))]
pub async fn get(
    req: HttpRequest,
    path: web::Path<(TileLayer, u32, u32, u32)>,
    query: web::Query<TileQuery>,
    state: web::Data<AppState>,
) -> Result<HttpResponse> {
    let (layer, z, x, y) = path.into_inner();
    let tile = TileId::new(z, x, y).ok_or_else(|| {
        Error::new(
            Code::NotFound,
            format!("there is no tile {z}/{x}/{y}: zoom 0 to 22, column and row below 2^zoom"),
        )
    })?;
    let question = Question::of(layer, query.into_inner())?;
    let atlas = state.services.atlas.get();
    let key = question.cache_key(
        CacheKey::new("tile", atlas.data_version)
            .with("layer", layer.name())
            .with("z", u32::from(tile.z))
            .with("x", tile.x)
            .with("y", tile.y),
    );
    let etag = etag_of(&key);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    if fresh {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish());
    }
    let cache = state.services.atlas.cache().clone();
    let rendered = web::block(move || {
        let render_cache = cache.clone();
        output::cached(&cache, key, || question.render(&atlas, &render_cache, tile))
    })
    .await
    .map_err(Error::internal)??;
    Ok(HttpResponse::Ok()
        .content_type(Format::Mvt.content_type())
        .insert_header((header::ETAG, etag))
        // Stored, but asked again each time: the ETag makes that a 304 while the data
        // version stays.
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(rendered.body.clone()))
}

/// A strong ETag from the tile's cache key, which names the data version and every
/// parameter the bytes depend on.
fn etag_of(key: &CacheKey) -> String {
    let digest = Sha256::digest(format!("{key:?}").as_bytes());
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("\"{hex}\"")
}
