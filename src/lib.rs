//! gapmap: where families' needs lack nearby community partners.
//!
//! The library holds everything; `main.rs` only parses the command line. Data flows one
//! way (docs/DESIGN.md, "Layers"):
//!
//! ```text
//! upload -> ingest -> store -> atlas -> analysis -> output -> api / cli / web
//! ```
//!
//! `domain` (validated types), `spatial` (indexes, distances), `parallel` and `error` sit
//! under every layer; `imports` (the write pipeline), `config`, `demo` and `telemetry` are
//! the application around them. `tests/api/layers.rs` fails when a module reaches up.

pub mod analysis;
pub mod api;
pub mod atlas;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod error;
pub mod imports;
pub mod ingest;
pub mod output;
pub mod parallel;
pub mod spatial;
pub mod store;
#[cfg(feature = "bench")]
pub mod synthetic;
pub mod telemetry;

use crate::atlas::AtlasHandle;
use crate::config::Settings;
use crate::domain::{Catalog, IndicatorCatalog};
use crate::imports::Services;
use crate::store::Store;
use actix_web::dev::Server;
use std::net::TcpListener;
use std::sync::Arc;

/// Other replicas write to the same store: poll its data version and rebuild the Atlas
/// when it moved. The check is one indexed read, so a short interval costs little.
fn spawn_refresher(services: Services, every: std::time::Duration) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = services.atlas.refresh(&services.store).await {
                tracing::warn!(error = %e, "could not refresh the Atlas from the store");
            }
        }
    });
}

/// The bundled indicator catalogue, with a program's own file (`--indicators`) added.
pub fn load_indicators(file: Option<&std::path::Path>) -> anyhow::Result<IndicatorCatalog> {
    let bundled = IndicatorCatalog::bundled();
    let Some(path) = file else { return Ok(bundled) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the indicators file {}: {e}", path.display()))?;
    Ok(bundled.with_file(&text, &path.display().to_string())?)
}

/// The catalog whose needs seed an empty store: the bundled `data/needs.toml`, or with a
/// program's own needs file (`--needs FILE`, `GAPMAP_NEEDS`) its needs instead. A file
/// that breaks a rule stops the start, whether or not it will be read into the store.
pub fn load_needs(file: Option<&std::path::Path>) -> anyhow::Result<Catalog> {
    let bundled = Catalog::bundled();
    let Some(path) = file else { return Ok(bundled) };
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("cannot read the needs file {}: {e}", path.display()))?;
    Ok(bundled.with_needs_toml(&text, &path.display().to_string())?)
}

/// Seeds a store that holds no need with `catalog`'s needs (see [`load_needs`]). A store
/// that holds needs keeps them: the needs are then changed one by one
/// (`PUT /api/v1/needs/{code}`), and a `--needs` file given again is ignored, with a
/// warning in the log.
pub async fn seed_needs(
    store: &Store,
    catalog: &Catalog,
    indicators: &IndicatorCatalog,
    from_file: bool,
) -> anyhow::Result<()> {
    match store.seed_needs(catalog.needs(), catalog.source()).await? {
        store::Seeded::Seeded(n) => {
            tracing::info!(
                needs = n,
                source = catalog.source(),
                "empty store: seeded the needs"
            );
            for need in catalog.needs() {
                let mut names = vec![&need.demand_indicator];
                names.extend(need.filters.language.values());
                for name in names.into_iter().filter(|n| indicators.get(n).is_none()) {
                    tracing::warn!(need = %need.code, indicator = %name,
                        "this indicator is not in data/indicators.toml: the need is measured once a year's assessment has that column");
                }
            }
        }
        store::Seeded::Kept(n) if from_file => tracing::warn!(
            needs = n,
            file = catalog.source(),
            "the store already holds its needs: the --needs file was NOT read into it (change a need with PUT /api/v1/needs/{{code}} or the page's Standards form)"
        ),
        store::Seeded::Kept(_) => {}
    }
    Ok(())
}

/// A built server: bound to its port, not yet running.
pub struct Application {
    port: u16,
    server: Server,
    services: Services,
}

impl Application {
    /// Opens the store (running migrations), loads the demo into an empty store unless
    /// told not to, builds the Atlas and binds the listener.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let serve = &settings.serve;
        if serve.admin_token.is_none() && !serve.allow_anonymous_writes {
            anyhow::bail!(
                "writes need a token: set GAPMAP_ADMIN_TOKEN (or --admin-token), or pass --allow-anonymous-writes on a single-user machine"
            );
        }
        let catalog = Arc::new(load_needs(serve.needs.as_deref())?);
        let indicators = Arc::new(load_indicators(serve.indicators.as_deref())?);
        let store = Store::connect(&settings.store).await?;
        seed_needs(&store, &catalog, &indicators, serve.needs.is_some()).await?;
        let atlas = Arc::new(AtlasHandle::load(&store, catalog.clone()).await?);
        let services = Services {
            store,
            atlas,
            catalog,
            indicators,
            limits: settings.limits,
        };
        if !serve.no_demo && services.store.is_empty().await? {
            tracing::info!(dir = %serve.demo_dir.display(), "empty store: loading the bundled demo");
            demo::load(&services, &serve.demo_dir, false).await?;
        }
        let listener = TcpListener::bind(&serve.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", serve.bind))?;
        let port = listener.local_addr()?.port();
        tracing::info!(
            store = %settings.store.url,
            backend = ?services.store.backend(),
            writes = if serve.admin_token.is_some() { "need the admin token" } else { "OPEN to anyone (--allow-anonymous-writes)" },
            address = %listener.local_addr()?,
            data_version = services.atlas.get().data_version,
            "gapmap is serving"
        );
        if serve.admin_token.is_none() {
            tracing::warn!("writes are open to anyone who can reach this port");
        }
        let server = api::server(listener, services.clone(), settings.serve.clone())?;
        spawn_refresher(
            services.clone(),
            std::time::Duration::from_millis(serve.refresh_ms.max(50)),
        );
        Ok(Self {
            port,
            server,
            services,
        })
    }

    /// The port the server listens on (useful with port 0).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The store, atlas and catalog behind the server.
    pub fn services(&self) -> &Services {
        &self.services
    }

    /// Runs until the process is stopped.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
