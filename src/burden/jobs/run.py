"""``burden job run``: one scheduled run of a job, as a transaction.

The steps (:func:`run_job`, per variant of the job):

1. take the job's lock (:func:`burden.jobs.store.job_lock`; busy -> exit 6, nothing recorded);
   mark rows of the job left ``running`` by a killed run as ``interrupted`` (the lock proves
   they are not running);
2. record the run as ``running`` (its id names its artefact folder);
3. resolve the feeds and compute the content key (:func:`content_key`); the same key as the
   job's last successful run -> ``skipped`` (exit 5) unless forced;
4. solve (LP or the nonlinear model), write result files, ``inputs.json`` and the report to
   ``OUT/<job>/run-<id>-<UTC start>-<key8>/`` (:func:`run_folder_name`, unique across
   histories) in one atomic step (:func:`burden.output.write_folder` with ``replace=False``);
   earlier runs' folders are never touched, whatever history numbered them;
5. in one transaction: the run's outcome, objective, burden, binding limits, warnings, inputs
   manifest, artefact hashes, versions and alerts (rules in :mod:`burden.jobs.alerts`);
6. deliver the alerts and record the delivery.

A run killed at any moment is never ``ok``: its row stays ``running`` (later ``interrupted``),
and an ``ok`` row is written only after its folder is complete (the recorded SHA-256 of every
file can be checked: :func:`verify_artefacts`).

Exit codes: 0 success, 1 unexpected error (or the history database cannot be reached), 3 infeasible, 4 invalid input (job file, scenario,
feed, history URL, output folder), 5 skipped (same inputs as the last successful run),
6 busy (another run of the job holds the lock).  With variants: the most severe of the runs
(1, 4, 3, 6, then 0 if any run succeeded, else 5).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import and_, insert, select, update

from ..errors import BurdenError, InputError, InputProblem
from .store import EXIT_BUSY, History, LockBusy, iso, job_lock, lock_dir_for, open_history, parse_iso, utc_now

__all__ = ["run_job", "RunOutcome", "content_key", "verify_artefacts", "EXIT_SKIPPED", "EXIT_BUSY", "job_series"]

log = logging.getLogger("burden.jobs")

EXIT_OK, EXIT_ERROR, EXIT_INFEASIBLE, EXIT_INPUT, EXIT_SKIPPED = 0, 1, 3, 4, 5
_SEVERITY = (EXIT_ERROR, EXIT_INPUT, EXIT_INFEASIBLE, EXIT_BUSY)


@dataclass
class RunOutcome:
    """What one run of a job did: its id (None when refused), status, exit code, content key,
    artefact folder, alerts and a message."""

    job: str
    id: int | None
    status: str
    exit_code: int
    key: str | None = None
    folder: str | None = None
    objective_per_thm: float | None = None
    alerts: list = field(default_factory=list)
    message: str = ""


def versions() -> dict:
    """Versions that enter the content key: burden, highspy, scipy, Python (major.minor)."""
    import sys
    from importlib.metadata import PackageNotFoundError, version

    from .. import __version__

    out = {"burden": __version__, "python": f"{sys.version_info[0]}.{sys.version_info[1]}"}
    for pkg in ("highspy", "scipy"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = ""
    return out


def content_key(inputs, solver: str, variant: str | None, vers: dict) -> str:
    """SHA-256 of what decides a run's result: the scenario's input hash (the same
    :func:`burden.scenario.input_hash` a Solution's ``meta["input_hash"]`` carries: settings,
    resolved materials with the feeds applied, model parameters), the feeds' table hashes, the
    variant, the solver and the versions."""
    from ..scenario import input_hash

    doc = {"input_hash": input_hash(inputs.scenario), "feeds": inputs.feed_hash, "variant": variant,
           "solver": solver, "versions": vers}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def job_series(job, variant: str | None) -> str:
    """The name runs of ``job`` (and variant) are recorded under: ``name`` or ``name [variant]``."""
    return job.name if variant is None else f"{job.name} [{variant}]"


def _sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _indicators(res) -> dict:
    """B2, slag rate (kg/tHM), fuel rate (coke + injectants, dry kg/tHM) of a solved Result."""
    out = {}
    try:
        sp = res.slag_properties
        if "B2" in sp.index:
            out["B2"] = float(sp.loc["B2", "value"])
        if "rate_kg_per_thm" in sp.index:
            out["slag_kg_per_thm"] = float(sp.loc["rate_kg_per_thm", "value"])
        b = res.burden
        out["fuel_rate_kg_per_thm"] = float(b[b["class"].isin(["coke", "injectant"])]["dry_kg_per_thm"].sum())
    except Exception:  # noqa: BLE001 - indicators are for trends; a missing one is left out
        pass
    return out


def _binding(res) -> list[str]:
    """Names of the binding limits (limits and availability bounds; not balances or fixed rates)."""
    c = res.constraints
    c = c[c["binding"] & ~c["kind"].isin(["balance"])]
    return sorted(n for n in c.index if not n.endswith(".fixed"))


def _row(conn, q):
    r = conn.execute(q).mappings().first()
    return dict(r) if r is not None else None


def verify_artefacts(record: dict) -> list[str]:
    """Problems with the artefacts of a run record (missing files, changed content); [] when complete."""
    art = record.get("artefacts") or {}
    folder = art.get("folder")
    if not folder:
        return ["no artefact folder recorded"]
    out = []
    for rel, h in (art.get("files") or {}).items():
        p = Path(folder) / rel
        if not p.is_file():
            out.append(f"missing: {p}")
        elif _sha256(p.read_bytes()) != h:
            out.append(f"changed: {p}")
    return out


def run_job(job, history_url: str | None = None, force: bool = False, out_dir: str | Path | None = None,
            wait_s: float = 0.0, as_of: str | None = None) -> list[RunOutcome]:
    """Run ``job`` (a :class:`burden.jobs.spec.Job`): one run of the scenario, then one per variant.

    ``history_url`` overrides the job's ``history:``; ``out_dir`` its ``out:``; ``wait_s``: how
    long to wait for a run of the job in progress; ``as_of``: ISO time the run counts as made at
    (replays of past feeds; default now, UTC).

    Raises
    ------
    InputError
        The history cannot be opened (exit 4).
    """
    from ..output import check_out_dir

    out = Path(out_dir) if out_dir is not None else job.out_dir
    check_out_dir(out)
    if as_of is not None:
        try:
            as_of = iso(parse_iso(as_of))
        except ValueError:
            raise InputError([InputProblem("--as-of", repr(as_of), "not an ISO 8601 time; give a UTC time such as "
                                           "2026-11-29T06:00:00Z (or 2026-11-29)")]) from None
    if history_url:
        hist = open_history(history_url)
    else:  # the job file's history: (or its default): problems name the file and the field
        hist = open_history(job.history_url, origin=str(job.path) if job.spec.history is not None else None)
    try:
        return [_run_one(job, hist, v, force, out, wait_s, as_of) for v in [None, *job.spec.variants]]
    finally:
        hist.close()


def exit_code(outcomes: list[RunOutcome]) -> int:
    """The command's exit code for the runs of one job (see the module docstring)."""
    codes = [o.exit_code for o in outcomes]
    for c in _SEVERITY:
        if c in codes:
            return c
    return EXIT_OK if EXIT_OK in codes else EXIT_SKIPPED


