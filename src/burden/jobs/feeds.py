"""Data feeds: tables that replace parts of a job's scenario at run time.

Three kinds of table, each from a file, the newest file of a folder matching a pattern
(CSV or Excel), or a read-only SQL query (SQLAlchemy):

``analyses``
    ``name`` and analysis columns (wt % dry, as in a material table: ``TFe, SiO2, Al2O3, CaO,
    MgO, ...``; ``burden materials --columns`` lists them).  A row replaces the whole analysis
    of that material; price, class and availability stay as the scenario has them.  The new
    analyses pass the checks of a material table (closure, oxide/element consistency).
``prices``
    ``name, price_per_t`` (optional ``price_basis``: dry/wet): the price of a charged material,
    as ``charge.<name>.price_per_t`` in the scenario.
``stocks``
    ``name`` and any of ``max_t_per_day, min_t_per_day, max_kg_per_thm, min_kg_per_thm``:
    availability of a charged material (0 t/day: not available today).

Every feed is recorded in the run's inputs manifest: its source (file and SHA-256 of the file,
or URL without password and the query), the rows and a SHA-256 of the table as read (sorted by
name), so a re-export with the same values gives the same content key.
"""

from __future__ import annotations

import copy
import glob
import hashlib
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError, InputProblem, clip, number_problem

__all__ = ["ResolvedInputs", "resolve_inputs", "read_feed", "engine_url"]

PRICE_COLUMNS = ("price_per_t", "price_basis")
STOCK_COLUMNS = ("max_t_per_day", "min_t_per_day", "max_kg_per_thm", "min_kg_per_thm")


@dataclass
class ResolvedInputs:
    """A scenario with its feeds applied, and what went into it.

    ``scenario`` : the validated :class:`~burden.scenario.Scenario`;
    ``manifest`` : JSON-safe dict (scenario file and hash, each feed's source, rows, hash);
    ``analyses`` : material -> {column: wt %} as the analyses feed gave them (empty without one);
    ``feed_hash`` : SHA-256 over the feeds' table hashes.
    """

    scenario: object
    manifest: dict
    analyses: dict = field(default_factory=dict)
    feed_hash: str = ""


def engine_url(url: str) -> str:
    """A URL as users type it, with the installed driver: ``postgresql://`` and ``postgres://`` ->
    ``postgresql+psycopg://`` (psycopg 3); others unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def redact(url: str) -> str:
    """The URL without its password (for manifests and logs)."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - an unparsable URL is reported elsewhere
        return url.split("@")[-1]


def _sha256(b: bytes) -> str:
    return hashlib.sha256(b).hexdigest()


def _newest(job, feed, kind: str) -> Path:
    folder = job.resolve(feed.folder)
    src = str(job.path)
    if not folder.is_dir():
        raise InputError([InputProblem(src, f"feeds.{kind}.folder", f"the folder {folder} does not exist; give a folder "
                                       "relative to the job file")])
    hits = [Path(p) for p in glob.glob(str(folder / feed.pattern)) if Path(p).is_file()]
    hits = [p for p in hits if p.suffix.lower() in (".csv", ".xlsx", ".xlsm", ".xls")
            and not p.name.startswith((".", "~$"))]  # editors' lock files and hidden temporaries
    if not hits:
        raise InputError([InputProblem(src, f"feeds.{kind}.pattern", f"no CSV/Excel file matches {feed.pattern!r} in "
                                       f"{folder}; check the pattern or the export")])
    if feed.newest == "mtime":
        return max(hits, key=lambda p: (p.stat().st_mtime_ns, p.name))
    return max(hits, key=lambda p: p.name)


def _read_file(path: Path, sheet: str | None):
    import pandas as pd

    from ..materials import _READ_NA

    src = str(path)
    try:
        if path.suffix.lower() == ".csv":
            text = path.read_text(encoding="utf-8-sig")
            kept = "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))
            df = pd.read_csv(io.StringIO(kept), skipinitialspace=True, dtype={"name": str}, **_READ_NA)
        elif path.suffix.lower() in (".xlsx", ".xlsm", ".xls"):
            xl = pd.ExcelFile(path)
            name = sheet or xl.sheet_names[0]
            if name not in xl.sheet_names:
                raise InputError([InputProblem(src, f"sheet {name!r}", "no such sheet; sheets: " + ", ".join(xl.sheet_names))])
            df = pd.read_excel(xl, sheet_name=name, **_READ_NA)
        else:
            raise InputError([InputProblem(src, "", "feed tables are .csv or .xlsx files")])
    except InputError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError([InputProblem(src, "", "the table is empty; add a header row and rows")]) from None
    except Exception as e:  # noqa: BLE001 - parser errors: reported, never a traceback
        raise InputError([InputProblem(src, "", f"cannot read the table: {clip(e, 300)}")]) from None
    df.columns = [str(c).strip() for c in df.columns]
    return df


