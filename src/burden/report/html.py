"""Self-contained HTML of a report: inline CSS, inline SVG, no external assets, no timestamps."""

from __future__ import annotations

import html as _html

import numpy as np

from .content import Figure, Report, Table
from .plots import inline_svg
from .style import fmt_value

CSS = """
body{font-family:"DejaVu Sans",Verdana,Arial,sans-serif;font-size:13px;color:#222;margin:24px auto;max-width:1200px;
padding:0 16px;line-height:1.35}
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;border-bottom:2px solid #8c564b;padding-bottom:2px;margin-top:28px}
.meta{color:#555}nav ul{columns:3;list-style:none;padding-left:0}nav a{color:#1f4e79;text-decoration:none}
table{border-collapse:collapse;margin:6px 0 2px 0;font-size:12px}caption{text-align:left;font-weight:bold;
padding:4px 0;font-size:13px}th,td{border:1px solid #ccc;padding:2px 6px}th{background:#f1ece8;vertical-align:bottom}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}tr.binding td{background:#fde2e1}
tr.total td{font-weight:bold;border-top:2px solid #888}
.note{color:#555;font-size:11.5px;margin:2px 0 14px 0;max-width:900px}.wrap{overflow-x:auto}
figure{margin:10px 0 18px 0}figure svg{max-width:100%;height:auto}figure.wide svg{width:100%}figcaption{color:#555;font-size:11.5px}
pre.explain{background:#fff4e5;border:1px solid #f0c36d;padding:8px;white-space:pre-wrap}
.warn{color:#8a4b00}footer{margin-top:30px;color:#777;font-size:11px;border-top:1px solid #ddd;padding-top:6px}
td.diff{background:#fff3b0;font-weight:bold}
"""


def fmt(v, unit: str | None = None, currency: str = "") -> str:
    """A table cell as text with the decimals of its unit (the one formatting table,
    :mod:`burden.report.style`); NaN as '–', infinities as '∞', booleans yes/blank."""
    return fmt_value(v, unit, currency)


def _is_num(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def table_html(t: Table, diff_mask=None) -> str:
    """One table as HTML (``diff_mask``: optional 2-D booleans of cells to highlight)."""
    e = _html.escape
    out = [f'<div class="wrap"><table id="t-{e(t.name)}"><caption>{e(t.title)}</caption><thead><tr>']
    out += [f"<th>{e(str(c))}</th>" for c in t.df.columns]
    out.append("</tr></thead><tbody>")
    units = t.units()
    for i, row in enumerate(t.df.itertuples(index=False, name=None)):
        cls = []
        if t.highlight is not None and t.highlight[i]:
            cls.append("binding")
        if str(row[0]) == "total":
            cls.append("total")
        out.append(f'<tr class="{" ".join(cls)}">' if cls else "<tr>")
        for j, v in enumerate(row):
            c = ["num"] if _is_num(v) else []
            if diff_mask is not None and diff_mask[i][j]:
                c.append("diff")
            out.append((f'<td class="{" ".join(c)}">' if c else "<td>") + e(fmt(v, units[i][j], t.currency)) + "</td>")
        out.append("</tr>")
    out.append("</tbody></table></div>")
    if t.note:
        out.append(f'<p class="note">{e(t.note)}</p>')
    return "".join(out)


def figure_html(f: Figure) -> str:
    e = _html.escape
    cap = f"<figcaption>{e(f.title)}" + (f": {e(f.caption)}" if f.caption else "") + "</figcaption>"
    wide = ' class="wide"' if f.wide else ""
    return f'<figure id="f-{e(f.name)}"{wide}>{inline_svg(f.svg, "f-" + f.name)}{cap}</figure>'


def page(title: str, body: str, run: dict | None = None) -> str:
    """A complete HTML document with the inline stylesheet (``run``: run metadata for the footer)."""
    from .. import __version__

    e = _html.escape
    when = ""
    if run:
        v = run.get("versions", {})
        when = (f" Run {e(run['run_utc'])} UTC with " + e(", ".join(f"{k} {x}" for k, x in v.items() if x))
                + (f"; input hash {e(str(run.get('input_hash'))[:12])}" if run.get("input_hash") else "") + ".")
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta name=\"generator\" content=\"burden {e(__version__)}\">\n<title>{e(title)}</title>\n"
            f"<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
            f"<footer>Written by burden {e(__version__)}.{when} Self-contained: no external files or scripts."
            "</footer>\n</body>\n</html>\n")


def render_html(rep: Report) -> str:
    """The report as one self-contained HTML document (deterministic)."""
    e = _html.escape
    m = rep.meta
    parts = [f"<header><h1>{e(rep.title)}</h1>",
             f'<p class="meta">{e(m["description"])}<br>File: {e(m["source"])} · status: <b>{e(m["status"])}</b>'
             + (f' · cost <b>{fmt(m["objective_per_thm"], "CUR/tHM")} {e(m["currency"])}/tHM</b>' if m["objective_per_thm"]
                is not None else "") + f' · production {fmt(m["production_t_per_day"], "t/day")} t/day'
             + (f'<br>Run {e(m["run"]["run_utc"])} UTC · burden {e(m["run"]["versions"]["burden"])}'
                if m.get("run") else "") + '</p></header>']
    parts.append("<nav><ul>" + "".join(f'<li><a href="#s-{e(s.key)}">{e(s.title)}</a></li>' for s in rep.sections)
                 + "</ul></nav>")
    if m["explanation"]:
        parts.append(f'<pre class="explain">{e(m["explanation"])}</pre>')
    for w in m["warnings"]:
        parts.append(f'<p class="warn">warning: {e(w)}</p>')
    for s in rep.sections:
        parts.append(f'<section id="s-{e(s.key)}"><h2>{e(s.title)}</h2>')
        if s.intro:
            parts.append(f'<p class="note">{e(s.intro)}</p>')
        for it in s.items:
            parts.append(table_html(it) if isinstance(it, Table) else figure_html(it))
        parts.append("</section>")
    return page(rep.title, "\n".join(parts), m.get("run"))