def _run_one(job, hist: History, variant, force: bool, out: Path, wait_s: float, as_of) -> RunOutcome:
    series = job_series(job, variant)
    try:
        with job_lock(hist, series, lock_dir_for(hist, out), wait_s):
            return _locked_run(job, hist, series, variant, force, out, as_of)
    except LockBusy as e:
        log.error("%s: %s", series, e)
        return RunOutcome(series, None, "busy", EXIT_BUSY, message=str(e))


def _locked_run(job, hist: History, series: str, variant, force: bool, out: Path, as_of) -> RunOutcome:
    from .. import output
    from .alerts import deliver, evaluate
    from .store import host, pid

    runs = hist.runs
    t0 = time.perf_counter()
    started = as_of or utc_now()
    with hist.begin() as c:
        stale = c.execute(update(runs).where(and_(runs.c.job == series, runs.c.status == "running"))
                          .values(status="interrupted", message="stopped before it finished (killed or crashed); "
                                  "found by the next run of the job"))
        rid = c.execute(insert(runs).values(job=series, variant=variant, status="running", started=started, host=host(),
                                            pid=pid(), forced=int(force))).inserted_primary_key[0]
    if stale.rowcount:
        log.warning("%s: %d earlier run(s) had been interrupted; marked interrupted", series, stale.rowcount)
    _clean_temporaries(out / output.slug(series))
    log.info("%s: run %d started", series, rid)
    rec: dict = {"status": "error", "exit_code": EXIT_ERROR, "message": None}
    key = folder = None
    vers = versions()
    try:
        from .feeds import resolve_inputs

        job_inputs = resolve_inputs(job, variant)
        inputs = dict(job_inputs.manifest, analyses=job_inputs.analyses)
        rec["inputs"] = inputs
        key = content_key(job_inputs, job.spec.solver, variant, vers)
        rec["key"] = key
        with hist.engine.connect() as c:
            last_ok = _row(c, select(runs.c.id, runs.c.key).where(and_(runs.c.job == series, runs.c.status == "ok"))
                           .order_by(runs.c.id.desc()).limit(1))
        if not force and last_ok is not None and last_ok["key"] == key:
            rec.update(status="skipped", exit_code=EXIT_SKIPPED,
                       message=f"same inputs as run {last_ok['id']} (content key {key[:12]}); use --force to solve again")
        else:
            rec.update(_solve_and_write(job, job_inputs, series, rid, out, output, started, key))
            folder = rec["artefacts"]["folder"]
    except BurdenError as e:
        rec.update(status="invalid" if isinstance(e, InputError) or e.exit_code == EXIT_INPUT else "error",
                   exit_code=e.exit_code, message=str(e))
    except Exception as e:  # noqa: BLE001 - recorded as an error run, never a traceback to the operator
        rec.update(status="error", exit_code=EXIT_ERROR, message=f"unexpected error: {type(e).__name__}: {e}")
        log.exception("%s: run %d: unexpected error", series, rid)
    rec.setdefault("versions", vers)
    if as_of:  # a replay: the run lasted as long as it did, from the time it counts as made at
        from datetime import timedelta

        ended = iso(parse_iso(started) + timedelta(seconds=time.perf_counter() - t0))
    else:
        ended = utc_now()
    # alerts: against the earlier runs of the series
    record = dict(rec, id=rid, job=series, started=started)
    with hist.engine.connect() as c:
        base = select(runs).where(and_(runs.c.job == series, runs.c.id < rid))
        previous = _row(c, base.where(runs.c.status.in_(("ok", "skipped", "infeasible", "invalid", "error")))
                        .order_by(runs.c.id.desc()).limit(1))
        last_ok = _row(c, base.where(runs.c.status == "ok").order_by(runs.c.id.desc()).limit(1))
        rules = job.spec.alerts
        n = rules.analysis_range.window if rules.analysis_range is not None else 0
        window = [dict(r) for r in c.execute(base.where(runs.c.status == "ok").order_by(runs.c.id.desc()).limit(n))
                  .mappings()] if n else []
        last_current = _row(c, base.where(runs.c.status.in_(("ok", "skipped"))).order_by(runs.c.id.desc()).limit(1))
    alerts = evaluate(rules, record, previous, last_ok, window, last_current)
    record["alerts"] = alerts
    values = {k: rec.get(k) for k in ("key", "status", "exit_code", "objective_per_thm", "currency", "burden",
                                      "indicators", "binding", "warnings", "inputs", "artefacts", "versions",
                                      "message")}
    values.update(ended=ended, alerts={"alerts": alerts, "delivery": []})
    with hist.begin() as c:  # the run's outcome in one transaction
        c.execute(update(runs).where(runs.c.id == rid).values(**values))
    level = logging.INFO if rec["status"] in ("ok", "skipped") else logging.ERROR
    log.log(level, "%s: run %d %s (exit %d)%s", series, rid, rec["status"], rec["exit_code"],
            f": {rec['message']}" if rec.get("message") else "")
    for a in alerts:
        log.warning("%s: run %d: ALERT %s: %s", series, rid, a["kind"], a["message"])
    if alerts and job.spec.notify:
        delivery = deliver(job.spec.notify, series, record, alerts)
        with hist.begin() as c:
            c.execute(update(runs).where(runs.c.id == rid).values(alerts={"alerts": alerts, "delivery": delivery}))
    return RunOutcome(series, rid, rec["status"], rec["exit_code"], key, folder, rec.get("objective_per_thm"),
                      alerts, rec.get("message") or "")


