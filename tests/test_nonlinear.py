"""The nonlinear model: optimality and agreement of two paths, direction tests, correction factors."""

import copy
import subprocess
import sys

import numpy as np
import pytest
import yaml

import burden
from burden.nonlinear import HBBF_FACTORS, lp_with_fixed_fuels, sensitivity
from conftest import SCENARIOS

NL = yaml.safe_load((SCENARIOS / "nonlinear.yaml").read_text())


def solve(data, solver="highs"):
    return burden.solve(burden.Scenario.from_dict(data, base_dir=SCENARIOS), solver=solver)


@pytest.fixture(scope="module")
def base():
    return burden.solve(SCENARIOS / "nonlinear.yaml").raise_for_status()


def test_optimum_satisfies_every_constraint_to_1e_6_relative(base):
    nl = base.nonlinear
    assert nl.output.status == "optimal"
    assert nl.nlp.relative_violation(nl.z) < 1e-6
    # independent checks of what the rows mean
    st = nl.state
    c = st["carbon"]
    assert c["supply_fixed_carbon"] == pytest.approx(float(c["demand"]), rel=1e-6)
    hb = st["heat"]
    assert float(hb.expenditure["losses"]) == pytest.approx(450e3, rel=1e-12)     # heat_loss_mj_per_thm: 450
    lz = st["lower_zone"]                                   # the lower-zone balance closes
    lin, lout = sum(map(float, lz["income"].values())), sum(map(float, lz["expenditure"].values()))
    assert lin == pytest.approx(lout, rel=1e-6)
    assert 100 - 1e-3 <= float(st["top_gas_temperature_c"]) <= 300 + 1e-3
    assert float(st["shaft_efficiency_pct"]) <= 95 * (1 + 1e-6)
    assert 2050 - 1e-3 <= float(st["raft_c"]) <= 2250 + 1e-3
    assert float(st["viscosity_pa_s"]) <= 0.6 * (1 + 1e-6)
    assert float(st["sulphur_eq_pct"]) <= 0.030 * (1 + 1e-6)
    b = nl.blast_table()
    assert 1050 - 1e-9 <= b.loc["blast_temperature_c", "value"] <= 1200 + 1e-9
    assert 0 - 1e-9 <= b.loc["oxygen_enrichment_pct", "value"] <= 6 + 1e-9
    assert 100 - 1e-6 <= base.x["pci"] <= 220 + 1e-6
    assert base.x["coke"] >= 250 - 1e-6
    assert base.balance["closure_pct"].abs().max() < 1e-9


def test_the_two_nonlinear_paths_agree(base):
    other = burden.solve(SCENARIOS / "nonlinear.yaml", solver="slsqp").raise_for_status()
    assert base.nonlinear.output.solver == "slp" and other.nonlinear.output.solver == "slsqp"
    assert other.objective == pytest.approx(base.objective, rel=1e-3)
    assert np.max(np.abs(other.x.values - base.x.values)) < 1.0
    for s in ("blast_temperature_c", "oxygen_enrichment_pct", "blast_dry_nm3"):
        assert other.nonlinear.setting(s) == pytest.approx(base.nonlinear.setting(s), rel=1e-3, abs=1e-2)


def test_lp_with_the_nonlinear_fuel_rates_fixed_reproduces_the_burden(base):
    x = lp_with_fixed_fuels(base)
    np.testing.assert_allclose(x, base.x.values, atol=1e-6)


def test_pci_above_coke_parity_goes_to_its_lower_bound(base):
    cf = base.nonlinear.correction_factors
    # the optimum lies on the W-point limit: its marginal replacement keeps the shaft efficiency
    ratio = -cf.loc["pci_kg_per_thm", "coke_change_at_w_point_kg_per_thm"] / 10.0   # kg coke per kg PCI
    parity = ratio * 380.0                                  # coke price 380 USD/t
    d = copy.deepcopy(NL)
    d["charge"]["coke"] = {"min_kg_per_thm": 150}           # the base optimum has coke at its 250 minimum
    d["charge"]["pci"]["price_per_t"] = parity * 1.2
    r = solve(d).raise_for_status()
    assert r.x["pci"] == pytest.approx(100.0, abs=1e-6)
    d["charge"]["pci"]["price_per_t"] = parity * 0.8        # below parity: as much as RAFT allows
    r2 = solve(d).raise_for_status()
    assert r2.x["pci"] > 120


