//! HSDS schedules (a subset of RFC 5545 recurrence rules) as weekly opening hours in
//! gapmap's grammar (`Mo-Fr 09:00-17:00`). Only a standing weekly pattern is expressible;
//! anything narrower (every other week, the 2nd Monday, a fixed number of sessions, a
//! schedule that has ended) is reported and skipped, never approximated.

use crate::domain::parse_date;
use crate::ingest::Table;

const DAYS: [&str; 7] = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"];
const DAY_CODES: [&str; 7] = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];
const DAY_MINUTES: u16 = 24 * 60;

/// Open spans per weekday (Monday first), in minutes after midnight.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Week([Vec<(u16, u16)>; 7]);

impl Week {
    /// Adds another schedule's spans: a site is open when any of its schedules says so.
    pub(super) fn add(&mut self, other: &Week) {
        for (mine, theirs) in self.0.iter_mut().zip(&other.0) {
            mine.extend_from_slice(theirs);
        }
    }

    /// The week in the hours grammar, `None` when no day has a span.
    pub(super) fn to_hours_text(&self) -> Option<String> {
        let days: Vec<Vec<(u16, u16)>> = self.0.iter().map(|d| merged(d)).collect();
        let mut rules = Vec::new();
        let mut d = 0;
        while d < 7 {
            if days[d].is_empty() {
                d += 1;
                continue;
            }
            let mut end = d;
            while end + 1 < 7 && days[end + 1] == days[d] {
                end += 1;
            }
            let day_spec = match end - d {
                0 => DAYS[d].to_owned(),
                1 => format!("{},{}", DAYS[d], DAYS[end]),
                _ => format!("{}-{}", DAYS[d], DAYS[end]),
            };
            let spans: Vec<String> = days[d]
                .iter()
                .map(|(a, b)| format!("{}-{}", clock(*a), clock(*b)))
                .collect();
            rules.push(format!("{day_spec} {}", spans.join(",")));
            d = end + 1;
        }
        (!rules.is_empty()).then(|| rules.join("; "))
    }
}

/// Sorted spans with overlapping or touching ones joined.
fn merged(spans: &[(u16, u16)]) -> Vec<(u16, u16)> {
    let mut v = spans.to_vec();
    v.sort_unstable();
    let mut out: Vec<(u16, u16)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn clock(m: u16) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// Reads one row of schedules.csv as a weekly pattern, or says why it cannot be one.
/// `today` (YYYY-MM-DD) decides whether a dated schedule is in effect.
pub(super) fn read_row(t: &Table, r: usize, today: &str) -> Result<Week, String> {
    let get = |name: &str| t.column(name).and_then(|c| t.cell(c, r));
    let mut why = Vec::new();

    for (field, limit) in [
        ("count", "it stops after a number of occurrences"),
        ("byweekno", "it is limited to certain weeks of the year"),
        ("bymonthday", "it is limited to certain days of the month"),
        ("byyearday", "it is limited to certain days of the year"),
    ] {
        if let Some(v) = get(field) {
            why.push(format!("{limit} ({field} {v})"));
        }
    }
    for (field, ended) in [("valid_to", true), ("until", true), ("valid_from", false)] {
        let Some(v) = get(field) else { continue };
        // A date-time (2025-06-30T00:00:00Z) is compared by its date.
        let date = v.get(..10).and_then(parse_date);
        match date {
            None => why.push(format!("{field} '{v}' is not a date (YYYY-MM-DD)")),
            Some(d) if ended && d.as_str() < today => {
                why.push(format!("it ended on {d} ({field})"))
            }
            Some(d) if !ended && d.as_str() > today => {
                why.push(format!("it starts only on {d} (valid_from)"))
            }
            Some(_) => {}
        }
    }
    let freq = get("freq").map(str::to_ascii_uppercase);
    match freq.as_deref() {
        None | Some("WEEKLY" | "DAILY") => {}
        Some(other) => why.push(format!(
            "it repeats {} (freq), not weekly",
            other.to_ascii_lowercase()
        )),
    }
    if let Some(i) = get("interval")
        && i.parse::<f64>() != Ok(1.0)
    {
        why.push(format!(
            "it repeats every {i} periods (interval), not every week"
        ));
    }

    let mut days = [false; 7];
    // HSDS 1.1's regular_schedules.csv gives one day per row in `weekday`.
    let weekday_given = get("byday").is_none().then(|| get("weekday")).flatten();
    if let Some(w) = weekday_given {
        match weekday_of(w) {
            Some(d) => days[d] = true,
            None => why.push(format!(
                "weekday '{w}' is not a day of the week (Monday … Sunday, or 1 … 7 from Monday)"
            )),
        }
    }
    match get("byday") {
        _ if weekday_given.is_some() => {}
        Some(list) => {
            for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                match DAY_CODES.iter().position(|c| c.eq_ignore_ascii_case(part)) {
                    Some(d) => days[d] = true,
                    None => why.push(format!(
                        "byday '{part}' is not a weekday code (MO … SU); numbered days such as 2MO are monthly"
                    )),
                }
            }
        }
        None if freq.as_deref() == Some("DAILY") => days = [true; 7],
        // RFC 5545: a weekly rule without BYDAY repeats on the weekday of DTSTART.
        None => match get("dtstart")
            .and_then(|s| s.get(..10))
            .and_then(parse_date)
        {
            Some(start) => days[weekday(&start)] = true,
            None => why.push("it names no days (byday) and no start date (dtstart)".into()),
        },
    }

    let opens = get("opens_at").map(|v| time("opens_at", v));
    let closes = get("closes_at").map(|v| time("closes_at", v));
    let (open, close) = match (opens, closes) {
        (Some(Ok(o)), Some(Ok(c))) => (o, c),
        (o, c) => {
            for e in [o, c].into_iter().flatten().filter_map(Result::err) {
                why.push(e);
            }
            if get("opens_at").is_none() || get("closes_at").is_none() {
                why.push("it lacks an opens_at or closes_at time".into());
            }
            (0, 0)
        }
    };
    if why.is_empty() && open == close {
        why.push(format!(
            "it opens and closes at the same time ({})",
            clock(open)
        ));
    }
    if !why.is_empty() {
        return Err(why.join("; "));
    }

    let mut week = Week::default();
    for d in (0..7).filter(|d| days[*d]) {
        if close > open {
            week.0[d].push((open, close));
        } else {
            // Past midnight: the evening on this day, the early hours on the next.
            week.0[d].push((open, DAY_MINUTES));
            week.0[(d + 1) % 7].push((0, close));
        }
    }
    Ok(week)
}

