//! Structured logs with tracing: readable on a terminal, JSON when `GAPMAP_LOG_FORMAT=json`.

use tracing_subscriber::{EnvFilter, fmt};

/// Installs the global subscriber (once; later calls do nothing).
pub fn init() {
    let filter =
        EnvFilter::try_from_env("GAPMAP_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let json = std::env::var("GAPMAP_LOG_FORMAT").is_ok_and(|v| v == "json");
    let builder = fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
