"""The structured Jacobian of the process rows (burden.nlp_derivatives, issue 10).

References, computed in the test: the complex-step Jacobian of the same model code
(Squire & Trapp 1998; exact to rounding, no step-size error; benchmarks/_nlp_reference.py),
the old dense forward differences, and Ipopt (casadi) on the same problem.  The generated
library is bench_lp.py's (fixed seed), 60 materials, with the nonlinear sections of
scenarios/nonlinear.yaml: its aggregate map has rank 24 < 63 materials, so the structured
path is the one exercised.
"""

import sys

import numpy as np
import pytest

import burden
from burden.nlp import NonlinearProblem, solve_slp, solve_slsqp, start_point
from conftest import SCENARIOS

BENCH = SCENARIOS.parent / "benchmarks"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))
from _nlp_reference import complex_step_jacobian, write_big_nonlinear_case  # noqa: E402

#: Largest row-relative error allowed against the exact Jacobian: the blast columns keep
#: their forward differences (step 1e-6 of the column scale: O(1e-6) truncation, 5e-7
#: measured); the material directions are central differences (1e-9 measured).
JAC_TOL = 1e-5


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    path = write_big_nonlinear_case(tmp_path_factory.mktemp("gen60"), 60)
    scn = burden.load_scenario(path)
    res = burden.solve(scn).raise_for_status()
    return scn, res


@pytest.fixture(scope="module")
def base():
    return burden.solve(SCENARIOS / "nonlinear.yaml").raise_for_status()


def _row_error(J, J_ref):
    return np.max(np.abs(J - J_ref), axis=1) / np.maximum(np.max(np.abs(J_ref), axis=1), 1e-300)


def _points(nlp, z):
    """The optimum and a point inside the box away from it (blast mid-window, rates scaled)."""
    z2 = z.copy()
    z2[: nlp.n_mat] *= 1.07
    for j in sorted(set(nlp.col.values())):
        if np.isfinite(nlp.upper[j]) and nlp.upper[j] > nlp.lower[j]:
            z2[j] = 0.4 * nlp.lower[j] + 0.6 * nlp.upper[j]
    return [z, np.clip(z2, nlp.lower, nlp.upper)]


def test_structured_jacobian_matches_the_complex_step_reference(generated):
    _, res = generated
    nlp = res.nonlinear.nlp
    for z in _points(nlp, res.nonlinear.z):
        g0, J = nlp.jacobian(z)
        g_ref, J_ref = complex_step_jacobian(nlp, z)
        assert nlp._jac.method == "aggregates" and nlp._jac.rank < nlp.n_mat
        assert np.allclose(g0, g_ref, rtol=1e-12, atol=1e-9)  # batched vs single evaluation: rounding
        assert np.all(_row_error(J, J_ref) < JAC_TOL), (_row_error(J, J_ref), [r.name for r in nlp.rows])
        # the material part alone (central differences along the aggregate directions) is far tighter
        n = nlp.n_mat
        err_x = np.max(np.abs(J[:, :n] - J_ref[:, :n]), axis=1) / np.max(np.abs(J_ref[:, :n]), axis=1)
        assert np.all(err_x < 1e-7), err_x


def test_base_case_jacobian_is_the_per_column_one_and_matches_the_reference(base):
    nlp, z = base.nonlinear.nlp, base.nonlinear.z
    g0, J = nlp.jacobian(z)
    assert nlp._jac.method == "columns"  # 9 materials, rank 9: no fewer directions than columns
    _, J_dense = nlp.jacobian_dense(z)
    assert np.array_equal(J, J_dense)
    _, J_ref = complex_step_jacobian(nlp, z)
    assert np.all(_row_error(J, J_ref) < JAC_TOL)


def test_the_aggregate_map_spans_every_dependence_of_the_rows_on_the_rates(generated):
    """Exact check of the chain rule: the complex step through the aggregate directions
    equals the complex step over every column to rounding (1e-12), at two points."""
    _, res = generated
    nlp = res.nonlinear.nlp
    nlp.jacobian(res.nonlinear.z)
    for z in _points(nlp, res.nonlinear.z):
        _, J_agg = complex_step_jacobian(nlp, z, nlp._jac.U)
        _, J_ref = complex_step_jacobian(nlp, z)
        assert np.all(_row_error(J_agg, J_ref) < 1e-12)


def test_a_missing_aggregate_is_caught_and_the_dense_differences_take_over(generated, monkeypatch):
    """Drop the free-moisture column from the map: the top-gas temperature (moisture
    evaporation) then moves along the null-space check direction, the Jacobian says so in
    its method and falls back to the dense differences (never a wrong derivative)."""
    scn, res = generated
    nlp = NonlinearProblem(burden.build(scn))
    L_full = nlp.fm.aggregate_map()
    moisture = nlp.fm.moisture_wet_per_dry * (1 - nlp.fm.is_inj)
    keep = [j for j in range(L_full.shape[1]) if not np.allclose(L_full[:, j], moisture)]
    assert len(keep) == L_full.shape[1] - 1
    monkeypatch.setattr(nlp.fm, "aggregate_map", lambda: L_full[:, keep])
    z = res.nonlinear.z
    g0, J = nlp.jacobian(z)
    assert nlp._jac.method.startswith("columns (aggregate map incomplete")
    assert "process.top_gas_temperature" in nlp._jac.method
    assert np.array_equal(J, nlp.jacobian_dense(z)[1])


