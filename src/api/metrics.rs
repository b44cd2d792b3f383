//! `GET /metrics` in the Prometheus text format: requests by route and status with a
//! latency histogram, and the Atlas's data version. Counters live in memory per process.

use super::AppState;
use actix_web::{HttpResponse, web};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// Request metrics, keyed by (method, route pattern, status).
#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

impl Metrics {
    /// Records one request. `route` is the matched pattern (e.g. `/api/v1/assessments/{year}`),
    /// so ids in paths do not create unbounded series.
    pub fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let s = map
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        s.count += 1;
        s.sum += secs;
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                s.buckets[i] += 1;
            }
        }
    }

    fn render(&self, data_version: i64) -> String {
        let mut out = String::new();
        let map = self.series.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(
            out,
            "# HELP gapmap_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE gapmap_http_requests_total counter");
        for ((m, r, st), s) in map.iter() {
            let _ = writeln!(
                out,
                "gapmap_http_requests_total{{method=\"{m}\",route=\"{r}\",status=\"{st}\"}} {}",
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP gapmap_http_request_duration_seconds Time to answer, by route."
        );
        let _ = writeln!(out, "# TYPE gapmap_http_request_duration_seconds histogram");
        for ((m, r, st), s) in map.iter() {
            let labels = format!("method=\"{m}\",route=\"{r}\",status=\"{st}\"");
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "gapmap_http_request_duration_seconds_bucket{{{labels},le=\"{le}\"}} {}",
                    s.buckets[i]
                );
            }
            let _ = writeln!(
                out,
                "gapmap_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "gapmap_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "gapmap_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP gapmap_data_version The store data version the served Atlas was built from."
        );
        let _ = writeln!(out, "# TYPE gapmap_data_version gauge");
        let _ = writeln!(out, "gapmap_data_version {data_version}");
        out
    }
}

/// `GET /metrics`.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Request counts and latencies in the Prometheus text format.", body = String, content_type = "text/plain")))]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    let body = state
        .metrics
        .render(state.services.atlas.get().data_version);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(body)
}
