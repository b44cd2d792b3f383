use super::AppState;
use crate::error::{Error, Result};
use crate::report;
use actix_web::{HttpResponse, web};

/// `GET /reports/{year}`: the printable community-assessment report (HTML).
pub async fn get(path: web::Path<i32>, state: web::Data<AppState>) -> Result<HttpResponse> {
    let year = path.into_inner();
    // The Atlas first: a write landing in between can only make the sources newer than
    // the numbers by one upload, which the data version printed on the page reveals.
    let atlas = state.services.atlas.get();
    let provenance = state.services.store.provenance().await?;
    let html = web::block(move || report::render(&atlas, year, &provenance))
        .await
        .map_err(Error::internal)??;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}
