"""Plots of a report, drawn with matplotlib (Agg, no pyplot state).

Each ``*_figure`` function returns a :class:`matplotlib.figure.Figure`;
:func:`svg_text` turns it into deterministic SVG (fixed hash salt, no date,
text kept as text) and :func:`png_bytes` into a PNG for the PDF.

Figures: burden composition, limits (each quantity in its window, binding
ones marked; one-sided windows on an axis from 0), cost waterfall, shadow
prices of the binding limits, the CaO-SiO2-Al2O3 section at the result's MgO
with the slag window shaded, and, when the Result carries them (nonlinear
model), heat and carbon balance waterfalls and the full-width Rist diagram.
"""

from __future__ import annotations

import io
import math
import re

import numpy as np
import pandas as pd

from .style import fmt_difference, fmt_value, short_label, short_labels

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
    fig = _figure(7.0, 0.35 * len(b) + 1.4)
    ax = fig.add_subplot()
    y = np.arange(len(b))[::-1]
    ax.barh(y, b["dry_kg_per_thm"], color=[CLASS_COLOURS.get(c, "#777") for c in b["class"]])
    for yi, (k, r) in zip(y, b.iterrows()):
        lab = fmt_value(float(r.dry_kg_per_thm), "kg/tHM")  # the decimals of the tables
        if not math.isnan(r.pct_of_ferrous):
            lab += f" ({fmt_value(float(r.pct_of_ferrous), '% of ferrous')} % of ferrous)"
        ax.text(r.dry_kg_per_thm, yi, " " + lab, va="center", fontsize=8)
    ax.set_yticks(y, short_labels(b.index))  # long plant names cut in the middle; full in the tables
    ax.set_xlabel("dry rate [kg/tHM]")
    ax.set_xlim(0, float(b["dry_kg_per_thm"].max()) * 1.45)
    ax.set_title("Burden composition (dry)")
    from matplotlib.patches import Patch

    classes = list(dict.fromkeys(b["class"]))
    # below the axes: inside, it would hide bars and their labels
    fig.legend([Patch(color=CLASS_COLOURS.get(c, "#777")) for c in classes], classes, loc="outside lower center",
               ncols=min(len(classes), 6), fontsize=8, frameon=False)
    return fig


