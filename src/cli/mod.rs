//! The command line: thin shells over the library, with a progress display on a terminal
//! (indicatif draws nothing when standard error is not one, so pipes stay quiet).

mod args;

pub use args::{
    BarriersArgs, Cli, Command, CompareArgs, EditCommand, ExportCommand, GapsArgs, ImportCommand,
    NeedsCommand, OpportunitiesArgs, OutreachArgs, ReportArgs, SearchArgs, SitingArgs, TileArgs,
    TokenCommand, VehicleAccessArgs,
};

use crate::Application;
use crate::analysis::{self, Cached, GapParams, RuleChoice};
use crate::atlas::AtlasHandle;
use crate::config::Settings;
use crate::domain::Catalog;
use crate::domain::HoursFilter;
use crate::imports::{ImportReport, IndicatorSource, Services};
use crate::ingest::InputFile;
use crate::output::{self, Document, Format, Layout, Rendered};
use crate::store::Store;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use std::time::Duration;

/// Runs one command.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let settings = cli.settings()?;
    match cli.command {
        Command::Serve(_) => {
            let app = Application::build(settings).await?;
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Import(cmd) => {
            // An import only writes: it checks the upload against the store and builds no
            // Atlas (a server on the same store picks the change up by itself).
            let services = open_for_writes(&settings).await?;
            let report = import(&services, cmd).await?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Token(cmd) => {
            let store = Store::connect(&settings.store).await?;
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
        Command::Edit(cmd) => {
            let services = open(&settings).await?;
            let actor = format!(
                "cli:{}",
                std::env::var("USER").unwrap_or_else(|_| "unknown".into())
            );
            let report = match cmd {
                EditCommand::Partner { id, json } => {
                    services.edit_partner(&actor, &id, json.as_bytes()).await?
                }
                EditCommand::Site { id, json } => {
                    services.edit_site(&actor, &id, json.as_bytes()).await?
                }
            };
            println!("{}", serde_json::to_string_pretty(&report)?);
            Ok(())
        }
        Command::Needs(cmd) => {
            let services = open(&settings).await?;
            match cmd {
                NeedsCommand::List => {
                    let atlas = services.atlas.get();
                    let list = serde_json::json!({
                        "data_version": atlas.data_version,
                        "needs": atlas.catalog.needs(),
                    });
                    println!("{}", serde_json::to_string_pretty(&list)?);
                }
                NeedsCommand::Put { code, json } => {
                    let body = match json.strip_prefix('@') {
                        Some(path) => std::fs::read(path)
                            .map_err(|e| anyhow::anyhow!("cannot read {path}: {e}"))?,
                        None => json.into_bytes(),
                    };
                    let actor = format!(
                        "cli:{}",
                        std::env::var("USER").unwrap_or_else(|_| "unknown".into())
                    );
                    let report = services.put_need(&actor, &code, &body).await?;
                    println!("{}", serde_json::to_string_pretty(&report)?);
                }
            }
            Ok(())
        }
        Command::History { partner } => {
            let store = Store::connect(&settings.store).await?;
            let history = store
                .partner_history(&partner)
                .await?
                .ok_or_else(|| anyhow::anyhow!("there is no partner '{partner}'"))?;
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &serde_json::json!({"partner_id": partner, "history": history})
                )?
            );
            Ok(())
        }
        Command::Export(cmd) => export(&open(&settings).await?, cmd).await,
        Command::Gaps(args) => {
            let started = std::time::Instant::now();
            let services = open(&settings).await?;
            tracing::debug!(
                load_ms = started.elapsed().as_millis(),
                "store read and Atlas built"
            );
            gaps(&services, args).await
        }
        Command::Outreach(args) => outreach(&open(&settings).await?, args).await,
        Command::Compare(args) => compare(&open(&settings).await?, args).await,
        Command::Siting(args) => siting(&open(&settings).await?, args).await,
        Command::Opportunities(args) => opportunities(&open(&settings).await?, args).await,
        Command::VehicleAccess(args) => vehicle_access(&open(&settings).await?, args).await,
        Command::Barriers(args) => barriers(&open(&settings).await?, args).await,
        Command::Search(args) => search(&open(&settings).await?, args).await,
        Command::Report(args) => report(&open(&settings).await?, args).await,
        Command::Tile(args) => tile(&open(&settings).await?, args).await,
        Command::Openapi => {
            println!("{}", crate::api::openapi::DOCUMENT.as_str());
            Ok(())
        }
        #[cfg(feature = "bench")]
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
        #[cfg(feature = "bench")]
        Command::BenchMatrix {
            out,
            areas,
            sites,
            pairs,
            minutes,
        } => {
            let state = crate::synthetic::StateMatrix::generate(areas, sites, 2020);
            let cannot =
                |e: std::io::Error| anyhow::anyhow!("cannot write into {}: {e}", out.display());
            state.problem.write_files(&out).map_err(cannot)?;
            let w = state.write_matrix(&out, pairs, minutes).map_err(cannot)?;
            println!(
                "wrote {areas} areas, {sites} sites and a drive matrix of {} pairs within {minutes} min (modelled times scaled by {:.3}) into {}",
                w.pairs,
                w.scale,
                out.display()
            );
            Ok(())
        }
    }
}

