"""Issue 9: the formulation core — integrality of hook variables, no stale re-solves,
picklable results, persistent updates, model export, declared capabilities.

Every expected value is an independent calculation: a fresh build of the changed
scenario solved from scratch, or the same LP read back from the exported file by HiGHS.
"""

import math
import pickle
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import burden
from burden.backends.base import CapabilityError, RebuildRequired
from burden.backends.highs import require

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASE = SCENARIOS / "base.yaml"


def _base():
    return burden.load_scenario(BASE)


def _fresh(scn, **changes):
    return burden.solve(scn).raise_for_status()


def _with_material(scn, name, **changes):
    mats = dict(scn.materials)
    mats[name] = mats[name].with_changes(**changes)
    return burden.Scenario(scn.config, mats, scn.lost_burden, scn.source, scn.variant, scn.warnings)


# -- 1. integrality of hook variables -------------------------------------------------
def use_lump_hook(m, scenario):
    import pyomo.environ as pyo

    m.use_lump = pyo.Var(domain=pyo.Binary)
    m.lump_max = pyo.Constraint(expr=m.x["lump_ore"] <= 200 * m.use_lump)
    m.lump_min = pyo.Constraint(expr=m.x["lump_ore"] >= 50.5 * m.use_lump)
    m.half = pyo.Constraint(expr=m.use_lump <= 0.5)


def test_hook_binary_is_solved_as_binary():
    """The example of issue 9: use_lump <= 0.5 with a binary forces lump_ore to 0
    (solved as continuous it gave 100 kg/tHM)."""
    scn = _base()
    res = burden.solve(scn, hooks=[use_lump_hook]).raise_for_status()
    assert res.x["lump_ore"] == pytest.approx(0.0, abs=1e-9)
    assert res.output.value("hook", "use_lump") == 0.0
    assert res.problem.formulation.space["hook"].kind == "binary"
    # independent: the same scenario with lump ore not available
    no_lump = burden.solve(_with_material(scn, "lump_ore", max_kg_per_thm=0.0, max_t_per_day=None))
    assert res.objective == pytest.approx(no_lump.objective, rel=1e-9)
    assert res.output.meta["duals"].startswith("LP with the integer columns fixed")
    assert set(["lump_max", "lump_min", "half"]) <= set(res.constraints.index)


def test_hook_objective_term_and_integer_choice():
    """A hook may price a discrete choice: a fixed charge on using lump ore."""
    import pyomo.environ as pyo

    def fixed_charge(m, scenario):
        m.use_lump = pyo.Var(domain=pyo.Binary)
        m.lump_max = pyo.Constraint(expr=m.x["lump_ore"] <= 200 * m.use_lump)
        m.cost.expr = m.cost.expr + 100.0 * m.use_lump   # USD/tHM when lump is used at all

    scn = _base()
    res = burden.solve(scn, hooks=[fixed_charge]).raise_for_status()
    no_lump = burden.solve(_with_material(scn, "lump_ore", max_kg_per_thm=0.0, max_t_per_day=None))
    free = burden.solve(scn)
    # 100 USD/tHM is more than lump saves: the choice is "no lump", at the no-lump cost
    assert free.objective + 100.0 > no_lump.objective
    assert res.x["lump_ore"] == pytest.approx(0.0, abs=1e-9)
    assert res.objective == pytest.approx(no_lump.objective, rel=1e-9)


def test_pyomo_backend_cross_checks_the_hook_model():
    from burden.backends.pyomo import PyomoBackend

    prob = burden.build(_base(), hooks=[use_lump_hook])
    direct = burden.solve(prob)
    other = PyomoBackend("appsi_highs").solve(prob)
    assert other["status"] == "optimal"
    assert other["objective"] == pytest.approx(direct.objective, rel=1e-9)
    assert other["hook"]["use_lump"] == pytest.approx(0.0, abs=1e-9)


def test_a_backend_without_milp_refuses_integrality():
    with pytest.raises(CapabilityError, match="integrality"):
        require(frozenset({"lp", "duals"}), True, "lp-only")
    require(frozenset({"lp"}), False, "lp-only")  # an LP is fine


