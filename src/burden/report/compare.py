"""Side-by-side comparison of runs (scenarios solved now, or ``result.json`` files of earlier solves).

A run is the plain dict of :meth:`burden.result.Result.to_dict` (what
``burden solve`` writes as ``result.json``), so stored runs and fresh solves
compare alike. This module never solves: the command line solves scenario
files and hands the Results over.

Tables (one row per quantity, one column per run, then the difference of each
run from the first): overview, burden (dry kg/tHM), hot metal (wt %), slag
(properties), binding limits (shadow prices). Cells that differ from the
first run are highlighted.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputError, InputProblem
from .content import Table

REL_TOL = 1e-6


@dataclass
class Run:
    """One column of a comparison: a label and the ``Result.to_dict()`` data."""

    label: str
    data: dict
    source: str = ""


def split_spec(spec: str) -> tuple[str, str | None]:
    """``"file.yaml:variant"`` -> ``("file.yaml", "variant")``; a plain existing path is kept whole."""
    if Path(spec).exists() or ":" not in spec:
        return spec, None
    path, _, name = spec.rpartition(":")
    return path, name or None


def is_run_file(path: str) -> bool:
    """True for a stored run (``.json``), False for a scenario file."""
    return Path(path).suffix.lower() == ".json"


def load_run(path: str | Path) -> Run:
    """Read a ``result.json`` written by ``burden solve``.

    Raises
    ------
    InputError
        Missing or unreadable file, not JSON, or not a result (names the file,
        the field and the fix).
    """
    p = Path(path)
    fix = "give a result.json written by `burden solve` (OUT/<scenario>/result.json) or a scenario file"
    if not p.is_file():
        raise InputError([InputProblem(str(path), "", f"no such file; {fix}")])
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError([InputProblem(str(path), f"line {getattr(e, 'lineno', '?')}",
                                       f"not valid JSON ({e.__class__.__name__}); {fix}")]) from None
    problems = []
    if not isinstance(data, dict):
        problems.append(InputProblem(str(path), "(top level)", f"is not a JSON object; {fix}"))
    else:
        for key, kind in (("scenario", str), ("status", str), ("tables", dict)):
            if not isinstance(data.get(key), kind):
                problems.append(InputProblem(str(path), key, f"missing or not a {kind.__name__}; {fix}"))
    if problems:
        raise InputError(problems)
    return Run(data["scenario"], data, str(path))


def run_from_result(result, source: str = "") -> Run:
    """A comparison run from a fresh Result."""
    return Run(result.scenario.name, result.to_dict(), source or str(result.scenario.source))


def _num(v) -> float:
    if v is None:
        return math.nan
    if isinstance(v, str):
        return math.inf if v == "inf" else (-math.inf if v == "-inf" else math.nan)
    return float(v)


def _records(run: Run, table: str, key: str) -> dict:
    return {r[key]: r for r in run.data.get("tables", {}).get(table, [])}


def _labels(runs: list[Run]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for r in runs:
        n = seen.get(r.label, 0)
        seen[r.label] = n + 1
        out.append(r.label if n == 0 else f"{r.label} ({n + 1})")
    return out


def _differs(a: float, b: float) -> bool:
    if math.isnan(a) and math.isnan(b):
        return False
    if math.isnan(a) or math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a != b
    return abs(a - b) > REL_TOL * max(1.0, abs(a), abs(b))


def _wide(name: str, title: str, rows: list[tuple[str, str, list[float]]], labels: list[str], unit_col: bool,
          unit: str = "", note: str = "") -> tuple[Table, list[list[bool]], list[bool]]:
    """A comparison table: label, (unit), one column per run, one difference column per later run.

    Returns the table, the mask of cells differing from the first run and, per row, whether any differs.
    """
    head = "[see unit]" if unit_col else f"[{unit}]"
    recs = []
    mask = []
    for q, u, vals in rows:
        rec = {"quantity": q}
        if unit_col:
            rec["unit"] = u
        m = [False] * (2 if unit_col else 1)
        for lab, v in zip(labels, vals):
            rec[f"{lab} {head}"] = v
        m += [False] + [_differs(vals[0], v) for v in vals[1:]]
        for lab, v in zip(labels[1:], vals[1:]):
            rec[f"{lab} - {labels[0]} {head}"] = v - vals[0] if math.isfinite(v) and math.isfinite(vals[0]) else math.nan
        m += [_differs(vals[0], v) for v in vals[1:]]
        recs.append(rec)
        mask.append(m)
    df = pd.DataFrame(recs)
    if df.empty:
        df = pd.DataFrame(columns=["quantity"] + (["unit"] if unit_col else []) + [f"{lab} {head}" for lab in labels])
    changed = [any(m) for m in mask]
    return Table(name, title, df, note=note, highlight=None), mask if mask else [], changed


def compare_runs(runs: list[Run]) -> list[tuple[Table, list[list[bool]]]]:
    """Comparison tables of two or more runs, each with its mask of cells that differ from the first run."""
    if len(runs) < 2:
        raise InputError([InputProblem("compare", "runs", "give at least two scenarios or result.json files")])
    labels = _labels(runs)
    cur = runs[0].data.get("currency", "")
    out = []

    def table_rows(table, key, field, order=None):
        recs = [_records(r, table, key) for r in runs]
        keys = list(dict.fromkeys(k for rec in recs for k in rec))
        return [(k, [_num(rec[k].get(field)) if k in rec else math.nan for rec in recs]) for k in keys]

    # overview
    def val(run, table, key, row, field):
        return _num(_records(run, table, key).get(row, {}).get(field))

    ov = [("cost", f"{cur}/tHM", [_num(r.data.get("objective_per_thm")) for r in runs]),
          ("production", "t/day", [_num(r.data.get("production_t_per_day")) for r in runs]),
          ("slag rate", "kg/tHM", [val(r, "slag_properties", "property", "rate_kg_per_thm", "value") for r in runs]),
          ("B2 = CaO/SiO2", "-", [val(r, "slag_properties", "property", "B2", "value") for r in runs]),
          ("hot metal Si", "wt %", [val(r, "hot_metal", "element", "Si", "pct") for r in runs]),
          ("fuel (coke + injectant, dry)", "kg/tHM",
           [sum(_num(x.get("dry_kg_per_thm")) for x in r.data.get("tables", {}).get("burden", [])
                if x.get("class") in ("coke", "injectant")) if r.data.get("tables", {}).get("burden") else math.nan
            for r in runs])]
    t, m, ch = _wide("overview", "Overview", ov, labels, unit_col=True)
    status = pd.DataFrame([{"quantity": "status", "unit": "", **{c: None for c in t.df.columns[2:]}}])
    for lab, r in zip(labels, runs):
        status.loc[0, f"{lab} [see unit]"] = r.data.get("status")
    t.df = pd.concat([status.astype(object), t.df.astype(object)], ignore_index=True)
    st = [r.data.get("status") for r in runs]
    m = [[False, False, False] + [s != st[0] for s in st[1:]] + [False] * (len(runs) - 1)] + m
    t.highlight = [any(x) for x in m]
    out.append((t, m))

    rows = table_rows("burden", "material", "dry_kg_per_thm")
    t, m, ch = _wide("burden", "Burden, dry", [(k, "kg/tHM", v) for k, v in rows], labels, unit_col=False,
                     unit="kg/tHM")
    t.highlight = ch
    out.append((t, m))
    rows = table_rows("hot_metal", "element", "pct")
    t, m, ch = _wide("hot_metal", "Hot metal", [(k, "wt %", v) for k, v in rows], labels, unit_col=False, unit="wt %")
    t.highlight = ch
    out.append((t, m))
    recs = [_records(r, "slag_properties", "property") for r in runs]
    keys = list(dict.fromkeys(k for rec in recs for k in rec))
    units = {k: next(rec[k].get("unit", "") for rec in recs if k in rec) for k in keys}
    rows = [(k, units[k], [_num(rec[k].get("value")) if k in rec else math.nan for rec in recs]) for k in keys]
    t, m, ch = _wide("slag_properties", "Slag", rows, labels, unit_col=True)
    t.highlight = ch
    out.append((t, m))
    # binding limits: shadow price where binding (nan where not)
    recs = [_records(r, "constraints", "name") for r in runs]
    keys = list(dict.fromkeys(k for rec in recs for k in rec
                              if rec[k].get("binding") and rec[k].get("kind") != "balance"))
    rows = [(k, f"{cur}/tHM per unit", [_num(rec[k].get("shadow_price_per_unit")) if k in rec and rec[k].get("binding")
                                        else math.nan for rec in recs]) for k in keys]
    t, m, ch = _wide("binding", "Binding limits: shadow price (blank: not binding)", rows, labels, unit_col=False,
                     unit=f"{cur}/tHM per unit")
    t.highlight = ch
    out.append((t, m))
    return out


def render_text(runs: list[Run], tables=None, colour: bool = False) -> str:
    """The comparison as fixed-width text; differing cells end with ``*`` (and are bold yellow with ``colour``)."""
    from .html import fmt

    tables = tables or compare_runs(runs)
    lines = ["Comparison: " + " | ".join(f"{lab} ({r.source})" for lab, r in zip(_labels(runs), runs)), ""]
    for t, mask in tables:
        lines.append(t.title)
        cols = list(t.df.columns)
        cells = [[fmt(v) + ("*" if mask and mask[i][j] else "") for j, v in enumerate(row)]
                 for i, row in enumerate(t.df.itertuples(index=False, name=None))]
        w = [max([len(str(c))] + [len(r[j]) for r in cells]) for j, c in enumerate(cols)]
        lines.append("  ".join(str(c).ljust(w[j]) if j == 0 else str(c).rjust(w[j]) for j, c in enumerate(cols)))
        for r in cells:
            parts = []
            for j, s in enumerate(r):
                s2 = s.ljust(w[j]) if j == 0 else s.rjust(w[j])
                if colour and s.endswith("*"):
                    s2 = f"\x1b[1;33m{s2}\x1b[0m"
                parts.append(s2)
            lines.append("  ".join(parts))
        lines.append("")
    lines.append("* differs from the first run")
    return "\n".join(lines)


def render_compare_html(runs: list[Run], tables=None) -> str:
    """The comparison as a self-contained HTML page (differing cells highlighted)."""
    import html as _html

    from .html import page, table_html

    tables = tables or compare_runs(runs)
    e = _html.escape
    labels = _labels(runs)
    title = "Comparison: " + " vs ".join(labels)
    body = [f"<header><h1>{e(title)}</h1><ul>"]
    body += [f"<li><b>{e(lab)}</b>: {e(r.source)} (status {e(str(r.data.get('status')))})</li>"
             for lab, r in zip(labels, runs)]
    body.append("</ul><p class=\"note\">Highlighted cells differ from the first run (relative tolerance "
                f"{REL_TOL:g}); difference columns are run minus first run.</p></header>")
    for t, mask in tables:
        body.append(f"<section><h2>{e(t.title)}</h2>{table_html(t, diff_mask=mask)}</section>")
    return page(title, "\n".join(body))


def render_compare_json(runs: list[Run], tables=None) -> str:
    """The comparison tables as deterministic JSON."""
    from .excel import clean

    tables = tables or compare_runs(runs)
    d = {"format": "burden-comparison", "runs": [{"label": lab, "source": r.source, "status": r.data.get("status")}
                                                 for lab, r in zip(_labels(runs), runs)],
         "tables": {t.name: {"title": t.title, "columns": [str(c) for c in t.df.columns],
                             "data": [[clean(v) for v in row] for row in t.df.itertuples(index=False, name=None)],
                             "differs": mask} for t, mask in tables}}
    return json.dumps(d, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
