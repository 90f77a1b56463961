"""CO2 of a result: the figure within the boundary, its terms, the carbon price, the cap's
shadow price and the gap to the EU ETS hot-metal benchmark.

Reads the result only (the carbon balance itself is
:func:`burden.core.components.emissions.co2_parts`, the function the formulation's CO2 row
is made from, so the reported figure and the row agree by construction).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ..core.components import emissions as E
from .records import Records

if TYPE_CHECKING:
    import pandas as pd

#: Note shown beside the benchmark comparison.
BENCHMARK_NOTE = ("EU ETS hot-metal product benchmark (allowances per t hot metal; 2013-2020 Decision 2011/278/EU, "
                  "2021-2025 Implementing Regulation (EU) 2021/447, 2026-2030 the Commission's draft, 1.248). "
                  "Indicative only: the benchmark's boundary (waste-gas correction, stoves, part of the "
                  "sinter and coke chain) is not the furnace's carbon balance.")


def emissions_summary(result) -> dict:
    """The CO2 facts of an optimal result (plain Python, JSON-safe apart from nan).

    Keys: ``co2_kg_per_thm`` (within the boundary), ``co2_t_per_day``, ``boundary`` (text) and
    ``boundary_settings``, the carbon-balance terms of
    :func:`~burden.core.components.emissions.co2_parts`, ``carbon_price_per_t`` (currency per
    t CO2) and ``carbon_cost_per_thm``, ``cap_kg_per_thm``, ``cap_binding``,
    ``co2_shadow_price_per_t`` (dCost/dcap in currency per t CO2 per tHM: negative when the cap
    binds, 0 when it does not, nan without a cap), ``benchmark_period``,
    ``benchmark_kg_per_thm`` and ``gap_to_benchmark_kg_per_thm`` (CO2 − benchmark: positive
    above it).
    """
    p = result.problem
    scn = p.scenario
    out_ = result.output
    extra = out_.block("split") if "split" in getattr(out_, "layout", {}) else None
    parts = E.co2_parts(scn, p.quantities, p.materials, out_.x, extra)
    co2 = parts["co2_kg_per_thm"]
    em = scn.config.emissions
    bd = E.boundary_of(scn)
    price = em.carbon_price_per_t if em is not None else 0.0
    cap = em.cap_kg_per_thm if em is not None else None
    shadow, binding = math.nan, False
    if cap is not None:
        row = result._r_constraints.get(E.CAP_ROW)  # the constraints table's row (records: no pandas)
        if row is not None:
            binding = bool(row["binding"])
            shadow = 1000.0 * float(row["shadow_price_per_unit"]) if binding else 0.0
    period, bench = E.benchmark_t_per_thm(scn)
    out = {"co2_kg_per_thm": co2,
           "co2_t_per_day": co2 * scn.config.production_t_per_day / 1000.0,
           "boundary": E.boundary_text(bd),
           "boundary_settings": bd.model_dump(),
           **{k: v for k, v in parts.items() if k != "co2_kg_per_thm"},
           "carbon_price_per_t": price,
           "carbon_cost_per_thm": float(result.output.objective_terms.get("co2", price * co2 / 1000.0)),
           "cap_kg_per_thm": math.nan if cap is None else cap,
           "cap_binding": binding,
           "co2_shadow_price_per_t": shadow,
           "benchmark_period": period,
           "benchmark_kg_per_thm": 1000.0 * bench,
           "gap_to_benchmark_kg_per_thm": co2 - 1000.0 * bench}
    return out


_UNITS = {"co2_kg_per_thm": "kg CO2/tHM", "co2_t_per_day": "t CO2/day", "carbon_in_kg_per_thm": "kg C/tHM",
          "carbon_hot_metal_kg_per_thm": "kg C/tHM", "carbon_dust_kg_per_thm": "kg C/tHM",
          "carbon_top_gas_kg_per_thm": "kg C/tHM", "direct_co2_kg_per_thm": "kg CO2/tHM",
          "exported_credit_co2_kg_per_thm": "kg CO2/tHM", "upstream_co2_kg_per_thm": "kg CO2/tHM",
          "carbon_price_per_t": "{cur}/t CO2", "carbon_cost_per_thm": "{cur}/tHM", "cap_kg_per_thm": "kg CO2/tHM",
          "co2_shadow_price_per_t": "{cur}/t CO2", "benchmark_kg_per_thm": "kg CO2/tHM",
          "gap_to_benchmark_kg_per_thm": "kg CO2/tHM"}


def emissions_table(result) -> pd.DataFrame:
    """The CO2 facts as a table: index ``item``, columns ``value``, ``unit`` (numbers only;
    the boundary and benchmark period are in ``df.attrs``)."""
    return emissions_records(result).frame()


def emissions_records(result) -> Records:
    """:func:`emissions_table` as :class:`~burden.results.records.Records` (no pandas)."""
    s = emissions_summary(result)
    cur = result.currency
    rows = [{"item": k, "value": float(s[k]), "unit": u.format(cur=cur)} for k, u in _UNITS.items()]
    return Records("item", rows, {"boundary": s["boundary"], "benchmark_period": s["benchmark_period"]})


def summary_lines(result) -> list[str]:
    """Lines for :meth:`Result.summary`."""
    s = emissions_summary(result)
    cur = result.currency
    import textwrap

    pad = " " * 10
    lines = ["", f"CO2:      {s['co2_kg_per_thm']:,.1f} kg/tHM ({s['co2_t_per_day']:,.0f} t/day)"]
    lines += textwrap.wrap(f"boundary: {s['boundary']}", width=100, initial_indent=pad, subsequent_indent=pad + "  ")
    if s["benchmark_period"] is not None:
        lines.append(f"          EU ETS hot-metal benchmark {s['benchmark_period']} {s['benchmark_kg_per_thm']:,.0f} kg/tHM: "
                     f"gap {s['gap_to_benchmark_kg_per_thm']:+,.1f} kg/tHM")
    if s["carbon_price_per_t"]:
        lines.append(f"          carbon price {s['carbon_price_per_t']:g} {cur}/t CO2: {s['carbon_cost_per_thm']:,.2f} {cur}/tHM "
                     "in the objective")
    if not math.isnan(s["cap_kg_per_thm"]):
        lines.append(f"          cap {s['cap_kg_per_thm']:g} kg/tHM " + (
            f"binding: shadow price {s['co2_shadow_price_per_t']:+,.2f} {cur}/t CO2 (dCost/dcap)"
            if s["cap_binding"] else "not binding"))
    return lines
