//! The command line, run as a real process against a store file.

use crate::helpers::*;
use std::process::Command;

#[test]
fn help_describes_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .arg("--help")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "import", "export"] {
        assert!(text.contains(cmd), "{cmd} missing from --help:\n{text}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args(["import", "--help"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["areas", "indicators", "partners", "stops"] {
        assert!(
            text.contains(cmd),
            "{cmd} missing from import --help:\n{text}"
        );
    }
}

#[test]
fn imports_from_the_command_line_reach_the_store_and_stay_quiet_in_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let areas = dir.path().join("areas.geojson");
    std::fs::write(&areas, three_areas()).unwrap();
    let out = gapmap(
        &db,
        &[
            "import",
            "areas",
            areas.to_str().unwrap(),
            "--geography",
            "g",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Standard error is a pipe here: no progress display.
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["rows"], 3);

    let csv = dir.path().join("ind.csv");
    std::fs::write(&csv, "GEOID,x\n01001000001,5\n").unwrap();
    let out = gapmap(
        &db,
        &[
            "import",
            "indicators",
            csv.to_str().unwrap(),
            "--year",
            "2024",
            "--geography",
            "g",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = gapmap(&db, &["export", "assessment", "--year", "2024"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "GEOID,x\n01001000001,5\n"
    );
}

#[test]
fn gaps_on_the_command_line_take_the_desert_rule_and_refuse_filters_without_data() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let areas = write("areas.geojson", &three_areas());
    let kids = write(
        "kids.csv",
        "GEOID,children_under_5\n01001000001,90\n01001000002,60\n01001000003,0\n",
    );
    let sites = write(
        "sites.csv",
        "id,name,lat,lon,services,capacity\ncc1,Stars,41.805,-87.685,childcare,30\n",
    );
    for args in [
        vec!["import", "areas", &areas, "--geography", "g"],
        vec![
            "import",
            "indicators",
            &kids,
            "--year",
            "2024",
            "--geography",
            "g",
        ],
        vec!["import", "partners", &sites],
    ] {
        gapmap_ok(&db, &args);
    }
    let base = [
        "gaps",
        "--year",
        "2024",
        "--need",
        "childcare",
        "--format",
        "json",
    ];
    let own: serde_json::Value = serde_json::from_str(&gapmap_ok(&db, &base)).unwrap();
    assert_eq!(own["params"]["desert_rule"]["kind"], "cap_childcare");
    let mut args = base.to_vec();
    args.extend(["--desert-rule", "catchment"]);
    let catchment: serde_json::Value = serde_json::from_str(&gapmap_ok(&db, &args)).unwrap();
    assert_eq!(catchment["params"]["desert_rule"]["kind"], "catchment");
    // Area 1: 30 slots inside for 90 children is the target exactly (CAP: no desert); its
    // catchment shares them with area 2's 60 children (2SFCA 0.2 < 1/3: a desert).
    assert_eq!(own["areas"][0]["desert"], false);
    assert_eq!(catchment["areas"][0]["desert"], true);
    let mut args = base.to_vec();
    args.extend(["--hours", "evening"]);
    let out = gapmap(&db, &args);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("records its opening hours"), "{err}");
}

#[test]
fn a_bad_file_on_the_command_line_fails_with_row_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let csv = dir.path().join("p.csv");
    std::fs::write(&csv, "id,name,lat,lon,services\na,A,41.8,-87.6,astrology\n").unwrap();
    let out = gapmap(&db, &["import", "partners", csv.to_str().unwrap()]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("p.csv, row 2, field 'services'"), "{err}");
}

#[test]
fn serve_refuses_to_start_with_open_writes_unless_told() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let out = Command::new(env!("CARGO_BIN_EXE_gapmap"))
        .args(["--db", &db, "serve", "--no-demo", "--bind", "127.0.0.1:0"])
        .env_remove("GAPMAP_ADMIN_TOKEN")
        .env_remove("GAPMAP_ALLOW_ANONYMOUS_WRITES")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("writes need a token"));
}

