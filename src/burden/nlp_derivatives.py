"""Structured Jacobian of the process rows: the chain rule through the model's linear aggregates.

The furnace model (:meth:`burden.process.FurnaceModel.evaluate`) reads the material rates
x (kg/tHM, n of them) only through linear aggregates a = x·L (species sums, hot metal and
slag quantities, injectant mass and species, volatile matter, free moisture, carbonate and
iron-oxide heats; :meth:`~burden.process.FurnaceModel.aggregate_map`, L of shape (n, m)),
and the blast columns (dry volume, temperature, O2, moisture, r_d) directly.  So, for the
process rows g,

    dg/dx = dg/da · Lᵀ = (dg/dx · U) · Uᵀ,

where U (n, r) is an orthonormal basis of the column space of L (thin SVD of L with unit
columns, by QR and the SVD of R; r = rank L, numpy's ``matrix_rank`` tolerance).  The first
factor is r directional derivatives, taken by central differences along the columns of U in
one batched model evaluation (2r + 1 + the blast columns points instead of n + 1 + the blast columns; r is 24
for the generated 300- and 1,000-material libraries of ``benchmarks/bench_lp.py``); the
second factor is exact.  The blast columns keep their one-sided forward difference inside
their bounds, as before.  For the base case (9 materials, r >= n) U would not be smaller
than the identity and the plain per-column difference is used (same numbers as before).

The chain rule is exact only if L holds every linear functional the model reads; on its
first use the Jacobian checks one direction of the null space of Lᵀ (fixed seed): the rows
must not move along it.  If they do (a new x-dependence of the model without its column in
``aggregate_map``), it falls back to the dense differences and says so in :attr:`method`.
Checked in ``tests/test_nlp_derivatives.py`` against the complex-step Jacobian of the same
model code (exact to rounding; benchmarks/_nlp_reference.py): the material part to 1e-9, the
blast columns (forward differences) to 5e-7 of each row's largest derivative.

References
----------
Chain rule through a linear map / directional (seeded) differences: A. Griewank, A. Walther,
*Evaluating Derivatives*, 2nd ed., SIAM 2008, ch. 8 (compression of Jacobians by seed
matrices: J = (J·S)·S⁺ when the rows of J lie in the span of S); A.R. Curtis, M.J.D. Powell,
J.K. Reid, J. Inst. Maths Applics 13 (1974) 117 (fewer evaluations than columns).
"""

from __future__ import annotations

import numpy as np

#: Central-difference step of a material direction (unit vector in kg/tHM space), as a share
#: of the largest material scale of :class:`burden.nlp.NonlinearProblem` (the per-column step
#: of the dense differences is the same share of each column's scale).
STEP_SHARE = 1.0e-6
#: A row's derivative along the null-space check direction, relative to its largest
#: directional derivative, above which the aggregate map is declared incomplete.
NULL_CHECK_TOL = 1.0e-6


class AggregateJacobian:
    """(g(z), dg/dz) of a :class:`burden.nlp.NonlinearProblem` through the linear aggregates.

    Parameters
    ----------
    nlp : burden.nlp.NonlinearProblem
        Its ``fm.aggregate_map()`` (n, m), ``g`` (batched process rows), ``col`` (blast
        columns), ``zscale``, ``upper``.

    Attributes
    ----------
    rank : int
        r, the number of material directions differenced (rank of the aggregate map).
    method : str
        ``"aggregates"`` (structured), ``"columns"`` (r >= n: per-column differences) or
        ``"columns (aggregate map incomplete: ...)"`` after a failed null-space check.
    """

    def __init__(self, nlp):
        self.nlp = nlp
        n = nlp.n_mat
        L = nlp.fm.aggregate_map()
        norms = np.linalg.norm(L, axis=0)
        Ln = L[:, norms > 0] / norms[norms > 0]
        if Ln.shape[0] > Ln.shape[1]:
            # tall (many materials): QR first, then the SVD of the small R (m, m); the same
            # U and s as the thin SVD of Ln, and steadier in time than LAPACK's tall gesdd here
            Qf, R = np.linalg.qr(Ln)
            Ur, s, _ = np.linalg.svd(R)
            U = Qf @ Ur
        else:
            U, s, _ = np.linalg.svd(Ln, full_matrices=False)
        tol = (s[0] if s.size else 0.0) * max(Ln.shape) * np.finfo(float).eps
        self.rank = int(np.sum(s > tol))
        self.U = U[:, : self.rank]
        self.blast_cols = np.array(sorted(set(nlp.col.values())), dtype=int)
        self.h = STEP_SHARE * float(np.max(nlp.zscale[:n])) if n else STEP_SHARE
        self.method = "aggregates" if self.rank < n else "columns"
        self._checked = False

    def __call__(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(g (k,), J (k, nz)) at z (nz,): process rows in their units; central differences
        along the aggregate directions (materials), forward ones along the blast columns."""
        nlp = self.nlp
        if not self.method == "aggregates":
            return nlp.jacobian_dense(z)
        n, r, U, h = nlp.n_mat, self.rank, self.U, self.h
        cols = self.blast_cols
        hb = 1e-6 * nlp.zscale[cols]
        hb = np.where(z[cols] + hb > nlp.upper[cols], -hb, hb)
        check = not self._checked
        npts = 1 + 2 * r + len(cols) + (1 if check else 0)
        Z = np.repeat(np.asarray(z, dtype=float)[None, :], npts, axis=0)
        Z[1: 1 + r, :n] += h * U.T
        Z[1 + r: 1 + 2 * r, :n] -= h * U.T
        Z[1 + 2 * r + np.arange(len(cols)), cols] += hb
        if check:
            rng = np.random.default_rng(20261130)
            v = rng.standard_normal(n)
            d = v - U @ (U.T @ v)
            Z[-1, :n] += h * d / np.linalg.norm(d)
        G = nlp.g(Z)
        g0 = G[0]
        JD = (G[1: 1 + r] - G[1 + r: 1 + 2 * r]).T / (2.0 * h)  # (k, r): dg along each aggregate direction
        J = np.zeros((len(g0), nlp.nz))
        J[:, :n] = JD @ U.T
        J[:, cols] = (G[1 + 2 * r: 1 + 2 * r + len(cols)] - g0).T / hb
        if check:
            self._checked = True
            dn = np.abs(G[-1] - g0) / h
            scale = np.max(np.abs(JD), axis=1) if r else np.zeros(len(g0))
            bad = dn > NULL_CHECK_TOL * scale + 1e-12
            if bad.any():
                names = ", ".join(nlp.rows[i].name for i in np.flatnonzero(bad))
                self.method = f"columns (aggregate map incomplete: {names} move off its span)"
                return nlp.jacobian_dense(z)
        return g0, J
