"""CO2 by carbon mass balance, the emissions: section, carbon price, cap, and the Pareto front.

Independent numbers: the carbon balance is recomputed here from the packaged material table
(read with the csv module), the burden of the result and the USTB-NB [C] correlation with its
published coefficients, with molar masses typed from the IUPAC table (12.011, 15.999, 1.008).
"""

from __future__ import annotations

import csv
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

import burden
from burden.core.components import emissions as E
from burden.errors import InputError
from burden.pareto import pareto

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "base.yaml"
CO2 = ROOT / "scenarios" / "co2.yaml"
TABLE = ROOT / "src" / "burden" / "data" / "materials.csv"

M_C, M_O, M_H = 12.011, 15.999, 1.008
M_CO2, M_CO, M_CH4 = M_C + 2 * M_O, M_C + M_O, M_C + 4 * M_H


def _table() -> dict[str, dict[str, float]]:
    with open(TABLE, encoding="utf-8") as fh:
        rows = [line for line in fh if not line.startswith("#")]
    out = {}
    for r in csv.DictReader(rows):
        out[r["name"]] = {k: float(v) for k, v in r.items() if k not in ("name", "class", "price_basis", "description",
                                                                         "source") and v != ""}
    return out


def _carbon_pct(a: dict[str, float]) -> float:
    """wt % C of a table row: elemental C, volatile CO/CO2/CH4, carbonate CO2."""
    return (a.get("C", 0) + a.get("vm_CO", 0) * M_C / M_CO + a.get("vm_CO2", 0) * M_C / M_CO2
            + a.get("vm_CH4", 0) * M_C / M_CH4 + a.get("CO2", 0) * M_C / M_CO2)


def independent_co2(res, dust_kg: float = 15.0, upstream: dict | None = None, share: float = 0.0) -> float:
    """CO2 kg/tHM of a result's burden from the table, the hot metal and the [C] correlation."""
    tab = _table()
    x = res.x
    c_in = sum(x[k] * _carbon_pct(tab[k]) / 100.0 for k in x.index)
    hm = res.hot_metal["pct"]
    t = res.scenario.config.hot_metal.temperature_c
    # USTB-NB (PRIMER §3): [C] = 1.34 + 2.45e-3 T − 0.35[P] + 0.17[Ti] − 0.54[S] + 0.04[Mn] − 0.30[Si]
    c_pct = 1.34 + 2.45e-3 * t - 0.35 * hm["P"] + 0.17 * hm["Ti"] - 0.54 * hm["S"] + 0.04 * hm["Mn"] - 0.30 * hm["Si"]
    c_dust = dust_kg * _carbon_pct(tab["bf_dust"]) / 100.0
    co2 = (1 - share) * (c_in - 10 * c_pct - c_dust) * M_CO2 / M_C
    for k, f in (upstream or {}).items():
        co2 += f * x[k]
    return co2


def _scn(path=BASE, **emissions):
    d = yaml.safe_load(open(path, encoding="utf-8"))
    if emissions:
        em = dict(d.get("emissions") or {})
        em.update(emissions)
        d["emissions"] = em
    return burden.Scenario.from_dict(d, base_dir=path.parent, source=str(path))


@pytest.fixture(scope="module")
def base():
    return burden.solve(BASE)


@pytest.fixture(scope="module")
def co2_front():
    return pareto(_scn(CO2), 6)


# ----------------------------------------------------------------- the figure


def test_base_co2_matches_independent_carbon_balance(base):
    ind = independent_co2(base)
    assert base.co2_kg_per_thm == pytest.approx(ind, rel=0.01)
    # in fact far closer: the same numbers, two ways
    assert base.co2_kg_per_thm == pytest.approx(ind, rel=1e-6)
    assert 1300 < base.co2_kg_per_thm < 1700  # a blast furnace's direct CO2 (OPERATIONS §7: Tier-1 1.35 t/t)
    e = base.emissions
    assert e["gap_to_benchmark_kg_per_thm"] == pytest.approx(base.co2_kg_per_thm - 1288.0, abs=1e-9)
    assert e["benchmark_period"] == "2021-2025"
    assert "all top-gas carbon counted as emitted" in e["boundary"]
    assert math.isnan(e["co2_shadow_price_per_t"])  # no cap


