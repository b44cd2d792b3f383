//! Validated domain types. Values are checked once, where they enter (importers, query
//! parameters); code inside the crate takes them as correct.

mod area;
mod assessment;
mod catalog;
mod day;
mod geoid;
mod hours;
mod indicators;
mod lonlat;
pub mod moe;
mod partner;
pub mod partner_edit;
mod provenance;
mod records;
mod secret;
mod travel;
mod warning;
mod year;

pub use area::{Area, DemandPointSource, Geography, bbox_union};
pub use assessment::{Assessment, AssessmentSummary, IndicatorRow, IndicatorTable};
pub use catalog::{
    BUNDLED_NEEDS_TOML, Catalog, CatalogError, DesertRule, MAX_RADIUS_KM, Need, NeedFilters,
    ServiceDef, Supply, check_need, is_need_code,
};
pub use day::Day;
pub use geoid::{Geoid, GeoidError};
pub use hours::{Hours, HoursError, HoursFilter};
pub use indicators::{
    AcsColumn, AcsVariable, BUNDLED_INDICATORS_TOML, IndicatorCatalog, IndicatorDef,
    IndicatorsError, Recipe,
};
pub use lonlat::{LonLat, LonLatError};
pub use partner::{
    Answer, Contact, Partner, PartnerDirectory, PartnershipLevel, PartnershipStage, Readiness,
    ReadinessQuestion, Site, SiteService, parse_date, parse_email, parse_phone, slug,
};
pub use partner_edit::{DirectoryEdit, Edit, PartnerEdit, PartnerFields, SiteEdit};
pub use provenance::{AssessmentUpload, PartnerMove, Provenance, Upload};
pub use records::{ProgramKind, ProgramRecord, RecordKind};
pub use secret::Secret;
pub use travel::{
    DestinationKind, MAX_MINUTES, MatrixSource, MatrixSummary, TravelMatrix, TravelMode,
};
pub use warning::Warning;
pub use year::{Year, YearError};
