"""The Python recipe of README's "Query the results", checked against `nmsweep report --format csv`.

Usage: python python_access_check.py DATABASE_URL SWEEP CSV_DIR
CSV_DIR holds VIEW.csv for each view, written by `nmsweep report --sweep SWEEP --format csv --view VIEW`.
Exits 1 (and says which) when pandas reads anything other than what nmsweep printed.
"""
import math
import sys

import numpy as np
import pandas as pd
import sqlalchemy

url, sweep, csv_dir = sys.argv[1], sys.argv[2], sys.argv[3]
failures = []


def check(name, condition):
    print(("ok   " if condition else "FAIL ") + name)
    if not condition:
        failures.append(name)


# The recipe (README): one engine from `nmsweep db url` (driver named: SQLAlchemy 2.0 and 2.1 differ
# in the default driver of postgresql://), any view into a DataFrame.
engine = sqlalchemy.create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
params = {"sweep": sweep}
views = {
    "id_ood_summary": "noise_ratio, method",
    "group_summary": "task_domain DESC, task_kind, noise_ratio, method",
    "task_results": "task_domain DESC, task_kind, task, noise_ratio, method",
    "effects": "effect, metric, task_domain DESC, task_kind, task NULLS FIRST, method, noise_ratio",
    "grid_cells": "kind DESC, task, noise_ratio, method, seed, probe_seed, cell_key",
}
frames = {}
with engine.connect() as connection:
    for view, order in views.items():
        frames[view] = pd.read_sql(
            sqlalchemy.text(f"SELECT * FROM {view} WHERE sweep = :sweep ORDER BY {order}"), connection, params=params)

# Types as docs/schema.md documents them.
summary = frames["id_ood_summary"]
check("id_ood_summary: accuracy columns are float64", str(summary["id_mean"].dtype) == "float64")
check("id_ood_summary: seed counts are integers", pd.api.types.is_integer_dtype(summary["id_seeds"]))
check("id_ood_summary: complete is boolean", pd.api.types.is_bool_dtype(summary["complete"]))
effects = frames["effects"]
check("effects: has the interval columns",
      {"mean_diff", "std_err", "ci_low", "ci_high", "n", "excludes_zero"} <= set(effects.columns))
check("effects: ci_low <= mean_diff <= ci_high where defined",
      all(lo <= m <= hi for lo, m, hi in zip(effects["ci_low"], effects["mean_diff"], effects["ci_high"])
          if not (pd.isna(lo) or pd.isna(hi))))
cells = frames["grid_cells"]
check("grid_cells: every cell of the sweep, done", len(cells) > 0 and set(cells["state"]) == {"done"})
check("grid_cells: evaluate cells name their task, noise, method and seed",
      cells[cells["kind"] == "evaluate"][["task", "noise_ratio", "method", "seed"]].notna().all().all())


def same(a, b):
    if pd.isna(a) and pd.isna(b):
        return True
    if isinstance(a, (bool, np.bool_)) or isinstance(b, (bool, np.bool_)):
        return str(a).lower()[0] == str(b).lower()[0]
    try:
        x, y = float(a), float(b)
        return math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-15)
    except (TypeError, ValueError):
        return str(a) == str(b)


# pandas over SQL and nmsweep's CSV say the same thing, row by row.
for view, frame in frames.items():
    csv = pd.read_csv(f"{csv_dir}/{view}.csv", keep_default_na=True)
    check(f"{view}: same columns as nmsweep's CSV", list(csv.columns) == list(frame.columns))
    check(f"{view}: same number of rows ({len(frame)})", len(csv) == len(frame))
    if list(csv.columns) == list(frame.columns) and len(csv) == len(frame):
        skip = {"updated_at"}  # timestamps print differently (text vs datetime), checked by count
        mismatches = [(i, c) for c in frame.columns if c not in skip
                      for i, (a, b) in enumerate(zip(frame[c], csv[c])) if not same(a, b)]
        check(f"{view}: same values" + (f" (first difference: row {mismatches[0][0]}, {mismatches[0][1]})" if mismatches else ""),
              not mismatches)

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
