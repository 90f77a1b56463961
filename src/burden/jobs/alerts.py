"""Alerts on change: rules that compare a run with earlier runs of its job, and their delivery.

An alert is a plain dict ``{"kind", "message", ...details}``.  Kinds (see
:class:`burden.jobs.spec.AlertRules` for the settings):

``status_change``   the outcome differs from the previous run's (a skipped run counts as ok)
``cost_change``     |Δ objective| from the last successful run above the threshold, currency/tHM
``material_change`` a material rate moved more than N dry kg/tHM from the last successful run
``new_binding``     a limit binds that did not bind in the last successful run
``analysis_range``  an analysis of the analyses feed is outside its usual range (the last runs)
``stale``           no successful run for N hours (raised once per gap, by the first run after the
                    gap crossed N, whatever that run's outcome: a late run that succeeds says so too)

Every alert is written to the run record and the log; delivery (SMTP e-mail, a JSON webhook,
or an apprise URL) is tried for each target, and a failed delivery is logged and recorded,
never fails the run.
"""

from __future__ import annotations

import json
import logging
import math

__all__ = ["evaluate", "deliver"]

log = logging.getLogger("burden.jobs")

OUTCOMES = ("ok", "skipped", "infeasible", "invalid", "error")


def _outcome(status: str) -> str:
    return "ok" if status == "skipped" else status


def evaluate(rules, run: dict, previous: dict | None, last_ok: dict | None, ok_window: list[dict],
             last_current: dict | None) -> list[dict]:
    """The alerts of ``run`` (a run record as a dict: status, objective_per_thm, burden, binding,
    inputs, started).

    ``previous``: the job's previous finished run (any outcome); ``last_ok``: its last successful
    run; ``ok_window``: its last successful runs, newest first (for the usual range of analyses);
    ``last_current``: its last run that was ok or skipped (the recommendation last confirmed).
    """
    from .store import parse_iso

    alerts: list[dict] = []
    status = run["status"]
    if rules.status_change and previous is not None and _outcome(previous["status"]) != _outcome(status):
        alerts.append({"kind": "status_change", "from": _outcome(previous["status"]), "to": _outcome(status),
                       "message": f"status changed: {_outcome(previous['status'])} -> {_outcome(status)}"
                                  + (f" ({run.get('message')})" if run.get("message") and status not in ("ok", "skipped") else "")})
    if status == "ok" and last_ok is not None:
        cur = run.get("currency") or ""
        a, b = run.get("objective_per_thm"), last_ok.get("objective_per_thm")
        if rules.cost_change_per_thm is not None and a is not None and b is not None \
                and abs(a - b) > rules.cost_change_per_thm:
            alerts.append({"kind": "cost_change", "from": b, "to": a, "delta": a - b,
                           "message": f"cost {b:,.2f} -> {a:,.2f} {cur}/tHM ({a - b:+,.2f}; threshold "
                                      f"{rules.cost_change_per_thm:g})"})
        if rules.material_change_kg_per_thm is not None:
            old, new = last_ok.get("burden") or {}, run.get("burden") or {}
            for m in sorted(set(old) | set(new)):
                d = (new.get(m) or 0.0) - (old.get(m) or 0.0)
                if abs(d) > rules.material_change_kg_per_thm:
                    alerts.append({"kind": "material_change", "material": m, "from": old.get(m, 0.0),
                                   "to": new.get(m, 0.0), "delta": d,
                                   "message": f"{m}: {old.get(m, 0.0):,.1f} -> {new.get(m, 0.0):,.1f} kg/tHM "
                                              f"({d:+,.1f}; threshold {rules.material_change_kg_per_thm:g})"})
        if rules.new_binding_limit:
            new_b = sorted(set(run.get("binding") or []) - set(last_ok.get("binding") or []))
            for name in new_b:
                alerts.append({"kind": "new_binding", "limit": name, "message": f"limit now binding: {name}"})
    if rules.analysis_range is not None and status in ("ok", "infeasible"):
        ar = rules.analysis_range
        now = ((run.get("inputs") or {}).get("analyses")) or {}
        hist = [((r.get("inputs") or {}).get("analyses") or {}) for r in ok_window[: ar.window]]
        for mat in sorted(now):
            for col in sorted(now[mat]):
                vals = [h[mat][col] for h in hist if mat in h and col in h[mat]]
                if len(vals) < ar.min_runs:
                    continue
                lo, hi = min(vals) - ar.tolerance_pct, max(vals) + ar.tolerance_pct
                v = now[mat][col]
                if not lo <= v <= hi:
                    alerts.append({"kind": "analysis_range", "material": mat, "column": col, "value": v,
                                   "usual_min": min(vals), "usual_max": max(vals),
                                   "message": f"{mat} {col} = {v:g} wt % outside its usual range {min(vals):g} to "
                                              f"{max(vals):g} (last {len(vals)} runs, ± {ar.tolerance_pct:g})"})
    # stale: the gap since the last success crossed N hours at this run, whatever this run's outcome
    # (after an outage the next run is usually ok; the alert says the recommendation was N hours old).
    # Once per gap: not again when an earlier run of the same gap already crossed it.
    if rules.stale_hours is not None and last_current is not None:
        t_last = parse_iso(last_current["started"])
        gap_h = (parse_iso(run["started"]) - t_last).total_seconds() / 3600
        prev_gap_h = ((parse_iso(previous["started"]) - t_last).total_seconds() / 3600
                      if previous is not None else 0.0)
        if gap_h > rules.stale_hours >= prev_gap_h:
            before = " before this one" if status in ("ok", "skipped") else ""
            alerts.append({"kind": "stale", "hours": round(gap_h, 2), "since": last_current["started"],
                           "message": f"no successful run for {gap_h:.1f} h{before} (since {last_current['started']}; "
                                      f"threshold {rules.stale_hours:g} h)"})
    return alerts


