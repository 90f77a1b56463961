"""Store the LP/NLP answers of every example scenario as computed by the pre-issue-9 core
(commit 1b12166). Run once; tests/test_core_reference.py compares the new core against it.
The nonlinear.yaml entry alone was replaced when the fuel model changed its physics (issue 10:
the two-zone model and W point, 2026-11-29; hydrogen counted as a CO equivalent at the W point,
2026-11-30); the LP entries are the pre-rebuild core's.

    python tests/data/make_core_reference.py
"""
import json
from pathlib import Path

import numpy as np

import burden

ROOT = Path(__file__).resolve().parents[2]
FILES = ["base.yaml", "high_pellet.yaml", "infeasible.yaml", "nonlinear.yaml",
         "validation/sheet_5_1.yaml", "validation/sheet_5_2.yaml"]


def f(v):
    v = float(v)
    return v if np.isfinite(v) else (None if np.isnan(v) else ("inf" if v > 0 else "-inf"))


def record(res):
    d = {"status": res.status, "objective": f(res.objective) if res.ok else None}
    if not res.ok:
        d["relaxation"] = {k: f(v) for k, v in sorted(res.output.relaxation.items())}
        return d
    b = res.burden
    d["x"] = {k: f(v) for k, v in res.x.items()}
    d["reduced_cost_per_t"] = {k: f(v) for k, v in b["reduced_cost_per_t"].items()}
    d["price_range_low_per_t"] = {k: f(v) for k, v in b["price_range_low_per_t"].items()}
    d["price_range_high_per_t"] = {k: f(v) for k, v in b["price_range_high_per_t"].items()}
    c = res.constraints
    d["dual"] = {k: f(v) for k, v in c["dual"].items()}
    d["shadow_price_per_unit"] = {k: f(v) for k, v in c["shadow_price_per_unit"].items()}
    d["binding"] = sorted(c.index[c["binding"]].tolist())
    if res.nonlinear is not None:
        bl = res.extra_tables["blast"]
        d["blast"] = {k: f(v) for k, v in bl["value"].items()}
    return d


def main():
    out = {}
    for fn in FILES:
        path = ROOT / "scenarios" / fn
        names = [None] + burden.load_scenario(path).variants()
        for name in names:
            res = burden.solve(burden.load_scenario(path, scenario=name))
            out[f"{fn}:{name or ''}"] = record(res)
    (Path(__file__).parent / "core_reference.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
