"""Job files, feeds and the ``burden job`` / ``burden runs`` commands (issue 12).

Most commands run in-process through :func:`burden.cli.main` (the real argument parsing, exit
codes and output); ``burden job run`` also runs once as a subprocess (JSON-lines log, exit codes).
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pandas as pd
import pytest

from burden.cli import main
from burden.errors import InputError
from burden.jobs import load_job
from burden.jobs.feeds import engine_url, resolve_inputs
from burden.jobs.run import run_job

from jobs_support import (PRICES, SINTER, burden, make_job, postgres_server, postgres_url,  # noqa: F401
                          write_analyses, write_prices)

DAY0 = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)


def cli(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out = capsys.readouterr()
    return code, out.out, out.err


# ----------------------------------------------------------------------------- job files
@pytest.mark.parametrize("text, field, words", [
    ("name: x\n", "scenario", "required field is missing"),
    ("name: x\nscenario: base.yaml\nalerts: {cost_change_per_thm: yes}\n", "alerts.cost_change_per_thm", "yes/no"),
    ("name: x\nscenario: base.yaml\nfeeds: {prices: {file: a.csv, folder: b}}\n", "feeds.prices", "exactly one of"),
    ("name: x\nscenario: base.yaml\nfeeds: {stocks: {sql: {url: 'sqlite:///a.db', query: 'DELETE FROM t'}}}\n",
     "feeds.stocks.sql.query", "read only"),
    ("name: x\nscenario: base.yaml\nnotify: [{webhook: {url: 'ftp://x'}}]\n", "notify.0.webhook", "http://"),
    ("name: x\nscenario: base.yaml\nhistroy: sqlite:///a.db\n", "histroy", "unknown key 'histroy'; did you mean 'history'?"),
    ("name: x\nscenario: missing.yaml\n", "scenario", "does not exist"),
])
def test_job_file_errors(tmp_path, capsys, text, field, words):
    make_job(tmp_path)
    (tmp_path / "bad.yaml").write_text(text)
    with pytest.raises(InputError) as e:
        load_job(tmp_path / "bad.yaml")
    p = e.value.problems[0]
    assert p.source == str(tmp_path / "bad.yaml") and p.field == field and words in p.message, p
    code, out, err = cli(capsys, "job", "run", tmp_path / "bad.yaml")
    assert code == 4 and f"bad.yaml: {field}" in err and "Traceback" not in err


def test_feed_errors_name_the_file_row_and_column(tmp_path):
    job = load_job(make_job(tmp_path))
    (tmp_path / "prices.csv").write_text("name,price_per_t,colour\npellets,-3,red\n")
    with pytest.raises(InputError) as e:
        resolve_inputs(job)
    assert any(p.source.endswith("prices.csv") and p.field == "column 'colour'" for p in e.value.problems)
    (tmp_path / "prices.csv").write_text("name,price_per_t\npellets,-3\nkoks,200\n")
    with pytest.raises(InputError) as e:
        resolve_inputs(job)
    msgs = [str(p) for p in e.value.problems]
    assert any("row 2 (pellets), column price_per_t" in m and "negative" in m for m in msgs), msgs
    (tmp_path / "prices.csv").write_text("name,price_per_t\nkoks,200\n")
    with pytest.raises(InputError) as e:
        resolve_inputs(job)
    assert "'koks' is not charged in base.yaml" in str(e.value)
    write_prices(tmp_path / "prices.csv", PRICES)
    for f in (tmp_path / "lab").iterdir():
        f.unlink()
    with pytest.raises(InputError) as e:
        resolve_inputs(job)
    assert e.value.problems[0].field == "feeds.analyses.pattern"


def test_feeds_change_the_model(tmp_path):
    """Each feed reaches the model: newest lab file by name, prices, stocks (Excel), SQL (read only)."""
    job_file = make_job(tmp_path)
    write_analyses(tmp_path / "lab" / "analyses_2026-10-31.csv", dict(SINTER, SiO2=9.0))  # older by name: unused
    inp = resolve_inputs(load_job(job_file))
    assert inp.scenario.materials["sinter"].reported["SiO2"] == SINTER["SiO2"]
    assert inp.manifest["feeds"]["analyses"]["file"].endswith("analyses_2026-11-01.csv")
    # stocks from Excel; prices from a read-only SQL query on an SQLite file
    pd.DataFrame({"name": ["lump_ore"], "max_t_per_day": [450.0]}).to_excel(tmp_path / "stocks.xlsx", index=False)
    with sqlite3.connect(tmp_path / "plant.db") as c:
        c.execute("CREATE TABLE prices (material TEXT, usd REAL)")
        c.execute("INSERT INTO prices VALUES ('pellets', 111.5), ('sinter', 130)")
    text = (tmp_path / "job.yaml").read_text()
    text = text.replace("prices: {file: prices.csv}",
                        "prices: {sql: {url: 'sqlite:///plant.db', query: 'SELECT material AS name, usd AS price_per_t FROM prices'}}")
    text = text.replace("stocks: {file: stocks.csv}", "stocks: {file: stocks.xlsx}")
    (tmp_path / "job.yaml").write_text(text)
    inp = resolve_inputs(load_job(tmp_path / "job.yaml"))
    m = inp.scenario.materials
    assert m["pellets"].price_per_t == 111.5 and m["sinter"].price_per_t == 130.0
    assert m["lump_ore"].max_t_per_day == 450.0
    assert inp.manifest["feeds"]["prices"]["url"] == "sqlite:///plant.db"
    # the query cannot write: a statement that would is refused by the database itself
    (tmp_path / "job.yaml").write_text(text.replace("SELECT material AS name, usd AS price_per_t FROM prices",
                                                    "WITH x AS (SELECT 1) INSERT INTO prices SELECT material, usd FROM prices"))
    with pytest.raises(InputError) as e:
        resolve_inputs(load_job(tmp_path / "job.yaml"))
    assert "query failed" in str(e.value)
    with sqlite3.connect(tmp_path / "plant.db") as c:
        assert c.execute("SELECT COUNT(*) FROM prices").fetchone()[0] == 2


def test_postgresql_url_as_typed():
    assert engine_url("postgresql://ops@db.plant/bf") == "postgresql+psycopg://ops@db.plant/bf"
    assert engine_url("postgres://ops@db/bf") == "postgresql+psycopg://ops@db/bf"
    assert engine_url("sqlite:///runs.db") == "sqlite:///runs.db"


# ----------------------------------------------------------------------------- runs commands
@pytest.fixture()
def history(tmp_path):
    """Three ok runs (prices change twice) and a skipped one, recorded in the job's default history."""
    job_file = make_job(tmp_path)
    job = load_job(job_file)
    outs = []
    for day, pellets in ((1, 160.0), (2, 120.0), (3, 120.0), (4, 100.0)):
        write_prices(tmp_path / "prices.csv", dict(PRICES, pellets=pellets))
        outs += run_job(job, as_of=(DAY0 + timedelta(days=day)).isoformat())
    assert [o.status for o in outs] == ["ok", "ok", "skipped", "ok"]
    return job_file, outs


