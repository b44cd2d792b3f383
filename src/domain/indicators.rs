//! The indicator catalogue (`data/indicators.toml`, plus a program's own file): what each
//! indicator means, which others it is a subset of, and the recipe that derives it from
//! American Community Survey variables with its margin of error.

use super::moe::{self, Estimate};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The text of the bundled `data/indicators.toml`.
pub const BUNDLED_INDICATORS_TOML: &str = include_str!("../../data/indicators.toml");

/// An ACS variable without its estimate/margin suffix, e.g. `B01001_003` (whose estimate
/// is `B01001_003E` and margin `B01001_003M`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AcsVariable(String);

impl AcsVariable {
    /// Parses a code such as `B01001_003` or `b01001a_018` (case is ignored). A trailing
    /// `E` after the line number is the estimate's suffix and is dropped, so
    /// `B01001_003E` names the same variable.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::AcsVariable;
    /// assert_eq!(AcsVariable::parse("b01001a_003").unwrap().as_str(), "B01001A_003");
    /// assert_eq!(AcsVariable::parse("C16002_004E").unwrap().as_str(), "C16002_004");
    /// assert!(AcsVariable::parse("NAME").is_none());
    /// ```
    pub fn parse(raw: &str) -> Option<Self> {
        let up = raw.trim().to_ascii_uppercase();
        let (table, line) = up.split_once('_')?;
        let line = match line.strip_suffix('E') {
            Some(l) if l.ends_with(|c: char| c.is_ascii_digit()) => l,
            _ => line,
        };
        let table_ok = table.len() >= 2
            && table.starts_with(|c: char| c.is_ascii_alphabetic())
            && table.bytes().all(|b| b.is_ascii_alphanumeric())
            && table.bytes().any(|b| b.is_ascii_digit());
        let line_ok = !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit());
        (table_ok && line_ok).then(|| Self(format!("{table}_{line}")))
    }

    /// Splits a Census column name into its variable and what it holds: `B01001_003E` is
    /// the estimate, `B01001_003M` the margin; annotation columns (`…EA`, `…MA`) and
    /// anything else are `None`.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::{AcsVariable, AcsColumn};
    /// let (v, kind) = AcsVariable::from_column("B17001_004M").unwrap();
    /// assert_eq!((v.as_str(), kind), ("B17001_004", AcsColumn::Margin));
    /// assert!(AcsVariable::from_column("B17001_004MA").is_none());
    /// ```
    pub fn from_column(name: &str) -> Option<(Self, AcsColumn)> {
        let name = name.trim();
        let (base, kind) = if let Some(b) = name.strip_suffix('E') {
            (b, AcsColumn::Estimate)
        } else if let Some(b) = name.strip_suffix('M') {
            (b, AcsColumn::Margin)
        } else {
            return None;
        };
        if !base.ends_with(|c: char| c.is_ascii_digit()) || !name.contains('_') {
            return None;
        }
        Self::parse(base).map(|v| (v, kind))
    }

    /// The code, e.g. `B01001_003`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a Census column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AcsColumn {
    /// `<VAR>E`: the estimate.
    Estimate,
    /// `<VAR>M`: its 90% margin of error.
    Margin,
}

impl TryFrom<String> for AcsVariable {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value).ok_or_else(|| {
            format!(
                "'{value}' is not an ACS variable code such as B01001_003 (table, underscore, line)"
            )
        })
    }
}

impl From<AcsVariable> for String {
    fn from(v: AcsVariable) -> String {
        v.0
    }
}

impl fmt::Display for AcsVariable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// How an indicator is derived from ACS variables.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(try_from = "RecipeFields", untagged)]
pub enum Recipe {
    /// The sum of the variables' estimates, MOE = √(Σ MOE²).
    Sum {
        /// The variables added.
        sum: Vec<AcsVariable>,
    },
    /// The share Σpart / Σwhole of a part that is a subset of the whole, with the
    /// proportion MOE (see [`moe::proportion`]).
    Share {
        /// The variables of the numerator.
        part: Vec<AcsVariable>,
        /// The variables of the denominator.
        whole: Vec<AcsVariable>,
    },
}

