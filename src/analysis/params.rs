//! The caller's parameters of an analysis and the need as an analysis applies them.

use super::minutes::Decay;
use crate::domain::{DesertRule, HoursFilter, MAX_MINUTES, Need, Supply, TravelMode};
use crate::error::{Code, Error, Result};
use serde::Serialize;

/// The largest radius accepted, in km (a need's own and a caller's alike).
pub use crate::domain::MAX_RADIUS_KM;

/// What a caller may override or filter (`/gaps?radius_km=&language=&hours=`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct GapParams {
    /// Catchment radius in km instead of the need's.
    pub radius_km: Option<f64>,
    /// ISO 639-1 code: demand is the need's indicator for that language and only sites
    /// serving it count.
    pub language: Option<String>,
    /// Only sites whose opening hours match count.
    pub hours: Option<HoursFilter>,
    /// Which desert rule marks the deserts: the need's own (the default) or the
    /// catchment rule every need also offers.
    pub desert_rule: Option<RuleChoice>,
    /// Measure cost in minutes on a travel-time matrix instead of in km.
    pub travel: Option<TravelRequest>,
}

/// `/gaps?mode=&max_minutes=&decay=&sigma_minutes=&gravity_beta=`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TravelRequest {
    /// The matrix's mode.
    pub mode: TravelMode,
    /// M in minutes (default: the need's `max_minutes`).
    pub max_minutes: Option<f64>,
    /// `step` (default), `gaussian` or `gravity`.
    pub decay: Option<String>,
    /// σ of the Gaussian, in minutes (default M / 2).
    pub sigma_minutes: Option<f64>,
    /// β of the gravity decay (default 1).
    pub gravity_beta: Option<f64>,
}

/// How an analysis measures cost on a matrix, as applied.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct TravelResolved {
    /// The matrix's mode.
    pub mode: TravelMode,
    /// M in minutes: 2SFCA counts t ≤ M; every decay is 0 beyond M.
    pub max_minutes: f64,
    /// E2SFCA's weights.
    pub decay: Decay,
}

/// The `mode=` family of parameters as a travel request; None without `mode`.
pub fn travel_request(
    mode: Option<&str>,
    max_minutes: Option<f64>,
    decay: Option<String>,
    sigma_minutes: Option<f64>,
    gravity_beta: Option<f64>,
) -> Result<Option<TravelRequest>> {
    let Some(mode) = mode else {
        if max_minutes.is_some()
            || decay.is_some()
            || sigma_minutes.is_some()
            || gravity_beta.is_some()
        {
            return Err(Error::new(
                Code::InvalidParameter,
                "max_minutes, decay, sigma_minutes and gravity_beta measure minutes on a travel-time matrix: give mode=walk|transit|drive|bike too",
            ));
        }
        return Ok(None);
    };
    let mode = TravelMode::parse(mode).ok_or_else(|| {
        Error::new(
            Code::InvalidParameter,
            format!("mode '{mode}' is not walk, transit, drive or bike"),
        )
    })?;
    Ok(Some(TravelRequest {
        mode,
        max_minutes,
        decay,
        sigma_minutes,
        gravity_beta,
    }))
}

