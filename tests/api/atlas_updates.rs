//! After a write, the Atlas is updated from the parts of the store that changed, sharing
//! the others with the Atlas before; the answer must be the Atlas built from the whole
//! store, on the replica that wrote and on one that only polls.

use crate::helpers::*;
use gapmap::atlas::{Atlas, Snapshot};
use std::sync::Arc;

/// Everything an Atlas holds, in a form two Atlases compare by (the GEOID lookups are
/// hash maps, whose order differs between two maps of the same entries).
fn content(a: &Atlas) -> String {
    let geographies: Vec<String> = a
        .geographies
        .iter()
        .map(|(name, g)| {
            let mut by_geoid: Vec<_> = g.by_geoid.iter().collect();
            by_geoid.sort();
            format!(
                "{name}: {:?} {by_geoid:?} {:?} {:?} {:?} {:?}",
                g.geography, g.bbox, g.area_index, g.demand_points, g.site_area
            )
        })
        .collect();
    format!(
        "{} {:?} {:?}\n{geographies:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        a.data_version,
        a.parts,
        a.catalog.needs(),
        a.assessments,
        a.partners,
        a.sites,
        a.site_index,
        a.records,
        a.travel
    )
}

async fn assert_the_stores(app: &TestApp, atlas: &Atlas) {
    let built = Atlas::build(
        Snapshot::read(&app.services.store).await.unwrap(),
        app.services.catalog.clone(),
    );
    assert_eq!(built.data_version, atlas.data_version);
    assert_eq!(content(&built), content(atlas));
}

const SITES: &str = "id,name,lat,lon,services,capacity,languages,hours\n\
s1,One,41.805,-87.685,childcare,30,,\n\
s2,Two,41.805,-87.675,childcare,20,es,\n";
const MORE_SITES: &str = "id,name,lat,lon,services,capacity,languages,hours\n\
s2,Two,41.805,-87.665,childcare,25,es,\n\
s3,Three,41.805,-87.695,childcare;food,10,,\n";
const INDICATORS: &str = "GEOID,children_under_5\n01001000001,100\n01001000002,50\n01001000003,0\n";

async fn an_updated_atlas_equals_the_one_built_from_the_store() {
    let app = spawn_app().await;
    let replica = spawn_on(app.db.clone(), |_| {}).await;
    assert_eq!(app.put_areas("sq", &three_areas()).await.status(), 200);
    let after_areas = app.services.atlas.get();
    assert_the_stores(&app, &after_areas).await;

    assert_eq!(
        app.put_assessment(2024, "sq", INDICATORS).await.status(),
        200
    );
    let after_indicators = app.services.atlas.get();
    assert_the_stores(&app, &after_indicators).await;
    // The areas and their R-trees are shared, not rebuilt.
    assert!(std::ptr::eq(
        &after_areas.geographies["sq"].geography,
        &after_indicators.geographies["sq"].geography
    ));

    for (query, sites) in [
        ("?filename=sites.csv", SITES),
        ("?mode=merge&filename=more.csv", MORE_SITES),
        ("?mode=replace&filename=sites.csv", SITES),
    ] {
        let before = app.services.atlas.get();
        let r = app.post_partners(query, "text/csv", sites.to_owned()).await;
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
        let after = app.services.atlas.get();
        assert!(after.data_version > before.data_version);
        assert_the_stores(&app, &after).await;
        // Only the directory was read and built again.
        assert!(std::ptr::eq(
            &before.geographies["sq"].geography,
            &after.geographies["sq"].geography
        ));
        assert!(Arc::ptr_eq(&before.assessments, &after.assessments));
        assert!(!Arc::ptr_eq(&before.sites, &after.sites));
    }
    // After an indicators write the sites are shared too.
    let before = app.services.atlas.get();
    let more = "GEOID,children_under_5\n01001000001,90\n01001000002,50\n01001000003,5\n";
    assert_eq!(app.put_assessment(2024, "sq", more).await.status(), 200);
    let after = app.services.atlas.get();
    assert!(Arc::ptr_eq(&before.sites, &after.sites));
    assert!(Arc::ptr_eq(
        &before.geographies["sq"].site_area,
        &after.geographies["sq"].site_area
    ));
    assert_the_stores(&app, &after).await;
    // New areas locate the sites again.
    let two = three_areas().replace("Area 3", "Area three");
    assert_eq!(app.put_areas("sq", &two).await.status(), 200);
    assert_the_stores(&app, &app.services.atlas.get()).await;

    // The replica that only polls reads the changed parts and ends with the same Atlas.
    let version = app.services.atlas.get().data_version;
    let mut polled = replica.services.atlas.get();
    for _ in 0..100 {
        if polled.data_version == version {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        polled = replica.services.atlas.get();
    }
    assert_eq!(polled.data_version, version);
    assert_the_stores(&replica, &polled).await;
    let path = "/api/v1/gaps?year=2024&need=childcare&format=csv";
    assert_eq!(
        app.get(path).await.text().await.unwrap(),
        replica.get(path).await.text().await.unwrap()
    );
}

crate::api_tests!(an_updated_atlas_equals_the_one_built_from_the_store);
