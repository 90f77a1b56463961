"""The Python API: scenarios from files, dicts and DataFrames; hooks; persistent re-solve."""


import numpy as np
import pandas as pd
import pytest
import yaml

import burden
from burden.materials import default_library
from conftest import SCENARIOS

BASE = yaml.safe_load((SCENARIOS / "base.yaml").read_text())


def test_overrides_merge_into_the_base():
    plain = burden.load_scenario(SCENARIOS / "base.yaml")
    s = burden.load_scenario(SCENARIOS / "base.yaml", scenario="pellet_opportunity")
    assert s.materials["pellets"].price_per_t == 140
    assert s.materials["pellets"].max_t_per_day == 9000
    assert s.materials["sinter"] == plain.materials["sinter"]
    assert s.config.slag == plain.config.slag
    assert s.name == "base [pellet_opportunity]"
    r0 = burden.solve(plain).raise_for_status()
    r1 = burden.solve(s).raise_for_status()
    assert r1.x["pellets"] > r0.x["pellets"] + 100      # cheaper, more available pellets are used
    assert r1.objective < r0.objective


def test_toml_gives_the_same_result_as_yaml(tmp_path):
    toml = """
name = "base"
production_t_per_day = 9000
materials = ["default"]
[charge]
sinter = {}
pellets = {max_t_per_day = 4000}
lump_ore = {max_t_per_day = 1800}
limestone = {}
dolomite = {}
quartzite = {}
coke = {fixed_kg_per_thm = 340}
nut_coke = {fixed_kg_per_thm = 30}
pci = {fixed_kg_per_thm = 160}
[lost_burden]
bf_dust = 15
[hot_metal]
temperature_c = 1500
Si_pct = 0.45
S_pct = 0.030
C_pct = "formula"
P_pct = {max = 0.10}
Mn_pct = {max = 0.60}
[slag]
B2 = {min = 1.10, max = 1.20}
B3 = {max = 1.45}
MgO_pct = {min = 7.5}
Al2O3_pct = {max = 16}
rate_kg_per_thm = {max = 340}
sulphur_partition_LS = 40
[loads]
alkali_kg_per_thm = {max = 3.0}
zinc_kg_per_thm = {max = 0.15}
sulphur_kg_per_thm = {max = 4.0}
phosphorus_kg_per_thm = {max = 1.2}
[shares]
sinter_in_ferrous = {materials = "sinter", of = "ferrous", min_pct = 50}
lump_in_ferrous = {materials = "lump_ore", of = "ferrous", max_pct = 15}
"""
    (tmp_path / "base.toml").write_text(toml)
    a = burden.solve(tmp_path / "base.toml").raise_for_status()
    b = burden.solve(SCENARIOS / "base.yaml").raise_for_status()
    assert a.objective == pytest.approx(b.objective, rel=1e-12)
    pd.testing.assert_series_equal(a.x, b.x)


def test_scenario_from_python_objects_and_dataframes():
    ores = pd.DataFrame([
        {"name": "ore_a", "class": "ferrous", "price_per_t": 120, "price_basis": "dry", "moisture_pct": 3,
         "TFe": 62.0, "FeO": 1.0, "SiO2": 4.5, "Al2O3": 2.2, "CaO": 0.1, "MgO": 0.1, "CO2": 0, "H2O_chem": 4.0},
        {"name": "ore_b", "class": "ferrous", "price_per_t": 110, "price_basis": "dry", "moisture_pct": 3,
         "TFe": 58.0, "FeO": 8.0, "SiO2": 5.5, "Al2O3": 1.8, "CaO": 9.0, "MgO": 1.5, "CO2": 0, "H2O_chem": 0.0},
    ])
    scn = burden.Scenario.from_dict({
        "name": "from python", "production_t_per_day": 6000,
        "materials": ["default", ores],
        "charge": {"ore_a": {}, "ore_b": {"max_kg_per_thm": 1000}, "limestone": {}, "dolomite": {},
                   "coke": {"fixed_kg_per_thm": 350}, "pci": {"fixed_kg_per_thm": 150}},
        "hot_metal": {"Si_pct": 0.5, "S_pct": 0.03},
        "slag": {"B2": {"min": 1.0, "max": 1.2}, "MgO_pct": {"min": 7}},
    })
    res = burden.solve(scn).raise_for_status()
    # Fe balance by hand: η_Fe·Σ x·Fe = Fe in hot metal
    fe_in = sum(res.x[k] * scn.materials[k].analysis["Fe"] / 100 for k in scn.materials)
    assert 0.9985 * fe_in == pytest.approx(res.hot_metal.loc["Fe", "kg_per_thm"], rel=1e-9)
    assert res.x["ore_b"] <= 1000 + 1e-6
    # the material table errors name the DataFrame
    bad = ores.copy()
    bad.loc[0, "SiO2"] = np.nan
    with pytest.raises(burden.InputError, match="DataFrame.*ore_a.*SiO2"):
        burden.Scenario.from_dict({"production_t_per_day": 6000, "materials": [bad], "charge": {"ore_a": {}}})


