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
    read_in(
        path,
        name,
        geography,
        mode,
        known,
        given,
        Chunks {
            block: BLOCK,
            threads: threads(),
        },
    )
}

/// How a CSV is read: blocks of `block` bytes, each split between `threads` threads.
#[derive(Clone, Copy, Debug)]
struct Chunks {
    block: usize,
    threads: usize,
}

fn read_in(
    path: &Path,
    name: &str,
    geography: &str,
    mode: TravelMode,
    known: &KnownIds,
    given: &Given,
    chunks: Chunks,
) -> Result<TravelMatrix> {
    let open = || {
        std::fs::File::open(path)
            .map(|f| BufReader::with_capacity(1 << 16, f))
            .map_err(Error::internal)
    };
    let mut reader = open()?;
    let first = first_byte(&mut reader, name)?;
    let mut b = Builder::new(name, known, chunks);
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
    chunks: Chunks,
    origins: Vec<Geoid>,
    origin_ix: HashMap<String, u32>,
    destinations: Vec<String>,
    dest_ix: HashMap<String, u32>,
    kind: Option<DestinationKind>,
    /// The accepted pairs' destinations and minutes in the file's order, and where each
    /// run of one origin's pairs starts (origin, index into `to`); [`Self::arrange`]
    /// groups and sorts them into rows.
    to: Vec<u32>,
    minutes: Vec<f32>,
    runs: Vec<(u32, usize)>,
    /// The rows' offsets into `to` once arranged.
    offsets: Vec<u32>,
    problems: Vec<Problem>,
    code: Code,
    more_problems: usize,
}

impl<'a> Builder<'a> {
    fn new(name: &'a str, known: &'a KnownIds, chunks: Chunks) -> Self {
        Self {
            name,
            known,
            chunks,
            origins: Vec::new(),
            origin_ix: HashMap::new(),
            destinations: Vec::new(),
            dest_ix: HashMap::new(),
            kind: None,
            to: Vec::new(),
            minutes: Vec::new(),
            runs: Vec::new(),
            offsets: Vec::new(),
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
            if self.runs.last().is_none_or(|r| r.0 != o) {
                self.runs.push((o, self.to.len()));
            }
            self.to.push(d);
            self.minutes.push(t);
        }
    }

    /// Groups the pairs by origin (in the origins' order) and sorts each origin's by
    /// destination, setting `offsets`; returns the pairs given more than once.
    fn arrange(&mut self) -> Vec<(u32, u32)> {
        let n = self.origins.len();
        let len = self.to.len();
        let mut counts = vec![0usize; n];
        let mut ordered = true;
        for (k, &(o, start)) in self.runs.iter().enumerate() {
            let end = self.runs.get(k + 1).map_or(len, |r| r.1);
            counts[o as usize] += end - start;
            ordered &= k == 0 || self.runs[k - 1].0 < o;
        }
        let mut offsets = Vec::with_capacity(n + 1);
        let mut at = 0usize;
        offsets.push(0u32);
        for c in &counts {
            at += c;
            offsets.push(u32::try_from(at).unwrap_or(u32::MAX));
        }
        if !ordered {
            // An origin in several runs: move each run to its origin's place.
            let mut to = vec![0u32; len];
            let mut minutes = vec![0f32; len];
            let mut next: Vec<usize> = offsets[..n].iter().map(|&x| x as usize).collect();
            for (k, &(o, start)) in self.runs.iter().enumerate() {
                let end = self.runs.get(k + 1).map_or(len, |r| r.1);
                let dst = &mut next[o as usize];
                to[*dst..*dst + end - start].copy_from_slice(&self.to[start..end]);
                minutes[*dst..*dst + end - start].copy_from_slice(&self.minutes[start..end]);
                *dst += end - start;
            }
            self.to = to;
            self.minutes = minutes;
        }
        self.runs = Vec::new();
        // Each row by destination, the rows split between the threads.
        let threads = self.chunks.threads.max(1);
        let mut twice = Vec::new();
        std::thread::scope(|s| {
            let mut work = Vec::new();
            let (mut to, mut minutes) = (&mut self.to[..], &mut self.minutes[..]);
            let mut first = 0usize;
            for part in 1..=threads {
                let last = if part == threads {
                    n
                } else {
                    let goal = len / threads * part;
                    first + offsets[first..n].partition_point(|&x| (x as usize) < goal)
                };
                let rows = &offsets[first..=last];
                let size = (rows[rows.len() - 1] - rows[0]) as usize;
                let (t, rest_t) = std::mem::take(&mut to).split_at_mut(size);
                let (m, rest_m) = std::mem::take(&mut minutes).split_at_mut(size);
                (to, minutes) = (rest_t, rest_m);
                let o0 = first;
                work.push(s.spawn(move || sort_rows(o0, rows, t, m)));
                first = last;
            }
            for w in work {
                twice.extend(w.join().unwrap_or_default());
            }
        });
        self.offsets = offsets;
        twice
    }

