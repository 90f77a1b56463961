"""A validated scenario's config dumps to a dict (or JSON/YAML) that loads to the same scenario.

``model_dump()`` writes every default, so a default that is refused when given, or that
means something else when given ("present" versus "default"), breaks the round trip; so
does a relative material-table path, which a dumped config would resolve against another
directory.  Every example scenario and each of its named variants is checked.
"""

import math

import pandas as pd
import pytest
import yaml

import burden
from burden import examples
from burden.materials import default_library
from burden.scenario import Scenario

CASES = [(n, v) for n in examples.names() for v in [None] + Scenario.from_file(examples.path(n)).variants()]


def _same_materials(a: Scenario, b: Scenario):
    assert list(a.materials) == list(b.materials)
    for k in a.materials:
        assert b.materials[k] == a.materials[k], k
        assert dict(b.materials[k].analysis) == dict(a.materials[k].analysis), k
    assert {k: (m, r) for k, (m, r) in a.lost_burden.items()} == {k: (m, r) for k, (m, r) in b.lost_burden.items()}


def _same_answer(a, b):
    assert a.status == b.status
    if a.status == "optimal":
        assert math.isclose(b.objective, a.objective, rel_tol=1e-12, abs_tol=0.0)
        for k in a.x.index if hasattr(a.x, "index") else a.x:
            assert math.isclose(b.x[k], a.x[k], rel_tol=1e-9, abs_tol=1e-9), k


@pytest.mark.parametrize("name,variant", CASES, ids=[f"{n}[{v}]" if v else n for n, v in CASES])
def test_model_dump_reloads_to_the_same_scenario(name, variant, tmp_path, monkeypatch):
    scn = burden.load_scenario(examples.path(name), scenario=variant)
    monkeypatch.chdir(tmp_path)  # no base directory: relative tables must not matter any more
    again = Scenario.from_dict(scn.config.model_dump())
    assert again.config == scn.config
    assert again.parameters == scn.parameters
    _same_materials(scn, again)
    # and through a file: JSON-mode dump written as YAML
    f = tmp_path / "dumped.yaml"
    f.write_text(yaml.safe_dump(scn.config.model_dump(mode="json"), sort_keys=False))
    from_file = Scenario.from_file(f)
    assert from_file.config == scn.config
    _same_materials(scn, from_file)
    _same_answer(burden.solve(scn), burden.solve(again))


def test_blast_settings_without_process_are_still_refused(base_data):
    base_data["blast"] = {"temperature_c": 1150}
    with pytest.raises(burden.InputError, match="blast settings need the nonlinear model"):
        Scenario.from_dict(base_data)
    base_data["blast"] = None  # what an LP scenario dumps
    assert Scenario.from_dict(base_data).config.blast is None


def test_nonlinear_scenario_gets_the_default_blast():
    scn = burden.load_scenario(examples.path("nonlinear"))
    data = yaml.safe_load(examples.path("nonlinear").read_text())
    data.pop("blast", None)
    data["materials"] = scn.config.materials
    cfg = Scenario.from_dict(data).config
    assert cfg.blast == type(scn.config.blast)()


def test_dataframe_and_material_tables_round_trip(base_data):
    lib = default_library()
    ores = pd.DataFrame([{"name": "ore_a", "class": "ferrous", "price_per_t": 90, "price_basis": "dry",
                          "moisture_pct": 2, "TFe": 63.0, "FeO": 5.0, "SiO2": 4.5, "Al2O3": 1.8, "CaO": 0.3,
                          "MgO": 0.2, "P": 0.06, "min_kg_per_thm": None}])
    base_data["materials"] = ["default", ores, {"scrap2": lib["pellets"].with_changes(name="scrap2")}]
    base_data["charge"]["ore_a"] = {}
    base_data["charge"]["scrap2"] = {"max_kg_per_thm": 20}
    scn = Scenario.from_dict(base_data)
    d = scn.config.model_dump()
    assert isinstance(d["materials"][1], pd.DataFrame) and d["materials"][1] is not ores
    again = Scenario.from_dict(d)
    _same_materials(scn, again)
    js = Scenario.from_dict(yaml.safe_load(yaml.safe_dump(scn.config.model_dump(mode="json"), sort_keys=False)))
    _same_materials(scn, js)
    _same_answer(burden.solve(scn), burden.solve(js))


def test_relative_tables_are_stored_absolute(tmp_path):
    scn = burden.load_scenario(examples.path("validation/sheet_5_1"))
    (table,) = scn.config.materials
    assert table.endswith("ustb_sheets.csv") and (examples.path("validation/sheet_5_1").parent / "ustb_sheets.csv").samefile(table)


def test_a_dumped_variant_keeps_its_name_and_output_folder():
    """``Scenario.from_dict(scn.config.model_dump())`` of ``base [low_slag]`` is ``base [low_slag]``
    again (it came back as ``base``, whose output folder would have been overwritten), with the
    same settings and input hash as the loaded variant."""
    from burden.scenario import input_hash

    from conftest import SCENARIOS

    s = burden.load_scenario(SCENARIOS / "base.yaml", scenario="low_slag")
    s2 = burden.Scenario.from_dict(s.config.model_dump())
    assert (s2.name, s2.variant) == ("base [low_slag]", "low_slag")
    assert s2.config == s.config and input_hash(s2) == input_hash(s)
    assert burden.load_scenario(SCENARIOS / "base.yaml").variant is None