/// A recipe as written: `{ sum = [...] }` or `{ part = [...], whole = [...] }`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RecipeFields {
    sum: Option<Vec<AcsVariable>>,
    part: Option<Vec<AcsVariable>>,
    whole: Option<Vec<AcsVariable>>,
}

impl TryFrom<RecipeFields> for Recipe {
    type Error = String;
    fn try_from(f: RecipeFields) -> Result<Self, Self::Error> {
        match (f.sum, f.part, f.whole) {
            (Some(sum), None, None) => Ok(Self::Sum { sum }),
            (None, Some(part), Some(whole)) => Ok(Self::Share { part, whole }),
            _ => {
                Err("a recipe is either { sum = [...] } or { part = [...], whole = [...] }".into())
            }
        }
    }
}

impl Recipe {
    /// Every variable the recipe reads, each once, in code order.
    pub fn variables(&self) -> BTreeSet<&AcsVariable> {
        match self {
            Self::Sum { sum } => sum.iter().collect(),
            Self::Share { part, whole } => part.iter().chain(whole).collect(),
        }
    }

    /// The derived estimate for one area, given each variable's estimate there; `None`
    /// when any variable has no estimate (a derived value with a missing part is
    /// missing) or, for a share, when the whole is 0.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::{AcsVariable, Recipe};
    /// use gapmap::domain::moe::Estimate;
    /// let v = |s| AcsVariable::parse(s).unwrap();
    /// let r = Recipe::Sum { sum: vec![v("B01001_003"), v("B01001_027")] };
    /// let got = r.evaluate(|var| Some(match var.as_str() {
    ///     "B01001_003" => Estimate::new(120.0, Some(30.0)),
    ///     _ => Estimate::new(80.0, Some(40.0)),
    /// }));
    /// assert_eq!(got, Some(Estimate::new(200.0, Some(50.0))));
    /// ```
    pub fn evaluate(&self, value: impl Fn(&AcsVariable) -> Option<Estimate>) -> Option<Estimate> {
        let total = |vars: &[AcsVariable]| -> Option<Estimate> {
            let parts: Option<Vec<Estimate>> = vars.iter().map(&value).collect();
            Some(moe::sum(&parts?))
        };
        match self {
            Self::Sum { sum } => total(sum),
            Self::Share { part, whole } => moe::proportion(total(part)?, total(whole)?),
        }
    }
}

/// One indicator of the catalogue.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDef {
    /// Plain words.
    pub label: String,
    /// What one counts, plural: people, children, households, women, or share.
    pub unit: String,
    /// One of them ("child"); see [`IndicatorDef::one`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_singular: Option<String>,
    /// Who the source table counts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub universe: Option<String>,
    /// An indicator this one never exceeds in an area.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subset_of: Option<String>,
    /// A value above which an area's value is implausible.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// How to derive it from ACS variables, when the ACS publishes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recipe: Option<Recipe>,
}

impl IndicatorDef {
    /// One of what the indicator counts ("child-care slots per *child*"): `unit_singular`,
    /// else the unit itself (a share is a share).
    pub fn one(&self) -> &str {
        self.unit_singular.as_deref().unwrap_or(&self.unit)
    }

