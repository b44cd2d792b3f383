//! The import pipeline shared by the API, the command line and the demo loader:
//! parse and validate (off the async runtime), write in one transaction, refresh the Atlas.

use crate::atlas::AtlasHandle;
use crate::domain::{Catalog, DirectoryEdit, Geoid, IndicatorCatalog, PartnerFields, Warning};
use crate::error::{Code, Error, Result};
use crate::ingest::{self, InputFile, Limits, areas_geojson::AreaOptions};
use crate::store::{Audit, PartnerWrite, Store, WriteSummary};
use serde::Serialize;
use std::sync::Arc;

/// How a partner upload meets the stored directory.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Add new partners and sites, update those with the same id, keep the rest.
    Merge,
    /// The upload replaces the whole directory.
    Replace,
}

/// What an indicators upload holds.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Default,
    clap::ValueEnum,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorSource {
    /// gapmap's indicator CSV: GEOID, then one column per indicator (and `_moe`).
    #[default]
    Indicators,
    /// Census tables as they come: data.census.gov CSV downloads or Census API JSON.
    Census,
}

/// The store, the current Atlas and the catalog: what every request and command uses.
#[derive(Clone, Debug)]
pub struct Services {
    /// The source of truth.
    pub store: Store,
    /// The in-memory snapshot.
    pub atlas: Arc<AtlasHandle>,
    /// The services, and the needs that seed an empty store (the bundled file or
    /// `--needs FILE`). The needs measured are the store's: `atlas.get().catalog`.
    pub catalog: Arc<Catalog>,
    /// Indicators and the recipes that derive them from Census tables.
    pub indicators: Arc<IndicatorCatalog>,
    /// What one uploaded file may hold.
    pub limits: Limits,
}

/// What an import did, as the uploader sees it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// areas, indicators, partners, stops, records or travel_times.
    pub kind: &'static str,
    /// The file(s) read.
    pub files: Vec<String>,
    /// Rows accepted (areas, area rows, sites).
    pub rows: usize,
    /// Added / changed / removed / unchanged counts and the new data version.
    pub summary: WriteSummary,
    /// The assessment version written (indicators only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    /// Indicators imported (indicators only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<String>,
    /// Things worth knowing that did not stop the import: `{file, row, field, message}`,
    /// null where one does not apply.
    pub warnings: Vec<Warning>,
    /// True when the upload held exactly what was stored: nothing was written, the data
    /// version did not move, no assessment version or audit entry was made.
    pub unchanged: bool,
    /// One sentence saying what happened, for a person.
    pub message: String,
}

impl ImportReport {
    fn new(kind: &'static str, files: Vec<String>, rows: usize, summary: WriteSummary) -> Self {
        let unchanged = summary.nothing_changed;
        let message = if unchanged {
            format!(
                "nothing changed: the store already holds exactly this data, so nothing was written (the data version stays {})",
                summary.data_version
            )
        } else {
            let counts = |what: &str, c: &crate::store::Counts| {
                format!(
                    "{what}{} added, {} changed, {} removed, {} unchanged",
                    c.added, c.changed, c.removed, c.unchanged
                )
            };
            let rows = crate::store::Counts {
                added: summary.added,
                changed: summary.changed,
                removed: summary.removed,
                unchanged: summary.unchanged,
            };
            let mut message = match &summary.partners {
                None => format!("stored: {}", counts("", &rows)),
                Some(p) => format!(
                    "stored: {}; {}",
                    counts("sites ", &rows),
                    counts("partners ", p)
                ),
            };
            // What an upload empties is easy to miss: say so in words.
            let cleared: Vec<String> = summary
                .changes
                .iter()
                .flat_map(|c| {
                    c.cleared
                        .iter()
                        .map(move |f| format!("{f} of {} '{}'", c.record, c.id))
                })
                .collect();
            if !cleared.is_empty() {
                message.push_str("; cleared: ");
                message.push_str(&cleared[..cleared.len().min(10)].join(", "));
                if cleared.len() > 10 {
                    message.push_str(&format!(" and {} more", cleared.len() - 10));
                }
            }
            format!("{message} (data version {})", summary.data_version)
        };
        Self {
            kind,
            files,
            rows,
            summary,
            version: None,
            indicators: Vec::new(),
            warnings: Vec::new(),
            unchanged,
            message,
        }
    }
}

