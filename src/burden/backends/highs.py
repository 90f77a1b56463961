"""HiGHS built directly from the sparse rows of a formulation (no Pyomo on this path).

:class:`HighsBackend` passes the compiled formulation to ``highspy.Highs`` once
(row-wise sparse matrix, integrality of binary and integer columns) and keeps it:
costs, column bounds, row bounds and coefficients are changed in place
(``changeColsCost``, ``changeColsBounds``, ``changeRowsBounds``, ``changeCoeff``) and
the next solve starts from the previous basis.  It returns a
:class:`~burden.results.solution.Solution` with primal values, row duals, reduced
costs and cost ranging, and for an infeasible problem an irreducible infeasible
subset (``getIis``) and the smallest relaxation of the operating limits (an elastic
re-solve).  A MILP is solved with integrality; its duals and ranging are those of the
LP with the integer columns fixed at their optimum (stated in ``meta``).

HiGHS sign convention (minimisation): a row dual y is ``dCost/d(row bound)``;
>= rows at their bound have y >= 0, <= rows y <= 0.

References: Huangfu & Hall, "Parallelizing the dual revised simplex method",
Math. Prog. Comp. 10 (2018) 119-142 (HiGHS); linopy ``io.to_highspy``.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
import time

import numpy as np

from ..core.formulation import Compiled
from ..errors import SolverError
from ..results.solution import Solution
from .base import CapabilityError, RebuildRequired

CAPABILITIES = frozenset({"lp", "milp", "duals", "ranging", "iis", "persistent"})


@contextlib.contextmanager
def _quiet_stdout():
    """Silence C-level stdout (HiGHS prints a banner when constructed).

    C code writes to file descriptor 1 whatever ``sys.stdout`` is (a Jupyter kernel or pytest
    forward what reaches fd 1), so fd 1 is silenced; C's stdio buffer is flushed into the
    silence before fd 1 comes back."""
    fd = 1  # C's stdout (a Jupyter kernel's sys.stdout.fileno() is a copy of the terminal's, not fd 1)
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
        saved = os.dup(fd)
    except (AttributeError, ValueError, OSError):
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        try:
            import ctypes

            ctypes.CDLL(None).fflush(None)  # a banner still in C's buffer goes to /dev/null
        except (OSError, AttributeError):
            pass
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


_BANNER_DONE = False


def new_highs(time_limit_s: float | None = None):
    """A silent ``highspy.Highs`` instance with deterministic settings."""
    import highspy

    global _BANNER_DONE
    if _BANNER_DONE:
        h = highspy.Highs()
    else:  # HiGHS prints its banner at the first construction in a process only
        with _quiet_stdout():
            h = highspy.Highs()
        _BANNER_DONE = True
    h.setOptionValue("output_flag", False)
    # random_seed is HiGHS's default 0 (checked in tests/test_core.py): runs are deterministic
    # without setting it on every new instance
    # "threads" is left at its default: HiGHS keeps one task scheduler per process, made by
    # the first run, and a later instance asking for another thread count fails with status
    # "Not Set".  The simplex path is serial either way; results stay deterministic.
    if time_limit_s:
        h.setOptionValue("time_limit", float(time_limit_s))
    return h


def pass_model(h, comp: Compiled, *, integrality: bool = True) -> None:
    """Pass a compiled formulation to a Highs instance (row-wise sparse)."""
    import highspy

    m, n = comp.shape
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = m
    lp.col_cost_ = np.asarray(comp.cost, dtype=float)
    lp.col_lower_ = np.asarray(comp.col_lower, dtype=float)
    lp.col_upper_ = np.asarray(comp.col_upper, dtype=float)
    lp.row_lower_ = np.asarray(comp.row_lower, dtype=float)
    lp.row_upper_ = np.asarray(comp.row_upper, dtype=float)
    lp.offset_ = float(comp.offset)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = np.asarray(comp.start, dtype=np.int32)
    lp.a_matrix_.index_ = np.asarray(comp.index, dtype=np.int32)
    lp.a_matrix_.value_ = np.asarray(comp.value, dtype=float)
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = m
    lp.sense_ = highspy.ObjSense.kMinimize
    if integrality and comp.integrality.any():
        lp.integrality_ = [highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous
                           for k in comp.integrality]
    h.passModel(lp)


_STATUS: dict = {}
_NAN = np.full(0, np.nan)  # placeholder, replaced before a Solution is returned


def _status(h) -> tuple[str, str]:
    """(our status, HiGHS's text) of the last run."""
    ms = h.getModelStatus()
    hit = _STATUS.get(ms)
    if hit is None:
        import highspy

        MS = highspy.HighsModelStatus
        ours = {MS.kOptimal: "optimal", MS.kInfeasible: "infeasible", MS.kUnbounded: "unbounded",
                MS.kUnboundedOrInfeasible: "infeasible", MS.kTimeLimit: "time_limit"}.get(ms, "error")
        hit = _STATUS[ms] = (ours, h.modelStatusToString(ms))
    return hit


def _unbounded_or_infeasible():
    import highspy

    return highspy.HighsModelStatus.kUnboundedOrInfeasible


def _OK():
    import highspy

    return highspy.HighsStatus.kOk


class HighsBackend:
    """A live HiGHS model of one compiled formulation.

    Parameters
    ----------
    comp : Compiled
        The formulation in matrix form (:meth:`burden.core.formulation.Formulation.compile`).
    layout : dict
        Column blocks (``VarSpace.layout()``), carried into each Solution.
    time_limit_s : float, optional
    ranging : bool
        Compute cost ranging after each optimal LP solve (default True).

    Raises
    ------
    SolverError
        HiGHS failed (status other than optimal, infeasible, unbounded, time limit).
    """

    name = "highs"
    capabilities = CAPABILITIES

    def __init__(self, comp: Compiled, layout: dict, *, time_limit_s: float | None = None, ranging: bool = True):
        self._comp = comp
        self._dirty = False
        #: callable giving the formulation's current Compiled; set by the problem so that the
        #: sparse matrix is formed anew (lazily) after coefficient changes
        self.source = None
        self.layout = layout
        self.time_limit_s = time_limit_s
        self.ranging = ranging
        self.highs = new_highs(time_limit_s)
        pass_model(self.highs, comp)
        self.is_mip = bool(comp.integrality.any())

    @property
    def comp(self) -> Compiled:
        """The compiled model as the live solver holds it (matrix formed anew after changes)."""
        if self._dirty:
            fresh = self.source()
            c = self._comp
            c.start, c.index, c.value = fresh.start, fresh.index, fresh.value
            self._dirty = False
        return self._comp

    # -- persistent updates ------------------------------------------------------
    def change_coeffs(self, rows, cols, values) -> None:
        """Set single matrix coefficients (row i, column j) to ``values`` (a list of floats);
        ``rows`` and ``cols`` are lists of the same length, or one of them a single int (one
        row, or one column).  The caller keeps the formulation in step (see :attr:`source`)."""
        if not values:
            return
        if self.source is None:
            raise SolverError("change_coeffs needs the backend's source formulation")
        change = self.highs.changeCoeff
        if isinstance(rows, int):
            for j, v in zip(cols, values):
                change(rows, j, v)
        elif isinstance(cols, int):
            for i, v in zip(rows, values):
                change(i, cols, v)
        else:
            for i, j, v in zip(rows, cols, values):
                change(i, j, v)
        self._dirty = True

    def update_row_bounds(self, i: int, lower: float, upper: float) -> None:
        c = self._comp
        if c.row_lower[i] != lower or c.row_upper[i] != upper:
            # new arrays (Solutions hold the old ones without copying)
            c.row_lower, c.row_upper = c.row_lower.copy(), c.row_upper.copy()
            c.row_lower[i] = lower
            c.row_upper[i] = upper
            self.highs.changeRowBounds(int(i), float(lower), float(upper))

    def update_costs(self, cols: np.ndarray, cost: np.ndarray) -> None:
        """Change objective coefficients of columns ``cols`` (currency per unit)."""
        cols = np.asarray(cols, dtype=np.int32)
        cost = np.asarray(cost, dtype=float)
        self._comp.cost[cols] = cost
        self.highs.changeColsCost(len(cols), cols, cost)

    def update_col_bounds(self, cols: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> None:
        cols = np.asarray(cols, dtype=np.int32)
        lower = np.asarray(lower, dtype=float)
        upper = np.asarray(upper, dtype=float)
        self._comp.col_lower[cols] = lower
        self._comp.col_upper[cols] = upper
        self.highs.changeColsBounds(len(cols), cols, lower, upper)

    def update_row(self, i: int, idx: np.ndarray, val: np.ndarray, lower: float, upper: float) -> int:
        """Replace the coefficients and bounds of row ``i``; returns the number of
        coefficients changed.  The sparsity pattern may change (a new nonzero or a
        coefficient set to 0)."""
        old_idx, old_val = self.comp.row_entries(i)
        old = dict(zip(old_idx.tolist(), old_val.tolist()))
        new = dict(zip(np.asarray(idx).tolist(), np.asarray(val, dtype=float).tolist()))
        changed = 0
        h = self.highs
        for j in old.keys() | new.keys():
            v = new.get(j, 0.0)
            if old.get(j, 0.0) != v:
                h.changeCoeff(int(i), int(j), float(v))
                changed += 1
        if changed:
            self._splice_row(i, idx, val)
        self.update_row_bounds(i, lower, upper)  # only what changed reaches HiGHS
        return changed

    def _splice_row(self, i, idx, val) -> None:
        comp = self.comp
        a, b = comp.start[i], comp.start[i + 1]
        idx = np.asarray(idx, dtype=np.int32)
        val = np.asarray(val, dtype=float)
        comp.index = np.concatenate([comp.index[:a], idx, comp.index[b:]])
        comp.value = np.concatenate([comp.value[:a], val, comp.value[b:]])
        comp.start = comp.start.copy()
        comp.start[i + 1:] += idx.size - (b - a)

    def sync(self, new: Compiled) -> None:
        """Bring the live model to ``new`` by in-place changes (what changed is computed).

        Raises
        ------
        RebuildRequired
            Rows or columns were added, removed, renamed or changed kind.
        """
        old = self.comp
        if old.row_names != new.row_names or old.col_names != new.col_names or \
                not np.array_equal(old.integrality, new.integrality):
            raise RebuildRequired("the change adds, removes or renames rows or columns (or changes integrality); "
                                  "the live HiGHS model cannot take it: build the problem again")
        d = np.nonzero(old.cost != new.cost)[0]
        if d.size:
            self.update_costs(d, new.cost[d])
        d = np.nonzero((old.col_lower != new.col_lower) | (old.col_upper != new.col_upper))[0]
        if d.size:
            self.update_col_bounds(d, new.col_lower[d], new.col_upper[d])
        for i in range(len(new.row_names)):
            idx, val = new.row_entries(i)
            oi, ov = old.row_entries(i)
            if not (np.array_equal(idx, oi) and np.array_equal(val, ov)) or \
                    old.row_lower[i] != new.row_lower[i] or old.row_upper[i] != new.row_upper[i]:
                self.update_row(i, idx, val, new.row_lower[i], new.row_upper[i])
        old.offset = new.offset
        self.highs.changeObjectiveOffset(float(new.offset))

    # -- solve -------------------------------------------------------------------
    def solve(self) -> Solution:
        """Run HiGHS and return the Solution (status first; values only when optimal)."""
        h = self.highs
        comp = self._comp  # names, bounds and shape are current without re-forming the matrix
        t1 = time.perf_counter()
        h.run()
        t2 = time.perf_counter()
        status, status_txt = _status(h)
        if status == "infeasible" and h.getModelStatus() == _unbounded_or_infeasible():
            status = self._infeasible_or_unbounded()
        sol = Solution(status=status, solver_status=status_txt, objective=math.nan, layout=self.layout,
                       primal=_NAN, reduced_costs=_NAN, row_names=comp.row_names, row_values=_NAN,
                       row_lower=comp.row_lower, row_upper=comp.row_upper, row_duals=_NAN,
                       iterations=int(h.getInfoValue("simplex_iteration_count")[1]), solve_seconds=t2 - t1,
                       meta={"solver": "highs", "highspy": _version(h)})
        if status == "optimal":
            s = h.getSolution()
            sol.primal = np.array(s.col_value)
            sol.objective = float(h.getObjectiveValue())
            sol.row_values = np.array(s.row_value)
            if self.is_mip:
                m, n = comp.shape
                sol.meta["mip_gap"] = float(h.getInfoValue("mip_gap")[1])
                sol.row_duals, sol.reduced_costs = np.full(m, np.nan), np.full(n, np.nan)
                self._fixed_lp_duals(sol)
            else:
                sol.row_duals = np.array(s.row_dual)
                sol.reduced_costs = np.array(s.col_dual)
                if self.ranging:
                    st, rng = h.getRanging()
                    if st == _OK():
                        sol.cost_ranging = np.column_stack([rng.col_cost_dn.value_, rng.col_cost_up.value_])
        else:
            m, n = comp.shape
            sol.primal, sol.reduced_costs = np.full(n, np.nan), np.full(n, np.nan)
            sol.row_values, sol.row_duals = np.full(m, np.nan), np.full(m, np.nan)
            if status == "infeasible":
                self._explain(sol)
            elif status == "error":
                raise SolverError(f"HiGHS stopped with status {status_txt!r}")
        return sol

    def _infeasible_or_unbounded(self) -> str:
        """Tell infeasible from unbounded when HiGHS (presolve, or a MILP) cannot: the LP
        relaxation without presolve decides; a feasible relaxation of an infeasible MILP is an
        integrality conflict (reported as infeasible)."""
        import copy

        relax = copy.copy(self.comp)
        relax.integrality = np.zeros_like(relax.integrality)
        lp = HighsBackend(relax, self.layout, ranging=False)
        lp.highs.setOptionValue("presolve", "off")
        lp.highs.run()
        st, _ = _status(lp.highs)
        if st == "unbounded":
            return "unbounded"
        if st == "optimal" and self.is_mip:
            # bounded relaxation: the MILP itself may be unbounded in integer directions only
            # when the relaxation is, so this is an integrality conflict
            return "infeasible"
        return "infeasible" if st in ("infeasible", "optimal") else st

    def _fixed_lp_duals(self, sol: Solution) -> None:
        """Duals of a MILP optimum: the LP with the integer columns fixed at their values."""
        import copy

        comp = copy.copy(self.comp)
        ints = comp.integrality.astype(bool)
        lo = comp.col_lower.copy()
        hi = comp.col_upper.copy()
        lo[ints] = hi[ints] = np.round(sol.primal[ints])
        comp.col_lower, comp.col_upper = lo, hi
        comp.integrality = np.zeros_like(comp.integrality)
        lp = HighsBackend(comp, self.layout, ranging=self.ranging)
        s2 = lp.solve()
        if s2.status == "optimal":
            sol.row_duals = s2.row_duals
            sol.reduced_costs = s2.reduced_costs
            sol.cost_ranging = s2.cost_ranging
            sol.meta["duals"] = "LP with the integer columns fixed at the MILP optimum"

    def write_model(self, path) -> None:
        """Write the model as MPS (``.mps``) or CPLEX LP (``.lp``), by the extension."""
        import highspy

        h = self.highs
        for i, nm in enumerate(self.comp.row_names):
            h.passRowName(i, nm)
        for j, nm in enumerate(self.comp.col_names):
            # LP and MPS names take no brackets or spaces: x[sinter] -> x.sinter
            h.passColName(j, nm.replace("[", ".").replace("]", "").replace(",", ".").replace(" ", "_"))
        st = h.writeModel(str(path))
        if st == highspy.HighsStatus.kError:
            raise SolverError(f"HiGHS could not write {path}")

    # -- infeasibility ------------------------------------------------------------
    def _explain(self, sol: Solution) -> None:
        """Fill the IIS and the smallest relaxation of the soft limits."""
        import highspy

        comp = self.comp
        try:
            self.highs.setOptionValue("iis_strategy", 6)  # from the LP, irreducible
            st, iis = self.highs.getIis()
            if st != highspy.HighsStatus.kError and iis.valid_:
                sol.iis_rows = [comp.row_names[i] for i in iis.row_index_]
                for j, b in zip(iis.col_index_, iis.col_bound_):
                    side = {2: "min", 3: "max", 4: "min and max"}.get(int(b))
                    if side is None:
                        continue
                    if comp.col_lower[j] == comp.col_upper[j]:
                        side = "fixed"
                    sol.iis_bounds.append((_label(self.layout, j, comp), side))
        except Exception:  # IIS is a diagnosis aid; the elastic re-solve below still explains
            pass
        if self.is_mip:
            import copy

            relax = copy.copy(comp)
            relax.integrality = np.zeros_like(comp.integrality)
            lp = HighsBackend(relax, self.layout, ranging=False)
            lp.highs.run()
            if _status(lp.highs)[0] == "optimal":
                # the limits can be met with fractional values of the integer columns
                sol.meta["integrality_conflict"] = [comp.col_names[j] for j in np.nonzero(comp.integrality)[0]]
        elastic(comp, sol, self.row_magnitude)

    #: set by the problem: row name -> callable(z) giving |num| + |θ·den| (relative weights)
    row_magnitude = None


_VERSION: list = []


def _version(h=None) -> str:
    """highspy's version (from the live instance: importlib.metadata costs 10 ms of imports)."""
    if not _VERSION:
        if h is None:
            return "unknown"
        _VERSION.append(str(h.version()))
    return _VERSION[0]


def _label(layout: dict, j: int, comp: Compiled) -> str:
    for name, (start, labels) in layout.items():
        if start <= j < start + len(labels):
            lab = labels[j - start]
            return lab if name == "x" else comp.col_names[j]
    return comp.col_names[j]


def elastic(comp: Compiled, sol: Solution, magnitude=None) -> None:
    """Smallest total relaxation of the operating limits that makes the problem feasible.

    Soft rows get slack columns (one per side); soft column bounds are moved into rows
    with slacks.  Balances and non-negativity stay hard.  Pass 1 weighs every slack 1
    and gives a reference point; pass 2 weighs each relaxation relative to the
    magnitude of its row there (``magnitude(z)`` per row name, |num| + |θ·den| for a
    ratio limit), so a 1 % move of a trace-element limit and of a basicity limit count
    alike.
    """
    import highspy

    A = comp.A
    m, n = A.shape
    slack_cols, slack_of, slack_row = [], [], []
    for i in range(m):
        if not comp.row_soft[i]:
            continue
        if np.isfinite(comp.row_upper[i]):  # body - s <= ub
            slack_cols.append((i, -1.0))
            slack_of.append(comp.row_names[i])
            slack_row.append(i)
        if np.isfinite(comp.row_lower[i]):  # body + s >= lb
            slack_cols.append((i, 1.0))
            slack_of.append(comp.row_names[i])
            slack_row.append(i)
    col_lower = comp.col_lower.copy()
    col_upper = comp.col_upper.copy()
    bound_rows = []
    for j in range(n):
        if not comp.col_soft[j]:
            continue
        lo, hi = comp.col_lower[j], comp.col_upper[j]
        if lo > 0 or np.isfinite(hi):
            bound_rows.append((j, lo, hi))
            col_lower[j], col_upper[j] = 0.0, np.inf
    nb = len(bound_rows)
    n_s = len(slack_cols)
    S = np.zeros((m, n_s))
    for k, (i, s) in enumerate(slack_cols):
        S[i, k] = s
    B = np.zeros((nb, n))
    b_lo, b_hi, t_cols = [], [], []
    names = comp.col_names
    for r, (j, lo, hi) in enumerate(bound_rows):
        B[r, j] = 1.0
        b_lo.append(lo)
        b_hi.append(hi)
        lab = names[j][2:-1] if names[j].startswith("x[") else names[j]
        if lo > 0:
            t_cols.append((r, 1.0))
            slack_of.append(f"charge.{lab}.min")
            slack_row.append(m + r)
        if np.isfinite(hi):
            t_cols.append((r, -1.0))
            slack_of.append(f"charge.{lab}.max")
            slack_row.append(m + r)
    n_t = len(t_cols)
    T = np.zeros((nb, n_t))
    for k, (r, s) in enumerate(t_cols):
        T[r, k] = s
    AA = np.block([[A, S, np.zeros((m, n_t))], [B, np.zeros((nb, n_s)), T]])
    cost = np.concatenate([np.zeros(n), np.ones(n_s + n_t)])
    cl = np.concatenate([col_lower, np.zeros(n_s + n_t)])
    cu = np.concatenate([col_upper, np.full(n_s + n_t, np.inf)])
    rl = np.concatenate([comp.row_lower, b_lo])
    ru = np.concatenate([comp.row_upper, b_hi])
    integ = np.concatenate([comp.integrality, np.zeros(n_s + n_t, dtype=comp.integrality.dtype)])
    v = None
    for _pass_no in (1, 2):
        h = new_highs()
        pass_model(h, dense_compiled(AA, rl, ru, cl, cu, cost, integ))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return  # even the relaxed problem is infeasible: the balances themselves conflict
        v = np.asarray(h.getSolution().col_value)
        mag = np.abs(AA[:, :n]) @ np.abs(v[:n])
        bnd = np.maximum(np.where(np.isfinite(rl), np.abs(rl), 0), np.where(np.isfinite(ru), np.abs(ru), 0))
        if magnitude is not None:
            for i, nm in enumerate(comp.row_names):
                mg = magnitude(nm, v[:n])
                if mg is not None:
                    mag[i] = mg
        scale = np.maximum(np.maximum(mag, bnd), 1e-6)
        cost = np.concatenate([np.zeros(n), 1.0 / scale[slack_row]])
    s = v[n:]
    for name, amount in zip(slack_of, s):
        if amount > 1e-7:
            sol.relaxation[name] = sol.relaxation.get(name, 0.0) + float(amount)
    sol.relaxed_primal = v[:n]


def dense_compiled(A, rl, ru, cl, cu, cost, integrality=None, offset=0.0) -> Compiled:
    """A Compiled from a dense matrix (internal subproblems: elastic, SLP)."""
    A = np.asarray(A, dtype=float)
    nz = A != 0
    start = np.concatenate([[0], np.cumsum(nz.sum(axis=1))]).astype(np.int32)
    r, c = np.nonzero(nz)
    m, n = A.shape
    return Compiled(start, c.astype(np.int32), A[r, c], np.asarray(rl, float), np.asarray(ru, float),
                    [f"r{i}" for i in range(m)], np.zeros(m, bool), np.asarray(cl, float), np.asarray(cu, float),
                    [f"c{j}" for j in range(n)], np.zeros(n, bool),
                    np.zeros(n, np.int64) if integrality is None else np.asarray(integrality), np.asarray(cost, float),
                    float(offset))


def require(capabilities: frozenset, formulation_is_mip: bool, name: str) -> None:
    """Refuse a MILP on a backend without the ``milp`` capability."""
    if formulation_is_mip and "milp" not in capabilities:
        raise CapabilityError(f"the {name} backend cannot honour integrality; the model has binary or integer "
                              "columns (use the highs backend)")


__all__ = ["HighsBackend", "RebuildRequired", "new_highs", "pass_model", "elastic", "dense_compiled"]
