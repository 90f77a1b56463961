"""A job run is a transaction (issue 12, acceptance): SIGKILL at random moments never leaves a run
recorded as successful without its complete artefacts, never loses an earlier run or artefact,
and never leaves the job's lock held; 4 concurrent runs of one job give a consistent history.

``burden job run`` runs in subprocesses (the real command, a real SQLite file or PostgreSQL
server) and is killed with SIGKILL after a random delay (seeded) spread over a whole run, so
kills land in start-up, feed reading, solving, writing and recording; every 4th run is killed the
moment its result folder appears (written, not yet recorded as ok).  The quick test kills 4
runs; the slow campaign (``-m slow``) kills 24 on SQLite and 8 on PostgreSQL.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from burden.jobs.run import verify_artefacts
from burden.jobs.store import open_history

from jobs_support import burden, env, make_job, postgres_server, postgres_url  # noqa: F401

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")


def records(url: str) -> list[dict]:
    hist = open_history(url, create=False)
    try:
        with hist.engine.connect() as c:
            return [dict(r) for r in c.execute(select(hist.runs).order_by(hist.runs.c.id)).mappings()]
    finally:
        hist.close()


def check(url: str, earlier: dict[int, dict]) -> dict[int, dict]:
    """Every ok run has complete artefacts; every earlier ok run is still there, unchanged."""
    rows = records(url)
    oks = {r["id"]: r for r in rows if r["status"] == "ok"}
    for r in oks.values():
        assert verify_artefacts(r) == [], r["id"]
    for i, r in earlier.items():
        assert i in oks and oks[i]["artefacts"] == r["artefacts"], f"run {i} lost"
    return oks


def campaign(tmp_path: Path, url: str, kills: int, seed: int, report: str = "[json]") -> dict:
    job = make_job(tmp_path / "job", history=url, report=report)
    rng = random.Random(seed)
    t0 = time.monotonic()
    p = burden("job", "run", job, "--force")  # a complete run: its duration spreads the kills
    assert p.returncode == 0, p.stderr
    full = time.monotonic() - t0
    oks = check(url, {})
    stats = {"killed": 0, "finished": 0, "interrupted_rows": 0, "before_record": 0, "while_running": 0,
             "folder_written_not_recorded": 0}
    folders = tmp_path / "job" / "out" / "bf1-daily"
    attempt = 0
    while stats["killed"] < kills and attempt < 3 * kills:  # runs that finish first do not count as kills
        attempt += 1
        n_rows = len(records(url))
        before = set(folders.glob("run-*"))
        t_start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "burden", "job", "run", str(job), "--force"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env())
        if attempt % 4 == 0:  # every 4th: the moment its result folder appears (written, not yet recorded)
            while proc.poll() is None and set(folders.glob("run-*")) == before:
                time.sleep(0.001)
        else:
            time.sleep(rng.uniform(0.0, full))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if proc.returncode != -signal.SIGKILL:  # it finished first: its duration is today's full run
            full = 0.5 * full + 0.5 * (time.monotonic() - t_start)
        stats["killed" if proc.returncode == -signal.SIGKILL else "finished"] += 1
        rows = records(url)
        if proc.returncode == -signal.SIGKILL:  # where the kill landed
            if len(rows) == n_rows:
                stats["before_record"] += 1
            elif rows[-1]["status"] == "ok":  # recorded: killed while delivering alerts or exiting
                stats["after_record"] = stats.get("after_record", 0) + 1
            elif list(folders.glob(f"run-{rows[-1]['id']:06d}-*")):
                stats["folder_written_not_recorded"] += 1
            else:
                stats["while_running"] += 1
        oks = check(url, oks)
    # the lock was released by every killed run: the next run goes at once, and marks the killed rows
    p = burden("job", "run", job, "--force")
    assert p.returncode == 0, p.stderr
    rows = records(url)
    assert not [r for r in rows if r["status"] == "running"]
    stats["interrupted_rows"] = sum(r["status"] == "interrupted" for r in rows)
    check(url, oks)
    # no half-written folders of killed runs left once the next run went
    assert not list((tmp_path / "job" / "out" / "bf1-daily").glob(".burden-*"))
    stats["run_folders"] = len(list((tmp_path / "job" / "out" / "bf1-daily").glob("run-*")))
    print(stats)
    return stats


def test_sigkill_quick(tmp_path):
    stats = campaign(tmp_path, f"sqlite:///{tmp_path / 'h.db'}", kills=4, seed=12, report="false")
    assert stats["killed"] >= 2


@pytest.mark.slow
def test_sigkill_campaign_sqlite(tmp_path):
    stats = campaign(tmp_path, f"sqlite:///{tmp_path / 'h.db'}", kills=24, seed=2026)
    assert stats["killed"] >= 20 and stats["while_running"] >= 5 and stats["folder_written_not_recorded"] >= 1, stats


@pytest.mark.slow
def test_sigkill_campaign_postgresql(tmp_path, postgres_url):
    stats = campaign(tmp_path, postgres_url, kills=8, seed=7)
    assert stats["killed"] >= 5, stats


def concurrent(tmp_path: Path, url: str, extra: list[str]) -> list[int]:
    job = make_job(tmp_path / "job", history=url, report="false")
    procs = [subprocess.Popen([sys.executable, "-m", "burden", "job", "run", str(job), *extra],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env()) for _ in range(4)]
    codes = [p.wait(timeout=300) for p in procs]
    rows = records(url)
    assert [r["status"] for r in rows if r["status"] == "ok"] == ["ok"]  # one success, whatever the order
    assert not [r for r in rows if r["status"] in ("running", "interrupted", "error")]
    assert len({r["id"] for r in rows}) == len(rows)
    check(url, {})
    return codes


def test_four_concurrent_runs_serialised(tmp_path):
    codes = concurrent(tmp_path, f"sqlite:///{tmp_path / 'h.db'}", ["--wait", "300"])
    assert sorted(codes) == [0, 5, 5, 5]  # one solves; the others wait for it and find the same inputs
    assert len(records(f"sqlite:///{tmp_path / 'h.db'}")) == 4


@pytest.mark.slow
def test_four_concurrent_runs_refused(tmp_path):
    codes = concurrent(tmp_path, f"sqlite:///{tmp_path / 'h.db'}", [])
    assert codes.count(0) == 1 and set(codes) <= {0, 5, 6}  # busy (6) while one runs, skipped (5) after it


@pytest.mark.slow
def test_four_concurrent_runs_postgresql(tmp_path, postgres_url):
    codes = concurrent(tmp_path, postgres_url, ["--wait", "300"])
    assert sorted(codes) == [0, 5, 5, 5]


def test_killed_run_releases_postgresql_lock(tmp_path, postgres_url):
    job = make_job(tmp_path / "job", history=postgres_url, report="false")
    proc = subprocess.Popen([sys.executable, "-m", "burden", "job", "run", str(job)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=env())
    from jobs_support import wait_until

    # kill it while it holds the advisory lock (its row is 'running')
    assert wait_until(lambda: any(r["status"] == "running" for r in _safe_records(postgres_url)), timeout=60)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    p = burden("job", "run", job)  # no --wait: a lock still held would give exit 6
    assert p.returncode == 0, p.stderr
    rows = records(postgres_url)
    assert [r["status"] for r in rows] == ["interrupted", "ok"]


def _safe_records(url):
    try:
        return records(url)
    except Exception:  # noqa: BLE001 - the history may not exist yet
        return []
