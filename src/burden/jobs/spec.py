"""The job file: what a scheduled run solves, where its data come from, where it records, whom it tells.

A job file is YAML, validated like a scenario (every problem at once, each naming the file,
the field and the fix; exit code 4 on the command line)::

    name: bf1-daily                       # the job's name in the run history
    scenario: ../scenarios/base.yaml      # relative to the job file
    variants: [cheap_pellets]             # optional: named scenarios/overrides run after the scenario, each a
                                          # series of its own in the history ("bf1-daily [cheap_pellets]")
    solver: highs                         # optional (nonlinear scenarios: slp, slsqp)
    feeds:                                # optional: data that replace parts of the scenario at run time
      analyses: {folder: lab, pattern: "analyses_*.csv"}   # the newest matching table (CSV/Excel)
      prices:   {file: prices.csv}                         # name, price_per_t
      stocks:   {sql: {url: "sqlite:///plant.db", query: "SELECT name, max_t_per_day FROM stocks"}}
    history: sqlite:///runs.db            # optional SQLAlchemy URL (default: <job>.runs.db beside the job file)
    out: out                              # optional artefact folder (default: out beside the job file)
    report: [html, json]                  # optional: report formats with each run (default html, json; true: all; false: none)
    alerts: {cost_change_per_thm: 2.0, material_change_kg_per_thm: 20, stale_hours: 36}
    notify:
      - email: {host: localhost, port: 25, sender: burden@plant, to: [shift@plant]}
      - webhook: {url: "https://chat.plant/hooks/bf1"}
    log: {format: json}                   # text (default) or json lines

See :mod:`burden.jobs.feeds` for the feed tables and :mod:`burden.jobs.alerts` for the rules.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import InputError, InputProblem, clip, echo, number_problem, pydantic_message
from .store_url import resolve_sqlite_url

__all__ = ["JobSpec", "Feed", "SqlSource", "AlertRules", "EmailTarget", "WebhookTarget", "load_job"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SqlSource(_Strict):
    """A read-only SQL query through SQLAlchemy: ``url`` (any SQLAlchemy URL; ``postgresql://`` is
    mapped to the psycopg driver) and one ``SELECT`` (or ``WITH ... SELECT``) statement."""

    url: str = Field(..., min_length=1)
    query: str = Field(..., min_length=1)

    @field_validator("query")
    @classmethod
    def _select_only(cls, v: str) -> str:
        words = v.strip().split(None, 1)
        first = words[0].upper() if words else ""
        if first not in ("SELECT", "WITH"):
            raise ValueError(f"feeds are read only: give one SELECT (or WITH ... SELECT) statement, not {first or 'nothing'}")
        body = v.strip().rstrip(";")
        if ";" in body:
            raise ValueError("give one statement (no ';' inside the query)")
        return v


class Feed(_Strict):
    """Where one table comes from: a ``file``, the newest file of a ``folder`` matching ``pattern``
    (newest by name, default, or by modification time), or an ``sql`` query.  ``sheet``: the Excel
    sheet (default: the first)."""

    file: str | None = None
    folder: str | None = None
    pattern: str = "*.csv"
    newest: Literal["name", "mtime"] = "name"
    sheet: str | None = None
    sql: SqlSource | None = None

    @model_validator(mode="after")
    def _one_source(self):
        given = [k for k in ("file", "folder", "sql") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of file:, folder: (with pattern:) or sql: (with url: and query:)"
                             + (f"; got {', '.join(given)}" if given else ""))
        return self


class Feeds(_Strict):
    """The tables that replace parts of the scenario (see :mod:`burden.jobs.feeds`)."""

    analyses: Feed | None = None
    prices: Feed | None = None
    stocks: Feed | None = None


class AnalysisRange(_Strict):
    """An analysis is outside its usual range when it lies outside [min, max] of the last ``window``
    successful runs widened by ``tolerance_pct`` (wt %, absolute); needs ``min_runs`` earlier values."""

    window: int = Field(10, ge=1, le=1000)
    min_runs: int = Field(3, ge=1, le=1000)
    tolerance_pct: float = Field(0.3, ge=0, le=100)


class AlertRules(_Strict):
    """When a run raises an alert (each rule compares with earlier runs of the job; None turns it off).

    ``status_change``: the outcome differs from the previous run's (ok/infeasible/invalid/error; a
    skipped run counts as ok).  ``cost_change_per_thm``: |Δ objective| from the last successful run
    above this, currency/tHM.  ``material_change_kg_per_thm``: a material rate moved more than this,
    dry kg/tHM.  ``new_binding_limit``: a limit binds that did not in the last successful run.
    ``analysis_range``: see :class:`AnalysisRange`.  ``stale_hours``: no successful run for this
    many hours (raised once, when the gap crosses the threshold).
    """

    status_change: bool = True
    cost_change_per_thm: float | None = Field(1.0, ge=0, le=1e6)
    material_change_kg_per_thm: float | None = Field(10.0, ge=0, le=1e4)
    new_binding_limit: bool = True
    analysis_range: AnalysisRange | None = AnalysisRange()
    stale_hours: float | None = Field(36.0, gt=0, le=1e5)

    @field_validator("cost_change_per_thm", "material_change_kg_per_thm", "stale_hours", mode="before")
    @classmethod
    def _number(cls, v, info):
        why = number_problem(v, info.field_name)
        if why:
            raise ValueError(why)
        return v


class EmailTarget(_Strict):
    """SMTP delivery.  ``password_env``: the name of the environment variable holding the password
    (never the password itself in the job file)."""

    host: str
    port: int = Field(25, ge=1, le=65535)
    sender: str
    to: list[str] = Field(..., min_length=1)
    starttls: bool = False
    ssl: bool = False
    username: str | None = None
    password_env: str | None = None
    timeout_s: float = Field(10.0, gt=0, le=600)


class WebhookTarget(_Strict):
    """A webhook: the alert posted as JSON to ``url`` (http/https); an ``apprise`` URL
    (``apprise: "mailto://..."``, ``"tgram://..."``) is delivered through apprise when installed."""

    url: str | None = None
    apprise: str | None = None
    timeout_s: float = Field(10.0, gt=0, le=600)

    @model_validator(mode="after")
    def _one(self):
        if (self.url is None) == (self.apprise is None):
            raise ValueError("give url: (plain JSON webhook) or apprise: (an apprise URL), one of them")
        if self.url is not None and not self.url.lower().startswith(("http://", "https://")):
            raise ValueError(f"url must start with http:// or https:// (got {echo(self.url)})")
        return self


class Target(_Strict):
    email: EmailTarget | None = None
    webhook: WebhookTarget | None = None

    @model_validator(mode="after")
    def _one(self):
        if (self.email is None) == (self.webhook is None):
            raise ValueError("each notify entry is either email: {...} or webhook: {...}")
        return self


class LogSettings(_Strict):
    format: Literal["text", "json"] = "text"
    file: str | None = None


class JobSpec(_Strict):
    """The validated content of a job file (see the module docstring).  Paths are as written;
    :func:`load_job` resolves them against the job file's folder."""

    name: str = Field(..., min_length=1, max_length=200)
    scenario: str = Field(..., min_length=1)
    variants: list[str] = Field(default_factory=list)
    solver: str = "highs"
    feeds: Feeds = Feeds()
    history: str | None = None
    out: str | None = None
    report: bool | list[Literal["html", "pdf", "xlsx", "json"]] = ["html", "json"]
    alerts: AlertRules = AlertRules()
    notify: list[Target] = Field(default_factory=list)
    log: LogSettings = LogSettings()

    @field_validator("variants")
    @classmethod
    def _unique(cls, v):
        dup = sorted({x for x in v if v.count(x) > 1})
        if dup:
            raise ValueError(f"variants listed twice: {', '.join(dup)}")
        return v

    @property
    def report_formats(self) -> tuple[str, ...]:
        if self.report is True:
            return ("html", "pdf", "xlsx", "json")
        return tuple(self.report or ())