def _text(job: str, run: dict, alerts: list[dict]) -> tuple[str, str]:
    subject = f"[burden] {job}: {len(alerts)} alert{'s' if len(alerts) != 1 else ''} (run {run['id']}, {run['status']})"
    lines = [f"Job {job}, run {run['id']} started {run['started']}: {run['status']}"]
    if run.get("objective_per_thm") is not None:
        lines.append(f"Cost {run['objective_per_thm']:,.2f} {run.get('currency') or ''}/tHM")
    lines.append("")
    lines += [f"- {a['message']}" for a in alerts]
    folder = (run.get("artefacts") or {}).get("folder")
    if folder:
        lines += ["", f"Results: {folder}"]
    return subject, "\n".join(lines) + "\n"


def deliver(targets, job: str, run: dict, alerts: list[dict]) -> list[dict]:
    """Send ``alerts`` to every target; return one ``{"target", "ok", "error"}`` per target."""
    if not alerts:
        return []
    subject, body = _text(job, run, alerts)
    out = []
    for t in targets:
        if t.email is not None:
            e = t.email
            what = f"email {', '.join(e.to)} via {e.host}:{e.port}"
            try:
                _send_mail(e, subject, body)
                out.append({"target": what, "ok": True})
            except Exception as ex:  # noqa: BLE001 - a failed delivery is recorded, never fails the run
                log.warning("alert delivery failed: %s: %s", what, ex)
                out.append({"target": what, "ok": False, "error": f"{type(ex).__name__}: {ex}"[:300]})
        else:
            w = t.webhook
            what = f"webhook {w.url}" if w.url else "apprise " + w.apprise.split("://")[0] + "://…"
            try:
                if w.url:
                    _post(w.url, {"job": job, "run": run["id"], "status": run["status"], "started": run["started"],
                                  "subject": subject, "alerts": alerts}, w.timeout_s)
                else:
                    _apprise(w.apprise, subject, body)
                out.append({"target": what, "ok": True})
            except Exception as ex:  # noqa: BLE001
                log.warning("alert delivery failed: %s: %s", what, ex)
                out.append({"target": what, "ok": False, "error": f"{type(ex).__name__}: {ex}"[:300]})
    return out


def _send_mail(e, subject: str, body: str) -> None:
    import os
    import smtplib
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = e.sender
    msg["To"] = ", ".join(e.to)
    msg["Date"] = formatdate(usegmt=True)
    msg["Message-ID"] = make_msgid(domain="burden")
    msg.set_content(body)
    cls = smtplib.SMTP_SSL if e.ssl else smtplib.SMTP
    with cls(e.host, e.port, timeout=e.timeout_s) as s:
        if e.starttls:
            s.starttls()
        if e.username:
            s.login(e.username, os.environ.get(e.password_env or "", ""))
        s.send_message(msg)


def _post(url: str, payload: dict, timeout: float) -> None:
    import urllib.request

    data = json.dumps(payload, default=lambda v: None if isinstance(v, float) and math.isnan(v) else str(v)).encode()
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=timeout) as r:  # noqa: S310 - the URL is the site's own webhook
        if r.status >= 300:
            raise OSError(f"HTTP {r.status}")


def _apprise(url: str, subject: str, body: str) -> None:
    try:
        import apprise
    except ImportError:
        raise RuntimeError("apprise is not installed (pip install apprise); or use url: for a plain JSON webhook") from None
    a = apprise.Apprise()
    if not a.add(url):
        raise RuntimeError("apprise does not understand this URL")
    if not a.notify(title=subject, body=body):
        raise RuntimeError("apprise could not deliver")
