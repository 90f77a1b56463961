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

6. Derivatives and large libraries (issue 10; skip with ``--no-large``; ``bench_lp.py``'s item
   5 does not run it): the base case and the generated libraries of ``bench_lp.py`` (300 and
   1,000 materials, fixed seed) with the nonlinear sections of nonlinear.yaml
   (``_nlp_reference.write_big_nonlinear_case``).  Per case: SLP end to end (load_scenario +
   solve) and from a loaded scenario (build + LP warm start + SLP + duals + Result); the
   process-row Jacobian at the optimum — structured (``NonlinearProblem.jacobian``), the old
   dense forward differences, and the exact complex-step reference (dense and through the
   aggregate directions) with each one's largest row-relative error against it; and, in the
   same run, Ipopt through casadi from the same start (objective and linear rows as casadi
   expressions, process rows by a Callback with the exact complex-step Jacobian), skipped
   with a message when casadi is not installed.  SLSQP (dense scipy QP) once for the base
   case and 300 materials.  Targets: base SLP <= 2x 35-40 ms, 300 materials <= 0.5 s, 1,000
   <= 2 s.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
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


def _jacobian_rows(nlp, z, k):
    """Jacobian timings (medians of k) and errors against the exact complex-step reference."""
    from _nlp_reference import complex_step_jacobian

    _, J_ref = complex_step_jacobian(nlp, z)
    scale = np.maximum(np.max(np.abs(J_ref), axis=1), 1e-300)
    err = lambda J: float(np.max(np.max(np.abs(J - J_ref), axis=1) / scale))  # noqa: E731
    nlp.jacobian(z)
    agg = nlp._jac
    U = agg.U if agg.method == "aggregates" else np.eye(nlp.n_mat)
    out = {"method": agg.method, "rank": agg.rank,
           "structured": (median_time(lambda: nlp.jacobian(z), k), err(nlp.jacobian(z)[1])),
           "dense forward differences (before)": (median_time(lambda: nlp.jacobian_dense(z), k),
                                                  err(nlp.jacobian_dense(z)[1])),
           "complex step, every column (exact reference)": (median_time(lambda: complex_step_jacobian(nlp, z), k), 0.0),
           "complex step, aggregate directions": (median_time(lambda: complex_step_jacobian(nlp, z, U), k),
                                                  err(complex_step_jacobian(nlp, z, U)[1]))}
    return out


def bench_large(quick: bool = False) -> dict:
    """Section 6 (see the module docstring)."""
    import tempfile

    from _nlp_reference import ipopt_solve, write_big_nonlinear_case

    from burden.nlp import start_point

    try:
        import casadi  # noqa: F401
        have_casadi = True
    except ImportError:
        have_casadi = False
    results = {}
    print("\n6. derivatives and large libraries (issue 10): SLP on HiGHS with the structured Jacobian")
    if not have_casadi:
        print("  casadi is not installed (pip install casadi, or the [test] extra): the Ipopt reference is skipped")
    with tempfile.TemporaryDirectory() as d:
        cases = [("base case (9 materials)", NL, 5 if quick else 15),
                 ("300 materials", write_big_nonlinear_case(Path(d) / "n300", 300), 3 if quick else 7),
                 ("1,000 materials", write_big_nonlinear_case(Path(d) / "n1000", 1000), 3 if quick else 5)]
        targets = {"base case (9 materials)": 0.080, "300 materials": 0.5, "1,000 materials": 2.0}
        for label, path, k in cases:
            scn = burden.load_scenario(path)
            res = burden.solve(scn)
            assert res.status == "optimal", (label, res.status)
            nlp, z = res.nonlinear.nlp, res.nonlinear.z
            o = res.nonlinear.output
            r = {"objective": res.objective, "iterations": o.iterations, "solver": o.solver,
                 "n_mat": nlp.n_mat, "nz": nlp.nz}
            r["end_to_end"] = median_time(lambda: burden.solve(burden.load_scenario(path)), k)
            r["solve"] = median_time(lambda: burden.solve(scn), k)
            r["jac"] = _jacobian_rows(nlp, z, 3 * k)
            lp = burden.build(scn).backend(ranging=False).solve()
            z0 = start_point(nlp, lp.primal)
            if have_casadi:
                ip = ipopt_solve(nlp, z0)
                r["ipopt"] = ip
            if label != "1,000 materials":
                sq = burden.solve(burden.build(scn), solver="slsqp")
                r["slsqp"] = (sq.nonlinear.output.seconds, sq.objective, sq.nonlinear.output.iterations)
            results[label] = r
            print(f"\n  {label}: {r['n_mat']} materials, {r['nz']} columns; SLP objective {r['objective']:.8f} "
                  f"({r['solver']}, {r['iterations']} iterations)")
            print(f"    {'what':<62}{'median ms':>10}")
            print(f"    {'SLP end to end: load_scenario + solve':<62}{r['end_to_end'] * 1e3:>10.1f}")
            print(f"    {'SLP from the loaded scenario: build + LP + SLP + duals + Result':<62}{r['solve'] * 1e3:>10.1f}")
            jr = r["jac"]
            print(f"    Jacobian at the optimum ({jr['method']}, rank of the aggregate map {jr['rank']}); "
                  "error: largest row-relative difference from the exact complex step")
            for what, (t, e) in [(w, v) for w, v in jr.items() if isinstance(v, tuple)]:
                print(f"      {what:<60}{t * 1e3:>10.2f}   error {e:.1e}")
            if "ipopt" in r:
                ip = r["ipopt"]
                rel = abs(ip["objective"] - r["objective"]) / abs(r["objective"])
                print(f"    {'Ipopt (casadi), exact complex-step Jacobian, same start':<62}{ip['seconds'] * 1e3:>10.1f}"
                      f"   {ip['status']}, {ip['iterations']} it., objective {ip['objective']:.8f} "
                      f"(rel. diff {rel:.1e}, violation {ip['max_violation']:.1e})")
            if "slsqp" in r:
                t, obj, it = r["slsqp"]
                print(f"    {'SLSQP (dense scipy QP, structured Jacobian), one run':<62}{t * 1e3:>10.1f}"
                      f"   {it} it., objective {obj:.8f}")
            tgt = targets[label]
            print(f"    target: SLP from the loaded scenario <= {tgt * 1e3:.0f} ms: "
                  f"{'met' if r['solve'] <= tgt else 'MISSED'} ({r['solve'] * 1e3:.1f} ms); "
                  f"end to end {'met' if r['end_to_end'] <= tgt else 'over'} ({r['end_to_end'] * 1e3:.1f} ms)")
    return results


if __name__ == "__main__":
    import sys

    main(quick="--quick" in sys.argv)
    if "--no-large" not in sys.argv:
        bench_large(quick="--quick" in sys.argv)