/// Writes a rendering to a file, or to standard output when none is given.
pub fn write_out(out: Option<&std::path::Path>, rendered: &Rendered) -> anyhow::Result<()> {
    match out {
        Some(path) => std::fs::write(path, &rendered.body)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display())),
        None => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&rendered.body)?;
            stdout.flush()?;
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
                .assessment(year.get(), version)
                .await?
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "there is no assessment for {year}{}",
                        version.map(|v| format!(" version {v}")).unwrap_or_default()
                    )
                })?;
            let rendered = output::render(&Document::Assessment(&a), format, Layout::Pretty)?;
            write_out(out.as_deref(), &rendered)
        }
        ExportCommand::Areas { geography, out } => {
            let g = atlas
                .geographies
                .get(&geography)
                .ok_or_else(|| anyhow::anyhow!("there is no geography '{geography}'"))?;
            let rendered = output::render(&Document::Areas(g), Format::Geojson, Layout::Compact)?;
            write_out(out.as_deref(), &rendered)
        }
        ExportCommand::Partners { format, out } => {
            let rendered = output::render(&Document::Directory(&atlas), format, Layout::Compact)?;
            write_out(out.as_deref(), &rendered)
        }
    }
}

/// `gapmap gaps`: the analysis in the requested format, to a file or standard output.
/// The `/gaps` parameters given as flags, checked.
fn gap_params(
    radius_km: Option<f64>,
    language: Option<String>,
    hours: Option<&str>,
    desert_rule: Option<&str>,
) -> anyhow::Result<GapParams> {
    let hours = hours
        .map(|h| {
            HoursFilter::parse(h)
                .ok_or_else(|| anyhow::anyhow!("--hours '{h}' is not evening or weekend"))
        })
        .transpose()?;
    let desert_rule = desert_rule
        .map(|r| {
            RuleChoice::parse(r)
                .ok_or_else(|| anyhow::anyhow!("--desert-rule '{r}' is not need or catchment"))
        })
        .transpose()?;
    Ok(GapParams {
        radius_km,
        language,
        hours,
        desert_rule,
        travel: None,
    })
}

/// `gapmap tile`: one vector tile into a file.
async fn tile(services: &Services, args: TileArgs) -> anyhow::Result<()> {
    let tile = crate::spatial::TileId::new(args.z, args.x, args.y).ok_or_else(|| {
        anyhow::anyhow!(
            "there is no tile {}/{}/{}: zoom 0 to 22, column and row below 2^zoom",
            args.z,
            args.x,
            args.y
        )
    })?;
    let atlas = services.atlas.get();
    let rendered = if args.layer == "sites" {
        if args.geography.is_some() || args.need.is_some() {
            anyhow::bail!("--geography, --year and --need apply to the areas layer only");
        }
        output::render(
            &Document::SiteTile(&atlas, tile, args.service.as_deref()),
            Format::Mvt,
            Layout::Compact,
        )?
    } else {
        if args.service.is_some() {
            anyhow::bail!("--service applies to the sites layer only");
        }
        let params = gap_params(
            args.radius_km,
            args.language,
            args.hours.as_deref(),
            args.desert_rule.as_deref(),
        )?;
        let report = match (args.year, &args.need) {
            (Some(year), Some(need)) => Some(analysis::gaps(&*atlas, year.get(), need, &params)?),
            _ => None,
        };
        let g = output::tiles::geography_of(&atlas, args.geography.as_deref(), report.as_deref())?;
        output::render(
            &Document::AreaTile(g, tile, report.as_deref()),
            Format::Mvt,
            Layout::Compact,
        )?
    };
    write_out(Some(&args.out), &rendered)
}

