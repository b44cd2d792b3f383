//! How handlers answer with what [`crate::output`] rendered: the content type and download
//! name come from the rendering, and every rendered answer goes through the one cache.

use super::AppState;
use crate::atlas::{Atlas, Cache, CacheKey};
use crate::error::{Error, Result};
use crate::output::{self, Rendered};
use actix_web::{HttpResponse, web};
use std::sync::Arc;

/// A 200 with the rendering's content type; a CSV comes as a download under its name.
pub fn respond(rendered: &Rendered) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type(rendered.format.content_type());
    if rendered.format.is_download() {
        response.insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}\"", rendered.filename),
        ));
    }
    response.body(rendered.body.clone())
}

/// The answer under `key` (which must name the format and every parameter, and carry
/// `atlas`'s data version), from the cache or from `render`, run off the async workers
/// since analyses and rendering are CPU work.
pub async fn cached(
    state: &AppState,
    atlas: Arc<Atlas>,
    key: CacheKey,
    render: impl FnOnce(&Atlas, &Cache) -> Result<Rendered> + Send + 'static,
) -> Result<HttpResponse> {
    let cache: Arc<Cache> = state.services.atlas.cache().clone();
    if let Some(hit) = cache.get::<Rendered>(&key) {
        return Ok(respond(&hit));
    }
    let rendered = web::block(move || output::cached(&cache, key, || render(&atlas, &cache)))
        .await
        .map_err(Error::internal)??;
    Ok(respond(&rendered))
}
