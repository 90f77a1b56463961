"""Plots of the many-solve studies: sweeps, tornado, value in use (matplotlib, no pyplot state).

Each ``*_figure`` returns a :class:`matplotlib.figure.Figure`; :func:`burden.report.plots.svg_text`
makes it deterministic SVG.  The figures only draw the DataFrames the studies return; they
compute nothing.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .plots import BINDING, OK, _figure, _plain_text
from .style import short_label, short_labels

#: At most this many lines in one plot (a grid with more combinations is drawn as points).
MAX_LINES = 10


def _rate_columns(df: pd.DataFrame) -> list[str]:
    return [c for c in df.columns if c.endswith("_kg_per_thm") and "." not in c]


@_plain_text
def sweep_objective_figure(df: pd.DataFrame, path: str, currency: str = "USD"):
    """Objective (currency/tHM) against the varied input ``path``; one line per combination of
    the other varied inputs (points when there are more than :data:`MAX_LINES`)."""
    others = [c for c in df.columns[1:df.columns.get_loc("status")] if c != path]
    fig = _figure(6.5, 3.6)
    ax = fig.add_subplot()
    ok = df[df["status"] == "optimal"]
    groups = list(ok.groupby(others, sort=True)) if others else [((), ok)]
    if len(groups) > MAX_LINES:
        ax.scatter(ok[path], ok["objective_per_thm"], s=6, color=OK)
    else:
        for key, g in groups:
            key = key if isinstance(key, tuple) else (key,)
            lab = ", ".join(f"{o} = {v:g}" for o, v in zip(others, key)) or None
            ax.plot(g[path], g["objective_per_thm"], marker="o", ms=3, lw=1.2, label=lab)
        if others:
            ax.legend(fontsize=7)
    bad = df[df["status"] != "optimal"]
    if len(bad):
        ax.plot(bad[path], np.full(len(bad), np.nanmin(ok["objective_per_thm"]) if len(ok) else 0.0), "x",
                color=BINDING, label="not optimal")
    ax.set_xlabel(path)
    ax.set_ylabel(f"objective [{currency}/tHM]")
    ax.set_title(f"Objective against {path}")
    ax.grid(alpha=0.3)
    return fig


@_plain_text
def sweep_burden_figure(df: pd.DataFrame, path: str):
    """Dry rate of each material used at some point (kg/tHM) against the varied input ``path``
    (a one-path sweep, or the first combination of the other paths of a grid)."""
    others = [c for c in df.columns[1:df.columns.get_loc("status")] if c != path]
    d = df[df["status"] == "optimal"]
    for o in others:
        d = d[d[o] == d[o].iloc[0]] if len(d) else d
    cols = [c for c in _rate_columns(d) if len(d) and d[c].abs().max() > 1e-6]
    fig = _figure(6.5, 3.8)
    ax = fig.add_subplot()
    for c in cols:
        ax.plot(d[path], d[c], marker="o", ms=2.5, lw=1.2, label=short_label(c[: -len("_kg_per_thm")]))
    ax.set_xlabel(path)
    ax.set_ylabel("dry rate [kg/tHM]")
    title = f"Burden against {path}"
    if others and len(d):
        title += " (" + ", ".join(f"{o} = {d[o].iloc[0]:g}" for o in others) + ")"
    ax.set_title(title, fontsize=9)
    ax.set_yscale("symlog", linthresh=10.0)  # fluxes (kg) and sinter (t) on one axis
    from matplotlib.ticker import FuncFormatter

    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))  # plain numbers, no mathtext
    ax.grid(alpha=0.3)
    if cols:
        ax.legend(fontsize=7, ncol=2)
    return fig


@_plain_text
def tornado_figure(t: pd.DataFrame, currency: str = "USD"):
    """Tornado: for each input, the objective at its low and high value around the base (bars
    from the base, largest swing on top)."""
    n = len(t)
    fig = _figure(7.0, 0.45 * n + 1.3)
    ax = fig.add_subplot()
    base = float(t["objective_base"].iloc[0]) if n else 0.0
    y = np.arange(n)[::-1]
    for yi, (_, r) in zip(y, t.iterrows()):
        for end, col in (("low", "#1f77b4"), ("high", "#d62728")):
            v = r[f"objective_{end}"]
            if np.isfinite(v):
                ax.barh(yi, v - base, left=base, color=col, height=0.6, alpha=0.85)
                ax.text(v, yi, f" {r[end]:g}", va="center", ha="left" if v >= base else "right", fontsize=7)
    ax.axvline(base, color="#333", lw=1)
    ax.set_yticks(y, short_labels(t["path"], 36))  # long material names in paths cut in the middle
    ax.set_xlabel(f"objective [{currency}/tHM] (base {base:.2f}); blue: low value, red: high value")
    ax.set_title("Tornado: one input at a time")
    return fig


@_plain_text
def value_in_use_figure(curve: pd.DataFrame, candidate: str, breakeven_dry: float, price_dry: float,
                        currency: str = "USD"):
    """Value in use: the cost saving (currency/tHM) over the forced amount of the candidate
    (left), and the break-even price per dry t at each amount against its price (right)."""
    fig = _figure(8.0, 3.4)
    ax1, ax2 = fig.subplots(1, 2)
    ok = curve[curve["status"] == "optimal"]
    ax1.plot(ok["amount_kg_per_thm"], ok["saving_per_thm"], marker="o", ms=3, color=OK)
    ax1.axhline(0, color="#333", lw=0.8)
    ax1.set_xlabel(f"{short_label(candidate)} forced [dry kg/tHM]")
    ax1.set_ylabel(f"saving [{currency}/tHM]")
    ax1.set_title("Cost saving against the current burden", fontsize=9)
    ax1.grid(alpha=0.3)
    pos = ok[ok["amount_kg_per_thm"] > 0]
    ax2.plot(pos["amount_kg_per_thm"], pos["breakeven_price_per_dry_t"], marker="o", ms=3, color=OK,
             label="break-even at that amount (average)")
    ax2.axhline(price_dry, color=BINDING, lw=1, label=f"price {price_dry:.2f}")
    if np.isfinite(breakeven_dry):
        ax2.axhline(breakeven_dry, color="#2ca02c", lw=1, ls="--", label=f"break-even at zero use {breakeven_dry:.2f}")
    ax2.set_xlabel(f"{short_label(candidate)} forced [dry kg/tHM]")
    ax2.set_ylabel(f"price [{currency}/dry t]")
    ax2.set_title("Break-even price", fontsize=9)
    ax2.legend(fontsize=7)
    ax2.grid(alpha=0.3)
    return fig
