"""The one formatting table of every output: decimals per unit and the engineer's labels.

Terminal summaries, HTML, PDF and Excel all format a number through
:func:`fmt_value` (text) or :func:`excel_format` (an Excel number format) with
the unit of its column (``"dry [kg/tHM]"`` -> ``kg/tHM``) or, in a ``[see unit]``
column, the unit of its row.  A column therefore shows one number of decimals
(``1,397.1``, ``125.0``, ``30.0``), never a mix by magnitude.  Values too small
to show with the unit's decimals (a sulphide capacity of 1.9e-4) are shown with
three significant figures instead of a bare ``0.000``.

:func:`engineer_label` turns the developer's column and row names of the
solver's tables (``mj_per_thm``, ``S_as_CaS_excess``, ``trust_radius_relative``)
into the words and units an engineer uses (``heat [MJ/tHM]``, ``S as CaS (in
place of CaO's O)``, ``trust radius (relative) [-]``).
"""

from __future__ import annotations

import math
import re

import numpy as np

#: Decimals per unit. ``CUR`` stands for the scenario's currency (``USD/tHM`` -> ``CUR/tHM``).
UNIT_DECIMALS: dict[str, int] = {
    "kg/tHM": 1, "kg/t": 1, "g/tHM": 0, "t/day": 0, "kt/day": 2, "t": 2, "t/charge": 2, "t/t": 3,
    "1/day": 1, "1/h": 2,
    "wt %": 3, "%": 2, "% points": 2, "vol %": 2, "mass %": 2,
    "-": 3, "mol/mol": 3, "kg/kg": 3,
    "CUR/tHM": 2, "CUR/t": 2, "kCUR/day": 1, "CUR/tHM per unit": 4, "CUR/kg": 4,
    "degC": 0, "K": 0, "Pa s": 3, "Nm3/tHM": 0, "Nm3/h": 0, "g/Nm3": 1, "MJ/tHM": 0, "GJ/tHM": 2,
    "kJ/tHM": 0, "kJ/kg": 0, "MJ/kg": 2, "kg/tHM per unit": 3,
}

#: Units with a qualifier after them that does not change the decimals (``wt % dry``, ``% of input``).
_QUALIFIERS = (" dry", " wet", " of input", " of ferrous", " of income")


def unit_key(unit: str | None, currency: str = "") -> str | None:
    """The key of :data:`UNIT_DECIMALS` for a unit as written (currency -> ``CUR``), or None."""
    if unit is None:
        return None
    u = str(unit).strip()
    if currency:
        u = re.sub(rf"(?<![A-Za-z]){re.escape(currency)}(?![A-Za-z])", "CUR", u)
    if u in UNIT_DECIMALS:
        return u
    for q in _QUALIFIERS:
        if u.endswith(q) and u[: -len(q)] in UNIT_DECIMALS:
            return u[: -len(q)]
    if u.startswith("% ") and "%" in UNIT_DECIMALS:  # "% dry", "% of input"
        return "%"
    if u.startswith("CUR/tHM per"):
        return "CUR/tHM per unit"
    if u == "kCUR/day" or (currency and u == f"k{currency}/day"):
        return "kCUR/day"
    if u in ("CUR/dry t", "CUR/wet t"):
        return "CUR/t"
    return None


def decimals(unit: str | None, currency: str = "") -> int | None:
    """Decimals for a unit, or None when the unit is not in the table (then significant figures)."""
    k = unit_key(unit, currency)
    return None if k is None else UNIT_DECIMALS[k]


def column_unit(column: str) -> str | None:
    """The unit in a column name's brackets (``"cost [USD/tHM]"`` -> ``"USD/tHM"``); None without brackets."""
    m = re.search(r"\[([^\]]+)\]\s*$", str(column))
    return m.group(1) if m else None


def cell_units(df) -> list[list[str | None]]:
    """The unit of every cell of a report table, shape (rows, columns): the column's bracketed
    unit, or the row's ``unit`` column where the column says ``[see unit]``."""
    cols = [str(c) for c in df.columns]
    unit_col = cols.index("unit") if "unit" in cols else None
    col_units = [column_unit(c) for c in cols]
    out = []
    for row in df.itertuples(index=False, name=None):
        r = []
        for j, u in enumerate(col_units):
            if u == "see unit" and unit_col is not None:
                u = str(row[unit_col]) if row[unit_col] is not None else None
            r.append(u)
        out.append(r)
    return out


