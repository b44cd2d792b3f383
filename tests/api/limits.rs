//! Every configurable limit, set low through `Settings` (the same values the command-line
//! flags set), refuses a file just beyond it, names file, row and field, and leaves the
//! store unchanged. One just within the limit is accepted.

use crate::helpers::*;
use std::io::{Read, Write};

const PARTNERS: &str = "id,name,lat,lon,services\n\
a,Site A,41.805,-87.695,childcare\n\
b,Site B,41.806,-87.696,childcare\n\
c,Site C,41.807,-87.697,childcare\n";

async fn the_csv_row_limit_refuses_the_first_row_beyond_it() {
    let app = spawn_with_settings(|s| s.limits.table.max_rows = 2).await;
    let before = app.store_state().await;
    let body = assert_error(
        app.post_partners("?filename=partners.csv", "text/csv", PARTNERS)
            .await,
        413,
        "payload_too_large",
    )
    .await;
    let d = &body["error"]["details"][0];
    assert_eq!(d["file"], "partners.csv");
    // The header is row 1; site c is on row 4, the third data row.
    assert_eq!(d["row"], 4);
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("more than 2 data rows"), "{message}");
    assert_eq!(app.store_state().await, before);

    let two_rows: String = PARTNERS.lines().take(3).map(|l| format!("{l}\n")).collect();
    let r = app.post_partners("", "text/csv", two_rows).await;
    assert_eq!(r.status(), 200);
}

async fn the_csv_column_limit_names_the_first_column_beyond_it() {
    let app = spawn_with_settings(|s| s.limits.table.max_columns = 4).await;
    let before = app.store_state().await;
    let body = assert_error(
        app.post_partners("?filename=partners.csv", "text/csv", PARTNERS)
            .await,
        413,
        "payload_too_large",
    )
    .await;
    let d = &body["error"]["details"][0];
    assert_eq!((&d["file"], &d["row"]), (&"partners.csv".into(), &1.into()));
    assert_eq!(d["field"], "column 5");
    assert_eq!(app.store_state().await, before);
}

async fn the_vertex_limits_per_area_and_per_file_are_configurable() {
    // Each of the three squares has 5 vertices, 15 in all.
    let app = spawn_with_settings(|s| s.limits.vertices.max_vertices_per_area = 4).await;
    let body = assert_error(
        app.put_areas("g", &three_areas()).await,
        422,
        "invalid_geometry",
    )
    .await;
    let d = &body["error"]["details"][0];
    assert_eq!((&d["row"], &d["field"]), (&1.into(), &"geometry".into()));
    assert_eq!(app.store_state().await.1, 0);

    let app = spawn_with_settings(|s| s.limits.vertices.max_vertices_total = 14).await;
    let body = assert_error(
        app.put_areas("g", &three_areas()).await,
        422,
        "invalid_geometry",
    )
    .await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("15 vertices"), "{message}");
    assert_eq!(app.store_state().await.1, 0);

    let app = spawn_with_settings(|s| {
        s.limits.vertices.max_vertices_per_area = 5;
        s.limits.vertices.max_vertices_total = 15;
    })
    .await;
    assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
}

async fn the_zip_limits_on_entries_and_inflated_size_are_configurable() {
    let csv = |name: &str| format!("{name}.csv");
    let tables = [
        "organizations",
        "services",
        "locations",
        "service_at_location",
    ];
    let names: Vec<String> = tables.iter().map(|t| csv(t)).collect();
    let zip = |content: &[u8]| {
        let entries: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), content)).collect();
        zip_of(&entries)
    };

    let app = spawn_with_settings(|s| s.limits.zip.max_entries = 3).await;
    let body = assert_error(post_zip(&app, zip(b"id\n")).await, 413, "payload_too_large").await;
    assert_eq!(body["error"]["details"][0]["file"], "package.zip");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("4 entries, more than the limit of 3"),
        "{message}"
    );

    // 4 × 300 KiB of one repeated byte deflates to almost nothing but inflates past 1 MiB.
    let app = spawn_with_settings(|s| s.limits.zip.max_total_bytes = 1024 * 1024).await;
    let packed = zip(&vec![b'x'; 300 * 1024]);
    assert!(packed.len() < 10_000, "{} bytes", packed.len());
    let body = assert_error(post_zip(&app, packed).await, 413, "payload_too_large").await;
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("1048576 bytes"), "{message}");
    assert_eq!(app.store_state().await.3, 0);
}

async fn post_zip(app: &TestApp, body: Vec<u8>) -> reqwest::Response {
    app.post_partners("?filename=package.zip", "application/zip", body)
        .await
}

