//! The command-line tree (clap). Settings flags are the [`crate::config`] layers; the
//! rest are the commands and their arguments.

use crate::analysis::siting::Candidates;
use crate::config::{LimitsLayer, ServeLayer, SettingsLayer, StoreLayer};
use crate::domain::Year;
use crate::imports::{IndicatorSource, Mode};
use crate::output::Format;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// gapmap: where families' needs lack nearby community partners.
#[derive(Debug, Parser)]
#[command(name = "gapmap", version, about, long_about = None)]
pub struct Cli {
    /// A TOML file of settings (sections [store], [limits], [serve]; the flags' names in
    /// snake_case). Environment variables and flags override it.
    #[arg(long, global = true, env = "GAPMAP_CONFIG")]
    pub config: Option<PathBuf>,

    /// Store connection settings.
    #[command(flatten)]
    pub store: StoreLayer,

    /// What one uploaded or imported file may hold.
    #[command(flatten)]
    pub limits: LimitsLayer,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

impl Cli {
    /// The settings: defaults, then the config file, then environment and flags.
    pub fn settings(&self) -> anyhow::Result<crate::config::Settings> {
        let file = match &self.config {
            Some(path) => SettingsLayer::from_file(path)?,
            None => SettingsLayer::default(),
        };
        let flags = SettingsLayer {
            store: self.store.clone(),
            limits: self.limits.clone(),
            serve: match &self.command {
                Command::Serve(serve) => serve.clone(),
                _ => ServeLayer::default(),
            },
        };
        Ok(crate::config::Settings::layered(&[file, flags]))
    }
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the map (loads the bundled demo into an empty store).
    Serve(ServeLayer),
    /// Import a file into the store (areas, indicators, partners or transit stops).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Create, list or revoke access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Change named fields of a stored partner or site, as PATCH does in the API (JSON).
    #[command(subcommand)]
    Edit(EditCommand),
    /// The needs, each program's own standards: list them, or replace or add one, as
    /// `GET` and `PUT /api/v1/needs/{code}` do (JSON).
    #[command(subcommand)]
    Needs(NeedsCommand),
    /// Every change of a partner's level and stage, newest first (JSON).
    History {
        /// The partner's id.
        partner: String,
    },
    /// Write stored data to a file or standard output (formats that import again).
    #[command(subcommand)]
    Export(ExportCommand),
    /// Gap analysis of one need in one assessment year (CSV, JSON or GeoJSON).
    Gaps(GapsArgs),
    /// Areas ranked for outreach by unserved = target − enrolled (CSV, JSON or GeoJSON).
    Outreach(OutreachArgs),
    /// One need in two assessment years, area by area (JSON, CSV or GeoJSON).
    Compare(CompareArgs),
    /// Where k new sites would close the most shortfall (JSON).
    Siting(SitingArgs),
    /// The organisations in the directory worth approaching for a need (CSV or JSON).
    Opportunities(OpportunitiesArgs),
    /// Access by vehicle: carless families (transit or walk) against families with cars,
    /// sharing one supply (Mao & Nekorchuk 2013), on the geography's travel-time matrices.
    VehicleAccess(VehicleAccessArgs),
    /// Per area, the four barriers (child care, English proficiency, non-traditional
    /// hours, transportation) and how many are deserts (CSV, JSON or GeoJSON).
    Barriers(BarriersArgs),
    /// Areas by GEOID or name, partners by name and sites by their name or their
    /// partner's, as the map's search box finds them (JSON or CSV).
    Search(SearchArgs),
    /// The printable community-assessment report of a year (HTML).
    Report(ReportArgs),
    /// One map tile of the areas (with a need's metrics) or the sites, as
    /// `GET /tiles/{layer}/{z}/{x}/{y}.mvt` serves it (Mapbox Vector Tile).
    Tile(TileArgs),
    /// Write the API's OpenAPI 3.1 document (JSON, as `GET /api/openapi.json` serves it).
    Openapi,
    /// Write the synthetic national benchmark files (see BENCHMARKS.md).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchData {
        /// Folder to write areas.geojson, assessment.csv and sites.csv into.
        #[arg(long)]
        out: PathBuf,
        /// Number of areas.
        #[arg(long, default_value_t = crate::synthetic::NATIONAL_AREAS)]
        areas: usize,
        /// Number of sites.
        #[arg(long, default_value_t = crate::synthetic::NATIONAL_SITES)]
        sites: usize,
    },
    /// Write a synthetic state and its tract-to-tract drive-time matrix (see BENCHMARKS.md).
    #[cfg(feature = "bench")]
    #[command(hide = true)]
    BenchMatrix {
        /// Folder to write areas.geojson, assessment.csv, sites.csv and travel_times.csv
        /// (r5py's `from_id,to_id,travel_time`, minutes) into.
        #[arg(long)]
        out: PathBuf,
        /// Number of areas.
        #[arg(long, default_value_t = crate::synthetic::STATE_AREAS)]
        areas: usize,
        /// Number of sites (each at the centre of an area).
        #[arg(long, default_value_t = crate::synthetic::STATE_SITES)]
        sites: usize,
        /// Number of pairs in the matrix: the quickest ones.
        #[arg(long, default_value_t = crate::synthetic::STATE_PAIRS)]
        pairs: usize,
        /// The slowest pair written takes this many minutes.
        #[arg(long, default_value_t = 60.0)]
        minutes: f64,
    },
}

