#!/usr/bin/env python3
"""Build gapmap's bundled Chicago demo from the public downloads it was made from.

Run from the repository root, with the downloads in one folder:

    python3 data/demo/build_demo.py --from DOWNLOADS
    python3 data/demo/build_demo.py --list          # what to download, and from where

Each source file (SOURCES below: the file name, the address it was published at and the
SHA-256 of the bytes the bundled demo was built from) is read as published.  A file whose
bytes differ (a newer edition) is used with a warning, since the demo then changes too.
The script writes, into the directory it lives in (``data/demo/``), gapmap's own input
formats, so that the demo goes through the same importers as users' data:

    tracts.geojson        791 Chicago census tracts (2010 boundaries)       -> geography
    assessment_2014.csv   ACS-2014-based indicators turned into counts      -> assessment
    partners.geojson      child care, supermarkets, clinics, pre-K schools  -> partners
    libraries.csv         Chicago Public Library branches (flat CSV)        -> partners
    stops.txt             CTA GTFS stops (byte copy)                        -> transit sites
    demo.toml             the manifest gapmap reads to load all of the above

Python 3.11, standard library only.  The output is deterministic: the same downloads give
the same bytes on every run (rows and keys sorted where order is free, ``\\n`` line
endings, counts rounded with decimal arithmetic rather than binary floats).

Anything the script cannot convert confidently makes it fail loudly (exit status 1) rather
than guess; rows it drops on purpose are counted, with the reason, on stderr.  A one-line
summary of the counts per output file goes to stdout.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import shutil
import sys
import unicodedata
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

OUT_DIR = Path(__file__).resolve().parent


def github_file(repo: str, commit: str, path: str) -> str:
    """The address of one file of a public GitHub repository at a fixed commit."""
    return f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"


# GeoDa's data site (branch gh-pages of the repository, served at
# https://geodacenter.github.io/data-and-lab/).
GEODA_DATA = ("GeoDaCenter/data-and-lab", "306f17496f63eb62ccefd6cce2afe0942eb28b7b")
CHICAGO_KIT = ("kirtisoglu/Allocation-of-Primary-Care-Centers-in-Chicago",
               "256085a38e4572749725f2850b595efdcd6f0a51")

# The downloads: file name -> (address, SHA-256 of the bytes the demo was built from,
# what it is and who published it first).  data/demo/README.md describes each.
SOURCES = {
    "Chi-SDOH.zip": (
        github_file(*GEODA_DATA, "data/Chi-SDOH.zip"),
        "45ed38736f15e6ba423fd81d574de61907dbe86555f8b4fae9ce4183b99a6eee",
        "GeoDa Center 'Chicago SDOH, census tracts' (Kolak et al. 2020): 2010 tract "
        "boundaries with ACS 2010-2014 based indicators (the gh-pages branch is the site "
        "https://geodacenter.github.io/data-and-lab/, where this file is data/Chi-SDOH.zip)"),
    "chicago_sup.geojson": (
        github_file(*GEODA_DATA, "data/chicago_sup.geojson"),
        "8912c294e55ee5c07674bdb166f4575dc1810d186c70b3a79e1241ce8a168b44",
        "GeoDa Center '2015 Chicago supermarkets'"),
    "Child_Care_Centers_clean.csv": (
        github_file("LosCAPPos/EarlyEducationProject",
                    "ce63588baf42e3e31adda3667c3ca8dae8b91638",
                    "data/Child_Care_Centers_clean.csv"),
        "71ebad90f610bc62de9f58162a05368be1a2b4c06019a4ef042ef67e4d73c94a",
        "HIFLD 'Child Care Centers' (US federal open data), the Illinois rows"),
    "health_chicago.csv": (
        github_file("GeoDaCenter/spatial_access", "b96ac33a396b5da20d8644191260d758534f8595",
                    "data/input_data/destinations/health_chicago.csv"),
        "c2d1d5c5fe5391fad6844bcba77ceed4cebea5bf6a6ce736fca7385bc72593a5",
        "GeoDa Center spatial_access demo data: Chicago health providers"),
    "Primary_Care_Community_Health_Centers_20240414.csv": (
        github_file(*CHICAGO_KIT,
                    "data/primary/Primary_Care_Community_Health_Centers_20240414.csv"),
        "1f401ddf44e7c067860dacc711b52fe75516194bc3ca63d5390d4aca096753ff",
        "City of Chicago Data Portal 'Primary Care Community Health Centers', "
        "exported 2024-04-14"),
    "libraries.csv": (
        github_file(*CHICAGO_KIT, "data/primary/libraries.csv"),
        "8b8969f0e7be6a1cae5428dda45b94b8faa2e61e6afb2a993fbacee9fb7579fb",
        "City of Chicago Data Portal 'Libraries - Locations, Contact Information, and "
        "Usual Hours of Operation' (https://data.cityofchicago.org/d/x8fc-8rcq)"),
    "schools.csv": (
        github_file(*CHICAGO_KIT, "data/primary/schools.csv"),
        "d3ac0c06463ddc18f650f85bfab85eaf9ef5dcdaead739d8212578b2f196b05d",
        "City of Chicago Data Portal: Chicago Public Schools school locations"),
    "stops.txt": (
        github_file("kirtisoglu/Allocation-of-Primary-Care-Centers-in-Chicago",
                    "778516202df0fbecb9543658a51fd24eba29965c", "google_transit/stops.txt"),
        "67a4d0a0ddf4a66e341883def722d873de7dec78a68e0d09fb998a216418d587",
        "Chicago Transit Authority GTFS feed (https://www.transitchicago.com/developers/gtfs/), "
        "its stops.txt"),
}

# Source files by role (names as published).
TRACTS_SRC = "Chi-SDOH.zip"
TRACTS_MEMBER = "Chi-SDOH.geojson"
CHILDCARE_SRC = "Child_Care_Centers_clean.csv"
SUPERMARKETS_SRC = "chicago_sup.geojson"
HEALTH_SRC = "health_chicago.csv"
CHC_SRC = "Primary_Care_Community_Health_Centers_20240414.csv"
LIBRARIES_SRC = "libraries.csv"
SCHOOLS_SRC = "schools.csv"
STOPS_SRC = "stops.txt"

# Chicago's bounding box.  Every partner point must lie inside it; a point outside is far
# more likely a geocoding error (0,0; swapped lat/lon) than a real Chicago-area site.
LON_MIN, LON_MAX = -88.0, -87.5
LAT_MIN, LAT_MAX = 41.6, 42.1

# Average household size used to turn population into households (see derive_indicators).
HOUSEHOLD_SIZE = Decimal("2.5")

# The 77 official community areas of the City of Chicago, by number.  The tracts file only
# carries the number (`commarea`); the names are checked against the names the sources
# themselves pair with numbers (community health centres: "OAKLAND (36)"), see check_community_areas.
COMMUNITY_AREAS = {
    1: "Rogers Park", 2: "West Ridge", 3: "Uptown", 4: "Lincoln Square",
    5: "North Center", 6: "Lake View", 7: "Lincoln Park", 8: "Near North Side",
    9: "Edison Park", 10: "Norwood Park", 11: "Jefferson Park", 12: "Forest Glen",
    13: "North Park", 14: "Albany Park", 15: "Portage Park", 16: "Irving Park",
    17: "Dunning", 18: "Montclare", 19: "Belmont Cragin", 20: "Hermosa",
    21: "Avondale", 22: "Logan Square", 23: "Humboldt Park", 24: "West Town",
    25: "Austin", 26: "West Garfield Park", 27: "East Garfield Park", 28: "Near West Side",
    29: "North Lawndale", 30: "South Lawndale", 31: "Lower West Side", 32: "Loop",
    33: "Near South Side", 34: "Armour Square", 35: "Douglas", 36: "Oakland",
    37: "Fuller Park", 38: "Grand Boulevard", 39: "Kenwood", 40: "Washington Park",
    41: "Hyde Park", 42: "Woodlawn", 43: "South Shore", 44: "Chatham",
    45: "Avalon Park", 46: "South Chicago", 47: "Burnside", 48: "Calumet Heights",
    49: "Roseland", 50: "Pullman", 51: "South Deering", 52: "East Side",
    53: "West Pullman", 54: "Riverdale", 55: "Hegewisch", 56: "Garfield Ridge",
    57: "Archer Heights", 58: "Brighton Park", 59: "McKinley Park", 60: "Bridgeport",
    61: "New City", 62: "West Elsdon", 63: "Gage Park", 64: "Clearing",
    65: "West Lawn", 66: "Chicago Lawn", 67: "West Englewood", 68: "Englewood",
    69: "Greater Grand Crossing", 70: "Ashburn", 71: "Auburn Gresham", 72: "Beverly",
    73: "Washington Heights", 74: "Mount Greenwood", 75: "Morgan Park", 76: "O'Hare",
    77: "Edgewater",
}

ASSESSMENT_COLUMNS = [
    "total_population",
    "children_under_5",
    "children_under_5_poverty",
    "persons_poverty",
    "households",
    "households_no_vehicle",
    "lep_persons",
    "lep_spanish",
    "children_under_18",
    "single_parent_households",
    "persons_uninsured",
    "transit_commuters_pct",
]

FLAT_CSV_COLUMNS = [
    "id", "name", "partner", "lat", "lon", "services", "capacity", "languages", "hours",
    "address", "partnership_level", "partnership_stage", "agreement_start",
    "agreement_end", "notes",
]

MANIFEST = """\
[[geographies]]
name = "tracts-2010"
file = "tracts.geojson"

