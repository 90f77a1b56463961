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

from ..formulation import RowMeta
from .burden import Recipe


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


def declare(f, scn, q, x, names: Sequence[str]) -> None:
    """Add the fuel rows of ``scn`` (replacement or correction) as a row block over material block ``x``.

    ``q`` is the burden component's :class:`~burden.core.components.burden.QuantityTable`."""
    from .burden import recipe_of

    rc = recipe_of(recipe, scn, names, [scn.materials[k] for k in names], q.smap)
    if rc.meta:
        f.add_block(rc.block(q, x.cols))


def recipe(scn, names: Sequence[str], qindex: dict):
    """The fuel rows as a :class:`~burden.core.components.burden.Recipe`."""
    cfg = scn.config
    n = len(names)
    pos = {k: i for i, k in enumerate(names)}
    rc = Recipe(qindex, n)
    one = ((), None, 1.0)
    rep = cfg.fuels.replacement
    if rep is not None:
        ind = np.zeros(n)
        ind[pos[rep.coke]] += 1.0
        ind[pos[rep.injectant]] += rep.ratio
        rc.add(RowMeta("fuels.replacement", f"{rep.coke} + {rep.ratio:g}·{rep.injectant}", "==", "kg/tHM", "fuel",
                       f"{rep.coke} replaced by {rep.injectant} at {rep.ratio:g} kg/kg", "fuels", ("replacement",)),
               rep.coke_reference_kg_per_thm + rep.ratio * rep.injectant_reference_kg_per_thm, ((), ind, 0.0), one)
    corr = cfg.fuels.correction
    if corr is not None:
        ind = np.zeros(n)
        ind[pos[corr.coke]] = 1.0
        terms = []
        theta = corr.coke_reference_kg_per_thm
        for key, fac in corr.factors.items():
            kind, mat = correction_term(key, fac, names)
            if kind == "slag":
                terms.append(("slag.total", -fac.per_unit))
            elif kind == "si_target":
                theta += fac.per_unit * cfg.hot_metal.Si_pct
            elif kind == "material":
                ind[pos[mat]] -= fac.per_unit
            else:
                theta += fac.per_unit * fac.value
            theta -= fac.per_unit * fac.reference
        rc.add(RowMeta("fuels.correction", f"{corr.coke} from correction factors", "==", "kg/tHM", "fuel",
                       f"{corr.coke} = {corr.coke_reference_kg_per_thm:g} + Σ factor·(value − reference)", "fuels",
                       ("correction",)), theta, (tuple(terms), ind, 0.0), one)
    return rc.freeze()


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