    /// Sorts the pairs by origin and destination; a pair given twice is listed with the
    /// rows that hold it, read again from the file (only when there is one).
    fn find_duplicates<R: BufRead>(&mut self, reopen: impl FnOnce() -> Option<R>, json: bool) {
        let twice: HashSet<(u32, u32)> = self.arrange().into_iter().collect();
        if twice.is_empty() {
            return;
        }
        let mut rows: HashMap<(u32, u32), Vec<u64>> = HashMap::new();
        if !json && let Some(reader) = reopen() {
            let mut again = Builder::new(self.name, self.known, self.chunks);
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
        if self.to.is_empty() {
            return Err(Error::problem(
                Code::EmptyFile,
                Problem::in_file(self.name, "the matrix holds no reachable pair"),
            ));
        }
        // Arranged in rows by `find_duplicates`.
        let (mut to, mut minutes) = (
            std::mem::take(&mut self.to),
            std::mem::take(&mut self.minutes),
        );
        to.shrink_to_fit();
        minutes.shrink_to_fit();
        let offsets = std::mem::take(&mut self.offsets);
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

/// Sorts each row (origins `o0`…, `rows` their offsets, `to` and `minutes` their pairs)
/// by destination; returns the pairs found twice.
fn sort_rows(o0: usize, rows: &[u32], to: &mut [u32], minutes: &mut [f32]) -> Vec<(u32, u32)> {
    let base = rows[0] as usize;
    let mut twice = Vec::new();
    let mut scratch: Vec<u64> = Vec::new();
    for (i, w) in rows.windows(2).enumerate() {
        let (a, b) = (w[0] as usize - base, w[1] as usize - base);
        let (t, m) = (&mut to[a..b], &mut minutes[a..b]);
        if t.windows(2).all(|p| p[0] < p[1]) {
            continue;
        }
        scratch.clear();
        scratch.extend(
            t.iter()
                .zip(m.iter())
                .map(|(&d, &x)| (u64::from(d) << 32) | u64::from(x.to_bits())),
        );
        scratch.sort_unstable();
        for ((d, x), &p) in t.iter_mut().zip(m.iter_mut()).zip(&scratch) {
            *d = (p >> 32) as u32;
            *x = f32::from_bits(p as u32);
        }
        let o = (o0 + i) as u32;
        for p in t.windows(2) {
            if p[0] == p[1] && twice.last() != Some(&(o, p[0])) {
                twice.push((o, p[0]));
            }
        }
    }
    twice
}

/// The threads that parse and sort: the machine's cores, at most 8.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
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
///
/// The rows after the header are read in blocks of [`BLOCK`] bytes, each cut at a line's
/// end and split between the threads ([`parse_piece`]), then taken in the file's order
/// ([`take_piece`]): a line without quotes, byte-order marks, padding or problems is read
/// from its bytes; every other line goes through [`slow_row`], the cell-by-cell reading
/// that names the row's problems.
fn scan_csv<R: BufRead>(
    mut reader: R,
    b: &mut Builder<'_>,
    mut seen: impl FnMut(u32, u32, u64),
) -> Result<&'static str> {
    let name = b.name;
    let not_utf8 = || {
        Error::problem(
            Code::MalformedFile,
            Problem::in_file(name, "the file is not UTF-8 text"),
        )
    };
    let mut buf = Vec::with_capacity(256);
    let mut cells: Vec<String> = Vec::new();
    if reader
        .read_until(b'\n', &mut buf)
        .map_err(Error::internal)?
        == 0
    {
        return Err(Error::problem(
            Code::EmptyFile,
            Problem::in_file(name, "the file is empty"),
        ));
    }
    while buf.last().is_some_and(|c| *c == b'\n' || *c == b'\r') {
        buf.pop();
    }
    let header = std::str::from_utf8(&buf)
        .map_err(|_| not_utf8())?
        .trim_start_matches('\u{feff}');
    split(header, &mut cells);
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
    let ids = Ids::new(b.known);
    let Chunks { block, threads } = b.chunks;
    let threads = threads.max(1);
    let mut taker = Taker {
        layout: &layout,
        header_cells: headers.len(),
        width,
        ids: &ids,
        origin: vec![NONE; ids.names.len()],
        destination: vec![NONE; ids.names.len()],
        cells,
    };
    let mut row: u64 = 1;
    let mut block = vec![0u8; block.max(1)];
    let mut filled = 0;
    let mut eof = false;
    loop {
        // Fill the block, then cut it after its last line end.
        while filled < block.len() && !eof {
            let n = reader.read(&mut block[filled..]).map_err(Error::internal)?;
            filled += n;
            eof = n == 0;
        }
        let cut = if eof {
            filled
        } else {
            match memchr::memrchr(b'\n', &block[..filled]) {
                Some(i) => i + 1,
                // A line longer than the block: read on.
                None => {
                    block.resize(block.len() * 2, 0);
                    continue;
                }
            }
        };
        let data = &block[..cut];
        let mut bounds = vec![0usize];
        for part in 1..threads {
            let from = (cut / threads * part).max(bounds[part - 1]);
            let end = memchr::memchr(b'\n', &data[from..]).map_or(cut, |i| from + i + 1);
            bounds.push(end);
        }
        bounds.push(cut);
        let pieces: Vec<&[u8]> = bounds.windows(2).map(|w| &data[w[0]..w[1]]).collect();
        let fast = Fast {
            from: layout.from,
            to: layout.to,
            time: layout.time,
            width,
            seconds: layout.seconds,
        };
        let parse_piece = if fast.seconds {
            parse_piece::<true>
        } else {
            parse_piece::<false>
        };
        let parsed: Vec<Option<Piece>> = std::thread::scope(|s| {
            let ids = &ids;
            let fast = &fast;
            let work: Vec<_> = pieces[1..]
                .iter()
                .map(|&p| s.spawn(move || parse_piece(p, fast, ids)))
                .collect();
            let mut out = vec![parse_piece(pieces[0], fast, ids)];
            out.extend(work.into_iter().map(|w| w.join().unwrap_or(None)));
            out
        });
        for (piece, text) in parsed.into_iter().zip(&pieces) {
            let piece = piece.ok_or_else(not_utf8)?;
            taker.take_piece(b, &piece, text, row, &mut seen);
            row += piece.recs.len() as u64;
        }
        block.copy_within(cut..filled, 0);
        filled -= cut;
        if eof {
            return Ok(layout.tool);
        }
    }
}

/// Bytes read and parsed at a time.
const BLOCK: usize = 8 << 20;

/// No index (an id not seen yet).
const NONE: u32 = u32::MAX;

/// The known ids for the bytes path: each id's index as a site and as an area in
/// `names`, [`NONE`] when it is not one. Ids of at most 16 bytes (GEOIDs have 11–15) are
/// looked up as integers, in a map per length.
struct Ids<'k> {
    short: Vec<hashbrown::HashMap<u128, (u32, u32)>>,
    long: hashbrown::HashMap<&'k [u8], (u32, u32)>,
    /// The sites' ids, then the areas', each in byte order, as [`key`]s; `names[i]`
    /// is the id of `keys[i]`.
    names: Vec<&'k str>,
    keys: Vec<u128>,
    /// How many are sites.
    sites: usize,
    /// Whether [`Ids::seek`] may find the id: not when it is longer than 15 bytes, nor an
    /// area whose id is also a site's (a destination then is the site).
    seekable: Vec<bool>,
}

/// An id of at most 15 bytes as one integer: its bytes big-endian, zero-padded, and its
/// length in the last byte; in the ids' byte order, and one to one. Longer ids get their
/// first 16 bytes, which is neither (the bytes path leaves them to the map and the
/// cell-by-cell reading).
fn key(id: &[u8]) -> u128 {
    let n = id.len();
    let word = |b: &[u8]| b.try_into().map_or(0, u64::from_be_bytes);
    if n >= 16 {
        (u128::from(word(&id[..8])) << 64) | u128::from(word(&id[8..16]))
    } else if n >= 8 {
        let low = if n == 8 {
            0
        } else {
            word(&id[n - 8..]) << (8 * (16 - n))
        };
        (u128::from(word(&id[..8])) << 64) | u128::from(low) | n as u128
    } else if n > 0 {
        (id.iter().fold(0u128, |k, &c| (k << 8) | u128::from(c)) << (8 * (16 - n))) | n as u128
    } else {
        0
    }
}

impl<'k> Ids<'k> {
    fn new(known: &'k KnownIds) -> Self {
        let n = known.sites.len() + known.areas.len();
        let mut ids = Self {
            short: (0..=16).map(|_| hashbrown::HashMap::new()).collect(),
            long: hashbrown::HashMap::new(),
            names: Vec::with_capacity(n),
            keys: Vec::with_capacity(n),
            sites: known.sites.len(),
            seekable: Vec::with_capacity(n),
        };
        let sorted = |set: &'k HashSet<String>| {
            let mut v: Vec<&'k String> = set.iter().collect();
            v.sort_unstable_by_key(|s| key(s.as_bytes()));
            v
        };
        for (s, site) in sorted(&known.sites)
            .into_iter()
            .map(|s| (s, true))
            .chain(sorted(&known.areas).into_iter().map(|a| (a, false)))
        {
            let ix = ids.names.len() as u32;
            let id = s.as_bytes();
            let entry = match ids.short.get_mut(id.len()) {
                Some(m) => m.entry(key(id)).or_insert((NONE, NONE)),
                None => ids.long.entry(id).or_insert((NONE, NONE)),
            };
            if site {
                entry.0 = ix;
            } else {
                entry.1 = ix;
            }
            ids.names.push(s.as_str());
            ids.keys.push(key(id));
            ids.seekable
                .push(id.len() <= 15 && (site || !known.sites.contains(s)));
        }
        ids
    }

