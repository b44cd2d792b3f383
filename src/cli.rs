//! The command line: thin shells over the library, with a progress display on a terminal
//! (indicatif draws nothing when standard error is not one, so pipes stay quiet).

use crate::Application;
use crate::analysis::{self, GapParams};
use crate::atlas::AtlasHandle;
use crate::config::{Cli, Command, Format, GapsArgs, ImportCommand, Settings};
use crate::domain::Catalog;
use crate::domain::HoursFilter;
use crate::imports::{ImportReport, Services};
use crate::ingest::{InputFile, areas_geojson::AreaOptions};
use crate::store::Store;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use std::time::Duration;

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(serve) => {
            let app = Application::build(Settings { db: cli.db, serve }).await?;
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Import(cmd) => {
            let services = open(&cli.db).await?;
            let report = import(&services, cmd).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Gaps(args) => {
            let started = std::time::Instant::now();
            let services = open(&cli.db).await?;
            tracing::debug!(
                load_ms = started.elapsed().as_millis(),
                "store read and Atlas built"
            );
            gaps(&services, args).await
        }
        Command::BenchData { out, areas, sites } => {
            let problem = crate::synthetic::National::generate(areas, sites, 2020);
            problem
                .write_files(&out)
                .map_err(|e| anyhow::anyhow!("cannot write into {}: {e}", out.display()))?;
            println!(
                "wrote {} areas and {} sites into {}",
                areas,
                sites,
                out.display()
            );
            Ok(())
        }
    }
}

/// `gapmap gaps`: the analysis in the requested format, to a file or standard output.
async fn gaps(services: &Services, args: GapsArgs) -> anyhow::Result<()> {
    let hours = args
        .hours
        .as_deref()
        .map(|h| {
            HoursFilter::parse(h)
                .ok_or_else(|| anyhow::anyhow!("--hours '{h}' is not evening or weekend"))
        })
        .transpose()?;
    let params = GapParams {
        radius_km: args.radius_km,
        language: args.language,
        hours,
    };
    let atlas = services.atlas.get();
    let bar = spinner(format!("analysing {} in {}", args.need, args.year));
    let (year, need, format) = (args.year, args.need, args.format);
    let rendered = tokio::task::spawn_blocking(move || -> crate::error::Result<Vec<u8>> {
        let started = std::time::Instant::now();
        let report = analysis::compute_gaps(&atlas, year, &need, &params)?;
        // GAPMAP_LOG=gapmap=debug shows where the time goes (BENCHMARKS.md).
        tracing::debug!(
            analysis_ms = started.elapsed().as_millis(),
            areas = report.summary.areas,
            deserts = report.summary.deserts,
            "gap analysis done"
        );
        Ok(match format {
            Format::Csv => analysis::to_csv(&report).into_bytes(),
            Format::Json => {
                serde_json::to_vec_pretty(&report).map_err(crate::error::Error::internal)?
            }
            Format::Geojson => serde_json::to_vec(&analysis::to_geojson(&report, &atlas))
                .map_err(crate::error::Error::internal)?,
        })
    })
    .await;
    bar.finish_and_clear();
    let bytes = rendered??;
    match &args.out {
        Some(path) => std::fs::write(path, &bytes)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(())
}

/// Opens the store and builds the Atlas, without a server.
pub async fn open(db: &crate::config::DbUrl) -> anyhow::Result<Services> {
    let store = Store::connect(db).await?;
    let catalog = Arc::new(Catalog::bundled());
    let atlas = Arc::new(AtlasHandle::load(&store, catalog.clone()).await?);
    Ok(Services {
        store,
        atlas,
        catalog,
    })
}

fn spinner(message: String) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar.set_message(message);
    bar
}

async fn import(services: &Services, cmd: ImportCommand) -> anyhow::Result<ImportReport> {
    let read = |p: &std::path::Path| {
        InputFile::read(p).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))
    };
    let (what, fut): (
        String,
        std::pin::Pin<
            Box<dyn std::future::Future<Output = crate::error::Result<ImportReport>> + '_>,
        >,
    ) = match cmd {
        ImportCommand::Areas {
            file,
            geography,
            id_field,
        } => {
            let f = read(&file)?;
            (
                format!("importing areas from {} into '{geography}'", file.display()),
                Box::pin(async move {
                    services
                        .import_areas(
                            f,
                            &geography,
                            AreaOptions {
                                id_field,
                                ..Default::default()
                            },
                        )
                        .await
                }),
            )
        }
        ImportCommand::Indicators {
            file,
            year,
            geography,
        } => {
            let f = read(&file)?;
            (
                format!("importing the {year} assessment from {}", file.display()),
                Box::pin(async move { services.import_indicators(f, year, &geography).await }),
            )
        }
        ImportCommand::Partners { files, mode } => {
            let fs = files
                .iter()
                .map(|p| read(p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            (
                format!("importing partners from {} file(s)", fs.len()),
                Box::pin(async move { services.import_partners(fs, mode).await }),
            )
        }
        ImportCommand::Stops { file, feed } => {
            let f = read(&file)?;
            (
                format!("importing transit stops from {}", file.display()),
                Box::pin(async move { services.import_stops(f, &feed).await }),
            )
        }
    };
    let bar = spinner(what);
    let result = fut.await;
    bar.finish_and_clear();
    Ok(result?)
}
