//! The HTTP API: one module per resource, registered by [`configure`].

mod assessments;
mod audit;
mod auth;
mod barriers;
mod compare;
mod deadline;
mod envelope;
mod format;
mod gaps;
mod geographies;
mod health;
mod metrics;
mod needs;
pub mod openapi;
mod opportunities;
mod outreach;
pub mod page;
mod partners;
mod records;
mod reports;
mod search;
mod siting;
mod tiles;
mod travel;
mod upload;
mod vehicle;
mod vocabulary;

pub use auth::Auth;
pub use gaps::MAX_LIMIT as GAPS_MAX_LIMIT;

use crate::config::ServeSettings;
use crate::imports::Services;
use actix_web::dev::{Server, Service};
use actix_web::{App, HttpServer, middleware, web};
use std::net::TcpListener;

/// Shared state of every handler.
pub struct AppState {
    /// Store, Atlas and catalog.
    pub services: Services,
    /// Who may write.
    pub auth: Auth,
    /// Largest accepted upload in bytes.
    pub max_upload_bytes: u64,
    /// One permit per upload being read and imported (`--max-concurrent-uploads`).
    pub upload_slots: tokio::sync::Semaphore,
    /// Request counters for `/metrics`.
    pub metrics: metrics::Metrics,
    /// The map page's folder and basemap.
    pub web: page::WebSettings,
}

impl AppState {
    /// Waits for an upload slot. An upload's body is read and imported only while it
    /// holds one, so the memory uploads take is bounded by the slots, not by the number
    /// of people uploading at once. Waiting counts against `--write-timeout-secs`.
    pub async fn upload_slot(&self) -> crate::error::Result<tokio::sync::SemaphorePermit<'_>> {
        self.upload_slots
            .acquire()
            .await
            .map_err(crate::error::Error::internal)
    }
}

/// Registers every API route.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.default_service(web::to(envelope::not_found));
    cfg.configure(page::configure);
    cfg.service(web::resource("/healthz").route(web::get().to(health::healthz)))
        .service(web::resource("/readyz").route(web::get().to(health::readyz)))
        .service(web::resource("/metrics").route(web::get().to(metrics::metrics)))
        .service(web::resource("/api/openapi.json").route(web::get().to(openapi::openapi_json)))
        .service(
            web::scope("/api/v1")
                .service(
                    web::resource("/geographies/{name}")
                        .route(web::put().to(geographies::put))
                        .route(web::get().to(geographies::get_one)),
                )
                .service(web::resource("/geographies").route(web::get().to(geographies::list)))
                .service(
                    web::resource("/geographies/{name}/areas")
                        .route(web::get().to(geographies::areas)),
                )
                .service(web::resource("/assessments").route(web::get().to(assessments::list)))
                .service(
                    web::resource("/assessments/{year}")
                        .route(web::put().to(assessments::put))
                        .route(web::get().to(assessments::get_one)),
                )
                .service(
                    web::resource("/assessments/{year}/records")
                        .route(web::put().to(records::put))
                        .route(web::get().to(records::get)),
                )
                .service(
                    web::resource("/partners")
                        .route(web::post().to(partners::post))
                        .route(web::get().to(partners::list)),
                )
                .service(
                    web::resource("/partners/{id}")
                        .route(web::get().to(partners::get_one))
                        .route(web::patch().to(partners::patch_partner)),
                )
                .service(
                    web::resource("/partners/{id}/history").route(web::get().to(partners::history)),
                )
                .service(web::resource("/search").route(web::get().to(search::get)))
                .service(web::resource("/sites").route(web::get().to(partners::sites)))
                .service(web::resource("/sites/{id}").route(web::patch().to(partners::patch_site)))
                .service(web::resource("/audit").route(web::get().to(audit::list)))
                .service(web::resource("/needs").route(web::get().to(needs::list)))
                .service(web::resource("/needs/{code}").route(web::put().to(needs::put)))
                .service(
                    web::resource("/needs/{code}/filters").route(web::get().to(needs::filters)),
                )
                .service(web::resource("/vocabulary").route(web::get().to(vocabulary::get)))
                .service(web::resource("/gaps").route(web::get().to(gaps::get)))
                .service(web::resource("/outreach").route(web::get().to(outreach::get)))
                .service(web::resource("/compare").route(web::get().to(compare::get)))
                .service(web::resource("/siting").route(web::get().to(siting::get)))
                .service(web::resource("/opportunities").route(web::get().to(opportunities::get)))
                .service(web::resource("/barriers").route(web::get().to(barriers::get)))
                .service(web::resource("/vehicle-access").route(web::get().to(vehicle::get)))
                .service(web::resource("/travel-times").route(web::get().to(travel::list)))
                .service(web::resource("/travel-times/{mode}").route(web::put().to(travel::put))),
        )
        .service(web::resource("/reports/{year}").route(web::get().to(reports::get)))
        .service(web::resource("/tiles/{layer}/{z}/{x}/{y}.mvt").route(web::get().to(tiles::get)));
}

