//! Travel-time matrices from the tools regions use, read as a stream from a file so a
//! matrix of tens of millions of pairs is never in memory as text:
//!
//! - r5py / r5r: CSV `from_id,to_id,travel_time` (r5r: `travel_time_p50`), minutes;
//! - OpenTripPlanner's scripting/batch CSV: `Origin,Destination[,Walk distance],Travel time`,
//!   seconds;
//! - OpenTimes: CSV `origin_id,destination_id,duration_sec`, seconds;
//! - OSRM's `table` service answer: JSON `{"durations": [[s…]…]}` in seconds, with the
//!   request's ids added as `source_ids` and `destination_ids` (OSRM's answer only keeps
//!   their order).
//!
//! `from_id` must be a GEOID of the geography; `to_id` a site id or a GEOID of the same
//! geography (one kind per matrix). An empty, `NA` or `NaN` time, and OSRM's `null`, mean
//! unreachable, as does a pair the file leaves out. Negative or non-numeric times, unknown
//! ids and a pair given twice refuse the file with the rows that hold them.

use crate::domain::{DestinationKind, Geoid, MatrixSource, TravelMatrix, TravelMode};
use crate::error::{Code, Error, Problem, Result};
use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

/// At most this many problems are listed when a file is refused.
const MAX_PROBLEMS: usize = 50;

/// The ids a matrix may name.
#[derive(Debug)]
pub struct KnownIds {
    /// The geography's GEOIDs.
    pub areas: HashSet<String>,
    /// Every stored site id.
    pub sites: HashSet<String>,
}

/// What the uploader says about the matrix (all optional).
#[derive(Clone, Debug, Default)]
pub struct Given {
    /// The tool that computed it, overriding what the format tells.
    pub tool: Option<String>,
    /// When it was computed or the network's date.
    pub date: Option<String>,
    /// The departure time used.
    pub departure: Option<String>,
}

/// Reads the matrix at `path` (`name` for messages) for `geography` and `mode`.
pub fn read(
    path: &Path,
    name: &str,
    geography: &str,
    mode: TravelMode,
    known: &KnownIds,
    given: &Given,
) -> Result<TravelMatrix> {
    let open = || {
        std::fs::File::open(path)
            .map(|f| BufReader::with_capacity(1 << 16, f))
            .map_err(Error::internal)
    };
    let mut reader = open()?;
    let first = first_byte(&mut reader, name)?;
    let mut b = Builder::new(name, known);
    let tool = match first {
        b'{' => {
            read_osrm(reader, &mut b)?;
            "OSRM"
        }
        b'P' if starts_with(path, b"PAR1") => {
            return Err(Error::problem(
                Code::UnsupportedMediaType,
                Problem::in_file(
                    name,
                    "this is a Parquet file, which gapmap does not read (its build leaves out polars' parquet feature): write the matrix as CSV, e.g. with pandas `read_parquet(...).to_csv(...)` or `duckdb -c \"COPY (SELECT * FROM 'f.parquet') TO 'f.csv'\"`",
                ),
            ));
        }
        _ => read_csv(reader, &mut b)?,
    };
    if b.problems.is_empty() {
        b.find_duplicates(|| open().ok(), first == b'{');
    }
    b.finish(geography, mode, tool, given)
}

fn starts_with(path: &Path, magic: &[u8]) -> bool {
    let mut head = vec![0u8; magic.len()];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok()
        && head == magic
}

