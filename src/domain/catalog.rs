//! The needs taxonomy (`data/needs.toml`): the open service codes and the needs that
//! gapmap measures. The file is compiled in, so a binary always has a catalog.

use super::HoursFilter;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The text of the bundled `data/needs.toml`.
pub const BUNDLED_NEEDS_TOML: &str = include_str!("../../data/needs.toml");

/// One open service code.
#[derive(Clone, Debug, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceDef {
    /// Readable label.
    pub label: String,
    /// How the map draws its sites (`#rrggbb`), unique among the services.
    pub colour: String,
    /// AIRS/211 taxonomy codes that map to this service (prefix match at term boundaries).
    #[serde(default)]
    pub airs: Vec<String>,
    /// Names (lower case) that map to this service.
    #[serde(default)]
    pub names: Vec<String>,
}

/// How a site's supply S_j is counted for a need.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Supply {
    /// S_j = the site's capacity for the need's services (or the default capacity).
    Capacity,
    /// S_j = 1 per site.
    Sites,
}

impl Supply {
    /// Both ways of counting, in the order the vocabulary lists them.
    pub const ALL: [Self; 2] = [Self::Capacity, Self::Sites];

    /// The stable snake_case code, as in `data/needs.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Capacity => "capacity",
            Self::Sites => "sites",
        }
    }

    /// How supply is counted, in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Capacity => "places (capacity)",
            Self::Sites => "one per site",
        }
    }

    /// What one unit of supply is called (plural) for a need that names no unit of its own.
    pub fn default_unit(self) -> &'static str {
        match self {
            Self::Capacity => "places",
            Self::Sites => "sites",
        }
    }
}

/// The rule that marks an area a desert for a need.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum DesertRule {
    /// Center for American Progress (2018): `demand > min_demand and
    /// (capacity_in_area = 0 or demand / capacity_in_area > max_ratio)`.
    CapChildcare { min_demand: f64, max_ratio: f64 },
    /// `demand >= min_demand and (sites_within = 0 or access_e2sfca < threshold)`.
    Access { min_demand: f64, threshold: f64 },
    /// The catchment rule every need also offers, CAP's 2020 demand-adjusted supply:
    /// `demand >= min_demand` (`>` with `strict_min`) `and access_2sfca < target`.
    Catchment {
        min_demand: f64,
        #[serde(default)]
        strict_min: bool,
    },
}

impl DesertRule {
    /// The catchment rule with this rule's demand floor (compared as this rule compares
    /// it: strictly for `cap_childcare`).
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::DesertRule;
    /// let cap = DesertRule::CapChildcare { min_demand: 50.0, max_ratio: 3.0 };
    /// assert_eq!(cap.catchment(), DesertRule::Catchment { min_demand: 50.0, strict_min: true });
    /// ```
    pub fn catchment(&self) -> Self {
        match *self {
            Self::CapChildcare { min_demand, .. } => Self::Catchment {
                min_demand,
                strict_min: true,
            },
            Self::Access { min_demand, .. } => Self::Catchment {
                min_demand,
                strict_min: false,
            },
            Self::Catchment { .. } => self.clone(),
        }
    }

    /// Every kind's code, label and one line on what it counts and where it comes from,
    /// in the order a menu lists them (`/api/v1/vocabulary`'s `desert_rules`).
    pub const KINDS: [(&'static str, &'static str, &'static str); 3] = [
        (
            "cap_childcare",
            "Slots in the area (CAP 2018)",
            "The Center for American Progress's 2018 child-care desert: more than 50 children \
             under 5 and either no licensed slot inside the area or more than 3 children per \
             slot inside it.",
        ),
        (
            "access",
            "Access within reach (E2SFCA)",
            "At least the need's minimum demand, and either no site within the radius or \
             distance-weighted access (E2SFCA) below the threshold, half the need's target.",
        ),
        (
            "catchment",
            "Supply within reach (2SFCA, CAP 2020)",
            "Demand-adjusted supply, as the Center for American Progress's 2020 maps: the \
             need's minimum demand, and 2SFCA access (each site's supply shared among everyone \
             within reach of it) below the need's target.",
        ),
    ];

    /// The stable snake_case name of the rule's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::CapChildcare { .. } => "cap_childcare",
            Self::Access { .. } => "access",
            Self::Catchment { .. } => "catchment",
        }
    }
}