    /// The id's (site, area) indices.
    fn get(&self, id: &[u8]) -> Option<(u32, u32)> {
        match self.short.get(id.len()) {
            Some(m) => m.get(&key(id)).copied(),
            None => self.long.get(id).copied(),
        }
    }

    /// The destination whose key is `k`, looked for after destination `after` among
    /// the ids of its kind (matrices list an origin's destinations in byte order);
    /// None when it is not there or is an area that is a site too.
    fn seek(&self, after: u32, k: u128) -> Option<u32> {
        let after = after as usize;
        let end = if after < self.sites {
            self.sites
        } else {
            self.keys.len()
        };
        if k <= *self.keys.get(after)? {
            return None;
        }
        // The next few one by one (the next destination is often near), then leaps.
        let base = after + 1;
        let mut i = base;
        let near = (base + 8).min(end);
        while i < near && self.keys[i] < k {
            i += 1;
        }
        if i == near && i < end {
            let mut span = 1;
            while near + span <= end && self.keys[near + span - 1] < k {
                span *= 2;
            }
            let lo = near + span / 2;
            let hi = (near + span).min(end);
            i = lo + self.keys[lo..hi].partition_point(|x| *x < k);
        }
        (i < end && self.keys[i] == k && self.seekable[i]).then_some(i as u32)
    }
}

