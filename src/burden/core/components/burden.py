"""Burden component: material columns, element and oxide balances, hot metal, slag, loads, shares.

With fuel rates and distribution coefficients fixed, every quantity of interest
(hot-metal elements, slag oxides, loads, group totals) is an affine function of the dry
material rates x_j (kg/tHM): ``q(x) = a·x + b`` (:class:`Affine`, dense over the
materials of a *stream*).  :func:`quantities` computes them from the analyses, and
:func:`declare` maps them onto the columns of the stream, so the same balances serve
"material m" today and "material m in period p" or "sinter made from its feed" later.

Balances (USTB-HW method, PRIMER §2-3; net input = inputs less dust):

* hot metal: Fe = η_Fe·Fe_net; Mn, P, Ti, V likewise with their η; Si and S at
  their targets; C given or from the USTB-NB correlation (linear in the hot
  metal analysis); the hot metal sums to 1000 kg unless [Fe] is given.
* slag: CaO, MgO, Al2O3 whole; SiO2 = SiO2_net − (M_SiO2/M_Si)·Si_HM; MnO,
  FeO, TiO2, V2O5, P2O5 from (1−η) of their element; K2O, Na2O less the gas
  share; S = (1−λ_S)·S_net − S_HM counted as CaS, i.e. adding
  S·(1 − M_O/M_S) to the slag mass ("S/2" in USTB-HW).
* loads: sums over every input including fuels (not net of dust).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np

from ...chemistry.analysis import CANONICAL
from ...chemistry.elements import mass_ratio, oxide_per_element
from ...materials import MaterialClass
from ..parameters import ModelParameters
from ..rows import LIMITS, Row, spec_window, window_rows
from ..space import Block, LinExpr

#: Hot-metal carbon correlation USTB-NB (PRIMER §3), the default of the model parameters
#: (``hm_carbon_*`` in :mod:`burden.core.parameters`):
#: [C] = 1.34 + 2.45e-3·T − 0.35[P] + 0.17[Ti] − 0.54[S] + 0.04[Mn] − 0.30[Si]
HM_CARBON_COEFFS = ModelParameters.default().hm_carbon

#: Mass added to slag per kg of S held as CaS when CaO is counted whole:
#: CaS − CaO = S − O, i.e. 1 − M_O/M_S per kg S ("S/2" of USTB-HW).
SLAG_S_MASS_FACTOR = 1.0 - mass_ratio("O", "S")

#: Slag components summed into the slag mass, kg/tHM.
SLAG_COMPONENTS = ("CaO", "SiO2", "Al2O3", "MgO", "MnO", "FeO", "TiO2", "V2O5", "P2O5", "K2O", "Na2O", "ZnO",
                   "S_as_CaS_excess")
#: Species whose balance (input = hot metal + slag + dust + gas) is reported.
BALANCED = ("Fe", "Mn", "P", "S", "Ti", "V", "Zn", "SiO2", "Al2O3", "CaO", "MgO", "K2O", "Na2O")
#: Hot-metal elements, in report order.
HM_ELEMENTS = ("Fe", "Si", "Mn", "P", "S", "C", "Ti", "V")


@dataclass(frozen=True)
class Affine:
    """An affine form ``coef·x + const`` over the materials of a stream (kg/tHM).

    ``coef`` has shape (n_materials,), ``const`` is kg/tHM.
    """

    coef: np.ndarray
    const: float = 0.0

    def __add__(self, other: "Affine") -> "Affine":
        return Affine(self.coef + other.coef, self.const + other.const)

    def __sub__(self, other: "Affine") -> "Affine":
        return Affine(self.coef - other.coef, self.const - other.const)

    def __mul__(self, k: float) -> "Affine":
        return Affine(self.coef * k, self.const * k)

    __rmul__ = __mul__

    def value(self, x: np.ndarray) -> float:
        """Value at the material rates ``x`` (the first n entries are used)."""
        x = np.asarray(x, dtype=float)
        return float(self.coef @ x[: self.coef.size] + self.const)

    def on(self, cols: np.ndarray) -> LinExpr:
        """The same form over global columns ``cols`` (one per material)."""
        return LinExpr.from_dense(cols, self.coef, self.const)


def availability_kg_per_thm(material, production_t_per_day: float) -> tuple[float, float]:
    """(min, max) dry kg/tHM of a material from its kg/tHM and t/day limits.

    t/day → kg/tHM: 1000·t_per_day / production_t_per_day; the tighter of the two
    limits of each side applies.  This is the one place the conversion is made.
    """
    m = material
    lo = max(m.min_kg_per_thm or 0.0, 1000.0 * (m.min_t_per_day or 0.0) / production_t_per_day)
    hi = min(m.max_kg_per_thm if m.max_kg_per_thm is not None else math.inf,
             1000.0 * m.max_t_per_day / production_t_per_day if m.max_t_per_day is not None else math.inf)
    return lo, hi


def bound_kind(lo: float, hi: float) -> str:
    """``fixed``, ``availability`` or ``free`` (for reports)."""
    return "fixed" if lo == hi else ("availability" if (lo > 0 or math.isfinite(hi)) else "free")


def species_matrix(mats) -> np.ndarray:
    """wt % → kg/kg: rows materials, columns CANONICAL species, shape (n, n_species)."""
    return np.array([[m.analysis[s] / 100.0 for s in CANONICAL] for m in mats], dtype=float).reshape(-1, len(CANONICAL))


def hm_carbon_coefficients(scn) -> Mapping[str, float]:
    """The scenario's [C] correlation coefficients (``scn.parameters.hm_carbon``)."""
    return scn.parameters.hm_carbon