def _read_sql(job, sql, kind: str):
    import pandas as pd
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    src = f"{redact(sql.url)} ({kind} query)"
    url = engine_url(sql.url)
    from .store_url import resolve_sqlite_url

    url = resolve_sqlite_url(url, job.base_dir)
    try:
        eng = create_engine(url, poolclass=NullPool)
    except Exception as e:  # noqa: BLE001 - bad URL or missing driver
        raise InputError([InputProblem(str(job.path), f"feeds.{kind}.sql.url", f"not a usable SQLAlchemy URL: {clip(e, 200)}")]) from None
    try:
        with eng.connect() as c:
            # read only: the database refuses writes for this transaction, which is rolled back anyway
            if eng.dialect.name == "postgresql":
                c.exec_driver_sql("SET TRANSACTION READ ONLY")
            elif eng.dialect.name == "sqlite":
                c.exec_driver_sql("PRAGMA query_only = ON")
            df = pd.read_sql_query(text(sql.query), c)
            c.rollback()
    except Exception as e:  # noqa: BLE001 - connection or query errors
        raise InputError([InputProblem(src, "query", f"the query failed: {clip(str(e).splitlines()[0] if str(e) else e, 300)}")]) from None
    finally:
        eng.dispose()
    df.columns = [str(c).strip() for c in df.columns]
    return df, src


def read_feed(job, kind: str):
    """Read the table of feed ``kind`` of ``job``: (DataFrame, source text, manifest entry).

    Raises InputError naming the job file's field (missing folder, no matching file) or the
    table's file (unreadable)."""
    feed = getattr(job.spec.feeds, kind)
    entry: dict = {"kind": kind}
    if feed.sql is not None:
        df, src = _read_sql(job, feed.sql, kind)
        entry.update(source="sql", url=redact(feed.sql.url), query=feed.sql.query)
    else:
        path = job.resolve(feed.file) if feed.file else _newest(job, feed, kind)
        if not path.is_file():
            raise InputError([InputProblem(str(job.path), f"feeds.{kind}.file", f"the file {path} does not exist; give "
                                           "its path relative to the job file")])
        df = _read_file(path, feed.sheet)
        src = str(path)
        entry.update(source="file", file=str(path), file_sha256=_sha256(path.read_bytes()))
    return df, src, entry


def _records(df, src: str, allowed: tuple[str, ...], kind: str) -> list[dict]:
    problems = []
    if "name" not in df.columns:
        raise InputError([InputProblem(src, "column 'name'", f"required column is missing (a {kind} table has name, "
                                       f"{', '.join(allowed[:4])} ...)")])
    for c in df.columns:
        if c != "name" and c not in allowed:
            problems.append(InputProblem(src, f"column {c!r}", f"not a column of a {kind} table; allowed: name, "
                                         + ", ".join(allowed[:12]) + (" ..." if len(allowed) > 12 else "")))
    if problems:
        raise InputError(problems)
    recs = []
    seen = set()
    for i, rec in enumerate(df.to_dict(orient="records")):
        row = f"row {i + 2}"
        name = rec.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(InputProblem(src, f"{row}, column name", "empty material name; fill it in or delete the row"))
            continue
        name = name.strip()
        if name in seen:
            problems.append(InputProblem(src, f"{row} ({name})", "material listed twice; keep one row"))
        seen.add(name)
        out = {"name": name}
        for c, v in rec.items():
            if c == "name":
                continue
            if isinstance(v, float) and math.isnan(v):
                continue  # an empty cell: this column is not given for this material
            if c == "price_basis":
                if v not in ("dry", "wet"):
                    problems.append(InputProblem(src, f"{row} ({name}), column {c}", "write dry or wet"))
                out[c] = v
                continue
            if isinstance(v, str):
                try:
                    v = float(v.strip())
                except ValueError:
                    problems.append(InputProblem(src, f"{row} ({name}), column {c}", f"{clip(repr(v), 40)} is not a "
                                                 "number; write the number (or leave the cell empty)"))
                    continue
            why = number_problem(v, c if kind != "analyses" else c + "_pct")
            if why is None and kind != "analyses" and v < 0:
                why = f"{v:g} is negative; write a value ≥ 0"
            if why:
                problems.append(InputProblem(src, f"{row} ({name}), column {c}", why))
                continue
            out[c] = float(v)
        recs.append(out)
    if problems:
        raise InputError(problems)
    return sorted(recs, key=lambda r: r["name"])


