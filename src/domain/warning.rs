use serde::{Deserialize, Serialize};

/// Something an upload was stored with but a person should look at (an implausible
/// value, areas left out …): where, and what. `file`, `row` (as a spreadsheet shows it,
/// the header being row 1) and `field` are null where they do not apply; the same shape
/// as a refusal's problems, so one table shows both.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Warning {
    /// The file the warning is about.
    pub file: Option<String>,
    /// Its row.
    pub row: Option<u64>,
    /// The column or indicator.
    pub field: Option<String>,
    /// What is worth a look, in words.
    pub message: String,
}

impl Warning {
    /// A warning about the upload as a whole.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            file: None,
            row: None,
            field: None,
            message: message.into(),
        }
    }

    /// A warning about one file.
    pub fn in_file(file: &str, message: impl Into<String>) -> Self {
        Self {
            file: Some(file.to_owned()),
            ..Self::new(message)
        }
    }

    /// A warning about one cell.
    pub fn at(file: &str, row: u64, field: &str, message: impl Into<String>) -> Self {
        Self {
            file: Some(file.to_owned()),
            row: Some(row),
            field: Some(field.to_owned()),
            message: message.into(),
        }
    }
}
