#!/usr/bin/env python3
"""The peer of gapmap's travel-time scale benchmark (issue 15): PySAL `access` on the
synthetic state's drive matrix that `gapmap bench-matrix` writes, timed phase by phase.

    python3 -m venv /work/venv-bench
    /work/venv-bench/bin/pip install access geopandas shapely scipy pandas pyarrow
    /work/venv-bench/bin/python benches/pysal/matrix_scale.py /tmp/state-matrix \
        [--max-minutes 60] [--sigma-minutes 30] [--origins-fraction 1.0] [--out access.csv]

What a person would do with `access` (benches/matrix-scale.sh runs it beside gapmap):

1. read the matrix `travel_times.csv` (r5py's `from_id,to_id,travel_time`, minutes) with
   pandas' pyarrow reader, ids as 64-bit integers (the fastest and smallest form pandas
   offers; string ids would take several times the memory);
2. read the demand (`assessment.csv`: GEOID, children_under_5);
3. locate the sites (`sites.csv`) in the areas (`areas.geojson`) with a geopandas spatial
   join and sum their capacity per area: the supply of each destination area;
4. `access.Access(...)`, then `two_stage_fca(max_cost=M)` and
   `enhanced_two_stage_fca(max_cost=M, weight_fn=weights.gaussian(sigma))`, the same
   2SFCA and E2SFCA as `gapmap gaps --mode drive --max-minutes M --decay gaussian
   --sigma-minutes sigma`.

Prints one JSON object: the seconds of each phase, the pairs, and the peak resident memory
of the process (`ru_maxrss`). With `--origins-fraction f` only the first f of the origins'
rows are kept (after reading), for a machine where the whole matrix does not fit.
With `--out`, writes both accesses per area for comparison with gapmap's CSV.
"""

import argparse
import importlib.metadata
import json
import resource
import sys
import time

import access
import geopandas as gpd
import pandas as pd
from access import weights


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--max-minutes", type=float, default=60.0)
    ap.add_argument("--sigma-minutes", type=float, default=30.0)
    ap.add_argument("--origins-fraction", type=float, default=1.0)
    ap.add_argument("--out")
    a = ap.parse_args()
    d = a.dir.rstrip("/")
    phases = {}
    t0 = time.perf_counter()

    def lap(name):
        nonlocal t0
        now = time.perf_counter()
        phases[name] = round(now - t0, 3)
        t0 = now

    cost = pd.read_csv(
        f"{d}/travel_times.csv",
        engine="pyarrow",
        dtype={"from_id": "int64", "to_id": "int64", "travel_time": "float64"},
    )
    if a.origins_fraction < 1.0:
        origins = cost["from_id"].unique()
        keep = origins[: int(len(origins) * a.origins_fraction)]
        cost = cost[cost["from_id"].isin(keep)].reset_index(drop=True)
    lap("read_matrix_s")
    demand = pd.read_csv(f"{d}/assessment.csv", dtype={"GEOID": "int64"})
    demand = demand.rename(columns={"GEOID": "geoid", "children_under_5": "pop"})
    lap("read_demand_s")
    areas = gpd.read_file(f"{d}/areas.geojson")[["GEOID", "geometry"]]
    sites = pd.read_csv(f"{d}/sites.csv")
    points = gpd.GeoDataFrame(
        sites[["id", "capacity"]],
        geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
        crs=areas.crs,
    )
    located = gpd.sjoin(points, areas, predicate="within", how="inner")
    supply = (
        located.groupby("GEOID")["capacity"].sum().reset_index().rename(columns={"GEOID": "geoid"})
    )
    supply["geoid"] = supply["geoid"].astype("int64")
    lap("locate_supply_s")
    acc = access.Access(
        demand_df=demand,
        demand_index="geoid",
        demand_value="pop",
        supply_df=supply,
        supply_index="geoid",
        supply_value=["capacity"],
        cost_df=cost,
        cost_origin="from_id",
        cost_dest="to_id",
        cost_name="travel_time",
    )
    lap("access_setup_s")
    two = acc.two_stage_fca(name="2sfca", max_cost=a.max_minutes)["2sfca_capacity"]
    lap("two_stage_fca_s")
    enh = acc.enhanced_two_stage_fca(
        name="e2sfca", max_cost=a.max_minutes, weight_fn=weights.gaussian(a.sigma_minutes)
    )["e2sfca_capacity"]
    lap("enhanced_two_stage_fca_s")
    out = {
        "peer": "PySAL access " + importlib.metadata.version("access"),
        "pandas": pd.__version__,
        "geopandas": gpd.__version__,
        "pairs": int(len(cost)),
        "origins": int(cost["from_id"].nunique()),
        "origins_fraction": a.origins_fraction,
        "max_minutes": a.max_minutes,
        "sigma_minutes": a.sigma_minutes,
        **phases,
        "analysis_s": round(phases["two_stage_fca_s"] + phases["enhanced_two_stage_fca_s"], 3),
        "total_s": round(sum(phases.values()), 3),
        "peak_rss_mb": round(peak_mb(), 1),
    }
    if a.out:
        pd.DataFrame({"access_2sfca": two, "access_e2sfca": enh}).fillna(0.0).rename_axis(
            "GEOID"
        ).to_csv(a.out)
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