impl TravelRequest {
    /// Applies the request to `need`: M and the decay, checked.
    pub fn resolve(&self, need: &Need) -> Result<TravelResolved> {
        let bad = |m: String| Error::new(Code::InvalidParameter, m);
        let max_minutes = self.max_minutes.or(need.max_minutes).ok_or_else(|| {
            bad(format!(
                "mode={} needs max_minutes (need '{}' sets no default reach in minutes)",
                self.mode.name(),
                need.code
            ))
        })?;
        if !(max_minutes > 0.0 && max_minutes <= MAX_MINUTES) {
            return Err(bad(format!(
                "max_minutes must be a number of minutes above 0 and at most {MAX_MINUTES}; got {max_minutes}"
            )));
        }
        let positive = |name: &str, v: f64| {
            if v > 0.0 && v.is_finite() {
                Ok(v)
            } else {
                Err(bad(format!("{name} must be a number above 0; got {v}")))
            }
        };
        let decay = match self.decay.as_deref().unwrap_or("step") {
            "step" => Decay::Step {
                bands: match &need.bands_minutes {
                    Some(b) => fit_bands(b, max_minutes),
                    None => need
                        .bands
                        .iter()
                        .map(|&(upper, w)| (upper * max_minutes / need.radius_km, w))
                        .collect(),
                },
            },
            "gaussian" => Decay::Gaussian {
                sigma_minutes: positive(
                    "sigma_minutes",
                    self.sigma_minutes.unwrap_or(max_minutes / 2.0),
                )?,
            },
            "gravity" => Decay::Gravity {
                beta: positive("gravity_beta", self.gravity_beta.unwrap_or(1.0))?,
            },
            other => {
                return Err(bad(format!(
                    "decay '{other}' is not step, gaussian or gravity"
                )));
            }
        };
        Ok(TravelResolved {
            mode: self.mode,
            max_minutes,
            decay,
        })
    }
}

/// The desert rules a caller may choose between (`/gaps?desert_rule=need|catchment`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleChoice {
    /// The need's own rule (`desert_rule` in `data/needs.toml`).
    #[default]
    Need,
    /// 2SFCA access below the target, with the need's demand floor (CAP 2020).
    Catchment,
}

impl RuleChoice {
    /// Parses `need` or `catchment`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "need" => Some(Self::Need),
            "catchment" => Some(Self::Catchment),
            _ => None,
        }
    }

    /// The name the API uses.
    pub fn name(self) -> &'static str {
        match self {
            Self::Need => "need",
            Self::Catchment => "catchment",
        }
    }
}

impl GapParams {
    /// `key` with these parameters added, in their canonical form.
    pub fn cache_key(&self, key: crate::atlas::CacheKey) -> crate::atlas::CacheKey {
        key.with("radius_km", self.radius_km)
            .with("language", self.language.as_deref())
            .with("hours", self.hours.map(hours_name))
            .with("desert_rule", self.desert_rule.unwrap_or_default().name())
            .with(
                "travel",
                self.travel
                    .as_ref()
                    .map(|t| serde_json::to_string(t).unwrap_or_default()),
            )
    }
}

/// A need with the caller's parameters applied: exactly what the numbers were computed
/// with, echoed as `params` in every answer.
#[derive(Clone, Debug, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Resolved {
    /// The indicator used as demand P_i.
    pub demand_indicator: String,
    /// The service codes that supply it.
    pub services: Vec<String>,
    /// How S_j is counted.
    pub supply: Supply,
    /// S_j of a site without a capacity (with `supply = capacity`).
    pub default_capacity: f64,
    /// r in km.
    pub radius_km: f64,
    /// E2SFCA steps `[upper_km, weight]`, fitted to r.
    pub bands: Vec<(f64, f64)>,
    /// Supply per unit of demand that counts as enough.
    pub target: f64,
    /// The desert rule applied: the need's own, or its catchment rule.
    pub desert_rule: DesertRule,
    /// The language filter, if any.
    pub language: Option<String>,
    /// The hours filter, if any.
    pub hours: Option<HoursFilter>,
    /// Cost in minutes on a travel-time matrix (absent: km as the crow flies).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub travel: Option<TravelResolved>,
}

