-- Areas' polygons as WKB (OGC Simple Features Well-Known Binary: little-endian, one 2D
-- MultiPolygon) in `geometry_wkb`, read back without parsing text. `geometry`, the
-- GeoJSON text of the rows written before, becomes nullable: when the store opens,
-- gapmap converts those rows to WKB and clears their text (src/store/geographies.rs).
-- SQLite cannot drop a NOT NULL constraint, so the table is copied.
CREATE TABLE areas_wkb (
    geography     TEXT NOT NULL REFERENCES geographies(name) ON DELETE CASCADE,
    geoid         TEXT NOT NULL,
    seq           INTEGER NOT NULL,
    name          TEXT NOT NULL,
    geometry      TEXT, -- GeoJSON geometry of rows not yet converted, else NULL
    demand_lon    REAL NOT NULL,
    demand_lat    REAL NOT NULL,
    demand_source TEXT NOT NULL,
    geometry_wkb  BLOB, -- WKB MultiPolygon, WGS84 lon/lat
    PRIMARY KEY (geography, geoid)
);
INSERT INTO areas_wkb (geography, geoid, seq, name, geometry, demand_lon, demand_lat, demand_source)
    SELECT geography, geoid, seq, name, geometry, demand_lon, demand_lat, demand_source FROM areas;
DROP TABLE areas;
ALTER TABLE areas_wkb RENAME TO areas;
