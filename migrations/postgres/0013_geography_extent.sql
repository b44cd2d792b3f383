-- Each geography's extent: the bounding box of its areas' polygons (WGS84 lon/lat),
-- written with the areas, so that a command checking where uploaded sites lie reads four
-- numbers instead of every polygon (NULL for a geography without areas). A geography
-- stored before this migration (extent_known = 0) gets its extent when the store is next opened
-- (src/store/geographies.rs).
ALTER TABLE geographies ADD COLUMN min_lon DOUBLE PRECISION;
ALTER TABLE geographies ADD COLUMN min_lat DOUBLE PRECISION;
ALTER TABLE geographies ADD COLUMN max_lon DOUBLE PRECISION;
ALTER TABLE geographies ADD COLUMN max_lat DOUBLE PRECISION;
ALTER TABLE geographies ADD COLUMN extent_known BIGINT NOT NULL DEFAULT 0;
