//! Command line and environment. Layers: built-in defaults, then `GAPMAP_*` environment
//! variables, then flags (clap's `env =` does the middle part).

use crate::ingest::{Limits, TableLimits, VertexLimits, ZipLimits};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::fmt;
use std::path::PathBuf;

/// gapmap: where families' needs lack nearby community partners.
#[derive(Debug, Parser)]
#[command(name = "gapmap", version, about, long_about = None)]
pub struct Cli {
    /// The store: a SQLite file path (created if missing) or a postgres:// URL.
    #[arg(long, global = true, env = "GAPMAP_DB", default_value = "gapmap.db")]
    pub db: DbUrl,

    /// Store connection settings.
    #[command(flatten)]
    pub store: StoreArgs,

    /// What one uploaded or imported file may hold.
    #[command(flatten)]
    pub limits: LimitArgs,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and the map (loads the bundled demo into an empty store).
    Serve(ServeArgs),
    /// Import a file into the store (areas, indicators, partners or transit stops).
    #[command(subcommand)]
    Import(ImportCommand),
    /// Create, list or revoke access tokens.
    #[command(subcommand)]
    Token(TokenCommand),
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
    /// The printable community-assessment report of a year (HTML).
    Report(ReportArgs),
    /// Write the synthetic national benchmark files (see BENCHMARKS.md).
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
}

/// How gapmap talks to its store.
#[derive(Debug, Args, Clone)]
pub struct StoreArgs {
    /// Connections in the pool (PostgreSQL; SQLite uses at most 4).
    #[arg(long, global = true, env = "GAPMAP_DB_POOL_SIZE", default_value_t = 10)]
    pub db_pool_size: u32,
    /// A statement running longer than this is cancelled (PostgreSQL), in seconds; 0 = no limit.
    #[arg(
        long,
        global = true,
        env = "GAPMAP_DB_STATEMENT_TIMEOUT",
        default_value_t = 300
    )]
    pub db_statement_timeout: u64,
}

impl Default for StoreArgs {
    fn default() -> Self {
        Self {
            db_pool_size: 10,
            db_statement_timeout: 300,
        }
    }
}

/// Limits on one imported file, for `serve` and `import` alike. A file beyond one is
/// refused whole with a message naming the limit and its flag.
#[derive(Debug, Args, Clone, Copy, PartialEq, Eq)]
pub struct LimitArgs {
    /// Data rows one CSV may hold.
    #[arg(long, global = true, env = "GAPMAP_MAX_CSV_ROWS", default_value_t = TableLimits::default().max_rows)]
    pub max_csv_rows: usize,
    /// Columns one CSV may hold.
    #[arg(long, global = true, env = "GAPMAP_MAX_CSV_COLUMNS", default_value_t = TableLimits::default().max_columns)]
    pub max_csv_columns: usize,
    /// Vertices one area's geometry may hold.
    #[arg(long, global = true, env = "GAPMAP_MAX_VERTICES_PER_AREA", default_value_t = VertexLimits::default().max_vertices_per_area)]
    pub max_vertices_per_area: usize,
    /// Vertices one areas file may hold in total.
    #[arg(long, global = true, env = "GAPMAP_MAX_VERTICES_TOTAL", default_value_t = VertexLimits::default().max_vertices_total)]
    pub max_vertices_total: usize,
    /// Entries one zip may list.
    #[arg(long, global = true, env = "GAPMAP_MAX_ZIP_ENTRIES", default_value_t = ZipLimits::default().max_entries)]
    pub max_zip_entries: usize,
    /// MiB one zip may expand to once inflated.
    #[arg(long, global = true, env = "GAPMAP_MAX_ZIP_UNCOMPRESSED_MB", default_value_t = ZipLimits::default().max_total_bytes / MIB)]
    pub max_zip_uncompressed_mb: u64,
}

const MIB: u64 = 1024 * 1024;

impl Default for LimitArgs {
    fn default() -> Self {
        Limits::default().into()
    }
}

impl From<Limits> for LimitArgs {
    fn from(l: Limits) -> Self {
        Self {
            max_csv_rows: l.table.max_rows,
            max_csv_columns: l.table.max_columns,
            max_vertices_per_area: l.vertices.max_vertices_per_area,
            max_vertices_total: l.vertices.max_vertices_total,
            max_zip_entries: l.zip.max_entries,
            max_zip_uncompressed_mb: l.zip.max_total_bytes / MIB,
        }
    }
}

impl From<LimitArgs> for Limits {
    fn from(a: LimitArgs) -> Self {
        Self {
            zip: ZipLimits {
                max_entries: a.max_zip_entries,
                max_total_bytes: a.max_zip_uncompressed_mb.saturating_mul(MIB),
            },
            vertices: VertexLimits {
                max_vertices_per_area: a.max_vertices_per_area,
                max_vertices_total: a.max_vertices_total,
            },
            table: TableLimits {
                max_rows: a.max_csv_rows,
                max_columns: a.max_csv_columns,
            },
        }
    }
}

