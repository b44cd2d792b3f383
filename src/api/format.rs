//! How handlers answer with what [`crate::output`] rendered: the content type and download
//! name come from the rendering, and every rendered answer goes through the one cache.
//!
//! An answer not yet cached is **streamed**: the handler's work (the analysis, then
//! [`crate::output::write`]) runs on a blocking thread and hands its bytes over in pieces of
//! [`CHUNK_BYTES`] as it writes them (chunked transfer encoding, no `Content-Length`), so
//! the first byte of a national CSV or GeoJSON leaves as soon as the analysis is done
//! instead of after the whole body is built. Every error of the question itself (an
//! unknown need, a bad parameter, a missing indicator) comes before the first byte and is
//! answered with the error shape as before. The streamed bytes are also kept and, once the
//! whole answer is written, stored in the cache, so the next request is answered whole
//! from memory. (Two requests missing the cache at once each write their answer; the
//! analysis under them is computed once, by the cache's gate on the gap report.)

use super::AppState;
use crate::atlas::{Atlas, Cache, CacheKey};
use crate::error::{Error, Result};
use crate::output::{Format, Out, Rendered};
use actix_web::{HttpResponse, HttpResponseBuilder};
use bytes::Bytes;
use std::io::Write;
use std::sync::Arc;
use tokio::sync::mpsc;

/// The size of a streamed answer's pieces.
pub const CHUNK_BYTES: usize = 64 * 1024;
/// Pieces written ahead of what the client has read, at most.
const PIECES_AHEAD: usize = 8;

/// The status line and headers of an answer in `format`; a CSV (or DOCX) comes as a
/// download under `filename`.
fn head(format: Format, filename: &str) -> HttpResponseBuilder {
    let mut response = HttpResponse::Ok();
    response.content_type(format.content_type());
    if format.is_download() {
        response.insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{filename}\""),
        ));
    }
    response
}

/// A 200 with the rendering's content type; a CSV comes as a download under its name.
pub fn respond(rendered: &Rendered) -> HttpResponse {
    head(rendered.format, &rendered.filename).body(rendered.body.clone())
}

/// What the writing thread hands the response.
enum Piece {
    /// The document renders: its format and file name.
    Head(Format, String),
    /// The next bytes.
    Chunk(Bytes),
    /// It failed: before `Head`, the error to answer; after, the stream breaks off.
    Failed(Error),
}

/// An [`Out`] that sends what is written in pieces to the response, keeping a copy for
/// the cache.
struct Channel {
    tx: mpsc::Sender<Piece>,
    buf: Vec<u8>,
    kept: Vec<u8>,
    head: Option<(Format, String)>,
}

impl Channel {
    fn send(&mut self, piece: Piece) -> std::io::Result<()> {
        self.tx.blocking_send(piece).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client went away")
        })
    }

    fn send_buffered(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK_BYTES));
        self.kept.extend_from_slice(&chunk);
        self.send(Piece::Chunk(Bytes::from(chunk)))
    }
}

impl Write for Channel {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(bytes);
        if self.buf.len() >= CHUNK_BYTES {
            self.send_buffered()?;
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.send_buffered()
    }
}

impl Out for Channel {
    fn start(&mut self, format: Format, filename: &str) -> std::io::Result<()> {
        self.head = Some((format, filename.to_owned()));
        self.send(Piece::Head(format, filename.to_owned()))
    }
}

/// The answer under `key` (which must name the format and every parameter, and carry
/// `atlas`'s data version): from the cache whole, or streamed from `render` (which writes
/// it with [`crate::output::write`]) run off the async workers, since analyses and rendering are
/// CPU work.
pub async fn cached(
    state: &AppState,
    atlas: Arc<Atlas>,
    key: CacheKey,
    render: impl FnOnce(&Atlas, &Cache, &mut dyn Out) -> Result<()> + Send + 'static,
) -> Result<HttpResponse> {
    let cache: Arc<Cache> = state.services.atlas.cache().clone();
    if let Some(hit) = cache.get::<Rendered>(&key) {
        return Ok(respond(&hit));
    }
    let (tx, mut rx) = mpsc::channel(PIECES_AHEAD);
    tokio::task::spawn_blocking(move || {
        let mut out = Channel {
            tx,
            buf: Vec::with_capacity(CHUNK_BYTES),
            kept: Vec::new(),
            head: None,
        };
        let written = render(&atlas, &cache, &mut out).and_then(|()| {
            out.send_buffered().map_err(Error::internal)?;
            Ok(())
        });
        match (written, out.head.take()) {
            (Ok(()), Some((format, filename))) => {
                let rendered = Rendered {
                    format,
                    body: Bytes::from(std::mem::take(&mut out.kept)),
                    filename,
                };
                let size = rendered.size();
                cache.insert(key, Arc::new(rendered), size);
            }
            (Ok(()), None) => {
                let _ = out.send(Piece::Failed(Error::internal("nothing was written")));
            }
            (Err(e), head) => {
                if head.is_some() && !out.tx.is_closed() {
                    tracing::warn!(error = %e, "a streamed answer broke off");
                }
                // Before the head, the error is the answer; after it, the stream breaks.
                let _ = out.send(Piece::Failed(e));
            }
        }
    });
    match rx.recv().await {
        Some(Piece::Head(format, filename)) => {
            let body = futures_util::stream::unfold(rx, |mut rx| async move {
                match rx.recv().await? {
                    Piece::Chunk(bytes) => Some((Ok(bytes), rx)),
                    Piece::Failed(e) => Some((Err(e), rx)),
                    Piece::Head(..) => Some((Err(Error::internal("a second head")), rx)),
                }
            });
            Ok(head(format, &filename).streaming(body))
        }
        Some(Piece::Failed(e)) => Err(e),
        Some(Piece::Chunk(_)) | None => Err(Error::internal("the answer stopped before it began")),
    }
}
