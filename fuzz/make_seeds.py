#!/usr/bin/env python3
"""Writes the starting corpus of each fuzz target into fuzz/seeds/<target>/ from the
bundled demo, the HSDS 3.0 example (tests/fixtures/hsds-3.0) and a hand-made shapefile. Run from the repository
root: python3 fuzz/make_seeds.py"""
import io, json, os, struct, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "fuzz" / "seeds"
SEP = b"\n#--8<--#\n"
HSDS = ROOT / "tests" / "fixtures" / "hsds-3.0"
HSDS_ORDER = ["organizations", "services", "locations", "service_at_location", "schedules",
              "languages", "service_capacity", "taxonomy_terms", "attributes", "addresses"]
NAD83 = ('GEOGCS["GCS_North_American_1983",DATUM["D_North_American_1983",SPHEROID["GRS_1980",'
         '6378137,298.257222101]],PRIMEM["Greenwich",0],UNIT["Degree",0.017453292519943295]]')


def write(target, name, data):
    d = SEEDS / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data if isinstance(data, bytes) else data.encode())


def head(path, n):
    return "".join(Path(path).read_text().splitlines(keepends=True)[:n])


def shapefile(squares):
    """(.shp, .shx, .dbf) of square polygons given as (geoid, name, x0, y0, size)."""
    records, index, offset = [], [], 50
    for i, (_, _, x0, y0, s) in enumerate(squares):
        ring = [(x0, y0), (x0, y0 + s), (x0 + s, y0 + s), (x0 + s, y0), (x0, y0)]
        content = struct.pack("<i4d2ii", 5, x0, y0, x0 + s, y0 + s, 1, len(ring), 0)
        content += b"".join(struct.pack("<2d", *p) for p in ring)
        records.append(struct.pack(">2i", i + 1, len(content) // 2) + content)
        index.append(struct.pack(">2i", offset, len(content) // 2))
        offset += 4 + len(content) // 2
    xs = [q[2] for q in squares] + [q[2] + q[4] for q in squares]
    ys = [q[3] for q in squares] + [q[3] + q[4] for q in squares]

    def header(length_bytes):
        return (struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_bytes // 2)
                + struct.pack("<2i", 1000, 5)
                + struct.pack("<4d", min(xs), min(ys), max(xs), max(ys)) + b"\0" * 32)

    body = b"".join(records)
    shp = header(100 + len(body)) + body
    shx = header(100 + 8 * len(index)) + b"".join(index)
    fields = [(b"GEOID", 11), (b"NAME", 20)]
    rec_len = 1 + sum(l for _, l in fields)
    dbf = struct.pack("<B3BIHH20x", 3, 125, 1, 1, len(squares), 32 + 32 * len(fields) + 1, rec_len)
    for name, length in fields:
        dbf += name.ljust(11, b"\0") + b"C" + b"\0" * 4 + bytes([length, 0]) + b"\0" * 14
    dbf += b"\r"
    for geoid, name, *_ in squares:
        dbf += b" " + geoid.encode().ljust(11) + name.encode().ljust(20)
    dbf += b"\x1a"
    return shp, shx, dbf


def zipped(parts):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts:
            # A fixed date keeps the seed the same bytes on every run.
            z.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                       compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def main():
    demo = ROOT / "data" / "demo"
    # CSV: the three kinds of CSV gapmap reads, and a lone HSDS table.
    write("csv", "flat_partners.csv",
          "id,name,partner,lat,lon,services,capacity,languages,hours\n"
          "ymca-1,YMCA Kids,YMCA,41.805,-87.695,childcare;parenting,childcare=60,en;es,Mo-Fr 06:30-18:00\n"
          "lib-1,Library,\"CPL, Chicago\",41.805,-87.675,language,,es,\n")
    write("csv", "indicators.csv", "GEO_ID,NAME,children_under_5,children_under_5_moe,transit_commuters_pct\n"
          "1400000US17031010100,\"Tract 101\",318,40,31.5\n1400000US17031010201,Tract 102,680,,30.8\n")
    write("csv", "assessment_head.csv", head(demo / "assessment_2014.csv", 3))
    write("csv", "stops_head.txt", head(demo / "stops.txt", 4))

    # GeoJSON: areas (with and without demand points) and sites.
    def square(geoid, x0, y0, props=None):
        ring = [[x0, y0], [x0 + .01, y0], [x0 + .01, y0 + .01], [x0, y0 + .01], [x0, y0]]
        p = {"GEOID": geoid, "NAME": f"Area {geoid}"} | (props or {})
        return {"type": "Feature", "properties": p, "geometry": {"type": "Polygon", "coordinates": [ring]}}
    areas = {"type": "FeatureCollection", "features": [
        square("01001000001", -87.70, 41.80),
        square("01001000002", -87.69, 41.80, {"INTPTLAT": "+41.805", "INTPTLON": "-087.685"}),
        {"type": "Feature", "properties": {"GEOID": "01001000003"}, "geometry": {"type": "MultiPolygon",
         "coordinates": [[[[-87.68, 41.8], [-87.67, 41.8], [-87.67, 41.81], [-87.68, 41.8]]]]}}]}
    write("geojson", "areas.geojson", json.dumps(areas))
    sites = json.loads((demo / "partners.geojson").read_text())
    sites["features"] = sites["features"][:3]
    write("geojson", "sites.geojson", json.dumps(sites))
    tracts = json.loads((demo / "tracts.geojson").read_text())
    tracts["features"] = sorted(tracts["features"], key=lambda f: len(json.dumps(f)))[:2]
    write("geojson", "tracts_two.geojson", json.dumps(tracts))

    # Shapefiles: parts for the fuzzer to mutate (mode byte 0), and a whole zip (mode 1).
    shp, shx, dbf = shapefile([("17031010100", "Tract 101", -87.70, 41.80, .01),
                               ("17031010201", "Tract 102.01", -87.69, 41.80, .01)])
    write("shapefile", "parts", b"\0" + SEP.join([shp, shx, dbf, NAD83.encode(), b"UTF-8"]))
    write("shapefile", "zip", b"\1" + zipped([("t.shp", shp), ("t.shx", shx), ("t.dbf", dbf), ("t.prj", NAD83)]))

    # HSDS: the 3.0 example as separate tables (mode 1) and zipped (mode 0).
    # The example's one location lies at latitude 100, longitude 101; the seeds move it
    # to Chicago so that they are accepted and the fuzzer starts from a valid package.
    # Its one service, "Community Counselling", maps to no gapmap service as published;
    # the seeds call it a food pantry.
    tables = [(HSDS / f"{t}.csv").read_bytes().replace(b",100,101,", b",41.88,-87.63,")
              .replace(b"Community Counselling", b"Food Pantry")
              if (HSDS / f"{t}.csv").exists() else b"" for t in HSDS_ORDER]
    write("hsds", "example_tables", b"\1" + SEP.join(tables))
    write("hsds", "example_zip", b"\0" + SEP.join(tables))


if __name__ == "__main__":
    main()
