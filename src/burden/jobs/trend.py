"""The trend page of a job: cost, main materials, B2, fuel rate and alerts over time (HTML, inline SVG).

Reads the run history only (never solves).  Plots with matplotlib (SVG, fixed hash salt, no
date in the metadata, so the same history gives the same page).
"""

from __future__ import annotations

import html
import io

__all__ = ["load_series", "render_trend_html"]


def load_series(hist, job: str | None) -> tuple[str, list[dict]]:
    """(job, runs) of ``job`` in the history, oldest first: id, started, status, cost, burden,
    indicators, alerts.  ``job`` None: the only job recorded.

    Raises InputError for an unknown job, or for None when the history holds several."""
    from sqlalchemy import select

    from ..errors import InputError, InputProblem

    r = hist.runs
    with hist.engine.connect() as c:
        jobs = [x[0] for x in c.execute(select(r.c.job).distinct().order_by(r.c.job))]
        if job is None:
            if len(jobs) != 1:
                raise InputError([InputProblem("--job", "", "name the job: " + (", ".join(jobs) if jobs else
                                                                                 "the history holds no runs"))])
            job = jobs[0]
        elif job not in jobs:
            raise InputError([InputProblem("--job", job, "no runs of this job; jobs: " + (", ".join(jobs) or "none"))])
        rows = c.execute(select(r.c.id, r.c.started, r.c.status, r.c.objective_per_thm, r.c.currency, r.c.burden,
                                r.c.indicators, r.c.alerts).where(r.c.job == job).order_by(r.c.id)).mappings().all()
    series = []
    for x in rows:
        d = dict(x)
        d["alerts"] = (d.get("alerts") or {}).get("alerts", [])
        series.append(d)
    return job, series


def _svg(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    s = buf.getvalue()
    return s[s.index("<svg"):]


def render_trend_html(job: str, series: list[dict]) -> str:
    """The trend page: four plots (cost, main materials, B2, fuel rate) with the runs that raised
    alerts marked, and a table of the alerts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .store import parse_iso

    matplotlib.rcParams["svg.hashsalt"] = "burden-trend"
    ok = [s for s in series if s["status"] == "ok"]
    cur = next((s["currency"] for s in ok if s.get("currency")), "")
    t_ok = [parse_iso(s["started"]) for s in ok]
    alert_runs = [s for s in series if s["alerts"]]
    t_alert = [parse_iso(s["started"]) for s in alert_runs]
    totals: dict[str, float] = {}
    for s in ok:
        for m, v in (s.get("burden") or {}).items():
            totals[m] = totals.get(m, 0.0) + abs(v)
    main = [m for m, _ in sorted(totals.items(), key=lambda kv: -kv[1])[:6]]
    plots = []

    def panel(title, ylabel, lines):
        fig, ax = plt.subplots(figsize=(8, 2.8))
        for label, ys in lines:
            ax.plot(t_ok, ys, marker="o", ms=3, label=label)
        for t in t_alert:
            ax.axvline(t, color="tab:red", alpha=0.35, lw=1)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        if len(lines) > 1:
            ax.legend(fontsize=7, ncol=3)
        fig.autofmt_xdate()
        fig.tight_layout()
        plots.append((title, _svg(fig)))

    if ok:
        panel("Cost", f"{cur}/tHM", [("cost", [s["objective_per_thm"] for s in ok])])
        panel("Main materials", "dry kg/tHM", [(m, [(s.get("burden") or {}).get(m, 0.0) for s in ok]) for m in main])
        for key, title, unit in (("B2", "Slag basicity B2", "CaO/SiO2"), ("fuel_rate_kg_per_thm", "Fuel rate", "kg/tHM")):
            ys = [(s.get("indicators") or {}).get(key, float("nan")) for s in ok]
            panel(title, unit, [(title, ys)])
    e = html.escape
    rows = "".join(f"<tr><td>{s['id']}</td><td>{e(s['started'])}</td><td>{e(s['status'])}</td>"
                   f"<td>{e(a['kind'])}</td><td>{e(a['message'])}</td></tr>"
                   for s in alert_runs for a in s["alerts"])
    counts: dict[str, int] = {}
    for s in series:
        counts[s["status"]] = counts.get(s["status"], 0) + 1
    summary = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
    body = "".join(f"<h2>{e(t)}</h2>{svg}" for t, svg in plots) or "<p>No successful run yet.</p>"
    return ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Trend of " + e(job) + "</title>"
            "<style>body{font-family:sans-serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
            "td,th{border:1px solid #ccc;padding:2px 6px;font-size:90%}</style></head><body>"
            f"<h1>Trend of job {e(job)}</h1><p>{len(series)} runs: {e(summary)}. Red lines: runs that raised alerts.</p>"
            + body + "<h2>Alerts</h2>"
            + (f"<table><tr><th>run</th><th>started (UTC)</th><th>status</th><th>alert</th><th>message</th></tr>{rows}</table>"
               if rows else "<p>No alerts.</p>") + "</body></html>\n")
