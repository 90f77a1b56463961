"""Solver layer: one adapter per backend, with capability flags.

:class:`HighsSolver` (the default, pure pip ``highspy``) compiles the Pyomo
model to matrix form once (Pyomo's ``LinearStandardFormCompiler``, so plant
hooks are included), keeps a persistent ``highspy.Highs`` instance on the
problem, and returns primal values, row duals, reduced costs, cost ranging
and, for an infeasible problem, an irreducible infeasible subset (IIS) and the
smallest relaxation of the operating limits (an elastic re-solve).

HiGHS sign convention (minimisation): a row dual y is ``dCost/d(row bound)``;
>= rows at their bound have y >= 0, <= rows y <= 0.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from .errors import SolverError


@dataclass(frozen=True)
class Capabilities:
    """What a solver backend can do."""

    lp: bool = False
    milp: bool = False
    nlp: bool = False
    duals: bool = False
    ranging: bool = False
    iis: bool = False
    persistent: bool = False


@dataclass
class SolveOutput:
    """Raw solver output mapped to names (internal; see :class:`~burden.result.Result`)."""

    status: str  # optimal | infeasible | unbounded | time_limit | error
    solver_status: str
    x: np.ndarray  # material rates, kg/tHM
    objective: float
    row_names: list[str]
    row_values: np.ndarray  # body values (constants moved to the bounds)
    row_duals: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    reduced_costs: np.ndarray  # per material
    cost_ranging: dict | None = None  # per material: (lower, upper) objective coefficient, currency/kg
    iis_rows: list[str] = field(default_factory=list)
    iis_bounds: list[tuple[str, str]] = field(default_factory=list)  # (material, "lower"/"upper")
    relaxation: dict = field(default_factory=dict)  # name -> relaxation amount (kg/tHM)
    relaxed_x: np.ndarray | None = None
    iterations: int = 0
    solve_seconds: float = 0.0
    compile_seconds: float = 0.0


@contextlib.contextmanager
def _quiet_stdout():
    """Silence C-level stdout (HiGHS prints a banner when constructed)."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, OSError):
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def new_highs():
    """A silent ``highspy.Highs`` instance with deterministic settings."""
    import highspy

    with _quiet_stdout():
        h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    return h


@dataclass
class _Compiled:
    A: np.ndarray  # dense (rows x cols)
    row_lower: np.ndarray
    row_upper: np.ndarray
    row_names: list[str]
    row_soft: np.ndarray  # may be relaxed in the elastic re-solve
    col_lower: np.ndarray
    col_upper: np.ndarray
    col_names: list[str]
    material_cols: list[int]  # column of each material
    col_soft: np.ndarray  # bounds that are operating limits
    cost: np.ndarray
    offset: float