class Job:
    """A loaded job: the :class:`JobSpec`, the job file and its folder (paths resolve against it)."""

    def __init__(self, spec: JobSpec, path: Path):
        self.spec = spec
        self.path = path
        self.base_dir = path.parent

    @property
    def name(self) -> str:
        return self.spec.name

    def resolve(self, p: str) -> Path:
        q = Path(p).expanduser()
        return q if q.is_absolute() else self.base_dir / q

    @property
    def scenario_path(self) -> Path:
        return self.resolve(self.spec.scenario)

    @property
    def history_url(self) -> str:
        """The history's SQLAlchemy URL: ``history:`` (a relative SQLite path resolved against the
        job file's folder) or ``sqlite:///<job file stem>.runs.db`` beside the job file."""
        if self.spec.history is None:
            return "sqlite:///" + str((self.base_dir / f"{self.path.stem}.runs.db").resolve())
        return resolve_sqlite_url(self.spec.history, self.base_dir)

    @property
    def out_dir(self) -> Path:
        return self.resolve(self.spec.out) if self.spec.out else self.base_dir / "out"


def _allowed_keys(loc: list[str]) -> list[str]:
    """The keys allowed where ``loc`` (a path from :class:`JobSpec`) leads."""
    import typing

    model: object = JobSpec
    for part in loc:
        if part.isdigit():
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            return []
        ann = model.model_fields[part].annotation
        for _ in range(3):  # unwrap X | None and list[X]
            args = [a for a in typing.get_args(ann) if a is not type(None)]
            if typing.get_origin(ann) is list or (args and typing.get_origin(ann) is not None):
                ann = args[0]
            else:
                break
        model = ann
    return list(model.model_fields) if isinstance(model, type) and issubclass(model, BaseModel) else []


