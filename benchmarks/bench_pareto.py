"""Benchmark the cost-versus-CO2 front (issue 13, CO2 part), in one process run.

1. ``burden.pareto.pareto(scenarios/co2.yaml, N)`` (one build, persistent re-solves of the
   CO2 cap) versus the same caps solved by a fresh build each (``burden.solve`` of the
   scenario with ``emissions.cap_kg_per_thm`` set, cost ranging off): seconds per point and
   the ratio.  Both give the same costs (checked, rtol 1e-8).
2. The cost of the CO2 rows on a plain solve: ``burden.solve`` of ``scenarios/co2.yaml`` (CO2
   column, balance row) versus ``scenarios/base.yaml`` (CO2 evaluated after the solve),
   medians, interleaved.

Run:  python benchmarks/bench_pareto.py [--points N]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).parent))
from _timing import median_times  # noqa: E402

import burden  # noqa: E402
from burden.pareto import pareto  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CO2 = ROOT / "scenarios" / "co2.yaml"
BASE = ROOT / "scenarios" / "base.yaml"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=48)
    a = ap.parse_args()
    scn = burden.load_scenario(CO2)
    pareto(scn, 2)  # warm-up (imports)
    t0 = time.perf_counter()
    front = pareto(scn, a.points)
    t_front = time.perf_counter() - t0
    caps = front.points["co2_cap_kg_per_thm"].to_numpy()[1:]
    data = yaml.safe_load(CO2.read_text())
    t0 = time.perf_counter()
    costs = []
    for cap in caps:
        d = dict(data)
        d["emissions"] = {**data["emissions"], "cap_kg_per_thm": float(cap)}
        s = burden.Scenario.from_dict(d, base_dir=CO2.parent)
        costs.append(burden.solve(s, ranging=False).objective)
    t_fresh = time.perf_counter() - t0
    assert np.allclose(costs, front.points["objective_per_thm"].to_numpy()[1:], rtol=1e-8)
    n = len(front.points)
    print(f"1. front of {n} points: persistent {1000 * t_front / n:.2f} ms/point ({t_front:.3f} s); "
          f"fresh build per cap {1000 * t_fresh / len(caps):.2f} ms/point; ratio fresh/persistent "
          f"{(t_fresh / len(caps)) / (t_front / n):.2f}x")
    s_co2, s_base = burden.load_scenario(CO2), burden.load_scenario(BASE)
    t_co2, t_base = median_times([lambda: burden.solve(s_co2).co2_kg_per_thm,
                                  lambda: burden.solve(s_base).co2_kg_per_thm], 30)
    print(f"2. solve + CO2: with the CO2 rows {1000 * t_co2:.2f} ms, base (CO2 after the solve) "
          f"{1000 * t_base:.2f} ms; ratio {t_co2 / t_base:.2f}x")


if __name__ == "__main__":
    main()
