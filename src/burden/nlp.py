"""Nonlinear burden optimization: fuel rate from the balances, blast settings, RAFT, S, viscosity.

The formulation shares the LP: its linear rows are the compiled LP matrix (balances, limits,
shares, availability and any plant hooks), unchanged.  Added to it:

* variables: dry blast volume (Nm3/tHM), blast temperature (degC), O2 enrichment (% points)
  and blast moisture (g/Nm3) — each fixed or free within its window;
* rows from :class:`burden.process.FurnaceModel`: the carbon balance and the heat balance
  (equalities that make the coke rate and the blast volume outcomes), the RAFT window,
  the slag's ability to hold the sulphur with an L_S from optical basicity, and a slag
  viscosity limit;
* objective: cost of everything charged and injected plus technical oxygen.

Two independent solver paths, both installed from wheels only:

* ``slp`` — successive linear programming on HiGHS with a trust region and an l1 merit
  function (Palacios-Gomez, Lasdon & Engquist, Management Science 28 (1982) 1106; the
  method refinery blending planners use), warm-started from the LP; when a linear step fails
  (an optimum on a curved limit, not at a vertex of the linearisation), the subproblems carry
  the curvature of the Lagrangian along the few directions the process rows depend on
  (SQP on HiGHS's QP solver, with second-order corrections);
* ``slsqp`` — scipy's sequential least-squares QP (Kraft 1988), from the same start.

Derivatives of the process rows: the chain rule through the model's linear aggregates
(:mod:`burden.nlp_derivatives`; forward differences along the r directions of the aggregate
map and the blast columns, in one batched evaluation of the vectorised model); the linear rows
are exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np

from .errors import SolverError
from .process import BlastState, FurnaceModel, oxygen_nm3
from .backends.highs import dense_compiled, new_highs, pass_model
from .core.components.process import SETTINGS
from .core.rows import Row

#: Penalty weight of a balance row relative to an operating limit in the elastic subproblems.
BALANCE_WEIGHT = 1.0e3
#: Iterations in a row with a feasible iterate and a small trust region that count as a stall
#: (the optimum lies on a curved limit, where SLP converges only slowly).
STALL_ITERATIONS = 12
#: Such iterations after which the subproblem gets the curvature of the process rows (SQP)
SQP_AFTER = 2
#: trust region (share of each column's scale) with which the SQP steps start
SQP_RADIUS = 0.5
#: second-order corrections tried on a rejected SQP step, each from the last corrected point
SOC_ROUNDS = 3
#: an accepted SQP step (scaled) at most this long and 1 % of the one before ends the iteration
SQP_STEP_TOL = 1.0e-5
#: iteration limit of HiGHS's QP solver in an SQP subproblem (24-110 used on the generated
#: libraries; one QP there cycled, one took 2,010); beyond it the step is the LP's
QP_ITERATION_LIMIT = 500
#: Largest scaled violation at which a stuck SLP hands over to the SLSQP polish instead of
#: reporting the process rows infeasible
NEAR_FEASIBLE = 1.0e-6



#: process rows are :class:`burden.core.rows.Row` objects declared by the process component
NonlinearRow = Row


@dataclass
class NlpOutput:
    """Outcome of a nonlinear solve."""

    status: str  # optimal | infeasible | failed
    z: np.ndarray
    objective: float
    iterations: int
    max_violation: float  # largest scaled violation of any row or bound
    history: list = field(default_factory=list)  # per iteration: objective, violation, step, radius
    message: str = ""
    solver: str = ""
    seconds: float = 0.0
    row_duals: np.ndarray | None = None  # linear rows, at the final linearisation
    cost_ranging: np.ndarray | None = None  # (nz, 2): (low, high) cost coefficient per column, same LP
    nl_duals: np.ndarray | None = None  # process rows (scaled back to their units)
    reduced_costs: np.ndarray | None = None


#: process row -> the furnace-model value it limits (:meth:`NonlinearProblem.evaluate`)
_ROW_VALUE = {"process.carbon_balance": "carbon_residual_kg", "process.heat_balance": "heat_residual_kj",
              "process.wustite_point": "shaft_efficiency_pct", "process.top_gas_temperature": "top_gas_temperature_c",
              "process.bosh_gas": "bosh_gas_nm3", "raft_c": "raft_c", "slag.viscosity": "viscosity_pa_s"}


class NonlinearProblem:
    """The nonlinear burden problem of a built :class:`~burden.model.Problem`."""

    def __init__(self, problem):
        cfg = problem.scenario.config
        if cfg.process is None:
            raise SolverError("the scenario has no process: section; solve it as an LP")
        self.problem = problem
        self.cfg = cfg
        self.fm = FurnaceModel(problem)
        # the LP warm start has compiled this very formulation already: reuse its matrix.
        # Columns: the whole formulation (materials first, the blast block by name).
        self.comp = comp = problem.backend(ranging=False).comp
        self.A = comp.A
        space = problem.formulation.space
        if space["x"].start != 0:
            raise SolverError("the material block must be the first block of the formulation")
        self.n_mat = len(problem.materials)
        #: global column of each blast setting
        self.col = {k: space["blast"].col(k) for k in SETTINGS}
        self.col["direct_reduction_degree"] = space["reduction"].col("direct_reduction_degree")
        self.lower = np.array(comp.col_lower, dtype=float)
        self.upper = np.array(comp.col_upper, dtype=float)
        self.nz = len(self.lower)
        self.names = space.column_names()
        self.names[: self.n_mat] = list(problem.materials)
        self.cost = np.array(comp.cost, dtype=float)
        # optional slag handling cost (currency/t slag): linear in the burden through the slag quantity
        self.obj_const = 0.0
        slag_cost = cfg.process.slag_handling_cost_per_t
        if slag_cost:
            i = self.fm.qnames["slag.total"]
            self.cost[: self.n_mat] += slag_cost / 1000.0 * self.fm.Q[i]
            self.obj_const = slag_cost / 1000.0 * float(self.fm.q0[i])
        b = cfg.blast
        self.o2_price = b.oxygen_price_per_nm3
        self.o2_purity = b.oxygen_purity_pct
        # variable scales (for trust region and finite differences)
        self.zscale = np.maximum(1.0, np.where(np.isfinite(self.upper), np.abs(self.upper), 0.0))
        self.zscale[: self.n_mat] = np.maximum(self.zscale[: self.n_mat], 100.0)
        self.zscale[: self.n_mat] = np.minimum(self.zscale[: self.n_mat], 2000.0)
        # the process component declared the rows (names, windows, units, scales)
        rows = list(problem.formulation.nonlinear)
        self.rows = rows
        self.rlo = np.array([r.lower for r in rows])
        self.rhi = np.array([r.upper for r in rows])
        self.rscale = np.array([r.scale for r in rows])
        # balances are physics: a violation must land on the operating limits first
        self.rweight = np.array([BALANCE_WEIGHT if r.kind == "balance" else 1.0 for r in rows])
        self._jac = None  # the structured Jacobian, built on first use

    # -- evaluation ---------------------------------------------------------------
    def blast(self, Z: np.ndarray) -> BlastState:
        c = self.col
        return BlastState(Z[..., c["blast_dry_nm3"]], Z[..., c["blast_temperature_c"]],
                          Z[..., c["oxygen_enrichment_pct"]], Z[..., c["blast_moisture_g_per_nm3"]],
                          Z[..., c["direct_reduction_degree"]])

    def evaluate(self, Z: np.ndarray, full: bool = False) -> dict:
        Z = np.asarray(Z, dtype=float)
        return self.fm.evaluate(Z[..., : self.n_mat], self.blast(Z), full=full)

    def g(self, Z: np.ndarray) -> np.ndarray:
        """Process-row values at points Z (..., nz), in their own units."""
        ev = self.evaluate(Z)
        cols = []
        for r in self.rows:
            key = _ROW_VALUE.get(r.name)
            if key is not None:
                cols.append(ev[key])
            elif r.name == "slag.sulphur_capacity":
                q = self.fm.quantities(np.asarray(Z)[..., : self.n_mat])
                s_target = self.cfg.hot_metal.S_pct
                cols.append(q["slag.S"] - ev["ls"] * s_target / 100.0 * q["slag.total"])
        return np.stack([np.broadcast_to(c, np.shape(Z)[:-1]) for c in cols], axis=-1)

    def objective(self, z: np.ndarray) -> float:
        return float(self.cost @ z + self.obj_const + self.o2_price * oxygen_nm3(self.blast(z), self.o2_purity))

    def objective_grad(self, z: np.ndarray) -> np.ndarray:
        gr = self.cost.copy()
        if self.o2_price:
            v, o2 = self.col["blast_dry_nm3"], self.col["oxygen_enrichment_pct"]
            k = self.o2_price / (self.o2_purity - 21.0)
            gr[v] += k * z[o2]
            gr[o2] += k * z[v]
        return gr

    def jacobian(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(g(z) (k,), dg/dz (k, nz)) at z (nz,): the chain rule through the model's linear
        aggregates, forward differences along their r directions and the blast columns
        (:class:`burden.nlp_derivatives.AggregateJacobian`; per column when r >= materials)."""
        if self._jac is None:
            from .nlp_derivatives import AggregateJacobian

            self._jac = AggregateJacobian(self)
        return self._jac(z)

    def jacobian_dense(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(g(z), dg/dz) by forward differences over every column in one batched evaluation."""
        h = 1e-6 * self.zscale
        # step inside the bounds
        h = np.where(z + h > self.upper, -h, h)
        Z = np.vstack([z, z + np.diag(h)])
        G = self.g(Z)
        g0 = G[0]
        J = (G[1:] - g0).T / h
        return g0, J

    def curvature_directions(self) -> np.ndarray:
        """P (m, nz): the directions along which the process rows and the objective are
        nonlinear: the orthonormal aggregate directions of the materials
        (:class:`burden.nlp_derivatives.AggregateJacobian`; every material column when the
        aggregate map has full rank) and the blast columns that are decisions."""
        if self._jac is None:
            from .nlp_derivatives import AggregateJacobian

            self._jac = AggregateJacobian(self)
        n = self.n_mat
        U = self._jac.U if self._jac.method == "aggregates" else np.eye(n)
        cols = [j for j in sorted(set(self.col.values())) if self.upper[j] > self.lower[j]]
        P = np.zeros((U.shape[1] + len(cols), self.nz))
        P[: U.shape[1], :n] = U.T
        P[U.shape[1] + np.arange(len(cols)), cols] = 1.0
        return P

    def lagrangian_hessian(self, z: np.ndarray, nl_duals: np.ndarray, P: np.ndarray, psd: bool = True) -> np.ndarray:
        """B (m, m): the Hessian of the Lagrangian f(z) − λ·g(z) in the directions P (m, nz)
        (:meth:`curvature_directions`), made positive semidefinite (negative eigenvalues set
        to zero; ``psd=False``: as differenced), for the quadratic term of the SQP subproblem
        (HiGHS's QP solver takes convex problems only).

        λ are the process rows' multipliers in their units (``nl_duals`` of
        :meth:`linear_subproblem`: HiGHS's row duals, ∇f = Σ λ_i ∇g_i + ... at its optimum).
        Second differences of λ·g in one batched model evaluation (1 + m + m(m+1)/2 points;
        forward, step 1e-4 of each direction's scale: O(h) truncation, enough for a
        Newton-type step, whose convergence needs the curvature only roughly, Nocedal & Wright,
        *Numerical Optimization*, 2nd ed., 2006, thm. 18.7 and §18.3); the objective's only
        curvature, the oxygen cost V·e (bilinear), is added exactly.
        """
        m = P.shape[0]
        sc = np.abs(P) @ self.zscale  # scale of each direction
        h = 1.0e-4 * np.maximum(sc, 1e-12)
        D = P * h[:, None]  # (m, nz) steps
        iu, ju = np.triu_indices(m)
        Z = np.concatenate([z[None, :], z + D, z + D[iu] + D[ju]])
        lam = np.asarray(nl_duals, dtype=float)
        phi = -(self.g(Z) @ lam)
        p0, pi, pij = phi[0], phi[1: 1 + m], phi[1 + m:]
        H = np.zeros((m, m))
        H[iu, ju] = (pij - pi[iu] - pi[ju] + p0) / (h[iu] * h[ju])
        H = H + np.triu(H, 1).T
        if self.o2_price:
            v, o2 = self.col["blast_dry_nm3"], self.col["oxygen_enrichment_pct"]
            k = self.o2_price / (self.o2_purity - 21.0)
            H += k * (np.outer(P[:, v], P[:, o2]) + np.outer(P[:, o2], P[:, v]))
        if not psd:
            return H
        w, Q = np.linalg.eigh(H)
        return (Q * np.maximum(w, 0.0)) @ Q.T

    def violation(self, z: np.ndarray, g0: np.ndarray | None = None) -> float:
        """Largest violation, scaled: linear rows (kg/tHM), process rows (their scale), bounds."""
        comp = self.comp
        ax = self.A @ z
        v_lin = np.max(np.concatenate([[0.0], comp.row_lower - ax, ax - comp.row_upper]))
        if g0 is None:
            g0 = self.g(z)
        v_nl = np.max(np.concatenate([[0.0], (self.rlo - g0) / self.rscale, (g0 - self.rhi) / self.rscale]))
        v_b = np.max(np.concatenate([[0.0], self.lower - z, z - self.upper]))
        return float(max(v_lin, v_nl, v_b))

    def relative_violation(self, z: np.ndarray) -> float:
        """Largest violation relative to each row's magnitude (for the 1e-6 acceptance)."""
        comp = self.comp
        ax = self.A @ z
        mag = np.abs(self.A) @ np.abs(z)
        bnd = np.maximum(np.where(np.isfinite(comp.row_lower), np.abs(comp.row_lower), 0),
                         np.where(np.isfinite(comp.row_upper), np.abs(comp.row_upper), 0))
        # limit rows num − θ·den: their magnitude is |num| + |θ·den|
        by = {r.name: r for r in self.problem.rows}
        x = z[: self.n_mat]
        for i, nm in enumerate(comp.row_names):
            r = by.get(nm)
            if r is not None:
                mag[i] = r.magnitude(z)
        scale = np.maximum(np.maximum(mag, bnd), 1e-9)
        v = np.concatenate([[0.0], (comp.row_lower - ax) / scale, (ax - comp.row_upper) / scale])
        ev = self.evaluate(z, full=True)
        g0 = self.g(z)
        nl_mag = np.array([max(float(ev["carbon"]["demand"]), 1.0), max(float(ev["heat"].total_income), 1.0)]
                          + [max(abs(g0[i]), abs(self.rlo[i]) if np.isfinite(self.rlo[i]) else 0,
                                 abs(self.rhi[i]) if np.isfinite(self.rhi[i]) else 0, 1e-9) for i in range(2, len(g0))])
        if "slag.sulphur_capacity" in [r.name for r in self.rows]:
            i = [r.name for r in self.rows].index("slag.sulphur_capacity")
            q = self.fm.quantities(x)
            nl_mag[i] = max(abs(float(q["slag.S"])), 1e-9)
        v = np.concatenate([v, (self.rlo - g0) / nl_mag, (g0 - self.rhi) / nl_mag])
        bscale = np.maximum(1.0, np.abs(z))
        v = np.concatenate([v, (self.lower - z) / bscale, (z - self.upper) / bscale])
        return float(np.max(v))

    # -- the linear model at a point ---------------------------------------------
    def linear_subproblem(self, z, g0, J, radius=None, penalty=None, settings_fixed=None, ranging=False,
                          hessian=None):
        """LP: min ∇f·z + penalty·Σ slacks  s.t. linear rows, linearised process rows, bounds,
        and |z − z_k| <= radius·zscale.  Returns (z_new, model value, duals...) or None.

        The LP's variables are the step d = z' − z_k (rows A d within [r − A z_k], process rows
        J d within [g window − g(z_k)]): the same LP, but its rounding scales with the step, not
        with the rates (with z' itself, HiGHS's basis solves left the linearised rows violated
        by ~1e-8 scaled at 1,000 materials, which stopped the SLP short of its 1e-9 tolerance).

        ``hessian=(P, B)`` (P (m, nz), B (m, m) positive semidefinite) makes it a QP:
        + ½ (P d)ᵀ B (P d), with P d as m extra free columns (so the Hessian HiGHS gets is the
        dense m x m block, not nz x nz); ``model_cost`` then includes the quadratic term.
        HiGHS's QP solver may fail where the LP solves (None: the caller falls back)."""
        comp = self.comp
        n, m_lin = self.nz, self.A.shape[0]
        n_nl = len(self.rows)
        lo = self.lower.copy()
        hi = self.upper.copy()
        if radius is not None:
            lo = np.maximum(lo, z - radius * self.zscale)
            hi = np.minimum(hi, z + radius * self.zscale)
        if settings_fixed is not None:
            for i, v in settings_fixed.items():
                lo[i] = hi[i] = v
        A_lin = self.A
        # linearised rows, scaled: (g0 + J d) / s within [lo, hi]/s, d = z' − z
        Js = J / self.rscale[:, None]
        rlo_nl = (self.rlo - g0) / self.rscale
        rhi_nl = (self.rhi - g0) / self.rscale
        box_lo, box_hi = lo, hi
        lo, hi = lo - z, hi - z
        use_slack = penalty is not None
        if use_slack:
            # two slacks per process row (elastic): Js z + s⁻ − s⁺ within bounds
            S = np.hstack([np.eye(n_nl), -np.eye(n_nl)])
            A = np.block([[A_lin, np.zeros((m_lin, 2 * n_nl))], [Js, S]])
            cost = np.concatenate([self.objective_grad(z), np.tile(self.rweight, 2) * penalty])
            cl = np.concatenate([lo, np.zeros(2 * n_nl)])
            cu = np.concatenate([hi, np.full(2 * n_nl, np.inf)])
        else:
            A = np.vstack([A_lin, Js])
            cost = self.objective_grad(z)
            cl, cu = lo, hi
        az = A_lin @ z
        rl = np.concatenate([comp.row_lower - az, rlo_nl])
        ru = np.concatenate([comp.row_upper - az, rhi_nl])
        nq = 0
        if hessian is not None:
            # SQP: w = P d (m free columns, m rows P d − w = 0) carries the quadratic term ½ wᵀBw
            P, B = hessian
            nq = P.shape[0]
            n_all = A.shape[1]
            A = np.block([[A, np.zeros((A.shape[0], nq))],
                          [P, np.zeros((nq, n_all - n)), -np.eye(nq)]])
            cost = np.concatenate([cost, np.zeros(nq)])
            cl = np.concatenate([cl, np.full(nq, -np.inf)])
            cu = np.concatenate([cu, np.full(nq, np.inf)])
            rl = np.concatenate([rl, np.zeros(nq)])
            ru = np.concatenate([ru, np.zeros(nq)])
        h = new_highs()
        pass_model(h, dense_compiled(A, rl, ru, cl, cu, cost))
        if nq:
            import highspy

            dim = A.shape[1]
            il, jl = np.tril_indices(nq)  # lower triangle, column-wise: row il >= column jl
            order = np.lexsort((il, jl))
            il, jl = il[order], jl[order]
            keep = B[il, jl] != 0
            il, jl = il[keep], jl[keep]
            start = np.zeros(dim + 1, dtype=np.int32)
            counts = np.bincount(jl + dim - nq, minlength=dim)
            start[1:] = np.cumsum(counts)
            # HiGHS's active-set QP solver can cycle (seen on the 60-material library: no end
            # in 15 min); a deterministic iteration limit makes it fail over to the LP step
            # (HiGHS 1.16)
            h.setOptionValue("qp_iteration_limit", QP_ITERATION_LIMIT)
            h.passHessian(dim, len(il), highspy.HessianFormat.kTriangular, start,
                          (il + dim - nq).astype(np.int32), B[il, jl].astype(float))
        h.run()
        import highspy

        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        sol = h.getSolution()
        v = np.asarray(sol.col_value)
        znew = np.clip(z + v[:n], box_lo, box_hi)  # a step to a bound lands on it exactly
        slack = v[n: len(v) - nq] if use_slack else np.zeros(0)
        duals = np.asarray(sol.row_dual)
        out = {"z": znew, "slack": slack, "row_duals": duals[:m_lin],
               "nl_duals": duals[m_lin: m_lin + n_nl] / self.rscale, "col_duals": np.asarray(sol.col_dual)[:n],
               "model_cost": float(cost[:n] @ znew)}
        if nq:
            w = hessian[0] @ (znew - z)
            out["model_cost"] += 0.5 * float(w @ hessian[1] @ w)
        if ranging:
            st, rng = h.getRanging()
            if st == highspy.HighsStatus.kOk:
                out["cost_ranging"] = (np.asarray(rng.col_cost_dn.value_)[:n], np.asarray(rng.col_cost_up.value_)[:n])
        return out


def start_point(nlp: NonlinearProblem, x0: np.ndarray | None = None) -> np.ndarray:
    """Warm start: blast settings at the middle of their windows, 1100 Nm3/tHM dry blast,
    and the material rates of the LP core (or ``x0``)."""
    z = np.zeros(nlp.nz)
    if x0 is not None:
        z[: len(x0)] = x0
    z[nlp.col["blast_dry_nm3"]] = 1100.0
    for k in SETTINGS[1:] + ("direct_reduction_degree",):
        j = nlp.col[k]
        z[j] = 0.5 * (nlp.lower[j] + nlp.upper[j])
    z = np.clip(z, nlp.lower, np.where(np.isfinite(nlp.upper), nlp.upper, z))
    return _balanced(nlp, z)


def _balanced(nlp: NonlinearProblem, z: np.ndarray) -> np.ndarray:
    """``z`` with the coke rate, the dry blast and (when it is a decision) r_d solved for the
    carbon and heat balances, with the operating line at the W-point limit: where a two-zone
    optimum usually lies (Rist & Meysson 1965), so the SLP starts on the process rows instead of
    far off them (a start 27 scaled units off the W row took ~90 short trust-region steps).
    ``z`` unchanged when the Newton solve fails or leaves the bounds."""
    from .nonlinear import balance_point

    j_rd = nlp.col["direct_reduction_degree"]
    lo, hi = nlp.lower[j_rd], nlp.upper[j_rd]
    free_rd = hi > lo

    def solve(start, eff):
        try:
            with np.errstate(all="ignore"):
                return balance_point(nlp, start, shaft_efficiency_pct=eff)
        except (np.linalg.LinAlgError, StopIteration, ValueError):
            return None

    def inside(zz):
        return zz is not None and bool(np.all(np.isfinite(zz)) and np.all(zz >= nlp.lower - 1e-9)
                                       and np.all(zz <= nlp.upper + 1e-9))

    zz = solve(z, float(nlp.cfg.process.shaft_efficiency_max_pct) if free_rd else None)
    if inside(zz):
        return np.clip(zz, nlp.lower, nlp.upper)
    if free_rd and zz is not None and np.isfinite(zz[j_rd]) and not lo <= zz[j_rd] <= hi:
        # the W-point limit wants an r_d beyond its window: r_d at that end, the balances closed
        # with it held (r_i,CO held: r_d stays where it is put)
        z2 = z.copy()
        z2[j_rd] = min(max(zz[j_rd], lo), hi)
        zz = solve(z2, None)
        if inside(zz):
            return np.clip(zz, nlp.lower, nlp.upper)
    return z


def solve_slp(nlp: NonlinearProblem, z0: np.ndarray, *, tol: float = 1e-9, max_iter: int = 200) -> NlpOutput:
    """Successive linear programming with an l1 penalty merit and a box trust region.

    Each iteration solves, with HiGHS, the LP of the linear rows plus the process rows
    linearised at z_k (elastic, penalty μ), inside |z − z_k| <= Δ·scale.  A step is accepted
    when the merit f + μ·Σ viol improves by at least 10 % of what the LP predicted; Δ grows
    after good steps that reach the box and shrinks after poor ones.

    At a vertex optimum the LP steps converge in a few iterations.  On a curved limit (the
    W-point row with the coke inside its bounds) the LP step always reaches the box, the
    curvature of the balance rows makes it violate them and the merit rejects it: the SLP
    zigzagged with a shrinking box and stalled (~36 iterations, then the SLSQP polish).  So,
    after the first rejected step (once a step has been accepted, for the multipliers), the
    subproblem becomes a QP (SQP): + ½ dᵀ Pᵀ B P d, B the Hessian of the Lagrangian along
    the directions P the rows depend on (:meth:`NonlinearProblem.lagrangian_hessian`, made
    positive semidefinite), Δ reopened to :data:`SQP_RADIUS`; a rejected QP step gets up to
    :data:`SOC_ROUNDS` second-order corrections (Maratos effect).  Converged when the
    linearisation predicts no decrease, or when accepted SQP steps contract superlinearly
    (:data:`SQP_STEP_TOL`).

    References
    ----------
    Palacios-Gomez, Lasdon, Engquist, "Nonlinear optimization by successive linear
    programming", Management Science 28 (1982) 1106-1120.
    R. Fletcher, "Second order corrections for non-differentiable optimization", in
    Numerical Analysis (Dundee 1981), LNM 912, Springer 1982, 85-114.
    J. Nocedal, S.J. Wright, *Numerical Optimization*, 2nd ed., Springer 2006, ch. 18
    (SQP, trust regions, second-order correction, alg. 18.4 and §18.3).
    """
    t0 = time.perf_counter()
    z = np.clip(z0, nlp.lower, nlp.upper)
    radius = 0.2
    mu = 1.0e3
    hist = []
    g0, J = nlp.jacobian(z)

    comp = nlp.comp

    def merit(zz, gg):
        viol = np.maximum(0, (nlp.rlo - gg) / nlp.rscale) + np.maximum(0, (gg - nlp.rhi) / nlp.rscale)
        # the linear rows (kg/tHM) too, weighted as the balances: every LP step meets them, so a
        # start that does not (the balanced start moves the coke rate alone) is left, not kept
        ax = nlp.A @ zz
        lin = float(np.sum(np.maximum(0, comp.row_lower - ax)) + np.sum(np.maximum(0, ax - comp.row_upper)))
        return nlp.objective(zz) + mu * (float(nlp.rweight @ viol) + BALANCE_WEIGHT * lin)

    status, msg = "failed", "iteration limit reached"
    it = 0
    stalled = 0
    sqp, hess, lam, P = False, None, None, None
    last_step = math.inf
    for it in range(1, max_iter + 1):
        if sqp and hess is None:
            hess = (P, nlp.lagrangian_hessian(z, lam, P))
        sub = nlp.linear_subproblem(z, g0, J, radius=radius, penalty=mu, hessian=hess)
        if sub is None and hess is not None:
            # HiGHS's QP solver can fail (solve error) where the LP solves: the linear step
            sub = nlp.linear_subproblem(z, g0, J, radius=radius, penalty=mu)
        if sub is None:
            # the trust box around a start outside the linear rows' region (a warm start from
            # another sweep point whose limits differ) may hold no burden although the rows
            # admit one: the step then goes without the box, into the new limits (issue 13)
            sub = nlp.linear_subproblem(z, g0, J, radius=None, penalty=mu)
            if sub is None:
                status, msg = "infeasible", "the linear rows (balances, limits, availability) admit no burden"
                break
            # the start moves there unconditionally (the merit does not see the linear rows)
            z = sub["z"]
            g0, J = nlp.jacobian(z)
            hist.append({"iteration": it, "objective": nlp.objective(z), "violation": nlp.violation(z, g0),
                         "step": math.nan, "radius": math.inf})
            continue
        znew = sub["z"]
        f_k = merit(z, g0)
        pred = f_k - (sub["model_cost"] - nlp.objective_grad(z) @ z + nlp.objective(z)
                      + mu * float(np.tile(nlp.rweight, 2) @ sub["slack"]))
        gnew = nlp.g(znew)
        ared = f_k - merit(znew, gnew)
        step = float(np.max(np.abs(znew - z) / nlp.zscale))
        hist.append({"iteration": it, "objective": nlp.objective(znew), "violation": nlp.violation(znew, gnew),
                     "step": step, "radius": radius})
        if pred <= 1e-12 * max(1.0, abs(f_k)) or step < 1e-12:
            # the linearisation predicts no improvement: a KKT point of the merit
            if nlp.violation(z, g0) <= tol:
                status, msg = "optimal", "converged: no further decrease predicted"
                break
            if radius >= 1e-3:
                if nlp.violation(z, g0) <= NEAR_FEASIBLE:
                    # a violation at the rows' rounding level that no linear step removes is not
                    # an infeasibility: the SLSQP polish finishes (solve_nonlinear)
                    status, msg = "stalled", "feasible to 1e-6, but no linear step removes the rest"
                else:
                    status, msg = "infeasible", "no step reduces the violation of the process rows"
                break
            radius *= 4.0
            continue
        stalled = stalled + 1 if (radius <= 1e-2 and nlp.violation(z, g0) <= tol) else 0
        if stalled >= STALL_ITERATIONS:
            status, msg = "stalled", "feasible, but the optimum lies on a curved limit where SLP converges slowly"
            break
        rho = ared / pred
        if rho < 0.1 and sqp:
            # second-order correction (Fletcher 1982; Nocedal & Wright 2006, §15.4 and alg. 18.5):
            # the same subproblem at z with the rows' constants moved to g(z_new) − J·(z_new − z),
            # which takes off the curvature part of the rows' violation that the merit function
            # counted against the step (the Maratos effect)
            z_c, g_c = znew, gnew
            for _ in range(SOC_ROUNDS):
                soc = nlp.linear_subproblem(z, g_c - J @ (z_c - z), J, radius=radius, penalty=mu, hessian=hess)
                if soc is None:
                    break
                z_c = soc["z"]
                g_c = nlp.g(z_c)
                ared_soc = f_k - merit(z_c, g_c)
                if ared_soc / pred >= 0.1:
                    znew, gnew, ared, rho = z_c, g_c, ared_soc, ared_soc / pred
                    hist[-1].update(objective=nlp.objective(znew), violation=nlp.violation(znew, gnew),
                                    step=float(np.max(np.abs(znew - z) / nlp.zscale)))
                    break
        if rho >= 0.1:
            z, g0 = znew, gnew
            g0, J = nlp.jacobian(z)
            lam, hess = sub["nl_duals"], None
            if rho > 0.75 and step >= 0.99 * radius:
                radius = min(2.0 * radius, 10.0)
            if (sqp and step <= SQP_STEP_TOL and step <= 1e-2 * last_step and rho > 0.9
                    and nlp.violation(z, g0) <= tol):
                # Newton steps contracting superlinearly (this one at most 1 % of the last, inside
                # the box, its decrease as predicted): the distance to the solution is of the
                # order of the next step, ~(this step)² (Nocedal & Wright 2006, thm. 18.4)
                status, msg = "optimal", f"converged: SQP step {step:.1e} after {last_step:.1e}"
                break
            last_step = step
        elif radius >= 1e-3 and step <= 1e-8 and nlp.violation(z, g0) <= 1e-6:
            # over a wide box the LP moves less than 1e-8 (scaled) and the move fails: z is a
            # vertex optimum of its own linearisation (a KKT point) up to the subproblem's
            # accuracy (the LP's rounding can raise a violation of about that size).  Shrinking
            # the box would not change the step (it used to take 200 iterations to fail):
            # feasible -> optimal; a violation above tol -> stalled, for the SLSQP polish
            # (solve_nonlinear)
            if nlp.violation(z, g0) <= tol:
                status, msg = "optimal", "converged: the linearisation moves less than 1e-8"
            else:
                status, msg = "stalled", "the linearised steps are at the LP subproblem's accuracy"
            break
        else:
            radius *= 0.25
        if not sqp and lam is not None and (rho < 0.1 or stalled >= SQP_AFTER):
            # a linear step failed: the optimum lies on a curved limit (not at a vertex of the
            # linearisation), where a box-limited LP step overshoots and the merit rejects it
            # (the SLP then zigzags with a shrinking box, ~36 iterations and a stall).  From now
            # on the subproblem carries the curvature of the Lagrangian (SQP), with the
            # multipliers of the subproblem that led to z (a rejected subproblem's multipliers
            # may sit at the penalty), and the box opens again: the quadratic term, not the box,
            # limits the step
            sqp, P, hess = True, nlp.curvature_directions(), None
            radius = max(radius, SQP_RADIUS)
        if step < 1e-10 and nlp.violation(z, g0) <= tol:
            status, msg = "optimal", "converged: step below 1e-10"
            break
        if radius < 1e-12:
            status = "optimal" if nlp.violation(z, g0) <= tol else "infeasible"
            msg = "trust region collapsed"
            break
    out = NlpOutput(status=status, z=z, objective=nlp.objective(z), iterations=it,
                    max_violation=nlp.violation(z, g0), history=hist, message=msg, solver="slp",
                    seconds=time.perf_counter() - t0)
    _attach_duals(nlp, out)
    return out


def solve_slsqp(nlp: NonlinearProblem, z0: np.ndarray, *, tol: float = 1e-10, max_iter: int = 500) -> NlpOutput:
    """The second, independent path: scipy's SLSQP (Kraft 1988) on the same rows.

    Variables are scaled by their typical size; linear rows enter with their exact
    Jacobian, process rows with the structured one of :meth:`NonlinearProblem.jacobian`.

    References
    ----------
    D. Kraft, "A software package for sequential quadratic programming", DFVLR-FB 88-28 (1988).
    """
    from scipy.optimize import minimize

    t0 = time.perf_counter()
    comp = nlp.comp
    s = nlp.zscale
    A = nlp.A * s
    eq = np.isclose(comp.row_lower, comp.row_upper)
    cons = []
    if eq.any():
        cons.append({"type": "eq", "fun": lambda y: A[eq] @ y - comp.row_upper[eq], "jac": lambda y: A[eq]})
    lo_rows = ~eq & np.isfinite(comp.row_lower)
    hi_rows = ~eq & np.isfinite(comp.row_upper)
    if lo_rows.any():
        cons.append({"type": "ineq", "fun": lambda y: A[lo_rows] @ y - comp.row_lower[lo_rows],
                     "jac": lambda y: A[lo_rows]})
    if hi_rows.any():
        cons.append({"type": "ineq", "fun": lambda y: comp.row_upper[hi_rows] - A[hi_rows] @ y,
                     "jac": lambda y: -A[hi_rows]})
    cache = {}

    def gj(y):
        key = y.tobytes()
        if key not in cache:
            cache.clear()
            g0, J = nlp.jacobian(np.clip(y * s, nlp.lower, nlp.upper))
            cache[key] = (g0 / nlp.rscale, J * s / nlp.rscale[:, None])
        return cache[key]

    rlo, rhi = nlp.rlo / nlp.rscale, nlp.rhi / nlp.rscale
    nl_eq = np.isclose(nlp.rlo, nlp.rhi)
    if nl_eq.any():
        cons.append({"type": "eq", "fun": lambda y: gj(y)[0][nl_eq] - rhi[nl_eq], "jac": lambda y: gj(y)[1][nl_eq]})
    nl_lo = ~nl_eq & np.isfinite(nlp.rlo)
    nl_hi = ~nl_eq & np.isfinite(nlp.rhi)
    if nl_lo.any():
        cons.append({"type": "ineq", "fun": lambda y: gj(y)[0][nl_lo] - rlo[nl_lo], "jac": lambda y: gj(y)[1][nl_lo]})
    if nl_hi.any():
        cons.append({"type": "ineq", "fun": lambda y: rhi[nl_hi] - gj(y)[0][nl_hi], "jac": lambda y: -gj(y)[1][nl_hi]})
    f_scale = max(1.0, abs(nlp.objective(z0)))
    bounds = [(lo / si, None if not np.isfinite(hi) else hi / si) for lo, hi, si in zip(nlp.lower, nlp.upper, s)]
    res = minimize(lambda y: nlp.objective(y * s) / f_scale, np.clip(z0, nlp.lower, nlp.upper) / s,
                   jac=lambda y: nlp.objective_grad(y * s) * s / f_scale, method="SLSQP", bounds=bounds,
                   constraints=cons, options={"ftol": tol, "maxiter": max_iter})
    z = np.clip(res.x * s, nlp.lower, nlp.upper)
    viol = nlp.violation(z)
    status = "optimal" if res.success and viol <= 1e-7 else ("infeasible" if res.status in (4, 8) or viol > 1e-7
                                                              else "failed")
    out = NlpOutput(status=status, z=z, objective=nlp.objective(z), iterations=int(res.nit), max_violation=viol,
                    message=str(res.message), solver="slsqp", seconds=time.perf_counter() - t0)
    _attach_duals(nlp, out)
    return out


def _attach_duals(nlp: NonlinearProblem, out: NlpOutput) -> None:
    """Multipliers from the LP linearised at the solution (no trust region): at a KKT point
    its optimum is the solution itself and its duals are the NLP's multipliers."""
    if out.status != "optimal":
        return
    g0, J = nlp.jacobian(out.z)
    sub = nlp.linear_subproblem(out.z, g0, J, ranging=True)
    if sub is None:
        return
    if "cost_ranging" in sub:
        dn, up = sub["cost_ranging"]
        out.cost_ranging = np.column_stack([dn, up])
    out.row_duals = sub["row_duals"]
    out.nl_duals = sub["nl_duals"]
    out.reduced_costs = sub["col_duals"]
    out.history.append({"iteration": "check", "objective": float(nlp.objective(sub["z"])),
                        "violation": float(nlp.violation(sub["z"])),
                        "step": float(np.max(np.abs(sub["z"] - out.z) / nlp.zscale)), "radius": math.inf})


SOLVERS = {"slp": solve_slp, "slsqp": solve_slsqp}
