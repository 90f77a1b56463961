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


def tolerance(unit: str = "", currency: str = "") -> float | None:
    """Absolute tolerance of a comparison in ``unit``: half a step of the last decimal the report
    shows for the unit (:mod:`burden.report.style`: 0.05 kg/tHM, 0.0005 wt %, 0.005 USD/tHM);
    None for a unit outside the formatting table (then :data:`REL_TOL`, relative)."""
    from .style import decimals

    d = decimals(unit if unit else "-", currency)  # a unit left blank is a ratio (B2)
    return None if d is None else 0.5 * 10.0 ** (-d)


def _differs(a: float, b: float, unit: str = "", currency: str = "") -> bool:
    """True when ``b`` differs from ``a`` by more than the tolerance of the unit (a difference
    that shows in the report's numbers), or by more than :data:`REL_TOL` relative for other units."""
    if math.isnan(a) and math.isnan(b):
        return False
    if math.isnan(a) or math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a != b
    tol = tolerance(unit, currency)
    if tol is not None:
        return abs(a - b) >= tol * (1 - 1e-9)
    return abs(a - b) > REL_TOL * max(1.0, abs(a), abs(b))


def _wide(name: str, title: str, rows: list[tuple[str, str, list[float]]], labels: list[str], unit_col: bool,
          unit: str = "", note: str = "", currency: str = "") -> tuple[Table, list[list[bool]], list[bool]]:
    """A comparison table: label, (unit), one column per run, one difference column per later run.

    Returns the table, the mask of cells differing from the first run and, per row, whether any differs.
    """
    from .style import round_to_unit

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
        m += [False] + [_differs(vals[0], v, u, currency) for v in vals[1:]]
        for lab, v in zip(labels[1:], vals[1:]):
            # rounded to the decimals the unit shows: float noise (-5.68e-14) is 0 (report.style)
            rec[f"{lab} - {labels[0]} {head}"] = (round_to_unit(v - vals[0], u, currency)
                                                  if math.isfinite(v) and math.isfinite(vals[0]) else math.nan)
        m += [_differs(vals[0], v, u, currency) for v in vals[1:]]
        recs.append(rec)
        mask.append(m)
    df = pd.DataFrame(recs)
    if df.empty:
        df = pd.DataFrame(columns=["quantity"] + (["unit"] if unit_col else []) + [f"{lab} {head}" for lab in labels])
    changed = [any(m) for m in mask]
    return Table(name, title, df, note=note, highlight=None, currency=currency), mask if mask else [], changed


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
    t, m, ch = _wide("overview", "Overview", ov, labels, unit_col=True, currency=cur)
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
                     unit="kg/tHM", currency=cur)
    t.highlight = ch
    out.append((t, m))
    rows = table_rows("hot_metal", "element", "pct")
    t, m, ch = _wide("hot_metal", "Hot metal", [(k, "wt %", v) for k, v in rows], labels, unit_col=False, unit="wt %",
                     currency=cur)
    t.highlight = ch
    out.append((t, m))
    recs = [_records(r, "slag_properties", "property") for r in runs]
    keys = list(dict.fromkeys(k for rec in recs for k in rec))
    units = {k: next(rec[k].get("unit", "") for rec in recs if k in rec) for k in keys}
    from .content import PRETTY_PROPERTY

    rows = [(PRETTY_PROPERTY.get(k, (k,))[0], units[k], [_num(rec[k].get("value")) if k in rec else math.nan
                                                          for rec in recs]) for k in keys]
    t, m, ch = _wide("slag_properties", "Slag", rows, labels, unit_col=True, currency=cur)
    t.highlight = ch
    out.append((t, m))
    # binding limits: shadow price where binding (nan where not)
    recs = [_records(r, "constraints", "name") for r in runs]
    keys = list(dict.fromkeys(k for rec in recs for k in rec
                              if rec[k].get("binding") and rec[k].get("kind") != "balance"))
    def limit_label(k):  # "slag.B2.max" -> "B2 = CaO/SiO2 (max)": the engineer's name of the quantity
        q = next((rec[k].get("quantity") for rec in recs if k in rec and rec[k].get("quantity")), None)
        end = k.rsplit(".", 1)[-1] if k.endswith((".min", ".max", ".fixed")) else ""
        return f"{q} ({end})" if q and end else (q or k)

    rows = [(limit_label(k), f"{cur}/tHM per unit", [_num(rec[k].get("shadow_price_per_unit"))
                                                     if k in rec and rec[k].get("binding") else math.nan
                                                     for rec in recs]) for k in keys]
    t, m, ch = _wide("binding", "Binding limits: shadow price (blank: not binding)", rows, labels, unit_col=False,
                     unit=f"{cur}/tHM per unit", currency=cur)
    t.highlight = ch
    out.append((t, m))
    return out


#: Widest line of the terminal comparison (characters); wider tables are paged by columns.
TEXT_WIDTH = 100


