"""Plots of a report, drawn with matplotlib (Agg, no pyplot state).

Each ``*_figure`` function returns a :class:`matplotlib.figure.Figure`;
:func:`svg_text` turns it into deterministic SVG (fixed hash salt, no date,
text kept as text) and :func:`png_bytes` into a PNG for the PDF.

Figures: burden composition, limits (each quantity in its window, binding
ones marked), cost waterfall, CaO-SiO2-Al2O3 ternary with the slag point
(MgO noted), and the Rist diagram when the Result carries Rist points.
"""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pandas as pd

#: Colours of the material classes (the same in every plot).
CLASS_COLOURS = {"ferrous": "#8c564b", "flux": "#bcbd22", "coke": "#404040", "injectant": "#1f77b4",
                 "lost_burden": "#9467bd", "total": "#2ca02c"}
BINDING = "#d62728"
OK = "#1f77b4"
WINDOW = "#cfe8cf"
_RC = {"svg.hashsalt": "burden-report", "svg.fonttype": "none", "font.size": 8.5, "axes.titlesize": 10,
       "font.family": "DejaVu Sans", "path.simplify": True, "text.parse_math": False}
#: Text is drawn as written: a ``$`` in a name or currency ("US$", "$x^$") is a dollar sign, never
#: matplotlib mathtext (which would drop the signs or fail to parse). Set while figures are drawn
#: (texts take it when made) and while they are saved (tick labels are made then).
_PLAIN_TEXT = {"text.parse_math": False}


def _plain_text(draw):
    """Draw a figure with ``$`` taken literally (see ``_PLAIN_TEXT``)."""
    import functools

    @functools.wraps(draw)
    def wrapper(*args, **kwargs):
        import matplotlib

        with matplotlib.rc_context(_PLAIN_TEXT):
            return draw(*args, **kwargs)

    return wrapper


def _figure(w: float, h: float, layout: str | None = "constrained"):
    # a bare Figure renders with the Agg/SVG canvases and needs no pyplot (no global state)
    from matplotlib.figure import Figure

    return Figure(figsize=(w, h), dpi=100, layout=layout)


def svg_text(fig) -> str:
    """Deterministic SVG of a figure (no date, fixed ids, text as text)."""
    import matplotlib

    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "burden"})
    return buf.getvalue()


def png_bytes(fig, dpi: int = 150) -> bytes:
    """PNG of a figure (for the PDF)."""
    import matplotlib

    buf = io.BytesIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None})
    return buf.getvalue()


def inline_svg(svg: str, prefix: str) -> str:
    """SVG fit for inlining in HTML: no XML prolog, DOCTYPE or metadata; ids prefixed to stay unique."""
    s = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    s = re.sub(r"<!DOCTYPE[^>]*>\s*", "", s)
    s = re.sub(r"<metadata>.*?</metadata>\s*", "", s, flags=re.S)
    s = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}-{m.group(1)}"', s)
    s = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}-{m.group(1)})", s)
    s = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}-{m.group(1)}"', s)
    return s.strip()


# ----------------------------------------------------------------- figures
@_plain_text
def burden_figure(result):
    """Horizontal bars of the dry rate of each charged material, kg/tHM, coloured by class."""
    b = result.burden
    b = b[b["dry_kg_per_thm"] > 5e-7]
    fig = _figure(7.0, 0.35 * len(b) + 1.0)
    ax = fig.add_subplot()
    y = np.arange(len(b))[::-1]
    ax.barh(y, b["dry_kg_per_thm"], color=[CLASS_COLOURS.get(c, "#777") for c in b["class"]])
    for yi, (k, r) in zip(y, b.iterrows()):
        lab = f"{r.dry_kg_per_thm:.1f}"
        if not math.isnan(r.pct_of_ferrous):
            lab += f" ({r.pct_of_ferrous:.1f} % of ferrous)"
        ax.text(r.dry_kg_per_thm, yi, " " + lab, va="center", fontsize=8)
    ax.set_yticks(y, list(b.index))
    ax.set_xlabel("dry rate [kg/tHM]")
    ax.set_xlim(0, float(b["dry_kg_per_thm"].max()) * 1.45)
    ax.set_title("Burden composition (dry)")
    from matplotlib.patches import Patch

    classes = list(dict.fromkeys(b["class"]))
    ax.legend([Patch(color=CLASS_COLOURS.get(c, "#777")) for c in classes], classes, loc="lower right", fontsize=8)
    return fig