def _clean_temporaries(folder: Path) -> None:
    """Delete the half-written folders (``.burden-run-<id>.<pid>.<token>.new``) that killed runs
    of the job left in ``folder``; those of live processes are left alone."""
    from ..output import _TEMP, _alive, _remove

    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    for p in entries:
        m = _TEMP.match(p.name)
        if m and not _alive(int(m["pid"])):
            _remove(p)


def run_folder_name(rid: int, started: str, key: str) -> str:
    """The artefact folder name of a run: ``run-<id>-<UTC start yyyymmddThhmmssZ>-<8 hex of the
    content key>``, e.g. ``run-000001-20261129T060000Z-3fa2c1d0``.

    The run id alone repeats when the history is switched (another SQLite file, a PostgreSQL URL,
    a deleted file all number from 1 again); with the start time and the content key a name is
    unique across histories, and :func:`_write_new_folder` never replaces an existing folder.
    """
    t = parse_iso(started).strftime("%Y%m%dT%H%M%SZ")
    return f"run-{rid:06d}-{t}-{(key or '0' * 8)[:8]}"


def _write_new_folder(files: dict, parent: Path, name: str, out: Path, output) -> Path:
    """Write ``files`` as a new folder ``parent/name`` (atomically, :func:`burden.output.write_folder`),
    never replacing an existing folder: when ``name`` is taken (an earlier run of another history
    at the same second with the same inputs) ``name-2``, ``name-3`` ... is used."""
    for n in range(1, 1000):
        target = parent / (name if n == 1 else f"{name}-{n}")
        if os.path.lexists(target):
            continue
        try:
            return output.write_folder(files, target, root=out, replace=False)
        except output.OutputError:
            if not os.path.lexists(target):  # another reason than a folder of that name: reported
                raise
    raise output.OutputError(parent / name, "999 folders of that name exist", "clear out old run folders")


