use gapmap::Application;
use gapmap::config::{Secret, ServeArgs, Settings, StoreArgs};
use reqwest::Client;
use sqlx::Connection;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

pub const TOKEN: &str = "test-admin-token-0123456789";

/// The store a test runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

tokio::task_local! {
    /// Set by `api_tests!` for the PostgreSQL run of a test; SQLite otherwise.
    pub static BACKEND: Backend;
}

/// The PostgreSQL server for tests (`.ci/run` sets it).
///
/// `build.rs` turns on the `postgres_tests` cfg when the variable is set at build time;
/// without it the PostgreSQL tests are compiled as ignored and never call this.
pub fn postgres_url() -> String {
    std::env::var("GAPMAP_TEST_POSTGRES_URL")
        .ok()
        .filter(|s| !s.is_empty())
        .expect(
            "GAPMAP_TEST_POSTGRES_URL was set when the tests were built but is not set now: \
             set it again, or rebuild without it to skip the PostgreSQL tests",
        )
}

/// Runs each listed test twice: on SQLite, and on PostgreSQL when a server was given
/// (`GAPMAP_TEST_POSTGRES_URL`); without one the PostgreSQL run is reported as ignored.
#[macro_export]
macro_rules! api_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn on_sqlite() {
                $crate::helpers::BACKEND.scope($crate::helpers::Backend::Sqlite, super::$name()).await
            }
            #[tokio::test]
            #[cfg_attr(not(postgres_tests), ignore = "GAPMAP_TEST_POSTGRES_URL is not set")]
            async fn on_postgres() {
                $crate::helpers::BACKEND.scope($crate::helpers::Backend::Postgres, super::$name()).await
            }
        }
    )*};
}