/// What an edit in the API did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct EditReport {
    /// The changed fields, before and after, and the new data version.
    pub summary: WriteSummary,
    /// True when the edit changed nothing: nothing was written, the data version did not
    /// move and no audit entry was made.
    pub unchanged: bool,
    /// One sentence saying what happened, for a person.
    pub message: String,
    /// The partner as it is now (a partner edit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner: Option<crate::domain::Partner>,
    /// The site as it is now (a site edit).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<crate::domain::Site>,
}

impl EditReport {
    fn new(summary: WriteSummary) -> Self {
        let unchanged = summary.nothing_changed;
        let fields: Vec<String> = summary
            .changes
            .iter()
            .flat_map(|c| {
                c.fields.iter().map(|f| {
                    if c.cleared.contains(&f.field) {
                        format!("{} cleared", f.field)
                    } else {
                        format!("{} {} → {}", f.field, f.before, f.after)
                    }
                })
            })
            .collect();
        let message = if unchanged {
            format!(
                "nothing changed: the edit holds what is stored (the data version stays {})",
                summary.data_version
            )
        } else {
            format!(
                "stored: {} (data version {})",
                fields.join("; "),
                summary.data_version
            )
        };
        Self {
            summary,
            unchanged,
            message,
            partner: None,
            site: None,
        }
    }
}

/// What `PUT /api/v1/needs/{code}` did.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct NeedReport {
    /// The fields changed, before and after (`version` first), and the new data version.
    pub summary: WriteSummary,
    /// True when the body held the need as stored: nothing was written, the data version
    /// and the need's version did not move and no audit entry was made.
    pub unchanged: bool,
    /// True when the need was not stored before.
    pub created: bool,
    /// One sentence saying what happened, for a person.
    pub message: String,
    /// The need as it is stored now, with its version.
    pub need: crate::domain::Need,
}

/// The report of an assessment upload (an indicator CSV or Census tables).
fn assessment_report(
    year: i32,
    version: i64,
    files: Vec<String>,
    table: &crate::domain::IndicatorTable,
    summary: WriteSummary,
    warnings: Vec<Warning>,
) -> ImportReport {
    let mut report = ImportReport::new("indicators", files, table.rows.len(), summary);
    if report.unchanged {
        report.message = format!(
            "nothing changed: version {version} of the {year} assessment already holds this table, so no new version was stored (the data version stays {})",
            report.summary.data_version
        );
    }
    report.version = Some(version);
    report.indicators = table.indicators().into_iter().map(str::to_owned).collect();
    report.warnings = warnings;
    report
}

/// A table read and checked by an importer, with where its rows came from.
struct Checked {
    table: crate::domain::IndicatorTable,
    origins: ingest::Origins,
    warnings: Vec<Warning>,
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(Error::internal)?
}

impl Services {
    /// Replaces a geography with the areas in a GeoJSON file or zipped shapefile, within
    /// the service's limits. `id_field` names the property holding the area id (default:
    /// the usual GEOID fields).
    pub async fn import_areas(
        &self,
        actor: &str,
        file: InputFile,
        geography: &str,
        id_field: Option<String>,
    ) -> Result<ImportReport> {
        ingest::areas_geojson::check_geography_name(geography)?;
        let name = geography.to_owned();
        let file_name = file.name.clone();
        let opts = AreaOptions {
            id_field,
            limits: self.limits,
        };
        let geo = blocking(move || ingest::read_areas(&file, &name, &opts)).await?;
        let rows = geo.areas.len();
        let audit = Audit::new(
            actor,
            "replace_geography",
            geography,
            vec![file_name.clone()],
        );
        let summary = self.store.replace_geography(&geo, &audit).await?;
        self.refresh_after(&summary).await?;
        Ok(ImportReport::new("areas", vec![file_name], rows, summary))
    }

    /// The GEOIDs of a geography, or `unknown_geography` saying how to add it.
    async fn geography_geoids(&self, geography: &str) -> Result<Vec<Geoid>> {
        self.store.geoids(geography).await?.ok_or_else(|| {
            Error::new(
                Code::UnknownGeography,
                format!("there is no geography '{geography}': upload its areas first (PUT /api/v1/geographies/{geography})"),
            )
        })
    }