/// `gapmap token …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token; it is printed once and stored only as a digest.
    Create {
        /// viewer (read), editor (upload) or admin (also the audit record).
        #[arg(long, value_enum)]
        role: crate::store::Role,
        /// What the token is for, e.g. "north office data steward".
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List tokens (without their secrets).
    List,
    /// Revoke a token by its id.
    Revoke {
        /// The token's id, as `token list` shows it.
        id: String,
    },
}

/// `gapmap import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Areas: a GeoJSON FeatureCollection or a zipped shapefile; replaces the geography.
    Areas {
        /// The file.
        file: PathBuf,
        /// Name of the geography, e.g. tracts-2020.
        #[arg(long)]
        geography: String,
        /// Property holding the area id (default: GEOID, GEOID20, GEOID10, geoid10, geoid).
        #[arg(long)]
        id_field: Option<String>,
    },
    /// Indicators for one assessment year: a CSV keyed by GEOID, or (with `--source
    /// census`) Census tables as they come, from which gapmap derives its indicators.
    Indicators {
        /// The file: one indicator CSV, or one or more data.census.gov CSV downloads and
        /// Census API JSON answers.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Assessment year.
        #[arg(long)]
        year: Year,
        /// The geography its GEOIDs belong to.
        #[arg(long)]
        geography: String,
        /// What the files are: gapmap's indicator CSV, or Census tables.
        #[arg(long, value_enum, default_value_t = IndicatorSource::Indicators)]
        source: IndicatorSource,
        /// A program's own indicator recipes (the layout of data/indicators.toml), added
        /// to the bundled ones.
        #[arg(long, env = "GAPMAP_INDICATORS")]
        indicators: Option<PathBuf>,
    },
    /// Program records for one assessment year: a CSV of program-wide figures with their
    /// sources (record, value, source[, as_of, name, kind, notes]); replaces the year's.
    Records {
        /// The CSV file.
        file: PathBuf,
        /// Assessment year.
        #[arg(long)]
        year: Year,
    },
    /// Partners and sites: HSDS zip or folder, GeoJSON points, or the flat CSV.
    Partners {
        /// One or more files (several CSVs of one HSDS package are read together).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// merge: add and update; replace: the upload becomes the whole directory.
        #[arg(long, value_enum, default_value_t = Mode::Merge)]
        mode: Mode,
        /// HSDS locations offering no service gapmap tracks, or lacking coordinates:
        /// refuse the package (naming them), or skip them (listing them as a warning).
        #[arg(long, value_enum, default_value_t = crate::ingest::Untracked::Refuse)]
        untracked_services: crate::ingest::Untracked,
    },
    /// A travel-time matrix of one mode: r5py/r5r CSV `from_id,to_id,travel_time`
    /// (minutes), OpenTripPlanner CSV `Origin,Destination,…,Travel time` (seconds),
    /// OpenTimes CSV `origin_id,destination_id,duration_sec`, or OSRM table JSON with
    /// `source_ids` and `destination_ids` added; replaces the geography's matrix of that mode.
    TravelTimes {
        /// The file (read as a stream).
        file: PathBuf,
        /// walk, transit, drive or bike.
        #[arg(long, value_enum)]
        mode: crate::domain::TravelMode,
        /// The geography whose GEOIDs are the origins.
        #[arg(long)]
        geography: String,
        /// The tool that computed it (default: what the format tells).
        #[arg(long)]
        tool: Option<String>,
        /// When it was computed or its network's date.
        #[arg(long)]
        date: Option<String>,
        /// The departure time used.
        #[arg(long)]
        departure: Option<String>,
    },
    /// Transit stops: GTFS stops.txt; each stop becomes a site offering `transit`.
    Stops {
        /// The stops.txt file.
        file: PathBuf,
        /// Id prefix that keeps stops of several feeds apart.
        #[arg(long, default_value = "gtfs")]
        feed: String,
    },
}

