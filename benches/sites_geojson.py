#!/usr/bin/env python3
"""Turn the flat sites.csv written by `gapmap bench-data` into GeoJSON points, so the
250,000-site import can be timed in gapmap's GeoJSON partner format (BENCHMARKS.md).

usage: python3 benches/sites_geojson.py DIR   (reads DIR/sites.csv, writes DIR/sites.geojson)
"""
import csv
import json
import sys
from pathlib import Path

folder = Path(sys.argv[1])
with open(folder / "sites.csv", newline="") as src, open(folder / "sites.geojson", "w") as out:
    out.write('{"type":"FeatureCollection","features":[\n')
    for i, row in enumerate(csv.DictReader(src)):
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(row["lon"]), float(row["lat"])]},
            "properties": {
                "id": row["id"],
                "name": row["name"],
                "partner": row["partner"],
                "services": row["services"].split(";"),
                "capacity": {row["services"].split(";")[0]: float(row["capacity"])} if row["capacity"] else {},
            },
        }
        out.write(("," if i else "") + json.dumps(feature, separators=(",", ":")) + "\n")
    out.write("]}\n")
