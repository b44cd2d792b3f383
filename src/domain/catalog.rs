//! The needs taxonomy (`data/needs.toml`): the open service codes and the needs that
//! gapmap measures. The file is compiled in, so a binary always has a catalog; the needs
//! themselves live in the store, which the file (or `--needs FILE`) seeds on first start
//! and an admin changes need by need (`PUT /api/v1/needs/{code}`). [`check_need`] is the
//! one set of rules both paths apply.

use super::HoursFilter;
use crate::error::Problem;
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

/// The largest catchment radius, in km, of a need and of a caller's `radius_km`. The work
/// grows with the square of the radius; a community need is not served from 100 km away.
pub const MAX_RADIUS_KM: f64 = 100.0;

/// A family need that gapmap measures: a program's standard for it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Need {
    /// The version of this standard in the store: 1 when it was seeded or added, one more
    /// at every change (`PUT /api/v1/needs/{code}`). Every analysis names the version it
    /// used (`need_version`). A file's or a body's value is not stored (a body's is
    /// checked against the stored one).
    #[serde(default)]
    pub version: i64,
    /// When this version was stored (RFC 3339, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<String>,
    /// Who stored it: the audit record's actor, or `seed (FILE)` for the seeding file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
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

/// A program's own needs file (`--needs FILE`): `[[needs]]` entries in the layout of
/// `data/needs.toml`, measured with gapmap's own services.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NeedsFile {
    needs: Vec<Need>,
}