def _column_pages(widths: list[int], fixed: int, width: int = TEXT_WIDTH, gap: int = 2) -> list[list[int]]:
    """Column index pages that fit ``width`` characters, each starting with the ``fixed`` label columns."""
    head = list(range(fixed))
    base = sum(widths[j] + gap for j in head)
    pages, cur, used = [], [], base
    for j in range(fixed, len(widths)):
        if cur and used + widths[j] + gap > width:
            pages.append(head + cur)
            cur, used = [], base
        cur.append(j)
        used += widths[j] + gap
    if cur or not pages:
        pages.append(head + cur)
    return pages


def render_text(runs: list[Run], tables=None, colour: bool = False, width: int = TEXT_WIDTH) -> str:
    """The comparison as fixed-width text at most ``width`` characters wide: numbers with the
    decimals of their unit (:mod:`burden.report.style`), differing cells end with ``*`` (bold
    yellow with ``colour``); a table wider than ``width`` is paged by columns, each page
    repeating the quantity (and unit) column.  Runs are listed once, numbered, with their source."""
    import textwrap

    from .style import column_unit, fmt_value

    tables = tables or compare_runs(runs)
    labels = _labels(runs)
    lines = ["Comparison of runs:"]
    for k, (lab, r) in enumerate(zip(labels, runs)):
        lines += textwrap.wrap(f"({k + 1}) {lab}: {r.source} ({r.data.get('status')})", width,
                               initial_indent="  ", subsequent_indent="      ", break_on_hyphens=False)
    lines.append("")
    for t, mask in tables:
        cols = [str(c) for c in t.df.columns]
        units = t.units()
        cells = [[fmt_value(v, units[i][j], t.currency) + ("*" if mask and mask[i][j] else "")
                  for j, v in enumerate(row)] for i, row in enumerate(t.df.itertuples(index=False, name=None))]
        fixed = 2 if "unit" in cols else 1
        # runs by their number (listed above): "(2)" and "(2)-(1)", the unit in the title
        n = len(runs)
        heads = [[c] for c in cols[:fixed]] + [[f"({k + 1})"] for k in range(min(n, len(cols) - fixed))]
        heads += [[f"({k + 2})-(1)"] for k in range(len(cols) - fixed - n)]
        unit = column_unit(cols[fixed]) if len(cols) > fixed else None
        title = t.title + (f" [{unit}]" if unit and unit != "see unit" else "")
        w = [max([len(x) for x in heads[j]] + [len(r[j]) for r in cells]) for j in range(len(cols))]
        w = [min(x, width - 10) for x in w]
        pages = _column_pages(w, fixed, width)
        for p, page_cols in enumerate(pages):
            lines.append(title + (f" (columns {p + 1}/{len(pages)})" if len(pages) > 1 else ""))
            for k in range(max(len(heads[j]) for j in page_cols)):
                lines.append("  ".join((heads[j][k] if k < len(heads[j]) else "").ljust(w[j]) if j < fixed else
                                       (heads[j][k] if k < len(heads[j]) else "").rjust(w[j]) for j in page_cols)
                             .rstrip())
            for r in cells:
                parts = []
                for j in page_cols:
                    s_ = r[j][: w[j]]
                    s2 = s_.ljust(w[j]) if j < fixed else s_.rjust(w[j])
                    if colour and s_.endswith("*"):
                        s2 = f"\x1b[1;33m{s2}\x1b[0m"
                    parts.append(s2)
                lines.append("  ".join(parts).rstrip())
            lines.append("")
    lines.append("* differs from the first run by more than the unit's tolerance (half the last decimal shown)")
    return "\n".join(lines)


