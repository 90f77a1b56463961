"""Fuels component: coke replaced by an injectant at a ratio, or plant correction factors.

* replacement: ``coke + r·injectant = coke_ref + r·injectant_ref`` (the replacement
  ratio r, kg coke per kg injectant; PRIMER §4);
* correction: the plant's linear fuel model
  ``coke = coke_ref + Σ f·(value − reference)`` where a value is computed by the LP
  (slag rate, a material rate, the [Si] target) or given (blast temperature, ...).

:func:`correction_term` is the one parser of correction-factor keys; the scenario
validation, this component and the result table all use it.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from ..rows import Row
from ..space import LinExpr

SUFFIX = "_kg_per_thm"


def correction_term(key: str, factor, materials) -> tuple[str, str | None]:
    """What a correction-factor key refers to.

    Returns
    -------
    (kind, material)
        ``("slag", None)`` — the slag rate from the burden; ``("si_target", None)`` —
        the hot-metal [Si] target; ``("material", name)`` — the rate of a charged
        material; ``("value", None)`` — a setting the LP does not compute (its
        ``value`` is given).
    """
    if key == "slag_kg_per_thm":
        return "slag", None
    if key == "hot_metal_Si_pct" and factor.value is None:
        return "si_target", None
    if key.endswith(SUFFIX) and key[: -len(SUFFIX)] in materials:
        return "material", key[: -len(SUFFIX)]
    return "value", None


def declare(f, scn, q: Mapping, x, names: Sequence[str]) -> None:
    """Add the fuel rows of ``scn`` (replacement or correction) over material block ``x``."""
    cfg = scn.config
    one = LinExpr.constant(1.0)
    rep = cfg.fuels.replacement
    if rep is not None:
        num = x.expr(rep.coke) + x.expr(rep.injectant, rep.ratio)
        f.add_rows([Row("fuels.replacement", f"{rep.coke} + {rep.ratio:g}·{rep.injectant}", "==",
                        rep.coke_reference_kg_per_thm + rep.ratio * rep.injectant_reference_kg_per_thm, "kg/tHM",
                        num, one, "fuel", f"{rep.coke} replaced by {rep.injectant} at {rep.ratio:g} kg/kg", "fuels",
                        ("replacement",))])
    corr = cfg.fuels.correction
    if corr is not None:
        f.add_rows([correction_row(scn, q, x, names, corr)])


def correction_row(scn, q: Mapping, x, names: Sequence[str], corr) -> Row:
    """coke − Σ f·q(x) = coke_ref − Σ f·ref + Σ f·value (constants): the plant's linear fuel model."""
    cols = x.cols
    num = x.expr(corr.coke)
    theta = corr.coke_reference_kg_per_thm
    for key, fac in corr.factors.items():
        kind, mat = correction_term(key, fac, names)
        if kind == "slag":
            num = num - q["slag.total"].on(cols) * fac.per_unit
        elif kind == "si_target":
            theta += fac.per_unit * scn.config.hot_metal.Si_pct
        elif kind == "material":
            num = num - x.expr(mat, fac.per_unit)
        else:
            theta += fac.per_unit * fac.value
        theta -= fac.per_unit * fac.reference
    return Row("fuels.correction", f"{corr.coke} from correction factors", "==", theta, "kg/tHM", num,
               LinExpr.constant(1.0), "fuel",
               f"{corr.coke} = {corr.coke_reference_kg_per_thm:g} + Σ factor·(value − reference)", "fuels",
               ("correction",))


def correction_values(scn, corr, quantity, rates: Mapping[str, float]) -> list[dict]:
    """The plant's correction factors applied to a burden (value, change, coke change per factor).

    ``quantity(name)`` gives a burden quantity (kg/tHM); ``rates`` the material rates.
    """
    out = []
    for key, fac in corr.factors.items():
        kind, mat = correction_term(key, fac, list(rates.keys()))
        if kind == "slag":
            v = quantity("slag.total")
        elif kind == "si_target":
            v = scn.config.hot_metal.Si_pct
        elif kind == "material":
            v = float(rates[mat])
        else:
            v = fac.value
        out.append({"change_of": key, "reference": fac.reference, "value": v, "change": v - fac.reference,
                    "coke_kg_per_thm_per_unit": fac.per_unit, "coke_change_kg_per_thm": fac.per_unit * (v - fac.reference)})
    return out


_ = np  # numpy is the array type of the quantities used here