/// Flags of `gapmap serve`.
#[derive(Debug, Args, Clone)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "GAPMAP_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// Do not load the bundled Chicago demo into an empty store.
    #[arg(long, env = "GAPMAP_NO_DEMO")]
    pub no_demo: bool,
    /// Bearer token that authorises writes (uploads).
    #[arg(
        long = "admin-token",
        env = "GAPMAP_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<Secret>,
    /// Accept writes without a token (only for a single-user machine).
    #[arg(long, env = "GAPMAP_ALLOW_ANONYMOUS_WRITES")]
    pub allow_anonymous_writes: bool,
    /// Who may read: `public` (anyone) or `token` (a viewer, editor or admin token).
    #[arg(long, env = "GAPMAP_READS", value_enum, default_value_t = Reads::Public)]
    pub reads: Reads,
    /// Largest accepted upload, in MiB.
    #[arg(long, env = "GAPMAP_MAX_UPLOAD_MB", default_value_t = 256)]
    pub max_upload_mb: u64,
    /// Uploads read and imported at once; more wait their turn. An import takes about
    /// 16 times its file in memory, so this bounds what uploads can take.
    #[arg(long, env = "GAPMAP_MAX_CONCURRENT_UPLOADS", default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..))]
    pub max_concurrent_uploads: u16,
    /// Folder of the web page (HTML, JS, CSS, and node_modules with MapLibre).
    #[arg(long, env = "GAPMAP_WEB_DIR", default_value = "web")]
    pub web_dir: PathBuf,
    /// Folder of the bundled demo data.
    #[arg(long, env = "GAPMAP_DEMO_DIR", default_value = "data/demo")]
    pub demo_dir: PathBuf,
    /// A program's own indicator recipes (the layout of data/indicators.toml), added to
    /// the bundled ones for Census uploads.
    #[arg(long, env = "GAPMAP_INDICATORS")]
    pub indicators: Option<PathBuf>,
    /// A MapLibre style URL for a basemap (none by default: the page works offline).
    #[arg(long, env = "GAPMAP_BASEMAP_STYLE")]
    pub basemap_style: Option<String>,
    /// How often to look for writes made by other replicas, in milliseconds.
    #[arg(long, env = "GAPMAP_REFRESH_MS", default_value_t = 500)]
    pub refresh_ms: u64,
    /// A read (GET) not answered within this many seconds gets 503 instead.
    #[arg(long, env = "GAPMAP_REQUEST_TIMEOUT_SECS", default_value_t = 60)]
    pub request_timeout_secs: u64,
    /// A write (upload, delete, token) not done within this many seconds, upload time
    /// included, gets 503 and leaves the store as it was.
    #[arg(long, env = "GAPMAP_WRITE_TIMEOUT_SECS", default_value_t = 1800)]
    pub write_timeout_secs: u64,
}

/// What an indicators upload holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IndicatorSource {
    /// gapmap's indicator CSV: GEOID, then one column per indicator (and `_moe`).
    #[default]
    Indicators,
    /// Census tables as they come: data.census.gov CSV downloads or Census API JSON.
    Census,
}

/// Who may read the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Reads {
    /// Anyone who can reach the server.
    Public,
    /// Only requests with a viewer (or higher) token.
    Token,
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
        year: i32,
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
        year: i32,
    },
    /// Partners and sites: HSDS zip or folder, GeoJSON points, or the flat CSV.
    Partners {
        /// One or more files (several CSVs of one HSDS package are read together).
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// merge: add and update; replace: the upload becomes the whole directory.
        #[arg(long, value_enum, default_value_t = Mode::Merge)]
        mode: Mode,
        /// HSDS locations offering no service gapmap tracks: refuse the package (naming
        /// them), or skip them (listing them as a warning).
        #[arg(long, value_enum, default_value_t = crate::ingest::Untracked::Refuse)]
        untracked_services: crate::ingest::Untracked,
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

/// `gapmap export …`
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// A year's assessment as CSV (or JSON).
    Assessment {
        /// Assessment year.
        #[arg(long)]
        year: i32,
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

/// How a partner upload meets the stored directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Add new partners and sites, update those with the same id, keep the rest.
    Merge,
    /// The upload replaces the whole directory.
    Replace,
}

/// Output formats of analysis commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Json,
    Geojson,
    Csv,
}

