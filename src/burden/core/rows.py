"""One row type for every constraint, and the declarative table of the standard limits.

Every row of a burden formulation, whether an operating limit, a balance, a fuel rule,
a process row, a stock balance or a plant hook, is a :class:`Row`::

    num(z) − θ·den(z)   (>= | <= | ==)   0

the exact linearisation of ``num/den ⋚ θ`` for a positive denominator (PRIMER §3):
basicity B2 = CaO/SiO2, MgO % = MgO/(slag/100), [P] % = P/10, a share of ferrous ...
The same form gives each limit's shadow price per unit of θ, ``dCost/dθ = y·den(z*)``
with y the row dual (HiGHS sign convention: y = dCost/d(row bound)).

:data:`LIMITS` declares the standard limits once (key in the scenario, title, unit,
the quantities in numerator and denominator, description); the burden component turns
the windows of a scenario into rows from it, and the result tables and reports read
values, windows and titles from the same table (the calliope ``math/*.yaml`` idea).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Mapping


from .space import LinExpr

#: Row kinds: ``limit`` (an operating limit; the elastic explanation may relax it),
#: ``fuel`` (a fuel rule; relaxable), ``balance`` (physics, never relaxed),
#: ``hook`` (added by a plant hook), ``process`` (a nonlinear process row).
ROW_KINDS = ("limit", "fuel", "balance", "hook", "process")


def window_row(name: str, quantity: str, unit: str, lower: float, upper: float, **kw) -> "Row":
    """A row of a window given by its ends (±inf for an open end), without linear parts:
    the form of the nonlinear model's process rows."""
    one = LinExpr.constant(1.0)
    zero = LinExpr()
    if lower == upper:
        return Row(name, quantity, "==", lower, unit, zero, one, **kw)
    if math.isfinite(lower) and math.isfinite(upper):
        return Row(name, quantity, "range", lower, unit, zero, one, theta_max=upper, **kw)
    if math.isfinite(lower):
        return Row(name, quantity, ">=", lower, unit, zero, one, **kw)
    return Row(name, quantity, "<=", upper, unit, zero, one, **kw)
#: Row kinds the elastic explanation of an infeasible problem may relax.
SOFT_KINDS = ("limit", "fuel")


@dataclass(frozen=True)
class Row:
    """One linear row ``num(z) − θ·den(z)  (>= | <= | ==)  0`` (or ``range``).

    Attributes
    ----------
    name : str
        Unique row name, e.g. ``slag.B2.min``; duals, reports and explanations find
        rows by this name, never by position.
    quantity : str
        What is limited, e.g. ``B2 = CaO/SiO2`` or ``[P]``.
    sense : {">=", "<=", "==", "range"}
        ``range`` rows have ``den`` = 1 and ``theta <= num <= theta_max``.
    theta : float
        The limit, in ``unit``.
    unit : str
    num, den : LinExpr
        Numerator and denominator over the global columns.
    kind : str
        One of :data:`ROW_KINDS`.
    description : str
    group : str
        ``hot_metal``, ``slag``, ``loads``, ``shares``, ``fuels``, ``balance``, ``hook`` ...
    index : tuple
        Labels of the row within its group (element, share name, period ...).
    theta_max : float
        Upper end of a ``range`` row.
    scale : float
        Typical size of the row in its unit; the nonlinear paths divide by it.

    A process row of the nonlinear model (``Formulation.nonlinear``, kind ``process`` or
    ``balance``, group ``process``) has no linear ``num``: its value comes from the
    furnace model (:meth:`burden.nlp.NonlinearProblem.g`), its window from
    :attr:`lower` and :attr:`upper`.
    """

    name: str
    quantity: str
    sense: str
    theta: float
    unit: str
    num: LinExpr
    den: LinExpr
    kind: str = "limit"
    description: str = ""
    group: str = ""
    index: tuple = ()
    theta_max: float = math.nan
    scale: float = 1.0

    @property
    def lower(self) -> float:
        """Lower end of the limited quantity (−inf for a ``<=`` row)."""
        return self.theta if self.sense in (">=", "==", "range") else -math.inf

    @property
    def upper(self) -> float:
        """Upper end of the limited quantity (+inf for a ``>=`` row)."""
        if self.sense == "range":
            return self.theta_max
        return self.theta if self.sense in ("<=", "==") else math.inf

    @property
    def body(self) -> LinExpr:
        """``num − θ·den`` (a range row: ``num``)."""
        if self.sense == "range":
            return self.num
        return self.num - self.den * self.theta

    def bounds(self, const: float) -> tuple[float, float]:
        """(lower, upper) of the row's linear part once its constant ``const`` moves right."""
        if self.sense == ">=":
            return -const, math.inf
        if self.sense == "<=":
            return -math.inf, -const
        if self.sense == "==":
            return -const, -const
        return self.theta - const, self.theta_max - const

    def value(self, z) -> float:
        """The limited quantity num/den at z (nan if den is 0)."""
        d = self.den.value(z)
        return self.num.value(z) / d if abs(d) > 1e-12 else math.nan

    def magnitude(self, z) -> float:
        """|num| + |θ·den| at z: the scale of the row (a limit's body is a small difference)."""
        return abs(self.num.value(z)) + abs(self.theta * self.den.value(z))

    @property
    def soft(self) -> bool:
        return self.kind in SOFT_KINDS


