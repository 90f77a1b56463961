"""Benchmark the nonlinear burden model (scenarios/nonlinear.yaml) against the LP core.

Measures, medians over repeated solves in one warm process:

1. the LP core of the same scenario (load + build + HiGHS), the reference;
2. the nonlinear solve by SLP on HiGHS (the default path), including its LP warm start;
3. the nonlinear solve by SLSQP (the second, independent path);
4. the implied correction factors and the sensitivity table (post-processing).

Prints medians and the ratio of each to the LP.  Run:  python benchmarks/bench_nlp.py [--quick]
Targets: issue 4, the nonlinear solve of the base scenario under 200 ms; issue 9, no slower
than before the core rebuild (SLP 30-35 ms, benchmarks/README.md).  ``bench_lp.py`` runs this
as its item 5.
"""

from __future__ import annotations

from pathlib import Path

from _timing import median_time

import burden
from burden.nonlinear import implied_correction_factors, sensitivity

ROOT = Path(__file__).resolve().parents[1]
NL = ROOT / "scenarios" / "nonlinear.yaml"


def main(quick: bool = False) -> dict:
    scn = burden.load_scenario(NL)
    for _ in range(3):
        burden.solve(scn)  # warm imports and caches

    def lp():  # the LP core of the same scenario, as the nonlinear path's warm start solves it
        assert burden.build(scn).backend(ranging=False).solve().status == "optimal"

    def nlp(method):
        def run():
            r = burden.solve(burden.build(scn), solver=method)
            assert r.status == "optimal"
        return run

    res = burden.solve(scn)
    slsqp = burden.solve(burden.build(scn), solver="slsqp")
    k = 1 if quick else 3
    t_lp = median_time(lp, 100 * k)
    t_slp = median_time(nlp("slp"), 20 * k)
    t_slsqp = median_time(nlp("slsqp"), 5 * k)
    t_cf = median_time(lambda: implied_correction_factors(res.nonlinear.nlp, res.nonlinear.z), 3 if quick else 5)
    t_sens = median_time(lambda: sensitivity(res), 1 if quick else 3)
    it = res.nonlinear.output.iterations
    print(f"\n5. nonlinear scenario ({NL.name}): objective SLP {res.objective:.4f} ({res.nonlinear.output.solver}), "
          f"SLSQP {slsqp.objective:.4f} ({slsqp.nonlinear.output.iterations} iterations)")
    rows = [
        ("LP core: build + HiGHS solve", t_lp),
        (f"nonlinear, SLP on HiGHS ({it} iterations, incl. LP warm start)", t_slp),
        ("nonlinear, SLSQP (second path)", t_slsqp),
        ("implied correction factors (10 changes; 19 balance re-solves)", t_cf),
        ("sensitivity table (8 nonlinear re-solves)", t_sens),
    ]
    print(f"  {'what':<64}{'median ms':>10}{'x LP':>8}")
    for what, t in rows:
        print(f"  {what:<64}{t * 1e3:>10.1f}{t / t_lp:>8.1f}")
    ok = t_slp <= 0.040
    print(f"  SLP {t_slp * 1e3:.1f} ms (before the rebuild 30-35 ms; target: no slower, SLP <= 35-40 ms: "
          f"{'met' if ok else 'MISSED'})")
    return {"lp": t_lp, "slp": t_slp, "slsqp": t_slsqp, "cf": t_cf, "sens": t_sens, "iterations": it}


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)
