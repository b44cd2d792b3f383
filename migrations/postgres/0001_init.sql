-- gapmap's store (PostgreSQL). Every write is one transaction that also bumps data_version,
-- so replicas and the in-memory Atlas can tell when to rebuild.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO meta (key, value) VALUES ('data_version', 0);

CREATE TABLE geographies (
    name       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL
);

CREATE TABLE areas (
    geography     TEXT NOT NULL REFERENCES geographies(name) ON DELETE CASCADE,
    geoid         TEXT NOT NULL,
    seq           BIGINT NOT NULL,
    name          TEXT NOT NULL,
    geometry      TEXT NOT NULL, -- GeoJSON geometry, WGS84 lon/lat
    demand_lon    DOUBLE PRECISION NOT NULL,
    demand_lat    DOUBLE PRECISION NOT NULL,
    demand_source TEXT NOT NULL,
    PRIMARY KEY (geography, geoid)
);

-- Every upload of a year is a new version; the highest version is the current one.
CREATE TABLE assessments (
    year       BIGINT NOT NULL,
    version    BIGINT NOT NULL,
    geography  TEXT NOT NULL,
    columns    TEXT NOT NULL, -- JSON array of column names, file order
    source     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (year, version)
);

CREATE TABLE assessment_rows (
    year    BIGINT NOT NULL,
    version BIGINT NOT NULL,
    seq     BIGINT NOT NULL,
    geoid   TEXT NOT NULL,
    vals    TEXT NOT NULL, -- JSON array aligned with assessments.columns (null = missing)
    PRIMARY KEY (year, version, geoid),
    FOREIGN KEY (year, version) REFERENCES assessments(year, version) ON DELETE CASCADE
);

CREATE TABLE partners (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    kind              TEXT,
    partnership_level TEXT,
    partnership_stage TEXT,
    agreement_start   TEXT,
    agreement_end     TEXT,
    notes             TEXT
);

CREATE TABLE sites (
    id         TEXT PRIMARY KEY,
    partner_id TEXT NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    lon        DOUBLE PRECISION NOT NULL,
    lat        DOUBLE PRECISION NOT NULL,
    address    TEXT,
    services   TEXT NOT NULL, -- JSON [{code, capacity}]
    languages  TEXT NOT NULL, -- JSON array of ISO 639-1 codes
    hours      TEXT
);
CREATE INDEX sites_partner ON sites(partner_id);
