"""Plausibility checks of a linear (LP/MILP) result: plant ranges a burden should sit in.

The nonlinear model checks its own optimum (:func:`burden.nonlinear.plausibility_checks`:
shaft efficiency, the W point, the top-gas temperature, RAFT, ...).  An LP result has no
furnace state, but its burden can still be outside what a furnace runs on; each failed check
is a named warning in the summary, JSON and report (``Result.warnings``), the numbers of the
result are not touched.  Ranges: :data:`PLAUSIBLE` (Geerdes et al. 2009 [L]);
graphite saturation of the hot metal: Neumann, Schenck & Patterson (1959) as quoted by Geerdes.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas only for lp_plausibility_checks' DataFrame: `burden solve` does not import it
    import pandas as pd

#: Plant ranges of the plausibility checks (value outside: a named warning).  Sources: Geerdes,
#: Toxopeus, van der Vliet, Modern Blast Furnace Ironmaking (2009) [L] for fuel rate, slag rate,
#: RAFT and top-gas temperature (dew point at the bottom, equipment at the top); Rist & Meysson
#: 1965 / Peacey & Davenport 1979 for the shaft efficiency (never above 100 %).
PLAUSIBLE = {"fuel_rate_kg_per_thm": (400.0, 650.0), "slag_rate_kg_per_thm": (150.0, 450.0),
             "raft_c": (1900.0, 2400.0), "top_gas_temperature_c": (80.0, 350.0),
             "hot_metal_Ti_pct": (0.0, 0.25), "direct_reduction_degree": (0.2, 0.6)}


def lp_plausibility_checks(res) -> pd.DataFrame:
    """Checks of an optimal LP result: slag rate, fuel rate (when fuels are charged), [Ti],
    [C] below graphite saturation and supplied by the fixed carbon charged.

    Returns a DataFrame indexed by check with value, unit, min, max, ok, note (empty when the
    result is not optimal).
    """
    import pandas as pd

    if not res.ok:
        return pd.DataFrame(columns=["value", "unit", "min", "max", "ok", "note"])
    return pd.DataFrame(_lp_checks(res)).set_index("check")


def _lp_checks(res) -> list[dict]:
    """The rows of :func:`lp_plausibility_checks` of an optimal result (plain records)."""
    q = res.quantity
    # the fuel rate summed as pandas sums the column (numpy's pairwise sum), from the burden's records
    fuels = float(np.array([r["dry_kg_per_thm"] for _k, r in res._r_burden.items()
                            if r["class"] in ("coke", "injectant")], dtype=float).sum())
    c_pct = q("hot_metal.C") / 10.0
    si_pct = q("hot_metal.Si") / 10.0
    t_hm = res.scenario.config.hot_metal.temperature_c
    c_sat = 1.30 + 2.57e-3 * t_hm - 0.31 * si_pct
    xs = res.output.x.tolist()
    c_fix = sum(float(xs[j]) * res.scenario.materials[k].analysis["C_fix"] / 100.0
                for j, k in enumerate(res.problem.materials))
    rows = [("slag_rate_kg_per_thm", q("slag.total"), "kg/tHM", *PLAUSIBLE["slag_rate_kg_per_thm"], "plant range"),
            ("hot_metal_Ti_pct", q("hot_metal.Ti") / 10.0, "wt %", *PLAUSIBLE["hot_metal_Ti_pct"], "plant range"),
            ("hot_metal_C_pct", c_pct, "wt %", math.nan, c_sat, "below graphite saturation")]
    if fuels > 0:
        rows.append(("fuel_rate_kg_per_thm", fuels, "kg/tHM", *PLAUSIBLE["fuel_rate_kg_per_thm"], "plant range"))
        rows.append(("hot_metal_C_source_kg_per_thm", c_fix, "kg/tHM", 10.0 * c_pct, math.nan,
                     "fixed carbon charged must at least supply the carbon dissolved in the hot metal"))
    out = []
    for name, v, unit, lo, hi, note in rows:
        v = float(v)
        tol = 1e-6 * max(1.0, abs(v))
        ok = not ((not math.isnan(lo) and v < lo - tol) or (not math.isnan(hi) and v > hi + tol))
        out.append({"check": name, "value": v, "unit": unit, "min": lo, "max": hi, "ok": ok, "note": note})
    return out


def lp_plausibility_warnings(res) -> list[str]:
    """The failed LP checks as warning lines, in the nonlinear model's format."""
    if not res.ok:
        return []
    lines = []
    for r in _lp_checks(res):
        if r["ok"]:
            continue
        name = r["check"]
        lim = " ".join(x for x in ((f"min {r['min']:.4g}" if not math.isnan(r["min"]) else ""),
                                   (f"max {r['max']:.4g}" if not math.isnan(r["max"]) else "")) if x)
        lines.append(f"plausibility: {name} = {r['value']:.4g} {r['unit']} outside {lim} ({r['note']})")
    return lines