    /// Stores a new version of a year's assessment from an indicator CSV.
    pub async fn import_indicators(
        &self,
        actor: &str,
        file: InputFile,
        year: i32,
        geography: &str,
    ) -> Result<ImportReport> {
        check_year(year)?;
        let geoids = self.geography_geoids(geography).await?;
        let name = geography.to_owned();
        let file_name = file.name.clone();
        let limits = self.limits.table;
        let import =
            blocking(move || ingest::indicators::read(&file, &name, &geoids, &limits)).await?;
        let what = format!("{year} on {geography}");
        self.store_assessment(
            actor,
            year,
            geography,
            Checked {
                table: import.table,
                origins: import.origins.into(),
                warnings: import.warnings,
            },
            vec![file_name.clone()],
            &file_name,
            what,
        )
        .await
    }

    /// Stores a new version of a year's assessment from Census tables as they come
    /// (data.census.gov CSV downloads and Census API JSON answers, any mix): the
    /// indicators the catalogue's recipes derive from them, each with its `_moe`.
    pub async fn import_census(
        &self,
        actor: &str,
        files: Vec<InputFile>,
        year: i32,
        geography: &str,
    ) -> Result<ImportReport> {
        check_year(year)?;
        let geoids = self.geography_geoids(geography).await?;
        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        let (name, limits, catalog) = (
            geography.to_owned(),
            self.limits.table,
            self.indicators.clone(),
        );
        let import =
            blocking(move || ingest::census::read(&files, &name, &geoids, &catalog, &limits))
                .await?;
        let source = names.join(", ");
        let what = format!("{year} on {geography} (Census tables)");
        self.store_assessment(
            actor,
            year,
            geography,
            Checked {
                table: import.table,
                origins: import.origins,
                warnings: import.warnings,
            },
            names,
            &source,
            what,
        )
        .await
    }

    /// The common end of an assessment import: the plausibility checks against the
    /// catalogue and the previous year, then one write with its warnings, then the Atlas.
    #[allow(clippy::too_many_arguments)]
    async fn store_assessment(
        &self,
        actor: &str,
        year: i32,
        geography: &str,
        checked: Checked,
        files: Vec<String>,
        source: &str,
        what: String,
    ) -> Result<ImportReport> {
        let Checked {
            table,
            origins,
            mut warnings,
        } = checked;
        // The latest year before this one: the Atlas's, or without an Atlas the store's.
        let stored_previous = if self.atlas.is_loaded() {
            None
        } else {
            match self.store.latest_year_before(year).await? {
                Some(y) => self.store.assessment(y, None).await?,
                None => None,
            }
        };
        let atlas = self.atlas.get();
        let previous = match &stored_previous {
            Some(a) => Some(ingest::plausibility::PreviousYear {
                year: a.year,
                table: &a.table,
            }),
            None => atlas.assessments.range(..year).next_back().map(|(y, a)| {
                ingest::plausibility::PreviousYear {
                    year: *y,
                    table: &a.table,
                }
            }),
        };
        warnings.extend(ingest::plausibility::check(
            &table,
            &origins,
            &self.indicators,
            previous,
        ));
        let audit = Audit::new(actor, "put_assessment", what, files.clone());
        let (version, summary) = self
            .store
            .put_assessment(year, geography, &table, source, &warnings, &audit)
            .await?;
        self.refresh_after(&summary).await?;
        Ok(assessment_report(
            year, version, files, &table, summary, warnings,
        ))
    }

    /// Replaces a year's program records (program-wide figures with their sources) from
    /// a records CSV.
    pub async fn import_records(
        &self,
        actor: &str,
        file: InputFile,
        year: i32,
    ) -> Result<ImportReport> {
        check_year(year)?;
        let file_name = file.name.clone();
        let limits = self.limits.table;
        let records = blocking(move || ingest::records::read(&file, &limits)).await?;
        let audit = Audit::new(
            actor,
            "put_program_records",
            year.to_string(),
            vec![file_name.clone()],
        );
        let summary = self
            .store
            .put_program_records(year, &records, &audit)
            .await?;
        self.refresh_after(&summary).await?;
        Ok(ImportReport::new(
            "records",
            vec![file_name],
            records.len(),
            summary,
        ))
    }

