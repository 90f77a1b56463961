"""SLP convergence on a curved limit (issue 10): ``burden.solve`` on the generated libraries.

Since the W point counts hydrogen as a CO equivalent, the optimum of the generated libraries of
``bench_lp.py`` (``_nlp_reference.write_big_nonlinear_case``, fixed seed) lies on the curved
W-point limit with the coke rate inside its bounds.  Per case (scenarios/nonlinear.yaml and the
generated 60, 300 and 1,000 materials): the median wall time of ``burden.solve`` from a loaded
scenario (build + LP warm start + nonlinear solve + duals + Result), the LP core of the same
scenario as the in-process reference (ratio), the nonlinear solver that finished
(``slp`` alone or ``slp+slsqp``, the SLSQP polish), its iterations and message, and the objective.

Run:  python benchmarks/bench_slp_curved.py [--quick]
Targets (issue 10): 300 materials <= 0.5 s, 1,000 materials <= 2 s.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from _nlp_reference import write_big_nonlinear_case
from _timing import median_times

import burden

ROOT = Path(__file__).resolve().parents[1]


def main(quick: bool = False) -> list[dict]:
    n_rep = 3 if quick else 7
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        cases = [("nonlinear.yaml", ROOT / "scenarios" / "nonlinear.yaml")]
        for n in (60, 300, 1000):
            folder = Path(tmp) / f"gen{n}"
            folder.mkdir()
            cases.append((f"generated {n}", write_big_nonlinear_case(folder, n)))
        for name, path in cases:
            scn = burden.load_scenario(path)
            res = burden.solve(scn).raise_for_status()  # warm imports and caches
            t_nl, t_lp = median_times([lambda s=scn: burden.solve(s),
                                       lambda s=scn: burden.build(s).backend(ranging=False).solve()], n_rep)
            status = res.nonlinear.output
            row = {"case": name, "solve_s": t_nl, "lp_s": t_lp, "ratio": t_nl / t_lp, "solver": status.solver,
                   "iterations": status.iterations, "message": status.message, "objective": res.objective}
            rows.append(row)
            print(f"{name:16s} solve {t_nl * 1e3:8.1f} ms  (LP core {t_lp * 1e3:6.1f} ms, x{t_nl / t_lp:5.1f})  "
                  f"{status.solver:9s} {status.iterations:3d} it.  objective {res.objective:.8f}  {status.message}")
    return rows


if __name__ == "__main__":
    main(quick="--quick" in sys.argv)