def _solve_and_write(job, inputs, series: str, rid: int, out: Path, output, started: str, key: str) -> dict:
    from ..api import solve

    res = solve(inputs.scenario, solver=job.spec.solver)
    files = output.result_files(res)
    files["inputs.json"] = (json.dumps({k: v for k, v in inputs.manifest.items()}, indent=2, sort_keys=True)
                            + "\n").encode("utf-8")
    fmts = job.spec.report_formats
    if fmts:
        from ..report import ReportOptions, render_report

        files.update({f"report/{k}": v for k, v in render_report(res, ReportOptions(formats=fmts)).items()})
    folder = _write_new_folder(files, out / output.slug(series), run_folder_name(rid, started, key), out, output)
    rec = {"artefacts": {"folder": str(folder.resolve()), "files": {k: _sha256(v) for k, v in sorted(files.items())}},
           "versions": dict(versions(), **{k: v for k, v in (res.output.meta.get("versions") or {}).items()}),
           "warnings": list(res.warnings), "currency": res.currency}
    if res.status == "optimal":
        rec.update(status="ok", exit_code=EXIT_OK, objective_per_thm=float(res.objective),
                   burden={k: round(float(v), 6) for k, v in res.burden["dry_kg_per_thm"].items()},
                   indicators=_indicators(res), binding=_binding(res))
    elif res.status == "infeasible":
        rec.update(status="infeasible", exit_code=EXIT_INFEASIBLE, message=res.explanation)
    else:
        rec.update(status="error", exit_code=EXIT_ERROR, message=f"solver status {res.output.solver_status}")
    return rec
