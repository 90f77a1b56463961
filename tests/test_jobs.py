"""Scheduled jobs (issue 12): job files, feeds, the run history on SQLite and PostgreSQL, alerts
delivered to a real SMTP server, ``burden job run`` and ``burden runs ...`` through the CLI.

The simulated month: 30 daily runs (each rerun an hour later on the same inputs) over a synthetic
plant feed (a daily lab export, a prices table, a stocks table) that changes on known days; the
history must hold exactly the runs that should have succeeded, and alerts must fire exactly on
the injected changes (one e-mail per run with alerts, none otherwise).
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select

from burden.chemistry.elements import molar_mass
from burden.jobs import load_job
from burden.jobs.run import run_job, verify_artefacts
from burden.jobs.store import open_history

from jobs_support import (PELLETS, PRICES, SINTER, Mailbox, burden, make_job, postgres_server, postgres_url,  # noqa: F401
                          write_analyses, write_prices, write_stocks)

DAY0 = datetime(2026, 11, 1, 6, 0, tzinfo=timezone.utc)
#: Fe per Fe2O3 by mass (atomic masses, burden.chemistry.elements)
FE_PER_FE2O3 = 2 * molar_mass("Fe") / molar_mass("Fe2O3")

#: the injected changes of the synthetic month
PRICE_DROP_DAY, SILICA_DAY, STOCK_DAY, BROKEN_DAYS, PRICE_BACK_DAY, REEXPORT_DAY = 5, 9, 14, (18, 19), 24, 27
EXPECTED_OK_DAYS = [1, PRICE_DROP_DAY, SILICA_DAY, STOCK_DAY, PRICE_BACK_DAY]
# day 20 (lab export fixed, same inputs as the last success): skipped, but the status is back to ok
EXPECTED_ALERT_DAYS = [PRICE_DROP_DAY, SILICA_DAY, STOCK_DAY, 18, 19, 20, PRICE_BACK_DAY]


def simulate_month(folder: Path, history: str | None, mail_port: int | None):
    notify = (f"notify:\n  - email: {{host: 127.0.0.1, port: {mail_port}, sender: burden@plant.example, "
              "to: [shift@plant.example]}\n") if mail_port else ""
    job = load_job(make_job(folder, history=history, notify=notify))
    sinter, prices = dict(SINTER), dict(PRICES)
    days = {}
    for day in range(1, 31):
        if day == PRICE_DROP_DAY:
            prices["pellets"] = 120.0
            write_prices(folder / "prices.csv", prices)
        if day == SILICA_DAY:  # 0.8 % more SiO2 in the sinter, 0.8 % less Fe2O3 (TFe follows)
            sinter.update(SiO2=sinter["SiO2"] + 0.8, Fe2O3=sinter["Fe2O3"] - 0.8,
                          TFe=round(sinter["TFe"] - 0.8 * FE_PER_FE2O3, 4))
        if day == STOCK_DAY:
            write_stocks(folder / "stocks.csv", 900)
        if day == PRICE_BACK_DAY:
            prices = dict(PRICES)
            write_prices(folder / "prices.csv", prices)
        lab = folder / "lab" / f"analyses_2026-11-{day:02d}.csv"
        if day in BROKEN_DAYS:
            lab.write_text("name,SiO2,TFe\nsinter,n/a?,56.7\n")  # a broken export
        elif day == REEXPORT_DAY:  # same values, other column order: the same inputs
            write_analyses(lab, sinter, columns=list(reversed(list(SINTER))))
        else:
            write_analyses(lab, sinter)
        at = DAY0 + timedelta(days=day - 1)
        first = run_job(job, history_url=history, as_of=at.isoformat())[0]
        rerun = run_job(job, history_url=history, as_of=(at + timedelta(hours=1)).isoformat())[0]
        days[day] = (first, rerun)
    return job, days


def check_month(job, days, history_url: str, mails) -> None:
    ok_days = [d for d, (a, b) in days.items() if a.status == "ok"]
    assert ok_days == EXPECTED_OK_DAYS
    for d, (a, b) in days.items():
        assert b.status == ("invalid" if d in BROKEN_DAYS else "skipped"), (d, b)  # a rerun is never a new success
        assert not b.alerts, (d, b.alerts)
        if d in BROKEN_DAYS:
            assert a.status == "invalid" and a.exit_code == 4 and "n/a?" in a.message
        elif d not in EXPECTED_OK_DAYS:
            assert a.status == "skipped" and a.exit_code == 5
    alert_days = [d for d, (a, b) in days.items() if a.alerts]
    assert alert_days == EXPECTED_ALERT_DAYS
    kinds = {d: {x["kind"] for x in days[d][0].alerts} for d in alert_days}
    assert {"cost_change", "material_change"} <= kinds[PRICE_DROP_DAY]
    assert any(x["kind"] == "material_change" and x["material"] == "pellets" and x["delta"] > 10
               for x in days[PRICE_DROP_DAY][0].alerts)
    assert any(x["kind"] == "analysis_range" and x["material"] == "sinter" and x["column"] == "SiO2"
               and math.isclose(x["value"], SINTER["SiO2"] + 0.8) for x in days[SILICA_DAY][0].alerts)
    # lump ore: 1800 -> 900 t/day at 9000 tHM/day: 200 -> 100 kg/tHM
    lump = [x for x in days[STOCK_DAY][0].alerts if x.get("material") == "lump_ore"]
    assert lump and math.isclose(lump[0]["from"], 200.0, rel_tol=1e-6) and math.isclose(lump[0]["to"], 100.0, rel_tol=1e-6)
    assert kinds[18] == {"status_change"} and days[18][0].alerts[0]["to"] == "invalid"
    assert kinds[19] == {"stale"}  # 48 h since the last confirmed recommendation (day 17), threshold 36 h
    assert kinds[20] == {"status_change"} and days[20][0].alerts[0]["to"] == "ok"
    assert "cost_change" in kinds[PRICE_BACK_DAY]
    # prices back to the start and the same analyses as day 14: back to the cost of day 14's inputs at old prices
    # history: exactly the expected successes, each with complete artefacts; nothing left running
    hist = open_history(history_url, create=False)
    try:
        with hist.engine.connect() as c:
            rows = [dict(r) for r in c.execute(select(hist.runs).order_by(hist.runs.c.id)).mappings()]
    finally:
        hist.close()
    assert len(rows) == 60
    oks = [r for r in rows if r["status"] == "ok"]
    assert [r["id"] for r in oks] == [days[d][0].id for d in EXPECTED_OK_DAYS]
    assert len({r["key"] for r in oks}) == len(oks)
    for r in oks:
        assert verify_artefacts(r) == []
        assert r["started"] < r["ended"] and r["inputs"]["feeds"]["analyses"]["rows"] == 2
    assert {r["status"] for r in rows} == {"ok", "skipped", "invalid"}
    assert sum(bool((r["alerts"] or {}).get("alerts")) for r in rows) == len(EXPECTED_ALERT_DAYS)
    if mails is not None:  # one e-mail per run with alerts, none otherwise
        assert sorted(m["Subject"].split("(run ")[1].split(",")[0] for m in mails) == \
            sorted(str(days[d][0].id) for d in EXPECTED_ALERT_DAYS)
        assert all((r["alerts"] or {}).get("delivery", [{}])[0].get("ok") for r in rows if (r["alerts"] or {}).get("alerts"))
        body = next(m for m in mails if f"(run {days[STOCK_DAY][0].id}," in m["Subject"]).get_payload()
        assert "lump_ore: 200.0 -> 100.0 kg/tHM" in body


def test_month_sqlite(tmp_path):
    url = f"sqlite:///{tmp_path / 'history.db'}"
    with Mailbox() as box:
        job, days = simulate_month(tmp_path / "job", url, box.port)
        mails = list(box.messages)
    check_month(job, days, url, mails)
    # WAL journal on the SQLite history
    import sqlite3

    with sqlite3.connect(tmp_path / "history.db") as c:
        assert c.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_month_postgresql(tmp_path, postgres_url):
    with Mailbox() as box:
        job, days = simulate_month(tmp_path / "job", postgres_url, box.port)
        mails = list(box.messages)
    check_month(job, days, postgres_url, mails)
