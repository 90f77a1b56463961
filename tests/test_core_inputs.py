"""Issue 9, as a new user tried it: hooks that fix, price or delete; persistent changes with bad
input (checked before anything changes); explanations of MILP and unbounded models; export files.

Expected values are fresh builds of the changed scenario, solved from scratch.
"""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import burden
from burden.backends.base import CapabilityError

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASE = SCENARIOS / "base.yaml"


def _base():
    return burden.load_scenario(BASE)


def _with_material(scn, name, **changes):
    mats = dict(scn.materials)
    mats[name] = mats[name].with_changes(**changes)
    return burden.Scenario(scn.config, mats, scn.lost_burden, scn.source, scn.variant, scn.warnings)


# -- hooks ------------------------------------------------------------------------------
def test_a_hook_that_fixes_a_rate_is_a_bound_with_its_cost():
    scn = _base()
    r = burden.solve(scn, hooks=[lambda m, s: m.x["pellets"].fix(150)]).raise_for_status()
    fresh = burden.solve(_with_material(scn, "pellets", min_kg_per_thm=150.0, max_kg_per_thm=150.0,
                                        max_t_per_day=None))
    assert r.x["pellets"] == pytest.approx(150.0, abs=1e-9)
    assert r.objective == pytest.approx(fresh.objective, rel=1e-9)
    assert r.costs.loc["total", "cost_per_thm"] == pytest.approx(r.objective, rel=1e-12)


def test_a_hook_price_edit_and_deleted_rows_are_honoured():
    scn = _base()
    cheap = burden.solve(scn.with_prices({"pellets": 100.0}))

    def price(m, s):
        m.price["pellets"] = 0.100          # currency per dry kg

    r = burden.solve(scn, hooks=[price])
    assert r.objective == pytest.approx(cheap.objective, rel=1e-9)
    p = burden.build(scn)
    burden.solve(p)
    p.model.del_component(p.model.rows)
    r2 = burden.solve(p)
    # without any row only the bounds hold: the cost is the cheapest admissible rates
    assert r2.status in ("optimal", "unbounded")
    assert not [n for n in r2.problem.formulation.row_names if not n.startswith("plant")]


def test_hook_variables_of_several_kinds_share_one_block():
    import pyomo.environ as pyo

    def hook(m, s):
        m.use_lump = pyo.Var(domain=pyo.Binary)
        m.extra = pyo.Var(bounds=(0, 10))
        m.c1 = pyo.Constraint(expr=m.x["lump_ore"] <= 200 * m.use_lump)
        m.c2 = pyo.Constraint(expr=m.extra <= m.x["pellets"])

    r = burden.solve(_base(), hooks=[hook]).raise_for_status()
    assert r.problem.formulation.space["hook"].kind == "mixed"
    assert r.output.value("hook", "use_lump") in (0.0, 1.0)
    assert r.output.value("hook", "extra") >= 0


def test_the_nonlinear_paths_refuse_integrality():
    import pyomo.environ as pyo

    def hook(m, s):
        m.use_lump = pyo.Var(domain=pyo.Binary)
        m.c1 = pyo.Constraint(expr=m.use_lump <= 0.5)

    scn = burden.load_scenario(SCENARIOS / "nonlinear.yaml")
    with pytest.raises(CapabilityError, match="cannot honour integrality"):
        burden.solve(scn, hooks=[hook])


def test_integrality_conflict_and_unbounded_are_explained():
    import pyomo.environ as pyo

    def discrete(m, s):
        m.n = pyo.Var(domain=pyo.Integers, bounds=(0, 10))
        m.steps = pyo.Constraint(expr=m.x["pellets"] == 100 * m.n + 35)
        m.window = pyo.Constraint(expr=pyo.inequality(40, m.x["pellets"], 120))

    r = burden.solve(_base(), hooks=[discrete])
    assert r.status == "infeasible"
    assert "no integer values meet them" in r.explanation and "hook[n]" in r.explanation

    def free(m, s):
        m.z = pyo.Var()
        m.cost.expr = m.cost.expr - m.z

    r = burden.solve(_base(), hooks=[free])
    assert r.status == "unbounded"
    assert "hook[z]" in r.explanation


# -- persistent changes with bad input ------------------------------------------------------
def _state(p):
    return burden.solve(p).objective, p.scenario.materials["pellets"], p.scenario.config


@pytest.mark.parametrize("call", [
    lambda p: p.set_bounds({"lump_ore": (0, 10), "pellets": (100, 10)}),
    lambda p: p.set_bounds({"pellets": 100}),
    lambda p: p.set_bounds({"pellets": (1, 2, 3)}),
    lambda p: p.set_prices({"pellets": 10, "sinter": float("nan")}),
    lambda p: p.set_prices({"pellets": -50}),
    lambda p: p.set_prices({"pellets": "abc"}),
    lambda p: p.set_prices({"pellets": None}),
    lambda p: p.set_prices({"nope": 1.0}),
    lambda p: p.set_limit("slag.B2.min", 1.3),          # above the max 1.2
    lambda p: p.set_limit("slag.B2.max", -1),
    lambda p: p.set_limit("slag.rate_kg_per_thm.max", -5),
    lambda p: p.set_limit("slag.MgO_pct.min", 150),
    lambda p: p.set_limit("slag.B2.max", "x"),
    lambda p: p.set_limit("hot_metal.mass", 900),       # a balance, not a limit
    lambda p: p.set_limit("charge.lump_ore.max", 150),  # a bound: set_bounds
    lambda p: p.set_limit("no.such.row", 1),
    lambda p: p.set_analysis("sinter", {"SiO2": 90}),   # total above 100 %
    lambda p: p.set_analysis("sinter", {"Fe": 80}),     # not a table column (TFe is)
    lambda p: p.set_analysis("sinter", {"TFe": 80}),    # TFe disagrees with FeO/Fe2O3
    lambda p: p.set_analysis("nope", {"SiO2": 5}),
    lambda p: p.update("scenarios/base.yaml"),
])
def test_a_rejected_change_changes_nothing(call):
    p = burden.build(_base())
    before = _state(p)
    with pytest.raises(burden.InputError) as e:
        call(p)
    assert str(e.value).strip()
    after = _state(p)
    assert after[0] == before[0]
    assert after[1] == before[1] and after[2] == before[2]