async fn gaps(services: &Services, args: GapsArgs) -> anyhow::Result<()> {
    let mut params = gap_params(
        args.radius_km,
        args.language,
        args.hours.as_deref(),
        args.desert_rule.as_deref(),
    )?;
    params.travel = analysis::travel_request(
        args.mode.as_deref(),
        args.max_minutes,
        args.decay,
        args.sigma_minutes,
        args.gravity_beta,
    )?;
    let atlas = services.atlas.get();
    let (year, need, format) = (args.year.get(), args.need, args.format);
    let rendered = crunch(format!("analysing {need} in {year}"), move || {
        let started = std::time::Instant::now();
        let report = analysis::gaps(&*atlas, year, &need, &params)?;
        // GAPMAP_LOG=gapmap=debug shows where the time goes (BENCHMARKS.md).
        tracing::debug!(
            analysis_ms = started.elapsed().as_millis(),
            areas = report.summary.areas,
            deserts = report.summary.deserts,
            "gap analysis done"
        );
        output::render(&Document::Gaps(&report, &atlas), format, Layout::Pretty)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
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
    let cache = services.atlas.cache().clone();
    let params = analysis::OutreachParams {
        target: args.target,
        enrolled: args.enrolled,
        limit: args.limit,
        need: args.need,
    };
    let (year, format) = (args.year.get(), args.format);
    let rendered = crunch(format!("ranking outreach areas in {year}"), move || {
        let report = analysis::outreach(&Cached::new(&atlas, &cache), year, &params)?;
        output::render(&Document::Outreach(&report, &atlas), format, Layout::Pretty)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
}

/// `gapmap compare`: JSON by default.
async fn compare(services: &Services, args: CompareArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let cache = services.atlas.cache().clone();
    let (need, from, to, format) = (args.need, args.from.get(), args.to.get(), args.format);
    let rendered = crunch(format!("comparing {need} in {from} and {to}"), move || {
        let report = analysis::compare(&Cached::new(&atlas, &cache), &need, from, to)?;
        output::render(&Document::Compare(&report, &atlas), format, Layout::Pretty)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
}

/// `gapmap siting`: JSON.
async fn siting(services: &Services, args: SitingArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let cache = services.atlas.cache().clone();
    let (year, need) = (args.year.get(), args.need);
    let params = analysis::SitingParams {
        k: args.k,
        capacity: args.capacity,
        candidates: args.candidates,
    };
    let rendered = crunch(format!("siting {} new {need} sites", params.k), move || {
        let report = analysis::siting(&Cached::new(&atlas, &cache), year, &need, &params)?;
        output::render(&Document::Siting(&report), Format::Json, Layout::Pretty)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
}

async fn barriers(services: &Services, args: BarriersArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let cache = services.atlas.cache().clone();
    let (year, format) = (args.year.get(), args.format);
    let rendered = crunch(format!("the {year} barriers"), move || {
        let report = analysis::barriers(&Cached::new(&atlas, &cache), year)?;
        output::render(&Document::Barriers(&report, &atlas), format, Layout::Pretty)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
}

/// `gapmap search`: what the map's search box finds, JSON by default.
async fn search(services: &Services, args: SearchArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let format = args.format;
    let rendered = crunch(format!("searching for '{}'", args.text), move || {
        let report = analysis::search(
            &atlas,
            &args.text,
            args.geography.as_deref(),
            Some(args.limit),
        )?;
        output::render(&Document::Search(&report), format, Layout::Pretty)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
}

async fn opportunities(services: &Services, args: OpportunitiesArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let cache = services.atlas.cache().clone();
    let (year, need, limit, format) = (args.year.get(), args.need, args.limit, args.format);
    let rendered = crunch(format!("ranking who could supply {need}"), move || {
        let report = analysis::opportunities(&Cached::new(&atlas, &cache), year, &need, limit)?;
        output::render(&Document::Opportunities(&report), format, Layout::Pretty)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
}

/// `gapmap vehicle-access`: carless families' access against that of families with cars.
async fn vehicle_access(services: &Services, args: VehicleAccessArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let cache = services.atlas.cache().clone();
    let params = analysis::VehicleParams {
        carless_mode: args.carless_mode,
        car_mode: args.car_mode,
        max_minutes: args.max_minutes,
        car_max_minutes: args.car_max_minutes,
        decay: args.decay,
        share: args.share,
        ..analysis::VehicleParams::default()
    };
    let (year, need, format) = (args.year.get(), args.need, args.format);
    let rendered = crunch(format!("measuring {need} access by vehicle"), move || {
        let report = analysis::vehicle_access(&Cached::new(&atlas, &cache), year, &need, &params)?;
        output::render(&Document::VehicleAccess(&report), format, Layout::Pretty)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
}

/// `gapmap report`: the report, HTML or DOCX.
async fn report(services: &Services, args: ReportArgs) -> anyhow::Result<()> {
    let atlas = services.atlas.get();
    let cache = services.atlas.cache().clone();
    let provenance = services.store.provenance().await?;
    let indicators = services.indicators.clone();
    let year = args.year.get();
    let format = args.format();
    let date = match args.date.as_deref() {
        None => output::report::ReportDate {
            day: crate::domain::Day::today(),
            given: false,
        },
        Some(s) => output::report::ReportDate {
            day: crate::domain::Day::parse(s).ok_or_else(|| {
                anyhow::anyhow!("--date must be a calendar day as YYYY-MM-DD; got '{s}'")
            })?,
            given: true,
        },
    };
    let rendered = crunch(format!("writing the {year} report"), move || {
        let source = Cached::new(&atlas, &cache);
        let input = output::report::ReportInput {
            source: &source,
            year,
            provenance: &provenance,
            indicators: &indicators,
            date,
        };
        output::render(&Document::Report(input), format, Layout::Compact)
    })
    .await?;
    write_out(args.out.as_deref(), &rendered)
}

/// Opens the store and builds the Atlas, without a server.
pub async fn open(settings: &Settings) -> anyhow::Result<Services> {
    let store = Store::connect(&settings.store).await?;
    let catalog = Arc::new(Catalog::bundled());
    let atlas = Arc::new(AtlasHandle::load(&store, catalog.clone()).await?);
    Ok(Services {
        store,
        atlas,
        catalog,
        indicators: Arc::new(crate::domain::IndicatorCatalog::bundled()),
        limits: settings.limits,
    })
}

/// Opens the store without building an Atlas (see [`AtlasHandle::unloaded`]).
pub async fn open_for_writes(settings: &Settings) -> anyhow::Result<Services> {
    let store = Store::connect(&settings.store).await?;
    let catalog = Arc::new(Catalog::bundled());
    Ok(Services {
        store,
        atlas: Arc::new(AtlasHandle::unloaded(catalog.clone())),
        catalog,
        indicators: Arc::new(crate::domain::IndicatorCatalog::bundled()),
        limits: settings.limits,
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
                                .import_indicators(&actor, f, year.get(), &geography)
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
                            with_own
                                .import_census(&actor, fs, year.get(), &geography)
                                .await
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
                Box::pin(async move { services.import_records(&actor, f, year.get()).await }),
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
        ImportCommand::TravelTimes {
            file,
            mode,
            geography,
            tool,
            date,
            departure,
        } => {
            let name = file
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| file.display().to_string());
            if !file.is_file() {
                anyhow::bail!("cannot read {}: no such file", file.display());
            }
            let given = crate::ingest::travel_times::Given {
                tool,
                date,
                departure,
            };
            (
                format!(
                    "importing {} travel times from {}",
                    mode.name(),
                    file.display()
                ),
                Box::pin(async move {
                    services
                        .import_travel_times(&actor, file, &name, &geography, mode, given)
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