#: kept for code written against the first core
LimitRow = Row


@dataclass(frozen=True)
class LimitSpec:
    """A standard limit: where its window is in the scenario and how its value is formed.

    ``value = Σ w·q(num) / Σ w·q(den)`` over named quantities (kg/tHM) of the burden
    component; the quantity name ``""`` is the constant 1.  A weight may be a callable
    of the scenario config (e.g. the sulphur partition's [S] target).
    """

    key: str                      # row name stem, e.g. "slag.B2"
    path: tuple[str, str]         # (section, field) of ScenarioConfig, e.g. ("slag", "B2")
    title: str
    unit: str
    num: tuple
    den: tuple
    description: str = ""
    table: str = ""               # result table that shows it
    label: str = ""               # row label in that table
    sense: str = ""               # "" = a window; "<=" = a single-sided limit taken from a number
    optional: bool = False        # shown in its table only when the scenario sets a window

    def weights(self, part: tuple, cfg) -> list[tuple[str, float]]:
        return [(q, w(cfg) if callable(w) else float(w)) for q, w in part]

    def evaluate(self, qv: Mapping[str, float], cfg) -> float:
        """Value of the limited quantity from quantity values ``qv`` (kg/tHM)."""
        def s(part):
            return sum(w * (1.0 if q == "" else qv[q]) for q, w in self.weights(part, cfg))
        d = s(self.den)
        return s(self.num) / d if abs(d) > 1e-300 else math.nan