/// `gapmap edit …`: the fields to change as a JSON object, as the API's PATCH takes them;
/// every field not named stays as stored.
#[derive(Debug, Subcommand)]
pub enum EditCommand {
    /// A partner: partnership_level, partnership_stage, agreement_start, agreement_end,
    /// notes, contact {name, email, phone}, needs; e.g.
    /// `gapmap edit partner ymca '{"partnership_stage": "taking_action"}'`.
    Partner {
        /// The partner's id.
        id: String,
        /// The fields to change, as a JSON object (`null` clears one).
        json: String,
    },
    /// A site: services, capacity, languages, hours; e.g.
    /// `gapmap edit site ymca-1 '{"capacity": {"childcare": 60}}'`.
    Site {
        /// The site's id.
        id: String,
        /// The fields to change, as a JSON object (`null` clears one).
        json: String,
    },
}

/// `gapmap needs …`
#[derive(Debug, Subcommand)]
pub enum NeedsCommand {
    /// Every need as stored, each with its version (JSON, as `GET /api/v1/needs`).
    List,
    /// Replace a need as a whole, or add one, as `PUT /api/v1/needs/{code}` does: checked
    /// field by field, audited, a new version; e.g.
    /// `gapmap needs put childcare @childcare.json`.
    Put {
        /// The need's code.
        code: String,
        /// The need as a JSON object (the shape `gapmap needs list` prints), or `@FILE`.
        json: String,
    },
}

