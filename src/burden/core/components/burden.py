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
import operator
from dataclasses import dataclass
from functools import cached_property
from typing import Mapping, NamedTuple, Sequence

import numpy as np

from ...chemistry.analysis import CANONICAL
from ...chemistry.elements import mass_ratio, oxide_per_element
from ...materials import group_members
from ..formulation import RowBlock, RowMeta
from ..parameters import ModelParameters
from ..rows import LIMITS, MIX_PROPERTIES, spec_window
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


def availability_kg_per_thm(material, production_t_per_day: float) -> tuple[float, float]:
    """(min, max) dry kg/tHM of a material from its kg/tHM and t/day limits.

    t/day → kg/tHM: 1000·t_per_day / production_t_per_day; the tighter of the two
    limits of each side applies.  This is the one place the conversion is made.
    """
    return material.availability_kg_per_thm(production_t_per_day)


def bound_kind(lo: float, hi: float) -> str:
    """``fixed``, ``availability`` or ``free`` (for reports)."""
    return "fixed" if lo == hi else ("availability" if (lo > 0 or math.isfinite(hi)) else "free")


_SPECIES = operator.itemgetter(*CANONICAL)


def species_vector(analysis) -> np.ndarray:
    """wt % → kg/kg of one analysis (mapping species -> wt %), shape (n_species,)."""
    return np.array(_SPECIES(analysis), dtype=float) / 100.0


def species_matrix(mats) -> np.ndarray:
    """wt % → kg/kg: rows materials, columns CANONICAL species, shape (n, n_species)."""
    return (np.array([_SPECIES(m.analysis) for m in mats], dtype=float) / 100.0).reshape(-1, len(CANONICAL))


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
    free = free_splits(cfg)
    for el, e in eta.items():
        # a free split meets the target exactly; the slag takes the rest of the net input
        q[f"hot_metal.{el}"] = const(10.0 * free[el]) if el in free else net(el) * e
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
    for el, ox in SPLIT_OXIDES.items():   # the net input not in the hot metal, as its slag oxide
        q[f"slag.{ox}"] = (net(el) - q[f"hot_metal.{el}"]) * oxide_per_element(ox, el)
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
    """1 for each material of ``names`` in the group ``spec`` (:func:`burden.materials.group_members`)."""
    members = group_members(spec, scn.materials)
    return np.array([1.0 if n in members else 0.0 for n in names])


# ---------------------------------------------------------------------------------------
# the balances as a linear map of the analyses

@dataclass(frozen=True)
class SpeciesMap:
    """Every quantity as a linear function of a material's analysis.

    ``q = L @ w + c`` per kg of material with analysis ``w`` (kg species/kg, shape
    (n_species,) in :data:`~burden.chemistry.analysis.CANONICAL` order); ``L`` has shape
    (n_quantities, n_species).  :func:`quantities` is the readable statement of the
    balances; this map is that function applied to unit amounts of each species (its
    Jacobian), so the two can never disagree.  ``c`` holds the constants (hot-metal
    targets, dust), kg/tHM.
    """

    names: tuple
    L: np.ndarray
    c: np.ndarray

    @cached_property
    def index(self) -> dict:
        """Quantity name -> row of L."""
        return {k: i for i, k in enumerate(self.names)}


_SPECIES_MAPS: dict = {}

#: element -> its slag oxide, for the elements split between hot metal and slag
SPLIT_OXIDES = {"Mn": "MnO", "Fe": "FeO", "Ti": "TiO2", "V": "V2O5", "P": "P2O5"}


def free_splits(cfg) -> dict[str, float]:
    """Elements whose split is left free (``distribution.<el>_to_hot_metal: free``) -> their
    hot-metal target, wt % (the fixed ``hot_metal.<el>_pct``), or 0.0 for a target with a
    tolerance (a window): then the hot metal's kg of the element is a column of its own
    (:func:`split_columns`) and the quantities hold none of it."""
    out = {}
    for el in ("Mn", "P", "Ti", "V"):
        if getattr(cfg.distribution, f"{el}_to_hot_metal") == "free":
            w = getattr(cfg.hot_metal, f"{el}_pct")
            out[el] = w.min if w is not None and w.is_fixed else 0.0
    return out