/// The first byte that is not white space or a byte-order mark.
fn first_byte(reader: &mut impl BufRead, name: &str) -> Result<u8> {
    loop {
        let buf = reader.fill_buf().map_err(Error::internal)?;
        if buf.is_empty() {
            return Err(Error::problem(
                Code::EmptyFile,
                Problem::in_file(name, "the file is empty"),
            ));
        }
        match buf
            .iter()
            .position(|b| !b.is_ascii_whitespace() && ![0xEF, 0xBB, 0xBF].contains(b))
        {
            Some(p) => return Ok(buf[p]),
            None => {
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// What a time cell holds.
enum Time {
    Minutes(f32),
    Unreachable,
    Bad(&'static str),
}

fn parse_time(cell: &str, seconds: bool) -> Time {
    let cell = cell.trim();
    if cell.is_empty()
        || ["na", "nan", "null", "inf", "infinity"].contains(&cell.to_ascii_lowercase().as_str())
    {
        return Time::Unreachable;
    }
    match cell.parse::<f64>() {
        Ok(v) if v.is_nan() || v.is_infinite() => Time::Unreachable,
        Ok(v) if v < 0.0 => Time::Bad("is negative: a travel time is 0 or more"),
        Ok(v) => Time::Minutes(if seconds { v / 60.0 } else { v } as f32),
        Err(_) => Time::Bad("is not a number"),
    }
}

/// Collects the pairs, interning ids, and the problems.
struct Builder<'a> {
    name: &'a str,
    known: &'a KnownIds,
    origins: Vec<Geoid>,
    origin_ix: HashMap<String, u32>,
    destinations: Vec<String>,
    dest_ix: HashMap<String, u32>,
    kind: Option<DestinationKind>,
    pairs: Vec<(u32, u32, f32)>,
    problems: Vec<Problem>,
    code: Code,
    more_problems: usize,
}

impl<'a> Builder<'a> {
    fn new(name: &'a str, known: &'a KnownIds) -> Self {
        Self {
            name,
            known,
            origins: Vec::new(),
            origin_ix: HashMap::new(),
            destinations: Vec::new(),
            dest_ix: HashMap::new(),
            kind: None,
            pairs: Vec::new(),
            problems: Vec::new(),
            code: Code::InvalidFile,
            more_problems: 0,
        }
    }

    fn problem(&mut self, code: Code, p: Problem) {
        if self.problems.len() < MAX_PROBLEMS {
            if self.problems.is_empty() {
                self.code = code;
            }
            self.problems.push(p);
        } else {
            self.more_problems += 1;
        }
    }

    fn origin(&mut self, id: &str, row: u64, field: &str) -> Option<u32> {
        let id = id.trim();
        if let Some(&o) = self.origin_ix.get(id) {
            return Some(o);
        }
        if !self.known.areas.contains(id) {
            let msg = if id.is_empty() {
                "the origin id is empty".to_owned()
            } else {
                format!(
                    "'{id}' is not a GEOID of the geography: an origin must be one of its areas"
                )
            };
            self.problem(Code::UnknownGeoid, Problem::at(self.name, row, field, msg));
            return None;
        }
        let geoid = Geoid::parse(id).ok()?;
        let o = u32::try_from(self.origins.len()).ok()?;
        self.origins.push(geoid);
        self.origin_ix.insert(id.to_owned(), o);
        Some(o)
    }

    fn destination(&mut self, id: &str, row: u64, field: &str) -> Option<u32> {
        let id = id.trim();
        if let Some(&d) = self.dest_ix.get(id) {
            return Some(d);
        }
        let kind = if self.known.sites.contains(id) {
            DestinationKind::Sites
        } else if self.known.areas.contains(id) {
            DestinationKind::Areas
        } else {
            let msg = if id.is_empty() {
                "the destination id is empty".to_owned()
            } else {
                format!("'{id}' is neither a stored site id nor a GEOID of the geography")
            };
            self.problem(Code::UnknownGeoid, Problem::at(self.name, row, field, msg));
            return None;
        };
        match self.kind {
            None => self.kind = Some(kind),
            Some(k) if k != kind => {
                let msg = format!(
                    "'{id}' is {} but the matrix's earlier destinations are {}: a matrix goes to sites or to areas, not both",
                    if kind == DestinationKind::Sites {
                        "a site id"
                    } else {
                        "an area GEOID"
                    },
                    k.name()
                );
                self.problem(Code::InvalidValue, Problem::at(self.name, row, field, msg));
                return None;
            }
            Some(_) => {}
        }
        let d = u32::try_from(self.destinations.len()).ok()?;
        self.destinations.push(id.to_owned());
        self.dest_ix.insert(id.to_owned(), d);
        Some(d)
    }

    fn time(&mut self, cell: &str, seconds: bool, row: u64, field: &str) -> Option<f32> {
        match parse_time(cell, seconds) {
            Time::Minutes(m) => Some(m),
            Time::Unreachable => None,
            Time::Bad(why) => {
                let msg = format!("the travel time '{}' {why}", cell.trim());
                self.problem(Code::InvalidValue, Problem::at(self.name, row, field, msg));
                None
            }
        }
    }

    /// One row's pair; None cells were refused (and listed) or unreachable.
    fn pair(&mut self, o: Option<u32>, d: Option<u32>, t: Option<f32>) {
        if let (Some(o), Some(d), Some(t)) = (o, d, t) {
            self.pairs.push((o, d, t));
        }
    }

    /// Sorts the pairs by origin and destination; a pair given twice is listed with the
    /// rows that hold it, read again from the file (only when there is one).
    fn find_duplicates<R: BufRead>(&mut self, reopen: impl FnOnce() -> Option<R>, json: bool) {
        self.pairs
            .sort_unstable_by_key(|&(o, d, _)| (u64::from(o) << 32) | u64::from(d));
        let twice: HashSet<(u32, u32)> = self
            .pairs
            .windows(2)
            .filter(|w| (w[0].0, w[0].1) == (w[1].0, w[1].1))
            .map(|w| (w[0].0, w[0].1))
            .collect();
        if twice.is_empty() {
            return;
        }
        let mut rows: HashMap<(u32, u32), Vec<u64>> = HashMap::new();
        if !json && let Some(reader) = reopen() {
            let mut again = Builder::new(self.name, self.known);
            again.origin_ix = self.origin_ix.clone();
            again.dest_ix = self.dest_ix.clone();
            let _ = scan_csv(reader, &mut again, |o, d, row| {
                if twice.contains(&(o, d)) {
                    rows.entry((o, d)).or_default().push(row);
                }
            });
        }
        let mut listed: Vec<(u32, u32)> = twice.into_iter().collect();
        listed.sort_unstable();
        for (o, d) in listed {
            let at = rows.remove(&(o, d)).unwrap_or_default();
            let msg = format!(
                "the pair from '{}' to '{}' is given more than once{}: each pair may have one time",
                self.origins[o as usize].as_str(),
                self.destinations[d as usize],
                if at.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (rows {})",
                        at.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                    )
                }
            );
            let p = match at.get(1) {
                Some(&row) => Problem::at_row(self.name, row, msg),
                None => Problem::in_file(self.name, msg),
            };
            self.problem(Code::DuplicateId, p);
        }
    }

    fn finish(
        mut self,
        geography: &str,
        mode: TravelMode,
        tool: &str,
        given: &Given,
    ) -> Result<TravelMatrix> {
        if !self.problems.is_empty() {
            let n = self.problems.len() + self.more_problems;
            let first = self.problems[0].to_string();
            return Err(Error::with_details(
                self.code,
                if n == 1 {
                    first
                } else {
                    format!("{n} problems in {}; the first: {first}", self.name)
                },
                self.problems,
            ));
        }
        if self.pairs.is_empty() {
            return Err(Error::problem(
                Code::EmptyFile,
                Problem::in_file(self.name, "the matrix holds no reachable pair"),
            ));
        }
        // Sorted by origin: build the rows.
        let mut offsets = Vec::with_capacity(self.origins.len() + 1);
        offsets.push(0u32);
        let mut to = Vec::with_capacity(self.pairs.len());
        let mut minutes = Vec::with_capacity(self.pairs.len());
        let mut next = 0u32;
        for &(o, d, t) in &self.pairs {
            while next < o {
                offsets.push(u32::try_from(to.len()).unwrap_or(u32::MAX));
                next += 1;
            }
            to.push(d);
            minutes.push(t);
        }
        while (offsets.len()) <= self.origins.len() {
            offsets.push(u32::try_from(to.len()).unwrap_or(u32::MAX));
        }
        self.pairs = Vec::new();
        Ok(TravelMatrix {
            geography: geography.to_owned(),
            mode,
            source: MatrixSource {
                tool: given
                    .tool
                    .clone()
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| tool.to_owned()),
                date: given.date.clone().filter(|t| !t.trim().is_empty()),
                departure: given.departure.clone().filter(|t| !t.trim().is_empty()),
                file: self.name.to_owned(),
                stored_at: String::new(),
            },
            kind: self.kind.unwrap_or(DestinationKind::Sites),
            origins: self.origins,
            destinations: self.destinations,
            offsets,
            to,
            minutes,
        })
    }
}

/// The CSV layouts: which columns hold the ids and the time, and the time's unit.
struct Layout {
    from: usize,
    to: usize,
    time: usize,
    seconds: bool,
    tool: &'static str,
    names: [String; 3],
}

fn layout(headers: &[String]) -> Option<Layout> {
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.contains(&h.to_ascii_lowercase().as_str()))
    };
    let from = find(&["from_id", "origin_id", "origin", "fromid"])?;
    let to = find(&["to_id", "destination_id", "destination", "toid"])?;
    let (time, seconds, tool) = if let Some(t) = find(&["travel_time", "travel_time_p50"]) {
        (t, false, "r5py/r5r")
    } else if let Some(t) = find(&["duration_sec"]) {
        (t, true, "OpenTimes")
    } else if let Some(t) = find(&["travel time", "travel_time_sec", "duration"]) {
        (t, true, "OpenTripPlanner")
    } else {
        return None;
    };
    Some(Layout {
        from,
        to,
        time,
        seconds,
        tool,
        names: [
            headers[from].clone(),
            headers[to].clone(),
            headers[time].clone(),
        ],
    })
}

