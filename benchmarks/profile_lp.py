"""Profiles of the LP-core benchmarks that miss their targets (issue 9), with cProfile.

Each case runs its work many times under cProfile after a warm-up and prints the top
functions by own time (tottime) and by cumulative time, as ``file:line(function)``.

Run:  python benchmarks/profile_lp.py [case ...]
cases: base, prices, bounds, limit, analysis, big, big_tables, cli (default: all)
"""

from __future__ import annotations

import cProfile
import io
import pstats
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.yaml"
SRC = str(ROOT / "src")


def _short(fn: str) -> str:
    import burden

    pkg_root = str(Path(burden.__file__).resolve().parents[1])
    for pre in (pkg_root + "/", SRC + "/", sys.prefix + "/lib/python3.11/site-packages/", sys.base_prefix + "/lib/python3.11/"):
        if fn.startswith(pre):
            return fn[len(pre):]
    return fn


def report(pr: cProfile.Profile, title: str, n_calls: int, top: int = 15) -> None:
    st = pstats.Stats(pr)
    total = st.total_tt
    print(f"\n=== {title}: {total / n_calls * 1e3:.3f} ms per call under cProfile ({n_calls} calls) ===")
    rows = []
    for (fn, line, name), (cc, nc, tt, ct, _callers) in st.stats.items():
        rows.append((tt, ct, nc, f"{_short(fn)}:{line}({name})"))
    print(f"  {'tottime/call':>12} {'cumtime/call':>12} {'ncalls/call':>11}  function (own time)")
    for tt, ct, nc, where in sorted(rows, reverse=True)[:top]:
        print(f"  {tt / n_calls * 1e3:10.4f}ms {ct / n_calls * 1e3:10.4f}ms {nc / n_calls:11.1f}  {where}")
    print(f"  {'':>12} {'cumtime/call':>12} {'':>11}  function (cumulative, burden code)")
    mine = [r for r in rows if r[3].startswith("burden/")]
    for tt, ct, nc, where in sorted(mine, key=lambda r: -r[1])[:top]:
        print(f"  {'':>12} {ct / n_calls * 1e3:10.4f}ms {nc / n_calls:11.1f}  {where}")


def profile(fn, n: int, title: str, warm: int = 20, top: int = 15) -> None:
    for _ in range(warm):
        fn()
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(n):
        fn()
    pr.disable()
    report(pr, title, n, top)


def case_base():
    import burden

    scn = burden.load_scenario(BASE)
    profile(lambda: burden.solve(scn), 500, "base LP: burden.solve(scn)")


def _resolve(what):
    import burden

    scn = burden.load_scenario(BASE)
    prob = burden.build(scn)
    prob.backend().solve()
    sio2 = scn.materials["sinter"].analysis["SiO2"]
    values = {
        "prices": (prob.set_prices, [{"pellets": 144.0, "sinter": 124.0}, {"pellets": 176.0, "sinter": 126.0}]),
        "bounds": (prob.set_bounds, [{"pellets": (0, 300)}, {"pellets": (60, 250)}]),
        "limit": (lambda v: prob.set_limit("slag.B2.max", v), [1.18, 1.19]),
        "analysis": (lambda v: prob.set_analysis("sinter", v), [{"SiO2": 5.6}, {"SiO2": sio2 - 0.1}]),
    }
    setter, vals = values[what]
    k = [0]

    def step():
        k[0] ^= 1
        setter(vals[k[0]])
        prob.backend().solve()

    profile(step, 1000, f"persistent re-solve, {what}: set_* + prob.backend().solve()")


def case_big(tables_only=False):
    sys.path.insert(0, str(Path(__file__).parent))
    import burden
    from bench_lp import write_big_case

    with tempfile.TemporaryDirectory() as d:
        path = write_big_case(Path(d))
        if tables_only:
            scn = burden.load_scenario(path)
            prob = burden.build(scn)

            def run():
                _ = burden.solve(prob).tables
            profile(run, 3, "1,000 materials: res.tables of a fresh Result", warm=1, top=25)
        else:
            def run():
                scn = burden.load_scenario(path)
                burden.build(scn).backend().solve()
            profile(run, 5, "1,000 materials: load + build + backend().solve() (no tables)", warm=1, top=25)


def case_cli():
    code = ("import cProfile, pstats, sys; sys.argv=['burden','solve',%r,'--no-write'];"
            "from burden.cli import main; pr=cProfile.Profile(); pr.enable()\n"
            "try:\n    main()\nexcept SystemExit: pass\n"
            "pr.disable(); pr.dump_stats(%r)")
    with tempfile.TemporaryDirectory() as d:
        out = str(Path(d) / "cli.prof")
        subprocess.run([sys.executable, "-c", code % (str(BASE), out)], capture_output=True, check=True, cwd=ROOT)
        st = pstats.Stats(out)
        pr = cProfile.Profile()
        pr.stats = st.stats  # reuse report()
        buf = io.StringIO()
        st2 = pstats.Stats(out, stream=buf)
        st2.sort_stats("cumulative").print_stats(40)
        print("\n=== burden solve base.yaml --no-write: cli.main() after `import burden.cli`, cumulative ===")
        for ln in buf.getvalue().splitlines():
            if ln.strip() and ("burden/" in ln or "ncalls" in ln or "{" in ln or "pandas" in ln or "numpy" in ln):
                print("  " + re.sub(r"\S*/src/burden/", "burden/", ln).replace(
                    sys.prefix + "/lib/python3.11/site-packages/", ""))


CASES = {"base": case_base, "prices": lambda: _resolve("prices"), "bounds": lambda: _resolve("bounds"),
         "limit": lambda: _resolve("limit"), "analysis": lambda: _resolve("analysis"),
         "big": case_big, "big_tables": lambda: case_big(True), "cli": case_cli}

if __name__ == "__main__":
    for c in sys.argv[1:] or CASES:
        CASES[c]()
