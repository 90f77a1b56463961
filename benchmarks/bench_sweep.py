"""Benchmark sweeps (issue 13): 4,000 points over a price and over a limit of the base scenario.

For each of ``charge.pellets.price_per_t`` (100 -> 200 USD/t) and ``slag.B2.max`` (1.12 -> 1.30),
4,000 points:

1. **serial, in process**: ``burden.sweep(scn, {path: values})`` (chunks of 250 points, each a
   fresh build re-solved persistently, rows with burden, outputs and binding limits) against
   **chunked raw highspy** doing the same changes in the same process: per chunk a new ``Highs``
   given the compiled model, then per point the same changes (``changeColsCost`` of the pellet
   column; for the limit the row's coefficients ``N − θ·D`` by ``changeCoeff`` and its bound
   by ``changeRowBounds``), ``run``, ``getSolution`` and the primal, duals and reduced costs read
   into arrays.  Target: burden <= 2x raw.
2. **2 workers**: the same sweep on a warm ``dask.distributed.LocalCluster(n_workers=2,
   processes=True, threads_per_worker=1)`` (through its executor; the cluster's start-up is
   timed apart) and on a warm ``ProcessPoolExecutor(2)``: LP/s beyond start-up.  Target
   >= 3,000 LP/s.

Run:  python benchmarks/bench_sweep.py [--points 4000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.yaml"
TARGETS = {"lp_per_s": 3000.0, "ratio": 2.0}
CASES = {"price": ("charge.pellets.price_per_t", 100.0, 200.0), "limit": ("slag.B2.max", 1.12, 1.30)}


def _fresh_highs(args):
    """A quiet new ``Highs`` holding the model of ``args`` (:func:`_pass_model_args`)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.passModel(*args)
    return h


def _pass_model_args(comp) -> tuple:
    """The arguments of ``Highs.passModel`` for a compiled model (column-wise CSC, minimise)."""
    m, n = comp.shape
    return (n, m, int(comp.start[-1]), 2, 1, float(comp.offset),
            np.array(comp.cost, float), np.array(comp.col_lower, float), np.array(comp.col_upper, float),
            np.array(comp.row_lower, float), np.array(comp.row_upper, float),
            np.array(comp.start, np.int32), np.array(comp.index, np.int32), np.array(comp.value, float),
            np.zeros(n, np.int32))


def raw_sweep(comp, kind: str, values: np.ndarray, chunk: int, col: int, lin) -> np.ndarray:
    """Chunked raw highspy: the objectives of the points (a new Highs per chunk)."""

    m, n = comp.shape
    args = _pass_model_args(comp)
    out = np.empty(len(values))
    cols = np.array([col], np.int32)
    for s in range(0, len(values), chunk):
        h = _fresh_highs(args)
        for k in range(s, min(s + chunk, len(values))):
            v = values[k]
            if kind == "price":
                h.changeColsCost(1, cols, np.array([v / 1000.0]))
            else:
                row, idx, a0, da, lo0, dlo, t0 = lin
                coef = a0 + (v - t0) * da
                for j, c in zip(idx, coef.tolist()):
                    h.changeCoeff(row, j, c)
                h.changeRowBounds(row, lo0 + (v - t0) * dlo, np.inf)
            h.run()
            sol = h.getSolution()
            _ = (np.array(sol.col_value), np.array(sol.row_value), np.array(sol.row_dual), np.array(sol.col_dual))
            out[k] = h.getObjectiveValue()
    return out