/// `gapmap gaps …`
#[derive(Debug, Args)]
pub struct GapsArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: i32,
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap outreach …`
#[derive(Debug, Args)]
pub struct OutreachArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: i32,
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
    pub from: i32,
    /// The later year.
    #[arg(long)]
    pub to: i32,
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
    pub year: i32,
    /// Need code.
    #[arg(long)]
    pub need: String,
    /// Number of sites to suggest (1 to 100).
    #[arg(long)]
    pub k: usize,
    /// Capacity of each new site in supply units (default: 1 site, or the median capacity).
    #[arg(long)]
    pub capacity: Option<f64>,
    /// Write here instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// `gapmap report …`
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Assessment year.
    #[arg(long)]
    pub year: i32,
    /// Write here instead of standard output (e.g. report.html).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A value that must never reach a log: `Debug` and `Display` print `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    /// The secret itself, for comparison only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().len() < 16 {
            return Err("a token must have at least 16 characters".into());
        }
        Ok(Self(s.trim().to_owned()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Where the store is: SQLite file or PostgreSQL URL. Its `Display` hides any password.
#[derive(Clone, PartialEq, Eq)]
pub struct DbUrl(String);

impl DbUrl {
    /// The URL that sqlx connects to (a bare path becomes a SQLite URL).
    pub fn connect_url(&self) -> String {
        if self.is_postgres() || self.0.starts_with("sqlite:") {
            self.0.clone()
        } else {
            format!("sqlite://{}?mode=rwc", self.0)
        }
    }

    /// True for a PostgreSQL store.
    pub fn is_postgres(&self) -> bool {
        self.0.starts_with("postgres://") || self.0.starts_with("postgresql://")
    }
}

impl std::str::FromStr for DbUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.trim().is_empty() {
            return Err("the store location is empty".into());
        }
        Ok(Self(s.trim().to_owned()))
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // postgres://user:password@host/db -> postgres://user:***@host/db
        match (self.0.find("://"), self.0.rfind('@')) {
            (Some(scheme), Some(at)) if at > scheme => {
                let userinfo = &self.0[scheme + 3..at];
                match userinfo.split_once(':') {
                    Some((user, _)) => {
                        write!(f, "{}{}:***{}", &self.0[..scheme + 3], user, &self.0[at..])
                    }
                    None => f.write_str(&self.0),
                }
            }
            _ => f.write_str(&self.0),
        }
    }
}

impl fmt::Debug for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DbUrl({self})")
    }
}

/// Everything `Application::build` needs.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The store.
    pub db: DbUrl,
    /// Store connection settings.
    pub store: StoreArgs,
    /// Server flags.
    pub serve: ServeArgs,
    /// Limits on imported files.
    pub limits: LimitArgs,
}

impl ServeArgs {
    /// Defaults for tests and embedding: loopback on a free port, no demo, no token.
    pub fn for_tests() -> Self {
        Self {
            bind: "127.0.0.1:0".into(),
            no_demo: true,
            admin_token: None,
            allow_anonymous_writes: false,
            reads: Reads::Public,
            max_upload_mb: 256,
            max_concurrent_uploads: 2,
            web_dir: PathBuf::from("web"),
            demo_dir: PathBuf::from("data/demo"),
            indicators: None,
            basemap_style: None,
            refresh_ms: 200,
            request_timeout_secs: 60,
            write_timeout_secs: 1800,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_hidden_from_display() {
        let u: DbUrl = "postgres://app:s3cret@db:5432/gapmap".parse().unwrap();
        assert_eq!(u.to_string(), "postgres://app:***@db:5432/gapmap");
        assert!(!format!("{u:?}").contains("s3cret"));
        let s: Secret = "abcdefghijklmnopqrstuvwxyz".parse().unwrap();
        assert_eq!(format!("{s:?}"), "[redacted]");
    }

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
        let limits = Limits::from(cli.limits);
        assert_eq!((limits.table.max_rows, limits.table.max_columns), (10, 3));
        assert_eq!(limits.vertices.max_vertices_per_area, 100);
        assert_eq!(limits.vertices.max_vertices_total, 1000);
        assert_eq!(limits.zip.max_entries, 5);
        assert_eq!(limits.zip.max_total_bytes, 2 * 1024 * 1024);
        // Without flags, the importers' own defaults.
        let cli = Cli::parse_from(["gapmap", "serve"]);
        assert_eq!(Limits::from(cli.limits), Limits::default());
        let Command::Serve(serve) = cli.command else {
            panic!("serve")
        };
        assert_eq!(
            (serve.request_timeout_secs, serve.write_timeout_secs),
            (60, 1800)
        );
        assert_eq!(serve.max_concurrent_uploads, 2);
        // No upload could ever be taken with no slot.
        assert!(Cli::try_parse_from(["gapmap", "serve", "--max-concurrent-uploads", "0"]).is_err());
    }

    #[test]
    fn a_bare_path_is_a_sqlite_file() {
        let u: DbUrl = "gapmap.db".parse().unwrap();
        assert_eq!(u.connect_url(), "sqlite://gapmap.db?mode=rwc");
        assert!(!u.is_postgres());
    }
}