/// The columns the bytes path reads.
struct Fast {
    from: usize,
    to: usize,
    time: usize,
    width: usize,
    seconds: bool,
}

/// One line read from its bytes: the origin's and the destination's index in
/// [`Ids::names`] and the minutes (NaN: unreachable); or, with `o` = [`NONE`], the line
/// for [`slow_row`], `d` its place in [`Piece::slow`].
#[derive(Clone, Copy)]
struct Rec {
    o: u32,
    d: u32,
    t: f32,
}

/// A piece of a block: a [`Rec`] per line, and the lines (start, end) left to
/// [`slow_row`].
struct Piece {
    recs: Vec<Rec>,
    slow: Vec<(usize, usize)>,
}

/// Reads the lines of `piece` (whole lines, the last one's end included); None when it is
/// not UTF-8.
///
/// `SECONDS` is [`Fast::seconds`], a constant so that minutes are not divided by 60 too.
fn parse_piece<const SECONDS: bool>(piece: &[u8], fast: &Fast, ids: &Ids<'_>) -> Option<Piece> {
    std::str::from_utf8(piece).ok()?;
    let mut out = Piece {
        recs: Vec::with_capacity(piece.len() / 24 + 1),
        slow: Vec::new(),
    };
    let quotes = memchr::memchr(b'"', piece).is_some();
    let mut guess = Guess {
        origin: (0, NONE),
        destination: NONE,
    };
    // The commas and line ends, found together.
    let mut marks = memchr::memchr2_iter(b',', b'\n', piece);
    let mut p = 0;
    while p < piece.len() {
        let mut cells = [(0usize, 0usize); 3];
        let mut cell = 0;
        let mut start = p;
        let end = loop {
            match marks.next() {
                Some(i) if piece[i] == b',' => {
                    for (k, &c) in [fast.from, fast.to, fast.time].iter().enumerate() {
                        if c == cell {
                            cells[k] = (start, i);
                        }
                    }
                    cell += 1;
                    start = i + 1;
                }
                Some(i) => break i,
                None => break piece.len(),
            }
        };
        let mut e = end;
        while e > start && piece[e - 1] == b'\r' {
            e -= 1;
        }
        for (k, &c) in [fast.from, fast.to, fast.time].iter().enumerate() {
            if c == cell {
                cells[k] = (start, e);
            }
        }
        let line = &piece[p..e];
        let rec = if cell + 1 < fast.width
            || line.first().is_none_or(|&c| c == 0xEF)
            || (quotes && memchr::memchr(b'"', line).is_some())
        {
            None
        } else {
            let [f, t, m] = cells.map(|(a, z)| &piece[a..z]);
            fast_row(f, t, m, SECONDS, ids, &mut guess)
        };
        out.recs.push(rec.unwrap_or_else(|| {
            out.slow.push((p, e));
            Rec {
                o: NONE,
                d: (out.slow.len() - 1) as u32,
                t: 0.0,
            }
        }));
        p = end + 1;
    }
    Some(out)
}

