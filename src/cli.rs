//! The command line: thin shells over the library, with a progress display on a terminal
//! (indicatif draws nothing when standard error is not one, so pipes stay quiet).

use crate::Application;
use crate::analysis::{self, GapParams};
use crate::atlas::AtlasHandle;
use crate::config::{
    Cli, Command, CompareArgs, ExportCommand, Format, GapsArgs, ImportCommand, IndicatorSource,
    OutreachArgs, ReportArgs, Settings, SitingArgs, TokenCommand,
};
use crate::domain::Catalog;
use crate::domain::HoursFilter;
use crate::imports::{ImportReport, Services};
use crate::ingest::InputFile;
use crate::store::Store;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use std::time::Duration;

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(serve) => {
            let app = Application::build(Settings {
                db: cli.db,
                store: cli.store,
                serve,
                limits: cli.limits,
            })
            .await?;
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Import(cmd) => {
            let services = open(&cli.db, &cli.store, cli.limits).await?;
            let report = import(&services, cmd).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Token(cmd) => {
            let store = Store::connect(&cli.db, &cli.store).await?;
            match cmd {
                TokenCommand::Create { role, label } => {
                    let (info, secret) = store.create_token(role, &label).await?;
                    eprintln!(
                        "token {} ({}) created; it is shown only this once:",
                        info.id,
                        info.role.as_str()
                    );
                    println!("{secret}");
                }
                TokenCommand::List => println!(
                    "{}",
                    serde_json::to_string_pretty(&store.list_tokens().await?)?
                ),
                TokenCommand::Revoke { id } => {
                    store.revoke_token(&id).await?;
                    eprintln!("token {id} revoked");
                }
            }
            Ok(())
        }
        Command::Export(cmd) => {
            let services = open(&cli.db, &cli.store, cli.limits).await?;
            export(&services, cmd).await
        }
        Command::Gaps(args) => {
            let started = std::time::Instant::now();
            let services = open(&cli.db, &cli.store, cli.limits).await?;
            tracing::debug!(
                load_ms = started.elapsed().as_millis(),
                "store read and Atlas built"
            );
            gaps(&services, args).await
        }
        Command::Outreach(args) => {
            let services = open(&cli.db, &cli.store, cli.limits).await?;
            outreach(&services, args).await
        }
        Command::Compare(args) => {
            let services = open(&cli.db, &cli.store, cli.limits).await?;
            compare(&services, args).await
        }
        Command::Siting(args) => {
            let services = open(&cli.db, &cli.store, cli.limits).await?;
            siting(&services, args).await
        }
        Command::Report(args) => {
            let services = open(&cli.db, &cli.store, cli.limits).await?;
            report(&services, args).await
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

/// Writes to a file, or to standard output when none is given.
pub fn write_out(out: Option<&std::path::Path>, text: &str) -> anyhow::Result<()> {
    match out {
        Some(path) => std::fs::write(path, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display())),
        None => {
            use std::io::Write;
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(())
        }
    }
}

async fn export(services: &Services, cmd: ExportCommand) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    match cmd {
        ExportCommand::Assessment {
            year,
            version,
            format,
            out,
        } => {
            let a = services
                .store
                .assessment(year, version)
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "there is no assessment for {year}{}",
                        version.map(|v| format!(" version {v}")).unwrap_or_default()
                    )
                })?;
            let text = match format {
                Format::Csv => crate::export::assessment_csv(&a),
                Format::Json => serde_json::to_string_pretty(&crate::export::assessment_json(&a))?,
                Format::Geojson => anyhow::bail!("an assessment exports as csv or json"),
            };
            write_out(out.as_deref(), &text)
        }
        ExportCommand::Areas { geography, out } => {
            let g = atlas
                .geographies
                .get(&geography)
                .ok_or_else(|| anyhow::anyhow!("there is no geography '{geography}'"))?;
            write_out(out.as_deref(), &crate::export::areas_geojson(g).to_string())
        }
        ExportCommand::Partners { format, out } => {
            let text = match format {
                Format::Csv => crate::export::sites_flat_csv(&atlas),
                Format::Geojson => {
                    crate::export::sites_geojson(&atlas, atlas.sites.iter()).to_string()
                }
                Format::Json => anyhow::bail!("partners export as csv or geojson"),
            };
            write_out(out.as_deref(), &text)
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

/// Runs CPU-bound work off the async runtime behind a spinner.
async fn crunch<T: Send + 'static>(
    what: String,
    work: impl FnOnce() -> crate::error::Result<T> + Send + 'static,
) -> anyhow::Result<T> {
    let bar = spinner(what);
    let done = tokio::task::spawn_blocking(work).await;
    bar.finish_and_clear();
    Ok(done??)
}

