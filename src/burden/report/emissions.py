"""The report's CO2 section: the figure within the boundary, its carbon balance, the carbon
price and cap, and the gap to the EU ETS hot-metal benchmark (read from the Result; nothing
is computed here that :mod:`burden.results.emissions` does not give)."""

from __future__ import annotations

import math

import pandas as pd

#: (key of Result.emissions, label) in report order
ROWS = (
    ("carbon_in_kg_per_thm", "carbon charged (fuels, carbonates, ores, scrap)"),
    ("carbon_hot_metal_kg_per_thm", "carbon dissolved in hot metal"),
    ("carbon_dust_kg_per_thm", "carbon in top dust"),
    ("carbon_top_gas_kg_per_thm", "carbon leaving in top gas"),
    ("direct_co2_kg_per_thm", "direct CO2 (top-gas carbon × M_CO2/M_C)"),
    ("exported_credit_co2_kg_per_thm", "credit for exported top gas"),
    ("upstream_co2_kg_per_thm", "upstream CO2 (coke, sinter ... as set)"),
    ("co2_kg_per_thm", "CO2 within the boundary"),
    ("co2_t_per_day", "CO2 per day"),
    ("benchmark_kg_per_thm", "EU ETS hot-metal benchmark"),
    ("gap_to_benchmark_kg_per_thm", "gap to the benchmark (+ above)"),
    ("carbon_price_per_t", "carbon price"),
    ("carbon_cost_per_thm", "carbon cost in the objective"),
    ("cap_kg_per_thm", "CO2 cap"),
    ("co2_shadow_price_per_t", "shadow price of the cap (dCost/dcap)"),
)


def emissions_section(result):
    """A report :class:`~burden.report.content.Section` ``co2`` with one table, or None when the
    result is not optimal."""
    from ..results.emissions import _UNITS, BENCHMARK_NOTE
    from .content import Section, Table

    if not result.ok:
        return None
    s = result.emissions
    cur = result.currency
    rows = []
    for key, label in ROWS:
        v = s[key]
        if isinstance(v, float) and math.isnan(v):
            continue
        rows.append({"quantity": label, "value [see unit]": float(v), "unit": _UNITS[key].format(cur=cur)})
    df = pd.DataFrame(rows, columns=["quantity", "value [see unit]", "unit"])
    period = s["benchmark_period"]
    note = (f"Boundary: {s['boundary']}. Carbon mass balance (IPCC 2006 Vol. 3 ch. 4.2, Tier 2; EU ETS mass "
            "balance, 3.664 t CO2/t C from atomic masses). "
            + (f"Benchmark period {period}. {BENCHMARK_NOTE}" if period else "No benchmark period chosen."))
    return Section("co2", "CO2", [Table("co2", "CO2 by carbon mass balance", df, note=note,
                                        highlight=[r["quantity"] == "CO2 within the boundary" for r in rows])])