/// Site filters a need allows.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NeedFilters {
    /// Opening-hours filters that may be asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hours: Vec<HoursFilter>,
    /// Language code -> the indicator holding that language's demand; with
    /// `language=xx` only sites serving `xx` count and that indicator is the demand.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub language: BTreeMap<String, String>,
}

/// A family need that gapmap measures.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// Stable code, e.g. `childcare`.
    pub code: String,
    /// Readable label.
    pub label: String,
    /// The indicator that is this need's demand P_i.
    pub demand_indicator: String,
    /// Service codes that supply it.
    pub services: Vec<String>,
    /// How supply is counted.
    pub supply: Supply,
    /// What one unit of supply is called, plural ("child-care slots"); when the file
    /// leaves it out, [`Supply::default_unit`].
    #[serde(default)]
    pub supply_unit: String,
    /// Capacity assumed for a site that has none (with `supply = "capacity"`).
    pub default_capacity: f64,
    /// Catchment radius r in km.
    pub radius_km: f64,
    /// E2SFCA steps: `[upper_km, weight]`, ascending.
    pub bands: Vec<(f64, f64)>,
    /// The reach M in minutes when measured on a travel-time matrix (`/gaps?mode=`)
    /// without `max_minutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_minutes: Option<f64>,
    /// E2SFCA steps on a matrix, `[upper_minutes, weight]`, ascending; without them the
    /// km bands are scaled to M (each bound × M / radius_km).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bands_minutes: Option<Vec<(f64, f64)>>,
    /// Supply per unit of demand that counts as enough.
    pub target: f64,
    /// The desert rule.
    pub desert_rule: DesertRule,
    /// Optional site filters.
    #[serde(default)]
    pub filters: NeedFilters,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CatalogFile {
    services: BTreeMap<String, ServiceDef>,
    needs: Vec<Need>,
}

/// Services and needs, checked for consistency.
#[derive(Clone, Debug)]
pub struct Catalog {
    services: BTreeMap<String, ServiceDef>,
    needs: Vec<Need>,
}

/// Why a needs file was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("needs.toml: {0}")]
    Toml(#[from] toml::de::Error),
    #[error("needs.toml: need '{need}': {why}")]
    Need { need: String, why: String },
    #[error("needs.toml: service '{service}': {why}")]
    Service { service: String, why: String },
}

/// True for a `#rrggbb` colour.
fn is_hex_colour(s: &str) -> bool {
    s.len() == 7 && s.starts_with('#') && s[1..].bytes().all(|b| b.is_ascii_hexdigit())
}

impl Catalog {
    /// The catalog compiled into the binary.
    pub fn bundled() -> Self {
        // The bundled file is tested; failing here is a build defect, not a user error.
        Self::from_toml(BUNDLED_NEEDS_TOML).expect("the bundled data/needs.toml is valid")
    }