def test_excel_material_table(tmp_path):
    lib = default_library()
    df = pd.DataFrame([{"name": "ore_x", "class": "ferrous", "price_per_t": 100, "price_basis": "wet",
                        "moisture_pct": 8, "TFe": 62.0, "SiO2": 4.0, "Al2O3": 2.3, "H2O_chem": 4.5, "P": 0.1}])
    with pd.ExcelWriter(tmp_path / "ores.xlsx") as xw:
        pd.DataFrame({"note": ["cover sheet"]}).to_excel(xw, sheet_name="cover", index=False)
        df.to_excel(xw, sheet_name="materials", index=False)
    mats = burden.load_material_table(tmp_path / "ores.xlsx")
    m = mats["ore_x"]
    assert m.analysis["Fe2O3"] == pytest.approx(62.0 / 0.69943, rel=1e-4)
    assert m.price_per_dry_t == pytest.approx(100 / 0.92)
    assert "sinter" in lib


def test_plant_hook_adds_a_constraint_that_is_solved_and_reported():
    import pyomo.environ as pyo

    def at_least_100_kg_pellets(model, scenario):
        assert "pellets" in scenario.materials
        model.plant_min_pellets = pyo.Constraint(expr=model.x["pellets"] >= 100.0)
        # quantities are available by name for plant rules, e.g. a CaO ceiling in slag
        model.plant_cao = pyo.Constraint(expr=model.q["slag.CaO"] <= 200.0)

    scn = burden.load_scenario(SCENARIOS / "base.yaml")
    res = burden.solve(scn, hooks=[at_least_100_kg_pellets]).raise_for_status()
    assert res.x["pellets"] == pytest.approx(100.0, abs=1e-6)
    c = res.constraints
    assert "plant_min_pellets" in c.index
    assert c.loc["plant_min_pellets", "binding"]
    assert c.loc["plant_min_pellets", "kind"] == "hook"
    # its shadow price is the finite difference of the cost
    def hook2(model, scenario):
        model.plant_min_pellets = pyo.Constraint(expr=model.x["pellets"] >= 101.0)
    r2 = burden.solve(scn, hooks=[hook2]).raise_for_status()
    assert r2.objective - res.objective == pytest.approx(c.loc["plant_min_pellets", "shadow_price_per_unit"], rel=0.01)


def test_persistent_resolve_with_new_prices_equals_a_fresh_build():
    scn = burden.load_scenario(SCENARIOS / "base.yaml")
    prob = burden.build(scn)
    r0 = burden.solve(prob)
    h = prob._solver_state["highs"]
    prob.set_prices({"pellets": 120.0, "lump_ore": 160.0})
    r1 = burden.solve(prob)
    assert prob._solver_state["highs"] is h            # same solver instance: no rebuild
    fresh = burden.solve(scn.with_prices({"pellets": 120.0, "lump_ore": 160.0}))
    assert r1.objective == pytest.approx(fresh.objective, rel=1e-10)
    np.testing.assert_allclose(r1.x.values, fresh.x.values, atol=1e-7)
    assert r1.x["pellets"] > r0.x["pellets"]


def test_same_input_same_output_json():
    a = burden.solve(SCENARIOS / "base.yaml").to_json()
    b = burden.solve(SCENARIOS / "base.yaml").to_json()
    assert a == b


def test_coefficient_table_is_what_the_model_uses():
    prob = burden.build(burden.load_scenario(SCENARIOS / "base.yaml"))
    coef = prob.coefficients
    res = burden.solve(prob)
    x = res.x.reindex(coef.columns[:-1]).values
    cao = coef.loc["slag.CaO"]
    assert float(cao.iloc[:-1].values @ x + cao["constant"]) == pytest.approx(res.slag.loc["CaO", "kg_per_thm"])
    # SiO2 per kg Si: the coefficient table carries −(M_SiO2/M_Si)·10·[Si] in the constant
    si = coef.loc["slag.SiO2", "constant"] - (-15 * prob.scenario.lost_burden["bf_dust"][0].analysis["SiO2"] / 100)
    assert si == pytest.approx(-4.5 * 60.0843 / 28.085, rel=1e-4)
