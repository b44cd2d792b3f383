//! Opening hours in a small subset of OpenStreetMap's `opening_hours` syntax:
//! `Mo-Fr 08:00-18:00; Sa 09:00-12:00; Su off`. It is enough for what the needs filter
//! on (evenings, weekends) and reads the same in a spreadsheet cell and in JSON.

use serde::{Serialize, Serializer};
use std::fmt;

const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];

/// A weekly schedule: for each day (Monday first) the open spans in minutes after midnight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hours {
    text: String,
    days: [Vec<(u16, u16)>; 7],
}

/// Why an hours text was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "hours '{text}' cannot be read at '{at}': {why} (expected e.g. 'Mo-Fr 08:00-18:00; Sa 09:00-12:00')"
)]
pub struct HoursError {
    text: String,
    at: String,
    why: &'static str,
}

/// Site filters on opening hours that a need can ask for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HoursFilter {
    /// Open at some time after 18:00 on any day.
    Evening,
    /// Open at some time on Saturday or Sunday.
    Weekend,
    /// Either: open outside traditional working hours (non-traditional hours).
    EveningOrWeekend,
}

impl HoursFilter {
    /// Parses `evening`, `weekend` or `evening_or_weekend`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "evening" => Some(Self::Evening),
            "weekend" => Some(Self::Weekend),
            "evening_or_weekend" => Some(Self::EveningOrWeekend),
            _ => None,
        }
    }
}

impl Hours {
    /// Parses the schedule text.
    ///
    /// # Examples
    /// ```
    /// use gapmap::domain::{Hours, HoursFilter};
    /// let h = Hours::parse("Mo,We 12:00-20:00; Tu-Fr 10:00-18:00; Sa,Su off").unwrap();
    /// assert!(h.matches(HoursFilter::Evening));
    /// assert!(!h.matches(HoursFilter::Weekend));
    /// ```
    pub fn parse(text: &str) -> Result<Self, HoursError> {
        let text = text.trim();
        let err = |at: &str, why| HoursError {
            text: text.to_owned(),
            at: at.to_owned(),
            why,
        };
        let mut days: [Vec<(u16, u16)>; 7] = Default::default();
        if text == "24/7" {
            for d in &mut days {
                d.push((0, 24 * 60));
            }
            return Ok(Self {
                text: text.to_owned(),
                days,
            });
        }
        if text.is_empty() {
            return Err(err(text, "it is empty"));
        }
        for rule in text.split(';').map(str::trim).filter(|r| !r.is_empty()) {
            let (day_spec, times) = rule
                .split_once(' ')
                .ok_or_else(|| err(rule, "a rule needs days, a space, then times or 'off'"))?;
            let mut selected = [false; 7];
            for part in day_spec.split(',') {
                match part.split_once('-') {
                    Some((a, b)) => {
                        let a = day_index(a).ok_or_else(|| err(part, "unknown day"))?;
                        let b = day_index(b).ok_or_else(|| err(part, "unknown day"))?;
                        let mut d = a;
                        loop {
                            selected[d] = true;
                            if d == b {
                                break;
                            }
                            d = (d + 1) % 7;
                        }
                    }
                    None => {
                        selected[day_index(part).ok_or_else(|| err(part, "unknown day"))?] = true
                    }
                }
            }
            let times = times.trim();
            let spans = if times == "off" || times == "closed" {
                Vec::new()
            } else {
                times
                    .split(',')
                    .map(|span| {
                        let (a, b) = span
                            .trim()
                            .split_once('-')
                            .ok_or_else(|| err(span, "a time span is HH:MM-HH:MM"))?;
                        let a = minutes(a).ok_or_else(|| err(span, "a time is HH:MM"))?;
                        let b = minutes(b).ok_or_else(|| err(span, "a time is HH:MM"))?;
                        if a >= b && b != 0 {
                            return Err(err(span, "the span closes before it opens"));
                        }
                        // 22:00-02:00 style spans run past midnight: keep the evening part.
                        Ok((a, if b <= a { 24 * 60 } else { b }))
                    })
                    .collect::<Result<Vec<_>, _>>()?
            };
            for (d, on) in selected.iter().enumerate() {
                if *on {
                    // A later rule for a day replaces an earlier one, as in OSM.
                    days[d] = spans.clone();
                }
            }
        }
        Ok(Self {
            text: text.to_owned(),
            days,
        })
    }

    /// The schedule as given.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// True when the schedule satisfies the filter.
    pub fn matches(&self, filter: HoursFilter) -> bool {
        match filter {
            HoursFilter::Evening => self
                .days
                .iter()
                .flatten()
                .any(|&(_, close)| close > 18 * 60),
            HoursFilter::Weekend => !self.days[5].is_empty() || !self.days[6].is_empty(),
            HoursFilter::EveningOrWeekend => {
                self.matches(HoursFilter::Evening) || self.matches(HoursFilter::Weekend)
            }
        }
    }
}

fn day_index(s: &str) -> Option<usize> {
    DAYS.iter().position(|d| d.eq_ignore_ascii_case(s.trim()))
}

fn minutes(s: &str) -> Option<u16> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m > 59 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

impl fmt::Display for Hours {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// Hours are written and read as their text (`Mo-Fr 07:00-18:00; Sa 09:00-13:00`).
impl utoipa::PartialSchema for Hours {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "Opening hours as written, e.g. `Mo-Fr 07:00-18:00; Sa 09:00-13:00`.",
            ))
            .into()
    }
}
impl utoipa::ToSchema for Hours {}

impl Serialize for Hours {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekend_and_evening_are_recognised() {
        let h = Hours::parse("Mo-Fr 07:00-17:30; Sa 08:00-12:00").unwrap();
        assert!(h.matches(HoursFilter::Weekend));
        assert!(!h.matches(HoursFilter::Evening));
        let h = Hours::parse("Mo-Fr 06:00-18:00").unwrap();
        assert!(
            !h.matches(HoursFilter::Evening),
            "closing at 18:00 is not evening"
        );
        let h = Hours::parse("Fr-Mo 16:00-22:00").unwrap();
        assert!(h.matches(HoursFilter::Weekend) && h.matches(HoursFilter::Evening));
    }

    #[test]
    fn bad_hours_name_the_part() {
        let e = Hours::parse("Mon 9-5").unwrap_err().to_string();
        assert!(e.contains("'Mon'"), "{e}");
        assert!(Hours::parse("Mo 17:00-09:00").is_err());
        assert!(Hours::parse("Mo 25:00-26:00").is_err());
    }
}
