"""The base scenario: balances close, every limit holds, numbers are consistent between tables."""

import math

import pytest

import burden
from burden.chemistry.elements import element_fraction, oxide_per_element


@pytest.fixture(scope="module")
def res():
    from conftest import SCENARIOS

    return burden.solve(SCENARIOS / "base.yaml").raise_for_status()


def _inputs(res, species):
    """Independent: sum over charged materials of rate × analysis (wt %), kg/tHM."""
    return sum(res.x[k] * res.scenario.materials[k].analysis[species] / 100 for k in res.problem.materials)


def _dust(res, species):
    return sum(rate * m.analysis[species] / 100 for m, rate in res.scenario.lost_burden.values())


def test_every_balance_closes_within_0_1_pct(res):
    """inputs = hot metal + slag + dust + gas, recomputed from the reported tables."""
    hm = res.hot_metal["kg_per_thm"]
    sl = res.slag["kg_per_thm"]
    d = res.scenario.config.distribution
    outputs = {
        "Fe": hm["Fe"] + sl["FeO"] * element_fraction("FeO", "Fe"),
        "Mn": hm["Mn"] + sl["MnO"] * element_fraction("MnO", "Mn"),
        "P": hm["P"] + sl["P2O5"] * element_fraction("P2O5", "P"),
        "SiO2": sl["SiO2"] + hm["Si"] * oxide_per_element("SiO2", "Si"),
        "CaO": sl["CaO"], "MgO": sl["MgO"], "Al2O3": sl["Al2O3"],
    }
    for sp, out in outputs.items():
        inp = _inputs(res, sp)
        assert inp > 0
        assert abs(inp - (out + _dust(res, sp))) / inp < 1e-3, sp
    # sulphur: hot metal + slag + gas share
    s_in = _inputs(res, "S")
    s_net = s_in - _dust(res, "S")
    s_slag = sl["S_as_CaS_excess"] / (1 - 15.999 / 32.06)
    assert abs(s_in - (hm["S"] + s_slag + d.S_to_gas * s_net + _dust(res, "S"))) / s_in < 1e-3
    # and the Result's own balance table agrees
    assert res.balance["closure_pct"].abs().max() < 0.1


def test_hot_metal_is_one_tonne_and_carbon_follows_the_correlation(res):
    hm = res.hot_metal
    assert hm["kg_per_thm"].sum() == pytest.approx(1000.0, rel=1e-9)
    pct = hm["pct"]
    c = 1.34 + 2.45e-3 * 1500 - 0.35 * pct["P"] + 0.17 * pct["Ti"] - 0.54 * pct["S"] + 0.04 * pct["Mn"] - 0.30 * pct["Si"]
    assert pct["C"] == pytest.approx(c, abs=1e-9)


def test_no_limit_is_violated(res):
    tol = 1e-6
    sp = res.slag_properties
    for prop, row in sp.iterrows():
        if not math.isnan(row["min"]):
            assert row["value"] >= row["min"] - tol, prop
        if not math.isnan(row["max"]):
            assert row["value"] <= row["max"] + tol, prop
    for name, row in res.loads.iterrows():
        if not math.isnan(row["max"]):
            assert row["kg_per_thm"] <= row["max"] + tol, name
    b = res.burden
    assert (b["dry_kg_per_thm"] >= b["min_kg_per_thm"] - tol).all()
    assert (b["dry_kg_per_thm"] <= b["max_kg_per_thm"] + tol).all()
    fer = b[b["class"] == "ferrous"]
    assert fer.loc["sinter", "pct_of_ferrous"] >= 50 - tol
    assert fer.loc["lump_ore", "pct_of_ferrous"] <= 15 + tol
    assert res.hot_metal.loc["P", "pct"] <= 0.10 + tol


def test_tables_are_consistent(res):
    b = res.burden
    assert b["cost_per_thm"].sum() == pytest.approx(res.objective, rel=1e-9)
    assert res.costs.loc["total", "cost_per_thm"] == pytest.approx(res.objective, rel=1e-9)
    assert b["cost_share_pct"].sum() == pytest.approx(100.0)
    assert b.loc[b["class"] == "ferrous", "pct_of_ferrous"].sum() == pytest.approx(100.0)
    lump = res.scenario.materials["lump_ore"]
    assert b.loc["lump_ore", "wet_kg_per_thm"] == pytest.approx(b.loc["lump_ore", "dry_kg_per_thm"] / (1 - 0.028))
    assert b.loc["sinter", "dry_t_per_day"] == pytest.approx(b.loc["sinter", "dry_kg_per_thm"] * 9.0)
    # a wet-basis price is converted once: cost = dry kg × wet price / dry fraction
    assert b.loc["lump_ore", "cost_per_thm"] == pytest.approx(
        b.loc["lump_ore", "dry_kg_per_thm"] / 1000 * lump.price_per_t / (1 - 0.028))
    assert res.slag["kg_per_thm"]["total"] == pytest.approx(res.slag["kg_per_thm"].drop("total").sum())


def test_binding_constraints_have_names_and_shadow_prices(res):
    bd = res.binding
    assert "slag.B2.max" in bd.index
    assert bd.loc["slag.B2.max", "shadow_price_per_unit"] < 0  # a looser maximum lowers the cost


def test_cost_ranging_brackets_the_price(res):
    b = res.burden
    for k, r in b.iterrows():
        lo, hi = r["price_range_low_per_t"], r["price_range_high_per_t"]
        assert lo <= r["price_per_t"] + 1e-6 <= hi + 2e-6, k


def test_summary_and_json(res):
    text = str(res)
    assert "sinter" in text and "Binding limits" in text
    import json

    d = json.loads(res.to_json())
    assert d["status"] == "optimal"
    assert d["objective_per_thm"] == pytest.approx(res.objective)
    assert {t["material"] for t in d["tables"]["burden"]} == set(res.problem.materials)