def test_a_lower_raft_minimum_allows_more_pci(base):
    assert base.nonlinear.constraint_table().loc["raft_c", "binding"]
    d = copy.deepcopy(NL)
    d["charge"]["coke"] = {"min_kg_per_thm": 150}           # the base optimum has coke at its 250 minimum
    d["charge"]["pci"]["max_kg_per_thm"] = 300
    r0 = solve(d).raise_for_status()
    assert r0.nonlinear.constraint_table().loc["raft_c", "binding"]
    d["raft_c"]["min"] = 2000
    r = solve(d).raise_for_status()
    assert r.x["pci"] > r0.x["pci"] + 5
    assert r.objective < r0.objective


def test_more_sulphur_in_coke_raises_slag_basicity_or_rate(base):
    scn = burden.load_scenario(SCENARIOS / "nonlinear.yaml")
    mats = dict(scn.materials)
    a = dict(mats["coke"].analysis)
    a["S"] = 1.08                                           # from 0.48 % (1.1 % is more than the slag can hold)
    mats["coke"] = mats["coke"].with_changes(analysis=a)
    r = burden.solve(burden.Scenario(scn.config, mats, scn.lost_burden, scn.source)).raise_for_status()
    sp0, sp1 = base.slag_properties["value"], r.slag_properties["value"]
    # B2 and the slag rate are at their maxima in the base optimum: the sulphur costs money instead
    assert (sp1["B2"] > sp0["B2"] + 1e-4 or sp1["rate_kg_per_thm"] > sp0["rate_kg_per_thm"] + 0.5
            or r.objective > base.objective + 0.01)
    assert r.nonlinear.constraint_table().loc["slag.sulphur_capacity", "binding"]


def test_higher_blast_temperature_lowers_the_coke_rate():
    cokes = []
    for tb in (1100, 1150, 1200):
        d = copy.deepcopy(NL)
        d["blast"]["temperature_c"] = tb
        d["charge"]["pci"] = {"fixed_kg_per_thm": 120}
        d.pop("raft_c")
        cokes.append(solve(d).raise_for_status().x["coke"])
    assert cokes[0] > cokes[1] > cokes[2]
    # about 1.4 kg/tHM per 10 degC (HBBF, PRIMER §4)
    assert 0.5 < (cokes[0] - cokes[2]) / 10 < 3.0


def test_implied_correction_factors_match_the_hbbf_table_in_sign_and_magnitude(base):
    cf = base.nonlinear.correction_factors
    for name, (change, hbbf) in HBBF_FACTORS.items():
        if name == "direct_reduction_degree":
            continue  # the lower zone pays for direct reduction in full: checked in test_fuel_model.py
        ours = cf.loc[name, "coke_change_kg_per_thm"]
        assert cf.loc[name, "change"] == change
        assert np.sign(ours) == np.sign(hbbf), name
        assert 1 / 3 <= ours / hbbf <= 3, (name, ours, hbbf)
    # PCI replaces coke at 0.8-0.95 kg/kg (USTB-HW 0.8; PRIMER §4)
    assert 0.75 <= -cf.loc["pci_kg_per_thm", "coke_kg_per_thm_per_unit"] <= 0.95
    # more Si and more blast moisture cost coke
    assert cf.loc["hot_metal_Si_pct", "coke_change_kg_per_thm"] > 0
    assert cf.loc["blast_moisture_g_per_nm3", "coke_change_kg_per_thm"] > 0


def test_sensitivity_matches_the_shadow_prices_of_settings_at_bounds(base):
    sens = sensitivity(base)
    b = base.nonlinear.blast_table()
    at = [s for s in ("blast_temperature_c", "oxygen_enrichment_pct") if b.loc[s, "at_bound"]]
    assert at
    for s in at:
        assert sens.loc[s, "cost_USD_per_thm_per_unit"] == pytest.approx(b.loc[s, "shadow_price_per_unit"], rel=0.02)
    # blast moisture is fixed; the optimum's coke follows it at the operator rule's rate (PRIMER §4:
    # +0.8 to +1.1 kg per g/Nm3; +-35 %): its hydrogen lowers r_d on the W-point limit
    assert 0.52 <= sens.loc["blast_moisture_g_per_nm3", "coke_kg_per_thm_per_unit"] <= 1.49