/// Applies `params` to `need`, refusing what the need does not allow.
///
/// With `radius_km = r'` the bands are fitted to r': bands that start at or beyond r' are
/// dropped and the last remaining band ends at r' (cut when r' is smaller than the need's
/// radius, stretched when it is larger), so E2SFCA reaches as far as 2SFCA.
pub fn resolve(need: &Need, params: &GapParams) -> Result<Resolved> {
    let mut radius_km = need.radius_km;
    let mut bands = need.bands.clone();
    if let Some(r) = params.radius_km {
        if !(r > 0.0 && r <= MAX_RADIUS_KM) {
            return Err(Error::new(
                Code::InvalidParameter,
                format!(
                    "radius_km must be a number of km above 0 and at most {MAX_RADIUS_KM}; got {r}"
                ),
            ));
        }
        radius_km = r;
        bands = fit_bands(&need.bands, r);
    }
    let demand_indicator = match &params.language {
        None => need.demand_indicator.clone(),
        Some(lang) => need.filters.language.get(lang).cloned().ok_or_else(|| {
            let allowed: Vec<&str> = need.filters.language.keys().map(String::as_str).collect();
            Error::new(
                Code::InvalidParameter,
                if allowed.is_empty() {
                    format!("need '{}' has no language filter", need.code)
                } else {
                    format!(
                        "need '{}' has no language '{lang}'; it has: {}",
                        need.code,
                        allowed.join(", ")
                    )
                },
            )
        })?,
    };
    if let Some(h) = params.hours
        && !need.filters.hours.contains(&h)
    {
        return Err(Error::new(
            Code::InvalidParameter,
            format!(
                "need '{}' has no hours filter '{}'",
                need.code,
                hours_name(h)
            ),
        ));
    }
    Ok(Resolved {
        demand_indicator,
        services: need.services.clone(),
        supply: need.supply,
        default_capacity: need.default_capacity,
        radius_km,
        bands,
        target: need.target,
        desert_rule: match params.desert_rule.unwrap_or_default() {
            RuleChoice::Need => need.desert_rule.clone(),
            RuleChoice::Catchment => need.desert_rule.catchment(),
        },
        language: params.language.clone(),
        hours: params.hours,
        travel: params
            .travel
            .as_ref()
            .map(|t| t.resolve(need))
            .transpose()?,
    })
}

/// The text of an hours filter as the API spells it.
pub fn hours_name(h: HoursFilter) -> &'static str {
    match h {
        HoursFilter::Evening => "evening",
        HoursFilter::Weekend => "weekend",
        HoursFilter::EveningOrWeekend => "evening_or_weekend",
    }
}

/// Fits ascending `[upper_km, weight]` bands to the radius `r` (see [`resolve`]).
///
/// # Examples
/// ```
/// use gapmap::analysis::fit_bands;
/// let bands = [(1.0, 1.0), (2.0, 0.68), (3.0, 0.22)];
/// assert_eq!(fit_bands(&bands, 1.5), vec![(1.0, 1.0), (1.5, 0.68)]);
/// assert_eq!(fit_bands(&bands, 1.0), vec![(1.0, 1.0)]);
/// assert_eq!(fit_bands(&bands, 5.0), vec![(1.0, 1.0), (2.0, 0.68), (5.0, 0.22)]);
/// ```
pub fn fit_bands(bands: &[(f64, f64)], r: f64) -> Vec<(f64, f64)> {
    let mut lower = 0.0;
    let mut out = Vec::new();
    for &(upper, weight) in bands {
        if lower >= r {
            break;
        }
        out.push((upper, weight));
        lower = upper;
    }
    if let Some(last) = out.last_mut() {
        last.0 = r;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Catalog;

    #[test]
    fn filters_the_need_does_not_offer_are_refused() {
        let c = Catalog::bundled();
        let childcare = c.need("childcare").unwrap();
        let err = resolve(
            childcare,
            &GapParams {
                language: Some("es".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert_eq!(err.code(), Code::InvalidParameter);
        let language = c.need("language").unwrap();
        let ok = resolve(
            language,
            &GapParams {
                language: Some("es".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(ok.demand_indicator, "lep_spanish");
        let err = resolve(
            language,
            &GapParams {
                hours: Some(HoursFilter::Evening),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(err.message().contains("evening"), "{}", err.message());
    }

    #[test]
    fn radius_must_be_positive_and_bounded() {
        let c = Catalog::bundled();
        let need = c.need("food").unwrap();
        for r in [0.0, -1.0, f64::NAN, 100.5] {
            let p = GapParams {
                radius_km: Some(r),
                ..Default::default()
            };
            assert!(resolve(need, &p).is_err(), "{r}");
        }
    }
}
