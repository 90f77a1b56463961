"""Windows on any slag oxide (issue 11, "What the scenario cannot express yet", its first item):
``slag: {CaO_pct: 42}``, ``TiO2_pct: {max: 4.6}``, MnO, FeO, ...: each a row ``oxide − θ·slag/100``
like MgO_pct, checked against the slag table of the result (an independent sum of kg/tHM)."""

import pytest
import yaml

import burden
from burden.errors import InputError
from burden.scenario import Scenario

from conftest import SCENARIOS

# a V-Ti sinter (TiO2 9 %, issue 11) beside the default library; Fe2O3 by difference from TFe/FeO
VTI = ("name,class,price_per_t,price_basis,moisture_pct,TFe,FeO,SiO2,Al2O3,CaO,MgO,TiO2,V2O5\n"
       "vti_sinter,ferrous,100,dry,0,50.0,8.0,5.5,2.5,10.5,2.5,9.0,0.5\n")


def _base(**slag):
    d = yaml.safe_load((SCENARIOS / "base.yaml").read_text())
    d["slag"].update(slag)
    d.pop("overrides"), d.pop("scenarios", None)
    return d


def _pct(res, oxide):
    s = res.slag
    return 100.0 * s.loc[oxide, "kg_per_thm"] / s.loc["total", "kg_per_thm"]


def test_a_cao_window_binds_and_holds():
    free = burden.solve(Scenario.from_dict(_base()))
    cao = _pct(free, "CaO")
    res = burden.solve(Scenario.from_dict(_base(CaO_pct={"max": round(cao - 1.0, 1)})))
    assert res.status == "optimal"
    assert _pct(res, "CaO") == pytest.approx(round(cao - 1.0, 1), abs=1e-6)
    assert bool(res.constraints.loc["slag.CaO_pct.max", "binding"])
    assert res.objective > free.objective  # a binding limit costs


def test_a_fixed_value_is_a_number():
    free = burden.solve(Scenario.from_dict(_base()))
    target = round(_pct(free, "SiO2") + 0.5, 2)
    res = burden.solve(Scenario.from_dict(_base(SiO2_pct=target)))
    assert res.status == "optimal" and _pct(res, "SiO2") == pytest.approx(target, abs=1e-6)


def test_tio2_of_a_vti_sinter(tmp_path):
    (tmp_path / "vti.csv").write_text(VTI)
    d = _base()
    d["materials"] = ["default", str(tmp_path / "vti.csv")]
    d["charge"]["vti_sinter"] = {"min_kg_per_thm": 200}
    free = burden.solve(Scenario.from_dict(d))
    assert _pct(free, "TiO2") > 4.6
    d["slag"]["TiO2_pct"] = {"max": 4.6}
    res = burden.solve(Scenario.from_dict(d))
    assert res.status == "optimal" and _pct(res, "TiO2") == pytest.approx(4.6, abs=1e-6)
    # with more of the sinter forced in, the window conflicts, and the explanation names it
    d["charge"]["vti_sinter"] = {"min_kg_per_thm": 300}
    bad = burden.solve(Scenario.from_dict(d))
    assert bad.status == "infeasible" and "slag.TiO2_pct.max" in bad.explanation
    d["charge"]["vti_sinter"] = {"min_kg_per_thm": 200}
    # the limit can be moved in place like any other
    prob = burden.build(Scenario.from_dict(d))
    prob.set_limit("slag.TiO2_pct.max", 5.0)
    assert _pct(burden.solve(prob), "TiO2") == pytest.approx(min(5.0, _pct(free, "TiO2")), abs=1e-6)


def test_a_minor_oxide_window_below_1_is_taken_as_written():
    free = burden.solve(Scenario.from_dict(_base()))
    feo = _pct(free, "FeO")
    assert feo < 1.0  # slag FeO of the base case: below 1 %, a window there is no fraction
    cap = round(1.02 * feo, 4)  # the Fe lost to slag is fixed by [Fe]: more FeO % is less slag
    res = burden.solve(Scenario.from_dict(_base(FeO_pct={"min": cap})))
    assert res.status == "optimal" and _pct(res, "FeO") == pytest.approx(cap, abs=1e-6)


@pytest.mark.parametrize("key, window, words", [
    ("CaO_pct", {"min": 0.42}, "write 42"),                      # a major oxide as a fraction
    ("TiO2_pct", {"max": 4.6}, "Ti or TiO2 column"),             # the default library has no Ti column
    ("MnO_pct", {"min": 2, "max": 1}, "swap"),
])
def test_refused_windows(key, window, words):
    with pytest.raises(InputError) as e:
        Scenario.from_dict(_base(**{key: window}))
    assert any(p.field.startswith(f"slag.{key}") and words in p.message for p in e.value.problems), str(e.value)