@_plain_text
def limits_figure(limits: pd.DataFrame, currency: str = ""):
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
        one_sided = np.isfinite(lo) != np.isfinite(hi)
        if one_sided and left >= 0:
            # a one-sided window on an axis from 0: a zoomed axis (7.50-7.70 for MgO >= 7.5)
            # would draw the open side as if it ended at the axis
            left = 0.0
            right = max(right * 1.25, right + 1e-9)
        span = right - left or max(abs(right), 1.0) * 0.2
        if one_sided:
            span = max(span, 0.25 * max(abs(left), abs(right)))
        left, right = (left if left == 0 else left - 0.15 * span), right + (0 if one_sided and left == 0 else
                                                                                0.15 * span)
        a = lo if np.isfinite(lo) else left
        z = hi if np.isfinite(hi) else right
        ax.axvspan(a, z, color=WINDOW, lw=0)
        if one_sided:  # the open side goes on past the axis
            ax.annotate("", xy=(1.0 if np.isfinite(lo) else 0.0, 0.2), xytext=(0.92 if np.isfinite(lo) else 0.08, 0.2),
                        xycoords="axes fraction", arrowprops={"arrowstyle": "->", "color": "#2ca02c", "lw": 1})
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
        ax.set_ylabel(f"{short_label(r['quantity'])} [{short_label(unit, 16)}]", rotation=0, ha="right",
                      va="center", fontsize=8)
        ax.text(1.01, 0.5, f"{fmt_value(v, unit, currency)} in {r['window']}" + ("  BINDING" if r["binding"] else ""),
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
        ax.text(i, base + r.cost_per_thm, fmt_value(float(r.cost_per_thm), f"{cur}/tHM", cur), ha="center",
                va="bottom", fontsize=7)
        if i:
            ax.plot([i - 1.35, i - 0.35], [base, base], color="#999", lw=0.7)
        base += r.cost_per_thm
    ax.bar(len(b), base, color=CLASS_COLOURS["total"], width=0.7)
    ax.text(len(b), base, fmt_value(float(base), f"{cur}/tHM", cur), ha="center", va="bottom", fontsize=8,
            weight="bold")
    ax.set_xticks(xs, short_labels(list(b.index) + ["total"]), rotation=30, ha="right", rotation_mode="anchor")
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


def _slag_window_mask(c, a, total, mgo, slag_cfg):
    """True where a slag of CaO fraction c and Al2O3 fraction a (of CaO + SiO2 + Al2O3, whose sum is
    ``total`` wt % of the slag) with ``mgo`` wt % MgO meets the B2, B3, B4 and Al2O3 windows."""
    s = 1.0 - c - a
    cao, sio2, al = c * total, s * total, a * total
    ok = np.ones_like(c, dtype=bool)
    with np.errstate(divide="ignore", invalid="ignore"):
        checks = (("B2", cao / sio2), ("B3", (cao + mgo) / sio2), ("B4", (cao + mgo) / (sio2 + al)),
                  ("Al2O3_pct", al))
    for name, val in checks:
        w = getattr(slag_cfg, name, None)
        if w is None:
            continue
        if w.min is not None:
            ok &= val >= w.min
        if w.max is not None:
            ok &= val <= w.max
    return ok & (s > 0)


@_plain_text
def ternary_figure(result):
    """CaO-SiO2-Al2O3 section at the result's MgO (wt %, normalised over the three), the slag
    point and the window of the scenario's slag limits (B2, B3, B4, Al2O3) shaded.

    In the section MgO and the minor oxides are held at the result's values, so B3, B4 and
    the Al2O3 content are functions of the point (B3 = (CaO + MgO)/SiO2 with CaO, SiO2 in
    wt % of the slag: the fraction shown times their sum).
    """
    import matplotlib.tri as mtri

    s = result.slag
    cao, sio2, al = (float(s.loc[k, "pct"]) for k in ("CaO", "SiO2", "Al2O3"))
    mgo = float(s.loc["MgO", "pct"])
    tot = cao + sio2 + al
    cfg = result.scenario.config.slag
    fig = _figure(6.4, 5.6)
    ax = fig.add_subplot()
    ax.set_aspect("equal")
    ax.axis("off")
    # the window: a fine triangular grid of the section, shaded where every slag window holds
    n = 120
    cc, aa = np.meshgrid(np.linspace(0, 1, n + 1), np.linspace(0, 1, n + 1))
    keep = cc + aa <= 1 + 1e-12
    cc, aa = cc[keep], aa[keep]
    xs, ys = cc + 0.5 * aa, aa * math.sqrt(3) / 2
    mask = _slag_window_mask(cc, aa, tot, mgo, cfg).astype(float)
    if mask.any():
        tri = mtri.Triangulation(xs, ys)
        ax.tricontourf(tri, mask, levels=[0.5, 1.5], colors=[WINDOW])
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
    w = cfg.B2
    if w is not None:
        for end in [e for e in (w.min, w.max) if e is not None]:
            s0 = 1 / (1 + end)
            ax.plot(*zip(_tern(end * s0, 0), _tern(0, 1)), ls="--", color="#2ca02c", lw=0.9)
    names = {"Al2O3_pct": "Al2O3 [wt %]"}
    shown = [f"{names.get(k, k)} {window_text(getattr(cfg, k).min, getattr(cfg, k).max)}"
             for k in ("B2", "B3", "B4", "Al2O3_pct") if getattr(cfg, k, None) is not None]
    ax.text(0.99, 0.62, "shaded: the slag window\n" + "\n".join(shown) + "\ndashed: B2 ends", ha="right",
            fontsize=7.5, color="#2a7a2a")
    x, y = _tern(cao / tot, al / tot)
    ax.plot([x], [y], "o", color=BINDING, ms=7)
    ax.annotate("slag", (x, y), xytext=(6, 4), textcoords="offset points", fontsize=8, color=BINDING)
    ax.text(0.5, -0.1, f"slag: CaO {100 * cao / tot:.1f}, SiO2 {100 * sio2 / tot:.1f}, Al2O3 {100 * al / tot:.1f} "
            f"(% of CaO + SiO2 + Al2O3 = {tot:.1f} wt % of the slag)\nsection at MgO {mgo:.2f} wt % and the "
            "other oxides of the result", ha="center", va="top", fontsize=7.5)
    ax.set_xlim(-0.12, 1.12)
    ax.set_ylim(-0.2, 0.98)
    ax.set_title(f"Slag: CaO-SiO2-Al2O3 section at MgO {mgo:.2f} wt %")
    return fig


@_plain_text
def shadow_price_figure(limits: pd.DataFrame, currency: str):
    """Bars of the shadow price of every binding limit (not the balance rows), currency/tHM per
    unit of the limit; red: raising the limit costs money, blue: it saves money.

    ``limits`` is :func:`burden.report.content.limits_frame`. Returns None when nothing binds.
    """
    col = next(c for c in limits.columns if str(c).startswith("shadow price ["))
    b = limits[limits["binding"] & (limits[col].abs() > 1e-12)]
    if not len(b):
        return None
    b = b.iloc[np.argsort(-b[col].abs().to_numpy(), kind="mergesort")]
    fig = _figure(8.0, 0.38 * len(b) + 1.3)
    ax = fig.add_subplot()
    y = np.arange(len(b))[::-1]
    vals = b[col].astype(float).to_numpy()
    ax.barh(y, vals, color=[BINDING if v > 0 else OK for v in vals])
    labels = [f"{q} [{short_label(u, 16)}]" if u not in ("-", "") else str(q)
              for q, u in zip(short_labels(b["quantity"]), b["unit"])]
    ax.set_yticks(y, labels)
    for yi, v in zip(y, vals):  # the decimals of the tables' shadow-price column
        t = fmt_value(float(v), f"{currency}/tHM per unit", currency)
        ax.text(v, yi, f" {'+' if v > 0 else ''}{t} ", va="center", ha="left" if v >= 0 else "right",
                fontsize=7.5)
    ax.axvline(0, color="#555", lw=0.8)
    lim = float(np.abs(vals).max()) * 1.35
    ax.set_xlim(-lim if (vals < 0).any() else 0, lim if (vals > 0).any() else 0)
    ax.set_xlabel(f"shadow price [{currency}/tHM per unit of the limit]")
    ax.set_title("Shadow prices of the binding limits\n(cost of raising each limit by one unit)")
    return fig


@_plain_text
def balance_waterfall_figure(df: pd.DataFrame, value_col: str, side_col: str, plus: str, title: str, unit: str):
    """Waterfall of a balance: the ``plus`` side's terms stacked up, then the other side's terms
    stepping down to zero (what closes the balance). ``df`` has the term labels in its index or
    first column; terms of zero are left out."""
    d = df.copy()
    if value_col not in d.columns:
        return None
    if not isinstance(d.index, pd.RangeIndex):
        d = d.reset_index()
    lab = d.columns[0]
    d = d[d[value_col].astype(float).abs() > 1e-9]
    inc = d[d[side_col] == plus]
    out = d[d[side_col] != plus]
    fig = _figure(10.0, 4.0)
    ax = fig.add_subplot()
    level = 0.0
    k = 0
    names = []
    for _, r in inc.iterrows():
        v = float(r[value_col])
        ax.bar(k, v, bottom=level, color="#2ca02c", width=0.7)
        ax.text(k, level + v, fmt_value(v, unit.strip("[]")), ha="center", va="bottom", fontsize=7)
        level += v
        names.append(short_label(str(r[lab]).replace("_", " "), 36))
        k += 1
    total = level
    ax.bar(k, total, color="#555", width=0.7)
    ax.text(k, total, fmt_value(total, unit.strip("[]")), ha="center", va="bottom", fontsize=7.5, weight="bold")
    names.append(f"total {plus}")
    k += 1
    for _, r in out.iterrows():
        v = float(r[value_col])
        ax.bar(k, -v, bottom=level, color=BINDING, width=0.7)
        ax.text(k, level, fmt_value(v, unit.strip("[]")), ha="center", va="bottom", fontsize=7)
        level -= v
        names.append(short_label(str(r[lab]).replace("_", " "), 36))
        k += 1
    ax.set_xticks(np.arange(k), names, rotation=35, ha="right", fontsize=7.5)
    ax.set_ylabel(unit)
    ax.set_ylim(0, total * 1.1 if total > 0 else 1)
    u = unit.strip("[]")
    ax.set_title(title + f" (closes to {fmt_difference(float(level), u)} {u})")
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
    fig = _figure(11.0, 5.5)
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

    def put(key, name, title, fig, caption="", wide=False):
        svg = svg_text(fig)
        p = png_bytes(fig) if png else None
        sec[key].items.append(Figure(name, title, svg, p, caption, wide=wide))

    put("burden", "burden_composition", "Burden composition", burden_figure(result))
    put("hot_metal_slag", "limits", "Limits chart", limits_figure(limits_frame(result), result.currency),
        "Every limited quantity with its window (fixed rates left out); red diamonds: binding.")
    put("hot_metal_slag", "ternary", "Slag in the CaO-SiO2-Al2O3 section at its MgO", ternary_figure(result),
        "Slag point normalised over CaO + SiO2 + Al2O3 at the result's MgO; shaded: where the slag limits "
        "hold; dashed: the B2 ends.")
    put("cost", "cost_waterfall", "Cost waterfall", cost_waterfall_figure(result))
    sp = shadow_price_figure(limits_frame(result), result.currency)
    if sp is not None:
        put("binding", "shadow_prices", "Shadow prices of the binding limits", sp,
            f"{result.currency}/tHM per unit of each limit: negative (blue) when raising the limit saves money, "
            "positive (red) when it costs money.")
    extra = getattr(result, "extra_tables", None) or {}
    hb = extra.get("heat_balance")
    if hb is not None and "mj_per_thm" in hb.columns:
        put("thermo", "heat_balance", "Heat balance", balance_waterfall_figure(
            hb, "mj_per_thm", "side", "income", "Heat balance: income, then its uses", "[MJ/tHM]"),
            "Heat income stacked up (green), then each use stepping down (red); the last step ends at zero "
            "when the balance closes.", wide=True)
    cb = extra.get("carbon_balance")
    if cb is not None and "kg_per_thm" in cb.columns:
        put("thermo", "carbon_balance", "Carbon balance", balance_waterfall_figure(
            cb, "kg_per_thm", "side", "supply", "Carbon balance: fixed carbon supplied, then where it goes",
            "[kg/tHM]"), wide=True)
    pts = extra.get("rist_points")
    if pts is not None and len(pts) >= 2:
        put("thermo", "rist", "Rist diagram", rist_figure(pts), wide=True)