# -- 2. no stale re-solve -----------------------------------------------------------
def test_model_changed_after_a_solve_is_not_answered_from_the_stale_solver():
    import pyomo.environ as pyo

    scn = _base()
    p = burden.build(scn)
    r1 = burden.solve(p)
    assert r1.x["pellets"] < 150
    p.model.extra = pyo.Constraint(expr=p.model.x["pellets"] >= 150)
    r2 = burden.solve(p).raise_for_status()
    assert r2.x["pellets"] == pytest.approx(150.0, abs=1e-7)
    fresh = burden.solve(_with_material(scn, "pellets", min_kg_per_thm=150.0))
    assert r2.objective == pytest.approx(fresh.objective, rel=1e-9)
    # removing it again is a change too
    p.model.extra.deactivate()
    r3 = burden.solve(p)
    assert r3.objective == pytest.approx(r1.objective, rel=1e-12)
    # a bound changed on the Pyomo variable counts as well
    p.model.x["sinter"].setub(1300.0)
    r4 = burden.solve(p)
    assert r4.x["sinter"] <= 1300.0 + 1e-7


def test_structural_change_through_update_raises_rebuild_required():
    scn = _base()
    p = burden.build(scn)
    burden.solve(p)
    other = burden.load_scenario(SCENARIOS / "high_pellet.yaml")
    with pytest.raises(RebuildRequired, match="build it anew"):
        p.update(other)


# -- 3. persistent updates equal fresh builds ---------------------------------------------
def _same(a, b):
    assert a.status == b.status == "optimal"
    assert a.objective == pytest.approx(b.objective, rel=1e-9)
    np.testing.assert_allclose(a.x.values, b.x.values, atol=1e-6)


def test_persistent_bounds_limits_analyses_equal_fresh_builds():
    scn = _base()
    p = burden.build(scn)
    burden.solve(p)
    highs = p._solver_state["highs"]

    p.set_bounds({"pellets": (50.0, 300.0)})
    _same(burden.solve(p), burden.solve(_with_material(scn, "pellets", min_kg_per_thm=50.0, max_kg_per_thm=300.0,
                                                       max_t_per_day=None)))
    p.set_limit("slag.B2.max", 1.18)
    cfg = scn.config.model_copy(update={"slag": scn.config.slag.model_copy(
        update={"B2": scn.config.slag.B2.model_copy(update={"max": 1.18})})})
    scn2 = burden.Scenario(cfg, p.scenario.materials, scn.lost_burden, scn.source)
    _same(burden.solve(p), burden.solve(scn2))
    sinter = scn.materials["sinter"]
    an = dict(sinter.analysis)
    an["SiO2"] = 5.6
    p.set_analysis("sinter", {"SiO2": 5.6})
    scn3 = _with_material(scn2, "sinter", analysis=an)
    r = burden.solve(p)
    _same(r, burden.solve(scn3))
    assert r.slag.loc["SiO2", "kg_per_thm"] == pytest.approx(burden.solve(scn3).slag.loc["SiO2", "kg_per_thm"])
    assert p._solver_state["highs"] is highs       # every change went to the live solver


def test_update_to_a_variant_is_persistent():
    scn = _base()
    p = burden.build(scn)
    burden.solve(p)
    highs = p._solver_state["highs"]
    low = burden.load_scenario(BASE, scenario="low_slag")
    p.update(low)
    _same(burden.solve(p), burden.solve(low))
    assert p._solver_state["highs"] is highs


# -- 4. picklable results --------------------------------------------------------------
def _tables_in_worker(blob: bytes):
    res = pickle.loads(blob)
    again = burden.solve(res.scenario)
    return pickle.dumps((res.tables, res.to_json(), again.to_json()))


def test_result_and_solution_pickle_through_a_process_pool():
    scn = _base()
    res = burden.solve(scn)
    blob = pickle.dumps(res)
    with ProcessPoolExecutor(max_workers=1) as ex:
        tables, js, again = pickle.loads(ex.submit(_tables_in_worker, blob).result())
    for k, df in res.tables.items():
        pd.testing.assert_frame_equal(tables[k], df, check_exact=True)
    assert js == res.to_json() == again
    sol = pickle.loads(pickle.dumps(res.output))
    assert sol.equals(res.output)