/// Starts, on a thread of its own, the gap analysis the map page opens with (the latest
/// year's, of the need it shows first: child care, else the first) when that year's
/// geography has more areas than `tile_threshold`: the page's first tiles and ranking then
/// join it in the cache (`atlas::Cache` computes a key once) instead of waiting for a
/// whole analysis of a national geography from the first request. A smaller geography's
/// analysis takes milliseconds and is left to its first request.
fn warm_first_view(state: &web::Data<AppState>, tile_threshold: usize) {
    let atlas = state.services.atlas.get();
    let Some((&year, assessment)) = atlas.assessments.iter().next_back() else {
        return;
    };
    let large = atlas
        .geographies
        .get(&assessment.geography)
        .is_some_and(|g| g.geography.areas.len() > tile_threshold);
    let needs = atlas.catalog.needs();
    let Some(need) = needs
        .iter()
        .find(|n| n.code == "childcare")
        .or(needs.first())
        .map(|n| n.code.clone())
    else {
        return;
    };
    if !large {
        return;
    }
    let cache = state.services.atlas.cache().clone();
    let spawned = std::thread::Builder::new()
        .name("warm-first-view".into())
        .spawn(move || {
            let started = std::time::Instant::now();
            let source = crate::analysis::Cached::new(&atlas, &cache);
            match crate::analysis::gaps(
                &source,
                year,
                &need,
                &crate::analysis::GapParams::default(),
            ) {
                Ok(_) => tracing::info!(
                    year,
                    need = need.as_str(),
                    ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                    "the map's first gap analysis is ready"
                ),
                Err(e) => tracing::warn!(
                    year,
                    need = need.as_str(),
                    "the map's first gap analysis failed: {e}"
                ),
            }
        });
    if let Err(e) = spawned {
        tracing::warn!("the map's first gap analysis was not started: {e}");
    }
}

/// Builds the server on a bound listener.
pub fn server(
    listener: TcpListener,
    services: Services,
    serve: ServeSettings,
) -> std::io::Result<Server> {
    let web_settings = page::WebSettings::new(&serve).map_err(std::io::Error::other)?;
    let deadlines = deadline::Deadlines {
        read: std::time::Duration::from_secs(serve.request_timeout_secs.max(1)),
        write: std::time::Duration::from_secs(serve.write_timeout_secs.max(1)),
    };
    let state = web::Data::new(AppState {
        services,
        auth: Auth::new(
            serve.admin_token.clone(),
            serve.allow_anonymous_writes,
            serve.reads == crate::config::Reads::Public,
        ),
        max_upload_bytes: serve.max_upload_mb.saturating_mul(1024 * 1024),
        upload_slots: tokio::sync::Semaphore::new(usize::from(serve.max_concurrent_uploads)),
        metrics: metrics::Metrics::default(),
        web: web_settings,
    });
    warm_first_view(&state, serve.tile_threshold);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                crate::error::Error::new(crate::error::Code::InvalidParameter, e.to_string()).into()
            }))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                crate::error::Error::new(crate::error::Code::InvalidParameter, e.to_string()).into()
            }))
            .wrap(middleware::Compress::default())
            .wrap_fn(|req, srv| {
                // When reads are not public, every API read needs a viewer token.
                let state = req.app_data::<web::Data<AppState>>().cloned();
                let guarded = (req.path().starts_with("/api/")
                    || req.path().starts_with("/reports/")
                    || req.path().starts_with("/tiles/"))
                    && matches!(
                        *req.method(),
                        actix_web::http::Method::GET | actix_web::http::Method::HEAD
                    )
                    && state.as_ref().is_some_and(|s| !s.auth.public_reads());
                let header = auth::authorization(req.request());
                let fut = srv.call(req);
                async move {
                    if guarded && let Some(state) = state {
                        state
                            .auth
                            .require_header(
                                header,
                                &state.services.store,
                                crate::store::Role::Viewer,
                            )
                            .await?;
                    }
                    fut.await
                }
            })
            .wrap_fn(move |req, srv| {
                // Inside the metrics wrapper, so a timed-out request is counted as a 503.
                let (limit, flag) = deadlines.for_method(req.method());
                deadline::within(limit, flag, srv.call(req))
            })
            .wrap_fn(|req, srv| {
                let started = std::time::Instant::now();
                let method = req.method().to_string();
                let route = req.match_pattern().unwrap_or_else(|| "(unmatched)".into());
                let state = req.app_data::<web::Data<AppState>>().cloned();
                let fut = srv.call(req);
                async move {
                    let res = fut.await;
                    // An error from an inner wrapper (401, 503 timeout) becomes its
                    // response later; count it with the status it will have.
                    let status = match &res {
                        Ok(res) => res.status(),
                        Err(e) => e.as_response_error().status_code(),
                    };
                    if let Some(state) = state {
                        state
                            .metrics
                            .record(&method, &route, status.as_u16(), started.elapsed());
                    }
                    res
                }
            })
            .wrap_fn(|req, srv| {
                // Outside every other wrapper, so every answer gets its security headers.
                let asked = envelope::Asked::of(&req);
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    Ok(envelope::finish(asked, res.map_into_boxed_body()))
                }
            })
            .wrap(middleware::Logger::new("%r %s %b %Dms").log_target("gapmap::http"))
            .configure(configure)
    })
    .listen(listener)?
    .run();
    Ok(server)
}