/// Services and needs, checked for consistency.
#[derive(Clone, Debug)]
pub struct Catalog {
    services: BTreeMap<String, ServiceDef>,
    needs: Vec<Need>,
    source: String,
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
    #[error("{file}: {why}")]
    File { file: String, why: String },
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
        let file: CatalogFile = toml::from_str(text)?;
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
        let needs = checked_needs(file.needs, &file.services)?;
        Ok(Self {
            services: file.services,
            needs,
            source: "data/needs.toml".into(),
        })
    }

    /// This catalog's services with the needs of a program's own file (`--needs FILE`:
    /// `[[needs]]` entries in the layout of `data/needs.toml`), checked by the same rules.
    /// The services stay gapmap's own, so a `[services]` table in the file is refused.
    pub fn with_needs_toml(&self, text: &str, file: &str) -> Result<Self, CatalogError> {
        let table: toml::Table = toml::from_str(text).map_err(|e| CatalogError::File {
            file: file.to_owned(),
            why: e.to_string(),
        })?;
        if table.contains_key("services") {
            return Err(CatalogError::File {
                file: file.to_owned(),
                why: "the services are gapmap's own (data/needs.toml): leave [services] out of \
                      this file and keep its [[needs]]"
                    .into(),
            });
        }
        let parsed: NeedsFile = toml::from_str(text).map_err(|e| CatalogError::File {
            file: file.to_owned(),
            why: e.to_string(),
        })?;
        if parsed.needs.is_empty() {
            return Err(CatalogError::File {
                file: file.to_owned(),
                why: "the file holds no [[needs]] entry".into(),
            });
        }
        let needs =
            checked_needs(parsed.needs, &self.services).map_err(|e| CatalogError::File {
                file: file.to_owned(),
                why: e.to_string().trim_start_matches("needs.toml: ").to_owned(),
            })?;
        Ok(Self {
            services: self.services.clone(),
            needs,
            source: file.to_owned(),
        })
    }

    /// Where the needs came from: `data/needs.toml` (bundled), or the `--needs` file.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// This catalog's services with `needs` (the store's) as its needs, in their order.
    /// They were checked when they were written; a stored need that the services no longer
    /// support (a service code removed from a newer `data/needs.toml`) is kept and logged,
    /// so that the server still starts.
    pub fn with_needs(&self, needs: Vec<Need>) -> Self {
        for need in &needs {
            for p in check_need(need, &self.services) {
                tracing::warn!(need = %need.code, problem = %p.message, field = ?p.field,
                    "a stored need no longer passes the checks; change it with PUT /api/v1/needs/{{code}}");
            }
        }
        Self {
            services: self.services.clone(),
            needs,
            source: "the store".into(),
        }
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

/// Fills in and checks a file's needs: codes used once, every rule of [`check_need`]; the
/// first broken rule refuses the file, naming the need and the field.
fn checked_needs(
    mut needs: Vec<Need>,
    services: &BTreeMap<String, ServiceDef>,
) -> Result<Vec<Need>, CatalogError> {
    let mut seen = std::collections::HashSet::new();
    for need in &mut needs {
        need.normalise();
        need.version = 0;
        need.updated_at = None;
        need.updated_by = None;
    }
    for need in &needs {
        if !seen.insert(need.code.clone()) {
            return Err(CatalogError::Need {
                need: need.code.clone(),
                why: "the code is used twice".into(),
            });
        }
        if let Some(p) = check_need(need, services).into_iter().next() {
            return Err(CatalogError::Need {
                need: need.code.clone(),
                why: match &p.field {
                    Some(f) => format!("{f}: {}", p.message),
                    None => p.message,
                },
            });
        }
    }
    Ok(needs)
}

impl Need {
    /// Fills in what may be left out: the supply unit.
    pub fn normalise(&mut self) {
        if self.supply_unit.trim().is_empty() {
            self.supply_unit = self.supply.default_unit().to_owned();
        }
    }

    /// The standard alone, as it is stored and compared: without its version and when and
    /// by whom it was stored.
    pub fn definition(&self) -> Self {
        Self {
            version: 0,
            updated_at: None,
            updated_by: None,
            ..self.clone()
        }
    }
}

/// True for a need code: 1 to 64 lower-case letters, digits and `_`, starting with a
/// letter (it appears in URLs, CSV columns and cache keys).
pub fn is_need_code(code: &str) -> bool {
    (1..=64).contains(&code.len())
        && code.as_bytes()[0].is_ascii_lowercase()
        && code
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Every rule a need must meet, each broken one a [`Problem`] naming its field
/// (`bands[1]`, `desert_rule.threshold`, `filters.language.es`): the checks of
/// `data/needs.toml`, of `--needs FILE` and of `PUT /api/v1/needs/{code}`. Indicator names
/// are checked by the caller, which knows the indicator catalogue and the stored years.
pub fn check_need(need: &Need, services: &BTreeMap<String, ServiceDef>) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut bad = |field: &str, message: String| out.push(Problem::field(field, message));
    if !is_need_code(&need.code) {
        bad(
            "code",
            format!(
                "'{}' is not a need code: 1 to 64 lower-case letters, digits and _, starting with a letter",
                need.code
            ),
        );
    }
    if need.label.trim().is_empty() {
        bad("label", "the label must not be empty".into());
    }
    for (field, text) in [
        ("label", &need.label),
        ("supply_unit", &need.supply_unit),
        ("demand_indicator", &need.demand_indicator),
    ] {
        if text.chars().any(char::is_control) || text.chars().count() > 200 {
            bad(
                field,
                format!(
                    "'{field}' must be one line of at most 200 characters, without control characters"
                ),
            );
        }
    }
    if need.demand_indicator.trim().is_empty() {
        bad(
            "demand_indicator",
            "the demand indicator must name an indicator column".into(),
        );
    }
    if need.services.is_empty() {
        bad(
            "services",
            "at least one service code must supply the need".into(),
        );
    }
    for (i, s) in need.services.iter().enumerate() {
        if !services.contains_key(s) {
            bad(
                &format!("services[{i}]"),
                format!(
                    "unknown service code '{s}'; the codes are: {}",
                    services.keys().cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        } else if need.services[..i].contains(s) {
            bad(&format!("services[{i}]"), format!("'{s}' is listed twice"));
        }
    }
    let non_negative = |x: f64| x.is_finite() && x >= 0.0;
    if !non_negative(need.default_capacity) {
        bad(
            "default_capacity",
            format!(
                "default_capacity must be a number ≥ 0; got {}",
                need.default_capacity
            ),
        );
    }
    if !(need.radius_km > 0.0 && need.radius_km <= MAX_RADIUS_KM) {
        bad(
            "radius_km",
            format!(
                "radius_km must be a positive number of km, at most {MAX_RADIUS_KM}; got {}",
                need.radius_km
            ),
        );
    }
    check_bands(&need.bands, "bands", "km", &mut bad);
    if let Some(last) = need.bands.last()
        && need.radius_km > 0.0
        && last.0 > need.radius_km
    {
        bad(
            &format!("bands[{}]", need.bands.len() - 1),
            format!(
                "the last band ({} km) must not reach beyond radius_km ({} km)",
                last.0, need.radius_km
            ),
        );
    }
    if let Some(m) = need.max_minutes
        && !(m > 0.0 && m <= super::travel::MAX_MINUTES)
    {
        bad(
            "max_minutes",
            format!(
                "max_minutes must be above 0 and at most {}; got {m}",
                super::travel::MAX_MINUTES
            ),
        );
    }
    if let Some(b) = &need.bands_minutes {
        check_bands(b, "bands_minutes", "minutes", &mut bad);
    }
    if !(need.target > 0.0 && need.target.is_finite()) {
        bad(
            "target",
            format!(
                "target (supply per unit of demand that counts as enough) must be a number above 0; got {}",
                need.target
            ),
        );
    }
    let min_demand = match need.desert_rule {
        DesertRule::CapChildcare { min_demand, .. }
        | DesertRule::Access { min_demand, .. }
        | DesertRule::Catchment { min_demand, .. } => min_demand,
    };
    if !non_negative(min_demand) {
        bad(
            "desert_rule.min_demand",
            format!("min_demand must be a number ≥ 0; got {min_demand}"),
        );
    }
    // A desert must fall short of the target, or the map would draw it in the colour that
    // means "enough" (DESIGN.md, "Colour").
    match need.desert_rule {
        DesertRule::CapChildcare { max_ratio, .. }
            if !(max_ratio > 0.0 && max_ratio.is_finite()) =>
        {
            bad(
                "desert_rule.max_ratio",
                format!("max_ratio (demand per place) must be a number above 0; got {max_ratio}"),
            );
        }
        DesertRule::CapChildcare { max_ratio, .. }
            if need.target > 0.0 && need.target * max_ratio < 1.0 - 1e-12 =>
        {
            bad(
                "desert_rule.max_ratio",
                format!(
                    "with cap_childcare, target × max_ratio must be at least 1 (a desert, more \
                     than {max_ratio} per place, must fall short of the target {})",
                    need.target
                ),
            );
        }
        DesertRule::Access { threshold, .. } if !non_negative(threshold) => {
            bad(
                "desert_rule.threshold",
                format!("the access threshold must be a number ≥ 0; got {threshold}"),
            );
        }
        DesertRule::Access { threshold, .. } if need.target > 0.0 && threshold > need.target => {
            bad(
                "desert_rule.threshold",
                format!(
                    "the access threshold {threshold} must not exceed the target {} (a desert \
                     must fall short of the target)",
                    need.target
                ),
            );
        }
        _ => {}
    }
    for (lang, indicator) in &need.filters.language {
        let field = format!("filters.language.{lang}");
        if !((2..=3).contains(&lang.len()) && lang.bytes().all(|b| b.is_ascii_lowercase())) {
            bad(
                &field,
                format!("'{lang}' is not an ISO 639 language code (2 or 3 lower-case letters)"),
            );
        }
        if indicator.trim().is_empty() {
            bad(
                &field,
                "a language filter names the indicator that is then the demand".into(),
            );
        }
    }
    for (i, h) in need.filters.hours.iter().enumerate() {
        if need.filters.hours[..i].contains(h) {
            bad(&format!("filters.hours[{i}]"), "listed twice".into());
        }
    }
    out
}

/// Checks E2SFCA steps: non-empty, at most 200 (zones are a byte in the sweep), bounds above
/// 0 and increasing, weights within 0..1 and not increasing (a farther band cannot weigh
/// more than a nearer one).
fn check_bands(bands: &[(f64, f64)], name: &str, unit: &str, bad: &mut impl FnMut(&str, String)) {
    if bands.is_empty() {
        bad(
            name,
            format!("{name} must not be empty: give [[upper_{unit}, weight], …]"),
        );
        return;
    }
    if bands.len() > 200 {
        bad(name, format!("at most 200 bands; got {}", bands.len()));
    }
    for (i, &(upper, weight)) in bands.iter().enumerate() {
        let field = format!("{name}[{i}]");
        if !(upper > 0.0 && upper.is_finite()) {
            bad(
                &field,
                format!("a band's upper bound must be above 0 {unit}; got {upper}"),
            );
        } else if i > 0 && upper <= bands[i - 1].0 {
            bad(
                &field,
                format!(
                    "band upper bounds must increase: {upper} {unit} follows {} {unit}",
                    bands[i - 1].0
                ),
            );
        }
        if !(0.0..=1.0).contains(&weight) {
            bad(
                &field,
                format!("a band's weight must be within 0..1; got {weight}"),
            );
        } else if i > 0 && weight > bands[i - 1].1 {
            bad(
                &field,
                format!(
                    "weights must not increase with distance: {weight} follows {}",
                    bands[i - 1].1
                ),
            );
        }
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
