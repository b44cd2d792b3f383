//! The bundled demo: `data/demo/demo.toml` lists the files, which are loaded through the
//! same importers as users' data.

use crate::imports::Mode;
use crate::imports::{ImportReport, Services};
use crate::ingest::InputFile;
use anyhow::Context;
use serde::Deserialize;
use std::path::Path;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    #[serde(default)]
    geographies: Vec<GeographyEntry>,
    #[serde(default)]
    assessments: Vec<AssessmentEntry>,
    #[serde(default)]
    partners: Vec<FileEntry>,
    #[serde(default)]
    stops: Vec<FileEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GeographyEntry {
    name: String,
    file: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AssessmentEntry {
    year: i32,
    geography: String,
    file: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileEntry {
    file: String,
}

/// Loads every file the manifest in `dir` lists; `progress` reports each step.
pub async fn load(
    services: &Services,
    dir: &Path,
    quiet: bool,
) -> anyhow::Result<Vec<ImportReport>> {
    let manifest_path = dir.join("demo.toml");
    let text = std::fs::read_to_string(&manifest_path)
        .with_context(|| format!("cannot read the demo manifest {}", manifest_path.display()))?;
    let manifest: Manifest =
        toml::from_str(&text).with_context(|| format!("{}", manifest_path.display()))?;
    let read = |f: &str| {
        InputFile::read(&dir.join(f))
            .with_context(|| format!("cannot read {}", dir.join(f).display()))
    };
    let mut reports = Vec::new();
    for g in &manifest.geographies {
        reports.push(
            services
                .import_areas("demo", read(&g.file)?, &g.name, None)
                .await?,
        );
    }
    for a in &manifest.assessments {
        reports.push(
            services
                .import_indicators("demo", read(&a.file)?, a.year, &a.geography)
                .await?,
        );
    }
    for p in &manifest.partners {
        reports.push(
            services
                .import_partners(
                    "demo",
                    vec![read(&p.file)?],
                    Mode::Merge,
                    crate::ingest::Untracked::Refuse,
                )
                .await?,
        );
    }
    for s in &manifest.stops {
        let feed = Path::new(&s.file)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned());
        let feed = if feed.as_deref() == Some("stops") {
            "cta".to_owned()
        } else {
            feed.unwrap_or_default()
        };
        reports.push(services.import_stops("demo", read(&s.file)?, &feed).await?);
    }
    if !quiet {
        for r in &reports {
            tracing::info!(kind = r.kind, files = ?r.files, rows = r.rows, "demo data loaded");
        }
    }
    Ok(reports)
}