def compile_problem(problem) -> _Compiled:
    """Matrix form of the Pyomo model: ``row_lower <= A x <= row_upper``.

    Every active linear constraint of the model is included (so plant hooks
    are), in declaration order; the material variables come first.
    """
    import pyomo.environ as pyo
    from pyomo.repn.standard_repn import generate_standard_repn

    m = problem.model
    xs = [m.x[k] for k in problem.materials]
    col_of = {id(v): j for j, v in enumerate(xs)}
    cols = list(xs)
    inf = np.inf
    data, ri, ci = [], [], []
    rl, ru, names = [], [], []
    for con in m.component_data_objects(pyo.Constraint, active=True, descend_into=True):
        repn = generate_standard_repn(con.body, compute_values=True, quadratic=False)
        if not repn.is_linear():
            raise SolverError(f"constraint {con.name} is not linear; the LP solver cannot take it")
        i = len(names)
        for v, c in zip(repn.linear_vars, repn.linear_coefs):
            j = col_of.get(id(v))
            if j is None:
                j = col_of[id(v)] = len(cols)
                cols.append(v)
            data.append(float(c))
            ri.append(i)
            ci.append(j)
        const = float(repn.constant)
        lo = pyo.value(con.lower) if con.has_lb() else None
        hi = pyo.value(con.upper) if con.has_ub() else None
        rl.append(lo - const if lo is not None else -inf)
        ru.append(hi - const if hi is not None else inf)
        names.append(str(con.index()) if con.parent_component() is m.rows else con.name)
    obj = next(m.component_data_objects(pyo.Objective, active=True))
    orepn = generate_standard_repn(obj.expr, compute_values=True, quadratic=False)
    for v in orepn.linear_vars:
        if id(v) not in col_of:
            col_of[id(v)] = len(cols)
            cols.append(v)
    # Burden problems are small (tens of rows and columns): dense numpy keeps scipy
    # (and the 0.5 s of scipy.stats that Pyomo loads with it) out of the solve path.
    A = np.zeros((len(names), len(cols)))
    np.add.at(A, (np.array(ri, dtype=int), np.array(ci, dtype=int)), np.array(data, dtype=float))
    c = np.zeros(len(cols))
    for v, coef in zip(orepn.linear_vars, orepn.linear_coefs):
        c[col_of[id(v)]] += float(coef)
    cl = np.array([v.lb if v.lb is not None else -inf for v in cols], dtype=float)
    cu = np.array([v.ub if v.ub is not None else inf for v in cols], dtype=float)
    soft_rows = {r.name: r.kind in ("limit", "fuel") for r in problem.rows}
    soft = np.array([soft_rows.get(nm, False) for nm in names], dtype=bool)
    col_soft = np.zeros(len(cols), dtype=bool)
    col_soft[: len(xs)] = True
    return _Compiled(A, np.array(rl, float), np.array(ru, float), names, soft, cl, cu, [v.name for v in cols],
                     list(range(len(xs))), col_soft, c, float(orepn.constant))


def _csc(A: np.ndarray):
    """Column-wise sparse arrays (start, index, value) of a dense matrix."""
    nz = A.T != 0  # (cols, rows)
    counts = nz.sum(axis=1)
    start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    cols_idx, rows_idx = np.nonzero(nz)
    return start, rows_idx.astype(np.int32), A.T[cols_idx, rows_idx].astype(float)