def test_a_series_of_prices_and_share_limits_reach_the_scenario():
    scn = _base()
    p = burden.build(scn)
    burden.solve(p)
    p.set_prices(pd.Series({"pellets": 140.0}))
    p.set_limit("shares.lump_in_ferrous.max", 10.0)
    r = burden.solve(p)
    fresh = burden.solve(p.scenario)
    assert p.scenario.config.shares["lump_in_ferrous"].max_pct == 10.0
    assert r.objective == pytest.approx(fresh.objective, rel=1e-9)


def test_set_analysis_takes_table_columns_and_rechecks():
    scn = _base()
    p = burden.build(scn)
    burden.solve(p)
    p.set_analysis("lump_ore", {"SiO2": 2.9, "Al2O3": 1.2})     # total stays within 100.0 ± 1.5 %
    r = burden.solve(p)
    assert p.scenario.materials["lump_ore"].reported["SiO2"] == 2.9
    fresh = burden.solve(p.scenario)
    assert r.objective == pytest.approx(fresh.objective, rel=1e-9)


def test_unknown_solver_names_the_field():
    with pytest.raises(burden.InputError, match="solver"):
        burden.solve(_base(), solver="glpk")


# -- export files ------------------------------------------------------------------------------
def test_export_file_mode_read_only_target_and_nonlinear_notice(tmp_path):
    out = tmp_path / "m.mps"
    cp = subprocess.run([sys.executable, "-m", "burden", "solve", str(BASE), "--no-write", "--export-model",
                         str(out)], capture_output=True, text=True)
    assert cp.returncode == 0 and "Model written to" in cp.stderr
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask
    out.chmod(0o444)
    cp = subprocess.run([sys.executable, "-m", "burden", "solve", str(BASE), "--no-write", "--export-model",
                         str(out)], capture_output=True, text=True)
    assert cp.returncode == 4 and "read-only" in cp.stderr
    nl = tmp_path / "nl.lp"
    cp = subprocess.run([sys.executable, "-m", "burden", "solve", str(SCENARIOS / "nonlinear.yaml"), "--no-write",
                         "--export-model", str(nl)], capture_output=True, text=True)
    assert cp.returncode == 0 and "linear core only" in cp.stderr and nl.exists()
    # the file says it too (a comment line), and HiGHS reads it to the LP warm start's optimum
    import highspy

    assert nl.read_text().startswith("\\ burden: the linear core of the nonlinear scenario")
    mps = tmp_path / "nl.mps"
    burden.build(burden.load_scenario(SCENARIOS / "nonlinear.yaml")).export_model(mps)
    assert mps.read_text().startswith("* burden: the linear core")
    objs = []
    for f in (nl, mps):
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        assert h.readModel(str(f)) == highspy.HighsStatus.kOk
        h.run()
        objs.append(h.getInfo().objective_function_value)
    warm = burden.build(burden.load_scenario(SCENARIOS / "nonlinear.yaml")).backend().solve().objective
    assert objs[0] == pytest.approx(warm, rel=1e-9) and objs[1] == pytest.approx(warm, rel=1e-9)


@pytest.mark.parametrize("changes", [{"SiO2": 5.9}, {"CaO": 9.1, "MgO": 2.2}, {"H2O_chem": 0.0}])
def test_the_quick_analysis_path_equals_a_full_normalisation(changes):
    from burden.chemistry.analysis import direct_total, normalise_analysis

    m = _base().materials["sinter"]
    raw = dict(m.reported)
    raw.update(changes)
    full = normalise_analysis({k: v for k, v in raw.items() if v != 0}, name="sinter")
    total = direct_total(m.total_pct, m.reported, changes, name="sinter")
    assert total == pytest.approx(full.total_pct, abs=1e-12)
    # and the species the quick path sets are the full normalisation's
    quick = {**m.analysis, **changes}
    assert quick == pytest.approx(full.species, abs=1e-12)
    # the same through a problem: its column equals a fresh build's
    p = burden.build(_base())
    burden.solve(p)
    p.set_analysis("sinter", changes)
    assert burden.solve(p).objective == pytest.approx(burden.solve(p.scenario).objective, rel=1e-9)


def test_mixed_analysis_changes_of_both_kinds_equal_fresh_builds():
    """One-to-one columns (quick path) and element forms (full normalisation) in turn."""
    p = burden.build(_base())
    burden.solve(p)
    for ch in ({"MnO": 0.5}, {"SiO2": 5.8}, {"MnO": 0.3, "CaO": 10.0}, {"MgO": 1.9}):
        p.set_analysis("sinter", ch)
        assert burden.solve(p).objective == pytest.approx(burden.solve(p.scenario).objective, rel=1e-9), ch
    rep = p.scenario.materials["sinter"].reported
    assert (rep["MnO"], rep["SiO2"], rep["CaO"], rep["MgO"]) == (0.3, 5.8, 10.0, 1.9)