def test_runs_list_show_json(capsys, history, tmp_path):
    job_file, outs = history
    assert Path(str(job_file).replace("job.yaml", "job.runs.db")).is_file()  # the default: beside the job file
    code, out, _ = cli(capsys, "runs", "list", "--history", job_file, "--json")
    runs = json.loads(out)
    assert code == 0 and [r["id"] for r in runs] == [1, 2, 3, 4]
    assert all({"id", "job", "started", "status", "objective_per_thm", "key"} <= set(r) for r in runs)
    assert [r["status"] for r in runs] == ["ok", "ok", "skipped", "ok"] and runs[0]["job"] == "bf1-daily"
    assert runs[0]["started"] == "2026-11-02T06:00:00.000Z" and math.isclose(runs[1]["objective_per_thm"],
                                                                             outs[1].objective_per_thm)
    assert runs[2]["key"] == runs[1]["key"] != runs[0]["key"]
    url = f"sqlite:///{tmp_path / 'job.runs.db'}"
    code, out, _ = cli(capsys, "runs", "list", "--history", url, "--status", "ok", "--limit", "2")
    assert code == 0 and len(out.strip().splitlines()) == 3
    code, out, _ = cli(capsys, "runs", "show", "2", "--history", url, "--json")
    d = json.loads(out)
    assert d["status"] == "ok" and d["artefact_problems"] == [] and d["burden"]["pellets"] > 100
    assert d["inputs"]["feeds"]["prices"]["rows"] == 3 and d["versions"]["highspy"]
    code, out, _ = cli(capsys, "runs", "show", "2", "--history", url)
    assert "binding:" in out and "complete" in out
    code, _, err = cli(capsys, "runs", "show", "99", "--history", url)
    assert code == 4 and "no such run" in err


