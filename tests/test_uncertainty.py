"""Uncertain analyses: Monte Carlo of a fixed burden, chance-constrained burdens, the scenario section.

Reference values are computed independently of :mod:`burden.uncertainty`: a limit row
``num − θ·den`` is linear in the analysis deviations for a fixed burden, so with normal
deviations its violation probability is a normal tail, Φ(−body/σ_body), with body and
σ_body written out by hand from the burden's quantities (kg/tHM) and the standard deviations.
Monte Carlo estimates are compared within 4 binomial standard errors.
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import norm

import burden
from burden.errors import InputError
from burden.scenario import Scenario, read_scenario_file

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.yaml"
SIGMA = {"sinter": {"SiO2": 0.25, "CaO": 0.45}}


def scenario(unc: dict, **changes) -> Scenario:
    d = read_scenario_file(BASE)
    d["uncertainty"] = unc
    for k, v in changes.items():
        sec, _, key = k.partition(".")
        d[sec] = {**d[sec], key: v}
    return Scenario.from_dict(d, base_dir=BASE.parent, source=str(BASE))


def se(p: float, n: int) -> float:
    return math.sqrt(p * (1 - p) / n)


@pytest.fixture(scope="module")
def base_result():
    return burden.solve(scenario({"analyses": SIGMA, "samples": 4000, "seed": 1, "confidence": 0.95}))


@pytest.fixture(scope="module")
def wide_results():
    """B2 window 1.00-1.30 (wider than the basicity noise): SOC and Bertsimas-Sim, per row and jointly."""
    out = {}
    for method, alloc in (("soc", "per_row"), ("bertsimas_sim", "per_row"), ("soc", "joint")):
        unc = {"analyses": SIGMA, "samples": 4000, "seed": 3, "confidence": 0.95, "method": method,
               "allocation": alloc}
        out[method, alloc] = burden.solve(scenario(unc, **{"slag.B2": {"min": 1.00, "max": 1.30}}))
    return out


def test_binding_b2_of_the_nominal_optimum_is_violated_half_the_time(base_result):
    res = base_result
    assert "slag.B2.max" in res.binding.index  # the nominal optimum sits on the B2 maximum
    ua = res.uncertainty
    p = ua.nominal.violation_probability["slag.B2.max"]
    assert 0.3 <= p <= 0.7
    # a binding row has body 0: exactly 1/2 for normal deviations, within 4 standard errors
    assert abs(p - 0.5) <= 4 * se(0.5, 4000)
    # jointly: at least the worst single limit
    vp = ua.nominal.violation_probability
    assert vp["joint"] >= max(v for k, v in vp.items() if k != "joint")


def test_monte_carlo_matches_normal_tail_of_b2_min(base_result):
    """P(B2 < 1.10) at the optimum: body = CaO − 1.10·SiO2 (slag, kg/tHM) is normal with
    σ_body = x_sinter·sqrt(σ_CaO² + 1.10²·σ_SiO2²) (kg/kg), both by hand."""
    res = base_result
    x_s = res.x["sinter"]
    body = res.quantity("slag.CaO") - 1.10 * res.quantity("slag.SiO2")
    s_body = x_s * math.hypot(0.0045, 1.10 * 0.0025)
    p_exact = norm.cdf(-body / s_body)
    p_mc = res.uncertainty.nominal.violation_probability["slag.B2.min"]
    assert 0.02 < p_exact < 0.2
    assert abs(p_mc - p_exact) <= 4 * se(p_exact, 4000)


def test_monte_carlo_matches_normal_tail_of_a_load_linear_in_one_analysis_value():
    """Phosphorus load Σ x_j·P_j with σ on the sinter's P only: normal with σ = x_sinter·σ_P;
    σ_P chosen so the 1.2 kg/tHM maximum lies one σ above the load: P = 1 − Φ(1) = 0.1587."""
    res0 = burden.solve(BASE)
    x_s = res0.x["sinter"]
    mu = res0.quantity("load.phosphorus")
    sigma_pct = 100.0 * (1.2 - mu) / x_s
    res = burden.solve(scenario({"analyses": {"sinter": {"P": sigma_pct}}, "samples": 20000, "seed": 7}))
    assert np.allclose(res.x.to_numpy(), res0.x.to_numpy())  # the section does not change the optimum
    p_exact = 1.0 - norm.cdf(1.0)
    p_mc = res.uncertainty.nominal.violation_probability["loads.phosphorus_kg_per_thm.max"]
    assert abs(p_mc - p_exact) <= 4 * se(p_exact, 20000)
    # and σ given as P2O5 scatters P by its mass fraction 2·30.974/141.943
    frac = 2 * 30.973762 / (2 * 30.973762 + 5 * 15.999)
    res2 = burden.solve(scenario({"analyses": {"sinter": {"P2O5": sigma_pct / frac}}, "samples": 20000, "seed": 7}))
    p2 = res2.uncertainty.nominal.violation_probability["loads.phosphorus_kg_per_thm.max"]
    assert abs(p2 - p_mc) <= 0.002


def test_base_window_is_narrower_than_the_basicity_noise(base_result):
    """B2 1.10-1.20 cannot hold both ends at 95 %: it needs 2·z·σ_B2 (σ_B2 by hand at the optimum)."""
    res = base_result
    ua = res.uncertainty
    x_s, b2 = res.x["sinter"], res.quantity("slag.CaO") / res.quantity("slag.SiO2")
    s_b2 = x_s * math.hypot(0.0045, b2 * 0.0025) / res.quantity("slag.SiO2")
    w = {x["limit"]: x for x in ua.windows}["slag.B2"]
    assert w["sigma"] == pytest.approx(s_b2, rel=1e-9)
    assert w["min_width_at_confidence"] == pytest.approx(2 * norm.ppf(0.95) * s_b2, rel=1e-9)
    assert w["narrower_than_noise"] and w["width"] == pytest.approx(0.1)
    # the Monte Carlo spread agrees with the first-order σ (B2 is a ratio: within 3 %)
    i = ua.nominal.rows.names.index("slag.B2.max")
    assert np.std(ua.nominal.values[:, i], ddof=1) == pytest.approx(s_b2, rel=0.03)
    ch = ua.chance
    assert ch.status == "infeasible" and "slag.B2" in ch.message and "narrower than the analysis noise" in ch.message
    d = res.to_dict()["uncertainty"]
    assert d["narrow_windows"] == ["slag.B2"]
    assert "narrower than the analysis noise" in res.summary()


@pytest.mark.parametrize("method", ["soc", "bertsimas_sim"])
def test_chance_constrained_burden_holds_its_limits(wide_results, method):
    res = wide_results[method, "per_row"]
    ua = res.uncertainty
    ch = ua.chance
    assert ch.status == "optimal"
    vp_nom = ua.nominal.violation_probability
    vp = ch.monte_carlo.violation_probability
    assert max(vp_nom.values()) > 0.4  # the nominal optimum sits on limits
    for name in ua.nominal.rows.names:
        assert vp[name] <= 0.07, (name, vp[name])
    # robustness costs money, the cost of robustness is the difference of the two optima
    assert ch.objective > res.objective + 0.1
    assert ch.cost_of_robustness_per_thm == pytest.approx(ch.objective - res.objective, abs=1e-12)
    assert ch.cost_of_robustness_pct == pytest.approx(100 * (ch.objective - res.objective) / res.objective)
    # the robust burden meets every nominal row too
    z = ch.z
    comp = res.problem.formulation.compile()
    Az = comp.A @ z
    assert np.all(Az >= comp.row_lower - 1e-6) and np.all(Az <= comp.row_upper + 1e-6)


def test_soc_rows_hold_exactly_at_the_confidence(wide_results):
    """At the SOC optimum each active robust row has body = z·σ_body: its normal tail is 5 % (by hand for B3)."""
    res = wide_results["soc", "per_row"]
    ch = res.uncertainty.chance
    x = dict(zip(res.problem.materials, ch.z[: len(res.problem.materials)]))
    q = res.problem.quantities.values(ch.z)
    body = 1.45 * q["slag.SiO2"] - q["slag.CaO"] - q["slag.MgO"]
    s_body = x["sinter"] * math.hypot(0.0045, 1.45 * 0.0025)
    assert norm.cdf(-body / s_body) == pytest.approx(0.05, abs=2e-4)


def test_joint_allocation_bounds_the_joint_violation(wide_results):
    per_row = wide_results["soc", "per_row"].uncertainty.chance
    joint = wide_results["soc", "joint"].uncertainty.chance
    assert per_row.monte_carlo.violation_probability["joint"] > 0.07
    assert joint.monte_carlo.violation_probability["joint"] <= 0.07
    assert joint.objective > per_row.objective
    assert joint.row_confidence > 0.99


def test_same_seed_same_numbers_other_seed_other_numbers():
    unc = {"analyses": SIGMA, "samples": 500, "seed": 11}
    a = burden.solve(scenario(unc))
    b = burden.solve(scenario(unc))
    c = burden.solve(scenario({**unc, "seed": 12}))
    assert a.to_json() == b.to_json()
    assert np.array_equal(a.uncertainty.nominal.values, b.uncertainty.nominal.values)
    assert not np.array_equal(a.uncertainty.nominal.values, c.uncertainty.nominal.values)
    assert a.uncertainty.nominal.samples == 500


def test_sigmas_from_a_table_and_from_lot_history(tmp_path, monkeypatch):
    (tmp_path / "sigmas.csv").write_text("material,component,sigma_pct\nsinter,SiO2,0.25\nsinter,CaO,0.3\n")
    lots = {"SiO2": [5.1, 5.6, 5.4, 5.8, 5.3], "CaO": [9.5, 10.2, 9.9, 10.4, 9.6], "MgO": [1.7, 1.8, 1.75, 1.9, 1.6]}
    rows = ["material,lot,SiO2,CaO,MgO"] + [f"sinter,{i},{lots['SiO2'][i]},{lots['CaO'][i]},{lots['MgO'][i]}"
                                             for i in range(5)]
    (tmp_path / "lots.csv").write_text("\n".join(rows) + "\n")
    from burden.uncertainty import resolve_noise

    d = read_scenario_file(BASE)
    d["uncertainty"] = {"analyses_table": "sigmas.csv", "history": "lots.csv", "analyses": {"sinter": {"CaO": 0.45}}}
    scn = Scenario.from_dict(d, base_dir=tmp_path, source=str(tmp_path / "s.yaml"))
    nz = resolve_noise(scn.config.uncertainty, scn.materials)
    t = {(r["material"], r["component"]): r for r in nz.table()}
    assert t["sinter", "CaO"]["sigma_pct"] == 0.45 and t["sinter", "CaO"]["source"] == "analyses"
    assert t["sinter", "SiO2"]["sigma_pct"] == 0.25 and t["sinter", "SiO2"]["source"] == "analyses_table"
    assert t["sinter", "MgO"]["sigma_pct"] == pytest.approx(statistics.stdev(lots["MgO"]), rel=1e-12)
    assert nz.independent
    # correlated: the lots' sample covariance (only between values taken from the history)
    d["uncertainty"] = {"history": "lots.csv", "correlated": True}
    scn = Scenario.from_dict(d, base_dir=tmp_path, source=str(tmp_path / "s.yaml"))
    nz = resolve_noise(scn.config.uncertainty, scn.materials)
    i, j = nz.pairs.index(("sinter", "SiO2")), nz.pairs.index(("sinter", "CaO"))
    assert nz.cov[i, j] == pytest.approx(statistics.covariance(lots["SiO2"], lots["CaO"]) / 1e4, rel=1e-12)
    assert not nz.independent
    C = nz.chol
    assert np.allclose(C @ C.T, nz.cov, atol=1e-15)
    res = burden.solve(scn)
    assert 0.3 <= res.uncertainty.nominal.violation_probability["slag.B2.max"] <= 0.7
    # the file is stored absolute: a dumped config loads again from anywhere
    monkeypatch.chdir(ROOT)
    again = Scenario.from_dict(scn.config.model_dump(mode="json"), source=scn.source)
    assert again.config == scn.config
    assert burden.solve(again).to_json() == res.to_json()


def test_closure_keeps_the_total(base_result):
    """closure: proportional: a deviation of the sinter's SiO2 dilutes its other constituents
    (P among them) so the total stays: d(P load)/dδ = −x_sinter·P_sinter/(total − SiO2)."""
    from burden.uncertainty import resolve_noise, row_model

    scn = scenario({"analyses": {"sinter": {"SiO2": 0.25}}, "closure": "proportional"})
    prob = burden.build(scn)
    nz = resolve_noise(scn.config.uncertainty, scn.materials)
    rm = row_model(prob, nz)
    res = burden.solve(prob)
    z = res.output.primal
    Gn, _ = rm.gradients(z)
    i = rm.names.index("loads.phosphorus_kg_per_thm.max")
    m = scn.materials["sinter"]
    expect = -res.x["sinter"] * (m.analysis["P"] / 100) / ((m.total_pct - m.analysis["SiO2"]) / 100)
    assert Gn[i, 0] == pytest.approx(expect, rel=1e-12)
    # without closure the P load does not depend on SiO2
    rm0 = row_model(res.problem, resolve_noise(scenario({"analyses": {"sinter": {"SiO2": 0.25}}}).config.uncertainty,
                                               scn.materials))
    assert "loads.phosphorus_kg_per_thm.max" not in rm0.names


def test_bad_sections_name_field_and_fix(tmp_path):
    cases = [
        ({"analyses": {"sinterr": {"SiO2": 0.25}}}, "uncertainty.analyses.sinterr.SiO2", "not a charged material"),
        ({"analyses": {"sinter": {"FeO": 0.25}}}, "uncertainty.analyses.sinter.FeO", "give TFe"),
        ({"analyses": {"sinter": {"SiO2": -1}}}, "uncertainty.analyses", "not a standard deviation"),
        ({"analyses": {"sinter": {"SiO2": True}}}, "uncertainty.analyses", "yes/no"),
        ({"analyses": SIGMA, "confidence": 95}, "uncertainty.confidence", "write 0.95"),
        ({"analyses": SIGMA, "samples": 10}, "uncertainty.samples", "100"),
        ({"history": "nothere.csv"}, "uncertainty.history", "not found"),
        ({}, "uncertainty", "give the standard deviations"),
        ({"analyses": {"sinter": {"SiO2": 0}}}, "uncertainty", "nothing scatters"),
        ({"analyses": {"sintr": {"SiO2": 0.2}}}, "uncertainty.analyses.sintr.SiO2", "did you mean 'sinter'"),
        ({"analyses": SIGMA, "budget": 1}, "uncertainty", "bertsimas_sim"),
        ({"analyses": SIGMA, "methd": "soc"}, "uncertainty.methd", "did you mean 'method'"),
    ]
    for unc, field, words in cases:
        with pytest.raises(InputError) as e:
            scenario(unc)
        msgs = [(p.field, p.message) for p in e.value.problems]
        assert any(f == field and words in m for f, m in msgs), (unc, msgs)
    (tmp_path / "lots.csv").write_text("material,SiO2\nsinter,5.1\nsinter,abc\n")
    d = read_scenario_file(BASE)
    d["uncertainty"] = {"history": "lots.csv"}
    with pytest.raises(InputError) as e:
        Scenario.from_dict(d, base_dir=tmp_path)
    assert any("row 3" in p.field and "not a number" in p.message for p in e.value.problems)


def test_cli_json_and_report_section(tmp_path):
    d = read_scenario_file(BASE)
    d["uncertainty"] = {"analyses": SIGMA, "samples": 1000, "seed": 2}
    d["materials"] = ["default"]
    import yaml

    f = tmp_path / "u.yaml"
    f.write_text(yaml.safe_dump(d))
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run([sys.executable, "-m", "burden", "solve", str(f), "--json", "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    u = json.loads(out.stdout)["uncertainty"]
    assert set(u["violation_probability"]) >= {"slag.B2.max", "joint"}
    assert 0.3 <= u["violation_probability"]["slag.B2.max"] <= 0.7
    saved = json.loads((tmp_path / "o" / "base" / "result.json").read_text())
    assert saved["uncertainty"] == u
    from burden.report.content import ReportOptions, build_report

    res = burden.solve(Scenario.from_file(f))
    rep = build_report(res, ReportOptions(formats=("html",), plots=True))
    sec = {s.key: s for s in rep.sections}["uncertainty"]
    names = [getattr(i, "name", "") for i in sec.items]
    assert {"uncertainty_analyses", "uncertainty_violations", "uncertainty_histograms"} <= set(names)
    t = rep.tables()["uncertainty_violations"].df
    assert t.iloc[-1]["P(violation) at optimum [-]"] == u["violation_probability"]["joint"]
    assert "<svg" in rep.figures()["uncertainty_histograms"].svg


def test_bertsimas_sim_with_root_k_budget_is_at_least_as_safe_as_the_cone(wide_results):
    """With Γ = √K the budget protection is never below z·σ_body, so its burden meets every
    cone row (by hand for B3 <= 1.45) and costs at least as much as the SOC optimum."""
    soc = wide_results["soc", "per_row"].uncertainty.chance
    res = wide_results["bertsimas_sim", "per_row"]
    bs = res.uncertainty.chance
    assert bs.budget["slag.B3.max"] == pytest.approx(math.sqrt(2))
    assert bs.objective >= soc.objective - 1e-6
    q = res.problem.quantities.values(bs.z)
    x_s = bs.z[res.problem.x_block.col("sinter")]
    body = 1.45 * q["slag.SiO2"] - q["slag.CaO"] - q["slag.MgO"]
    assert body >= norm.ppf(0.95) * x_s * math.hypot(0.0045, 1.45 * 0.0025) - 1e-9


def test_a_given_burden_is_evaluated_like_the_optimum(base_result):
    from burden.uncertainty import fixed_burden

    res = base_result
    mc = fixed_burden(res.problem, res.x.to_dict())
    assert mc.violation_probability == res.uncertainty.nominal.violation_probability
    # today's burden: 100 kg less sinter, 100 kg more pellets -> lower B2, fewer B2.max violations
    rates = res.x.to_dict()
    rates["sinter"] -= 100
    rates["pellets"] += 100
    mc2 = fixed_burden(res.problem, rates, samples=2000, seed=5)
    assert mc2.samples == 2000
    assert mc2.violation_probability["slag.B2.max"] < 0.3
    with pytest.raises(InputError) as e:
        fixed_burden(res.problem, {"sinter": -1, "pellet": 3})
    fields = {p.field for p in e.value.problems}
    assert {"rates.sinter", "rates.pellet", "rates.pellets"} <= fields


def test_a_mix_window_is_among_the_rows_the_scatter_moves():
    """A chemistry window on the ferrous mix (a quantity over a group of materials) depends on the
    sinter's SiO2: with σ 0.25 on it, the mix SiO2 scatters with sd = x_sinter/Σx_ferrous·0.25;
    a max one sd above the optimum's value is violated with P = 1 − Φ(1) = 0.1587 (within 4 SE)."""
    import math

    base = burden.load_scenario(ROOT / "scenarios" / "base.yaml")
    d = base.config.model_dump()
    d["mixes"] = {"ferrous": {"materials": "ferrous", "SiO2_pct": {"max": 99.0}}}
    nominal = burden.solve(burden.Scenario.from_dict(d)).raise_for_status()
    x, M = nominal.x, nominal.scenario.materials
    fer = [k for k in x.index if M[k].material_class.value == "ferrous"]
    mean = nominal.constraints.loc["mixes.ferrous.SiO2_pct.max", "value"]
    sd = x["sinter"] / sum(x[k] for k in fer) * 0.25
    d["mixes"]["ferrous"]["SiO2_pct"] = {"max": mean + sd}
    d["uncertainty"] = {"analyses": {"sinter": {"SiO2": 0.25}}, "samples": 20000, "seed": 7}
    res = burden.solve(burden.Scenario.from_dict(d)).raise_for_status()
    assert res.x.to_numpy() == pytest.approx(x.to_numpy(), rel=1e-9, abs=1e-9)   # the window does not bind
    p = res.uncertainty.nominal.violation_probability["mixes.ferrous.SiO2_pct.max"]
    expect = 0.5 * math.erfc(1 / math.sqrt(2))
    assert abs(p - expect) <= 4 * math.sqrt(expect * (1 - expect) / 20000)


