//! What each fuzz target does with its input. The same functions replay the kept
//! crashing inputs in `tests/api/fuzz_regressions.rs` (which includes this file), so a
//! regression runs in the ordinary test suite without libFuzzer.
//!
//! The importers must return `Ok` or a refusal, never panic; memory is bounded by the
//! limits below and by libFuzzer's `-malloc_limit_mb` (see fuzz/README.md).

use gapmap::domain::{Catalog, Geoid};
use gapmap::ingest::{
    self, InputFile, Limits, TableLimits, Untracked, VertexLimits, ZipLimits,
    areas_geojson::AreaOptions,
};
use std::io::Write;
use std::sync::OnceLock;

/// Separates the parts of a structured input (shapefile parts, HSDS tables).
pub const SEPARATOR: &[u8] = b"\n#--8<--#\n";

/// Small limits, so that the fuzzer meets them instead of chasing huge allocations.
pub fn limits() -> Limits {
    Limits {
        zip: ZipLimits {
            max_entries: 64,
            max_total_bytes: 16 * 1024 * 1024,
        },
        vertices: VertexLimits {
            max_vertices_per_area: 10_000,
            max_vertices_total: 100_000,
        },
        table: TableLimits {
            max_rows: 10_000,
            max_columns: 200,
        },
    }
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::bundled)
}

fn geoids() -> &'static [Geoid] {
    static GEOIDS: OnceLock<Vec<Geoid>> = OnceLock::new();
    GEOIDS.get_or_init(|| {
        ["17031010100", "17031010201", "01001020100", "170310101001"]
            .iter()
            .filter_map(|g| Geoid::parse(g).ok())
            .collect()
    })
}

/// CSV: the same bytes as a partner CSV (flat or a lone HSDS table), an indicator CSV
/// and a GTFS stops.txt. Each function returns how many readers accepted the input.
pub fn csv(data: &[u8]) -> usize {
    let l = limits();
    [
        ingest::read_partners(
            &[InputFile::new("partners.csv", data)],
            catalog(),
            &l,
            Untracked::Refuse,
        )
        .is_ok(),
        ingest::indicators::read(
            &InputFile::new("indicators.csv", data),
            "tracts",
            geoids(),
            &l.table,
        )
        .is_ok(),
        ingest::gtfs::read(&InputFile::new("stops.txt", data), "feed", &l.table).is_ok(),
    ]
    .into_iter()
    .filter(|ok| *ok)
    .count()
}

/// GeoJSON: the same bytes as areas and as partner sites.
pub fn geojson(data: &[u8]) -> usize {
    let l = limits();
    let opts = AreaOptions {
        id_field: None,
        limits: l,
    };
    let areas = ingest::read_areas(&InputFile::new("areas.geojson", data), "tracts", &opts);
    let sites = ingest::read_partners(
        &[InputFile::new("sites.geojson", data)],
        catalog(),
        &l,
        Untracked::Refuse,
    );
    usize::from(areas.is_ok()) + usize::from(sites.is_ok())
}

/// Zipped shapefiles. The first byte chooses: odd, the rest is the zip itself; even, the
/// rest is .shp, .shx, .dbf and .prj parts split by [`SEPARATOR`], zipped here, so the
/// fuzzer works on the shapefile formats rather than on the zip container.
pub fn shapefile(data: &[u8]) -> usize {
    let Some((&mode, rest)) = data.split_first() else {
        return 0;
    };
    let zip = if mode % 2 == 1 {
        rest.to_vec()
    } else {
        let names = ["t/t.shp", "t/t.shx", "t/t.dbf", "t/t.prj", "t/t.cpg"];
        zipped(names.iter().copied().zip(split(rest)))
    };
    let opts = AreaOptions {
        id_field: None,
        limits: limits(),
    };
    usize::from(ingest::read_areas(&InputFile::new("tracts.zip", zip), "tracts", &opts).is_ok())
}

/// HSDS packages: the tables below in this order, split by [`SEPARATOR`]. The first byte
/// chooses: odd, the tables are uploaded as separate CSV files; even, zipped together.
pub fn hsds(data: &[u8]) -> usize {
    const TABLES: [&str; 10] = [
        "organizations.csv",
        "services.csv",
        "locations.csv",
        "service_at_location.csv",
        "schedules.csv",
        "languages.csv",
        "service_capacity.csv",
        "taxonomy_terms.csv",
        "attributes.csv",
        "addresses.csv",
    ];
    let Some((&mode, rest)) = data.split_first() else {
        return 0;
    };
    let parts: Vec<(&str, &[u8])> = TABLES.iter().copied().zip(split(rest)).collect();
    let files: Vec<InputFile> = if mode % 2 == 1 {
        parts
            .iter()
            .map(|(name, bytes)| InputFile::new(*name, *bytes))
            .collect()
    } else {
        vec![InputFile::new("package.zip", zipped(parts.into_iter()))]
    };
    // Every other byte of the mode also tries skipping untracked locations.
    let untracked = if mode & 2 == 2 {
        Untracked::Skip
    } else {
        Untracked::Refuse
    };
    usize::from(ingest::read_partners(&files, catalog(), &limits(), untracked).is_ok())
}

/// The parts of a structured input.
pub fn split(data: &[u8]) -> Vec<&[u8]> {
    let mut parts = Vec::new();
    let mut rest = data;
    while let Some(at) = rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
        parts.push(&rest[..at]);
        rest = &rest[at + SEPARATOR.len()..];
    }
    parts.push(rest);
    parts
}

/// A zip (stored, not compressed) of named parts.
pub fn zipped<'a>(parts: impl Iterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in parts {
        if out.start_file(name, options).is_err() || out.write_all(bytes).is_err() {
            break;
        }
    }
    out.finish().map(|c| c.into_inner()).unwrap_or_default()
}