    /// Adds (merge) or replaces the partner directory from HSDS, GeoJSON or flat CSV.
    pub async fn import_partners(
        &self,
        actor: &str,
        files: Vec<InputFile>,
        mode: Mode,
        untracked: ingest::Untracked,
    ) -> Result<ImportReport> {
        let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
        let started = std::time::Instant::now();
        let catalog = self.current_catalog().await?;
        let limits = self.limits;
        let import =
            blocking(move || ingest::read_partners(&files, &catalog, &limits, untracked)).await?;
        let parsed = started.elapsed();
        let edits = import.edits;
        let mut warnings: Vec<Warning> = import.warnings.into_iter().map(Warning::new).collect();
        warnings.extend(self.location_warnings(&edits).await?);
        let how = match mode {
            Mode::Merge => PartnerWrite::Merge,
            Mode::Replace => PartnerWrite::Replace,
        };
        let action = match mode {
            Mode::Merge => "merge_partners",
            Mode::Replace => "replace_partners",
        };
        let audit = Audit::new(actor, action, "", names.clone());
        let summary = self.store.write_partners(&edits, &how, &audit).await?;
        let written = started.elapsed();
        self.refresh_after(&summary).await?;
        // Phase times help an operator see where a large import spends its time.
        tracing::info!(
            sites = edits.sites.len(),
            parse_s = parsed.as_secs_f64(),
            write_s = (written - parsed).as_secs_f64(),
            atlas_s = (started.elapsed() - written).as_secs_f64(),
            "partners imported"
        );
        let mut report = ImportReport::new("partners", names, edits.sites.len(), summary);
        report.warnings = warnings;
        Ok(report)
    }

    /// Changes the fields of a stored partner that a PATCH body names (see
    /// [`ingest::edit_json`]); every other field stays.
    pub async fn edit_partner(&self, actor: &str, id: &str, body: &[u8]) -> Result<EditReport> {
        let edit = ingest::edit_json::partner_edit(id, body, &self.atlas.get().catalog)?;
        let edits = DirectoryEdit {
            partners: vec![edit],
            sites: Vec::new(),
        };
        self.edit(actor, "edit_partner", id, &edits).await
    }

    /// Changes the services, capacity, languages or hours of a stored site that a PATCH
    /// body names; every other field stays.
    pub async fn edit_site(&self, actor: &str, id: &str, body: &[u8]) -> Result<EditReport> {
        let edit = ingest::edit_json::site_edit(id, body, &self.atlas.get().catalog)?;
        let edits = DirectoryEdit {
            partners: Vec::new(),
            sites: vec![edit],
        };
        self.edit(actor, "edit_site", id, &edits).await
    }

    async fn edit(
        &self,
        actor: &str,
        action: &str,
        id: &str,
        edits: &DirectoryEdit,
    ) -> Result<EditReport> {
        let audit = Audit::new(actor, action, id, Vec::new());
        let summary = self.store.edit_directory(edits, &audit).await?;
        self.refresh_after(&summary).await?;
        let atlas = self.atlas.get();
        let mut report = EditReport::new(summary);
        if let Some(p) = edits.partners.first() {
            report.partner = atlas.partners.get(&p.id).cloned();
        }
        if let Some(s) = edits.sites.first() {
            report.site = atlas.sites.iter().find(|x| x.id == s.id).cloned();
        }
        Ok(report)
    }

    /// Replaces one transit feed's stops.
    pub async fn import_stops(
        &self,
        actor: &str,
        file: InputFile,
        feed: &str,
    ) -> Result<ImportReport> {
        let slug = ingest::directory::slug(feed);
        if slug.is_empty() {
            return Err(Error::new(
                Code::InvalidParameter,
                "the feed name needs letters or digits",
            ));
        }
        let file_name = file.name.clone();
        let feed_id = slug.clone();
        let limits = self.limits.table;
        let dir = blocking(move || ingest::gtfs::read(&file, &feed_id, &limits)).await?;
        let how = PartnerWrite::ReplaceSitesOf(dir.partners.iter().map(|p| p.id.clone()).collect());
        let mut edits = DirectoryEdit::from(dir);
        // A feed names who runs the stops; the partnership with them is not its to say.
        for p in &mut edits.partners {
            p.fields = PartnerFields {
                name: p.fields.name.take(),
                kind: std::mem::take(&mut p.fields.kind),
                ..PartnerFields::default()
            };
        }
        let warnings = self.location_warnings(&edits).await?;
        let audit = Audit::new(
            actor,
            "replace_stops",
            slug.as_str(),
            vec![file_name.clone()],
        );
        let summary = self.store.write_partners(&edits, &how, &audit).await?;
        self.refresh_after(&summary).await?;
        let mut report = ImportReport::new("stops", vec![file_name], edits.sites.len(), summary);
        report.warnings = warnings;
        Ok(report)
    }