def test_co2_row_equals_the_balance_with_upstream_and_export_credit():
    up = {"sinter": 0.157, "coke": 0.217, "nut_coke": 0.217}
    res = burden.solve(_scn(CO2, boundary={"exported_top_gas_share": 0.25,
                                           "upstream_t_co2_per_t": {"sinter": 0.157, "coke": 0.217}}))
    ind = independent_co2(res, upstream=up, share=0.25)
    assert res.co2_kg_per_thm == pytest.approx(ind, rel=1e-6)
    # the row of the formulation: the CO2 column is the same number
    z = res.output.primal[res.problem.formulation.space[E.BLOCK].start]
    assert z == pytest.approx(res.co2_kg_per_thm, rel=1e-9)
    e = res.emissions
    assert e["exported_credit_co2_kg_per_thm"] == pytest.approx(-0.25 * e["direct_co2_kg_per_thm"], rel=1e-12)
    assert e["upstream_co2_kg_per_thm"] == pytest.approx(sum(f * res.x[k] for k, f in up.items()), rel=1e-12)


def test_every_result_reports_co2(base, tmp_path):
    d = json.loads(base.to_json())
    assert d["co2_kg_per_thm"] == pytest.approx(base.co2_kg_per_thm)
    assert d["emissions"]["benchmark_kg_per_thm"] == 1288.0
    assert "emissions" in base.tables and base.tables["emissions"].loc["co2_kg_per_thm", "value"] == base.co2_kg_per_thm
    assert "CO2:" in base.summary() and "EU ETS hot-metal benchmark 2021-2025" in base.summary()
    r = subprocess.run([sys.executable, "-m", "burden", "solve", str(CO2), "-s", "cap_1740", "--json", "--out",
                        str(tmp_path)], capture_output=True, text=True, env=os.environ.copy())
    assert r.returncode == 0, r.stderr
    j = json.loads(r.stdout)
    assert j["co2_kg_per_thm"] == pytest.approx(1740.0, rel=1e-9)
    assert j["emissions"]["cap_binding"] is True and j["emissions"]["co2_shadow_price_per_t"] < 0
    stored = json.loads((tmp_path / "co2" / "result.json").read_text() if (tmp_path / "co2").exists() else
                        next(tmp_path.glob("co2*/result.json")).read_text())
    assert stored["co2_kg_per_thm"] == j["co2_kg_per_thm"]
    assert next(tmp_path.glob("co2*/emissions.csv")).exists()


def test_nonlinear_co2_follows_the_coke_rate():
    path = ROOT / "scenarios" / "nonlinear.yaml"
    res = burden.solve(path)
    assert res.co2_kg_per_thm == pytest.approx(independent_co2(res), rel=0.01)
    # the two-zone model's optimum has coke at its 250 kg/tHM minimum: CO2 can fall ~12 kg/tHM
    # (by PCI and burden) before the heat and carbon balances cannot be met; cap 8 below it
    capped = burden.solve(_scn(path, cap_kg_per_thm=res.co2_kg_per_thm - 8.0))
    assert capped.ok
    assert capped.co2_kg_per_thm == pytest.approx(res.co2_kg_per_thm - 8.0, rel=1e-6)
    assert capped.co2_kg_per_thm == pytest.approx(independent_co2(capped), rel=0.01)
    assert capped.objective > res.objective


# ----------------------------------------------------------- carbon price


def test_carbon_price_lowers_co2_and_objective_is_cost_plus_price_times_co2():
    plain = burden.solve(CO2)
    priced = burden.solve(CO2, scenario="carbon_price_80")
    assert priced.co2_kg_per_thm < plain.co2_kg_per_thm - 5.0
    # CO2 is cut by replacing sinter (upstream 0.157 t/t) with pellets
    assert priced.x["sinter"] < plain.x["sinter"] and priced.x["pellets"] > plain.x["pellets"]
    burden_cost = priced.burden["cost_per_thm"].sum()
    assert priced.objective == pytest.approx(burden_cost + 80.0 * priced.co2_kg_per_thm / 1000.0, rel=1e-12)
    assert priced.output.objective_terms["co2"] == pytest.approx(80.0 * priced.co2_kg_per_thm / 1000.0, rel=1e-9)
    assert priced.costs.loc["carbon_price", "cost_per_thm"] == pytest.approx(priced.output.objective_terms["co2"])
    assert priced.costs.loc["total", "cost_per_thm"] == pytest.approx(priced.objective, rel=1e-12)
    # the priced burden costs more without the price, and is the best of cost + price·CO2
    assert burden_cost >= plain.objective - 1e-9
    assert priced.objective <= plain.objective + 80.0 * plain.co2_kg_per_thm / 1000.0 + 1e-9


