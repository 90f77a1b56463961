"""Pyomo generated from the same rows: the plant-hook interface and other solvers.

:func:`to_pyomo` writes the formulation of a :class:`~burden.core.problem.Problem` as
a Pyomo ``ConcreteModel`` (``x[material]`` dry kg/tHM, ``q[quantity]`` expressions,
``rows[name]`` constraints, mutable ``price`` and the ``cost`` objective).  Plant hooks
add ``Var`` and ``Constraint`` components to it; :func:`compile_additions` reads them
back as formulation columns (block ``hook``, with their domain: binary and integer
columns keep their integrality) and rows of kind ``hook``, with any bound changed on
``x``, any standard row deactivated and any term added to the objective.  So a hook
model is solved by the HiGHS backend like every other formulation, and a backend that
cannot honour integrality refuses it.

:class:`PyomoBackend` solves the generated model (hooks included) with any solver
Pyomo can run here (default ``appsi_highs``); it exists for cross-checks, parmest and
solvers other than HiGHS.

Building Pyomo expressions from numpy floats is ~8× slower than from Python floats
(DESIGN.md, measured): coefficients go through ``.tolist()``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..core.rows import Row
from ..core.space import LinExpr
from ..errors import SolverError
from .base import CapabilityError


def to_pyomo(problem):
    """The Pyomo model of a problem's formulation (rows over the material block)."""
    import pyomo.environ as pyo
    from pyomo.core.expr.numeric_expr import LinearExpression

    f = problem.formulation
    x = f.space["x"]
    names = list(x.labels)
    lower = f.space.lower[x.start:x.stop].tolist()
    upper = f.space.upper[x.start:x.stop].tolist()
    m = pyo.ConcreteModel(name=problem.scenario.name)
    m.MATERIALS = pyo.Set(initialize=names, ordered=True)
    m.x = pyo.Var(m.MATERIALS, bounds=_Bounds(names, lower, upper), initialize=dict(zip(names, lower)),
                  doc="dry kg per tonne of hot metal")
    xs = [m.x[k] for k in names]

    def lin(coef, const):
        nz = [(c, v) for c, v in zip(coef, xs) if c != 0.0]
        return LinearExpression(constant=float(const), linear_coefs=[c for c, _ in nz],
                                linear_vars=[v for _, v in nz])

    m.q = pyo.Expression(list(problem.quantities),
                         initialize={k: lin(a.coef.tolist(), a.const) for k, a in problem.quantities.items()},
                         doc="named quantities, kg/tHM")
    rows = [r for r in f.rows if r.kind != "hook" and _on_block(r, x)]

    def body(r):
        b = r.body.coalesce()
        dense = np.zeros(len(names))
        dense[b.idx - x.start] = b.val
        return lin(dense.tolist(), b.const)

    m.rows = pyo.Constraint([r.name for r in rows], rule=_RowRule({r.name: r for r in rows}, body))
    m._burden_rows = tuple(r.name for r in rows)       # what compile_additions expects to find
    cost = problem.cost.tolist()
    m.price = pyo.Param(m.MATERIALS, initialize=dict(zip(names, cost)), mutable=True, doc="currency per dry kg")
    m.cost = pyo.Objective(expr=sum(m.price[k] * m.x[k] for k in names), sense=pyo.minimize)
    return m


class _Bounds:
    def __init__(self, names, lower, upper):
        self.b = {k: (lo, hi if math.isfinite(hi) else None) for k, lo, hi in zip(names, lower, upper)}

    def __call__(self, _m, k):
        return self.b[k]


class _RowRule:
    def __init__(self, rows, body):
        self.rows, self.body = rows, body

    def __call__(self, _m, name):
        r = self.rows[name]
        e = self.body(r)
        if r.sense == ">=":
            return e >= 0.0
        if r.sense == "<=":
            return e <= 0.0
        return e == 0.0


def _on_block(r: Row, block) -> bool:
    idx = np.concatenate([r.num.idx, r.den.idx])
    return bool(np.all((idx >= block.start) & (idx < block.stop)))