@_plain_text
def limits_figure(limits: pd.DataFrame):
    """One strip per limited quantity: its window shaded, the value marked (red when binding).

    ``limits`` is :func:`burden.report.content.limits_frame`; fixed rates
    (min = max) are left out.
    """
    rows = [r for _, r in limits.iterrows()
            if not (np.isfinite(r["min [see unit]"]) and r["min [see unit]"] == r["max [see unit]"])
            and (np.isfinite(r["min [see unit]"]) or np.isfinite(r["max [see unit]"]))]
    n = max(len(rows), 1)
    h = 0.42 * n + 0.8
    fig = _figure(7.5, h, layout=None)  # fixed margins: constrained layout of many strips is slow
    axes = fig.subplots(n, 1, squeeze=False)[:, 0]
    fig.subplots_adjust(left=0.34, right=0.72, top=1 - 0.45 / h, bottom=0.3 / h, hspace=1.1)
    for ax, r in zip(axes, rows):
        v, lo, hi = float(r["value [see unit]"]), float(r["min [see unit]"]), float(r["max [see unit]"])
        pts = [p for p in (v, lo, hi) if np.isfinite(p)]
        left, right = min(pts), max(pts)
        if np.isfinite(hi) and not np.isfinite(lo) and left >= 0:
            left = 0.0
        span = right - left or max(abs(right), 1.0) * 0.2
        left, right = (left if left == 0 else left - 0.15 * span), right + 0.15 * span
        a = lo if np.isfinite(lo) else left
        z = hi if np.isfinite(hi) else right
        ax.axvspan(a, z, color=WINDOW, lw=0)
        for e in (lo, hi):
            if np.isfinite(e):
                ax.axvline(e, color="#2ca02c", lw=1.2)
        col = BINDING if r["binding"] else OK
        ax.plot([v], [0.5], marker="D" if r["binding"] else "o", color=col, ms=6)
        ax.set_xlim(left, right)
        ax.set_ylim(0, 1)
        ax.set_yticks([])
        ax.tick_params(axis="x", labelsize=7, length=2, pad=1)
        unit = r["unit"]
        ax.set_ylabel(f"{r['quantity']} [{unit}]", rotation=0, ha="right", va="center", fontsize=8)
        ax.text(1.01, 0.5, f"{v:.4g} in {r['window']}" + ("  BINDING" if r["binding"] else ""),
                transform=ax.transAxes, va="center", fontsize=7.5, color=col)
    axes[0].set_title("Limits: value (marker) in its window (shaded); binding limits in red")
    return fig


@_plain_text
def cost_waterfall_figure(result):
    """Cost waterfall: each material's cost (currency/tHM) stacked to the total, largest first."""
    cur = result.currency
    b = result.burden
    b = b[b["cost_per_thm"].abs() > 1e-9].sort_values("cost_per_thm", ascending=False, kind="mergesort")
    fig = _figure(7.0, 3.4)
    ax = fig.add_subplot()
    base = 0.0
    xs = np.arange(len(b) + 1)
    for i, (k, r) in enumerate(b.iterrows()):
        ax.bar(i, r.cost_per_thm, bottom=base, color=CLASS_COLOURS.get(r["class"], "#777"), width=0.7)
        ax.text(i, base + r.cost_per_thm, f"{r.cost_per_thm:.1f}", ha="center", va="bottom", fontsize=7.5)
        if i:
            ax.plot([i - 1.35, i - 0.35], [base, base], color="#999", lw=0.7)
        base += r.cost_per_thm
    ax.bar(len(b), base, color=CLASS_COLOURS["total"], width=0.7)
    ax.text(len(b), base, f"{base:.2f}", ha="center", va="bottom", fontsize=8, weight="bold")
    ax.set_xticks(xs, list(b.index) + ["total"], rotation=30, ha="right")
    ax.set_ylabel(f"cost [{cur}/tHM]")
    ax.set_ylim(0, base * 1.12)
    ax.set_title("Cost waterfall")
    return fig


def window_text(lo, hi):
    from .content import window_text as wt

    return wt(lo, hi)


def _tern(c, a):
    """(x, y) of a point with CaO fraction c and Al2O3 fraction a (SiO2 at the origin, CaO right, Al2O3 top)."""
    return c + 0.5 * a, a * math.sqrt(3) / 2


