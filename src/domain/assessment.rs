use super::{Geoid, Warning};
use serde::Serialize;

/// One row of an indicator table: an area and its values, in the table's column order.
#[derive(Clone, Debug, PartialEq)]
pub struct IndicatorRow {
    /// The area.
    pub geoid: Geoid,
    /// One value per column of [`IndicatorTable::columns`]; `None` where the cell is empty.
    pub values: Vec<Option<f64>>,
}

/// Indicator values per area as uploaded: every numeric column, margins of error
/// (`<indicator>_moe`) included, in file order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IndicatorTable {
    /// Column names, margins of error included.
    pub columns: Vec<String>,
    /// One row per area.
    pub rows: Vec<IndicatorRow>,
}

impl IndicatorTable {
    /// The indicators proper: every column that is not a margin of error.
    pub fn indicators(&self) -> Vec<&str> {
        self.columns
            .iter()
            .map(String::as_str)
            .filter(|c| !c.ends_with("_moe"))
            .collect()
    }

    /// Position of a column, if the table has it.
    pub fn column(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c == name)
    }
}

/// One stored version of a year's community assessment.
#[derive(Clone, Debug)]
pub struct Assessment {
    /// The assessment year (e.g. 2024).
    pub year: i32,
    /// The version of that year (1 for the first upload; replacing a year adds one).
    pub version: i64,
    /// The geography the GEOIDs belong to.
    pub geography: String,
    /// The values.
    pub table: IndicatorTable,
    /// What the upload was stored with but a person should look at.
    pub warnings: Vec<Warning>,
}

/// What the assessment list shows for each year.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct AssessmentSummary {
    /// The year.
    pub year: i32,
    /// The geography.
    pub geography: String,
    /// The current version.
    pub version: i64,
    /// Every stored version, oldest first.
    pub versions: Vec<i64>,
    /// The indicators of the current version.
    pub indicators: Vec<String>,
    /// Number of areas with values.
    pub areas: usize,
    /// When the current version was stored (RFC 3339, UTC).
    pub created_at: String,
}
