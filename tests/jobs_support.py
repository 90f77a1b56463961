"""Helpers of the job tests: a job folder with a synthetic plant feed, a real PostgreSQL server,
a real SMTP server (aiosmtpd).  Imported by tests/test_jobs*.py (not a test module)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
def _pg_bin() -> Path:
    """The PostgreSQL server binaries: $BURDEN_PG_BIN, else the newest /usr/lib/postgresql/<N>/bin
    (Debian), else the folder of initdb on the PATH."""
    if os.environ.get("BURDEN_PG_BIN"):
        return Path(os.environ["BURDEN_PG_BIN"])
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    if found:
        return found[-1].parent
    w = shutil.which("initdb")
    return Path(os.path.realpath(w)).parent if w else Path("/usr/lib/postgresql/15/bin")


PG_BIN = _pg_bin()

#: the packaged library's sinter analysis (wt % dry), the starting point of the synthetic lab feed
SINTER = {"TFe": 56.7, "FeO": 6.46, "Fe2O3": 73.779, "SiO2": 5.43, "Al2O3": 1.966, "CaO": 9.88, "MgO": 1.77,
          "MnO": 0.498, "P2O5": 0.098, "FeS": 0.118}
PELLETS = {"TFe": 65.4, "FeO": 0.82, "Fe2O3": 92.588, "SiO2": 5.6, "Al2O3": 0.34, "CaO": 0.26, "MgO": 0.26,
           "MnO": 0.09, "P2O5": 0.037, "FeS": 0.005}
PRICES = {"sinter": 125.0, "pellets": 160.0, "lump_ore": 136.0}


def env() -> dict:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + e.get("PYTHONPATH", "")
    return e


def burden(*args, timeout=120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "burden", *map(str, args)], capture_output=True, text=True,
                          env=env(), timeout=timeout, **kw)


def write_analyses(path: Path, sinter: dict, pellets: dict = PELLETS, columns: list[str] | None = None) -> None:
    cols = columns or list(SINTER)
    lines = ["name," + ",".join(cols)]
    for name, a in (("sinter", sinter), ("pellets", pellets)):
        lines.append(name + "," + ",".join(f"{a[c]:g}" for c in cols))
    path.write_text("\n".join(lines) + "\n")


def write_prices(path: Path, prices: dict) -> None:
    path.write_text("name,price_per_t\n" + "".join(f"{k},{v:g}\n" for k, v in prices.items()))


def write_stocks(path: Path, lump_t_per_day: float) -> None:
    path.write_text(f"name,max_t_per_day\nlump_ore,{lump_t_per_day:g}\npellets,4000\n")


def make_job(folder: Path, *, history: str | None = None, notify: str = "", report: str = "false",
             extra: str = "") -> Path:
    """A job folder: the base scenario, lab/ (daily analyses), prices.csv, stocks.csv and job.yaml."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "scenarios" / "base.yaml", folder / "base.yaml")
    (folder / "lab").mkdir(exist_ok=True)
    write_analyses(folder / "lab" / "analyses_2026-11-01.csv", SINTER)
    write_prices(folder / "prices.csv", PRICES)
    write_stocks(folder / "stocks.csv", 1800)
    text = f"""name: bf1-daily
scenario: base.yaml
feeds:
  analyses: {{folder: lab, pattern: "analyses_*.csv"}}
  prices: {{file: prices.csv}}
  stocks: {{file: stocks.csv}}
report: {report}
alerts:
  cost_change_per_thm: 1.0
  material_change_kg_per_thm: 10
  analysis_range: {{window: 10, min_runs: 2, tolerance_pct: 0.3}}
  stale_hours: 36
"""
    if history:
        text += f"history: {history}\n"
    text += notify + extra
    (folder / "job.yaml").write_text(text)
    return folder / "job.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """A real SMTP server (aiosmtpd) on localhost that keeps the messages it receives."""

    def __init__(self, password: str | None = None):
        """``password``: require SMTP AUTH (user ``burden``) with this password."""
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        self.messages: list = []
        box = self

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = getattr(auth_data, "login", None) == b"burden" and getattr(auth_data, "password", None) == \
                (password or "").encode()
            return AuthResult(success=ok, handled=False)  # handled=False: the server answers 535 on failure

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                from email import message_from_bytes

                box.messages.append(message_from_bytes(envelope.content))
                return "250 OK"

        self.port = free_port()
        kw = dict(authenticator=authenticator, auth_required=True, auth_require_tls=False) if password else {}
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **kw)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def as_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _pg(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    if as_root():  # PostgreSQL refuses to run as root: run its tools as the postgres user
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)


class PostgresServer:
    """A throw-away PostgreSQL cluster (initdb + pg_ctl from :data:`PG_BIN`), trust auth on 127.0.0.1."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="burden-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        if as_root():
            import pwd

            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def start(self) -> str:
        r = _pg([str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                 "--no-sync"])
        if r.returncode:
            raise RuntimeError("initdb failed: " + r.stderr)
        r = _pg([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "-l", str(self.dir / "log"),
                 "-o", f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off", "start"])
        if r.returncode:
            raise RuntimeError("pg_ctl start failed: " + r.stderr + (self.dir / "log").read_text())
        import psycopg

        with psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres",
                             autocommit=True) as c:
            c.execute("CREATE DATABASE burden")
        return self.url

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/burden"

    def stop(self) -> None:
        _pg([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"])
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server started for the test session (skipped if the binaries are missing)."""
    if not (PG_BIN / "initdb").exists():
        pytest.skip(f"PostgreSQL binaries not found in {PG_BIN} (apt-get install postgresql)")
    srv = PostgresServer()
    try:
        srv.start()
        yield srv
    finally:
        srv.stop()


_DBS = iter(range(1, 10**6))


@pytest.fixture()
def postgres_url(postgres_server):
    """URL of a fresh database on the session's PostgreSQL server, as users type it."""
    import psycopg

    name = f"burden_{next(_DBS)}"
    with psycopg.connect(host="127.0.0.1", port=postgres_server.port, user="postgres", dbname="postgres",
                         autocommit=True) as c:
        c.execute(f"CREATE DATABASE {name}")
    return f"postgresql://postgres@127.0.0.1:{postgres_server.port}/{name}"


def wait_until(pred, timeout=30.0, step=0.02) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(step)
    return pred()
