"""Command line of scheduled jobs: ``burden job run`` and ``burden runs list|show|compare|trend|decide``.

Exit codes of ``burden job run``: 0 success, 1 unexpected error (or the history database cannot be
reached), 3 infeasible, 4 invalid input
(job file, scenario, a feed, the history URL, the output folder), 5 skipped (same inputs as the
job's last successful run; ``--force`` solves again), 6 busy (another run of the job is in
progress; ``--wait`` waits for it).  ``burden runs ...``: 0, 4 (bad history, unknown run or
status, ``runs show`` of a run whose artefacts are missing or changed), 1.  2: a usage error
(argparse).
"""

from __future__ import annotations

import json
import logging
import os
import sys

EXIT_OK, EXIT_INPUT = 0, 4
#: ``burden runs check``: no successful run within --max-age-hours
EXIT_STALE = 7
#: the statuses a recorded run can have (``runs list --status``)
RUN_STATUSES = ("ok", "skipped", "infeasible", "invalid", "error", "interrupted", "running")


def add_parser(sub) -> None:
    j = sub.add_parser("job", help="run a scheduled job (job file: scenario, data feeds, history, alerts)",
                       description="Scheduled optimisation jobs. `burden job run JOB.yaml` resolves the job's data "
                                   "feeds, skips a run whose inputs are those of the last successful run, solves, "
                                   "writes the results to a new folder OUT/<job>/run-<id>-<start>-<key>/, records "
                                   "the run in the history and raises alerts on change. Exit codes: 0 success, 1 error, 3 infeasible, "
                                   "4 invalid input, 5 skipped (unchanged inputs), 6 busy (another run of the job "
                                   "holds the lock), 2 usage error (unknown option, missing argument).")
    jsub = j.add_subparsers(dest="job_command")
    r = jsub.add_parser("run", help="run a job once (for a scheduler: systemd timer, cron, Task Scheduler)")
    r.add_argument("job_file", help="job file (.yaml)")
    r.add_argument("--history", help="run history: an SQLAlchemy URL or an SQLite file (default: the job's history:, "
                                     "else an SQLite file <job>.runs.db beside the job file)")
    r.add_argument("--force", action="store_true", help="solve even when the inputs are those of the last successful run")
    r.add_argument("--out", "-o", help="artefact folder (default: the job's out:, else out/ beside the job file)")
    r.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                   help="wait this long for a run of the job in progress (default 0: refuse at once, exit 6)")
    r.add_argument("--as-of", metavar="ISO_TIME", help="the UTC time the run counts as made at (replaying past "
                                                       "feeds; default now)")
    r.add_argument("--json", action="store_true", help="print the outcome as JSON")
    _log_options(r)
    v = jsub.add_parser("validate", help="check a job file, its scenario and its feeds (nothing is solved or recorded)")
    v.add_argument("job_file")

    s = sub.add_parser("runs", help="the run history of jobs: list, show, compare, trend, decide",
                       description="Read the run history of jobs. --history takes an SQLAlchemy URL "
                                   "(sqlite:///runs.db, postgresql://user@host/db) or a job file (its history).")
    rs = s.add_subparsers(dest="runs_command")

    def hist(p):
        p.add_argument("--history", default=os.environ.get("BURDEN_HISTORY"),
                       help="SQLAlchemy URL, a job file (its history) or an SQLite file (default: $BURDEN_HISTORY)")

    lp = rs.add_parser("list", help="list runs (oldest first)")
    hist(lp)
    lp.add_argument("--job", help="only runs of this job (name as recorded)")
    lp.add_argument("--status", help="only runs with this status (" + ", ".join(RUN_STATUSES) + ")")
    lp.add_argument("--limit", type=int, default=0, help="only the last N runs (default: all)")
    lp.add_argument("--json", action="store_true", help="print a JSON list")
    sp = rs.add_parser("show", help="show one run (inputs, burden, alerts, decisions, artefacts)")
    hist(sp)
    sp.add_argument("run_id", type=int)
    sp.add_argument("--json", action="store_true")
    cp = rs.add_parser("compare", help="compare recorded runs side by side (as `burden compare`)")
    hist(cp)
    cp.add_argument("run_ids", type=int, nargs="+", metavar="RUN_ID")
    cp.add_argument("--out", "-o", help="also write comparison.html/.json to OUT/compare-runs-<ids>/")
    cp.add_argument("--json", action="store_true", help="print the comparison as JSON")
    tp = rs.add_parser("trend", help="write an HTML page with the trend of a job (cost, materials, B2, fuel rate, alerts)")
    hist(tp)
    tp.add_argument("--job", help="the job (default: the only job in the history)")
    tp.add_argument("--out", "-o", default="out", help="output folder (default: out); writes OUT/trend-<job>/trend.html")
    tp.add_argument("--json", action="store_true", help="print the series as JSON too")
    kp = rs.add_parser("check", help="exit 7 when a job has had no successful run for N hours (for a monitor: "
                                     "the scheduler itself may be dead)")
    hist(kp)
    kp.add_argument("--max-age-hours", type=float, required=True, metavar="N",
                    help="the longest time since a job's last run with status ok or skipped (inputs unchanged: "
                         "the recommendation in force was confirmed)")
    kp.add_argument("--job", help="only this job (default: every job in the history)")
    kp.add_argument("--now", help="the time to measure from, UTC ISO 8601 (default: now)")
    kp.add_argument("--json", action="store_true", help="print the check as JSON")
    dp = rs.add_parser("decide", help="record an operator's decision on a run's recommendation")
    hist(dp)
    dp.add_argument("run_id", type=int)
    dp.add_argument("decision", choices=("approve", "reject", "defer"))
    dp.add_argument("--who", default=os.environ.get("USER") or os.environ.get("USERNAME"),
                    help="who decides (default: $USER)")
    dp.add_argument("--note", default="", help="why")
    dp.add_argument("--json", action="store_true")


