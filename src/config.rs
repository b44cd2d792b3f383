//! The settings of a running gapmap, in layers: built-in defaults, then an optional TOML
//! file (`--config FILE` or `GAPMAP_CONFIG`), then `GAPMAP_*` environment variables, then
//! command-line flags. Each layer is a [`SettingsLayer`] whose every field is optional;
//! clap fills one from the environment and the flags (its `env =` does that part), serde
//! fills one from the file, and [`Settings::layered`] lays them over the defaults.
//!
//! The defaults live only in the `Default` impls below, so `--help`, the README and the
//! code cannot disagree about them.

use crate::domain::Secret;
use crate::ingest::Limits;
#[cfg(test)]
use crate::ingest::TableLimits;
use crate::store::{DbUrl, StoreOptions};
use clap::{Args, ValueEnum};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Everything `Application::build` and the commands need.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Where the store is and how to connect.
    pub store: StoreOptions,
    /// What one uploaded or imported file may hold.
    pub limits: Limits,
    /// The server.
    pub serve: ServeSettings,
}

/// Who may read the data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Reads {
    /// Anyone who can reach the server.
    #[default]
    Public,
    /// Only requests with a viewer (or higher) token.
    Token,
}

/// Above this many areas the map page draws a geography from vector tiles: a state's
/// tracts (Texas: 6,896) still come as one GeoJSON document, which draws faster than tiles
/// at that size; its block groups (18,638) too; a national geography does not.
pub const DEFAULT_TILE_THRESHOLD: usize = 20_000;

/// Settings of `gapmap serve`.
#[derive(Clone, Debug, PartialEq)]
pub struct ServeSettings {
    /// Address and port to listen on.
    pub bind: String,
    /// Do not load the bundled demo into an empty store.
    pub no_demo: bool,
    /// The bootstrap admin token.
    pub admin_token: Option<Secret>,
    /// Accept writes without a token.
    pub allow_anonymous_writes: bool,
    /// Who may read.
    pub reads: Reads,
    /// Largest accepted upload, in MiB.
    pub max_upload_mb: u64,
    /// Uploads read and imported at once.
    pub max_concurrent_uploads: u16,
    /// Folder of the web page.
    pub web_dir: PathBuf,
    /// Folder of the bundled demo data.
    pub demo_dir: PathBuf,
    /// A program's own indicator recipes, added to the bundled ones.
    pub indicators: Option<PathBuf>,
    /// A program's own needs (`[[needs]]` as in data/needs.toml) that seed an empty store
    /// instead of the bundled ones.
    pub needs: Option<PathBuf>,
    /// A MapLibre style URL for a basemap.
    pub basemap_style: Option<String>,
    /// Geographies with more areas than this are drawn from vector tiles.
    pub tile_threshold: usize,
    /// How often to look for writes of other replicas, in milliseconds.
    pub refresh_ms: u64,
    /// Seconds a read may take.
    pub request_timeout_secs: u64,
    /// Seconds a write may take, upload included.
    pub write_timeout_secs: u64,
}

impl Default for ServeSettings {
    fn default() -> Self {
        Self {
            bind: "127.0.0.1:8080".into(),
            no_demo: false,
            admin_token: None,
            allow_anonymous_writes: false,
            reads: Reads::Public,
            max_upload_mb: 256,
            max_concurrent_uploads: 2,
            web_dir: PathBuf::from("web"),
            demo_dir: PathBuf::from("data/demo"),
            indicators: None,
            needs: None,
            basemap_style: None,
            tile_threshold: DEFAULT_TILE_THRESHOLD,
            refresh_ms: 500,
            request_timeout_secs: 60,
            write_timeout_secs: 1800,
        }
    }
}

/// One layer of settings: each field given (`Some`) replaces the layer below. The same
/// type is read from the config file (sections `[store]`, `[limits]`, `[serve]`, with the
/// flags' names in snake_case) and from the environment and flags.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsLayer {
    /// `[store]`
    #[serde(default)]
    pub store: StoreLayer,
    /// `[limits]`
    #[serde(default)]
    pub limits: LimitsLayer,
    /// `[serve]`
    #[serde(default)]
    pub serve: ServeLayer,
}

/// How gapmap reaches its store.
#[derive(Clone, Debug, Default, PartialEq, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreLayer {
    /// The store: a SQLite file path (created if missing) or a postgres:// URL [default: gapmap.db].
    #[arg(long, global = true, env = "GAPMAP_DB")]
    pub db: Option<DbUrl>,
    /// Connections in the pool (PostgreSQL; SQLite uses at most 4) [default: 10].
    #[arg(long, global = true, env = "GAPMAP_DB_POOL_SIZE")]
    pub db_pool_size: Option<u32>,
    /// A statement running longer than this many seconds is cancelled (PostgreSQL); 0 = no limit [default: 300].
    #[arg(long, global = true, env = "GAPMAP_DB_STATEMENT_TIMEOUT")]
    pub db_statement_timeout: Option<u64>,
}