/// Where the bytes path looks first: the last origin read (its key and index; matrices
/// come by origin) and the last destination (an origin's next one follows it).
struct Guess {
    origin: (u128, u32),
    destination: u32,
}

/// A line's cells read from their bytes, when they need nothing else: ids neither
/// padded nor empty and known, and a time that is empty or plain digits with an optional
/// fraction.
#[inline]
fn fast_row(
    from: &[u8],
    to: &[u8],
    time: &[u8],
    seconds: bool,
    ids: &Ids<'_>,
    guess: &mut Guess,
) -> Option<Rec> {
    let plain = |v: &[u8]| match (v.first(), v.last()) {
        (Some(&a), Some(&z)) => a.is_ascii_graphic() && z.is_ascii_graphic(),
        _ => false,
    };
    if !plain(from) || !plain(to) || from.len() > 15 || to.len() > 15 {
        return None;
    }
    let k = key(from);
    let o = if guess.origin.0 == k && guess.origin.1 != NONE {
        guess.origin.1
    } else {
        let o = ids.get(from)?.1;
        if o == NONE {
            return None;
        }
        guess.origin = (k, o);
        o
    };
    let k = key(to);
    let sought = match guess.destination {
        NONE => None,
        after => ids.seek(after, k),
    };
    let d = match sought {
        Some(d) => d,
        None => match ids.get(to)? {
            (NONE, a) => a,
            (s, _) => s,
        },
    };
    guess.destination = d;
    let t = plain_minutes(time, seconds)?;
    Some(Rec { o, d, t })
}