/// `gapmap outreach`: the ranked areas, CSV by default.
async fn outreach(services: &Services, args: OutreachArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let params = analysis::OutreachParams {
        target: args.target,
        enrolled: args.enrolled,
        limit: args.limit,
        need: args.need,
    };
    let (year, format) = (args.year, args.format);
    let text = crunch(format!("ranking outreach areas in {year}"), move || {
        let report = analysis::outreach(&atlas, year, &params)?;
        Ok(match format {
            Format::Csv => analysis::outreach::to_csv(&report),
            Format::Json => {
                serde_json::to_string_pretty(&report).map_err(crate::error::Error::internal)?
            }
            Format::Geojson => analysis::outreach::to_geojson(&report, &atlas).to_string(),
        })
    })
    .await?;
    write_out(args.out.as_deref(), &text)
}

/// `gapmap compare`: JSON by default.
async fn compare(services: &Services, args: CompareArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let (need, from, to, format) = (args.need, args.from, args.to, args.format);
    let text = crunch(format!("comparing {need} in {from} and {to}"), move || {
        let report = analysis::compare(&atlas, &need, from, to)?;
        Ok(match format {
            Format::Json => {
                serde_json::to_string_pretty(&report).map_err(crate::error::Error::internal)?
            }
            Format::Csv => analysis::compare::to_csv(&report),
            Format::Geojson => analysis::compare::to_geojson(&report, &atlas).to_string(),
        })
    })
    .await?;
    write_out(args.out.as_deref(), &text)
}

/// `gapmap siting`: JSON.
async fn siting(services: &Services, args: SitingArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let (year, need) = (args.year, args.need);
    let params = analysis::SitingParams {
        k: args.k,
        capacity: args.capacity,
    };
    let text = crunch(format!("siting {} new {need} sites", params.k), move || {
        let report = analysis::siting(&atlas, year, &need, &params)?;
        serde_json::to_string_pretty(&report).map_err(crate::error::Error::internal)
    })
    .await?;
    write_out(args.out.as_deref(), &text)
}

/// `gapmap report`: the HTML report.
async fn report(services: &Services, args: ReportArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let provenance = services.store.provenance().await?;
    let year = args.year;
    let html = crunch(format!("writing the {year} report"), move || {
        crate::report::render(&atlas, year, &provenance)
    })
    .await?;
    write_out(args.out.as_deref(), &html)
}

/// Opens the store and builds the Atlas, without a server.
pub async fn open(
    db: &crate::config::DbUrl,
    args: &crate::config::StoreArgs,
    limits: crate::config::LimitArgs,
) -> anyhow::Result<Services> {
    let store = Store::connect(db, args).await?;
    let catalog = Arc::new(Catalog::bundled());
    let atlas = Arc::new(AtlasHandle::load(&store, catalog.clone()).await?);
    Ok(Services {
        store,
        atlas,
        catalog,
        indicators: Arc::new(crate::domain::IndicatorCatalog::bundled()),
        limits: limits.into(),
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
    // The command line has the store's own access: record who ran it.
    let actor = format!(
        "cli:{}",
        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
    );
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
                Box::pin(
                    async move { services.import_areas(&actor, f, &geography, id_field).await },
                ),
            )
        }
        ImportCommand::Indicators {
            files,
            year,
            geography,
            source,
            indicators,
        } => {
            let fs = files
                .iter()
                .map(|p| read(p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let what = format!("importing the {year} assessment from {} file(s)", fs.len());
            match source {
                IndicatorSource::Indicators => {
                    let [f]: [InputFile; 1] = fs.try_into().map_err(|_| {
                        anyhow::anyhow!(
                            "an indicator CSV is one file; several files are Census tables (--source census)"
                        )
                    })?;
                    (
                        what,
                        Box::pin(async move {
                            services
                                .import_indicators(&actor, f, year, &geography)
                                .await
                        }),
                    )
                }
                IndicatorSource::Census => {
                    let mut with_own = services.clone();
                    with_own.indicators = Arc::new(crate::load_indicators(indicators.as_deref())?);
                    (
                        what,
                        Box::pin(async move {
                            with_own.import_census(&actor, fs, year, &geography).await
                        }),
                    )
                }
            }
        }
        ImportCommand::Records { file, year } => {
            let f = read(&file)?;
            (
                format!(
                    "importing the {year} program records from {}",
                    file.display()
                ),
                Box::pin(async move { services.import_records(&actor, f, year).await }),
            )
        }
        ImportCommand::Partners {
            files,
            mode,
            untracked_services,
        } => {
            let fs = files
                .iter()
                .map(|p| read(p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            (
                format!("importing partners from {} file(s)", fs.len()),
                Box::pin(async move {
                    services
                        .import_partners(&actor, fs, mode, untracked_services)
                        .await
                }),
            )
        }
        ImportCommand::Stops { file, feed } => {
            let f = read(&file)?;
            (
                format!("importing transit stops from {}", file.display()),
                Box::pin(async move { services.import_stops(&actor, f, &feed).await }),
            )
        }
    };
    let bar = spinner(what);
    let result = fut.await;
    bar.finish_and_clear();
    Ok(result?)
}
