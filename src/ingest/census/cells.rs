//! Cells of Census tables: estimates and margins of error, with the Census Bureau's jam
//! values and annotations ("Notes on ACS Estimate and Annotation Values").
//!
//! | estimate or margin | annotation | meaning | gapmap |
//! |---|---|---|---|
//! | -666666666 | `-` | too few sample observations to compute | missing |
//! | -999999999 | `N` | not displayed (too few sample cases) | missing |
//! | -888888888 | `(X)` | not applicable | missing |
//! | -222222222 (margin) | `**` | too few sample observations for a margin | missing |
//! | -333333333 | `***` | a median in the lowest or upper interval | missing |
//! | -555555555 (margin) | `*****` | the estimate is controlled: no sampling error | 0 |
//!
//! Other negative numbers are refused: every estimate gapmap derives from counts people
//! or households.

/// Jam values that stand for "no value".
const MISSING_JAMS: [f64; 5] = [
    -666666666.0,
    -999999999.0,
    -888888888.0,
    -222222222.0,
    -333333333.0,
];
/// Annotations (data.census.gov shows these instead of the numbers).
const MISSING_TEXT: [&str; 7] = ["-", "N", "(X)", "**", "***", "null", "NULL"];
/// The jam value and annotation of a controlled estimate's margin.
const CONTROLLED_JAM: f64 = -555555555.0;
const CONTROLLED_TEXT: &str = "*****";

/// What a cell held, once its jam value or annotation is read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Cell {
    /// A number.
    Value(f64),
    /// A jam value or annotation meaning "no value", or an empty cell.
    Missing {
        /// True when it was a jam value or annotation, not an empty cell.
        jammed: bool,
    },
}

impl Cell {
    /// The number, if there is one.
    pub fn value(self) -> Option<f64> {
        match self {
            Self::Value(v) => Some(v),
            Self::Missing { .. } => None,
        }
    }
}

/// Reads an estimate cell; `Err` says why the text is not one.
pub fn estimate(raw: Option<&str>) -> Result<Cell, String> {
    read(raw, false)
}

/// Reads a margin-of-error cell: as an estimate, but `*****` / -555555555 (a controlled
/// estimate) is a margin of 0, and a leading `+/-` or `±` (older downloads) is dropped.
pub fn margin(raw: Option<&str>) -> Result<Cell, String> {
    read(raw, true)
}

fn read(raw: Option<&str>, is_margin: bool) -> Result<Cell, String> {
    let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(Cell::Missing { jammed: false });
    };
    if text == CONTROLLED_TEXT {
        return Ok(if is_margin {
            Cell::Value(0.0)
        } else {
            Cell::Missing { jammed: true }
        });
    }
    if MISSING_TEXT.contains(&text) {
        return Ok(Cell::Missing { jammed: true });
    }
    let number = if is_margin {
        text.strip_prefix("+/-")
            .or_else(|| text.strip_prefix('±'))
            .unwrap_or(text)
            .trim()
    } else {
        text
    };
    let Some(v) = number.parse::<f64>().ok().filter(|v| v.is_finite()) else {
        return Err(format!(
            "'{text}' is not a number nor a Census annotation (-, N, (X), **, ***, *****)"
        ));
    };
    if v == CONTROLLED_JAM {
        return Ok(if is_margin {
            Cell::Value(0.0)
        } else {
            Cell::Missing { jammed: true }
        });
    }
    if MISSING_JAMS.contains(&v) {
        return Ok(Cell::Missing { jammed: true });
    }
    if v < 0.0 {
        return Err(format!(
            "'{text}' is negative and not a Census jam value; the estimates gapmap derives count people or households"
        ));
    }
    Ok(Cell::Value(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jam_values_are_missing_and_a_controlled_margin_is_zero() {
        for jam in [
            "-666666666",
            "-999999999",
            "-888888888",
            "-222222222",
            "-333333333",
        ] {
            assert_eq!(
                estimate(Some(jam)),
                Ok(Cell::Missing { jammed: true }),
                "{jam}"
            );
            assert_eq!(
                margin(Some(jam)),
                Ok(Cell::Missing { jammed: true }),
                "{jam}"
            );
        }
        assert_eq!(margin(Some("-555555555")), Ok(Cell::Value(0.0)));
        assert_eq!(margin(Some("*****")), Ok(Cell::Value(0.0)));
        assert_eq!(
            estimate(Some("-555555555")),
            Ok(Cell::Missing { jammed: true })
        );
    }

    #[test]
    fn annotations_are_missing_and_numbers_are_read() {
        for a in ["-", "N", "(X)", "**", "***"] {
            assert_eq!(estimate(Some(a)), Ok(Cell::Missing { jammed: true }), "{a}");
        }
        assert_eq!(estimate(None), Ok(Cell::Missing { jammed: false }));
        assert_eq!(estimate(Some(" 312 ")), Ok(Cell::Value(312.0)));
        assert_eq!(margin(Some("+/-61")), Ok(Cell::Value(61.0)));
        assert_eq!(margin(Some("±61")), Ok(Cell::Value(61.0)));
    }

    #[test]
    fn other_negatives_and_text_are_refused() {
        assert!(estimate(Some("-3")).unwrap_err().contains("negative"));
        assert!(estimate(Some("many")).unwrap_err().contains("not a number"));
    }
}