    /// Replaces the travel-time matrix of `geography` by `mode` with the one in the file
    /// at `path` (`name` for messages), read as a stream (see
    /// [`ingest::travel_times`]).
    pub async fn import_travel_times(
        &self,
        actor: &str,
        path: std::path::PathBuf,
        name: &str,
        geography: &str,
        mode: crate::domain::TravelMode,
        given: ingest::travel_times::Given,
    ) -> Result<ImportReport> {
        let known = if self.atlas.is_loaded() {
            let atlas = self.atlas.get();
            let geo = atlas.geographies.get(geography).ok_or_else(|| {
                Error::new(
                    Code::UnknownGeography,
                    format!("there is no geography '{geography}': upload its areas first (PUT /api/v1/geographies/{geography})"),
                )
            })?;
            ingest::travel_times::KnownIds {
                areas: geo.by_geoid.keys().map(|g| g.as_str().to_owned()).collect(),
                sites: atlas.sites.iter().map(|s| s.id.clone()).collect(),
            }
        } else {
            ingest::travel_times::KnownIds {
                areas: self
                    .geography_geoids(geography)
                    .await?
                    .into_iter()
                    .map(|g| g.as_str().to_owned())
                    .collect(),
                sites: self.store.site_ids().await?.into_iter().collect(),
            }
        };
        let (file_name, geography_name) = (name.to_owned(), geography.to_owned());
        let started = std::time::Instant::now();
        let matrix = blocking(move || {
            ingest::travel_times::read(&path, &file_name, &geography_name, mode, &known, &given)
        })
        .await?;
        let parsed = started.elapsed();
        let audit = Audit::new(
            actor,
            "put_travel_times",
            format!("{geography}/{}", mode.name()),
            vec![name.to_owned()],
        );
        let summary = self.store.put_travel_matrix(&matrix, &audit).await?;
        let written = started.elapsed();
        self.refresh_after(&summary).await?;
        tracing::info!(
            pairs = matrix.pairs(),
            parse_s = parsed.as_secs_f64(),
            write_s = (written - parsed).as_secs_f64(),
            atlas_s = (started.elapsed() - written).as_secs_f64(),
            "travel times imported"
        );
        let mut report = ImportReport::new(
            "travel_times",
            vec![name.to_owned()],
            matrix.pairs(),
            summary,
        );
        report.message = format!(
            "stored the {} matrix of {geography}: {} pairs from {} areas to {} {} ({}); a pair it leaves out is unreachable (data version {})",
            mode.name(),
            matrix.pairs(),
            matrix.origins.len(),
            matrix.destinations.len(),
            matrix.kind.name(),
            matrix.source.tool,
            report.summary.data_version
        );
        Ok(report)
    }

    /// Rebuilds the Atlas after a write that stored something.
    /// Replaces or adds one need, the whole of it, from a JSON body (see
    /// [`ingest::need_json`]): checked against the services and the indicators known (the
    /// indicator catalogue and the stored years' columns), stored in one audited write
    /// (`put_need`), and measured from the next Atlas on; every cached answer goes with
    /// the data version.
    pub async fn put_need(&self, actor: &str, code: &str, body: &[u8]) -> Result<NeedReport> {
        // A store that no command has seeded yet (the command line opens one without
        // seeding) takes the catalog's needs first, so that one change keeps the others.
        let seeded = matches!(
            self.store
                .seed_needs(self.catalog.needs(), self.catalog.source())
                .await?,
            crate::store::Seeded::Seeded(_)
        );
        if seeded {
            self.atlas.rebuild(&self.store).await?;
        }
        let atlas = self.atlas.get();
        // The years' columns: the Atlas's, or without an Atlas the store's.
        let stored = if self.atlas.is_loaded() {
            Vec::new()
        } else {
            self.store.current_assessments().await?
        };
        let indicators = self.indicators.clone();
        let known = |name: &str| {
            indicators.get(name).is_some()
                || atlas
                    .assessments
                    .values()
                    .chain(&stored)
                    .any(|a| a.table.column(name).is_some())
        };
        let read = ingest::need_json::need_body(code, body, atlas.catalog.services(), &known)?;
        // A need read before the seeding (version 0, the catalog's) is the seeded version 1.
        let expected = match read.expected_version {
            Some(0) if seeded && self.catalog.need(code).is_some() => Some(1),
            v => v,
        };
        let audit = Audit::new(actor, "put_need", code, Vec::new());
        let (summary, need) = self.store.put_need(&read.need, expected, &audit).await?;
        self.refresh_after(&summary).await?;
        let unchanged = summary.nothing_changed;
        let created = summary.added == 1;
        let changed: Vec<String> = summary
            .changes
            .iter()
            .flat_map(|c| c.fields.iter())
            .filter(|f| f.field != "version")
            .map(|f| format!("{} {} → {}", f.field, f.before, f.after))
            .collect();
        let message = if unchanged {
            format!(
                "nothing changed: need '{code}' is stored exactly so, at version {} (the data version stays {})",
                need.version, summary.data_version
            )
        } else if created {
            format!(
                "stored: need '{code}' added at version 1 (data version {})",
                summary.data_version
            )
        } else {
            format!(
                "stored: need '{code}' is at version {} now: {} (data version {})",
                need.version,
                changed.join("; "),
                summary.data_version
            )
        };
        tracing::info!(
            need = code,
            version = need.version,
            unchanged,
            "need stored"
        );
        Ok(NeedReport {
            summary,
            unchanged,
            created,
            message,
            need,
        })
    }

