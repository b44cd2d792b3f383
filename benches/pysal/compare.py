#!/usr/bin/env python3
"""Reference 2SFCA / E2SFCA numbers from PySAL's `access` package for gapmap's tests.

gapmap's own tests never run Python: this script is run by hand, and its output is
committed as tests/fixtures/pysal_fca.json, which the Rust test
`analysis_matches_pysal_access` (tests/api/gaps.rs) compares with gapmap's values
(relative tolerance 1e-9).

    python3 -m venv /tmp/pysal && /tmp/pysal/bin/pip install access
    /tmp/pysal/bin/python benches/pysal/compare.py > tests/fixtures/pysal_fca.json

The dataset is small and fixed: 8 demand points and 5 sites around Chicago, radius
3 km, Luo & Qi's step weights {1 km: 1, 2 km: 0.68, 3 km: 0.22}. The distance matrix is
the haversine distance with R = 6371.0088 km, as gapmap computes it; no pair lies within
1e-6 km of a band bound, so rounding cannot put a pair in another band.

Where gapmap and `access` differ by definition, the dataset avoids the difference or the
fixture records it: an area with no site in reach gets NaN from `access` (written as
null; gapmap reports 0), and no site has only zero-demand areas in reach (`access` would
divide by zero there; gapmap sets R_j = 0).
"""

import json
import math
import sys

import access
import pandas as pd
from access import weights

R_KM = 6371.0088
RADIUS_KM = 3.0
BANDS = [[1.0, 1.0], [2.0, 0.68], [3.0, 0.22]]

# id, lon, lat, demand
AREAS = [
    ("a0", -87.6500, 41.8500, 120.0),
    ("a1", -87.6380, 41.8560, 300.0),
    ("a2", -87.6620, 41.8410, 75.0),
    ("a3", -87.6700, 41.8650, 0.0),  # zero demand, but its sites reach others too
    ("a4", -87.6290, 41.8380, 410.0),
    ("a5", -87.6450, 41.8720, 55.5),
    ("a6", -87.7500, 41.9500, 90.0),  # no site within 3 km: NaN in access, 0 in gapmap
    ("a7", -87.6550, 41.8300, 260.0),
]
# id, lon, lat, supply
SITES = [
    ("s0", -87.6480, 41.8530, 40.0),
    ("s1", -87.6600, 41.8600, 25.0),
    ("s2", -87.6350, 41.8420, 60.0),
    ("s3", -87.6580, 41.8350, 12.0),
    ("s4", -87.5200, 41.7000, 99.0),  # no demand within 3 km: no ratio anywhere
]


def haversine_km(lon1, lat1, lon2, lat2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat = p2 - p1
    dlon = math.radians(lon2 - lon1)
    h = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * R_KM * math.asin(min(1.0, math.sqrt(h)))


def main():
    rows = []
    for a in AREAS:
        for s in SITES:
            d = haversine_km(a[1], a[2], s[1], s[2])
            for bound in [b[0] for b in BANDS] + [RADIUS_KM]:
                if abs(d - bound) < 1e-6:
                    sys.exit(f"{a[0]}-{s[0]} lies {d} km away, too close to the bound {bound}")
            rows.append({"origin": a[0], "dest": s[0], "cost": d})
    cost = pd.DataFrame(rows)
    demand = pd.DataFrame({"geoid": [a[0] for a in AREAS], "pop": [a[3] for a in AREAS]})
    supply = pd.DataFrame({"geoid": [s[0] for s in SITES], "slots": [s[3] for s in SITES]})
    acc = access.Access(
        demand_df=demand,
        demand_index="geoid",
        demand_value="pop",
        supply_df=supply,
        supply_index="geoid",
        supply_value=["slots"],
        cost_df=cost,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    two = acc.two_stage_fca(name="2sfca", max_cost=RADIUS_KM)["2sfca_slots"]
    step = weights.step_fn({b[0]: b[1] for b in BANDS})
    enh = acc.enhanced_two_stage_fca(name="e2sfca", max_cost=RADIUS_KM, weight_fn=step)[
        "e2sfca_slots"
    ]

    def value(series, key):
        v = series.get(key)
        return None if v is None or math.isnan(v) else float(v)

    out = {
        "source": f"PySAL access {access.__version__ if hasattr(access, '__version__') else ''}".strip(),
        "script": "benches/pysal/compare.py",
        "radius_km": RADIUS_KM,
        "bands": BANDS,
        "areas": [{"id": a[0], "lon": a[1], "lat": a[2], "demand": a[3]} for a in AREAS],
        "sites": [{"id": s[0], "lon": s[1], "lat": s[2], "supply": s[3]} for s in SITES],
        "two_stage_fca": [value(two, a[0]) for a in AREAS],
        "enhanced_two_stage_fca": [value(enh, a[0]) for a in AREAS],
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