def _table_hash(recs: list[dict]) -> str:
    return _sha256(json.dumps(recs, sort_keys=True).encode())


def resolve_inputs(job, variant: str | None = None) -> ResolvedInputs:
    """Read the job's scenario, read its feeds, apply them and validate the result.

    Raises
    ------
    InputError
        The scenario, a feed or the scenario with the feeds applied is invalid (each problem with
        its file, field and fix).
    """
    from ..materials import ALL_ANALYSIS_COLUMNS, materials_from_records
    from ..scenario import Scenario, read_scenario_file

    spath = job.scenario_path
    data = read_scenario_file(spath)
    manifest: dict = {"scenario": {"file": str(spath), "sha256": _sha256(spath.read_bytes()), "variant": variant},
                      "feeds": {}}
    feeds = job.spec.feeds
    tables: dict[str, tuple[list[dict], str]] = {}
    problems: list[InputProblem] = []
    for kind, allowed in (("analyses", tuple(ALL_ANALYSIS_COLUMNS)), ("prices", PRICE_COLUMNS),
                          ("stocks", STOCK_COLUMNS)):
        if getattr(feeds, kind) is None:
            continue
        try:
            df, src, entry = read_feed(job, kind)
            recs = _records(df, src, allowed, kind)
        except InputError as e:
            problems.extend(e.problems)
            continue
        entry.update(rows=len(recs), sha256=_table_hash(recs))
        manifest["feeds"][kind] = entry
        tables[kind] = (recs, src)
    if problems:
        raise InputError(problems)

    data = copy.deepcopy(data)
    charge = data.get("charge")
    charged = set(charge) if isinstance(charge, dict) else set()

    def not_charged(src: str, name: str, kind: str) -> InputProblem:
        return InputProblem(src, f"{kind} row {name!r}", f"{name!r} is not charged in {spath.name}; remove the row or "
                            "add the material under charge:")

    for kind in ("prices", "stocks"):
        if kind not in tables:
            continue
        recs, src = tables[kind]
        for r in recs:
            if r["name"] not in charged:
                problems.append(not_charged(src, r["name"], kind))
                continue
            entry = dict(charge[r["name"]] or {})
            if kind == "stocks" and entry.get("fixed_kg_per_thm") is not None:
                problems.append(InputProblem(src, f"stocks row {r['name']!r}", f"{r['name']} has a fixed rate in "
                                             f"{spath.name} (fixed_kg_per_thm); a stock limit cannot apply to it"))
                continue
            entry.update({k: v for k, v in r.items() if k != "name"})
            charge[r["name"]] = entry
    analyses: dict = {}
    if "analyses" in tables:
        recs, src = tables["analyses"]
        try:  # the scenario as written, for the non-analysis columns of each material
            base = Scenario.from_dict(data, base_dir=spath.parent, source=str(spath), scenario=variant)
        except InputError:
            base = None
        if base is not None:
            known = {**base.materials, **{k: m for k, (m, _) in base.lost_burden.items()}}
            rows = []
            for r in recs:
                if r["name"] not in known:
                    problems.append(not_charged(src, r["name"], "analyses"))
                    continue
                rec = {k: v for k, v in known[r["name"]].to_record().items() if k not in ALL_ANALYSIS_COLUMNS}
                rec.update({k: v for k, v in r.items() if k != "name"})
                rows.append(rec)
                analyses[r["name"]] = {k: v for k, v in r.items() if k != "name"}
            if rows and not problems:
                try:
                    materials_from_records(rows, source=src)  # the checks of a material table, naming the feed file
                except InputError as e:
                    problems.extend(e.problems)
                mats = data.get("materials", ["default"])
                data["materials"] = (list(mats) if isinstance(mats, list) else [mats]) + [rows]
    if problems:
        raise InputError(problems)
    scn = Scenario.from_dict(data, base_dir=spath.parent, source=str(spath), scenario=variant)
    feed_hash = _sha256(json.dumps({k: v.get("sha256") for k, v in sorted(manifest["feeds"].items())}).encode())
    return ResolvedInputs(scn, manifest, analyses, feed_hash)