@_plain_text
def ternary_figure(result):
    """CaO-SiO2-Al2O3 ternary (wt %, normalised over the three) with the slag point; MgO noted.

    Dashed lines are the B2 = CaO/SiO2 window limits of the scenario.
    """
    s = result.slag
    cao, sio2, al = (float(s.loc[k, "pct"]) for k in ("CaO", "SiO2", "Al2O3"))
    mgo = float(s.loc["MgO", "pct"])
    tot = cao + sio2 + al
    fig = _figure(5.2, 4.8)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")
    corners = [(0, 0), (1, 0), (0.5, math.sqrt(3) / 2), (0, 0)]
    ax.plot(*zip(*corners), color="black", lw=1)
    for f in np.arange(0.1, 1.0, 0.1):
        # lines of constant CaO (c = f), constant Al2O3 (a = f), constant SiO2 (c + a = f)
        ax.plot(*zip(_tern(f, 0), _tern(f, 1 - f)), color="#ddd", lw=0.5)
        ax.plot(*zip(_tern(0, f), _tern(1 - f, f)), color="#ddd", lw=0.5)
        ax.plot(*zip(_tern(f, 0), _tern(0, f)), color="#ddd", lw=0.5)
        x, y = _tern(f, 0)
        ax.text(x, y - 0.03, f"{f * 100:.0f}", ha="center", va="top", fontsize=6.5, color="#666")
    ax.text(-0.03, -0.03, "SiO2", ha="right", va="top")
    ax.text(1.03, -0.03, "CaO", ha="left", va="top")
    ax.text(0.5, math.sqrt(3) / 2 + 0.03, "Al2O3", ha="center", va="bottom")
    w = result.scenario.config.slag.B2
    if w is not None:
        ends = [e for e in (w.min, w.max) if e is not None]
        for end in ends:
            s0 = 1 / (1 + end)
            ax.plot(*zip(_tern(end * s0, 0), _tern(0, 1)), ls="--", color="#2ca02c", lw=0.9)
        ax.text(0.97, 0.55, "dashed: B2 window\n" + window_text(w.min, w.max), ha="right", fontsize=7.5,
                color="#2ca02c")
    x, y = _tern(cao / tot, al / tot)
    ax.plot([x], [y], "o", color=BINDING, ms=7)
    ax.annotate("slag", (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8, color=BINDING)
    ax.text(0.5, -0.1, f"slag: CaO {100 * cao / tot:.1f}, SiO2 {100 * sio2 / tot:.1f}, Al2O3 {100 * al / tot:.1f} "
            f"wt % (normalised over the three)\nMgO {mgo:.2f} wt % of the slag (not in the triangle)",
            ha="center", va="top", fontsize=7.5)
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.2, 0.98)
    ax.set_title("CaO-SiO2-Al2O3 ternary [wt %]")
    return fig


def _rist_xy(df: pd.DataFrame):
    cols = [str(c) for c in df.columns]
    num = [c for c in cols if pd.api.types.is_numeric_dtype(df[c])]
    xc = next((c for c in num if c.lower().startswith("x")), num[0] if num else None)
    yc = next((c for c in num if c.lower().startswith("y")), num[1] if len(num) > 1 else None)
    lab = next((c for c in cols if c not in num), None)
    labels = df[lab].astype(str).tolist() if lab else [str(i) for i in df.index]
    return df[xc].astype(float).to_numpy(), df[yc].astype(float).to_numpy(), labels


@_plain_text
def rist_figure(points: pd.DataFrame):
    """Rist diagram from a table of points (x = O/C, y = O/Fe; labels in a text column or the index).

    The operating line is drawn through the points in order of x.
    """
    x, y, labels = _rist_xy(points)
    o = np.argsort(x, kind="mergesort")
    fig = _figure(5.5, 4.2)
    ax = fig.add_subplot()
    ax.plot(x[o], y[o], "-", color=OK, lw=1.5)
    ax.plot(x, y, "o", color=BINDING)
    for xi, yi, t in zip(x, y, labels):
        ax.annotate(t, (xi, yi), xytext=(4, 4), textcoords="offset points", fontsize=8)
    ax.axhline(0, color="#999", lw=0.6)
    ax.axvline(1, color="#999", lw=0.6, ls=":")
    for yy, t in ((1.5, "Fe2O3"), (1.333, "Fe3O4"), (1.05, "FeO")):
        ax.axhline(yy, color="#ccc", lw=0.6, ls="--")
        ax.text(0.02, yy, t, fontsize=7, color="#888", va="bottom")
    ax.set_xlabel("O/C in the gas [mol/mol]")
    ax.set_ylabel("O/Fe [mol/mol]")
    ax.set_xlim(0, max(2.0, float(np.nanmax(x)) + 0.1))
    ax.set_title("Rist operating diagram")
    return fig


def add_figures(report, result, png: bool = False) -> None:
    """Draw the figures and put each into its section of ``report`` (in place)."""
    from .content import Figure, limits_frame

    sec = {s.key: s for s in report.sections}

    def put(key, name, title, fig, caption=""):
        svg = svg_text(fig)
        p = png_bytes(fig) if png else None
        sec[key].items.append(Figure(name, title, svg, p, caption))

    put("burden", "burden_composition", "Burden composition", burden_figure(result))
    put("hot_metal_slag", "limits", "Limits chart", limits_figure(limits_frame(result)),
        "Every limited quantity with its window (fixed rates left out); red diamonds: binding.")
    put("hot_metal_slag", "ternary", "Slag in the CaO-SiO2-Al2O3 ternary", ternary_figure(result),
        "Slag point normalised over CaO + SiO2 + Al2O3; dashed: the B2 window.")
    put("cost", "cost_waterfall", "Cost waterfall", cost_waterfall_figure(result))
    extra = getattr(result, "extra_tables", None) or {}
    pts = extra.get("rist_points")
    if pts is not None and len(pts) >= 2:
        put("thermo", "rist", "Rist diagram", rist_figure(pts))