#[test]
fn a_partner_and_a_site_are_edited_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let csv = dir.path().join("p.csv");
    std::fs::write(
        &csv,
        "id,name,partner,kind,lat,lon,services,capacity,partnership_stage\n\
         a,A,Little Stars,child care center,41.8,-87.6,childcare,113,getting_together\n",
    )
    .unwrap();
    gapmap_ok(&db, &["import", "partners", csv.to_str().unwrap()]);
    let out = gapmap_ok(
        &db,
        &[
            "edit",
            "partner",
            "little-stars",
            r#"{"partnership_stage": "taking_action"}"#,
        ],
    );
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["partner"]["partnership_stage"], "taking_action");
    gapmap_ok(&db, &["edit", "site", "a", r#"{"languages": ["es"]}"#]);
    let export = gapmap_ok(&db, &["export", "partners"]);
    let row = export.lines().nth(1).unwrap();
    assert!(
        row.starts_with(
            "a,A,Little Stars,little-stars,child care center,41.8,-87.6,childcare,childcare=113,es,"
        ),
        "{row}"
    );
    assert!(row.contains(",taking_action,"), "{row}");
    let history: serde_json::Value =
        serde_json::from_str(&gapmap_ok(&db, &["history", "little-stars"])).unwrap();
    assert_eq!(history["history"][0]["to"], "taking_action");
    assert_eq!(history["history"][0]["from"], "getting_together");
    assert_eq!(history["history"][1]["to"], "getting_together");
    let bad = gapmap(&db, &["edit", "site", "a", r#"{"hours": "sometimes"}"#]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("hours"));
}

#[test]
fn opportunities_are_ranked_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let areas = write("areas.geojson", &three_areas());
    gapmap_ok(&db, &["import", "areas", &areas, "--geography", "g"]);
    let ind = write(
        "ind.csv",
        "GEOID,children_under_5\n01001000001,300\n01001000002,0\n01001000003,60\n",
    );
    gapmap_ok(
        &db,
        &[
            "import",
            "indicators",
            &ind,
            "--year",
            "2024",
            "--geography",
            "g",
        ],
    );
    // The fixture of tests/api/opportunities.rs, without its far and cooperating sites.
    let sites = write(
        "p.csv",
        "id,name,partner,partner_id,lat,lon,services,capacity\n\
         cc-3,Kids Center,Little Stars,little-stars,41.805,-87.665,childcare,30\n\
         lib-1,Branch Library,Public Library,library,41.805,-87.685,adult_education,\n",
    );
    gapmap_ok(&db, &["import", "partners", &sites]);
    let csv = gapmap_ok(
        &db,
        &["opportunities", "--year", "2024", "--need", "childcare"],
    );
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.starts_with("1,library,Public Library,lib-1,Branch Library,,,-87.685,41.805,30,90,"),
        "{csv}"
    );
    // Siting at the same real places: the library is the only one, with the same gain.
    let json = gapmap_ok(
        &db,
        &[
            "siting",
            "--year",
            "2024",
            "--need",
            "childcare",
            "--k",
            "3",
            "--candidates",
            "assets",
        ],
    );
    let body: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(body["params"]["candidates"], "assets", "{json}");
    let s = body["suggestions"].as_array().unwrap();
    assert_eq!(s.len(), 1, "{json}");
    assert_eq!(
        (&s[0]["site_id"], &s[0]["gain"]),
        (&serde_json::json!("lib-1"), &serde_json::json!(30.0))
    );
}

/// An import on the command line builds no Atlas: it checks the upload against what the
/// store holds (the geographies' extents, the previous year, the areas and sites a
/// matrix names), and finds what a server's upload finds.
#[test]
fn command_line_imports_check_against_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db").display().to_string();
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let areas = file("areas.geojson", &three_areas());
    gapmap_ok(&db, &["import", "areas", &areas, "--geography", "g"]);

    // The extent: a site far from the areas is a warning, one whose swapped coordinates
    // fall inside them is refused (and nothing is stored).
    let far = file(
        "far.csv",
        "id,name,lat,lon,services\nfar,Far,-80.0,41.805,childcare\n",
    );
    let report: serde_json::Value =
        serde_json::from_str(&gapmap_ok(&db, &["import", "partners", &far])).unwrap();
    assert!(
        report["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1 sites lie more than ~50 km outside"),
        "{report}"
    );
    let swapped = file(
        "swapped.csv",
        "id,name,lat,lon,services\nsw,Swapped,-87.695,41.805,childcare\n",
    );
    let out = gapmap(&db, &["import", "partners", &swapped, "--mode", "replace"]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("swapped"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let export = gapmap_ok(&db, &["export", "partners"]);
    assert!(
        export.contains("\nfar,") && !export.contains("\nsw,"),
        "{export}"
    );

    // The previous year, from the store.
    let before = file(
        "2023.csv",
        "GEOID,children_under_5\n01001000001,100\n01001000002,100\n01001000003,10\n",
    );
    gapmap_ok(
        &db,
        &[
            "import",
            "indicators",
            &before,
            "--year",
            "2023",
            "--geography",
            "g",
        ],
    );
    let now = file(
        "2024.csv",
        "GEOID,children_under_5\n01001000001,310\n01001000002,250\n01001000003,40\n",
    );
    let report: serde_json::Value = serde_json::from_str(&gapmap_ok(
        &db,
        &[
            "import",
            "indicators",
            &now,
            "--year",
            "2024",
            "--geography",
            "g",
        ],
    ))
    .unwrap();
    let w = report["warnings"].as_array().unwrap();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0]["message"]
            .as_str()
            .unwrap()
            .contains("3.1 times the 100 of 2023"),
        "{w:?}"
    );

    // A matrix naming an area the geography does not hold is refused …
    let matrix = file(
        "times.csv",
        "from_id,to_id,travel_time\n01001000001,01001000002,5\n01001000001,01001000009,7\n",
    );
    let out = gapmap(
        &db,
        &[
            "import",
            "travel-times",
            &matrix,
            "--mode",
            "drive",
            "--geography",
            "g",
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("01001000009"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // … and a matrix to the stored sites (here the one far site) is taken.
    let matrix = file(
        "times.csv",
        "from_id,to_id,travel_time\n01001000001,far,5\n01001000002,far,6\n",
    );
    gapmap_ok(
        &db,
        &[
            "import",
            "travel-times",
            &matrix,
            "--mode",
            "drive",
            "--geography",
            "g",
        ],
    );
}