def _log_options(p) -> None:
    p.add_argument("--log-format", choices=("text", "json"), help="log lines on stderr: text or JSON lines "
                                                                   "(default: the job's log.format, else text)")
    p.add_argument("--log-file", help="also append the log to this file")


class _JsonFormatter(logging.Formatter):
    def format(self, record):
        from datetime import datetime, timezone

        d = {"time": datetime.fromtimestamp(record.created, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
             "level": record.levelname.lower(), "logger": record.name, "message": record.getMessage()}
        if record.exc_info:
            d["exception"] = self.formatException(record.exc_info)
        return json.dumps(d, ensure_ascii=False)


def setup_logging(fmt: str = "text", file: str | None = None) -> None:
    """Log lines of ``burden.jobs`` to stderr (and ``file``): plain text or JSON lines, times in UTC."""
    import time

    logger = logging.getLogger("burden.jobs")
    logger.setLevel(logging.INFO)
    for h in list(logger.handlers):
        logger.removeHandler(h)
    if fmt == "json":
        f: logging.Formatter = _JsonFormatter()
    else:
        f = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%dT%H:%M:%SZ")
        f.converter = time.gmtime
    handlers = [logging.StreamHandler(sys.stderr)]
    if file:
        handlers.append(logging.FileHandler(file, encoding="utf-8"))
    for h in handlers:
        h.setFormatter(f)
        logger.addHandler(h)
    logger.propagate = False


def run(args) -> int:
    if args.command == "job":
        if args.job_command == "run":
            return _job_run(args)
        if args.job_command == "validate":
            return _job_validate(args)
        print("usage: burden job run JOB.yaml (see burden job --help)", file=sys.stderr)
        return EXIT_INPUT
    cmd = getattr(args, "runs_command", None)
    if cmd is None:
        print("usage: burden runs list|show|compare|trend|decide|check --history URL (see burden runs --help)",
              file=sys.stderr)
        return EXIT_INPUT
    return {"list": _list, "show": _show, "compare": _compare, "trend": _trend, "decide": _decide,
            "check": _check}[cmd](args)


def _job_run(args) -> int:
    from .jobs import load_job
    from .jobs.run import exit_code, run_job
    from .jobs.store_url import resolve_sqlite_url

    job = load_job(args.job_file)
    setup_logging(args.log_format or job.spec.log.format,
                  args.log_file or (str(job.resolve(job.spec.log.file)) if job.spec.log.file else None))
    from pathlib import Path

    hist = None
    if args.history:  # a URL, or the path of an SQLite file (an existing file, or a new one named *.db/*.sqlite)
        h = args.history
        is_file = "://" not in h and (Path(h).is_file() or Path(h).suffix.lower() in (".db", ".sqlite", ".sqlite3"))
        hist = "sqlite:///" + str(Path(h).resolve()) if is_file else resolve_sqlite_url(h, Path.cwd())
    outcomes = run_job(job, history_url=hist, force=args.force, out_dir=args.out, wait_s=args.wait, as_of=args.as_of)
    if args.json:
        print(json.dumps([o.__dict__ for o in outcomes], indent=2, default=str))
    else:
        for o in outcomes:
            line = f"{o.job}: run {o.id if o.id is not None else '-'} {o.status}"
            if o.objective_per_thm is not None:
                line += f", {o.objective_per_thm:,.2f}/tHM"
            if o.folder:
                line += f"; results in {o.folder}/"
            print(line)
            if o.message and o.status != "ok":
                print("  " + o.message.replace("\n", "\n  "))
            for a in o.alerts:
                print(f"  ALERT {a['kind']}: {a['message']}")
    return exit_code(outcomes)


def _job_validate(args) -> int:
    from .jobs import load_job
    from .jobs.feeds import resolve_inputs

    job = load_job(args.job_file)
    for v in [None, *job.spec.variants]:
        inp = resolve_inputs(job, v)
        feeds = ", ".join(f"{k} ({e.get('file') or e.get('url')}, {e['rows']} rows)" for k, e in inp.manifest["feeds"].items())
        print(f"{args.job_file}: valid" + (f" [{v}]" if v else "") + (f"; feeds: {feeds}" if feeds else ""))
    return EXIT_OK


def _history(args, create: bool = False):
    from pathlib import Path

    from .errors import InputError, InputProblem
    from .jobs.store import open_history
    from .jobs.store_url import resolve_sqlite_url

    h = args.history
    if not h:
        raise InputError([InputProblem("--history", "", "give the run history: an SQLAlchemy URL (sqlite:///runs.db, "
                                       "postgresql://user@host/db) or the job file, or set BURDEN_HISTORY")])
    if h.lower().endswith((".yaml", ".yml")) and Path(h).is_file():
        from .jobs import load_job

        job = load_job(h)
        return open_history(job.history_url, create=create,
                            origin=str(job.path) if job.spec.history is not None else None)
    if "://" not in h:  # a path to an SQLite history file
        return open_history("sqlite:///" + str(Path(h).resolve()), create=create)
    return open_history(resolve_sqlite_url(h, Path.cwd()), create=create)


_LIST_COLUMNS = ("id", "job", "started", "status", "objective_per_thm", "key", "exit_code", "currency")


def _list(args) -> int:
    from sqlalchemy import select

    if args.status and args.status not in RUN_STATUSES:
        from .errors import InputError, InputProblem

        raise InputError([InputProblem("--status", args.status, "not a run status; give one of "
                                       + ", ".join(RUN_STATUSES))])
    hist = _history(args)
    try:
        r = hist.runs
        q = select(*[r.c[k] for k in _LIST_COLUMNS])
        if args.job:
            q = q.where(r.c.job == args.job)
        if args.status:
            q = q.where(r.c.status == args.status)
        with hist.engine.connect() as c:
            if args.limit and args.limit > 0:
                rows = list(reversed(c.execute(q.order_by(r.c.id.desc()).limit(args.limit)).all()))
            else:
                rows = c.execute(q.order_by(r.c.id)).all()
    finally:
        hist.close()
    if args.json:
        # a JSON list, one run per line (readable, and quick for 10,000 runs)
        sys.stdout.write("[" + ",\n ".join(json.dumps(dict(zip(_LIST_COLUMNS, row))) for row in rows) + "]\n")
        return EXIT_OK
    out = [f"{'id':>6}  {'started (UTC)':<24} {'status':<11} {'cost/tHM':>10}  {'key':<12}  job"]
    for row in rows:
        d = dict(zip(_LIST_COLUMNS, row))
        cost = f"{d['objective_per_thm']:,.2f}" if d["objective_per_thm"] is not None else "-"
        out.append(f"{d['id']:>6}  {d['started']:<24} {d['status']:<11} {cost:>10}  {(d['key'] or '-')[:12]:<12}  {d['job']}")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


def _utc(text: str, what: str):
    from datetime import datetime, timezone

    from .errors import InputError, InputProblem

    try:
        t = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError([InputProblem(what, text, "not a time; give UTC ISO 8601, e.g. 2026-11-30T06:00:00Z")]) from None
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t.astimezone(timezone.utc)


def _check(args) -> int:
    """Each job's last run with status ok or skipped, and its age: exit 7 (EXIT_STALE) when a job's
    is older than --max-age-hours or it has none, 0 otherwise (4: bad history or time).  The
    job's own ``stale_hours`` alert needs a run to say it; this check needs none."""
    from datetime import datetime, timezone

    from sqlalchemy import func, select

    from .errors import InputError, InputProblem

    if not args.max_age_hours > 0:
        raise InputError([InputProblem("--max-age-hours", str(args.max_age_hours), "give a number of hours > 0")])
    now = _utc(args.now, "--now") if args.now else datetime.now(timezone.utc)
    hist = _history(args)
    try:
        r = hist.runs
        jobs_q = select(r.c.job).distinct()
        last_q = select(r.c.job, func.max(r.c.started)).where(r.c.status.in_(("ok", "skipped"))).group_by(r.c.job)
        if args.job:
            jobs_q, last_q = jobs_q.where(r.c.job == args.job), last_q.where(r.c.job == args.job)
        with hist.engine.connect() as c:
            jobs = sorted(row[0] for row in c.execute(jobs_q))
            last = dict(c.execute(last_q).all())
    finally:
        hist.close()
    if args.job and args.job not in jobs:
        raise InputError([InputProblem("--job", args.job, "no run of this job in the history; the jobs: "
                                       + (", ".join(jobs) or "none"))])
    checks = []
    for job in jobs:
        t = last.get(job)
        age_h = (now - _utc(t, "history")).total_seconds() / 3600.0 if t else None
        checks.append({"job": job, "last_success": t, "age_hours": age_h,
                       "stale": age_h is None or age_h > args.max_age_hours})
    if args.json:
        print(json.dumps({"now": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "max_age_hours": args.max_age_hours,
                          "jobs": checks}, indent=2))
    else:
        for c in checks:
            when = f"last ok or skipped run {c['last_success']} ({c['age_hours']:.1f} h ago)" if c["last_success"] \
                else "no run ok or skipped"
            print(f"{c['job']}: {'STALE' if c['stale'] else 'fresh'}: {when}; limit {args.max_age_hours:g} h")
        if not checks:
            print("no runs in the history")
    return EXIT_STALE if (not checks or any(c["stale"] for c in checks)) else EXIT_OK


def _get_run(hist, run_id: int) -> dict:
    from sqlalchemy import select

    from .errors import InputError, InputProblem

    with hist.engine.connect() as c:
        row = c.execute(select(hist.runs).where(hist.runs.c.id == run_id)).mappings().first()
        if row is None:
            raise InputError([InputProblem("RUN_ID", str(run_id), "no such run in the history; see `burden runs list`")])
        d = dict(row)
        d["decisions"] = [dict(x) for x in c.execute(select(hist.decisions).where(hist.decisions.c.run_id == run_id)
                                                     .order_by(hist.decisions.c.id)).mappings()]
    return d


def _show(args) -> int:
    from .jobs.run import verify_artefacts

    hist = _history(args)
    try:
        d = _get_run(hist, args.run_id)
    finally:
        hist.close()
    problems = verify_artefacts(d) if d.get("artefacts") else []
    if args.json:
        print(json.dumps(dict(d, artefact_problems=problems), indent=2, default=str))
        return _show_exit(d, problems)
    print(f"Run {d['id']} of {d['job']}: {d['status']} (exit {d['exit_code']})")
    print(f"  started {d['started']}, ended {d['ended']}, host {d['host']}, pid {d['pid']}" + (", forced" if d["forced"] else ""))
    print(f"  content key {d['key']}")
    if d["objective_per_thm"] is not None:
        print(f"  cost {d['objective_per_thm']:,.2f} {d['currency'] or ''}/tHM")
    for k, v in (d.get("indicators") or {}).items():
        print(f"  {k} {v:,.3f}")
    if d.get("burden"):
        print("  burden, dry kg/tHM: " + ", ".join(f"{k} {v:,.1f}" for k, v in d["burden"].items() if abs(v) > 1e-9))
    if d.get("binding"):
        print("  binding: " + ", ".join(d["binding"]))
    if d.get("message"):
        print("  " + d["message"].replace("\n", "\n  "))
    inp = d.get("inputs") or {}
    if inp:
        print(f"  scenario {inp['scenario']['file']} (sha256 {inp['scenario']['sha256'][:12]})")
        for k, e in (inp.get("feeds") or {}).items():
            print(f"  feed {k}: {e.get('file') or e.get('url')} ({e['rows']} rows, sha256 {e['sha256'][:12]})")
    for a in (d.get("alerts") or {}).get("alerts", []):
        print(f"  ALERT {a['kind']}: {a['message']}")
    for x in (d.get("alerts") or {}).get("delivery", []):
        print(f"  delivered to {x['target']}: " + ("ok" if x["ok"] else f"FAILED ({x.get('error')})"))
    art = d.get("artefacts") or {}
    if art:
        print(f"  artefacts {art['folder']}/ ({len(art.get('files', {}))} files"
              + (", complete)" if not problems else f"; NOT AS RECORDED, {len(problems)} problem"
                                                  f"{'s' if len(problems) != 1 else ''}: {'; '.join(problems[:3])})"))
    for x in d["decisions"]:
        print(f"  decision {x['decision']} by {x['who']} at {x['at']}" + (f": {x['note']}" if x["note"] else ""))
    return _show_exit(d, problems)


def _show_exit(d: dict, problems: list[str]) -> int:
    """Exit 4 when the recorded artefacts of a run are missing or changed (a hash mismatch is a
    problem, never a silent 0); the problems go to stderr."""
    if not problems:
        return EXIT_OK
    print(f"burden: run {d['id']}: {len(problems)} artefact problem{'s' if len(problems) != 1 else ''} "
          f"(files missing or changed since the run recorded their SHA-256):\n  " + "\n  ".join(problems)
          + "\n  the folder no longer holds this run's results; do not use it for decisions (solve again "
            "with `burden job run --force`)", file=sys.stderr)
    return EXIT_INPUT


def _compare(args) -> int:
    from pathlib import Path

    from .errors import InputError, InputProblem
    from .report.compare import compare_runs, load_run, render_compare_html, render_compare_json, render_text

    if len(args.run_ids) < 2:
        raise InputError([InputProblem("command line", "RUN_ID", "give at least two run ids (see `burden runs list`)")])
    hist = _history(args)
    try:
        recs = [_get_run(hist, i) for i in args.run_ids]
    finally:
        hist.close()
    runs = []
    for d in recs:
        folder = (d.get("artefacts") or {}).get("folder")
        if not folder:
            raise InputError([InputProblem("RUN_ID", str(d["id"]), f"run {d['id']} is {d['status']} and has no results "
                                           "to compare; pick runs with results (ok or infeasible)")])
        from .jobs.run import verify_artefacts

        bad = [x for x in verify_artefacts(d) if x.endswith(("/result.json", "\\result.json"))]
        if bad:  # the folder no longer holds this run's numbers: never compare them silently
            raise InputError([InputProblem("RUN_ID", str(d["id"]), f"the results of run {d['id']} are not as recorded "
                                           f"({bad[0]}; the recorded SHA-256 differs); see `burden runs show "
                                           f"{d['id']}`, and solve again with `burden job run --force`")])
        run = load_run(Path(folder) / "result.json")
        run.label = f"run {d['id']} ({d['started'][:10]})"
        runs.append(run)
    tables = compare_runs(runs)
    if args.json:
        print(render_compare_json(runs, tables))
    else:
        print(render_text(runs, tables, colour=sys.stdout.isatty()))
    if args.out:
        from .output import check_out_dir
        from .report import write_files

        check_out_dir(args.out)
        files = {"comparison.html": render_compare_html(runs, tables).encode("utf-8"),
                 "comparison.json": render_compare_json(runs, tables).encode("utf-8")}
        folder = write_files(files, Path(args.out) / ("compare-runs-" + "-".join(map(str, args.run_ids))), root=args.out)
        print(f"\nComparison written to {folder}/", file=sys.stderr if args.json else sys.stdout)
    return EXIT_OK


def _trend(args) -> int:
    from pathlib import Path

    from .output import check_out_dir, slug, write_folder
    from .jobs.trend import load_series, render_trend_html

    check_out_dir(args.out)
    hist = _history(args)
    try:
        job, series = load_series(hist, args.job)
    finally:
        hist.close()
    html = render_trend_html(job, series)
    folder = write_folder({"trend.html": html.encode("utf-8")}, Path(args.out) / f"trend-{slug(job)}", root=args.out)
    if args.json:
        print(json.dumps(series, indent=1, default=str))
    print(f"Trend of {job} ({len(series)} runs) written to {folder}/trend.html", file=sys.stderr if args.json else sys.stdout)
    return EXIT_OK


def _decide(args) -> int:
    from sqlalchemy import insert

    from .errors import InputError, InputProblem
    from .jobs.store import utc_now

    if not args.who:
        raise InputError([InputProblem("command line", "--who", "say who decides (--who NAME)")])
    hist = _history(args)
    try:
        d = _get_run(hist, args.run_id)
        if d["status"] not in ("ok", "infeasible"):
            raise InputError([InputProblem("RUN_ID", str(args.run_id), f"run {args.run_id} is {d['status']}: it has no "
                                           "recommendation to decide on; pick an ok run (see `burden runs list --status ok`)")])
        at = utc_now()
        with hist.begin() as c:
            did = c.execute(insert(hist.decisions).values(run_id=args.run_id, decision=args.decision, who=args.who,
                                                          note=args.note, at=at)).inserted_primary_key[0]
    finally:
        hist.close()
    rec = {"id": did, "run_id": args.run_id, "decision": args.decision, "who": args.who, "note": args.note, "at": at}
    print(json.dumps(rec) if args.json else f"run {args.run_id}: {args.decision} by {args.who} recorded at {at}")
    return EXIT_OK
