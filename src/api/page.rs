//! The map page: `GET /` serves `index.html`, `GET /methods` the methods page
//! (`methods.html`), `/app/…` their modules and styles, and
//! `/vendor/maplibre-gl/…` MapLibre GL JS's dist files from `web/node_modules` (installed
//! by `npm ci --prefix web`, pinned in `web/package-lock.json`); no CDN. `GET /api/v1/config`
//! tells the page which basemap to use, if any.
//!
//! Every response of this module carries the same Content-Security-Policy: scripts, styles
//! and workers only from gapmap itself (no `unsafe-inline`), data only from gapmap and,
//! when `GAPMAP_BASEMAP_STYLE` is set, from the basemap's origin.

use super::AppState;
use crate::config::ServeSettings;
use crate::error::{Code, Error, Result};
use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use std::path::{Path, PathBuf};

/// Where MapLibre's files are inside the web folder.
const MAPLIBRE_DIST: &str = "node_modules/maplibre-gl/dist";

/// What the page routes need, checked once at start-up.
#[derive(Clone, Debug)]
pub struct WebSettings {
    dir: PathBuf,
    basemap_style: Option<String>,
    tile_threshold: usize,
    csp: HeaderValue,
}

impl WebSettings {
    /// Reads the web folder and basemap from the server flags; refuses a basemap style
    /// that is not an absolute http(s) URL, since the policy could not name its origin.
    pub fn new(serve: &ServeSettings) -> std::result::Result<Self, String> {
        let basemap_style = serve
            .basemap_style
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        let origin = match &basemap_style {
            Some(url) => Some(origin_of(url).ok_or_else(|| {
                format!(
                    "GAPMAP_BASEMAP_STYLE '{url}' is not an http(s) URL of a MapLibre style (e.g. https://tiles.example.org/styles/basic/style.json)"
                )
            })?),
            None => None,
        };
        let csp = HeaderValue::from_str(&content_security_policy(origin.as_deref()))
            .map_err(|e| format!("the Content-Security-Policy is not a valid header: {e}"))?;
        Ok(Self {
            dir: serve.web_dir.clone(),
            basemap_style,
            tile_threshold: serve.tile_threshold,
            csp,
        })
    }

    fn maplibre_installed(&self) -> bool {
        self.dir
            .join(MAPLIBRE_DIST)
            .join("maplibre-gl.mjs")
            .is_file()
    }
}

/// The scheme, host and port of an absolute http(s) URL, or `None` for anything else
/// (including hosts with characters that have no place in a policy).
///
/// # Examples
///
/// ```
/// use gapmap::api::page::origin_of;
/// assert_eq!(
///     origin_of("https://tiles.example.org:8443/styles/basic.json?key=1").as_deref(),
///     Some("https://tiles.example.org:8443")
/// );
/// assert_eq!(origin_of("javascript:alert(1)"), None);
/// ```
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    // user:password@host is not something a style URL should carry, nor a policy name.
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']');
    if !authority.chars().all(allowed) {
        return None;
    }
    Some(format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// The page's policy. Measured in Chromium against MapLibre 6: its worker is a module
/// loaded from its own same-origin file (`worker-src 'self'`, no `blob:`), and its controls'
/// icons are `data:` SVGs in its CSS (`img-src data:`). A basemap needs its origin for the
/// style, tiles, glyphs and sprites (fetched by the page and by the worker, whose policy is
/// the one its script is served with) and `blob:` images where a browser decodes sprites
/// and raster tiles through object URLs.
pub fn content_security_policy(basemap_origin: Option<&str>) -> String {
    let extra = basemap_origin.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'; \
         img-src 'self' data: blob:{extra}; connect-src 'self'{extra}; \
         worker-src 'self'; font-src 'self'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Registers the page, its files and `/api/v1/config`. Called before the API's
/// `/api/v1` scope: a scope answers every path under its prefix itself.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(page("/", index))
        .service(page("/index.html", index))
        .service(page("/methods", methods))
        .service(page("/app/{path:.*}", app_file))
        .service(page("/vendor/maplibre-gl/{path:.*}", vendor_file))
        .service(web::resource("/api/v1/config").route(web::get().to(config)));
}

/// A resource answering GET, and HEAD like GET without the body (`curl -I`, link checkers).
fn page<F, Args>(path: &str, handler: F) -> actix_web::Resource
where
    F: actix_web::Handler<Args> + Clone,
    Args: actix_web::FromRequest + 'static,
    F::Output: actix_web::Responder + 'static,
{
    web::resource(path.to_owned())
        .route(web::get().to(handler.clone()))
        .route(web::head().to(handler))
}

/// `GET /api/v1/config`: what the page needs to know before it draws.
#[utoipa::path(get, path = "/api/v1/config", tag = "vocabulary",
    responses((status = 200, description = "What the map page needs to start.", body = PageConfig)))]
pub async fn config(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().json(PageConfig {
        basemap_style: state.web.basemap_style.as_deref(),
        tile_threshold: state.web.tile_threshold,
        version: env!("CARGO_PKG_VERSION"),
    })
}

/// `GET /api/v1/config`'s answer.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PageConfig<'a> {
    /// The MapLibre style URL of the basemap (`GAPMAP_BASEMAP_STYLE`), null for none.
    #[schema(value_type = Option<String>)]
    basemap_style: Option<&'a str>,
    /// A geography with more areas than this is drawn from `/tiles/areas/…` instead of
    /// one GeoJSON document (`GAPMAP_TILE_THRESHOLD`).
    tile_threshold: usize,
    /// gapmap's version.
    #[schema(value_type = String)]
    version: &'static str,
}