def limit_linearisation(scn, name: str, t0: float, t1: float):
    """The B2 row's coefficients and lower bound as linear functions of θ (from two builds)."""
    import burden

    comps = []
    for t in (t0, t1):
        p = burden.build(scn)
        p.set_limit(name, t)
        comps.append(p.formulation.compile())
    c0, c1 = comps
    row = c0.row_names.index(name)
    i0, v0 = c0.row_entries(row)
    i1, v1 = c1.row_entries(row)
    assert np.array_equal(i0, i1)
    lo0, lo1 = c0.row_lower[row], c1.row_lower[row]
    hi0 = c0.row_upper[row]
    # slag.B2.max is "num − θ·den <= 0", as a row with an upper bound: keep the code general
    if np.isfinite(hi0):
        lo0, lo1 = hi0, c1.row_upper[row]
    return row, i0.tolist(), v0, (v1 - v0) / (t1 - t0), lo0, (lo1 - lo0) / (t1 - t0), t0, np.isfinite(hi0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=4000)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args()
    import highspy

    import burden
    from burden.sweeps import default_chunk_size, sweep

    scn = burden.load_scenario(BASE)
    n = a.points
    chunk = default_chunk_size(n)
    rev = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %s"], capture_output=True,
                         text=True).stdout.strip()[:80]
    print(f"Python {sys.version.split()[0]}, highspy {highspy.Highs().version()}, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.1f}; burden at {rev}")
    print(f"{n} points per sweep, chunks of {chunk}; medians of {a.repeats} runs\n")
    sweep(scn, {"charge.pellets.price_per_t": "100:200:60"})  # warm-up (imports, HiGHS scheduler)
    results = {}
    for case, (path, lo, hi) in CASES.items():
        values = np.linspace(lo, hi, n)
        p = burden.build(scn)
        comp = p.formulation.compile()
        col = p.materials.index("pellets")
        lin = None
        if case == "limit":
            row, idx, a0, da, lo0, dlo, t0, upper = limit_linearisation(scn, path, lo, hi)
            lin = (row, idx, a0, da, lo0, dlo, t0)
            if upper:  # the bound is the row's upper end
                def raw(vals=values, lin=lin):
                    return raw_sweep_upper(comp, vals, chunk, lin)
            else:
                def raw(vals=values, lin=lin):
                    return raw_sweep(comp, "limit", vals, chunk, col, lin)
        else:
            price_scale = scn.materials["pellets"].wet_per_dry if scn.materials["pellets"].price_basis == "wet" else 1

            def raw(vals=values * price_scale):
                return raw_sweep(comp, "price", vals, chunk, col, None)

        t_raw, t_b = [], []
        for _ in range(a.repeats):  # interleaved, so load drifts hit both alike
            t = time.perf_counter()
            obj_raw = raw()
            t_raw.append(time.perf_counter() - t)
            t = time.perf_counter()
            df = sweep(scn, {path: values})
            t_b.append(time.perf_counter() - t)
        assert (df["status"] == "optimal").all()
        err = float(np.max(np.abs(df["objective_per_thm"].to_numpy() - obj_raw)))
        r, b = statistics.median(t_raw), statistics.median(t_b)
        results[case] = {"raw": r, "burden": b}
        print(f"{case}: {path} {lo:g} -> {hi:g} (objective {df['objective_per_thm'].min():.3f} .. "
              f"{df['objective_per_thm'].max():.3f}; max |burden - raw| {err:.1e})")
        print(f"  chunked raw highspy, same changes, serial   {r:7.3f} s  {n / r:8.0f} LP/s")
        print(f"  burden.sweep serial (rows, outputs, binding) {b:7.3f} s  {n / b:8.0f} LP/s   {b / r:5.2f}x raw "
              f"(target <= {TARGETS['ratio']}x: {'met' if b / r <= TARGETS['ratio'] else 'MISSED'})")

    import logging
    from concurrent.futures import ProcessPoolExecutor

    from dask.distributed import Client, LocalCluster

    t = time.perf_counter()
    cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None,
                           silence_logs=logging.ERROR)
    client = Client(cluster)
    t_start = time.perf_counter() - t
    ex = client.get_executor(pure=False)
    t = time.perf_counter()
    sweep(scn, {"charge.pellets.price_per_t": "100:200:500"}, executor=ex)  # warm the workers (imports)
    t_warm = time.perf_counter() - t
    print(f"\n2 workers: LocalCluster start {t_start:.2f} s, first sweep on it (worker imports) {t_warm:.2f} s")
    pool = ProcessPoolExecutor(2)
    sweep(scn, {"charge.pellets.price_per_t": "100:200:500"}, executor=pool)
    for case, (path, lo, hi) in CASES.items():
        values = np.linspace(lo, hi, n)
        serial = sweep(scn, {path: values})
        for name, runner in (("Dask LocalCluster", ex), ("ProcessPoolExecutor", pool)):
            ts = []
            for _ in range(a.repeats):
                t = time.perf_counter()
                df = sweep(scn, {path: values}, executor=runner)
                ts.append(time.perf_counter() - t)
            same = df.equals(serial)
            tm = statistics.median(ts)
            lps = n / tm
            results[case][name] = tm
            print(f"  {case:5s} {name:20s} {tm:7.3f} s  {lps:8.0f} LP/s  (target >= {TARGETS['lp_per_s']:.0f}: "
                  f"{'met' if lps >= TARGETS['lp_per_s'] else 'MISSED'}; same numbers as serial: {same})")
    pool.shutdown()
    client.close()
    cluster.close()


def raw_sweep_upper(comp, values, chunk, lin) -> np.ndarray:
    """As :func:`raw_sweep` for a limit row whose θ sits in its upper bound (``<= 0`` rows)."""

    m, n = comp.shape
    args = _pass_model_args(comp)
    row, idx, a0, da, hi0, dhi, t0 = lin
    out = np.empty(len(values))
    for s in range(0, len(values), chunk):
        h = _fresh_highs(args)
        for k in range(s, min(s + chunk, len(values))):
            v = values[k]
            coef = a0 + (v - t0) * da
            for j, c in zip(idx, coef.tolist()):
                h.changeCoeff(row, j, c)
            h.changeRowBounds(row, -np.inf, hi0 + (v - t0) * dhi)
            h.run()
            sol = h.getSolution()
            _ = (np.array(sol.col_value), np.array(sol.row_value), np.array(sol.row_dual), np.array(sol.col_dual))
            out[k] = h.getObjectiveValue()
    return out


if __name__ == "__main__":
    main()