def test_runs_compare_trend_decide(capsys, history, tmp_path):
    job_file, outs = history
    code, out, _ = cli(capsys, "runs", "compare", "1", "2", "--history", job_file, "--json", "--out", tmp_path / "cmp")
    assert code == 0
    d = json.loads(out)
    assert (tmp_path / "cmp" / "compare-runs-1-2" / "comparison.html").is_file()
    text = json.dumps(d)
    assert "run 1 (2026-11-02)" in text and "run 2 (2026-11-03)" in text
    code, _, err = cli(capsys, "runs", "compare", "1", "3", "--history", job_file)
    assert code == 4 and "skipped" in err
    code, out, _ = cli(capsys, "runs", "trend", "--history", job_file, "--out", tmp_path / "t")
    page = (tmp_path / "t" / "trend-bf1-daily" / "trend.html").read_text()
    assert code == 0 and page.count("<svg") == 4 and "Fuel rate" in page and "cost_change" in page
    cli(capsys, "runs", "trend", "--history", job_file, "--out", tmp_path / "t2")
    assert (tmp_path / "t2" / "trend-bf1-daily" / "trend.html").read_text() == page  # same history, same bytes
    code, out, _ = cli(capsys, "runs", "decide", "2", "approve", "--who", "shift A", "--note", "pellets in stock",
                       "--history", job_file, "--json")
    assert code == 0 and json.loads(out)["decision"] == "approve"
    code, _, err = cli(capsys, "runs", "decide", "3", "approve", "--who", "x", "--history", job_file)
    assert code == 4 and "skipped" in err
    code, out, _ = cli(capsys, "runs", "show", "2", "--history", job_file)
    assert "decision approve by shift A" in out and "pellets in stock" in out


# ----------------------------------------------------------------------------- a run through the command line
class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        _Hook.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


def test_job_run_subprocess_json_log_and_webhook(tmp_path):
    srv = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        job_file = make_job(tmp_path, notify=f"notify: [{{webhook: {{url: 'http://127.0.0.1:{srv.server_port}/hook'}}}}]\n"
                                             "log: {format: json}\n")
        p = burden("job", "run", job_file, "--as-of", "2026-11-01T06:00:00Z")
        assert p.returncode == 0, p.stderr
        lines = [json.loads(x) for x in p.stderr.splitlines()]
        assert [x["level"] for x in lines] == ["info", "info"] and "run 1 ok" in lines[1]["message"]
        p = burden("job", "run", job_file)  # today, weeks after run 1: skipped, and late (stale_hours 36)
        assert p.returncode == 5 and "skipped" in p.stdout and "ALERT stale: no successful run for" in p.stdout
        assert len(_Hook.received) == 1 and [a["kind"] for a in _Hook.received.pop()["alerts"]] == ["stale"]
        write_prices(tmp_path / "prices.csv", dict(PRICES, pellets=120.0))
        p = burden("job", "run", job_file, "--json", "--log-format", "text")
        assert p.returncode == 0, p.stderr
        out = json.loads(p.stdout)
        assert out[0]["status"] == "ok" and {a["kind"] for a in out[0]["alerts"]} >= {"cost_change", "material_change"}
        assert "WARNING burden.jobs: bf1-daily: run 3: ALERT cost_change" in p.stderr
        assert len(_Hook.received) == 1 and _Hook.received[0]["run"] == 3
        # infeasible inputs: exit 3, recorded, with the explanation
        (tmp_path / "stocks.csv").write_text("name,max_t_per_day\nsinter,100\npellets,100\nlump_ore,100\n")
        p = burden("job", "run", job_file)
        assert p.returncode == 3 and "run 4 infeasible" in p.stdout and "sinter" in p.stdout
        assert len(_Hook.received) == 2 and _Hook.received[1]["alerts"][0]["kind"] == "status_change"
    finally:
        srv.shutdown()