/// Exact powers of ten as f64.
const POW10: [f64; 16] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
];

/// The minutes of a time cell that is empty (NaN: unreachable) or `digits[.digits]` of at
/// most 15 digits, exactly as [`parse_time`] reads it (an integer below 2^53 divided by an
/// exact power of ten is what `str::parse::<f64>` computes too); None for any other cell.
#[inline]
fn plain_minutes(cell: &[u8], seconds: bool) -> Option<f32> {
    if cell.is_empty() {
        return Some(f32::NAN);
    }
    let mut m: u64 = 0;
    let mut digits = 0;
    let mut frac = None;
    for (i, &c) in cell.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                m = m * 10 + u64::from(c - b'0');
                digits += 1;
                if digits > 15 {
                    return None;
                }
            }
            b'.' if frac.is_none() && i > 0 && i + 1 < cell.len() => {
                frac = Some(cell.len() - i - 1)
            }
            _ => return None,
        }
    }
    let k = frac.unwrap_or(0);
    let v = if k == 0 {
        m as f64
    } else {
        m as f64 / POW10[k]
    };
    Some(if seconds { v / 60.0 } else { v } as f32)
}

/// Takes the pieces' lines into the builder in the file's order.
struct Taker<'l, 'k> {
    layout: &'l Layout,
    header_cells: usize,
    width: usize,
    ids: &'l Ids<'k>,
    /// The builder's index of each of `ids.names` as an origin and as a destination.
    origin: Vec<u32>,
    destination: Vec<u32>,
    cells: Vec<String>,
}

impl Taker<'_, '_> {
    /// The lines of `piece`, read from `text`, the first of which is row `row` + 1.
    fn take_piece(
        &mut self,
        b: &mut Builder<'_>,
        piece: &Piece,
        text: &[u8],
        row: u64,
        seen: &mut impl FnMut(u32, u32, u64),
    ) {
        for (i, r) in piece.recs.iter().enumerate() {
            let row = row + i as u64 + 1;
            if r.o == NONE {
                let (start, end) = piece.slow[r.d as usize];
                let line = std::str::from_utf8(&text[start..end]).unwrap_or_default();
                slow_row(
                    b,
                    self.layout,
                    self.header_cells,
                    self.width,
                    &mut self.cells,
                    line,
                    row,
                    seen,
                );
                continue;
            }
            let o = match self.origin[r.o as usize] {
                NONE => {
                    let o = b.origin(self.ids.names[r.o as usize], row, &self.layout.names[0]);
                    self.origin[r.o as usize] = o.unwrap_or(NONE);
                    o
                }
                o => Some(o),
            };
            let d = match self.destination[r.d as usize] {
                NONE => {
                    let d = b.destination(self.ids.names[r.d as usize], row, &self.layout.names[1]);
                    self.destination[r.d as usize] = d.unwrap_or(NONE);
                    d
                }
                d => Some(d),
            };
            let t = (!r.t.is_nan()).then_some(r.t);
            if let (Some(o), Some(d), Some(_)) = (o, d, t) {
                seen(o, d, row);
            }
            b.pair(o, d, t);
        }
    }
}

