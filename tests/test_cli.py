"""The command line, run as a new user would: through a subprocess."""

import json
import subprocess
import sys

import pytest
import yaml

from conftest import SCENARIOS


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "burden", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_help_does_not_import_heavy_modules():
    code = ("import sys; import burden.cli as c\n"
            "try:\n    c.main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('pyomo', 'pandas', 'scipy', 'highspy', 'matplotlib', 'pydantic') if m in sys.modules]\n"
            "assert not heavy, heavy")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "solve" in r.stdout


def test_solve_base_prints_burden_and_writes_results(tmp_path):
    r = run("solve", SCENARIOS / "base.yaml", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    assert "sinter" in r.stdout and "Binding limits" in r.stdout
    folder = tmp_path / "base"
    names = {p.name for p in folder.iterdir()}
    assert {"result.json", "summary.txt", "burden.csv", "slag.csv", "balance.csv", "constraints.csv"} <= names
    d = json.loads((folder / "result.json").read_text())
    assert d["status"] == "optimal"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".burden-")]


def test_solve_json_is_pure_json(tmp_path):
    r = run("solve", SCENARIOS / "base.yaml", "--json", "--no-write")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["scenario"] == "base"


def test_named_scenario(tmp_path):
    r = run("solve", SCENARIOS / "base.yaml", "--scenario", "pellet_opportunity", "--out", tmp_path)
    assert r.returncode == 0, r.stderr
    # "base [pellet_opportunity]" is not a folder name as it is: readable part + a stable hash of the name
    from burden.output import slug

    assert slug("base [pellet_opportunity]") == "base_pellet_opportunity-049f6624"
    assert (tmp_path / "base_pellet_opportunity-049f6624" / "result.json").exists()


def test_infeasible_exits_3_with_explanation(tmp_path):
    r = run("solve", SCENARIOS / "infeasible.yaml", "--out", tmp_path)
    assert r.returncode == 3
    assert "slag.rate_kg_per_thm.max" in r.stdout
    assert "shares.sinter_in_ferrous.min" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


def test_validate_and_materials():
    r = run("validate", SCENARIOS / "base.yaml")
    assert r.returncode == 0, r.stderr
    assert "valid" in r.stdout and "pellet_opportunity" in r.stdout
    r = run("materials")
    assert r.returncode == 0 and "USTB-HW" in r.stdout
    r = run("materials", "--columns")
    assert "SiO2" in r.stdout


# ---------------------------------------------------------------------------
# Bad input, as a new user would make it: one clear message, exit code 4, nothing written.

TABLE = ("name,class,price_per_t,price_basis,moisture_pct,TFe,FeO,SiO2,Al2O3,CaO,MgO,CO2\n"
         "ore_a,ferrous,120,dry,3,62.0,1.0,4.5,2.2,0.1,0.1,0\n"
         "ore_b,ferrous,110,dry,3,58.0,8.0,5.5,1.8,9.0,1.5,0\n"
         "stone,flux,30,dry,2,0,0,1.0,0.2,54.0,1.0,43.0\n")

SMALL = {
    "name": "small", "production_t_per_day": 5000, "materials": ["default", "table.csv"],
    "charge": {"ore_a": {}, "ore_b": {}, "stone": {}, "coke": {"fixed_kg_per_thm": 350},
               "pci": {"fixed_kg_per_thm": 150}},
    "hot_metal": {"Si_pct": 0.5, "S_pct": 0.03},
    "slag": {"B2": {"min": 1.0, "max": 1.2}},
}


def _case(tmp_path, scenario=None, table=TABLE):
    (tmp_path / "table.csv").write_text(table)
    data = SMALL if scenario is None else scenario
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return tmp_path / "s.yaml"


def _with(**changes):
    d = yaml.safe_load(yaml.safe_dump(SMALL))
    for path, value in changes.items():
        node = d
        keys = path.split("__")
        for k in keys[:-1]:
            node = node.setdefault(k, {})
        node[keys[-1]] = value
    return d