_B2 = (("slag.CaO", 1.0),)
LIMITS: tuple[LimitSpec, ...] = (
    LimitSpec("hot_metal.Mn_pct", ("hot_metal", "Mn_pct"), "[Mn]", "wt %", (("hot_metal.Mn", 1.0),), (("", 10.0),),
              "Mn in hot metal from the Mn balance", "hot_metal", "Mn"),
    LimitSpec("hot_metal.P_pct", ("hot_metal", "P_pct"), "[P]", "wt %", (("hot_metal.P", 1.0),), (("", 10.0),),
              "P in hot metal from the P balance", "hot_metal", "P"),
    LimitSpec("hot_metal.Ti_pct", ("hot_metal", "Ti_pct"), "[Ti]", "wt %", (("hot_metal.Ti", 1.0),), (("", 10.0),),
              "Ti in hot metal from the Ti balance", "hot_metal", "Ti"),
    LimitSpec("hot_metal.V_pct", ("hot_metal", "V_pct"), "[V]", "wt %", (("hot_metal.V", 1.0),), (("", 10.0),),
              "V in hot metal from the V balance", "hot_metal", "V"),
    LimitSpec("slag.B2", ("slag", "B2"), "B2 = CaO/SiO2", "-", _B2, (("slag.SiO2", 1.0),),
              "binary basicity of the slag", "slag_properties", "B2"),
    LimitSpec("slag.B3", ("slag", "B3"), "B3 = (CaO+MgO)/SiO2", "-", _B2 + (("slag.MgO", 1.0),),
              (("slag.SiO2", 1.0),), "ternary basicity of the slag", "slag_properties", "B3"),
    LimitSpec("slag.B4", ("slag", "B4"), "B4 = (CaO+MgO)/(SiO2+Al2O3)", "-", _B2 + (("slag.MgO", 1.0),),
              (("slag.SiO2", 1.0), ("slag.Al2O3", 1.0)), "quaternary basicity of the slag", "slag_properties", "B4"),
    LimitSpec("slag.MgO_pct", ("slag", "MgO_pct"), "slag MgO", "wt %", (("slag.MgO", 1.0),),
              (("slag.total", 0.01),), "MgO content of the slag", "slag_properties", "MgO_pct"),
    LimitSpec("slag.Al2O3_pct", ("slag", "Al2O3_pct"), "slag Al2O3", "wt %", (("slag.Al2O3", 1.0),),
              (("slag.total", 0.01),), "Al2O3 content of the slag", "slag_properties", "Al2O3_pct"),
    LimitSpec("slag.rate_kg_per_thm", ("slag", "rate_kg_per_thm"), "slag rate", "kg/tHM", (("slag.total", 1.0),),
              (("", 1.0),), "slag mass per tonne of hot metal", "slag_properties", "rate_kg_per_thm"),
    # (%S)slag <= L_S·[S]  <=>  S_slag <= L_S·[S]/100·slag
    LimitSpec("slag.sulphur_partition", ("slag", "sulphur_partition_LS"), "L_S needed = (%S)/[%S]", "-",
              (("slag.S", 1.0),), (("slag.total", lambda cfg: cfg.hot_metal.S_pct / 100.0),),
              "the slag holds the sulphur at the hot-metal S target with the plant L_S", "slag_properties",
              "L_S_needed", sense="<="),
    LimitSpec("loads.alkali_kg_per_thm", ("loads", "alkali_kg_per_thm"), "alkali load K2O+Na2O", "kg/tHM",
              (("load.alkali", 1.0),), (("", 1.0),), "K2O + Na2O charged", "loads", "alkali"),
    LimitSpec("loads.zinc_kg_per_thm", ("loads", "zinc_kg_per_thm"), "zinc load Zn", "kg/tHM",
              (("load.zinc", 1.0),), (("", 1.0),), "Zn charged", "loads", "zinc"),
    LimitSpec("loads.sulphur_kg_per_thm", ("loads", "sulphur_kg_per_thm"), "sulphur load S", "kg/tHM",
              (("load.sulphur", 1.0),), (("", 1.0),), "S charged", "loads", "sulphur"),
    LimitSpec("loads.phosphorus_kg_per_thm", ("loads", "phosphorus_kg_per_thm"), "phosphorus load P", "kg/tHM",
              (("load.phosphorus", 1.0),), (("", 1.0),), "P charged", "loads", "phosphorus"),
    LimitSpec("loads.chlorine_kg_per_thm", ("loads", "chlorine_kg_per_thm"), "chlorine load Cl", "kg/tHM",
              (("load.chlorine", 1.0),), (("", 1.0),), "Cl charged", "loads", "chlorine"),
)
#: slag components that may get a window in wt % of the slag beside MgO and Al2O3
#: (``slag: {CaO_pct: 42, TiO2_pct: {max: 4.6}}``); the same row form, num/(slag/100)
SLAG_PCT_WINDOWS = ("CaO", "SiO2", "MnO", "FeO", "TiO2", "V2O5", "P2O5", "K2O", "Na2O", "ZnO", "S")
LIMITS += tuple(
    LimitSpec(f"slag.{c}_pct", ("slag", f"{c}_pct"), f"slag {c}", "wt %", ((f"slag.{c}", 1.0),),
              (("slag.total", 0.01),), f"{c} content of the slag", "slag_properties", f"{c}_pct", optional=True)
    for c in SLAG_PCT_WINDOWS)
