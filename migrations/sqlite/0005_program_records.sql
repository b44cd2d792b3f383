-- A program's own records beside the ACS, per assessment year: program-wide figures with
-- their source (enrolment, children experiencing homelessness, in foster care, with
-- disabilities; other programs and the eligible children they serve).
CREATE TABLE program_records (
    year    INTEGER NOT NULL,
    seq     INTEGER NOT NULL,
    record  TEXT NOT NULL,
    name    TEXT,
    kind    TEXT,
    value   REAL NOT NULL,
    source  TEXT NOT NULL,
    as_of   TEXT,
    notes   TEXT,
    PRIMARY KEY (year, seq)
);
