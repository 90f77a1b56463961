"""Scheduled jobs: `burden runs list` over 10,000 recorded runs, and a job's own overhead.

    python benchmarks/bench_jobs.py

1. An SQLite history is filled with 10,000 runs (records of the shape `burden job run` writes:
   burden, indicators, binding limits, inputs manifest, artefacts).  `burden runs list --json`
   (all 10,000) and `burden runs list` (text) are timed as subprocesses (wall time, Python
   start-up included; target <= 1 s), and in-process (`burden.cli.main`).
2. A job's own overhead: `run_job(job, force=True)` with three feeds (a lab folder, prices,
   stocks) and that 10,000-run history, against the reference of what `burden solve` does for
   the same scenario in the same process (load, solve, write the result folder).  The
   difference is the job's overhead: feeds, content key, lock, history records, comparison
   with the last success and alerts (target <= 200 ms).  Interleaved, median of 15.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_times  # noqa: E402


def fill(url: str, n: int, job: str) -> None:
    from sqlalchemy import insert

    from burden.jobs.store import open_history

    hist = open_history(url)
    t0 = datetime(2020, 1, 1, tzinfo=timezone.utc)
    burden = {"sinter": 1397.1, "pellets": 33.6, "lump_ore": 200.0, "limestone": 0.0, "dolomite": 0.0,
              "quartzite": 13.7, "coke": 340.0, "nut_coke": 30.0, "pci": 160.0}
    rows = []
    for i in range(n):
        t = t0 + timedelta(hours=6 * i)
        status = "ok" if i % 4 == 0 else "skipped"
        rows.append(dict(job=job, key=f"{i // 4:064x}", status=status, exit_code=0 if status == "ok" else 5,
                         started=t.strftime("%Y-%m-%dT%H:%M:%S.000Z"), ended=t.strftime("%Y-%m-%dT%H:%M:%S.900Z"),
                         host="bench", pid=1, forced=0,
                         objective_per_thm=377.15 + (i % 17) * 0.1 if status == "ok" else None, currency="USD",
                         burden=burden if status == "ok" else None,
                         indicators={"B2": 1.2, "fuel_rate_kg_per_thm": 530.0} if status == "ok" else None,
                         binding=["slag.B2.max", "charge.lump_ore.max"] if status == "ok" else None,
                         inputs={"scenario": {"file": "base.yaml", "sha256": "0" * 64}, "feeds": {}},
                         artefacts={"folder": f"/srv/out/run-{i:06d}", "files": {"result.json": "0" * 64}},
                         versions={"burden": "0.1.0"}, alerts={"alerts": [], "delivery": []}))
    with hist.begin() as c:
        c.execute(insert(hist.runs), rows)
    hist.close()


def main() -> None:
    from burden.api import load_scenario, solve
    from burden.cli import main as cli
    from burden.jobs import load_job
    from burden.jobs.run import run_job
    from burden.output import result_files, result_folder, write_folder
    from jobs_support import make_job

    tmp = Path(tempfile.mkdtemp(prefix="burden-bench-jobs-"))
    try:
        db = tmp / "history.db"
        url = f"sqlite:///{db}"
        fill(url, 10_000, "bf1-daily")
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", ""))
        import resource

        def timed(cmd):
            c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t = time.perf_counter()
            p = subprocess.run(cmd, capture_output=True, env=env)
            wall = time.perf_counter() - t
            c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            assert p.returncode == 0, p.stderr
            return wall, (c1.ru_utime - c0.ru_utime) + (c1.ru_stime - c0.ru_stime), p

        print("| command (subprocess, median of 7) | wall | CPU (user+sys) |\n|---|---|---|")
        cmds = {"`burden --version` (reference: start-up)": [sys.executable, "-m", "burden", "--version"],
                "`burden runs list --json` (10,000 runs)": [sys.executable, "-m", "burden", "runs", "list",
                                                            "--history", url, "--json"],
                "`burden runs list` (10,000 runs, text)": [sys.executable, "-m", "burden", "runs", "list",
                                                           "--history", url]}
        res = {k: [] for k in cmds}
        for _ in range(7):  # interleaved: the same machine load for each
            for k, cmd in cmds.items():
                res[k].append(timed(cmd))
        for k, rs in res.items():
            wall = sorted(r[0] for r in rs)[3]
            cpu = sorted(r[1] for r in rs)[3]
            n = len(rs[0][2].stdout.splitlines())
            print(f"| {k} ({n:,} lines) | {wall:.3f} s | {cpu:.3f} s |")
        ts = []
        for _ in range(5):
            t = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):
                cli(["runs", "list", "--history", url, "--json"])
            ts.append(time.perf_counter() - t)
        print(f"| in-process `runs list --json`, median of 5 | {sorted(ts)[2] * 1000:.0f} ms |")

        job = load_job(make_job(tmp / "job"))
        ref_out = tmp / "ref"

        def reference():
            res = solve(load_scenario(job.scenario_path))
            write_folder(result_files(res), result_folder(ref_out, res.scenario.name), root=ref_out)

        def job_run():
            o = run_job(job, history_url=url, force=True, out_dir=tmp / "out")[0]
            assert o.status == "ok", o.message

        job_run(), reference()  # warm-up: imports
        t_ref, t_job = median_times([reference, job_run], 15)
        print("\n| job overhead (median of 15, interleaved) | time |\n|---|---|")
        print(f"| reference: load + solve + write result folder | {t_ref * 1000:.0f} ms |")
        print(f"| `run_job` (3 feeds, 10,000-run history, force) | {t_job * 1000:.0f} ms |")
        print(f"| overhead of the job | {(t_job - t_ref) * 1000:.0f} ms |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