def test_the_small_case_itself_solves(tmp_path):
    r = run("solve", _case(tmp_path), "--out", tmp_path / "out")
    assert r.returncode == 0, r.stdout + r.stderr


BAD = {
    "unknown key": (dict(scenario=_with(slag__MgO_min=7)), ["slag.MgO_min", "unknown key", "MgO_pct"]),
    "misspelled material": (dict(scenario=_with(charge__stonee={})), ["charge.stonee", "unknown material", "'stone'"]),
    "percentage as a fraction": (dict(scenario=_with(slag__MgO_pct={"min": 0.07})),
                                 ["slag.MgO_pct", "looks like a fraction", "write 7"]),
    "fraction in a table": (dict(table=TABLE.replace("4.5,2.2,0.1,0.1", "4.5,2.2,0.1,0.1").replace(
        "ore_b,ferrous,110,dry,3,58.0,8.0,5.5,1.8,9.0,1.5,0", "ore_b,ferrous,110,dry,3,0.58,0.08,0.055,0.018,0.09,0.015,0")),
        ["table.csv", "ore_b", "look like fractions"]),
    "min > max": (dict(scenario=_with(slag__B2={"min": 1.3, "max": 1.1})), ["slag.B2", "min 1.3 > max 1.1", "swap"]),
    "distribution as percent": (dict(scenario=_with(distribution__Mn_to_hot_metal=70)),
                                ["distribution.Mn_to_hot_metal", "fraction"]),
    "kelvin": (dict(scenario=_with(hot_metal__temperature_c=1773)), ["hot_metal.temperature_c", "kelvin"]),
    "missing table": (dict(scenario=_with(materials=["default", "nope.csv"])), ["nope.csv", "not found"]),
    "negative analysis": (dict(table=TABLE.replace("4.5,2.2", "-4.5,2.2")), ["table.csv", "ore_a", "SiO2", "negative"]),
    "empty cell": (dict(table=TABLE.replace("58.0,8.0,5.5", "58.0,,5.5")), ["table.csv", "ore_b", "FeO", "empty cell"]),
    "NaN cell": (dict(table=TABLE.replace("58.0,8.0,5.5", "58.0,NaN,5.5")), ["table.csv", "ore_b", "FeO"]),
    "text in a number cell": (dict(table=TABLE.replace("58.0,8.0,5.5", "58.0,8.0,5,5")), ["table.csv"]),
    "empty table": (dict(table=TABLE.splitlines()[0] + "\n"), ["table.csv", "empty"]),
    "empty file": (dict(table=""), ["table.csv", "empty"]),
    "unknown column": (dict(table=TABLE.replace("MgO,CO2\n", "MgOO,CO2\n")), ["table.csv", "MgOO", "MgO"]),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_gives_one_clear_message_and_writes_nothing(tmp_path, case):
    kwargs, words = BAD[case]
    path = _case(tmp_path, **kwargs)
    out = tmp_path / "out"
    r = run("solve", path, "--out", out)
    assert r.returncode == 4, (case, r.returncode, r.stdout, r.stderr)
    assert "Traceback" not in r.stderr
    assert r.stdout == ""
    problems = [ln for ln in r.stderr.splitlines() if ln.startswith("  ")]
    assert len(problems) == 1, r.stderr
    for w in words:
        assert w in r.stderr, (case, w, r.stderr)
    assert not out.exists()


def test_missing_scenario_file(tmp_path):
    r = run("solve", tmp_path / "nope.yaml", "--out", tmp_path / "out")
    assert r.returncode == 4
    assert "nope.yaml" in r.stderr and "not found" in r.stderr
    assert not (tmp_path / "out").exists()


def test_unknown_named_scenario(tmp_path):
    r = run("solve", SCENARIOS / "base.yaml", "--scenario", "pellet_oportunity", "--out", tmp_path / "o")
    assert r.returncode == 4
    assert "did you mean 'pellet_opportunity'" in r.stderr
