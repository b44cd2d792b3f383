use super::*;
use approx::assert_relative_eq;

const B01001_CSV: &str = include_str!("../../../tests/fixtures/census/ACSDT5Y2022.B01001-Data.csv");
const B17001_JSON: &str =
    include_str!("../../../tests/fixtures/census/acs5_2022_B17001_tracts_17031.json");

/// The four Chicago tracts of the fixtures (tract 8001 is outside).
const TRACTS: [&str; 4] = ["17031010100", "17031010201", "17031010202", "17031010300"];

fn geoids(ids: &[&str]) -> Vec<Geoid> {
    ids.iter().map(|s| Geoid::parse(s).unwrap()).collect()
}

fn import(files: &[(&str, &str)]) -> Result<CensusImport> {
    let files: Vec<InputFile> = files.iter().map(|(n, t)| InputFile::new(*n, *t)).collect();
    read(
        &files,
        "tracts-2010",
        &geoids(&TRACTS),
        &IndicatorCatalog::bundled(),
        &TableLimits::default(),
    )
}

fn both() -> CensusImport {
    import(&[
        ("ACSDT5Y2022.B01001-Data.csv", B01001_CSV),
        ("acs5_2022_B17001_tracts_17031.json", B17001_JSON),
    ])
    .unwrap()
}

/// (estimate, margin) of an indicator in the area.
fn value(i: &CensusImport, geoid: &str, name: &str) -> (Option<f64>, Option<f64>) {
    let row = i
        .table
        .rows
        .iter()
        .find(|r| r.geoid.as_str() == geoid)
        .unwrap();
    let e = i.table.column(name).unwrap();
    let m = i.table.column(&format!("{name}_moe")).unwrap();
    (row.values[e], row.values[m])
}

#[test]
fn sums_and_margins_match_the_hand_computed_fixture() {
    let i = both();
    assert_eq!(
        value(&i, "17031010100", "children_under_5"),
        (Some(200.0), Some(50.0))
    );
    assert_eq!(
        value(&i, "17031010201", "children_under_5"),
        (Some(440.0), Some(65.0))
    );
    assert_eq!(
        value(&i, "17031010202", "children_under_5"),
        (Some(35.0), Some(20.0))
    );
    assert_eq!(
        value(&i, "17031010300", "children_under_5"),
        (Some(290.0), Some(65.0))
    );
    assert_eq!(
        value(&i, "17031010100", "children_under_5_poverty"),
        (Some(73.0), Some(29.0))
    );
    assert_eq!(
        value(&i, "17031010201", "children_under_5_poverty"),
        (Some(12.0), Some(20.0))
    );
    assert_eq!(
        value(&i, "17031010202", "children_under_5_poverty"),
        (Some(24.0), Some(5.0))
    );
}

#[test]
fn a_jam_value_makes_the_derived_indicator_missing() {
    let i = both();
    // B17001_004E of tract 103 is -666666666.
    assert_eq!(
        value(&i, "17031010300", "children_under_5_poverty"),
        (None, None)
    );
    assert!(
        i.warnings
            .iter()
            .any(|w| w.message.starts_with("children_under_5_poverty: 1 areas")),
        "{:?}",
        i.warnings
    );
}

#[test]
fn a_controlled_margin_is_zero_and_a_jammed_margin_is_missing() {
    let i = both();
    // Tract 102.02's B01001_001M is *****.
    assert_eq!(
        value(&i, "17031010202", "total_population"),
        (Some(6604.0), Some(0.0))
    );
    // Tract 102.01's B17001_047M is -222222222: the share has an estimate, no margin.
    let (share, moe) = value(&i, "17031010201", "children_under_5_poverty_share");
    assert_relative_eq!(share.unwrap(), 12.0 / 293.0);
    assert_eq!(moe, None);
}

#[test]
fn the_share_uses_the_proportion_formula_and_its_ratio_fallback() {
    let i = both();
    let (p, moe) = value(&i, "17031010100", "children_under_5_poverty_share");
    assert_relative_eq!(p.unwrap(), 0.365);
    let expected = (29f64.powi(2) - 0.365f64.powi(2) * 45f64.powi(2)).sqrt() / 200.0;
    assert_relative_eq!(moe.unwrap(), expected, epsilon = 1e-12);
    assert_relative_eq!(moe.unwrap(), 0.119_501, epsilon = 1e-6);
    // Tract 102.02: 24/30 = 0.8; 5² − 0.64·425 < 0, so √(25 + 0.64·425) / 30.
    let (p, moe) = value(&i, "17031010202", "children_under_5_poverty_share");
    assert_relative_eq!(p.unwrap(), 0.8);
    assert_relative_eq!(moe.unwrap(), 297f64.sqrt() / 30.0, epsilon = 1e-12);
}

#[test]
fn only_indicators_whose_tables_were_uploaded_are_derived() {
    let i = both();
    let names = i.table.indicators();
    assert_eq!(
        names,
        [
            "children_under_5",
            "children_under_5_poverty",
            "children_under_5_poverty_share",
            "total_population"
        ]
    );
    let one = import(&[("b01001.csv", B01001_CSV)]).unwrap();
    assert_eq!(
        one.table.indicators(),
        ["children_under_5", "total_population"]
    );
}