def _pass(h, comp: _Compiled, cost=None, col_lower=None, col_upper=None, A=None, row_lower=None, row_upper=None):
    import highspy

    A = np.asarray(comp.A if A is None else A, dtype=float)
    start, index, value = _csc(A)
    lp = highspy.HighsLp()
    lp.num_col_ = A.shape[1]
    lp.num_row_ = A.shape[0]
    lp.col_cost_ = np.asarray(comp.cost if cost is None else cost, dtype=float)
    lp.col_lower_ = np.asarray(comp.col_lower if col_lower is None else col_lower, dtype=float)
    lp.col_upper_ = np.asarray(comp.col_upper if col_upper is None else col_upper, dtype=float)
    lp.row_lower_ = np.asarray(comp.row_lower if row_lower is None else row_lower, dtype=float)
    lp.row_upper_ = np.asarray(comp.row_upper if row_upper is None else row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.sense_ = highspy.ObjSense.kMinimize
    h.passModel(lp)


class HighsSolver:
    """HiGHS through highspy: LP with duals, ranging, IIS; persistent re-solve."""

    name = "highs"
    capabilities = Capabilities(lp=True, milp=True, duals=True, ranging=True, iis=True, persistent=True)

    def __init__(self, time_limit_s: float | None = None, ranging: bool = True):
        self.time_limit_s = time_limit_s
        self.ranging = ranging

    def solve(self, problem) -> SolveOutput:
        import highspy

        state = problem._solver_state
        t0 = time.perf_counter()
        if state.get("highs") is None or state.get("model_id") != id(problem.model):
            comp = compile_problem(problem)
            h = new_highs()
            if self.time_limit_s:
                h.setOptionValue("time_limit", float(self.time_limit_s))
            _pass(h, comp)
            state.update(highs=h, compiled=comp, model_id=id(problem.model), cost_changed=False)
        comp: _Compiled = state["compiled"]
        h = state["highs"]
        if state.get("cost_changed"):
            # persistent re-solve: only the objective changes
            for k, j in zip(problem.materials, comp.material_cols):
                comp.cost[j] = float(problem.model.price[k].value)
            idx = np.array(comp.material_cols, dtype=np.int32)
            h.changeColsCost(len(idx), idx, comp.cost[idx])
            state["cost_changed"] = False
        t1 = time.perf_counter()
        h.run()
        t2 = time.perf_counter()
        ms = h.getModelStatus()
        status_txt = h.modelStatusToString(ms)
        MS = highspy.HighsModelStatus
        status = {MS.kOptimal: "optimal", MS.kInfeasible: "infeasible", MS.kUnbounded: "unbounded",
                  MS.kUnboundedOrInfeasible: "infeasible", MS.kTimeLimit: "time_limit"}.get(ms, "error")
        info = h.getInfo()
        n_rows = len(comp.row_names)
        out = SolveOutput(status=status, solver_status=status_txt, x=np.full(len(problem.materials), np.nan),
                          objective=np.nan, row_names=comp.row_names, row_values=np.full(n_rows, np.nan),
                          row_duals=np.full(n_rows, np.nan), row_lower=comp.row_lower, row_upper=comp.row_upper,
                          reduced_costs=np.full(len(problem.materials), np.nan),
                          iterations=int(info.simplex_iteration_count), solve_seconds=t2 - t1,
                          compile_seconds=t1 - t0)
        if status == "optimal":
            sol = h.getSolution()
            cv = np.asarray(sol.col_value)
            out.x = cv[comp.material_cols]
            out.objective = float(info.objective_function_value) + comp.offset
            out.row_values = np.asarray(sol.row_value)
            out.row_duals = np.asarray(sol.row_dual)
            out.reduced_costs = np.asarray(sol.col_dual)[comp.material_cols]
            if self.ranging:
                st, rng = h.getRanging()
                if st == highspy.HighsStatus.kOk:
                    up = np.asarray(rng.col_cost_up.value_)
                    dn = np.asarray(rng.col_cost_dn.value_)
                    out.cost_ranging = {k: (float(dn[j]), float(up[j]))
                                        for k, j in zip(problem.materials, comp.material_cols)}
        elif status == "infeasible":
            self._explain(h, comp, problem, out)
        elif status == "error":
            raise SolverError(f"HiGHS stopped with status {status_txt!r} on {problem.scenario.name}")
        return out

    # -- infeasibility ------------------------------------------------------
    def _explain(self, h, comp: _Compiled, problem, out: SolveOutput) -> None:
        """Fill the IIS and the smallest relaxation of the soft limits."""
        import highspy

        try:
            h.setOptionValue("iis_strategy", 6)  # from the LP, irreducible
            st, iis = h.getIis()
            if st != highspy.HighsStatus.kError and iis.valid_:
                out.iis_rows = [comp.row_names[i] for i in iis.row_index_]
                colname = {j: k for k, j in zip(problem.materials, comp.material_cols)}
                for j, b in zip(iis.col_index_, iis.col_bound_):
                    side = {2: "min", 3: "max", 4: "min and max"}.get(int(b))
                    if side is None:
                        continue
                    if comp.col_lower[j] == comp.col_upper[j]:
                        side = "fixed"
                    out.iis_bounds.append((colname.get(j, comp.col_names[j]), side))
        except Exception:  # IIS is a diagnosis aid; the elastic re-solve below still explains
            pass
        self._elastic(comp, problem, out)

    def _elastic(self, comp: _Compiled, problem, out: SolveOutput) -> None:
        """Smallest total relaxation (kg/tHM) of the operating limits that makes the problem feasible.

        Soft rows get slack columns (one per side); soft column bounds are
        moved into rows with slacks.  Balances and non-negativity stay hard.
        """
        A = np.asarray(comp.A, dtype=float)
        m, n = A.shape
        slack_cols = []  # dense columns of the row slacks
        slack_of: list[tuple[str, int]] = []  # (name, sign)
        for i in range(m):
            if not comp.row_soft[i]:
                continue
            if np.isfinite(comp.row_upper[i]):  # body - s <= ub
                e = np.zeros(m)
                e[i] = -1.0
                slack_cols.append(e)
                slack_of.append((comp.row_names[i], +1))
            if np.isfinite(comp.row_lower[i]):  # body + s >= lb
                e = np.zeros(m)
                e[i] = 1.0
                slack_cols.append(e)
                slack_of.append((comp.row_names[i], -1))
        col_lower = comp.col_lower.copy()
        col_upper = comp.col_upper.copy()
        bound_rows = []
        for k, j in zip(problem.materials, comp.material_cols):
            lo, hi = comp.col_lower[j], comp.col_upper[j]
            if lo > 0 or np.isfinite(hi):
                bound_rows.append((k, j, lo, hi))
                col_lower[j], col_upper[j] = 0.0, np.inf
        # Assemble [A S 0; B 0 T]: B rows are x_j, T their slacks
        n_s = len(slack_cols)
        S = np.column_stack(slack_cols) if slack_cols else np.zeros((m, 0))
        nb = len(bound_rows)
        B = np.zeros((nb, n))
        b_lo, b_hi, t_cols = [], [], []
        for r, (k, j, lo, hi) in enumerate(bound_rows):
            B[r, j] = 1.0
            b_lo.append(lo)
            b_hi.append(hi)
            if lo > 0:
                e = np.zeros(nb)
                e[r] = 1.0
                t_cols.append(e)
                slack_of.append((f"charge.{k}.min", -1))
            if np.isfinite(hi):
                e = np.zeros(nb)
                e[r] = -1.0
                t_cols.append(e)
                slack_of.append((f"charge.{k}.max", +1))
        n_t = len(t_cols)
        T = np.column_stack(t_cols) if t_cols else np.zeros((nb, 0))
        AA = np.block([[A, S, np.zeros((m, n_t))], [B, np.zeros((nb, n_s)), T]])
        cost = np.concatenate([np.zeros(n), np.ones(n_s + n_t)])
        cl = np.concatenate([col_lower, np.zeros(n_s + n_t)])
        cu = np.concatenate([col_upper, np.full(n_s + n_t, np.inf)])
        rl = np.concatenate([comp.row_lower, b_lo])
        ru = np.concatenate([comp.row_upper, b_hi])
        import highspy

        # Pass 1: unit weights (kg/tHM) give a reference burden; pass 2 weighs each
        # relaxation relative to the magnitude of its row there, so a 1 % move of a
        # trace-element limit and a 1 % move of a basicity limit count alike.
        slack_row = [i for i in range(m) if comp.row_soft[i] for _ in
                     range(int(np.isfinite(comp.row_upper[i])) + int(np.isfinite(comp.row_lower[i])))]
        slack_row += [m + r for r, (k, j, lo, hi) in enumerate(bound_rows) for _ in range(int(lo > 0) + int(np.isfinite(hi)))]
        v = None
        by_name = {r.name: r for r in problem.rows}
        for _pass_no in (1, 2):
            h = new_highs()
            _pass(h, comp, cost=cost, col_lower=cl, col_upper=cu, A=AA, row_lower=rl, row_upper=ru)
            h.run()
            if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return  # even the relaxed problem is infeasible: the balances themselves conflict
            v = np.asarray(h.getSolution().col_value)
            mag = np.abs(AA[:, :n]) @ np.abs(v[:n])
            bnd = np.maximum(np.where(np.isfinite(rl), np.abs(rl), 0), np.where(np.isfinite(ru), np.abs(ru), 0))
            # a limit row num - θ·den: its magnitude is |num| + |θ·den|, not |num - θ·den|
            xm = v[comp.material_cols]
            for i, nm in enumerate(comp.row_names):
                r = by_name.get(nm)
                if r is not None:
                    mag[i] = abs(r.num.value(xm)) + abs(r.theta * r.den.value(xm))
            scale = np.maximum(np.maximum(mag, bnd), 1e-6)
            cost = np.concatenate([np.zeros(n), 1.0 / scale[slack_row]])
        s = v[n:]
        for (name, _sign), amount in zip(slack_of, s):
            if amount > 1e-7:
                out.relaxation[name] = out.relaxation.get(name, 0.0) + float(amount)
        out.relaxed_x = v[comp.material_cols]


SOLVERS = {"highs": HighsSolver}


def get_solver(name: str = "highs", **options):
    """The solver adapter registered under ``name``."""
    try:
        return SOLVERS[name](**options)
    except KeyError:
        from .errors import InputError

        raise InputError(f"unknown solver {name!r}; available: {', '.join(SOLVERS)}")