    /// What an indicator that no catalogue lists is called: its name made readable.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::IndicatorDef;
    /// let d = IndicatorDef::readable("head_start_waitlist");
    /// assert_eq!(d.label, "Head start waitlist");
    /// assert_eq!((d.unit.as_str(), d.one()), ("head start waitlist", "unit of head start waitlist"));
    /// ```
    pub fn readable(name: &str) -> Self {
        let words = name.replace('_', " ").trim().to_owned();
        let mut chars = words.chars();
        let label = match chars.next() {
            Some(first) => first.to_uppercase().chain(chars).collect(),
            None => String::new(),
        };
        Self {
            label,
            unit_singular: Some(format!("unit of {words}")),
            unit: words,
            universe: None,
            subset_of: None,
            max: None,
            recipe: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorsFile {
    #[serde(default)]
    indicators: BTreeMap<String, IndicatorDef>,
}

/// Why an indicators file was refused.
#[derive(Debug, thiserror::Error)]
pub enum IndicatorsError {
    /// The TOML does not parse or has unknown keys.
    #[error("{file}: {source}")]
    Toml {
        /// The file.
        file: String,
        /// What the parser said.
        source: Box<toml::de::Error>,
    },
    /// An entry is inconsistent.
    #[error("{file}: indicator '{name}': {why}")]
    Indicator {
        /// The file.
        file: String,
        /// The indicator.
        name: String,
        /// What is wrong.
        why: String,
    },
}

/// The indicators gapmap knows, in name order, checked for consistency.
#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorCatalog {
    defs: BTreeMap<String, IndicatorDef>,
}

impl IndicatorCatalog {
    /// The catalogue compiled into the binary.
    pub fn bundled() -> Self {
        // The bundled file is tested; failing here is a build defect, not a user error.
        Self::from_toml(BUNDLED_INDICATORS_TOML, "data/indicators.toml")
            .expect("the bundled data/indicators.toml is valid")
    }

    /// Parses and checks an indicators file; `file` names it in messages.
    pub fn from_toml(text: &str, file: &str) -> Result<Self, IndicatorsError> {
        let parsed: IndicatorsFile = toml::from_str(text).map_err(|e| IndicatorsError::Toml {
            file: file.to_owned(),
            source: Box::new(e),
        })?;
        let out = Self {
            defs: parsed.indicators,
        };
        out.check(file)?;
        Ok(out)
    }

    /// This catalogue with a program's own file added: its entries join, and one named
    /// like an entry here replaces it.
    pub fn with_file(&self, text: &str, file: &str) -> Result<Self, IndicatorsError> {
        let parsed: IndicatorsFile = toml::from_str(text).map_err(|e| IndicatorsError::Toml {
            file: file.to_owned(),
            source: Box::new(e),
        })?;
        let mut out = self.clone();
        out.defs.extend(parsed.indicators);
        out.check(file)?;
        Ok(out)
    }

    fn check(&self, file: &str) -> Result<(), IndicatorsError> {
        let bad = |name: &str, why: String| IndicatorsError::Indicator {
            file: file.to_owned(),
            name: name.to_owned(),
            why,
        };
        for (name, def) in &self.defs {
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !name_ok || name.ends_with("_moe") {
                return Err(bad(
                    name,
                    "names are lower-case letters, digits and _, not ending in _moe".into(),
                ));
            }
            if let Some(parent) = &def.subset_of
                && !self.defs.contains_key(parent)
            {
                return Err(bad(
                    name,
                    format!("subset_of names '{parent}', which is not an indicator here"),
                ));
            }
            match &def.recipe {
                Some(Recipe::Sum { sum }) if sum.is_empty() => {
                    return Err(bad(name, "the sum lists no variable".into()));
                }
                Some(Recipe::Share { part, whole }) if part.is_empty() || whole.is_empty() => {
                    return Err(bad(
                        name,
                        "a share needs variables in part and in whole".into(),
                    ));
                }
                _ => {}
            }
            if def.max.is_some_and(|m| !(m.is_finite() && m >= 0.0)) {
                return Err(bad(name, "max must be a number ≥ 0".into()));
            }
        }
        // A subset chain must end: a cycle would make every value its own superset.
        for name in self.defs.keys() {
            let mut seen = BTreeSet::new();
            let mut at = name.as_str();
            while let Some(parent) = self.defs.get(at).and_then(|d| d.subset_of.as_deref()) {
                if !seen.insert(at) {
                    return Err(bad(name, "its subset_of chain comes back to itself".into()));
                }
                at = parent;
            }
        }
        Ok(())
    }

    /// The indicator with this name.
    pub fn get(&self, name: &str) -> Option<&IndicatorDef> {
        self.defs.get(name)
    }

    /// How an indicator is named and counted: as listed, or its name made readable
    /// ([`IndicatorDef::readable`]), so that every stored column has words.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::IndicatorCatalog;
    /// let c = IndicatorCatalog::bundled();
    /// assert_eq!(c.describe("children_under_5").one(), "child");
    /// assert_eq!(c.describe("head_start_waitlist").label, "Head start waitlist");
    /// ```
    pub fn describe(&self, name: &str) -> std::borrow::Cow<'_, IndicatorDef> {
        match self.defs.get(name) {
            Some(def) => std::borrow::Cow::Borrowed(def),
            None => std::borrow::Cow::Owned(IndicatorDef::readable(name)),
        }
    }

    /// Every indicator, in name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &IndicatorDef)> {
        self.defs.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The indicators that have a recipe, in name order.
    pub fn recipes(&self) -> impl Iterator<Item = (&str, &Recipe)> {
        self.defs
            .iter()
            .filter_map(|(k, v)| v.recipe.as_ref().map(|r| (k.as_str(), r)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_catalogue_has_the_recipes_the_issue_asks_for() {
        let c = IndicatorCatalog::bundled();
        let codes = |name: &str| -> Vec<String> {
            c.get(name)
                .and_then(|d| d.recipe.as_ref())
                .map(|r| r.variables().into_iter().map(|v| v.to_string()).collect())
                .unwrap_or_default()
        };
        assert_eq!(codes("children_under_5"), ["B01001_003", "B01001_027"]);
        assert_eq!(
            codes("children_under_5_poverty"),
            ["B17001_004", "B17001_018"]
        );
        assert_eq!(codes("children_under_3"), ["B09001_003"]);
        assert_eq!(codes("children_3_to_4"), ["B09001_004"]);
        assert_eq!(codes("households"), ["B08201_001"]);
        assert_eq!(codes("households_no_vehicle"), ["B08201_002"]);
        assert_eq!(
            codes("lep_households"),
            ["C16002_004", "C16002_007", "C16002_010", "C16002_013"]
        );
        assert_eq!(
            codes("children_under_6_all_parents_working"),
            ["B23008_004", "B23008_010", "B23008_013"]
        );
        assert_eq!(codes("births_past_12_months"), ["B13002_002"]);
        for (race, table) in [
            ("white", "A"),
            ("black", "B"),
            ("aian", "C"),
            ("asian", "D"),
            ("nhpi", "E"),
            ("other_race", "F"),
            ("two_or_more_races", "G"),
            ("white_not_hispanic", "H"),
            ("hispanic", "I"),
        ] {
            assert_eq!(
                codes(&format!("children_under_5_{race}")),
                [format!("B01001{table}_003"), format!("B01001{table}_018")]
            );
        }
        // The subset relations the plausibility warnings need.
        let parent = |n: &str| c.get(n).and_then(|d| d.subset_of.clone());
        assert_eq!(
            parent("children_under_5_poverty").as_deref(),
            Some("children_under_5")
        );
        assert_eq!(
            parent("children_under_5").as_deref(),
            Some("total_population")
        );
        assert_eq!(parent("lep_households").as_deref(), Some("households"));
    }

    #[test]
    fn a_share_divides_the_part_by_the_whole() {
        let c = IndicatorCatalog::bundled();
        let r = c
            .get("households_no_vehicle_share")
            .and_then(|d| d.recipe.clone())
            .unwrap();
        let got = r
            .evaluate(|v| {
                Some(match v.as_str() {
                    "B08201_002" => Estimate::new(30.0, Some(5.0)),
                    _ => Estimate::new(100.0, Some(10.0)),
                })
            })
            .unwrap();
        assert!((got.value - 0.3).abs() < 1e-12);
        assert!((got.moe.unwrap() - 0.04).abs() < 1e-12);
    }

    #[test]
    fn a_recipe_with_a_missing_part_is_missing() {
        let v = |s| AcsVariable::parse(s).unwrap();
        let r = Recipe::Sum {
            sum: vec![v("B01001_003"), v("B01001_027")],
        };
        let got = r.evaluate(|var| {
            (var.as_str() == "B01001_003").then_some(Estimate::new(5.0, Some(1.0)))
        });
        assert_eq!(got, None);
    }

    #[test]
    fn a_programs_own_file_adds_and_replaces_entries() {
        let base = IndicatorCatalog::bundled();
        let own = r#"
            [indicators.children_under_5]
            label = "Under-fives (our count)"
            unit = "people"
            recipe = { sum = ["B01001_003"] }

            [indicators.women_with_births_share]
            label = "Share of women 15-50 with a birth"
            unit = "share"
            recipe = { part = ["B13002_002"], whole = ["B13002_001"] }
        "#;
        let c = base.with_file(own, "ours.toml").unwrap();
        assert_eq!(
            c.get("children_under_5").unwrap().label,
            "Under-fives (our count)"
        );
        assert!(c.get("women_with_births_share").is_some());
        assert!(c.get("households").is_some());
    }

    #[test]
    fn bad_files_are_refused_with_the_indicator_named() {
        let base = IndicatorCatalog::bundled();
        let e = base
            .with_file(
                "[indicators.x]\nlabel = \"x\"\nunit = \"people\"\nsubset_of = \"nothing\"\n",
                "ours.toml",
            )
            .unwrap_err();
        assert!(e.to_string().contains("indicator 'x'"), "{e}");
        let e = base
            .with_file(
                "[indicators.x]\nlabel = \"x\"\nunit = \"people\"\nrecipe = { sum = [\"NAME\"] }\n",
                "ours.toml",
            )
            .unwrap_err();
        assert!(e.to_string().contains("ours.toml"), "{e}");
        let e = base
            .with_file(
                "[indicators.a]\nlabel = \"a\"\nunit = \"people\"\nsubset_of = \"b\"\n\
                 [indicators.b]\nlabel = \"b\"\nunit = \"people\"\nsubset_of = \"a\"\n",
                "ours.toml",
            )
            .unwrap_err();
        assert!(e.to_string().contains("comes back"), "{e}");
    }

    #[test]
    fn every_indicator_the_needs_the_demo_and_the_design_name_has_words() {
        let c = IndicatorCatalog::bundled();
        let demo = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/data/demo/assessment_2014.csv"
        ))
        .unwrap();
        let header = demo.lines().next().unwrap();
        let mut names: Vec<String> = header
            .split(',')
            .filter(|c| !matches!(*c, "GEOID" | "NAME"))
            .map(str::to_owned)
            .collect();
        for need in crate::domain::Catalog::bundled().needs() {
            names.push(need.demand_indicator.clone());
            names.extend(need.filters.language.values().cloned());
        }
        // DESIGN.md, "The data".
        names.extend(["lep_households", "head_start_enrolled"].map(String::from));
        for name in &names {
            let def = c
                .get(name)
                .unwrap_or_else(|| panic!("{name} is not in data/indicators.toml"));
            assert!(!def.label.is_empty() && !def.one().is_empty(), "{name}");
        }
        let cu5 = c.describe("children_under_5");
        assert_eq!((cu5.unit.as_str(), cu5.one()), ("children", "child"));
        assert_eq!(c.describe("persons_uninsured").one(), "person");
        // Without unit_singular the unit stands for one too.
        assert_eq!(c.describe("children_under_5_poverty_share").one(), "share");
    }
}