    /// Parses and checks a needs file.
    pub fn from_toml(text: &str) -> Result<Self, CatalogError> {
        let mut file: CatalogFile = toml::from_str(text)?;
        let mut colours = std::collections::HashMap::new();
        for (code, def) in &file.services {
            let bad = |why: String| CatalogError::Service {
                service: code.clone(),
                why,
            };
            if !is_hex_colour(&def.colour) {
                return Err(bad(format!("colour '{}' is not #rrggbb", def.colour)));
            }
            if let Some(other) = colours.insert(def.colour.to_ascii_lowercase(), code) {
                return Err(bad(format!("colour {} is also {other}'s", def.colour)));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for need in &mut file.needs {
            if need.supply_unit.trim().is_empty() {
                need.supply_unit = need.supply.default_unit().to_owned();
            }
        }
        for need in &file.needs {
            let bad = |why: String| CatalogError::Need {
                need: need.code.clone(),
                why,
            };
            if !seen.insert(need.code.clone()) {
                return Err(bad("the code is used twice".into()));
            }
            for s in &need.services {
                if !file.services.contains_key(s) {
                    return Err(bad(format!("unknown service code '{s}'")));
                }
            }
            if !(need.radius_km > 0.0 && need.radius_km.is_finite()) {
                return Err(bad("radius_km must be a positive number".into()));
            }
            if need.bands.is_empty() {
                return Err(bad("bands must not be empty".into()));
            }
            if need.bands.windows(2).any(|w| w[0].0 >= w[1].0) {
                return Err(bad("band upper bounds must increase".into()));
            }
            if need
                .bands
                .iter()
                .any(|b| b.0 <= 0.0 || !(0.0..=1.0).contains(&b.1))
            {
                return Err(bad("band bounds must be > 0 and weights within 0..1".into()));
            }
            if need
                .max_minutes
                .is_some_and(|m| !(m > 0.0 && m <= super::travel::MAX_MINUTES))
            {
                return Err(bad(format!(
                    "max_minutes must be above 0 and at most {}",
                    super::travel::MAX_MINUTES
                )));
            }
            if let Some(b) = &need.bands_minutes
                && (b.is_empty()
                    || b.windows(2).any(|w| w[0].0 >= w[1].0)
                    || b.iter().any(|b| b.0 <= 0.0 || !(0.0..=1.0).contains(&b.1)))
            {
                return Err(bad(
                    "bands_minutes must be non-empty, ascending, > 0, with weights within 0..1"
                        .into(),
                ));
            }
            if need.bands.last().is_some_and(|b| b.0 > need.radius_km) {
                return Err(bad("the last band must not reach beyond radius_km".into()));
            }
            // Zones are stored in a byte during the analysis.
            if need.bands.len() > 200 {
                return Err(bad("at most 200 bands".into()));
            }
            let non_negative = |x: f64| x.is_finite() && x >= 0.0;
            if !non_negative(need.target) || !non_negative(need.default_capacity) {
                return Err(bad("target and default_capacity must be numbers ≥ 0".into()));
            }
            // A desert must fall short of the target, or the map would draw it in the
            // colour that means "enough" (DESIGN.md, "Colour").
            match need.desert_rule {
                DesertRule::CapChildcare { max_ratio, .. }
                    if !(max_ratio > 0.0 && need.target * max_ratio >= 1.0 - 1e-12) =>
                {
                    return Err(bad(format!(
                        "with cap_childcare, target × max_ratio must be at least 1 (a desert, \
                         more than {max_ratio} per place, must fall short of the target {})",
                        need.target
                    )));
                }
                DesertRule::Access { threshold, .. } if threshold > need.target => {
                    return Err(bad(format!(
                        "the access threshold {threshold} must not exceed the target {} (a \
                         desert must fall short of the target)",
                        need.target
                    )));
                }
                _ => {}
            }
        }
        Ok(Self {
            services: file.services,
            needs: file.needs,
        })
    }

    /// Every need, in file order.
    pub fn needs(&self) -> &[Need] {
        &self.needs
    }

    /// The need with this code.
    pub fn need(&self, code: &str) -> Option<&Need> {
        self.needs.iter().find(|n| n.code == code)
    }

    /// Every service code with its definition.
    pub fn services(&self) -> &BTreeMap<String, ServiceDef> {
        &self.services
    }

    /// Maps a source's service label onto an open code: the code itself, one of its
    /// names (ignoring case), or an AIRS/211 code at or below one it lists.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::Catalog;
    /// let c = Catalog::bundled();
    /// assert_eq!(c.service_code("Child Care"), Some("childcare"));
    /// assert_eq!(c.service_code("PH-1250.1000"), Some("childcare"));
    /// assert_eq!(c.service_code("PH-12"), None);
    /// ```
    pub fn service_code(&self, raw: &str) -> Option<&str> {
        let needle = raw.trim().to_lowercase();
        if needle.is_empty() {
            return None;
        }
        if let Some((code, _)) = self.services.get_key_value(needle.as_str()) {
            return Some(code);
        }
        for (code, def) in &self.services {
            if def.names.contains(&needle) {
                return Some(code);
            }
        }
        // AIRS codes: the longest listed prefix that ends at a term boundary wins.
        let upper = raw.trim().to_uppercase();
        let mut best: Option<(&str, usize)> = None;
        for (code, def) in &self.services {
            for airs in &def.airs {
                let matches = upper == *airs
                    || (upper.starts_with(airs.as_str())
                        && matches!(upper.as_bytes().get(airs.len()), Some(b'.' | b'-')));
                if matches && best.is_none_or(|(_, len)| airs.len() > len) {
                    best = Some((code, airs.len()));
                }
            }
        }
        best.map(|(c, _)| c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_catalog_has_the_six_needs() {
        let c = Catalog::bundled();
        let codes: Vec<_> = c.needs().iter().map(|n| n.code.as_str()).collect();
        for code in [
            "childcare",
            "transportation",
            "language",
            "food",
            "health",
            "early_education",
        ] {
            assert!(codes.contains(&code), "{code} missing");
        }
        assert_eq!(c.services().len(), 13);
    }

    #[test]
    fn airs_codes_match_at_term_boundaries_only() {
        let c = Catalog::bundled();
        assert_eq!(c.service_code("BT-4500.6500-800"), Some("transit"));
        assert_eq!(c.service_code("BT-4500.1000"), Some("transportation"));
        assert_eq!(c.service_code("BT-45001"), None);
        assert_eq!(c.service_code("food pantries"), Some("food"));
    }

    #[test]
    fn a_need_without_a_supply_unit_counts_places_or_sites() {
        let c = Catalog::bundled();
        let unit = |code: &str| c.need(code).unwrap().supply_unit.clone();
        assert_eq!(unit("childcare"), "child-care slots");
        assert_eq!(unit("early_education"), "sites");
        assert_eq!(unit("food"), "sites");
    }

    #[test]
    fn two_services_with_one_colour_are_refused() {
        let services = BUNDLED_NEEDS_TOML.split("# --- Needs").next().unwrap();
        let clash = services.replace("colour = \"#B2182B\"", "colour = \"#e69f00\"");
        let err = Catalog::from_toml(&format!("needs = []\n{clash}")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "needs.toml: service 'food': colour #e69f00 is also childcare's"
        );
        let odd = services.replace("colour = \"#B2182B\"", "colour = \"red\"");
        assert!(Catalog::from_toml(&format!("needs = []\n{odd}")).is_err());
    }

    #[test]
    fn a_rule_whose_desert_could_meet_the_target_is_refused() {
        // CAP's ratio of 3 children per slot with a target of a quarter slot per child:
        // 3.5 children per slot would be a desert and meet the target.
        let low = BUNDLED_NEEDS_TOML.replace("target = 0.3333333333333333", "target = 0.25");
        let err = Catalog::from_toml(&low).unwrap_err().to_string();
        assert!(
            err.contains("target × max_ratio must be at least 1"),
            "{err}"
        );
        // An access threshold above the target.
        let high = BUNDLED_NEEDS_TOML.replace("threshold = 0.003 }", "threshold = 0.007 }");
        let err = Catalog::from_toml(&high).unwrap_err().to_string();
        assert!(
            err.contains("'early_education'") && err.contains("must not exceed the target 0.006"),
            "{err}"
        );
    }

    /// CIELAB (D65) of a `#rrggbb` colour.
    fn lab(hex: &str) -> [f64; 3] {
        let channel = |i: usize| {
            let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        let (r, g, b) = (channel(1), channel(3), channel(5));
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        [
            116.0 * f(y) - 16.0,
            500.0 * (f(x) - f(y)),
            200.0 * (f(y) - f(z)),
        ]
    }

    /// The CIE76 colour difference ΔE*ab (about 2.3 is just noticeable).
    fn delta_e(a: &str, b: &str) -> f64 {
        let (p, q) = (lab(a), lab(b));
        ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
    }

    #[test]
    fn every_service_colour_differs_from_the_others_and_from_the_choropleth() {
        assert!((delta_e("#ffffff", "#000000") - 100.0).abs() < 0.01);
        let c = Catalog::bundled();
        let colours: Vec<(&str, &str)> = c
            .services()
            .iter()
            .map(|(code, s)| (code.as_str(), s.colour.as_str()))
            .collect();
        for (i, (a, ca)) in colours.iter().enumerate() {
            for (b, cb) in &colours[i + 1..] {
                let d = delta_e(ca, cb);
                assert!(d >= 25.0, "{a} {ca} and {b} {cb} are too alike (ΔE {d:.1})");
            }
        }
        // The map's classes as drawn (92 % over #eef0f2): the five of "share of the target
        // met" (output::scale), the five greys of quantities without a target
        // (web/app/metrics.js), the no-demand and no-data greys; and the colour of a site
        // of another service.
        let backgrounds = [
            "#521461", "#495f93", "#319994", "#6acc6e", "#fce835", "#f6f6f7", "#cfcfcf", "#9d9d9d",
            "#6e6e6e", "#353535", "#d6d6d6",
        ];
        for (code, colour) in &colours {
            for back in backgrounds.iter().chain(&["#c8c8c8", "#6b6b6b"]) {
                let d = delta_e(colour, back);
                assert!(d >= 25.0, "{code} {colour} is lost on {back} (ΔE {d:.1})");
            }
        }
    }
}
