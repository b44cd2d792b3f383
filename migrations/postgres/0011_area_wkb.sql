-- Areas' polygons as WKB (OGC Simple Features Well-Known Binary: little-endian, one 2D
-- MultiPolygon) in `geometry_wkb`, read back without parsing text. `geometry`, the
-- GeoJSON text of the rows written before, becomes nullable: when the store opens,
-- gapmap converts those rows to WKB and clears their text (src/store/geographies.rs).
ALTER TABLE areas ALTER COLUMN geometry DROP NOT NULL;
ALTER TABLE areas ADD COLUMN geometry_wkb BYTEA;