[[assessments]]
year = 2014
geography = "tracts-2010"
file = "assessment_2014.csv"

[[partners]]
file = "partners.geojson"

[[partners]]
file = "libraries.csv"

[[stops]]
file = "stops.txt"
"""


class BuildError(Exception):
    """Something in the downloads could not be converted confidently."""


# --------------------------------------------------------------------------- helpers


def warn(message: str) -> None:
    print(f"build_demo: {message}", file=sys.stderr)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def clean_text(value: str) -> str:
    """Collapse runs of whitespace (the sources have trailing blanks, double spaces and
    a stray newline inside names) so names and addresses display cleanly."""
    return " ".join(value.split())


def slug(value: str) -> str:
    """Lower-case ASCII slug used to make stable ids for sources that have no id column."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def natural_key(text: str) -> list:
    """Sort "ccc-9" before "ccc-10"."""
    return [(0, int(part), "") if part.isdigit() else (1, 0, part)
            for part in re.split(r"(\d+)", text)]


def parse_point(lat_text: str, lon_text: str) -> tuple[float, float] | str:
    """Return (lon, lat) rounded to 6 decimals (about 0.1 m), or the reason it is invalid.

    0,0 is how several sources spell "not geocoded"; points outside the Chicago bounding
    box are refused too (and reported) because every partner of the demo is in Chicago."""
    try:
        lat, lon = float(lat_text), float(lon_text)
    except ValueError:
        return "coordinates missing or not numeric"
    if lat != lat or lon != lon:  # NaN
        return "coordinates missing or not numeric"
    if lat == 0.0 and lon == 0.0:
        return "coordinates 0,0 (not geocoded)"
    if not (LON_MIN <= lon <= LON_MAX and LAT_MIN <= lat <= LAT_MAX):
        return f"outside the Chicago bounding box ({lat}, {lon})"
    return round(lon, 6), round(lat, 6)