def compare_figures(runs: list[Run]) -> list:
    """Comparison charts (burden and cost side by side): grouped bars of each material's dry rate
    per run and stacked bars of the cost by material class per run. Returns matplotlib figures."""
    import numpy as np

    from .plots import CLASS_COLOURS, _figure, _plain_text
    from .style import fmt_value, short_labels

    labels = short_labels(_labels(runs), 20)  # long names cut in the middle; full in the tables
    cur = runs[0].data.get("currency", "")

    @_plain_text
    def burden_fig():
        recs = [_records(r, "burden", "material") for r in runs]
        mats = [k for k in dict.fromkeys(k for rec in recs for k in rec)
                if any(_num(rec.get(k, {}).get("dry_kg_per_thm")) > 5e-7 for rec in recs)]
        fig = _figure(6.0, 0.3 * len(mats) * min(len(runs), 4) ** 0.5 + 1.6 + 0.2 * ((len(runs) + 3) // 4))
        ax = fig.add_subplot()
        h = 0.8 / len(runs)
        y = np.arange(len(mats))[::-1]
        for k, (lab, rec) in enumerate(zip(labels, recs)):
            vals = [_num(rec.get(m, {}).get("dry_kg_per_thm")) for m in mats]
            ax.barh(y + 0.4 - h * (k + 0.5), np.nan_to_num(vals), height=h, label=lab)
        ax.set_yticks(y, short_labels(mats))
        ax.set_xlabel("dry rate [kg/tHM]")
        ax.set_title("Burden per run (dry)")
        fig.legend(loc="outside lower center", ncols=min(len(runs), 4), fontsize=7, frameon=False)
        return fig

    @_plain_text
    def cost_fig():
        recs = [_records(r, "costs", "class") for r in runs]
        classes = list(dict.fromkeys(k for rec in recs for k in rec if k != "total"))
        fig = _figure(6.0, 3.8)
        ax = fig.add_subplot()
        x = np.arange(len(runs))
        bottom = np.zeros(len(runs))
        for c in classes:
            vals = np.nan_to_num([_num(rec.get(c, {}).get("cost_per_thm")) for rec in recs])
            ax.bar(x, vals, bottom=bottom, color=CLASS_COLOURS.get(c, "#777"), label=c, width=0.6)
            bottom += vals
        for xi, r in zip(x, runs):
            v = _num(r.data.get("objective_per_thm"))
            if math.isfinite(v):
                ax.text(xi, v, fmt_value(v, f"{cur}/tHM", cur), ha="center", va="bottom", fontsize=7.5)
        ax.set_xticks(x, labels, rotation=20 if len(runs) > 2 else 0, ha="right" if len(runs) > 2 else "center",
                      rotation_mode="anchor" if len(runs) > 2 else "default")
        ax.set_ylabel(f"cost [{cur}/tHM]")
        ax.set_ylim(0, max(float(bottom.max()), 1.0) * 1.12)
        ax.set_title("Cost per run, by material class")
        fig.legend(loc="outside right center", fontsize=7, frameon=False)  # never over the bars
        return fig

    return [("burden", burden_fig()), ("cost", cost_fig())]


def render_compare_html(runs: list[Run], tables=None) -> str:
    """The comparison as a self-contained HTML page (differing cells highlighted)."""
    import html as _html

    from .html import page, table_html

    tables = tables or compare_runs(runs)
    e = _html.escape
    labels = _labels(runs)
    title = "Comparison: " + " vs ".join(labels)
    body = [f"<header><h1>{e(title)}</h1><ul>"]
    body += [f"<li><b>{e(lab)}</b>: {e(r.source)} (status {e(str(r.data.get('status')))}"
             + (f"; run {e(r.data['run']['run_utc'])} UTC" if isinstance(r.data.get("run"), dict)
                and r.data["run"].get("run_utc") else "") + ")</li>"
             for lab, r in zip(labels, runs)]
    body.append("</ul><p class=\"note\">Highlighted cells differ from the first run by more than the "
                "tolerance of their unit (half the last decimal shown: 0.05 kg/tHM, 0.0005 wt %, half a cent "
                f"per tHM; {REL_TOL:g} relative for other units); difference columns are run minus first run."
                "</p></header>")
    ok = [r for r in runs if r.data.get("status") == "optimal" and r.data.get("tables", {}).get("burden")]
    if len(ok) == len(runs):
        from .plots import inline_svg, svg_text

        figs = compare_figures(runs)
        body.append('<section id="s-charts"><h2>Charts</h2><div style="display:flex;flex-wrap:wrap;gap:12px">'
                    + "".join(f'<figure id="f-{n}" style="flex:1 1 480px;margin:0">{inline_svg(svg_text(f), "f-" + n)}'
                              f"</figure>" for n, f in figs) + "</div></section>")
    for t, mask in tables:
        body.append(f"<section><h2>{e(t.title)}</h2>{table_html(t, diff_mask=mask)}</section>")
    return page(title, "\n".join(body), _compared_at())


def _compared_at() -> dict:
    """When the comparison was made (UTC; ``SOURCE_DATE_EPOCH`` when set) and with which versions."""
    from ..provenance import run_time, versions

    return {"run_utc": run_time().strftime("%Y-%m-%dT%H:%M:%SZ"), "versions": versions()}


def render_compare_json(runs: list[Run], tables=None) -> str:
    """The comparison tables as deterministic JSON."""
    from .excel import clean

    tables = tables or compare_runs(runs)
    d = {"format": "burden-comparison", "compared": _compared_at(),
         "runs": [{"label": lab, "source": r.source, "status": r.data.get("status"),
                   "run_utc": (r.data.get("run") or {}).get("run_utc"),
                   "input_hash": (r.data.get("run") or {}).get("input_hash")}
                  for lab, r in zip(_labels(runs), runs)],
         "tables": {t.name: {"title": t.title, "columns": [str(c) for c in t.df.columns],
                             "data": [[clean(v) for v in row] for row in t.df.itertuples(index=False, name=None)],
                             "differs": mask} for t, mask in tables}}
    return json.dumps(d, indent=1, ensure_ascii=False, allow_nan=False) + "\n"