def test_nonlinear_failure_is_explained_with_exit_code_3(tmp_path):
    d = copy.deepcopy(NL)
    d["raft_c"] = {"min": 2400, "max": 2500}
    d["blast"]["temperature_c"] = {"min": 1000, "max": 1100}
    r = solve(d)
    assert r.status == "infeasible"
    assert "raft_c" in r.explanation and "Last iterate" in r.explanation
    (tmp_path / "hot.yaml").write_text(yaml.safe_dump({**d, "materials": ["default"]}))
    p = subprocess.run([sys.executable, "-m", "burden", "solve", tmp_path / "hot.yaml", "--out", tmp_path / "o"],
                       capture_output=True, text=True)
    assert p.returncode == 3
    assert "raft_c" in p.stdout and "Traceback" not in p.stderr


def test_cli_solves_the_nonlinear_example(tmp_path):
    p = subprocess.run([sys.executable, "-m", "burden", "solve", SCENARIOS / "nonlinear.yaml", "--out", tmp_path],
                       capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "Process (slp" in p.stdout and "RAFT" in p.stdout
    names = {f.name for f in (tmp_path / "nonlinear").iterdir()}
    assert {"heat_balance.csv", "top_gas.csv", "blast.csv", "correction_factors.csv", "convergence.csv"} <= names


def test_plant_correction_factors_drive_the_coke_rate_in_the_lp():
    d = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
    d["charge"]["coke"] = {}
    d["charge"]["pci"] = {"min_kg_per_thm": 100, "max_kg_per_thm": 200}
    d["fuels"] = {"correction": {"coke": "coke", "coke_reference_kg_per_thm": 340, "factors": {
        "slag_kg_per_thm": {"per_unit": 0.16, "reference": 300},
        "pci_kg_per_thm": {"per_unit": -0.85, "reference": 160},
        "blast_temperature_c": {"per_unit": -0.14, "reference": 1150, "value": 1180}}}}
    r = solve(d).raise_for_status()
    slag = r.quantity("slag.total")
    expected = 340 + 0.16 * (slag - 300) - 0.85 * (r.x["pci"] - 160) - 0.14 * 30
    assert r.x["coke"] == pytest.approx(expected, abs=1e-6)
    t = r.extra_tables["correction_factors"]
    assert t["coke_change_kg_per_thm"].sum() == pytest.approx(r.x["coke"] - 340, abs=1e-6)
    # PCI is cheaper than the coke it replaces (190 < 0.85·380): PCI to its maximum
    assert r.x["pci"] == pytest.approx(200, abs=1e-6)


def test_process_sections_need_the_process_model():
    d = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
    d["raft_c"] = {"min": 2050}
    with pytest.raises(burden.InputError, match="needs the nonlinear model"):
        burden.Scenario.from_dict(d, base_dir=SCENARIOS)


def test_a_curved_optimum_agrees_with_slsqp():
    """With 1.08 % S in coke the optimum lies on the curved sulphur-capacity limit, not at a
    vertex, where plain SLP converges slowly: the HiGHS path (stalled SLP polished by SLSQP,
    as its convergence table records) and SLSQP alone reach the same optimum."""
    scn = burden.load_scenario(SCENARIOS / "nonlinear.yaml")
    mats = dict(scn.materials)
    a = dict(mats["coke"].analysis)
    a["S"] = 1.08
    mats["coke"] = mats["coke"].with_changes(analysis=a)
    s = burden.Scenario(scn.config, mats, scn.lost_burden, scn.source)
    r1 = burden.solve(s, solver="slp").raise_for_status()
    r2 = burden.solve(s, solver="slsqp").raise_for_status()
    assert r1.objective == pytest.approx(r2.objective, rel=1e-6)
    assert np.max(np.abs(r1.x.values - r2.x.values)) < 1.0
    assert r1.nonlinear.nlp.relative_violation(r1.nonlinear.z) < 1e-6
    assert r1.nonlinear.constraint_table().loc["slag.sulphur_capacity", "binding"]
    o = r1.nonlinear.output
    if o.solver == "slp+slsqp":
        assert "slsqp polish" in o.message
        conv = r1.extra_tables["convergence"]
        assert str(conv["iteration"].iloc[-2]).startswith("slsqp polish")


def test_rist_operating_line_closes_on_the_burden_oxygen(base):
    """y_A of the operating line = O removed from the iron oxides per Fe (Rist & Meysson 1965),
    computed independently from the burden's Fe2O3 and FeO (net of dust and slag FeO)."""
    from burden.chemistry.elements import molar_mass

    nl = base.nonlinear
    fm = nl.nlp.fm
    x = nl.z[: nl.nlp.n_mat]
    q = fm.quantities(x)
    o = ((fm.species(x, "Fe2O3") - fm.dust["Fe2O3"]) * 3 / molar_mass("Fe2O3")
         + (fm.species(x, "FeO") - fm.dust["FeO"] - q["slag.FeO"]) / molar_mass("FeO"))
    n_fe = q["hot_metal.Fe"] / molar_mass("Fe")
    rist = base.extra_tables["rist"]["value"]
    assert rist["y_A = O/Fe at the top"] == pytest.approx(float(o / n_fe), rel=1e-9)
    assert 1.3 < rist["y_A = O/Fe at the top"] < 1.5          # between magnetite (1.33) and hematite (1.5)
    assert 0 < rist["shaft efficiency"] < 100
    pts = base.extra_tables["rist_points"]
    assert list(pts.index) == ["E", "D", "A", "W"]


def test_nonlinear_results_are_deterministic():
    a = burden.solve(SCENARIOS / "nonlinear.yaml").to_json()
    b = burden.solve(SCENARIOS / "nonlinear.yaml").to_json()
    assert a == b


def test_price_ranges_of_the_nonlinear_optimum_hold(base):
    """Inside the reported price range the burden stays; just beyond it, it changes."""
    hi = base.burden.loc["pellets", "price_range_high_per_t"]
    assert base.burden.loc["pellets", "price_per_t"] <= hi
    xs = []
    for p in (hi - 0.05, hi * 1.01):
        d = copy.deepcopy(NL)
        d["charge"]["pellets"]["price_per_t"] = p
        xs.append(solve(d).raise_for_status().x["pellets"])
    assert xs[0] == pytest.approx(base.x["pellets"], abs=1e-3)
    assert abs(xs[1] - base.x["pellets"]) > 0.1       # a new vertex: the move grows with the price


def test_sensitivity_reports_both_one_sided_slopes_at_a_kink_not_a_central_value(base):
    """Issue 14: O2 enrichment's optimum is a kink (below it the RAFT floor binds and the coke
    moves fast; above it the fuel follows slowly).  Independent calculation: re-solve with O2
    fixed at v − h, v, v + h and form the slopes."""
    sens = sensitivity(base, settings=("oxygen_enrichment_pct",))
    r = sens.loc["oxygen_enrichment_pct"]
    v, h = float(r["value"]), float(r["step"])
    pts = {}
    for val in (v - h, v, v + h):
        d = copy.deepcopy(NL)
        d["blast"]["oxygen_enrichment_pct"] = {"min": val, "max": val}
        rr = solve(d).raise_for_status()
        pts[val] = (rr.objective, float(rr.x["coke"]))
    down = [(pts[v][i] - pts[v - h][i]) / h for i in (0, 1)]
    up = [(pts[v + h][i] - pts[v][i]) / h for i in (0, 1)]
    assert down[0] < 0 < up[0]                        # cost falls towards the optimum, rises after it
    assert abs(down[1] - up[1]) > 5.0                  # the coke's slopes differ on the two sides
    assert r["difference"] == "kink"
    assert np.isnan(r["cost_USD_per_thm_per_unit"]) and np.isnan(r["coke_kg_per_thm_per_unit"])
    assert r["cost_USD_per_thm_per_unit_down"] == pytest.approx(down[0], abs=1e-3)
    assert r["cost_USD_per_thm_per_unit_up"] == pytest.approx(up[0], abs=1e-3)
    assert r["coke_kg_per_thm_per_unit_down"] == pytest.approx(down[1], abs=1e-2)
    assert r["coke_kg_per_thm_per_unit_up"] == pytest.approx(up[1], abs=1e-2)
    # a smooth setting (blast moisture, fixed) keeps one central value equal to both sides
    m = sensitivity(base, settings=("blast_moisture_g_per_nm3",)).loc["blast_moisture_g_per_nm3"]
    assert m["difference"] == "central"
    assert m["cost_USD_per_thm_per_unit"] == pytest.approx(m["cost_USD_per_thm_per_unit_down"], rel=0.05)
    assert m["cost_USD_per_thm_per_unit"] == pytest.approx(m["cost_USD_per_thm_per_unit_up"], rel=0.05)
    # the terminal shows the two slopes and says kink
    from burden.terminal import sensitivity_lines

    text = "\n".join(sensitivity_lines(sens, "USD"))
    assert "kink: down" in text and "kink: up" in text and f"{down[0]:.4f}" in text
    assert max(len(line) for line in text.splitlines()) <= 100
    from burden.report.style import engineer_label

    assert engineer_label("cost_USD_per_thm_per_unit_down", "USD") == "cost, slope down [USD/tHM per unit]"
    assert engineer_label("coke_kg_per_thm_per_unit_up", "USD") == "coke, slope up [kg/tHM per unit]"