# ------------------------------------------------------------------ the cap


def test_cap_shadow_price_matches_finite_difference():
    cap, h = 1736.0, 0.25
    res = burden.solve(_scn(CO2, cap_kg_per_thm=cap))
    e = res.emissions
    assert e["cap_binding"] and res.co2_kg_per_thm == pytest.approx(cap, rel=1e-9)
    up = burden.solve(_scn(CO2, cap_kg_per_thm=cap + h)).objective
    down = burden.solve(_scn(CO2, cap_kg_per_thm=cap - h)).objective
    fd = 1000.0 * (up - down) / (2 * h)  # USD per t CO2
    assert e["co2_shadow_price_per_t"] == pytest.approx(fd, rel=0.01)
    assert e["co2_shadow_price_per_t"] < 0


def test_set_limit_on_the_cap_equals_a_fresh_build_and_records_the_scenario():
    prob = burden.build(_scn(CO2, cap_kg_per_thm=1750.0))
    burden.solve(prob)
    prob.set_limit(E.CAP_ROW, 1725.0)
    res = burden.solve(prob)
    fresh = burden.solve(_scn(CO2, cap_kg_per_thm=1725.0))
    assert res.objective == pytest.approx(fresh.objective, rel=1e-9)
    assert np.allclose(res.x.values, fresh.x.values, atol=1e-6)
    assert prob.scenario.config.emissions.cap_kg_per_thm == 1725.0
    with pytest.raises(InputError, match="emissions.cap_kg_per_thm"):
        prob.set_limit(E.CAP_ROW, 1.5)  # t/tHM given for kg/tHM


def test_analysis_change_reforms_the_co2_row():
    prob = burden.build(_scn(CO2, cap_kg_per_thm=1800.0))
    burden.solve(prob)
    prob.set_analysis("coke", {"C": 86.0})
    prob.set_analysis("limestone", {"CO2": 43.5})
    res = burden.solve(prob)
    z = res.output.primal[prob.formulation.space[E.BLOCK].start]
    assert z == pytest.approx(res.co2_kg_per_thm, rel=1e-9)  # the row and the balance agree
    d = yaml.safe_load(open(CO2, encoding="utf-8"))
    d["emissions"]["cap_kg_per_thm"] = 1800.0
    fresh = burden.solve(burden.Scenario.from_dict(d, base_dir=CO2.parent))
    # 0.83 % less carbon in 340 kg coke: CO2 down by 340·0.0083·44.009/12.011 = 10.3 kg/tHM
    assert res.co2_kg_per_thm - fresh.co2_kg_per_thm == pytest.approx(-340 * 0.0083 * M_CO2 / M_C, rel=1e-3)


# --------------------------------------------------------------- validation


@pytest.mark.parametrize("em, field, text", [
    ({"boundary": {"exported_top_gas_share": 30}}, "emissions.boundary.exported_top_gas_share", "percentage"),
    ({"boundary": {"upstream_t_co2_per_t": {"sintr": 0.1}}}, "emissions.boundary.upstream_t_co2_per_t.sintr",
     "did you mean 'sinter'"),
    ({"boundary": {"upstream_t_co2_per_t": {"coke": 217}}}, "emissions.boundary.upstream_t_co2_per_t", "kg/t"),
    ({"cap_kg_per_thm": 1.5}, "emissions.cap_kg_per_thm", "t/tHM"),
    ({"carbon_price_per_t": -5}, "emissions.carbon_price_per_t", "greater than or equal to 0"),
    ({"benchmark": "2030"}, "emissions.benchmark", "2021-2025"),
    ({"carbon_price": 80}, "emissions.carbon_price", "did you mean 'carbon_price_per_t'"),
])
def test_bad_emissions_input_names_the_field(em, field, text):
    d = yaml.safe_load(open(BASE, encoding="utf-8"))
    d["emissions"] = em
    with pytest.raises(InputError) as ei:
        burden.Scenario.from_dict(d, base_dir=BASE.parent, source="base.yaml")
    msg = str(ei.value)
    assert field in msg and text in msg, msg