    /// The catalog an upload is checked against: the Atlas's; without an Atlas (see
    /// [`AtlasHandle::unloaded`]) the services with the store's needs, as an Atlas built
    /// now would hold them.
    async fn current_catalog(&self) -> Result<Arc<Catalog>> {
        if self.atlas.is_loaded() {
            return Ok(self.atlas.get().catalog.clone());
        }
        let needs = self.store.needs().await?;
        Ok(if needs.is_empty() {
            self.catalog.clone()
        } else {
            Arc::new(self.catalog.with_needs(needs))
        })
    }

    /// Where sites are expected: the union of the geographies' extents, from the Atlas
    /// or, without one, from the store (four numbers a geography, no polygon read).
    async fn extent(&self) -> Result<Option<geo::Rect<f64>>> {
        if self.atlas.is_loaded() {
            Ok(self.atlas.get().extent())
        } else {
            self.store.extent().await
        }
    }

    async fn refresh_after(&self, summary: &WriteSummary) -> Result<()> {
        if summary.nothing_changed {
            return Ok(());
        }
        self.atlas.refresh(&self.store).await.map(drop)
    }

    /// Sites far outside every geography are probably mistakes: when swapping their
    /// coordinates puts them inside, refuse them; otherwise warn.
    async fn location_warnings(&self, edits: &DirectoryEdit) -> Result<Vec<Warning>> {
        let Some(extent) = self.extent().await? else {
            return Ok(Vec::new());
        };
        // A margin of about 50 km: partners just outside the service area are normal.
        let margin = 0.5;
        let inside = |x: f64, y: f64| {
            x >= extent.min().x - margin
                && x <= extent.max().x + margin
                && y >= extent.min().y - margin
                && y <= extent.max().y + margin
        };
        let mut swapped = Vec::new();
        let mut outside = 0usize;
        for s in &edits.sites {
            let Some(location) = s.location else { continue };
            let (x, y) = (location.lon(), location.lat());
            if inside(x, y) {
                continue;
            }
            if inside(y, x) {
                swapped.push(crate::error::Problem {
                    file: None,
                    row: None,
                    field: Some("location".into()),
                    message: format!(
                        "site '{}' lies at lon {x}, lat {y}, far from every area; with longitude and latitude swapped it would lie inside: check the column order",
                        s.id
                    ),
                });
            } else {
                outside += 1;
            }
        }
        if !swapped.is_empty() {
            return Err(Error::with_details(
                Code::InvalidCoordinates,
                format!(
                    "{} sites look like they have longitude and latitude swapped",
                    swapped.len()
                ),
                swapped,
            ));
        }
        Ok(if outside > 0 {
            vec![Warning::new(format!(
                "{outside} sites lie more than ~50 km outside every uploaded geography"
            ))]
        } else {
            Vec::new()
        })
    }
}

/// Assessment years gapmap accepts.
pub fn check_year(year: i32) -> Result<()> {
    if (1900..=2200).contains(&year) {
        Ok(())
    } else {
        Err(Error::new(
            Code::InvalidParameter,
            format!("{year} is not a plausible assessment year"),
        ))
    }
}