/// A 1.1 `weekday`: a day's name (`Monday`, `Mon`, `MO`) or its ISO 8601 number (1 is
/// Monday, 7 Sunday), as 0-based Monday-first index.
fn weekday_of(v: &str) -> Option<usize> {
    const NAMES: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    let v = v.trim();
    if let Ok(n) = v.parse::<usize>() {
        return (1..=7).contains(&n).then(|| n - 1);
    }
    let lower = v.to_ascii_lowercase();
    if lower.len() < 2 {
        return None;
    }
    NAMES.iter().position(|n| n.starts_with(&lower))
}

/// `HH:MM` or `HH:MM:SS` (seconds 00), with an optional UTC offset that only says which
/// zone the clock time is in. `Z` (UTC) is refused: turning it into the site's local
/// hours needs a time zone that HSDS does not give.
fn time(field: &str, v: &str) -> Result<u16, String> {
    let bad = |why: &str| format!("{field} '{v}' {why}");
    if v.ends_with(['Z', 'z']) {
        return Err(bad(
            "is in UTC (Z); gapmap needs the local opening time, e.g. 09:00",
        ));
    }
    // The clock part never holds a sign, so the first one starts the offset.
    let clock = v.find(['+', '-']).map_or(v, |at| &v[..at]);
    let parts: Vec<&str> = clock.split(':').collect();
    let num = |s: &str| (s.len() == 2).then(|| s.parse::<u16>().ok()).flatten();
    let hour = |s: &str| {
        (1..=2)
            .contains(&s.len())
            .then(|| s.parse::<u16>().ok())
            .flatten()
    };
    let (h, m) = match parts.as_slice() {
        [h, m] => (hour(h), num(m)),
        [h, m, s] if num(s) == Some(0) => (hour(h), num(m)),
        [_, _, _] => return Err(bad("has seconds; opening hours are kept to the minute")),
        _ => (None, None),
    };
    match (h, m) {
        (Some(h), Some(m)) if m < 60 && (h < 24 || (h == 24 && m == 0)) => Ok(h * 60 + m),
        _ => Err(bad("is not a time of day (HH:MM)")),
    }
}