const NOT_INSTALLED: &str = "gapmap's map page needs MapLibre GL JS, which is not installed.\n\n\
Run this once in gapmap's folder (it needs Node.js and npm), then reload the page:\n\n    \
npm ci --prefix web\n\n\
(If gapmap runs from elsewhere, point GAPMAP_WEB_DIR or --web-dir at the web folder that has node_modules.)\n\
The API works without it: see /api/v1/needs, /api/v1/gaps and /healthz.\n";

fn with_headers(mut res: HttpResponse, web: &WebSettings) -> HttpResponse {
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, web.csp.clone());
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Revalidate with the ETag: a new gapmap or `npm ci` shows up on the next load.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

fn not_installed(web: &WebSettings) -> HttpResponse {
    tracing::warn!(web_dir = %web.dir.display(), "MapLibre is missing: run `npm ci --prefix web`");
    with_headers(
        HttpResponse::ServiceUnavailable()
            .content_type("text/plain; charset=utf-8")
            .body(NOT_INSTALLED),
        web,
    )
}

/// `GET /`: the map page, or a message saying how to install MapLibre.
pub async fn index(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse> {
    let web = &state.web;
    let page = web.dir.join("index.html");
    if !page.is_file() {
        tracing::warn!(web_dir = %web.dir.display(), "the web folder has no index.html");
        return Ok(with_headers(
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain; charset=utf-8")
                .body("gapmap cannot find its map page (index.html): run gapmap from its folder, or set GAPMAP_WEB_DIR (or --web-dir) to its web folder.\n"),
            web,
        ));
    }
    if !web.maplibre_installed() {
        return Ok(not_installed(web));
    }
    serve_file(&req, web, &page).await
}

/// `GET /methods`: what every number and colour means (`web/methods.html`, in the
/// repository); it needs no MapLibre.
pub async fn methods(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse> {
    let web = &state.web;
    serve_file(&req, web, &web.dir.join("methods.html")).await
}

/// `GET /app/{path}`: the page's own modules and styles.
pub async fn app_file(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse> {
    let web = &state.web;
    let rel = safe_relative(req.match_info().query("path"))?;
    serve_file(&req, web, &web.dir.join("app").join(rel)).await
}

/// `GET /vendor/maplibre-gl/{path}`: MapLibre's dist files (module, worker, CSS).
pub async fn vendor_file(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse> {
    let web = &state.web;
    let rel = safe_relative(req.match_info().query("path"))?;
    if !web.maplibre_installed() {
        return Ok(not_installed(web));
    }
    serve_file(&req, web, &web.dir.join(MAPLIBRE_DIST).join(rel)).await
}

/// A path below a served folder: plain names only, so no `..`, hidden file or absolute
/// path can reach outside it.
fn safe_relative(raw: &str) -> Result<PathBuf> {
    let not_found = || Error::new(Code::NotFound, "there is no such file");
    let mut out = PathBuf::new();
    for seg in raw.split('/') {
        let plain = !seg.is_empty()
            && !seg.starts_with('.')
            && seg
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
        if !plain {
            return Err(not_found());
        }
        out.push(seg);
    }
    Ok(out)
}

async fn serve_file(req: &HttpRequest, web: &WebSettings, path: &Path) -> Result<HttpResponse> {
    if !path.is_file() {
        return Err(Error::new(Code::NotFound, "there is no such file"));
    }
    let file = NamedFile::open_async(path)
        .await
        .map_err(|e| Error::internal(format_args!("{}: {e}", path.display())))?;
    // ES modules need a JavaScript type; mime_guess knows .mjs as application/javascript,
    // which browsers accept, but say it the way the HTML standard does.
    let is_js = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "mjs")
    );
    let file = if is_js {
        file.set_content_type(
            "text/javascript; charset=utf-8"
                .parse()
                .map_err(Error::internal)?,
        )
    } else {
        file
    };
    Ok(with_headers(
        file.disable_content_disposition().into_response(req),
        web,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_keeps_scheme_host_and_port_only() {
        assert_eq!(
            origin_of("https://Tiles.Example.org/styles/a.json").as_deref(),
            Some("https://tiles.example.org")
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8081/style.json").as_deref(),
            Some("http://127.0.0.1:8081")
        );
        assert_eq!(
            origin_of("https://[::1]:9000?x").as_deref(),
            Some("https://[::1]:9000")
        );
    }

    #[test]
    fn urls_that_could_break_the_policy_have_no_origin() {
        for bad in [
            "ftp://example.org/style.json",
            "javascript:alert(1)",
            "/relative/style.json",
            "https://",
            "https://user:pw@example.org/s.json",
            "https://example.org;script-src *",
            "https://exa mple.org/",
            "https://example.org'/x",
        ] {
            assert_eq!(origin_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_policy_allows_no_inline_code_and_names_the_basemap() {
        let without = content_security_policy(None);
        assert!(!without.contains("unsafe-inline"));
        assert!(!without.contains("unsafe-eval"));
        assert!(without.contains("script-src 'self';"));
        assert!(without.contains("connect-src 'self';"));
        let with = content_security_policy(Some("https://tiles.example.org"));
        assert!(with.contains("connect-src 'self' https://tiles.example.org;"));
        assert!(with.contains("img-src 'self' data: blob: https://tiles.example.org;"));
    }

    #[test]
    fn only_plain_relative_paths_are_served() {
        assert_eq!(
            safe_relative("a/b-c_d.mjs").ok(),
            Some(PathBuf::from("a/b-c_d.mjs"))
        );
        for bad in [
            "",
            "../x",
            "a/../b",
            "a//b",
            "/etc/passwd",
            ".env",
            "a/.git",
            "a\\b",
            "a%2fb",
        ] {
            assert!(safe_relative(bad).is_err(), "{bad}");
        }
    }
}