#[test]
fn areas_outside_the_geography_are_left_out_with_a_warning() {
    let i = both();
    let ids: Vec<&str> = i.table.rows.iter().map(|r| r.geoid.as_str()).collect();
    assert_eq!(ids, TRACTS);
    assert!(
        i.warnings.iter().any(|w| w
            .message
            .contains("1 areas of these tables are not in the geography")
            && w.message.contains("17031800100")),
        "{:?}",
        i.warnings
    );
    // Rows are traced to the file they came from (the second header row is row 2).
    assert_eq!(
        i.origins.rows[0],
        Origin {
            file: "ACSDT5Y2022.B01001-Data.csv".into(),
            row: 3
        }
    );
    // An indicator derived from the other table names that one.
    assert_eq!(
        i.origins.at(0, "children_under_5_poverty"),
        Some(&Origin {
            file: "acs5_2022_B17001_tracts_17031.json".into(),
            row: 2
        })
    );
}

#[test]
fn tables_none_of_whose_areas_is_in_the_geography_are_refused() {
    let files = [InputFile::new("b01001.csv", B01001_CSV)];
    let e = read(
        &files,
        "block-groups",
        &geoids(&["170310101001"]),
        &IndicatorCatalog::bundled(),
        &TableLimits::default(),
    )
    .unwrap_err();
    assert_eq!(e.code(), Code::UnknownGeoid);
    let d = &e.details()[0];
    assert_eq!(
        (d.file.as_deref(), d.row, d.field.as_deref()),
        (Some("b01001.csv"), Some(3), Some("GEO_ID"))
    );
    assert!(
        e.message().contains("tracts or block groups"),
        "{}",
        e.message()
    );
}

#[test]
fn api_geoids_are_rebuilt_with_their_leading_zeros() {
    // Alabama (01), Autauga County (001): a spreadsheet turned the codes into numbers.
    let json = r#"[["NAME","B01001_003E","B01001_003M","B01001_027E","B01001_027M","state","county","tract","block group"],
["Block Group 1","10","3","20","4",1,1,20100,1]]"#;
    let files = [InputFile::new("bg.json", json)];
    let i = read(
        &files,
        "bg",
        &geoids(&["010010201001"]),
        &IndicatorCatalog::bundled(),
        &TableLimits::default(),
    )
    .unwrap();
    assert_eq!(i.table.rows[0].geoid.as_str(), "010010201001");
    assert_eq!(i.table.rows[0].values[..2], [Some(30.0), Some(5.0)]);
}

#[test]
fn a_bad_cell_is_refused_with_file_row_and_field() {
    let bad = B17001_JSON.replace(r#""45","20""#, r#""45","twenty""#);
    let e = import(&[("b17001.json", &bad)]).unwrap_err();
    let d = &e.details()[0];
    assert_eq!(
        (d.file.as_deref(), d.row, d.field.as_deref()),
        (Some("b17001.json"), Some(2), Some("B17001_004M"))
    );
    let bad = B01001_CSV.replacen(r#""120","30""#, r#""-120","30""#, 1);
    let e = import(&[("b01001.csv", &bad)]).unwrap_err();
    let d = &e.details()[0];
    assert_eq!((d.row, d.field.as_deref()), (Some(3), Some("B01001_003E")));
    assert!(d.message.contains("negative"), "{}", d.message);
}

#[test]
fn two_tables_disagreeing_on_a_value_are_refused() {
    let copy = B01001_CSV.replacen(r#""120","30""#, r#""121","30""#, 1);
    let e = import(&[("a.csv", B01001_CSV), ("b.csv", &copy)]).unwrap_err();
    let d = &e.details()[0];
    assert_eq!((d.file.as_deref(), d.row), (Some("b.csv"), Some(3)));
    assert!(d.message.contains("a.csv row 3"), "{}", d.message);
    // The same table twice is harmless.
    assert!(import(&[("a.csv", B01001_CSV), ("b.csv", B01001_CSV)]).is_ok());
}

#[test]
fn a_table_no_recipe_reads_is_refused_naming_the_tables_that_are() {
    let json = r#"[["NAME","B19013_001E","B19013_001M","state","county","tract"],
["Tract 101","52000","9000","17","031","010100"]]"#;
    let e = import(&[("income.json", json)]).unwrap_err();
    assert_eq!(e.code(), Code::InvalidFile);
    assert!(e.message().contains("B19013_001"), "{}", e.message());
    assert!(e.message().contains("B01001"), "{}", e.message());
}

#[test]
fn an_api_answer_without_geography_columns_is_refused() {
    let json = r#"[["NAME","B01001_003E"],["x","1"]]"#;
    let e = import(&[("x.json", json)]).unwrap_err();
    assert!(e.message().contains("names no area"), "{}", e.message());
}

#[test]
fn a_duplicate_area_in_one_table_is_refused() {
    let json = r#"[["B01001_003E","B01001_027E","state","county","tract"],
["1","2","17","031","010100"],
["1","2","17","031","010100"]]"#;
    let e = import(&[("dup.json", json)]).unwrap_err();
    assert_eq!(e.code(), Code::DuplicateId);
    assert_eq!(e.details()[0].row, Some(3));
}