LIMITS_BY_KEY = {s.key: s for s in LIMITS}

#: Settings a row depends on besides its own window (row name or its stem -> scenario paths
#: ``section.field``): when the row takes part in a conflict and such a setting is a default
#: the file does not write (the 0.030 % [S] target), the explanation names it.
ROW_SETTINGS: dict[str, tuple[str, ...]] = {
    "hot_metal.mass": ("hot_metal.Si_pct", "hot_metal.S_pct", "hot_metal.C_pct"),
    "slag.S.nonnegative": ("hot_metal.S_pct", "distribution.S_to_gas"),
    "slag.sulphur_partition": ("hot_metal.S_pct",),
    **{f"hot_metal.{e}_pct": (f"distribution.{e}_to_hot_metal",) for e in ("Mn", "P", "Ti", "V")},
    **{f"slag.{c}_pct": ("distribution.Fe_to_hot_metal",) for c in ("FeO",)},
    **{f"slag.{c}_pct": (f"distribution.{e}_to_hot_metal",) for c, e in (("MnO", "Mn"), ("TiO2", "Ti"),
                                                                         ("V2O5", "V"), ("P2O5", "P"))},
}


def unwritten_defaults(cfg, row_names) -> list[tuple[str, object]]:
    """(path, value) of the settings behind ``row_names`` (:data:`ROW_SETTINGS`) that the
    scenario did not write (pydantic's fields set), in first-seen order."""
    out: dict[str, object] = {}
    for n in row_names:
        stem = n[: n.rfind(".")] if n.endswith((".min", ".max")) else n
        for path in ROW_SETTINGS.get(n, ()) + ROW_SETTINGS.get(stem, ()):
            section, field_name = path.split(".", 1)
            sec = getattr(cfg, section, None)
            if sec is None or path in out:
                continue
            written = section in cfg.model_fields_set and field_name in sec.model_fields_set
            if not written:
                out[path] = getattr(sec, field_name)
    return list(out.items())


#: Chemistry of a group of materials (scenario ``mixes:``): property -> (title, unit,
#: numerator, denominator) over the ``input.*`` quantities of the group's materials only
#: (kg per kg dry of each, from its analysis); an empty denominator is the group's dry
#: mass / 100 (a wt %).  Row ``mixes.<name>.<property>[.min|.max]``, same form num − θ·den.
MIX_PROPERTIES: dict[str, tuple[str, str, tuple, tuple]] = {
    "TFe_pct": ("TFe", "wt %", (("input.Fe", 1.0),), ()),
    "SiO2_pct": ("SiO2", "wt %", (("input.SiO2", 1.0),), ()),
    "Al2O3_pct": ("Al2O3", "wt %", (("input.Al2O3", 1.0),), ()),
    "CaO_pct": ("CaO", "wt %", (("input.CaO", 1.0),), ()),
    "MgO_pct": ("MgO", "wt %", (("input.MgO", 1.0),), ()),
    "Mn_pct": ("Mn", "wt %", (("input.Mn", 1.0),), ()),
    "P_pct": ("P", "wt %", (("input.P", 1.0),), ()),
    "S_pct": ("S", "wt %", (("input.S", 1.0),), ()),
    "B2": ("B2 = CaO/SiO2", "-", (("input.CaO", 1.0),), (("input.SiO2", 1.0),)),
    "B4": ("B4 = (CaO+MgO)/(SiO2+Al2O3)", "-", (("input.CaO", 1.0), ("input.MgO", 1.0)),
           (("input.SiO2", 1.0), ("input.Al2O3", 1.0))),
}


def limits_of(table: str) -> list[LimitSpec]:
    """The standard limits shown in result table ``table``, in declaration order."""
    return [s for s in LIMITS if s.table == table]


def spec_window(spec: LimitSpec, cfg):
    """The window of a standard limit in a scenario config (None if not set)."""
    v = getattr(getattr(cfg, spec.path[0]), spec.path[1])
    if v is None:
        return None
    if spec.sense == "<=" and isinstance(v, (int, float)):
        from ..scenario import Window

        return Window(max=float(v))
    return v