@dataclass
class Additions:
    """What a Pyomo model adds to the formulation it was generated from."""

    columns: list          # (name, lower, upper, kind)
    rows: list             # (name, {var key: coef}, const, lower, upper)
    x_bounds: tuple        # ((lower...), (upper...)) of block x in the Pyomo model
    deactivated: tuple     # names of standard rows switched off
    objective: tuple       # extra objective terms ({var key: coef}, const) beyond the formulation's cost
    signature: tuple

    def has_edits(self, problem) -> bool:
        """Whether the Pyomo model holds anything its problem's formulation does not."""
        if self.columns or self.rows or self.deactivated or self.objective[0] or self.objective[1]:
            return True
        sp = problem.formulation.space
        x = sp["x"]
        return (self.x_bounds[0] != tuple(sp.lower[x.start:x.stop].tolist())
                or self.x_bounds[1] != tuple(sp.upper[x.start:x.stop].tolist()))

    def apply(self, problem) -> None:
        """Formulate the problem's scenario anew and add these columns and rows to it."""
        from ..core.problem import _formulate

        f, q = _formulate(problem.scenario)
        sp = f.space
        x = sp["x"]
        lo, hi = (np.array(b, dtype=float) for b in self.x_bounds)
        sp.lower, sp.upper, sp.soft = sp.lower.copy(), sp.upper.copy(), sp.soft.copy()
        sp.lower[x.start:x.stop] = lo
        sp.upper[x.start:x.stop] = hi
        sp.soft[x.start:x.stop] = (lo > 0) | np.isfinite(hi)
        if self.deactivated:
            f.remove_named(self.deactivated)
        col_of = {("x", k): x.col(k) for k in x.labels}
        if self.columns:
            # one block "hook" for every hook variable, each column with its own kind
            b = sp.add("hook", [c[0] for c in self.columns], [c[1] for c in self.columns],
                       [c[2] for c in self.columns], kind=[c[3] for c in self.columns],
                       description="plant hook variables")
            for c in self.columns:
                col_of[("hook", c[0])] = b.col(c[0])
        one = LinExpr.constant(1.0)
        rows = []
        for name, coefs, const, lo_r, hi_r in self.rows:
            num = LinExpr([col_of[k] for k in coefs], list(coefs.values()), const)
            if lo_r == hi_r:
                rows.append(Row(name, name, "==", lo_r, "", num, one, "hook", "plant hook", "hook"))
            elif math.isfinite(lo_r) and math.isfinite(hi_r):
                rows.append(Row(name, name, "range", lo_r, "", num, one, "hook", "plant hook", "hook",
                                theta_max=hi_r))
            elif math.isfinite(lo_r):
                rows.append(Row(name, name, ">=", lo_r, "", num, one, "hook", "plant hook", "hook"))
            else:
                rows.append(Row(name, name, "<=", hi_r, "", num, one, "hook", "plant hook", "hook"))
        f.add_rows(rows)
        coefs, const = self.objective
        if coefs or const:
            f.set_objective("hook", LinExpr([col_of[k] for k in coefs], list(coefs.values()), const))
        problem.formulation, problem.quantities = f, q
        problem._backend = None
        problem._shared = False
        problem._w = {}