def test_the_input_hash_follows_the_uncertainty_files_content(tmp_path):
    """A daily job skips a run whose input hash it has seen: the lot history and sigma table
    enter the hash by their content (an edited history is a new input; the same files in
    another folder are the same input)."""
    from burden.scenario import input_hash

    rows = "material,lot,SiO2,CaO\nsinter,1,5.1,9.5\nsinter,2,5.6,10.2\nsinter,3,5.4,9.9\n"
    hashes = []
    for folder, text in (("a", rows), ("b", rows), ("c", rows.replace("5.6", "5.9"))):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "lots.csv").write_text(text)
        (tmp_path / folder / "sigmas.csv").write_text("material,component,sigma_pct\nsinter,MgO,0.1\n")
        d = read_scenario_file(BASE)
        d["uncertainty"] = {"history": "lots.csv", "analyses_table": "sigmas.csv"}
        scn = Scenario.from_dict(d, base_dir=tmp_path / folder, source=str(tmp_path / folder / "s.yaml"))
        hashes.append(input_hash(scn))
    assert hashes[0] == hashes[1]
    assert hashes[2] != hashes[0]


def test_a_component_every_lot_reads_the_same_has_no_scatter(tmp_path):
    """Lots that all read MgO 1.85 give σ = 0 exactly (np.cov leaves 2.7e-16 of rounding)."""
    from burden.uncertainty import resolve_noise

    rows = "material,lot,SiO2,MgO\nsinter,1,5.1,1.85\nsinter,2,5.6,1.85\nsinter,3,5.4,1.85\n"
    (tmp_path / "lots.csv").write_text(rows)
    d = read_scenario_file(BASE)
    d["uncertainty"] = {"history": "lots.csv", "correlated": True}
    scn = Scenario.from_dict(d, base_dir=tmp_path, source=str(tmp_path / "s.yaml"))
    t = {(r["material"], r["component"]): r for r in resolve_noise(scn.config.uncertainty, scn.materials).table()}
    assert ("sinter", "MgO") not in t or t["sinter", "MgO"]["sigma_pct"] == 0.0
    assert t["sinter", "SiO2"]["sigma_pct"] == pytest.approx(statistics.stdev([5.1, 5.6, 5.4]), rel=1e-12)