def quantities(scn, names: Sequence[str], W: np.ndarray | None = None) -> dict[str, Affine]:
    """The affine forms of every hot-metal, slag, load, gas and dust quantity, kg/tHM.

    Parameters
    ----------
    scn : Scenario
    names : materials of the stream, in column order
    W : array (n, n_species), optional
        Analyses as kg/kg (default: from the scenario's materials).

    See the module docstring for the balances and their source.
    """
    cfg = scn.config
    dist = cfg.distribution
    hm = cfg.hot_metal
    n = len(names)
    if W is None:
        W = species_matrix([scn.materials[k] for k in names])
    idx = {s: i for i, s in enumerate(CANONICAL)}
    zero = np.zeros(n)

    def inp(s: str) -> Affine:
        return Affine(W[:, idx[s]].copy(), 0.0)

    dust = {s: sum(rate * m.analysis[s] / 100.0 for m, rate in scn.lost_burden.values()) for s in CANONICAL}

    def net(s: str) -> Affine:
        return Affine(W[:, idx[s]].copy(), -dust[s])

    def const(c: float) -> Affine:
        return Affine(zero.copy(), float(c))

    q: dict[str, Affine] = {}
    eta = {"Fe": dist.Fe_to_hot_metal, "Mn": dist.Mn_to_hot_metal, "P": dist.P_to_hot_metal,
           "Ti": dist.Ti_to_hot_metal, "V": dist.V_to_hot_metal}
    for el, e in eta.items():
        q[f"hot_metal.{el}"] = net(el) * e
    q["hot_metal.Si"] = const(10.0 * hm.Si_pct)
    q["hot_metal.S"] = const(10.0 * hm.S_pct)
    if hm.C_pct == "formula":
        k = hm_carbon_coefficients(scn)
        # kg C = 10·[C]; 10·k·[X] = k·X_kg for the other elements
        c = const(10.0 * (k["const"] + k["T"] * hm.temperature_c))
        for el in ("P", "Ti", "S", "Mn", "Si"):
            c = c + q[f"hot_metal.{el}"] * k[el]
        q["hot_metal.C"] = c
    else:
        q["hot_metal.C"] = const(10.0 * hm.C_pct)
    total = const(0.0)
    for el in HM_ELEMENTS:
        total = total + q[f"hot_metal.{el}"]
    q["hot_metal.total"] = total

    # Slag, kg/tHM
    q["slag.CaO"] = net("CaO")
    q["slag.SiO2"] = net("SiO2") - q["hot_metal.Si"] * oxide_per_element("SiO2", "Si")
    q["slag.Al2O3"] = net("Al2O3")
    q["slag.MgO"] = net("MgO")
    q["slag.MnO"] = net("Mn") * ((1 - eta["Mn"]) * oxide_per_element("MnO", "Mn"))
    q["slag.FeO"] = net("Fe") * ((1 - eta["Fe"]) * oxide_per_element("FeO", "Fe"))
    q["slag.TiO2"] = net("Ti") * ((1 - eta["Ti"]) * oxide_per_element("TiO2", "Ti"))
    q["slag.V2O5"] = net("V") * ((1 - eta["V"]) * oxide_per_element("V2O5", "V"))
    q["slag.P2O5"] = net("P") * ((1 - eta["P"]) * oxide_per_element("P2O5", "P"))
    q["slag.K2O"] = net("K2O") * (1 - dist.alkali_to_gas)
    q["slag.Na2O"] = net("Na2O") * (1 - dist.alkali_to_gas)
    q["slag.ZnO"] = net("Zn") * ((1 - dist.Zn_to_gas) * oxide_per_element("ZnO", "Zn"))
    q["slag.S"] = net("S") * (1 - dist.S_to_gas) - q["hot_metal.S"]
    q["slag.S_as_CaS_excess"] = q["slag.S"] * SLAG_S_MASS_FACTOR
    tot = const(0.0)
    for c in SLAG_COMPONENTS:
        tot = tot + q[f"slag.{c}"]
    q["slag.total"] = tot

    # Gas and dust
    q["gas.S"] = net("S") * dist.S_to_gas
    q["gas.K2O"] = net("K2O") * dist.alkali_to_gas
    q["gas.Na2O"] = net("Na2O") * dist.alkali_to_gas
    q["gas.Zn"] = net("Zn") * dist.Zn_to_gas
    for s in BALANCED:
        q[f"input.{s}"] = inp(s)
        q[f"dust.{s}"] = const(dust[s])

    # Loads (all inputs, kg/tHM)
    q["load.alkali"] = inp("K2O") + inp("Na2O")
    q["load.zinc"] = inp("Zn")
    q["load.sulphur"] = inp("S")
    q["load.phosphorus"] = inp("P")
    q["load.chlorine"] = inp("Cl")
    return q


