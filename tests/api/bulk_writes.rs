//! The partner directory is written in multi-row statements. Whatever the number of rows
//! a statement holds, the store ends up the same as with one statement per row: the same
//! partners and sites, the same history of levels and stages, the same audit record, the
//! same reports; a no-change upload writes nothing and a refused one leaves the store
//! as it was. Each store below takes the same uploads, written 1, 7 and 1,000 rows a
//! statement (7: 310 sites make 44 full statements and a short one).

use crate::helpers::*;
use gapmap::imports::{Mode, Services};
use gapmap::ingest::{InputFile, Untracked};
use serde_json::Value;

const HEAD: &str = "id,name,partner,lat,lon,services,capacity,languages,hours,partnership_level,partnership_stage\n";

/// Site `i` of partner `i / 10`, inside the three test areas; every fifth speaks
/// Spanish, every third keeps hours, the first site of each partner states its level.
fn site_row(i: usize, capacity: usize) -> String {
    site_row_with(
        i,
        capacity,
        if i.is_multiple_of(5) { "en;es" } else { "en" },
        "",
    )
}

fn site_row_with(i: usize, capacity: usize, languages: &str, stage: &str) -> String {
    // lon -87.689000 … -87.664100: text, so that no float is printed.
    let lon = format!("-87.{:06}", 689_000 - (i % 250) * 100);
    let hours = if i.is_multiple_of(3) {
        "Mo-Fr 08:00-17:00"
    } else {
        ""
    };
    let level = if i.is_multiple_of(10) {
        "collaboration"
    } else {
        ""
    };
    format!(
        "s{i:03},Site {i},Partner {:02},41.805,{lon},childcare,{capacity},{languages},{hours},{level},{stage}\n",
        i / 10
    )
}

fn csv(rows: impl Iterator<Item = String>) -> String {
    let mut out = HEAD.to_owned();
    out.extend(rows);
    out
}

/// The uploads, in order: 300 new sites; a merge that changes 150 capacities, clears one
/// site's languages, moves one partner's stage and adds 10 sites; a replace that keeps
/// s100–s309 (s000–s099 and their partners 00–09 go); the same replace again (nothing
/// changes); a merge refused for a new site without a position.
fn uploads() -> Vec<(Mode, String)> {
    let first = csv((0..300).map(|i| site_row(i, i)));
    let merge = csv((0..150)
        .map(|i| match i {
            2 => site_row_with(i, 1000 + i, "", ""),
            10 => site_row_with(i, 1000 + i, "en;es", "taking_action"),
            _ => site_row(i, 1000 + i),
        })
        .chain((300..310).map(|i| site_row(i, i))));
    let replace = csv((100..310).map(|i| site_row(i, if i < 150 { 1000 + i } else { i })));
    let refused = format!("{HEAD}s999,Lost,Partner 99,,,childcare,5,,,,\n");
    vec![
        (Mode::Merge, first),
        (Mode::Merge, merge),
        (Mode::Replace, replace.clone()),
        (Mode::Replace, replace),
        (Mode::Merge, refused),
    ]
}

/// What the uploads made of a store: every report (or refusal), partner, site, history
/// entry and audit entry (without their clock times) and the data version.
async fn written(services: &Services) -> (Vec<Value>, Value) {
    let mut reports = Vec::new();
    for (n, (mode, body)) in uploads().into_iter().enumerate() {
        let file = InputFile::new(format!("upload-{n}.csv"), body.into_bytes());
        let report = services
            .import_partners("tester", vec![file], mode, Untracked::Refuse)
            .await;
        reports.push(match report {
            Ok(r) => serde_json::to_value(&r).unwrap(),
            Err(e) => serde_json::json!({"refused": e.to_string()}),
        });
    }
    let store = &services.store;
    let partners = store.partners().await.unwrap();
    let mut history = Vec::new();
    for p in &partners {
        for mut h in store.partner_history(&p.id).await.unwrap().unwrap() {
            h.at.clear();
            history.push(serde_json::to_value(&h).unwrap());
        }
    }
    let mut audit = serde_json::to_value(store.audit_log(100).await.unwrap()).unwrap();
    for entry in audit.as_array_mut().unwrap() {
        entry["at"] = Value::Null;
    }
    let state = serde_json::json!({
        "data_version": store.data_version().await.unwrap(),
        "partners": serde_json::to_value(&partners).unwrap(),
        "sites": serde_json::to_value(store.sites().await.unwrap()).unwrap(),
        "history": history,
        "audit": audit,
    });
    (reports, state)
}

async fn a_bulk_write_stores_what_one_statement_a_row_stores() {
    let mut results = Vec::new();
    for rows in [1, 7, 1000] {
        let app = spawn_app().await;
        assert_eq!(app.put_areas("sq", &three_areas()).await.status(), 200);
        let mut services = app.services.clone();
        services.store = services.store.clone().with_statement_rows(rows);
        results.push(written(&services).await);
    }
    let (reports, state) = &results[0];
    for (other_reports, other_state) in &results[1..] {
        assert_eq!(other_reports, reports);
        assert_eq!(other_state, state);
    }

    // By hand: 300 sites of 30 partners added (each partner's level from its first site).
    assert_eq!(reports[0]["summary"]["added"], 300);
    assert_eq!(reports[0]["summary"]["partners"]["added"], 30);
    // 150 capacities changed, s002's languages cleared, 10 sites and one stage added.
    let merge = &reports[1]["summary"];
    assert_eq!(
        (&merge["added"], &merge["changed"], &merge["unchanged"]),
        (&Value::from(10), &Value::from(150), &Value::from(0))
    );
    assert_eq!(merge["partners"]["changed"], 1);
    assert_eq!(merge["partners"]["added"], 1, "partner 30 of s300–s309");
    let s002 = merge["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "s002")
        .unwrap();
    assert_eq!(s002["cleared"], serde_json::json!(["languages"]));
    // The replace removes s000–s099 and partners 00–09; doing it again changes nothing.
    let replace = &reports[2]["summary"];
    assert_eq!(
        (&replace["removed"], &replace["partners"]["removed"]),
        (&Value::from(100), &Value::from(10))
    );
    assert_eq!(reports[3]["unchanged"], true);
    assert!(reports[4]["refused"].is_string(), "{}", reports[4]);

    let sites = state["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 210);
    let s120 = sites.iter().find(|s| s["id"] == "s120").unwrap();
    assert_eq!(s120["services"][0]["capacity"], 1120.0);
    assert_eq!(s120["hours"], "Mo-Fr 08:00-17:00");
    let s151 = sites.iter().find(|s| s["id"] == "s151").unwrap();
    assert_eq!(s151["services"][0]["capacity"], 151.0);
    assert_eq!(s151["hours"], Value::Null);
    assert_eq!(state["partners"].as_array().unwrap().len(), 21);
    // Areas, three directory writes (the fourth and fifth wrote nothing), one audit each.
    assert_eq!(state["data_version"], 4);
    let audit = state["audit"].as_array().unwrap();
    assert_eq!(audit.len(), 4);
    assert_eq!(audit[0]["action"], "replace_partners");
    assert_eq!(audit[0]["removed"], 100);
    // Levels of partners 10–30 as first set, and partner 01's stage (gone with it).
    let history = state["history"].as_array().unwrap();
    assert_eq!(history.len(), 21);
    assert!(history.iter().all(|h| h["field"] == "partnership_level"));
}

crate::api_tests!(a_bulk_write_stores_what_one_statement_a_row_stores);
