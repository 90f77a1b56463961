"""Benchmark the nonlinear burden model (scenarios/nonlinear.yaml) against the LP core.

Measures, medians over repeated solves in one warm process:

1. the LP core of the same scenario (load + build + HiGHS), the reference;
2. the nonlinear solve by SLP on HiGHS (the default path), including its LP warm start;
3. the nonlinear solve by SLSQP (the second, independent path);
4. the implied correction factors and the sensitivity table (post-processing).

Prints medians and the ratio of each to the LP.  Run:  python benchmarks/bench_nlp.py
Target (issue 4): the nonlinear solve of the base scenario under 200 ms.
"""

from __future__ import annotations

from pathlib import Path

from _timing import median_time

import burden
from burden.nonlinear import implied_correction_factors, sensitivity
from burden.solvers import HighsSolver

ROOT = Path(__file__).resolve().parents[1]
NL = ROOT / "scenarios" / "nonlinear.yaml"


def main() -> None:
    scn = burden.load_scenario(NL)
    burden.solve(scn)  # warm imports and caches

    def lp():
        HighsSolver().solve(burden.build(scn))

    def nlp(method):
        def run():
            r = burden.solve(burden.build(scn), solver=method)
            assert r.status == "optimal"
        return run

    res = burden.solve(scn)
    t_lp = median_time(lp, 30)
    t_slp = median_time(nlp("slp"), 30)
    t_slsqp = median_time(nlp("slsqp"), 10)
    t_cf = median_time(lambda: implied_correction_factors(res.nonlinear.nlp, res.nonlinear.z), 5)
    t_sens = median_time(lambda: sensitivity(res), 3)
    it = res.nonlinear.output.iterations
    rows = [
        ("LP core: build + HiGHS solve", t_lp),
        (f"nonlinear, SLP on HiGHS ({it} iterations, incl. LP warm start)", t_slp),
        ("nonlinear, SLSQP (second path)", t_slsqp),
        ("implied correction factors (8 balance re-solves)", t_cf),
        ("sensitivity table (8 nonlinear re-solves)", t_sens),
    ]
    print(f"{'what':<64}{'median ms':>10}{'x LP':>8}")
    for what, t in rows:
        print(f"{what:<64}{t * 1e3:>10.1f}{t / t_lp:>8.1f}")


if __name__ == "__main__":
    main()