def titanium_hint(res) -> list[str]:
    """A hint for a titanium-rich burden: with the default Ti split (USTB-HW η_Ti 0.35-0.40,
    PRIMER §2, for ordinary burdens with little Ti) a V-Ti sinter gives several % [Ti]; V-Ti
    magnetite furnaces run [Ti] 0.1-0.3 % with 20-25 % TiO2 in the slag, reducing only ~5-10 %
    of the Ti (Panzhihua practice, e.g. Du H., "Principles of smelting vanadium-titanium
    magnetite in the blast furnace", Science Press 1996 [L]).  Empty unless [Ti] is above the
    plant range (:data:`PLAUSIBLE`) or, with the default split, slag TiO2 is
    above 5 %."""
    if not res.ok:
        return []
    cfg = res.scenario.config
    written = "distribution" in cfg.model_fields_set and "Ti_to_hot_metal" in cfg.distribution.model_fields_set
    eta = cfg.distribution.Ti_to_hot_metal
    ti = res.quantity("hot_metal.Ti") / 10.0
    slag = res.quantity("slag.total")
    tio2 = 100.0 * res.quantity("slag.TiO2") / slag if slag > 0 else 0.0
    if not (ti > 2 * PLAUSIBLE["hot_metal_Ti_pct"][1] or (not written and tio2 > 5.0)):
        return []
    return [f"titanium-rich burden: [Ti] {ti:.2f} % and slag TiO2 {tio2:.1f} % with Ti_to_hot_metal {eta}"
            + ("" if written else " (the default, for ordinary burdens)")
            + "; V-Ti magnetite furnaces run [Ti] 0.1-0.3 % with 20-25 % TiO2 in the slag, reducing ~0.05-0.10 "
              "of the Ti: set distribution.Ti_to_hot_metal for this burden"]


def forcing_limits(res) -> list[str]:
    """Limits that on their own hold some charged materials at 0: a ratio limit over a group
    (a ``mixes:`` window, a share) that no member meets by itself.  The row
    ``Σ_j a_j·x_j <= hi`` with every a_j >= 0 and hi <= 0 (or the mirror for >=) allows only
    x_j = 0 where a_j > 0, since material rates are >= 0: e.g. a lump-ore SiO2 max of 1 % when
    every lump has more.  The optimum is still optimal, but an engineer expects those materials
    to be free: each such limit is a warning naming the materials it holds at 0 that could
    otherwise be charged (upper bound > 0).  Empty when the result is not optimal."""
    if not res.ok:
        return []
    p = res.problem
    f = p.formulation
    comp = f.compile()
    x = p.x_block
    lo_c, hi_c = comp.col_lower, comp.col_upper
    out = []
    for i, name in enumerate(comp.row_names):
        s, e = comp.start[i], comp.start[i + 1]
        idx, val = comp.index[s:e], comp.value[s:e]
        if idx.size == 0 or np.any(lo_c[idx] < 0):
            continue
        tol = 1e-12 * max(1.0, float(np.max(np.abs(val))))
        if comp.row_upper[i] <= tol and np.all(val >= -tol):
            pos = idx[val > tol]
        elif comp.row_lower[i] >= -tol and np.all(val <= tol):
            pos = idx[val < -tol]
        else:
            continue
        held = [x.labels[j - x.start] for j in pos if x.start <= j < x.stop and hi_c[j] > 0]
        if not held:
            continue
        try:
            kind = f.row(name).kind
        except KeyError:
            continue
        if kind != "limit":
            continue
        out.append(f"{name} holds {', '.join(held)} at 0: none of them meets the limit on its own (a group's "
                   "limit is a weighted mean of its members); widen the limit or add a member that meets it")
    return out

