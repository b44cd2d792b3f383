//! Faults of the store: a PostgreSQL restart cuts every connection of a running gapmap.
//! Reads go on from the in-memory Atlas, writes get 503 (never 500) until the pool has
//! reconnected, and nothing stored is lost. (Process kills are in crash.rs.)

use crate::helpers::*;
use std::time::{Duration, Instant};

#[tokio::test]
#[cfg_attr(not(postgres_tests), ignore = "GAPMAP_TEST_POSTGRES_URL is not set")]
async fn a_database_restart_is_survived_without_losing_data() {
    let admin = postgres_url();
    BACKEND
        .scope(Backend::Postgres, async move {
            let app = spawn_app().await;
            assert_eq!(app.put_areas("g", &three_areas()).await.status(), 200);
            let name = app.db.url.rsplit('/').next().unwrap().to_owned();

            // What a server restart or failover does to the connections.
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .unwrap();
            let cut = sqlx::query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid()",
            )
            .bind(&name)
            .fetch_all(&mut conn)
            .await
            .unwrap();
            assert!(!cut.is_empty(), "gapmap held no connection to cut");

            // Reads are answered from memory.
            let areas = app.get_json("/api/v1/geographies/g/areas").await;
            assert_eq!(areas["features"].as_array().unwrap().len(), 3);

            // Writes: each answer is 200 or a 503 to retry, and one soon succeeds.
            let started = Instant::now();
            let mut refused = 0;
            loop {
                let r = app.put_areas("h", &three_areas()).await;
                let status = r.status().as_u16();
                assert!(status == 200 || status == 503, "status {status}");
                if status == 200 {
                    break;
                }
                refused += 1;
                assert!(
                    started.elapsed() < Duration::from_secs(20),
                    "never reconnected"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            eprintln!("writes refused with 503 before the pool reconnected: {refused}");
            assert_eq!(app.get("/readyz").await.status(), 200);
            // Both geographies are stored, whole.
            assert_eq!(app.store_state().await.1, 6);
        })
        .await;
}