def _translate(e: ValidationError, source: str) -> list[InputProblem]:
    out: list[InputProblem] = []
    for err in e.errors():
        loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
        typ = err["type"]
        if typ == "extra_forbidden":
            key = loc[-1] if loc else ""
            allowed = _allowed_keys(loc[:-1])
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
            msg = (f"unknown key {echo(key)}" + (f"; did you mean {close[0]!r}?" if close else "; remove it or check "
                   "the spelling") + (f" (allowed: {', '.join(allowed)})" if allowed else ""))
        elif typ == "missing":
            msg = "required field is missing"
        else:
            msg = pydantic_message(err)
        p = InputProblem(source, ".".join(loc), msg)
        if p not in out:
            out.append(p)
    return out


def load_job(path: str | Path) -> Job:
    """Read and validate a job file.

    Raises
    ------
    InputError
        The file is missing, not YAML, or a field is wrong (every problem, each with the file,
        the field and the fix); the scenario file named does not exist.
    """
    from ..scenario import _yaml_load

    p = Path(path)
    src = str(path)
    if not p.is_file():
        raise InputError([InputProblem(src, "", "job file not found; check the path")])
    try:
        data = _yaml_load(p.read_text(encoding="utf-8"), src)
    except InputError:
        raise
    except Exception as e:  # noqa: BLE001 - YAML and decoding errors alike
        raise InputError([InputProblem(src, "", f"cannot parse the file as YAML: {clip(e, 500)}")]) from None
    if not isinstance(data, dict):
        raise InputError([InputProblem(src, "", "a job file is a mapping of keys (name:, scenario:, feeds: ...)")])
    try:
        spec = JobSpec.model_validate(data)
    except ValidationError as e:
        raise InputError(_translate(e, src)) from None
    job = Job(spec, p)
    if not job.scenario_path.is_file():
        raise InputError([InputProblem(src, "scenario", f"the scenario file {job.scenario_path} does not exist; "
                                       "give its path relative to the job file")])
    return job