def test_nonlinear_and_hook_results_pickle():
    rn = burden.solve(SCENARIOS / "nonlinear.yaml")
    rn2 = pickle.loads(pickle.dumps(rn))
    for k in ("blast", "heat_balance", "burden"):
        pd.testing.assert_frame_equal(rn2.tables[k], rn.tables[k], check_exact=True)
    rh = burden.solve(_base(), hooks=[use_lump_hook])
    rh2 = pickle.loads(pickle.dumps(rh))
    assert rh2.to_json() == rh.to_json()


def test_solution_dict_round_trip():
    for res in (burden.solve(BASE), burden.solve(SCENARIOS / "infeasible.yaml")):
        d = res.output.to_dict()
        import json

        back = burden.Solution.from_dict(json.loads(json.dumps(d)))
        assert back.equals(res.output)
        assert back.status == res.status
        if res.ok:
            assert back.value("x", "pellets") == res.x["pellets"]
        else:
            assert back.relaxation == res.output.relaxation


# -- 5. model export -----------------------------------------------------------------------
@pytest.mark.parametrize("ext", [".mps", ".lp"])
def test_export_model_reads_back_to_the_same_objective(tmp_path, ext):
    import highspy

    out = tmp_path / f"base{ext}"
    cp = subprocess.run([sys.executable, "-m", "burden", "solve", str(BASE), "--no-write", "--export-model", str(out)],
                        capture_output=True, text=True, cwd=tmp_path)
    assert cp.returncode == 0, cp.stderr
    text = out.read_text()
    assert "slag.B2.max" in text and "x.pellets" in text       # rows and columns by name
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(out))
    h.run()
    ref = burden.solve(BASE).objective
    assert h.getInfo().objective_function_value == pytest.approx(ref, rel=1e-9)
    assert sorted(p.name for p in tmp_path.iterdir()) == [out.name]   # nothing else written


def test_export_model_bad_path_is_an_input_error(tmp_path):
    cp = subprocess.run([sys.executable, "-m", "burden", "solve", str(BASE), "--no-write", "--export-model",
                         str(tmp_path / "base.txt")], capture_output=True, text=True)
    assert cp.returncode == 4 and ".mps or .lp" in cp.stderr
    assert not (tmp_path / "base.txt").exists()
    with pytest.raises(burden.InputError):
        burden.build(_base()).export_model(tmp_path / "nofolder" / "m.mps")


def test_exported_milp_keeps_integrality(tmp_path):
    import highspy

    p = burden.build(_base(), hooks=[use_lump_hook])
    p.export_model(tmp_path / "m.mps")
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.readModel(str(tmp_path / "m.mps"))
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(burden.solve(p).objective, rel=1e-9)
    assert "MARKER" in (tmp_path / "m.mps").read_text()   # the integer section of MPS


# -- 6. one place per concept ---------------------------------------------------------------
def test_slag_indices_and_loads_come_from_the_limits_table():
    from burden.core.rows import LIMITS

    res = burden.solve(BASE)
    sp = res.slag_properties
    cfg = res.scenario.config
    qv = {k: res.quantity(k) for k in res.problem.quantities}
    for spec in LIMITS:
        if spec.table == "slag_properties" and not (spec.optional and spec.label not in sp.index):
            assert sp.loc[spec.label, "value"] == spec.evaluate(qv, cfg)
        if spec.table == "loads":
            assert res.loads.loc[spec.label, "kg_per_thm"] == spec.evaluate(qv, cfg)
    # the row of a limit is the same formula: its value at the optimum equals the table's
    assert res.problem.row("slag.B2.max").value(res.output.primal) == pytest.approx(sp.loc["B2", "value"], rel=1e-12)
    assert math.isclose(sp.loc["B2", "value"], qv["slag.CaO"] / qv["slag.SiO2"], rel_tol=1e-15)


