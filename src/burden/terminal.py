"""Plain-text tables for the terminal and ``summary.txt``: aligned columns within 100 characters.

Numbers are formatted with the one formatting table of the reports
(:func:`burden.report.style.fmt_value`: the decimals of each unit), so the
terminal, HTML, PDF and Excel show the same digits.  Plain text (no colour
codes), so the same lines go to a file.
"""

from __future__ import annotations

import math

#: Widest line written (characters).
WIDTH = 100


def _cut(text: str, n: int) -> str:
    """``text`` in at most ``n`` characters, cut in the middle (start and end kept: two long
    names sharing a prefix stay apart, see :func:`burden.report.style.short_label`)."""
    from .report.style import short_label

    return short_label(text, max(n, 1))


def table(columns: list[str], rows: list[list], units: list[str | None] | None = None, *, currency: str = "",
          indent: int = 0, width: int = WIDTH, first_max: int = 40) -> list[str]:
    """Lines of an aligned table: text left, numbers right, at most ``width`` characters.

    Parameters
    ----------
    columns : list of str
        Headers.
    rows : list of lists
        Cells: numbers (formatted with the decimals of ``units[j]``), text or None.
    units : list, optional
        Unit of each column for the number of decimals (None: by magnitude). A cell given
        as ``(value, unit)`` uses its own unit (a column of mixed units).
    first_max : int
        Widest first (label) column; longer labels are cut in the middle (``…``).  Later columns are cut
        likewise if the table is still wider than ``width``.
    """
    from .report.style import fmt_value, is_number

    units = units or [None] * len(columns)
    text, num = [], []
    for r in rows:
        tr, nr = [], []
        for j, v in enumerate(r):
            u = units[j]
            if isinstance(v, tuple):
                v, u = v
            tr.append(fmt_value(v, u, currency) if is_number(v) or v is None else str(v))
            nr.append(is_number(v) or (isinstance(v, float) and math.isnan(v)))
        text.append(tr)
        num.append(nr)
    w = [max([len(c)] + [len(r[j]) for r in text]) for j, c in enumerate(columns)]
    w[0] = min(w[0], first_max)
    while indent + sum(w) + 2 * (len(w) - 1) > width and max(w) > 8:  # cut the widest text column
        j = max(range(len(w)), key=lambda k: w[k])
        w[j] -= 1
    right = [any(n[j] for n in num) for j in range(len(columns))]
    pad = " " * indent

    def line(cells, is_num):
        parts = [(_cut(c, w[j]).rjust(w[j]) if (is_num[j] if is_num else right[j]) and j else _cut(c, w[j]).ljust(w[j]))
                 for j, c in enumerate(cells)]
        return (pad + "  ".join(parts)).rstrip()

    out = [line(columns, [right[j] for j in range(len(columns))])]
    out += [line(t, [right[j] for j in range(len(columns))]) for t in text]
    return out


def sensitivity_lines(df, currency: str) -> list[str]:
    """The sensitivity table of :func:`burden.nonlinear.sensitivity` as aligned lines: per setting,
    its value, the step and the change of the optimal cost and coke rate per unit of the setting.

    A setting whose optimum sits on a kink (one-sided slopes differ) gets two lines, the slope
    down and the slope up, and no central value (which would average the two)."""
    from .nonlinear import SETTING_LABEL

    cost_col = next(c for c in df.columns if str(c).startswith("cost_") and str(c).endswith("_per_unit"))
    cu, ku = f"{currency}/tHM per unit", "kg/tHM per unit"
    rows = []
    kinks = []
    for name, r in df.iterrows():
        unit = str(r["unit"])
        label = SETTING_LABEL[name][0] if name in SETTING_LABEL else str(name).replace("_kg_per_thm", " rate")
        head = [label, (float(r["value"]), unit), unit, (float(r["step"]), unit)]
        if str(r["difference"]) == "kink" and f"{cost_col}_down" in df.columns:
            kinks.append(label)
            rows.append(head + ["kink: down", (float(r[f"{cost_col}_down"]), cu),
                                (float(r["coke_kg_per_thm_per_unit_down"]), ku)])
            rows.append(["", "", "", "", "kink: up", (float(r[f"{cost_col}_up"]), cu),
                         (float(r["coke_kg_per_thm_per_unit_up"]), ku)])
        else:
            rows.append(head + [str(r["difference"]), (float(r[cost_col]), cu),
                                (float(r["coke_kg_per_thm_per_unit"]), ku)])
    head = ["setting", "value", "unit", "step", "difference", f"cost {currency}/tHM per unit",
            "coke kg/tHM per unit"]
    out = ["Sensitivity of the optimum (re-solved at each setting ± a step; per unit of the setting):"] + \
        table(head, rows, currency=currency, indent=2)
    if kinks:
        out.append(f"  kink ({', '.join(kinks)}): the slopes below and above the optimum differ;")
        out.append("  a limit becomes active there (e.g. coke at its minimum), so no single slope holds")
    return out