def is_number(v) -> bool:
    """True for int and float values (numpy too), not for booleans."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _significant(v: float) -> str:
    a = abs(v)
    if a >= 1e5:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:,.1f}"
    if a >= 1:
        return f"{v:.3f}"
    if a >= 1e-3:
        return f"{v:.4f}"
    return f"{v:.3g}"


def fmt_value(v, unit: str | None = None, currency: str = "") -> str:
    """A value as the report shows it.

    Numbers with the decimals of their unit (thousands separated by ``,``), or by
    magnitude when the unit is unknown; NaN and None as ``–``; infinities as ``∞``;
    booleans ``yes``/blank; text as it is.
    """
    if v is None:
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else ""
    if isinstance(v, (int, np.integer)):
        return f"{int(v):,}" if abs(int(v)) >= 10000 else str(int(v))
    if isinstance(v, (float, np.floating)):
        v = float(v) + 0.0
        if math.isnan(v):
            return "–"
        if math.isinf(v):
            return "∞" if v > 0 else "-∞"
        if v == 0:
            v = 0.0
        d = decimals(unit, currency)
        if d is None:
            return "0" if v == 0 else _significant(v)
        if v != 0 and abs(v) < 0.5 * 10 ** (-d):  # would show as 0: three significant figures instead
            return f"{v:.3g}"
        s = f"{v:,.{d}f}"
        return s[1:] if s.startswith("-") and float(s[1:].replace(",", "")) == 0 else s
    return str(v)


def excel_format(v, unit: str | None = None, currency: str = "") -> str:
    """Excel number format of a value with its unit (``#,##0.0`` for kg/tHM)."""
    d = decimals(unit, currency)
    if d is None:
        try:
            a = abs(float(v))
        except (TypeError, ValueError):
            return "General"
        if a != 0 and a < 1e-3:
            return "0.00E+00"
        d = 0 if a >= 1e5 else 1 if a >= 100 else 3 if a >= 1 else 4
    elif is_number(v) and v != 0 and abs(float(v)) < 0.5 * 10 ** (-d):
        return "0.00E+00"
    return "#,##0" + ("." + "0" * d if d else "")


# --------------------------------------------------------------------- engineer's words
#: Column and row names of the solver's tables -> the engineer's label (units in brackets).
LABELS: dict[str, str] = {
    # columns
    "mj_per_thm": "heat [MJ/tHM]", "pct_of_income": "share of heat income [%]",
    "nm3_per_thm": "volume [Nm3/tHM]", "vol_pct_dry": "dry gas [vol %]", "kg_per_thm": "mass [kg/tHM]",
    "x_o_per_c": "x = O/C [mol/mol]", "y_o_per_fe": "y = O/Fe [mol/mol]",
    "shadow_price_per_unit": "shadow price [CUR/tHM per unit]", "value": "value [see unit]",
    "min": "min [see unit]", "max": "max [see unit]", "limit": "limit [see unit]", "change": "change [see unit]",
    "at_bound": "at its bound", "decision": "decided by the optimiser", "side": "side",
    "max_violation_scaled": "largest violation (scaled) [-]", "step_relative": "step (relative) [-]",
    "trust_radius_relative": "trust radius (relative) [-]", "iteration": "iteration",
    "coke_change_kg_per_thm": "coke change [kg/tHM]", "coke_kg_per_thm_per_unit": "coke per unit of change [kg/tHM per unit]",
    "hbbf_kg_per_thm": "handbook rule (HBBF) [kg/tHM]",
    "coke_change_at_w_point_kg_per_thm": "coke change at constant shaft efficiency [kg/tHM]",
    "coke_change_plant_basis_kg_per_thm": "coke change, plant-table basis [kg/tHM]",
    "plant_table_low_kg_per_thm": "plant table (PRIMER §4), low [kg/tHM]",
    "plant_table_high_kg_per_thm": "plant table (PRIMER §4), high [kg/tHM]",
    "plant_table_deviation_pct": "plant basis / table − 1 (0 inside the table's range) [%]",
    # index names
    "setting": "setting", "name": "constraint", "term": "term", "component": "component", "quantity": "quantity",
    "point": "point", "change_of": "change of",
    # row labels
    "S_as_CaS_excess": "S as CaS (in place of CaO's O)",
    "tuyere_carbon": "carbon burnt at the tuyeres", "direct_carbon": "carbon of direct reduction",
    "indirect_co": "CO of indirect reduction", "hydrogen": "hydrogen", "blast_sensible": "blast sensible heat",
}

_SUFFIX_UNITS = (("_kg_per_thm", "kg/tHM"), ("_mj_per_thm", "MJ/tHM"), ("_nm3_per_thm", "Nm3/tHM"),
                 ("_g_per_nm3", "g/Nm3"), ("_t_per_day", "t/day"), ("_pct", "%"), ("_c", "degC"),
                 ("_pa_s", "Pa s"))


def engineer_label(name: str, currency: str = "") -> str:
    """The engineer's label for a developer's name (see :data:`LABELS`); other snake_case names
    lose their underscores and gain their unit (``objective_USD_per_thm`` -> ``objective [USD/tHM]``)."""
    s = str(name)
    if s in LABELS:
        return LABELS[s].replace("CUR", currency or "currency")
    if currency:
        m = re.fullmatch(rf"(.*)_{re.escape(currency)}_per_thm", s)
        if m:
            return f"{m.group(1).replace('_', ' ')} [{currency}/tHM]"
    if s.endswith(("_per_unit_down", "_per_unit_up")):  # one-sided slopes of the sensitivity
        side = s.rsplit("_", 1)[1]
        base = engineer_label(s[: -len(side) - 1], currency)
        base = "coke [kg/tHM per unit]" if base.startswith("coke per unit of change") else base
        i = base.find(" [")
        return f"{base[:i]}, slope {side}{base[i:]}" if i > 0 else f"{base}, slope {side}"
    if s.endswith("_per_unit") and len(s) > 9:  # "cost_USD_per_thm_per_unit" -> "cost [USD/tHM per unit]"
        base = engineer_label(s[:-9], currency)
        return base[:-1] + " per unit]" if base.endswith("]") else base + " per unit"
    if "_" not in s or " " in s:
        return s
    for suf, unit in _SUFFIX_UNITS:
        if s.endswith(suf) and len(s) > len(suf):
            return f"{s[: -len(suf)].replace('_', ' ')} [{unit}]"
    return s.replace("_", " ")


# --------------------------------------------------------------------- labels of plots
#: Longest name a plot shows (characters); tables and the terminal's wide columns keep full names.
PLOT_LABEL_MAX = 28


def short_label(text, n: int = PLOT_LABEL_MAX) -> str:
    """``text`` cut to at most ``n`` characters in the middle (``sinter_strand_2…plant_north``):
    the start and the end stay, so names sharing a long prefix (plant, grade) stay apart."""
    s = str(text)
    if len(s) <= n:
        return s
    if n < 3:
        return s[:n]
    head = (n - 1 + 1) // 2
    tail = n - 1 - head
    return s[:head] + "…" + (s[-tail:] if tail else "")


def short_labels(texts, n: int = PLOT_LABEL_MAX) -> list[str]:
    """:func:`short_label` of each text, longer where two would otherwise look the same
    (distinct texts always give distinct labels)."""
    texts = [str(t) for t in texts]
    out = [short_label(t, n) for t in texts]
    m = n
    while len(set(out)) < len(set(texts)) and m < max(map(len, texts), default=0):
        m += 4
        seen: dict[str, set] = {}
        for t, o in zip(texts, out):
            seen.setdefault(o, set()).add(t)
        out = [short_label(t, m) if len(seen[o]) > 1 else o for t, o in zip(texts, out)]
    return out


def round_to_unit(v, unit: str | None = None, currency: str = ""):
    """A difference rounded to the decimals its unit shows (:data:`UNIT_DECIMALS`), so one below
    the displayed precision (``-5.68e-14`` USD/tHM, ``0.0003`` wt %) is 0, not float noise or a
    value in scientific notation; units outside the table: rounded at 1e-9 relative to 1.
    Non-numbers are returned as they are."""
    if not is_number(v) or isinstance(v, (int, np.integer)):
        return v
    v = float(v)
    if not math.isfinite(v):
        return v
    d = decimals(unit, currency)
    r = round(v, d) if d is not None else (0.0 if abs(v) < 1e-9 else v)
    return r + 0.0 if r != 0 else 0.0


def fmt_difference(v, unit: str | None = None, currency: str = "") -> str:
    """A difference as the report shows it: :func:`round_to_unit`, then :func:`fmt_value`
    (a leading ``+`` for a positive difference)."""
    r = round_to_unit(v, unit, currency)
    s = fmt_value(r, unit, currency)
    return "+" + s if is_number(r) and r > 0 else s
