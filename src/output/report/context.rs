//! What every part of the report reads: the Atlas, the year's assessment and geography,
//! the uploads' provenance, the indicator catalogue and the year's program records, with
//! the few questions every element asks of them (an indicator's total across the areas
//! with its margin, where a figure came from, what to upload when it is missing).

use super::model::{Block, Text, c, t};
use super::text::number;
use crate::atlas::{Atlas, GeographyData};
use crate::domain::moe::{self, Estimate};
use crate::domain::{
    Assessment, AssessmentUpload, IndicatorCatalog, IndicatorDef, ProgramRecord, Provenance,
};
use std::borrow::Cow;
use std::collections::BTreeSet;

/// Geographies with more areas are not drawn: a printed map of tens of thousands of
/// block groups is neither legible nor a page a browser prints quickly (each map costs
/// about 300 bytes per area).
pub const MAX_MAP_AREAS: usize = 20_000;

/// The report's inputs, read once.
pub struct Context<'a> {
    /// The Atlas.
    pub atlas: &'a Atlas,
    /// The report's year.
    pub year: i32,
    /// Its assessment (the current version).
    pub a: &'a Assessment,
    /// Its geography.
    pub geo: &'a GeographyData,
    /// The latest earlier assessment year, if any.
    pub previous: Option<i32>,
    /// What the store records of the uploads.
    pub provenance: &'a Provenance,
    /// Labels, units, universes and recipes of the indicators.
    pub indicators: &'a IndicatorCatalog,
    /// The year's program records (empty when none were uploaded).
    pub records: &'a [ProgramRecord],
}

/// An indicator summed over the year's areas.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Total {
    /// Σ of the areas' values (empty cells left out).
    pub value: f64,
    /// √(Σ MOE²) when every area with a value has a margin (ACS Handbook, ch. 8: the
    /// margin of a sum), else `None`.
    pub moe: Option<f64>,
    /// Areas with a value.
    pub areas: usize,
    /// Of those, areas with a margin.
    pub with_margin: usize,
}

impl Total {
    /// As an estimate, for the Handbook's formulas.
    pub fn estimate(&self) -> Estimate {
        Estimate::new(self.value, self.moe)
    }
}

impl<'a> Context<'a> {
    /// The indicator's words (its name made readable when no catalogue lists it).
    pub fn describe(&self, name: &str) -> Cow<'a, IndicatorDef> {
        self.indicators.describe(name)
    }

    /// Whether the year's assessment has the indicator.
    pub fn has(&self, name: &str) -> bool {
        self.a.table.column(name).is_some()
    }

    /// The indicator summed over the year's areas that lie in its geography, or `None`
    /// when the assessment has no such column.
    pub fn total(&self, name: &str) -> Option<Total> {
        let col = self.a.table.column(name)?;
        let moe_col = self.a.table.column(&format!("{name}_moe"));
        let mut parts = Vec::new();
        let mut with_margin = 0;
        for row in &self.a.table.rows {
            if !self.geo.by_geoid.contains_key(&row.geoid) {
                continue;
            }
            let Some(value) = row.values.get(col).copied().flatten() else {
                continue;
            };
            let margin = moe_col.and_then(|m| row.values.get(m).copied().flatten());
            with_margin += usize::from(margin.is_some());
            parts.push(Estimate::new(value, margin));
        }
        let sum = moe::sum(&parts);
        Some(Total {
            value: sum.value,
            moe: sum.moe.filter(|_| !parts.is_empty()),
            areas: parts.len(),
            with_margin,
        })
    }

    /// The stored version of the year's assessment, as provenance records it.
    pub fn upload(&self) -> Option<&'a AssessmentUpload> {
        self.provenance
            .assessments
            .iter()
            .find(|u| u.year == self.year && u.version == self.a.version)
    }

    /// Where the year's indicator values came from: the uploaded file and, for an ACS
    /// indicator, the table's universe.
    pub fn source_of(&self, name: &str) -> Text {
        let file = self
            .upload()
            .map_or_else(|| format!("assessment {}", self.year), |u| u.file.clone());
        let mut text = vec![c(file)];
        if let Some(universe) = self.describe(name).universe.clone() {
            text.push(t(format!("; universe: {universe}")));
        }
        text
    }

    /// The vintage of the year's indicator values: the assessment year, its version and
    /// the day it was stored.
    pub fn vintage(&self) -> String {
        match self.upload() {
            Some(u) => format!(
                "{} assessment, version {}, stored {}",
                self.year,
                u.version,
                date(&u.at)
            ),
            None => format!("{} assessment, version {}", self.year, self.a.version),
        }
    }

    /// What to upload to have the indicator: its Census tables when a recipe derives it,
    /// else a column of that name.
    pub fn upload_hint(&self, name: &str) -> Text {
        let def = self.describe(name);
        match &def.recipe {
            Some(recipe) => {
                let tables: BTreeSet<String> = recipe
                    .variables()
                    .into_iter()
                    .map(|v| {
                        v.as_str()
                            .split_once('_')
                            .map_or(v.as_str(), |(table, _)| table)
                            .to_owned()
                    })
                    .collect();
                let tables: Vec<String> = tables.into_iter().collect();
                vec![t(format!(
                    "ACS table {} (source=census) or a ",
                    tables.join(", ")
                ))]
                .into_iter()
                .chain([c(name.to_owned()), t(" column")])
                .collect()
            }
            None => vec![t("an assessment with a "), c(name.to_owned()), t(" column")],
        }
    }

    /// The paragraph that says an indicator is missing and how to fill it in.
    pub fn missing_indicator(&self, name: &str) -> Block {
        let mut text = vec![
            t(self.describe(name).label.clone()),
            t(" ("),
            c(name.to_owned()),
            t("): not provided: upload "),
        ];
        text.extend(self.upload_hint(name));
        text.push(t(format!(" for {} to fill this in.", self.year)));
        missing(text)
    }

    /// The note that replaces a map of a geography too large to draw, if it is one.
    pub fn too_many_to_draw(&self) -> Option<Block> {
        let n = self.geo.geography.areas.len();
        (n > MAX_MAP_AREAS).then(|| {
            Block::note(vec![t(format!(
                "No map: {} has {} areas, more than the {} a printed map can show legibly. \
                 The web map shows them all.",
                self.geo.geography.name,
                number(n as f64, 0),
                number(MAX_MAP_AREAS as f64, 0)
            ))])
        })
    }
}

/// A "not provided" paragraph.
pub fn missing(text: Text) -> Block {
    Block::Para {
        class: Some("missing"),
        text,
    }
}

/// The date part of an RFC 3339 time.
pub fn date(at: &str) -> &str {
    at.get(..10).unwrap_or(at)
}

/// A total written with its margin: `200 ± 50`, or `200` and why there is no margin.
pub fn with_margin(total: &Total, decimals: usize) -> (String, String) {
    let value = number(total.value, decimals);
    let margin = match total.moe {
        Some(m) => format!("±{}", number(m, decimals)),
        None if total.with_margin == 0 => "not given".to_owned(),
        None => format!(
            "given for {} of {} areas",
            number(total.with_margin as f64, 0),
            number(total.areas as f64, 0)
        ),
    };
    (value, margin)
}
