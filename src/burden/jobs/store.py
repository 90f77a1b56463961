"""The run history: one table of runs, one of operators' decisions, a schema-version table.

Any SQLAlchemy 2 URL; an SQLite file by default (journal in WAL mode, so readers never block the
writer), PostgreSQL as users type it (``postgresql://user@host/db``, mapped to the psycopg 3
driver).  The schema is versioned in the table ``burden_schema`` (one row: ``version``);
:data:`SCHEMA_VERSION` is this code's version and :data:`MIGRATIONS` upgrades an older history
step by step when it is opened; a history newer than the code is refused (exit code 4) rather
than written to.

Run statuses: ``running`` (a run in progress, or a run that was killed: the next run of the job,
holding the job's lock, marks such rows ``interrupted``), ``ok``, ``skipped`` (same content key
as the job's last successful run), ``infeasible``, ``invalid`` (input errors), ``error``.
Times are ISO 8601 UTC text (``2026-11-29T22:15:03.120Z``), which sorts as time does.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import (JSON, Column, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text, create_engine,
                        event, select, text)

from ..errors import BurdenError, InputError, InputProblem
from .feeds import engine_url, redact

__all__ = ["SCHEMA_VERSION", "History", "open_history", "LockBusy", "job_lock"]

#: version of the history schema this code writes (see the module docstring)
SCHEMA_VERSION = 1
#: version -> SQL statements that upgrade a history from version-1 to version (none yet)
MIGRATIONS: dict[int, list[str]] = {}

metadata = MetaData()

schema = Table("burden_schema", metadata, Column("version", Integer, nullable=False))

runs = Table(
    "burden_runs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("job", String(200), nullable=False),
    Column("variant", String(200)),
    Column("key", String(64)),
    Column("status", String(16), nullable=False),
    Column("exit_code", Integer),
    Column("started", String(32), nullable=False),
    Column("ended", String(32)),
    Column("host", String(200)),
    Column("pid", Integer),
    Column("forced", Integer, default=0),
    Column("objective_per_thm", Float),
    Column("currency", String(16)),
    Column("burden", JSON),          # material -> dry kg/tHM
    Column("indicators", JSON),      # B2, fuel rate, slag rate ...
    Column("binding", JSON),         # names of the binding limits
    Column("warnings", JSON),
    Column("inputs", JSON),          # inputs manifest
    Column("artefacts", JSON),       # {"folder": ..., "files": {relative path: sha256}}
    Column("versions", JSON),
    Column("alerts", JSON),
    Column("message", Text),
)
Index("ix_burden_runs_job_status", runs.c.job, runs.c.status, runs.c.id)
Index("ix_burden_runs_started", runs.c.started)

decisions = Table(
    "burden_decisions", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("run_id", Integer, ForeignKey("burden_runs.id"), nullable=False),
    Column("decision", String(16), nullable=False),
    Column("who", String(200), nullable=False),
    Column("note", Text),
    Column("at", String(32), nullable=False),
)
Index("ix_burden_decisions_run", decisions.c.run_id)

#: exit code of a run refused because another run of the same job holds the lock
EXIT_BUSY = 6


class HistoryUnavailable(BurdenError):
    """The history's database cannot be reached (server down, network, disk).  Exit code 1: a
    later retry may succeed, unlike a wrong URL (exit code 4)."""

    exit_code = 1


class LockBusy(BurdenError):
    """Another run of this job is in progress (it holds the job's lock).  Exit code 6."""

    exit_code = EXIT_BUSY


def _sqlite_path(url) -> Path | None:
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:" \
            and not url.database.startswith("file:"):
        return Path(url.database)
    return None


class History:
    """An open run history.  ``engine`` is the SQLAlchemy engine; ``url`` the URL as given."""

    def __init__(self, engine, url: str):
        self.engine = engine
        self.url = url
        self.runs = runs
        self.decisions = decisions

    @property
    def sqlite_file(self) -> Path | None:
        return _sqlite_path(self.engine.url)

    def begin(self):
        return self.engine.begin()

    def close(self) -> None:
        self.engine.dispose()


def open_history(url: str, create: bool = True, origin: str | None = None) -> History:
    """Open (and, with ``create``, make or upgrade) the run history at ``url``.

    ``origin``: the job file when ``url`` is its ``history:`` field (problems then name that file
    and field, not the ``--history`` option).

    Raises
    ------
    InputError
        Not a usable URL; a server that answered but refused for good (no such database or role,
        wrong password: a configuration error, exit 4); the history's schema is newer than
        this code, or (``create=False``) there is no history there.
    HistoryUnavailable
        The database server cannot be reached (refused, unknown host, timeout; exit 1, a retry
        may succeed).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    src = redact(url)

    def problem(message: str) -> InputProblem:  # named where the URL came from: the option or the job file's field
        if origin:
            return InputProblem(origin, "history", f"{src}: {message}")
        return InputProblem("--history", src, message)

    try:
        u = make_url(engine_url(url))
    except Exception as e:  # noqa: BLE001
        hint = (f"; did you mean sqlite:///{url} (an SQLite file)?" if "://" not in url and url.strip() else "")
        raise InputError([problem(f"not an SQLAlchemy URL ({e}); e.g. sqlite:///runs.db or "
                                  "postgresql://user@host/db" + hint)]) from None
    path = _sqlite_path(u)
    kw = {}
    if path is not None:
        if not create and not path.is_file():
            raise InputError([problem("no run history there (no such file); give the history "
                                      "of a job (default: <job file>.runs.db beside the job file)")])
        if create:
            path.parent.mkdir(parents=True, exist_ok=True)
        kw["connect_args"] = {"timeout": 60}
    try:
        eng = create_engine(u, **kw)
    except ModuleNotFoundError as e:  # the driver is an extra: pip install "burden[postgresql]"
        raise InputError([problem(f"the database driver is not installed ({e.name}); for "
                                  "PostgreSQL: pip install \"burden[postgresql]\" (psycopg)")]) from None
    except Exception as e:  # noqa: BLE001
        raise InputError([problem(f"cannot use this URL: {e}")]) from None
    if eng.dialect.name == "sqlite":
        @event.listens_for(eng, "connect")
        def _pragmas(dbapi_conn, _):  # WAL: readers never block the writer; FULL: a commit survives a power cut
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()
    try:
        from sqlalchemy.exc import OperationalError

        for attempt in range(8):  # concurrent first runs race to create the tables: the losers look again
            try:
                _ensure_schema(eng, src, create, problem)
                break
            except SQLAlchemyError as e:
                if attempt == 7 or (isinstance(e, OperationalError) and eng.dialect.name != "sqlite"):
                    raise  # a server that cannot be reached: no point in trying again now
                import time

                time.sleep(0.05 * (attempt + 1))
    except (InputError, BurdenError):
        eng.dispose()
        raise
    except SQLAlchemyError as e:
        from sqlalchemy.exc import OperationalError

        eng.dispose()
        why = str(e.orig if getattr(e, "orig", None) else e).strip().splitlines()[0]
        if isinstance(e, OperationalError) and eng.dialect.name != "sqlite" and _permanent(e):
            raise InputError([problem(f"the server answered but refused the connection: {why}; this is the URL's "
                                      "configuration, a retry will not help: create the database / role "
                                      "(createdb, CREATE ROLE ... LOGIN), or check the URL's database name, user "
                                      "and password")]) from None
        if isinstance(e, OperationalError) and eng.dialect.name != "sqlite":
            raise HistoryUnavailable(f"the run history {src} cannot be reached: {why}; nothing was run "
                                     "(check the database server and the network, then run again)") from None
        raise InputError([problem("cannot open the run history: " + why)]) from None
    return History(eng, url)


#: SQLSTATEs of a server that answered and refused the connection for good (PostgreSQL Appendix A,
#: "Error Codes"): 3D000 invalid_catalog_name (no such database), 28000
#: invalid_authorization_specification (no such role, no pg_hba.conf entry), 28P01
#: invalid_password.  Everything else (refused, unknown host, timeout, too many connections) may
#: pass on a retry.
_PERMANENT_SQLSTATES = ("3D000", "28000", "28P01")
_PERMANENT_WORDS = ("does not exist", "password authentication failed", "no pg_hba.conf entry")


def _permanent(e) -> bool:
    """True when a connection error is a configuration error a retry cannot fix (no such database or
    role, wrong password), not an outage."""
    orig = getattr(e, "orig", None)
    if getattr(orig, "sqlstate", None) in _PERMANENT_SQLSTATES:
        return True
    text_ = str(orig if orig is not None else e)
    return any(w in text_ for w in _PERMANENT_WORDS)


def _ensure_schema(eng, src: str, create: bool, problem) -> None:
    from sqlalchemy import inspect

    with eng.begin() as c:
        have = inspect(c).has_table("burden_schema")
        if not have:
            if not create:
                raise InputError([problem("no run history there (no burden_schema table)")])
            metadata.create_all(c)
            c.execute(schema.insert().values(version=SCHEMA_VERSION))
            return
        v = c.execute(select(schema.c.version)).scalar()
        if v is None:
            c.execute(schema.insert().values(version=SCHEMA_VERSION))
            return
        if v > SCHEMA_VERSION:
            raise InputError([problem(f"the history has schema version {v}, newer than this "
                                      f"burden ({SCHEMA_VERSION}); upgrade burden")])
        if v < SCHEMA_VERSION:
            for step in range(v + 1, SCHEMA_VERSION + 1):
                for stmt in MIGRATIONS.get(step, []):
                    c.execute(text(stmt))
            c.execute(schema.update().values(version=SCHEMA_VERSION))
        metadata.create_all(c)  # tables added since (idempotent)


def _lock_id(job: str) -> int:
    """A signed 64-bit number for PostgreSQL's advisory lock of ``job``."""
    return int.from_bytes(hashlib.sha256(("burden-job:" + job).encode()).digest()[:8], "big", signed=True)


@contextmanager
def job_lock(history: History, job: str, lock_dir: Path, wait_s: float = 0.0):
    """Hold the lock of ``job`` for a run; released when the block ends or the process dies.

    PostgreSQL: a session advisory lock (``pg_try_advisory_lock``) on a connection held for the
    run; the server releases it when the connection ends, a killed process included.  Otherwise:
    an OS file lock (``filelock``: ``flock``/``LockFileEx``) on ``<lock_dir>/.<job>.lock``, which
    the kernel releases when the process ends.  ``wait_s``: how long to wait for a run in progress
    (0: refuse at once).

    Raises
    ------
    LockBusy
        Another run of the job holds the lock (exit code 6).
    """
    import time

    busy = (f"another run of job {job!r} is in progress (it holds the job's lock); wait for it, or run "
            "with --wait SECONDS")
    if history.engine.dialect.name == "postgresql":
        conn = history.engine.connect()
        try:
            deadline = time.monotonic() + wait_s
            while True:
                got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _lock_id(job)}).scalar()
                conn.commit()
                if got:
                    break
                if time.monotonic() >= deadline:
                    raise LockBusy(busy)
                time.sleep(0.1)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _lock_id(job)})
                conn.commit()
        finally:
            conn.close()
        return
    from filelock import FileLock, Timeout

    from ..output import slug

    lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(lock_dir / f".{slug(job)}.lock"), timeout=wait_s if wait_s > 0 else 0)
    try:
        lock.acquire()
    except Timeout:
        raise LockBusy(busy) from None
    try:
        yield
    finally:
        lock.release()


def lock_dir_for(history: History, out_dir: Path) -> Path:
    """Where the file lock of a job lives: beside an SQLite history, else in the output folder."""
    f = history.sqlite_file
    return f.parent if f is not None else out_dir


def utc_now() -> str:
    from datetime import datetime, timezone

    return iso(datetime.now(timezone.utc))


def iso(dt) -> str:
    """``2026-11-29T22:15:03.120Z`` (UTC, milliseconds)."""
    from datetime import timezone

    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


def parse_iso(s: str):
    from datetime import datetime, timezone

    s = s.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    dt = datetime.fromisoformat(s)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc)


def host() -> str:
    import socket

    return socket.gethostname()[:200]


def pid() -> int:
    return os.getpid()