/// Monday = 0 for a checked YYYY-MM-DD date.
fn weekday(date: &str) -> usize {
    let n = |r: std::ops::Range<usize>| date[r].parse::<i64>().unwrap_or(0);
    let days = days_from_civil(n(0..4), n(5..7), n(8..10));
    // 1970-01-01 was a Thursday.
    (days + 3).rem_euclid(7) as usize
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Today's date in UTC as YYYY-MM-DD.
pub(crate) fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_from_days((secs / 86_400) as i64)
}

/// The inverse of `days_from_civil`.
fn civil_from_days(z: i64) -> String {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Hours;
    use crate::ingest::InputFile;

    const TODAY: &str = "2025-03-01";

    fn week(header: &str, row: &str) -> Result<Week, String> {
        let t = Table::read(
            &InputFile::new("schedules.csv", format!("{header}\n{row}\n")),
            &crate::ingest::TableLimits::default(),
        )
        .unwrap();
        read_row(&t, 0, TODAY)
    }

    fn text(header: &str, rows: &[&str]) -> Option<String> {
        let mut all = Week::default();
        for r in rows {
            all.add(&week(header, r).unwrap());
        }
        all.to_hours_text()
    }

    #[test]
    fn weekday_spans_become_the_hours_grammar() {
        let h = "freq,byday,opens_at,closes_at";
        assert_eq!(
            text(
                h,
                &[
                    "WEEKLY,\"MO,TU,WE,TH,FR\",09:00,17:00",
                    "WEEKLY,SA,10:00:00,14:00:00"
                ]
            )
            .as_deref(),
            Some("Mo-Fr 09:00-17:00; Sa 10:00-14:00")
        );
        assert_eq!(
            text(h, &["WEEKLY,\"TH,FR\",10:00:00,18:00:00"]).as_deref(),
            Some("Th,Fr 10:00-18:00")
        );
        // Split and overlapping sessions on one day are joined where they touch.
        let t = text(
            h,
            &[
                "WEEKLY,MO,09:00,12:00",
                "WEEKLY,MO,11:00,13:00",
                "WEEKLY,MO,14:00,16:00-06:00",
            ],
        )
        .unwrap();
        assert_eq!(t, "Mo 09:00-13:00,14:00-16:00");
        assert!(Hours::parse(&t).is_ok());
    }

    #[test]
    fn an_overnight_schedule_runs_into_the_next_day() {
        let t = text("byday,opens_at,closes_at", &["SU,22:00,02:00"]).unwrap();
        assert_eq!(t, "Mo 00:00-02:00; Su 22:00-24:00");
        assert!(Hours::parse(&t).is_ok(), "{t}");
    }

    #[test]
    fn a_weekly_rule_without_days_uses_the_start_dates_weekday() {
        // 2024-05-16 was a Thursday.
        let t = text(
            "freq,dtstart,opens_at,closes_at",
            &["WEEKLY,2024-05-16,09:00,12:00"],
        );
        assert_eq!(t.as_deref(), Some("Th 09:00-12:00"));
    }

    #[test]
    fn schedules_that_are_not_a_standing_week_are_explained() {
        let h = "freq,interval,byday,count,valid_to,opens_at,closes_at";
        let e = week(h, "MONTHLY,1,2MO,,,09:00,12:00").unwrap_err();
        assert!(e.contains("monthly") && e.contains("2MO"), "{e}");
        let e = week(h, "WEEKLY,2,MO,,,09:00,12:00").unwrap_err();
        assert!(e.contains("every 2"), "{e}");
        let e = week(h, "WEEKLY,1,MO,3,2005-01-01,09:00,12:00").unwrap_err();
        assert!(
            e.contains("count 3") && e.contains("ended on 2005-01-01"),
            "{e}"
        );
        let e = week(h, "WEEKLY,1,MO,,,09:00Z,12:00Z").unwrap_err();
        assert!(e.contains("UTC"), "{e}");
        let e = week(h, "WEEKLY,1,MO,,,,").unwrap_err();
        assert!(e.contains("lacks an opens_at"), "{e}");
        assert!(
            week(h, "WEEKLY,1,MO,,2025-03-01,09:00,12:00").is_ok(),
            "valid through today"
        );
    }

    #[test]
    fn calendar_arithmetic_round_trips() {
        assert_eq!(civil_from_days(0), "1970-01-01");
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), "2024-02-29");
        assert_eq!(weekday("2025-03-01"), 5, "a Saturday");
        assert_eq!(today().len(), 10);
    }
}