def split_columns(cfg) -> list[str]:
    """Elements with a free split and a target with a tolerance (a window on ``hot_metal.<el>_pct``):
    each gets a column, kg of the element in the hot metal per tHM, chosen by the optimisation
    within the window (the window's rows) and the net input (the slag oxide >= 0 row)."""
    out = []
    for el in ("Mn", "P", "Ti", "V"):
        if getattr(cfg.distribution, f"{el}_to_hot_metal") == "free":
            w = getattr(cfg.hot_metal, f"{el}_pct")
            if w is not None and not w.is_fixed:
                out.append(el)
    return out


def split_effects(scn) -> np.ndarray | None:
    """E, shape (n_quantities, n_split): each quantity per kg of a split column (1 kg of the
    element moved from slag to hot metal: hot metal, its [C], the slag oxide, the totals),
    formed as the difference of the quantities at a 1 kg and a 0 kg target — the balances are
    affine in the target.  None when there are no split columns."""
    cols = split_columns(scn.config)
    if not cols:
        return None
    from dataclasses import replace as _replace

    from ...scenario import Window

    base = species_map(scn)
    E = np.zeros((len(base.names), len(cols)))
    hm = scn.config.hot_metal
    for k, el in enumerate(cols):
        cfg1 = scn.config.model_copy(update={"hot_metal": hm.model_copy(update={f"{el}_pct": Window(min=0.1, max=0.1)})})
        one = species_map(_replace(scn, config=cfg1))
        E[:, k] = one.c - base.c
    return E


def species_map(scn) -> SpeciesMap:
    """The :class:`SpeciesMap` of a scenario (cached on distribution, hot metal, parameters, dust)."""
    cfg = scn.config
    key = (cfg.distribution, cfg.hot_metal, scn.parameters,
           tuple((k, r, tuple(m.analysis.values())) for k, (m, r) in scn.lost_burden.items()))
    sm = _SPECIES_MAPS.get(key)
    if sm is None:
        n_s = len(CANONICAL)
        q = quantities(scn, CANONICAL, np.eye(n_s))
        names = tuple(q)
        sm = SpeciesMap(names, np.array([q[k].coef for k in names]), np.array([q[k].const for k in names]))
        if len(_SPECIES_MAPS) > 256:
            _SPECIES_MAPS.clear()
        _SPECIES_MAPS[key] = sm
    return sm


class QuantityTable(Mapping):
    """Quantities over the materials of a stream: name -> :class:`Affine` (kg/tHM).

    Held as one matrix ``Q = L @ Wᵀ`` (n_quantities × n_materials) and constants ``c``;
    a mapping for reading one quantity, a matrix for the model.  A changed analysis changes
    it in place (:meth:`set_material`) once the problem owns it (:meth:`copy`).
    """

    def __init__(self, smap: SpeciesMap, Q: np.ndarray):
        self.smap = smap
        self._Q = Q
        self._pending: dict = {}  # material column -> new analysis, formed on the next read
        self.E: np.ndarray | None = None      # quantities per unit of the split columns (split_effects)
        self.extra_cols: np.ndarray | None = None

    @property
    def Q(self) -> np.ndarray:
        """Quantities per kg of each material, shape (n_quantities, n_materials)."""
        if self._pending:
            L = self.smap.L
            for j, w in self._pending.items():
                self._Q[:, j] = L @ w
            self._pending = {}
        return self._Q

    @classmethod
    def of(cls, smap: SpeciesMap, W: np.ndarray) -> "QuantityTable":
        """From analyses W (n_materials × n_species, kg/kg)."""
        return cls(smap, smap.L @ W.T)

    def __getitem__(self, k: str) -> Affine:
        i = self.smap.index[k]
        return Affine(self.Q[i].copy(), float(self.smap.c[i]))

    def __iter__(self):
        return iter(self.smap.names)

    def __len__(self) -> int:
        return len(self.smap.names)

    def __contains__(self, k) -> bool:
        return k in self.smap.index

    @property
    def c(self) -> np.ndarray:
        return self.smap.c

    def values(self, x: np.ndarray, extra: np.ndarray | None = None) -> dict[str, float]:  # type: ignore[override]
        """Every quantity at the material rates ``x`` (kg/tHM) and the split columns ``extra``
        (kg/tHM, when the table has them)."""
        v = self.Q @ np.asarray(x, dtype=float)[: self.Q.shape[1]] + self.smap.c
        if self.E is not None and extra is not None:
            v = v + self.E @ np.asarray(extra, dtype=float)
        return dict(zip(self.smap.names, v.tolist()))

    def copy(self) -> "QuantityTable":
        qt = QuantityTable(self.smap, self.Q.copy())
        qt.E, qt.extra_cols = self.E, self.extra_cols
        return qt

    def set_material(self, j: int, w: np.ndarray) -> None:
        """Material ``j``'s analysis is now ``w`` (kg/kg per species), in place (formed when
        :attr:`Q` is next read: a run of re-solves that reads no quantity forms none)."""
        self._pending[j] = w



