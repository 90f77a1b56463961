"""Run metadata ("provenance") of every output: when, with what, from which files.

One small module so that every writer (``burden solve``'s ``result.json`` and
``summary.txt``, the report in HTML, PDF, Excel and JSON, a scheduled job)
states the same facts the same way:

* the run time in UTC, taken from ``SOURCE_DATE_EPOCH`` when that variable is
  set (the reproducible-builds convention,
  https://reproducible-builds.org/specs/source-date-epoch/), so that two runs
  with equal inputs and an equal ``SOURCE_DATE_EPOCH`` write byte-identical files;
* the versions of burden, HiGHS (``highspy``) and Python;
* the input files, each with its SHA-256: the scenario file and the material
  tables it reads (the packaged library for ``materials: [default]``);
* the scenario variant (``--scenario``) and the overrides it applied;
* the input hash of :func:`burden.scenario.input_hash` (what the model was fed,
  wherever the files lie), reused from the Solution's ``meta`` when there is one.

>>> from burden.provenance import run_metadata
>>> meta = run_metadata(scn)                    # doctest: +SKIP
>>> meta["run_utc"], meta["input_files"][0]["sha256"]   # doctest: +SKIP
('2026-11-29T22:10:00Z', '3f1c...')
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import platform
from pathlib import Path

from .errors import InputError, InputProblem

__all__ = ["run_metadata", "result_metadata", "run_time", "source_date_epoch", "file_sha256", "input_files",
           "versions", "metadata_rows"]

_UTC = _dt.timezone.utc


def source_date_epoch() -> _dt.datetime | None:
    """The time of ``SOURCE_DATE_EPOCH`` (seconds since 1970-01-01 UTC) as an aware UTC datetime, or None.

    Raises
    ------
    InputError
        The variable is set but is not a whole number of seconds (names the variable and the fix).
    """
    text = os.environ.get("SOURCE_DATE_EPOCH")
    if text is None or text.strip() == "":
        return None
    try:
        secs = int(text.strip())
        if secs < 0:
            raise ValueError
        return _dt.datetime.fromtimestamp(secs, tz=_UTC)
    except (ValueError, OverflowError, OSError):
        raise InputError([InputProblem("environment", "SOURCE_DATE_EPOCH",
                                       f"{text!r} is not a time; give whole seconds since 1970-01-01 UTC "
                                       "(e.g. $(date +%s)) or unset it")]) from None


def run_time(now: _dt.datetime | None = None) -> _dt.datetime:
    """The run time, aware UTC, whole seconds: ``SOURCE_DATE_EPOCH`` when set, else ``now``, else the clock."""
    t = source_date_epoch() or now or _dt.datetime.now(tz=_UTC)
    if t.tzinfo is None:
        t = t.replace(tzinfo=_UTC)
    return t.astimezone(_UTC).replace(microsecond=0)


def _iso(t: _dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def file_sha256(path: str | os.PathLike) -> str:
    """SHA-256 (hex) of a file's bytes, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _shown(p: Path, base: Path | None) -> str:
    """A path as shown: relative to the scenario's folder when it lies inside it, else as stored."""
    if base is not None:
        try:
            return p.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            pass
    return str(p)