def test_variants_are_series_of_their_own(tmp_path, capsys):
    """The scenario, then each variant: its own series (name [variant]), key and skip."""
    job_file = make_job(tmp_path, extra="variants: [cheap_pellets]\n")
    job = load_job(job_file)
    outs = run_job(job)
    assert [(o.job, o.status) for o in outs] == [("bf1-daily", "ok"), ("bf1-daily [cheap_pellets]", "ok")]
    # cheap_pellets sets pellets to 140 USD/t over the feed's 160: a different optimum
    assert outs[1].objective_per_thm < outs[0].objective_per_thm and outs[0].key != outs[1].key
    assert [o.exit_code for o in run_job(job)] == [5, 5]
    code, out, _ = cli(capsys, "runs", "list", "--history", job_file, "--job", "bf1-daily [cheap_pellets]", "--json")
    assert [r["status"] for r in json.loads(out)] == ["ok", "skipped"]


def test_nonlinear_job_matches_a_direct_solve(tmp_path):
    import burden as bd

    from jobs_support import ROOT

    (tmp_path / "job.yaml").write_text(f"name: nl\nscenario: {ROOT / 'scenarios' / 'nonlinear.yaml'}\nreport: false\n")
    o = run_job(load_job(tmp_path / "job.yaml"))[0]
    ref = bd.solve(ROOT / "scenarios" / "nonlinear.yaml")
    assert o.status == "ok" and math.isclose(o.objective_per_thm, ref.objective, rel_tol=1e-9)
    saved = json.loads((Path(o.folder) / "result.json").read_text())
    assert math.isclose(saved["objective_per_thm"], ref.objective, rel_tol=1e-9)


def test_history_schema_version(tmp_path, capsys):
    from burden.jobs.store import SCHEMA_VERSION, open_history

    url = f"sqlite:///{tmp_path / 'h.db'}"
    open_history(url).close()
    with sqlite3.connect(tmp_path / "h.db") as c:
        assert c.execute("SELECT version FROM burden_schema").fetchall() == [(SCHEMA_VERSION,)]
        c.execute("UPDATE burden_schema SET version = ?", (SCHEMA_VERSION + 1,))
    code, _, err = cli(capsys, "runs", "list", "--history", url)
    assert code == 4 and "newer than this burden" in err
    code, _, err = cli(capsys, "runs", "list", "--history", f"sqlite:///{tmp_path / 'none.db'}")
    assert code == 4 and "no run history there" in err


def test_history_errors(tmp_path, capsys):
    from jobs_support import free_port

    job_file = make_job(tmp_path)
    # a server that does not answer: exit 1 (a retry may succeed), nothing run or written
    code, _, err = cli(capsys, "job", "run", job_file, "--history", f"postgresql://ops@127.0.0.1:{free_port()}/plant")
    assert code == 1 and "cannot be reached" in err and not (tmp_path / "out").exists()
    code, _, err = cli(capsys, "job", "run", job_file, "--history", "not a url")
    assert code == 4 and "--history: not a url: not an SQLAlchemy URL" in err
    assert not Path("not a url").exists()
    # an SQLite file by its path (a new one named *.db is created)
    code, out, _ = cli(capsys, "job", "run", job_file, "--history", tmp_path / "new.db")
    assert code == 0 and (tmp_path / "new.db").is_file()


def test_sql_feed_on_postgresql_is_read_only(tmp_path, postgres_url):
    """A prices feed from PostgreSQL; a data-modifying statement is refused by the read-only transaction."""
    import psycopg

    dsn = postgres_url
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute("CREATE TABLE erp_prices (material text, usd_per_t double precision)")
        c.execute("INSERT INTO erp_prices VALUES ('pellets', 118.0), ('sinter', 127.5)")
    job_file = make_job(tmp_path)
    text = (tmp_path / "job.yaml").read_text()
    query = "SELECT material AS name, usd_per_t AS price_per_t FROM erp_prices ORDER BY material"
    (tmp_path / "job.yaml").write_text(text.replace("prices: {file: prices.csv}",
                                                    f"prices: {{sql: {{url: '{postgres_url}', query: '{query}'}}}}"))
    inp = resolve_inputs(load_job(job_file))
    assert inp.scenario.materials["pellets"].price_per_t == 118.0 and inp.scenario.materials["sinter"].price_per_t == 127.5
    writing = "WITH gone AS (DELETE FROM erp_prices RETURNING material) SELECT material AS name, 1.0 AS price_per_t FROM gone"
    (tmp_path / "job.yaml").write_text(text.replace("prices: {file: prices.csv}",
                                                    f"prices: {{sql: {{url: '{postgres_url}', query: '{writing}'}}}}"))
    with pytest.raises(InputError) as e:
        resolve_inputs(load_job(job_file))
    assert "read-only transaction" in str(e.value)
    with psycopg.connect(dsn) as c:
        assert c.execute("SELECT count(*) FROM erp_prices").fetchone()[0] == 2


