//! Where the stored data came from: the files and dates of each upload, for reports that
//! must state their sources and vintages.

use serde::Serialize;

/// One stored version of an assessment year.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AssessmentUpload {
    /// The year.
    pub year: i32,
    /// The version (1 for the first upload of the year).
    pub version: i64,
    /// The geography it was uploaded for.
    pub geography: String,
    /// The uploaded file's name.
    pub file: String,
    /// When it was stored (RFC 3339, UTC).
    pub at: String,
}

/// One upload of areas or partners, as the audit record has it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Upload {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// `replace_geography`, `merge_partners`, `replace_partners`, `replace_stops` or
    /// `put_program_records`.
    pub action: String,
    /// What was written: the geography's name, the transit feed, the records' year, or
    /// empty for partners.
    pub subject: String,
    /// The uploaded files' names.
    pub files: Vec<String>,
    /// Rows added, changed and removed.
    pub added: i64,
    /// Rows changed.
    pub changed: i64,
    /// Rows removed.
    pub removed: i64,
}

/// One change of a partnership's level or stage, as the partner history keeps it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartnerMove {
    /// The partner.
    pub partner_id: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// `partnership_level` or `partnership_stage`.
    pub field: String,
    /// The value before (None: none recorded).
    pub from: Option<String>,
    /// The value after (None: cleared).
    pub to: Option<String>,
}

/// The provenance of everything stored.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Provenance {
    /// Every version of every assessment year, oldest first.
    pub assessments: Vec<AssessmentUpload>,
    /// Geography uploads, oldest first.
    pub geographies: Vec<Upload>,
    /// Partner and transit-stop uploads, oldest first.
    pub partners: Vec<Upload>,
    /// Program-record uploads (`put_program_records`; the subject is the year), oldest
    /// first.
    pub records: Vec<Upload>,
    /// Every change of a partnership's level or stage, oldest first.
    pub partner_moves: Vec<PartnerMove>,
}
