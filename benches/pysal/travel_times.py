#!/usr/bin/env python3
"""Reference 2SFCA / E2SFCA numbers on a travel-time matrix from PySAL's `access`.

gapmap's tests never run Python: this script is run by hand and its output committed as
tests/fixtures/pysal_travel_fca.json, which `matrix_fca_matches_pysal_access`
(tests/api/travel.rs) compares with gapmap's values (relative tolerance 1e-9).

    python3 -m venv /tmp/pysal && /tmp/pysal/bin/pip install access
    /tmp/pysal/bin/python benches/pysal/travel_times.py > tests/fixtures/pysal_travel_fca.json

The matrix is in minutes, asymmetric (it is a matrix from areas to sites) and has
missing pairs (unreachable: absent from `cost_df`). M = 30 minutes, inclusive, as
`access`'s `max_cost`. Weights: 2SFCA's uniform; E2SFCA with `weights.step_fn`
{10: 1, 20: 0.68, 30: 0.22}, `weights.gaussian(sigma=15)` and
`weights.gravity(scale=1, alpha=-1.5, min_dist=1)` (gapmap's gravity with β = 1.5).

Where gapmap and `access` differ by definition the data avoid it or the fixture records
it: an area with no site within M gets NaN from `access` (null here; gapmap reports 0),
and every site within M of some area has demand within M (`access` would divide by zero;
gapmap sets R_j = 0).
"""

import json
import math
import sys

import access
import pandas as pd
from access import weights

MAX_MINUTES = 30.0
STEP = {10.0: 1.0, 20.0: 0.68, 30.0: 0.22}
SIGMA = 15.0
BETA = 1.5

AREAS = [("a0", 120.0), ("a1", 300.0), ("a2", 75.0), ("a3", 0.0), ("a4", 410.0), ("a5", 90.0)]
SITES = [("s0", 40.0), ("s1", 25.0), ("s2", 60.0), ("s3", 12.0), ("s4", 99.0)]
# minutes; None = no pair (unreachable). a5 reaches nothing within 30; s4 is beyond 30
# of everyone; a3 has no demand but its pairs exist.
T = {
    "a0": [4.0, 17.5, None, 29.0, 45.0],
    "a1": [12.0, None, 8.0, 30.0, None],
    "a2": [None, 22.0, 14.5, 6.0, 61.0],
    "a3": [9.0, 3.0, None, None, 33.0],
    "a4": [26.0, 11.0, 19.0, None, None],
    "a5": [31.0, None, 40.0, None, 35.0],
}


def main():
    rows = []
    for a, times in T.items():
        for (s, _), t in zip(SITES, times):
            if t is not None:
                rows.append({"origin": a, "dest": s, "cost": t})
    cost = pd.DataFrame(rows)
    demand = pd.DataFrame({"geoid": [a for a, _ in AREAS], "pop": [p for _, p in AREAS]})
    supply = pd.DataFrame({"geoid": [s for s, _ in SITES], "slots": [v for _, v in SITES]})
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

    def value(series, key):
        v = series.get(key)
        return None if v is None or math.isnan(v) else float(v)

    def column(frame, name):
        return [value(frame[f"{name}_slots"], a) for a, _ in AREAS]

    out = {
        "source": f"PySAL access {getattr(access, '__version__', '')}".strip(),
        "script": "benches/pysal/travel_times.py",
        "max_minutes": MAX_MINUTES,
        "areas": [{"id": a, "demand": p} for a, p in AREAS],
        "sites": [{"id": s, "supply": v} for s, v in SITES],
        "minutes": [T[a] for a, _ in AREAS],
        "step_bands": [[k, v] for k, v in sorted(STEP.items())],
        "sigma_minutes": SIGMA,
        "gravity_beta": BETA,
        "two_stage_fca": column(acc.two_stage_fca(name="t", max_cost=MAX_MINUTES), "t"),
        "enhanced_two_stage_fca": {
            "step": column(
                acc.enhanced_two_stage_fca(
                    name="e", max_cost=MAX_MINUTES, weight_fn=weights.step_fn(STEP)
                ),
                "e",
            ),
            "gaussian": column(
                acc.enhanced_two_stage_fca(
                    name="g", max_cost=MAX_MINUTES, weight_fn=weights.gaussian(SIGMA)
                ),
                "g",
            ),
            "gravity": column(
                acc.enhanced_two_stage_fca(
                    name="v",
                    max_cost=MAX_MINUTES,
                    weight_fn=weights.gravity(scale=1, alpha=-BETA, min_dist=1),
                ),
                "v",
            ),
        },
    }
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