def test_slp_optimum_is_the_same_with_structured_or_dense_derivatives_and_slsqp_agrees(generated):
    scn, res = generated
    prob = burden.build(scn)
    lp = prob.backend(ranging=False).solve()
    a, b = NonlinearProblem(prob), NonlinearProblem(prob)
    b.jacobian = b.jacobian_dense
    z0 = start_point(a, lp.primal)
    oa, ob = solve_slp(a, z0), solve_slp(b, z0)
    # the two derivatives take the SLP the same way.  Since the W point counts hydrogen as a CO
    # equivalent, the optimum of these libraries lies on the curved W-point limit with the coke
    # inside its bounds: the SLP's steps carry the curvature there (SQP) and converge without
    # the SLSQP polish
    assert oa.status == ob.status == "optimal", (oa.message, ob.message)
    assert oa.iterations <= 10, (oa.iterations, oa.message)
    assert abs(oa.iterations - ob.iterations) <= 1, (oa.iterations, ob.iterations)
    assert oa.objective == pytest.approx(ob.objective, rel=1e-6)
    assert a.relative_violation(oa.z) < 1e-6
    oc = solve_slsqp(a, oa.z)
    assert oc.status == "optimal"
    assert oc.objective <= oa.objective + 1e-6
    assert res.objective == pytest.approx(oc.objective, rel=1e-6)
    assert oa.objective == pytest.approx(oc.objective, rel=1e-9)  # SLP alone, SLSQP from it: the same optimum
    assert res.nonlinear.output.solver == "slp"  # burden.solve: no polish


def test_ipopt_on_the_same_problem_reaches_the_slp_optimum(generated):
    """Ipopt (interior point, casadi wheel) with the exact complex-step Jacobian, from the same
    start: the same objective to 1e-6 relative (Ipopt stops inside its 1e-9 tolerances)."""
    pytest.importorskip("casadi")
    from _nlp_reference import ipopt_solve

    scn, res = generated
    nlp = res.nonlinear.nlp
    lp = burden.build(scn).backend(ranging=False).solve()
    ip = ipopt_solve(nlp, start_point(nlp, lp.primal))
    assert ip["status"] == "Solve_Succeeded"
    assert ip["max_violation"] < 1e-6
    assert ip["objective"] == pytest.approx(res.objective, rel=1e-6)


def test_300_materials_converge_by_slp_alone_to_the_dense_difference_optimum(tmp_path):
    """bench_lp.py's 300-material library: the SLP converges without a stall or polish
    (its subproblems in step form keep HiGHS's rounding at the step's scale; before, the
    linearised rows came back violated by ~1e-8 scaled and the SLP ran 200 iterations), to the
    optimum of the SLP with the old dense differences, every row within 1e-6 relative."""
    scn = burden.load_scenario(write_big_nonlinear_case(tmp_path, 300))
    prob = burden.build(scn)
    lp = prob.backend(ranging=False).solve()
    a, b = NonlinearProblem(prob), NonlinearProblem(prob)
    b.jacobian = b.jacobian_dense
    z0 = start_point(a, lp.primal)
    oa, ob = solve_slp(a, z0), solve_slp(b, z0)
    assert a._jac.method == "aggregates" and a._jac.rank < 60
    assert oa.status == "optimal" and oa.solver == "slp" and oa.iterations <= 8, (oa.message, oa.iterations)
    assert ob.status == "optimal"
    assert oa.objective == pytest.approx(ob.objective, rel=1e-9)
    assert a.relative_violation(oa.z) < 1e-6
    # the optimum burden.solve returned before the SLP converged here by itself (SLP stalled after
    # 36 iterations, SLSQP polish from its last iterate; main at 433a62b): 335.28913 USD/tHM
    assert oa.objective == pytest.approx(335.28913, rel=1e-6)


def test_lagrangian_hessian_matches_differences_of_the_exact_gradient(generated):
    """The SQP phase's Hessian of f − λ·g (second differences of the rows, forward, step 1e-4
    of each direction's scale) against central differences (step 1e-3: O(1e-6) truncation) of
    the exact complex-step gradient, along the same ~30 aggregate and blast directions, at the
    optimum with its multipliers: within 1e-3 of the largest entry (1.3e-4 measured: the
    forward differences' O(h) error)."""
    _, res = generated
    nlp, z, lam = res.nonlinear.nlp, res.nonlinear.z, res.nonlinear.output.nl_duals
    P = nlp.curvature_directions()
    assert P.shape[0] == nlp._jac.rank + sum(1 for j in set(nlp.col.values()) if nlp.upper[j] > nlp.lower[j])
    H = nlp.lagrangian_hessian(z, lam, P, psd=False)

    def grad(zz):
        return nlp.objective_grad(zz) - complex_step_jacobian(nlp, zz)[1].T @ lam

    sc, t = np.abs(P) @ nlp.zscale, 1e-3
    H_ref = np.column_stack([P @ (grad(z + t * sc[j] * P[j]) - grad(z - t * sc[j] * P[j])) / (2 * t * sc[j])
                             for j in range(P.shape[0])])
    H_ref = 0.5 * (H_ref + H_ref.T)
    assert np.abs(H - H_ref).max() < 1e-3 * np.abs(H_ref).max()
    # what the QP gets: the positive semidefinite part, equal to H along its non-negative eigenvectors
    B = nlp.lagrangian_hessian(z, lam, P)
    assert np.linalg.eigvalsh(B).min() > -1e-9 * np.abs(B).max()
    w, Q = np.linalg.eigh(H)
    keep = w > 0
    assert np.allclose(B @ Q[:, keep], Q[:, keep] * w[keep], atol=1e-9 * np.abs(H).max())
