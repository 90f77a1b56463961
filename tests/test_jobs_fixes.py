"""Scheduled jobs: the problems a new user found (issue 12, second round).

1. a run folder is unique across histories and never replaced; ``runs show`` fails on changed artefacts;
2. a PostgreSQL URL naming a database or role that does not exist is a configuration error (exit 4);
3. the ``stale_hours`` alert fires on the first run after the gap, whatever its outcome;
4. error messages name where the value came from (job file field, option) and list the choices.

Real SQLite files, the real PostgreSQL server of the test session, real solves (LP, no report).
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from burden.cli import main
from burden.jobs import load_job
from burden.jobs.run import run_job

from jobs_support import PRICES, ROOT, make_job, postgres_server, postgres_url, write_prices  # noqa: F401

DAY0 = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


def tree(folder: Path) -> dict[str, str]:
    """relative path -> SHA-256 of every file below ``folder``."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def at(hours: float) -> str:
    return (DAY0 + timedelta(hours=hours)).isoformat()


# ----------------------------------------------------------------------------- 1. run folders
def test_switching_the_history_never_replaces_an_earlier_run_folder(tmp_path, capsys, postgres_url):
    job_file = make_job(tmp_path)
    job = load_job(job_file)
    first = run_job(job, as_of=at(0))[0]
    assert first.status == "ok" and first.id == 1
    f1 = Path(first.folder)
    assert f1.name == f"run-000001-20261101T060000Z-{first.key[:8]}"
    before = tree(f1)
    # the history file deleted: the new history numbers from 1 again, same time, same inputs -> same name;
    # the writer takes the next free name instead of replacing run 1's folder
    for p in tmp_path.glob("job.runs.db*"):
        p.unlink()
    again = run_job(job, as_of=at(0))[0]
    assert again.status == "ok" and again.id == 1 and again.key == first.key
    assert Path(again.folder).name == f1.name + "-2"
    assert tree(f1) == before
    # another history (PostgreSQL) on another day, other prices: run 1 again, its own folder
    write_prices(tmp_path / "prices.csv", dict(PRICES, pellets=120.0))
    pg = postgres_url
    code, out, err = cli(capsys, "job", "run", job_file, "--history", pg, "--as-of", at(24), "--json")
    o = json.loads(out)[0]
    assert code == 0 and o["id"] == 1 and Path(o["folder"]).name.startswith("run-000001-20261102T060000Z-"), err
    assert tree(f1) == before
    assert len({first.folder, again.folder, o["folder"]}) == 3
    # each history's run 1 still shows its own numbers, complete
    code, out, _ = cli(capsys, "runs", "show", "1", "--history", pg, "--json")
    d = json.loads(out)
    assert code == 0 and d["artefact_problems"] == [] and d["objective_per_thm"] == pytest.approx(o["objective_per_thm"])
    assert d["objective_per_thm"] < first.objective_per_thm  # cheaper pellets: a lower cost than the first run
    # a changed artefact is a problem: reported, exit 4 (text and JSON)
    victim = Path(o["folder"]) / "result.json"
    victim.write_text(victim.read_text().replace("optimal", "tampered"))
    code, out, err = cli(capsys, "runs", "show", "1", "--history", pg)
    assert code == 4 and "NOT AS RECORDED, 1 problem: changed" in out and f"changed: {victim}" in err and "1 artefact problem" in err
    code, out, _ = cli(capsys, "runs", "show", "1", "--history", pg, "--json")
    assert code == 4 and json.loads(out)["artefact_problems"] == [f"changed: {victim}"]
    # and `runs compare` refuses to show numbers that are not the run's
    write_prices(tmp_path / "prices.csv", dict(PRICES, pellets=110.0))
    assert cli(capsys, "job", "run", job_file, "--history", pg, "--as-of", at(48))[0] == 0
    code, out, err = cli(capsys, "runs", "compare", "1", "2", "--history", pg)
    assert code == 4 and out == "" and "results of run 1 are not as recorded" in err and str(victim) in err


def test_write_folder_without_replace_keeps_the_existing_folder(tmp_path):
    from burden.output import OutputError, write_folder

    write_folder({"a.txt": b"old\n"}, tmp_path / "run", root=tmp_path, replace=False)
    with pytest.raises(OutputError) as e:
        write_folder({"a.txt": b"new\n"}, tmp_path / "run", root=tmp_path, replace=False)
    assert "never replaced" in str(e.value) and str(tmp_path / "run") in str(e.value)
    assert (tmp_path / "run" / "a.txt").read_bytes() == b"old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["run"]  # no temporary left