/// Splits one CSV line into `cells` (double quotes as RFC 4180; a quote inside a quoted
/// cell is doubled).
fn split(line: &str, cells: &mut Vec<String>) {
    cells.clear();
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => cells.push(std::mem::take(&mut cell)),
            _ => cell.push(c),
        }
    }
    cells.push(cell);
}

fn read_csv<R: BufRead>(reader: R, b: &mut Builder<'_>) -> Result<&'static str> {
    scan_csv(reader, b, |_, _, _| {})
}

/// Reads every row into `b`; `seen` is told each accepted pair's ids and row.
fn scan_csv<R: BufRead>(
    mut reader: R,
    b: &mut Builder<'_>,
    mut seen: impl FnMut(u32, u32, u64),
) -> Result<&'static str> {
    let name = b.name;
    let mut buf = Vec::with_capacity(256);
    let mut cells: Vec<String> = Vec::new();
    let mut line = String::new();
    let next_line = |reader: &mut R, buf: &mut Vec<u8>| -> Result<Option<String>> {
        buf.clear();
        if reader.read_until(b'\n', buf).map_err(Error::internal)? == 0 {
            return Ok(None);
        }
        while buf.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
            buf.pop();
        }
        let text = std::str::from_utf8(buf).map_err(|_| {
            Error::problem(
                Code::MalformedFile,
                Problem::in_file(name, "the file is not UTF-8 text"),
            )
        })?;
        Ok(Some(text.trim_start_matches('\u{feff}').to_owned()))
    };
    let Some(header) = next_line(&mut reader, &mut buf)? else {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(name, "the file is empty"),
        ));
    };
    split(&header, &mut cells);
    let headers: Vec<String> = cells.iter().map(|h| h.trim().to_owned()).collect();
    let Some(layout) = layout(&headers) else {
        return Err(Error::problem(
            Code::MalformedFile,
            Problem::at_row(
                name,
                1,
                format!(
                    "the header ({}) is not a travel-time matrix gapmap reads: r5py/r5r `from_id,to_id,travel_time` (minutes), OpenTimes `origin_id,destination_id,duration_sec`, OpenTripPlanner `Origin,Destination,Travel time` (seconds), or OSRM table JSON",
                    headers.join(",")
                ),
            ),
        ));
    };
    let width = layout.from.max(layout.to).max(layout.time) + 1;
    let mut row: u64 = 1;
    while let Some(text) = next_line(&mut reader, &mut buf)? {
        row += 1;
        line.clear();
        line.push_str(&text);
        if line.trim().is_empty() {
            continue;
        }
        split(&line, &mut cells);
        if cells.len() < width {
            b.problem(
                Code::MalformedFile,
                Problem::at_row(
                    name,
                    row,
                    format!(
                        "the row has {} cells; the header has {}",
                        cells.len(),
                        headers.len()
                    ),
                ),
            );
            continue;
        }
        let o = b.origin(&cells[layout.from], row, &layout.names[0]);
        let d = b.destination(&cells[layout.to], row, &layout.names[1]);
        let t = b.time(&cells[layout.time], layout.seconds, row, &layout.names[2]);
        if let (Some(o), Some(d)) = (o, d)
            && t.is_some()
        {
            seen(o, d, row);
        }
        b.pair(o, d, t);
    }
    Ok(layout.tool)
}

