//! `GET /api/v1/vocabulary`: the words and colours gapmap uses for its codes, so that
//! clients (the map page above all) show what the server means and keep no copies.
//!
//! Services come from `data/needs.toml`, indicators from `data/indicators.toml` (with a
//! program's `--indicators` file, and every indicator a stored assessment has, named
//! readably when no file lists it), partnership levels and stages and the ways of
//! counting supply from `domain`.

use super::AppState;
use crate::domain::{
    Catalog, DesertRule, IndicatorCatalog, PartnershipLevel, PartnershipStage, ReadinessQuestion,
    Supply,
};
use actix_web::{HttpResponse, web};
use serde::Serialize;
use std::collections::BTreeSet;

/// The whole answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Vocabulary {
    /// Every open service code, by code.
    pub services: Vec<ServiceWords>,
    /// The partnership continuum, loosest first.
    pub partnership_levels: Vec<Term>,
    /// The stages of building a collaborative, in order.
    pub partnership_stages: Vec<Term>,
    /// The readiness questions asked before committing to a partnership, in order.
    pub readiness_questions: Vec<Question>,
    /// Every indicator described or stored, by name.
    pub indicators: Vec<IndicatorWords>,
    /// The ways a need counts supply, with the unit of a need that names none.
    pub supply: Vec<SupplyWords>,
    /// The kinds of desert rule (`code` = the rule's `kind`).
    pub desert_rules: Vec<Term>,
    /// The colour scales the map and the report share.
    pub scales: Scales,
}

/// The colour scales.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Scales {
    /// "Share of the target met", the colour of the gap rows' `target_met`.
    pub target_met: crate::output::scale::TargetMetScale,
    /// How many of the four barriers an area has (`/barriers`' `count`), 0 to 4.
    pub barriers: crate::output::scale::BarrierScale,
}

/// A service code's label and map colour.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ServiceWords {
    /// The open code (`childcare`).
    pub code: String,
    /// Readable label.
    pub label: String,
    /// `#rrggbb`, unique among the services.
    pub colour: String,
}

/// A readiness question: its code (as in a partner's `readiness`) and its words.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Question {
    pub code: &'static str,
    pub question: &'static str,
}

/// A code of an ordered scale with its label and what it means.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Term {
    /// The stable snake_case code.
    pub code: &'static str,
    /// Readable label.
    pub label: &'static str,
    /// One sentence on what it means.
    pub description: &'static str,
}

/// How an indicator is named and counted.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorWords {
    /// The column name (`children_under_5`).
    pub name: String,
    /// What it measures ("Children under 5").
    pub label: String,
    /// What one counts, plural ("children").
    pub unit: String,
    /// One of them ("child").
    pub unit_singular: String,
    /// The indicator this one is part of, if declared.
    pub subset_of: Option<String>,
}

/// A way of counting supply.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SupplyWords {
    /// `capacity` or `sites`, as a need's `supply`.
    pub code: &'static str,
    /// How supply is counted, in words.
    pub label: &'static str,
    /// What one unit is called (plural) unless the need names its own `supply_unit`.
    pub unit: &'static str,
}

impl Vocabulary {
    /// The words of the needs catalog and the indicator catalogue, with the indicators
    /// of the stored assessments.
    pub fn new<'a>(
        catalog: &Catalog,
        indicators: &'a IndicatorCatalog,
        stored_indicators: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        let names: BTreeSet<&str> = indicators
            .iter()
            .map(|(name, _)| name)
            .chain(stored_indicators)
            .collect();
        Self {
            services: catalog
                .services()
                .iter()
                .map(|(code, s)| ServiceWords {
                    code: code.clone(),
                    label: s.label.clone(),
                    colour: s.colour.clone(),
                })
                .collect(),
            partnership_levels: PartnershipLevel::ALL
                .iter()
                .map(|l| Term {
                    code: l.as_str(),
                    label: l.label(),
                    description: l.description(),
                })
                .collect(),
            partnership_stages: PartnershipStage::ALL
                .iter()
                .map(|s| Term {
                    code: s.as_str(),
                    label: s.label(),
                    description: s.description(),
                })
                .collect(),
            readiness_questions: ReadinessQuestion::ALL
                .iter()
                .map(|q| Question {
                    code: q.code(),
                    question: q.question(),
                })
                .collect(),
            indicators: names
                .into_iter()
                .map(|name| {
                    let def = indicators.describe(name);
                    IndicatorWords {
                        name: name.to_owned(),
                        label: def.label.clone(),
                        unit: def.unit.clone(),
                        unit_singular: def.one().to_owned(),
                        subset_of: def.subset_of.clone(),
                    }
                })
                .collect(),
            supply: Supply::ALL
                .iter()
                .map(|s| SupplyWords {
                    code: s.as_str(),
                    label: s.label(),
                    unit: s.default_unit(),
                })
                .collect(),
            desert_rules: DesertRule::KINDS
                .iter()
                .map(|&(code, label, description)| Term {
                    code,
                    label,
                    description,
                })
                .collect(),
            scales: Scales {
                target_met: crate::output::scale::target_met_scale(),
                barriers: crate::output::scale::barrier_scale(),
            },
        }
    }
}

/// `GET /api/v1/vocabulary`.
#[utoipa::path(get, path = "/api/v1/vocabulary", tag = "vocabulary",
    responses((status = 200, description = "Labels, units and colours of every code.", body = Vocabulary)))]
pub async fn get(state: web::Data<AppState>) -> HttpResponse {
    let atlas = state.services.atlas.get();
    let stored = atlas
        .assessments
        .values()
        .flat_map(|a| a.table.indicators());
    HttpResponse::Ok().json(Vocabulary::new(
        &atlas.catalog,
        &state.services.indicators,
        stored,
    ))
}