/// Limits on one imported file, for `serve` and `import` alike. A file beyond one is
/// refused whole with a message naming the limit and its flag.
#[derive(Clone, Debug, Default, PartialEq, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsLayer {
    /// Data rows one CSV may hold [default: 2000000].
    #[arg(long, global = true, env = "GAPMAP_MAX_CSV_ROWS")]
    pub max_csv_rows: Option<usize>,
    /// Columns one CSV may hold [default: 2000].
    #[arg(long, global = true, env = "GAPMAP_MAX_CSV_COLUMNS")]
    pub max_csv_columns: Option<usize>,
    /// Vertices one area's geometry may hold [default: 1000000].
    #[arg(long, global = true, env = "GAPMAP_MAX_VERTICES_PER_AREA")]
    pub max_vertices_per_area: Option<usize>,
    /// Vertices one areas file may hold in total [default: 50000000].
    #[arg(long, global = true, env = "GAPMAP_MAX_VERTICES_TOTAL")]
    pub max_vertices_total: Option<usize>,
    /// Entries one zip may list [default: 1000].
    #[arg(long, global = true, env = "GAPMAP_MAX_ZIP_ENTRIES")]
    pub max_zip_entries: Option<usize>,
    /// MiB one zip may expand to once inflated [default: 2048].
    #[arg(long, global = true, env = "GAPMAP_MAX_ZIP_UNCOMPRESSED_MB")]
    pub max_zip_uncompressed_mb: Option<u64>,
}

/// Flags of `gapmap serve`.
#[derive(Clone, Debug, Default, PartialEq, Args, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeLayer {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "GAPMAP_BIND")]
    pub bind: Option<String>,
    /// Do not load the bundled Chicago demo into an empty store.
    #[arg(long, env = "GAPMAP_NO_DEMO", num_args = 0..=1, default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub no_demo: Option<bool>,
    /// Bearer token that authorises writes (the bootstrap admin; at least 16 characters).
    #[arg(
        long = "admin-token",
        env = "GAPMAP_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub admin_token: Option<Secret>,
    /// Accept writes without a token (only for a single-user machine).
    #[arg(long, env = "GAPMAP_ALLOW_ANONYMOUS_WRITES", num_args = 0..=1, default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub allow_anonymous_writes: Option<bool>,
    /// Who may read: `public` (anyone) or `token` (a viewer, editor or admin token) [default: public].
    #[arg(long, env = "GAPMAP_READS", value_enum)]
    pub reads: Option<Reads>,
    /// Largest accepted upload, in MiB [default: 256].
    #[arg(long, env = "GAPMAP_MAX_UPLOAD_MB")]
    pub max_upload_mb: Option<u64>,
    /// Uploads read and imported at once; more wait their turn. An import takes about
    /// 16 times its file in memory, so this bounds what uploads can take [default: 2].
    #[arg(long, env = "GAPMAP_MAX_CONCURRENT_UPLOADS", value_parser = clap::value_parser!(u16).range(1..))]
    pub max_concurrent_uploads: Option<u16>,
    /// Folder of the web page (HTML, JS, CSS, and node_modules with MapLibre) [default: web].
    #[arg(long, env = "GAPMAP_WEB_DIR")]
    pub web_dir: Option<PathBuf>,
    /// Folder of the bundled demo data [default: data/demo].
    #[arg(long, env = "GAPMAP_DEMO_DIR")]
    pub demo_dir: Option<PathBuf>,
    /// A program's own indicator recipes (the layout of data/indicators.toml), added to
    /// the bundled ones for Census uploads.
    #[arg(long, env = "GAPMAP_INDICATORS")]
    pub indicators: Option<PathBuf>,
    /// A program's own needs (`[[needs]]` entries in the layout of data/needs.toml) that
    /// seed a store holding none, instead of the bundled ones. A store that already holds
    /// needs keeps them and the file is ignored, with a warning [default: the bundled
    /// data/needs.toml].
    #[arg(long, env = "GAPMAP_NEEDS")]
    pub needs: Option<PathBuf>,
    /// A MapLibre style URL for a basemap (none by default: the page works offline).
    #[arg(long, env = "GAPMAP_BASEMAP_STYLE")]
    pub basemap_style: Option<String>,
    /// The map page draws a geography with more areas than this from vector tiles
    /// (`/tiles/…`) instead of one GeoJSON document [default: 20000].
    #[arg(long, env = "GAPMAP_TILE_THRESHOLD")]
    pub tile_threshold: Option<usize>,
    /// How often to look for writes made by other replicas, in milliseconds [default: 500].
    #[arg(long, env = "GAPMAP_REFRESH_MS")]
    pub refresh_ms: Option<u64>,
    /// A read (GET) not answered within this many seconds gets 503 instead [default: 60].
    #[arg(long, env = "GAPMAP_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// A write (upload, delete, token) not done within this many seconds, upload time
    /// included, gets 503 and leaves the store as it was [default: 1800].
    #[arg(long, env = "GAPMAP_WRITE_TIMEOUT_SECS")]
    pub write_timeout_secs: Option<u64>,
}

