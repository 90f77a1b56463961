"""Issue 9: persistent changes in any order equal a fresh build of the changed scenario.

A seeded random sequence of price, bound, limit, analysis and variant changes is applied to one
problem (with and without a plant hook); after every step the persistent re-solve is compared
with a fresh build of ``p.scenario`` (objective 1e-9 relative, rates 1e-6 kg/tHM), and with
``Scenario.from_dict(p.scenario.config.model_dump())`` (the settings carry every change).
Earlier Results must not change.
"""

import pickle
import random
from pathlib import Path

import numpy as np
import pytest

import burden
from burden.backends.base import RebuildRequired

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASE = SCENARIOS / "base.yaml"


def _same(a, b, what):
    assert a.status == b.status, what
    if a.status == "optimal":
        assert a.objective == pytest.approx(b.objective, rel=1e-9), what
        np.testing.assert_allclose(a.x.values, b.x.values, atol=1e-6, err_msg=str(what))


def _steps(rng, n):
    variants = [None, "low_slag", "cheap_pellets", "pellet_plant_online"]
    for _ in range(n):
        k = rng.choice(["price", "bound", "limit", "analysis", "update"])
        if k == "price":
            yield k, {rng.choice(["pellets", "sinter", "lump_ore", "limestone"]): rng.uniform(20, 200)}
        elif k == "bound":
            m = rng.choice(["pellets", "lump_ore", "dolomite"])
            lo = rng.uniform(0, 40)
            yield k, {m: (lo, lo + rng.uniform(50, 600))}
        elif k == "limit":
            yield k, rng.choice([("slag.B2.max", rng.uniform(1.18, 1.3)), ("slag.B2.min", rng.uniform(1.0, 1.1)),
                                 ("slag.rate_kg_per_thm.max", rng.uniform(300, 380)),
                                 ("slag.MgO_pct.min", rng.uniform(6.5, 8.0)),
                                 ("shares.lump_in_ferrous.max", rng.uniform(8, 20))])
        elif k == "analysis":
            yield k, (rng.choice(["sinter", "pellets"]), {rng.choice(["SiO2", "CaO", "MgO"]): rng.uniform(1.0, 6.0)})
        else:
            yield k, rng.choice(variants)


def _apply(p, k, arg):
    if k == "price":
        p.set_prices(arg)
    elif k == "bound":
        p.set_bounds(arg)
    elif k == "limit":
        p.set_limit(*arg)
    elif k == "analysis":
        p.set_analysis(*arg)
    else:
        p.update(burden.load_scenario(BASE, scenario=arg))


def _hook(m, s):
    import pyomo.environ as pyo

    m.use_lump = pyo.Var(domain=pyo.Binary)
    m.lump_max = pyo.Constraint(expr=m.x["lump_ore"] <= 200 * m.use_lump)


@pytest.mark.parametrize("seed,hooks", [(1, ()), (2, ()), (3, (_hook,))])
def test_random_sequences_of_changes_equal_fresh_builds(seed, hooks):
    rng = random.Random(seed)
    p = burden.build(burden.load_scenario(BASE), hooks=hooks)
    first = burden.solve(p)
    first_json = first.to_json()
    for step, (k, arg) in enumerate(_steps(rng, 40)):
        try:
            _apply(p, k, arg)
        except burden.InputError:
            continue          # e.g. a limit beyond the other end of its window: refused, nothing changed
        r = burden.solve(p)
        _same(r, burden.solve(burden.build(p.scenario, hooks=hooks)), (seed, step, k, arg))
        if step % 8 == 0:
            again = burden.Scenario.from_dict(p.scenario.config.model_dump())
            _same(r, burden.solve(burden.build(again, hooks=hooks)), ("round trip", seed, step, k, arg))
    assert first.to_json() == first_json


def test_update_after_in_place_changes_is_not_stale():
    scn = burden.load_scenario(BASE)
    for change in (lambda p: p.set_analysis("sinter", {"SiO2": 6.0}), lambda p: p.set_limit("slag.B2.max", 1.15),
                   lambda p: p.set_analysis("sinter", {"MnO": 0.9})):
        p = burden.build(scn)
        burden.solve(p)
        change(p)
        burden.solve(p)
        p.update(burden.load_scenario(BASE))
        _same(burden.solve(p), burden.solve(BASE), change)


def test_a_hook_fix_survives_a_later_bound_change():
    def fixp(m, s):
        m.x["pellets"].fix(150)

    p = burden.build(burden.load_scenario(BASE), hooks=[fixp])
    burden.solve(p)
    p.set_bounds({"pellets": (0, 400)})
    r = burden.solve(p)
    _same(r, burden.solve(burden.build(p.scenario, hooks=[fixp])), "fix")
    assert r.x["pellets"] == pytest.approx(150.0)


def test_reading_the_model_does_not_block_changes():
    p = burden.build(burden.load_scenario(BASE))
    burden.solve(p)
    p.model  # only looked at
    p.set_analysis("sinter", {"SiO2": 5.6})
    p.update(burden.load_scenario(BASE, scenario="low_slag"))
    _same(burden.solve(p), burden.solve(burden.load_scenario(BASE, scenario="low_slag")), "read model")


def test_an_unpickled_problem_without_its_hooks_refuses_changes_that_need_them():
    import pyomo.environ as pyo

    def cao(m, s):
        m.cao = pyo.Constraint(expr=m.q["slag.CaO"] <= 120)

    p = burden.build(burden.load_scenario(BASE), hooks=[cao])
    burden.solve(p)
    q = pickle.loads(pickle.dumps(p))
    q.set_prices({"pellets": 150.0})          # does not touch the hook rows: fine
    with pytest.raises(RebuildRequired, match="hooks"):
        q.set_analysis("sinter", {"CaO": 10.5})