def test_example_job_runs(tmp_path, capsys):
    """The README's example job (jobs/bf1-daily.yaml) validates and runs; nothing is written in the clone."""
    from jobs_support import ROOT

    job_file = ROOT / "jobs" / "bf1-daily.yaml"
    code, out, _ = cli(capsys, "job", "validate", job_file)
    assert code == 0 and "valid; feeds: analyses" in out
    o = run_job(load_job(job_file), history_url=f"sqlite:///{tmp_path / 'h.db'}", out_dir=tmp_path / "out")[0]
    assert o.status == "ok" and (Path(o.folder) / "report" / "report.html").is_file()
    assert not (ROOT / "jobs" / "runs").exists()


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_smtp_login_and_a_failed_delivery(tmp_path, monkeypatch):
    """E-mail with SMTP AUTH (password from the environment); a refused delivery is recorded and
    logged, and the run is still a success."""
    from jobs_support import Mailbox

    from burden.jobs.store import open_history

    with Mailbox(password="s3cret") as box:
        notify = (f"notify:\n  - email: {{host: 127.0.0.1, port: {box.port}, sender: burden@plant.example, "
                  "to: [shift@plant.example], username: burden, password_env: BURDEN_TEST_SMTP_PASSWORD}\n")
        job = load_job(make_job(tmp_path, notify=notify))
        monkeypatch.setenv("BURDEN_TEST_SMTP_PASSWORD", "s3cret")
        run_job(job)
        write_prices(tmp_path / "prices.csv", dict(PRICES, pellets=120.0))
        o = run_job(job)[0]
        assert o.status == "ok" and o.alerts and len(box.messages) == 1
        assert box.messages[0]["To"] == "shift@plant.example" and "cost" in box.messages[0].get_payload()
        monkeypatch.setenv("BURDEN_TEST_SMTP_PASSWORD", "wrong")
        write_prices(tmp_path / "prices.csv", dict(PRICES))
        o = run_job(job)[0]
        assert o.status == "ok" and o.exit_code == 0 and o.alerts and len(box.messages) == 1
    hist = open_history(job.history_url, create=False)
    try:
        from sqlalchemy import select

        with hist.engine.connect() as c:
            rec = c.execute(select(hist.runs.c.alerts).where(hist.runs.c.id == o.id)).scalar()
    finally:
        hist.close()
    assert rec["delivery"][0]["ok"] is False and "535" in rec["delivery"][0]["error"]


def test_runs_check_says_when_a_job_has_not_run_for_hours(capsys, history, tmp_path):
    """A monitor's check: the last ok or skipped run (day 4 06:00) against --max-age-hours; exit 7
    when it is older or missing (a dead scheduler makes no run to raise the stale_hours alert)."""
    job_file, _ = history
    last = DAY0 + timedelta(days=4)
    code, out, _ = cli(capsys, "runs", "check", "--history", job_file, "--max-age-hours", "36",
                       "--now", (last + timedelta(hours=10)).isoformat())
    assert code == 0 and "bf1-daily: fresh" in out and "(10.0 h ago)" in out
    code, out, _ = cli(capsys, "runs", "check", "--history", job_file, "--max-age-hours", "36",
                       "--now", (last + timedelta(hours=40)).strftime("%Y-%m-%dT%H:%M:%SZ"), "--json")
    d = json.loads(out)
    assert code == 7 and d["jobs"][0]["stale"] and math.isclose(d["jobs"][0]["age_hours"], 40.0)
    code, _, err = cli(capsys, "runs", "check", "--history", job_file, "--max-age-hours", "36", "--job", "other")
    assert code == 4 and "no run of this job" in err
    code, _, err = cli(capsys, "runs", "check", "--history", job_file, "--max-age-hours", "36", "--now", "yesterday")
    assert code == 4 and "not a time" in err
