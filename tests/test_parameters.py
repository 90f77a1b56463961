"""Model parameters: named, unit-annotated constants that a scenario can override.

Published values: PRIMER §3 (USTB-NB hot-metal carbon correlation), PRIMER §4 (USTB-XLS /
USTB-HW heat-balance constants, USTB-NB coal decomposition heat, HBBF correction factors).
"""

import math
import pickle

import pytest
import yaml

import burden
from burden import examples
from burden.chemistry import carbon as cb
from burden.chemistry import heat
from burden.core.parameters import PARAMETERS, ModelParameters
from burden.scenario import Scenario

BASE = examples.path("base")
NONLINEAR = examples.path("nonlinear")


def _data(path):
    d = yaml.safe_load(path.read_text())
    d["materials"] = [str(path.parent / m) if m != "default" else m for m in d.get("materials", ["default"])]
    return d


# -- defaults ------------------------------------------------------------------------------

def test_defaults_are_the_published_constants():
    p = ModelParameters.default()
    # PRIMER §3, USTB-NB: [C] = 1.34 + 2.45e-3 T - 0.35[P] + 0.17[Ti] - 0.54[S] + 0.04[Mn] - 0.30[Si]
    assert p.hm_carbon == {"const": 1.34, "T": 2.45e-3, "P": -0.35, "Ti": 0.17, "S": -0.54, "Mn": 0.04,
                           "Si": -0.30}
    # PRIMER §4, USTB-XLS and USTB-HW total heat balance
    assert p.heat_constants == {
        "c_to_co_kj_per_kg_c": 9800.0, "co_to_co2_kj_per_nm3": 12650.0, "h2_to_h2o_kj_per_nm3": 10800.0,
        "moisture_decomposition_kj_per_nm3": 10800.0, "fe2o3_decomposition_kj_per_kg": 5159.0,
        "feo_decomposition_kj_per_kg": 4801.0, "si_reduction_kj_per_kg": 31059.0,
        "mn_reduction_kj_per_kg": 7358.0, "p_reduction_kj_per_kg": 25733.0,
        "desulphurisation_kj_per_kg_s": 8300.0, "caco3_kj_per_kg_cao": 4040.0 + 0.5 * 3770.0,
        "injectant_decomposition_kj_per_kg": 1000.0, "hot_metal_kj_per_kg": 1240.0, "slag_kj_per_kg": 1780.0,
        "water_evaporation_kj_per_kg": 2441.7}  # IAPWS-IF97 latent heat at 25 degC
    # PRIMER §4/§5, USTB-NB: coal decomposition about 1000 kJ/kg
    assert p.coal_decomposition_kj_per_kg == 1000.0
    # PRIMER §4, HBBF factor sheet
    assert p.hbbf_factors == {"direct_reduction_degree": (-0.01, -2.2), "blast_temperature_c": (10.0, -1.4),
                              "slag_kg_per_thm": (-10.0, -1.6), "heat_loss_pct": (-1.0, -3.7)}


def test_defaults_equal_the_module_constants_they_replace():
    from burden import model, nonlinear, process

    p = ModelParameters.default()
    assert p.hm_carbon == model.HM_CARBON_COEFFS
    assert p.hbbf_factors == nonlinear.HBBF_FACTORS
    assert p.heat_constants == dict(heat.HEAT_CONSTANTS)
    assert p.coal_decomposition_kj_per_kg == process.COAL_DECOMPOSITION_KJ_PER_KG
    with pytest.raises(TypeError):
        heat.HEAT_CONSTANTS["slag_kj_per_kg"] = 0.0  # one definition: the module default is read-only


def test_table_has_units_and_sources():
    t = ModelParameters.default().with_overrides({"slag_kj_per_kg": 1800.0}).table()
    assert list(t.columns[:5]) == ["name", "value", "unit", "description", "source"]
    assert list(t["name"]) == list(PARAMETERS)
    assert (t["unit"].str.len() > 0).all() and (t["source"].str.len() > 0).all()
    assert (t["description"].str.len() > 0).all()
    row = t.set_index("name").loc["slag_kj_per_kg"]
    assert row["value"] == 1800.0 and row["default"] == 1780.0 and row["unit"] == "kJ/kg slag"
    text = t.to_string()
    assert "kJ/kg C" in text and "USTB-NB" in text and "HBBF" in text and "wt % per degC" in text


# -- API -----------------------------------------------------------------------------------

def test_overrides_are_validated():
    p = ModelParameters.default()
    with pytest.raises(burden.InputError) as e:
        p.with_overrides({"hm_carbon_Tx": 2.5e-3})
    msg = str(e.value)
    assert "hm_carbon_Tx" in msg and "did you mean 'hm_carbon_T'" in msg and "slag_kj_per_kg" in msg
    assert e.value.problems[0].field == "hm_carbon_Tx"
    for bad in (math.nan, math.inf, -math.inf, True, "2.5e-3", None, [1.0]):
        with pytest.raises(burden.InputError, match="hm_carbon_T"):
            p.with_overrides({"hm_carbon_T": bad})
    assert p.with_overrides({"hm_carbon_T": 3}).hm_carbon_T == 3.0  # an int is a number
    assert p.with_overrides({}) is p