# ----------------------------------------------------------------------------- 2. PostgreSQL configuration
def test_postgresql_missing_database_or_role_is_a_configuration_error(tmp_path, capsys, postgres_server):
    job_file = make_job(tmp_path)
    port = postgres_server.port
    for url, what in ((f"postgresql://postgres@127.0.0.1:{port}/no_such_db", 'database "no_such_db" does not exist'),
                      (f"postgresql://nobody@127.0.0.1:{port}/burden", 'role "nobody" does not exist')):
        code, out, err = cli(capsys, "job", "run", job_file, "--history", url)
        assert code == 4 and out == "", err
        assert what in err and "create the database / role" in err and "check the URL" in err
        assert "run again" not in err and "Traceback" not in err and not (tmp_path / "out").exists()
        code, _, err = cli(capsys, "runs", "list", "--history", url)
        assert code == 4 and what in err
    # a server that is not there (connection refused) stays exit 1: a retry may work
    from jobs_support import free_port

    code, _, err = cli(capsys, "job", "run", job_file, "--history", f"postgresql://postgres@127.0.0.1:{free_port()}/burden")
    assert code == 1 and "cannot be reached" in err and "run again" in err


# ----------------------------------------------------------------------------- 3. stale alert
def test_stale_alert_fires_when_the_late_run_succeeds(tmp_path):
    """stale_hours 36 (make_job): a success, then nothing for 48 h, then a skipped run (same inputs),
    then an ok run 72 h after the last success: each late run says so, once per gap."""
    job = load_job(make_job(tmp_path))
    assert run_job(job, as_of=at(0))[0].status == "ok"
    late = run_job(job, as_of=at(48))[0]  # inputs unchanged: skipped, a confirmed recommendation
    stale = [a for a in late.alerts if a["kind"] == "stale"]
    assert late.status == "skipped" and len(stale) == 1 and stale[0]["hours"] == pytest.approx(48.0, abs=0.01)
    assert "no successful run for 48.0 h before this one" in stale[0]["message"]
    assert not run_job(job, as_of=at(49))[0].alerts  # 1 h after a success: no gap
    write_prices(tmp_path / "prices.csv", dict(PRICES, pellets=150.0))
    ok = run_job(job, as_of=at(49 + 72))[0]
    stale = [a for a in ok.alerts if a["kind"] == "stale"]
    assert ok.status == "ok" and len(stale) == 1 and stale[0]["hours"] == pytest.approx(72.0, abs=0.01)
    assert stale[0]["since"].startswith("2026-11-03T07:00:00")
    # a gap below the threshold: no alert
    write_prices(tmp_path / "prices.csv", dict(PRICES, pellets=140.0))
    assert not [a for a in run_job(job, as_of=at(49 + 72 + 30))[0].alerts if a["kind"] == "stale"]


# ----------------------------------------------------------------------------- 4. messages
def test_messages_name_the_field_and_list_the_choices(tmp_path, capsys):
    job_file = make_job(tmp_path, history="runs.db")
    code, _, err = cli(capsys, "job", "run", job_file)
    assert code == 4 and f"{job_file}: history: runs.db: not an SQLAlchemy URL" in err
    assert "did you mean sqlite:///runs.db" in err and "--history" not in err
    code, _, err = cli(capsys, "runs", "list", "--history", job_file)
    assert code == 4 and f"{job_file}: history: runs.db" in err
    good = make_job(tmp_path / "good")
    code, _, err = cli(capsys, "job", "run", good, "--as-of", "yesterday")
    assert code == 4 and "--as-of: 'yesterday': not an ISO 8601 time" in err and " : --as-of" not in err
    assert run_job(load_job(good), as_of=at(0))[0].status == "ok"
    code, out, err = cli(capsys, "runs", "list", "--history", good, "--status", "done")
    assert code == 4 and out == "" and "--status: done: not a run status" in err
    assert "ok, skipped, infeasible, invalid, error, interrupted, running" in err
    code, out, _ = cli(capsys, "runs", "list", "--history", good, "--status", "ok", "--json")
    assert code == 0 and [r["status"] for r in json.loads(out)] == ["ok"]


def test_readme_history_example_works_from_the_clone_root(tmp_path, capsys, monkeypatch):
    """The README's `burden runs list --history ...` example names the history as the job file has it
    (relative to the job file), so it works from the clone root."""
    import re

    readme = (ROOT / "README.md").read_text()
    m = re.search(r"^burden runs list\s+--history (\S+)", readme, re.MULTILINE)
    assert m, "README: the runs list example"
    example = m.group(1)
    job = load_job(ROOT / "jobs" / "bf1-daily.yaml")
    # the history the example names is the example job's
    if example.endswith((".yaml", ".yml")):
        assert (ROOT / example).resolve() == job.path.resolve()
    else:
        assert "sqlite:///" + str((ROOT / example).resolve()) == job.history_url
    assert "relative to the job file" in readme and "**2** usage error" in readme