def test_an_earlier_result_is_a_snapshot():
    """Persistent changes after a solve never alter a Result already returned."""
    scn = _base()
    p = burden.build(scn)
    r0 = burden.solve(p)
    before = r0.to_json()
    p.set_prices({"pellets": 120.0})
    p.set_bounds({"sinter": (0.0, 1300.0)})
    p.set_limit("slag.B2.max", 1.18)
    p.set_analysis("sinter", {"SiO2": 5.9})
    r1 = burden.solve(p)
    assert r0.to_json() == before
    assert r0.burden.loc["pellets", "price_per_t"] != r1.burden.loc["pellets", "price_per_t"]
    assert r0.constraints.loc["slag.B2.max", "limit"] == 1.2 and r1.constraints.loc["slag.B2.max", "limit"] == 1.18
    # and the new result is the fresh build of the changed scenario
    _same(r1, burden.solve(p.scenario))


def test_row_blocks_and_single_rows_compile_alike():
    """A row block and the same rows added one by one give the same matrix."""
    from burden.core.formulation import Formulation

    p = burden.build(_base())
    f = p.formulation
    g = Formulation()
    g.space = f.space
    g.objective = f.objective
    g.add_rows(f.rows)
    a, b = f.compile(), g.compile()
    np.testing.assert_array_equal(a.A, b.A)
    np.testing.assert_array_equal(a.row_lower, b.row_lower)
    np.testing.assert_array_equal(a.row_upper, b.row_upper)
    assert a.row_names == b.row_names


def test_solves_after_another_highspy_user_in_the_same_process():
    """HiGHS keeps one task scheduler per process; burden must not ask for another thread
    count than the first user did (it failed with status 'Not Set')."""
    code = (
        "import highspy, numpy as np, burden\n"
        "h = highspy.Highs(); h.setOptionValue('output_flag', False)\n"
        "h.addVar(0, 1); h.changeColCost(0, 1.0); h.run()\n"
        f"r = burden.solve({str(BASE)!r}); print(r.status, round(r.objective, 6))\n")
    cp = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert cp.returncode == 0, cp.stderr
    status, objective = cp.stdout.split()[-2:]
    assert status == "optimal"
    assert float(objective) == pytest.approx(burden.solve(BASE).objective, abs=1e-6)


def test_solution_meta_carries_provenance():
    scn = _base()
    r = burden.solve(scn)
    m = r.output.meta
    assert m["scenario"] == "base" and m["variant"] is None
    assert m["versions"]["burden"] == burden.__version__ and m["versions"]["highspy"]
    assert set(m["timings"]) >= {"build_s", "solve_s", "total_s"}
    v = burden.solve(burden.load_scenario(BASE, scenario="low_slag")).output.meta
    assert v["variant"] == "low_slag" and v["input_hash"] != m["input_hash"]
    again = burden.solve(burden.load_scenario(BASE))
    assert again.output.meta["input_hash"] == m["input_hash"]      # same inputs, same hash
    p = burden.build(scn)
    p.set_prices({"pellets": 150.0})
    assert burden.solve(p).output.meta["input_hash"] != m["input_hash"]


def test_objective_terms_add_up_to_the_objective():
    import pyomo.environ as pyo

    def charge(m, s):
        m.u = pyo.Var(domain=pyo.Binary)
        m.c = pyo.Constraint(expr=m.x["lump_ore"] <= 200 * m.u)
        m.cost.expr = m.cost.expr + 0.25 * m.u

    r = burden.solve(_base(), hooks=[charge])
    t = r.output.objective_terms
    assert set(t) == {"cost", "hook"}
    assert t["cost"] + t["hook"] == pytest.approx(r.objective, rel=1e-12)
    assert t["hook"] == pytest.approx(0.25 * r.output.value("hook", "u"))


def test_the_highs_instances_run_with_the_default_random_seed_0():
    """burden relies on HiGHS's default random_seed (0) for run-to-run identical answers."""
    from burden.backends.highs import new_highs

    assert new_highs().getOptionValue("random_seed")[1] == 0
