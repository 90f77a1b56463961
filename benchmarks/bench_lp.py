"""Benchmark the burden LP on the base scenario.

Measures, in one run and on one machine:

1. cold start: a new Python process that imports burden, loads, builds, solves the base
   scenario (what `burden solve` costs, without printing);
2. load + build + solve in a warm process;
3. a re-solve with changed prices on the persistent model (no rebuild);
4. the same LP matrix through raw highspy (a fresh Highs per solve): the limit;
5. the same LP matrix through scipy.optimize.linprog (method="highs"): a user's alternative.

Prints medians and the ratio of each to raw highspy.  Run:  python benchmarks/bench_lp.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

from _timing import median_time

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.yaml"


def main() -> None:
    import scipy.optimize as so

    import burden
    from burden.solvers import _pass, compile_problem, new_highs

    code = ("import time; t0=time.perf_counter(); import burden; "
            f"burden.solve(r'{BASE}').raise_for_status(); print(time.perf_counter()-t0)")
    cold = statistics.median(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                  check=True).stdout) for _ in range(5))
    wall = statistics.median(_wall(code) for _ in range(3))

    def load_build_solve():
        burden.solve(burden.load_scenario(BASE)).raise_for_status()

    t_full = median_time(load_build_solve, 20)
    scn = burden.load_scenario(BASE)
    t_build = median_time(lambda: burden.build(scn), 20)

    prob = burden.build(scn)
    burden.solve(prob)
    rng = np.random.default_rng(0)
    base_prices = {k: m.price_per_t for k, m in scn.materials.items()}

    def resolve():
        prob.set_prices({k: p * rng.uniform(0.8, 1.2) for k, p in base_prices.items()})
        burden.solve(prob)

    t_resolve = median_time(resolve, 200)

    comp = compile_problem(burden.build(scn))

    def raw_highs():
        h = new_highs()
        _pass(h, comp)
        h.run()
        return h.getSolution().col_value

    t_highs = median_time(raw_highs, 200)

    A = np.asarray(comp.A)
    eq = np.isclose(comp.row_lower, comp.row_upper)
    ub_rows = ~eq & np.isfinite(comp.row_upper)
    lb_rows = ~eq & np.isfinite(comp.row_lower)
    A_ub = np.vstack([A[ub_rows], -A[lb_rows]])
    b_ub = np.concatenate([comp.row_upper[ub_rows], -comp.row_lower[lb_rows]])
    bounds = [(lo, None if not np.isfinite(hi) else hi) for lo, hi in zip(comp.col_lower, comp.col_upper)]

    def linprog():
        return so.linprog(comp.cost, A_ub=A_ub, b_ub=b_ub, A_eq=A[eq], b_eq=comp.row_upper[eq],
                          bounds=bounds, method="highs")

    lp = linprog()
    assert lp.status == 0
    ref = burden.solve(burden.build(scn))
    assert abs(lp.fun + comp.offset - ref.objective) < 1e-6 * ref.objective
    assert np.allclose(raw_highs(), lp.x, atol=1e-6)
    t_linprog = median_time(linprog, 200)

    rows = [
        ("cold: new process, import + load + build + solve", cold),
        ("cold: same, wall time of the process", wall),
        ("warm: load + build + solve", t_full),
        ("warm: build (Pyomo model from the tables)", t_build),
        ("persistent re-solve with changed prices", t_resolve),
        ("raw highspy, fresh Highs per solve (limit)", t_highs),
        ("scipy.optimize.linprog(method='highs')", t_linprog),
    ]
    print(f"base scenario: {len(comp.col_names)} columns x {len(comp.row_names)} rows")
    print(f"{'what':<52}{'median ms':>10}{'x raw highspy':>15}")
    for what, t in rows:
        print(f"{what:<52}{t * 1e3:>10.2f}{t / t_highs:>15.1f}")


def _wall(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    return time.perf_counter() - t0


if __name__ == "__main__":
    main()