/// `gapmap export …`
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A year's assessment as CSV (or JSON).
    Assessment {
        /// Assessment year.
        #[arg(long)]
        year: Year,
        /// A stored version (default: the current one).
        #[arg(long)]
        version: Option<i64>,
        /// csv or json.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// A geography's areas as GeoJSON.
    Areas {
        /// The geography.
        #[arg(long)]
        geography: String,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// The partner directory as the flat CSV (or GeoJSON points).
    Partners {
        /// csv or geojson.
        #[arg(long, value_enum, default_value_t = Format::Csv)]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

/// `gapmap gaps …`
#[derive(Debug, Args)]
pub struct GapsArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: Year,
    /// Need code (see data/needs.toml).
    #[arg(long)]
    pub need: String,
    /// Catchment radius in km (default: the need's).
    #[arg(long)]
    pub radius_km: Option<f64>,
    /// Only sites serving this language (ISO 639-1), with that language's demand.
    #[arg(long)]
    pub language: Option<String>,
    /// Only sites open at these times: evening or weekend.
    #[arg(long)]
    pub hours: Option<String>,
    /// Which desert rule marks the deserts: need (the need's own) or catchment (2SFCA
    /// below the target).
    #[arg(long)]
    pub desert_rule: Option<String>,
    /// Measure minutes on the geography's travel-time matrix of this mode: walk, transit,
    /// drive or bike.
    #[arg(long)]
    pub mode: Option<String>,
    /// With --mode: the reach M in minutes (default: the need's max_minutes).
    #[arg(long)]
    pub max_minutes: Option<f64>,
    /// With --mode: E2SFCA's decay: step, gaussian or gravity.
    #[arg(long)]
    pub decay: Option<String>,
    /// σ in minutes of the Gaussian decay (default max_minutes / 2).
    #[arg(long)]
    pub sigma_minutes: Option<f64>,
    /// β of the gravity decay (default 1).
    #[arg(long)]
    pub gravity_beta: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap tile …`
#[derive(Debug, Args)]
pub struct TileArgs {
    /// The layer: areas or sites.
    #[arg(value_parser = ["areas", "sites"])]
    pub layer: String,
    /// Zoom level (0 to 22).
    pub z: u32,
    /// Column, west to east.
    pub x: u32,
    /// Row, north to south.
    pub y: u32,
    /// Areas: the geography (default: the assessment's, else the only one).
    #[arg(long)]
    pub geography: Option<String>,
    /// Areas: the year of the need's metrics.
    #[arg(long, requires = "need")]
    pub year: Option<Year>,
    /// Areas: the need whose metrics each area carries.
    #[arg(long, requires = "year")]
    pub need: Option<String>,
    /// Areas: catchment radius in km (default: the need's).
    #[arg(long, requires = "need")]
    pub radius_km: Option<f64>,
    /// Areas: only sites serving this language (ISO 639-1).
    #[arg(long, requires = "need")]
    pub language: Option<String>,
    /// Areas: only sites open evenings or weekends.
    #[arg(long, requires = "need")]
    pub hours: Option<String>,
    /// Areas: need or catchment.
    #[arg(long, requires = "need")]
    pub desert_rule: Option<String>,
    /// Sites: only those offering this service code.
    #[arg(long)]
    pub service: Option<String>,
    /// The file to write (a .mvt).
    #[arg(long)]
    pub out: PathBuf,
}

/// `gapmap outreach …`
#[derive(Debug, Args)]
pub struct OutreachArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: Year,
    /// Indicator counting the eligible (e.g. children_under_5_poverty).
    #[arg(long)]
    pub target: String,
    /// Indicator counting those enrolled (default: 0 enrolled everywhere).
    #[arg(long)]
    pub enrolled: Option<String>,
    /// Number of areas (default: all).
    #[arg(long)]
    pub limit: Option<usize>,
    /// Only this need's desert flag and sites (default: every need the year measures).
    #[arg(long)]
    pub need: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap compare …`
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Need code.
    #[arg(long)]
    pub need: String,
    /// The earlier year.
    #[arg(long)]
    pub from: Year,
    /// The later year.
    #[arg(long)]
    pub to: Year,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap siting …`
#[derive(Debug, Args)]
pub struct SitingArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: Year,
    /// Need code.
    #[arg(long)]
    pub need: String,
    /// Number of sites to suggest (1 to 100).
    #[arg(long)]
    pub k: usize,
    /// Capacity of each new site in supply units (default: 1 site, or the median capacity).
    #[arg(long)]
    pub capacity: Option<f64>,
    /// Where new sites may go: the areas' demand points, or the directory's places that
    /// qualify as opportunities (`assets`).
    #[arg(long, value_enum, default_value_t = Candidates::DemandPoints)]
    pub candidates: Candidates,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap barriers …`
#[derive(Debug, Args)]
pub struct BarriersArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: Year,
    /// csv, json or geojson.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap search …`
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// What to look for: a GEOID or part of a name (any case).
    pub text: String,
    /// Only this geography's areas (default: every geography's).
    #[arg(long)]
    pub geography: Option<String>,
    /// Hits of each kind listed at most (1 to 50).
    #[arg(long, default_value_t = crate::analysis::search::DEFAULT_LIMIT)]
    pub limit: usize,
    /// json or csv.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap opportunities …`
#[derive(Debug, Args)]
pub struct OpportunitiesArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: Year,
    /// Need code.
    #[arg(long)]
    pub need: String,
    /// Only the first N.
    #[arg(long)]
    pub limit: Option<usize>,
    /// csv or json.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap vehicle-access …`
#[derive(Debug, Args)]
pub struct VehicleAccessArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: Year,
    /// Need code.
    #[arg(long)]
    pub need: String,
    /// How families without a vehicle travel: transit or walk.
    #[arg(long, value_enum, default_value_t = crate::domain::TravelMode::Transit)]
    pub carless_mode: crate::domain::TravelMode,
    /// How families with one travel.
    #[arg(long, value_enum, default_value_t = crate::domain::TravelMode::Drive)]
    pub car_mode: crate::domain::TravelMode,
    /// M in minutes (default: the need's max_minutes).
    #[arg(long)]
    pub max_minutes: Option<f64>,
    /// M for the car mode (default: --max-minutes).
    #[arg(long)]
    pub car_max_minutes: Option<f64>,
    /// E2SFCA's decay (step, gaussian, gravity); without it, 2SFCA.
    #[arg(long)]
    pub decay: Option<String>,
    /// The indicator holding the share of households without a vehicle.
    #[arg(long)]
    pub share: Option<String>,
    /// csv or json.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap report …`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: Year,
    /// Write here instead of standard output (e.g. report.html, or report.docx).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// html (the printable page) or docx (an editable Word document); by default docx
    /// when --out ends in .docx, else html.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// The report date (YYYY-MM-DD) from which agreements ending within 90 days are
    /// counted; default: today (UTC).
    #[arg(long)]
    pub date: Option<String>,
}

impl ReportArgs {
    /// The format asked for, or the one `--out`'s extension names.
    pub fn format(&self) -> Format {
        self.format.unwrap_or_else(|| {
            let docx = self
                .out
                .as_ref()
                .and_then(|p| p.extension())
                .is_some_and(|e| e.eq_ignore_ascii_case("docx"));
            if docx { Format::Docx } else { Format::Html }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Limits;

    #[test]
    fn limit_flags_reach_the_importers() {
        let cli = Cli::parse_from([
            "gapmap",
            "import",
            "stops",
            "stops.txt",
            "--max-csv-rows",
            "10",
            "--max-csv-columns",
            "3",
            "--max-vertices-per-area",
            "100",
            "--max-vertices-total",
            "1000",
            "--max-zip-entries",
            "5",
            "--max-zip-uncompressed-mb",
            "2",
        ]);
        let limits = cli.settings().unwrap().limits;
        assert_eq!((limits.table.max_rows, limits.table.max_columns), (10, 3));
        assert_eq!(limits.vertices.max_vertices_per_area, 100);
        assert_eq!(limits.vertices.max_vertices_total, 1000);
        assert_eq!(limits.zip.max_entries, 5);
        assert_eq!(limits.zip.max_total_bytes, 2 * 1024 * 1024);
    }

    #[test]
    fn without_flags_the_defaults_hold() {
        // Environment variables would be a layer too: this test needs none set.
        if std::env::vars().any(|(k, _)| k.starts_with("GAPMAP_")) {
            return;
        }
        let cli = Cli::parse_from(["gapmap", "serve"]);
        let settings = cli.settings().unwrap();
        assert_eq!(settings.limits, Limits::default());
        assert_eq!(settings.serve, crate::config::ServeSettings::default());
        assert_eq!(
            (
                settings.serve.request_timeout_secs,
                settings.serve.write_timeout_secs
            ),
            (60, 1800)
        );
        assert_eq!(settings.serve.max_concurrent_uploads, 2);
        let cli = Cli::parse_from(["gapmap", "serve", "--no-demo", "--allow-anonymous-writes"]);
        let serve = cli.settings().unwrap().serve;
        assert!(serve.no_demo && serve.allow_anonymous_writes);
    }

    #[test]
    fn no_upload_could_ever_be_taken_with_no_slot() {
        assert!(Cli::try_parse_from(["gapmap", "serve", "--max-concurrent-uploads", "0"]).is_err());
    }

    #[test]
    fn a_config_file_sits_between_the_defaults_and_the_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("gapmap.toml");
        std::fs::write(
            &path,
            "[serve]\nbind = \"0.0.0.0:9000\"\nrefresh_ms = 900\n",
        )
        .unwrap();
        let p = path.display().to_string();
        let cli = Cli::parse_from(["gapmap", "--config", &p, "serve", "--refresh-ms", "100"]);
        let serve = cli.settings().unwrap().serve;
        assert_eq!(
            (serve.bind.as_str(), serve.refresh_ms),
            ("0.0.0.0:9000", 100)
        );
        std::fs::write(&path, "[serve]\nbindd = 1\n").unwrap();
        let cli = Cli::parse_from(["gapmap", "--config", &p, "serve"]);
        let err = cli.settings().unwrap_err().to_string();
        assert!(err.contains("bindd"), "{err}");
    }
}
