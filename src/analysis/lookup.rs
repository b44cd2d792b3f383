//! Finding a year's assessment, its geography and its indicator columns, with the errors
//! a caller can act on. Shared by the analyses built on top of the gap report.

use crate::atlas::{Atlas, GeographyData};
use crate::domain::Assessment;
use crate::error::{Code, Error, Result};

/// The current version of `year`'s assessment, or `unknown_year` listing the years.
pub fn assessment(atlas: &Atlas, year: i32) -> Result<&Assessment> {
    atlas.assessments.get(&year).ok_or_else(|| {
        let years: Vec<String> = atlas.assessments.keys().map(i32::to_string).collect();
        Error::new(
            Code::UnknownYear,
            if years.is_empty() {
                format!("there is no assessment for {year}; none is loaded")
            } else {
                format!(
                    "there is no assessment for {year}; years: {}",
                    years.join(", ")
                )
            },
        )
    })
}

/// The need `code`, or `unknown_need` listing the needs.
pub fn need<'a>(atlas: &'a Atlas, code: &str) -> Result<&'a crate::domain::Need> {
    atlas.catalog.need(code).ok_or_else(|| {
        let codes: Vec<&str> = atlas
            .catalog
            .needs()
            .iter()
            .map(|n| n.code.as_str())
            .collect();
        Error::new(
            Code::UnknownNeed,
            format!("there is no need '{code}'; needs: {}", codes.join(", ")),
        )
    })
}

/// The geography an assessment's GEOIDs belong to.
pub fn geography<'a>(atlas: &'a Atlas, a: &Assessment) -> Result<&'a GeographyData> {
    atlas.geographies.get(&a.geography).ok_or_else(|| {
        Error::new(
            Code::UnknownGeography,
            format!(
                "the {} assessment belongs to geography '{}', which is not loaded",
                a.year, a.geography
            ),
        )
    })
}

/// The position of indicator `name` in the assessment's columns, or `unknown_indicator`
/// listing what the year has; `role` says what the caller wanted it for.
pub fn column(a: &Assessment, name: &str, role: &str) -> Result<usize> {
    a.table.column(name).ok_or_else(|| {
        Error::new(
            Code::UnknownIndicator,
            format!(
                "the {} assessment has no indicator '{name}' ({role}); it has: {}",
                a.year,
                a.table.indicators().join(", ")
            ),
        )
    })
}

/// The needs whose demand indicator the assessment has, in catalog order.
pub fn needs_with_demand<'a>(atlas: &'a Atlas, a: &Assessment) -> Vec<&'a crate::domain::Need> {
    atlas
        .catalog
        .needs()
        .iter()
        .filter(|n| a.table.column(&n.demand_indicator).is_some())
        .collect()
}

/// The travel-time matrix of `geography` by `mode`, or `invalid_parameter` saying how to
/// upload one and which modes the geography has.
pub fn travel_times<'a>(
    atlas: &'a Atlas,
    geography: &str,
    mode: crate::domain::TravelMode,
) -> Result<&'a crate::atlas::TravelTimes> {
    atlas
        .travel
        .get(&(geography.to_owned(), mode))
        .map(|t| t.as_ref())
        .ok_or_else(|| {
            let have: Vec<&str> = atlas
                .travel
                .keys()
                .filter(|(g, _)| g == geography)
                .map(|(_, m)| m.name())
                .collect();
            Error::new(
                Code::InvalidParameter,
                format!(
                    "geography '{geography}' has no {} travel-time matrix ({}): upload one with PUT /api/v1/travel-times/{}?geography={geography}, or leave out mode to measure km",
                    mode.name(),
                    if have.is_empty() {
                        "it has none".to_owned()
                    } else {
                        format!("it has: {}", have.join(", "))
                    },
                    mode.name()
                ),
            )
        })
}
