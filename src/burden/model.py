"""The burden LP: element and oxide balances as coefficient tables, then Pyomo.

With fuel rates and distribution coefficients fixed, every quantity of
interest (hot-metal elements, slag oxides, loads, group totals) is an affine
function of the dry material rates x_j (kg/tHM): ``q(x) = a·x + b``.  The
:class:`Problem` holds these forms in one table (:attr:`Problem.coefficients`)
which both the Pyomo model and the reports use, so a number in a report and
the constraint that produced it come from one formula.

Every limit is written ``num(x) - θ·den(x) >= 0`` (or ``<=``, ``=``), the
exact linearisation of ``num/den >= θ`` for a positive denominator (PRIMER §3):
basicity B2 = CaO/SiO2, MgO % = MgO/(slag/100), [P] % = P/10, a share of
ferrous, ...  The same form gives each limit's shadow price per unit of θ:
``dCost/dθ = y·den(x*)`` with y the row dual.

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
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from .chemistry.analysis import CANONICAL
from .chemistry.elements import mass_ratio, oxide_per_element
from .errors import InputError, InputProblem
from .materials import MaterialClass
from .scenario import Scenario, Window

#: Hot-metal carbon correlation, USTB-NB (PRIMER §3):
#: [C] = 1.34 + 2.45e-3·T − 0.35[P] + 0.17[Ti] − 0.54[S] + 0.04[Mn] − 0.30[Si]
HM_CARBON_COEFFS = {"const": 1.34, "T": 2.45e-3, "P": -0.35, "Ti": 0.17, "S": -0.54, "Mn": 0.04, "Si": -0.30}

#: Mass added to slag per kg of S held as CaS when CaO is counted whole:
#: CaS − CaO = S − O, i.e. 1 − M_O/M_S per kg S ("S/2" of USTB-HW).
SLAG_S_MASS_FACTOR = 1.0 - mass_ratio("O", "S")


@dataclass(frozen=True)
class Affine:
    """An affine form ``coef·x + const`` over the materials of a problem (kg/tHM)."""

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
        return float(self.coef @ x + self.const)


@dataclass(frozen=True)
class LimitRow:
    """One linear row ``num(x) − θ·den(x)  (>= | <= | ==)  0``.

    Attributes
    ----------
    name : str
        Unique row name, e.g. ``slag.B2.min``.
    quantity : str
        What is limited, e.g. ``B2`` or ``[P] %``.
    sense : {">=", "<=", "=="}
    theta : float
        The limit value in the quantity's unit.
    unit : str
    num, den : Affine
    kind : str
        ``limit`` (an operating limit, may be relaxed to explain
        infeasibility), ``balance`` (physics, never relaxed) or ``fuel``.
    """

    name: str
    quantity: str
    sense: str
    theta: float
    unit: str
    num: Affine
    den: Affine
    kind: str = "limit"
    description: str = ""

    @property
    def body(self) -> Affine:
        return self.num - self.den * self.theta

    def value(self, x: np.ndarray) -> float:
        """The limited quantity num/den at x (nan if den is 0)."""
        d = self.den.value(x)
        return self.num.value(x) / d if abs(d) > 1e-12 else math.nan


@dataclass
class Problem:
    """A built burden problem: coefficient tables, rows, bounds and the Pyomo model.

    Attributes
    ----------
    scenario : Scenario
    materials : list of str
        Column order of every coefficient vector.
    quantities : dict
        Name -> :class:`Affine` (kg/tHM) for hot metal, slag, loads, gas and dust.
    rows : list of LimitRow
    lower, upper : ndarray
        Bounds of the material rates, kg/tHM dry.
    bound_kind : list of str
        ``fixed``, ``availability`` or ``free`` per material (for reports).
    cost : ndarray
        Objective coefficients, currency per dry kg.
    model : pyomo.environ.ConcreteModel
        The Pyomo model (``model.x[material]``, ``model.q[quantity]``,
        ``model.rows[name]``, ``model.cost``); plant hooks may add to it.
    """

    scenario: Scenario
    materials: list[str]
    quantities: dict[str, Affine]
    rows: list[LimitRow]
    lower: np.ndarray
    upper: np.ndarray
    bound_kind: list[str]
    cost: np.ndarray
    model: object = None
    hooks: tuple = ()
    _solver_state: dict = field(default_factory=dict, repr=False)

    @property
    def coefficients(self) -> pd.DataFrame:
        """The coefficient table: one row per quantity, one column per material
        (kg of quantity per kg of material) plus ``constant`` (kg/tHM)."""
        data = {k: list(v.coef) + [v.const] for k, v in self.quantities.items()}
        return pd.DataFrame.from_dict(data, orient="index", columns=self.materials + ["constant"])

    def row(self, name: str) -> LimitRow:
        for r in self.rows:
            if r.name == name:
                return r
        raise KeyError(name)

    def set_prices(self, prices: dict[str, float]) -> None:
        """Change material prices (per t on each material's own basis) in place.

        The next :func:`~burden.solve` re-uses the persistent solver and only
        changes the objective (no rebuild).
        """
        mats = dict(self.scenario.materials)
        for name, p in prices.items():
            if name not in mats:
                raise InputError([InputProblem("<python>", f"prices.{name}", "not a charged material")])
            mats[name] = mats[name].with_changes(price_per_t=float(p))
            j = self.materials.index(name)
            self.cost[j] = mats[name].price_per_dry_t / 1000.0
            if self.model is not None:
                self.model.price[name] = float(self.cost[j])
        self.scenario = Scenario(self.scenario.config, mats, self.scenario.lost_burden, self.scenario.source,
                                 self.scenario.variant, self.scenario.warnings)
        self._solver_state["cost_changed"] = True


def _species_matrix(mats) -> np.ndarray:
    """wt % → kg/kg: rows materials, columns CANONICAL species."""
    return np.array([[m.analysis[s] / 100.0 for s in CANONICAL] for m in mats], dtype=float)


def _window_rows(name, quantity, unit, window: Window | None, num: Affine, den: Affine, kind="limit",
                 description="") -> list[LimitRow]:
    if window is None:
        return []
    if window.is_fixed:
        return [LimitRow(name, quantity, "==", window.min, unit, num, den, kind, description)]
    rows = []
    if window.min is not None:
        rows.append(LimitRow(name + ".min", quantity, ">=", window.min, unit, num, den, kind, description))
    if window.max is not None:
        rows.append(LimitRow(name + ".max", quantity, "<=", window.max, unit, num, den, kind, description))
    return rows


def _group(scn: Scenario, names: list[str], spec) -> np.ndarray:
    sel = [spec] if isinstance(spec, str) else list(spec)
    classes = {c.value for c in MaterialClass}
    v = np.zeros(len(names))
    for i, n in enumerate(names):
        m = scn.materials[n]
        if n in sel or (m.material_class.value in sel and m.material_class.value in classes):
            v[i] = 1.0
    return v


def build_quantities(scn: Scenario, names: Sequence[str]) -> dict[str, Affine]:
    """The affine forms of every hot-metal, slag, load, gas and dust quantity.

    All in kg per tonne of hot metal.  See the module docstring for the
    balances and their source.
    """
    cfg = scn.config
    dist = cfg.distribution
    hm = cfg.hot_metal
    n = len(names)
    W = _species_matrix([scn.materials[k] for k in names])  # (n, species)
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
        k = HM_CARBON_COEFFS
        # kg C = 10·[C]; 10·k·[X] = k·X_kg for the other elements
        c = const(10.0 * (k["const"] + k["T"] * hm.temperature_c))
        for el in ("P", "Ti", "S", "Mn", "Si"):
            c = c + q[f"hot_metal.{el}"] * k[el]
        q["hot_metal.C"] = c
    else:
        q["hot_metal.C"] = const(10.0 * hm.C_pct)
    total = const(0.0)
    for el in ("Fe", "Si", "Mn", "P", "S", "C", "Ti", "V"):
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


#: Slag components summed into the slag mass, kg/tHM.
SLAG_COMPONENTS = ("CaO", "SiO2", "Al2O3", "MgO", "MnO", "FeO", "TiO2", "V2O5", "P2O5", "K2O", "Na2O", "ZnO",
                   "S_as_CaS_excess")
#: Species whose balance (input = hot metal + slag + dust + gas) is reported.
BALANCED = ("Fe", "Mn", "P", "S", "Ti", "V", "Zn", "SiO2", "Al2O3", "CaO", "MgO", "K2O", "Na2O")


def build_rows(scn: Scenario, names: Sequence[str], q: dict[str, Affine]) -> list[LimitRow]:
    """The constraint rows of a scenario (balances, limits, shares, fuels)."""
    cfg = scn.config
    n = len(names)
    one = Affine(np.zeros(n), 1.0)
    ten = Affine(np.zeros(n), 10.0)
    rows: list[LimitRow] = []
    hm = cfg.hot_metal
    if hm.Fe_pct is None:
        rows.append(LimitRow("hot_metal.mass", "hot metal", "==", 1000.0, "kg/tHM", q["hot_metal.total"], one,
                             "balance", "the hot metal (Fe + Si + Mn + P + S + C + Ti + V) is 1 t"))
    else:
        rows.append(LimitRow("hot_metal.Fe_pct", "[Fe]", "==", hm.Fe_pct, "wt %", q["hot_metal.Fe"], ten,
                             "balance", "Fe balance: η_Fe·(Fe in − Fe in dust) = 10·[Fe]"))
    for el in ("Mn", "P", "Ti", "V"):
        rows += _window_rows(f"hot_metal.{el}_pct", f"[{el}]", "wt %", getattr(hm, f"{el}_pct"),
                             q[f"hot_metal.{el}"], ten,
                             description=f"{el} in hot metal from the {el} balance")
    rows.append(LimitRow("slag.S.nonnegative", "slag S", ">=", 0.0, "kg/tHM", q["slag.S"], one, "balance",
                         "the sulphur input must cover the hot-metal S target (slag S >= 0)"))
    s = cfg.slag
    rows += _window_rows("slag.B2", "B2 = CaO/SiO2", "-", s.B2, q["slag.CaO"], q["slag.SiO2"])
    rows += _window_rows("slag.B3", "B3 = (CaO+MgO)/SiO2", "-", s.B3, q["slag.CaO"] + q["slag.MgO"], q["slag.SiO2"])
    rows += _window_rows("slag.B4", "B4 = (CaO+MgO)/(SiO2+Al2O3)", "-", s.B4, q["slag.CaO"] + q["slag.MgO"],
                         q["slag.SiO2"] + q["slag.Al2O3"])
    rows += _window_rows("slag.MgO_pct", "slag MgO", "wt %", s.MgO_pct, q["slag.MgO"], q["slag.total"] * 0.01)
    rows += _window_rows("slag.Al2O3_pct", "slag Al2O3", "wt %", s.Al2O3_pct, q["slag.Al2O3"], q["slag.total"] * 0.01)
    rows += _window_rows("slag.rate_kg_per_thm", "slag rate", "kg/tHM", s.rate_kg_per_thm, q["slag.total"], one)
    if s.sulphur_partition_LS is not None:
        # (%S)slag <= L_S·[S]  <=>  S_slag <= L_S·[S]/100·slag
        rows.append(LimitRow("slag.sulphur_partition", "L_S needed = (%S)/[%S]", "<=", s.sulphur_partition_LS, "-",
                             q["slag.S"], q["slag.total"] * (hm.S_pct / 100.0), "limit",
                             "the slag holds the sulphur at the hot-metal S target with the plant L_S"))
    loads = cfg.loads
    for key, qn, label in (("alkali_kg_per_thm", "load.alkali", "alkali load K2O+Na2O"),
                           ("zinc_kg_per_thm", "load.zinc", "zinc load Zn"),
                           ("sulphur_kg_per_thm", "load.sulphur", "sulphur load S"),
                           ("phosphorus_kg_per_thm", "load.phosphorus", "phosphorus load P"),
                           ("chlorine_kg_per_thm", "load.chlorine", "chlorine load Cl")):
        rows += _window_rows(f"loads.{key}", label, "kg/tHM", getattr(loads, key), q[qn], one)
    for sname, sh in cfg.shares.items():
        num = Affine(_group(scn, names, sh.materials), 0.0)
        den = Affine(_group(scn, names, sh.of) * 0.01, 0.0)
        rows += _window_rows(f"shares.{sname}", f"share {sname}", "%", Window(min=sh.min_pct, max=sh.max_pct),
                             num, den)
    rep = cfg.fuels.replacement
    if rep is not None:
        v = np.zeros(n)
        v[names.index(rep.coke)] = 1.0
        v[names.index(rep.injectant)] = rep.ratio
        rows.append(LimitRow("fuels.replacement", f"{rep.coke} + {rep.ratio:g}·{rep.injectant}", "==",
                             rep.coke_reference_kg_per_thm + rep.ratio * rep.injectant_reference_kg_per_thm,
                             "kg/tHM", Affine(v, 0.0), one, "fuel",
                             f"{rep.coke} replaced by {rep.injectant} at {rep.ratio:g} kg/kg"))
    corr = cfg.fuels.correction
    if corr is not None:
        rows.append(correction_row(scn, names, q, corr))
    return rows


def correction_row(scn: Scenario, names: Sequence[str], q: dict[str, Affine], corr) -> LimitRow:
    """coke − Σ f·q(x) = coke_ref − Σ f·ref + Σ f·value (constants): the plant's linear fuel model."""
    n = len(names)
    num = Affine(np.zeros(n), 0.0)
    num.coef[names.index(corr.coke)] = 1.0
    theta = corr.coke_reference_kg_per_thm
    for key, f in corr.factors.items():
        if key == "slag_kg_per_thm":
            num = num - q["slag.total"] * f.per_unit
        elif key == "hot_metal_Si_pct" and f.value is None:
            theta += f.per_unit * scn.config.hot_metal.Si_pct
        elif key.endswith("_kg_per_thm") and key[: -len("_kg_per_thm")] in names:
            v = np.zeros(n)
            v[names.index(key[: -len("_kg_per_thm")])] = f.per_unit
            num = num - Affine(v, 0.0)
        else:
            theta += f.per_unit * f.value
        theta -= f.per_unit * f.reference
    return LimitRow("fuels.correction", f"{corr.coke} from correction factors", "==", theta, "kg/tHM", num,
                    Affine(np.zeros(n), 1.0), "fuel",
                    f"{corr.coke} = {corr.coke_reference_kg_per_thm:g} + Σ factor·(value − reference)")


Hook = Callable[[object, Scenario], None]


def build(scenario: Scenario, model: str = "lp", hooks: Iterable[Hook] = ()) -> Problem:
    """Build the burden problem of a scenario.

    Parameters
    ----------
    scenario : Scenario
    model : {"lp"}
        The formulation.  (Nonlinear formulations build on the same tables.)
    hooks : iterable of callables
        Plant-specific extra constraints: each is called as
        ``hook(model, scenario)`` after the model is built, where ``model`` is
        the Pyomo ``ConcreteModel`` with ``model.x[material]`` (dry kg/tHM),
        ``model.q[quantity]`` (the named quantities of
        :attr:`Problem.coefficients`, e.g. ``model.q["slag.MgO"]``) and
        ``model.rows``.  Add Pyomo ``Constraint`` components to it; they are
        solved, reported and explained like the built-in rows.

    Returns
    -------
    Problem
    """
    if model != "lp":
        raise InputError([InputProblem(scenario.source, "model", f"unknown model {model!r}; available: 'lp'")])
    names = list(scenario.materials)
    q = build_quantities(scenario, names)
    rows = build_rows(scenario, names, q)
    P = scenario.config.production_t_per_day
    lo = np.zeros(len(names))
    hi = np.full(len(names), np.inf)
    kind = []
    for j, nme in enumerate(names):
        m = scenario.materials[nme]
        lo[j] = max(m.min_kg_per_thm or 0.0, 1000.0 * (m.min_t_per_day or 0.0) / P)
        hi[j] = min(m.max_kg_per_thm if m.max_kg_per_thm is not None else np.inf,
                    1000.0 * m.max_t_per_day / P if m.max_t_per_day is not None else np.inf)
        kind.append("fixed" if lo[j] == hi[j] else ("availability" if (lo[j] > 0 or np.isfinite(hi[j])) else "free"))
    cost = np.array([scenario.materials[k].price_per_dry_t / 1000.0 for k in names])
    prob = Problem(scenario, names, q, rows, lo, hi, kind, cost, hooks=tuple(hooks))
    prob.model = _pyomo_model(prob)
    for h in prob.hooks:
        h(prob.model, scenario)
    return prob


def _pyomo_model(prob: Problem):
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    names = prob.materials
    m = pyo.ConcreteModel(name=prob.scenario.name)
    m.MATERIALS = pyo.Set(initialize=names, ordered=True)

    def bounds(_m, k):
        j = names.index(k)
        return (float(prob.lower[j]), float(prob.upper[j]) if np.isfinite(prob.upper[j]) else None)

    m.x = pyo.Var(m.MATERIALS, bounds=bounds, initialize=lambda _m, k: float(prob.lower[names.index(k)]),
                  doc="dry kg per tonne of hot metal")
    xs = [m.x[k] for k in names]

    def lin(a: Affine):
        coefs = a.coef.tolist()
        nz = [(c, v) for c, v in zip(coefs, xs) if c != 0.0]
        return LinearExpression(constant=float(a.const), linear_coefs=[c for c, _ in nz],
                                linear_vars=[v for _, v in nz])

    m.q = pyo.Expression(list(prob.quantities), initialize=lambda _m, k: lin(prob.quantities[k]),
                         doc="named quantities, kg/tHM")
    row_names = [r.name for r in prob.rows]
    by_name = {r.name: r for r in prob.rows}

    def row_rule(_m, nme):
        r = by_name[nme]
        body = lin(r.body)
        if r.sense == ">=":
            return body >= 0.0
        if r.sense == "<=":
            return body <= 0.0
        return body == 0.0

    m.rows = pyo.Constraint(row_names, rule=row_rule)
    m.price = pyo.Param(m.MATERIALS, initialize={k: float(c) for k, c in zip(names, prob.cost)}, mutable=True,
                        doc="currency per dry kg")
    m.cost = pyo.Objective(expr=sum(m.price[k] * m.x[k] for k in names), sense=pyo.minimize)
    return m