async fn a_write_past_its_deadline_gets_503_and_changes_nothing() {
    let app = spawn_with(|s| s.write_timeout_secs = 1).await;
    let before = app.store_state().await;
    // An upload whose body never finishes arriving: the deadline must end it.
    let address = app.address.trim_start_matches("http://").to_owned();
    let response = tokio::task::spawn_blocking(move || {
        let mut conn = std::net::TcpStream::connect(address).unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
            .unwrap();
        write!(
            conn,
            "PUT /api/v1/geographies/g HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\nContent-Length: 100000\r\n\r\n{{\"type\":"
        )
        .unwrap();
        let started = std::time::Instant::now();
        let mut buf = [0u8; 4096];
        let n = conn.read(&mut buf).unwrap();
        (String::from_utf8_lossy(&buf[..n]).into_owned(), started.elapsed())
    })
    .await
    .unwrap();
    let (text, waited) = response;
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(text.contains("\"timeout\""), "{text}");
    assert!(text.contains("--write-timeout-secs"), "{text}");
    assert!(waited < std::time::Duration::from_secs(10), "{waited:?}");
    assert_eq!(app.store_state().await, before);

    // Reads keep their own, longer deadline.
    assert_eq!(app.get("/api/v1/geographies").await.status(), 200);
}

/// Sends a request head (and optionally some body) on a raw connection and returns the
/// first bytes of the answer.
fn raw_exchange(address: &str, head: &str, body: impl Fn(&mut std::net::TcpStream)) -> String {
    let mut conn = std::net::TcpStream::connect(address).unwrap();
    conn.set_read_timeout(Some(std::time::Duration::from_secs(20)))
        .unwrap();
    conn.write_all(head.as_bytes()).unwrap();
    body(&mut conn);
    let mut buf = [0u8; 4096];
    let n = conn.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

async fn an_upload_announced_beyond_the_default_256_mib_is_refused_before_its_body() {
    let app = spawn_app().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    // 257 MiB announced, not one byte sent: the answer cannot have waited for the body.
    let head = format!(
        "PUT /api/v1/geographies/g HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\nContent-Length: {}\r\n\r\n",
        257 * 1024 * 1024
    );
    let text = tokio::task::spawn_blocking(move || raw_exchange(&address, &head, |_| {}))
        .await
        .unwrap();
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("256 MiB"), "{text}");
}

async fn a_chunked_upload_is_cut_off_once_it_passes_the_limit() {
    let app = spawn_with(|s| s.max_upload_mb = 1).await;
    let before = app.store_state().await;
    let address = app.address.trim_start_matches("http://").to_owned();
    // No Content-Length: the size is only known while reading, so it is counted.
    let head = format!(
        "PUT /api/v1/geographies/g HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    let text = tokio::task::spawn_blocking(move || {
        raw_exchange(&address, &head, |conn| {
            let chunk = vec![b' '; 64 * 1024];
            // 17 chunks of 64 KiB: just past 1 MiB, and nothing more, so that no unread
            // bytes are left for the server to reset the connection over.
            for _ in 0..17 {
                let frame = [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                if conn.write_all(&frame).is_err() {
                    return;
                }
            }
        })
    })
    .await
    .unwrap();
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert_eq!(app.store_state().await, before);
}

async fn uploads_beyond_the_concurrent_limit_wait_their_turn() {
    let app = spawn_with(|s| s.max_concurrent_uploads = 1).await;
    let address = app.address.trim_start_matches("http://").to_owned();
    // An upload whose body stalls holds the only slot.
    let mut stalled = std::net::TcpStream::connect(&address).unwrap();
    write!(
        stalled,
        "PUT /api/v1/geographies/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\nContent-Type: application/geo+json\r\nContent-Length: 100000\r\n\r\n{{"
    )
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    // A second upload waits for the slot: it is not answered while the first holds it.
    let second = tokio::spawn({
        let client = app.client.clone();
        let url = app.url("/api/v1/geographies/g");
        async move {
            client
                .put(url)
                .bearer_auth(TOKEN)
                .header("Content-Type", "application/geo+json")
                .body(three_areas())
                .send()
                .await
                .unwrap()
                .status()
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert!(!second.is_finished(), "the second upload did not wait");

    // The first upload's client goes away: its slot is freed and the second goes ahead.
    drop(stalled);
    let status = tokio::time::timeout(std::time::Duration::from_secs(20), second)
        .await
        .expect("the second upload was answered")
        .unwrap();
    assert_eq!(status, 200);
    assert_eq!(app.store_state().await.1, 3);
}

async fn cors_is_off_so_other_sites_cannot_read_the_api() {
    let app = spawn_app().await;
    let r = app
        .client
        .get(app.url("/api/v1/needs"))
        .header("Origin", "https://elsewhere.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/partners"))
        .header("Origin", "https://elsewhere.example")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        preflight
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
    assert!(
        preflight
            .headers()
            .get("access-control-allow-methods")
            .is_none()
    );
}

crate::api_tests!(
    the_csv_row_limit_refuses_the_first_row_beyond_it,
    the_csv_column_limit_names_the_first_column_beyond_it,
    the_vertex_limits_per_area_and_per_file_are_configurable,
    the_zip_limits_on_entries_and_inflated_size_are_configurable,
    a_write_past_its_deadline_gets_503_and_changes_nothing,
    an_upload_announced_beyond_the_default_256_mib_is_refused_before_its_body,
    a_chunked_upload_is_cut_off_once_it_passes_the_limit,
    uploads_beyond_the_concurrent_limit_wait_their_turn,
    cors_is_off_so_other_sites_cannot_read_the_api,
);
