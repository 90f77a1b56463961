"""Emissions component: CO2 per tonne of hot metal as a column and a row of the formulation.

Direct CO2 of the furnace by carbon mass balance (IPCC 2006 Vol. 3 ch. 4.2 Tier 2; EU ETS
mass balance, Regulation (EU) 2018/2066; OPERATIONS §7)::

    co2 = (1 − s)·(C_in(x) − C_hot_metal(x) − C_dust)·M_CO2/M_C + Σ_j u_j·x_j      [kg/tHM]

* ``C_in`` — carbon of everything charged and injected: the canonical elemental carbon of
  each analysis (fixed carbon, coal carbon, volatile-matter carbon, free carbon of scrap) and
  the carbon of its carbonate CO2 (:func:`burden.chemistry.carbon.material_carbon_pct`);
* ``C_hot_metal`` — the burden component's quantity ``hot_metal.C`` (10·[C], the USTB-NB
  correlation or the given [C]; linear in the burden);
* ``C_dust`` — carbon of the lost burden (top dust), kg/tHM;
* ``s`` — the exported top-gas share credited (``emissions.boundary.exported_top_gas_share``,
  default 0: all top-gas carbon counted as emitted);
* ``u_j`` — upstream t CO2 per dry t of material j (``upstream_t_co2_per_t``, by material name
  or class; a name wins over its class).

Every term is linear in the material rates x (also in the nonlinear model, where the coke
rate is a variable), so CO2 is exact as linear rows.  :func:`declare` adds block
``emissions`` (one column ``co2_kg_per_thm``), the balance row ``emissions.co2``
(``co2(x) − z = 0``), the cap ``emissions.co2_kg_per_thm.max`` (``z <= cap``, an operating
limit whose shadow price is currency/tHM per kg CO2/tHM) when one is given, and the
objective term ``co2`` = price/1000·z (currency per tHM).  The rows form a row block with a
recipe, so a changed analysis re-forms the material's coefficient like every burden row.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from ...chemistry.analysis import CANONICAL
from ...chemistry.carbon import CO2_PER_C
from ..formulation import RowBlock, RowMeta, block_static
from ..space import LinExpr

_C = CANONICAL.index("C")
_CO2 = CANONICAL.index("CO2")
#: Name of the emissions column block and of its one column.
BLOCK = "emissions"
COLUMN = "co2_kg_per_thm"
#: Row names.
BALANCE_ROW = "emissions.co2"
CAP_ROW = "emissions.co2_kg_per_thm.max"
#: Bounds of the CO2 column, kg/tHM: the plausible range of a ``_kg_per_thm`` number
#: (:data:`burden.errors.QUANTITY_KINDS`); finite so the nonlinear paths can scale it.
COLUMN_RANGE = (-1.0e4, 1.0e4)


def boundary_of(scn):
    """The scenario's :class:`~burden.scenario.EmissionsBoundary` (the default when no
    ``emissions:`` section is given)."""
    from ...scenario import EmissionsBoundary

    em = scn.config.emissions
    return em.boundary if em is not None else EmissionsBoundary()


def boundary_text(boundary) -> str:
    """One line saying what the CO2 figure counts."""
    parts = ["direct CO2 of the furnace by carbon mass balance (carbon charged − hot metal − dust)"]
    s = boundary.exported_top_gas_share
    parts.append("all top-gas carbon counted as emitted" if s == 0 else
                 f"{100 * s:g} % of the top-gas carbon exported and credited")
    if boundary.upstream_t_co2_per_t:
        parts.append("upstream " + ", ".join(f"{k} {v:g} t CO2/t" for k, v in boundary.upstream_t_co2_per_t.items()))
    return "; ".join(parts)


def upstream_factors(scn, names: Sequence[str]) -> np.ndarray:
    """Upstream kg CO2 per kg of each material (t/t), shape (n,): its own factor if named,
    else its class's, else 0."""
    f = boundary_of(scn).upstream_t_co2_per_t
    mats = scn.materials
    out = np.zeros(len(names))
    for j, k in enumerate(names):
        if k in f:
            out[j] = f[k]
        else:
            out[j] = f.get(mats[k].material_class.value, 0.0)
    return out


