//! Crash safety: a gapmap process killed with SIGKILL in the middle of an import leaves
//! the store with the old data or the new, whole; readers never see a mix.

use crate::helpers::*;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// `n` small square areas in a grid.
fn grid_areas(n: usize, tag: &str) -> String {
    let mut out = String::from(r#"{"type":"FeatureCollection","features":["#);
    for i in 0..n {
        let (x, y) = (
            -88.0 + (i % 200) as f64 * 0.001,
            41.0 + (i / 200) as f64 * 0.001,
        );
        if i > 0 {
            out.push(',');
        }
        out.push_str(&format!(
            r#"{{"type":"Feature","properties":{{"GEOID":"{i:012}","NAME":"{tag} {i}"}},"geometry":{{"type":"Polygon","coordinates":[[[{x},{y}],[{x1},{y}],[{x1},{y1}],[{x},{y1}],[{x},{y}]]]}}}}"#,
            x1 = x + 0.001,
            y1 = y + 0.001
        ));
    }
    out.push_str("]}");
    out
}

fn start(db: &str, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args([
            "--db",
            db,
            "serve",
            "--no-demo",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .env("GAPMAP_ADMIN_TOKEN", TOKEN)
        .env("GAPMAP_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gapmap starts")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        if client
            .get(format!("{base}/readyz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("gapmap did not become ready");
}

async fn area_names(client: &reqwest::Client, base: &str) -> Vec<String> {
    let fc: serde_json::Value = client
        .get(format!("{base}/api/v1/geographies/g/areas"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    fc["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["properties"]["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_process_killed_mid_import_keeps_the_old_data_or_the_new_whole() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db").display().to_string();
    let client = reqwest::Client::new();
    let old = grid_areas(10, "old");
    let new = grid_areas(20_000, "new");

    // Kill at several moments of the import: while the body uploads, while it parses,
    // while it writes, after it commits. Every outcome must be whole.
    for delay_ms in [0u64, 150, 400, 900, 2000] {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = start(&db, port);
        wait_ready(&client, &base).await;
        let r = client
            .put(format!("{base}/api/v1/geographies/g"))
            .bearer_auth(TOKEN)
            .header("Content-Type", "application/geo+json")
            .body(old.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);

        let upload = tokio::spawn({
            let client = client.clone();
            let url = format!("{base}/api/v1/geographies/g");
            let body = new.clone();
            async move {
                let _ = client
                    .put(url)
                    .bearer_auth(TOKEN)
                    .header("Content-Type", "application/geo+json")
                    .body(body)
                    .send()
                    .await;
            }
        });
        tokio::time::sleep(Duration::from_millis(delay_ms)).await;
        child.kill().expect("SIGKILL");
        child.wait().unwrap();
        let _ = upload.await;

        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = start(&db, port);
        wait_ready(&client, &base).await;
        let names = area_names(&client, &base).await;
        let all_old = names.len() == 10 && names.iter().all(|n| n.starts_with("old "));
        let all_new = names.len() == 20_000 && names.iter().all(|n| n.starts_with("new "));
        eprintln!(
            "killed at {delay_ms} ms: {}",
            if all_new { "new data" } else { "old data" }
        );
        assert!(
            all_old || all_new,
            "after a kill at {delay_ms} ms the store holds {} areas, mixed",
            names.len()
        );
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

async fn readers_during_an_import_see_the_old_or_the_new_never_a_mix() {
    let app = spawn_app().await;
    app.put_areas("g", &grid_areas(10, "old")).await;
    let writer = {
        let body = grid_areas(3_000, "new");
        let url = app.url("/api/v1/geographies/g");
        let client = app.client.clone();
        tokio::spawn(async move {
            client
                .put(url)
                .bearer_auth(TOKEN)
                .header("Content-Type", "application/geo+json")
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        })
    };
    let mut seen = std::collections::BTreeSet::new();
    while !writer.is_finished() {
        let names = area_names(&app.client, &app.address).await;
        let kinds: std::collections::BTreeSet<_> = names
            .iter()
            .map(|n| n.split(' ').next().unwrap().to_owned())
            .collect();
        assert_eq!(kinds.len(), 1, "a read mixed old and new areas");
        seen.insert((names.len(), kinds.into_iter().next().unwrap()));
    }
    assert_eq!(writer.await.unwrap(), 200);
    let names = area_names(&app.client, &app.address).await;
    assert_eq!(names.len(), 3_000);
    assert!(
        seen.iter()
            .all(|(n, k)| (*n == 10 && k == "old") || (*n == 3_000 && k == "new")),
        "{seen:?}"
    );
}

crate::api_tests!(readers_during_an_import_see_the_old_or_the_new_never_a_mix);
