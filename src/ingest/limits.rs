//! The limits that keep one upload from exhausting memory or time. Each has a default
//! that fits national Census files and can be changed on the command line (see
//! `config::LimitsLayer`); a file beyond a limit is refused whole, naming the limit.

/// Every importer limit together, as `Services` hands them to the readers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// What one zip may expand to.
    pub zip: ZipLimits,
    /// Vertices per area and per file.
    pub vertices: VertexLimits,
    /// Rows and columns of one CSV.
    pub table: TableLimits,
}

/// Limits on what one zip upload may expand to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries (files and folders) the archive may list.
    pub max_entries: usize,
    /// Uncompressed bytes that may be read from it in total.
    pub max_total_bytes: u64,
}

impl Default for ZipLimits {
    fn default() -> Self {
        Self {
            max_entries: 1_000,
            max_total_bytes: 2 * 1024 * 1024 * 1024,
        }
    }
}

/// Limits on area geometries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VertexLimits {
    /// Vertices allowed in one area's geometry.
    pub max_vertices_per_area: usize,
    /// Vertices allowed in the whole file.
    pub max_vertices_total: usize,
}

impl Default for VertexLimits {
    fn default() -> Self {
        // TIGER/Line block groups for the whole country hold about 40 M vertices; the
        // largest single tract (in Alaska) about 150,000.
        Self {
            max_vertices_per_area: 1_000_000,
            max_vertices_total: 50_000_000,
        }
    }
}

/// Limits on one CSV file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableLimits {
    /// Data rows (the header not counted).
    pub max_rows: usize,
    /// Columns in the header.
    pub max_columns: usize,
}

impl Default for TableLimits {
    fn default() -> Self {
        // 243,000 block groups or 250,000 sites fit eight times over; a wide ACS
        // extract has a few hundred columns.
        Self {
            max_rows: 2_000_000,
            max_columns: 2_000,
        }
    }
}