def write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def write_feature_collection(path: Path, features: list[dict]) -> None:
    """One feature per line: valid RFC 7946 JSON that still diffs well in git."""
    lines = [json.dumps(f, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
             for f in features]
    write_text(path, '{"type":"FeatureCollection","features":[\n'
               + ",\n".join(lines) + "\n]}\n")


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def report_drops(source: str, drops: dict[str, int]) -> None:
    for reason, count in sorted(drops.items()):
        warn(f"{source}: dropped {count} row(s): {reason}")


# --------------------------------------------------------------------------- tracts


def tract_number(geoid: str) -> str:
    """Census tract number from the last 6 digits of the GEOID, as the Census Bureau
    writes it: 842400 -> "8424", 010100 -> "101", 010201 -> "102.01"."""
    code = geoid[-6:]
    base, suffix = str(int(code[:4])), code[4:]
    return base if suffix == "00" else f"{base}.{suffix}"


def check_community_areas(downloads: Path) -> int:
    """The tract file gives only community-area numbers.  Check the hard-coded official
    names against the "NAME (#)" pairs in the community health centres file, so that a
    wrong number -> name mapping cannot slip into the tract names.  Returns the number of
    areas checked."""
    checked = set()
    for row in read_csv(downloads / CHC_SRC):
        cell = clean_text(row["Community Area (#)"])
        match = re.fullmatch(r"(.+?) \((\d+)\)", cell)
        if not match:
            raise BuildError(f"{CHC_SRC}: cannot read community area {cell!r}")
        name, number = match.group(1), int(match.group(2))
        ours = COMMUNITY_AREAS.get(number, "")
        if re.sub(r"[^A-Z]", "", ours.upper()) != re.sub(r"[^A-Z]", "", name.upper()):
            raise BuildError(f"community area {number}: source says {name!r}, "
                             f"the built-in list says {ours!r}")
        checked.add(number)
    return len(checked)


def round_coordinates(coords):
    """Coordinates rounded to 6 decimals (about 0.1 m), nested lists kept."""
    if coords and isinstance(coords[0], (int, float)):
        return [round(c, 6) for c in coords]
    return [round_coordinates(c) for c in coords]


def load_tracts(downloads: Path) -> list[dict]:
    """The 791 tracts, sorted by GEOID, each {"geoid", "name", "props", "geometry"}.

    The source is the GeoJSON inside GeoDa's Chi-SDOH.zip, in lon/lat (CRS84); the
    geometry is kept as given, with coordinates rounded to 6 decimals.  GEOIDs become
    strings (the source has them as numbers; leading zeros matter in general, even if
    Illinois' "17" has none)."""
    with zipfile.ZipFile(downloads / TRACTS_SRC) as archive:
        data = json.loads(archive.read(TRACTS_MEMBER).decode("utf-8"))
    crs = (data.get("crs") or {}).get("properties", {}).get("name", "")
    if crs and not crs.endswith("CRS84"):
        raise BuildError(f"{TRACTS_SRC}: {TRACTS_MEMBER} is in {crs}, not lon/lat")
    tracts, seen = [], set()
    for feature in data["features"]:
        props = feature["properties"]
        geoid = str(props["geoid10"])
        if not re.fullmatch(r"17031\d{6}", geoid):
            raise BuildError(f"{TRACTS_SRC}: {geoid!r} is not a Cook County tract GEOID")
        if geoid in seen:
            raise BuildError(f"{TRACTS_SRC}: duplicate GEOID {geoid}")
        seen.add(geoid)
        area = COMMUNITY_AREAS.get(props.get("commarea"))
        place = area if area else f"community area {props.get('commarea')}"
        geometry = feature["geometry"]
        tracts.append({
            "geoid": geoid,
            "name": f"Census Tract {tract_number(geoid)}, {place}",
            "props": props,
            "geometry": {"type": geometry["type"],
                         "coordinates": round_coordinates(geometry["coordinates"])},
        })
    tracts.sort(key=lambda t: t["geoid"])
    return tracts


class TractLocator:
    """Which tract a point lies in (ray casting over the tracts' rings, holes counted),
    to keep the state-wide child-care list to the centres inside Chicago."""

    def __init__(self, tracts: list[dict]):
        self.polygons = []
        for t in tracts:
            geometry = t["geometry"]
            polygons = ([geometry["coordinates"]] if geometry["type"] == "Polygon"
                        else geometry["coordinates"])
            for rings in polygons:
                xs = [p[0] for p in rings[0]]
                ys = [p[1] for p in rings[0]]
                self.polygons.append((min(xs), max(xs), min(ys), max(ys), rings, t["geoid"]))

    @staticmethod
    def _in_ring(x: float, y: float, ring: list) -> bool:
        inside = False
        for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
            if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
                inside = not inside
        return inside

    def geoid_at(self, lon: float, lat: float) -> str | None:
        for x0, x1, y0, y1, rings, geoid in self.polygons:
            if (x0 <= lon <= x1 and y0 <= lat <= y1 and self._in_ring(lon, lat, rings[0])
                    and not any(self._in_ring(lon, lat, hole) for hole in rings[1:])):
                return geoid
        return None


def write_tracts(tracts: list[dict]) -> int:
    features = [{"type": "Feature",
                 "properties": {"GEOID": t["geoid"], "NAME": t["name"]},
                 "geometry": t["geometry"]} for t in tracts]
    write_feature_collection(OUT_DIR / "tracts.geojson", features)
    return len(features)


# --------------------------------------------------------------------------- assessment


def pct(props: dict, key: str) -> Decimal | None:
    """A source percentage as an exact decimal fraction (5.7 -> 0.057), or None when it
    is missing.  Negative values are CDC SVI's missing-data code (-999), not data."""
    value = props.get(key)
    if value is None or value == "":
        return None
    number = Decimal(str(value))
    return None if number < 0 else number / 100


def derive_indicators(props: dict) -> dict[str, Decimal | None]:
    """Counts derived from the tract percentages.  All are APPROXIMATIONS: each applies a
    tract-wide (or, for households, city-wide) rate to a population it was not measured
    on exactly.  Intermediate values stay unrounded; only the final count is rounded.

    - households = population / 2.5: the tracts carry no household count, so a constant
      average household size is used.  2.5 is a round figure near Chicago's average (the
      2010 Census counted 2,695,598 residents in 1,045,560 households, about 2.58 per
      household including group quarters); it ignores tract-to-tract differences in
      household size and group-quarters population (dorms, prisons, nursing homes).
    - children_under_5_poverty assumes the tract's child-poverty rate (ChldPvt14, all
      children under 18) also applies to children under 5.
    - lep_persons applies EP_LIMENG (% of persons aged 5+) to the population aged 5+.
    - lep_spanish = lep_persons x % Hispanic: a rough proxy for Spanish-speaking LEP
      residents (not every LEP resident is Hispanic, nor every Hispanic one Spanish-speaking).
    """
    pop_raw = props.get("Pop2014")
    pop = None if pop_raw is None or pop_raw == "" or Decimal(str(pop_raw)) < 0 \
        else Decimal(str(pop_raw))

    def times(base, *rates):
        if base is None or any(r is None for r in rates):
            return None
        out = base
        for r in rates:
            out *= r
        return out

    under5_share = pct(props, "Undr514P")
    under5 = times(pop, under5_share)
    households = None if pop is None else pop / HOUSEHOLD_SIZE
    aged5plus = None if pop is None or under5_share is None else pop * (1 - under5_share)
    lep = times(aged5plus, pct(props, "EP_LIMENG"))
    cta = props.get("CTA14P")
    transit = None if cta is None or cta == "" or Decimal(str(cta)) < 0 \
        else Decimal(str(cta))
    return {
        "total_population": pop,
        "children_under_5": under5,
        "children_under_5_poverty": times(under5, pct(props, "ChldPvt14")),
        "persons_poverty": times(pop, pct(props, "Pov14")),
        "households": households,
        "households_no_vehicle": times(households, pct(props, "EP_NOVEH")),
        "lep_persons": lep,
        "lep_spanish": times(lep, pct(props, "Hisp14P")),
        "children_under_18": times(pop, pct(props, "EP_AGE17")),
        "single_parent_households": times(households, pct(props, "EP_SNGPNT")),
        "persons_uninsured": times(pop, pct(props, "EP_UNINSUR")),
        "transit_commuters_pct": transit,
    }


def format_value(column: str, value: Decimal | None) -> str:
    """Counts: nearest whole number, halves rounded up.  The transit share stays a
    percentage with one decimal.  Missing -> empty cell."""
    if value is None:
        return ""
    step = Decimal("0.1") if column == "transit_commuters_pct" else Decimal(1)
    return str(value.quantize(step, rounding=ROUND_HALF_UP))


def write_assessment(tracts: list[dict]) -> int:
    rows, missing = [], 0
    for t in tracts:
        values = derive_indicators(t["props"])
        cells = [format_value(c, values[c]) for c in ASSESSMENT_COLUMNS]
        missing += cells.count("")
        rows.append([t["geoid"], t["name"], *cells])
    if missing:
        warn(f"assessment: {missing} cell(s) left empty because a source value is missing")
    write_csv(OUT_DIR / "assessment_2014.csv", ["GEOID", "NAME", *ASSESSMENT_COLUMNS], rows)
    return len(rows)


# --------------------------------------------------------------------------- partners


def site(site_id: str, name: str, point: tuple[float, float], services: list[str],
         kind: str, *, partner: str | None = None, capacity: dict | None = None,
         address: str | None = None, languages: list[str] | None = None) -> dict:
    """A GeoJSON partner site.  Optional properties are omitted (not null) when the
    source does not give them."""
    props = {"id": site_id, "name": name, "partner": partner or name,
             "services": services, "kind": kind}
    if capacity:
        props["capacity"] = capacity
    if languages:
        props["languages"] = languages
    if address:
        props["address"] = address
    return {"type": "Feature", "properties": props,
            "geometry": {"type": "Point", "coordinates": [point[0], point[1]]}}


CHILDCARE_KINDS = {
    "CHILD DAY CARE CENTERS": "child care centre",
    "HEAD START PROGRAMS, SEPARATE FROM SCHOOLS": "Head Start centre",
    "CHILD DAY CARE, BEFORE OR AFTER SCHOOL, SEPARATE FROM SCHOOLS": "before/after-school care",
}


# HIFLD's code for "not available" in numeric fields.
HIFLD_NOT_AVAILABLE = -999


def childcare_sites(downloads: Path, tracts: TractLocator) -> list[dict]:
    """HIFLD licensed child-care centres inside Chicago -> service `childcare`, with the
    licensed capacity (HIFLD's `population` column) as the childcare capacity.

    The source lists Illinois; a centre is kept when its point lies in one of the demo's
    tracts.  A capacity of 0 or HIFLD's -999 ("not available") means unknown (a licensed
    centre with no slots does not exist), so the key is omitted there.
    Ids: `ccc-<objectid>` (HIFLD's own id)."""
    out, drops, no_capacity, outside = [], {}, 0, 0
    for row in read_csv(downloads / CHILDCARE_SRC):
        try:
            lon, lat = float(row["longitude"]), float(row["latitude"])
        except ValueError:
            lon = lat = float("nan")
        if lon == lon and lat == lat and tracts.geoid_at(lon, lat) is None:
            outside += 1
            continue
        point = parse_point(row["latitude"], row["longitude"])
        if isinstance(point, str):
            drops[point] = drops.get(point, 0) + 1
            continue
        kind = CHILDCARE_KINDS.get(row["naics_desc"])
        if kind is None:
            raise BuildError(f"{CHILDCARE_SRC}: unknown naics_desc {row['naics_desc']!r}")
        capacity = int(row["population"]) if row["population"].strip() else 0
        if capacity == HIFLD_NOT_AVAILABLE:
            capacity = 0
        if capacity < 0:
            raise BuildError(f"{CHILDCARE_SRC}: negative capacity in {row}")
        if capacity == 0:
            no_capacity += 1
        out.append(site(f"ccc-{int(row['objectid'])}", clean_text(row["name"]), point,
                        ["childcare"], kind,
                        capacity={"childcare": capacity} if capacity else None))
    warn(f"{CHILDCARE_SRC}: {outside} centre(s) outside Chicago's tracts left out")
    report_drops(CHILDCARE_SRC, drops)
    if no_capacity:
        warn(f"{CHILDCARE_SRC}: {no_capacity} centre(s) with capacity 0 or -999 (= unknown) "
             "kept without a capacity")
    return out


# Supermarket statuses that mean the store is open.  Besides plain "OPEN" the source has
# "OPEN_NEW LOCATION", "OPEN_NEW OWNER" and "OPEN_MK": still open stores, so kept.
def is_open_status(status: str) -> bool:
    status = status.strip().upper()
    return status == "OPEN" or status.startswith("OPEN_")


def supermarket_sites(downloads: Path) -> list[dict]:
    """City of Chicago supermarkets -> service `food`, open stores only.  GeoDa's file
    names its columns Field1..Field5 (latitude, longitude, status, address, name, as the
    CSV it was made from).  The point is Field1/Field2, as listed; the feature geometry is
    not used (it lies some 40 m from the listed point, up to 0.7 km, and it places the
    rows never geocoded, whose Field1/Field2 are 0).  The source has no id, so ids are
    `food-<slug of name and street>` (stable while the store stays put)."""
    out, drops = [], {}
    data = json.loads((downloads / SUPERMARKETS_SRC).read_text(encoding="utf-8"))
    for feature in data["features"]:
        props = feature["properties"]
        row = {"latitude": str(props.get("Field1")), "longitude": str(props.get("Field2")),
               "status": props.get("Field3") or "", "address": props.get("Field4") or "",
               "name": props.get("Field5") or ""}
        point = parse_point(row["latitude"], row["longitude"])
        if not is_open_status(row["status"]):
            reason = "status is not OPEN or OPEN_*"
            if isinstance(point, str):
                reason += f" (and {point})"
            drops[reason] = drops.get(reason, 0) + 1
            continue
        if isinstance(point, str):
            drops[point] = drops.get(point, 0) + 1
            continue
        name = clean_text(row["name"])
        address = clean_text(row["address"])
        if not name:
            raise BuildError(f"{SUPERMARKETS_SRC}: open store without a name: {row}")
        street = address.split(",")[0]
        out.append(site(f"food-{slug(name + ' ' + street)}", name, point, ["food"],
                        "supermarket", address=address or None))
    report_drops(SUPERMARKETS_SRC, drops)
    return out


HEALTH_KINDS = {
    "Federally Qualified Health Centers": "FQHC",
    "Hospitals": "hospital",
    "School-Based Health Centers": "school-based health centre",
    "All Free Health Clinics": "free clinic",
    "Other Health Providers": "clinic",
}


def health_provider_sites(downloads: Path) -> list[dict]:
    """GeoDa spatial_access health providers -> service `health`.  The source's
    `capacity` column is not used: it is made-up demo data (round numbers from 100,000 to
    200,000 for every kind of site).  Its `ID` is a row number, not a stable id, but
    names are unique, so ids are `health-<slug of name>`.  (The file has old Mac CR line
    endings; Python's csv module reads them.)"""
    out, drops = [], {}
    for row in read_csv(downloads / HEALTH_SRC):
        point = parse_point(row["lat"], row["lon"])
        if isinstance(point, str):
            drops[point] = drops.get(point, 0) + 1
            continue
        kind = HEALTH_KINDS.get(row["category"].strip())
        if kind is None:
            raise BuildError(f"{HEALTH_SRC}: unknown category {row['category']!r}")
        name = clean_text(row["Facility"])
        out.append(site(f"health-{slug(name)}", name, point, ["health"], kind))
    report_drops(HEALTH_SRC, drops)
    return out


CHC_ADDRESS = re.compile(
    r"(?P<street>.*?)\s*(?P<zip>\d{5})\s*\n\s*\(\s*(?P<lat>[^,()]+),\s*(?P<lon>[^,()]+)\)\s*",
    re.S)


def chc_kind(note: str) -> str:
    head = note.strip().lower()
    if head.startswith("fqhc"):
        return "FQHC"
    if head.startswith("look-alike"):
        return "FQHC look-alike"
    if head.startswith("neither"):
        return "clinic"
    raise BuildError(f"{CHC_SRC}: cannot classify {note!r}")


def chc_sites(downloads: Path) -> list[dict]:
    """City of Chicago primary-care community health centres -> service `health`.
    The Address cell is "street ZIP\\n(lat, lon)" with no space before the ZIP; the point
    comes from the parenthesis and the address is recorded as "street, Chicago, IL ZIP"
    (every row names a Chicago community area, so the city is known).  Kind comes from the
    "FQHC, Look-alike, or Neither" column.  Ids: `chc-<slug of facility name>`."""
    out, drops = [], {}
    for row in read_csv(downloads / CHC_SRC):
        match = CHC_ADDRESS.fullmatch(row["Address"])
        if not match:
            drops["address cell not 'street ZIP\\n(lat, lon)'"] = drops.get(
                "address cell not 'street ZIP\\n(lat, lon)'", 0) + 1
            continue
        point = parse_point(match.group("lat"), match.group("lon"))
        if isinstance(point, str):
            drops[point] = drops.get(point, 0) + 1
            continue
        name = clean_text(row["Facility"])
        address = f"{clean_text(match.group('street'))}, Chicago, IL {match.group('zip')}"
        kind = chc_kind(row["FQHC, Look-alike, or Neither; Special Notes"])
        out.append(site(f"chc-{slug(name)}", name, point, ["health"], kind,
                        address=address))
    report_drops(CHC_SRC, drops)
    return out


def school_sites(downloads: Path) -> list[dict]:
    """Chicago Public Schools -> service `early_education`, only for schools whose
    `Grades` list includes PK (pre-kindergarten): those are the schools that actually
    offer early education.  Other schools are not sites for any need of the demo and are
    left out.  Ids: `cps-<School_ID>`."""
    out, drops, not_pk = [], {}, 0
    for row in read_csv(downloads / SCHOOLS_SRC):
        grades = {g.strip().upper() for g in row["Grades"].split(",")}
        if "PK" not in grades:
            not_pk += 1
            continue
        point = parse_point(row["Lat"], row["Long"])
        if isinstance(point, str):
            drops[point] = drops.get(point, 0) + 1
            continue
        address = f"{clean_text(row['Address'])}, Chicago, IL {row['Zip'].strip()}"
        out.append(site(f"cps-{int(row['School_ID'])}", clean_text(row["Short_Name"]),
                        point, ["early_education"], "school", address=address))
    warn(f"{SCHOOLS_SRC}: {not_pk} school(s) without PK in Grades left out (not partners "
         "for early education)")
    report_drops(SCHOOLS_SRC, drops)
    return out


def write_partners(downloads: Path, tracts: TractLocator) -> dict[str, int]:
    groups = {
        "ccc": childcare_sites(downloads, tracts),
        "food": supermarket_sites(downloads),
        "health": health_provider_sites(downloads),
        "chc": chc_sites(downloads),
        "cps": school_sites(downloads),
    }
    features = [f for group in groups.values() for f in group]
    ids = [f["properties"]["id"] for f in features]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise BuildError(f"partners: duplicate ids {duplicates}")
    features.sort(key=lambda f: natural_key(f["properties"]["id"]))
    write_feature_collection(OUT_DIR / "partners.geojson", features)
    return {prefix: len(group) for prefix, group in groups.items()}


# --------------------------------------------------------------------------- libraries

DAY_CODES = {"mon": "Mo", "tue": "Tu", "tues": "Tu", "wed": "We", "thu": "Th",
             "thur": "Th", "thurs": "Th", "fri": "Fr", "sat": "Sa", "sun": "Su"}
DAY_ORDER = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_DAY = r"(?:Mon|Tues?|Wed|Thu(?:rs?)?|Fri|Sat|Sun)\."
HOURS_RULE = re.compile(
    rf"\s*(?P<days>{_DAY}(?:\s*(?P<join>[&-])\s*{_DAY})?),\s*"
    r"(?P<start>Noon|\d{1,2})-(?P<end>Noon|\d{1,2})\s*(?P<sep>[;,]|$)", re.I)


def clock_hour(text: str, role: str) -> int:
    """Hour (0-23) of a library time written the source's way: "Noon" = 12; a bare
    opening hour 8-11 is morning and 1-4 afternoon (libraries do not open at 1 am); a
    bare closing hour 1-9 is afternoon/evening ("10-6" = 10:00-18:00).  Anything else is
    refused rather than guessed."""
    if text.lower() == "noon":
        return 12
    hour = int(text)
    if role == "start":
        if 8 <= hour <= 11:
            return hour
        if 1 <= hour <= 4:
            return hour + 12
    elif 1 <= hour <= 9:
        return hour + 12
    raise ValueError(f"ambiguous {role} hour {text!r}")


def parse_library_hours(text: str) -> str:
    """Free-text CPL hours -> the gapmap/OSM hours grammar.

    "Mon. & Wed., Noon-8; Tues. & Thurs., 10-6; Fri. & Sat., 9-5; Sun., 1-5"
      -> "Mo,We 12:00-20:00; Tu,Th 10:00-18:00; Fr,Sa 09:00-17:00; Su 13:00-17:00"
    "Mon. - Thurs., 9-8; ..." -> "Mo-Th 09:00-20:00; ..."
    "Temporarily closed." -> "Mo-Su off"
    Rules may be separated by ";" or (a slip in two source rows) ",".  A day listed twice
    or any unreadable piece raises ValueError."""
    text = " ".join(text.split())
    if re.fullmatch(r"(temporarily )?closed\.?", text, re.I):
        return "Mo-Su off"
    rules, seen, pos = [], [], 0
    while pos < len(text):
        match = HOURS_RULE.match(text, pos)
        if not match:
            raise ValueError(f"cannot read {text[pos:]!r}")
        if match.group("sep") == "" and match.end() != len(text):
            raise ValueError(f"missing separator before {text[match.end():]!r}")
        pos = match.end()
        day_names = re.findall(r"[A-Za-z]+", match.group("days"))
        codes = [DAY_CODES[d.lower()] for d in day_names]
        if match.group("join") == "-":
            first, last = DAY_ORDER.index(codes[0]), DAY_ORDER.index(codes[1])
            if last <= first:
                raise ValueError(f"backwards day range {match.group('days')!r}")
            covered, days = DAY_ORDER[first:last + 1], f"{codes[0]}-{codes[1]}"
        else:
            covered, days = codes, ",".join(codes)
        start = clock_hour(match.group("start"), "start")
        end = clock_hour(match.group("end"), "end")
        if end <= start:
            raise ValueError(f"closing before opening in {match.group(0).strip()!r}")
        if any(d in seen for d in covered):
            raise ValueError(f"a day appears twice in {text!r}")
        seen.extend(covered)
        rules.append(f"{days} {start:02d}:00-{end:02d}:00")
    return "; ".join(rules)


def write_libraries(downloads: Path) -> int:
    """Chicago Public Library branches in gapmap's flat CSV partner format.

    Services `adult_education;language`: an ASSUMPTION that every branch runs adult
    literacy / ESL programmes (CPL branches generally do; the source does not list
    programmes).  Partner = "Chicago Public Library" (every row's WEBSITE is a
    chipublib.org branch page: one organization, 81 sites).  No languages (the source
    does not say).  Ids `cpl-<n>` from the branch page /locations/<n>/.  The source's
    name column is "NAME " with a trailing space."""
    rows, problems = [], []
    for number, row in enumerate(read_csv(downloads / LIBRARIES_SRC), start=2):
        name = clean_text(row["NAME "])
        try:
            hours = parse_library_hours(row["HOURS OF OPERATION"])
        except ValueError as err:
            problems.append(f"line {number} ({name}): {err}")
            continue
        loc = re.fullmatch(r"\s*\(\s*([^,()]+),\s*([^,()]+)\)\s*", row["LOCATION"])
        point = parse_point(loc.group(1), loc.group(2)) if loc else "LOCATION not (lat, lon)"
        if isinstance(point, str):
            problems.append(f"line {number} ({name}): {point}")
            continue
        page = re.search(r"/locations/(\d+)/?$", row["WEBSITE"].strip())
        if not page:
            problems.append(f"line {number} ({name}): no branch number in WEBSITE")
            continue
        notes = [f"Phone {clean_text(row['PHONE'])}", row["WEBSITE"].strip()]
        if hours == "Mo-Su off":
            notes.insert(0, f"Source says: {clean_text(row['HOURS OF OPERATION'])}")
        address = (f"{clean_text(row['ADDRESS'])}, {clean_text(row['CITY'])}, "
                   f"{clean_text(row['STATE'])} {clean_text(row['ZIP'])}")
        record = {
            "id": f"cpl-{int(page.group(1))}", "name": name,
            "partner": "Chicago Public Library",
            "lat": f"{point[1]:.6f}", "lon": f"{point[0]:.6f}",
            "services": "adult_education;language", "hours": hours,
            "address": address, "notes": "; ".join(notes),
        }
        rows.append([record.get(c, "") for c in FLAT_CSV_COLUMNS])
    if problems:
        raise BuildError(f"{LIBRARIES_SRC}: cannot convert confidently:\n  "
                         + "\n  ".join(problems))
    ids = [r[0] for r in rows]
    if len(set(ids)) != len(ids):
        raise BuildError(f"{LIBRARIES_SRC}: duplicate branch ids")
    rows.sort(key=lambda r: natural_key(r[0]))
    write_csv(OUT_DIR / "libraries.csv", FLAT_CSV_COLUMNS, rows)
    return len(rows)


# --------------------------------------------------------------------------- stops, manifest


def copy_stops(downloads: Path) -> int:
    """A byte copy: gapmap imports GTFS stops.txt itself (the file has CRLF line endings,
    which GTFS allows; they are kept).  Returns the number of stops."""
    shutil.copyfile(downloads / STOPS_SRC, OUT_DIR / "stops.txt")
    if (OUT_DIR / "stops.txt").read_bytes() != (downloads / STOPS_SRC).read_bytes():
        raise BuildError("stops.txt: copy differs from the source")
    return len(read_csv(OUT_DIR / "stops.txt"))


def write_manifest() -> None:
    write_text(OUT_DIR / "demo.toml", MANIFEST)


# --------------------------------------------------------------------------- main


def download_list() -> str:
    """The downloads, one `curl` line each, for a shell."""
    return "\n".join(f"curl -L -o {name} {url}" for name, (url, _, _) in SOURCES.items())


def check_downloads(downloads: Path) -> bool:
    """Every source is there (else say what to fetch); warn where the bytes differ from
    the ones the bundled demo was built from."""
    missing = [name for name in SOURCES if not (downloads / name).is_file()]
    if missing:
        print(f"build_demo: {downloads} lacks {', '.join(missing)}; download them with\n"
              + "\n".join(f"curl -L -o {name} {SOURCES[name][0]}" for name in missing),
              file=sys.stderr)
        return False
    for name, (url, sha256, _) in SOURCES.items():
        digest = hashlib.sha256((downloads / name).read_bytes()).hexdigest()
        if digest != sha256:
            warn(f"{name} differs from the file the bundled demo was built from ({url}); "
                 "the demo will differ too")
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--from", dest="downloads", metavar="DIR",
                       help="folder holding the downloaded source files")
    group.add_argument("--list", action="store_true",
                       help="print the source files and where to download them")
    args = parser.parse_args(argv)
    if args.list:
        for name, (url, sha256, what) in SOURCES.items():
            print(f"{name}\n  {what}\n  {url}\n  sha256 {sha256}")
        print("\nTo fetch them all into the current folder:\n" + download_list())
        return 0
    downloads = Path(args.downloads)
    if not check_downloads(downloads):
        return 1
    try:
        check_community_areas(downloads)
        tracts = load_tracts(downloads)
        n_tracts = write_tracts(tracts)
        n_rows = write_assessment(tracts)
        partners = write_partners(downloads, TractLocator(tracts))
        n_libraries = write_libraries(downloads)
        n_stops = copy_stops(downloads)
        write_manifest()
    except BuildError as err:
        print(f"build_demo: FAILED: {err}", file=sys.stderr)
        return 1
    detail = ", ".join(f"{k} {v}" for k, v in partners.items())
    print(f"tracts.geojson: {n_tracts} tracts; assessment_2014.csv: {n_rows} rows; "
          f"partners.geojson: {sum(partners.values())} sites ({detail}); "
          f"libraries.csv: {n_libraries} rows; stops.txt: {n_stops} stops; "
          "demo.toml: 1 geography, 1 assessment, 2 partner files, 1 stops file")
    return 0


if __name__ == "__main__":
    sys.exit(main())