/// OSRM's table answer with the request's ids.
#[derive(serde::Deserialize)]
struct OsrmTable {
    code: Option<String>,
    message: Option<String>,
    durations: Option<Vec<Vec<Option<f64>>>>,
    source_ids: Option<Vec<String>>,
    destination_ids: Option<Vec<String>>,
}

fn read_osrm<R: BufRead>(reader: R, b: &mut Builder<'_>) -> Result<()> {
    let name = b.name;
    let table: OsrmTable = serde_json::from_reader(reader).map_err(|e| {
        Error::problem(
            Code::MalformedFile,
            Problem::in_file(name, format!("the OSRM table JSON cannot be read: {e}")),
        )
    })?;
    if let Some(code) = table.code.as_deref()
        && code != "Ok"
    {
        return Err(Error::problem(
            Code::InvalidFile,
            Problem::in_file(
                name,
                format!(
                    "OSRM answered '{code}'{}: only an answer with code 'Ok' holds times",
                    table.message.map(|m| format!(" ({m})")).unwrap_or_default()
                ),
            ),
        ));
    }
    let missing = |field: &str, why: &str| {
        Error::problem(
            Code::InvalidFile,
            Problem::field(field, why).with_file(name),
        )
    };
    let durations = table.durations.ok_or_else(|| {
        missing(
            "durations",
            "the answer has no durations: request the table with annotations=duration",
        )
    })?;
    let sources = table.source_ids.ok_or_else(|| {
        missing("source_ids", "add the request's origin GEOIDs, in its order, as \"source_ids\": [...] (OSRM's answer keeps only their order)")
    })?;
    let dests = table.destination_ids.ok_or_else(|| {
        missing("destination_ids", "add the request's destination ids (site ids or GEOIDs), in its order, as \"destination_ids\": [...]")
    })?;
    if sources.len() != durations.len() {
        return Err(missing(
            "source_ids",
            &format!(
                "{} source ids for {} rows of durations",
                sources.len(),
                durations.len()
            ),
        ));
    }
    let d_ix: Vec<Option<u32>> = dests
        .iter()
        .enumerate()
        .map(|(j, id)| b.destination(id, j as u64 + 1, "destination_ids"))
        .collect();
    for (i, (id, row)) in sources.iter().zip(&durations).enumerate() {
        let r = i as u64 + 1;
        let o = b.origin(id, r, "source_ids");
        if row.len() != dests.len() {
            b.problem(
                Code::InvalidFile,
                Problem::at(
                    name,
                    r,
                    "durations",
                    format!(
                        "the row has {} durations for {} destination ids",
                        row.len(),
                        dests.len()
                    ),
                ),
            );
            continue;
        }
        for (j, cell) in row.iter().enumerate() {
            let t = match cell {
                None => None,
                Some(v) => b.time(&v.to_string(), true, r, &format!("durations[{i}][{j}]")),
            };
            b.pair(o, d_ix[j], t);
        }
    }
    Ok(())
}

