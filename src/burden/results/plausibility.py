"""Plausibility of an optimum: values no furnace runs at, told after the solve.

A model with default distribution coefficients (PRIMER §2, USTB-HW) gives physically
possible balances for ordinary burdens; outside them the numbers can be far from any
furnace (a V-Ti sinter with the default Ti split gives several % [Ti]).  These checks do not
change the optimum: they add a warning that names the value, the usual range and the
setting to change.  Each range is a range of practice, with its source.
"""

from __future__ import annotations

import math

#: (what, the result value's getter, upper end of practice, why/fix).  Ranges of practice:
#: [Ti] of ordinary hot metal is below ~0.2 % and V-Ti magnetite furnaces run [Ti] 0.1-0.3 %
#: with 20-25 % TiO2 in the slag, reducing only ~5-10 % of the Ti input (Panzhihua practice,
#: e.g. Du H., "Principles of smelting vanadium-titanium magnetite in the blast furnace",
#: Science Press 1996); the USTB-HW η_Ti 0.35-0.40 (PRIMER §2) is for ordinary burdens with
#: little Ti.  Hot-metal [C]: 4.2-5.0 % in practice (PRIMER §3, the correlation's range);
#: above ~5.3 % the melt would be beyond carbon saturation at 1500 degC.
HOT_METAL_TI_MAX_PCT = 0.5
SLAG_TIO2_DEFAULT_SPLIT_MAX_PCT = 5.0
HOT_METAL_C_MAX_PCT = 5.3


def plausibility_warnings(result) -> list[str]:
    """Warnings on an optimal result's hot metal and slag (empty when all is in practice)."""
    if result.status != "optimal":
        return []
    out = []
    hm, slag = result.hot_metal, result.slag
    cfg = result.scenario.config
    ti_written = "distribution" in cfg.model_fields_set and "Ti_to_hot_metal" in cfg.distribution.model_fields_set
    eta_ti = cfg.distribution.Ti_to_hot_metal
    ti = float(hm.loc["Ti", "pct"]) if "Ti" in hm.index else 0.0
    tio2 = float(slag.loc["TiO2", "pct"]) if "TiO2" in slag.index else 0.0
    if ti > HOT_METAL_TI_MAX_PCT or (not ti_written and tio2 > SLAG_TIO2_DEFAULT_SPLIT_MAX_PCT):
        out.append(
            f"titanium-rich burden: [Ti] {ti:.2f} % and slag TiO2 {tio2:.1f} % with Ti_to_hot_metal {eta_ti:g}"
            + ("" if ti_written else " (the default, for ordinary burdens)")
            + "; V-Ti magnetite furnaces run [Ti] 0.1-0.3 % with 20-25 % TiO2 in the slag, reducing ~0.05-0.10 "
              "of the Ti: set distribution.Ti_to_hot_metal for this burden")
    c = float(hm.loc["C", "pct"]) if "C" in hm.index else math.nan
    if c > HOT_METAL_C_MAX_PCT:
        out.append(f"hot-metal [C] {c:.2f} % is above carbon saturation (~5.3 % at 1500 degC; practice 4.2-5.0 %)"
                   + (": the [C] correlation is driven by [Ti]" if ti > HOT_METAL_TI_MAX_PCT else "")
                   + "; check the Ti split or give hot_metal.C_pct")
    return out
