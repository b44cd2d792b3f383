use super::AppState;
use crate::error::{Error, Result};
use crate::report;
use actix_web::http::header;
use actix_web::{HttpResponse, web};

/// The report is one self-contained page: its own inline styles and SVG, nothing to run and
/// nothing to fetch. The policy says exactly that, so even a string that escaped escaping
/// could not load or run anything.
const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
                          base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// `GET /reports/{year}`: the printable community-assessment report (HTML).
pub async fn get(path: web::Path<i32>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let year = path.into_inner();
    let atlas = state.services.atlas.get();
    // Every write bumps the data version, the uploads' record included.
    let key = format!("report|{}|{year}", atlas.data_version);
    let body = match state.rendered.get(&key) {
        Some(bytes) => bytes,
        None => {
            let provenance = state.services.store.provenance().await?;
            let html = web::block(move || report::render(&atlas, year, &provenance))
                .await
                .map_err(Error::internal)??;
            let bytes = web::Bytes::from(html);
            state.rendered.put(key, bytes.clone());
            bytes
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, REPORT_CSP))
        .body(body))
}