@pytest.mark.parametrize("name,value", [("slag.MgO_pct.min", 0.075), ("slag.Al2O3_pct.max", 0.16),
                                        ("shares.sinter_in_ferrous.min", 0.5), ("slag.B2.max", 50),
                                        ("slag.B3.max", 100)])
def test_limits_follow_the_scenario_file_rules(name, value):
    p = burden.build(burden.load_scenario(BASE))
    with pytest.raises(burden.InputError):
        p.set_limit(name, value)


def test_bounds_as_a_min_max_mapping():
    p = burden.build(burden.load_scenario(BASE))
    p.set_bounds({"lump_ore": {"min": 0, "max": 150}})
    assert burden.solve(p).raise_for_status().x["lump_ore"] == pytest.approx(150.0)


def test_an_unbounded_milp_is_reported_unbounded():
    import pyomo.environ as pyo

    def hook(m, s):
        m.t = pyo.Var()
        m.b = pyo.Var(domain=pyo.Binary)
        m.cost.expr = m.cost.expr - m.t + m.b

    r = burden.solve(burden.load_scenario(BASE), hooks=[hook])
    assert r.status == "unbounded" and "hook[t]" in r.explanation


def test_solution_value_errors_and_hook_provenance():
    import pyomo.environ as pyo

    def hook(m, s):
        m.z = pyo.Var(bounds=(0, 5))
        m.c = pyo.Constraint(expr=m.z <= m.x["pellets"])

    r = burden.solve(burden.load_scenario(BASE), hooks=[hook])
    with pytest.raises(KeyError, match="no column 'y' in block 'hook'"):
        r.output.value("hook", "y")
    with pytest.raises(KeyError, match="no column block"):
        r.output.value("nothing", "y")
    assert r.output.meta["hooks"] == [hook.__qualname__]
    assert r.output.meta["input_hash"] != burden.solve(BASE).output.meta["input_hash"]
    assert str(r.output.value("x", "limestone")) == "0.0"


def test_remembered_limit_checks_still_refuse_and_follow_the_share():
    """set_limit remembers values the file rules passed (a pure function of section, row,
    value and the window's other end; for a share also its materials): a refused value is
    refused every time, and a share over other materials is checked again."""
    scn = burden.load_scenario(BASE)
    p = burden.build(scn)
    for _ in range(2):
        with pytest.raises(burden.InputError, match="basicity"):
            p.set_limit("slag.B2.max", 50)
    p.set_limit("slag.B2.max", 1.19)
    p.set_limit("slag.B2.max", 1.19)          # remembered: same answer as a fresh build
    q = burden.build(scn)
    q.set_limit("slag.B2.max", 1.19)
    assert burden.solve(p).objective == pytest.approx(burden.solve(q).objective, rel=1e-12)
    # the other end moved: the same value is checked against the new window
    p.set_limit("slag.B2.min", 1.0)
    with pytest.raises(burden.InputError, match="empty"):
        p.set_limit("slag.B2.max", 0.99)


def test_analysis_changes_reach_the_quantities_read_later():
    """A changed analysis is formed into the quantity table when it is next read: the
    Result's slag SiO2 after a persistent change equals a fresh build's (rel 1e-9)."""
    scn = burden.load_scenario(BASE)
    p = burden.build(scn)
    burden.solve(p)
    sio2 = scn.materials["sinter"].analysis["SiO2"]
    p.set_analysis("sinter", {"SiO2": sio2 + 0.2})
    p.set_analysis("pellets", {"CaO": 1.0})
    r1 = burden.solve(p)
    q = burden.build(p.scenario)
    r2 = burden.solve(q)
    assert r1.objective == pytest.approx(r2.objective, rel=1e-9)
    assert p.quantities.values(r1.output.x) == pytest.approx(q.quantities.values(r2.output.x), rel=1e-9)


def test_set_limit_accepts_exactly_what_a_scenario_file_accepts():
    """``set_limit`` checks a value by the scenario file's rules without building the scenario
    (and skips a Window's own min/max check, which the holder's window rule has made under the
    window's name).  Over every standard limit row of the base case and values across and beyond
    each plausible range, it accepts exactly the values a scenario file with that limit loads
    with (the other end of the window kept)."""
    from burden.core.rows import LIMITS_BY_KEY
    from burden.scenario import Scenario

    scn = burden.load_scenario(BASE)
    p = burden.build(scn)
    names = [n for n in p.formulation.row_names
             if n.rpartition(".")[2] in ("min", "max") and n.rpartition(".")[0] in LIMITS_BY_KEY
             and LIMITS_BY_KEY[n.rpartition(".")[0]].sense != "<="]
    assert len(names) >= 8, names
    values = [-5.0, 0.0, 0.005, 0.5, 0.95, 1.1, 2.9, 3.5, 12.0, 50.0, 99.0, 150.0, 900.0, 2.0e4, 2.0e6]
    checked = 0
    for name in names:
        stem, _, side = name.rpartition(".")
        section, field = LIMITS_BY_KEY[stem].path
        for v in values:
            q = burden.build(scn)
            try:
                q.set_limit(name, v)
                by_setter = True
            except burden.InputError:
                by_setter = False
            d = scn.config.model_dump()
            window = dict(d[section][field])
            window[side] = v
            d[section][field] = window
            try:
                Scenario.from_dict(d)
                by_file = True
            except burden.InputError:
                by_file = False
            assert by_setter == by_file, (name, v, by_setter, by_file)
            checked += by_file
    assert 0 < checked < len(names) * len(values)
