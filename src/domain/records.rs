//! A program's own records beside the ACS, for the community assessment (45 CFR
//! 1302.11(b)(1)): program-wide totals with their source, such as enrolment (as the
//! Program Information Report has it), children experiencing homelessness (from the
//! McKinney-Vento liaisons), in foster care or with disabilities (IEP/IFSP), and the other
//! child care, home visiting and preschool programs with the approximate number of
//! eligible children they serve. Figures by area are indicators instead.

use serde::{Deserialize, Serialize};

/// What a record counts.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// Funded enrolment: the slots the program is funded for.
    FundedEnrollment,
    /// Actual (cumulative) enrolment over the program year.
    ActualEnrollment,
    /// Enrolled or eligible children experiencing homelessness.
    ChildrenHomeless,
    /// Children in foster care.
    ChildrenFosterCare,
    /// Children with disabilities (an IEP or IFSP).
    ChildrenWithDisabilities,
    /// Another child development, child care, home visiting or preschool program, with
    /// the approximate number of eligible children it serves.
    OtherProgram,
}

impl RecordKind {
    /// Every kind, in the order the report lists them.
    pub const ALL: [Self; 6] = [
        Self::FundedEnrollment,
        Self::ActualEnrollment,
        Self::ChildrenHomeless,
        Self::ChildrenFosterCare,
        Self::ChildrenWithDisabilities,
        Self::OtherProgram,
    ];

    /// The code written in the `record` column.
    pub fn code(self) -> &'static str {
        match self {
            Self::FundedEnrollment => "funded_enrollment",
            Self::ActualEnrollment => "actual_enrollment",
            Self::ChildrenHomeless => "children_homeless",
            Self::ChildrenFosterCare => "children_foster_care",
            Self::ChildrenWithDisabilities => "children_with_disabilities",
            Self::OtherProgram => "other_program",
        }
    }

    /// The kind a `record` cell names, ignoring case and surrounding space.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.code() == raw)
    }

    /// Plain words.
    pub fn label(self) -> &'static str {
        match self {
            Self::FundedEnrollment => "Funded enrolment",
            Self::ActualEnrollment => "Actual (cumulative) enrolment",
            Self::ChildrenHomeless => "Children experiencing homelessness",
            Self::ChildrenFosterCare => "Children in foster care",
            Self::ChildrenWithDisabilities => "Children with disabilities (IEP/IFSP)",
            Self::OtherProgram => "Other program",
        }
    }
}

/// What another program is.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ProgramKind {
    /// Child care (centres, family child care).
    ChildCare,
    /// Home visiting.
    HomeVisiting,
    /// Preschool or pre-K.
    Preschool,
    /// Another Head Start or Early Head Start program.
    HeadStart,
    /// Anything else that serves eligible children.
    Other,
}

impl ProgramKind {
    /// Every kind.
    pub const ALL: [Self; 5] = [
        Self::ChildCare,
        Self::HomeVisiting,
        Self::Preschool,
        Self::HeadStart,
        Self::Other,
    ];

    /// The code written in the `kind` column.
    pub fn code(self) -> &'static str {
        match self {
            Self::ChildCare => "child_care",
            Self::HomeVisiting => "home_visiting",
            Self::Preschool => "preschool",
            Self::HeadStart => "head_start",
            Self::Other => "other",
        }
    }

    /// The kind a `kind` cell names, ignoring case and surrounding space.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim().to_ascii_lowercase();
        Self::ALL.into_iter().find(|k| k.code() == raw)
    }

    /// Plain words.
    pub fn label(self) -> &'static str {
        match self {
            Self::ChildCare => "Child care",
            Self::HomeVisiting => "Home visiting",
            Self::Preschool => "Preschool / pre-K",
            Self::HeadStart => "Head Start / Early Head Start",
            Self::Other => "Other",
        }
    }
}

/// One program-wide figure with its source.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProgramRecord {
    /// What it counts.
    pub record: RecordKind,
    /// The other program's name (`other_program` only).
    pub name: Option<String>,
    /// What the other program is (`other_program` only).
    pub kind: Option<ProgramKind>,
    /// The count (children, or slots for funded enrolment).
    pub value: f64,
    /// Where the figure comes from (the PIR, a McKinney-Vento liaison, …).
    pub source: String,
    /// The date it describes (YYYY-MM-DD), when given.
    pub as_of: Option<String>,
    /// Anything else worth saying.
    pub notes: Option<String>,
}