def group_vector(scn, names: Sequence[str], spec) -> np.ndarray:
    """1 for each material of ``names`` named in ``spec`` or of a class named in it."""
    sel = [spec] if isinstance(spec, str) else list(spec)
    classes = {c.value for c in MaterialClass}
    v = np.zeros(len(names))
    for i, n in enumerate(names):
        m = scn.materials[n]
        if n in sel or (m.material_class.value in sel and m.material_class.value in classes):
            v[i] = 1.0
    return v


def combine(q: Mapping[str, Affine], terms, cfg, n: int) -> Affine:
    """Σ w·q over ``(quantity, weight)`` terms of a :class:`~burden.core.rows.LimitSpec` part."""
    out = Affine(np.zeros(n), 0.0)
    for name, w in terms:
        w = w(cfg) if callable(w) else float(w)
        out = out + (Affine(np.zeros(n), w) if name == "" else q[name] * w)
    return out


def declare(f, scn, *, block: str = "x") -> tuple[Block, dict[str, Affine]]:
    """Declare the material columns and the burden rows of ``scn`` in formulation ``f``.

    Adds block ``block`` (one column per charged material, dry kg/tHM, bounds from
    the availability) with its cost term ``cost`` (currency/tHM), then the rows:
    hot-metal mass or [Fe], hot-metal windows, slag S ≥ 0, slag and load windows of
    :data:`~burden.core.rows.LIMITS`, and shares.

    Returns
    -------
    (Block, dict)
        The material block and the quantities (name -> :class:`Affine`, kg/tHM).
    """
    cfg = scn.config
    names = list(scn.materials)
    n = len(names)
    P = cfg.production_t_per_day
    bounds = [availability_kg_per_thm(scn.materials[k], P) for k in names]
    lo = np.array([b[0] for b in bounds], dtype=float)
    hi = np.array([b[1] for b in bounds], dtype=float)
    soft = (lo > 0) | np.isfinite(hi)
    x = f.space.add(block, names, lo, hi, unit="kg/tHM", description="dry rate of each charged material",
                    soft=soft)
    cols = x.cols
    cost = np.array([scn.materials[k].price_per_dry_t / 1000.0 for k in names])
    f.set_objective("cost", LinExpr.from_dense(cols, cost))
    q = quantities(scn, names)
    f.add_rows(rows(scn, names, q, cols))
    return x, q


def rows(scn, names: Sequence[str], q: Mapping[str, Affine], cols: np.ndarray) -> list[Row]:
    """The burden rows (balances, hot-metal, slag and load limits, shares) over ``cols``."""
    cfg = scn.config
    n = len(names)
    one = LinExpr.constant(1.0)
    ten = LinExpr.constant(10.0)
    out: list[Row] = []
    hm = cfg.hot_metal
    if hm.Fe_pct is None:
        out.append(Row("hot_metal.mass", "hot metal", "==", 1000.0, "kg/tHM", q["hot_metal.total"].on(cols), one,
                       "balance", "the hot metal (Fe + Si + Mn + P + S + C + Ti + V) is 1 t", "balance"))
    else:
        out.append(Row("hot_metal.Fe_pct", "[Fe]", "==", hm.Fe_pct, "wt %", q["hot_metal.Fe"].on(cols), ten,
                       "balance", "Fe balance: η_Fe·(Fe in − Fe in dust) = 10·[Fe]", "balance"))
    specs = list(LIMITS)
    hm_specs = [s for s in specs if s.path[0] == "hot_metal"]
    for s in hm_specs:
        out += _spec_rows(s, cfg, q, n, cols)
    out.append(Row("slag.S.nonnegative", "slag S", ">=", 0.0, "kg/tHM", q["slag.S"].on(cols), one, "balance",
                   "the sulphur input must cover the hot-metal S target (slag S >= 0)", "balance"))
    for s in specs:
        if s.path[0] != "hot_metal":
            out += _spec_rows(s, cfg, q, n, cols)
    for sname, sh in cfg.shares.items():
        from ...scenario import Window

        num = LinExpr.from_dense(cols, group_vector(scn, names, sh.materials))
        den = LinExpr.from_dense(cols, group_vector(scn, names, sh.of) * 0.01)
        out += window_rows(f"shares.{sname}", f"share {sname}", "%", Window(min=sh.min_pct, max=sh.max_pct),
                           num, den, group="shares", index=(sname,))
    return out


def _spec_rows(spec, cfg, q, n, cols) -> list[Row]:
    w = spec_window(spec, cfg)
    if w is None:
        return []
    num = combine(q, spec.num, cfg, n).on(cols)
    den = combine(q, spec.den, cfg, n).on(cols)
    group = spec.path[0]
    if spec.sense == "<=":
        return [Row(spec.key, spec.title, "<=", w.max, spec.unit, num, den, "limit", spec.description, group,
                    (spec.label,))]
    return window_rows(spec.key, spec.title, spec.unit, w, num, den, description=spec.description, group=group,
                       index=(spec.label,))
