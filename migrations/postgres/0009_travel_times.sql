-- Travel-time matrices, one per geography and mode (walk, transit, drive, bike), with
-- their provenance. Each origin area's pairs are one row: a blob of little-endian
-- (u32 destination position in `destinations`, f32 minutes) pairs, 8 bytes a pair, so a
-- state's tens of millions of pairs stay compact. A pair that is absent is unreachable.
CREATE TABLE travel_matrices (
    geography    TEXT NOT NULL,
    mode         TEXT NOT NULL,
    kind         TEXT NOT NULL, -- 'sites' (to_id = site id) or 'areas' (to_id = GEOID)
    destinations TEXT NOT NULL, -- JSON array of the destination ids
    pairs        BIGINT NOT NULL,
    tool         TEXT NOT NULL,
    tool_date    TEXT,
    departure    TEXT,
    file         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (geography, mode)
);

CREATE TABLE travel_rows (
    geography TEXT NOT NULL,
    mode      TEXT NOT NULL,
    seq       BIGINT NOT NULL,
    origin    TEXT NOT NULL,
    pairs     BYTEA NOT NULL,
    PRIMARY KEY (geography, mode, seq),
    FOREIGN KEY (geography, mode) REFERENCES travel_matrices(geography, mode) ON DELETE CASCADE
);
