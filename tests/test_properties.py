"""Property tests: invariances of the optimum and feasibility of every solved burden."""

import copy
import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import burden
from burden.materials import default_library
from conftest import SCENARIOS

import yaml

BASE = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
LIB = default_library()
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
BASE_RES = burden.solve(SCENARIOS / "base.yaml").raise_for_status()


def _solve(data):
    return burden.solve(burden.Scenario.from_dict(data, base_dir=SCENARIOS))


@SETTINGS
@given(st.permutations(list(BASE["charge"])))
def test_material_order_does_not_change_the_burden(order):
    d = copy.deepcopy(BASE)
    d["charge"] = {k: BASE["charge"][k] for k in order}
    r = _solve(d).raise_for_status()
    for k in order:
        assert math.isclose(r.x[k], BASE_RES.x[k], abs_tol=1e-6), k
    assert math.isclose(r.objective, BASE_RES.objective, rel_tol=1e-9)


@SETTINGS
@given(st.floats(min_value=0.05, max_value=20.0))
def test_scaling_all_prices_leaves_the_burden_unchanged(k):
    d = copy.deepcopy(BASE)
    for name in d["charge"]:
        d["charge"][name] = {**d["charge"][name], "price_per_t": LIB[name].price_per_t * k}
    r = _solve(d).raise_for_status()
    for name in d["charge"]:
        assert math.isclose(r.x[name], BASE_RES.x[name], abs_tol=1e-6), name
    assert math.isclose(r.objective, k * BASE_RES.objective, rel_tol=1e-7)


@SETTINGS
@given(
    b2_lo=st.floats(0.95, 1.25), b2_width=st.floats(0.0, 0.25),
    mgo_min=st.floats(5.0, 10.0), al2o3_max=st.floats(12.0, 18.0),
    slag_max=st.floats(250.0, 400.0), sinter_min=st.floats(30.0, 90.0),
    p_max=st.floats(0.06, 0.15),
    price_factors=st.lists(st.floats(0.5, 2.0), min_size=6, max_size=6),
)
def test_a_solved_burden_violates_no_limit(b2_lo, b2_width, mgo_min, al2o3_max, slag_max, sinter_min, p_max,
                                           price_factors):
    d = copy.deepcopy(BASE)
    d["slag"].update(B2={"min": b2_lo, "max": b2_lo + b2_width}, MgO_pct={"min": mgo_min},
                     Al2O3_pct={"max": al2o3_max}, rate_kg_per_thm={"max": slag_max})
    d["shares"]["sinter_in_ferrous"]["min_pct"] = sinter_min
    d["hot_metal"]["P_pct"] = {"max": p_max}
    for name, f in zip(["sinter", "pellets", "lump_ore", "limestone", "dolomite", "quartzite"], price_factors):
        d["charge"][name] = {**d["charge"][name], "price_per_t": LIB[name].price_per_t * f}
    r = _solve(d)
    if r.status == "infeasible":
        assert "No burden meets all limits" in r.explanation
        assert r.output.iis_rows or r.output.iis_bounds or r.output.relaxation
        return
    assert r.status == "optimal"
    tol = 1e-6
    sp = r.slag_properties["value"]
    assert b2_lo - tol <= sp["B2"] <= b2_lo + b2_width + tol
    assert sp["B3"] <= 1.45 + tol
    assert sp["MgO_pct"] >= mgo_min - tol
    assert sp["Al2O3_pct"] <= al2o3_max + tol
    assert sp["rate_kg_per_thm"] <= slag_max + tol * slag_max
    assert r.hot_metal.loc["P", "pct"] <= p_max + tol
    b = r.burden
    assert b.loc["sinter", "pct_of_ferrous"] >= sinter_min - 1e-5
    assert b.loc["lump_ore", "pct_of_ferrous"] <= 15 + 1e-5
    assert (b["dry_kg_per_thm"] >= -tol).all()
    assert (b["dry_kg_per_thm"] <= b["max_kg_per_thm"] + tol).all()
    for load, row in r.loads.iterrows():
        if not np.isnan(row["max"]):
            assert row["kg_per_thm"] <= row["max"] + tol
    assert r.balance["closure_pct"].abs().max() < 1e-6