def test_parameters_are_immutable_picklable_and_round_trip():
    p = ModelParameters.default().with_overrides({"hm_carbon_T": 2.6e-3, "slag_kj_per_kg": 1800.0})
    with pytest.raises(AttributeError):
        p.hm_carbon_T = 1.0
    q = p.hm_carbon
    q["T"] = 0.0  # a copy
    assert p.hm_carbon_T == 2.6e-3 and p["hm_carbon_T"] == 2.6e-3
    assert pickle.loads(pickle.dumps(p)) == p
    assert ModelParameters.from_dict(p.to_dict()) == p
    assert p.overrides() == {"hm_carbon_T": 2.6e-3, "slag_kj_per_kg": 1800.0}
    assert p != ModelParameters.default() and hash(ModelParameters.from_dict({})) == hash(ModelParameters.default())


# -- scenarios -----------------------------------------------------------------------------

def test_scenario_parameters_section_inline_file_and_overrides(tmp_path):
    assert Scenario.from_file(BASE).parameters == ModelParameters.default()
    d = _data(BASE)
    d["parameters"] = {"hm_carbon_T": 2.5e-3}
    d["overrides"]["hot_tapping"] = {"parameters": {"hot_metal_kj_per_kg": 1300.0}}
    d["overrides"]["hotter"] = {"parameters": "more.toml"}
    (tmp_path / "more.toml").write_text("hm_carbon_T = 2.7e-3\n")
    (tmp_path / "calib.yaml").write_text("parameters:\n  slag_kj_per_kg: 1800.0\n")
    f = tmp_path / "scn.yaml"
    f.write_text(yaml.safe_dump(d))
    scn = Scenario.from_file(f)
    assert scn.parameters.overrides() == {"hm_carbon_T": 2.5e-3}
    # an override adds to the scenario's parameters, a later one wins
    assert Scenario.from_file(f, "hot_tapping").parameters.overrides() == {"hm_carbon_T": 2.5e-3,
                                                                          "hot_metal_kj_per_kg": 1300.0}
    assert Scenario.from_file(f, "hotter").parameters.hm_carbon_T == 2.7e-3
    # a file relative to the scenario file (YAML, names under parameters:)
    d["parameters"] = "calib.yaml"
    f.write_text(yaml.safe_dump(d))
    s2 = Scenario.from_file(f)
    assert s2.parameters.overrides() == {"slag_kj_per_kg": 1800.0}
    # the dumped config holds the values, not the file: it loads anywhere
    again = Scenario.from_dict(s2.config.model_dump())
    assert again.parameters == s2.parameters and again.config == s2.config


def test_unknown_parameter_in_a_scenario_names_the_file_and_field(tmp_path):
    d = _data(BASE)
    d["parameters"] = {"hm_carbon_Tx": 2.5e-3, "slag_kj_per_kg": ".nan"}
    f = tmp_path / "scn.yaml"
    f.write_text(yaml.safe_dump(d).replace("'.nan'", ".nan"))
    with pytest.raises(burden.InputError) as e:
        Scenario.from_file(f)
    fields = {p.field: p for p in e.value.problems}
    assert set(fields) == {"parameters.hm_carbon_Tx", "parameters.slag_kj_per_kg"}
    assert all(p.source == str(f) for p in e.value.problems)
    assert "did you mean 'hm_carbon_T'" in fields["parameters.hm_carbon_Tx"].message
    assert "hot_metal_kj_per_kg" in fields["parameters.hm_carbon_Tx"].message  # the known names
    assert "finite" in fields["parameters.slag_kj_per_kg"].message
    # in a parameter file: the problem names that file
    (tmp_path / "calib.yaml").write_text("hm_carbon_Tx: 2.5e-3\n")
    d["parameters"] = "calib.yaml"
    f.write_text(yaml.safe_dump(d))
    with pytest.raises(burden.InputError) as e:
        Scenario.from_file(f)
    (p,) = e.value.problems
    assert p.source == str(tmp_path / "calib.yaml") and p.field == "hm_carbon_Tx"
    d["parameters"] = "missing.yaml"
    f.write_text(yaml.safe_dump(d))
    with pytest.raises(burden.InputError, match="parameters.*missing.yaml.*not found"):
        Scenario.from_file(f)


def test_hm_carbon_override_changes_the_correlation_by_the_hand_calculation():
    d = _data(BASE)
    d["parameters"] = {"hm_carbon_T": 2.45e-3 + 1.0e-4}
    scn = Scenario.from_dict(d)
    t = scn.config.hot_metal.temperature_c
    args = (t, 0.09, 0.0, 0.03, 0.39, 0.45)
    dc = float(cb.hot_metal_carbon_pct(*args, coeffs=scn.parameters.hm_carbon) - cb.hot_metal_carbon_pct(*args))
    assert dc == pytest.approx(1.0e-4 * t, rel=1e-9)  # Δ[C] = Δk_T · T = 0.15 wt % at 1500 degC