/// A fresh store for one test: a SQLite file in a temp folder, or a new PostgreSQL
/// database that is dropped when the test ends.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl TestDb {
    pub async fn new() -> Self {
        let backend = BACKEND.try_with(|b| *b).unwrap_or(Backend::Sqlite);
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("gapmap.db").display().to_string();
                Self {
                    url,
                    _dir: Some(dir),
                    pg: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_url();
                let name = format!(
                    "gapmap_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::Relaxed),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos())
                        .unwrap_or(0)
                );
                sqlx::any::install_default_drivers();
                let mut conn = sqlx::AnyConnection::connect(&admin)
                    .await
                    .expect("connect to the test server");
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create database");
                let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
                Self {
                    url: format!("{base}/{name}"),
                    _dir: None,
                    pg: Some((admin, name)),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            // Drop is synchronous: a short-lived runtime on its own thread does the work.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("runtime");
                rt.block_on(async {
                    if let Ok(mut conn) = sqlx::AnyConnection::connect(&admin).await {
                        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                            "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                        )))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

/// A running gapmap with a fresh store.
pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub services: gapmap::imports::Services,
    pub db: std::sync::Arc<TestDb>,
}

/// The repository root, for fixtures and the demo.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the gapmap command line on a store file, as a real process.
#[allow(dead_code)]
pub fn gapmap(db: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("GAPMAP_LOG", "warn")
        .output()
        .expect("gapmap runs")
}

/// Runs the command line, asserts it succeeded, and returns its standard output.
#[allow(dead_code)]
pub fn gapmap_ok(db: &str, args: &[&str]) -> String {
    let out = gapmap(db, args);
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// Reads a file under tests/fixtures.
#[allow(dead_code)]
pub fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(root().join("tests/fixtures").join(name))
        .unwrap_or_else(|e| panic!("fixture {name}: {e}"))
}

pub async fn spawn_app() -> TestApp {
    spawn_with(|_| {}).await
}

pub async fn spawn_with(adjust: impl FnOnce(&mut ServeArgs)) -> TestApp {
    spawn_on(std::sync::Arc::new(TestDb::new().await), adjust).await
}

/// A gapmap on a given store: two of them on one store are two replicas.
pub async fn spawn_on(db: std::sync::Arc<TestDb>, adjust: impl FnOnce(&mut ServeArgs)) -> TestApp {
    spawn_settings(db, |s| adjust(&mut s.serve)).await
}

/// A gapmap with any setting adjusted (limits, store settings), on a fresh store.
#[allow(dead_code)]
pub async fn spawn_with_settings(adjust: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_settings(std::sync::Arc::new(TestDb::new().await), adjust).await
}

async fn spawn_settings(db: std::sync::Arc<TestDb>, adjust: impl FnOnce(&mut Settings)) -> TestApp {
    let mut serve = ServeArgs::for_tests();
    serve.admin_token = Some(Secret::new(TOKEN));
    serve.web_dir = root().join("web");
    serve.demo_dir = root().join("data/demo");
    let mut settings = Settings {
        db: db.url.parse().expect("db url"),
        store: StoreArgs::default(),
        serve,
        limits: Default::default(),
    };
    adjust(&mut settings);
    let app = Application::build(settings).await.expect("app builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let services = app.services().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: Client::new(),
        services,
        db,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        let r = self.get(path).await;
        assert!(r.status().is_success(), "GET {path}: {}", r.status());
        r.json().await.expect("json")
    }

    /// A write with the admin token.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.client
            .request(method, self.url(path))
            .bearer_auth(TOKEN)
            .header("Content-Type", content_type)
            .body(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn put_areas(&self, name: &str, geojson: &str) -> reqwest::Response {
        self.send(
            reqwest::Method::PUT,
            &format!("/api/v1/geographies/{name}"),
            "application/geo+json",
            geojson.to_owned(),
        )
        .await
    }

    pub async fn put_assessment(&self, year: i32, geography: &str, csv: &str) -> reqwest::Response {
        self.send(
            reqwest::Method::PUT,
            &format!("/api/v1/assessments/{year}?geography={geography}&filename=ind.csv"),
            "text/csv",
            csv.to_owned(),
        )
        .await
    }

    pub async fn post_partners(
        &self,
        query: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> reqwest::Response {
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/partners{query}"),
            content_type,
            body,
        )
        .await
    }

    /// The data version and the counts that show whether the store changed.
    pub async fn store_state(&self) -> (i64, usize, usize, usize) {
        let s = &self.services.store;
        let version = s.data_version().await.expect("version");
        let snap = s.snapshot().await.expect("snapshot");
        let areas = snap.geographies.iter().map(|g| g.areas.len()).sum();
        (version, areas, snap.assessments.len(), snap.sites.len())
    }
}

/// Three square areas side by side (0.01° wide) near Chicago, with GEOIDs with leading zeros.
pub fn three_areas() -> String {
    let square = |i: usize| {
        let x0 = -87.70 + 0.01 * i as f64;
        let x1 = x0 + 0.01;
        format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"0100100000{i}","NAME":"Area {i}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x0},41.80],[{x1},41.80],[{x1},41.81],[{x0},41.81],[{x0},41.80]]]}}}}"#
        )
    };
    format!(
        r#"{{"type":"FeatureCollection","features":[{},{},{}]}}"#,
        square(1),
        square(2),
        square(3)
    )
}

/// Asserts the error shape and code, and returns the body.
pub async fn assert_error(r: reqwest::Response, status: u16, code: &str) -> serde_json::Value {
    let got = r.status().as_u16();
    let body: serde_json::Value = r.json().await.expect("error body is JSON");
    assert_eq!(got, status, "status; body: {body}");
    assert_eq!(body["error"]["code"], code, "code; body: {body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "message; body: {body}"
    );
    assert!(body["error"]["details"].is_array(), "details; body: {body}");
    body
}

/// A deflated zip archive of (path, content) entries, built in memory.
#[allow(dead_code)]
pub fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, content) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .expect("zip entry");
        w.write_all(content).expect("zip write");
    }
    w.finish().expect("zip finish").into_inner()
}