/// One line read cell by cell (quotes as RFC 4180), its problems named.
#[allow(clippy::too_many_arguments)]
fn slow_row(
    b: &mut Builder<'_>,
    layout: &Layout,
    header_cells: usize,
    width: usize,
    cells: &mut Vec<String>,
    text: &str,
    row: u64,
    seen: &mut impl FnMut(u32, u32, u64),
) {
    let line = text.trim_start_matches('\u{feff}');
    if line.trim().is_empty() {
        return;
    }
    split(line, cells);
    if cells.len() < width {
        b.problem(
            Code::MalformedFile,
            Problem::at_row(
                b.name,
                row,
                format!(
                    "the row has {} cells; the header has {header_cells}",
                    cells.len(),
                ),
            ),
        );
        return;
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

    /// `text` read in blocks of `block` bytes on `threads` threads.
    fn read_chunked(text: &str, block: usize, threads: usize) -> Result<TravelMatrix> {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        read_in(
            f.path(),
            "m.csv",
            "g",
            TravelMode::Transit,
            &known(),
            &Given::default(),
            Chunks { block, threads },
        )
    }

    /// Every block size from one byte (each line longer than the block) to the whole
    /// file, on one to three threads.
    fn every_chunking(text: &str) -> Vec<Result<TravelMatrix>> {
        let mut out = Vec::new();
        for threads in 1..=3 {
            for block in (1..=text.len() + 1).step_by(if text.len() > 200 { 7 } else { 1 }) {
                out.push(read_chunked(text, block, threads));
            }
        }
        out.push(read_chunked(text, BLOCK, 2));
        out
    }

    #[test]
    fn quoted_and_plain_lines_crlf_and_a_bom_read_alike_in_any_chunking() {
        // Row 2 plain; 3 quoted (the slow path); 4 blank; 5 CRLF after a BOM; 6 padded ids and an
        // `NA` time; 7 plain with an empty time (unreachable); 8 quoted time with a comma
        // in a later, unread cell; 9 a plain line with a fraction and no line end.
        let text = "\u{feff}from_id,to_id,travel_time,note\n01,s1,5.5,a\n\"02\",\"s2\",\"12\",b\n\n\u{feff}03,s1,7\r\n 01 , s2 ,NA,c\n02,s1,,d\n03,s2,\"2.25\",\"x,y\"\n01,s2,0.1,e";
        for m in every_chunking(text) {
            let m = m.unwrap();
            assert_eq!(m.source.tool, "r5py/r5r");
            let origins: Vec<&str> = m.origins.iter().map(|g| g.as_str()).collect();
            assert_eq!(origins, ["01", "02", "03"]);
            assert_eq!(m.destinations, ["s1", "s2"]);
            assert_eq!(m.offsets, [0, 2, 3, 5]);
            assert_eq!(m.to, [0, 1, 1, 0, 1]);
            assert_eq!(m.minutes, [5.5, 0.1, 12.0, 7.0, 2.25]);
        }
    }

    #[test]
    fn plain_times_parse_as_the_standard_parser_does() {
        for cell in [
            "0",
            "7",
            "12.5",
            "0.1",
            "0.3",
            "59.99",
            "007.250",
            "123456789012345",
            "1.00000000000001",
            "3.3",
            "60.0",
            "0.00000000000001",
        ] {
            let want = cell.parse::<f64>().unwrap();
            assert_eq!(
                plain_minutes(cell.as_bytes(), false),
                Some(want as f32),
                "{cell}"
            );
            assert_eq!(
                plain_minutes(cell.as_bytes(), true),
                Some((want / 60.0) as f32),
                "{cell}"
            );
        }
        // Left to the cell-by-cell reading.
        for cell in [
            "1234567890123456",
            "-1",
            "1e3",
            ".5",
            "5.",
            "1.2.3",
            " 4",
            "NA",
            "1,5",
        ] {
            assert_eq!(plain_minutes(cell.as_bytes(), false), None, "{cell}");
        }
        assert!(plain_minutes(b"", false).is_some_and(f32::is_nan));
    }

    #[test]
    fn a_problem_in_a_later_chunk_names_its_row() {
        // 40 rows; row 37 names an unknown origin, row 39 a negative time.
        let mut text = String::from("from_id,to_id,travel_time\n");
        for row in 2..=41 {
            text.push_str(&match row {
                37 => "99,s1,4\n".to_owned(),
                39 => "03,s2,-1\n".to_owned(),
                _ => format!("0{},s{},{row}\n", row % 3 + 1, row % 2 + 1),
            });
        }
        for e in every_chunking(&text) {
            let e = e.unwrap_err();
            assert_eq!(e.code(), Code::UnknownGeoid);
            let d = e.details();
            assert_eq!(d.len(), 2, "{e}");
            assert_eq!(
                (d[0].row, d[0].field.as_deref()),
                (Some(37), Some("from_id"))
            );
            assert_eq!(
                (d[1].row, d[1].field.as_deref()),
                (Some(39), Some("travel_time"))
            );
        }
    }

    #[test]
    fn a_pair_given_twice_in_two_chunks_is_refused_naming_both_rows() {
        // Row 2 and row 30 are both 02 → s1; the other rows are distinct pairs.
        let mut text = String::from("from_id,to_id,travel_time\n02,s1,1\n");
        let others = [
            ("01", "s1"),
            ("01", "s2"),
            ("03", "s1"),
            ("03", "s2"),
            ("02", "s2"),
        ];
        // Rows 3–7 the other pairs, 8–29 blank, 30 the pair again.
        for (o, d) in others {
            text.push_str(&format!("{o},{d},2\n"));
        }
        for _ in 0..22 {
            text.push('\n');
        }
        text.push_str("02,s1,3\n");
        for e in every_chunking(&text) {
            let e = e.unwrap_err();
            assert_eq!(e.code(), Code::DuplicateId);
            assert_eq!(e.details().len(), 1);
            assert_eq!(e.details()[0].row, Some(30));
            assert!(e.message().contains("rows 2, 30"), "{}", e.message());
        }
    }

    #[test]
    fn id_keys_keep_byte_order_and_seek_finds_the_next_destination() {
        let ids = [
            "1",
            "10",
            "2",
            "48000000001",
            "48000000019",
            "480000000190",
            "a\u{0}",
            "a",
        ];
        let mut by_bytes = ids.to_vec();
        by_bytes.sort_unstable();
        let mut by_key = ids.to_vec();
        by_key.sort_unstable_by_key(|s| key(s.as_bytes()));
        assert_eq!(by_bytes, by_key);
        let known = known();
        let ids = Ids::new(&known);
        assert_eq!(ids.names, ["s1", "s2", "01", "02", "03"]);
        assert_eq!(ids.seek(2, key(b"03")), Some(4));
        assert_eq!(ids.seek(2, key(b"02")), Some(3));
        assert_eq!(ids.seek(4, key(b"01")), None);
        assert_eq!(ids.seek(0, key(b"s2")), Some(1));
        assert_eq!(ids.seek(0, key(b"02")), None);
        assert_eq!(ids.get(b"02"), Some((NONE, 3)));
        assert_eq!(ids.get(b"s1"), Some((0, NONE)));
        assert_eq!(ids.get(b"04"), None);
    }

    #[test]
    fn origins_in_several_runs_are_grouped_and_sorted() {
        let text = "from_id,to_id,travel_time\n02,s2,1\n01,s2,2\n02,s1,3\n01,s1,4\n03,s1,5\n";
        for m in every_chunking(text) {
            let m = m.unwrap();
            let origins: Vec<&str> = m.origins.iter().map(|g| g.as_str()).collect();
            assert_eq!(origins, ["02", "01", "03"]);
            assert_eq!(m.destinations, ["s2", "s1"]);
            assert_eq!(m.offsets, [0, 2, 4, 5]);
            assert_eq!(m.to, [0, 1, 0, 1, 1]);
            assert_eq!(m.minutes, [1.0, 3.0, 2.0, 4.0, 5.0]);
        }
    }

    #[test]
    fn a_header_that_is_no_matrix_is_refused() {
        let e = read_text("GEOID,kids\n01,3\n").unwrap_err();
        assert_eq!(e.code(), Code::MalformedFile);
        assert!(e.message().contains("from_id,to_id,travel_time"));
    }
}