# ---------------------------------------------------------------------------------------
# rows as recipes over quantities and material indicators

class Recipe:
    """How the rows of a block follow from the quantities: for row i,
    ``num_i = Σ_q Rn[i, q]·q + In[i]·x + kn[i]`` and likewise ``den_i`` (Rd, Id, kd),
    plus quantities over a group of materials only (``Σ_j g_j·Q[q, j]·x_j``, e.g. the Fe
    of the ferrous materials): a part's optional fourth item, ((name, weight, g) ...).

    Shapes: Rn, Rd (m, n_quantities); In, Id (m, n_materials); kn, kd (m,).
    """

    def __init__(self, qindex: dict, n: int):
        self.qindex = qindex
        self.n = n
        self.meta: list = []
        self.theta: list = []
        self._num: list = []
        self._den: list = []

    def add(self, meta, theta: float, num, den) -> None:
        """A row; ``num``/``den``: (quantity terms ((name, weight) ...), indicator vector or None,
        const[, group terms ((name, weight, g) ...)])."""
        self.meta.append(meta)
        self.theta.append(float(theta))
        self._num.append(num)
        self._den.append(den)

    def _mats(self, parts):
        m, nq = len(parts), len(self.qindex)
        R = np.zeros((m, nq))
        I = np.zeros((m, self.n))
        k = np.zeros(m)
        G = []   # (row, quantity index, weight · g over the materials)
        for i, (terms, ind, const, *group) in enumerate(parts):
            for name, w in terms:
                R[i, self.qindex[name]] += w
            if ind is not None:
                I[i] += ind
            k[i] = const
            for name, w, g in (group[0] if group else ()):
                G.append((i, self.qindex[name], w * np.asarray(g, dtype=float)))
        return R, I, k, tuple(G)

    def freeze(self) -> "Recipe":
        from ..formulation import block_static

        self.Rn, self.In, self.kn, self.Gn = self._mats(self._num)
        self.Rd, self.Id, self.kd, self.Gd = self._mats(self._den)
        self.static = block_static(self.meta)
        del self._num, self._den
        return self

    def block(self, qt: QuantityTable, cols: np.ndarray):
        """The row block over ``cols`` for the quantities ``qt``."""
        Q, c = qt.Q, qt.c
        N, D = self.Rn @ Q + self.In, self.Rd @ Q + self.Id
        for M, G in ((N, self.Gn), (D, self.Gd)):
            for i, q, wg in G:
                M[i] += wg * Q[q]
        E = getattr(qt, "E", None)
        if E is not None:   # the split columns: each row's terms per kg of the element moved to the hot metal
            cols = np.concatenate([np.asarray(cols), qt.extra_cols])
            N, D = np.hstack([N, self.Rn @ E]), np.hstack([D, self.Rd @ E])
        return RowBlock(self.meta, cols, N, self.Rn @ c + self.kn, D, self.Rd @ c + self.kd, self.theta, self,
                        self.static)

    def column(self, qt: QuantityTable, j: int, w: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Column ``j`` of N and D for the quantities ``qt`` (or, given material j's analysis
        ``w`` in kg/kg per species, straight from it: ``(Rn·L)·w``, the same numbers)."""
        if w is None:
            qj = qt.Q[:, j]
            n_col, d_col = self.Rn @ qj + self.In[:, j], self.Rd @ qj + self.Id[:, j]
        else:
            k = self.__dict__.get("_K")
            if k is None or k[0] is not qt.smap:
                # [Rn; Rd]·L and [In; Id]ᵀ stacked: both columns from one product
                k = self._K = (qt.smap, np.vstack([self.Rn @ qt.smap.L, self.Rd @ qt.smap.L]),
                               np.hstack([self.In.T, self.Id.T]), len(self.Rn))
            v = k[1] @ w + k[2][j]
            n_col, d_col = v[: k[3]], v[k[3]:]
            if not (self.Gn or self.Gd):
                return n_col, d_col
            qj = qt.smap.L @ w
        for col, G in ((n_col, self.Gn), (d_col, self.Gd)):
            for i, q, wg in G:
                col[i] += wg[j] * qj[q]
        return n_col, d_col


def _part(q_terms, cfg, ind=None) -> tuple:
    """(quantity terms, indicator, constant) of a LimitSpec part, callable weights evaluated
    for ``cfg``; the quantity name "" is the constant."""
    terms = tuple((name, w(cfg) if callable(w) else float(w)) for name, w in q_terms)
    return (tuple(t for t in terms if t[0] != ""), ind, sum(w for n_, w in terms if n_ == ""))


def recipe(scn, names: Sequence[str], qindex: dict) -> Recipe:
    """The burden rows of ``scn``: hot-metal mass or [Fe], hot-metal windows, slag S ≥ 0,
    slag and load windows of :data:`~burden.core.rows.LIMITS`, shares."""
    cfg = scn.config
    rc = Recipe(qindex, len(names))
    one = ((), None, 1.0)
    hm = cfg.hot_metal
    if hm.Fe_pct is None:
        rc.add(RowMeta("hot_metal.mass", "hot metal", "==", "kg/tHM", "balance",
                       "the hot metal (Fe + Si + Mn + P + S + C + Ti + V) is 1 t", "balance"),
               1000.0, ((("hot_metal.total", 1.0),), None, 0.0), one)
    else:
        rc.add(RowMeta("hot_metal.Fe_pct", "[Fe]", "==", "wt %", "balance",
                       "Fe balance: η_Fe·(Fe in − Fe in dust) = 10·[Fe]", "balance"),
               hm.Fe_pct, ((("hot_metal.Fe", 1.0),), None, 0.0), ((), None, 10.0))

    def add_spec(spec):
        w = spec_window(spec, cfg)
        if w is None:
            return
        num, den = _part(spec.num, cfg), _part(spec.den, cfg)
        group, index = spec.path[0], (spec.label,)
        if spec.sense == "<=":
            rc.add(RowMeta(spec.key, spec.title, "<=", spec.unit, "limit", spec.description, group, index),
                   w.max, num, den)
            return
        _window(rc, spec.key, spec.title, spec.unit, w, num, den, spec.description, group, index)

    free = free_splits(cfg)
    windowed = split_columns(cfg)
    for spec in LIMITS:
        # a free split's fixed target is met exactly (no row); a window holds the split column
        if spec.path[0] == "hot_metal" and (spec.label not in free or spec.label in windowed):
            add_spec(spec)
    for el in free:
        ox = SPLIT_OXIDES[el]
        rc.add(RowMeta(f"slag.{ox}.nonnegative", f"slag {ox}", ">=", "kg/tHM", "balance",
                       f"the net {el} input must cover the hot-metal [{el}] target (split η_{el} <= 1)", "balance"),
               0.0, (((f"slag.{ox}", 1.0),), None, 0.0), one)
    rc.add(RowMeta("slag.S.nonnegative", "slag S", ">=", "kg/tHM", "balance",
                   "the sulphur input must cover the hot-metal S target (slag S >= 0)", "balance"),
           0.0, ((("slag.S", 1.0),), None, 0.0), one)
    for spec in LIMITS:
        if spec.path[0] != "hot_metal":
            add_spec(spec)
    for sname, sh in cfg.shares.items():
        g_num, g_den = group_vector(scn, names, sh.materials), group_vector(scn, names, sh.of)
        if sh.basis == "Fe":     # iron units: the Fe each material brings (input.Fe per kg)
            num, den = ((), None, 0.0, (("input.Fe", 1.0, g_num),)), ((), None, 0.0, (("input.Fe", 0.01, g_den),))
        else:
            w = np.array([scn.materials[n].wet_per_dry for n in names]) if sh.basis == "wet" else 1.0
            num, den = ((), g_num * w, 0.0), ((), g_den * w * 0.01, 0.0)
        _window(rc, f"shares.{sname}", f"share {sname}", "%", _Ends(sh.min_pct, sh.max_pct), num, den,
                f"{sh.basis} basis" if sh.basis != "dry" else "", "shares", (sname,))
    for mname, mx in cfg.mixes.items():
        g = group_vector(scn, names, mx.materials)
        for prop, (title, unit, num_q, den_q) in MIX_PROPERTIES.items():
            w = getattr(mx, prop)
            if w is None:
                continue
            num = ((), None, 0.0, tuple((q, c, g) for q, c in num_q))
            den = ((), None, 0.0, tuple((q, c, g) for q, c in den_q)) if den_q else ((), g * 0.01, 0.0)
            _window(rc, f"mixes.{mname}.{prop}", f"{mname} {title}", unit, w, num, den,
                    f"{title} of the {mname} mix (rate-weighted, dry)", "mixes", (mname, prop))
    return rc.freeze()


class _Ends(NamedTuple):
    """A window's ends (min, max), either None."""

    min: float | None
    max: float | None

    @property
    def is_fixed(self) -> bool:
        return self.min is not None and self.min == self.max


def _window(rc: Recipe, name, quantity, unit, window, num, den, description, group, index) -> None:
    if window.is_fixed:
        rc.add(RowMeta(name, quantity, "==", unit, "limit", description, group, index), window.min, num, den)
        return
    if window.min is not None:
        rc.add(RowMeta(name + ".min", quantity, ">=", unit, "limit", description, group, index), window.min, num, den)
    if window.max is not None:
        rc.add(RowMeta(name + ".max", quantity, "<=", unit, "limit", description, group, index), window.max, num, den)


def declare(f, scn, *, block: str = "x") -> tuple[Block, QuantityTable]:
    """Declare the material columns and the burden rows of ``scn`` in formulation ``f``.

    Adds column block ``block`` (one column per charged material, dry kg/tHM, bounds
    from the availability, :func:`availability_kg_per_thm`) with its objective term
    ``cost`` (currency/tHM), then one row block of the burden rows (:func:`recipe`).

    Returns
    -------
    (Block, QuantityTable)
        The material block and the quantities (name -> :class:`Affine`, kg/tHM).
    """
    cfg = scn.config
    names = list(scn.materials)
    mats = [scn.materials[k] for k in names]
    P = cfg.production_t_per_day
    bounds = [availability_kg_per_thm(m, P) for m in mats]
    lo = np.array([b[0] for b in bounds], dtype=float)
    hi = np.array([b[1] for b in bounds], dtype=float)
    x = f.space.add(block, names, lo, hi, unit="kg/tHM", description="dry rate of each charged material",
                    soft=(lo > 0) | np.isfinite(hi))
    cols = x.cols
    cost = np.array([m.price_per_dry_t / 1000.0 for m in mats])
    f.set_objective("cost", LinExpr.from_dense(cols, cost))
    smap = species_map(scn)
    qt = QuantityTable.of(smap, species_matrix(mats))
    E = split_effects(scn)
    if E is not None:
        split = split_columns(cfg)
        sb = f.space.add("split", split, np.zeros(len(split)), np.full(len(split), np.inf), unit="kg/tHM",
                         description="kg of the element in the hot metal (free split, target with a tolerance)")
        qt.E, qt.extra_cols = E, sb.cols
    f.add_block(recipe_of(recipe, scn, names, mats, smap).block(qt, cols))
    return x, qt


_RECIPES: dict = {}


def recipe_of(make, scn, names, mats, smap) -> Recipe:
    """``make(scn, names, qindex)`` (a component's recipe function), kept per scenario config and
    material set: recipes are immutable and depend on nothing else, so re-formulating a scenario
    (Monte Carlo samples, sweeps over analyses) skips them.  The entry holds the config, so an
    id is never mistaken for another object's."""
    key = (make, id(scn.config), tuple(names), tuple(m.material_class for m in mats), id(smap))
    hit = _RECIPES.get(key)
    if hit is not None and hit[0] is scn.config and hit[1] is smap:
        return hit[2]
    rc = make(scn, names, smap.index)
    if len(_RECIPES) > 256:
        _RECIPES.clear()
    _RECIPES[key] = (scn.config, smap, rc)
    return rc