trait WithFile {
    fn with_file(self, file: &str) -> Self;
}

impl WithFile for Problem {
    fn with_file(mut self, file: &str) -> Self {
        self.file = Some(file.to_owned());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn known() -> KnownIds {
        KnownIds {
            areas: ["01", "02", "03"].map(String::from).into(),
            sites: ["s1", "s2"].map(String::from).into(),
        }
    }

    fn read_text(text: &str) -> Result<TravelMatrix> {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        read(
            f.path(),
            "m.csv",
            "g",
            TravelMode::Transit,
            &known(),
            &Given::default(),
        )
    }

    #[test]
    fn r5py_minutes_become_rows_with_missing_pairs_left_out() {
        let m = read_text("from_id,to_id,travel_time\n02,s2,12\n01,s1,5.5\n01,s2,\n02,s1,NaN\n")
            .unwrap();
        assert_eq!(m.source.tool, "r5py/r5r");
        assert_eq!(m.kind, DestinationKind::Sites);
        assert_eq!(m.origins[0].as_str(), "02");
        assert_eq!(m.row(0).collect::<Vec<_>>(), vec![(0, 12.0)]);
        assert_eq!(m.destinations[1], "s1");
        assert_eq!(m.row(1).collect::<Vec<_>>(), vec![(1, 5.5)]);
        assert_eq!(m.pairs(), 2);
    }

    #[test]
    fn opentimes_and_otp_seconds_become_minutes() {
        let m = read_text("origin_id,destination_id,duration_sec\n01,02,90\n01,03,600\n").unwrap();
        assert_eq!(m.source.tool, "OpenTimes");
        assert_eq!(m.kind, DestinationKind::Areas);
        assert_eq!(m.minutes, vec![1.5, 10.0]);
        let m = read_text("Origin,Destination,Walk distance,Travel time\n01,s1,300,120\n").unwrap();
        assert_eq!(m.source.tool, "OpenTripPlanner");
        assert_eq!(m.minutes, vec![2.0]);
    }

    #[test]
    fn unknown_ids_negative_and_non_numeric_times_are_refused_with_their_rows() {
        let e = read_text(
            "from_id,to_id,travel_time\n01,s1,3\n99,s1,4\n01,nope,4\n02,s1,-1\n02,s2,abc\n",
        )
        .unwrap_err();
        let d = e.details();
        assert_eq!(e.code(), Code::UnknownGeoid);
        assert_eq!(d.len(), 4, "{e}");
        assert_eq!(
            (d[0].row, d[0].field.as_deref()),
            (Some(3), Some("from_id"))
        );
        assert_eq!((d[1].row, d[1].field.as_deref()), (Some(4), Some("to_id")));
        assert_eq!(
            (d[2].row, d[2].field.as_deref()),
            (Some(5), Some("travel_time"))
        );
        assert!(d[2].message.contains("negative"), "{}", d[2].message);
        assert!(d[3].message.contains("not a number"), "{}", d[3].message);
    }

    #[test]
    fn a_pair_given_twice_is_refused_naming_both_rows() {
        let e = read_text("from_id,to_id,travel_time\n01,s1,3\n02,s1,4\n01,s1,5\n").unwrap_err();
        assert_eq!(e.code(), Code::DuplicateId);
        assert_eq!(e.details()[0].row, Some(4));
        assert!(e.message().contains("rows 2, 4"), "{}", e.message());
    }

    #[test]
    fn sites_and_areas_in_one_matrix_are_refused() {
        let e = read_text("from_id,to_id,travel_time\n01,s1,3\n01,02,4\n").unwrap_err();
        assert_eq!(e.details()[0].row, Some(3));
    }

    #[test]
    fn osrm_tables_read_their_ids_and_nulls_are_unreachable() {
        let m = read_text(
            r#"{"code":"Ok","durations":[[60,null],[0,30]],"source_ids":["01","03"],"destination_ids":["s1","s2"]}"#,
        )
        .unwrap();
        assert_eq!(m.source.tool, "OSRM");
        assert_eq!(m.pairs(), 3);
        assert_eq!(m.row(0).collect::<Vec<_>>(), vec![(0, 1.0)]);
        assert_eq!(m.row(1).collect::<Vec<_>>(), vec![(0, 0.0), (1, 0.5)]);
        let e = read_text(r#"{"code":"Ok","durations":[[60]]}"#).unwrap_err();
        assert_eq!(e.details()[0].field.as_deref(), Some("source_ids"));
    }

    #[test]
    fn a_header_that_is_no_matrix_is_refused() {
        let e = read_text("GEOID,kids\n01,3\n").unwrap_err();
        assert_eq!(e.code(), Code::MalformedFile);
        assert!(e.message().contains("from_id,to_id,travel_time"));
    }
}