const MIB: u64 = 1024 * 1024;

/// Replaces `base` with the layer's value when it has one.
fn lay<T>(base: &mut T, value: Option<T>) {
    if let Some(v) = value {
        *base = v;
    }
}

impl SettingsLayer {
    /// Reads a config file. Unknown keys are refused, naming them, so a misspelt setting
    /// is not silently ignored.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read the config file {}: {e}", path.display()))?;
        toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("the config file {} is not valid: {e}", path.display()))
    }
}

impl Settings {
    /// The defaults with each layer laid over them in order (later layers win).
    pub fn layered(layers: &[SettingsLayer]) -> Self {
        let mut s = Self::default();
        for layer in layers {
            s.apply(layer.clone());
        }
        s
    }

    fn apply(&mut self, layer: SettingsLayer) {
        let SettingsLayer {
            store,
            limits,
            serve,
        } = layer;
        lay(&mut self.store.url, store.db);
        lay(&mut self.store.pool_size, store.db_pool_size);
        lay(
            &mut self.store.statement_timeout_secs,
            store.db_statement_timeout,
        );

        let l = &mut self.limits;
        lay(&mut l.table.max_rows, limits.max_csv_rows);
        lay(&mut l.table.max_columns, limits.max_csv_columns);
        lay(
            &mut l.vertices.max_vertices_per_area,
            limits.max_vertices_per_area,
        );
        lay(
            &mut l.vertices.max_vertices_total,
            limits.max_vertices_total,
        );
        lay(&mut l.zip.max_entries, limits.max_zip_entries);
        lay(
            &mut l.zip.max_total_bytes,
            limits
                .max_zip_uncompressed_mb
                .map(|mb| mb.saturating_mul(MIB)),
        );

        let s = &mut self.serve;
        lay(&mut s.bind, serve.bind);
        lay(&mut s.no_demo, serve.no_demo);
        if serve.admin_token.is_some() {
            s.admin_token = serve.admin_token;
        }
        lay(&mut s.allow_anonymous_writes, serve.allow_anonymous_writes);
        lay(&mut s.reads, serve.reads);
        lay(&mut s.max_upload_mb, serve.max_upload_mb);
        lay(&mut s.max_concurrent_uploads, serve.max_concurrent_uploads);
        lay(&mut s.web_dir, serve.web_dir);
        lay(&mut s.demo_dir, serve.demo_dir);
        if serve.indicators.is_some() {
            s.indicators = serve.indicators;
        }
        if serve.needs.is_some() {
            s.needs = serve.needs;
        }
        if serve.basemap_style.is_some() {
            s.basemap_style = serve.basemap_style;
        }
        lay(&mut s.tile_threshold, serve.tile_threshold);
        lay(&mut s.refresh_ms, serve.refresh_ms);
        lay(&mut s.request_timeout_secs, serve.request_timeout_secs);
        lay(&mut s.write_timeout_secs, serve.write_timeout_secs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_layers_win_and_absent_fields_keep_what_is_below() {
        let file: SettingsLayer = toml::from_str(
            "[serve]\nbind = \"0.0.0.0:9000\"\nmax_upload_mb = 64\n[limits]\nmax_csv_rows = 10\n",
        )
        .unwrap();
        let flags = SettingsLayer {
            serve: ServeLayer {
                max_upload_mb: Some(32),
                ..Default::default()
            },
            ..Default::default()
        };
        let s = Settings::layered(&[file, flags]);
        assert_eq!(s.serve.bind, "0.0.0.0:9000");
        assert_eq!(s.serve.max_upload_mb, 32);
        assert_eq!(s.limits.table.max_rows, 10);
        assert_eq!(
            s.limits.table.max_columns,
            TableLimits::default().max_columns
        );
        assert_eq!(s.serve.write_timeout_secs, 1800);
    }

    #[test]
    fn an_unknown_key_in_the_file_is_refused_by_name() {
        let err = toml::from_str::<SettingsLayer>("[serve]\nbnd = \"x\"\n").unwrap_err();
        assert!(err.to_string().contains("bnd"), "{err}");
        let err = toml::from_str::<SettingsLayer>("[server]\n").unwrap_err();
        assert!(err.to_string().contains("server"), "{err}");
    }

    #[test]
    fn a_short_token_in_the_file_is_refused() {
        assert!(toml::from_str::<SettingsLayer>("[serve]\nadmin_token = \"short\"\n").is_err());
    }
}