# ------------------------------------------------------------------- pareto


def test_pareto_cheapest_point_is_the_plain_solve(co2_front):
    pts = co2_front.points
    assert list(pts["kind"]) == ["min_cost"] + ["between"] * 6 + ["min_co2"]
    assert (pts["status"] == "optimal").all()
    plain = burden.solve(CO2)
    first = pts.iloc[0]
    assert first["objective_per_thm"] == pytest.approx(plain.objective, rel=1e-9)
    assert first["co2_kg_per_thm"] == pytest.approx(plain.co2_kg_per_thm, rel=1e-9)
    for k in plain.x.index:
        assert first[f"{k}_kg_per_thm"] == pytest.approx(plain.x[k], abs=1e-6)


def test_pareto_cost_does_not_fall_as_co2_falls(co2_front):
    pts = co2_front.points
    co2 = pts["co2_kg_per_thm"].to_numpy()
    cost = pts["objective_per_thm"].to_numpy()
    assert np.all(np.diff(co2) < 0)
    assert np.all(np.diff(cost) >= -1e-9)
    assert cost[-1] > cost[0] + 1.0
    # the shadow price (dCost/dcap) is negative and its size grows toward the min-CO2 end (convex front)
    sp = pts["co2_shadow_price_per_t"].to_numpy()[1:]
    assert np.all(sp < 0) and np.all(np.diff(sp) <= 1e-6)
    # the min-CO2 end is the least CO2 any burden reaches: a cap below it is infeasible
    lo = co2[-1]
    assert burden.solve(_scn(CO2, cap_kg_per_thm=lo - 0.5)).status == "infeasible"
    # the cost between two points lies on or below the chord (convex LP front): check at one midpoint
    mid = 0.5 * (co2[2] + co2[3])
    c_mid = burden.solve(_scn(CO2, cap_kg_per_thm=mid)).objective
    assert c_mid <= 0.5 * (cost[2] + cost[3]) + 1e-9


def test_pareto_files_are_deterministic(co2_front):
    again = pareto(_scn(CO2), 6)
    assert again.files() == co2_front.files()


def test_pareto_cli(tmp_path):
    env = os.environ.copy()
    r = subprocess.run([sys.executable, "-m", "burden", "pareto", str(CO2), "--points", "3", "--json", "--out",
                        str(tmp_path)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert len(d["points"]) == 5
    assert all("objective_per_thm" in p and "co2_kg_per_thm" in p for p in d["points"])
    folder = tmp_path / "pareto" / "co2"
    assert sorted(p.name for p in folder.iterdir()) == ["pareto.csv", "pareto.json", "pareto.svg", "summary.txt"]
    assert (folder / "pareto.svg").read_text().lstrip().startswith("<?xml")
    bad = subprocess.run([sys.executable, "-m", "burden", "pareto", str(CO2), "--points", "5000", "--out",
                          str(tmp_path / "bad")], capture_output=True, text=True, env=env)
    assert bad.returncode == 4 and "--points" in bad.stderr and not (tmp_path / "bad").exists()
    inf = subprocess.run([sys.executable, "-m", "burden", "pareto", str(ROOT / "scenarios" / "infeasible.yaml"),
                          "--no-write"], capture_output=True, text=True, env=env)
    assert inf.returncode == 3 and "conflict" in inf.stderr


def test_report_has_a_co2_section():
    from burden.report.content import build_report, ReportOptions

    res = burden.solve(CO2, scenario="cap_1740")
    rep = build_report(res, ReportOptions(formats=("json",), plots=False))
    t = rep.tables()["co2"]
    vals = dict(zip(t.df["quantity"], t.df["value [see unit]"]))
    assert vals["CO2 within the boundary"] == pytest.approx(1740.0, rel=1e-9)
    assert vals["shadow price of the cap (dCost/dcap)"] == pytest.approx(res.emissions["co2_shadow_price_per_t"])
