#!/usr/bin/env python3
"""The peer pipeline of gapmap's gap analysis in km (issue 16): PySAL `access` + scipy +
shapely + geopandas on the files `gapmap bench-data` writes, timed phase by phase.

    /work/venv-bench/bin/python benches/pysal/pipeline.py /tmp/state [--radius-km 15] [--out peer.csv]

What gapmap's `gapmap gaps --year 2020 --need childcare --radius-km 15` computes, the way
a person would with the Python stack:

1. read the areas (geopandas, `areas.geojson`) and their demand points (shapely
   centroids, as gapmap takes a polygon's centroid), and the demand (`assessment.csv`);
2. read the sites (`sites.csv`) and locate them in the areas (geopandas spatial join):
   sites and capacity in each area;
3. every area-site pair within the radius: scipy `cKDTree.sparse_distance_matrix` on unit
   vectors (chord bound), chords turned into great-circle km (R = 6371.0088 km);
4. PySAL `access`: `two_stage_fca(max_cost=r)` and `enhanced_two_stage_fca` with the
   child-care need's bands fitted to the radius (`step_fn({1: 1, 2: 0.68, r: 0.22})`);
5. per area: sites and capacity within reach, the nearest site (cKDTree query), the
   shortfall against one slot per three children and CAP's desert rule (≥ 50 children
   and more than 3 per slot in the area, or no slot);
6. write one CSV row per area.

Prints one JSON object: each phase's seconds, the pairs, and the peak resident memory of
the process (`ru_maxrss`).
"""

import argparse
import importlib.metadata
import json
import resource
import sys
import time
import warnings

import access
import geopandas as gpd
import numpy as np
import pandas as pd
import scipy
import shapely
from access import weights
from scipy.spatial import cKDTree

R_KM = 6371.0088
TARGET = 1.0 / 3.0


def unit(lon, lat):
    lo, la = np.radians(lon), np.radians(lat)
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def km_of_chord(c):
    return 2.0 * R_KM * np.arcsin(np.minimum(c / 2.0, 1.0))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--radius-km", type=float, default=15.0)
    ap.add_argument("--out")
    a = ap.parse_args()
    d = a.dir.rstrip("/")
    r = a.radius_km
    phases = {}
    t0 = time.perf_counter()

    def lap(name):
        nonlocal t0
        now = time.perf_counter()
        phases[name] = round(now - t0, 3)
        t0 = now

    areas = gpd.read_file(f"{d}/areas.geojson")[["GEOID", "geometry"]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # centroids in degrees, as gapmap takes them
        cent = areas.geometry.centroid
    demand = pd.read_csv(f"{d}/assessment.csv", dtype={"GEOID": str})
    areas = areas.merge(demand, on="GEOID", how="left")
    pop = areas["children_under_5"].fillna(0.0).to_numpy()
    lap("read_areas_s")
    sites = pd.read_csv(f"{d}/sites.csv")
    points = gpd.GeoDataFrame(
        sites[["id", "capacity"]],
        geometry=gpd.points_from_xy(sites["lon"], sites["lat"]),
        crs=areas.crs,
    )
    located = gpd.sjoin(points, areas[["GEOID", "geometry"]], predicate="within", how="inner")
    in_area = located.groupby("index_right")["capacity"].agg(["size", "sum"])
    lap("read_and_locate_sites_s")
    axyz = unit(cent.x.to_numpy(), cent.y.to_numpy())
    sxyz = unit(sites["lon"].to_numpy(), sites["lat"].to_numpy())
    tree_s = cKDTree(sxyz)
    chord = 2.0 * np.sin(r / (2.0 * R_KM))
    pairs = cKDTree(axyz).sparse_distance_matrix(tree_s, chord, output_type="ndarray")
    cost = pd.DataFrame({"origin": pairs["i"], "dest": pairs["j"], "cost": km_of_chord(pairs["v"])})
    cost = cost[cost["cost"] <= r]
    del pairs
    lap("pairs_s")
    acc = access.Access(
        demand_df=pd.DataFrame({"geoid": np.arange(len(pop)), "pop": pop}),
        demand_index="geoid",
        demand_value="pop",
        supply_df=pd.DataFrame(
            {"geoid": np.arange(len(sites)), "capacity": sites["capacity"].to_numpy()}
        ),
        supply_index="geoid",
        supply_value=["capacity"],
        cost_df=cost,
        cost_origin="origin",
        cost_dest="dest",
        cost_name="cost",
    )
    two = acc.two_stage_fca(name="t", max_cost=r)["t_capacity"]
    lap("two_stage_fca_s")
    step = weights.step_fn({1.0: 1.0, 2.0: 0.68, r: 0.22})
    enh = acc.enhanced_two_stage_fca(name="e", max_cost=r, weight_fn=step)["e_capacity"]
    lap("enhanced_two_stage_fca_s")
    cap = sites["capacity"].to_numpy()
    within = (
        cost.assign(capacity=cap[cost["dest"].to_numpy()])
        .groupby("origin")["capacity"]
        .agg(["size", "sum"])
    )
    near_c, near_j = tree_s.query(axyz, k=1)
    n = len(areas)
    out = pd.DataFrame({"GEOID": areas["GEOID"], "demand": pop})
    out["nearest_km"] = km_of_chord(near_c)
    out["nearest_site"] = sites["id"].to_numpy()[near_j]
    out["sites_within"] = within["size"].reindex(range(n), fill_value=0).to_numpy()
    out["capacity_within"] = within["sum"].reindex(range(n), fill_value=0.0).to_numpy()
    out["sites_in_area"] = in_area["size"].reindex(range(n), fill_value=0).to_numpy()
    out["capacity_in_area"] = in_area["sum"].reindex(range(n), fill_value=0.0).to_numpy()
    out["access_2sfca"] = two.reindex(range(n)).fillna(0.0).to_numpy()
    out["access_e2sfca"] = enh.reindex(range(n)).fillna(0.0).to_numpy()
    out["shortfall"] = pop * np.maximum(TARGET - out["access_2sfca"], 0.0)
    out["shortfall_in_area"] = np.maximum(pop * TARGET - out["capacity_in_area"], 0.0)
    cin = out["capacity_in_area"].to_numpy()
    out["desert"] = (pop >= 50.0) & ((cin == 0) | (pop > 3.0 * np.where(cin == 0, 1, cin)))
    lap("rows_s")
    out.to_csv(a.out if a.out else "/dev/null", index=False)
    lap("write_csv_s")
    json.dump(
        {
            "peer": f"PySAL access {importlib.metadata.version('access')} + scipy {scipy.__version__}"
            f" + shapely {shapely.__version__} + geopandas {gpd.__version__}",
            "areas": n,
            "sites": len(sites),
            "radius_km": r,
            "pairs": int(len(cost)),
            "deserts": int(out["desert"].sum()),
            **phases,
            "total_s": round(sum(phases.values()), 3),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        },
        sys.stdout,
    )
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