def test_hm_carbon_override_changes_hot_metal_carbon_in_the_lp():
    base = burden.solve(BASE).raise_for_status()
    d = _data(BASE)
    d["parameters"] = {"hm_carbon_T": 2.45e-3 + 1.0e-4}
    res = burden.solve(Scenario.from_dict(d)).raise_for_status()
    t = 1500.0
    # [P], [Mn] move slightly with the burden; compare the correlation's own terms
    assert res.hot_metal.loc["C", "pct"] - base.hot_metal.loc["C", "pct"] == pytest.approx(1.0e-4 * t, abs=2e-3)


def test_heat_constant_overrides_move_the_nonlinear_coke_rate():
    base = burden.solve(NONLINEAR).raise_for_status()

    def coke(**params):
        d = _data(NONLINEAR)
        d["parameters"] = params
        scn = Scenario.from_dict(d)
        res = burden.solve(scn).raise_for_status()
        return res.x["coke"] + res.x["nut_coke"] + res.x["pci"]

    # the fuel rate (the base optimum has coke at its minimum: PCI takes the change)
    c0 = base.x["coke"] + base.x["nut_coke"] + base.x["pci"]
    # more heat carried out by the hot metal or the slag: more coke; less: less coke
    # (the optimum may also move the burden, so only the heat-demand terms are clean)
    assert coke(hot_metal_kj_per_kg=1300.0) > c0 + 1.0
    assert coke(hot_metal_kj_per_kg=1180.0) < c0 - 1.0
    assert coke(slag_kj_per_kg=1900.0) > c0 + 0.5


def test_process_model_reads_the_scenario_parameters():
    from burden.model import build
    from burden.process import FurnaceModel

    d = _data(NONLINEAR)
    d["parameters"] = {"slag_kj_per_kg": 1800.0, "injectant_decomposition_kj_per_kg": 1100.0}
    fm = FurnaceModel(build(Scenario.from_dict(d)))
    assert fm.heat_constants["slag_kj_per_kg"] == 1800.0
    assert fm.coal_decomposition_kj_per_kg == 1100.0
    assert fm.hm_carbon == ModelParameters.default().hm_carbon


def test_a_heat_constant_must_be_a_positive_magnitude():
    from burden.scenario import read_scenario_file

    d = read_scenario_file(BASE)
    d["parameters"] = {"slag_kj_per_kg": -5}
    with pytest.raises(burden.InputError, match="parameters.slag_kj_per_kg.*magnitudes > 0"):
        Scenario.from_dict(d)


def test_distribution_and_sulphur_defaults_are_parameters():
    from burden.scenario import Distribution, SulphideCapacity

    d, sc, p = Distribution(), SulphideCapacity(), ModelParameters.default()
    for k in Distribution.model_fields:
        assert getattr(d, k) == p[f"distribution_{k}"]
    assert (sc.plant_factor, sc.oxygen_activity, sc.sulphur_activity_coefficient) == \
        (p.ls_plant_factor, p.hm_oxygen_activity, p.hm_sulphur_activity_coefficient)


def test_a_distribution_parameter_acts_like_the_distribution_setting_unless_written_there():
    from burden.scenario import read_scenario_file

    d = read_scenario_file(BASE)
    via_param = dict(d, parameters={"distribution_Mn_to_hot_metal": 0.8})
    via_setting = dict(d, distribution={"Mn_to_hot_metal": 0.8})
    a = burden.solve(Scenario.from_dict(via_param, base_dir=BASE.parent)).raise_for_status()
    b = burden.solve(Scenario.from_dict(via_setting, base_dir=BASE.parent)).raise_for_status()
    assert a.objective == pytest.approx(b.objective, rel=1e-12)
    assert a.hot_metal.loc["Mn", "kg_per_thm"] == pytest.approx(b.hot_metal.loc["Mn", "kg_per_thm"], rel=1e-12)
    both = dict(d, parameters={"distribution_Mn_to_hot_metal": 0.8}, distribution={"Mn_to_hot_metal": 0.6})
    c = Scenario.from_dict(both, base_dir=BASE.parent)
    assert c.config.distribution.Mn_to_hot_metal == 0.6          # the written setting wins
    again = Scenario.from_dict(Scenario.from_dict(via_param, base_dir=BASE.parent).config.model_dump())
    assert burden.solve(again).objective == pytest.approx(a.objective, rel=1e-12)
    with pytest.raises(burden.InputError, match="distribution_Mn_to_hot_metal.*percent"):
        Scenario.from_dict(dict(d, parameters={"distribution_Mn_to_hot_metal": 70}), base_dir=BASE.parent)


def test_the_ls_plant_factor_parameter_reaches_the_nonlinear_model():
    from burden.scenario import read_scenario_file

    nl = BASE.parent / "nonlinear.yaml"
    d = read_scenario_file(nl)
    sc = dict(d["sulphide_capacity"])
    sc.pop("plant_factor", None)
    a = Scenario.from_dict(dict(d, sulphide_capacity=sc, parameters={"ls_plant_factor": 2.5}), base_dir=nl.parent)
    assert a.config.sulphide_capacity.plant_factor == 2.5