def carbon_fraction(W: np.ndarray) -> np.ndarray:
    """kg C per kg of material from analyses as kg/kg per species (rows materials, columns
    :data:`~burden.chemistry.analysis.CANONICAL`): C + CO2·M_C/M_CO2."""
    W = np.asarray(W, dtype=float)
    return W[..., _C] + W[..., _CO2] / CO2_PER_C


def dust_carbon_kg(scn) -> float:
    """Carbon leaving in the lost burden, kg/tHM."""
    return float(sum(rate * (m.analysis["C"] + m.analysis["CO2"] / CO2_PER_C) / 100.0
                     for m, rate in scn.lost_burden.values()))


class _Recipe:
    """How the emission rows follow from the analyses (the interface of
    :class:`~burden.core.components.burden.Recipe` that ``Problem._set_column`` uses)."""

    def __init__(self, keep: float, upstream: np.ndarray, hm_c_row: int, n_rows: int):
        self.keep = keep            # (1 − s)·M_CO2/M_C
        self.upstream = upstream    # kg CO2 per kg, per material
        self.hm_c_row = hm_c_row    # row of hot_metal.C in the quantity table
        self.n_rows = n_rows

    def coefficients(self, qt, W: np.ndarray) -> np.ndarray:
        """kg CO2 per kg of each material (shape (n,))."""
        return self.keep * (carbon_fraction(W) - qt.Q[self.hm_c_row]) + self.upstream

    def column(self, qt, j: int, w: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Column ``j`` of N and D for analysis ``w`` (kg/kg per species) of material j; ``qt``
        already holds it."""
        n_col = np.zeros(self.n_rows)
        n_col[0] = self.keep * (float(carbon_fraction(w)) - qt.Q[self.hm_c_row, j]) + self.upstream[j]
        return n_col, np.zeros(self.n_rows)


def co2_expression(scn, q, names: Sequence[str], W: np.ndarray | None = None) -> tuple[np.ndarray, float]:
    """(a, b): CO2 within the boundary = a·x + b, kg/tHM, with a (n,) in kg CO2 per kg material.

    ``q`` is the burden component's :class:`~burden.core.components.burden.QuantityTable`
    over ``names``; ``W`` the analyses (kg/kg per species; default from the scenario)."""
    from .burden import species_matrix

    if W is None:
        W = species_matrix([scn.materials[k] for k in names])
    bd = boundary_of(scn)
    keep = (1.0 - bd.exported_top_gas_share) * CO2_PER_C
    rc = _Recipe(keep, upstream_factors(scn, names), q.smap.index["hot_metal.C"], 1)
    hm = q["hot_metal.C"]
    return rc.coefficients(q, W), -keep * (hm.const + dust_carbon_kg(scn))


def co2_parts(scn, q, names: Sequence[str], x: np.ndarray, extra: np.ndarray | None = None) -> dict[str, float]:
    """The terms of the CO2 figure at the material rates ``x`` (kg/tHM unless stated).

    Keys: ``carbon_in_kg_per_thm``, ``carbon_hot_metal_kg_per_thm``, ``carbon_dust_kg_per_thm``,
    ``carbon_top_gas_kg_per_thm``, ``direct_co2_kg_per_thm`` (all top-gas carbon as CO2),
    ``exported_credit_co2_kg_per_thm``, ``upstream_co2_kg_per_thm``, ``co2_kg_per_thm`` (the
    figure within the boundary); ``extra`` the split columns' values (kg/tHM), if any."""
    from ...chemistry.carbon import direct_co2_kg
    from .burden import species_matrix

    x = np.asarray(x, dtype=float)[: len(names)]
    W = species_matrix([scn.materials[k] for k in names])
    c_in = float(carbon_fraction(W) @ x)
    c_hm = q["hot_metal.C"].value(x)
    if getattr(q, "E", None) is not None and extra is not None:   # split columns move [C] too
        c_hm += float(q.E[q.smap.index["hot_metal.C"]] @ np.asarray(extra, dtype=float))
    c_dust = dust_carbon_kg(scn)
    bd = boundary_of(scn)
    direct = float(direct_co2_kg(c_in, c_hm, c_dust))
    counted = float(direct_co2_kg(c_in, c_hm, c_dust, bd.exported_top_gas_share))
    upstream = float(upstream_factors(scn, names) @ x)
    return {"carbon_in_kg_per_thm": c_in, "carbon_hot_metal_kg_per_thm": c_hm, "carbon_dust_kg_per_thm": c_dust,
            "carbon_top_gas_kg_per_thm": c_in - c_hm - c_dust, "direct_co2_kg_per_thm": direct,
            "exported_credit_co2_kg_per_thm": counted - direct, "upstream_co2_kg_per_thm": upstream,
            "co2_kg_per_thm": counted + upstream}


def declare(f, scn, q, x) -> object | None:
    """Add the CO2 column, rows and objective term of a scenario with an ``emissions:`` section.

    Parameters
    ----------
    f : Formulation
    scn : Scenario
    q : QuantityTable
        The burden component's quantities over block ``x``.
    x : Block
        The material block.

    Returns
    -------
    Block or None
        Block ``emissions`` (column ``co2_kg_per_thm``, kg CO2/tHM), None without the section.
    """
    em = scn.config.emissions
    if em is None:
        return None
    names = list(x.labels)
    blk = f.space.add(BLOCK, [COLUMN], COLUMN_RANGE[0], COLUMN_RANGE[1], unit="kg/tHM",
                      description="CO2 within the emissions boundary, kg/tHM")
    a, b = co2_expression(scn, q, names)
    bd = em.boundary
    meta = [RowMeta(BALANCE_ROW, "CO2 balance: co2(burden) − co2_kg_per_thm", "==", "kg/tHM", "balance",
                    "carbon mass balance: " + boundary_text(bd), "emissions", ("co2",))]
    N = [np.concatenate([a, [-1.0]])]
    cn = [b]
    theta = [0.0]
    if em.cap_kg_per_thm is not None:
        meta.append(RowMeta(CAP_ROW, "CO2 per tHM", "<=", "kg/tHM", "limit",
                            "CO2 cap (emissions.cap_kg_per_thm)", "emissions", ("co2",)))
        N.append(np.concatenate([np.zeros(len(names)), [1.0]]))
        cn.append(0.0)
        theta.append(em.cap_kg_per_thm)
    m = len(meta)
    keep = (1.0 - bd.exported_top_gas_share) * CO2_PER_C
    rc = _Recipe(keep, upstream_factors(scn, names), q.smap.index["hot_metal.C"], m)
    cols = np.concatenate([x.cols, blk.cols])
    f.add_block(RowBlock(meta, cols, np.array(N), np.array(cn), np.zeros((m, len(cols))), np.ones(m), theta, rc,
                         block_static(meta)))
    if em.carbon_price_per_t:
        # currency per t CO2 × kg CO2/tHM / 1000 = currency per tHM
        f.set_objective("co2", LinExpr.from_dense(blk.cols, np.array([em.carbon_price_per_t / 1000.0])))
    return blk


def benchmark_t_per_thm(scn) -> tuple[str | None, float]:
    """(period, t CO2/tHM) of the EU ETS hot-metal benchmark chosen (``emissions.benchmark``,
    default 2021-2025); (None, nan) when set to null."""
    from ...scenario import ETS_HOT_METAL_BENCHMARK_T_PER_T

    em = scn.config.emissions
    period = "2021-2025" if em is None else em.benchmark
    if period is None:
        return None, math.nan
    return period, ETS_HOT_METAL_BENCHMARK_T_PER_T[period]