def input_files(scenario) -> list[dict]:
    """The files a scenario was read from: ``[{"role", "path", "sha256", "bytes"}]``.

    ``role`` is ``scenario`` or ``material table``; the packaged library is shown as
    ``burden/data/materials.csv (packaged)``.  Material tables given in Python
    (DataFrames, dicts) have no file and are listed with ``sha256`` None. A scenario
    made in Python (source ``<python>``) lists only its tables.
    """
    out = []
    src = str(getattr(scenario, "source", "<python>"))
    base = None
    if src and not src.startswith("<") and Path(src).is_file():
        p = Path(src)
        base = p.parent
        out.append({"role": "scenario", "path": src, "sha256": file_sha256(p), "bytes": p.stat().st_size})
    for t in scenario.config.materials:
        if isinstance(t, str) and t == "default":
            from importlib import resources

            ref = resources.files("burden") / "data" / "materials.csv"
            data = ref.read_bytes()
            out.append({"role": "material table", "path": "burden/data/materials.csv (packaged)",
                        "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)})
        elif isinstance(t, (str, Path)):
            p = Path(t)
            if p.is_file():
                out.append({"role": "material table", "path": _shown(p, base), "sha256": file_sha256(p),
                            "bytes": p.stat().st_size})
            else:
                out.append({"role": "material table", "path": str(t), "sha256": None, "bytes": None})
        else:
            out.append({"role": "material table", "path": f"(given in Python: {type(t).__name__})",
                        "sha256": None, "bytes": None})
    return out


def versions() -> dict[str, str]:
    """Versions of burden, highspy (HiGHS) and Python (the ones that decide the numbers)."""
    from importlib import metadata

    from . import __version__

    def ver(dist):
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return ""

    return {"burden": __version__, "highspy": ver("highspy"), "python": platform.python_version()}


def _overrides(scenario) -> list[str]:
    v = getattr(scenario, "variant", None)
    if not v:
        return []
    named = scenario.config.scenarios.get(v)
    return list(named) if named else [v]


def run_metadata(scenario, *, now: _dt.datetime | None = None, input_hash: str | None = None) -> dict:
    """Run metadata of a scenario, a JSON-safe dict with stable key order.

    Parameters
    ----------
    scenario : Scenario
    now : datetime, optional
        The run time (default: the clock); ``SOURCE_DATE_EPOCH`` wins when set.
    input_hash : str, optional
        SHA-256 of the model input (default: :func:`burden.scenario.input_hash`).

    Returns
    -------
    dict
        ``run_utc`` (ISO 8601, ``Z``), ``source_date_epoch`` (bool: the time came from
        the variable), ``scenario``, ``variant``, ``overrides`` (applied, in order),
        ``input_hash``, ``input_files`` (see :func:`input_files`) and ``versions``.

    Raises
    ------
    InputError
        ``SOURCE_DATE_EPOCH`` is set but not a number of seconds.
    """
    if input_hash is None:
        from .scenario import input_hash as _hash

        input_hash = _hash(scenario)
    return {"run_utc": _iso(run_time(now)), "source_date_epoch": source_date_epoch() is not None,
            "scenario": scenario.name, "variant": scenario.variant, "overrides": _overrides(scenario),
            "input_hash": input_hash, "input_files": input_files(scenario), "versions": versions()}


_RUN_ATTR = "_burden_run_utc"


def result_metadata(result) -> dict:
    """:func:`run_metadata` of a Result: one run time per Result (the first time it is asked), so
    ``result.json``, ``summary.txt`` and every report format of one run state the same time;
    the input hash from the Solution's meta (which includes what hooks add)."""
    t = getattr(result, _RUN_ATTR, None)
    if t is None:
        t = run_time()
        try:
            setattr(result, _RUN_ATTR, t)
        except AttributeError:  # a frozen or slotted stand-in: no cache
            pass
    meta = getattr(result.output, "meta", {}) or {}
    d = run_metadata(result.scenario, now=t, input_hash=meta.get("input_hash"))
    # the versions the Solution recorded when it was solved win (a stored or unpickled Result)
    d["versions"].update({k: v for k, v in (meta.get("versions") or {}).items() if v})
    if result.nonlinear is not None:
        d["solver"] = f"{result.nonlinear.output.solver} (nonlinear) on HiGHS"
    else:
        d["solver"] = "HiGHS (LP)"
    return d


def run_datetime(meta: dict) -> _dt.datetime:
    """The run time of a metadata dict as an aware UTC datetime (for PDF and XLSX properties)."""
    return _dt.datetime.strptime(meta["run_utc"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=_UTC)


def metadata_rows(meta: dict) -> list[tuple[str, str]]:
    """The metadata as (field, text) rows for a table or a text block, in a fixed order."""
    rows = [("run time (UTC)", meta["run_utc"] + (" (from SOURCE_DATE_EPOCH)" if meta.get("source_date_epoch")
                                                  else ""))]
    rows.append(("scenario", meta["scenario"]))
    rows.append(("scenario variant", meta.get("variant") or "(base)"))
    rows.append(("overrides applied", ", ".join(meta.get("overrides") or []) or "none"))
    if meta.get("solver"):
        rows.append(("solver", meta["solver"]))
    v = meta.get("versions", {})
    rows.append(("versions", ", ".join(f"{k} {x}" for k, x in v.items() if x)))
    for f in meta.get("input_files", []):
        rows.append((f"{f['role']} file", f"{f['path']}" + (f" (SHA-256 {f['sha256']})" if f["sha256"] else
                                                             " (no file)")))
    rows.append(("input hash (SHA-256 of the model input)", meta.get("input_hash") or ""))
    return rows


def metadata_text(meta: dict) -> str:
    """The metadata as an aligned text block (for ``summary.txt``)."""
    rows = metadata_rows(meta)
    w = max(len(k) for k, _ in rows)
    return "\n".join(f"{k + ':':<{w + 1}} {v}" for k, v in rows)