def compile_additions(problem, m) -> Additions:
    """Read the hook additions of Pyomo model ``m`` (see the module docstring).

    Raises
    ------
    SolverError
        A hook constraint or objective term is not linear.
    """
    import pyomo.environ as pyo
    from pyomo.repn.standard_repn import generate_standard_repn

    x_ids = {id(m.x[k]): ("x", k) for k in m.x}
    extra: dict[int, tuple] = {}
    columns = []

    def key(v):
        k = x_ids.get(id(v))
        if k is not None:
            return k
        k = extra.get(id(v))
        if k is None:
            # (a fixed variable never gets here: generate_standard_repn folds it into the constant)
            kind = "binary" if v.is_binary() else ("integer" if v.is_integer() else "continuous")
            lb = -math.inf if v.lb is None else float(v.lb)
            ub = math.inf if v.ub is None else float(v.ub)
            k = extra[id(v)] = ("hook", v.name)
            columns.append((v.name, lb, ub, kind))
        return k

    rows = []
    std = m.component("rows")
    present = set()
    for con in m.component_data_objects(pyo.Constraint, descend_into=True):
        if std is not None and con.parent_component() is std:
            if con.active:
                present.add(str(con.index()))
            continue
        if not con.active:
            continue
        repn = generate_standard_repn(con.body, compute_values=True, quadratic=False)
        if not repn.is_linear():
            raise SolverError(f"constraint {con.name} is not linear; the LP/MILP backends cannot take it")
        coefs: dict = {}
        for v, c in zip(repn.linear_vars, repn.linear_coefs):
            k = key(v)
            coefs[k] = coefs.get(k, 0.0) + float(c)
        lo = float(pyo.value(con.lower)) if con.has_lb() else -math.inf
        hi = float(pyo.value(con.upper)) if con.has_ub() else math.inf
        rows.append((con.name, coefs, float(repn.constant), lo, hi))
    # standard rows deactivated or deleted (also the whole m.rows) are dropped
    deactivated = [n for n in getattr(m, "_burden_rows", ()) if n not in present]
    # objective: anything beyond Σ price·x of the formulation
    obj = [o for o in m.component_data_objects(pyo.Objective, active=True)]
    if len(obj) != 1 or obj[0].sense != pyo.minimize:
        raise SolverError("the hook model must keep exactly one objective, minimised")
    orepn = generate_standard_repn(obj[0].expr, compute_values=True, quadratic=False)
    if not orepn.is_linear():
        raise SolverError("the objective is not linear; the LP/MILP backends cannot take it")
    ocoefs: dict = {}
    for v, c in zip(orepn.linear_vars, orepn.linear_coefs):
        k = key(v)
        ocoefs[k] = ocoefs.get(k, 0.0) + float(c)
    names = list(m.x.keys())
    # the formulation's own prices (an edit of m.price is an objective change like any other)
    base = dict(zip(names, problem.cost.tolist()))
    const = float(orepn.constant)
    for k, p in base.items():
        v = m.x[k]
        if v.fixed:
            # a fixed rate is a bound lo = hi; its cost left the expression as a constant
            const -= p * float(v.value)
            continue
        c = ocoefs.get(("x", k), 0.0) - p
        if abs(c) <= 1e-15 * max(1.0, abs(p)):
            ocoefs.pop(("x", k), None)
        else:
            ocoefs[("x", k)] = c
    if abs(const) <= 1e-12:
        const = 0.0

    def bound(v, side):
        if v.fixed:
            return float(v.value)
        b = v.lb if side == "lb" else v.ub
        return float(b) if b is not None else (0.0 if side == "lb" else math.inf)

    xb = (tuple(bound(m.x[k], "lb") for k in names), tuple(bound(m.x[k], "ub") for k in names))
    ob = (tuple(sorted(ocoefs.items())), const)
    sig = (tuple(columns), tuple((n, tuple(sorted(c.items())), k, lo, hi) for n, c, k, lo, hi in rows), xb,
           tuple(deactivated), ob)
    return Additions(columns, rows, xb, tuple(deactivated), (ocoefs, const), sig)


class PyomoBackend:
    """Solve the Pyomo model of a problem (hooks included) with a Pyomo solver.

    Parameters
    ----------
    solver : str
        A Pyomo solver name available here (default ``appsi_highs``).

    Capabilities depend on the solver; ``appsi_highs``: LP, MILP, duals.  A solver
    without MILP refuses a model with binary or integer columns (CapabilityError).
    """

    name = "pyomo"
    SOLVER_CAPABILITIES = {"appsi_highs": frozenset({"lp", "milp", "duals"})}

    def __init__(self, solver: str = "appsi_highs"):
        self.solver = solver
        self.capabilities = self.SOLVER_CAPABILITIES.get(solver, frozenset({"lp"}))

    def solve(self, problem) -> dict:
        """Solve; returns {"status", "objective", "x": {material: kg/tHM}, "hook": {var: value}}."""
        import pyomo.environ as pyo

        if "emissions" in problem.formulation.space.blocks:
            raise CapabilityError("the generated Pyomo model holds the rows over the materials only, not the CO2 "
                                  "column, rows and carbon price of the emissions: section; solve with the HiGHS "
                                  "backend (burden.solve)")
        m = problem.model
        is_mip = any(v.is_binary() or v.is_integer() for v in m.component_data_objects(pyo.Var))
        if is_mip and "milp" not in self.capabilities:
            raise CapabilityError(f"solver {self.solver} cannot honour integrality")
        opt = pyo.SolverFactory(self.solver)
        if not opt.available():
            raise SolverError(f"Pyomo solver {self.solver!r} is not available here")
        res = opt.solve(m, load_solutions=False)
        tc = str(res.solver.termination_condition)
        if tc != "optimal":
            return {"status": "infeasible" if "infeasible" in tc else tc, "objective": math.nan, "x": {}, "hook": {}}
        m.solutions.load_from(res)
        x = {k: float(pyo.value(m.x[k])) for k in m.x}
        hook = {v.name: float(pyo.value(v)) for v in m.component_data_objects(pyo.Var)
                if v.parent_component() is not m.x}
        return {"status": "optimal", "objective": float(pyo.value(m.cost)), "x": x, "hook": hook}
